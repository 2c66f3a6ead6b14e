/*
 * commands_action.c - `coreapi action PATH... [params]`: act on the link at
 * PATH of the current document (coreapi_client_action), as the reference's
 * action command does. Parameters:
 *   -p/--param FIELD=VALUE   VALUE as JSON when it parses, else as a string
 *   -s/--string FIELD=STRING always a string
 *   -d/--data FIELD=JSON     JSON, an error when it does not parse
 *   -f/--file FIELD=FILENAME a file, streamed from disk
 * each also as two arguments (FIELD VALUE), as the reference takes them. Of the
 * same FIELD given by several kinds, files win over data, data over strings,
 * strings over params (the reference's dict updates).
 *
 * The VALUE of -p, -s and -d may come from elsewhere than argv, as curl's
 * `-d @file` (so that a password need not be on the command line):
 *   @-     all of standard input (read once: a second @- is a usage error)
 *   @FILE  the contents of FILE
 *   @@...  the literal value with its first '@' removed ("@@tom" is "@tom")
 * The text read, at most 64 MiB, has one final line ending (LF or CRLF)
 * removed, for @- and @FILE alike, and is then typed as the option says
 * (-p: JSON when it parses, else a string; -s: a string; -d: JSON). A text
 * holding a NUL byte is refused (-f sends binary data). The buffers are
 * wiped when freed: the value may be a secret.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "paginate.h"
#include "snapshot.h"

static const char action_help[] =
    "Usage: coreapi action [OPTIONS] PATH...\n"
    "\n"
    "  Interact with the active document.\n"
    "\n"
    "  Requires a PATH to a link in the document.\n"
    "\n"
    "  Example:\n"
    "\n"
    "  coreapi action users add_user -p username=tom -p is_admin=true\n"
    "  printf '%s\\n' \"$PASSWORD\" |\n"
    "      coreapi action login create -p username=tom -s password=@-\n"
    "  coreapi action books list --all --max-pages 20\n"
    "\n"
    "Options:\n"
    "  -p, --param FIELD=VALUE     parameter for the action (JSON if it parses,\n"
    "                              else a string); also: -p FIELD VALUE\n"
    "  -s, --string FIELD=STRING   string parameter for the action\n"
    "  -d, --data FIELD=JSON       data parameter for the action (JSON)\n"
    "  -f, --file FIELD=FILENAME   file parameter for the action\n"
    "  For -p, -s and -d, a VALUE of @- is all of standard input (one @- at\n"
    "  most), @FILE the contents of FILE, each with one final newline (LF or\n"
    "  CRLF) removed, then typed as the option says; @@ starts a literal @.\n"
    "  -a, --action ACTION         set the link action explicitly\n"
    "  -e, --encoding ENCODING     set the link encoding explicitly\n"
    "  -t, --transform TRANSFORM   set the link transform explicitly\n"
    "  --no-validate               send parameters the link does not declare\n"
    "                              (and without its required ones): DRF\n"
    "                              function views without a serializer declare\n"
    "                              none; by default they are checked, as the\n"
    "                              reference does\n"
    "  --all                       follow the next pages and print one array of\n"
    "                              every page's items: a \"next\" URL in the\n"
    "                              result (Django REST framework's pages: their\n"
    "                              \"results\" are merged), else the response's\n"
    "                              Link header rel=\"next\" (the body an array).\n"
    "                              Each page is fetched with the credentials\n"
    "                              scoped to its own host. A result that is not\n"
    "                              a page prints as without --all; a failed\n"
    "                              page fails the command; a page seen before\n"
    "                              is an error (a loop)\n"
    "  --max-pages N               with --all: fetch at most N pages (default\n"
    "                              100); when more remain, print what was\n"
    "                              fetched, warn, exit 0\n"
    "  --parallel N                with --all: when the first page says how\n"
    "                              many items there are and numbers its pages\n"
    "                              (DRF page-number, limit-offset), fetch the\n"
    "                              others N at a time (default 4; 1: one by\n"
    "                              one); each must link the next one foretold,\n"
    "                              else the rest are followed one by one\n"
    "  --debug                     display the request/response\n"
    "  --help                      show this message and exit\n";

enum { KIND_PARAM, KIND_STRING, KIND_DATA, KIND_FILE, KIND_COUNT };

/* A parameter: its value from argv (value), or read from source ("-" for
 * standard input, else a file name) into value_owned (cap bytes, wiped). */
typedef struct pair {
  int kind;
  const char *field;
  char *field_owned;
  const char *value;
  size_t value_len;
  const char *source;
  char *value_owned;
  size_t cap;
} pair;

#define VALUE_MAX ((size_t)64 * 1024 * 1024) /* the most @- or @FILE may hold */

static int kind_of(const char *a) {
  if (!strcmp(a, "-p") || !strcmp(a, "--param"))
    return KIND_PARAM;
  if (!strcmp(a, "-s") || !strcmp(a, "--string"))
    return KIND_STRING;
  if (!strcmp(a, "-d") || !strcmp(a, "--data"))
    return KIND_DATA;
  if (!strcmp(a, "-f") || !strcmp(a, "--file"))
    return KIND_FILE;
  return -1;
}

/* buf (*size bytes, n of them used) copied into a buffer twice as large (at
 * most VALUE_MAX + 2), the old one wiped and freed. The new buffer, or NULL
 * with errno ENOMEM. Not realloc: that could leave a secret behind. */
static char *grow(char *buf, size_t n, size_t *size) {
  size_t bigger = *size * 2 > VALUE_MAX + 2 ? VALUE_MAX + 2 : *size * 2;
  char *nb = malloc(bigger);
  if (nb != NULL)
    memcpy(nb, buf, n);
  cli_wipe(buf, *size);
  free(buf);
  if (nb == NULL)
    errno = ENOMEM;
  else
    *size = bigger;
  return nb;
}

/* Read all of fd, at most VALUE_MAX bytes (hint: the size expected, 0 when
 * unknown), into a new buffer of *cap bytes (wipe it) holding *len bytes
 * and a NUL; NULL with errno set (EFBIG when there is more). */
static char *read_all(int fd, size_t hint, size_t *len, size_t *cap) {
  size_t n = 0, size = (hint < VALUE_MAX ? hint : VALUE_MAX) + 2;
  char *buf = malloc(size < 4096 ? (size = 4096) : size);
  if (buf == NULL)
    return errno = ENOMEM, NULL;
  for (;;) {
    ssize_t r;
    if (n + 1 == size && (buf = grow(buf, n, &size)) == NULL)
      return NULL;
    r = read(fd, buf + n, size - 1 - n);
    if (r < 0 && errno == EINTR)
      continue;
    if (r == 0)
      break;
    if (r < 0 || (n += (size_t)r) > VALUE_MAX) {
      int e = r < 0 ? errno : EFBIG;
      cli_wipe(buf, size);
      free(buf);
      return errno = e, NULL;
    }
  }
  buf[n] = '\0';
  *len = n;
  *cap = size;
  return buf;
}

/* Read the value of p from p->source (the rules at the top). CLI_OK, or an
 * exit code (error printed): 2 for a file that cannot be opened, is too
 * large or holds a NUL byte, 4 for a read error. */
static int read_value(pair *p) {
  int is_stdin = strcmp(p->source, "-") == 0, code = CLI_OTHER, e = 0;
  const char *name = is_stdin ? "standard input" : p->source;
  int fd = is_stdin ? STDIN_FILENO : open(p->source, O_RDONLY | O_CLOEXEC);
  struct stat st;
  size_t len = 0;
  if (fd < 0 || fstat(fd, &st) != 0)
    e = errno;
  else if (S_ISDIR(st.st_mode))
    e = EISDIR;
  if (e != 0) {
    cli_error("parameter %s: cannot read %s: %s", p->field, name, strerror(e));
    if (fd >= 0 && !is_stdin)
      close(fd);
    return CLI_USAGE;
  }
  p->value_owned = read_all(fd, S_ISREG(st.st_mode) ? (size_t)st.st_size : 0, &len, &p->cap);
  if (p->value_owned == NULL && errno == EFBIG) {
    cli_error("parameter %s: %s holds more than 64 MiB (-f FIELD=FILE sends a file)", p->field,
              name);
    code = CLI_USAGE;
  } else if (p->value_owned == NULL) {
    cli_error("parameter %s: cannot read %s: %s", p->field, name, strerror(errno));
  } else if (memchr(p->value_owned, '\0', len) != NULL) {
    cli_error("parameter %s: %s holds a NUL byte; a value is text (-f FIELD=FILE sends binary "
              "data)",
              p->field, name);
    code = CLI_USAGE;
  } else {
    if (len > 0 && p->value_owned[len - 1] == '\n' && --len > 0 &&
        p->value_owned[len - 1] == '\r')
      len--;
    p->value_owned[len] = '\0';
    p->value = p->value_owned;
    p->value_len = len;
    code = CLI_OK;
  }
  if (!is_stdin)
    close(fd);
  return code;
}

/* The node of one parameter (its value read first when it comes from
 * elsewhere), or NULL with *code set (error printed). */
static coreapi_node *pair_node(pair *p, int *code) {
  coreapi_error err;
  coreapi_node *v = NULL;
  if (p->source != NULL && (*code = read_value(p)) != CLI_OK)
    return NULL;
  switch (p->kind) {
  case KIND_PARAM:
    v = coreapi_json_decode(p->value, p->value_len, NULL);
    if (v == NULL)
      v = coreapi_string_new(p->value, p->value_len, &err);
    break;
  case KIND_STRING:
    v = coreapi_string_new(p->value, p->value_len, &err);
    break;
  case KIND_DATA:
    v = coreapi_json_decode(p->value, p->value_len, &err);
    if (v == NULL) {
      cli_error("Invalid JSON for data argument \"%s\": %s", p->field, err.text);
      *code = CLI_USAGE;
      return NULL;
    }
    break;
  case KIND_FILE:
    v = cli_file_param(p->value, &err);
    break;
  }
  if (v == NULL) {
    cli_error("parameter %s: %s", p->field, err.text);
    *code = CLI_USAGE;
  }
  return v;
}

/* Build the params Object; NULL with *code set on failure. */
static coreapi_node *build_params(pair *pairs, size_t n, int *code) {
  coreapi_map_builder *b = coreapi_map_builder_new();
  coreapi_error err;
  for (int kind = 0; kind < KIND_COUNT; kind++) {
    for (size_t i = 0; i < n; i++) {
      coreapi_node *v;
      if (pairs[i].kind != kind)
        continue;
      if ((v = pair_node(&pairs[i], code)) == NULL) {
        coreapi_map_builder_free(b);
        return NULL;
      }
      if (coreapi_map_builder_set(b, pairs[i].field, strlen(pairs[i].field), v, &err) !=
          COREAPI_OK) {
        cli_error("parameter %s: %s", pairs[i].field, err.text);
        *code = CLI_USAGE;
        coreapi_map_builder_free(b);
        return NULL;
      }
    }
  }
  coreapi_node *params = coreapi_map_builder_object(b, &err);
  if (params == NULL) {
    cli_error("%s", err.text);
    *code = CLI_OTHER;
  }
  return params;
}

/* What the command line of `action` says. */
typedef struct action_args {
  pair *pairs;
  size_t npairs;
  char **path;
  size_t npath;
  int stdin_taken; /* a value is @- */
  int at_link;     /* the document given is the link itself (from the snapshot) */
  coreapi_action_options aopts;
  int all;         /* --all: follow the next pages (paginate.c) */
  long max_pages;  /* --max-pages N; 0 when not given */
  long parallel;   /* --parallel N; 0 when not given */
} action_args;

/* Where p's value comes from (the rules at the top): "@@x" is "@x", "@-"
 * standard input (once), "@FILE" the file; -f takes its FILENAME as it is.
 * CLI_OK or a usage error. */
static int value_source(action_args *a, pair *p, const char *opt) {
  if (p->kind == KIND_FILE || p->value[0] != '@') {
    p->value_len = strlen(p->value);
    return CLI_OK;
  }
  if (p->value[1] == '@') {
    p->value++;
    p->value_len = strlen(p->value);
    return CLI_OK;
  }
  if (p->value[1] == '\0')
    return cli_usage("action",
                     "%s %s=@: give a file after @, @- for standard input, or @@ for a "
                     "value starting with @",
                     opt, p->field);
  p->source = p->value + 1;
  if (strcmp(p->source, "-") == 0 && a->stdin_taken++)
    return cli_usage("action", "%s %s=@-: standard input is read once; only one value may be @-",
                     opt, p->field);
  return CLI_OK;
}

/* "-p FIELD=VALUE" (or "-p FIELD VALUE") at argv[*i]; kind says which. */
static int parse_pair(action_args *a, int kind, int argc, char **argv, int *i) {
  const char *opt = argv[*i], *arg, *eq;
  pair *p;
  if (*i + 1 >= argc)
    return cli_usage("action", "%s needs FIELD=VALUE", opt);
  arg = argv[++*i];
  eq = strchr(arg, '=');
  p = &a->pairs[a->npairs++];
  p->kind = kind;
  if (eq != NULL) {
    p->field = p->field_owned = strndup(arg, (size_t)(eq - arg));
    p->value = eq + 1;
  } else if (*i + 1 < argc) {
    p->field = arg;
    p->value = argv[++*i];
  } else {
    return cli_usage("action", "%s %s needs a value (FIELD=VALUE)", opt, arg);
  }
  if (p->field == NULL || p->field[0] == '\0')
    return cli_usage("action", "%s: empty field name", opt);
  return value_source(a, p, opt);
}

/* "OPT N" at argv[*i] into *out: a whole number from 1 to max (what: what
 * it counts). CLI_OK or a usage error. */
static int parse_count(const char *opt, const char *what, long max, int argc, char **argv,
                       int *i, long *out) {
  char *end;
  long n;
  if (*i + 1 >= argc)
    return cli_usage("action", "%s needs a number of %s", opt, what);
  n = strtol(argv[++*i], &end, 10);
  if (end == argv[*i] || *end != '\0' || n < 1 || n > max)
    return cli_usage("action", "%s: '%s' is not a number of %s (1 to %ld)", opt, argv[*i], what,
                     max);
  *out = n;
  return CLI_OK;
}

/* The command line into *a. Returns CLI_OK, or an exit code to stop with
 * (the help was printed, or a usage error). */
static int parse_action(cli_options *opts, action_args *a, int argc, char **argv, int *done) {
  *done = 0;
  for (int i = 1; i < argc; i++) {
    const char *arg = argv[i], **target = NULL;
    int kind = kind_of(arg), code;
    if (cli_is_help(arg)) {
      *done = 1;
      return cli_help(action_help);
    }
    if (kind >= 0) {
      if ((code = parse_pair(a, kind, argc, argv, &i)) != CLI_OK)
        return code;
      continue;
    }
    if (!strcmp(arg, "-a") || !strcmp(arg, "--action"))
      target = &a->aopts.action;
    else if (!strcmp(arg, "-e") || !strcmp(arg, "--encoding"))
      target = &a->aopts.encoding;
    else if (!strcmp(arg, "-t") || !strcmp(arg, "--transform"))
      target = &a->aopts.transform;
    if (target != NULL) {
      if (i + 1 >= argc)
        return cli_usage("action", "%s needs a value", arg);
      *target = argv[++i];
    } else if (!strcmp(arg, "--debug")) {
      opts->debug = 1;
    } else if (!strcmp(arg, "--no-validate")) {
      a->aopts.no_validate = 1;
    } else if (!strcmp(arg, "--all")) {
      a->all = 1;
    } else if (!strcmp(arg, "--max-pages")) {
      if ((code = parse_count(arg, "pages", CLI_PAGES_MAX, argc, argv, &i, &a->max_pages)) !=
          CLI_OK)
        return code;
    } else if (!strcmp(arg, "--parallel")) {
      if ((code = parse_count(arg, "requests", CLI_PARALLEL_MAX, argc, argv, &i,
                              &a->parallel)) != CLI_OK)
        return code;
    } else if (arg[0] == '-' && arg[1] != '\0' && strcmp(arg, "--") != 0) {
      return cli_usage("action", "no such option: %s", arg);
    } else if (strcmp(arg, "--") == 0) {
      for (i++; i < argc; i++)
        a->path[a->npath++] = argv[i];
    } else {
      a->path[a->npath++] = argv[i];
    }
  }
  if (a->npath == 0)
    return cli_usage("action", "Missing PATH to a link in the document.");
  if ((a->max_pages != 0 || a->parallel != 0) && !a->all)
    return cli_usage("action", "%s goes with --all", a->max_pages ? "--max-pages" : "--parallel");
  if (a->max_pages == 0)
    a->max_pages = CLI_PAGES_DEFAULT;
  if (a->parallel == 0)
    a->parallel = CLI_PARALLEL_DEFAULT;
  return CLI_OK;
}

/* Act on the link at a->path of doc with params; print the result (with
 * --all, the pages after it merged: paginate.c). */
static int run_action(cli_options *opts, const coreapi_node *doc, action_args *a,
                      const coreapi_node *params) {
  size_t n = a->at_link ? 0 : a->npath;
  coreapi_key *keys = cli_path_keys(doc, a->path, n);
  cli_client cc;
  coreapi_result result;
  coreapi_error err;
  coreapi_node *merged = NULL;
  int code = cli_client_open(opts, &cc);
  if (code == CLI_OK) {
    coreapi_code rc = coreapi_client_action(cc.client, doc, keys, n, params, &a->aopts,
                                            &result, &err);
    if (rc != COREAPI_OK)
      code = cli_report(opts, &result, &err);
    else if (a->all)
      code = cli_paginate(opts, cc.client, &result, a->max_pages,
                          (unsigned)a->parallel, &merged);
    cli_client_close(opts, &cc); /* a jar not saved: exit 4 at the end (cli_state_exit_code) */
    if (rc == COREAPI_OK && code == CLI_OK && merged != NULL) {
      code = cli_print_node(opts, merged, 0);
    } else if (rc == COREAPI_OK && code == CLI_OK) {
      code = cli_print_result(opts, &result);
      if (code == CLI_OK && coreapi_node_type_of(result.node) == COREAPI_NODE_DOCUMENT)
        code = cli_document_visit(opts, result.node);
    }
    coreapi_node_free(merged);
    coreapi_result_clear(&result);
  }
  free(keys);
  return code;
}

/* What the action acts on: the link alone, from the snapshot, when nothing
 * else of the document is needed (no Document below the root on the way,
 * whose in-place result would need the whole document), else the whole
 * current document. NULL with *code set when there is none. */
static coreapi_node *action_target(const cli_options *opts, action_args *a, int *code) {
  cli_snapshot *snap = cli_document_snapshot(opts);
  coreapi_node *link = NULL;
  int nested = 1;
  if (snap != NULL)
    link = cli_snapshot_link(snap, a->path, a->npath, &nested);
  cli_snapshot_close(snap);
  if (link != NULL && !nested) {
    a->at_link = 1;
    *code = CLI_OK;
    return link;
  }
  coreapi_node_free(link);
  return cli_document_require(opts, code);
}

int cmd_action(cli_options *opts, int argc, char **argv) {
  action_args a;
  int code, done;
  coreapi_node *doc = NULL, *params = NULL;
  memset(&a, 0, sizeof(a));
  a.pairs = calloc((size_t)argc, sizeof(*a.pairs));
  a.path = calloc((size_t)argc, sizeof(*a.path));
  if (a.pairs == NULL || a.path == NULL) {
    cli_error("out of memory");
    free(a.pairs);
    free(a.path);
    return CLI_OTHER;
  }
  code = parse_action(opts, &a, argc, argv, &done);
  if (code == CLI_OK && !done && (doc = action_target(opts, &a, &code)) != NULL &&
      (params = build_params(a.pairs, a.npairs, &code)) != NULL)
    code = run_action(opts, doc, &a, params);
  for (size_t i = 0; i < a.npairs; i++) {
    free(a.pairs[i].field_owned);
    if (a.pairs[i].value_owned != NULL)
      cli_wipe(a.pairs[i].value_owned, a.pairs[i].cap);
    free(a.pairs[i].value_owned);
  }
  free(a.pairs);
  free(a.path);
  coreapi_node_free(params);
  coreapi_node_free(doc);
  return code;
}
