/*
 * oauth/oauth.h - the OAuth 2.0 layer's private header: what the token
 * endpoint answered (token.c), and the grants that need the user
 * (device.c, authcode.c), for oauth2.c, the authentication object.
 */
#ifndef COREAPI_OAUTH_OAUTH_H
#define COREAPI_OAUTH_OAUTH_H

#include <stdint.h>

#include "../base/base.h"
#include "coreapi/coreapi.h"
#include "coreapi/oauth2.h"

/* A token, owned; every string a secret (wiped when cleared). */
typedef struct coreapi__oauth_token {
  char *access, *type, *refresh, *scope;
  int64_t expires_at; /* seconds since the epoch; 0 unknown */
} coreapi__oauth_token;

void coreapi__oauth_token_clear(coreapi__oauth_token *t);

/* The client's side of a token request: where, who, how it authenticates
 * (borrowed strings). */
typedef struct coreapi__oauth_client {
  const char *token_url, *client_id, *client_secret;
  coreapi_oauth2_client_auth client_auth;
} coreapi__oauth_client;

/* POST form (name, value pairs, a NULL name ends them; NULL values are
 * left out) to url through c as application/x-www-form-urlencoded, the
 * client authenticated as oc says, and read the JSON object it answers:
 * *status and *json (new, NULL when the body is not a JSON object). OK, or
 * a network error; ERR_OAUTH for a redirect. */
coreapi_code coreapi__oauth_post(coreapi_client *c, const char *url,
                                 const coreapi__oauth_client *oc, const char *const *form,
                                 long *status, coreapi_node **json, coreapi_error *err);

/* A token request (RFC 6749 4.x, 6): the grant's form posted to the token
 * endpoint, its answer checked (an access token of visible ASCII, a token
 * type that is a token, expires_in) into *out. ERR_OAUTH with the server's
 * error (its code also in error_code, error_size bytes, when not NULL: the
 * device grant polls on "authorization_pending"), or for an answer that is
 * not a token. */
coreapi_code coreapi__oauth_token_request(coreapi_client *c, const coreapi__oauth_client *oc,
                                          const char *const *form, coreapi__oauth_token *out,
                                          char *error_code, size_t error_size,
                                          coreapi_error *err);

/* The token of a token endpoint's 200 answer (json, its decoded body) into
 * *out: an access token of visible ASCII, a token type that is an RFC 9110
 * token ("bearer" in any case is "Bearer"), a refresh token of visible
 * ASCII, expires_in as an absolute time. ERR_OAUTH (naming url) otherwise.
 * The parsers of what a server sends: fuzz_oauth. */
coreapi_code coreapi__oauth_read_token(const coreapi_node *json, const char *url,
                                       coreapi__oauth_token *out, coreapi_error *err);

/* The value of name in the query string q (up to a space, '&' or the end;
 * percent-decoded, '+' a space) into out (size bytes, NUL-terminated,
 * truncated); 0 when absent (authcode.c: the redirect to the listener). */
int coreapi__oauth_query_value(const char *q, const char *name, char *out, size_t size);

/* The device grant (device.c, RFC 8628): the device authorization request,
 * the user told (cfg's on_device_code), then polling the token endpoint. */
coreapi_code coreapi__oauth_device_flow(coreapi_client *c, const coreapi__oauth_client *oc,
                                        const coreapi_oauth2_config *cfg,
                                        coreapi__oauth_token *out, coreapi_error *err);

/* The authorization code grant with PKCE (authcode.c, RFC 7636, 8252). */
coreapi_code coreapi__oauth_code_flow(coreapi_client *c, const coreapi__oauth_client *oc,
                                      const coreapi_oauth2_config *cfg,
                                      coreapi__oauth_token *out, coreapi_error *err);

/* config.c: the strings of a configuration, as the state keeps them. */
enum {
  COREAPI__OAUTH_TOKEN_URL, COREAPI__OAUTH_CLIENT_ID, COREAPI__OAUTH_CLIENT_SECRET,
  COREAPI__OAUTH_SCOPE, COREAPI__OAUTH_USERNAME, COREAPI__OAUTH_PASSWORD,
  COREAPI__OAUTH_DEVICE_URL, COREAPI__OAUTH_AUTHORIZE_URL, COREAPI__OAUTH_STRINGS
};

/* Is cfg usable (coreapi_auth_oauth2_new's rules)? OK, or the error. */
coreapi_code coreapi__oauth_config_check(const coreapi_oauth2_config *cfg, coreapi_error *err);
/* Copy cfg into *out, its strings into strings[COREAPI__OAUTH_STRINGS]
 * (owned, out pointing to them) and its token into *token. 0, or -1 on
 * ENOMEM (what was copied stays in strings and token, to free). */
int coreapi__oauth_config_copy(const coreapi_oauth2_config *cfg, coreapi_oauth2_config *out,
                               char **strings, coreapi__oauth_token *token);

/* The time now, seconds since the epoch. */
int64_t coreapi__oauth_now(void);

#endif
