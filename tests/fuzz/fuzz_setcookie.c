/*
 * fuzz_setcookie.c - libFuzzer target for the cookie parsers: the Set-Cookie
 * name-value split (coreapi__set_cookie_parse, src/http/response.c) and the
 * jar's matching of Netscape cookie-file lines against a request
 * (coreapi__cookie_line_match and _better, src/http/cookie.c), which decide
 * which CSRF token a request carries.
 *
 * The first byte picks the request URL (http or https, host, path); the rest
 * is read both as a Set-Cookie value and as a cookie-file line. The target
 * aborts when:
 *   - a span points outside the input, or a cookie name is empty;
 *   - a match is claimed for a line that does not hold the name, or whose
 *     domain does not cover the host, or a Secure line over http;
 *   - the "better" choice disagrees with the plain match.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/http/http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const urls[] = {
    "http://api.test/",          "https://api.test/api/x?q=1", "http://sub.api.test:8080/a/b",
    "https://[::1]/p",           "http://127.0.0.1/admin/",    "https://x.y.z.example/deep/er/path",
};

static coreapi__url parsed[sizeof(urls) / sizeof(urls[0])];

static void fail(const char *what, const uint8_t *data, size_t size) {
  fprintf(stderr, "fuzz_setcookie: %s\ninput: %.*s\n", what, (int)(size > 2000 ? 2000 : size),
          (const char *)data);
  abort();
}

static int holds(const char *p, size_t n, const char *s, size_t sl) {
  for (size_t i = 0; i + sl <= n; i++)
    if (memcmp(p + i, s, sl) == 0)
      return 1;
  return 0;
}

static int inside(const char *s, size_t n, const char *p, size_t size) {
  return s >= p && n <= size && s + n <= p + size;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *p = (const char *)data + 1;
  size_t n = size > 0 ? size - 1 : 0;
  const char *name, *value;
  size_t nl, vl;
  const coreapi__url *u;
  static int ready;
  if (!ready) {
    for (size_t i = 0; i < sizeof(urls) / sizeof(urls[0]); i++)
      if (coreapi__url_parse(&parsed[i], urls[i], NULL, NULL) != COREAPI_OK)
        abort();
    ready = 1;
  }
  if (size == 0)
    return 0;
  u = &parsed[data[0] % (sizeof(urls) / sizeof(urls[0]))];
  if (coreapi__set_cookie_parse(p, n, &name, &nl, &value, &vl) == 0) {
    char cname[128];
    coreapi__cookie_match m, best = {NULL, 0, 0, 0};
    int matched, better;
    if (nl == 0 || !inside(name, nl, p, n) || !inside(value, vl, p, n))
      fail("Set-Cookie spans outside the input", data, size);
    if (nl >= sizeof(cname))
      return 0;
    memcpy(cname, name, nl);
    cname[nl] = '\0';
    matched = coreapi__cookie_line_match(p, n, u, cname, 1800000000LL, &m);
    better = coreapi__cookie_line_better(p, n, u, cname, 1800000000LL, &best);
    if (matched != better)
      fail("line_better disagrees with line_match", data, size);
    if (matched) {
      if (!inside(m.value, m.value_len, p, n))
        fail("a match's value is outside the line", data, size);
      if (!holds(p, n, cname, nl))
        fail("a match for a name the line does not hold", data, size);
      if (m.domain_len > strlen(u->host))
        fail("a match whose domain is longer than the host", data, size);
    }
  }
  return 0;
}
