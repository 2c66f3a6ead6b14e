/*
 * commands_credentials.c - `coreapi credentials show|add|remove|which`.
 *
 * One credential per domain pattern (as the reference keys them), of any
 * scheme of the library: a raw Authorization value (the reference's only
 * kind; `--auth basic` makes it from user:password), a token, Basic with a
 * password prompted for or read from stdin, or a session with CSRF. Secrets
 * are never printed: `show` and `add` print what coreapi_auth_describe says.
 * `which URL` tells which credential a request to URL would use, and why
 * (coreapi_client_auth_for).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli.h"

static const char credentials_help[] =
    "Usage: coreapi credentials COMMAND [ARGS]...\n"
    "\n"
    "  Configure request credentials. Request credentials are associated with a\n"
    "  given domain pattern (\"*\", \"api.example.com\", \"*.example.com\") and\n"
    "  used only for requests to hosts it covers.\n"
    "\n"
    "Commands:\n"
    "  show                               list stored credentials (no secrets)\n"
    "  add DOMAIN VALUE [--auth none|basic]\n"
    "  add DOMAIN --value-stdin [--auth none|basic]\n"
    "                                     VALUE is the raw Authorization header\n"
    "                                     value, or with --auth basic user:password;\n"
    "                                     with --value-stdin read from stdin\n"
    "  add DOMAIN --token TOKEN [--scheme SCHEME]\n"
    "  add DOMAIN --token-stdin [--scheme SCHEME]\n"
    "                                     Authorization: SCHEME TOKEN (Bearer)\n"
    "  add DOMAIN --basic USER [--password-stdin]\n"
    "                                     HTTP Basic; the password is prompted for\n"
    "                                     without echo, or read from stdin\n"
    "  add DOMAIN --session [--csrf-cookie NAME] [--csrf-header NAME]\n"
    "                                     cookies kept between invocations, CSRF\n"
    "                                     token mirrored (csrftoken, X-CSRFToken)\n"
    "  add DOMAIN --api-key NAME [--in header|query|cookie] [--key-stdin]\n"
    "                                     an API key sent as NAME in a header (the\n"
    "                                     default), the query or a cookie; the key\n"
    "                                     is prompted for without echo, or read\n"
    "                                     from stdin\n"
    "  add DOMAIN --digest USER [--password-stdin]\n"
    "                                     HTTP Digest (RFC 7616), answered by\n"
    "                                     libcurl; the password prompted for, or\n"
    "                                     read from stdin\n"
    "  add DOMAIN --oauth2 GRANT --client-id ID [--client-secret-stdin]\n"
    "      [--token-url URL] [--scope \"a b\"] [--client-auth basic|post]\n"
    "      [--username USER --password-stdin] [--device-url URL]\n"
    "      [--authorize-url URL] [--redirect-port N] [--revoke-url URL]\n"
    "                                     OAuth 2.0, GRANT client-credentials,\n"
    "                                     password, device or authorization-code:\n"
    "                                     a token is obtained now, stored, renewed\n"
    "                                     on use; URLs left out come from the\n"
    "                                     current document's security schemes; the\n"
    "                                     client secret (then the password) read\n"
    "                                     from stdin (one line each when both)\n"
    "  refresh DOMAIN                     renew DOMAIN's OAuth 2.0 token now\n"
    "  remove DOMAIN                      remove the credential for DOMAIN (and\n"
    "                                     its secret from its helper)\n"
    "  which URL                          which credential a request to URL uses\n"
    "\n"
    "Where add keeps the secret (every kind but --session):\n"
    "  --store file                       in credentials.json in the config\n"
    "                                     directory (the default)\n"
    "  --store helper:SPEC                with a git credential helper, SPEC as\n"
    "                                     git's credential.helper: \"store --file F\",\n"
    "                                     \"cache\", \"/abs/helper ARGS\" or \"!shell\n"
    "                                     snippet\"; fetched from it at each use\n"
    "\n"
    "A secret read from stdin (--*-stdin) is all of stdin, one final newline\n"
    "(LF or CRLF) removed; one that is empty or still holds a line break or\n"
    "another control character is refused (exit 2, nothing stored).\n";

static int fail(const coreapi_error *err) {
  cli_error("%s", err->text);
  return cli_exit_code(err->code);
}


static int credentials_show(cli_options *opts) {
  int code;
  size_t n, width = 0;
  coreapi_node *creds = cli_credentials_load(opts, &code);
  if (creds == NULL)
    return code;
  const char **keys = cli_sorted_keys(creds, &n);
  for (size_t i = 0; i < n; i++)
    if (strlen(keys[i]) > width)
      width = strlen(keys[i]);
  cli_heading(opts, "Credentials");
  for (size_t i = 0; i < n; i++) {
    char desc[256];
    cli_credential_describe(keys[i], coreapi_map_get(creds, keys[i], strlen(keys[i])), desc,
                            sizeof(desc));
    printf("%-*s %s\n", (int)width, keys[i], desc);
  }
  free(keys);
  coreapi_node_free(creds);
  return CLI_OK;
}

static coreapi_node *entry_new(const char *kind, const char *k1, const char *v1, const char *k2,
                               const char *v2) {
  coreapi_map_builder *b = coreapi_map_builder_new();
  if (b == NULL)
    return NULL;
  coreapi_map_builder_set(b, "kind", 4, cli_string(kind), NULL);
  if (k1 != NULL && v1 != NULL)
    coreapi_map_builder_set(b, k1, strlen(k1), cli_string(v1), NULL);
  if (k2 != NULL && v2 != NULL)
    coreapi_map_builder_set(b, k2, strlen(k2), cli_string(v2), NULL);
  /* It holds the secret: wiped when its last reference goes, whoever frees it. */
  return coreapi_node_mark_secret(coreapi_map_builder_object(b, NULL));
}

/* What `credentials add` was told. */
typedef struct add_args {
  const char *domain, *value, *auth_kind, *token, *scheme, *basic_user, *digest_user, *csrf_cookie,
      *csrf_header, *api_key, *in, *store;
  int token_stdin, password_stdin, session, key_stdin, value_stdin;
} add_args;

/* --store: "file" or "helper:SPEC", and not for a session (no secret). */
static int check_store(const add_args *a) {
  coreapi_error err;
  if (a->store == NULL)
    return CLI_OK;
  if (cli_secret_store_check(a->store, &err) != 0)
    return cli_usage("credentials", "--store: %s", err.text);
  if (a->session && cli_secret_helper(a->store) != NULL)
    return cli_usage("credentials", "--store: a session credential has no secret to keep");
  return CLI_OK;
}

/* The command line into *a; CLI_OK or a usage error's exit code. */
static int parse_add(add_args *a, int argc, char **argv) {
  int kinds;
  memset(a, 0, sizeof(*a));
  a->auth_kind = "none";
  for (int i = 0; i < argc; i++) {
    const char *arg = argv[i], **target = NULL;
    if (!strcmp(arg, "--auth"))
      target = &a->auth_kind;
    else if (!strcmp(arg, "--token"))
      target = &a->token;
    else if (!strcmp(arg, "--scheme"))
      target = &a->scheme;
    else if (!strcmp(arg, "--basic"))
      target = &a->basic_user;
    else if (!strcmp(arg, "--digest"))
      target = &a->digest_user;
    else if (!strcmp(arg, "--csrf-cookie"))
      target = &a->csrf_cookie;
    else if (!strcmp(arg, "--csrf-header"))
      target = &a->csrf_header;
    else if (!strcmp(arg, "--api-key"))
      target = &a->api_key;
    else if (!strcmp(arg, "--in"))
      target = &a->in;
    else if (!strcmp(arg, "--store"))
      target = &a->store;
    if (target != NULL) {
      if (i + 1 >= argc)
        return cli_usage("credentials", "%s needs a value", arg);
      *target = argv[++i];
    } else if (!strcmp(arg, "--token-stdin")) {
      a->token_stdin = 1;
    } else if (!strcmp(arg, "--password-stdin")) {
      a->password_stdin = 1;
    } else if (!strcmp(arg, "--session")) {
      a->session = 1;
    } else if (!strcmp(arg, "--key-stdin")) {
      a->key_stdin = 1;
    } else if (!strcmp(arg, "--value-stdin")) {
      a->value_stdin = 1;
    } else if (arg[0] == '-' && arg[1] == '-') {
      return cli_usage("credentials", "no such option: %s", arg);
    } else if (a->domain == NULL) {
      a->domain = arg;
    } else if (a->value == NULL) {
      a->value = arg;
    } else {
      return cli_usage("credentials", "unexpected argument: %s", arg);
    }
  }
  if (a->domain == NULL)
    return cli_usage("credentials", "missing argument DOMAIN");
  if (a->value != NULL && a->value_stdin)
    return cli_usage("credentials", "give VALUE or --value-stdin, not both");
  if (a->token != NULL && a->token_stdin)
    return cli_usage("credentials", "give --token TOKEN or --token-stdin, not both");
  kinds = (a->value != NULL || a->value_stdin) + (a->token != NULL || a->token_stdin) +
          (a->basic_user != NULL) + (a->digest_user != NULL) + a->session + (a->api_key != NULL);
  if (kinds != 1)
    return cli_usage("credentials",
                     "give exactly one of VALUE/--value-stdin, --token/--token-stdin, "
                     "--basic USER, --digest USER, --session, --api-key NAME, --oauth2 GRANT");
  if ((a->in != NULL || a->key_stdin) && a->api_key == NULL)
    return cli_usage("credentials", "--in and --key-stdin go with --api-key");
  if (a->in != NULL && strcmp(a->in, "header") != 0 && strcmp(a->in, "query") != 0 &&
      strcmp(a->in, "cookie") != 0)
    return cli_usage("credentials", "--in must be header, query or cookie, not \"%s\"", a->in);
  if ((a->scheme != NULL && a->token == NULL && !a->token_stdin) ||
      ((a->csrf_cookie || a->csrf_header) && !a->session) ||
      (a->password_stdin && a->basic_user == NULL && a->digest_user == NULL) ||
      (strcmp(a->auth_kind, "none") != 0 && a->value == NULL && !a->value_stdin))
    return cli_usage("credentials", "option does not apply to this kind of credential");
  if (strcmp(a->auth_kind, "none") != 0 && strcmp(a->auth_kind, "basic") != 0)
    return cli_usage("credentials", "--auth must be none or basic, not \"%s\"", a->auth_kind);
  return check_store(a);
}


/* The entry of a raw Authorization VALUE (with --auth basic: user:password,
 * made a Basic entry), or NULL (error printed) with *code set. */
static coreapi_node *value_entry(const add_args *a, const char *value, int *code) {
  coreapi_node *entry;
  if (strcmp(a->auth_kind, "basic") == 0) {
    const char *colon = strchr(value, ':');
    char *user;
    if (colon == NULL) {
      *code = cli_usage("credentials", "--auth basic needs VALUE as user:password");
      return NULL;
    }
    user = strndup(value, (size_t)(colon - value));
    entry = user ? entry_new("basic", "username", user, "password", colon + 1) : NULL;
    free(user);
  } else {
    entry = entry_new("header", "value", value, NULL, NULL);
  }
  if (entry == NULL) {
    cli_error("out of memory");
    *code = CLI_OTHER;
  }
  return entry;
}

/* The stored entry for *a (secrets read from stdin or a prompt here), or
 * NULL with *code set. */
static coreapi_node *add_entry(const add_args *a, int *code) {
  coreapi_node *entry = NULL;
  char *secret = NULL, prompt[300];
  *code = CLI_OTHER;
  if (a->value != NULL || a->value_stdin) {
    const char *value = a->value;
    if (a->value_stdin && (value = secret = cli_read_secret(1, NULL, code)) == NULL)
      return NULL;
    entry = value_entry(a, value, code);
    cli_free_secret(secret);
    return entry;
  }
  if (a->token != NULL || a->token_stdin) {
    const char *token = a->token;
    if (a->token_stdin && (token = secret = cli_read_secret(1, NULL, code)) == NULL)
      return NULL;
    entry = entry_new("token", "token", token, "scheme", a->scheme ? a->scheme : "Bearer");
  } else if (a->api_key != NULL) {
    coreapi_node *bare;
    snprintf(prompt, sizeof(prompt), "API key %s for %s: ", a->api_key, a->domain);
    if ((secret = cli_read_secret(a->key_stdin, prompt, code)) == NULL)
      return NULL;
    bare = entry_new("apikey", "name", a->api_key, "value", secret);
    entry = bare ? cli_map_with(bare, "in", cli_string(a->in ? a->in : "header")) : NULL;
    coreapi_node_free(bare);
  } else if (a->digest_user != NULL || a->basic_user != NULL) {
    const char *user = a->digest_user ? a->digest_user : a->basic_user;
    snprintf(prompt, sizeof(prompt), "Password for %s: ", user);
    if ((secret = cli_read_secret(a->password_stdin, prompt, code)) == NULL)
      return NULL;
    entry = entry_new(a->digest_user ? "digest" : "basic", "username", user, "password", secret);
  } else {
    entry = entry_new("session", "csrf_cookie", a->csrf_cookie ? a->csrf_cookie : "csrftoken",
                      "csrf_header", a->csrf_header ? a->csrf_header : "X-CSRFToken");
  }
  cli_free_secret(secret);
  if (entry == NULL)
    cli_error("out of memory");
  return entry;
}

/* Save creds with entry (consumed) for domain. A replaced entry whose
 * secret a helper kept in another slot has it erased (a warning when that
 * fails: the new credential is saved). Returns an exit code. */
static int save_entry(cli_options *opts, coreapi_node *creds, const char *domain,
                      coreapi_node *entry) {
  coreapi_error err;
  const coreapi_node *old = coreapi_map_get(creds, domain, strlen(domain));
  int erase_old = old != NULL && !cli_credential_same_slot(old, entry);
  coreapi_node *updated = cli_map_with(creds, domain, entry);
  int code = cli_credentials_save(opts, updated);
  coreapi_node_free(updated);
  if (code == CLI_OK && erase_old && cli_credential_erase_secret(domain, old, &err) != 0)
    cli_error("warning: the replaced secret of %s is still in its helper: %s", domain, err.text);
  return code;
}

static int has_option(int argc, char **argv, const char *name) {
  for (int i = 0; i < argc; i++)
    if (strcmp(argv[i], name) == 0)
      return 1;
  return 0;
}

/* `add --oauth2`: the client secret and the password, when both are read
 * from stdin, are one line each (cli_secret_stdin_expect). */
static int oauth_add(cli_options *opts, int argc, char **argv) {
  cli_oauth_args o;
  int code = cli_oauth_parse(&o, argc, argv);
  if (code != CLI_OK)
    return code;
  cli_secret_stdin_expect(o.secret_stdin + o.password_stdin);
  return cli_oauth_add(opts, argc, argv);
}

static int credentials_add(cli_options *opts, int argc, char **argv) {
  add_args a;
  char norm[512], desc[512];
  coreapi_error err;
  coreapi_node *entry, *creds, *stored;
  coreapi_auth *auth;
  int code;
  if (has_option(argc, argv, "--oauth2"))
    return oauth_add(opts, argc, argv);
  if ((code = parse_add(&a, argc, argv)) != CLI_OK)
    return code;
  if (coreapi_domain_normalize(a.domain, norm, sizeof(norm), &err) != COREAPI_OK)
    return fail(&err);
  if ((entry = add_entry(&a, &code)) == NULL)
    return code;
  /* The library validates the secret and the names: its error is the message. */
  auth = cli_credential_auth(norm, entry, &err);
  if (auth == NULL) {
    coreapi_node_free(entry);
    return fail(&err);
  }
  coreapi_auth_free(auth);
  /* A credentials file that cannot be used stops us before the helper runs. */
  if ((creds = cli_credentials_load(opts, &code)) == NULL) {
    coreapi_node_free(entry);
    return code;
  }
  stored = cli_credential_store_secret(norm, entry, a.store, &err);
  coreapi_node_free(entry);
  if (stored == NULL) {
    coreapi_node_free(creds);
    return fail(&err);
  }
  cli_credential_describe(norm, stored, desc, sizeof(desc));
  code = save_entry(opts, creds, norm, stored);
  coreapi_node_free(creds);
  if (code != CLI_OK)
    return code;
  cli_heading(opts, "Added credentials");
  printf("%s %s\n", norm, desc);
  return CLI_OK;
}

static int credentials_remove(cli_options *opts, int argc, char **argv) {
  char norm[512];
  coreapi_error err;
  int code, erased = 0;
  if (argc != 1)
    return cli_usage("credentials", "remove takes one argument: DOMAIN");
  if (coreapi_domain_normalize(argv[0], norm, sizeof(norm), &err) != COREAPI_OK)
    return fail(&err);
  coreapi_node *creds = cli_credentials_load(opts, &code);
  if (creds == NULL)
    return code;
  const coreapi_node *old = coreapi_map_get(creds, norm, strlen(norm));
  /* An OAuth 2.0 token is revoked where it can be (a failure is said; the
   * credential goes anyway). */
  if (old != NULL && strcmp(cli_map_string(old, "kind") ? cli_map_string(old, "kind") : "",
                            "oauth2") == 0) {
    coreapi_node *full = cli_oauth_with_secrets(norm, old, &err);
    if (full != NULL && cli_oauth_revoke(opts, norm, full) != CLI_OK)
      erased = 1;
    coreapi_node_free(full);
  }
  /* The secret first: an entry removed with its secret left in a helper
   * would leave nothing pointing at it. The entry goes either way. */
  if (old != NULL && cli_credential_erase_secret(norm, old, &err) != 0)
    erased = -1;
  coreapi_node *updated = cli_map_without(creds, norm);
  code = cli_credentials_save(opts, updated); /* the cookie jar too, when no session is left */
  coreapi_node_free(updated);
  coreapi_node_free(creds);
  if (code != CLI_OK)
    return code;
  cli_heading(opts, "Removed credentials");
  printf("%s\n", norm);
  if (erased < 0) {
    cli_error("%s is removed, but its secret could not be erased from its helper: %s", norm,
              err.text);
    return CLI_OTHER;
  }
  if (erased > 0)
    return CLI_OTHER; /* removed, its token not revoked (said above) */
  return CLI_OK;
}

/* credentials refresh DOMAIN: renew an OAuth 2.0 token now. */
static int credentials_refresh(cli_options *opts, int argc, char **argv) {
  char norm[512], desc[512];
  coreapi_error err;
  const coreapi_node *entry;
  coreapi_node *creds;
  int code;
  if (argc != 1)
    return cli_usage("credentials", "refresh takes one argument: DOMAIN");
  if (coreapi_domain_normalize(argv[0], norm, sizeof(norm), &err) != COREAPI_OK)
    return fail(&err);
  if ((creds = cli_credentials_load(opts, &code)) == NULL)
    return code;
  entry = coreapi_map_get(creds, norm, strlen(norm));
  if (entry == NULL || strcmp(cli_map_string(entry, "kind") ? cli_map_string(entry, "kind") : "",
                              "oauth2") != 0) {
    coreapi_node_free(creds);
    return cli_usage("credentials", "%s has no OAuth 2.0 credential to refresh", norm);
  }
  code = cli_oauth_refresh(opts, norm, entry);
  coreapi_node_free(creds);
  if (code == CLI_OK && (creds = cli_credentials_load(opts, &code)) != NULL) {
    cli_credential_describe(norm, coreapi_map_get(creds, norm, strlen(norm)), desc, sizeof(desc));
    cli_heading(opts, "Refreshed credentials");
    printf("%s %s\n", norm, desc);
    coreapi_node_free(creds);
  }
  return code;
}

static int credentials_which(cli_options *opts, int argc, char **argv) {
  cli_client cc;
  coreapi_error err;
  char why[512];
  if (argc != 1)
    return cli_usage("credentials", "which takes one argument: URL");
  int code = cli_client_open(opts, &cc);
  if (code != CLI_OK)
    return code;
  why[0] = '\0';
  if (coreapi_client_auth_for(cc.client, argv[0], why, sizeof(why), &err) == NULL &&
      err.code != COREAPI_OK) {
    code = fail(&err);
  } else {
    printf("%s\n", why);
  }
  cli_client_close(NULL, &cc); /* nothing was sent: the jar is unchanged */
  return code;
}

int cmd_credentials(cli_options *opts, int argc, char **argv) {
  if (argc < 2 || cli_is_help(argv[1]))
    return argc < 2 ? (fputs(credentials_help, stderr), CLI_USAGE) : cli_help(credentials_help);
  for (int i = 2; i < argc; i++)
    if (strcmp(argv[i], "--help") == 0)
      return cli_help(credentials_help);
  const char *sub = argv[1];
  if (!strcmp(sub, "show")) {
    if (argc != 2)
      return cli_usage("credentials", "show takes no arguments");
    return credentials_show(opts);
  }
  if (!strcmp(sub, "add"))
    return credentials_add(opts, argc - 2, argv + 2);
  if (!strcmp(sub, "remove"))
    return credentials_remove(opts, argc - 2, argv + 2);
  if (!strcmp(sub, "which"))
    return credentials_which(opts, argc - 2, argv + 2);
  if (!strcmp(sub, "refresh"))
    return credentials_refresh(opts, argc - 2, argv + 2);
  return cli_usage("credentials", "no such command: %s", sub);
}
