/*
 * tests/integration/test_mtls.c - mutual TLS and the per-host transport
 * settings against nginx (servers.py --nginx: COREAPI_TEST_NGINX_MTLS_PORT),
 * where api.test requires a client certificate issued by the test CA and
 * other.test, on the same port, asks for one without requiring it and says
 * what it got:
 *
 *   (a) without a certificate nginx answers 400; with the client's own, or
 *       with host settings for api.test, the request is verified;
 *   (b) scope: a certificate for other.test only is not presented to
 *       api.test; on api.test's redirect to other.test, a certificate
 *       scoped to api.test (or the client's own, "*") is not presented to
 *       other.test, one for *.test is;
 *   (c) CA file and TLS verification per host: the test CA trusted for
 *       api.test only fails the hop to other.test; verification off for
 *       other.test only lets it through;
 *   (d) connection reuse: after a verified request, taking the certificate
 *       away, or giving it another key, is seen by the server (no kept
 *       connection carries the old identity).
 *
 *   /usr/bin/python3 tests/integration/servers.py --nginx -- build/test_mtls
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <coreapi/coreapi.h>

#include "check.h"

static struct {
  const char *port, *ca, *cert, *key, *other_key;
} E;

static const char *need_env(const char *name) {
  const char *v = getenv(name);
  if (v == NULL || v[0] == '\0') {
    fprintf(stderr, "%s is not set: run under tests/integration/servers.py --nginx\n", name);
    exit(1);
  }
  return v;
}

/* A client that resolves api.test and other.test to loopback and trusts
 * the test CA when ca is non-zero. */
static coreapi_client *client_new(int ca) {
  coreapi_error err;
  char entry[128];
  coreapi_client *c = coreapi_client_new(&err);
  REQUIRE(c != NULL);
  snprintf(entry, sizeof(entry), "api.test:%s:127.0.0.1", E.port);
  REQUIRE(coreapi_client_add_resolve(c, entry, &err) == COREAPI_OK);
  snprintf(entry, sizeof(entry), "other.test:%s:127.0.0.1", E.port);
  REQUIRE(coreapi_client_add_resolve(c, entry, &err) == COREAPI_OK);
  if (ca)
    REQUIRE(coreapi_client_set_ca_bundle(c, E.ca, &err) == COREAPI_OK);
  return c;
}

/* GET https://HOST:PORT/PATH: the status and body ("" and code in *code
 * on a transport error), in body (size bytes). */
static long get(coreapi_client *c, const char *host, const char *path, char *body, size_t size,
                coreapi_code *code) {
  coreapi_error err;
  coreapi_response *resp = NULL;
  char url[256];
  long status;
  snprintf(url, sizeof(url), "https://%s:%s%s", host, E.port, path);
  body[0] = '\0';
  *code = coreapi_client_request(c, "GET", url, NULL, NULL, 0, &resp, &err);
  if (*code != COREAPI_OK)
    return 0;
  status = coreapi_response_status(resp);
  snprintf(body, size, "%s", coreapi_response_body(resp, NULL));
  coreapi_response_free(resp);
  return status;
}

static void add_host(coreapi_client *c, const char *domain, const coreapi_host_settings *s) {
  coreapi_error err;
  coreapi_code rc = coreapi_client_add_host_settings(c, domain, s, &err);
  if (rc != COREAPI_OK)
    fprintf(stderr, "add_host_settings %s: %s\n", domain, err.text);
  REQUIRE(rc == COREAPI_OK);
}

#define VERIFIED "verified SUCCESS CN=coreapi test client\n"

static void case_required(void) {
  char body[512];
  coreapi_code code;
  coreapi_error err;
  coreapi_client *c = client_new(1);
  coreapi_host_settings hs = {0};

  /* No certificate: nginx refuses. */
  CHECK_INT(get(c, "api.test", "/", body, sizeof(body), &code), 400);
  CHECK(strstr(body, "No required SSL certificate was sent") != NULL);
  coreapi_client_free(c);

  /* The client's own certificate. */
  c = client_new(1);
  CHECK_INT(coreapi_client_set_client_cert(c, E.cert, E.key, &err), COREAPI_OK);
  CHECK_INT(get(c, "api.test", "/", body, sizeof(body), &code), 200);
  CHECK_STR(body, VERIFIED);
  coreapi_client_free(c);

  /* Host settings for api.test. */
  c = client_new(1);
  hs.cert_file = E.cert;
  hs.key_file = E.key;
  add_host(c, "api.test", &hs);
  CHECK_INT(get(c, "api.test", "/", body, sizeof(body), &code), 200);
  CHECK_STR(body, VERIFIED);
  coreapi_client_free(c);

  /* A certificate for other.test only is not presented to api.test. */
  c = client_new(1);
  add_host(c, "other.test", &hs);
  CHECK_INT(get(c, "api.test", "/", body, sizeof(body), &code), 400);
  CHECK_INT(get(c, "other.test", "/", body, sizeof(body), &code), 200);
  CHECK_STR(body, "other SUCCESS CN=coreapi test client\n");
  coreapi_client_free(c);
}

/* api.test/to-other redirects to other.test with the certificate scoped to
 * domain (NULL: the client's own): what other.test saw. */
static void redirect_with(const char *domain, const char *expected) {
  char body[512];
  coreapi_code code;
  coreapi_error err;
  coreapi_client *c = client_new(1);
  coreapi_host_settings hs = {0};
  hs.cert_file = E.cert;
  hs.key_file = E.key;
  if (domain == NULL)
    CHECK_INT(coreapi_client_set_client_cert(c, E.cert, E.key, &err), COREAPI_OK);
  else
    add_host(c, domain, &hs);
  CHECK_INT(get(c, "api.test", "/to-other", body, sizeof(body), &code), 200);
  if (strcmp(body, expected) != 0)
    fprintf(stderr, "redirect with a certificate for %s\n", domain ? domain : "(client)");
  CHECK_STR(body, expected);
  coreapi_client_free(c);
}

static void case_redirect_scope(void) {
  redirect_with("api.test", "other NONE \n");
  redirect_with(NULL, "other NONE \n");
  redirect_with("*.test", "other SUCCESS CN=coreapi test client\n");
}

static void case_tls_per_host(void) {
  char body[512];
  coreapi_code code;
  coreapi_client *c = client_new(0);
  coreapi_host_settings api = {0}, other = {0};

  /* The test CA for api.test only: the hop to other.test is not trusted. */
  api.cert_file = E.cert;
  api.key_file = E.key;
  api.ca_file = E.ca;
  add_host(c, "api.test", &api);
  CHECK_INT(get(c, "api.test", "/", body, sizeof(body), &code), 200);
  CHECK_STR(body, VERIFIED);
  CHECK_INT(get(c, "api.test", "/to-other", body, sizeof(body), &code), 0);
  CHECK_INT(code, COREAPI_ERR_TLS);
  CHECK_INT(get(c, "other.test", "/", body, sizeof(body), &code), 0);
  CHECK_INT(code, COREAPI_ERR_TLS);

  /* Verification off for other.test alone lets that hop through. */
  other.verify_tls = COREAPI_TLS_NO_VERIFY;
  add_host(c, "other.test", &other);
  CHECK_INT(get(c, "api.test", "/to-other", body, sizeof(body), &code), 200);
  CHECK_STR(body, "other NONE \n");
  coreapi_client_free(c);
}

static void case_reuse(void) {
  char body[512];
  coreapi_code code;
  coreapi_client *c = client_new(1);
  coreapi_host_settings hs = {0}, none = {0}, wrong = {0};
  hs.cert_file = E.cert;
  hs.key_file = E.key;
  none.cert_file = "";
  wrong.cert_file = E.cert;
  wrong.key_file = E.other_key;

  add_host(c, "api.test", &hs);
  CHECK_INT(get(c, "api.test", "/", body, sizeof(body), &code), 200);
  CHECK_INT(get(c, "api.test", "/", body, sizeof(body), &code), 200); /* kept alive */
  /* The same certificate with a key that is not its own: no connection
   * made with the right one may carry this request. */
  add_host(c, "api.test", &wrong);
  CHECK(get(c, "api.test", "/", body, sizeof(body), &code) != 200);
  CHECK(code != COREAPI_OK);
  /* Verified again, then no certificate at all. */
  add_host(c, "api.test", &hs);
  CHECK_INT(get(c, "api.test", "/", body, sizeof(body), &code), 200);
  add_host(c, "api.test", &none);
  CHECK_INT(get(c, "api.test", "/", body, sizeof(body), &code), 400);
  coreapi_client_free(c);
}

int main(void) {
  E.port = need_env("COREAPI_TEST_NGINX_MTLS_PORT");
  E.ca = need_env("COREAPI_TEST_CA");
  E.cert = need_env("COREAPI_TEST_CLIENT_CERT");
  E.key = need_env("COREAPI_TEST_CLIENT_KEY");
  E.other_key = need_env("COREAPI_TEST_CLIENT_OTHER_KEY");
  case_required();
  case_redirect_scope();
  case_tls_per_host();
  case_reuse();
  return check_done("test_mtls");
}
