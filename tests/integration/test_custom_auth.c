/*
 * test_custom_auth.c - custom authentication through coreapi_auth_ops against
 * the real example API (Django REST framework):
 *   - the HMAC-SHA256 example scheme (examples/hmac) is verified by the
 *     server, for a GET and for a POST with a body;
 *   - on_response asking for a resend: a token that is refreshed after a
 *     refusal, with the request body replayed, and at most one resend;
 *   - apply failing the request: the error comes back, nothing is sent.
 * Run under tests/integration/servers.py --django.
 */
#include <coreapi/coreapi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "hmac_auth.h"

static char base[128];
static const char *user, *password;

static coreapi_response *send(coreapi_client *c, const char *method, const char *path,
                              const char *json, coreapi_code *rc, coreapi_error *err) {
  char url[256];
  coreapi_response *resp = NULL;
  snprintf(url, sizeof(url), "%s%s", base, path);
  *rc = coreapi_client_request(c, method, url, json ? "application/json" : NULL, json,
                               json ? strlen(json) : 0, &resp, err);
  return resp;
}

static coreapi_client *client_with(coreapi_auth *auth) {
  coreapi_client *c = coreapi_client_new(NULL);
  REQUIRE(c != NULL);
  if (auth != NULL) {
    REQUIRE(coreapi_client_add_auth(c, auth, NULL) == COREAPI_OK);
    coreapi_auth_free(auth);
  }
  return c;
}

static void test_hmac(void) {
  coreapi_error err;
  coreapi_code rc;
  coreapi_client *c = client_with(hmac_auth_new("demo", "demo-shared-secret", "127.0.0.1", &err));
  coreapi_response *r = send(c, "GET", "/signed/?a=1&b=2", NULL, &rc, &err);
  CHECK_INT(rc, COREAPI_OK);
  CHECK_INT(coreapi_response_status(r), 200);
  CHECK(r && strstr(coreapi_response_body(r, NULL), "\"verified\": true") != NULL);
  coreapi_response_free(r);
  r = send(c, "POST", "/signed/", "{\"amount\": 10}", &rc, &err);
  CHECK_INT(coreapi_response_status(r), 200);
  CHECK(r && strstr(coreapi_response_body(r, NULL), "\"body_length\": 14") != NULL);
  coreapi_response_free(r);
  coreapi_client_free(c);

  /* The wrong secret is refused by the server: the signature is real. */
  c = client_with(hmac_auth_new("demo", "not-the-secret", NULL, &err));
  r = send(c, "GET", "/signed/", NULL, &rc, &err);
  CHECK_INT(coreapi_response_status(r), 401);
  coreapi_response_free(r);
  coreapi_client_free(c);

  /* Out of scope, nothing is signed. */
  c = client_with(hmac_auth_new("demo", "demo-shared-secret", "api.example.com", &err));
  r = send(c, "GET", "/signed/", NULL, &rc, &err);
  CHECK_INT(coreapi_response_status(r), 401);
  CHECK(r && strstr(coreapi_response_body(r, NULL), "Missing") != NULL);
  coreapi_response_free(r);
  coreapi_client_free(c);
}

/* A token scheme that starts with a stale token and, when the server refuses
 * it, fetches a fresh one (with a separate, unauthenticated client) and asks
 * for the request to be sent again. */
typedef struct refresh_state {
  char token[64];
  int applied, responses, refreshes;
  int always_resend; /* misbehave: ask for a resend every time */
} refresh_state;

static coreapi_code refresh_apply(void *state, coreapi_request *req, coreapi_error *err) {
  refresh_state *s = state;
  char header[96];
  s->applied++;
  snprintf(header, sizeof(header), "Token %s", s->token);
  return coreapi_request_set_header(req, "Authorization", header, err);
}

static coreapi_code refresh_on_response(void *state, const coreapi_request *req,
                                        const coreapi_response *resp, int *resend,
                                        coreapi_error *err) {
  refresh_state *s = state;
  char body[256];
  coreapi_code rc;
  (void)req;
  s->responses++;
  if (s->always_resend) {
    *resend = 1;
    return COREAPI_OK;
  }
  if (coreapi_response_status(resp) != 401 && coreapi_response_status(resp) != 403)
    return COREAPI_OK;
  coreapi_client *anon = client_with(NULL);
  snprintf(body, sizeof(body), "{\"username\": \"%s\", \"password\": \"%s\"}", user, password);
  coreapi_response *r = send(anon, "POST", "/api-token-auth/", body, &rc, err);
  if (rc == COREAPI_OK && coreapi_response_status(r) == 200) {
    const char *t = strstr(coreapi_response_body(r, NULL), "\"token\":\"");
    if (t != NULL && sscanf(t + 9, "%40[0-9a-f]", s->token) == 1) {
      s->refreshes++;
      *resend = 1;
    }
  }
  coreapi_response_free(r);
  coreapi_client_free(anon);
  return rc;
}

static const coreapi_auth_ops refresh_ops = {
    .name = "refreshing-token",
    .apply = refresh_apply,
    .on_response = refresh_on_response,
};

static void test_refresh(void) {
  refresh_state s = {.token = "stale0000000000000000000000000000000000"};
  coreapi_error err;
  coreapi_code rc;
  coreapi_client *c = client_with(coreapi_auth_new(&refresh_ops, &s, NULL, &err));
  coreapi_response *r = send(c, "POST", "/notes/", "{\"text\": \"replayed body\"}", &rc, &err);
  CHECK_INT(rc, COREAPI_OK);
  CHECK_INT(coreapi_response_status(r), 201);
  /* The body reached the server on the second attempt, whole. */
  CHECK(r && strstr(coreapi_response_body(r, NULL), "\"text\":\"replayed body\"") != NULL);
  CHECK_INT(s.refreshes, 1);
  CHECK_INT(s.applied, 2);
  CHECK_INT(s.responses, 2);
  coreapi_response_free(r);

  /* With the fresh token, no refresh is needed any more. */
  r = send(c, "GET", "/me/", NULL, &rc, &err);
  CHECK_INT(coreapi_response_status(r), 200);
  CHECK_INT(s.refreshes, 1);
  CHECK_INT(s.applied, 3);
  coreapi_response_free(r);
  coreapi_client_free(c);

  /* A scheme that always asks again gets exactly one resend. */
  refresh_state greedy = {.token = "stale", .always_resend = 1};
  c = client_with(coreapi_auth_new(&refresh_ops, &greedy, NULL, &err));
  r = send(c, "GET", "/me/", NULL, &rc, &err);
  CHECK_INT(rc, COREAPI_OK);
  CHECK_INT(greedy.applied, 2);
  CHECK_INT(greedy.responses, 2);
  coreapi_response_free(r);
  coreapi_client_free(c);
}

static coreapi_code refuse_apply(void *state, coreapi_request *req, coreapi_error *err) {
  (void)req;
  ++*(int *)state;
  return coreapi_error_set(err, COREAPI_ERR_AUTH, "no signing key available");
}

static const coreapi_auth_ops refuse_ops = {.name = "refuse", .apply = refuse_apply};

static void test_apply_fails(void) {
  int calls = 0;
  coreapi_error err;
  coreapi_code rc;
  coreapi_client *c = client_with(coreapi_auth_new(&refuse_ops, &calls, NULL, &err));
  coreapi_response *r = send(c, "POST", "/notes/", "{}", &rc, &err);
  CHECK_INT(rc, COREAPI_ERR_AUTH);
  CHECK(r == NULL);
  CHECK_INT(err.code, COREAPI_ERR_AUTH);
  CHECK_STR(err.text, "no signing key available");
  CHECK_INT(calls, 1);
  coreapi_client_free(c);
}

int main(void) {
  const char *port = getenv("COREAPI_TEST_DJANGO_PORT");
  user = getenv("COREAPI_TEST_USER");
  password = getenv("COREAPI_TEST_PASSWORD");
  REQUIRE(port != NULL && user != NULL && password != NULL);
  snprintf(base, sizeof(base), "http://127.0.0.1:%s", port);
  test_hmac();
  test_refresh();
  test_apply_fails();
  return check_done("test_custom_auth");
}
