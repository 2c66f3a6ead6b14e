/*
 * transitions/header_params.c - parameters whose field's location is
 * "header" or "cookie" (OpenAPI's `in: header` and `in: cookie`), onto the
 * request.
 *
 * A header parameter is a request header of the caller's, validated as
 * every header is (a token name, no CR, LF or NUL in the value, none of the
 * headers the library sets itself), and treated as the caller's own on a
 * redirect: it goes along only inside the first request's origin. Cookie
 * parameters make one "name=value; ..." line sent in the Cookie header
 * libcurl writes, for this request only (never stored in the jar), and
 * dropped on a hop out of the first request's origin. A list is sent as its
 * items joined with "," (OpenAPI's simple style).
 */
#include <stdlib.h>
#include <string.h>

#include "params.h"

/* The strings of v joined with "," into b (NUL-terminated); 0 or -1. */
static int joined(coreapi__buf *b, const coreapi__value *v) {
  b->len = 0;
  for (size_t k = 0; k < v->count; k++)
    if ((k > 0 && coreapi__buf_append(b, ",", 1) != 0) ||
        coreapi__buf_append(b, v->strings[k], strlen(v->strings[k])) != 0)
      return -1;
  return coreapi__buf_append(b, "", 1) == 0 ? 0 : -1;
}

/* May s be a cookie's value? RFC 6265's cookie-octets (section 4.1.1),
 * and ',' too: OpenAPI writes a list as "a,b", and ',' separates nothing
 * in a Cookie header (';' does). */
static int cookie_octets(const char *s) {
  for (const unsigned char *p = (const unsigned char *)s; *p; p++)
    if (*p < 0x21 || *p > 0x7e || *p == '"' || *p == ';' || *p == '\\')
      return 0;
  return 1;
}

static coreapi_code add_headers(coreapi_request *req, const coreapi__params *p, coreapi__buf *b,
                                coreapi_error *err) {
  for (size_t i = 0; i < p->header_count; i++) {
    coreapi_code rc;
    if (joined(b, &p->headers[i]) != 0)
      return COREAPI__OOM(err);
    rc = coreapi_request_set_header(req, p->headers[i].name, b->data, err);
    if (rc == COREAPI_ERR_OUT_OF_MEMORY)
      return rc;
    if (rc != COREAPI_OK) {
      coreapi_error_clear(err);
      return coreapi_error_set(err, COREAPI_ERR_PARAMETER,
                               "header parameter \"%.60s\": not a header a request may send "
                               "(a token name, no control characters, not one the library "
                               "sets itself)",
                               p->headers[i].name);
    }
  }
  return COREAPI_OK;
}

static coreapi_code add_cookies(coreapi_request *req, const coreapi__params *p, coreapi__buf *b,
                                coreapi_error *err) {
  coreapi__buf line = {0};
  coreapi_code rc = COREAPI_OK;
  for (size_t i = 0; i < p->cookie_count && rc == COREAPI_OK; i++) {
    const char *name = p->cookies[i].name;
    if (joined(b, &p->cookies[i]) != 0) {
      rc = COREAPI__OOM(err);
    } else if (!coreapi__is_token(name) || !cookie_octets(b->data)) {
      rc = coreapi_error_set(err, COREAPI_ERR_PARAMETER,
                             "cookie parameter \"%.60s\": a cookie needs a token name and a "
                             "value without spaces, quotes, ';' or '\\\\'",
                             name);
    } else if ((line.len > 0 && coreapi__buf_append(&line, "; ", 2) != 0) ||
               coreapi__buf_append(&line, name, strlen(name)) != 0 ||
               coreapi__buf_append(&line, "=", 1) != 0 ||
               coreapi__buf_append(&line, b->data, strlen(b->data)) != 0) {
      rc = COREAPI__OOM(err);
    }
  }
  if (rc == COREAPI_OK && line.len > 0) {
    if (coreapi__buf_append(&line, "", 1) != 0)
      rc = COREAPI__OOM(err);
    else
      rc = coreapi__request_set_param_cookie(req, line.data, err);
  }
  coreapi__buf_free(&line);
  return rc;
}

coreapi_code coreapi__params_apply(coreapi_request *req, const coreapi__params *p,
                                   coreapi_error *err) {
  coreapi__buf b = {0};
  coreapi_code rc = add_headers(req, p, &b, err);
  if (rc == COREAPI_OK)
    rc = add_cookies(req, p, &b, err);
  coreapi__buf_free(&b);
  return rc;
}
