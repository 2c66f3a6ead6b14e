/*
 * tests/unit/test_digest.c - Digest (RFC 7616) and NTLM authentication, as
 * far as they are the library's and not libcurl's: which credentials are
 * refused, the description, the mark apply() leaves on a hop in scope (and
 * only there: no header, nothing in a view or a clone of the request), and
 * the redaction of what libcurl reports it sent (its debug callback fed
 * the header blocks of both requests of a Digest round trip). The round
 * trip itself is tests/integration/test_digest_live.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <coreapi/coreapi.h>

#include "../../src/transport/client_impl.h" /* the request's mark, libcurl's debug callback */
#include "check.h"

static coreapi_error err;

static coreapi_error *fresh(void) {
  memset(&err, 0x5a, sizeof err);
  err.code = COREAPI_OK;
  err.http_status = 0;
  err.text[0] = '\0';
  return &err;
}

typedef coreapi_auth *(*ctor)(const char *, const char *, const char *, coreapi_error *);

/* A refused (username, password, domain): NULL, the code, and a message
 * that never holds the password. */
static void refused(ctor make, const char *user, const char *pass, const char *domain,
                    coreapi_code code, int line) {
  coreapi_auth *a = make(user, pass, domain, fresh());
  int before = check_failures;
  CHECK(a == NULL);
  CHECK_INT(err.code, code);
  CHECK(err.text[0] != '\0');
  if (pass != NULL && pass[0] != '\0')
    CHECK(strstr(err.text, pass) == NULL);
  if (check_failures != before)
    fprintf(stderr, "  ^ line %d: \"%s\"\n", line, err.text);
  coreapi_auth_free(a);
}
#define REFUSED(make, u, p, d, code) refused(make, u, p, d, code, __LINE__)

static void test_refused(void) {
  ctor makers[] = {coreapi_auth_digest_new, coreapi_auth_ntlm_new};
  for (size_t i = 0; i < 2; i++) {
    ctor m = makers[i];
    REFUSED(m, NULL, "pw", NULL, COREAPI_ERR_BAD_CREDENTIALS);
    REFUSED(m, "alice", NULL, NULL, COREAPI_ERR_BAD_CREDENTIALS);
    REFUSED(m, NULL, NULL, NULL, COREAPI_ERR_BAD_CREDENTIALS);
    REFUSED(m, "", "pw", NULL, COREAPI_ERR_BAD_CREDENTIALS);
    REFUSED(m, "ali\x01" "ce", "pw", NULL, COREAPI_ERR_BAD_CREDENTIALS);
    REFUSED(m, "alice\r\nX-Injected: 1", "pw", NULL, COREAPI_ERR_BAD_CREDENTIALS);
    REFUSED(m, "alice", "p\nw-secret", NULL, COREAPI_ERR_BAD_CREDENTIALS);
    REFUSED(m, "alice", "pw\x7f" "secret", NULL, COREAPI_ERR_BAD_CREDENTIALS);
    REFUSED(m, "alice", "tab\tsecret", NULL, COREAPI_ERR_BAD_CREDENTIALS);
    REFUSED(m, "al\xff" "ice", "pw", NULL, COREAPI_ERR_BAD_CREDENTIALS);
    REFUSED(m, "alice", "p\xc3(secret", NULL, COREAPI_ERR_BAD_CREDENTIALS);
    REFUSED(m, "alice", "\xed\xa0\x80secret", NULL, COREAPI_ERR_BAD_CREDENTIALS); /* surrogate */
    REFUSED(m, "alice", "pw", "*example.com", COREAPI_ERR_BAD_DOMAIN);
    REFUSED(m, "alice", "pw", "", COREAPI_ERR_BAD_DOMAIN);
  }
}

/* Accepted: the description, name, domain and cookies of each. */
static void accepted(ctor make, const char *user, const char *pass, const char *domain,
                     const char *name, const char *describe, const char *pattern, int line) {
  char buf[128];
  coreapi_auth *a = make(user, pass, domain, fresh());
  int before = check_failures;
  CHECK(a != NULL);
  if (a != NULL) {
    CHECK_STR(coreapi_auth_name(a), name);
    CHECK_STR(coreapi_auth_describe(a, buf, sizeof buf), describe);
    CHECK_STR(coreapi_auth_domain(a), pattern);
    CHECK_INT(coreapi_auth_allows_cookies(a), 0);
    if (pass[0] != '\0')
      CHECK(strstr(buf, pass) == NULL);
    CHECK(coreapi_auth_ref(a) == a);
    coreapi_auth_free(a);
  } else {
    fprintf(stderr, "  ^ line %d: %s\n", line, err.text);
  }
  coreapi_auth_free(a);
  if (check_failures != before)
    fprintf(stderr, "  ^ line %d\n", line);
}
#define ACCEPTED(make, u, p, d, name, desc, pattern) \
  accepted(make, u, p, d, name, desc, pattern, __LINE__)

static void test_accepted(void) {
  ctor dg = coreapi_auth_digest_new, nt = coreapi_auth_ntlm_new;
  ACCEPTED(dg, "alice", "s3cret", NULL, "digest", "digest (alice)", "*");
  ACCEPTED(dg, "alice", "", "api.example.com", "digest", "digest (alice)", "api.example.com");
  /* RFC 7616 quotes the username: ':' is fine, unlike Basic's. */
  ACCEPTED(dg, "a:b", "s3cret", "*.example.com", "digest", "digest (a:b)", "*.example.com");
  ACCEPTED(dg, "j\xc3\xbcrgen", "p\xc3\xa4ssw\xc3\xb6rd", NULL, "digest", "digest (j\xc3\xbcrgen)",
           "*");
  ACCEPTED(dg, "quote\"back\\slash", "pw with spaces", NULL, "digest",
           "digest (quote\"back\\slash)", "*");
  ACCEPTED(nt, "WORKGROUP\\alice", "s3cret", "API.Example.COM.", "ntlm", "ntlm (WORKGROUP\\alice)",
           "api.example.com");
  /* Basic still refuses ':' (RFC 7617): the rules are per scheme. */
  CHECK(coreapi_auth_basic_new("a:b", "pw", NULL, fresh()) == NULL);
  /* A description cut short stays terminated. */
  {
    char small[8];
    coreapi_auth *a = coreapi_auth_digest_new("a-long-user-name", "pw", NULL, fresh());
    REQUIRE(a != NULL);
    CHECK_STR(coreapi_auth_describe(a, small, sizeof small), "digest ");
    coreapi_auth_free(a);
  }
}

static coreapi_request *request(const char *url) {
  coreapi_request *req = coreapi_request_new("POST", url, fresh());
  REQUIRE(req != NULL);
  return req;
}

/* apply() marks the hop for libcurl and sets no header; out of scope
 * nothing; views and clones of a marked request are unmarked. */
static void test_apply(void) {
  coreapi_auth *a = coreapi_auth_digest_new("alice", "s3cret", "api.example.com", fresh());
  coreapi_auth *n = coreapi_auth_ntlm_new("DOM\\bob", "pw2", NULL, fresh());
  coreapi_request *req = request("https://api.example.com/x"), *view, *clone;
  int applied = -1;
  REQUIRE(a != NULL && n != NULL);
  CHECK_INT(coreapi_request_set_header(req, "Authorization", "Bearer callers", fresh()),
            COREAPI_OK);
  CHECK_INT(coreapi_auth_apply(a, req, &applied, fresh()), COREAPI_OK);
  CHECK_INT(applied, 1);
  CHECK_INT(req->http_auth, COREAPI__HTTP_AUTH_DIGEST);
  CHECK_STR(req->http_user, "alice");
  CHECK_STR(req->http_password, "s3cret");
  CHECK(coreapi_request_header(req, "Authorization") == NULL); /* the credential wins */
  CHECK_INT(coreapi_request_header_count(req), 0);
  view = coreapi__request_view(req);
  clone = coreapi__request_clone(req);
  REQUIRE(view != NULL && clone != NULL);
  CHECK_INT(view->http_auth, 0);
  CHECK(view->http_user == NULL && view->http_password == NULL);
  CHECK_INT(clone->http_auth, 0);
  CHECK(clone->http_user == NULL && clone->http_password == NULL);
  coreapi_request_free(view);
  coreapi_request_free(clone);
  /* Applied again (a resend), by another scheme: replaced, not leaked. */
  CHECK_INT(coreapi_auth_apply(n, req, &applied, fresh()), COREAPI_OK);
  CHECK_INT(req->http_auth, COREAPI__HTTP_AUTH_NTLM);
  CHECK_STR(req->http_user, "DOM\\bob");
  CHECK_STR(req->http_password, "pw2");
  coreapi_request_free(req);

  req = request("https://other.example.com/x");
  CHECK_INT(coreapi_auth_apply(a, req, &applied, fresh()), COREAPI_OK);
  CHECK_INT(applied, 0);
  CHECK_INT(req->http_auth, 0);
  CHECK(req->http_user == NULL && req->http_password == NULL);
  coreapi_request_free(req);
  coreapi_auth_free(a);
  coreapi_auth_free(n);
}

/* --- redaction of what libcurl reports ------------------------------------- */

typedef struct seen {
  char text[4096];
  size_t len;
} seen;

static void on_debug(void *userdata, coreapi_debug_type type, const char *text, size_t len) {
  seen *s = userdata;
  int n = snprintf(s->text + s->len, sizeof s->text - s->len, "%d|%.*s", (int)type, (int)len,
                   text);
  if (n > 0 && (size_t)n < sizeof s->text - s->len)
    s->len += (size_t)n;
}

static const char first_request[] =
    "GET /digest-md5/ HTTP/1.1\r\nHost: api.example.com\r\nAccept: */*\r\n\r\n";
static const char challenge[] =
    "WWW-Authenticate: Digest realm=\"r\", nonce=\"abc\", algorithm=SHA-256, qop=\"auth\"\r\n";
static const char answer[] =
    "GET /digest-md5/ HTTP/1.1\r\nHost: api.example.com\r\n"
    "Authorization: Digest username=\"alice\", realm=\"r\", nonce=\"abc\", "
    "uri=\"/digest-md5/\", cnonce=\"Y25vbmNl\", nc=00000001, qop=auth, "
    "response=\"5f1a0e7ad3cd1b5b7d0b4b7b2b0f0c3d\", algorithm=SHA-256\r\n"
    "authorization: NTLM TlRMTVNTUAADAAAAGAAYAEAAAAA=\r\n"
    "Accept: */*\r\n\r\n";

static void test_redaction(void) {
  coreapi_client *c = coreapi_client_new(fresh());
  coreapi_request *req = request("https://api.example.com/digest-md5/");
  coreapi_auth *a = coreapi_auth_digest_new("alice", "s3cret", NULL, fresh());
  seen s = {{0}, 0};
  REQUIRE(c != NULL && a != NULL);
  REQUIRE(coreapi_client_set_debug(c, on_debug, &s, fresh()) == COREAPI_OK);
  REQUIRE(coreapi_auth_apply(a, req, NULL, fresh()) == COREAPI_OK);
  c->main.current_req = req; /* as during the transfer */
  coreapi__debug_curl(c->main.curl, CURLINFO_HEADER_OUT, (char *)first_request,
                      sizeof first_request - 1, &c->main);
  coreapi__debug_curl(c->main.curl, CURLINFO_HEADER_IN, (char *)challenge, sizeof challenge - 1,
                      &c->main);
  coreapi__debug_curl(c->main.curl, CURLINFO_HEADER_OUT, (char *)answer, sizeof answer - 1,
                      &c->main);
  coreapi__debug_curl(c->main.curl, CURLINFO_TEXT,
                      (char *)"Server auth using Digest with user 'alice'\n", 43, &c->main);
  c->main.current_req = NULL;
  CHECK(strstr(s.text, "1|GET /digest-md5/ HTTP/1.1\r\nHost: api.example.com\r\nAccept") != NULL);
  CHECK(strstr(s.text, "2|WWW-Authenticate: Digest realm=\"r\", nonce=\"abc\"") != NULL);
  CHECK(strstr(s.text, "\r\nAuthorization: [redacted]\r\n") != NULL);
  CHECK(strstr(s.text, "\r\nauthorization: [redacted]\r\nAccept: */*\r\n") != NULL);
  CHECK(strstr(s.text, "username") == NULL);
  CHECK(strstr(s.text, "response=") == NULL);
  CHECK(strstr(s.text, "TlRM") == NULL);
  CHECK(strstr(s.text, "s3cret") == NULL);
  CHECK(strstr(s.text, "Server auth") == NULL); /* libcurl's chatter is not shown */
  coreapi_request_free(req);
  coreapi_auth_free(a);
  coreapi_client_free(c);
}

int main(void) {
  test_refused();
  test_accepted();
  test_apply();
  test_redaction();
  return check_done("test_digest (unit)");
}
