/*
 * cli/commands_oauth.c - `credentials add DOMAIN --oauth2 GRANT ...`: a
 * token obtained at once (the URLs left out taken from the current
 * document's security schemes, which the output names) and stored with the
 * client's settings (oauth_entry.c); `credentials refresh` renews it now;
 * `credentials remove` revokes it (RFC 7009) at a revocation URL given at
 * add or advertised by the authorization server (RFC 8414 metadata at the
 * token URL's origin).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"

int cli_oauth_parse(cli_oauth_args *o, int argc, char **argv) {
  static const char *const valued[] = {"--oauth2",    "--token-url",     "--client-id",
                                       "--client-auth", "--username",    "--scope",
                                       "--device-url", "--authorize-url", "--redirect-port",
                                       "--revoke-url", "--store"};
  memset(o, 0, sizeof(*o));
  for (int i = 0; i < argc; i++) {
    const char *arg = argv[i];
    size_t k = 0;
    while (k < sizeof(valued) / sizeof(valued[0]) && strcmp(arg, valued[k]) != 0)
      k++;
    if (k < sizeof(valued) / sizeof(valued[0])) {
      const char **slots[] = {&o->grant,       &o->token_url,   &o->client_id, &o->client_auth,
                              &o->username,    &o->scope,       &o->device_url,
                              &o->authorize_url, &o->redirect_port, &o->revoke_url, &o->store};
      if (i + 1 >= argc)
        return cli_usage("credentials", "%s needs a value", arg);
      *slots[k] = argv[++i];
    } else if (strcmp(arg, "--client-secret-stdin") == 0) {
      o->secret_stdin = 1;
    } else if (strcmp(arg, "--password-stdin") == 0) {
      o->password_stdin = 1;
    } else if (arg[0] == '-' && arg[1] == '-') {
      return cli_usage("credentials", "no such option with --oauth2: %s", arg);
    } else if (o->domain == NULL) {
      o->domain = arg;
    } else {
      return cli_usage("credentials", "unexpected argument: %s", arg);
    }
  }
  if (o->domain == NULL)
    return cli_usage("credentials", "missing argument DOMAIN");
  if (cli_oauth_grant(o->grant) < 0)
    return cli_usage("credentials",
                     "--oauth2 GRANT: client-credentials, password, device or "
                     "authorization-code, not \"%s\"",
                     o->grant ? o->grant : "");
  if (o->client_id == NULL)
    return cli_usage("credentials", "--oauth2 needs --client-id ID");
  if (o->client_auth != NULL && strcmp(o->client_auth, "basic") != 0 &&
      strcmp(o->client_auth, "post") != 0)
    return cli_usage("credentials", "--client-auth must be basic or post");
  if ((o->username != NULL || o->password_stdin) && strcmp(o->grant, "password") != 0)
    return cli_usage("credentials", "--username and --password-stdin go with --oauth2 password");
  if (strcmp(o->grant, "password") == 0 && o->username == NULL)
    return cli_usage("credentials", "--oauth2 password needs --username USER");
  return CLI_OK;
}

/* --- URLs from the current document's security schemes ------------------------ */

/* The URL named key of the first oauth2 scheme of the current document
 * with the flow (NULL: none), and the scheme's name into *scheme. */
static const char *scheme_url(const coreapi_node *doc, const char *flow, const char *key,
                              const char **scheme) {
  const coreapi_node *schemes = coreapi_document_security_schemes(doc);
  for (size_t i = 0; flow != NULL && i < coreapi_map_size(schemes); i++) {
    const coreapi_node *s = coreapi_map_entry_inserted(schemes, i, scheme, NULL);
    const coreapi_node *f =
        coreapi_map_get(coreapi_map_get(s, "flows", 5), flow, strlen(flow));
    const char *type = cli_map_string(s, "type"), *url = cli_map_string(f, key);
    if (type != NULL && strcmp(type, "oauth2") == 0 && url != NULL)
      return url;
  }
  return NULL;
}

/* A URL left out, taken from the document (said on stdout); CLI_OK, or a
 * usage error when neither gives one. */
static int url_from_document(const coreapi_node *doc, int g, const char *key, const char *option,
                             const char **url, char *keep, size_t keep_size) {
  const char *scheme = NULL, *found;
  if (*url != NULL)
    return CLI_OK;
  found = scheme_url(doc, cli_oauth_grants[g].flow, key, &scheme);
  if (found != NULL && strlen(found) < keep_size) /* a copy: doc goes */
    *url = strcpy(keep, found);
  if (*url == NULL)
    return cli_usage("credentials", "--oauth2 %s needs %s URL (the current document's security "
                     "schemes name none)", cli_oauth_grants[g].name, option);
  if (strncmp(*url, "http://", 7) != 0 && strncmp(*url, "https://", 8) != 0)
    return cli_usage("credentials", "the document's %s is not an absolute URL: %s", key, *url);
  printf("Using the %s of the document's security scheme %s: %s\n", key, scheme, *url);
  return CLI_OK;
}

int cli_oauth_fill_urls(const cli_options *opts, cli_oauth_args *o) {
  int code = CLI_OK, g = cli_oauth_grant(o->grant);
  coreapi_node *doc = NULL;
  int need_doc = o->token_url == NULL ||
                 (cli_oauth_grants[g].grant == COREAPI_OAUTH2_AUTHORIZATION_CODE && o->authorize_url == NULL);
  if (cli_oauth_grants[g].grant == COREAPI_OAUTH2_DEVICE_CODE && o->device_url == NULL)
    return cli_usage("credentials", "--oauth2 device needs --device-url URL");
  if (need_doc)
    doc = cli_document_load(opts, &code);
  if (code == CLI_OK)
    code = url_from_document(doc, g, "tokenUrl", "--token-url", &o->token_url, o->found[0],
                             sizeof(o->found[0]));
  if (code == CLI_OK && cli_oauth_grants[g].grant == COREAPI_OAUTH2_AUTHORIZATION_CODE)
    code = url_from_document(doc, g, "authorizationUrl", "--authorize-url", &o->authorize_url,
                             o->found[1], sizeof(o->found[1]));
  coreapi_node_free(doc);
  return code;
}

/* --- add, refresh, remove ------------------------------------------------------------ */

/* The token obtained at add, as a node. */
static void keep_token(void *userdata, const coreapi_oauth2_token *t) {
  coreapi_node **out = userdata;
  coreapi_node_free(*out);
  *out = cli_oauth_token_node(t);
}

/* The revocation endpoint the authorization server advertises (RFC 8414
 * metadata at the token URL's origin; only one at that origin is taken:
 * the client's secret goes there), or NULL. A new string. */
static char *advertised_revocation(coreapi_client *c, const char *token_url) {
  const char *host = strstr(token_url, "://"), *end;
  char url[1024], *found = NULL;
  coreapi_response *resp = NULL;
  if (host == NULL)
    return NULL;
  end = host + 3 + strcspn(host + 3, "/?#");
  snprintf(url, sizeof(url), "%.*s/.well-known/oauth-authorization-server",
           (int)(end - token_url), token_url);
  if (coreapi_client_request(c, "GET", url, NULL, NULL, 0, &resp, NULL) == COREAPI_OK &&
      coreapi_response_status(resp) == 200) {
    size_t len;
    const char *body = coreapi_response_body(resp, &len);
    coreapi_node *meta = coreapi_json_decode(body, len, NULL);
    const char *rev = cli_map_string(meta, "revocation_endpoint");
    if (rev != NULL && strncmp(rev, token_url, (size_t)(end - token_url)) == 0 &&
        (rev[end - token_url] == '/' || rev[end - token_url] == '\0'))
      found = strdup(rev);
    coreapi_node_free(meta);
  }
  coreapi_response_free(resp);
  return found;
}

/* The entry to store: the settings, the client secret, the token. */
static coreapi_node *entry_of(const cli_oauth_args *o, const char *secret, const char *revoke,
                              coreapi_node *token) {
  coreapi_map_builder *b = coreapi_map_builder_new();
  if (b == NULL)
    return NULL;
  cli_oauth_set(b, "kind", "oauth2");
  cli_oauth_set(b, "grant", o->grant);
  cli_oauth_set(b, "token_url", o->token_url);
  cli_oauth_set(b, "client_id", o->client_id);
  cli_oauth_set(b, "client_auth", o->client_auth ? o->client_auth : "basic");
  cli_oauth_set(b, "scope", o->scope);
  cli_oauth_set(b, "username", o->username);
  cli_oauth_set(b, "device_url", o->device_url);
  cli_oauth_set(b, "authorize_url", o->authorize_url);
  cli_oauth_set(b, "revoke_url", revoke);
  cli_oauth_set(b, "client_secret", secret);
  coreapi_map_builder_set(b, "token", 5, token, NULL);
  return coreapi_map_builder_object(b, NULL);
}

/* The grant's configuration from the command line. */
static void config_from(const cli_oauth_args *o, const char *secret, const char *password,
                        coreapi_oauth2_config *cfg) {
  memset(cfg, 0, sizeof(*cfg));
  cfg->grant = cli_oauth_grants[cli_oauth_grant(o->grant)].grant;
  cfg->token_url = o->token_url;
  cfg->client_id = o->client_id;
  cfg->client_secret = secret;
  cfg->client_auth = o->client_auth && strcmp(o->client_auth, "post") == 0
                         ? COREAPI_OAUTH2_CLIENT_SECRET_POST
                         : COREAPI_OAUTH2_CLIENT_SECRET_BASIC;
  cfg->scope = o->scope;
  cfg->username = o->username;
  cfg->password = password;
  cfg->device_url = o->device_url;
  cfg->authorize_url = o->authorize_url;
  cfg->redirect_port = o->redirect_port ? atoi(o->redirect_port) : 0;
}

coreapi_node *cli_oauth_obtain(const cli_options *opts, const char *domain,
                               const cli_oauth_args *o, const char *secret,
                               const char *password, int *code) {
  coreapi_oauth2_config cfg;
  coreapi_node *token = NULL, *entry = NULL;
  coreapi_error err;
  coreapi_auth *auth;
  cli_client cc;
  char *revoke = NULL;
  config_from(o, secret, password, &cfg);
  cfg.on_token = keep_token;
  cfg.userdata = &token;
  if ((auth = coreapi_auth_oauth2_new(&cfg, domain, &err)) == NULL) {
    cli_error("%s", err.text);
    *code = cli_exit_code(err.code);
    return NULL;
  }
  *code = cli_client_open(opts, &cc);
  if (*code == CLI_OK) {
    if (coreapi_oauth2_obtain(auth, cc.client, &err) != COREAPI_OK) {
      cli_error("%s", err.text);
      *code = cli_exit_code(err.code);
    } else if (o->revoke_url == NULL) {
      revoke = advertised_revocation(cc.client, o->token_url);
    }
    cli_client_close(opts, &cc);
  }
  coreapi_auth_free(auth);
  if (*code == CLI_OK && token != NULL)
    entry = entry_of(o, secret, o->revoke_url ? o->revoke_url : revoke, token);
  else
    coreapi_node_free(token);
  free(revoke);
  if (*code == CLI_OK && entry == NULL)
    *code = CLI_OTHER;
  return entry;
}

int cli_oauth_refresh(const cli_options *opts, const char *domain, const coreapi_node *entry) {
  coreapi_error err;
  coreapi_auth *auth = cli_oauth_credential(opts, domain, entry, &err);
  cli_client cc;
  int code;
  if (auth == NULL) {
    cli_error("%s", err.text);
    return cli_exit_code(err.code);
  }
  code = cli_client_open(opts, &cc);
  if (code == CLI_OK) {
    if (coreapi_oauth2_refresh(auth, cc.client, &err) != COREAPI_OK) {
      cli_error("%s", err.text);
      code = cli_exit_code(err.code);
    }
    cli_client_close(opts, &cc);
  }
  coreapi_auth_free(auth);
  return code;
}

int cli_oauth_revoke(const cli_options *opts, const char *domain, const coreapi_node *entry) {
  const char *url = cli_map_string(entry, "revoke_url");
  coreapi_error err;
  coreapi_auth *auth;
  cli_client cc;
  int code;
  if (url == NULL)
    return CLI_OK; /* nowhere to revoke it: forgotten only */
  if ((auth = cli_oauth_auth(domain, entry, NULL, NULL, &err)) == NULL) {
    cli_error("%s", err.text);
    return cli_exit_code(err.code);
  }
  code = cli_client_open(opts, &cc);
  if (code == CLI_OK) {
    if (coreapi_oauth2_revoke(auth, cc.client, url, &err) != COREAPI_OK) {
      cli_error("revoking the token at %s: %s", url, err.text);
      code = cli_exit_code(err.code);
    } else {
      printf("Revoked the token at %s\n", url);
    }
    cli_client_close(opts, &cc);
  }
  coreapi_auth_free(auth);
  return code;
}

/* The secrets `add` reads: the client secret first, then the password,
 * each a line of stdin when asked for (a prompt otherwise for the
 * password). 0, or -1 with *code set. */
static int read_secrets(const cli_oauth_args *o, char **secret, char **password, int *code) {
  char prompt[300];
  *secret = *password = NULL;
  if (o->secret_stdin && (*secret = cli_read_secret(1, NULL, code)) == NULL)
    return -1;
  if (strcmp(o->grant, "password") == 0) {
    snprintf(prompt, sizeof(prompt), "Password for %s: ", o->username);
    if ((*password = cli_read_secret(o->password_stdin, prompt, code)) == NULL) {
      cli_free_secret(*secret);
      *secret = NULL;
      return -1;
    }
  }
  return 0;
}

int cli_oauth_add(cli_options *opts, int argc, char **argv) {
  cli_oauth_args o;
  char norm[512], desc[512];
  char *secret = NULL, *password = NULL;
  coreapi_error err;
  coreapi_node *entry = NULL, *creds = NULL, *stored = NULL;
  int code = cli_oauth_parse(&o, argc, argv);
  if (code != CLI_OK)
    return code;
  if (o.store != NULL && cli_secret_store_check(o.store, &err) != 0)
    return cli_usage("credentials", "--store: %s", err.text);
  if (coreapi_domain_normalize(o.domain, norm, sizeof(norm), &err) != COREAPI_OK) {
    cli_error("%s", err.text);
    return cli_exit_code(err.code);
  }
  if ((code = cli_oauth_fill_urls(opts, &o)) != CLI_OK ||
      read_secrets(&o, &secret, &password, &code) != 0)
    return code;
  entry = cli_oauth_obtain(opts, norm, &o, secret, password, &code);
  cli_free_secret(secret);
  cli_free_secret(password);
  if (entry != NULL && (creds = cli_credentials_load(opts, &code)) != NULL &&
      (stored = cli_oauth_without_secrets(norm, entry, o.store, &err)) == NULL) {
    cli_error("%s", err.text);
    code = cli_exit_code(err.code);
  }
  if (stored != NULL) {
    coreapi_node *updated = cli_map_with(creds, norm, coreapi_node_ref(stored));
    code = cli_credentials_save(opts, updated);
    coreapi_node_free(updated);
    cli_credential_describe(norm, stored, desc, sizeof(desc));
    if (code == CLI_OK) {
      cli_heading(opts, "Added credentials");
      printf("%s %s\n", norm, desc);
    }
  }
  coreapi_node_free(stored);
  coreapi_node_free(creds);
  coreapi_node_free(entry);
  return code;
}
