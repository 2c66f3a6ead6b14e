/*
 * auth/session.c - session authentication: cookies, and CSRF protection as
 * Django does it (the CSRF token comes in a cookie and goes back in a header
 * on unsafe requests).
 *
 * The object itself holds only configuration, so it can be shared by clients
 * in several threads. The CSRF header carries the CSRF cookie that the
 * client's jar attaches to this very request (coreapi_request_cookie:
 * domain, path, Secure and expiry rules applied), and there is no header when
 * the jar attaches none: a token is never sent where its cookie would not go
 * (a Secure cookie's token over plain http, another host's token). The jar
 * follows every rotation the server does (Django's at login), since the
 * client stores cookies on every hop this authentication covers.
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

typedef struct session_state {
  char *cookie_name; /* may be NULL: no CSRF handling */
  char *header_name; /* may be NULL: token never sent */
} session_state;

static coreapi_code session_apply(void *state, coreapi_request *req, coreapi_error *err) {
  session_state *s = state;
  coreapi_code rc = COREAPI_OK;
  const char *token = NULL;

  if (coreapi_request_is_safe_method(req))
    return COREAPI_OK;
  if (s->cookie_name != NULL)
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
    "session", 1, session_apply, NULL, session_describe, session_free,
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
