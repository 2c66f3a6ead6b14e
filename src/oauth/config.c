/*
 * oauth/config.c - an OAuth 2.0 configuration checked and copied: the
 * members each grant needs, URLs that are http(s), strings that can go in
 * a form and a header (no control characters), a stored token that can be
 * sent.
 */
#include <stdlib.h>
#include <string.h>

#include "../text/text.h"
#include "oauth.h"

static int is_url(const char *s) {
  return s != NULL && (strncmp(s, "https://", 8) == 0 || strncmp(s, "http://", 7) == 0) &&
         strlen(s) < 4096;
}

static coreapi_code bad(coreapi_error *err, coreapi_code code, const char *what) {
  return coreapi_error_set(err, code, "OAuth 2.0: %s", what);
}

static coreapi_code check_token(const coreapi_oauth2_token *t, coreapi_error *err) {
  if ((t->access_token == NULL && t->refresh_token == NULL) ||
      (t->access_token != NULL && !coreapi__is_visible_ascii(t->access_token)) ||
      (t->refresh_token != NULL && !coreapi__is_visible_ascii(t->refresh_token)) ||
      (t->token_type != NULL && !coreapi__is_token(t->token_type)) || !coreapi__is_plain_utf8(t->scope))
    return bad(err, COREAPI_ERR_BAD_CREDENTIALS,
               "a stored token must be visible ASCII, its type a token");
  return COREAPI_OK;
}

coreapi_code coreapi__oauth_config_check(const coreapi_oauth2_config *cfg, coreapi_error *err) {
  if (cfg == NULL || cfg->grant < COREAPI_OAUTH2_CLIENT_CREDENTIALS ||
      cfg->grant > COREAPI_OAUTH2_REFRESH_ONLY)
    return bad(err, COREAPI_ERR_INVALID_ARGUMENT, "a configuration with a grant is required");
  if (!is_url(cfg->token_url))
    return bad(err, COREAPI_ERR_INVALID_ARGUMENT, "the token URL must be an http(s) URL");
  if (cfg->client_id == NULL || cfg->client_id[0] == '\0')
    return bad(err, COREAPI_ERR_INVALID_ARGUMENT, "a client_id is required");
  if (!coreapi__is_plain_utf8(cfg->client_id) || !coreapi__is_plain_utf8(cfg->client_secret) || !coreapi__is_plain_utf8(cfg->scope) ||
      !coreapi__is_plain_utf8(cfg->username) || !coreapi__is_plain_utf8(cfg->password))
    return bad(err, COREAPI_ERR_BAD_CREDENTIALS,
               "client id, secret, scope, username and password must be UTF-8 without control "
               "characters");
  if (cfg->client_auth != COREAPI_OAUTH2_CLIENT_SECRET_BASIC &&
      cfg->client_auth != COREAPI_OAUTH2_CLIENT_SECRET_POST)
    return bad(err, COREAPI_ERR_INVALID_ARGUMENT, "unknown client authentication");
  if (cfg->grant == COREAPI_OAUTH2_CLIENT_CREDENTIALS && cfg->client_secret == NULL)
    return bad(err, COREAPI_ERR_INVALID_ARGUMENT, "the client credentials grant needs a secret");
  if (cfg->grant == COREAPI_OAUTH2_PASSWORD && (cfg->username == NULL || cfg->username[0] == '\0' ||
                                                (cfg->password == NULL && cfg->token == NULL)))
    return bad(err, COREAPI_ERR_INVALID_ARGUMENT, "the password grant needs a username and password");
  if (cfg->grant == COREAPI_OAUTH2_DEVICE_CODE && !is_url(cfg->device_url))
    return bad(err, COREAPI_ERR_INVALID_ARGUMENT, "the device grant needs an http(s) device URL");
  if (cfg->grant == COREAPI_OAUTH2_AUTHORIZATION_CODE &&
      (!is_url(cfg->authorize_url) || cfg->redirect_port < 0 || cfg->redirect_port > 65535))
    return bad(err, COREAPI_ERR_INVALID_ARGUMENT,
               "the authorization code grant needs an http(s) authorization URL and a port "
               "0-65535");
  if (cfg->grant == COREAPI_OAUTH2_REFRESH_ONLY &&
      (cfg->token == NULL || cfg->token->refresh_token == NULL))
    return bad(err, COREAPI_ERR_INVALID_ARGUMENT, "a stored token with a refresh token is required");
  return cfg->token != NULL ? check_token(cfg->token, err) : COREAPI_OK;
}

/* *dst = a copy of src (NULL stays NULL); -1 on ENOMEM. */
static int dup(char **dst, const char *src) {
  *dst = src != NULL ? coreapi__strdup(src) : NULL;
  return src != NULL && *dst == NULL ? -1 : 0;
}

int coreapi__oauth_config_copy(const coreapi_oauth2_config *cfg, coreapi_oauth2_config *out,
                               char **strings, coreapi__oauth_token *token) {
  const char *from[COREAPI__OAUTH_STRINGS] = {cfg->token_url, cfg->client_id, cfg->client_secret,
                                              cfg->scope,     cfg->username,  cfg->password,
                                              cfg->device_url, cfg->authorize_url};
  int rc = 0;
  *out = *cfg;
  for (int i = 0; i < COREAPI__OAUTH_STRINGS; i++)
    rc |= dup(&strings[i], from[i]);
  out->token_url = strings[COREAPI__OAUTH_TOKEN_URL];
  out->client_id = strings[COREAPI__OAUTH_CLIENT_ID];
  out->client_secret = strings[COREAPI__OAUTH_CLIENT_SECRET];
  out->scope = strings[COREAPI__OAUTH_SCOPE];
  out->username = strings[COREAPI__OAUTH_USERNAME];
  out->password = strings[COREAPI__OAUTH_PASSWORD];
  out->device_url = strings[COREAPI__OAUTH_DEVICE_URL];
  out->authorize_url = strings[COREAPI__OAUTH_AUTHORIZE_URL];
  out->token = NULL;
  if (cfg->token != NULL) {
    rc |= dup(&token->access, cfg->token->access_token);
    rc |= dup(&token->type, cfg->token->token_type ? cfg->token->token_type : "Bearer");
    rc |= dup(&token->refresh, cfg->token->refresh_token);
    rc |= dup(&token->scope, cfg->token->scope);
    token->expires_at = cfg->token->expires_at;
  }
  return rc;
}
