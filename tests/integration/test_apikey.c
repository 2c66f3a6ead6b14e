/*
 * tests/integration/test_apikey.c - API-key authentication against the
 * scripted redirect server (run under servers.py --redirect): the key as a
 * header, a query parameter and a cookie, exactly as the server receives it
 * (/echo), kept out of the response's URL and of debug output, in one
 * Cookie header with the jar's cookies, and left off a hop to another port.
 */
#include <coreapi/coreapi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

static const char *http_port, *http2_port;

typedef struct log_buf {
  char text[65536];
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

/* A client with auth added (its reference taken), debug output into log. */
static coreapi_client *client_with(coreapi_auth *auth, log_buf *log) {
  coreapi_error err;
  coreapi_client *c = coreapi_client_new(&err);
  REQUIRE(c != NULL && auth != NULL);
  CHECK_INT(coreapi_client_add_auth(c, auth, &err), COREAPI_OK);
  coreapi_auth_free(auth);
  if (log != NULL) {
    log->len = 0;
    log->text[0] = '\0';
    CHECK_INT(coreapi_client_set_debug(c, on_debug, log, &err), COREAPI_OK);
  }
  return c;
}

/* GET http://127.0.0.1:PORT<path>: the echo's JSON (new string), and the
 * response's URL into url. */
static char *echo(coreapi_client *c, const char *port, const char *path, char *url,
                  size_t size) {
  char target[512];
  coreapi_error err;
  coreapi_response *resp = NULL;
  size_t len = 0;
  const char *body;
  char *copy = NULL;
  snprintf(target, sizeof(target), "http://127.0.0.1:%s%s", port, path);
  if (coreapi_client_request(c, "GET", target, NULL, NULL, 0, &resp, &err) != COREAPI_OK) {
    fprintf(stderr, "GET %s: %s\n", target, err.text);
    CHECK(0);
    return NULL;
  }
  body = coreapi_response_body(resp, &len);
  if (url != NULL)
    snprintf(url, size, "%s", coreapi_response_url(resp));
  copy = malloc(len + 1);
  if (copy != NULL) {
    memcpy(copy, body, len);
    copy[len] = '\0';
  }
  coreapi_response_free(resp);
  return copy;
}

static void test_query(void) {
  log_buf log;
  coreapi_error err;
  char url[512];
  coreapi_client *c = client_with(
      coreapi_auth_apikey_new("api_key", "s3cr/et+1", COREAPI_APIKEY_QUERY, "127.0.0.1", &err),
      &log);
  char *body = echo(c, http_port, "/echo?x=1", url, sizeof(url));
  CHECK(body != NULL && strstr(body, "\"path\": \"/echo?x=1&api_key=s3cr%2fet%2b1\"") != NULL);
  CHECK(strstr(url, "api_key") == NULL); /* the response's URL has no key */
  CHECK(strstr(log.text, "s3cr") == NULL);
  CHECK(strstr(log.text, "api_key=[redacted]") != NULL);
  free(body);
  body = echo(c, http_port, "/echo", url, sizeof(url));
  CHECK(body != NULL && strstr(body, "\"path\": \"/echo?api_key=s3cr%2fet%2b1\"") != NULL);
  free(body);
  coreapi_client_free(c);
}

static void test_header(void) {
  log_buf log;
  coreapi_error err;
  coreapi_client *c = client_with(
      coreapi_auth_apikey_new("X-API-Key", "k-123", COREAPI_APIKEY_HEADER, NULL, &err), &log);
  char *body = echo(c, http_port, "/echo", NULL, 0);
  CHECK(body != NULL && strstr(body, "\"x-api-key\": \"k-123\"") != NULL);
  CHECK(strstr(log.text, "k-123") == NULL);
  CHECK(strstr(log.text, "X-API-Key: [redacted]") != NULL);
  free(body);
  coreapi_client_free(c);
}

/* With a Session authentication (which lets the jar work) beside it: the
 * key and the jar's cookie go in one Cookie header, and the key is never
 * stored in the jar. */
static void test_cookie(void) {
  log_buf log;
  coreapi_error err;
  coreapi_client *c = client_with(
      coreapi_auth_apikey_new("key", "ck-9", COREAPI_APIKEY_COOKIE, "127.0.0.1", &err), &log);
  coreapi_auth *session = coreapi_auth_session_new(NULL, NULL, NULL, &err);
  char *body;
  REQUIRE(session != NULL);
  CHECK_INT(coreapi_client_add_auth(c, session, &err), COREAPI_OK);
  coreapi_auth_free(session);
  free(echo(c, http_port, "/set-cookie?name=jar&value=j1", NULL, 0));
  body = echo(c, http_port, "/echo", NULL, 0);
  CHECK(body != NULL && strstr(body, "\"cookie_headers\": 1") != NULL);
  CHECK(body != NULL && strstr(body, "key=ck-9") != NULL && strstr(body, "jar=j1") != NULL);
  CHECK(strstr(log.text, "ck-9") == NULL);
  free(body);
  coreapi_client_free(c);
}

/* Redirected to the other listener's port: the key stays behind. */
static void test_other_port(void) {
  coreapi_error err;
  char path[256];
  coreapi_client *c = client_with(
      coreapi_auth_apikey_new("api_key", "qk", COREAPI_APIKEY_QUERY, "127.0.0.1", &err), NULL);
  coreapi_client *h = client_with(
      coreapi_auth_apikey_new("X-API-Key", "hk", COREAPI_APIKEY_HEADER, "127.0.0.1", &err), NULL);
  char *body;
  snprintf(path, sizeof(path), "/redirect?to=http://127.0.0.1:%s/echo", http2_port);
  body = echo(c, http_port, path, NULL, 0);
  CHECK(body != NULL && strstr(body, "\"path\": \"/echo\"") != NULL);
  CHECK(body != NULL && strstr(body, "qk") == NULL);
  free(body);
  body = echo(h, http_port, path, NULL, 0);
  CHECK(body != NULL && strstr(body, "x-api-key") == NULL);
  free(body);
  coreapi_client_free(c);
  coreapi_client_free(h);
}

int main(void) {
  http_port = getenv("COREAPI_TEST_REDIRECT_HTTP_PORT");
  http2_port = getenv("COREAPI_TEST_REDIRECT_HTTP2_PORT");
  if (http_port == NULL || http2_port == NULL) {
    fprintf(stderr, "test_apikey: run under servers.py --redirect\n");
    return 1;
  }
  test_query();
  test_header();
  test_cookie();
  test_other_port();
  return check_done("test_apikey");
}
