/*
 * commands_document.c - the commands on the current document: get, show,
 * describe, reload, load, dump and clear, as the reference command-line
 * client has them. A Document a command obtains becomes the current document
 * (document.json) and the newest entry of the history.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "snapshot.h"

int cli_format_ok(const char *format) {
  return coreapi_codec_media_types(format) != NULL;
}

/* Parse "--format F" / "--format=F" at argv[*i]; 1 when it was one. */
static int format_option(int argc, char **argv, int *i, const char **format, int *bad) {
  const char *a = argv[*i];
  if (strncmp(a, "--format=", 9) == 0) {
    *format = a + 9;
  } else if (strcmp(a, "--format") == 0) {
    if (*i + 1 >= argc) {
      *bad = 1;
      return 1;
    }
    *format = argv[++*i];
  } else {
    return 0;
  }
  return 1;
}

coreapi_key *cli_path_keys(const coreapi_node *doc, char **path, size_t n) {
  coreapi_key *keys = calloc(n + 1, sizeof(*keys));
  const coreapi_node *active = doc;
  if (keys == NULL) {
    cli_error("out of memory");
    exit(CLI_OTHER);
  }
  for (size_t i = 0; i < n; i++) {
    keys[i].name = path[i];
    if (active != NULL && coreapi_node_type_of(active) == COREAPI_NODE_ARRAY) {
      char *end;
      errno = 0;
      long long v = strtoll(path[i], &end, 10);
      if (path[i][0] != '\0' && *end == '\0' && errno == 0 && v >= 0) {
        keys[i].name = NULL;
        keys[i].index = (size_t)v;
      }
    }
    active = active ? coreapi_node_lookup(active, &keys[i], 1, NULL) : NULL;
  }
  return keys;
}

/* Follow PATH from doc, printing the reference's "Key 'x' not found." when a
 * step fails. Returns the node (borrowed) or NULL with *code set. */
static const coreapi_node *lookup_path(const coreapi_node *doc, char **path, size_t n, int *code) {
  coreapi_key *keys = cli_path_keys(doc, path, n);
  const coreapi_node *node = doc;
  for (size_t i = 0; i < n; i++) {
    const coreapi_node *next = coreapi_node_lookup(node, &keys[i], 1, NULL);
    if (next == NULL) {
      if (keys[i].name != NULL)
        cli_error("Key '%s' not found.", keys[i].name);
      else
        cli_error("Key %zu not found.", keys[i].index);
      free(keys);
      *code = CLI_USAGE;
      return NULL;
    }
    node = next;
  }
  free(keys);
  *code = CLI_OK;
  return node;
}

/* Print a fetched result and keep a Document; report an error. */
static int finish(cli_options *opts, coreapi_code rc, coreapi_result *result,
                  coreapi_error *err) {
  int code;
  if (rc != COREAPI_OK) {
    code = cli_report(opts, result, err);
  } else {
    code = cli_print_result(opts, result);
    if (code == CLI_OK && coreapi_node_type_of(result->node) == COREAPI_NODE_DOCUMENT)
      code = cli_document_visit(opts, result->node);
  }
  coreapi_result_clear(result);
  return code;
}

int cli_fetch(cli_options *opts, const char *url, const char *format) {
  cli_client cc;
  coreapi_result result;
  coreapi_error err;
  int code = cli_client_open(opts, &cc);
  if (code != CLI_OK)
    return code;
  coreapi_code rc = coreapi_client_get(cc.client, url, format, &result, &err);
  int saved = cli_client_close(opts, &cc);
  code = finish(opts, rc, &result, &err);
  return code == CLI_OK ? saved : code;
}

static const char get_help[] =
    "Usage: coreapi get [OPTIONS] URL\n"
    "\n"
    "  Fetch a document from the given URL.\n"
    "\n"
    "  A Document becomes the current document; plain data is printed as JSON, a\n"
    "  download as the path of the saved file.\n"
    "\n"
    "Options:\n"
    "  --format [corejson|openapi|json|text|download]\n"
    "                 decode with this codec whatever the Content-Type\n"
    "  --debug        display the request/response (as the global --debug)\n"
    "  --help         show this message and exit\n";

int cmd_get(cli_options *opts, int argc, char **argv) {
  const char *url = NULL, *format = NULL;
  int bad = 0;
  for (int i = 1; i < argc; i++) {
    if (cli_is_help(argv[i]))
      return cli_help(get_help);
    if (format_option(argc, argv, &i, &format, &bad)) {
      if (bad)
        return cli_usage("get", "--format needs a value");
    } else if (strcmp(argv[i], "--debug") == 0 || strcmp(argv[i], "-d") == 0) {
      opts->debug = 1;
    } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
      return cli_usage("get", "no such option: %s", argv[i]);
    } else if (url == NULL) {
      url = argv[i];
    } else {
      return cli_usage("get", "unexpected argument: %s", argv[i]);
    }
  }
  if (url == NULL)
    return cli_usage("get", "missing argument URL");
  if (format != NULL && !cli_format_ok(format))
    return cli_usage("get", "invalid format \"%s\" (corejson, openapi, json, text, download)",
                     format);
  return cli_fetch(opts, url, format);
}

static const char show_help[] =
    "Usage: coreapi show [PATH]...\n"
    "\n"
    "  Display the current document.\n"
    "\n"
    "  Optionally display just the element at the given PATH (keys; numbers\n"
    "  index arrays).\n";

int cmd_show(cli_options *opts, int argc, char **argv) {
  int code;
  for (int i = 1; i < argc; i++)
    if (cli_is_help(argv[i]))
      return cli_help(show_help);
  coreapi_node *doc = cli_document_require(opts, &code);
  if (doc == NULL)
    return code;
  const coreapi_node *node = lookup_path(doc, argv + 1, (size_t)argc - 1, &code);
  if (node != NULL)
    code = cli_print_node(opts, node, 1);
  coreapi_node_free(doc);
  return code;
}

static const char describe_help[] =
    "Usage: coreapi describe PATH...\n"
    "\n"
    "  Display the description of the link at the given PATH, and of its fields\n"
    "  (optional ones in brackets); for a link from an OpenAPI description, the\n"
    "  authentication it requires (\"auth: ...\").\n";

/* The description of link, and the authentication it needs (from the
 * security schemes of doc, the root document). */
static void print_description(const coreapi_node *doc, const coreapi_node *link) {
  const char *description = coreapi_node_description(link);
  size_t nfields = coreapi_link_field_count(link);
  int fields_described = 0;
  for (size_t i = 0; i < nfields; i++)
    if (coreapi_field_schema_description(coreapi_link_field(link, i))[0] != '\0')
      fields_described = 1;
  if ((description == NULL || description[0] == '\0') && !fields_described) {
    printf("Link has no description.\n");
    cli_print_link_auth(doc, link);
    return;
  }
  if (description != NULL && description[0] != '\0')
    cli_printf_visible("%s\n\n", description); /* a server's text: no escapes sent */
  for (size_t i = 0; i < nfields; i++) {
    const coreapi_field *f = coreapi_link_field(link, i);
    const char *fd = coreapi_field_schema_description(f);
    const char *name = coreapi_field_name(f);
    int req = coreapi_field_required(f);
    cli_printf_visible("* %s%s%s", req ? "" : "[", name, req ? "" : "]");
    if (fd[0] != '\0')
      cli_printf_visible(" - %s", fd);
    putchar('\n');
  }
  cli_print_link_auth(doc, link);
}

/* describe from the snapshot: 1 when done, 0 when the whole document is
 * needed (no snapshot, or no link at that path in it). */
static int describe_from_snapshot(cli_options *opts, char **path, size_t n) {
  cli_snapshot *snap = cli_document_snapshot(opts);
  coreapi_node *link = NULL;
  const coreapi_node *head = NULL;
  int nested;
  if (snap != NULL && (link = cli_snapshot_link(snap, path, n, &nested)) != NULL &&
      (head = cli_snapshot_head(snap)) != NULL)
    print_description(head, link);
  coreapi_node_free(link);
  cli_snapshot_close(snap);
  return head != NULL;
}

int cmd_describe(cli_options *opts, int argc, char **argv) {
  int code;
  for (int i = 1; i < argc; i++)
    if (cli_is_help(argv[i]))
      return cli_help(describe_help);
  if (argc < 2)
    return cli_usage("describe", "Missing PATH to a link in the document.");
  if (describe_from_snapshot(opts, argv + 1, (size_t)argc - 1))
    return CLI_OK;
  coreapi_node *doc = cli_document_require(opts, &code);
  if (doc == NULL)
    return code;
  const coreapi_node *node = lookup_path(doc, argv + 1, (size_t)argc - 1, &code);
  if (node != NULL && coreapi_node_type_of(node) != COREAPI_NODE_LINK) {
    cli_error("Given PATH must index a link, not a %s.",
              coreapi_node_type_name(coreapi_node_type_of(node)));
    code = CLI_USAGE;
  } else if (node != NULL) {
    print_description(doc, node);
  }
  coreapi_node_free(doc);
  return code;
}

static const char reload_help[] =
    "Usage: coreapi reload [OPTIONS]\n"
    "\n"
    "  Reload the current document.\n"
    "\n"
    "Options:\n"
    "  --format [corejson|openapi|json|text|download]\n"
    "  --debug        display the request/response\n";

int cmd_reload(cli_options *opts, int argc, char **argv) {
  const char *format = NULL;
  int bad = 0, code;
  for (int i = 1; i < argc; i++) {
    if (cli_is_help(argv[i]))
      return cli_help(reload_help);
    if (format_option(argc, argv, &i, &format, &bad)) {
      if (bad)
        return cli_usage("reload", "--format needs a value");
    } else if (strcmp(argv[i], "--debug") == 0 || strcmp(argv[i], "-d") == 0) {
      opts->debug = 1;
    } else {
      return cli_usage("reload", "unexpected argument: %s", argv[i]);
    }
  }
  if (format != NULL && !cli_format_ok(format))
    return cli_usage("reload", "invalid format \"%s\"", format);
  coreapi_node *doc = cli_document_require(opts, &code);
  if (doc == NULL)
    return code;
  cli_client cc;
  coreapi_result result;
  coreapi_error err;
  code = cli_client_open(opts, &cc);
  if (code == CLI_OK) {
    coreapi_code rc = coreapi_client_reload(cc.client, doc, format, &result, &err);
    int saved = cli_client_close(opts, &cc);
    code = finish(opts, rc, &result, &err);
    if (code == CLI_OK)
      code = saved;
  }
  coreapi_node_free(doc);
  return code;
}

static const char load_help[] =
    "Usage: coreapi load [OPTIONS] FILE\n"
    "\n"
    "  Load a document from disk (\"-\" reads standard input).\n"
    "\n"
    "Options:\n"
    "  --format [corejson|openapi|json|text]\n"
    "                     default: OpenAPI or Swagger when the file says so\n"
    "                     (an \"openapi\" or \"swagger\" member, or YAML), else\n"
    "                     Core JSON\n";

/* What a file without --format is: OpenAPI when JSON with an "openapi" or
 * "swagger" string at the top, or not JSON at all (YAML); else Core JSON. */
static const char *sniff_format(const char *data, size_t len) {
  coreapi_error err;
  coreapi_node *v = coreapi_json_decode(data, len, &err);
  const char *format = "corejson";
  size_t i = 0;
  while (i < len && (data[i] == ' ' || data[i] == '\t' || data[i] == '\r' || data[i] == '\n'))
    i++;
  if (v == NULL && i < len && data[i] != '{' && data[i] != '[')
    format = "openapi";
  if (coreapi_node_type_of(coreapi_map_get(v, "openapi", 7)) == COREAPI_NODE_STRING ||
      coreapi_node_type_of(coreapi_map_get(v, "swagger", 7)) == COREAPI_NODE_STRING)
    format = "openapi";
  coreapi_node_free(v);
  return format;
}

int cmd_load(cli_options *opts, int argc, char **argv) {
  const char *format = NULL, *file = NULL;
  int bad = 0, code;
  for (int i = 1; i < argc; i++) {
    if (cli_is_help(argv[i]))
      return cli_help(load_help);
    if (format_option(argc, argv, &i, &format, &bad)) {
      if (bad)
        return cli_usage("load", "--format needs a value");
    } else if (file == NULL) {
      file = argv[i];
    } else {
      return cli_usage("load", "unexpected argument: %s", argv[i]);
    }
  }
  if (file == NULL)
    return cli_usage("load", "missing argument FILE");
  if (format != NULL && (!cli_format_ok(format) || strcmp(format, "download") == 0))
    return cli_usage("load", "invalid format \"%s\" (corejson, openapi, json, text)", format);
  size_t len;
  char *data = cli_read_file(strcmp(file, "-") == 0 ? "/dev/stdin" : file, &len);
  if (data == NULL) {
    cli_error("cannot read %s: %s", file, strerror(errno));
    return CLI_USAGE;
  }
  coreapi_error err;
  coreapi_node *doc = coreapi_codec_decode(format ? format : sniff_format(data, len), data, len,
                                           NULL, &err);
  free(data);
  if (doc == NULL) {
    cli_error("%s: %s", file, err.text);
    return CLI_USAGE;
  }
  code = cli_print_node(opts, doc, 0);
  if (code == CLI_OK && coreapi_node_type_of(doc) == COREAPI_NODE_DOCUMENT)
    code = cli_document_visit(opts, doc);
  coreapi_node_free(doc);
  return code;
}

static const char dump_help[] =
    "Usage: coreapi dump [OPTIONS]\n"
    "\n"
    "  Write the current document to standard output.\n"
    "\n"
    "  Compact, byte for byte what the reference's CoreJSONCodec().encode(doc)\n"
    "  writes, then a newline.\n"
    "\n"
    "Options:\n"
    "  --format [corejson|json]   default corejson (as `load` reads it)\n"
    "  --indent                   the pretty form, indented\n";

int cmd_dump(cli_options *opts, int argc, char **argv) {
  const char *format = "corejson";
  int bad = 0, code, indent = 0;
  for (int i = 1; i < argc; i++) {
    if (cli_is_help(argv[i]))
      return cli_help(dump_help);
    if (strcmp(argv[i], "--indent") == 0)
      indent = 1;
    else if (!format_option(argc, argv, &i, &format, &bad) || bad)
      return cli_usage("dump", "unexpected argument: %s", argv[i]);
  }
  if (strcmp(format, "corejson") != 0 && strcmp(format, "json") != 0)
    return cli_usage("dump", "invalid format \"%s\" (corejson, json)", format);
  coreapi_node *doc = cli_document_require(opts, &code);
  if (doc == NULL)
    return code;
  coreapi_error err;
  size_t len;
  char *text = strcmp(format, "corejson") == 0 ? coreapi_corejson_encode(doc, indent, &len, &err)
                                               : coreapi_json_encode(doc, indent ? 4 : 0, 0,
                                                                     &len, &err);
  if (text == NULL) {
    cli_error("%s", err.text);
    code = cli_exit_code(err.code);
  } else {
    fwrite(text, 1, len, stdout);
    putchar('\n');
    free(text);
  }
  coreapi_node_free(doc);
  return code;
}

static const char clear_help[] =
    "Usage: coreapi clear\n"
    "\n"
    "  Clear the active document and other state.\n"
    "\n"
    "  This includes the current document, history, credentials, headers,\n"
    "  bookmarks and the session cookie jar.\n";

/* The secrets git credential helpers keep for the stored credentials go
 * with them (a failure is said, and the rest is cleared all the same). */
static int erase_helper_secrets(const cli_options *opts) {
  int code = CLI_OK, loaded;
  coreapi_node *creds = cli_credentials_load(opts, &loaded);
  for (size_t i = 0; creds != NULL && i < coreapi_map_size(creds); i++) {
    const char *domain;
    coreapi_error err;
    const coreapi_node *entry = coreapi_map_entry_inserted(creds, i, &domain, NULL);
    if (cli_credential_erase_secret(domain, entry, &err) != 0) {
      cli_error("the secret of %s could not be erased from its helper: %s", domain, err.text);
      code = CLI_OTHER;
    }
  }
  if (creds != NULL) {
    coreapi_node_free(creds);
    cli_credentials_release();
  }
  return code;
}

int cmd_clear(cli_options *opts, int argc, char **argv) {
  static const char *const files[] = {"document.json",  "document.index", "history.json",
                                      "credentials.json", "headers.json",  "bookmarks.json",
                                      "cookies.txt"};
  for (int i = 1; i < argc; i++) {
    if (cli_is_help(argv[i]))
      return cli_help(clear_help);
    return cli_usage("clear", "unexpected argument: %s", argv[i]);
  }
  /* Under the lock: an invocation writing meanwhile does so before or after. */
  int code = cli_state_lock(opts, 1);
  if (code != CLI_OK)
    return code;
  code = erase_helper_secrets(opts);
  for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
    cli_state_remove(opts, files[i]);
  cli_state_unlock();
  printf("Cleared.\n");
  return code;
}
