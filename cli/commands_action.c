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

int cmd_action(cli_options *opts, int argc, char **argv) {
  pair *pairs = calloc((size_t)argc, sizeof(*pairs));
  char **path = calloc((size_t)argc, sizeof(*path));
  size_t npairs = 0, npath = 0;
  coreapi_action_options aopts;
  int code = CLI_OK;
  coreapi_node *doc = NULL, *params = NULL;
  memset(&aopts, 0, sizeof(aopts));
  if (pairs == NULL || path == NULL) {
    cli_error("out of memory");
    free(pairs);
    free(path);
    return CLI_OTHER;
  }
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    int kind = kind_of(a);
    if (cli_is_help(a)) {
      code = cli_help(action_help);
      goto out;
    }
    if (kind >= 0) {
      if (i + 1 >= argc) {
        code = cli_usage("action", "%s needs FIELD=VALUE", a);
        goto out;
      }
      const char *arg = argv[++i];
      const char *eq = strchr(arg, '=');
      pair *p = &pairs[npairs++];
      p->kind = kind;
      if (eq != NULL) {
        p->field = p->field_owned = strndup(arg, (size_t)(eq - arg));
        p->value = eq + 1;
      } else if (i + 1 < argc) {
        p->field = arg;
        p->value = argv[++i];
      } else {
        code = cli_usage("action", "%s %s needs a value (FIELD=VALUE)", a, arg);
        goto out;
      }
      if (p->field == NULL || p->field[0] == '\0') {
        code = cli_usage("action", "%s: empty field name", a);
        goto out;
      }
      continue;
    }
    const char **target = NULL;
    if (!strcmp(a, "-a") || !strcmp(a, "--action"))
      target = &aopts.action;
    else if (!strcmp(a, "-e") || !strcmp(a, "--encoding"))
      target = &aopts.encoding;
    else if (!strcmp(a, "-t") || !strcmp(a, "--transform"))
      target = &aopts.transform;
    if (target != NULL) {
      if (i + 1 >= argc) {
        code = cli_usage("action", "%s needs a value", a);
        goto out;
      }
      *target = argv[++i];
    } else if (!strcmp(a, "--debug")) {
      opts->debug = 1;
    } else if (a[0] == '-' && a[1] != '\0' && strcmp(a, "--") != 0) {
      code = cli_usage("action", "no such option: %s", a);
      goto out;
    } else if (strcmp(a, "--") == 0) {
      for (i++; i < argc; i++)
        path[npath++] = argv[i];
    } else {
      path[npath++] = argv[i];
    }
  }
  if (npath == 0) {
    code = cli_usage("action", "Missing PATH to a link in the document.");
    goto out;
  }
  if ((doc = cli_document_require(opts, &code)) == NULL)
    goto out;
  if ((params = build_params(pairs, npairs, &code)) == NULL)
    goto out;

  coreapi_key *keys = cli_path_keys(doc, path, npath);
  cli_client cc;
  coreapi_result result;
  coreapi_error err;
  code = cli_client_open(opts, &cc);
  if (code == CLI_OK) {
    coreapi_code rc =
        coreapi_client_action(cc.client, doc, keys, npath, params, &aopts, &result, &err);
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
out:
  for (size_t i = 0; i < npairs; i++)
    free(pairs[i].field_owned);
  free(pairs);
  free(path);
  coreapi_node_free(params);
  coreapi_node_free(doc);
  return code;
}
