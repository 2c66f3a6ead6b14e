/*
 * header_auth.c - a raw Authorization header value as an authentication: what
 * the reference's `credentials add DOMAIN VALUE` stores. It is a custom
 * scheme of the library (coreapi_auth_new with our own coreapi_auth_ops), so
 * it gets the same per-hop scoping and debug redaction as the built-in ones.
 * The value is validated as a header value by coreapi_request_set_header when
 * applied; it is wiped when the authentication is freed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static coreapi_code header_apply(void *state, coreapi_request *req, coreapi_error *err) {
  return coreapi_request_set_header(req, "Authorization", state, err);
}

static void header_describe(void *state, char *buf, size_t size) {
  (void)state;
  snprintf(buf, size, "header (raw Authorization value)");
}

static void header_free(void *state) { cli_free_secret(state); }

static const coreapi_auth_ops header_ops = {
    .name = "header",
    .allow_cookies = 0,
    .apply = header_apply,
    .on_response = NULL,
    .describe = header_describe,
    .free = header_free,
};

coreapi_auth *cli_header_auth_new(const char *value, const char *domain, coreapi_error *err) {
  /* Refuse what could never be sent, now rather than at the first request. */
  for (const unsigned char *p = (const unsigned char *)value; *p; p++) {
    if ((*p < 0x20 && *p != '\t') || *p == 0x7f) {
      coreapi_error_clear(err);
      coreapi_error_set(err, COREAPI_ERR_BAD_CREDENTIALS,
                        "the Authorization value contains a control character");
      return NULL;
    }
  }
  if (value[0] == '\0') {
    coreapi_error_clear(err);
    coreapi_error_set(err, COREAPI_ERR_BAD_CREDENTIALS, "the Authorization value is empty");
    return NULL;
  }
  char *copy = strdup(value);
  if (copy == NULL) {
    coreapi_error_clear(err);
    coreapi_error_set(err, COREAPI_ERR_OUT_OF_MEMORY, NULL);
    return NULL;
  }
  return coreapi_auth_new(&header_ops, copy, domain, err);
}
