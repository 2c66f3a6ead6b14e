/*
 * auth/apikey.c - API-key authentication, OpenAPI's apiKey security scheme:
 * a key sent as a header ("X-API-Key: <key>"), a query parameter
 * ("?api_key=<key>") or a cookie ("Cookie: key=<key>"), on every hop in
 * scope.
 *
 * A header is set like any authentication's (flagged, so debug output
 * redacts it). A query parameter or a cookie is not put into the request
 * itself but beside it (coreapi__request_add_auth_query, _cookie): the
 * backend adds it to what libcurl sends, so the request's URL, the
 * response's URL, the URLs of a decoded document and error messages never
 * hold the key, and the cookie never enters the jar.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"

typedef struct apikey_state {
  char *name;
  char *value; /* a secret */
  coreapi_apikey_location location;
} apikey_state;

static const char *location_name(coreapi_apikey_location l) {
  return l == COREAPI_APIKEY_HEADER ? "header" : l == COREAPI_APIKEY_QUERY ? "query" : "cookie";
}

static coreapi_code apikey_apply(void *state, coreapi_request *req, coreapi_error *err) {
  apikey_state *s = state;
  switch (s->location) {
    case COREAPI_APIKEY_HEADER:
      return coreapi_request_set_header(req, s->name, s->value, err);
    case COREAPI_APIKEY_QUERY:
      return coreapi__request_add_auth_query(req, s->name, s->value, err);
    case COREAPI_APIKEY_COOKIE:
      return coreapi__request_add_auth_cookie(req, s->name, s->value, err);
  }
  return coreapi_error_set(err, COREAPI_ERR_INTERNAL, "API key: unknown location");
}

static void apikey_describe(void *state, char *buf, size_t size) {
  apikey_state *s = state;
  snprintf(buf, size, "API key (%s %s)", location_name(s->location), s->name);
}

static void apikey_free(void *state) {
  apikey_state *s = state;
  free(s->name);
  coreapi__free_secret(s->value);
  free(s);
}

static const coreapi_auth_ops apikey_ops = {
    "apikey", 0, apikey_apply, NULL, apikey_describe, apikey_free,
};

/* Why name and value cannot be used in location, or NULL when they can. */
static const char *refusal(const char *name, const char *value,
                           coreapi_apikey_location location, char *why, size_t size) {
  coreapi_error check;
  if (location != COREAPI_APIKEY_HEADER && location != COREAPI_APIKEY_QUERY &&
      location != COREAPI_APIKEY_COOKIE)
    return "the location must be header, query or cookie";
  if (name == NULL || !coreapi__is_token(name))
    return "the name must be an RFC 9110 token";
  if (value == NULL || value[0] == '\0')
    return "the key must not be empty";
  for (const unsigned char *p = (const unsigned char *)value; *p; p++)
    if (*p <= 0x20 || *p >= 0x7f) {
      snprintf(why, size,
               "the key must be visible ASCII, without whitespace or control characters "
               "(found 0x%02x)",
               *p);
      return why;
    }
  coreapi_error_clear(&check);
  if (location == COREAPI_APIKEY_HEADER && coreapi__header_check(name, value, &check) != COREAPI_OK) {
    snprintf(why, size, "%.150s", check.text);
    return why;
  }
  return NULL;
}

coreapi_auth *coreapi_auth_apikey_new(const char *name, const char *value,
                                      coreapi_apikey_location location, const char *domain,
                                      coreapi_error *err) {
  char why[160];
  const char *bad;
  apikey_state *s;

  coreapi_error_clear(err);
  if ((bad = refusal(name, value, location, why, sizeof(why))) != NULL) {
    coreapi_error_set(err, COREAPI_ERR_BAD_CREDENTIALS, "API key authentication: %s", bad);
    return NULL;
  }
  s = calloc(1, sizeof(*s));
  if (s == NULL || (s->name = coreapi__strdup(name)) == NULL ||
      (s->value = coreapi__strdup(value)) == NULL) {
    if (s != NULL)
      apikey_free(s);
    COREAPI__OOM(err);
    return NULL;
  }
  s->location = location;
  return coreapi_auth_new(&apikey_ops, s, domain, err);
}
