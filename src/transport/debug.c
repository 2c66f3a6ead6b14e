/*
 * debug.c - debug output with every secret redacted: the values of
 * Authorization, Proxy-Authorization, Cookie and Set-Cookie, of every
 * client-level extra header (where API keys live), and of every header an
 * authentication set on the hop (the CSRF header, a signature...), except
 * Origin and Referer, read "[redacted]". Bodies are never shown, only
 * their sizes.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "client_impl.h"

static const char *const always_secret[] = {"Authorization", "Proxy-Authorization", "Cookie",
                                            "Set-Cookie"};

static int name_is(const char *line, size_t name_len, const char *name) {
  return strlen(name) == name_len && strncasecmp(line, name, name_len) == 0;
}

static int is_secret(const coreapi__easy *e, const char *line, size_t name_len) {
  const coreapi_client *c = e->client;
  const coreapi_request *req = e->current_req;
  for (size_t i = 0; i < sizeof(always_secret) / sizeof(always_secret[0]); i++)
    if (name_is(line, name_len, always_secret[i]))
      return 1;
  /* Client-level extra headers are where API keys live ("X-Api-Key"). */
  for (size_t i = 0; i < c->extra.count; i++)
    if (name_is(line, name_len, c->extra.items[i].name))
      return 1;
  if (req == NULL || name_is(line, name_len, "Origin") || name_is(line, name_len, "Referer"))
    return 0;
  for (size_t i = 0; i < req->headers.count; i++)
    if ((req->headers.items[i].flags & COREAPI__HDR_AUTH) &&
        name_is(line, name_len, req->headers.items[i].name))
      return 1;
  return 0;
}

/* The first n bytes at key in [p, end), or NULL. */
static const char *find(const char *p, const char *end, const char *key, size_t n) {
  for (; (size_t)(end - p) >= n; p++)
    if (memcmp(p, key, n) == 0)
      return p;
  return NULL;
}

/* Append the line [p, eol) to out with every occurrence of the API key
 * that is in the request's query (as encoded) replaced by "[redacted]". */
static void redact_query_key(const coreapi__easy *e, const char *p, const char *eol,
                             coreapi__buf *out) {
  const char *key = e->current_req ? e->current_req->auth_query_value : NULL;
  size_t n = key ? strlen(key) : 0;
  while (n > 0 && p < eol) {
    const char *hit = find(p, eol, key, n);
    if (hit == NULL)
      break;
    coreapi__buf_append(out, p, (size_t)(hit - p));
    coreapi__buf_append(out, "[redacted]", 10);
    p = hit + n;
  }
  coreapi__buf_append(out, p, (size_t)(eol - p));
}

/* Append the header block at data to out, line by line, redacting. */
static void redact_block(const coreapi__easy *e, const char *data, size_t size,
                         coreapi__buf *out) {
  const char *p = data, *end = data + size;
  while (p < end) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    const char *eol = nl ? nl + 1 : end;
    const char *colon = memchr(p, ':', (size_t)(eol - p));
    if (colon != NULL && colon > p && is_secret(e, p, (size_t)(colon - p))) {
      coreapi__buf_append(out, p, (size_t)(colon - p));
      coreapi__buf_append(out, ": [redacted]", 12);
      if (nl != NULL)
        coreapi__buf_append(out, eol[-2] == '\r' ? "\r\n" : "\n", eol[-2] == '\r' ? 2 : 1);
    } else {
      redact_query_key(e, p, eol, out); /* the request line, Referer... */
    }
    p = eol;
  }
}

int coreapi__debug_curl(CURL *curl, curl_infotype type, char *data, size_t size,
                        void *userp) {
  coreapi__easy *e = userp;
  coreapi_client *c = e->client;
  coreapi__buf out = {0};
  coreapi_debug_type t;
  (void)curl;
  if (c->debug == NULL)
    return 0;
  if (type == CURLINFO_HEADER_OUT)
    t = COREAPI_DEBUG_HEADER_OUT;
  else if (type == CURLINFO_HEADER_IN)
    t = COREAPI_DEBUG_HEADER_IN;
  else
    return 0; /* libcurl's chatter and bodies are not shown */
  redact_block(e, data, size, &out);
  if (out.data != NULL)
    c->debug(c->debug_data, t, out.data, out.len);
  coreapi__buf_free(&out);
  return 0;
}

void coreapi__debug_info(coreapi_client *c, const char *fmt, ...) {
  char line[512];
  va_list ap;
  int n;
  if (c->debug == NULL)
    return;
  va_start(ap, fmt);
  n = vsnprintf(line, sizeof(line), fmt, ap);
  va_end(ap);
  if (n < 0)
    return;
  if ((size_t)n >= sizeof(line))
    n = (int)sizeof(line) - 1;
  c->debug(c->debug_data, COREAPI_DEBUG_INFO, line, (size_t)n);
}
