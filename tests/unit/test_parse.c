/*
 * tests/unit/test_parse.c - the pure parsers of the message layer, case by
 * case: response header lines (coreapi__parse_header_line) and the jar's
 * matching of cookie-file lines against a request (coreapi__cookie_line_match,
 * coreapi__cookie_line_better), which decides the CSRF header.
 */
#include <string.h>

#include "../../src/http/http.h"
#include "check.h"

struct line_case {
  const char *line;
  coreapi__line_kind kind;
  long status;
  const char *name;  /* for fields */
  const char *value; /* reason, field value or fold value */
};

static const struct line_case line_cases[] = {
    {"HTTP/1.1 200 OK\r\n", COREAPI__LINE_STATUS, 200, NULL, "OK"},
    {"HTTP/1.1 404 Not Found\r\n", COREAPI__LINE_STATUS, 404, NULL, "Not Found"},
    {"HTTP/1.0 204\r\n", COREAPI__LINE_STATUS, 204, NULL, ""},
    {"HTTP/2 302 \r\n", COREAPI__LINE_STATUS, 302, NULL, ""},
    {"HTTP/3 200\n", COREAPI__LINE_STATUS, 200, NULL, ""},
    {"HTTP/1.1 100 Continue\r\n", COREAPI__LINE_STATUS, 100, NULL, "Continue"},
    {"HTTP/1.1 050 Low\r\n", COREAPI__LINE_BAD, 0, NULL, NULL},
    {"HTTP/1.1 2000 Big\r\n", COREAPI__LINE_BAD, 0, NULL, NULL},
    {"HTTP/1.1 20 Short\r\n", COREAPI__LINE_BAD, 0, NULL, NULL},
    {"HTTP/x 200 OK\r\n", COREAPI__LINE_BAD, 0, NULL, NULL},
    {"HTTP/1.1200 OK\r\n", COREAPI__LINE_BAD, 0, NULL, NULL},
    {"\r\n", COREAPI__LINE_END, 0, NULL, NULL},
    {"\n", COREAPI__LINE_END, 0, NULL, NULL},
    {"", COREAPI__LINE_END, 0, NULL, NULL},
    {"Content-Type: application/json\r\n", COREAPI__LINE_FIELD, 0, "Content-Type",
     "application/json"},
    {"X-Empty:\r\n", COREAPI__LINE_FIELD, 0, "X-Empty", ""},
    {"X-Spaces: \t padded \t \r\n", COREAPI__LINE_FIELD, 0, "X-Spaces", "padded"},
    {"Location:/x:y\r\n", COREAPI__LINE_FIELD, 0, "Location", "/x:y"},
    {"Set-Cookie: a=b; Path=/\r\n", COREAPI__LINE_FIELD, 0, "Set-Cookie", "a=b; Path=/"},
    {"  continued value \r\n", COREAPI__LINE_FOLD, 0, NULL, "continued value"},
    {"\tx\r\n", COREAPI__LINE_FOLD, 0, NULL, "x"},
    /* RFC 9112 section 5.1: no space between the name and the colon. */
    {"Bad Name: v\r\n", COREAPI__LINE_BAD, 0, NULL, NULL},
    {"Name : v\r\n", COREAPI__LINE_BAD, 0, NULL, NULL},
    {": no name\r\n", COREAPI__LINE_BAD, 0, NULL, NULL},
    {"NoColon\r\n", COREAPI__LINE_BAD, 0, NULL, NULL},
    {"X(y): v\r\n", COREAPI__LINE_BAD, 0, NULL, NULL},
    {"X-Cr: a\rb\r\n", COREAPI__LINE_BAD, 0, NULL, NULL},
};

static void test_lines(void) {
  for (size_t i = 0; i < sizeof(line_cases) / sizeof(line_cases[0]); i++) {
    const struct line_case *c = &line_cases[i];
    coreapi__header_line l;
    coreapi__line_kind k = coreapi__parse_header_line(c->line, strlen(c->line), &l);
    CHECK_INT(k, c->kind);
    if (k != c->kind) {
      fprintf(stderr, "  line %zu: '%s'\n", i, c->line);
      continue;
    }
    if (k == COREAPI__LINE_STATUS)
      CHECK_INT(l.status, c->status);
    if (c->name != NULL)
      CHECK(l.name_len == strlen(c->name) && memcmp(l.name, c->name, l.name_len) == 0);
    if (c->value != NULL)
      CHECK(l.value_len == strlen(c->value) && memcmp(l.value, c->value, l.value_len) == 0);
  }
  /* A NUL inside a line is bad; NULL input is bad, not a crash. */
  {
    coreapi__header_line l;
    CHECK_INT(coreapi__parse_header_line("X: a\0b\r\n", 8, &l), COREAPI__LINE_BAD);
    CHECK_INT(coreapi__parse_header_line(NULL, 4, &l), COREAPI__LINE_BAD);
  }
}

static void test_fold(void) {
  coreapi__headers h = {0};
  CHECK(coreapi__headers_extend_last(&h, "x", 1) == 0); /* nothing to extend */
  CHECK_INT(h.count, 0);
  REQUIRE(coreapi__headers_add(&h, "X-A", 3, "one", 3) == 0);
  REQUIRE(coreapi__headers_extend_last(&h, "two", 3) == 0);
  CHECK_STR(coreapi__headers_get(&h, "x-a"), "one two");
  REQUIRE(coreapi__headers_add(&h, "X-B", 3, "", 0) == 0);
  REQUIRE(coreapi__headers_extend_last(&h, "v", 1) == 0);
  CHECK_STR(coreapi__headers_get(&h, "X-B"), "v");
  coreapi__headers_free(&h);
}

struct cookie_case {
  const char *url;
  const char *line;
  const char *name;
  int match;
  const char *value;
};

#define NOW 1800000000LL

static const struct cookie_case cookie_cases[] = {
    {"http://api.test/", "api.test\tFALSE\t/\tFALSE\t0\tcsrftoken\tabc", "csrftoken", 1, "abc"},
    {"http://api.test/", "api.test\tFALSE\t/\tFALSE\t0\tcsrftoken\tabc", "other", 0, NULL},
    {"http://API.test/", "api.test\tFALSE\t/\tFALSE\t0\tc\tv", "c", 1, "v"},
    /* Secure: https only (the CSRF fix). */
    {"http://api.test/", "api.test\tFALSE\t/\tTRUE\t0\tc\tv", "c", 0, NULL},
    {"https://api.test/", "api.test\tFALSE\t/\tTRUE\t0\tc\tv", "c", 1, "v"},
    /* Expiry: 0 is a session cookie; earlier than now has expired. */
    {"http://api.test/", "api.test\tFALSE\t/\tFALSE\t1700000000\tc\tv", "c", 0, NULL},
    {"http://api.test/", "api.test\tFALSE\t/\tFALSE\t1900000000\tc\tv", "c", 1, "v"},
    /* Host-only cookies do not go to subdomains; domain cookies do. */
    {"http://x.api.test/", "api.test\tFALSE\t/\tFALSE\t0\tc\tv", "c", 0, NULL},
    {"http://x.api.test/", ".api.test\tTRUE\t/\tFALSE\t0\tc\tv", "c", 1, "v"},
    {"http://xapi.test/", ".api.test\tTRUE\t/\tFALSE\t0\tc\tv", "c", 0, NULL},
    {"http://other.test/", "api.test\tFALSE\t/\tFALSE\t0\tc\tv", "c", 0, NULL},
    /* Paths: a prefix ending at '/' or a segment boundary (RFC 6265 5.1.4). */
    {"http://api.test/api/x", "api.test\tFALSE\t/api\tFALSE\t0\tc\tv", "c", 1, "v"},
    {"http://api.test/api", "api.test\tFALSE\t/api\tFALSE\t0\tc\tv", "c", 1, "v"},
    {"http://api.test/api?q=1", "api.test\tFALSE\t/api\tFALSE\t0\tc\tv", "c", 1, "v"},
    {"http://api.test/apix", "api.test\tFALSE\t/api\tFALSE\t0\tc\tv", "c", 0, NULL},
    {"http://api.test/", "api.test\tFALSE\t/api\tFALSE\t0\tc\tv", "c", 0, NULL},
    {"http://api.test/admin/", "api.test\tFALSE\t/admin/\tFALSE\t0\tc\tv", "c", 1, "v"},
    {"http://api.test/", "#HttpOnly_api.test\tFALSE\t/\tFALSE\t0\tc\tv", "c", 1, "v"},
    /* libcurl's readings: a trailing '/' of the cookie's path does not
     * count; no domain matching against an IP address; Secure cookies go
     * over http to the loopback names. */
    {"http://api.test/api", "api.test\tFALSE\t/api/\tFALSE\t0\tc\tv", "c", 1, "v"},
    {"http://api.test/apix", "api.test\tFALSE\t/api/\tFALSE\t0\tc\tv", "c", 0, NULL},
    {"http://127.0.0.1/x", ".0.0.1\tTRUE\t/\tFALSE\t0\tc\tv", "c", 0, NULL},
    {"http://127.0.0.1/x", "127.0.0.1\tFALSE\t/\tFALSE\t0\tc\tv", "c", 1, "v"},
    {"http://127.0.0.1:8000/x", "127.0.0.1\tFALSE\t/\tTRUE\t0\tc\tv", "c", 1, "v"},
    {"http://localhost/x", "localhost\tFALSE\t/\tTRUE\t0\tc\tv", "c", 1, "v"},
    {"http://[::1]/x", "[::1]\tFALSE\t/\tTRUE\t0\tc\tv", "c", 1, "v"},
    {"http://127.0.0.2/x", "127.0.0.2\tFALSE\t/\tTRUE\t0\tc\tv", "c", 0, NULL},
    /* Not cookie lines. */
    {"http://api.test/", "api.test\tFALSE\t/", "c", 0, NULL},
    {"http://api.test/", "", "c", 0, NULL},
    {"http://api.test/", "api.test\tFALSE\t\tFALSE\t0\tc\tv", "c", 0, NULL},
    {"http://api.test/", "\tTRUE\t/\tFALSE\t0\tc\tv", "c", 0, NULL},
};

static void test_cookies(void) {
  for (size_t i = 0; i < sizeof(cookie_cases) / sizeof(cookie_cases[0]); i++) {
    const struct cookie_case *c = &cookie_cases[i];
    coreapi__url u;
    coreapi__cookie_match m;
    int got;
    REQUIRE(coreapi__url_parse(&u, c->url, NULL, NULL) == COREAPI_OK);
    got = coreapi__cookie_line_match(c->line, strlen(c->line), &u, c->name, NOW, &m);
    CHECK_INT(got, c->match);
    if (got != c->match)
      fprintf(stderr, "  cookie case %zu: %s against %s\n", i, c->line, c->url);
    if (got && c->value != NULL)
      CHECK(m.value_len == strlen(c->value) && memcmp(m.value, c->value, m.value_len) == 0);
    coreapi__url_free(&u);
  }
}

static void test_cookie_choice(void) {
  static const char *const jar[] = {
      "api.test\tFALSE\t/\tFALSE\t0\tcsrftoken\troot",
      "api.test\tFALSE\t/api\tFALSE\t0\tcsrftoken\tapi",
      ".api.test\tTRUE\t/api\tFALSE\t0\tcsrftoken\tdomain",
      "api.test\tFALSE\t/api/v2\tFALSE\t0\tcsrftoken\tv2",
  };
  coreapi__url u;
  coreapi__cookie_match best = {NULL, 0, 0, 0};
  REQUIRE(coreapi__url_parse(&u, "http://api.test/api/items", NULL, NULL) == COREAPI_OK);
  for (size_t i = 0; i < 4; i++)
    coreapi__cookie_line_better(jar[i], strlen(jar[i]), &u, "csrftoken", NOW, &best);
  /* libcurl sends /api's two, then /'s; /api/v2 does not match. The server
   * reads the last one sent: root's. */
  REQUIRE(best.value != NULL);
  CHECK(best.value_len == 4 && memcmp(best.value, "root", 4) == 0);
  /* Without the / cookie: of the two on /api, the first listed (libcurl's
   * older one, sent last). */
  best.value = NULL;
  for (size_t i = 1; i < 4; i++)
    coreapi__cookie_line_better(jar[i], strlen(jar[i]), &u, "csrftoken", NOW, &best);
  REQUIRE(best.value != NULL);
  CHECK(best.value_len == 3 && memcmp(best.value, "api", 3) == 0);
  coreapi__url_free(&u);
}

int main(void) {
  test_lines();
  test_fold();
  test_cookies();
  test_cookie_choice();
  return check_done("test_parse");
}
