/*
 * auth/basic.c - HTTP Basic authentication (RFC 7617).
 *
 * The header value is computed once at construction: "Basic " followed by
 * the Base64 of "user:password" taken as UTF-8 (the charset="UTF-8" of RFC
 * 7617 section 2.1). A user-id with ':' cannot be represented (section 2) and
 * control characters are not allowed in either part, so both are refused.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"

typedef struct basic_state {
  char *header; /* "Basic <base64>", a secret */
  char *username;
} basic_state;

static coreapi_code basic_apply(void *state, coreapi_request *req, coreapi_error *err) {
  basic_state *s = state;
  /* checked when it was made */
  return coreapi__request_set_header_valid(req, "Authorization", s->header, err);
}

static void basic_describe(void *state, char *buf, size_t size) {
  basic_state *s = state;
  snprintf(buf, size, "basic (user %s)", s->username);
}

static void basic_free(void *state) {
  basic_state *s = state;
  coreapi__free_secret(s->header);
  coreapi__free_secret(s->username);
  free(s);
}

static const coreapi_auth_ops basic_ops = {
    "basic", 0, basic_apply, NULL, basic_describe, basic_free,
};

static coreapi_code check_part(const char *what, const char *s, coreapi_error *err) {
  for (const unsigned char *p = (const unsigned char *)s; *p; p++)
    if (*p < 0x20 || *p == 0x7f)
      return coreapi_error_set(err, COREAPI_ERR_BAD_CREDENTIALS,
                               "Basic authentication: the %s contains a control character "
                               "(0x%02x)",
                               what, *p);
  if (!coreapi__is_utf8(s, strlen(s)))
    return coreapi_error_set(err, COREAPI_ERR_BAD_CREDENTIALS,
                             "Basic authentication: the %s is not valid UTF-8", what);
  return COREAPI_OK;
}

coreapi_auth *coreapi_auth_basic_new(const char *username, const char *password,
                                     const char *domain, coreapi_error *err) {
  basic_state *s;
  size_t ul, pl;
  char *pair, *b64;

  coreapi_error_clear(err);
  if (username == NULL || password == NULL) {
    coreapi_error_set(err, COREAPI_ERR_BAD_CREDENTIALS,
                      "Basic authentication needs a username and a password");
    return NULL;
  }
  if (strchr(username, ':') != NULL) {
    coreapi_error_set(err, COREAPI_ERR_BAD_CREDENTIALS,
                      "Basic authentication: a username cannot contain ':' (RFC 7617)");
    return NULL;
  }
  if (check_part("username", username, err) != COREAPI_OK ||
      check_part("password", password, err) != COREAPI_OK)
    return NULL;

  ul = strlen(username);
  pl = strlen(password);
  pair = malloc(ul + pl + 2);
  s = calloc(1, sizeof(*s));
  if (pair == NULL || s == NULL) {
    free(pair);
    free(s);
    COREAPI__OOM(err);
    return NULL;
  }
  memcpy(pair, username, ul);
  pair[ul] = ':';
  memcpy(pair + ul + 1, password, pl + 1);
  b64 = coreapi__base64((const unsigned char *)pair, ul + pl + 1);
  coreapi__free_secret(pair);
  if (b64 != NULL) {
    size_t n = strlen(b64) + 7;
    s->header = malloc(n);
    if (s->header != NULL)
      snprintf(s->header, n, "Basic %s", b64);
    coreapi__free_secret(b64);
  }
  s->username = coreapi__strdup(username);
  if (s->header == NULL || s->username == NULL) {
    basic_free(s);
    COREAPI__OOM(err);
    return NULL;
  }
  return coreapi_auth_new(&basic_ops, s, domain, err);
}
