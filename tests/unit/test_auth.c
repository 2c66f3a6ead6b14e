/*
 * tests/unit/test_auth.c - the authentication schemes of coreapi/auth.h:
 * the exact header bytes they produce, every input they refuse, domain
 * scoping through coreapi_auth_apply, descriptions without secrets, reference
 * counting and custom schemes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <coreapi/coreapi.h>

#include "../../src/http/http.h" /* an API key's query and cookie */
#include "check.h"

static coreapi_error err;

/* A fresh error detail for the next call. */
static coreapi_error *fresh(void) {
  memset(&err, 0x5a, sizeof err);
  err.code = COREAPI_OK;
  err.http_status = 0;
  err.text[0] = '\0';
  return &err;
}

static coreapi_request *new_request(const char *method, const char *url) {
  coreapi_request *req = coreapi_request_new(method, url, fresh());
  if (req == NULL)
    fprintf(stderr, "coreapi_request_new(%s, %s) failed: %s (%s)\n", method ? method : "NULL",
            url, coreapi_code_name(err.code), err.text);
  REQUIRE(req != NULL);
  return req;
}

/* How many headers called name (any case) req has. */
static int count_headers(const coreapi_request *req, const char *name) {
  int n = 0;
  size_t count = coreapi_request_header_count(req);
  for (size_t i = 0; i < count; i++) {
    const char *hn = NULL, *hv = NULL;
    if (coreapi_request_header_at(req, i, &hn, &hv) == 0 && hn != NULL) {
      size_t a = strlen(hn), b = strlen(name);
      int same = a == b;
      for (size_t k = 0; same && k < a; k++) {
        char x = hn[k], y = name[k];
        if (x >= 'A' && x <= 'Z') x = (char)(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z') y = (char)(y - 'A' + 'a');
        same = x == y;
      }
      n += same;
    }
  }
  return n;
}

/* Apply auth to a fresh GET of url; the Authorization header it leaves, or
 * NULL, copied into out. Returns the code apply returned. */
static coreapi_code authorization_for(const coreapi_auth *auth, const char *url, char *out,
                                      size_t size, int *applied) {
  coreapi_request *req = new_request("GET", url);
  coreapi_code rc = coreapi_auth_apply(auth, req, applied, fresh());
  const char *v = coreapi_request_header(req, "Authorization");
  if (v != NULL)
    snprintf(out, size, "%s", v);
  else
    snprintf(out, size, "(none)");
  CHECK(count_headers(req, "Authorization") <= 1);
  coreapi_request_free(req);
  return rc;
}

/* ---------------------------------------------------------------- Basic */

static void expect_basic(const char *user, const char *pass, const char *expected) {
  coreapi_auth *a = coreapi_auth_basic_new(user, pass, NULL, fresh());
  CHECK(a != NULL);
  if (a == NULL) {
    fprintf(stderr, "  basic(%s, %s) refused: %s (%s)\n", user, pass,
            coreapi_code_name(err.code), err.text);
    return;
  }
  CHECK_INT(err.code, COREAPI_OK);
  char got[1024];
  int applied = 42;
  CHECK_INT(authorization_for(a, "http://api.example.com/", got, sizeof got, &applied),
            COREAPI_OK);
  CHECK_INT(applied, 1);
  CHECK_STR(got, expected);
  coreapi_auth_free(a);
}

static void refuse_basic(const char *user, const char *pass, int line) {
  coreapi_auth *a = coreapi_auth_basic_new(user, pass, NULL, fresh());
  CHECK(a == NULL);
  CHECK_INT(err.code, COREAPI_ERR_BAD_CREDENTIALS);
  CHECK(err.text[0] != '\0');
  if (a != NULL || err.code != COREAPI_ERR_BAD_CREDENTIALS)
    fprintf(stderr, "  (refuse_basic called from line %d)\n", line);
  coreapi_auth_free(a);
  /* Without an error detail too. */
  a = coreapi_auth_basic_new(user, pass, "api.example.com", NULL);
  CHECK(a == NULL);
  coreapi_auth_free(a);
}
#define REFUSE_BASIC(u, p) refuse_basic((u), (p), __LINE__)

static void test_basic(void) {
  expect_basic("Aladdin", "open sesame", "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
  /* RFC 7617 section 2.1: the credentials are UTF-8. */
  expect_basic("test", "123\xc2\xa3", "Basic dGVzdDoxMjPCow==");
  expect_basic("user", "", "Basic dXNlcjo=");
  expect_basic("a", "b", "Basic YTpi");
  /* A ':' is allowed in the password (only the first one separates). */
  expect_basic("user", "pa:ss", "Basic dXNlcjpwYTpzcw==");
  /* Non-ASCII UTF-8 in the username and the password. */
  expect_basic("Jos\xc3\xa9", "p\xc3\xa4sswörd", "Basic Sm9zw6k6cMOkc3N3w7ZyZA==");
  expect_basic("\xe6\x97\xa5\xe6\x9c\xac", "x", "Basic 5pel5pysOng=");

  /* A long password: "a:" and 300 'p' is "a:p" then 99 times "ppp" then "pp". */
  {
    char pass[301];
    memset(pass, 'p', 300);
    pass[300] = '\0';
    char expected[8 + 4 + 99 * 4 + 4 + 1];
    strcpy(expected, "Basic YTpw");
    for (int i = 0; i < 99; i++)
      strcat(expected, "cHBw");
    strcat(expected, "cHA=");
    expect_basic("a", pass, expected);
  }

  /* The strings are copied. */
  {
    char user[] = "Aladdin", pass[] = "open sesame";
    coreapi_auth *a = coreapi_auth_basic_new(user, pass, NULL, fresh());
    REQUIRE(a != NULL);
    memset(user, 'X', sizeof user - 1);
    memset(pass, 'X', sizeof pass - 1);
    char got[256];
    CHECK_INT(authorization_for(a, "https://api.example.com/", got, sizeof got, NULL),
              COREAPI_OK);
    CHECK_STR(got, "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
    coreapi_auth_free(a);
  }

  /* Applying replaces an Authorization header already there. */
  {
    coreapi_auth *a = coreapi_auth_basic_new("Aladdin", "open sesame", NULL, fresh());
    REQUIRE(a != NULL);
    coreapi_request *req = new_request("POST", "http://api.example.com/");
    CHECK_INT(coreapi_request_set_header(req, "authorization", "Bearer old", fresh()),
              COREAPI_OK);
    CHECK_INT(coreapi_request_set_header(req, "X-Other", "kept", fresh()), COREAPI_OK);
    int applied = 0;
    CHECK_INT(coreapi_auth_apply(a, req, &applied, fresh()), COREAPI_OK);
    CHECK_INT(applied, 1);
    CHECK_STR(coreapi_request_header(req, "Authorization"),
              "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
    CHECK_INT(count_headers(req, "Authorization"), 1);
    CHECK_STR(coreapi_request_header(req, "X-Other"), "kept");
    /* Applying twice gives the same single header. */
    CHECK_INT(coreapi_auth_apply(a, req, NULL, fresh()), COREAPI_OK);
    CHECK_INT(count_headers(req, "Authorization"), 1);
    CHECK_STR(coreapi_request_header(req, "Authorization"),
              "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
    coreapi_request_free(req);
    coreapi_auth_free(a);
  }

  /* Refused: ':' in the username. */
  REFUSE_BASIC("Alad:din", "open sesame");
  REFUSE_BASIC(":", "x");
  REFUSE_BASIC("user:", "");
  /* Control characters, in either. */
  const char *const ctl[] = {"a\rb", "a\nb", "\r\n", "a\tb", "\t", "a\x7f",  "\x7f",
                             "\x01", "a\x1b", "b\x1f", "x\x0b", "x\x0c", "\x08"};
  for (size_t i = 0; i < sizeof ctl / sizeof ctl[0]; i++) {
    REFUSE_BASIC(ctl[i], "password");
    REFUSE_BASIC("user", ctl[i]);
  }
  /* Invalid UTF-8, in either: a lone byte, a cut sequence, an overlong form,
   * a surrogate, a code point past U+10FFFF, a lone continuation byte. */
  const char *const bad8[] = {"\xff", "caf\xc3", "\xc0\xaf", "\xe0\x80\xaf", "\xed\xa0\x80",
                              "\xf4\x90\x80\x80", "a\x80z", "\xfe\xfe", "\xe6\x97"};
  for (size_t i = 0; i < sizeof bad8 / sizeof bad8[0]; i++) {
    REFUSE_BASIC(bad8[i], "password");
    REFUSE_BASIC("user", bad8[i]);
  }
  /* NULL username or password: refused (the header does not name the code:
   * ERR_INVALID_ARGUMENT or ERR_BAD_CREDENTIALS). */
  {
    coreapi_auth *a = coreapi_auth_basic_new(NULL, "pw", NULL, fresh());
    CHECK(a == NULL);
    CHECK(err.code == COREAPI_ERR_INVALID_ARGUMENT || err.code == COREAPI_ERR_BAD_CREDENTIALS);
    CHECK(err.text[0] != '\0');
    coreapi_auth_free(a);
    a = coreapi_auth_basic_new("user", NULL, NULL, fresh());
    CHECK(a == NULL);
    CHECK(err.code == COREAPI_ERR_INVALID_ARGUMENT || err.code == COREAPI_ERR_BAD_CREDENTIALS);
    CHECK(err.text[0] != '\0');
    coreapi_auth_free(a);
    a = coreapi_auth_basic_new(NULL, NULL, NULL, NULL);
    CHECK(a == NULL);
    coreapi_auth_free(a);
  }
  /* A bad domain pattern. */
  {
    coreapi_auth *a = coreapi_auth_basic_new("user", "pw", "*example.com", fresh());
    CHECK(a == NULL);
    CHECK_INT(err.code, COREAPI_ERR_BAD_DOMAIN);
    CHECK(err.text[0] != '\0');
    coreapi_auth_free(a);
  }
}

/* ---------------------------------------------------------------- Token */

static void expect_token(const char *token, const char *scheme, const char *expected) {
  coreapi_auth *a = coreapi_auth_token_new(token, scheme, NULL, fresh());
  CHECK(a != NULL);
  if (a == NULL) {
    fprintf(stderr, "  token(%s, %s) refused: %s (%s)\n", token, scheme ? scheme : "NULL",
            coreapi_code_name(err.code), err.text);
    return;
  }
  char got[512];
  int applied = 0;
  CHECK_INT(authorization_for(a, "https://api.example.com/x", got, sizeof got, &applied),
            COREAPI_OK);
  CHECK_INT(applied, 1);
  CHECK_STR(got, expected);
  coreapi_auth_free(a);
}

static void refuse_token(const char *token, const char *scheme, int line) {
  coreapi_auth *a = coreapi_auth_token_new(token, scheme, NULL, fresh());
  CHECK(a == NULL);
  CHECK_INT(err.code, COREAPI_ERR_BAD_CREDENTIALS);
  CHECK(err.text[0] != '\0');
  if (a != NULL || err.code != COREAPI_ERR_BAD_CREDENTIALS)
    fprintf(stderr, "  (refuse_token called from line %d)\n", line);
  coreapi_auth_free(a);
  a = coreapi_auth_token_new(token, scheme, NULL, NULL);
  CHECK(a == NULL);
  coreapi_auth_free(a);
}
#define REFUSE_TOKEN(t, s) refuse_token((t), (s), __LINE__)

static void test_token(void) {
  expect_token("xyz", NULL, "Bearer xyz");
  expect_token("xyz", "Bearer", "Bearer xyz");
  expect_token("9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b", "Token",
               "Token 9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b");
  expect_token("eyJhbGciOiJIUzI1NiJ9.e30.sig", "JWT", "JWT eyJhbGciOiJIUzI1NiJ9.e30.sig");
  /* Every visible ASCII character may be in a token. */
  expect_token("a!\"#$%&'()*+,-./09:;<=>?@AZ[\\]^_`az{|}~", NULL,
               "Bearer a!\"#$%&'()*+,-./09:;<=>?@AZ[\\]^_`az{|}~");
  expect_token("t", "x", "x t");
  /* A scheme may use every token character. */
  expect_token("t", "A-Z_0.9!#$%&'*+^`|~", "A-Z_0.9!#$%&'*+^`|~ t");

  /* Refused tokens. */
  const char *const bad_tokens[] = {
      "",      " ",        "a b",      " xyz",        "xyz ", "a\tb",     "a\rb",
      "a\nb",  "xyz\r\n",  "\x01",     "a\x1f",       "a\x7f", "caf\xc3\xa9", "\xff",
      "a\x0b", "\xc2\x85",
  };
  for (size_t i = 0; i < sizeof bad_tokens / sizeof bad_tokens[0]; i++)
    REFUSE_TOKEN(bad_tokens[i], NULL);
  /* Refused schemes: not RFC 9110 tokens. */
  const char *const bad_schemes[] = {
      "",    " ",    "Bear er", " Bearer", "Bearer ", "a/b",        "a:b",   "a@b",
      "a,b", "a;b",  "a=b",     "(a)",     "[a]",     "{a}",        "a\"b",  "a?b",
      "a\\b", "a\tb", "a\rb",   "a\nb",    "a\x01",   "a\x7f",      "B\xc3\xa9", "\xff",
      "<a>",
  };
  for (size_t i = 0; i < sizeof bad_schemes / sizeof bad_schemes[0]; i++)
    REFUSE_TOKEN("xyz", bad_schemes[i]);
  /* NULL token: refused (ERR_BAD_CREDENTIALS or ERR_INVALID_ARGUMENT). */
  {
    coreapi_auth *a = coreapi_auth_token_new(NULL, NULL, NULL, fresh());
    CHECK(a == NULL);
    CHECK(err.code == COREAPI_ERR_INVALID_ARGUMENT || err.code == COREAPI_ERR_BAD_CREDENTIALS);
    CHECK(err.text[0] != '\0');
    coreapi_auth_free(a);
  }
  /* A bad domain. */
  {
    coreapi_auth *a = coreapi_auth_token_new("xyz", NULL, "a.*.com", fresh());
    CHECK(a == NULL);
    CHECK_INT(err.code, COREAPI_ERR_BAD_DOMAIN);
    CHECK(err.text[0] != '\0');
    coreapi_auth_free(a);
  }
  /* The token is copied. */
  {
    char tok[] = "copied-token";
    coreapi_auth *a = coreapi_auth_token_new(tok, NULL, NULL, fresh());
    REQUIRE(a != NULL);
    memset(tok, 'X', sizeof tok - 1);
    char got[128];
    CHECK_INT(authorization_for(a, "http://h.example/", got, sizeof got, NULL), COREAPI_OK);
    CHECK_STR(got, "Bearer copied-token");
    coreapi_auth_free(a);
  }
}

/* -------------------------------------------------------------- Session */

static void refuse_session(const char *cookie, const char *header, int line) {
  coreapi_auth *a = coreapi_auth_session_new(cookie, header, NULL, fresh());
  CHECK(a == NULL);
  CHECK_INT(err.code, COREAPI_ERR_INVALID_ARGUMENT);
  CHECK(err.text[0] != '\0');
  if (a != NULL || err.code != COREAPI_ERR_INVALID_ARGUMENT)
    fprintf(stderr, "  (refuse_session called from line %d)\n", line);
  coreapi_auth_free(a);
}
#define REFUSE_SESSION(c, h) refuse_session((c), (h), __LINE__)

static void test_session(void) {
  const char *const bad[] = {"",      "csrf token", " csrftoken", "csrftoken ", "a:b",
                             "a/b",   "a=b",        "a;b",        "a,b",        "(a)",
                             "a\rb",  "X\r\nY",     "a\tb",       "\x01",       "a\x7f",
                             "t\xc3\xb6ken", "a@b", "a\"b",       "a?b",        "{a}"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    REFUSE_SESSION(bad[i], "X-CSRFToken");
    REFUSE_SESSION("csrftoken", bad[i]);
  }
  {
    coreapi_auth *a = coreapi_auth_session_new("csrftoken", "X-CSRFToken", "**.x", fresh());
    CHECK(a == NULL);
    CHECK_INT(err.code, COREAPI_ERR_BAD_DOMAIN);
    coreapi_auth_free(a);
  }

  coreapi_auth *a = coreapi_auth_session_new("csrftoken", "X-CSRFToken", NULL, fresh());
  REQUIRE(a != NULL);
  CHECK_INT(err.code, COREAPI_OK);
  CHECK(coreapi_auth_allows_cookies(a) != 0);
  CHECK_STR(coreapi_auth_name(a), "session");
  CHECK_STR(coreapi_auth_domain(a), "*");
  char buf[128];
  CHECK(coreapi_auth_describe(a, buf, sizeof buf) == buf);
  CHECK_STR(buf, "session (csrf csrftoken -> X-CSRFToken)");

  /* Outside a client there is no per-client memory: no CSRF header, on an
   * unsafe request or a safe one. */
  const char *const methods[] = {"POST", "PUT", "PATCH", "DELETE", "GET"};
  for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++) {
    coreapi_request *req = new_request(methods[i], "https://api.example.com/things/");
    int applied = 0;
    CHECK_INT(coreapi_auth_apply(a, req, &applied, fresh()), COREAPI_OK);
    CHECK_INT(err.code, COREAPI_OK);
    CHECK_INT(applied, 1);
    CHECK(coreapi_request_header(req, "X-CSRFToken") == NULL);
    CHECK_INT(count_headers(req, "X-CSRFToken"), 0);
    CHECK(coreapi_request_header(req, "Authorization") == NULL);
    coreapi_request_free(req);
  }
  /* "Over https, unsafe requests in scope also carry Origin and Referer for the
   * request's own origin unless the caller set them", and coreapi_auth_apply
   * works as a client would on the first hop. */
  {
    coreapi_request *req = new_request("POST", "https://api.example.com:8443/things/?x=1");
    CHECK_INT(coreapi_auth_apply(a, req, NULL, fresh()), COREAPI_OK);
    CHECK_STR(coreapi_request_header(req, "Origin"), "https://api.example.com:8443");
    const char *ref = coreapi_request_header(req, "Referer");
    CHECK(ref != NULL && strncmp(ref, "https://api.example.com:8443/", 29) == 0);
    coreapi_request_free(req);

    req = new_request("DELETE", "https://api.example.com/things/1");
    CHECK_INT(coreapi_request_set_header(req, "Origin", "https://caller.example", fresh()),
              COREAPI_OK);
    CHECK_INT(coreapi_request_set_header(req, "Referer", "https://caller.example/p", fresh()),
              COREAPI_OK);
    CHECK_INT(coreapi_auth_apply(a, req, NULL, fresh()), COREAPI_OK);
    CHECK_STR(coreapi_request_header(req, "Origin"), "https://caller.example");
    CHECK_STR(coreapi_request_header(req, "Referer"), "https://caller.example/p");
    CHECK_INT(count_headers(req, "Origin"), 1);
    CHECK_INT(count_headers(req, "Referer"), 1);
    coreapi_request_free(req);
  }
  coreapi_auth_free(a);

  /* Without CSRF handling. */
  a = coreapi_auth_session_new(NULL, NULL, "api.example.com", fresh());
  REQUIRE(a != NULL);
  CHECK(coreapi_auth_allows_cookies(a) != 0);
  CHECK_STR(coreapi_auth_domain(a), "api.example.com");
  coreapi_auth_describe(a, buf, sizeof buf);
  CHECK(strncmp(buf, "session", 7) == 0);
  {
    coreapi_request *req = new_request("POST", "http://other.example/");
    int applied = 7;
    CHECK_INT(coreapi_auth_apply(a, req, &applied, fresh()), COREAPI_OK);
    CHECK_INT(applied, 0);
    CHECK_INT(coreapi_request_header_count(req), 0);
    coreapi_request_free(req);
  }
  coreapi_auth_free(a);
}

/* --------------------------------------------------------- description */

static void test_describe(void) {
  char buf[256];
  coreapi_auth *b = coreapi_auth_basic_new("alice", "s3cr3t-pw", "API.Example.COM.", fresh());
  REQUIRE(b != NULL);
  memset(buf, 'Z', sizeof buf);
  CHECK(coreapi_auth_describe(b, buf, sizeof buf) == buf);
  CHECK_STR(buf, "basic (user alice)");
  CHECK(strstr(buf, "s3cr3t") == NULL);
  CHECK_STR(coreapi_auth_name(b), "basic");
  CHECK_STR(coreapi_auth_domain(b), "api.example.com");
  CHECK_INT(coreapi_auth_allows_cookies(b), 0);
  /* Truncated, still NUL-terminated, nothing written past size. */
  memset(buf, 'Z', sizeof buf);
  CHECK(coreapi_auth_describe(b, buf, 8) == buf);
  CHECK(memchr(buf, '\0', 8) != NULL);
  CHECK(strncmp(buf, "basic (user alice)", strlen(buf)) == 0);
  CHECK(buf[8] == 'Z');
  memset(buf, 'Z', sizeof buf);
  coreapi_auth_describe(b, buf, 1);
  CHECK_STR(buf, "");
  CHECK(buf[1] == 'Z');
  coreapi_auth_free(b);

  /* A password equal to a long secret never shows, nor its base64. */
  b = coreapi_auth_basic_new("Aladdin", "open sesame", NULL, fresh());
  REQUIRE(b != NULL);
  coreapi_auth_describe(b, buf, sizeof buf);
  CHECK_STR(buf, "basic (user Aladdin)");
  CHECK(strstr(buf, "open sesame") == NULL);
  CHECK(strstr(buf, "QWxhZGRpbjpvcGVuIHNlc2FtZQ") == NULL);
  CHECK_STR(coreapi_auth_domain(b), "*");
  coreapi_auth_free(b);

  coreapi_auth *t = coreapi_auth_token_new("tok-SECRET-123", NULL, "*.Example.com", fresh());
  REQUIRE(t != NULL);
  coreapi_auth_describe(t, buf, sizeof buf);
  CHECK_STR(buf, "token (Bearer)");
  CHECK(strstr(buf, "SECRET") == NULL);
  CHECK_STR(coreapi_auth_name(t), "token");
  CHECK_STR(coreapi_auth_domain(t), "*.example.com");
  CHECK_INT(coreapi_auth_allows_cookies(t), 0);
  coreapi_auth_free(t);

  t = coreapi_auth_token_new("tok-SECRET-456", "JWT", NULL, fresh());
  REQUIRE(t != NULL);
  coreapi_auth_describe(t, buf, sizeof buf);
  CHECK_STR(buf, "token (JWT)");
  CHECK(strstr(buf, "SECRET") == NULL);
  coreapi_auth_free(t);
}

/* --------------------------------------------------------------- scope */

static void test_scope(void) {
  coreapi_auth *a = coreapi_auth_basic_new("Aladdin", "open sesame", "api.example.com", fresh());
  REQUIRE(a != NULL);
  const char *const in[] = {"http://api.example.com/", "https://API.EXAMPLE.COM.:8443/x",
                            "http://evil.test:pw@api.example.com/"};
  for (size_t i = 0; i < sizeof in / sizeof in[0]; i++) {
    char got[128];
    int applied = 0;
    CHECK_INT(authorization_for(a, in[i], got, sizeof got, &applied), COREAPI_OK);
    CHECK_INT(applied, 1);
    CHECK_STR(got, "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
  }
  const char *const out[] = {"http://evil.test/",          "http://api.example.com@evil.test/",
                             "http://api.example.com:pw@evil.test/",
                             "https://x.api.example.com/", "http://api.example.com.evil.test/",
                             "http://example.com/",        "http://127.0.0.1/"};
  for (size_t i = 0; i < sizeof out / sizeof out[0]; i++) {
    coreapi_request *req = new_request("GET", out[i]);
    CHECK_INT(coreapi_request_set_header(req, "Authorization", "keep-me", fresh()), COREAPI_OK);
    CHECK_INT(coreapi_request_set_header(req, "X-Untouched", "1", fresh()), COREAPI_OK);
    int applied = 42;
    CHECK_INT(coreapi_auth_apply(a, req, &applied, fresh()), COREAPI_OK);
    CHECK_INT(err.code, COREAPI_OK);
    CHECK_INT(applied, 0);
    CHECK_STR(coreapi_request_header(req, "Authorization"), "keep-me");
    CHECK_INT(coreapi_request_header_count(req), 2);
    coreapi_request_free(req);
  }
  coreapi_auth_free(a);

  a = coreapi_auth_token_new("xyz", NULL, "*.example.com", fresh());
  REQUIRE(a != NULL);
  {
    char got[128];
    int applied = 0;
    CHECK_INT(authorization_for(a, "https://a.b.example.com/", got, sizeof got, &applied),
              COREAPI_OK);
    CHECK_INT(applied, 1);
    CHECK_STR(got, "Bearer xyz");
    const char *const no[] = {"https://example.com/", "https://evilexample.com/",
                              "https://example.com.evil.test/",
                              "https://a.example.com@evil.test/"};
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++) {
      applied = 42;
      CHECK_INT(authorization_for(a, no[i], got, sizeof got, &applied), COREAPI_OK);
      CHECK_INT(applied, 0);
      CHECK_STR(got, "(none)");
    }
  }
  coreapi_auth_free(a);

  /* An IP literal pattern applies to that address only. */
  a = coreapi_auth_token_new("xyz", NULL, "127.0.0.1", fresh());
  REQUIRE(a != NULL);
  {
    char got[128];
    int applied = 0;
    CHECK_INT(authorization_for(a, "http://127.0.0.1:8000/", got, sizeof got, &applied),
              COREAPI_OK);
    CHECK_INT(applied, 1);
    CHECK_STR(got, "Bearer xyz");
    CHECK_INT(authorization_for(a, "http://[::1]:8000/", got, sizeof got, &applied),
              COREAPI_OK);
    CHECK_INT(applied, 0);
    CHECK_STR(got, "(none)");
  }
  coreapi_auth_free(a);
}

/* -------------------------------------------------------- custom schemes */

struct counters {
  int applies;
  int frees;
  int describes;
  int fail;      /* apply fails with this code when not OK */
  int bad_header; /* apply sets an invalid header */
};

struct custom_state {
  struct counters *c;
  char secret[32];
};

static coreapi_code custom_apply(void *state, coreapi_request *req, coreapi_error *e) {
  struct custom_state *s = state;
  s->c->applies++;
  if (s->c->fail != COREAPI_OK)
    return coreapi_error_set(e, (coreapi_code)s->c->fail, "custom refused call %d",
                             s->c->applies);
  if (s->c->bad_header)
    return coreapi_request_set_header(req, "X-Custom", "bad\r\nInjected: 1", e);
  char v[32];
  snprintf(v, sizeof v, "call-%d", s->c->applies);
  coreapi_code rc = coreapi_request_set_header(req, "X-Custom", v, e);
  if (rc != COREAPI_OK)
    return rc;
  rc = coreapi_request_set_header(req, "X-Api-Key", s->secret, e);
  if (rc != COREAPI_OK)
    return rc;
  coreapi_request_remove_header(req, "X-Remove-Me");
  return COREAPI_OK;
}

static void custom_describe(void *state, char *buf, size_t size) {
  struct custom_state *s = state;
  s->c->describes++;
  snprintf(buf, size, "counting (%d calls)", s->c->applies);
}

static void custom_free(void *state) {
  struct custom_state *s = state;
  s->c->frees++;
  memset(s->secret, 0, sizeof s->secret);
  free(s);
}

static const coreapi_auth_ops custom_ops = {
    "counting", 0, custom_apply, NULL, custom_describe, custom_free,
};
static const coreapi_auth_ops custom_ops_plain = {
    "plain", 1, custom_apply, NULL, NULL, custom_free,
};
static const coreapi_auth_ops custom_ops_no_apply = {
    "noapply", 0, NULL, NULL, NULL, custom_free,
};
static const coreapi_auth_ops custom_ops_no_name = {
    NULL, 0, custom_apply, NULL, NULL, custom_free,
};

static struct custom_state *new_state(struct counters *c) {
  struct custom_state *s = calloc(1, sizeof *s);
  REQUIRE(s != NULL);
  s->c = c;
  strcpy(s->secret, "key-SECRET-789");
  return s;
}

static void test_custom(void) {
  struct counters c = {0, 0, 0, COREAPI_OK, 0};
  struct custom_state *s = new_state(&c);
  coreapi_auth *a = coreapi_auth_new(&custom_ops, s, "*.example.com", fresh());
  REQUIRE(a != NULL);
  CHECK_INT(err.code, COREAPI_OK);
  CHECK(coreapi_auth_state(a) == s);
  CHECK_STR(coreapi_auth_name(a), "counting");
  CHECK_STR(coreapi_auth_domain(a), "*.example.com");
  CHECK_INT(coreapi_auth_allows_cookies(a), 0);
  CHECK_INT(c.applies, 0);

  /* apply runs for a host in scope: sets and removes headers. */
  coreapi_request *req = new_request("PUT", "https://api.example.com/r");
  CHECK_INT(coreapi_request_set_header(req, "X-Remove-Me", "1", fresh()), COREAPI_OK);
  CHECK_INT(coreapi_request_set_header(req, "X-Keep", "2", fresh()), COREAPI_OK);
  int applied = 0;
  CHECK_INT(coreapi_auth_apply(a, req, &applied, fresh()), COREAPI_OK);
  CHECK_INT(applied, 1);
  CHECK_INT(c.applies, 1);
  CHECK_STR(coreapi_request_header(req, "X-Custom"), "call-1");
  CHECK_STR(coreapi_request_header(req, "x-api-key"), "key-SECRET-789");
  CHECK(coreapi_request_header(req, "X-Remove-Me") == NULL);
  CHECK_STR(coreapi_request_header(req, "X-Keep"), "2");
  CHECK_INT(coreapi_request_header_count(req), 3);
  CHECK_INT(coreapi_auth_apply(a, req, &applied, fresh()), COREAPI_OK);
  CHECK_INT(c.applies, 2);
  CHECK_STR(coreapi_request_header(req, "X-Custom"), "call-2");
  CHECK_INT(count_headers(req, "X-Custom"), 1);
  coreapi_request_free(req);

  /* Not called for a host out of scope. */
  req = new_request("GET", "https://example.com/");
  applied = 42;
  CHECK_INT(coreapi_auth_apply(a, req, &applied, fresh()), COREAPI_OK);
  CHECK_INT(applied, 0);
  CHECK_INT(c.applies, 2);
  CHECK_INT(coreapi_request_header_count(req), 0);
  coreapi_request_free(req);

  /* describe goes through ops->describe. */
  char buf[64];
  CHECK(coreapi_auth_describe(a, buf, sizeof buf) == buf);
  CHECK_STR(buf, "counting (2 calls)");
  CHECK(c.describes >= 1);

  /* An error from apply propagates with its code and text. */
  c.fail = COREAPI_ERR_AUTH;
  req = new_request("GET", "https://api.example.com/");
  CHECK_INT(coreapi_auth_apply(a, req, &applied, fresh()), COREAPI_ERR_AUTH);
  CHECK_INT(err.code, COREAPI_ERR_AUTH);
  CHECK_STR(err.text, "custom refused call 3");
  CHECK_INT(c.applies, 3);
  c.fail = COREAPI_ERR_BAD_CREDENTIALS;
  CHECK_INT(coreapi_auth_apply(a, req, NULL, fresh()), COREAPI_ERR_BAD_CREDENTIALS);
  CHECK_INT(err.code, COREAPI_ERR_BAD_CREDENTIALS);
  CHECK_STR(err.text, "custom refused call 4");
  CHECK_INT(coreapi_auth_apply(a, req, NULL, NULL), COREAPI_ERR_BAD_CREDENTIALS);
  c.fail = COREAPI_OK;
  /* So does an error from a request function apply calls. */
  c.bad_header = 1;
  CHECK_INT(coreapi_auth_apply(a, req, NULL, fresh()), COREAPI_ERR_BAD_HEADER);
  CHECK_INT(err.code, COREAPI_ERR_BAD_HEADER);
  CHECK(err.text[0] != '\0');
  CHECK(coreapi_request_header(req, "X-Custom") == NULL);
  CHECK(coreapi_request_header(req, "Injected") == NULL);
  c.bad_header = 0;
  coreapi_request_free(req);

  /* Reference counting: ref, then free twice; ops->free once, at the last. */
  CHECK(coreapi_auth_ref(a) == a);
  coreapi_auth_free(a);
  CHECK_INT(c.frees, 0);
  CHECK_STR(coreapi_auth_name(a), "counting"); /* still alive */
  CHECK(coreapi_auth_state(a) == s);
  CHECK(coreapi_auth_ref(a) == a);
  CHECK(coreapi_auth_ref(a) == a);
  coreapi_auth_free(a);
  coreapi_auth_free(a);
  CHECK_INT(c.frees, 0);
  coreapi_auth_free(a);
  CHECK_INT(c.frees, 1);
  CHECK(coreapi_auth_ref(NULL) == NULL);
  coreapi_auth_free(NULL);

  /* Without describe the name is the description; allow_cookies is passed. */
  struct counters c2 = {0, 0, 0, COREAPI_OK, 0};
  a = coreapi_auth_new(&custom_ops_plain, new_state(&c2), NULL, fresh());
  REQUIRE(a != NULL);
  CHECK_STR(coreapi_auth_describe(a, buf, sizeof buf), "plain");
  CHECK_STR(coreapi_auth_domain(a), "*");
  CHECK(coreapi_auth_allows_cookies(a) != 0);
  req = new_request("GET", "http://127.0.0.1:9/");
  CHECK_INT(coreapi_auth_apply(a, req, &applied, fresh()), COREAPI_OK);
  CHECK_INT(applied, 1);
  CHECK_INT(c2.applies, 1);
  coreapi_request_free(req);
  coreapi_auth_free(a);
  CHECK_INT(c2.frees, 1);

  /* A failing coreapi_auth_new frees the state: a bad domain... */
  const char *const bad_domains[] = {"*example.com", "", "a.*.com", "api.example.com:80"};
  for (size_t i = 0; i < sizeof bad_domains / sizeof bad_domains[0]; i++) {
    struct counters c3 = {0, 0, 0, COREAPI_OK, 0};
    a = coreapi_auth_new(&custom_ops, new_state(&c3), bad_domains[i], fresh());
    CHECK(a == NULL);
    CHECK_INT(err.code, COREAPI_ERR_BAD_DOMAIN);
    CHECK(err.text[0] != '\0');
    CHECK_INT(c3.frees, 1);
    CHECK_INT(c3.applies, 0);
    coreapi_auth_free(a);
  }
  /* ...or ops without the required apply or name. */
  {
    struct counters c4 = {0, 0, 0, COREAPI_OK, 0};
    a = coreapi_auth_new(&custom_ops_no_apply, new_state(&c4), NULL, fresh());
    CHECK(a == NULL);
    CHECK_INT(err.code, COREAPI_ERR_INVALID_ARGUMENT);
    CHECK(err.text[0] != '\0');
    CHECK_INT(c4.frees, 1);
    coreapi_auth_free(a);
    a = coreapi_auth_new(&custom_ops_no_name, new_state(&c4), NULL, fresh());
    CHECK(a == NULL);
    CHECK_INT(err.code, COREAPI_ERR_INVALID_ARGUMENT);
    CHECK_INT(c4.frees, 2);
    coreapi_auth_free(a);
    a = coreapi_auth_new(NULL, NULL, NULL, fresh());
    CHECK(a == NULL);
    CHECK_INT(err.code, COREAPI_ERR_INVALID_ARGUMENT);
    coreapi_auth_free(a);
  }
}

static coreapi_code header_only_apply(void *state, coreapi_request *req, coreapi_error *e) {
  (void)state;
  return coreapi_request_set_header(req, "X-Stateless", "yes", e);
}

static void test_custom_stateless(void) {
  static const coreapi_auth_ops ops = {"stateless", 0, header_only_apply, NULL, NULL, NULL};
  coreapi_auth *a = coreapi_auth_new(&ops, NULL, "[::1]", fresh());
  REQUIRE(a != NULL);
  CHECK(coreapi_auth_state(a) == NULL);
  CHECK_STR(coreapi_auth_domain(a), "[::1]");
  coreapi_request *req = new_request("GET", "http://[::1]:8080/");
  int applied = 0;
  CHECK_INT(coreapi_auth_apply(a, req, &applied, fresh()), COREAPI_OK);
  CHECK_INT(applied, 1);
  CHECK_STR(coreapi_request_header(req, "X-Stateless"), "yes");
  coreapi_request_free(req);
  req = new_request("GET", "http://127.0.0.1:8080/");
  CHECK_INT(coreapi_auth_apply(a, req, &applied, fresh()), COREAPI_OK);
  CHECK_INT(applied, 0);
  CHECK(coreapi_request_header(req, "X-Stateless") == NULL);
  coreapi_request_free(req);
  coreapi_auth_free(a);
}

/* --------------------------------------------------------------- API key */

static void refuse_apikey(const char *name, const char *value, coreapi_apikey_location in,
                          int line) {
  coreapi_auth *a = coreapi_auth_apikey_new(name, value, in, NULL, fresh());
  CHECK(a == NULL);
  CHECK_INT(err.code, COREAPI_ERR_BAD_CREDENTIALS);
  CHECK(strstr(err.text, "API key") != NULL);
  if (a != NULL || err.code != COREAPI_ERR_BAD_CREDENTIALS)
    fprintf(stderr, "  (refuse_apikey called from line %d)\n", line);
  coreapi_auth_free(a);
}
#define REFUSE_APIKEY(n, v, l) refuse_apikey((n), (v), (l), __LINE__)

static void test_apikey(void) {
  static const char *const bad_values[] = {"", " ", "a b", "a\tb", "a\r\nX: y", "\x01",
                                           "a\x7f", "caf\xc3\xa9"};
  static const char *const bad_names[] = {"", "a b", "a:b", "a\r\nb", "(x)", "caf\xc3\xa9"};
  coreapi_request *req;
  coreapi_auth *a;
  int applied = 0;
  char desc[128];
  for (size_t i = 0; i < sizeof bad_values / sizeof bad_values[0]; i++)
    for (int in = COREAPI_APIKEY_HEADER; in <= COREAPI_APIKEY_COOKIE; in++)
      REFUSE_APIKEY("k", bad_values[i], (coreapi_apikey_location)in);
  for (size_t i = 0; i < sizeof bad_names / sizeof bad_names[0]; i++)
    for (int in = COREAPI_APIKEY_HEADER; in <= COREAPI_APIKEY_COOKIE; in++)
      REFUSE_APIKEY(bad_names[i], "v", (coreapi_apikey_location)in);
  REFUSE_APIKEY(NULL, "v", COREAPI_APIKEY_HEADER);
  REFUSE_APIKEY("k", NULL, COREAPI_APIKEY_QUERY);
  REFUSE_APIKEY("Host", "v", COREAPI_APIKEY_HEADER); /* the library's own */
  REFUSE_APIKEY("Content-Length", "5", COREAPI_APIKEY_HEADER);
  REFUSE_APIKEY("k", "v", (coreapi_apikey_location)7);
  a = coreapi_auth_apikey_new("k", "v", COREAPI_APIKEY_HEADER, "a.*.com", fresh());
  CHECK(a == NULL);
  CHECK_INT(err.code, COREAPI_ERR_BAD_DOMAIN);

  /* A header: set on the request, flagged as the authentication's. */
  a = coreapi_auth_apikey_new("X-API-Key", "abc", COREAPI_APIKEY_HEADER, NULL, fresh());
  REQUIRE(a != NULL);
  req = new_request("GET", "http://api.example.com/x");
  CHECK_INT(coreapi_auth_apply(a, req, &applied, fresh()), COREAPI_OK);
  CHECK_STR(coreapi_request_header(req, "X-API-Key"), "abc");
  CHECK(req->auth_query == NULL && req->auth_cookie == NULL);
  CHECK_STR(coreapi_auth_describe(a, desc, sizeof desc), "API key (header X-API-Key)");
  coreapi_request_free(req);
  coreapi_auth_free(a);

  /* A query parameter: beside the URL, which keeps no key; encoded, with
   * the escapes in lowercase as libcurl writes them. */
  a = coreapi_auth_apikey_new("api key", "a/b+c=d&e", COREAPI_APIKEY_QUERY, NULL, fresh());
  CHECK(a == NULL); /* "api key" is not a token */
  a = coreapi_auth_apikey_new("api_key", "a/b+c=d&e", COREAPI_APIKEY_QUERY, NULL, fresh());
  REQUIRE(a != NULL);
  req = new_request("GET", "http://api.example.com/x?y=1");
  CHECK_INT(coreapi_auth_apply(a, req, &applied, fresh()), COREAPI_OK);
  CHECK_STR(req->auth_query, "api_key=a%2fb%2bc%3dd%26e");
  CHECK_STR(req->auth_query_value, "a%2fb%2bc%3dd%26e");
  CHECK_STR(coreapi_request_url(req), "http://api.example.com/x?y=1");
  CHECK(coreapi_request_header(req, "api_key") == NULL);
  CHECK_STR(coreapi_auth_describe(a, desc, sizeof desc), "API key (query api_key)");
  coreapi_request_free(req);
  coreapi_auth_free(a);

  /* A cookie: beside the request's headers, for the Cookie header libcurl writes. */
  a = coreapi_auth_apikey_new("session_key", "s3", COREAPI_APIKEY_COOKIE, NULL, fresh());
  REQUIRE(a != NULL);
  CHECK(!coreapi_auth_allows_cookies(a)); /* the jar stays off for it */
  req = new_request("GET", "http://api.example.com/");
  CHECK_INT(coreapi_auth_apply(a, req, &applied, fresh()), COREAPI_OK);
  CHECK_STR(req->auth_cookie, "session_key=s3");
  CHECK(coreapi_request_header(req, "Cookie") == NULL);
  coreapi_request_free(req);
  coreapi_auth_free(a);

  /* The strings are copied. */
  {
    char name[] = "X-Key", value[] = "copied";
    a = coreapi_auth_apikey_new(name, value, COREAPI_APIKEY_HEADER, NULL, fresh());
    REQUIRE(a != NULL);
    memset(value, 'Z', sizeof value - 1);
    memset(name, 'Q', sizeof name - 1);
    req = new_request("GET", "http://h.example/");
    CHECK_INT(coreapi_auth_apply(a, req, &applied, fresh()), COREAPI_OK);
    CHECK_STR(coreapi_request_header(req, "X-Key"), "copied");
    coreapi_request_free(req);
    coreapi_auth_free(a);
  }
}

int main(void) {
  test_basic();
  test_apikey();
  test_token();
  test_session();
  test_describe();
  test_scope();
  test_custom();
  test_custom_stateless();
  return check_done("test_auth");
}
