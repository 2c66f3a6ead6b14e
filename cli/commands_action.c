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
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

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
    "\n"
    "Options:\n"
    "  -p, --param FIELD=VALUE     parameter for the action (JSON if it parses,\n"
    "                              else a string); also: -p FIELD VALUE\n"
    "  -s, --string FIELD=STRING   string parameter for the action\n"
    "  -d, --data FIELD=JSON       data parameter for the action (JSON)\n"
    "  -f, --file FIELD=FILENAME   file parameter for the action\n"
    "  -a, --action ACTION         set the link action explicitly\n"
    "  -e, --encoding ENCODING     set the link encoding explicitly\n"
    "  -t, --transform TRANSFORM   set the link transform explicitly\n"
    "  --debug                     display the request/response\n"
    "  --help                      show this message and exit\n";

enum { KIND_PARAM, KIND_STRING, KIND_DATA, KIND_FILE, KIND_COUNT };

typedef struct pair {
  int kind;
  const char *field;
  char *field_owned;
  const char *value;
} pair;

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

/* Build the params Object; NULL with *code set on failure. */
static coreapi_node *build_params(pair *pairs, size_t n, int *code) {
  coreapi_map_builder *b = coreapi_map_builder_new();
  coreapi_error err;
  for (int kind = 0; kind < KIND_COUNT; kind++) {
    for (size_t i = 0; i < n; i++) {
      coreapi_node *v = NULL;
      if (pairs[i].kind != kind)
        continue;
      const char *val = pairs[i].value;
      switch (kind) {
      case KIND_PARAM:
        v = coreapi_json_decode(val, strlen(val), NULL);
        if (v == NULL)
          v = coreapi_string_new(val, strlen(val), &err);
        break;
      case KIND_STRING:
        v = coreapi_string_new(val, strlen(val), &err);
        break;
      case KIND_DATA:
        v = coreapi_json_decode(val, strlen(val), &err);
        if (v == NULL) {
          cli_error("Invalid JSON for data argument \"%s\": %s", pairs[i].field, err.text);
          *code = CLI_USAGE;
          coreapi_map_builder_free(b);
          return NULL;
        }
        break;
      case KIND_FILE:
        v = cli_file_param(val, &err);
        break;
      }
      if (v == NULL) {
        cli_error("parameter %s: %s", pairs[i].field, err.text);
        *code = CLI_USAGE;
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
  coreapi_action_options aopts;
} action_args;

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
  return CLI_OK;
}

/* Act on the link at a->path of doc with params; print the result. */
static int run_action(cli_options *opts, const coreapi_node *doc, action_args *a,
                      const coreapi_node *params) {
  coreapi_key *keys = cli_path_keys(doc, a->path, a->npath);
  cli_client cc;
  coreapi_result result;
  coreapi_error err;
  int code = cli_client_open(opts, &cc);
  if (code == CLI_OK) {
    coreapi_code rc = coreapi_client_action(cc.client, doc, keys, a->npath, params, &a->aopts,
                                            &result, &err);
    cli_client_close(opts, &cc);
    if (rc != COREAPI_OK) {
      code = cli_report(opts, &result, &err);
    } else {
      code = cli_print_result(opts, &result);
      if (code == CLI_OK && coreapi_node_type_of(result.node) == COREAPI_NODE_DOCUMENT)
        code = cli_document_visit(opts, result.node);
    }
    coreapi_result_clear(&result);
  }
  free(keys);
  return code;
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
  if (code == CLI_OK && !done && (doc = cli_document_require(opts, &code)) != NULL &&
      (params = build_params(a.pairs, a.npairs, &code)) != NULL)
    code = run_action(opts, doc, &a, params);
  for (size_t i = 0; i < a.npairs; i++)
    free(a.pairs[i].field_owned);
  free(a.pairs);
  free(a.path);
  coreapi_node_free(params);
  coreapi_node_free(doc);
  return code;
}
