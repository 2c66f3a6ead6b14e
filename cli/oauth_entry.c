/*
 * cli/oauth_entry.c - a stored OAuth 2.0 credential of the tool:
 * {"kind": "oauth2", "grant", "token_url", "client_id", "client_auth",
 * "scope", "username", "device_url", "authorize_url", "revoke_url",
 * "client_secret", "token": {"access_token", "token_type", "refresh_token",
 * "scope", "expires_at"}}. Its secrets are the client secret and the token;
 * a git credential helper may keep them instead (as one JSON object under
 * path=coreapi/oauth2, username=the client id), the entry then keeping
 * the token's expiry to describe it. The authentication made from it, and
 * its description.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"

const cli_oauth_grant_info cli_oauth_grants[CLI_OAUTH_GRANTS] = {
    {"client-credentials", "clientCredentials", COREAPI_OAUTH2_CLIENT_CREDENTIALS},
    {"password", "password", COREAPI_OAUTH2_PASSWORD},
    {"device", NULL, COREAPI_OAUTH2_DEVICE_CODE},
    {"authorization-code", "authorizationCode", COREAPI_OAUTH2_AUTHORIZATION_CODE},
};

int cli_oauth_grant(const char *name) {
  for (int i = 0; name != NULL && i < CLI_OAUTH_GRANTS; i++)
    if (strcmp(cli_oauth_grants[i].name, name) == 0)
      return i;
  return -1;
}

coreapi_node *cli_oauth_number(int64_t v) {
  coreapi_node *n = coreapi_integer_new(v, NULL);
  if (n == NULL)
    abort(); /* out of memory only, as cli_string */
  return n;
}

/* Every value of an entry is marked secret (the client secret, the tokens
 * are among them): wiped when freed, whoever frees it. */
void cli_oauth_set(coreapi_map_builder *b, const char *key, const char *value) {
  if (value != NULL)
    coreapi_map_builder_set(b, key, strlen(key), coreapi_node_mark_secret(cli_string(value)),
                            NULL);
}

/* The token as an Object. */
coreapi_node *cli_oauth_token_node(const coreapi_oauth2_token *t) {
  coreapi_map_builder *b = coreapi_map_builder_new();
  const char *keys[] = {"access_token", "token_type", "refresh_token", "scope"};
  const char *values[] = {t->access_token, t->token_type, t->refresh_token, t->scope};
  for (size_t i = 0; b != NULL && i < 4; i++)
    if (values[i] != NULL)
      coreapi_map_builder_set(b, keys[i], strlen(keys[i]), cli_string(values[i]), NULL);
  if (b != NULL)
    coreapi_map_builder_set(b, "expires_at", 10, cli_oauth_number(t->expires_at), NULL);
  return b ? coreapi_node_mark_secret(coreapi_map_builder_object(b, NULL)) : NULL;
}

/* --- where the secrets are: in the entry, or with a credential helper -------------- */

/* A helper keeps an entry's secrets as one JSON object, {"client_secret",
 * "token"}, under path=coreapi/oauth2, username=the client id; the entry
 * keeps a copy of the token's expiry to describe it. */
static coreapi_node *secrets_of(const coreapi_node *entry) {
  coreapi_map_builder *b = coreapi_map_builder_new();
  const coreapi_node *token = coreapi_map_get(entry, "token", 5);
  if (b == NULL)
    return NULL;
  cli_oauth_set(b, "client_secret", cli_map_string(entry, "client_secret"));
  if (token != NULL)
    coreapi_map_builder_set(b, "token", 5, coreapi_node_ref((coreapi_node *)token), NULL);
  return coreapi_node_mark_secret(coreapi_map_builder_object(b, NULL));
}

coreapi_node *cli_oauth_without_secrets(const char *domain, const coreapi_node *entry,
                                        const char *store, coreapi_error *err) {
  const coreapi_node *token = coreapi_map_get(entry, "token", 5);
  coreapi_node *secrets, *a, *b, *c, *d;
  char *json;
  int rc;
  if (cli_secret_helper(store) == NULL)
    return coreapi_node_ref((coreapi_node *)entry);
  if ((secrets = secrets_of(entry)) == NULL || (json = coreapi_json_encode(secrets, 0, 1, NULL, err)) == NULL) {
    coreapi_node_free(secrets);
    return NULL;
  }
  coreapi_node_free(secrets);
  rc = cli_secret_put(store, domain, "oauth2", cli_map_string(entry, "client_id"), json, err);
  cli_free_secret(json);
  if (rc != 0)
    return NULL;
  a = cli_map_without(entry, "client_secret");
  b = cli_map_without(a, "token");
  c = cli_map_with(b, "expires_at",
                   cli_oauth_number(coreapi_integer_value(coreapi_map_get(token, "expires_at", 10))));
  d = cli_map_with(c, "store", cli_string(store));
  coreapi_node_free(a);
  coreapi_node_free(b);
  coreapi_node_free(c);
  return d;
}

coreapi_node *cli_oauth_with_secrets(const char *domain, const coreapi_node *entry,
                                     coreapi_error *err) {
  const char *store = cli_map_string(entry, "store");
  coreapi_node *secrets, *a, *b;
  const coreapi_node *token;
  const char *secret;
  char *json;
  if (cli_secret_helper(store) == NULL)
    return coreapi_node_ref((coreapi_node *)entry);
  json = cli_secret_get(store, domain, "oauth2", cli_map_string(entry, "client_id"), err);
  if (json == NULL)
    return NULL;
  secrets = coreapi_json_decode_secret(json, strlen(json), err); /* wiped when freed */
  cli_free_secret(json);
  if (secrets == NULL)
    return NULL;
  token = coreapi_map_get(secrets, "token", 5);
  secret = cli_map_string(secrets, "client_secret");
  a = token ? cli_map_with(entry, "token", coreapi_node_ref((coreapi_node *)token))
            : coreapi_node_ref((coreapi_node *)entry);
  b = secret ? cli_map_with(a, "client_secret", coreapi_node_mark_secret(cli_string(secret)))
             : coreapi_node_ref(a);
  coreapi_node_free(a);
  coreapi_node_free(secrets);
  return b;
}

int cli_oauth_erase(const char *domain, const coreapi_node *entry, coreapi_error *err) {
  const char *store = cli_map_string(entry, "store");
  if (cli_secret_helper(store) == NULL)
    return 0;
  return cli_secret_erase(store, domain, "oauth2", cli_map_string(entry, "client_id"), err);
}

/* The configuration a stored entry describes (strings borrowed from it). */
static void config_of(const coreapi_node *entry, coreapi_oauth2_config *cfg,
                      coreapi_oauth2_token *token) {
  const coreapi_node *t = coreapi_map_get(entry, "token", 5);
  int g = cli_oauth_grant(cli_map_string(entry, "grant"));
  memset(cfg, 0, sizeof(*cfg));
  memset(token, 0, sizeof(*token));
  cfg->grant = g >= 0 ? cli_oauth_grants[g].grant : (coreapi_oauth2_grant)0;
  cfg->token_url = cli_map_string(entry, "token_url");
  cfg->client_id = cli_map_string(entry, "client_id");
  cfg->client_secret = cli_map_string(entry, "client_secret");
  cfg->client_auth = cli_map_string(entry, "client_auth") != NULL &&
                             strcmp(cli_map_string(entry, "client_auth"), "post") == 0
                         ? COREAPI_OAUTH2_CLIENT_SECRET_POST
                         : COREAPI_OAUTH2_CLIENT_SECRET_BASIC;
  cfg->scope = cli_map_string(entry, "scope");
  cfg->username = cli_map_string(entry, "username");
  cfg->device_url = cli_map_string(entry, "device_url");
  cfg->authorize_url = cli_map_string(entry, "authorize_url");
  if (t != NULL) {
    token->access_token = cli_map_string(t, "access_token");
    token->token_type = cli_map_string(t, "token_type");
    token->refresh_token = cli_map_string(t, "refresh_token");
    token->scope = cli_map_string(t, "scope");
    token->expires_at = coreapi_integer_value(coreapi_map_get(t, "expires_at", 10));
    cfg->token = token;
  }
}

coreapi_auth *cli_oauth_auth(const char *domain, const coreapi_node *entry,
                             void (*on_token)(void *, const coreapi_oauth2_token *),
                             void *userdata, coreapi_error *err) {
  coreapi_oauth2_config cfg;
  coreapi_oauth2_token token;
  config_of(entry, &cfg, &token);
  cfg.on_token = on_token;
  cfg.userdata = userdata;
  return coreapi_auth_oauth2_new(&cfg, domain, err);
}

coreapi_auth *cli_oauth_plain_auth(const char *domain, const coreapi_node *entry,
                                   coreapi_error *err) {
  coreapi_node *full = cli_oauth_with_secrets(domain, entry, err);
  coreapi_auth *auth = full != NULL ? cli_oauth_auth(domain, full, NULL, NULL, err) : NULL;
  coreapi_node_free(full); /* the object keeps copies */
  return auth;
}

void cli_oauth_describe(const coreapi_node *entry, char *buf, size_t size) {
  const coreapi_node *t = coreapi_map_get(entry, "token", 5);
  int helper = cli_secret_helper(cli_map_string(entry, "store")) != NULL;
  int64_t at = coreapi_integer_value(coreapi_map_get(helper ? entry : t, "expires_at", 10));
  int64_t left = at - (int64_t)time(NULL);
  const char *grant = cli_map_string(entry, "grant"), *id = cli_map_string(entry, "client_id");
  if (!helper && (t == NULL || cli_map_string(t, "access_token") == NULL))
    snprintf(buf, size, "oauth2 (%s, client %s, no token)", grant, id);
  else if (at == 0)
    snprintf(buf, size, "oauth2 (%s, client %s)", grant, id);
  else if (left <= 0)
    snprintf(buf, size, "oauth2 (%s, client %s, expired)", grant, id);
  else
    snprintf(buf, size, "oauth2 (%s, client %s, expires in %lld min)", grant, id,
             (long long)((left + 59) / 60));
}

