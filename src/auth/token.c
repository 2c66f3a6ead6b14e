/*
 * auth/token.c - token authentication: "Authorization: <scheme> <token>",
 * Bearer (RFC 6750) by default, or any scheme that is an RFC 9110 token
 * ("Token" for Django REST framework, "JWT", ...).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"

typedef struct token_state {
  char *header; /* "<scheme> <token>", a secret */
  char *scheme;
} token_state;

static coreapi_code token_apply(void *state, coreapi_request *req, coreapi_error *err) {
  token_state *s = state;
  /* checked when it was made */
  return coreapi__request_set_header_valid(req, "Authorization", s->header, err);
}

static void token_describe(void *state, char *buf, size_t size) {
  token_state *s = state;
  snprintf(buf, size, "token (%s)", s->scheme);
}

static void token_free(void *state) {
  token_state *s = state;
  coreapi__free_secret(s->header);
  free(s->scheme);
  free(s);
}

static const coreapi_auth_ops token_ops = {
    "token", 0, token_apply, NULL, token_describe, token_free,
};

coreapi_auth *coreapi_auth_token_new(const char *token, const char *scheme, const char *domain,
                                     coreapi_error *err) {
  token_state *s;
  size_t n;

  coreapi_error_clear(err);
  if (scheme == NULL)
    scheme = "Bearer";
  if (token == NULL || token[0] == '\0') {
    coreapi_error_set(err, COREAPI_ERR_BAD_CREDENTIALS, "Token authentication needs a token");
    return NULL;
  }
  for (const unsigned char *p = (const unsigned char *)token; *p; p++) {
    if (*p <= 0x20 || *p >= 0x7f) {
      coreapi_error_set(err, COREAPI_ERR_BAD_CREDENTIALS,
                        "Token authentication: the token must be visible ASCII, without "
                        "whitespace or control characters (found 0x%02x)",
                        *p);
      return NULL;
    }
  }
  if (!coreapi__is_token(scheme)) {
    coreapi_error_set(err, COREAPI_ERR_BAD_CREDENTIALS,
                      "Token authentication: the scheme '%.32s' is not an RFC 9110 token",
                      scheme);
    return NULL;
  }
  s = calloc(1, sizeof(*s));
  if (s == NULL) {
    COREAPI__OOM(err);
    return NULL;
  }
  n = strlen(scheme) + strlen(token) + 2;
  s->header = malloc(n);
  if (s->header != NULL)
    snprintf(s->header, n, "%s %s", scheme, token);
  s->scheme = coreapi__strdup(scheme);
  if (s->header == NULL || s->scheme == NULL) {
    token_free(s);
    COREAPI__OOM(err);
    return NULL;
  }
  return coreapi_auth_new(&token_ops, s, domain, err);
}
