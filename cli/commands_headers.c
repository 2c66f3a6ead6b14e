/*
 * commands_headers.c - `coreapi headers show|add|remove`: custom headers sent
 * with every request (coreapi_client_add_header, so the redirect rules of
 * coreapi/client.h apply to them), kept in headers.json. Names are title-cased
 * as the reference does ("x-api-version" becomes "X-Api-Version"). The file
 * holds API keys: refused when others can access it; add and remove hold the
 * state lock from reading it to writing it.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char headers_help[] =
    "Usage: coreapi headers COMMAND [ARGS]...\n"
    "\n"
    "  Configure custom request headers.\n"
    "\n"
    "Commands:\n"
    "  show                 list custom request headers\n"
    "  add HEADER VALUE     add custom request HEADER with the given VALUE\n"
    "  remove HEADER        remove custom request HEADER\n";

/* "x-foo" -> "X-Foo", as the reference's titlecase (str.title per word). */
static char *titlecase(const char *name) {
  char *s = strdup(name);
  int start = 1;
  if (s == NULL)
    return NULL;
  for (char *p = s; *p; p++) {
    unsigned char c = (unsigned char)*p;
    if (isalpha(c)) {
      *p = (char)(start ? toupper(c) : tolower(c));
      start = 0;
    } else {
      start = 1;
    }
  }
  return s;
}

int cmd_headers(cli_options *opts, int argc, char **argv) {
  if (argc < 2) {
    fputs(headers_help, stderr);
    return CLI_USAGE;
  }
  for (int i = 1; i < argc; i++)
    if (strcmp(argv[i], "--help") == 0 || (i == 1 && cli_is_help(argv[i])))
      return cli_help(headers_help);
  const char *sub = argv[1];
  coreapi_node *headers = NULL, *updated = NULL;
  char *name = NULL;
  int code = CLI_OK;
  if (!strcmp(sub, "show")) {
    if (argc != 2)
      return cli_usage("headers", "show takes no arguments");
  } else if (!strcmp(sub, "add")) {
    if (argc != 4)
      return cli_usage("headers", "add takes two arguments: HEADER VALUE");
  } else if (!strcmp(sub, "remove")) {
    if (argc != 3)
      return cli_usage("headers", "remove takes one argument: HEADER");
  } else {
    return cli_usage("headers", "no such command: %s", sub);
  }
  int locked = strcmp(sub, "show") != 0;
  if (locked && (code = cli_state_lock(opts, 1)) != CLI_OK)
    return code;
  if ((headers = cli_state_load_json(opts, "headers.json")) == NULL) {
    code = CLI_OTHER;
    goto out;
  }
  if (!strcmp(sub, "show")) {
    size_t n;
    const char **keys = cli_sorted_keys(headers, &n);
    cli_heading(opts, "Headers");
    for (size_t i = 0; i < n; i++) {
      const char *value = cli_map_string(headers, keys[i]);
      printf("%s: %s\n", keys[i], value ? value : "(not a string: fix or remove it)");
    }
    free(keys);
    goto out;
  }
  name = titlecase(argv[2]);
  if (!strcmp(sub, "add")) {
    /* Let the library judge the header now rather than at the next request. */
    coreapi_error err;
    coreapi_client *probe = coreapi_client_new(&err);
    if (probe == NULL || coreapi_client_add_header(probe, name, argv[3], &err) != COREAPI_OK) {
      cli_error("%s", err.text);
      code = cli_exit_code(err.code);
      coreapi_client_free(probe);
      goto out;
    }
    coreapi_client_free(probe);
    updated = cli_map_with(headers, name, cli_string(argv[3]));
  } else {
    updated = cli_map_without(headers, name);
  }
  if (cli_state_save_json(opts, "headers.json", updated) != 0) {
    code = CLI_OTHER;
    goto out;
  }
  if (!strcmp(sub, "add")) {
    cli_heading(opts, "Added header");
    printf("%s: %s\n", name, argv[3]);
  } else {
    cli_heading(opts, "Removed header");
    printf("%s\n", name);
  }
out:
  if (locked)
    cli_state_unlock();
  free(name);
  coreapi_node_free(updated);
  coreapi_node_free(headers);
  return code;
}
