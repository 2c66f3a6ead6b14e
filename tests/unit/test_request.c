/*
 * tests/unit/test_request.c - coreapi/request.h (methods, URL normalisation,
 * headers, body, safe methods, per-client memory outside a client), and the
 * small promises of coreapi/error.h and coreapi/version.h.
 */
#include <locale.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <coreapi/coreapi.h>

#include "check.h"

static coreapi_error err;

/* ASCII case-insensitive equality (strcasecmp is not C11). */
static int ieq(const char *a, const char *b) {
  if (a == NULL || b == NULL)
    return a == b;
  for (;; a++, b++) {
    char x = *a, y = *b;
    if (x >= 'A' && x <= 'Z') x = (char)(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = (char)(y - 'A' + 'a');
    if (x != y) return 0;
    if (x == '\0') return 1;
  }
}

/* A fresh error detail for the next call. */
static coreapi_error *fresh(void) {
  memset(&err, 0x5a, sizeof err);
  err.code = COREAPI_OK;
  err.http_status = 0;
  err.text[0] = '\0';
  return &err;
}

static coreapi_request *new_request(const char *method, const char *url, int line) {
  coreapi_request *req = coreapi_request_new(method, url, fresh());
  if (req == NULL)
    fprintf(stderr, "line %d: coreapi_request_new(%s, %s) failed: %s (%s)\n", line,
            method ? method : "NULL", url ? url : "NULL", coreapi_code_name(err.code),
            err.text);
  return req;
}
#define NEW(m, u) new_request((m), (u), __LINE__)

/* ------------------------------------------------------------- methods */

static void expect_method(const char *given, const char *sent, int line) {
  coreapi_request *req = new_request(given, "http://api.example.com/", line);
  CHECK(req != NULL);
  if (req == NULL)
    return;
  CHECK_INT(err.code, COREAPI_OK);
  CHECK_STR(coreapi_request_method(req), sent);
  coreapi_request_free(req);
}

static void refuse_method(const char *given, int line) {
  coreapi_request *req = coreapi_request_new(given, "http://api.example.com/", fresh());
  CHECK(req == NULL);
  CHECK_INT(err.code, COREAPI_ERR_INVALID_ARGUMENT);
  CHECK(err.text[0] != '\0');
  if (req != NULL || err.code != COREAPI_ERR_INVALID_ARGUMENT)
    fprintf(stderr, "  (method \"%s\", line %d)\n", given, line);
  coreapi_request_free(req);
  req = coreapi_request_new(given, "http://api.example.com/", NULL);
  CHECK(req == NULL);
  coreapi_request_free(req);
}

static void test_methods(void) {
  expect_method("GET", "GET", __LINE__);
  expect_method("get", "GET", __LINE__);
  expect_method("post", "POST", __LINE__);
  expect_method("Patch", "PATCH", __LINE__);
  expect_method("delete", "DELETE", __LINE__);
  expect_method(NULL, "GET", __LINE__);
  expect_method("", "GET", __LINE__);
  expect_method("M-SEARCH", "M-SEARCH", __LINE__);
  expect_method("propfind", "PROPFIND", __LINE__);
  expect_method("x!#$%&'*+.^_`|~1", "X!#$%&'*+.^_`|~1", __LINE__);

  const char *const bad[] = {"GE T",  " GET",   "GET ",  "GET\r\n",  "GET\n", "G/ET",
                             "(GET)", "G\xc3\x89T", "a:b", "\x01",   "GET\x7f", "a,b",
                             "a@b",   "a\tb",   "a;b",   "a=b",      "\"GET\"", "{GET}",
                             "a?b",   "a\\b",   "[a]",   "a<b>"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    refuse_method(bad[i], __LINE__);
}

/* ----------------------------------------------------------------- URLs */

static void expect_url(const char *url, const char *scheme, const char *host, int port,
                       int line) {
  coreapi_request *req = new_request("GET", url, line);
  CHECK(req != NULL);
  if (req == NULL)
    return;
  CHECK_STR(coreapi_request_scheme(req), scheme);
  CHECK_STR(coreapi_request_host(req), host);
  CHECK_INT(coreapi_request_port(req), port);
  const char *u = coreapi_request_url(req);
  CHECK(u != NULL && strchr(u, '#') == NULL);
  if (u != NULL && strchr(u, '#') != NULL)
    fprintf(stderr, "  (url %s gave %s, line %d)\n", url, u, line);
  coreapi_request_free(req);
}
#define EXPECT_URL(u, s, h, p) expect_url((u), (s), (h), (p), __LINE__)

static void refuse_url(const char *url, coreapi_code code, int line) {
  coreapi_request *req = coreapi_request_new("GET", url, fresh());
  CHECK(req == NULL);
  CHECK_INT(err.code, code);
  CHECK(err.text[0] != '\0');
  CHECK_INT(err.http_status, 0);
  if (req != NULL || err.code != code)
    fprintf(stderr, "  (url \"%s\" gave %s, line %d)\n", url, coreapi_code_name(err.code),
            line);
  coreapi_request_free(req);
  req = coreapi_request_new("POST", url, NULL);
  CHECK(req == NULL);
  coreapi_request_free(req);
}
#define REFUSE_URL(u, c) refuse_url((u), (c), __LINE__)

static void test_urls(void) {
  EXPECT_URL("http://api.example.com/", "http", "api.example.com", 80);
  EXPECT_URL("https://api.example.com/", "https", "api.example.com", 443);
  EXPECT_URL("HTTP://API.Example.COM./x", "http", "api.example.com", 80);
  EXPECT_URL("HTTPS://API.EXAMPLE.COM.:8443/x", "https", "api.example.com", 8443);
  EXPECT_URL("http://api.example.com:8080/", "http", "api.example.com", 8080);
  EXPECT_URL("http://api.example.com:443/", "http", "api.example.com", 443);
  EXPECT_URL("https://api.example.com:80/", "https", "api.example.com", 80);
  EXPECT_URL("http://api.example.com:80/", "http", "api.example.com", 80);
  EXPECT_URL("http://[::1]/", "http", "[::1]", 80);
  EXPECT_URL("http://api.example.com?a=b:1", "http", "api.example.com", 80);
  EXPECT_URL("https://api.example.com/p:9?q=1:2", "https", "api.example.com", 443);
  EXPECT_URL("https://[::1]?x=:7", "https", "[::1]", 443);
  EXPECT_URL("http://user:pw@api.example.com/", "http", "api.example.com", 80);
  EXPECT_URL("http://[::1]:8080/a?b=c#d", "http", "[::1]", 8080);
  EXPECT_URL("https://[0:0::1]/", "https", "[::1]", 443);
  EXPECT_URL("http://127.0.0.1:8000/", "http", "127.0.0.1", 8000);
  EXPECT_URL("http://XN--BCHER-KVA.example/", "http", "xn--bcher-kva.example", 80);
  EXPECT_URL("http://a.example.com./", "http", "a.example.com", 80);
  /* Userinfo never decides the host. */
  EXPECT_URL("http://api.example.com@evil.test/", "http", "evil.test", 80);
  EXPECT_URL("http://api.example.com:pw@evil.test/", "http", "evil.test", 80);
  EXPECT_URL("https://user:pw@api.example.com:8443/p", "https", "api.example.com", 8443);

  /* The URL: userinfo and fragment dropped, the rest as libcurl writes it. */
  struct {
    const char *in, *out;
  } const urls[] = {
      {"http://user:pw@api.example.com:8080/p?q=1#frag", "http://api.example.com:8080/p?q=1"},
      {"https://api.example.com/p#section", "https://api.example.com/p"},
      {"http://api.example.com/search?q=a&b=c", "http://api.example.com/search?q=a&b=c"},
      {"http://api.example.com", "http://api.example.com/"},
      {"http://api.example.com@evil.test/", "http://evil.test/"},
      {"http://api.example.com:pw@evil.test/x", "http://evil.test/x"},
      {"https://u@api.example.com/", "https://api.example.com/"},
      {"http://[::1]:8080/a?b=c#d", "http://[::1]:8080/a?b=c"},
  };
  for (size_t i = 0; i < sizeof urls / sizeof urls[0]; i++) {
    coreapi_request *req = NEW("GET", urls[i].in);
    CHECK(req != NULL);
    if (req == NULL)
      continue;
    CHECK_STR(coreapi_request_url(req), urls[i].out);
    coreapi_request_free(req);
  }
  /* Host case and trailing dot in the URL itself: whichever spelling, the
   * URL names the same host and keeps its path. */
  {
    coreapi_request *req = NEW("GET", "http://pw:x@API.Example.COM./x#f");
    CHECK(req != NULL);
    if (req != NULL) {
      const char *u = coreapi_request_url(req);
      CHECK(u != NULL && (ieq(u, "http://api.example.com./x") ||
                          ieq(u, "http://api.example.com/x")));
      CHECK(u != NULL && strchr(u, '@') == NULL && strstr(u, "pw") == NULL);
      CHECK_STR(coreapi_request_host(req), "api.example.com");
      coreapi_request_free(req);
    }
  }

  /* Schemes other than http and https. */
  REFUSE_URL("file:///etc/passwd", COREAPI_ERR_UNSUPPORTED_SCHEME);
  REFUSE_URL("file://localhost/etc/passwd", COREAPI_ERR_UNSUPPORTED_SCHEME);
  REFUSE_URL("ftp://api.example.com/", COREAPI_ERR_UNSUPPORTED_SCHEME);
  REFUSE_URL("FTP://api.example.com/x", COREAPI_ERR_UNSUPPORTED_SCHEME);
  REFUSE_URL("ftps://api.example.com/", COREAPI_ERR_UNSUPPORTED_SCHEME);
  REFUSE_URL("gopher://api.example.com/", COREAPI_ERR_UNSUPPORTED_SCHEME);
  REFUSE_URL("ldap://api.example.com/", COREAPI_ERR_UNSUPPORTED_SCHEME);
  REFUSE_URL("scp://api.example.com/x", COREAPI_ERR_UNSUPPORTED_SCHEME);
  REFUSE_URL("ws://api.example.com/", COREAPI_ERR_UNSUPPORTED_SCHEME);
  /* Not hierarchical: either code says no. */
  const char *const odd[] = {"mailto:a@example.com", "javascript:alert(1)",
                             "data:text/plain,hi"};
  for (size_t i = 0; i < sizeof odd / sizeof odd[0]; i++) {
    coreapi_request *req = coreapi_request_new("GET", odd[i], fresh());
    CHECK(req == NULL);
    CHECK(err.code == COREAPI_ERR_UNSUPPORTED_SCHEME || err.code == COREAPI_ERR_BAD_URL);
    coreapi_request_free(req);
  }

  /* Garbage. */
  REFUSE_URL("not a url", COREAPI_ERR_BAD_URL);
  REFUSE_URL("api.example.com/path", COREAPI_ERR_BAD_URL);
  REFUSE_URL("api.example.com", COREAPI_ERR_BAD_URL);
  REFUSE_URL("/relative/path", COREAPI_ERR_BAD_URL);
  REFUSE_URL("http://", COREAPI_ERR_BAD_URL);
  REFUSE_URL("https://", COREAPI_ERR_BAD_URL);
  REFUSE_URL("http://api example.com/", COREAPI_ERR_BAD_URL);
  REFUSE_URL("http://api.example.com:99999/", COREAPI_ERR_BAD_URL);
  REFUSE_URL("http://api.example.com:abc/", COREAPI_ERR_BAD_URL);
  REFUSE_URL("http://[::1/", COREAPI_ERR_BAD_URL);
  REFUSE_URL("http://user@/", COREAPI_ERR_BAD_URL);
  REFUSE_URL("://api.example.com/", COREAPI_ERR_BAD_URL);
  {
    coreapi_request *req = coreapi_request_new("GET", "", fresh());
    CHECK(req == NULL);
    CHECK(err.code == COREAPI_ERR_BAD_URL || err.code == COREAPI_ERR_INVALID_ARGUMENT);
    coreapi_request_free(req);
    req = coreapi_request_new("GET", NULL, fresh());
    CHECK(req == NULL);
    CHECK_INT(err.code, COREAPI_ERR_INVALID_ARGUMENT);
    CHECK(err.text[0] != '\0');
    coreapi_request_free(req);
    req = coreapi_request_new(NULL, NULL, NULL);
    CHECK(req == NULL);
    coreapi_request_free(req);
  }
  /* A bad method with a bad URL still fails. */
  {
    coreapi_request *req = coreapi_request_new("BAD METHOD", "ftp://x/", fresh());
    CHECK(req == NULL);
    CHECK(err.code != COREAPI_OK);
    coreapi_request_free(req);
  }
  coreapi_request_free(NULL);
}

/* Run once in the locale a program starts with and once in a UTF-8 locale:
 * the contract names no locale requirement. */
static void test_idn(const char *locale_name) {
  fprintf(stderr, "-- IDN checks in locale %s\n", locale_name);
  EXPECT_URL("http://bücher.example/", "http", "xn--bcher-kva.example", 80);
  EXPECT_URL("http://BÜCHER.example/", "http", "xn--bcher-kva.example", 80);
  EXPECT_URL("https://api.Bücher.example.:8443/", "https", "api.xn--bcher-kva.example", 8443);
  coreapi_request *req = NEW("GET", "http://bücher.example/p?q#f");
  CHECK(req != NULL);
  if (req != NULL) {
    const char *u = coreapi_request_url(req);
    /* The host is punycode; the URL may spell it either way. */
    CHECK(u != NULL && (strcmp(u, "http://xn--bcher-kva.example/p?q") == 0 ||
                        strcmp(u, "http://bücher.example/p?q") == 0));
    coreapi_request_free(req);
  }
}

/* -------------------------------------------------------------- headers */

static void refuse_header(coreapi_request *req, const char *name, const char *value,
                          int line) {
  size_t before = coreapi_request_header_count(req);
  coreapi_code rc = coreapi_request_set_header(req, name, value, fresh());
  CHECK_INT(rc, COREAPI_ERR_BAD_HEADER);
  CHECK_INT(err.code, COREAPI_ERR_BAD_HEADER);
  CHECK(err.text[0] != '\0');
  if (rc != COREAPI_ERR_BAD_HEADER)
    fprintf(stderr, "  (header line %d)\n", line);
  CHECK_INT(coreapi_request_set_header(req, name, value, NULL), COREAPI_ERR_BAD_HEADER);
  CHECK_INT(coreapi_request_header_count(req), before);
}
#define REFUSE_HEADER(r, n, v) refuse_header((r), (n), (v), __LINE__)

static void test_headers(void) {
  coreapi_request *req = NEW("POST", "https://api.example.com/");
  REQUIRE(req != NULL);
  const char *n = NULL, *v = NULL;
  CHECK_INT(coreapi_request_header_count(req), 0);
  CHECK_INT(coreapi_request_header_at(req, 0, &n, &v), -1);
  CHECK(coreapi_request_header(req, "Accept") == NULL);

  /* Set and get, case-insensitively. */
  CHECK_INT(coreapi_request_set_header(req, "X-First", "1", fresh()), COREAPI_OK);
  CHECK_INT(err.code, COREAPI_OK);
  CHECK_INT(coreapi_request_set_header(req, "Content-Type", "application/json", fresh()),
            COREAPI_OK);
  CHECK_INT(coreapi_request_set_header(req, "x-third", "3", fresh()), COREAPI_OK);
  CHECK_STR(coreapi_request_header(req, "X-First"), "1");
  CHECK_STR(coreapi_request_header(req, "x-first"), "1");
  CHECK_STR(coreapi_request_header(req, "X-FIRST"), "1");
  CHECK_STR(coreapi_request_header(req, "CONTENT-TYPE"), "application/json");
  CHECK_STR(coreapi_request_header(req, "X-Third"), "3");
  CHECK(coreapi_request_header(req, "X-Firs") == NULL);
  CHECK(coreapi_request_header(req, "X-First2") == NULL);
  CHECK_INT(coreapi_request_header_count(req), 3);

  /* header_at: order set, bounds. */
  CHECK_INT(coreapi_request_header_at(req, 0, &n, &v), 0);
  CHECK(n != NULL && ieq(n, "X-First"));
  CHECK_STR(v, "1");
  CHECK_INT(coreapi_request_header_at(req, 1, &n, &v), 0);
  CHECK(n != NULL && ieq(n, "Content-Type"));
  CHECK_STR(v, "application/json");
  CHECK_INT(coreapi_request_header_at(req, 2, &n, &v), 0);
  CHECK(n != NULL && ieq(n, "x-third"));
  CHECK_STR(v, "3");
  CHECK_INT(coreapi_request_header_at(req, 3, &n, &v), -1);
  CHECK_INT(coreapi_request_header_at(req, SIZE_MAX, &n, &v), -1);

  /* Set replaces every header of that name, whatever its case. */
  CHECK_INT(coreapi_request_set_header(req, "X-FIRST", "one", fresh()), COREAPI_OK);
  CHECK_INT(coreapi_request_header_count(req), 3);
  CHECK_STR(coreapi_request_header(req, "x-first"), "one");
  {
    int seen = 0;
    for (size_t i = 0; i < coreapi_request_header_count(req); i++)
      if (coreapi_request_header_at(req, i, &n, &v) == 0 && ieq(n, "x-first")) {
        seen++;
        CHECK_STR(v, "one");
      }
    CHECK_INT(seen, 1);
  }

  /* Remove returns the number removed. */
  CHECK_INT(coreapi_request_remove_header(req, "content-TYPE"), 1);
  CHECK(coreapi_request_header(req, "Content-Type") == NULL);
  CHECK_INT(coreapi_request_header_count(req), 2);
  CHECK_INT(coreapi_request_remove_header(req, "Content-Type"), 0);
  CHECK_INT(coreapi_request_remove_header(req, "X-Missing"), 0);
  CHECK_INT(coreapi_request_header_at(req, 2, &n, &v), -1);
  /* The order of the rest is kept. */
  {
    const char *n0 = NULL, *n1 = NULL;
    CHECK_INT(coreapi_request_header_at(req, 0, &n0, &v), 0);
    CHECK_INT(coreapi_request_header_at(req, 1, &n1, &v), 0);
    CHECK(n0 != NULL && n1 != NULL && ieq(n0, "X-First") &&
          ieq(n1, "X-Third"));
  }

  /* Values: empty, tab, non-ASCII bytes, punctuation are fine. */
  CHECK_INT(coreapi_request_set_header(req, "X-Empty", "", fresh()), COREAPI_OK);
  CHECK_STR(coreapi_request_header(req, "X-Empty"), "");
  CHECK_INT(coreapi_request_set_header(req, "X-Tab", "a\tb", fresh()), COREAPI_OK);
  CHECK_STR(coreapi_request_header(req, "X-Tab"), "a\tb");
  CHECK_INT(coreapi_request_set_header(req, "X-Tab2", "\t", fresh()), COREAPI_OK);
  CHECK_STR(coreapi_request_header(req, "X-Tab2"), "\t");
  CHECK_INT(coreapi_request_set_header(req, "X-Utf8", "caf\xc3\xa9", fresh()), COREAPI_OK);
  CHECK_STR(coreapi_request_header(req, "X-Utf8"), "caf\xc3\xa9");
  CHECK_INT(coreapi_request_set_header(req, "X-Punct", "a \"q\"; b=c, d/e:f", fresh()),
            COREAPI_OK);
  CHECK_STR(coreapi_request_header(req, "X-Punct"), "a \"q\"; b=c, d/e:f");
  CHECK_INT(coreapi_request_set_header(req, "x!#$%&'*+-.^_`|~9", "tchars", fresh()),
            COREAPI_OK);
  CHECK_STR(coreapi_request_header(req, "X!#$%&'*+-.^_`|~9"), "tchars");

  /* Values are copied. */
  {
    char name[] = "X-Copied", value[] = "original";
    CHECK_INT(coreapi_request_set_header(req, name, value, fresh()), COREAPI_OK);
    memset(name, 'Q', sizeof name - 1);
    memset(value, 'Q', sizeof value - 1);
    CHECK_STR(coreapi_request_header(req, "X-Copied"), "original");
  }

  /* Bad names. */
  const char *const bad_names[] = {"",     "X A",  " X",   "X ",   "X:A", ":authority",
                                   "X\r",  "X\n",  "X\r\nY", "X\x01", "X\x7f", "\xc3\x89",
                                   "X(A)", "X/A",  "X\tA", "X@A",  "X,A", "X;A",
                                   "X=A",  "X\"A", "{X}",  "X?A",  "X\\A", "[X]",
                                   "X<A>"};
  for (size_t i = 0; i < sizeof bad_names / sizeof bad_names[0]; i++)
    REFUSE_HEADER(req, bad_names[i], "value");
  /* Bad values; a failed set leaves the header as it was. */
  CHECK_INT(coreapi_request_set_header(req, "X-Good", "good", fresh()), COREAPI_OK);
  const char *const bad_values[] = {"a\rb", "a\nb", "\r\n", "a\r\nInjected: 1", "\r", "\n",
                                    "a\x01", "a\x1b", "a\x7f", "\x0b", "\x0c", "a\x1f",
                                    "\x08"};
  for (size_t i = 0; i < sizeof bad_values / sizeof bad_values[0]; i++) {
    REFUSE_HEADER(req, "X-Good", bad_values[i]);
    CHECK_STR(coreapi_request_header(req, "X-Good"), "good");
    REFUSE_HEADER(req, "X-New", bad_values[i]);
    CHECK(coreapi_request_header(req, "X-New") == NULL);
  }
  CHECK(coreapi_request_header(req, "Injected") == NULL);

  /* NULL arguments. */
  CHECK_INT(coreapi_request_set_header(req, NULL, "v", fresh()), COREAPI_ERR_INVALID_ARGUMENT);
  CHECK_INT(err.code, COREAPI_ERR_INVALID_ARGUMENT);
  CHECK_INT(coreapi_request_set_header(req, "X-A", NULL, fresh()),
            COREAPI_ERR_INVALID_ARGUMENT);
  CHECK_INT(err.code, COREAPI_ERR_INVALID_ARGUMENT);
  CHECK_INT(coreapi_request_set_header(NULL, "X-A", "v", fresh()),
            COREAPI_ERR_INVALID_ARGUMENT);
  CHECK_INT(err.code, COREAPI_ERR_INVALID_ARGUMENT);
  CHECK(coreapi_request_header(req, "X-A") == NULL);

  /* Many headers. */
  {
    size_t before = coreapi_request_header_count(req);
    char name[32];
    for (int i = 0; i < 200; i++) {
      snprintf(name, sizeof name, "X-Many-%d", i);
      CHECK_INT(coreapi_request_set_header(req, name, name, NULL), COREAPI_OK);
    }
    CHECK_INT(coreapi_request_header_count(req), before + 200);
    CHECK_STR(coreapi_request_header(req, "x-many-137"), "X-Many-137");
    CHECK_INT(coreapi_request_header_at(req, before + 199, &n, &v), 0);
    CHECK_STR(v, "X-Many-199");
    for (int i = 0; i < 200; i += 2) {
      snprintf(name, sizeof name, "x-MANY-%d", i);
      CHECK_INT(coreapi_request_remove_header(req, name), 1);
    }
    CHECK_INT(coreapi_request_header_count(req), before + 100);
    CHECK(coreapi_request_header(req, "X-Many-136") == NULL);
    CHECK_STR(coreapi_request_header(req, "X-Many-137"), "X-Many-137");
  }
  coreapi_request_free(req);
}

/* ----------------------------------------------------------------- body */

static void test_body(void) {
  coreapi_request *req = NEW("POST", "http://api.example.com/");
  REQUIRE(req != NULL);
  size_t len = 99;
  CHECK(coreapi_request_body(req, &len) == NULL);
  CHECK_INT(len, 0);
  CHECK(coreapi_request_body(req, NULL) == NULL);

  char data[] = "{\"a\":1}";
  CHECK_INT(coreapi_request_set_body(req, data, 7, fresh()), COREAPI_OK);
  memset(data, 'X', 7); /* copied */
  len = 0;
  const void *b = coreapi_request_body(req, &len);
  CHECK(b != NULL);
  CHECK_INT(len, 7);
  CHECK(b != NULL && memcmp(b, "{\"a\":1}", 7) == 0);
  CHECK(coreapi_request_body(req, NULL) == b);

  /* Binary, with NUL bytes. */
  const unsigned char bin[] = {0, 1, 2, 0, 255, 'x'};
  CHECK_INT(coreapi_request_set_body(req, bin, sizeof bin, fresh()), COREAPI_OK);
  b = coreapi_request_body(req, &len);
  CHECK_INT(len, sizeof bin);
  CHECK(b != NULL && memcmp(b, bin, sizeof bin) == 0);

  /* Set twice: the second replaces, shorter. */
  CHECK_INT(coreapi_request_set_body(req, "a much longer body than the next", 32, fresh()),
            COREAPI_OK);
  CHECK_INT(coreapi_request_set_body(req, "xy", 2, fresh()), COREAPI_OK);
  b = coreapi_request_body(req, &len);
  CHECK_INT(len, 2);
  CHECK(b != NULL && memcmp(b, "xy", 2) == 0);

  /* An empty body is a body, not none. */
  CHECK_INT(coreapi_request_set_body(req, NULL, 0, fresh()), COREAPI_OK);
  len = 99;
  b = coreapi_request_body(req, &len);
  CHECK(b != NULL);
  CHECK_INT(len, 0);
  CHECK_INT(coreapi_request_set_body(req, "", 0, fresh()), COREAPI_OK);
  len = 99;
  CHECK(coreapi_request_body(req, &len) != NULL);
  CHECK_INT(len, 0);

  /* NULL with a length is refused, and leaves the body alone. */
  CHECK_INT(coreapi_request_set_body(req, "abc", 3, fresh()), COREAPI_OK);
  CHECK_INT(coreapi_request_set_body(req, NULL, 5, fresh()), COREAPI_ERR_INVALID_ARGUMENT);
  CHECK_INT(err.code, COREAPI_ERR_INVALID_ARGUMENT);
  CHECK(err.text[0] != '\0');
  b = coreapi_request_body(req, &len);
  CHECK_INT(len, 3);
  CHECK(b != NULL && memcmp(b, "abc", 3) == 0);
  CHECK_INT(coreapi_request_set_body(NULL, "abc", 3, fresh()), COREAPI_ERR_INVALID_ARGUMENT);

  /* A big body. */
  {
    static unsigned char big[1 << 20];
    for (size_t i = 0; i < sizeof big; i++)
      big[i] = (unsigned char)(i * 7 + 3);
    CHECK_INT(coreapi_request_set_body(req, big, sizeof big, fresh()), COREAPI_OK);
    b = coreapi_request_body(req, &len);
    CHECK_INT(len, sizeof big);
    CHECK(b != NULL && memcmp(b, big, sizeof big) == 0);
  }
  coreapi_request_free(req);

  /* A GET can have a body too; a fresh one has none. */
  req = NEW(NULL, "http://api.example.com/");
  REQUIRE(req != NULL);
  CHECK(coreapi_request_body(req, &len) == NULL);
  CHECK_INT(len, 0);
  coreapi_request_free(req);
}

/* ------------------------------------------------- safe methods, memo, hop */

static void test_safe_memo_hop(void) {
  struct {
    const char *method;
    int safe;
  } const cases[] = {
      {"GET", 1},    {"HEAD", 1},  {"OPTIONS", 1}, {"TRACE", 1},   {"get", 1},
      {"options", 1}, {NULL, 1},   {"", 1},        {"POST", 0},    {"PUT", 0},
      {"PATCH", 0},  {"DELETE", 0}, {"post", 0},   {"CONNECT", 0}, {"PROPFIND", 0},
      {"GETX", 0},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    coreapi_request *req = NEW(cases[i].method, "https://api.example.com/");
    CHECK(req != NULL);
    if (req == NULL)
      continue;
    CHECK_INT(coreapi_request_is_safe_method(req), cases[i].safe);
    if (coreapi_request_is_safe_method(req) != cases[i].safe)
      fprintf(stderr, "  (method %s)\n", cases[i].method ? cases[i].method : "NULL");
    CHECK_INT(coreapi_request_hop(req), 0);
    coreapi_request_free(req);
  }

  coreapi_request *req = NEW("POST", "https://api.example.com/");
  REQUIRE(req != NULL);
  CHECK(coreapi_request_memo_get(req, "csrftoken") == NULL);
  CHECK_INT(coreapi_request_memo_set(req, "csrftoken", "abc", fresh()),
            COREAPI_ERR_INVALID_ARGUMENT);
  CHECK_INT(err.code, COREAPI_ERR_INVALID_ARGUMENT);
  CHECK(err.text[0] != '\0');
  CHECK(coreapi_request_memo_get(req, "csrftoken") == NULL);
  CHECK_INT(coreapi_request_memo_set(req, "csrftoken", NULL, fresh()),
            COREAPI_ERR_INVALID_ARGUMENT);
  CHECK_INT(coreapi_request_memo_set(req, "k", "v", NULL), COREAPI_ERR_INVALID_ARGUMENT);
  CHECK(coreapi_request_memo_get(req, "k") == NULL);
  CHECK_INT(coreapi_request_hop(req), 0);
  coreapi_request_free(req);
}

/* ------------------------------------------------------ errors, version */

static void test_errors(void) {
  static const struct {
    coreapi_code code;
    const char *name;
    const char *message;
  } map[] = {
#define ROW(name, num, msg) {(coreapi_code)(num), #name, msg},
      COREAPI_CODE_MAP(ROW)
#undef ROW
  };
  const size_t n = sizeof map / sizeof map[0];
  CHECK_INT(n, COREAPI__CODE_LAST);
  for (size_t i = 0; i < n; i++) {
    CHECK_INT(map[i].code, i);
    CHECK_STR(coreapi_strerror(map[i].code), map[i].message);
    CHECK_STR(coreapi_code_name(map[i].code), map[i].name);
  }
  for (int c = 0; c < COREAPI__CODE_LAST; c++) {
    const char *s = coreapi_strerror((coreapi_code)c);
    const char *nm = coreapi_code_name((coreapi_code)c);
    CHECK(s != NULL && s[0] != '\0');
    CHECK(nm != NULL && nm[0] != '\0');
    if (s == NULL || nm == NULL)
      continue;
    CHECK(strcmp(s, "unknown error") != 0);
    CHECK(strcmp(nm, "UNKNOWN") != 0);
    for (int d = 0; d < c; d++) {
      const char *s2 = coreapi_strerror((coreapi_code)d);
      const char *n2 = coreapi_code_name((coreapi_code)d);
      CHECK(s2 == NULL || strcmp(s, s2) != 0);
      CHECK(n2 == NULL || strcmp(nm, n2) != 0);
    }
  }
  CHECK_STR(coreapi_strerror(COREAPI_ERR_TIMEOUT), "operation timed out");
  CHECK_STR(coreapi_code_name(COREAPI_ERR_TIMEOUT), "ERR_TIMEOUT");
  CHECK_STR(coreapi_code_name(COREAPI_OK), "OK");
  CHECK_STR(coreapi_strerror((coreapi_code)COREAPI__CODE_LAST), "unknown error");
  CHECK_STR(coreapi_code_name((coreapi_code)COREAPI__CODE_LAST), "UNKNOWN");
  CHECK_STR(coreapi_strerror((coreapi_code)1000), "unknown error");
  CHECK_STR(coreapi_code_name((coreapi_code)1000), "UNKNOWN");
  CHECK_STR(coreapi_strerror((coreapi_code)0x7fffffff), "unknown error");

  /* coreapi_error_clear / coreapi_error_set. */
  coreapi_error e;
  memset(&e, 0x5a, sizeof e);
  coreapi_error_clear(&e);
  CHECK_INT(e.code, COREAPI_OK);
  CHECK_STR(e.text, "");
  coreapi_error_clear(NULL);

  CHECK_INT(coreapi_error_set(&e, COREAPI_ERR_BAD_URL, "first %d: %s", 1, "x"),
            COREAPI_ERR_BAD_URL);
  CHECK_INT(e.code, COREAPI_ERR_BAD_URL);
  CHECK_STR(e.text, "first 1: x");
  /* The first error is kept; the call still returns its own code. */
  CHECK_INT(coreapi_error_set(&e, COREAPI_ERR_TIMEOUT, "second"), COREAPI_ERR_TIMEOUT);
  CHECK_INT(e.code, COREAPI_ERR_BAD_URL);
  CHECK_STR(e.text, "first 1: x");
  CHECK_INT(coreapi_error_set(&e, COREAPI_ERR_IO, NULL), COREAPI_ERR_IO);
  CHECK_INT(e.code, COREAPI_ERR_BAD_URL);
  CHECK_STR(e.text, "first 1: x");

  /* A NULL format uses the code's message. */
  coreapi_error_clear(&e);
  CHECK_INT(coreapi_error_set(&e, COREAPI_ERR_IO, NULL), COREAPI_ERR_IO);
  CHECK_INT(e.code, COREAPI_ERR_IO);
  CHECK_STR(e.text, "file input/output error");
  coreapi_error_clear(&e);
  CHECK_INT(coreapi_error_set(&e, COREAPI_ERR_AUTH, "%d%% done", 50), COREAPI_ERR_AUTH);
  CHECK_STR(e.text, "50% done");
  /* NULL err. */
  CHECK_INT(coreapi_error_set(NULL, COREAPI_ERR_TLS, "nobody %s", "listens"), COREAPI_ERR_TLS);

  /* A long message is cut to fit, NUL-terminated. */
  {
    char longmsg[1000];
    memset(longmsg, 'm', sizeof longmsg - 1);
    longmsg[sizeof longmsg - 1] = '\0';
    coreapi_error_clear(&e);
    CHECK_INT(coreapi_error_set(&e, COREAPI_ERR_INTERNAL, "%s", longmsg), COREAPI_ERR_INTERNAL);
    CHECK_INT(e.code, COREAPI_ERR_INTERNAL);
    CHECK(memchr(e.text, '\0', sizeof e.text) != NULL);
    CHECK_INT(strlen(e.text), COREAPI_ERROR_TEXT_LENGTH - 1);
    CHECK(strncmp(e.text, longmsg, COREAPI_ERROR_TEXT_LENGTH - 1) == 0);
  }
}

static void test_version(void) {
  CHECK_STR(coreapi_version(), COREAPI_VERSION);
  CHECK_INT(coreapi_version_num(), COREAPI_VERSION_NUM);
  CHECK_INT(COREAPI_VERSION_NUM, 0x000100);
  CHECK(COREAPI_AT_LEAST_VERSION(0, 1, 0));
  CHECK(COREAPI_AT_LEAST_VERSION(0, 0, 9));
  CHECK(!COREAPI_AT_LEAST_VERSION(0, 1, 1));
  CHECK(!COREAPI_AT_LEAST_VERSION(1, 0, 0));
  char buf[32];
  snprintf(buf, sizeof buf, "%u.%u.%u", (coreapi_version_num() >> 16) & 0xffu,
           (coreapi_version_num() >> 8) & 0xffu, coreapi_version_num() & 0xffu);
  CHECK_STR(buf, coreapi_version());
}

int main(void) {
  test_methods();
  test_urls();
  test_headers();
  test_body();
  test_safe_memo_hop();
  test_errors();
  test_version();
  test_idn("C (the default)");
  if (setlocale(LC_CTYPE, "C.UTF-8") != NULL)
    test_idn("C.UTF-8");
  return check_done("test_request");
}
