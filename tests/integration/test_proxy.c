/*
 * tests/integration/test_proxy.c - the client's proxy and client
 * certificate settings (coreapi_client_set_proxy, _set_client_cert), with
 * the scripted redirect server (servers.py --redirect) as the HTTP proxy:
 * a request in absolute form reaches it (its /echo shows the target), the
 * environment's http_proxy is read by default and ignored with "", the
 * proxy's own credentials go as Proxy-Authorization and never into debug
 * output, a credential scoped to the target host still reaches that host
 * only, and bad settings are refused.
 */
#include <coreapi/coreapi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

static const char *port;
static char debug_text[32768];
static size_t debug_len;

static void on_debug(void *userdata, coreapi_debug_type type, const char *data, size_t size) {
  (void)userdata;
  (void)type;
  if (debug_len + size + 1 < sizeof(debug_text)) {
    memcpy(debug_text + debug_len, data, size);
    debug_len += size;
    debug_text[debug_len] = '\0';
  }
}

/* GET url: the code, and the body into out. */
static coreapi_code get(coreapi_client *c, const char *url, char *out, size_t size,
                        coreapi_error *err) {
  coreapi_response *r = NULL;
  coreapi_code rc = coreapi_client_request(c, "GET", url, NULL, NULL, 0, &r, err);
  out[0] = '\0';
  if (rc == COREAPI_OK) {
    size_t len;
    const char *b = coreapi_response_body(r, &len);
    snprintf(out, size, "%.*s", (int)len, b);
  }
  coreapi_response_free(r);
  return rc;
}

static void test_through_proxy(void) {
  char proxy[128], body[4096];
  coreapi_error err;
  coreapi_client *c = coreapi_client_new(NULL);
  coreapi_auth *token = coreapi_auth_token_new("far-token", NULL, "far.test", NULL);
  REQUIRE(c != NULL && token != NULL);
  CHECK_INT(coreapi_client_add_auth(c, token, NULL), COREAPI_OK);
  coreapi_auth_free(token);
  CHECK_INT(coreapi_client_set_debug(c, on_debug, NULL, NULL), COREAPI_OK);
  snprintf(proxy, sizeof(proxy), "http://pxuser:px-s3cret@127.0.0.1:%s", port);
  CHECK_INT(coreapi_client_set_proxy(c, proxy, &err), COREAPI_OK);
  CHECK_INT(get(c, "http://far.test:9/echo", body, sizeof(body), &err), COREAPI_OK);
  CHECK(strstr(body, "\"path\": \"http://far.test:9/echo\"") != NULL); /* absolute form */
  CHECK(strstr(body, "\"host\": \"far.test:9\"") != NULL);
  CHECK(strstr(body, "\"authorization\": \"Bearer far-token\"") != NULL);
  CHECK(strstr(body, "\"proxy-authorization\": \"Basic ") != NULL);
  CHECK(strstr(debug_text, "px-s3cret") == NULL && strstr(debug_text, "far-token") == NULL);
  /* Another host through the same proxy: no token. */
  CHECK_INT(get(c, "http://near.test:9/echo", body, sizeof(body), &err), COREAPI_OK);
  CHECK(strstr(body, "\"authorization\"") == NULL);
  coreapi_client_free(c);
}

static void test_environment(void) {
  char proxy[128], body[4096];
  coreapi_error err;
  coreapi_client *c = coreapi_client_new(NULL);
  REQUIRE(c != NULL);
  snprintf(proxy, sizeof(proxy), "http://127.0.0.1:%s", port);
  setenv("http_proxy", proxy, 1);
  CHECK_INT(get(c, "http://env.test:9/echo", body, sizeof(body), &err), COREAPI_OK);
  CHECK(strstr(body, "\"path\": \"http://env.test:9/echo\"") != NULL);
  CHECK_INT(coreapi_client_set_proxy(c, "", &err), COREAPI_OK); /* none, whatever the env */
  CHECK(get(c, "http://env.test:9/echo", body, sizeof(body), &err) != COREAPI_OK);
  CHECK_INT(err.code, COREAPI_ERR_RESOLVE);
  unsetenv("http_proxy");
  coreapi_client_free(c);
}

static void test_refused(void) {
  coreapi_error err;
  coreapi_client *c = coreapi_client_new(NULL);
  REQUIRE(c != NULL);
  CHECK_INT(coreapi_client_set_proxy(c, "ftp://p:21", &err), COREAPI_ERR_INVALID_ARGUMENT);
  CHECK_INT(coreapi_client_set_proxy(c, "http://p\r\nX: 1", &err), COREAPI_ERR_INVALID_ARGUMENT);
  CHECK_INT(coreapi_client_set_proxy(NULL, "http://p", &err), COREAPI_ERR_INVALID_ARGUMENT);
  CHECK_INT(coreapi_client_set_client_cert(c, "/nonexistent/cert.pem", NULL, &err),
            COREAPI_ERR_IO);
  CHECK(strstr(err.text, "/nonexistent/cert.pem") != NULL);
  CHECK_INT(coreapi_client_set_client_cert(c, NULL, "/etc/hostname", &err),
            COREAPI_ERR_INVALID_ARGUMENT);
  CHECK_INT(coreapi_client_set_client_cert(c, "/etc/hostname", NULL, &err), COREAPI_OK);
  CHECK_INT(coreapi_client_set_client_cert(c, NULL, NULL, &err), COREAPI_OK);
  coreapi_client_free(c);
}

int main(void) {
  port = getenv("COREAPI_TEST_REDIRECT_HTTP_PORT");
  REQUIRE(port != NULL);
  test_refused();
  test_through_proxy();
  test_environment();
  return check_done("test_proxy");
}
