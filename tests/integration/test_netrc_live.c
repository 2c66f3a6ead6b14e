/*
 * tests/integration/test_netrc_live.c - netrc authentication against the
 * scripted redirect server (run under servers.py --redirect), reached as
 * api.test, other.test and evil.test (all 127.0.0.1 through
 * coreapi_client_add_resolve): each machine's Basic credentials arrive at
 * /echo for that host only, over http and https and on any port; after a
 * /redirect to another host, or to the same host's other port, no
 * Authorization header arrives (neither the first host's nor the new
 * host's: the netrc authentication's pattern is "*", the first origin);
 * debug output never shows the password; and one object serves clients in
 * several threads at once.
 */
#include <coreapi/coreapi.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"

static const char *http_port, *http2_port, *https_port, *ca_file;
static char netrc_path[512];

/* "Basic " + Base64 of the pairs the netrc below holds. */
#define ALICE "Basic YWxpY2U6YWxpY2UtcHc=" /* alice:alice-pw */
#define BOB "Basic Ym9iOmJvYi1wdw=="       /* bob:bob-pw */

static const char netrc_text[] = "# test_netrc\n"
                                 "machine api.test login alice password alice-pw\n"
                                 "machine other.test\n  login bob\n  password bob-pw\n"
                                 "default login anyone password default-pw\n";

typedef struct log_buf {
  char text[1 << 17];
  size_t len;
} log_buf;

static void on_debug(void *userdata, coreapi_debug_type type, const char *data, size_t size) {
  log_buf *log = userdata;
  (void)type;
  if (log->len + size + 1 < sizeof(log->text)) {
    memcpy(log->text + log->len, data, size);
    log->len += size;
    log->text[log->len] = '\0';
  }
}

/* A client with the netrc authentication (flags), the test names resolved
 * to 127.0.0.1 on every listener, and debug output into log (may be NULL). */
static coreapi_client *netrc_client(unsigned flags, log_buf *log) {
  coreapi_error err;
  const char *ports[] = {http_port, http2_port, https_port};
  const char *hosts[] = {"api.test", "other.test", "evil.test"};
  coreapi_client *c = coreapi_client_new(&err);
  coreapi_auth *auth = coreapi_auth_netrc_new(netrc_path, flags, &err);
  if (auth == NULL)
    fprintf(stderr, "coreapi_auth_netrc_new: %s\n", err.text);
  REQUIRE(c != NULL && auth != NULL);
  CHECK_INT(coreapi_client_add_auth(c, auth, &err), COREAPI_OK);
  coreapi_auth_free(auth);
  for (size_t h = 0; h < 3; h++)
    for (size_t p = 0; p < 3; p++) {
      char entry[128];
      snprintf(entry, sizeof(entry), "%s:%s:127.0.0.1", hosts[h], ports[p]);
      REQUIRE(coreapi_client_add_resolve(c, entry, &err) == COREAPI_OK);
    }
  if (ca_file != NULL)
    REQUIRE(coreapi_client_set_ca_bundle(c, ca_file, &err) == COREAPI_OK);
  REQUIRE(coreapi_client_set_timeout_ms(c, 15000, &err) == COREAPI_OK);
  if (log != NULL) {
    log->len = 0;
    log->text[0] = '\0';
    REQUIRE(coreapi_client_set_debug(c, on_debug, log, &err) == COREAPI_OK);
  }
  return c;
}

/* GET url; the body (a new string), NULL on failure. */
static char *get(coreapi_client *c, const char *url) {
  coreapi_error err;
  coreapi_response *resp = NULL;
  size_t len = 0;
  const char *body;
  char *copy;
  if (coreapi_client_request(c, "GET", url, NULL, NULL, 0, &resp, &err) != COREAPI_OK) {
    fprintf(stderr, "GET %s: %s\n", url, err.text);
    CHECK(0);
    return NULL;
  }
  body = coreapi_response_body(resp, &len);
  copy = malloc(len + 1);
  REQUIRE(copy != NULL);
  memcpy(copy, body, len);
  copy[len] = '\0';
  coreapi_response_free(resp);
  return copy;
}

/* GET url (an /echo at the end of any redirects) and check the
 * Authorization header the server saw: expected, or none when NULL. */
static void expect_auth(coreapi_client *c, const char *url, const char *expected) {
  char *body = get(c, url), want[128];
  if (body == NULL)
    return;
  if (expected != NULL) {
    snprintf(want, sizeof(want), "\"authorization\": \"%s\"", expected);
    if (strstr(body, want) == NULL) {
      fprintf(stderr, "GET %s: expected %s in\n  %s\n", url, want, body);
      CHECK(0);
    }
  } else if (strstr(body, "\"authorization\"") != NULL) {
    fprintf(stderr, "GET %s: expected no Authorization in\n  %s\n", url, body);
    CHECK(0);
  }
  CHECK(strstr(body, "\"path\": \"/echo") != NULL);
  free(body);
}

/* A formatted string in one of 4 static buffers used in turn. */
static const char *fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
static const char *fmt(const char *f, ...) {
  static char bufs[4][512];
  static unsigned next;
  char *buf = bufs[next++ % 4];
  va_list ap;
  va_start(ap, f);
  vsnprintf(buf, sizeof(bufs[0]), f, ap);
  va_end(ap);
  return buf;
}

static void test_direct(void) {
  coreapi_client *c = netrc_client(0, NULL);
  expect_auth(c, fmt("http://api.test:%s/echo", http_port), ALICE);
  expect_auth(c, fmt("http://API.test.:%s/echo", http2_port), ALICE); /* any port */
  expect_auth(c, fmt("http://other.test:%s/echo", http_port), BOB);
  expect_auth(c, fmt("http://evil.test:%s/echo", http_port), NULL);
  expect_auth(c, fmt("http://127.0.0.1:%s/echo", http_port), NULL);
  if (ca_file != NULL)
    expect_auth(c, fmt("https://api.test:%s/echo", https_port), ALICE);
  coreapi_client_free(c);
}

/* The default entry, when asked for, covers hosts no machine names. */
static void test_default(void) {
  coreapi_client *c = netrc_client(COREAPI_NETRC_DEFAULT, NULL);
  expect_auth(c, fmt("http://evil.test:%s/echo", http_port),
              "Basic YW55b25lOmRlZmF1bHQtcHc="); /* anyone:default-pw */
  expect_auth(c, fmt("http://api.test:%s/echo", http_port), ALICE);
  coreapi_client_free(c);
}

/* The server's request log: which host got an Authorization header. */
static void check_log(coreapi_client *c, const char *const *want, size_t n) {
  char *log = get(c, fmt("http://127.0.0.1:%s/__log", http_port));
  const char *p = log;
  size_t i = 0;
  if (log == NULL)
    return;
  for (; p != NULL && *p && i < n; i++) {
    char line[1024];
    const char *eol = strchr(p, '\n');
    size_t len = eol ? (size_t)(eol - p) : strlen(p);
    snprintf(line, sizeof(line), "%.*s", (int)len, p);
    if (strstr(line, want[i]) == NULL) {
      fprintf(stderr, "log line %zu: \"%s\" lacks \"%s\"\n", i + 1, line, want[i]);
      CHECK(0);
    }
    p = eol ? eol + 1 : NULL;
  }
  CHECK(i == n);
  free(log);
  free(get(c, fmt("http://127.0.0.1:%s/__clear", http_port)));
}

static void test_redirects(void) {
  log_buf *log = calloc(1, sizeof(*log));
  REQUIRE(log != NULL);
  coreapi_client *c = netrc_client(COREAPI_NETRC_DEFAULT, log);
  char hop[256], want1[512], want2[512];
  const char *want[2] = {want1, want2};
  free(get(c, fmt("http://127.0.0.1:%s/__clear", http_port)));

  /* Same host: the credentials go on. */
  expect_auth(c, fmt("http://api.test:%s/redirect?code=302&to=/echo", http_port), ALICE);
  snprintf(want1, sizeof(want1), "GET api.test:%s /redirect?code=302&to=/echo auth=1", http_port);
  snprintf(want2, sizeof(want2), "GET api.test:%s /echo auth=1", http_port);
  check_log(c, want, 2);

  /* To another host the netrc names (other.test): neither alice's nor bob's. */
  snprintf(hop, sizeof(hop), "http://other.test:%s/echo", http_port);
  expect_auth(c, fmt("http://api.test:%s/redirect?code=307&to=%s", http_port, hop), NULL);
  snprintf(want2, sizeof(want2), "GET other.test:%s /echo auth=0", http_port);
  snprintf(want1, sizeof(want1), "GET api.test:%s /redirect?code=307&to=%s auth=1", http_port,
           hop);
  check_log(c, want, 2);

  /* To a host only the default covers (evil.test), and to api.test's other port. */
  snprintf(hop, sizeof(hop), "http://evil.test:%s/echo", http_port);
  expect_auth(c, fmt("http://api.test:%s/redirect?code=302&to=%s", http_port, hop), NULL);
  snprintf(hop, sizeof(hop), "http://api.test:%s/echo", http2_port);
  expect_auth(c, fmt("http://api.test:%s/redirect?code=302&to=%s", http_port, hop), NULL);

  /* From a host of the default entry to a machine's host: no machine's password. */
  snprintf(hop, sizeof(hop), "http://api.test:%s/echo", http_port);
  expect_auth(c, fmt("http://evil.test:%s/redirect?code=302&to=%s", http_port, hop), NULL);

  CHECK(strstr(log->text, "alice-pw") == NULL && strstr(log->text, "bob-pw") == NULL);
  CHECK(strstr(log->text, "YWxpY2U6YWxpY2UtcHc") == NULL);
  CHECK(strstr(log->text, "[redacted]") != NULL);
  coreapi_client_free(c);
  free(log);
}

/* One thread: its own client with the shared authentication; the number
 * of requests whose Authorization header was not the expected one. */
typedef struct worker {
  pthread_t thread;
  coreapi_auth *auth;
  int wrong;
} worker;

static void *work(void *arg) {
  worker *w = arg;
  coreapi_error err;
  coreapi_client *c = coreapi_client_new(&err);
  const char *hosts[] = {"api.test", "other.test", "evil.test"};
  const char *want[] = {ALICE, BOB, NULL};
  if (c == NULL || coreapi_client_add_auth(c, w->auth, &err) != COREAPI_OK) {
    w->wrong = 1000;
    coreapi_client_free(c);
    return NULL;
  }
  for (size_t h = 0; h < 3; h++) {
    char entry[128];
    snprintf(entry, sizeof(entry), "%s:%s:127.0.0.1", hosts[h], http_port);
    if (coreapi_client_add_resolve(c, entry, &err) != COREAPI_OK)
      w->wrong++;
  }
  for (int round = 0; round < 10; round++)
    for (size_t h = 0; h < 3; h++) {
      char url[256], header[128];
      coreapi_response *resp = NULL;
      const char *body;
      snprintf(url, sizeof(url), "http://%s:%s/echo", hosts[h], http_port);
      snprintf(header, sizeof(header), "\"authorization\": \"%s\"", want[h] ? want[h] : "");
      if (coreapi_client_request(c, "GET", url, NULL, NULL, 0, &resp, &err) != COREAPI_OK) {
        w->wrong++;
        continue;
      }
      body = coreapi_response_body(resp, NULL);
      if (want[h] != NULL ? strstr(body, header) == NULL
                          : strstr(body, "\"authorization\"") != NULL)
        w->wrong++;
      coreapi_response_free(resp);
    }
  coreapi_client_free(c);
  return NULL;
}

static void test_threads(void) {
  coreapi_error err;
  worker w[4];
  coreapi_auth *auth = coreapi_auth_netrc_new(netrc_path, 0, &err);
  REQUIRE(auth != NULL);
  for (size_t i = 0; i < 4; i++) {
    w[i].auth = auth;
    w[i].wrong = 0;
    REQUIRE(pthread_create(&w[i].thread, NULL, work, &w[i]) == 0);
  }
  for (size_t i = 0; i < 4; i++) {
    pthread_join(w[i].thread, NULL);
    CHECK_INT(w[i].wrong, 0);
  }
  coreapi_auth_free(auth);
}

int main(void) {
  const char *tmp = getenv("COREAPI_TEST_TMPDIR");
  int fd;
  http_port = getenv("COREAPI_TEST_REDIRECT_HTTP_PORT");
  http2_port = getenv("COREAPI_TEST_REDIRECT_HTTP2_PORT");
  https_port = getenv("COREAPI_TEST_REDIRECT_HTTPS_PORT");
  ca_file = getenv("COREAPI_TEST_CA");
  if (http_port == NULL || http2_port == NULL || https_port == NULL) {
    fprintf(stderr, "test_netrc_live: run under servers.py --redirect\n");
    return 1;
  }
  snprintf(netrc_path, sizeof(netrc_path), "%s/test_netrc.%ld.netrc",
           tmp != NULL && tmp[0] ? tmp : "/tmp", (long)getpid());
  fd = open(netrc_path, O_WRONLY | O_CREAT | O_TRUNC | O_EXCL, 0600);
  REQUIRE(fd >= 0);
  REQUIRE(write(fd, netrc_text, sizeof(netrc_text) - 1) == (ssize_t)(sizeof(netrc_text) - 1));
  close(fd);
  test_direct();
  test_default();
  test_redirects();
  test_threads();
  unlink(netrc_path);
  return check_done("test_netrc_live");
}
