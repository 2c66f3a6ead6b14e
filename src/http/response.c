/*
 * response.c - the response: status, reason, headers (repeats kept), the
 * cookies it set (RFC 6265 Set-Cookie, name and value only), body, final URL.
 */
#include <stdlib.h>
#include <string.h>

#include "http.h"

coreapi_response *coreapi__response_new(void) {
  /* The body's buffer comes with its first byte (an empty body is ""). */
  return calloc(1, sizeof(coreapi_response));
}

void coreapi_response_free(coreapi_response *resp) {
  if (resp == NULL)
    return;
  free(resp->reason);
  free(resp->url);
  coreapi__headers_free(&resp->headers);
  coreapi__headers_free(&resp->cookies);
  coreapi__buf_free(&resp->body);
  free(resp);
}

static int is_ows(char c) { return c == ' ' || c == '\t'; }

/* Parse one Set-Cookie field value (RFC 6265 section 5.2): the name-value
 * pair is everything before the first ';', split at the first '=', both
 * trimmed of spaces and tabs. s need not be NUL-terminated. Returns 0 and the
 * spans (pointing into s) on success, -1 when there is no '=' or the name is
 * empty (such a cookie is ignored, as the RFC says). Keeps no state. */
int coreapi__set_cookie_parse(const char *s, size_t len, const char **name, size_t *name_len,
                              const char **value, size_t *value_len) {
  const char *end = memchr(s, ';', len);
  const char *eq;
  const char *n0, *n1, *v0, *v1;
  if (end == NULL)
    end = s + len;
  eq = memchr(s, '=', (size_t)(end - s));
  if (eq == NULL)
    return -1;
  n0 = s;
  n1 = eq;
  while (n0 < n1 && is_ows(*n0))
    n0++;
  while (n1 > n0 && is_ows(n1[-1]))
    n1--;
  v0 = eq + 1;
  v1 = end;
  while (v0 < v1 && is_ows(*v0))
    v0++;
  while (v1 > v0 && is_ows(v1[-1]))
    v1--;
  if (n0 == n1)
    return -1;
  /* A value in double quotes is the value without them (as browsers keep
   * them, but Python's cookie parsing, which the reference uses, drops them). */
  if (v1 - v0 >= 2 && *v0 == '"' && v1[-1] == '"') {
    v0++;
    v1--;
  }
  *name = n0;
  *name_len = (size_t)(n1 - n0);
  *value = v0;
  *value_len = (size_t)(v1 - v0);
  return 0;
}

int coreapi__response_parse_cookies(coreapi_response *resp) {
  for (size_t i = 0; i < resp->headers.count; i++) {
    const coreapi__header *h = &resp->headers.items[i];
    const char *n, *v;
    size_t nl, vl;
    if (!coreapi__strcaseeq(h->name, "Set-Cookie"))
      continue;
    if (coreapi__set_cookie_parse(h->value, strlen(h->value), &n, &nl, &v, &vl) != 0)
      continue;
    if (coreapi__headers_add(&resp->cookies, n, nl, v, vl) != 0)
      return -1;
  }
  return 0;
}

const char *coreapi__reason_phrase(long status) {
  static const struct {
    long status;
    const char *reason;
  } table[] = {
      {100, "Continue"}, {101, "Switching Protocols"}, {200, "OK"}, {201, "Created"},
      {202, "Accepted"}, {203, "Non-Authoritative Information"}, {204, "No Content"},
      {205, "Reset Content"}, {206, "Partial Content"}, {300, "Multiple Choices"},
      {301, "Moved Permanently"}, {302, "Found"}, {303, "See Other"}, {304, "Not Modified"},
      {307, "Temporary Redirect"}, {308, "Permanent Redirect"}, {400, "Bad Request"},
      {401, "Unauthorized"}, {402, "Payment Required"}, {403, "Forbidden"},
      {404, "Not Found"}, {405, "Method Not Allowed"}, {406, "Not Acceptable"},
      {408, "Request Timeout"}, {409, "Conflict"}, {410, "Gone"}, {411, "Length Required"},
      {412, "Precondition Failed"}, {413, "Content Too Large"}, {414, "URI Too Long"},
      {415, "Unsupported Media Type"}, {416, "Range Not Satisfiable"},
      {417, "Expectation Failed"}, {421, "Misdirected Request"},
      {422, "Unprocessable Content"}, {425, "Too Early"}, {426, "Upgrade Required"},
      {428, "Precondition Required"}, {429, "Too Many Requests"},
      {431, "Request Header Fields Too Large"}, {451, "Unavailable For Legal Reasons"},
      {500, "Internal Server Error"}, {501, "Not Implemented"}, {502, "Bad Gateway"},
      {503, "Service Unavailable"}, {504, "Gateway Timeout"},
      {505, "HTTP Version Not Supported"}, {511, "Network Authentication Required"},
  };
  for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
    if (table[i].status == status)
      return table[i].reason;
  return "";
}

long coreapi_response_status(const coreapi_response *resp) { return resp ? resp->status : 0; }

const char *coreapi_response_reason(const coreapi_response *resp) {
  return resp ? (resp->reason ? resp->reason : "") : NULL;
}

const char *coreapi_response_url(const coreapi_response *resp) {
  return resp ? resp->url : NULL;
}

unsigned coreapi_response_redirects(const coreapi_response *resp) {
  return resp ? resp->redirects : 0;
}

const char *coreapi_response_header(const coreapi_response *resp, const char *name) {
  return resp ? coreapi__headers_get(&resp->headers, name) : NULL;
}

static int list_at(const coreapi__headers *h, size_t i, const char **name,
                   const char **value) {
  if (i >= h->count)
    return -1;
  if (name)
    *name = h->items[i].name;
  if (value)
    *value = h->items[i].value;
  return 0;
}

size_t coreapi_response_header_count(const coreapi_response *resp) {
  return resp ? resp->headers.count : 0;
}

int coreapi_response_header_at(const coreapi_response *resp, size_t i, const char **name,
                               const char **value) {
  return resp ? list_at(&resp->headers, i, name, value) : -1;
}

const char *coreapi_response_cookie(const coreapi_response *resp, const char *name) {
  const char *found = NULL;
  if (resp == NULL || name == NULL)
    return NULL;
  /* Cookie names are case-sensitive (RFC 6265); the last one set wins. */
  for (size_t i = 0; i < resp->cookies.count; i++)
    if (strcmp(resp->cookies.items[i].name, name) == 0)
      found = resp->cookies.items[i].value;
  return found;
}

size_t coreapi_response_cookie_count(const coreapi_response *resp) {
  return resp ? resp->cookies.count : 0;
}

int coreapi_response_cookie_at(const coreapi_response *resp, size_t i, const char **name,
                               const char **value) {
  return resp ? list_at(&resp->cookies, i, name, value) : -1;
}

const char *coreapi_response_body(const coreapi_response *resp, size_t *len) {
  if (len)
    *len = resp ? resp->body.len : 0;
  return resp ? resp->body.data ? resp->body.data : "" : NULL;
}
