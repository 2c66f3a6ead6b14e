/*
 * tests/unit/test_domain.c - the domain patterns of coreapi/domain.h, rule by
 * rule, through coreapi_domain_check, coreapi_domain_matches and
 * coreapi_domain_normalize.
 */
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include <coreapi/coreapi.h>

#include "check.h"

static coreapi_error err;

/* A fresh error detail for the next call. */
static coreapi_error *fresh(void) {
  memset(&err, 0x5a, sizeof err); /* garbage everywhere, then a cleared detail */
  err.code = COREAPI_OK;
  err.http_status = 0;
  err.text[0] = '\0';
  return &err;
}

/* pattern must match url: 1, and err untouched. */
#define MATCH(pattern, url)                                     \
  do {                                                          \
    CHECK_INT(coreapi_domain_matches((pattern), (url), fresh()), 1); \
    CHECK_INT(err.code, COREAPI_OK);                            \
  } while (0)

/* pattern must not match url: 0, and err untouched. */
#define NO_MATCH(pattern, url)                                  \
  do {                                                          \
    CHECK_INT(coreapi_domain_matches((pattern), (url), fresh()), 0); \
    CHECK_INT(err.code, COREAPI_OK);                            \
  } while (0)

/* pattern is valid. */
#define VALID(pattern)                                                \
  do {                                                                \
    CHECK_INT(coreapi_domain_check((pattern), fresh()), COREAPI_OK);  \
    CHECK_INT(err.code, COREAPI_OK);                                  \
  } while (0)

/* pattern is refused by every entry point with ERR_BAD_DOMAIN and a message. */
#define INVALID(pattern)                                                        \
  do {                                                                          \
    char inv_buf_[128];                                                         \
    CHECK_INT(coreapi_domain_check((pattern), fresh()), COREAPI_ERR_BAD_DOMAIN); \
    CHECK_INT(err.code, COREAPI_ERR_BAD_DOMAIN);                                \
    CHECK(err.text[0] != '\0');                                                 \
    CHECK_INT(err.http_status, 0);                                              \
    CHECK_INT(coreapi_domain_check((pattern), NULL), COREAPI_ERR_BAD_DOMAIN);   \
    CHECK_INT(coreapi_domain_matches((pattern), "http://example.com/", fresh()), -1); \
    CHECK_INT(err.code, COREAPI_ERR_BAD_DOMAIN);                                \
    CHECK(err.text[0] != '\0');                                                 \
    CHECK_INT(coreapi_domain_matches((pattern), "http://example.com/", NULL), -1); \
    CHECK_INT(coreapi_domain_normalize((pattern), inv_buf_, sizeof inv_buf_, fresh()), \
              COREAPI_ERR_BAD_DOMAIN);                                          \
    CHECK_INT(err.code, COREAPI_ERR_BAD_DOMAIN);                                \
  } while (0)

/* pattern normalises to expected. */
#define NORMALIZES(pattern, expected)                                          \
  do {                                                                         \
    char norm_buf_[256];                                                       \
    memset(norm_buf_, 'Z', sizeof norm_buf_);                                  \
    CHECK_INT(coreapi_domain_normalize((pattern), norm_buf_, sizeof norm_buf_, fresh()), \
              COREAPI_OK);                                                     \
    norm_buf_[sizeof norm_buf_ - 1] = '\0';                                    \
    CHECK_STR(norm_buf_, (expected));                                          \
  } while (0)

/* url is not something a pattern can be matched against: -1, err says why. */
#define BAD_URL_FOR(pattern, url)                                   \
  do {                                                              \
    CHECK_INT(coreapi_domain_matches((pattern), (url), fresh()), -1); \
    CHECK(err.code == COREAPI_ERR_BAD_URL || err.code == COREAPI_ERR_UNSUPPORTED_SCHEME); \
    CHECK(err.text[0] != '\0');                                     \
    CHECK_INT(coreapi_domain_matches((pattern), (url), NULL), -1);  \
  } while (0)

static void test_everything(void) {
  /* NULL and "*" are valid and match every host, IP literals included. */
  VALID(NULL);
  VALID("*");
  const char *const any[] = {
      "http://example.com/",      "https://api.example.com:8443/x?y#z",
      "http://127.0.0.1/",        "http://127.0.0.1:8000/",
      "http://[::1]/",            "https://[::1]:8443/",
      "http://10.1.2.3/",         "http://localhost/",
      "http://evil.test/",        "http://user:pw@evil.test/",
      "http://xn--bcher-kva.example/",
  };
  for (size_t i = 0; i < sizeof any / sizeof any[0]; i++) {
    MATCH(NULL, any[i]);
    MATCH("*", any[i]);
  }
  NORMALIZES(NULL, "*");
  NORMALIZES("*", "*");
}

static void test_exact(void) {
  VALID("api.example.com");
  VALID("localhost");
  MATCH("api.example.com", "http://api.example.com/");
  MATCH("api.example.com", "https://api.example.com/");
  MATCH("api.example.com", "http://api.example.com/some/path?q=1#frag");
  NO_MATCH("api.example.com", "http://example.com/");
  NO_MATCH("api.example.com", "http://x.api.example.com/");
  NO_MATCH("api.example.com", "http://api.example.com.evil.test/");
  NO_MATCH("api.example.com", "http://evilapi.example.com/");
  NO_MATCH("api.example.com", "http://api.example.co/");
  NO_MATCH("api.example.com", "http://api.example.comm/");
  NO_MATCH("api.example.com", "http://pi.example.com/");
  MATCH("localhost", "http://localhost:8000/");
  NO_MATCH("localhost", "http://127.0.0.1/");
}

static void test_wildcard(void) {
  VALID("*.example.com");
  VALID("*.com");
  MATCH("*.example.com", "http://a.example.com/");
  MATCH("*.example.com", "https://a.example.com/");
  MATCH("*.example.com", "http://a.b.example.com/");
  MATCH("*.example.com", "http://x-y.a.b.example.com:81/p");
  NO_MATCH("*.example.com", "http://example.com/");
  NO_MATCH("*.example.com", "https://example.com/");
  NO_MATCH("*.example.com", "http://evilexample.com/");
  NO_MATCH("*.example.com", "http://a.evilexample.com/");
  NO_MATCH("*.example.com", "http://example.com.evil.test/");
  NO_MATCH("*.example.com", "http://a.example.com.evil.test/");
  NO_MATCH("*.example.com", "http://a.example.co/");
  NO_MATCH("*.example.com", "http://a.example.comx/");
  NO_MATCH("*.example.com", "http://other.test/");
  /* A host with an empty first label is no subdomain (refused or no match). */
  CHECK(coreapi_domain_matches("*.example.com", "http://.example.com/", fresh()) != 1);
  MATCH("*.com", "http://example.com/");
  NO_MATCH("*.com", "http://example.org/");
}

static void test_rejected(void) {
  INVALID("");
  INVALID("*example.com");
  INVALID("a.*.com");
  INVALID("a.example.*");
  INVALID("**.x");
  INVALID("*.*.example.com");
  INVALID("*.");
  INVALID("example*");
  INVALID("ex*ample.com");
  INVALID(".*.example.com");
  INVALID(" *.example.com");
  /* spaces */
  INVALID("api example.com");
  INVALID(" api.example.com");
  INVALID("api.example.com ");
  INVALID("*. example.com");
  /* slashes, paths, URLs */
  INVALID("api.example.com/");
  INVALID("api.example.com/path");
  INVALID("http://api.example.com");
  INVALID("//api.example.com");
  /* ports */
  INVALID("api.example.com:8080");
  INVALID("api.example.com:");
  INVALID("*.example.com:443");
  INVALID("127.0.0.1:80");
  INVALID("[::1]:8080");
  /* userinfo */
  INVALID("user@api.example.com");
  INVALID("user:pw@api.example.com");
  INVALID("api.example.com@evil.test");
  /* query, fragment */
  INVALID("api.example.com?x");
  INVALID("api.example.com#x");
  /* control characters */
  INVALID("api.example.com\r\n");
  INVALID("api.example.com\n");
  INVALID("api\texample.com");
  INVALID("api.\x01" "example.com");
  INVALID("api.example.com\x7f");
  INVALID("\x1b" "api.example.com");
  /* invalid UTF-8 cannot be a name */
  INVALID("\xff.example.com");
  INVALID("b\xc3.example.com");
}

static void test_case_and_trailing_dot(void) {
  /* Case: neither the pattern's nor the host's decides. */
  VALID("API.Example.COM");
  NORMALIZES("API.Example.COM", "api.example.com");
  MATCH("API.Example.COM", "http://api.example.com/");
  MATCH("api.example.com", "http://API.Example.COM/");
  MATCH("API.EXAMPLE.COM", "HTTPS://Api.Example.Com/");
  NORMALIZES("*.Example.COM", "*.example.com");
  MATCH("*.Example.COM", "http://a.example.com/");
  MATCH("*.example.com", "http://A.EXAMPLE.COM/");
  NO_MATCH("*.EXAMPLE.COM", "http://EXAMPLE.COM/");

  /* One trailing dot, on the pattern or on the host. */
  VALID("api.example.com.");
  NORMALIZES("api.example.com.", "api.example.com");
  NORMALIZES("API.Example.COM.", "api.example.com");
  MATCH("api.example.com.", "http://api.example.com/");
  MATCH("api.example.com", "http://api.example.com./");
  MATCH("api.example.com.", "http://api.example.com./");
  MATCH("api.example.com", "http://API.EXAMPLE.COM.:8080/");
  NORMALIZES("*.example.com.", "*.example.com");
  MATCH("*.example.com.", "http://a.example.com/");
  MATCH("*.example.com", "http://a.example.com./");
  NO_MATCH("*.example.com", "http://example.com./");
  NO_MATCH("*.example.com.", "http://example.com/");
  NORMALIZES("api.example.com", "api.example.com");
  NORMALIZES("*.example.com", "*.example.com");
}

/* The checks that involve internationalised names. Run once in the locale a
 * program starts with ("C") and once in a UTF-8 locale: the contract names no
 * locale requirement, and libcurl's IDN conversion depends on LC_CTYPE. */
static void test_idn(const char *locale_name) {
  fprintf(stderr, "-- IDN checks in locale %s\n", locale_name);
  VALID("bücher.example");
  NORMALIZES("bücher.example", "xn--bcher-kva.example");
  NORMALIZES("BÜCHER.example", "xn--bcher-kva.example");
  NORMALIZES("*.bücher.example", "*.xn--bcher-kva.example");
  NORMALIZES("xn--bcher-kva.example", "xn--bcher-kva.example");
  NORMALIZES("XN--BCHER-KVA.EXAMPLE", "xn--bcher-kva.example");
  MATCH("bücher.example", "http://bücher.example/");
  MATCH("bücher.example", "http://BÜCHER.example/");
  MATCH("bücher.example", "http://xn--bcher-kva.example/");
  MATCH("bücher.example", "https://XN--BCHER-KVA.EXAMPLE/");
  MATCH("xn--bcher-kva.example", "http://BÜCHER.example/");
  MATCH("XN--BCHER-KVA.example", "http://bücher.example/");
  MATCH("BÜCHER.example", "http://bücher.example/");
  MATCH("bücher.example.", "http://bücher.example/");
  NO_MATCH("bücher.example", "http://bucher.example/");
  NO_MATCH("bücher.example", "http://xn--bcher-kva.example.evil.test/");
  MATCH("*.bücher.example", "http://api.xn--bcher-kva.example/");
  MATCH("*.xn--bcher-kva.example", "http://api.BÜCHER.example/");
  NO_MATCH("*.bücher.example", "http://bücher.example/");
  NO_MATCH("*.example.com", "http://bücher.example/");
}

static void test_ip_literals(void) {
  VALID("127.0.0.1");
  VALID("[::1]");
  NORMALIZES("127.0.0.1", "127.0.0.1");
  NORMALIZES("[::1]", "[::1]");
  MATCH("127.0.0.1", "http://127.0.0.1/");
  MATCH("127.0.0.1", "http://127.0.0.1:8000/x");
  MATCH("127.0.0.1", "https://127.0.0.1/");
  NO_MATCH("127.0.0.1", "http://127.0.0.2/");
  NO_MATCH("127.0.0.1", "http://[::1]/");
  NO_MATCH("127.0.0.1", "http://127.0.0.1.evil.test/");
  MATCH("[::1]", "http://[::1]/");
  MATCH("[::1]", "http://[::1]:8080/");
  MATCH("[::1]", "https://[::1]/");
  NO_MATCH("[::1]", "http://127.0.0.1/");
  NO_MATCH("[::1]", "http://[::2]/");
  /* libcurl's URL API parses the host: these are 127.0.0.1 as well. */
  MATCH("127.0.0.1", "http://2130706433/");
  MATCH("127.0.0.1", "http://0x7f.1/");

  /* A wildcard never covers an IP literal, whatever its text ends with. The
   * pattern may be refused (-1) or not match (0); it must never match. */
  const char *const ips[] = {"http://127.0.0.1/", "http://127.0.0.1:8000/",
                             "http://2130706433/", "http://10.0.0.1/"};
  const char *const wild[] = {"*.0.0.1", "*.0.1", "*.1", "*.0.0.1."};
  for (size_t i = 0; i < sizeof ips / sizeof ips[0]; i++)
    for (size_t j = 0; j < sizeof wild / sizeof wild[0]; j++)
      CHECK(coreapi_domain_matches(wild[j], ips[i], fresh()) != 1);
  const char *const wild6[] = {"*.1]", "*.[::1]", "*:1]", "*.1"};
  for (size_t j = 0; j < sizeof wild6 / sizeof wild6[0]; j++) {
    CHECK(coreapi_domain_matches(wild6[j], "http://[::1]/", fresh()) != 1);
    CHECK(coreapi_domain_matches(wild6[j], "http://[::1]:8080/", fresh()) != 1);
  }
}

static void test_userinfo(void) {
  /* The host of these URLs is evil.test; the userinfo decides nothing. */
  const char *const urls[] = {
      "http://api.example.com@evil.test/",
      "http://api.example.com:pw@evil.test/",
      "https://api.example.com:443@evil.test/",
      "http://a.example.com:x@evil.test:8080/path",
      "http://example.com@evil.test/",
  };
  for (size_t i = 0; i < sizeof urls / sizeof urls[0]; i++) {
    NO_MATCH("api.example.com", urls[i]);
    NO_MATCH("*.example.com", urls[i]);
    NO_MATCH("example.com", urls[i]);
    MATCH("evil.test", urls[i]);
    MATCH("*", urls[i]);
  }
  /* Query and fragment are not the host either. */
  NO_MATCH("api.example.com", "http://evil.test?@api.example.com/");
  NO_MATCH("api.example.com", "http://evil.test/#@api.example.com");
  MATCH("evil.test", "http://evil.test?@api.example.com/");
  /* And a userinfo that looks harmless does not stop a real match. */
  MATCH("api.example.com", "http://evil.test:pw@api.example.com/");
  MATCH("*.example.com", "http://u@a.example.com/");
}

static void test_ports_and_schemes(void) {
  const char *const pats[] = {"api.example.com", "*.example.com", "*", NULL};
  const char *const yes[] = {
      "http://api.example.com/",       "https://api.example.com/",
      "http://api.example.com:80/",    "https://api.example.com:443/",
      "http://api.example.com:8080/",  "https://api.example.com:8443/",
      "http://api.example.com:443/",   "https://api.example.com:80/",
      "HTTP://API.EXAMPLE.COM:1/",
  };
  for (size_t p = 0; p < sizeof pats / sizeof pats[0]; p++)
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
      MATCH(pats[p], yes[i]);
  const char *const no[] = {"http://other.test/", "https://other.test:443/",
                            "http://other.test:8080/", "https://example.com:8443/"};
  for (size_t p = 0; p < 2; p++)
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
      NO_MATCH(pats[p], no[i]);
}

static void test_invalid_urls(void) {
  const char *const pats[] = {"api.example.com", "*.example.com", "*", NULL};
  for (size_t p = 0; p < sizeof pats / sizeof pats[0]; p++) {
    /* not absolute */
    CHECK_INT(coreapi_domain_matches(pats[p], "api.example.com/path", fresh()), -1);
    CHECK_INT(err.code, COREAPI_ERR_BAD_URL);
    CHECK(err.text[0] != '\0');
    CHECK_INT(coreapi_domain_matches(pats[p], "/relative/path", fresh()), -1);
    CHECK_INT(err.code, COREAPI_ERR_BAD_URL);
    BAD_URL_FOR(pats[p], "api.example.com");
    BAD_URL_FOR(pats[p], "");
    BAD_URL_FOR(pats[p], "not a url");
    BAD_URL_FOR(pats[p], "http://");
    BAD_URL_FOR(pats[p], "http://api example.com/");
    BAD_URL_FOR(pats[p], "http://api.example.com:99999/");
    /* not http or https */
    BAD_URL_FOR(pats[p], "file:///etc/passwd");
    BAD_URL_FOR(pats[p], "file://api.example.com/etc/passwd");
    BAD_URL_FOR(pats[p], "ftp://api.example.com/");
    BAD_URL_FOR(pats[p], "gopher://api.example.com/");
    BAD_URL_FOR(pats[p], "ldap://api.example.com/");
  }
  /* The scheme errors come as ERR_UNSUPPORTED_SCHEME, as for a request. */
  CHECK_INT(coreapi_domain_matches("*", "ftp://api.example.com/", fresh()), -1);
  CHECK_INT(err.code, COREAPI_ERR_UNSUPPORTED_SCHEME);
  CHECK_INT(coreapi_domain_matches("*", "file:///etc/passwd", fresh()), -1);
  CHECK_INT(err.code, COREAPI_ERR_UNSUPPORTED_SCHEME);
  CHECK_INT(coreapi_domain_matches("*", "gopher://api.example.com/", fresh()), -1);
  CHECK_INT(err.code, COREAPI_ERR_UNSUPPORTED_SCHEME);
}

static void test_null_arguments(void) {
  CHECK_INT(coreapi_domain_matches("*", NULL, fresh()), -1);
  CHECK_INT(err.code, COREAPI_ERR_INVALID_ARGUMENT);
  CHECK(err.text[0] != '\0');
  CHECK_INT(coreapi_domain_matches(NULL, NULL, fresh()), -1);
  CHECK_INT(err.code, COREAPI_ERR_INVALID_ARGUMENT);
  CHECK_INT(coreapi_domain_matches("api.example.com", NULL, fresh()), -1);
  CHECK_INT(err.code, COREAPI_ERR_INVALID_ARGUMENT);
  CHECK_INT(coreapi_domain_matches("*", NULL, NULL), -1);

  CHECK_INT(coreapi_domain_check(NULL, NULL), COREAPI_OK);
  CHECK_INT(coreapi_domain_check("api.example.com", NULL), COREAPI_OK);
  CHECK_INT(coreapi_domain_matches("api.example.com", "http://api.example.com/", NULL), 1);
  CHECK_INT(coreapi_domain_matches("api.example.com", "http://evil.test/", NULL), 0);

  char buf[64];
  CHECK_INT(coreapi_domain_normalize("api.example.com", NULL, 64, fresh()),
            COREAPI_ERR_INVALID_ARGUMENT);
  CHECK_INT(err.code, COREAPI_ERR_INVALID_ARGUMENT);
  CHECK_INT(coreapi_domain_normalize("api.example.com", buf, 0, fresh()),
            COREAPI_ERR_INVALID_ARGUMENT);
  CHECK_INT(err.code, COREAPI_ERR_INVALID_ARGUMENT);
  CHECK_INT(coreapi_domain_normalize(NULL, buf, sizeof buf, NULL), COREAPI_OK);
  CHECK_STR(buf, "*");
}

static void test_normalize_buffer(void) {
  /* "api.example.com" is 15 characters: 16 bytes fit, 15 do not. */
  char buf[32];
  memset(buf, 'Z', sizeof buf);
  CHECK_INT(coreapi_domain_normalize("API.example.com.", buf, 16, fresh()), COREAPI_OK);
  CHECK_STR(buf, "api.example.com");
  CHECK(buf[16] == 'Z'); /* nothing written past size */
  memset(buf, 'Z', sizeof buf);
  CHECK_INT(coreapi_domain_normalize("api.example.com", buf, 15, fresh()),
            COREAPI_ERR_INVALID_ARGUMENT);
  CHECK_INT(err.code, COREAPI_ERR_INVALID_ARGUMENT);
  CHECK(err.text[0] != '\0');
  CHECK(buf[15] == 'Z');
  CHECK_INT(coreapi_domain_normalize("*", buf, 2, fresh()), COREAPI_OK);
  CHECK_STR(buf, "*");
  CHECK_INT(coreapi_domain_normalize(NULL, buf, 1, fresh()), COREAPI_ERR_INVALID_ARGUMENT);
  /* An invalid pattern is ERR_BAD_DOMAIN whatever the buffer. */
  CHECK_INT(coreapi_domain_normalize("*example.com", buf, sizeof buf, fresh()),
            COREAPI_ERR_BAD_DOMAIN);
}

int main(void) {
  test_everything();
  test_exact();
  test_wildcard();
  test_rejected();
  test_case_and_trailing_dot();
  test_ip_literals();
  test_userinfo();
  test_ports_and_schemes();
  test_invalid_urls();
  test_null_arguments();
  test_normalize_buffer();
  test_idn("C (the default)");
  if (setlocale(LC_CTYPE, "C.UTF-8") != NULL)
    test_idn("C.UTF-8");
  return check_done("test_domain");
}
