/*
 * tests/integration/test_django.c - authentication against a real Django REST
 * framework API (examples/api), over plain http and over https through nginx.
 *
 * Run under the harness, which starts the servers and exports their ports:
 *
 *   /usr/bin/python3 tests/integration/servers.py --nginx -- build/test_django
 *
 * What is checked, with the library's public API only:
 *   (a) Session authentication: the csrftoken cookie from GET /csrf/ becomes
 *       the X-CSRFToken header of the login POST; the token Django rotates at
 *       login is followed; the session then authenticates /me/ and /notes/.
 *       Without a CSRF header name the login is refused (403).
 *   (b) Token authentication ("Token <key>" from /api-token-auth/), a wrong
 *       token, and the wrong scheme (Bearer) that DRF ignores.
 *   (c) Basic authentication, with ASCII and with UTF-8 credentials.
 *   (d) Scoping: credentials for other.test are never sent to api.test, nor
 *       are cookies stored or sent for it.
 *   (e) Session authentication over https, where Django also checks that the
 *       Referer is same-origin: the library's automatic Origin/Referer pass,
 *       and a Referer the caller set is kept (and refused by Django).
 *
 * Host names api.test and other.test are mapped to 127.0.0.1 with
 * coreapi_client_add_resolve; the server certificate names both.
 *
 * Bodies are parsed with a minimal JSON reader (top-level object members,
 * strings with every escape, arrays of strings), since Django's JsonResponse
 * writes "j\u00fcrgen" and ", " separators while DRF writes raw UTF-8 and
 * compact JSON.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <coreapi/coreapi.h>

#include "check.h"
#include "json_member.h"

/* ------------------------------------------------------------------------ */
/* Environment                                                               */

static struct {
  const char *django_port;
  const char *nginx_port;
  const char *ca;
  const char *user, *password;
  const char *user2, *password2;
  char http_base[128];  /* "http://api.test:<django port>" */
  char https_base[128]; /* "https://api.test:<nginx port>" */
  char https_origin_slash[160];
  char token[128]; /* alice's DRF token, from (b) */
} E;

static const char *need_env(const char *name) {
  const char *v = getenv(name);
  if (v == NULL || *v == '\0') {
    fprintf(stderr, "test_django: %s is not set; run me under "
                    "tests/integration/servers.py --nginx -- ...\n", name);
    exit(1);
  }
  return v;
}

static const char *body_of(const coreapi_response *r) {
  return r ? coreapi_response_body(r, NULL) : "";
}

/* Members of r's JSON body (tests/json_member.h). */
static const char *json_str(const coreapi_response *r, const char *key, char *buf,
                            size_t size) {
  return json_member_str(body_of(r), key, buf, size);
}

static const char *json_lit(const coreapi_response *r, const char *key, char *buf,
                            size_t size) {
  return json_member_lit(body_of(r), key, buf, size);
}

static int json_strings(const coreapi_response *r, const char *key, const char *name,
                        int *has) {
  return json_member_strings(body_of(r), key, name, has);
}

/* ------------------------------------------------------------------------ */
/* Checks on responses, reporting the caller's line.                          */

#if defined(__GNUC__) || defined(__clang__)
__attribute__((format(printf, 3, 4)))
#endif
static void fail_at(int line, const coreapi_response *r, const char *fmt, ...) {
  va_list ap;
  check_failures++;
  fprintf(stderr, "%s:%d: ", __FILE__, line);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  if (r != NULL)
    fprintf(stderr, " [%s -> %ld, body %.300s]", coreapi_response_url(r),
            coreapi_response_status(r), body_of(r));
  fputc('\n', stderr);
}

/* The status is one of a or b (pass b = a for one status). */
static void check_status_at(int line, const coreapi_response *r, long a, long b) {
  check_count++;
  if (r == NULL) {
    fail_at(line, NULL, "no response (expected status %ld)", a);
    return;
  }
  long s = coreapi_response_status(r);
  if (s != a && s != b) {
    if (a == b) fail_at(line, r, "status %ld, expected %ld", s, a);
    else fail_at(line, r, "status %ld, expected %ld or %ld", s, a, b);
  }
}
#define CHECK_STATUS(r, s) check_status_at(__LINE__, (r), (s), (s))
/* Django REST framework answers 401 or 403 for "not authenticated" depending
 * on the first authentication class (403 when it is SessionAuthentication). */
#define CHECK_UNAUTHENTICATED(r) check_status_at(__LINE__, (r), 401, 403)

/* The body contains needle (exact bytes). */
static void check_body_has_at(int line, const coreapi_response *r, const char *needle) {
  check_count++;
  if (r == NULL || strstr(body_of(r), needle) == NULL)
    fail_at(line, r, "body lacks %s", needle);
}
#define CHECK_BODY_HAS(r, needle) check_body_has_at(__LINE__, (r), (needle))

/* String member key decodes to expected. */
static void check_json_str_at(int line, const coreapi_response *r, const char *key,
                              const char *expected) {
  char buf[512];
  check_count++;
  const char *v = json_str(r, key, buf, sizeof buf);
  if (v == NULL || strcmp(v, expected) != 0)
    fail_at(line, r, "\"%s\" is %s%s%s, expected \"%s\"", key, v ? "\"" : "", v ? v : "(absent)",
            v ? "\"" : "", expected);
}
#define CHECK_JSON_STR(r, key, expected) check_json_str_at(__LINE__, (r), (key), (expected))

/* Literal member key is exactly expected ("true", "false", "null"). */
static void check_json_lit_at(int line, const coreapi_response *r, const char *key,
                              const char *expected) {
  char buf[64];
  check_count++;
  const char *v = json_lit(r, key, buf, sizeof buf);
  if (v == NULL || strcmp(v, expected) != 0)
    fail_at(line, r, "\"%s\" is %s, expected %s", key, v ? v : "(absent or not a literal)",
            expected);
}
#define CHECK_JSON_LIT(r, key, expected) check_json_lit_at(__LINE__, (r), (key), (expected))

/* /inspect/'s "cookies": exactly count names, name among them (unless NULL). */
static void check_cookies_at(int line, const coreapi_response *r, int count,
                             const char *name) {
  int has;
  check_count++;
  int n = json_strings(r, "cookies", name, &has);
  if (n != count && count >= 0) fail_at(line, r, "%d cookies sent, expected %d", n, count);
  else if (n < 0) fail_at(line, r, "no \"cookies\" array");
  else if (name != NULL && !has) fail_at(line, r, "cookie %s was not sent", name);
}
#define CHECK_COOKIES(r, count, name) check_cookies_at(__LINE__, (r), (count), (name))

/* ------------------------------------------------------------------------ */
/* Clients and requests                                                      */

static coreapi_client *new_client(void) {
  coreapi_error err;
  coreapi_error_clear(&err);
  coreapi_client *c = coreapi_client_new(&err);
  if (c == NULL) fprintf(stderr, "coreapi_client_new: %s\n", err.text);
  REQUIRE(c != NULL);
  const char *ports[2] = {E.django_port, E.nginx_port};
  const char *hosts[2] = {"api.test", "other.test"};
  for (int i = 0; i < 2; i++) {
    for (int j = 0; j < 2; j++) {
      char entry[128];
      snprintf(entry, sizeof entry, "%s:%s:127.0.0.1", hosts[j], ports[i]);
      CHECK_INT(coreapi_client_add_resolve(c, entry, &err), COREAPI_OK);
    }
  }
  CHECK_INT(coreapi_client_set_ca_bundle(c, E.ca, &err), COREAPI_OK);
  if (err.code != COREAPI_OK) fprintf(stderr, "client setup: %s\n", err.text);
  return c;
}

static void add_auth(coreapi_client *c, coreapi_auth *auth) {
  coreapi_error err;
  coreapi_error_clear(&err);
  REQUIRE(auth != NULL);
  CHECK_INT(coreapi_client_add_auth(c, auth, &err), COREAPI_OK);
}

/* Send method base+path, with body (Content-Type ctype) when body is not
 * NULL, and the caller's own headers hdrs (name, value pairs, NULL-ended; may
 * be NULL). Returns the response, or NULL after reporting the error. */
static coreapi_response *call_at(int line, coreapi_client *c, const char *method,
                                 const char *base, const char *path, const char *ctype,
                                 const char *body, const char *const *hdrs) {
  char url[256];
  coreapi_error err;
  coreapi_response *resp = NULL;
  coreapi_code code;
  coreapi_error_clear(&err);
  snprintf(url, sizeof url, "%s%s", base, path);
  check_count++;
  if (hdrs == NULL) {
    code = coreapi_client_request(c, method, url, ctype, body, body ? strlen(body) : 0, &resp,
                                  &err);
  } else {
    coreapi_request *req = coreapi_request_new(method, url, &err);
    code = req ? COREAPI_OK : err.code;
    for (size_t i = 0; code == COREAPI_OK && hdrs[i] != NULL; i += 2)
      code = coreapi_request_set_header(req, hdrs[i], hdrs[i + 1], &err);
    if (code == COREAPI_OK && ctype != NULL)
      code = coreapi_request_set_header(req, "Content-Type", ctype, &err);
    if (code == COREAPI_OK && body != NULL)
      code = coreapi_request_set_body(req, body, strlen(body), &err);
    if (code == COREAPI_OK) code = coreapi_client_send(c, req, &resp, &err);
    coreapi_request_free(req);
  }
  if (code != COREAPI_OK || resp == NULL) {
    check_failures++;
    fprintf(stderr, "%s:%d: %s %s failed: %s (%s)\n", __FILE__, line, method, url,
            coreapi_code_name(code), err.text);
    coreapi_response_free(resp);
    return NULL;
  }
  return resp;
}
#define CALL(c, method, base, path, ctype, body) \
  call_at(__LINE__, (c), (method), (base), (path), (ctype), (body), NULL)
#define CALL_H(c, method, base, path, ctype, body, hdrs) \
  call_at(__LINE__, (c), (method), (base), (path), (ctype), (body), (hdrs))
#define GET(c, base, path) CALL((c), "GET", (base), (path), NULL, NULL)
#define POST_JSON(c, base, path, json) CALL((c), "POST", (base), (path), "application/json", (json))

static char *dup_or_null(const char *s) {
  return s ? strdup(s) : NULL;
}

static void credentials_json(char *buf, size_t size, const char *user, const char *password) {
  snprintf(buf, size, "{\"username\":\"%s\",\"password\":\"%s\"}", user, password);
}

/* ------------------------------------------------------------------------ */
/* (a) and (e): the session flow                                             */

/* GET /csrf/, POST /login/ (the token rotates), GET /me/, POST /notes/, POST
 * /inspect/, then logout. base is http or https; domain the Session
 * authentication's pattern. */
static void session_flow(const char *base, const char *domain, int https) {
  coreapi_error err;
  coreapi_response *r;
  char creds[256];
  coreapi_error_clear(&err);

  coreapi_auth *auth = coreapi_auth_session_new("csrftoken", "X-CSRFToken", domain, &err);
  if (auth == NULL) fprintf(stderr, "coreapi_auth_session_new: %s\n", err.text);
  REQUIRE(auth != NULL);
  coreapi_client *c = new_client();
  add_auth(c, auth);
  coreapi_auth_free(auth); /* the client keeps its own reference */

  /* Before logging in, /me/ refuses. */
  r = GET(c, base, "/me/");
  CHECK_UNAUTHENTICATED(r);
  coreapi_response_free(r);

  r = GET(c, base, "/csrf/");
  CHECK_STATUS(r, 200);
  char *token1 = dup_or_null(r ? coreapi_response_cookie(r, "csrftoken") : NULL);
  CHECK(token1 != NULL && strlen(token1) >= 32);
  coreapi_response_free(r);

  credentials_json(creds, sizeof creds, E.user, E.password);
  r = POST_JSON(c, base, "/login/", creds);
  CHECK_STATUS(r, 200);
  CHECK_JSON_STR(r, "username", E.user);
  /* Django's login() rotated the CSRF token: the response sets a new one. */
  char *token2 = dup_or_null(r ? coreapi_response_cookie(r, "csrftoken") : NULL);
  CHECK(token2 != NULL && strlen(token2) >= 32);
  CHECK(token1 != NULL && token2 != NULL && strcmp(token1, token2) != 0);
  const char *sessionid = r ? coreapi_response_cookie(r, "sessionid") : NULL;
  CHECK(sessionid != NULL && *sessionid != '\0');
  coreapi_response_free(r);

  r = GET(c, base, "/me/");
  CHECK_STATUS(r, 200);
  CHECK_JSON_STR(r, "username", E.user);
  CHECK_JSON_STR(r, "auth", "session");
  coreapi_response_free(r);

  /* Accepted only with the rotated token in X-CSRFToken (see
   * test_stale_token_is_refused for the proof that the old one fails). */
  r = POST_JSON(c, base, "/notes/", https ? "{\"text\":\"over https\"}"
                                          : "{\"text\":\"over http\"}");
  CHECK_STATUS(r, 201);
  CHECK_JSON_STR(r, "username", E.user);
  CHECK_BODY_HAS(r, https ? "\"data\":{\"text\":\"over https\"}"
                          : "\"data\":{\"text\":\"over http\"}");
  coreapi_response_free(r);

  /* What an unsafe request carried: the session and CSRF cookies, the CSRF
   * header, no Authorization; over https Origin and Referer of its origin. */
  r = CALL(c, "POST", base, "/inspect/", "application/json", "{}");
  CHECK_STATUS(r, 200);
  CHECK_JSON_LIT(r, "authorization", "false");
  CHECK_JSON_LIT(r, "csrf_header", "true");
  CHECK_COOKIES(r, -1, "csrftoken");
  CHECK_COOKIES(r, -1, "sessionid");
  if (https) {
    CHECK_JSON_STR(r, "origin", base);
    CHECK_JSON_STR(r, "referer", E.https_origin_slash);
  }
  coreapi_response_free(r);

  /* Logout is CSRF-protected too; afterwards the session is gone. */
  r = CALL(c, "POST", base, "/logout/", NULL, NULL);
  CHECK_STATUS(r, 200);
  coreapi_response_free(r);
  r = GET(c, base, "/me/");
  CHECK_UNAUTHENTICATED(r);
  coreapi_response_free(r);

  free(token1);
  free(token2);
  coreapi_client_free(c);
}

/* (a) negative: Session authentication without a CSRF header name keeps and
 * sends the csrftoken cookie but no header, and Django refuses the login. */
static void test_session_without_csrf_header(void) {
  coreapi_error err;
  coreapi_response *r;
  char creds[256];
  coreapi_error_clear(&err);

  coreapi_auth *auth = coreapi_auth_session_new("csrftoken", NULL, NULL, &err);
  coreapi_client *c = new_client();
  add_auth(c, auth);

  r = GET(c, E.http_base, "/csrf/");
  CHECK_STATUS(r, 200);
  CHECK(r != NULL && coreapi_response_cookie(r, "csrftoken") != NULL);
  coreapi_response_free(r);

  r = CALL(c, "POST", E.http_base, "/inspect/", "application/json", "{}");
  CHECK_STATUS(r, 200);
  CHECK_COOKIES(r, -1, "csrftoken");
  CHECK_JSON_LIT(r, "csrf_header", "false");
  coreapi_response_free(r);

  credentials_json(creds, sizeof creds, E.user, E.password);
  r = POST_JSON(c, E.http_base, "/login/", creds);
  CHECK_STATUS(r, 403);
  CHECK_BODY_HAS(r, "CSRF Failed");
  coreapi_response_free(r);

  r = GET(c, E.http_base, "/me/");
  CHECK_UNAUTHENTICATED(r);
  coreapi_response_free(r);

  coreapi_auth_free(auth);
  coreapi_client_free(c);
}

/* The premise of the rotation check in session_flow: after login, Django
 * refuses the token from before the login. Done with the CSRF header set by
 * hand (Session authentication with cookies only). */
static void test_stale_token_is_refused(void) {
  coreapi_error err;
  coreapi_response *r;
  char creds[256];
  coreapi_error_clear(&err);

  coreapi_auth *auth = coreapi_auth_session_new("csrftoken", NULL, "api.test", &err);
  coreapi_client *c = new_client();
  add_auth(c, auth);

  r = GET(c, E.http_base, "/csrf/");
  CHECK_STATUS(r, 200);
  char *token1 = dup_or_null(r ? coreapi_response_cookie(r, "csrftoken") : NULL);
  coreapi_response_free(r);
  REQUIRE(token1 != NULL);

  const char *h1[] = {"X-CSRFToken", token1, NULL};
  credentials_json(creds, sizeof creds, E.user, E.password);
  r = CALL_H(c, "POST", E.http_base, "/login/", "application/json", creds, h1);
  CHECK_STATUS(r, 200);
  char *token2 = dup_or_null(r ? coreapi_response_cookie(r, "csrftoken") : NULL);
  coreapi_response_free(r);
  REQUIRE(token2 != NULL);

  r = CALL_H(c, "POST", E.http_base, "/notes/", "application/json", "{\"n\":1}", h1);
  CHECK_STATUS(r, 403);
  CHECK_BODY_HAS(r, "CSRF Failed");
  coreapi_response_free(r);

  const char *h2[] = {"X-CSRFToken", token2, NULL};
  r = CALL_H(c, "POST", E.http_base, "/notes/", "application/json", "{\"n\":2}", h2);
  CHECK_STATUS(r, 201);
  coreapi_response_free(r);

  free(token1);
  free(token2);
  coreapi_auth_free(auth);
  coreapi_client_free(c);
}

/* ------------------------------------------------------------------------ */
/* (b) Token                                                                 */

static void test_token(void) {
  coreapi_error err;
  coreapi_response *r;
  char creds[256];
  coreapi_error_clear(&err);

  /* Obtain alice's token without authentication. */
  coreapi_client *anon = new_client();
  credentials_json(creds, sizeof creds, E.user, E.password);
  r = POST_JSON(anon, E.http_base, "/api-token-auth/", creds);
  CHECK_STATUS(r, 200);
  const char *tok = json_str(r, "token", E.token, sizeof E.token);
  CHECK(tok != NULL && strlen(tok) == 40);
  coreapi_response_free(r);
  REQUIRE(E.token[0] != '\0');

  /* The form-encoded way gives the same token. */
  char form[256];
  snprintf(form, sizeof form, "username=%s&password=%s", E.user, E.password);
  r = CALL(anon, "POST", E.http_base, "/api-token-auth/",
           "application/x-www-form-urlencoded", form);
  CHECK_STATUS(r, 200);
  CHECK_JSON_STR(r, "token", E.token);
  coreapi_response_free(r);
  coreapi_client_free(anon);

  /* The token authenticates, and needs no CSRF token for a POST. */
  coreapi_auth *auth = coreapi_auth_token_new(E.token, "Token", "api.test", &err);
  if (auth == NULL) fprintf(stderr, "coreapi_auth_token_new: %s\n", err.text);
  coreapi_client *c = new_client();
  add_auth(c, auth);
  r = GET(c, E.http_base, "/me/");
  CHECK_STATUS(r, 200);
  CHECK_JSON_STR(r, "username", E.user);
  CHECK_JSON_STR(r, "auth", "token");
  coreapi_response_free(r);
  r = POST_JSON(c, E.http_base, "/notes/", "{\"via\":\"token\"}");
  CHECK_STATUS(r, 201);
  CHECK_JSON_STR(r, "username", E.user);
  coreapi_response_free(r);
  /* Without Session authentication no cookie is stored: the tracker cookie
   * the first /inspect/ sets is not sent to the second. */
  r = GET(c, E.http_base, "/inspect/");
  CHECK_STATUS(r, 200);
  CHECK(r != NULL && coreapi_response_cookie(r, "tracker") != NULL);
  coreapi_response_free(r);
  r = GET(c, E.http_base, "/inspect/");
  CHECK_JSON_LIT(r, "authorization", "true");
  CHECK_COOKIES(r, 0, NULL);
  coreapi_response_free(r);
  coreapi_client_free(c);
  coreapi_auth_free(auth);

  /* A wrong token is refused as such. */
  coreapi_error_clear(&err);
  auth = coreapi_auth_token_new("0123456789abcdef0123456789abcdef01234567", "Token",
                                "api.test", &err);
  c = new_client();
  add_auth(c, auth);
  r = GET(c, E.http_base, "/me/");
  CHECK_UNAUTHENTICATED(r);
  CHECK_JSON_STR(r, "detail", "Invalid token.");
  coreapi_response_free(r);
  coreapi_client_free(c);
  coreapi_auth_free(auth);

  /* The right token under the scheme DRF does not know (Bearer) is sent but
   * ignored: the request is simply not authenticated. */
  const char *schemes[2] = {"Bearer", NULL}; /* NULL means Bearer */
  for (int i = 0; i < 2; i++) {
    coreapi_error_clear(&err);
    auth = coreapi_auth_token_new(E.token, schemes[i], "api.test", &err);
    c = new_client();
    add_auth(c, auth);
    r = GET(c, E.http_base, "/me/");
    CHECK_UNAUTHENTICATED(r);
    CHECK_JSON_STR(r, "detail", "Authentication credentials were not provided.");
    coreapi_response_free(r);
    r = GET(c, E.http_base, "/inspect/");
    CHECK_STATUS(r, 200);
    CHECK_JSON_LIT(r, "authorization", "true");
    coreapi_response_free(r);
    coreapi_client_free(c);
    coreapi_auth_free(auth);
  }
}

/* ------------------------------------------------------------------------ */
/* (c) Basic                                                                 */

static void basic_me(const char *user, const char *password, long status,
                     const char *expect_user, int line) {
  coreapi_error err;
  coreapi_error_clear(&err);
  coreapi_auth *auth = coreapi_auth_basic_new(user, password, NULL, &err);
  if (auth == NULL)
    fprintf(stderr, "%s:%d: coreapi_auth_basic_new: %s\n", __FILE__, line, err.text);
  CHECK(auth != NULL);
  if (auth == NULL) return;
  coreapi_client *c = new_client();
  add_auth(c, auth);
  coreapi_auth_free(auth);
  coreapi_response *r = GET(c, E.http_base, "/me/");
  if (status == 200) {
    check_status_at(line, r, 200, 200);
    check_json_str_at(line, r, "username", expect_user);
    check_json_str_at(line, r, "auth", "basic");
  } else {
    check_status_at(line, r, 401, 403);
    check_json_str_at(line, r, "detail", "Invalid username/password.");
  }
  coreapi_response_free(r);
  coreapi_client_free(c);
}

static void test_basic(void) {
  /* The second user's name must really be non-ASCII, or the UTF-8 case
   * proves nothing. */
  int non_ascii = 0;
  for (const unsigned char *p = (const unsigned char *)E.user2; *p; p++)
    if (*p >= 0x80) non_ascii = 1;
  CHECK(non_ascii);

  basic_me(E.user, E.password, 200, E.user, __LINE__);
  basic_me(E.user2, E.password2, 200, E.user2, __LINE__);
  basic_me(E.user, "not-the-password", 403, NULL, __LINE__);
  basic_me(E.user2, E.password, 403, NULL, __LINE__);

  /* Basic users post without CSRF token. */
  coreapi_error err;
  coreapi_error_clear(&err);
  coreapi_auth *auth = coreapi_auth_basic_new(E.user2, E.password2, "api.test", &err);
  coreapi_client *c = new_client();
  add_auth(c, auth);
  coreapi_response *r = POST_JSON(c, E.http_base, "/notes/", "{\"via\":\"basic\"}");
  CHECK_STATUS(r, 201);
  CHECK_JSON_STR(r, "username", E.user2);
  coreapi_response_free(r);
  coreapi_client_free(c);
  coreapi_auth_free(auth);
}

/* ------------------------------------------------------------------------ */
/* (d) Scoping                                                               */

static void test_scoping(void) {
  coreapi_error err;
  coreapi_response *r;
  char url[256], why[256];
  coreapi_error_clear(&err);
  REQUIRE(E.token[0] != '\0');

  coreapi_auth *token = coreapi_auth_token_new(E.token, "Token", "other.test", &err);
  coreapi_auth *session = coreapi_auth_session_new("csrftoken", "X-CSRFToken", "other.test",
                                                   &err);
  coreapi_client *c = new_client();
  add_auth(c, token);
  add_auth(c, session);

  snprintf(url, sizeof url, "%s/me/", E.http_base);
  CHECK(coreapi_client_auth_for(c, url, why, sizeof why, &err) == NULL);

  /* The server sets cookies; none may be stored for api.test. */
  r = GET(c, E.http_base, "/csrf/");
  CHECK_STATUS(r, 200);
  CHECK(r != NULL && coreapi_response_cookie(r, "csrftoken") != NULL);
  coreapi_response_free(r);

  r = GET(c, E.http_base, "/inspect/");
  CHECK_STATUS(r, 200);
  CHECK(r != NULL && coreapi_response_cookie(r, "tracker") != NULL);
  CHECK_JSON_LIT(r, "authorization", "false");
  CHECK_JSON_LIT(r, "csrf_header", "false");
  CHECK_COOKIES(r, 0, NULL);
  coreapi_response_free(r);

  r = GET(c, E.http_base, "/inspect/");
  CHECK_STATUS(r, 200);
  CHECK_JSON_LIT(r, "authorization", "false");
  CHECK_JSON_LIT(r, "csrf_header", "false");
  CHECK_COOKIES(r, 0, NULL); /* neither tracker nor csrftoken */
  coreapi_response_free(r);

  r = CALL(c, "POST", E.http_base, "/inspect/", "application/json", "{}");
  CHECK_STATUS(r, 200);
  CHECK_JSON_LIT(r, "authorization", "false");
  CHECK_JSON_LIT(r, "csrf_header", "false");
  CHECK_JSON_LIT(r, "origin", "null");
  CHECK_JSON_LIT(r, "referer", "null");
  CHECK_COOKIES(r, 0, NULL);
  coreapi_response_free(r);

  r = GET(c, E.http_base, "/me/");
  CHECK_UNAUTHENTICATED(r);
  CHECK_JSON_STR(r, "detail", "Authentication credentials were not provided.");
  coreapi_response_free(r);

  /* Control: the same client does send the token to other.test (same server;
   * the token, added first, wins the tie between two exact patterns). */
  char other_base[128];
  snprintf(other_base, sizeof other_base, "http://other.test:%s", E.django_port);
  snprintf(url, sizeof url, "%s/me/", other_base);
  CHECK(coreapi_client_auth_for(c, url, why, sizeof why, &err) == token);
  r = GET(c, other_base, "/me/");
  CHECK_STATUS(r, 200);
  CHECK_JSON_STR(r, "auth", "token");
  coreapi_response_free(r);
  coreapi_client_free(c);

  /* Control: with Session authentication for api.test the same requests do
   * carry the cookies and the CSRF header, so the checks above can fail. */
  coreapi_auth *in_scope = coreapi_auth_session_new("csrftoken", "X-CSRFToken", "api.test",
                                                    &err);
  c = new_client();
  add_auth(c, in_scope);
  r = GET(c, E.http_base, "/csrf/");
  CHECK_STATUS(r, 200);
  coreapi_response_free(r);
  r = GET(c, E.http_base, "/inspect/");
  CHECK_COOKIES(r, 1, "csrftoken");
  coreapi_response_free(r);
  r = CALL(c, "POST", E.http_base, "/inspect/", "application/json", "{}");
  CHECK_COOKIES(r, 2, "tracker");
  CHECK_JSON_LIT(r, "csrf_header", "true");
  CHECK_JSON_LIT(r, "authorization", "false");
  coreapi_response_free(r);
  coreapi_client_free(c);

  coreapi_auth_free(in_scope);
  coreapi_auth_free(token);
  coreapi_auth_free(session);
}

/* ------------------------------------------------------------------------ */
/* (e) https through nginx: Django's Referer check                          */

static void test_https_referer(void) {
  coreapi_error err;
  coreapi_response *r;
  char creds[256];
  coreapi_error_clear(&err);
  credentials_json(creds, sizeof creds, E.user, E.password);

  /* Without Session authentication nothing adds a Referer, and Django refuses
   * an https POST without one before anything else. */
  coreapi_client *anon = new_client();
  r = POST_JSON(anon, E.https_base, "/login/", creds);
  CHECK_STATUS(r, 403);
  CHECK_BODY_HAS(r, "CSRF Failed: Referer checking failed - no Referer.");
  coreapi_response_free(r);
  coreapi_client_free(anon);

  coreapi_auth *auth = coreapi_auth_session_new("csrftoken", "X-CSRFToken", "api.test", &err);
  coreapi_client *c = new_client();
  add_auth(c, auth);

  r = GET(c, E.https_base, "/csrf/");
  CHECK_STATUS(r, 200);
  coreapi_response_free(r);
  r = POST_JSON(c, E.https_base, "/login/", creds);
  CHECK_STATUS(r, 200);
  coreapi_response_free(r);

  /* A Referer the caller set is kept (auth.h: "unless the caller set
   * them")... */
  const char *evil[] = {"Referer", "https://evil.test/", NULL};
  r = CALL_H(c, "POST", E.https_base, "/inspect/", "application/json", "{}", evil);
  CHECK_STATUS(r, 200);
  CHECK_JSON_STR(r, "referer", "https://evil.test/");
  CHECK_JSON_LIT(r, "csrf_header", "true");
  coreapi_response_free(r);

  /* ...and Django's check is real: that Referer is refused. (Django 3.2, as
   * on Debian 12, checks the Referer of https requests; Django >= 4.0 would
   * check an Origin header first when there is one.) */
  r = CALL_H(c, "POST", E.https_base, "/notes/", "application/json", "{\"n\":1}", evil);
  CHECK_STATUS(r, 403);
  CHECK_BODY_HAS(r, "CSRF Failed");
  CHECK_BODY_HAS(r, "Referer checking failed");
  coreapi_response_free(r);

  /* The same POST with the library's own Referer passes. */
  r = POST_JSON(c, E.https_base, "/notes/", "{\"n\":2}");
  CHECK_STATUS(r, 201);
  CHECK_JSON_STR(r, "username", E.user);
  coreapi_response_free(r);

  coreapi_client_free(c);
  coreapi_auth_free(auth);
}

int main(void) {
  E.django_port = need_env("COREAPI_TEST_DJANGO_PORT");
  E.nginx_port = need_env("COREAPI_TEST_NGINX_PORT");
  E.ca = need_env("COREAPI_TEST_CA");
  E.user = need_env("COREAPI_TEST_USER");
  E.password = need_env("COREAPI_TEST_PASSWORD");
  E.user2 = need_env("COREAPI_TEST_USER2");
  E.password2 = need_env("COREAPI_TEST_PASSWORD2");
  snprintf(E.http_base, sizeof E.http_base, "http://api.test:%s", E.django_port);
  snprintf(E.https_base, sizeof E.https_base, "https://api.test:%s", E.nginx_port);
  snprintf(E.https_origin_slash, sizeof E.https_origin_slash, "%s/", E.https_base);

  session_flow(E.http_base, NULL, 0);                    /* (a) */
  test_session_without_csrf_header();                    /* (a) negative */
  test_stale_token_is_refused();                         /* (a) premise */
  test_token();                                          /* (b) */
  test_basic();                                          /* (c) */
  test_scoping();                                        /* (d) */
  session_flow(E.https_base, "api.test", 1);             /* (e) */
  test_https_referer();                                  /* (e) control */

  return check_done("test_django");
}
