/*
 * tests/integration/test_digest_live.c - HTTP Digest authentication (RFC 7616)
 * against Apache httpd's mod_auth_digest, and where the credential must not
 * go, against the recording redirect server.
 *
 * Run under the harness:
 *
 *   /usr/bin/python3 tests/integration/servers.py --apache --redirect -- build/test_digest_live
 *
 * Apache (COREAPI_TEST_APACHE_PORT, see tests/integration/README.md):
 * /digest-md5/ needs user "digestuser", password "dig3st-pass" (realm
 * "coreapi digest", algorithm MD5, qop auth) and answers 200 text/plain
 * "digest ok"; /digest-md5/redirect-other answers, once authenticated, 302
 * to http://other.test:<redirect http port>/echo; /open/ needs nothing.
 * SHA-256 is checked at the device server's /digest-sha256/ (servers.py
 * --device, same user and realm): Apache's mod_auth_digest knows MD5 only.
 *
 * What is checked: the right password gives 200 with GET, HEAD, POST (the
 * body sent again with the answer to the challenge) and a body sink that
 * sees only the final response; a wrong one the final 401 (the Core API's
 * ERR_ERROR_RESPONSE); a domain that does not cover the host, or a host
 * that never challenges, gets no Authorization at all; a redirect to
 * another host carries none, nor does the next transfer on the same
 * reused handle; debug output names the credential "digest (digestuser)",
 * shows the Authorization of libcurl's second request as "[redacted]" and
 * never the password or the Digest fields. NTLM, which libcurl starts
 * unasked, is checked for its scope on the redirect server.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "coreapi/coreapi.h"

#define MUST(cond)                                                         \
  do {                                                                     \
    if (!(cond)) {                                                         \
      fprintf(stderr, "%s:%d: required: %s\n", __FILE__, __LINE__, #cond); \
      exit(1);                                                             \
    }                                                                      \
  } while (0)

#define USER "digestuser"
#define PASSWORD "dig3st-pass"

static int apache_port, redirect_port, device_port;
static char urlbuf[8][256];
static int urlnext;

/* A URL on Apache (host "127.0.0.1" or "localhost") or on the redirect
 * server (other.test, api.test); valid for the next 7 calls. */
#if defined(__GNUC__) || defined(__clang__)
__attribute__((format(printf, 1, 2)))
#endif
static const char *u(const char *f, ...) {
  char *s = urlbuf[urlnext++ % 8];
  va_list ap;
  va_start(ap, f);
  vsnprintf(s, sizeof(urlbuf[0]), f, ap);
  va_end(ap);
  return s;
}

/* --- debug output, collected ---------------------------------------------- */

typedef struct debug_log {
  char text[65536]; /* everything, each piece prefixed "<type>|" */
  size_t len;
  int out_blocks;  /* HEADER_OUT pieces */
  int auth_blocks; /* HEADER_OUT pieces with "Authorization:" */
} debug_log;

static void on_debug(void *userdata, coreapi_debug_type type, const char *text, size_t len) {
  debug_log *d = userdata;
  int n = snprintf(d->text + d->len, sizeof(d->text) - d->len, "%d|%.*s\n", (int)type, (int)len,
                   text);
  if (n > 0 && (size_t)n < sizeof(d->text) - d->len)
    d->len += (size_t)n;
  if (type == COREAPI_DEBUG_HEADER_OUT) {
    d->out_blocks++;
    for (size_t i = 0; i + 14 <= len; i++)
      if (memcmp(text + i, "Authorization:", 14) == 0) {
        d->auth_blocks++;
        break;
      }
  }
}

/* Nothing secret in the output: not the password, not the Digest fields. */
static void check_redacted(const debug_log *d, const char *where) {
  int before = check_failures;
  CHECK(strstr(d->text, PASSWORD) == NULL);
  CHECK(strstr(d->text, "Digest username") == NULL);
  CHECK(strstr(d->text, "response=\"") == NULL);
  CHECK(strstr(d->text, "NTLM TlRM") == NULL);
  if (check_failures != before)
    fprintf(stderr, "  ^ %s: debug output:\n%s\n", where, d->text);
}

/* --- clients ----------------------------------------------------------------- */

static coreapi_client *client_new(coreapi_auth *auth, debug_log *d) {
  coreapi_error err;
  coreapi_client *c = coreapi_client_new(&err);
  MUST(c != NULL);
  MUST(coreapi_client_add_resolve(c, u("other.test:%d:127.0.0.1", redirect_port), &err) ==
       COREAPI_OK);
  MUST(coreapi_client_add_resolve(c, u("api.test:%d:127.0.0.1", redirect_port), &err) ==
       COREAPI_OK);
  MUST(coreapi_client_set_timeout_ms(c, 15000, &err) == COREAPI_OK);
  if (auth != NULL) {
    MUST(coreapi_client_add_auth(c, auth, &err) == COREAPI_OK);
    coreapi_auth_free(auth);
  }
  if (d != NULL) {
    memset(d, 0, sizeof(*d));
    MUST(coreapi_client_set_debug(c, on_debug, d, &err) == COREAPI_OK);
  }
  return c;
}

static coreapi_auth *digest(const char *password, const char *domain) {
  coreapi_error err;
  coreapi_auth *a = coreapi_auth_digest_new(USER, password, domain, &err);
  if (a == NULL)
    fprintf(stderr, "coreapi_auth_digest_new: %s\n", err.text);
  MUST(a != NULL);
  return a;
}

/* Send; the response (NULL on failure, reported). */
static coreapi_response *do_send(coreapi_client *c, const char *method, const char *url,
                              const char *body) {
  coreapi_error err;
  coreapi_response *r = NULL;
  coreapi_code rc = coreapi_client_request(c, method, url, body ? "text/plain" : NULL, body,
                                           body ? strlen(body) : 0, &r, &err);
  CHECK_INT(rc, COREAPI_OK);
  if (rc != COREAPI_OK)
    fprintf(stderr, "  ^ %s %s: %s\n", method, url, err.text);
  return r;
}

static long status_of(coreapi_client *c, const char *method, const char *url, const char *body) {
  coreapi_response *r = do_send(c, method, url, body);
  long status = r ? coreapi_response_status(r) : -1;
  coreapi_response_free(r);
  return status;
}

/* The redirect server's request log ("" after a clear). */
static char *server_log(int clear) {
  coreapi_client *c = client_new(NULL, NULL);
  coreapi_response *r = do_send(c, "GET", u("http://127.0.0.1:%d/%s", redirect_port,
                                         clear ? "__clear" : "__log"), NULL);
  char *text;
  MUST(r != NULL && coreapi_response_status(r) == 200);
  text = strdup(coreapi_response_body(r, NULL));
  MUST(text != NULL);
  coreapi_response_free(r);
  coreapi_client_free(c);
  return text;
}

/* Does the log line of the request whose host field starts with host
 * (method and "host:") hold field? */
static int line_has(const char *log, const char *what, const char *field) {
  const char *p = strstr(log, what), *end;
  if (p == NULL)
    return 0;
  end = strchr(p, '\n');
  if (end == NULL)
    end = p + strlen(p);
  for (; p + strlen(field) <= end; p++)
    if (strncmp(p, field, strlen(field)) == 0)
      return 1;
  return 0;
}

/* --- cases ------------------------------------------------------------------- */

static void test_get_head_post(void) {
  debug_log d;
  coreapi_client *c = client_new(digest(PASSWORD, "127.0.0.1"), &d);
  const char *url = u("http://127.0.0.1:%d/digest-md5/", apache_port);
  coreapi_response *r = do_send(c, "GET", url, NULL);
  CHECK(r != NULL);
  if (r != NULL) {
    CHECK_INT(coreapi_response_status(r), 200);
    CHECK_STR(coreapi_response_body(r, NULL), "digest ok");
    CHECK_STR(coreapi_response_header(r, "Content-Type"), "text/plain");
    CHECK(coreapi_response_header(r, "WWW-Authenticate") == NULL); /* the final block only */
  }
  coreapi_response_free(r);
  /* libcurl's first request goes without, its answer to the 401 with. */
  CHECK_INT(d.out_blocks, 2);
  CHECK_INT(d.auth_blocks, 1);
  CHECK(strstr(d.text, "0|hop 0 127.0.0.1: credential 127.0.0.1: digest (digestuser), "
                       "cookies not allowed") != NULL);
  CHECK(strstr(d.text, "Authorization: [redacted]") != NULL);
  check_redacted(&d, "GET");
  CHECK_INT(status_of(c, "HEAD", url, NULL), 200);
  /* A POST: libcurl probes with an empty body, then sends it with the
   * answer; Apache serves the file to a POST. The last request libcurl
   * reports carries the whole body. */
  d.len = 0;
  d.text[0] = '\0';
  CHECK_INT(status_of(c, "POST", url, "twenty-one bytes body"), 200);
  CHECK(strstr(d.text, "Content-Length: 21") != NULL);
  CHECK(strstr(d.text, "3|body: 21 bytes sent") != NULL);
  check_redacted(&d, "POST");
  /* Apache answers a PUT to a file 405, once authenticated. */
  CHECK_INT(status_of(c, "PUT", url, "x"), 405);
  coreapi_client_free(c);
}

static void test_wrong_password(void) {
  debug_log d;
  coreapi_client *c = client_new(digest("not-the-password", "127.0.0.1"), &d);
  const char *url = u("http://127.0.0.1:%d/digest-md5/", apache_port);
  coreapi_result res;
  coreapi_error err;
  coreapi_code rc;
  CHECK_INT(status_of(c, "GET", url, NULL), 401);
  CHECK_INT(d.auth_blocks, 1); /* libcurl answered once, then gave up */
  rc = coreapi_client_get(c, url, NULL, &res, &err);
  CHECK_INT(rc, COREAPI_ERR_ERROR_RESPONSE);
  CHECK_INT(err.http_status, 401);
  CHECK_INT(res.status, 401);
  coreapi_result_clear(&res);
  CHECK(strstr(d.text, "not-the-password") == NULL);
  check_redacted(&d, "wrong password");
  coreapi_client_free(c);
}

/* A body sink sees the final response only: begin once, with its status. */
typedef struct sink_seen {
  int begins;
  long status;
  char body[64];
  size_t len;
} sink_seen;

static coreapi_code sink_begin(void *userdata, const coreapi_response *resp,
                               coreapi_error *err) {
  sink_seen *s = userdata;
  (void)err;
  s->begins++;
  s->status = coreapi_response_status(resp);
  s->len = 0;
  return COREAPI_OK;
}

static coreapi_code sink_write(void *userdata, const void *data, size_t len, coreapi_error *err) {
  sink_seen *s = userdata;
  (void)err;
  if (len > sizeof(s->body) - 1 - s->len)
    len = sizeof(s->body) - 1 - s->len;
  memcpy(s->body + s->len, data, len);
  s->len += len;
  s->body[s->len] = '\0';
  return COREAPI_OK;
}

static void sink_case(const char *password, long status, const char *body) {
  static const coreapi_body_sink sink = {sink_begin, sink_write};
  coreapi_client *c = client_new(digest(password, "127.0.0.1"), NULL);
  coreapi_request *req =
      coreapi_request_new("GET", u("http://127.0.0.1:%d/digest-md5/", apache_port), NULL);
  coreapi_response *r = NULL;
  coreapi_error err;
  sink_seen s = {0};
  MUST(req != NULL);
  CHECK_INT(coreapi_client_send_to(c, req, &sink, &s, &r, &err), COREAPI_OK);
  CHECK_INT(s.begins, 1);
  CHECK_INT(s.status, status);
  if (body != NULL)
    CHECK_STR(s.body, body);
  CHECK(r != NULL && coreapi_response_status(r) == status);
  coreapi_response_free(r);
  coreapi_request_free(req);
  coreapi_client_free(c);
}

static void test_sink(void) {
  sink_case(PASSWORD, 200, "digest ok");
  sink_case("wrong", 401, NULL);
}

static void test_out_of_scope(void) {
  debug_log d;
  coreapi_client *c = client_new(digest(PASSWORD, "api.test"), &d);
  char *log;
  CHECK_INT(status_of(c, "GET", u("http://127.0.0.1:%d/digest-md5/", apache_port), NULL), 401);
  CHECK_INT(d.auth_blocks, 0);
  CHECK(strstr(d.text, "no credential matches 127.0.0.1") != NULL);
  /* In scope, but no challenge: Digest sends nothing unasked (no Basic). */
  free(server_log(1));
  CHECK_INT(status_of(c, "GET", u("http://api.test:%d/echo", redirect_port), NULL), 200);
  CHECK_INT(status_of(c, "GET", u("http://other.test:%d/echo", redirect_port), NULL), 200);
  log = server_log(0);
  CHECK(line_has(log, " GET api.test:", " auth=0 "));
  CHECK(line_has(log, " GET other.test:", " auth=0 "));
  CHECK(strstr(log, "auth=1") == NULL);
  free(log);
  CHECK_INT(d.auth_blocks, 0);
  check_redacted(&d, "out of scope");
  coreapi_client_free(c);
}

/* From the digest host to other.test: no credential there, nor on the next
 * transfer of the same handle; the resolve list survives libcurl's reset. */
static void redirect_case(const char *domain) {
  debug_log d;
  coreapi_client *c = client_new(digest(PASSWORD, domain), &d);
  coreapi_response *r;
  char *log;
  free(server_log(1));
  r = do_send(c, "GET", u("http://127.0.0.1:%d/digest-md5/redirect-other", apache_port), NULL);
  CHECK(r != NULL);
  if (r != NULL) {
    CHECK_INT(coreapi_response_status(r), 200);
    CHECK_INT(coreapi_response_redirects(r), 1);
    CHECK_STR(coreapi_response_url(r), u("http://other.test:%d/echo", redirect_port));
    CHECK(strstr(coreapi_response_body(r, NULL), "authorization") == NULL);
  }
  coreapi_response_free(r);
  CHECK(strstr(d.text, "hop 1 other.test: no credential") != NULL);
  CHECK_INT(d.auth_blocks, 1); /* the answer to Apache's challenge only */
  CHECK_INT(status_of(c, "GET", u("http://127.0.0.1:%d/digest-md5/", apache_port), NULL), 200);
  CHECK_INT(status_of(c, "POST", u("http://other.test:%d/echo", redirect_port), "x"), 200);
  log = server_log(0);
  CHECK(line_has(log, "http GET other.test:", " auth=0 "));
  CHECK(line_has(log, "http POST other.test:", " auth=0 "));
  CHECK(strstr(log, "auth=1") == NULL);
  if (strstr(log, "auth=1") != NULL)
    fprintf(stderr, "  ^ domain %s: server log:\n%s", domain, log);
  free(log);
  check_redacted(&d, "redirect");
  coreapi_client_free(c);
}

static void test_redirect(void) {
  debug_log d;
  coreapi_client *c = client_new(digest(PASSWORD, "127.0.0.1"), &d);
  coreapi_response *r;
  redirect_case("127.0.0.1");
  redirect_case("*");
  /* Within the host the credential goes on: the next hop answers again. */
  r = do_send(c, "GET", u("http://127.0.0.1:%d/digest-md5/redirect-same", apache_port), NULL);
  CHECK(r != NULL && coreapi_response_status(r) == 200 && coreapi_response_redirects(r) == 1);
  CHECK(r != NULL && strcmp(coreapi_response_body(r, NULL), "digest ok") == 0);
  coreapi_response_free(r);
  CHECK(strstr(d.text, "hop 1 127.0.0.1: credential 127.0.0.1: digest (digestuser)") != NULL);
  check_redacted(&d, "redirect-same");
  coreapi_client_free(c);
}

/* Two digest credentials on one client, one per host: each hop starts from
 * a clean libcurl state, so neither gets the other's nonce or password. */
static void test_two_credentials(void) {
  coreapi_client *c = client_new(digest("wrong", "localhost"), NULL);
  coreapi_auth *right = digest(PASSWORD, "127.0.0.1");
  coreapi_error err;
  MUST(coreapi_client_add_auth(c, right, &err) == COREAPI_OK);
  coreapi_auth_free(right); /* the client keeps its own reference */
  for (int i = 0; i < 2; i++) {
    CHECK_INT(status_of(c, "GET", u("http://localhost:%d/digest-md5/", apache_port), NULL), 401);
    CHECK_INT(status_of(c, "GET", u("http://127.0.0.1:%d/digest-md5/", apache_port), NULL), 200);
    CHECK_INT(status_of(c, "GET", u("http://127.0.0.1:%d/open/", apache_port), NULL), 200);
  }
  coreapi_client_free(c);
}

/* A file from disk as the raw body, then in a multipart form, POSTed to
 * the Digest host: libcurl probes with an empty body, then sends the whole
 * file (read again from its start) with the answer. */
static void upload_case(const char *path, const char *encoding, const char *location,
                        long min_sent) {
  debug_log d;
  coreapi_client *c = client_new(digest(PASSWORD, "127.0.0.1"), &d);
  const coreapi_field_spec field = {"file", 1, location, "", NULL, NULL, NULL};
  const coreapi_link_spec spec = {u("http://127.0.0.1:%d/digest-md5/", apache_port),
                                  "post", encoding, NULL, NULL, NULL, &field, 1, NULL};
  const coreapi_key key = {"upload", 0};
  coreapi_map_builder *b = coreapi_map_builder_new(), *pb = coreapi_map_builder_new();
  coreapi_node *doc, *params;
  coreapi_result res;
  coreapi_error err;
  const char *sent;
  MUST(b != NULL && pb != NULL);
  MUST(coreapi_map_builder_set(b, "upload", 6, coreapi_link_new(&spec, &err), &err) == COREAPI_OK);
  doc = coreapi_map_builder_document(b, spec.url, "Digest", NULL, NULL, &err);
  MUST(coreapi_map_builder_set(pb, "file", 4, coreapi_file_new(path, NULL, NULL, &err), &err) ==
       COREAPI_OK);
  params = coreapi_map_builder_object(pb, &err);
  MUST(doc != NULL && params != NULL);
  CHECK_INT(coreapi_client_action(c, doc, &key, 1, params, NULL, &res, &err), COREAPI_OK);
  CHECK_INT(res.status, 200);
  CHECK_INT(d.auth_blocks, 1);
  sent = strstr(d.text, "3|body: ");
  CHECK(sent != NULL && strtol(sent + 8, NULL, 10) >= min_sent);
  if (sent == NULL || strtol(sent + 8, NULL, 10) < min_sent)
    fprintf(stderr, "  ^ %s: debug output:\n%s\n", encoding, d.text);
  check_redacted(&d, encoding);
  coreapi_result_clear(&res);
  coreapi_node_free(doc);
  coreapi_node_free(params);
  coreapi_client_free(c);
}

static void test_uploads(void) {
  const char *dir = getenv("COREAPI_TEST_TMPDIR");
  char path[512];
  FILE *f;
  snprintf(path, sizeof path, "%s/digest-upload.bin", dir ? dir : "/tmp");
  f = fopen(path, "wb");
  MUST(f != NULL);
  for (int i = 0; i < 5000; i++)
    fputc('a' + i % 26, f);
  MUST(fclose(f) == 0);
  upload_case(path, "application/octet-stream", "body", 5000);
  upload_case(path, "multipart/form-data", "form", 5100);
  remove(path);
}

/* libcurl's reset before a Digest hop keeps the cookie jar: a session's
 * cookie set on other.test goes back there after the Digest hop. */
static void test_cookies_survive(void) {
  coreapi_client *c = client_new(digest(PASSWORD, "127.0.0.1"), NULL);
  coreapi_error err;
  coreapi_auth *s = coreapi_auth_session_new(NULL, NULL, "other.test", &err);
  char *log;
  MUST(s != NULL && coreapi_client_add_auth(c, s, &err) == COREAPI_OK);
  coreapi_auth_free(s);
  free(server_log(1));
  CHECK_INT(status_of(c, "GET", u("http://other.test:%d/set-cookie?name=sid&value=v1",
                                  redirect_port), NULL), 200);
  CHECK_INT(status_of(c, "GET", u("http://127.0.0.1:%d/digest-md5/", apache_port), NULL), 200);
  CHECK_INT(status_of(c, "GET", u("http://other.test:%d/echo", redirect_port), NULL), 200);
  log = server_log(0);
  CHECK(line_has(log, "GET other.test:", " cookie=- "));
  CHECK(line_has(strstr(log, "/set-cookie") ? strstr(log, "/set-cookie") + 1 : log,
                 "GET other.test:", " cookie=sid=v1 "));
  free(log);
  coreapi_client_free(c);
}

/* SHA-256 (RFC 7616): Apache's mod_auth_digest has MD5 only, so the device
 * server (servers.py --device) answers /digest-sha256/; a wrong password is
 * refused there too. */
static void test_sha256(void) {
  coreapi_client *w = client_new(digest("wrong", "127.0.0.1"), NULL);
  coreapi_client *c = client_new(digest(PASSWORD, "127.0.0.1"), NULL);
  coreapi_response *r;
  CHECK_INT(status_of(w, "GET", u("http://127.0.0.1:%d/digest-sha256/", device_port), NULL), 401);
  coreapi_client_free(w);
  r = do_send(c, "GET", u("http://127.0.0.1:%d/digest-sha256/", device_port), NULL);
  CHECK(r != NULL && coreapi_response_status(r) == 200);
  CHECK(r != NULL && strcmp(coreapi_response_body(r, NULL), "digest ok") == 0);
  coreapi_response_free(r);
  coreapi_client_free(c);
}

/* NTLM: libcurl starts the handshake unasked (a type-1 message), so the
 * recording server sees it where the domain covers the host, only there. */
static void test_ntlm_scope(void) {
  debug_log d;
  coreapi_error err;
  coreapi_auth *a = coreapi_auth_ntlm_new("WORKGROUP\\" USER, PASSWORD, "api.test", &err);
  coreapi_client *c;
  coreapi_response *r;
  char *log;
  MUST(a != NULL);
  c = client_new(a, &d);
  free(server_log(1));
  r = do_send(c, "GET", u("http://api.test:%d/echo", redirect_port), NULL);
  CHECK(r != NULL && strstr(coreapi_response_body(r, NULL), "\"authorization\": \"NTLM ") != NULL);
  coreapi_response_free(r);
  CHECK_INT(status_of(c, "GET", u("http://other.test:%d/echo", redirect_port), NULL), 200);
  log = server_log(0);
  CHECK(line_has(log, "GET api.test:", " auth=1 "));
  CHECK(line_has(log, "GET other.test:", " auth=0 "));
  free(log);
  CHECK(strstr(d.text, "credential api.test: ntlm (WORKGROUP\\digestuser)") != NULL);
  check_redacted(&d, "ntlm");
  coreapi_client_free(c);
}

int main(void) {
  const char *ap = getenv("COREAPI_TEST_APACHE_PORT");
  const char *rp = getenv("COREAPI_TEST_REDIRECT_HTTP_PORT");
  const char *dp = getenv("COREAPI_TEST_DEVICE_PORT");
  if (ap == NULL || rp == NULL || dp == NULL) {
    fprintf(stderr, "run under tests/integration/servers.py --apache --redirect --device\n");
    return 1;
  }
  device_port = atoi(dp);
  apache_port = atoi(ap);
  redirect_port = atoi(rp);
  test_get_head_post();
  test_wrong_password();
  test_sink();
  test_uploads();
  test_out_of_scope();
  test_redirect();
  test_two_credentials();
  test_cookies_survive();
  test_sha256();
  test_ntlm_scope();
  return check_done("test_digest_live");
}
