/*
 * cli/commands_security.c - what an OpenAPI description says about
 * authentication: `coreapi security` lists the current document's schemes
 * (type, where the key goes, oauth2 flows with their URLs and scopes), and
 * `describe` ends with a link's requirement (cli_print_link_auth).
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char *member(const coreapi_node *obj, const char *key) {
  const char *s = coreapi_string_value(coreapi_map_get(obj, key, strlen(key)), NULL);
  return s != NULL ? s : "";
}

/* One scheme of a requirement: its name, where the key goes for an apiKey
 * scheme, the scopes asked for. */
static void print_requirement_scheme(const coreapi_node *schemes, const char *name,
                                     const coreapi_node *scopes) {
  const coreapi_node *scheme = coreapi_map_get(schemes, name, strlen(name));
  size_t n = coreapi_array_size(scopes);
  cli_printf_visible("%s", name);
  if (scheme == NULL) {
    fputs(" (not declared)", stdout);
  } else if (strcmp(member(scheme, "type"), "apiKey") == 0) {
    cli_printf_visible(" (%s %s)", member(scheme, "in"), member(scheme, "name"));
  }
  for (size_t i = 0; i < n; i++)
    cli_printf_visible("%s%s", i == 0 ? " [scopes: " : ", ",
           coreapi_string_value(coreapi_array_get(scopes, i), NULL));
  if (n > 0)
    putchar(']');
}

void cli_print_link_auth(const coreapi_node *doc, const coreapi_node *link) {
  const coreapi_node *security = coreapi_link_security(link);
  const coreapi_node *schemes = coreapi_document_security_schemes(doc);
  size_t n = coreapi_array_size(security), shown = 0;
  int optional = 0;
  if (security == NULL)
    return;
  fputs("auth: ", stdout);
  for (size_t i = 0; i < n; i++) {
    const coreapi_node *alt = coreapi_array_get(security, i);
    size_t k = coreapi_map_size(alt);
    if (k == 0) { /* an empty alternative: none needed */
      optional = 1;
      continue;
    }
    if (shown++ > 0)
      fputs(" or ", stdout);
    for (size_t j = 0; j < k; j++) {
      const char *name;
      const coreapi_node *scopes = coreapi_map_entry_inserted(alt, j, &name, NULL);
      if (j > 0)
        fputs(" and ", stdout);
      print_requirement_scheme(schemes, name, scopes);
    }
  }
  if (shown == 0)
    fputs("none", stdout);
  else if (optional)
    fputs(" (optional)", stdout);
  putchar('\n');
}

/* An oauth2 scheme's flows: each with its URLs and scopes. */
static void print_flows(const coreapi_node *flows) {
  static const char *const urls[][2] = {{"authorizationUrl", "authorization URL"},
                                        {"tokenUrl", "token URL"},
                                        {"refreshUrl", "refresh URL"}};
  for (size_t i = 0; i < coreapi_map_size(flows); i++) {
    const char *flow;
    const coreapi_node *f = coreapi_map_entry_inserted(flows, i, &flow, NULL);
    const coreapi_node *scopes = coreapi_map_get(f, "scopes", 6);
    cli_printf_visible("    flow %s\n", flow);
    for (size_t u = 0; u < sizeof(urls) / sizeof(urls[0]); u++)
      if (member(f, urls[u][0])[0] != '\0')
        cli_printf_visible("      %s: %s\n", urls[u][1], member(f, urls[u][0]));
    if (coreapi_map_size(scopes) > 0)
      cli_printf_visible("      scopes:\n");
    for (size_t s = 0; s < coreapi_map_size(scopes); s++) {
      const char *scope;
      const char *what = coreapi_string_value(
          coreapi_map_entry_inserted(scopes, s, &scope, NULL), NULL);
      cli_printf_visible("        %s%s%s\n", scope, what != NULL && what[0] ? " - " : "",
             what != NULL ? what : "");
    }
  }
}

/* One scheme: "name: type, where" and its description, then its flows. */
static void print_scheme(const char *name, const coreapi_node *scheme) {
  const char *type = member(scheme, "type");
  cli_printf_visible("%s: %s", name, type[0] ? type : "(no type)");
  if (strcmp(type, "apiKey") == 0)
    cli_printf_visible(", %s %s", member(scheme, "in"), member(scheme, "name"));
  else if (strcmp(type, "http") == 0 && member(scheme, "scheme")[0] != '\0')
    cli_printf_visible(", %s", member(scheme, "scheme"));
  if (member(scheme, "bearerFormat")[0] != '\0')
    cli_printf_visible(" (%s)", member(scheme, "bearerFormat"));
  if (member(scheme, "openIdConnectUrl")[0] != '\0')
    cli_printf_visible(", %s", member(scheme, "openIdConnectUrl"));
  putchar('\n');
  if (member(scheme, "description")[0] != '\0')
    cli_printf_visible("    %s\n", member(scheme, "description"));
  print_flows(coreapi_map_get(scheme, "flows", 5));
}

static const char security_help[] =
    "Usage: coreapi security\n"
    "\n"
    "  List the security schemes the current document's description declares:\n"
    "  their type, where an API key goes, and for oauth2 the flows with their\n"
    "  URLs and scopes. `coreapi describe PATH` shows what a link requires.\n";

int cmd_security(cli_options *opts, int argc, char **argv) {
  int code;
  coreapi_node *doc;
  const coreapi_node *schemes;
  for (int i = 1; i < argc; i++) {
    if (cli_is_help(argv[i]))
      return cli_help(security_help);
    return cli_usage("security", "unexpected argument: %s", argv[i]);
  }
  if ((doc = cli_document_require(opts, &code)) == NULL)
    return code;
  schemes = coreapi_document_security_schemes(doc);
  if (coreapi_map_size(schemes) == 0)
    printf("The document declares no security schemes.\n");
  for (size_t i = 0; i < coreapi_map_size(schemes); i++) {
    const char *name;
    const coreapi_node *scheme = coreapi_map_entry_inserted(schemes, i, &name, NULL);
    print_scheme(name, scheme);
  }
  coreapi_node_free(doc);
  return CLI_OK;
}
