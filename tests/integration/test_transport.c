/*
 * test_transport.c - the client's transport behaviour against real sockets
 * and the recording redirect server (run under servers.py --redirect):
 *   - network errors map to distinct codes: connection refused, timeout
 *     (a listener that accepts and never answers), TLS failure without the
 *     CA, success with the CA or with verification off;
 *   - debug output shows request and status lines, headers and the
 *     credential decision, and never a secret (token, password, cookie value,
 *     CSRF token);
 *   - the cookie jar saved to a file (mode 0600 whatever the umask, written
 *     atomically: no temporary file left) and loaded into another client;
 *   - the connection is kept alive across requests (one easy handle reused).
 */
#include <coreapi/coreapi.h>
#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"

static const char *http_port, *https_port, *ca, *tmpdir;

static coreapi_client *new_client(void) {
  char entry[64];
  coreapi_client *c = coreapi_client_new(NULL);
  REQUIRE(c != NULL);
  snprintf(entry, sizeof(entry), "api.test:%s:127.0.0.1", http_port);
  REQUIRE(coreapi_client_add_resolve(c, entry, NULL) == COREAPI_OK);
  snprintf(entry, sizeof(entry), "api.test:%s:127.0.0.1", https_port);
  REQUIRE(coreapi_client_add_resolve(c, entry, NULL) == COREAPI_OK);
  return c;
}

static coreapi_code get(coreapi_client *c, const char *url, coreapi_response **out,
                        coreapi_error *err) {
  return coreapi_client_request(c, "GET", url, NULL, NULL, 0, out, err);
}

/* A loopback socket that listens but never answers: connects succeed, and
 * requests time out. Returns its fd and port. */
static int silent_listener(int *port) {
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t len = sizeof(a);
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  REQUIRE(bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0);
  REQUIRE(listen(fd, 8) == 0);
  REQUIRE(getsockname(fd, (struct sockaddr *)&a, &len) == 0);
  *port = ntohs(a.sin_port);
  return fd;
}

static void test_errors(void) {
  char url[128];
  coreapi_error err;
  coreapi_response *resp = NULL;
  int port, fd = silent_listener(&port);
  coreapi_client *c = new_client();

  /* Timeout: 300 ms against a server that never answers. */
  REQUIRE(coreapi_client_set_timeout_ms(c, 300, NULL) == COREAPI_OK);
  snprintf(url, sizeof(url), "http://127.0.0.1:%d/", port);
  CHECK_INT(get(c, url, &resp, &err), COREAPI_ERR_TIMEOUT);
  CHECK(resp == NULL);
  CHECK(strstr(err.text, url) != NULL);
  close(fd);

  /* Refused: nothing listens there any more. */
  CHECK_INT(get(c, url, &resp, &err), COREAPI_ERR_CONNECT);
  CHECK_INT(coreapi_client_set_timeout_ms(c, -1, &err), COREAPI_ERR_INVALID_ARGUMENT);

  /* TLS: the test CA is not trusted by default... */
  snprintf(url, sizeof(url), "https://api.test:%s/tls", https_port);
  CHECK_INT(get(c, url, &resp, &err), COREAPI_ERR_TLS);
  /* ...it is once given, and verification can be turned off. */
  REQUIRE(coreapi_client_set_ca_bundle(c, ca, NULL) == COREAPI_OK);
  CHECK_INT(get(c, url, &resp, &err), COREAPI_OK);
  CHECK_INT(coreapi_response_status(resp), 200);
  coreapi_response_free(resp);
  REQUIRE(coreapi_client_set_ca_bundle(c, NULL, NULL) == COREAPI_OK);
  CHECK_INT(get(c, url, &resp, &err), COREAPI_ERR_TLS);
  REQUIRE(coreapi_client_set_verify_tls(c, 0, NULL) == COREAPI_OK);
  CHECK_INT(get(c, url, &resp, &err), COREAPI_OK);
  coreapi_response_free(resp);

  /* Bad arguments are errors, not crashes. */
  CHECK_INT(get(c, "not a url", &resp, &err), COREAPI_ERR_BAD_URL);
  CHECK_INT(get(c, "ftp://api.test/", &resp, &err), COREAPI_ERR_UNSUPPORTED_SCHEME);
  CHECK_INT(coreapi_client_send(c, NULL, &resp, &err), COREAPI_ERR_INVALID_ARGUMENT);
  CHECK_INT(coreapi_client_send(NULL, NULL, NULL, &err), COREAPI_ERR_INVALID_ARGUMENT);
  CHECK_INT(coreapi_client_add_resolve(c, "api.test:80", &err), COREAPI_ERR_INVALID_ARGUMENT);
  CHECK_INT(coreapi_client_add_resolve(c, "api.test:x:1.2.3.4", &err),
            COREAPI_ERR_INVALID_ARGUMENT);
  CHECK_INT(coreapi_client_add_header(c, "Bad Name", "v", &err), COREAPI_ERR_BAD_HEADER);
  CHECK_INT(coreapi_client_add_header(c, "X-Ok", "a\r\nInjected: 1", &err),
            COREAPI_ERR_BAD_HEADER);
  CHECK_INT(coreapi_client_set_user_agent(c, "ua\n", &err), COREAPI_ERR_BAD_HEADER);
  CHECK_INT(coreapi_client_add_auth(c, NULL, &err), COREAPI_ERR_INVALID_ARGUMENT);
  /* Headers that frame the message are the library's: a caller's
   * Content-Length could smuggle a second request onto the connection. */
  CHECK_INT(coreapi_client_add_header(c, "Content-Length", "5", &err), COREAPI_ERR_BAD_HEADER);
  CHECK_INT(coreapi_client_add_header(c, "transfer-encoding", "chunked", &err),
            COREAPI_ERR_BAD_HEADER);
  CHECK_INT(coreapi_client_add_header(c, "Host", "evil.test", &err), COREAPI_ERR_BAD_HEADER);
  CHECK_INT(coreapi_client_add_header(c, "Connection", "close", &err), COREAPI_ERR_BAD_HEADER);
  /* Without err, the code is still the precise one. */
  CHECK_INT(coreapi_client_request(c, "GET", "ftp://x/", NULL, NULL, 0, &resp, NULL),
            COREAPI_ERR_UNSUPPORTED_SCHEME);
  coreapi_client_free(c);
  coreapi_client_free(NULL);
}

/* A debug callback that tries to reconfigure the client mid-request. */
typedef struct reentry {
  coreapi_client *client;
  coreapi_code add_auth, add_header, send;
} reentry;

static void reenter(void *userdata, coreapi_debug_type type, const char *text, size_t len) {
  reentry *r = userdata;
  coreapi_auth *a;
  coreapi_response *resp = NULL;
  (void)text;
  (void)len;
  if (type != COREAPI_DEBUG_INFO)
    return;
  a = coreapi_auth_token_new("t", NULL, NULL, NULL);
  r->add_auth = coreapi_client_add_auth(r->client, a, NULL);
  r->add_header = coreapi_client_add_header(r->client, "X-Late", "1", NULL);
  r->send = coreapi_client_request(r->client, "GET", "http://api.test/", NULL, NULL, 0, &resp,
                                   NULL);
  coreapi_response_free(resp);
  coreapi_auth_free(a);
}

static void test_limits_and_reentry(void) {
  char url[256];
  coreapi_error err;
  coreapi_response *resp = NULL;
  coreapi_client *c = new_client();
  reentry r = {c, COREAPI_OK, COREAPI_OK, COREAPI_OK};

  /* A body larger than the client's limit fails cleanly. */
  snprintf(url, sizeof(url), "http://api.test:%s/some/long/path/for/a/body", http_port);
  REQUIRE(coreapi_client_set_max_body(c, 10, NULL) == COREAPI_OK);
  CHECK_INT(get(c, url, &resp, &err), COREAPI_ERR_TOO_LARGE);
  CHECK(resp == NULL);
  REQUIRE(coreapi_client_set_max_body(c, 0, NULL) == COREAPI_OK);
  CHECK_INT(get(c, url, &resp, &err), COREAPI_OK);
  coreapi_response_free(resp);

  /* Callbacks cannot reconfigure the client or send with it meanwhile. */
  REQUIRE(coreapi_client_set_debug(c, reenter, &r, NULL) == COREAPI_OK);
  CHECK_INT(get(c, url, &resp, &err), COREAPI_OK);
  coreapi_response_free(resp);
  CHECK_INT(r.add_auth, COREAPI_ERR_INVALID_ARGUMENT);
  CHECK_INT(r.add_header, COREAPI_ERR_INVALID_ARGUMENT);
  CHECK_INT(r.send, COREAPI_ERR_INVALID_ARGUMENT);
  coreapi_client_free(c);
}

/* A CSRF token belongs to the host that set it: a Session for every host
 * ("*") never sends api.test's token to evil.test. */
static void test_csrf_per_host(void) {
  char url[256], entry[64];
  coreapi_error err;
  coreapi_response *resp;
  coreapi_client *c = new_client();
  coreapi_auth *session = coreapi_auth_session_new("csrftoken", "X-CSRFToken", NULL, NULL);
  REQUIRE(session != NULL && coreapi_client_add_auth(c, session, NULL) == COREAPI_OK);
  coreapi_auth_free(session);
  snprintf(entry, sizeof(entry), "evil.test:%s:127.0.0.1", http_port);
  REQUIRE(coreapi_client_add_resolve(c, entry, NULL) == COREAPI_OK);
  snprintf(url, sizeof(url), "http://api.test:%s/__clear", http_port);
  CHECK_INT(get(c, url, &resp, &err), COREAPI_OK);
  coreapi_response_free(resp);
  snprintf(url, sizeof(url), "http://api.test:%s/set-cookie?name=csrftoken&value=T-api",
           http_port);
  CHECK_INT(get(c, url, &resp, &err), COREAPI_OK);
  coreapi_response_free(resp);
  snprintf(url, sizeof(url), "http://evil.test:%s/post-evil", http_port);
  CHECK_INT(coreapi_client_request(c, "POST", url, "text/plain", "x", 1, &resp, &err), COREAPI_OK);
  coreapi_response_free(resp);
  snprintf(url, sizeof(url), "http://api.test:%s/post-api", http_port);
  CHECK_INT(coreapi_client_request(c, "POST", url, "text/plain", "x", 1, &resp, &err), COREAPI_OK);
  coreapi_response_free(resp);
  snprintf(url, sizeof(url), "http://api.test:%s/__log", http_port);
  CHECK_INT(get(c, url, &resp, &err), COREAPI_OK);
  CHECK(strstr(coreapi_response_body(resp, NULL), "/post-evil auth=0 csrf=0 cookie=-") != NULL);
  CHECK(strstr(coreapi_response_body(resp, NULL), "/post-api auth=0 csrf=1 cookie=csrftoken=T-api") != NULL);
  coreapi_response_free(resp);
  coreapi_client_free(c);
}

typedef struct debug_log {
  char text[65536];
  size_t len;
} debug_log;

static void on_debug(void *userdata, coreapi_debug_type type, const char *text, size_t len) {
  debug_log *log = userdata;
  (void)type;
  if (log->len + len + 2 < sizeof(log->text)) {
    memcpy(log->text + log->len, text, len);
    log->len += len;
    log->text[log->len++] = '\n';
    log->text[log->len] = '\0';
  }
}

static int occurrences(const char *haystack, const char *needle) {
  int n = 0;
  for (const char *p = strstr(haystack, needle); p != NULL; p = strstr(p + 1, needle))
    n++;
  return n;
}

static void test_debug_redaction(void) {
  static debug_log log;
  char url[256];
  coreapi_error err;
  coreapi_response *resp;
  coreapi_client *c = new_client();
  coreapi_auth *session = coreapi_auth_session_new("csrftoken", "X-CSRFToken", "api.test", NULL);
  coreapi_auth *token = coreapi_auth_token_new("tok-SECRET-123", "Token", "api.test", NULL);
  coreapi_auth *basic = coreapi_auth_basic_new("alice", "pw-SECRET-456", "*.api.test", NULL);
  REQUIRE(session && token && basic);
  /* Session for api.test applies there; Basic for *.api.test never does. */
  REQUIRE(coreapi_client_add_auth(c, session, NULL) == COREAPI_OK);
  REQUIRE(coreapi_client_add_auth(c, basic, NULL) == COREAPI_OK);
  REQUIRE(coreapi_client_set_user_agent(c, "libcoreapi-test/1", NULL) == COREAPI_OK);
  REQUIRE(coreapi_client_set_debug(c, on_debug, &log, NULL) == COREAPI_OK);

  snprintf(url, sizeof(url), "http://api.test:%s/set-cookie?name=csrftoken&value=CSRF-SECRET-789",
           http_port);
  CHECK_INT(get(c, url, &resp, &err), COREAPI_OK);
  coreapi_response_free(resp);
  snprintf(url, sizeof(url), "http://api.test:%s/notes", http_port);
  CHECK_INT(coreapi_client_request(c, "POST", url, "application/json", "{}", 2, &resp, &err),
            COREAPI_OK);
  coreapi_response_free(resp);
  snprintf(url, sizeof(url), "http://other.test:%s/x", http_port);
  {
    char entry[64];
    snprintf(entry, sizeof(entry), "other.test:%s:127.0.0.1", http_port);
    REQUIRE(coreapi_client_add_resolve(c, entry, NULL) == COREAPI_OK);
  }
  CHECK_INT(get(c, url, &resp, &err), COREAPI_OK);
  coreapi_response_free(resp);

  /* What debug output shows... */
  CHECK(strstr(log.text, "POST /notes HTTP/1.1") != NULL);
  CHECK(strstr(log.text, "HTTP/1.1 200") != NULL);
  CHECK(strstr(log.text, "User-Agent: libcoreapi-test/1") != NULL);
  CHECK(strstr(log.text, "Cookie: [redacted]") != NULL);
  CHECK(strstr(log.text, "Set-Cookie: [redacted]") != NULL);
  CHECK(strstr(log.text, "X-CSRFToken: [redacted]") != NULL);
  CHECK(strstr(log.text, "credential api.test: session (csrf csrftoken -> X-CSRFToken)") != NULL);
  CHECK(strstr(log.text, "no credential matches other.test") != NULL);
  CHECK(strstr(log.text, "bytes received") != NULL);
  /* ...and never a secret: the CSRF token appears once, in the request line
   * of the URL this test chose to put it in, never in a header. */
  CHECK_INT(occurrences(log.text, "CSRF-SECRET-789"), 1);
  CHECK(strstr(log.text, "GET /set-cookie?name=csrftoken&value=CSRF-SECRET-789 HTTP/1.1") != NULL);
  CHECK_INT(occurrences(log.text, "SECRET"), 1);
  coreapi_client_free(c);

  /* Token and Basic values are redacted too. */
  log.len = 0;
  log.text[0] = '\0';
  c = new_client();
  REQUIRE(coreapi_client_add_auth(c, token, NULL) == COREAPI_OK);
  REQUIRE(coreapi_client_add_header(c, "X-Api-Key", "key-SECRET-000", NULL) == COREAPI_OK);
  REQUIRE(coreapi_client_set_debug(c, on_debug, &log, NULL) == COREAPI_OK);
  snprintf(url, sizeof(url), "http://api.test:%s/me", http_port);
  CHECK_INT(get(c, url, &resp, &err), COREAPI_OK);
  coreapi_response_free(resp);
  CHECK(strstr(log.text, "Authorization: [redacted]") != NULL);
  CHECK(strstr(log.text, "credential api.test: token (Token)") != NULL);
  CHECK(strstr(log.text, "tok-SECRET") == NULL);
  /* Client-level extra headers are where API keys live: redacted too. */
  CHECK(strstr(log.text, "X-Api-Key: [redacted]") != NULL);
  CHECK(strstr(log.text, "key-SECRET") == NULL);
  coreapi_client_free(c);
  coreapi_auth_free(session);
  coreapi_auth_free(token);
  coreapi_auth_free(basic);
}

/* Files in dir whose name starts with prefix. */
static int count_files(const char *dir, const char *prefix) {
  int n = 0;
  struct dirent *e;
  DIR *d = opendir(dir);
  REQUIRE(d != NULL);
  while ((e = readdir(d)) != NULL)
    if (strncmp(e->d_name, prefix, strlen(prefix)) == 0)
      n++;
  closedir(d);
  return n;
}

static void test_cookie_file(void) {
  char url[256], path[512], bad[512], buf[2048];
  coreapi_error err;
  coreapi_response *resp;
  struct stat st;
  FILE *f;
  size_t n;
  coreapi_auth *session = coreapi_auth_session_new(NULL, NULL, "api.test", NULL);
  coreapi_client *c = new_client();
  REQUIRE(coreapi_client_add_auth(c, session, NULL) == COREAPI_OK);
  snprintf(url, sizeof(url), "http://api.test:%s/set-cookie?name=sessionid&value=abc123",
           http_port);
  CHECK_INT(get(c, url, &resp, &err), COREAPI_OK);
  coreapi_response_free(resp);

  snprintf(path, sizeof(path), "%s/cookies.txt", tmpdir);
  umask(022); /* a permissive umask must not make the file readable */
  CHECK_INT(coreapi_client_save_cookies(c, path, &err), COREAPI_OK);
  REQUIRE(stat(path, &st) == 0);
  CHECK_INT(st.st_mode & 0777, 0600);
  CHECK_INT(count_files(tmpdir, "cookies.txt"), 1); /* no temporary left */
  f = fopen(path, "r");
  REQUIRE(f != NULL);
  n = fread(buf, 1, sizeof(buf) - 1, f);
  buf[n] = '\0';
  fclose(f);
  CHECK(strstr(buf, "# Netscape HTTP Cookie File") == buf);
  CHECK(strstr(buf, "api.test\tFALSE\t/\tFALSE\t0\tsessionid\tabc123") != NULL);

  /* Saving again replaces the file in place. */
  CHECK_INT(coreapi_client_save_cookies(c, path, &err), COREAPI_OK);
  CHECK_INT(count_files(tmpdir, "cookies.txt"), 1);

  /* A directory that does not exist: a clear error, nothing written. */
  snprintf(bad, sizeof(bad), "%s/missing/cookies.txt", tmpdir);
  CHECK_INT(coreapi_client_save_cookies(c, bad, &err), COREAPI_ERR_IO);
  CHECK(strstr(err.text, "missing") != NULL);
  coreapi_client_free(c);

  /* Another client loads the jar and sends the cookie. */
  c = new_client();
  REQUIRE(coreapi_client_add_auth(c, session, NULL) == COREAPI_OK);
  CHECK_INT(coreapi_client_load_cookies(c, path, &err), COREAPI_OK);
  snprintf(url, sizeof(url), "http://api.test:%s/__clear", http_port);
  CHECK_INT(get(c, url, &resp, &err), COREAPI_OK);
  coreapi_response_free(resp);
  snprintf(url, sizeof(url), "http://api.test:%s/after-load", http_port);
  CHECK_INT(get(c, url, &resp, &err), COREAPI_OK);
  coreapi_response_free(resp);
  snprintf(url, sizeof(url), "http://api.test:%s/__log", http_port);
  CHECK_INT(get(c, url, &resp, &err), COREAPI_OK);
  CHECK(strstr(coreapi_response_body(resp, NULL), "/after-load auth=0 csrf=0 cookie=sessionid=abc123") != NULL);
  coreapi_response_free(resp);
  CHECK_INT(coreapi_client_load_cookies(c, bad, &err), COREAPI_ERR_IO);
  /* A file that is not a cookie file is refused. */
  snprintf(bad, sizeof(bad), "%s/not-cookies.txt", tmpdir);
  f = fopen(bad, "w");
  REQUIRE(f != NULL);
  fputs("this is not a cookie file\n", f);
  fclose(f);
  CHECK_INT(coreapi_client_load_cookies(c, bad, &err), COREAPI_ERR_IO);
  coreapi_client_free(c);
  coreapi_auth_free(session);
}

/* A session continued in another client (another run of a program): the
 * CSRF token comes from the loaded cookie jar, for its host only. */
static void test_csrf_from_saved_jar(void) {
  char url[256], path[512], entry[64];
  coreapi_error err;
  coreapi_response *resp;
  coreapi_auth *session = coreapi_auth_session_new("csrftoken", "X-CSRFToken", NULL, NULL);
  coreapi_client *c = new_client();
  REQUIRE(session != NULL && coreapi_client_add_auth(c, session, NULL) == COREAPI_OK);
  snprintf(url, sizeof(url), "http://api.test:%s/set-cookie?name=csrftoken&value=JARTOKEN",
           http_port);
  CHECK_INT(get(c, url, &resp, &err), COREAPI_OK);
  coreapi_response_free(resp);
  snprintf(path, sizeof(path), "%s/session-jar.txt", tmpdir);
  CHECK_INT(coreapi_client_save_cookies(c, path, &err), COREAPI_OK);
  coreapi_client_free(c);

  c = new_client();
  REQUIRE(coreapi_client_add_auth(c, session, NULL) == COREAPI_OK);
  snprintf(entry, sizeof(entry), "evil.test:%s:127.0.0.1", http_port);
  REQUIRE(coreapi_client_add_resolve(c, entry, NULL) == COREAPI_OK);
  CHECK_INT(coreapi_client_load_cookies(c, path, &err), COREAPI_OK);
  snprintf(url, sizeof(url), "http://api.test:%s/__clear", http_port);
  CHECK_INT(get(c, url, &resp, &err), COREAPI_OK);
  coreapi_response_free(resp);
  snprintf(url, sizeof(url), "http://api.test:%s/post-after-load", http_port);
  CHECK_INT(coreapi_client_request(c, "POST", url, "text/plain", "x", 1, &resp, &err), COREAPI_OK);
  coreapi_response_free(resp);
  snprintf(url, sizeof(url), "http://evil.test:%s/post-evil-after-load", http_port);
  CHECK_INT(coreapi_client_request(c, "POST", url, "text/plain", "x", 1, &resp, &err), COREAPI_OK);
  coreapi_response_free(resp);
  snprintf(url, sizeof(url), "http://api.test:%s/__log", http_port);
  CHECK_INT(get(c, url, &resp, &err), COREAPI_OK);
  CHECK(strstr(coreapi_response_body(resp, NULL),
               "/post-after-load auth=0 csrf=1 cookie=csrftoken=JARTOKEN") != NULL);
  CHECK(strstr(coreapi_response_body(resp, NULL), "/post-evil-after-load auth=0 csrf=0 cookie=-") != NULL);
  coreapi_response_free(resp);
  coreapi_client_free(c);
  coreapi_auth_free(session);
}

typedef struct progress_log {
  int calls;
  int64_t last_downloaded;
  int abort_after;
} progress_log;

static int on_progress(void *userdata, int64_t dl_total, int64_t dl_now, int64_t ul_total,
                       int64_t ul_now) {
  progress_log *p = userdata;
  (void)dl_total;
  (void)ul_total;
  (void)ul_now;
  p->calls++;
  p->last_downloaded = dl_now;
  return p->abort_after > 0 && p->calls >= p->abort_after;
}

/* The progress callback sees the transfer, and can stop it. */
static void test_progress(void) {
  char url[256];
  coreapi_error err;
  coreapi_response *resp = NULL;
  size_t len;
  progress_log log = {0, 0, 0};
  coreapi_client *c = new_client();
  snprintf(url, sizeof(url), "http://api.test:%s/progress/body", http_port);
  REQUIRE(coreapi_client_set_progress(c, on_progress, &log, NULL) == COREAPI_OK);
  CHECK_INT(get(c, url, &resp, &err), COREAPI_OK);
  coreapi_response_body(resp, &len);
  CHECK(log.calls > 0);
  CHECK_INT(log.last_downloaded, (int64_t)len);
  coreapi_response_free(resp);
  log.abort_after = 1;
  CHECK_INT(get(c, url, &resp, &err), COREAPI_ERR_ABORTED);
  CHECK(resp == NULL);
  REQUIRE(coreapi_client_set_progress(c, NULL, NULL, NULL) == COREAPI_OK);
  CHECK_INT(get(c, url, &resp, &err), COREAPI_OK);
  coreapi_response_free(resp);
  coreapi_client_free(c);
}

int main(void) {
  http_port = getenv("COREAPI_TEST_REDIRECT_HTTP_PORT");
  https_port = getenv("COREAPI_TEST_REDIRECT_HTTPS_PORT");
  ca = getenv("COREAPI_TEST_CA");
  tmpdir = getenv("COREAPI_TEST_TMPDIR");
  REQUIRE(http_port && https_port && ca && tmpdir);
  test_errors();
  test_debug_redaction();
  test_cookie_file();
  test_limits_and_reentry();
  test_csrf_per_host();
  test_csrf_from_saved_jar();
  test_progress();
  return check_done("test_transport");
}
