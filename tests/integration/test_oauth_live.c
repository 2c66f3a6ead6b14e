/*
 * tests/integration/test_oauth_live.c - OAuth 2.0 against real servers
 * (servers.py --django --device): django-oauth-toolkit in the example API
 * for the client credentials grant (client_secret_basic and _post), the
 * password grant (confidential and public clients), the refresh grant, a
 * token revoked server-side (the 401 path: renewed, the request sent
 * again, its body too), revocation (RFC 7009) and the authorization code
 * grant with PKCE, consented by alice's own logged-in session; the RFC 8628
 * device server for the device grant (pending, slow_down, access_denied,
 * expired_token, garbage). Every request goes to the books and /oauth-me/
 * resources of the example API.
 *
 * Run with "expiry" (under --oauth-expire 2): tokens that expire within
 * the renewal margin are renewed before each request, by their refresh
 * token, which django-oauth-toolkit rotates.
 */
#include <arpa/inet.h>
#include <coreapi/coreapi.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check.h"

static char api[128], device[128];
static char debug_text[65536];
static size_t debug_len;

static const char *env(const char *name) {
  const char *v = getenv(name);
  if (v == NULL)
    fprintf(stderr, "test_oauth_live: %s is not set\n", name);
  REQUIRE(v != NULL);
  return v;
}

static void on_debug(void *userdata, coreapi_debug_type type, const char *data, size_t size) {
  (void)userdata;
  (void)type;
  if (debug_len + size + 1 < sizeof(debug_text)) {
    memcpy(debug_text + debug_len, data, size);
    debug_len += size;
    debug_text[debug_len] = '\0';
  }
}

static coreapi_client *client_with(coreapi_auth *auth) {
  coreapi_client *c = coreapi_client_new(NULL);
  REQUIRE(c != NULL);
  if (auth != NULL)
    CHECK_INT(coreapi_client_add_auth(c, auth, NULL), COREAPI_OK);
  CHECK_INT(coreapi_client_set_debug(c, on_debug, NULL, NULL), COREAPI_OK);
  return c;
}

static coreapi_oauth2_config base_config(coreapi_oauth2_grant grant, const char *key) {
  static char url[256], id[128], secret[128];
  coreapi_oauth2_config cfg;
  char name[64];
  memset(&cfg, 0, sizeof(cfg));
  snprintf(url, sizeof(url), "%s/o/token/", api);
  snprintf(name, sizeof(name), "COREAPI_TEST_OAUTH_%s_ID", key);
  snprintf(id, sizeof(id), "%s", env(name));
  snprintf(name, sizeof(name), "COREAPI_TEST_OAUTH_%s_SECRET", key);
  snprintf(secret, sizeof(secret), "%s", getenv(name) ? getenv(name) : "");
  cfg.grant = grant;
  cfg.token_url = url;
  cfg.client_id = id;
  cfg.client_secret = secret[0] ? secret : NULL;
  return cfg;
}

static coreapi_auth *oauth(const coreapi_oauth2_config *cfg) {
  coreapi_error err;
  coreapi_auth *a = coreapi_auth_oauth2_new(cfg, "127.0.0.1", &err);
  if (a == NULL)
    fprintf(stderr, "oauth2_new: %s\n", err.text);
  REQUIRE(a != NULL);
  return a;
}

/* METHOD api+path (JSON body when given): status, body into out. */
static long call(coreapi_client *c, const char *method, const char *path, const char *json,
                 char *out, size_t size) {
  char url[256];
  coreapi_error err;
  coreapi_response *r = NULL;
  long status = 0;
  snprintf(url, sizeof(url), "%s%s", api, path);
  if (coreapi_client_request(c, method, url, json ? "application/json" : NULL, json,
                             json ? strlen(json) : 0, &r, &err) != COREAPI_OK) {
    fprintf(stderr, "%s %s: %s\n", method, url, err.text);
  } else {
    size_t len;
    const char *b = coreapi_response_body(r, &len);
    status = coreapi_response_status(r);
    if (out != NULL)
      snprintf(out, size, "%.*s", (int)len, b);
  }
  coreapi_response_free(r);
  return status;
}

static void test_client_credentials(void) {
  for (int post = 0; post <= 1; post++) {
    coreapi_oauth2_config cfg = base_config(COREAPI_OAUTH2_CLIENT_CREDENTIALS, "CC");
    coreapi_auth *a;
    coreapi_client *c;
    char body[2048];
    cfg.client_auth = post ? COREAPI_OAUTH2_CLIENT_SECRET_POST : COREAPI_OAUTH2_CLIENT_SECRET_BASIC;
    cfg.scope = "read";
    a = oauth(&cfg);
    c = client_with(a);
    debug_len = 0;
    CHECK_INT(call(c, "GET", "/oauth-me/", NULL, body, sizeof(body)), 200);
    CHECK(strstr(body, "\"auth\": \"oauth2\"") || strstr(body, "\"auth\":\"oauth2\""));
    CHECK(strstr(body, "coreapi-test-cc") != NULL);
    CHECK(strstr(body, "\"scope\": \"read\"") || strstr(body, "\"scope\":\"read\""));
    /* scope read only: writing is refused */
    CHECK_INT(call(c, "POST", "/oauth-me/", "{\"x\":1}", NULL, 0), 403);
    CHECK(strstr(debug_text, cfg.client_secret) == NULL);
    coreapi_auth_free(a);
    coreapi_client_free(c);
  }
}

static int renewals;
static char current[256];
static void on_token(void *userdata, const coreapi_oauth2_token *t) {
  (void)userdata;
  renewals++;
  snprintf(current, sizeof(current), "%s", t->access_token);
}

/* Revoke token at the server behind the object's back. */
static void revoke_behind(const char *token, const char *key) {
  char id[64], secret[64];
  char url[256], form[512];
  coreapi_client *c = client_with(NULL);
  coreapi_response *r = NULL;
  snprintf(url, sizeof(url), "%s/o/revoke_token/", api);
  snprintf(id, sizeof(id), "COREAPI_TEST_OAUTH_%s_ID", key);
  snprintf(secret, sizeof(secret), "COREAPI_TEST_OAUTH_%s_SECRET", key);
  snprintf(form, sizeof(form), "token=%s&client_id=%s&client_secret=%s", token, env(id),
           env(secret));
  CHECK_INT(coreapi_client_request(c, "POST", url, "application/x-www-form-urlencoded", form,
                                   strlen(form), &r, NULL),
            COREAPI_OK);
  CHECK_INT(coreapi_response_status(r), 200);
  coreapi_response_free(r);
  coreapi_client_free(c);
}

/* A token revoked server-side: the 401 renews it (client credentials: the
 * grant again) and the request, body included, goes again. (A password
 * grant's refresh after its access token was revoked makes
 * django-oauth-toolkit 1.7 answer 500: a server bug, so not that grant.) */
static void test_401_resend(void) {
  coreapi_oauth2_config cfg = base_config(COREAPI_OAUTH2_CLIENT_CREDENTIALS, "CC");
  coreapi_auth *a;
  coreapi_client *c;
  char body[2048], revoked[256];
  cfg.scope = "read write";
  cfg.on_token = on_token;
  renewals = 0;
  a = oauth(&cfg);
  c = client_with(a);
  CHECK_INT(call(c, "GET", "/oauth-me/", NULL, body, sizeof(body)), 200);
  CHECK_INT(renewals, 1);
  snprintf(revoked, sizeof(revoked), "%s", current);
  revoke_behind(revoked, "CC");
  CHECK_INT(call(c, "POST", "/oauth-me/", "{\"note\":\"sent twice\"}", body, sizeof(body)), 200);
  CHECK(strstr(body, "sent twice") != NULL); /* the body replayed */
  CHECK_INT(renewals, 2);
  CHECK(strcmp(current, revoked) != 0);
  coreapi_auth_free(a);
  coreapi_client_free(c);
}

/* The password grant; revocation by the object (RFC 7009): the token is
 * dead at the server. */
static void test_password_and_revoke(void) {
  coreapi_oauth2_config cfg = base_config(COREAPI_OAUTH2_PASSWORD, "PW");
  coreapi_auth *a;
  coreapi_client *c;
  char body[2048], revoked[256], url[256];
  cfg.username = env("COREAPI_TEST_USER");
  cfg.password = env("COREAPI_TEST_PASSWORD");
  cfg.on_token = on_token;
  renewals = 0;
  a = oauth(&cfg);
  c = client_with(a);
  CHECK_INT(call(c, "GET", "/oauth-me/", NULL, body, sizeof(body)), 200);
  CHECK(strstr(body, env("COREAPI_TEST_USER")) != NULL);
  CHECK_INT(call(c, "GET", "/books/", NULL, body, sizeof(body)), 200);
  CHECK_INT(renewals, 1);
  snprintf(url, sizeof(url), "%s/o/revoke_token/", api);
  snprintf(revoked, sizeof(revoked), "%s", current);
  CHECK_INT(coreapi_oauth2_revoke(a, c, url, NULL), COREAPI_OK);
  {
    coreapi_auth *stale = coreapi_auth_token_new(revoked, NULL, "127.0.0.1", NULL);
    coreapi_client *s = client_with(stale);
    CHECK_INT(call(s, "GET", "/oauth-me/", NULL, NULL, 0), 401);
    coreapi_auth_free(stale);
    coreapi_client_free(s);
  }
  coreapi_auth_free(a);
  coreapi_client_free(c);
}

static void test_public_client_and_errors(void) {
  coreapi_oauth2_config cfg = base_config(COREAPI_OAUTH2_PASSWORD, "PUB");
  coreapi_auth *a;
  coreapi_client *c;
  coreapi_error err;
  char body[2048];
  cfg.username = env("COREAPI_TEST_USER");
  cfg.password = env("COREAPI_TEST_PASSWORD");
  a = oauth(&cfg);
  c = client_with(a);
  CHECK_INT(call(c, "GET", "/oauth-me/", NULL, body, sizeof(body)), 200);
  CHECK(strstr(body, "coreapi-test-public") != NULL);
  coreapi_auth_free(a);
  coreapi_client_free(c);
  /* A wrong password and a wrong secret: the server's reasons. */
  cfg.password = "not-the-password";
  a = oauth(&cfg);
  CHECK_INT(coreapi_oauth2_obtain(a, NULL, &err), COREAPI_ERR_OAUTH);
  CHECK(strstr(err.text, "invalid_grant") != NULL);
  coreapi_auth_free(a);
  cfg = base_config(COREAPI_OAUTH2_CLIENT_CREDENTIALS, "CC");
  cfg.client_secret = "wrong";
  a = oauth(&cfg);
  CHECK_INT(coreapi_oauth2_obtain(a, NULL, &err), COREAPI_ERR_OAUTH);
  CHECK(strstr(err.text, "invalid_client") != NULL);
  coreapi_auth_free(a);
}

/* The example API's own links (its Core JSON schema and its OpenAPI
 * description) acted on with an OAuth 2.0 token: list and create books. */
static void test_through_links(void) {
  static const char *const schemas[] = {"/schema/", "/openapi.json"};
  static const char *const create[] = {"create", "books_create"};
  static const char *const list[] = {"list", "books_list"};
  coreapi_oauth2_config cfg = base_config(COREAPI_OAUTH2_PASSWORD, "PW");
  coreapi_auth *a;
  coreapi_client *c;
  cfg.username = env("COREAPI_TEST_USER");
  cfg.password = env("COREAPI_TEST_PASSWORD");
  cfg.scope = "read write";
  a = oauth(&cfg);
  c = client_with(a);
  for (int i = 0; i < 2; i++) {
    char url[256];
    coreapi_result doc, res;
    coreapi_error err;
    const coreapi_key lk[2] = {{"books", 0}, {list[i], 0}}, ck[2] = {{"books", 0}, {create[i], 0}};
    coreapi_map_builder *b = coreapi_map_builder_new();
    coreapi_node *params;
    snprintf(url, sizeof(url), "%s%s", api, schemas[i]);
    REQUIRE(coreapi_client_get(c, url, NULL, &doc, &err) == COREAPI_OK);
    CHECK_INT(coreapi_client_action(c, doc.node, lk, 2, NULL, NULL, &res, &err), COREAPI_OK);
    CHECK(coreapi_integer_value(coreapi_map_get(res.node, "count", 5)) >= 7);
    coreapi_result_clear(&res);
    coreapi_map_builder_set(b, "title", 5, coreapi_string_new("Solaris", 7, NULL), NULL);
    coreapi_map_builder_set(b, "author", 6, coreapi_string_new("Lem", 3, NULL), NULL);
    coreapi_map_builder_set(b, "year", 4, coreapi_integer_new(1961, NULL), NULL);
    coreapi_map_builder_set(b, "genre", 5, coreapi_string_new("fiction", 7, NULL), NULL);
    params = coreapi_map_builder_object(b, NULL);
    CHECK_INT(coreapi_client_action(c, doc.node, ck, 2, params, NULL, &res, &err), COREAPI_OK);
    if (err.code != COREAPI_OK)
      fprintf(stderr, "create through %s: %s\n", schemas[i], err.text);
    CHECK_STR(coreapi_string_value(coreapi_map_get(res.node, "title", 5), NULL), "Solaris");
    coreapi_node_free(params);
    coreapi_result_clear(&res);
    coreapi_result_clear(&doc);
  }
  coreapi_auth_free(a);
  coreapi_client_free(c);
}

/* --- the authorization code grant, consented by alice's session ------------------- */

typedef struct browser {
  char url[2048];
  pthread_t thread;
  int done;
} browser;

/* alice's client: logged in through /csrf/ and /login/ with a session. */
static coreapi_client *alice(void) {
  coreapi_auth *session = coreapi_auth_session_new("csrftoken", "X-CSRFToken", "127.0.0.1", NULL);
  coreapi_client *c = client_with(session);
  char form[256];
  coreapi_auth_free(session);
  CHECK_INT(call(c, "GET", "/csrf/", NULL, NULL, 0), 200);
  snprintf(form, sizeof(form), "{\"username\": \"%s\", \"password\": \"%s\"}",
           env("COREAPI_TEST_USER"), env("COREAPI_TEST_PASSWORD"));
  CHECK_INT(call(c, "POST", "/login/", form, NULL, 0), 200);
  return c;
}

/* The browser: alice opens the URL, the server redirects to the loopback
 * URI, the browser follows (to the listener). */
static void *browse(void *arg) {
  browser *b = arg;
  coreapi_client *c = alice();
  coreapi_response *r = NULL;
  CHECK_INT(coreapi_client_set_max_redirects(c, 0, NULL), COREAPI_OK);
  if (coreapi_client_request(c, "GET", b->url, NULL, NULL, 0, &r, NULL) == COREAPI_OK &&
      coreapi_response_status(r) == 302) {
    const char *to = coreapi_response_header(r, "Location");
    coreapi_response *back = NULL;
    coreapi_client *plain = client_with(NULL);
    CHECK(to != NULL && strncmp(to, "http://127.0.0.1:", 17) == 0);
    if (to != NULL)
      b->done = coreapi_client_request(plain, "GET", to, NULL, NULL, 0, &back, NULL) == COREAPI_OK;
    coreapi_response_free(back);
    coreapi_client_free(plain);
  }
  coreapi_response_free(r);
  coreapi_client_free(c);
  return NULL;
}

static void on_authorize_url(void *userdata, const char *url) {
  browser *b = userdata;
  snprintf(b->url, sizeof(b->url), "%s", url);
  pthread_create(&b->thread, NULL, browse, b);
}

static void test_authorization_code(void) {
  coreapi_oauth2_config cfg = base_config(COREAPI_OAUTH2_AUTHORIZATION_CODE, "AC");
  char authorize[256], body[2048];
  browser b = {0};
  coreapi_error err;
  coreapi_auth *a;
  coreapi_client *c;
  snprintf(authorize, sizeof(authorize), "%s/o/authorize/", api);
  cfg.authorize_url = authorize;
  cfg.scope = "read write";
  cfg.on_authorize_url = on_authorize_url;
  cfg.userdata = &b;
  a = oauth(&cfg);
  c = client_with(a);
  CHECK_INT(coreapi_oauth2_obtain(a, c, &err), COREAPI_OK);
  if (err.code != COREAPI_OK)
    fprintf(stderr, "authorization code: %s\n", err.text);
  pthread_join(b.thread, NULL);
  CHECK(b.done);
  CHECK_INT(call(c, "GET", "/oauth-me/", NULL, body, sizeof(body)), 200);
  CHECK(strstr(body, env("COREAPI_TEST_USER")) != NULL);
  coreapi_auth_free(a);
  coreapi_client_free(c);
}

/* --- the device grant -------------------------------------------------------------- */

static void on_device_code(void *userdata, const char *uri, const char *code,
                           const char *complete) {
  int *told = userdata;
  (void)complete;
  *told = uri != NULL && code != NULL && code[0] != '\0';
}

static void test_device(void) {
  static const struct {
    const char *client;
    coreapi_code rc;
    const char *message;
  } cases[] = {
      {"pending2", COREAPI_OK, NULL},           {"slowdown", COREAPI_OK, NULL},
      {"denied", COREAPI_ERR_OAUTH, "access_denied"},
      {"expired", COREAPI_ERR_OAUTH, "expired_token"},
      {"garbage", COREAPI_ERR_OAUTH, "not a JSON object"},
      {"escapes", COREAPI_ERR_OAUTH, "control characters"},
  };
  char token_url[256], device_url[256], url[256];
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    coreapi_oauth2_config cfg;
    coreapi_error err;
    coreapi_auth *a;
    int told = 0;
    memset(&cfg, 0, sizeof(cfg));
    snprintf(token_url, sizeof(token_url), "%s/token", device);
    snprintf(device_url, sizeof(device_url), "%s/device_authorization", device);
    cfg.grant = COREAPI_OAUTH2_DEVICE_CODE;
    cfg.token_url = token_url;
    cfg.device_url = device_url;
    cfg.client_id = cases[i].client;
    cfg.on_device_code = on_device_code;
    cfg.userdata = &told;
    a = oauth(&cfg);
    CHECK_INT(coreapi_oauth2_obtain(a, NULL, &err), cases[i].rc);
    CHECK(told == (strcmp(cases[i].client, "escapes") != 0)); /* escapes: nothing shown */
    if (cases[i].message != NULL && strstr(err.text, cases[i].message) == NULL)
      fprintf(stderr, "device %s: \"%s\" lacks %s\n", cases[i].client, err.text,
              cases[i].message);
    CHECK(cases[i].message == NULL || strstr(err.text, cases[i].message) != NULL);
    if (cases[i].rc == COREAPI_OK) {
      coreapi_client *c = coreapi_client_new(NULL);
      coreapi_response *r = NULL;
      coreapi_auth *scoped = NULL;
      (void)scoped;
      CHECK_INT(coreapi_client_add_auth(c, a, NULL), COREAPI_OK);
      snprintf(url, sizeof(url), "%s/me", device);
      CHECK_INT(coreapi_client_request(c, "GET", url, NULL, NULL, 0, &r, NULL), COREAPI_OK);
      CHECK_INT(coreapi_response_status(r), 200);
      coreapi_response_free(r);
      coreapi_client_free(c);
    }
    coreapi_auth_free(a);
  }
}

/* The device server's log: no poll came early (interval, slow_down kept). */
static void test_device_intervals(void) {
  coreapi_client *c = coreapi_client_new(NULL);
  coreapi_response *r = NULL;
  char url[256];
  size_t len;
  snprintf(url, sizeof(url), "%s/__log", device);
  CHECK_INT(coreapi_client_request(c, "GET", url, NULL, NULL, 0, &r, NULL), COREAPI_OK);
  {
    const char *body = coreapi_response_body(r, &len);
    char *copy = strndup(body, len);
    CHECK(copy != NULL && strstr(copy, "\"too_early\": true") == NULL &&
          strstr(copy, "\"too_early\":true") == NULL);
    CHECK(copy != NULL && strstr(copy, "slow_down") != NULL);
    free(copy);
  }
  coreapi_response_free(r);
  coreapi_client_free(c);
}

/* Under --oauth-expire 2: each request renews by the refresh token. */
static void test_expiry(void) {
  coreapi_oauth2_config cfg = base_config(COREAPI_OAUTH2_PASSWORD, "PW");
  coreapi_auth *a;
  coreapi_client *c;
  char first[256];
  cfg.username = env("COREAPI_TEST_USER");
  cfg.password = env("COREAPI_TEST_PASSWORD");
  cfg.on_token = on_token;
  renewals = 0;
  a = oauth(&cfg);
  c = client_with(a);
  CHECK_INT(call(c, "GET", "/oauth-me/", NULL, NULL, 0), 200);
  snprintf(first, sizeof(first), "%s", current);
  sleep(3); /* expired at the server too */
  CHECK_INT(call(c, "GET", "/oauth-me/", NULL, NULL, 0), 200);
  CHECK_INT(call(c, "GET", "/oauth-me/", NULL, NULL, 0), 200);
  CHECK_INT(renewals, 3); /* within the 30 s margin: renewed before each request */
  CHECK(strcmp(first, current) != 0);
  coreapi_auth_free(a);
  coreapi_client_free(c);
}

int main(int argc, char **argv) {
  snprintf(api, sizeof(api), "http://127.0.0.1:%s", env("COREAPI_TEST_DJANGO_PORT"));
  if (argc > 1 && strcmp(argv[1], "expiry") == 0) {
    test_expiry();
    return check_done("test_oauth_live expiry");
  }
  snprintf(device, sizeof(device), "http://127.0.0.1:%s", env("COREAPI_TEST_DEVICE_PORT"));
  test_client_credentials();
  test_401_resend();
  test_password_and_revoke();
  test_public_client_and_errors();
  test_through_links();
  test_authorization_code();
  test_device();
  test_device_intervals();
  return check_done("test_oauth_live");
}
