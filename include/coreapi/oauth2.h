/*
 * coreapi/oauth2.h - OAuth 2.0 (RFC 6749) as an authentication: the object
 * sends "Authorization: <token_type> <access_token>" on every hop its
 * domain covers, and obtains, caches and renews the token itself.
 *
 * Token requests go to the token endpoint through a client of their own
 * with the settings of the client being served (timeout, CA bundle, TLS
 * verification, resolve entries, debug output) and nothing else: the token
 * endpoint gets the client's credentials (client_secret_basic by default,
 * RFC 6749 2.3.1; client_secret_post when asked) and the grant's, never the
 * API's other credentials, and no redirect is followed.
 *
 * Renewal: before a request when the token expires within 30 seconds, and
 * once after a 401 to a request that carried it (the request is sent again,
 * body included). With a refresh token the refresh grant renews (RFC 6749
 * 6; the old refresh token is kept when the server sends none); without
 * one, the client credentials grant asks again, and the others cannot: the
 * request fails with ERR_OAUTH. Several threads may share the object: one
 * renews, the others wait for its token.
 *
 * An authorization server's error (RFC 6749 5.2) is ERR_OAUTH with its
 * "error" and "error_description" in the message; a token endpoint that
 * answers something else than a token (HTML, garbage, a redirect) is
 * ERR_OAUTH too. Secrets are copied, wiped when the object is freed, and
 * never written to debug output or to describe().
 */
#ifndef COREAPI_OAUTH2_H
#define COREAPI_OAUTH2_H

#include <stdint.h>

#include "auth.h"
#include "client.h"
#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum coreapi_oauth2_grant {
  COREAPI_OAUTH2_CLIENT_CREDENTIALS = 1, /* RFC 6749 4.4 */
  COREAPI_OAUTH2_PASSWORD = 2,           /* 4.3: deprecated (RFC 9700), still served */
  COREAPI_OAUTH2_DEVICE_CODE = 3,        /* RFC 8628 */
  COREAPI_OAUTH2_AUTHORIZATION_CODE = 4, /* 4.1 with PKCE S256 (RFC 7636), loopback redirect */
  COREAPI_OAUTH2_REFRESH_ONLY = 5        /* a stored token only, renewed by its refresh token */
} coreapi_oauth2_grant;

/* How the client authenticates to the token endpoint (RFC 6749 2.3.1). */
typedef enum coreapi_oauth2_client_auth {
  COREAPI_OAUTH2_CLIENT_SECRET_BASIC = 0, /* Authorization: Basic, form-encoded id:secret */
  COREAPI_OAUTH2_CLIENT_SECRET_POST = 1   /* client_id and client_secret in the body */
} coreapi_oauth2_client_auth;

/* A token as the object holds it. Strings may be NULL; expires_at is the
 * absolute time (seconds since the epoch) at which it expires, 0 unknown. */
typedef struct coreapi_oauth2_token {
  const char *access_token;
  const char *token_type;
  const char *refresh_token;
  const char *scope;
  int64_t expires_at;
} coreapi_oauth2_token;

typedef struct coreapi_oauth2_config {
  coreapi_oauth2_grant grant;
  const char *token_url;     /* required: absolute http or https URL */
  const char *client_id;     /* required */
  const char *client_secret; /* NULL: a public client (sends client_id in the body) */
  coreapi_oauth2_client_auth client_auth;
  const char *scope; /* NULL: the server's default */
  /* COREAPI_OAUTH2_PASSWORD: the resource owner's credentials (the
   * password is kept only when keep_password is non-zero, to ask again
   * when there is no refresh token; otherwise it is wiped once used). */
  const char *username, *password;
  int keep_password;
  /* COREAPI_OAUTH2_DEVICE_CODE: the device authorization endpoint. */
  const char *device_url;
  /* COREAPI_OAUTH2_AUTHORIZATION_CODE: the authorization endpoint, and the
   * loopback port to listen on (0: any free one); the redirect URI is
   * http://127.0.0.1:PORT/callback. */
  const char *authorize_url;
  int redirect_port;
  /* A token obtained before (a stored one; copied), or NULL. */
  const coreapi_oauth2_token *token;
  /* Called, with the object's lock held, each time a new token is obtained
   * (to persist it; the strings live for the call only). May be NULL. */
  void (*on_token)(void *userdata, const coreapi_oauth2_token *token);
  /* Device grant: what the user must do (RFC 8628 3.3), called once per
   * flow. NULL: written to stderr. */
  void (*on_device_code)(void *userdata, const char *verification_uri, const char *user_code,
                         const char *verification_uri_complete);
  /* Authorization code grant: the URL the user must open; NULL: written to
   * stderr. */
  void (*on_authorize_url)(void *userdata, const char *url);
  void *userdata;
} coreapi_oauth2_config;

/* A new OAuth 2.0 authentication for domain (NULL: "*"), with a copy of
 * cfg; no request is made yet. NULL with err filled: ERR_INVALID_ARGUMENT
 * (a required member missing, a URL that is not http(s), a grant without
 * its members), ERR_BAD_CREDENTIALS (strings with control characters),
 * ERR_BAD_DOMAIN, ERR_OUT_OF_MEMORY. */
COREAPI_EXTERN coreapi_auth *coreapi_auth_oauth2_new(const coreapi_oauth2_config *cfg,
                                                     const char *domain, coreapi_error *err);

/* Obtain a token now through the grant (the interactive ones run their
 * flow: the device grant polls, the authorization code grant listens for
 * the redirect), with via's settings (via may be NULL: the defaults). OK,
 * or ERR_OAUTH / a network error with err filled. */
COREAPI_EXTERN coreapi_code coreapi_oauth2_obtain(coreapi_auth *auth, coreapi_client *via,
                                                  coreapi_error *err);

/* Renew the token now (the refresh grant, else the grant again when it can
 * be run without the user). */
COREAPI_EXTERN coreapi_code coreapi_oauth2_refresh(coreapi_auth *auth, coreapi_client *via,
                                                   coreapi_error *err);

/* Revoke the tokens at revoke_url (RFC 7009: the refresh token, then the
 * access token) and forget them. */
COREAPI_EXTERN coreapi_code coreapi_oauth2_revoke(coreapi_auth *auth, coreapi_client *via,
                                                  const char *revoke_url, coreapi_error *err);

/* Copy of the current token's expiry and whether one is held: *expires_at
 * (0 unknown) and the return value 1 when there is a token, 0 when not or
 * auth is not an OAuth 2.0 authentication. */
COREAPI_EXTERN int coreapi_oauth2_token_expiry(coreapi_auth *auth, int64_t *expires_at);

#ifdef __cplusplus
}
#endif

#endif
