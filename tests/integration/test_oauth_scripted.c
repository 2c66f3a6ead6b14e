/*
 * tests/integration/test_oauth_scripted.c - OAuth 2.0 (coreapi/oauth2.h)
 * against the scripted redirect server (servers.py --redirect), whose
 * /echo?status=200&body=... answers as a token endpoint would and whose
 * log shows what each request carried: the token sent on requests in
 * scope only, obtained once and shared by threads, renewed before expiry
 * and after a 401 (the request sent again), the refresh token kept when
 * the server sends none, the client authenticated by Basic or in the body,
 * token errors, HTML and redirects from the token endpoint as ERR_OAUTH,
 * revocation, the authorization code flow's loopback redirect and state,
 * and no secret in debug output.
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

static const char *port;
static char log_text[65536];
static size_t log_len;

static void on_debug(void *userdata, coreapi_debug_type type, const char *data, size_t size) {
  (void)userdata;
  (void)type;
  if (log_len + size + 1 < sizeof(log_text)) {
    memcpy(log_text + log_len, data, size);
    log_len += size;
    log_text[log_len] = '\0';
  }
}

/* A percent-encoded copy of s (static buffer per call site: caller copies). */
static void encode(const char *s, char *out, size_t size) {
  size_t o = 0;
  for (; *s && o + 4 < size; s++) {
    if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9'))
      out[o++] = *s;
    else
      o += (size_t)snprintf(out + o, size - o, "%%%02X", (unsigned char)*s);
  }
  out[o] = '\0';
}

/* A token endpoint URL on api.test answering status with the JSON body. */
static void endpoint(char *url, size_t size, int status, const char *type, const char *json) {
  char body[700], t[64];
  encode(json, body, sizeof(body));
  encode(type, t, sizeof(t));
  snprintf(url, size, "http://api.test:%s/echo?status=%d&type=%s&body=%s", port, status, t, body);
}

static coreapi_client *client(void) {
  coreapi_error err;
  char resolve[128];
  coreapi_client *c = coreapi_client_new(&err);
  REQUIRE(c != NULL);
  for (int i = 0; i < 2; i++) {
    snprintf(resolve, sizeof(resolve), "%s:%s:127.0.0.1", i ? "other.test" : "api.test", port);
    CHECK_INT(coreapi_client_add_resolve(c, resolve, &err), COREAPI_OK);
  }
  log_len = 0;
  log_text[0] = '\0';
  CHECK_INT(coreapi_client_set_debug(c, on_debug, NULL, &err), COREAPI_OK);
  return c;
}

static coreapi_auth *oauth(coreapi_oauth2_config *cfg, const char *domain) {
  coreapi_error err;
  coreapi_auth *a = coreapi_auth_oauth2_new(cfg, domain, &err);
  if (a == NULL)
    fprintf(stderr, "oauth2_new: %s\n", err.text);
  REQUIRE(a != NULL);
  return a;
}

static void clear_log(coreapi_client *c) {
  coreapi_response *r = NULL;
  char url[128];
  snprintf(url, sizeof(url), "http://127.0.0.1:%s/__clear", port);
  CHECK_INT(coreapi_client_request(c, "GET", url, NULL, NULL, 0, &r, NULL), COREAPI_OK);
  coreapi_response_free(r);
}

/* The server's log (new string). */
static char *server_log(void) {
  coreapi_client *c = coreapi_client_new(NULL);
  coreapi_response *r = NULL;
  char url[128], *copy = NULL;
  size_t len;
  snprintf(url, sizeof(url), "http://127.0.0.1:%s/__log", port);
  if (coreapi_client_request(c, "GET", url, NULL, NULL, 0, &r, NULL) == COREAPI_OK) {
    const char *body = coreapi_response_body(r, &len);
    if ((copy = malloc(len + 1)) != NULL) {
      memcpy(copy, body, len);
      copy[len] = '\0';
    }
  }
  coreapi_response_free(r);
  coreapi_client_free(c);
  return copy;
}

/* How many times needle occurs in hay; "%P" in needle is the port. */
static int count(const char *hay, const char *pattern) {
  char needle[256];
  const char *at = strstr(pattern, "%P");
  int n = 0;
  if (at != NULL)
    snprintf(needle, sizeof(needle), "%.*s%s%s", (int)(at - pattern), pattern, port, at + 2);
  else
    snprintf(needle, sizeof(needle), "%s", pattern);
  for (const char *p = hay; p != NULL && (p = strstr(p, needle)) != NULL; p += strlen(needle))
    n++;
  return n;
}

/* GET url through c: status, and the echo's body into body (size bytes). */
static coreapi_code get(coreapi_client *c, const char *url, long *status, char *body, size_t size,
                        coreapi_error *err) {
  coreapi_response *r = NULL;
  coreapi_code rc = coreapi_client_request(c, "GET", url, NULL, NULL, 0, &r, err);
  *status = 0;
  if (body != NULL)
    body[0] = '\0';
  if (rc == COREAPI_OK) {
    size_t len;
    const char *b = coreapi_response_body(r, &len);
    *status = coreapi_response_status(r);
    if (body != NULL)
      snprintf(body, size, "%.*s", (int)len, b);
  }
  coreapi_response_free(r);
  return rc;
}

static coreapi_oauth2_config cc_config(const char *token_url) {
  coreapi_oauth2_config cfg;
  memset(&cfg, 0, sizeof(cfg));
  cfg.grant = COREAPI_OAUTH2_CLIENT_CREDENTIALS;
  cfg.token_url = token_url;
  cfg.client_id = "cc-app";
  cfg.client_secret = "cc-s3cret";
  cfg.scope = "read write";
  return cfg;
}

static int tokens_seen;
static char last_refresh[64];
static void on_token(void *userdata, const coreapi_oauth2_token *t) {
  (void)userdata;
  tokens_seen++;
  snprintf(last_refresh, sizeof(last_refresh), "%s", t->refresh_token ? t->refresh_token : "-");
}


/* The token sent on requests in scope, obtained once; the client
 * authenticated with Basic (auth=1 on the token request); no secret in
 * debug output; nothing sent to another host. */
static void test_client_credentials(void) {
  char token_url[1024], url[256], body[4096];
  coreapi_client *c = client();
  coreapi_oauth2_config cfg;
  coreapi_auth *a;
  coreapi_error err;
  long status;
  char *log;
  endpoint(token_url, sizeof(token_url), 200, "application/json",
           "{\"access_token\":\"tok-A1\",\"token_type\":\"bearer\",\"expires_in\":3600}");
  cfg = cc_config(token_url);
  cfg.on_token = on_token;
  tokens_seen = 0;
  a = oauth(&cfg, "api.test");
  CHECK_INT(coreapi_client_add_auth(c, a, &err), COREAPI_OK);
  clear_log(c);
  snprintf(url, sizeof(url), "http://api.test:%s/echo", port);
  CHECK_INT(get(c, url, &status, body, sizeof(body), &err), COREAPI_OK);
  CHECK(strstr(body, "\"authorization\": \"Bearer tok-A1\"") != NULL);
  CHECK_INT(get(c, url, &status, body, sizeof(body), &err), COREAPI_OK);
  snprintf(url, sizeof(url), "http://other.test:%s/echo", port);
  CHECK_INT(get(c, url, &status, body, sizeof(body), &err), COREAPI_OK);
  CHECK(strstr(body, "authorization") == NULL); /* out of scope */
  log = server_log();
  CHECK_INT(count(log, "POST api.test"), 1); /* one token request */
  CHECK(strstr(log, "POST api.test") && strstr(strstr(log, "POST api.test"), "auth=1"));
  CHECK_INT(count(log, "GET api.test:%P /echo auth=1"), 2);
  CHECK_INT(count(log, "GET other.test:%P /echo auth=0"), 1);
  CHECK_INT(tokens_seen, 1);
  CHECK(strstr(log_text, "tok-A1") == NULL && strstr(log_text, "cc-s3cret") == NULL);
  {
    char what[128];
    int64_t at;
    CHECK(coreapi_oauth2_token_expiry(a, &at) == 1 && at > 0);
    coreapi_auth_describe(a, what, sizeof(what));
    CHECK_STR(what, "oauth2 (client-credentials, client cc-app, expires in 60 min)");
  }
  free(log);
  coreapi_auth_free(a);
  coreapi_client_free(c);
}

/* client_secret_post: no Authorization on the token request; a token
 * expiring within 30 s is renewed before each request. */
static void test_post_and_expiry(void) {
  char token_url[1024], url[256];
  coreapi_client *c = client();
  coreapi_oauth2_config cfg;
  coreapi_auth *a;
  long status;
  char *log;
  endpoint(token_url, sizeof(token_url), 200, "application/json",
           "{\"access_token\":\"tok-B\",\"expires_in\":10}");
  cfg = cc_config(token_url);
  cfg.client_auth = COREAPI_OAUTH2_CLIENT_SECRET_POST;
  a = oauth(&cfg, NULL);
  CHECK_INT(coreapi_client_add_auth(c, a, NULL), COREAPI_OK);
  clear_log(c);
  snprintf(url, sizeof(url), "http://api.test:%s/echo", port);
  CHECK_INT(get(c, url, &status, NULL, 0, NULL), COREAPI_OK);
  CHECK_INT(get(c, url, &status, NULL, 0, NULL), COREAPI_OK);
  log = server_log();
  CHECK_INT(count(log, "POST api.test"), 2);
  CHECK(strstr(log, "POST api.test") && strstr(strstr(log, "POST api.test"), "auth=0"));
  free(log);
  coreapi_auth_free(a);
  coreapi_client_free(c);
}

/* A 401 to a request that carried the token: renewed, sent once more. */
static void test_401_resend(void) {
  char token_url[1024], url[256];
  coreapi_client *c = client();
  coreapi_oauth2_config cfg;
  coreapi_auth *a;
  long status;
  char *log;
  endpoint(token_url, sizeof(token_url), 200, "application/json",
           "{\"access_token\":\"tok-C\",\"expires_in\":3600}");
  cfg = cc_config(token_url);
  a = oauth(&cfg, "api.test");
  CHECK_INT(coreapi_client_add_auth(c, a, NULL), COREAPI_OK);
  clear_log(c);
  snprintf(url, sizeof(url), "http://api.test:%s/echo?status=401&body=no", port);
  CHECK_INT(get(c, url, &status, NULL, 0, NULL), COREAPI_OK);
  CHECK_INT(status, 401); /* still refused: no loop */
  log = server_log();
  CHECK_INT(count(log, "POST api.test"), 2);
  CHECK_INT(count(log, "GET api.test:%P /echo?status=401&body=no auth=1"), 2);
  free(log);
  coreapi_auth_free(a);
  coreapi_client_free(c);
}

/* What the token endpoint may answer instead of a token. */
static void test_token_errors(void) {
  static const struct {
    int status;
    const char *type, *body, *message;
  } cases[] = {
      {400, "application/json",
       "{\"error\":\"invalid_client\",\"error_description\":\"Client authentication failed.\"}",
       "refused (400): invalid_client: Client authentication failed."},
      {200, "text/html", "<html><body>Log in</body></html>", "not a JSON object"},
      {200, "application/json", "{\"access_token\":\"a b\"}", "no usable access_token"},
      {200, "application/json", "{\"token_type\":\"bearer\"}", "no usable access_token"},
      {500, "text/plain", "garbage\x01", "not a JSON object"},
      {302, "text/plain", "", "redirect"},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    char token_url[1024], url[256];
    coreapi_client *c = client();
    coreapi_oauth2_config cfg;
    coreapi_auth *a;
    coreapi_error err;
    long status;
    endpoint(token_url, sizeof(token_url), cases[i].status, cases[i].type, cases[i].body);
    cfg = cc_config(token_url);
    a = oauth(&cfg, "api.test");
    CHECK_INT(coreapi_client_add_auth(c, a, NULL), COREAPI_OK);
    snprintf(url, sizeof(url), "http://api.test:%s/echo", port);
    CHECK_INT(get(c, url, &status, NULL, 0, &err), COREAPI_ERR_OAUTH);
    if (strstr(err.text, cases[i].message) == NULL)
      fprintf(stderr, "case %zu: \"%s\" lacks \"%s\"\n", i, err.text, cases[i].message);
    CHECK(strstr(err.text, cases[i].message) != NULL);
    coreapi_auth_free(a);
    coreapi_client_free(c);
  }
}

/* A stored, expired token renewed by its refresh token; the server sends
 * no new refresh token, so the old one is kept. Then revoked. */
static void test_refresh_and_revoke(void) {
  char token_url[1024], revoke_url[256], url[256], body[4096];
  coreapi_client *c = client();
  coreapi_oauth2_config cfg;
  coreapi_oauth2_token stored = {"old", "Bearer", "ref-1", NULL, 1};
  coreapi_auth *a;
  long status;
  endpoint(token_url, sizeof(token_url), 200, "application/json",
           "{\"access_token\":\"tok-D\",\"expires_in\":3600}");
  memset(&cfg, 0, sizeof(cfg));
  cfg.grant = COREAPI_OAUTH2_REFRESH_ONLY;
  cfg.token_url = token_url;
  cfg.client_id = "public-app";
  cfg.token = &stored;
  cfg.on_token = on_token;
  a = oauth(&cfg, "api.test");
  CHECK_INT(coreapi_client_add_auth(c, a, NULL), COREAPI_OK);
  snprintf(url, sizeof(url), "http://api.test:%s/echo", port);
  CHECK_INT(get(c, url, &status, body, sizeof(body), NULL), COREAPI_OK);
  CHECK(strstr(body, "\"authorization\": \"Bearer tok-D\"") != NULL);
  CHECK_STR(last_refresh, "ref-1");
  snprintf(revoke_url, sizeof(revoke_url), "http://api.test:%s/echo?status=200", port);
  CHECK_INT(coreapi_oauth2_revoke(a, c, revoke_url, NULL), COREAPI_OK);
  CHECK(coreapi_oauth2_token_expiry(a, NULL) == 0);
  /* Nothing left to renew with: a clear error, nothing sent. */
  memset(body, 0, sizeof(body));
  {
    coreapi_error err;
    CHECK_INT(get(c, url, &status, body, sizeof(body), &err), COREAPI_ERR_OAUTH);
    CHECK(strstr(err.text, "cannot be renewed") != NULL);
  }
  coreapi_auth_free(a);
  coreapi_client_free(c);
}

/* Threads sharing one object: one token request, every request carries it. */
typedef struct worker {
  coreapi_auth *auth;
  int ok;
} worker;

static void *work(void *arg) {
  worker *w = arg;
  coreapi_client *c = coreapi_client_new(NULL);
  char url[256], resolve[64], body[4096];
  long status;
  snprintf(resolve, sizeof(resolve), "api.test:%s:127.0.0.1", port);
  coreapi_client_add_resolve(c, resolve, NULL);
  coreapi_client_add_auth(c, w->auth, NULL);
  snprintf(url, sizeof(url), "http://api.test:%s/echo", port);
  for (int i = 0; i < 5; i++)
    w->ok += get(c, url, &status, body, sizeof(body), NULL) == COREAPI_OK &&
             strstr(body, "Bearer tok-T") != NULL;
  coreapi_client_free(c);
  return NULL;
}

static void test_threads(void) {
  char token_url[1024];
  coreapi_oauth2_config cfg;
  coreapi_auth *a;
  pthread_t t[4];
  worker w[4];
  char *log;
  endpoint(token_url, sizeof(token_url), 200, "application/json",
           "{\"access_token\":\"tok-T\",\"expires_in\":3600}");
  cfg = cc_config(token_url);
  a = oauth(&cfg, "api.test");
  {
    coreapi_client *c = client();
    clear_log(c);
    coreapi_client_free(c);
  }
  for (int i = 0; i < 4; i++) {
    w[i].auth = a;
    w[i].ok = 0;
    pthread_create(&t[i], NULL, work, &w[i]);
  }
  for (int i = 0; i < 4; i++) {
    pthread_join(t[i], NULL);
    CHECK_INT(w[i].ok, 5);
  }
  log = server_log();
  CHECK_INT(count(log, "POST api.test"), 1);
  free(log);
  coreapi_auth_free(a);
}

/* The authorization code flow: the "browser" (a thread) follows the URL
 * the object gives to its loopback redirect URI. */
typedef struct browser {
  char url[2048];
  int wrong_state;
  pthread_t thread;
} browser;

static void *browse(void *arg) {
  browser *b = arg;
  char redirect_port[16] = "", state[128] = "", req[512], reply[256];
  const char *p = strstr(b->url, "redirect_uri=http%3A%2F%2F127.0.0.1%3A"), *s = strstr(b->url, "state=");
  struct sockaddr_in a;
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (p == NULL || s == NULL || fd < 0)
    return NULL;
  sscanf(p + strlen("redirect_uri=http%3A%2F%2F127.0.0.1%3A"), "%15[0-9]", redirect_port);
  sscanf(s + 6, "%127[^&]", state);
  memset(&a, 0, sizeof(a));
  a.sin_family = AF_INET;
  a.sin_port = htons((uint16_t)atoi(redirect_port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0) {
    /* wrong_state 2: the state only in a header, after the request target */
    int n = b->wrong_state == 2
                ? snprintf(req, sizeof(req),
                           "GET /callback?code=the-code HTTP/1.1\r\nX-Q: ?&state=%s\r\n\r\n",
                           state)
                : snprintf(req, sizeof(req),
                           "GET /callback?code=the-code&state=%s HTTP/1.1\r\n\r\n",
                           b->wrong_state ? "forged" : state);
    if (write(fd, req, (size_t)n) == n && read(fd, reply, sizeof(reply) - 1) < 0)
      reply[0] = '\0';
  }
  close(fd);
  return NULL;
}

static void on_authorize_url(void *userdata, const char *url) {
  browser *b = userdata;
  snprintf(b->url, sizeof(b->url), "%s", url);
  pthread_create(&b->thread, NULL, browse, b);
}

static void test_authorization_code(void) {
  char token_url[1024], authorize[256];
  coreapi_oauth2_config cfg;
  for (int wrong = 0; wrong <= 2; wrong++) {
    browser b = {.wrong_state = wrong};
    coreapi_error err;
    coreapi_auth *a;
    coreapi_client *c = client();
    endpoint(token_url, sizeof(token_url), 200, "application/json",
             "{\"access_token\":\"tok-E\",\"refresh_token\":\"ref-E\",\"expires_in\":60}");
    snprintf(authorize, sizeof(authorize), "http://api.test:%s/authorize", port);
    memset(&cfg, 0, sizeof(cfg));
    cfg.grant = COREAPI_OAUTH2_AUTHORIZATION_CODE;
    cfg.token_url = token_url;
    cfg.client_id = "native-app";
    cfg.authorize_url = authorize;
    cfg.on_authorize_url = on_authorize_url;
    cfg.userdata = &b;
    a = oauth(&cfg, "api.test");
    CHECK_INT(coreapi_oauth2_obtain(a, c, &err), wrong ? COREAPI_ERR_OAUTH : COREAPI_OK);
    pthread_join(b.thread, NULL);
    CHECK(strstr(b.url, "response_type=code") != NULL);
    CHECK(strstr(b.url, "code_challenge_method=S256") != NULL);
    CHECK(strstr(b.url, "client_id=native-app") != NULL);
    if (wrong)
      CHECK(strstr(err.text, "state does not match") != NULL);
    else
      CHECK(coreapi_oauth2_token_expiry(a, NULL) == 1);
    coreapi_auth_free(a);
    coreapi_client_free(c);
  }
}

static void test_config_errors(void) {
  coreapi_oauth2_config cfg = cc_config("ftp://x/token");
  coreapi_error err;
  CHECK(coreapi_auth_oauth2_new(&cfg, NULL, &err) == NULL);
  CHECK_INT(err.code, COREAPI_ERR_INVALID_ARGUMENT);
  cfg = cc_config("https://auth.test/token");
  cfg.client_secret = NULL;
  CHECK(coreapi_auth_oauth2_new(&cfg, NULL, &err) == NULL);
  cfg = cc_config("https://auth.test/token");
  cfg.client_secret = "line\nbreak";
  CHECK(coreapi_auth_oauth2_new(&cfg, NULL, &err) == NULL);
  CHECK_INT(err.code, COREAPI_ERR_BAD_CREDENTIALS);
  cfg = cc_config("https://auth.test/token");
  cfg.grant = COREAPI_OAUTH2_PASSWORD;
  CHECK(coreapi_auth_oauth2_new(&cfg, NULL, &err) == NULL);
  CHECK(coreapi_auth_oauth2_new(NULL, NULL, &err) == NULL);
  CHECK_INT(coreapi_oauth2_obtain(NULL, NULL, &err), COREAPI_ERR_INVALID_ARGUMENT);
  CHECK(coreapi_oauth2_token_expiry(NULL, NULL) == 0);
}

int main(void) {
  port = getenv("COREAPI_TEST_REDIRECT_HTTP_PORT");
  REQUIRE(port != NULL);
  test_config_errors();
  test_client_credentials();
  test_post_and_expiry();
  test_401_resend();
  test_token_errors();
  test_refresh_and_revoke();
  test_threads();
  test_authorization_code();
  return check_done("test_oauth_scripted");
}
