/*
 * auth/session.c - session authentication: cookies, and CSRF protection as
 * Django does it (the CSRF token comes in a cookie and goes back in a header
 * on unsafe requests).
 *
 * The object itself holds only configuration, so it can be shared by clients
 * in several threads. The token learnt from a client's responses is kept in
 * that client's memory (coreapi_request_memo_*), per host: each client has its
 * own cookie jar and so its own tokens, and each host its own. Whenever a response in scope sets the CSRF
 * cookie the token is replaced, following the rotation Django does at login.
 *
 * Over https, Django also checks the Referer of unsafe requests (and newer
 * versions the Origin), refusing requests without one; the reference client
 * fails there (django-rest-framework issue #839). So unsafe https requests in
 * scope carry Origin and Referer for their own origin, unless the caller set
 * them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"

/* The token is kept per host, as the cookie it comes from is (a cookie without
 * a Domain attribute belongs to its host only): a token one host set never
 * goes to another. */
static void token_key(const coreapi_request *req, char *key, size_t size) {
  snprintf(key, size, "csrf-token %s", coreapi_request_host(req));
}

typedef struct session_state {
  char *cookie_name; /* may be NULL: no CSRF handling */
  char *header_name; /* may be NULL: token never sent */
} session_state;

static coreapi_code session_apply(void *state, coreapi_request *req, coreapi_error *err) {
  session_state *s = state;
  coreapi_code rc = COREAPI_OK;
  const char *token;
  char key[300];

  if (coreapi_request_is_safe_method(req))
    return COREAPI_OK;
  token_key(req, key, sizeof(key));
  token = coreapi_request_memo_get(req, key);
  /* Not seen in a response yet (cookies loaded from a file, say): the
   * cookie the jar holds for this host is the token. */
  if (token == NULL && s->cookie_name != NULL)
    token = coreapi_request_cookie(req, s->cookie_name);
  if (s->header_name != NULL && token != NULL && token[0] != '\0')
    rc = coreapi_request_set_header(req, s->header_name, token, err);
  if (rc == COREAPI_OK && strcmp(coreapi_request_scheme(req), "https") == 0) {
    char *origin = coreapi__url_origin(&req->url);
    if (origin == NULL)
      return COREAPI__OOM(err);
    if (coreapi_request_header(req, "Origin") == NULL)
      rc = coreapi_request_set_header(req, "Origin", origin, err);
    if (rc == COREAPI_OK && coreapi_request_header(req, "Referer") == NULL) {
      size_t n = strlen(origin) + 2;
      char *referer = malloc(n);
      if (referer == NULL) {
        free(origin);
        return COREAPI__OOM(err);
      }
      snprintf(referer, n, "%s/", origin);
      rc = coreapi_request_set_header(req, "Referer", referer, err);
      free(referer);
    }
    free(origin);
  }
  return rc;
}

static coreapi_code session_on_response(void *state, const coreapi_request *req,
                                        const coreapi_response *resp, int *resend,
                                        coreapi_error *err) {
  session_state *s = state;
  const char *token;
  (void)resend;
  if (s->cookie_name == NULL)
    return COREAPI_OK;
  char key[300];
  token = coreapi_response_cookie(resp, s->cookie_name);
  if (token == NULL)
    return COREAPI_OK;
  token_key(req, key, sizeof(key));
  /* An empty value is how a server deletes the cookie: forget the token. */
  return coreapi_request_memo_set(req, key, token[0] ? token : NULL, err);
}

static void session_describe(void *state, char *buf, size_t size) {
  session_state *s = state;
  if (s->cookie_name != NULL && s->header_name != NULL)
    snprintf(buf, size, "session (csrf %s -> %s)", s->cookie_name, s->header_name);
  else
    snprintf(buf, size, "session");
}

static void session_free(void *state) {
  session_state *s = state;
  free(s->cookie_name);
  free(s->header_name);
  free(s);
}

static const coreapi_auth_ops session_ops = {
    "session", 1, session_apply, session_on_response, session_describe, session_free,
};

coreapi_auth *coreapi_auth_session_new(const char *csrf_cookie_name,
                                       const char *csrf_header_name, const char *domain,
                                       coreapi_error *err) {
  session_state *s;
  coreapi_error_clear(err);
  if (csrf_cookie_name != NULL && !coreapi__is_token(csrf_cookie_name)) {
    coreapi_error_set(err, COREAPI_ERR_INVALID_ARGUMENT,
                      "Session authentication: the CSRF cookie name is not a token");
    return NULL;
  }
  if (csrf_header_name != NULL && !coreapi__is_token(csrf_header_name)) {
    coreapi_error_set(err, COREAPI_ERR_INVALID_ARGUMENT,
                      "Session authentication: the CSRF header name is not a token");
    return NULL;
  }
  s = calloc(1, sizeof(*s));
  if (s == NULL) {
    COREAPI__OOM(err);
    return NULL;
  }
  s->cookie_name = coreapi__strdup(csrf_cookie_name);
  s->header_name = coreapi__strdup(csrf_header_name);
  if ((csrf_cookie_name && !s->cookie_name) || (csrf_header_name && !s->header_name)) {
    session_free(s);
    COREAPI__OOM(err);
    return NULL;
  }
  return coreapi_auth_new(&session_ops, s, domain, err);
}
