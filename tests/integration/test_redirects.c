/*
 * tests/integration/test_redirects.c - redirect following and credential
 * scoping against a real, recording server.
 *
 * Run under the harness:
 *
 *   /usr/bin/python3 tests/integration/servers.py --redirect -- build/test_redirects
 *
 * which starts tests/integration/redirect_server.py (three listeners: "http",
 * "http2" (a second plain-HTTP port) and "https") and exports
 * COREAPI_TEST_REDIRECT_HTTP_PORT, COREAPI_TEST_REDIRECT_HTTP2_PORT,
 * COREAPI_TEST_REDIRECT_HTTPS_PORT and COREAPI_TEST_CA. The host names
 * api.test, other.test, evil.test (and x.api.test, plain HTTP only) are mapped
 * to 127.0.0.1 with coreapi_client_add_resolve.
 *
 * Every case clears the server's request log, sends a request with a fresh
 * client configured for the case, reads the log back (with a separate client
 * that has no authentication) and checks every hop: which listener, method,
 * Host, path, whether Authorization / X-CSRFToken / X-Extra arrived, the Cookie
 * header, Origin, Referer and the body size. The rules checked are those of
 * include/coreapi/client.h.
 *
 * Every rule is checked as data, hop by hop and without a server, by the hop
 * suite (tests/suites/hops/, run by tests/unit/test_hops.c through the
 * planner). This test keeps the cases that prove the libcurl backend carries
 * the planner's decisions out on the wire: bodies resent or dropped, TLS and
 * the downgrade, the cookie jar attached only where cookies are allowed (and
 * the CSRF header from it), another port, relative Locations and the final
 * response's URL.
 *
 * With the argument "batch" (CTest integration.test_redirects_batch) every
 * case's request goes through a coreapi_batch of the case's client
 * (coreapi/batch.h) instead of coreapi_client_request, so every case holds
 * for the parallel path too. A request none of whose hops sets a cookie is
 * sent BATCH_COPIES times in one batch (the copies then cannot depend on
 * each other's order: they read the same cookie jar): each copy's response
 * must equal the first's, and the server's log must be BATCH_COPIES
 * interleaved copies of the one chain the case expects (checked, then
 * reduced to one copy for the case's checks).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "coreapi/batch.h"
#include "coreapi/coreapi.h"

/* Setup and harness plumbing that the rest cannot do without: stops the test
 * when false. Unlike REQUIRE it is not counted as a check when it holds, so
 * the summary counts only assertions about the library's behaviour. */
#define MUST(cond)                                                             \
  do {                                                                         \
    if (!(cond)) {                                                             \
      fprintf(stderr, "%s:%d: required: %s\n", __FILE__, __LINE__, #cond);     \
      exit(1);                                                                 \
    }                                                                          \
  } while (0)

/* ------------------------------------------------------------------------- */
/* Strings that live until the end of the test                                */

static char **arena;
static size_t arena_len, arena_cap;

static char *keep(char *s) {
  MUST(s != NULL);
  if (arena_len == arena_cap) {
    size_t cap = arena_cap ? arena_cap * 2 : 64;
    char **p = realloc(arena, cap * sizeof *p);
    MUST(p != NULL);
    arena = p;
    arena_cap = cap;
  }
  arena[arena_len++] = s;
  return s;
}

static void arena_free(void) {
  for (size_t i = 0; i < arena_len; i++) free(arena[i]);
  free(arena);
  arena = NULL;
  arena_len = arena_cap = 0;
}

#if defined(__GNUC__) || defined(__clang__)
__attribute__((format(printf, 1, 2)))
#endif
static const char *fmt(const char *f, ...) {
  va_list ap;
  va_start(ap, f);
  int n = vsnprintf(NULL, 0, f, ap);
  va_end(ap);
  MUST(n >= 0);
  char *s = malloc((size_t)n + 1);
  MUST(s != NULL);
  va_start(ap, f);
  vsnprintf(s, (size_t)n + 1, f, ap);
  va_end(ap);
  return keep(s);
}

/* ------------------------------------------------------------------------- */
/* Ports, hosts and URLs                                                       */

static int port_http, port_http2, port_https;
static const char *ca_file;

static int port_of(const char *kind) {
  if (strcmp(kind, "http") == 0) return port_http;
  if (strcmp(kind, "http2") == 0) return port_http2;
  if (strcmp(kind, "https") == 0) return port_https;
  MUST(!"unknown listener kind");
  return 0;
}

/* "api.test:PORT" for listener kind: the Host header the server records. */
static const char *hp(const char *kind, const char *host) {
  return fmt("%s:%d", host, port_of(kind));
}

/* "http://api.test:PORT" (no trailing slash). */
static const char *base(const char *kind, const char *host) {
  return fmt("%s://%s:%d", strcmp(kind, "https") == 0 ? "https" : "http", host, port_of(kind));
}

/* base + path. */
static const char *url(const char *kind, const char *host, const char *path) {
  return fmt("%s%s", base(kind, host), path);
}

/* Percent-encode everything but RFC 3986 unreserved characters. */
static const char *pct(const char *s) {
  static const char hex[] = "0123456789ABCDEF";
  size_t n = strlen(s);
  char *out = malloc(3 * n + 1);
  MUST(out != NULL);
  char *o = out;
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
        *p == '-' || *p == '.' || *p == '_' || *p == '~') {
      *o++ = (char)*p;
    } else {
      *o++ = '%';
      *o++ = hex[*p >> 4];
      *o++ = hex[*p & 15];
    }
  }
  *o = '\0';
  return keep(out);
}

/* The path of /redirect answering code with Location: to (verbatim). */
static const char *rpath(int code, const char *to) {
  return fmt("/redirect?code=%d&to=%s", code, pct(to));
}

/* base_url + rpath(code, to). */
static const char *redir(const char *base_url, int code, const char *to) {
  return fmt("%s%s", base_url, rpath(code, to));
}

/* A chain of redirects: bases[0] redirects (with code) to bases[1], which
 * redirects to bases[2], ..., the last of which redirects to final_url.
 * Returns the first URL. The request path of hop i (1-based) is then
 * path_of(chain_hop(...)); chain_hop returns the URL of hop i. */
static const char *chain_hop(int code, const char *final_url, size_t n,
                             const char *const *bases, size_t hop) {
  const char *s = final_url;
  for (size_t i = n; i-- > hop - 1;) s = redir(bases[i], code, s);
  return s;
}

static const char *chain(int code, const char *final_url, size_t n, const char *const *bases) {
  return chain_hop(code, final_url, n, bases, 1);
}

/* The path (and query) of an absolute URL: what the server records. */
static const char *path_of(const char *u) {
  const char *p = strstr(u, "://");
  MUST(p != NULL);
  p = strchr(p + 3, '/');
  MUST(p != NULL);
  return p;
}

/* ------------------------------------------------------------------------- */
/* Clients                                                                     */

static const char *const HOSTS[] = {"api.test", "other.test", "evil.test", "x.api.test"};

static coreapi_client *new_client(void) {
  coreapi_error err;
  coreapi_error_clear(&err);
  coreapi_client *c = coreapi_client_new(&err);
  if (!c) fprintf(stderr, "coreapi_client_new: %s\n", err.text);
  MUST(c != NULL);
  const char *kinds[] = {"http", "http2", "https"};
  for (size_t h = 0; h < sizeof HOSTS / sizeof HOSTS[0]; h++)
    for (size_t k = 0; k < 3; k++)
      MUST(coreapi_client_add_resolve(c, fmt("%s:%d:127.0.0.1", HOSTS[h], port_of(kinds[k])),
                                         &err) == COREAPI_OK);
  MUST(coreapi_client_set_ca_bundle(c, ca_file, &err) == COREAPI_OK);
  /* Bounded, so that a hang (a HEAD waiting for a body, say) fails the test
   * instead of stalling it. */
  MUST(coreapi_client_set_timeout_ms(c, 15000, &err) == COREAPI_OK);
  return c;
}

/* A fresh client with auth added; the caller's reference to auth is released
 * (the client keeps its own). auth NULL: no authentication. */
static coreapi_client *client_with(coreapi_auth *auth) {
  coreapi_client *c = new_client();
  if (auth) {
    coreapi_error err;
    coreapi_error_clear(&err);
    MUST(coreapi_client_add_auth(c, auth, &err) == COREAPI_OK);
    coreapi_auth_free(auth);
  }
  return c;
}

static coreapi_auth *token(const char *domain) {
  coreapi_error err;
  coreapi_error_clear(&err);
  coreapi_auth *a = coreapi_auth_token_new("s3cr3t-token", "Token", domain, &err);
  if (!a) fprintf(stderr, "coreapi_auth_token_new(%s): %s\n", domain ? domain : "NULL", err.text);
  MUST(a != NULL);
  return a;
}

static coreapi_auth *session(const char *domain) {
  coreapi_error err;
  coreapi_error_clear(&err);
  coreapi_auth *a = coreapi_auth_session_new("csrftoken", "X-CSRFToken", domain, &err);
  if (!a) fprintf(stderr, "coreapi_auth_session_new(%s): %s\n", domain ? domain : "NULL", err.text);
  MUST(a != NULL);
  return a;
}

/* ------------------------------------------------------------------------- */
/* Batch mode                                                                  */

static int batch_mode;          /* argv[1] == "batch" */
static size_t batch_copies = 1; /* copies of the last request sent, per batch */
#define BATCH_COPIES 3

typedef struct batch_seen {
  size_t calls[BATCH_COPIES];
  size_t bad; /* calls with an unknown index, or resp and err disagreeing */
} batch_seen;

static void on_batch_done(void *userdata, coreapi_batch *b, size_t index,
                          const coreapi_response *resp, const coreapi_error *err) {
  batch_seen *seen = userdata;
  (void)b;
  if (index >= BATCH_COPIES || err == NULL || (resp != NULL) != (err->code == COREAPI_OK))
    seen->bad++;
  else
    seen->calls[index]++;
}

/* Copy i (i > 0) must have had the same response as copy 0. */
static void same_response(const char *where, const coreapi_response *r0,
                          const coreapi_response *ri, size_t i) {
  size_t l0 = 0, li = 0;
  const char *b0 = coreapi_response_body(r0, &l0), *bi = coreapi_response_body(ri, &li);
  int before = check_failures;
  CHECK_INT(coreapi_response_status(ri), coreapi_response_status(r0));
  CHECK_STR(coreapi_response_url(ri), coreapi_response_url(r0));
  CHECK_INT(coreapi_response_redirects(ri), coreapi_response_redirects(r0));
  CHECK(li == l0 && (l0 == 0 || memcmp(b0, bi, l0) == 0));
  if (check_failures != before) fprintf(stderr, "  ^ %s: batch copy %zu differs\n", where, i);
}

/* As send_body, through a batch of c that holds BATCH_COPIES copies of the
 * request, or one when a hop of it sets a cookie (the copies would then
 * depend on each other's order); returns copy 0's response. */
static coreapi_response *send_batch(coreapi_client *c, const char *method, const char *u,
                                    const void *body, size_t len, const char *where) {
  batch_copies = strstr(u, "set-cookie") != NULL ? 1 : BATCH_COPIES;
  coreapi_error err;
  coreapi_error_clear(&err);
  coreapi_request *req = coreapi_request_new(method, u, &err);
  MUST(req != NULL);
  if (body) {
    MUST(coreapi_request_set_body(req, body, len, &err) == COREAPI_OK);
    MUST(coreapi_request_set_header(req, "Content-Type", "application/octet-stream", &err) ==
         COREAPI_OK);
  }
  coreapi_batch *b = coreapi_batch_new(c, &err);
  MUST(b != NULL);
  batch_seen seen;
  memset(&seen, 0, sizeof seen);
  MUST(coreapi_batch_set_done(b, on_batch_done, &seen, &err) == COREAPI_OK);
  for (size_t i = 0; i < batch_copies; i++) {
    size_t index = 99;
    MUST(coreapi_batch_add(b, req, NULL, NULL, &index, &err) == COREAPI_OK);
    CHECK_INT(index, i);
  }
  CHECK_INT(coreapi_batch_run(b, &err), COREAPI_OK);
  CHECK_INT(coreapi_batch_pending(b), 0);
  CHECK_INT(coreapi_batch_count(b), batch_copies);
  CHECK_INT(seen.bad, 0);
  coreapi_response *first = NULL;
  for (size_t i = 0; i < batch_copies; i++) {
    CHECK_INT(seen.calls[i], 1);
    const coreapi_error *e = coreapi_batch_error(b, i);
    CHECK(e != NULL && e->code == COREAPI_OK);
    if (e && e->code != COREAPI_OK)
      fprintf(stderr, "  ^ %s: %s %s (batch copy %zu) failed: %s (%s)\n", where, method, u, i,
              coreapi_code_name(e->code), e->text);
    coreapi_response *r = coreapi_batch_take(b, i, &err);
    CHECK(r != NULL);
    if (i == 0)
      first = r;
    else if (r && first)
      same_response(where, first, r, i);
    if (i > 0) coreapi_response_free(r);
  }
  coreapi_batch_free(b);
  coreapi_request_free(req);
  return first;
}

/* Send a request; on failure report and return NULL. body NULL: none. */
static coreapi_response *send_body(coreapi_client *c, const char *method, const char *u,
                                   const void *body, size_t len, const char *where) {
  if (batch_mode) return send_batch(c, method, u, body, len, where);
  coreapi_error err;
  coreapi_error_clear(&err);
  coreapi_response *resp = NULL;
  coreapi_code rc = coreapi_client_request(c, method, u, body ? "application/octet-stream" : NULL,
                                           body, len, &resp, &err);
  CHECK_INT(rc, COREAPI_OK);
  if (rc != COREAPI_OK) {
    fprintf(stderr, "  ^ %s: %s %s failed: %s (%s)\n", where, method, u, coreapi_code_name(rc),
            err.text);
    CHECK(resp == NULL);
    return NULL;
  }
  CHECK(resp != NULL);
  return resp;
}

static coreapi_response *send_get(coreapi_client *c, const char *method, const char *u,
                              const char *where) {
  return send_body(c, method, u, NULL, 0, where);
}

/* Check the final response: status, URL, number of redirects followed. */
static void expect_resp_(const char *where, const coreapi_response *r, long status,
                         const char *final_url, unsigned redirects, int line) {
  int before = check_failures;
  CHECK(r != NULL);
  if (r) {
    CHECK_INT(coreapi_response_status(r), status);
    CHECK_STR(coreapi_response_url(r), final_url);
    CHECK_INT(coreapi_response_redirects(r), redirects);
  }
  if (check_failures != before) fprintf(stderr, "  ^ %s: final response (test line %d)\n", where, line);
}
#define EXPECT_RESP(where, r, status, final_url, redirects) \
  expect_resp_(where, r, status, final_url, redirects, __LINE__)

/* ------------------------------------------------------------------------- */
/* The server's request log                                                    */

typedef struct hop {
  char *line; /* the whole line, for messages */
  char *kind, *method, *host, *path, *cookie, *origin, *referer;
  int auth, csrf, extra;
  long body;
} hop;

#define MAX_HOPS 32

typedef struct req_log {
  hop hops[MAX_HOPS];
  size_t n;
  char *text; /* the fields point into it */
} req_log;

static coreapi_client *log_client;

static const char *log_url(const char *path) {
  return fmt("http://127.0.0.1:%d%s", port_http, path);
}

static void log_clear(void) {
  coreapi_error err;
  coreapi_error_clear(&err);
  coreapi_response *r = NULL;
  coreapi_code rc =
      coreapi_client_request(log_client, "GET", log_url("/__clear"), NULL, NULL, 0, &r, &err);
  if (rc != COREAPI_OK) fprintf(stderr, "GET /__clear: %s\n", err.text);
  MUST(rc == COREAPI_OK);
  MUST(coreapi_response_status(r) == 200);
  coreapi_response_free(r);
}

/* Split off the next space-separated field of *s. */
static char *next_field(char **s) {
  char *f = *s;
  if (!f) return NULL;
  char *sp = strchr(f, ' ');
  if (sp) {
    *sp = '\0';
    *s = sp + 1;
  } else {
    *s = NULL;
  }
  return f;
}

static char *after_prefix(char *field, const char *prefix) {
  size_t n = strlen(prefix);
  MUST(field != NULL && strncmp(field, prefix, n) == 0);
  return field + n;
}

static int flag(char *field, const char *prefix) {
  char *v = after_prefix(field, prefix);
  MUST(strcmp(v, "0") == 0 || strcmp(v, "1") == 0);
  return v[0] == '1';
}

static void dump_log(const char *where, const req_log *lg);

/* Batch mode: lg holds batch_copies interleaved copies of one chain. Check
 * that it is exactly that and keep one copy. The hops of one chain differ
 * from each other in every case here (their paths do), so the chain is the
 * order in which distinct lines first appear. */
static void log_collapse(req_log *lg) {
  hop one[MAX_HOPS];
  size_t n = 0, pos[BATCH_COPIES] = {0};
  for (size_t i = 0; i < lg->n; i++) {
    size_t j = 0;
    while (j < n && strcmp(one[j].line, lg->hops[i].line) != 0) j++;
    if (j == n) one[n++] = lg->hops[i];
  }
  int ok = n * batch_copies == lg->n;
  for (size_t i = 0; ok && i < lg->n; i++) {
    size_t k = 0;
    while (k < batch_copies && !(pos[k] < n && strcmp(one[pos[k]].line, lg->hops[i].line) == 0))
      k++;
    if (k == batch_copies) ok = 0;
    else pos[k]++;
  }
  check_count++;
  if (!ok) {
    check_failures++;
    fprintf(stderr, "%s:%d: the log is not %zu copies of one chain\n", __FILE__, __LINE__,
            batch_copies);
    dump_log("the batch", lg);
    return;
  }
  memcpy(lg->hops, one, n * sizeof one[0]);
  lg->n = n;
}

static void log_read(req_log *lg) {
  memset(lg, 0, sizeof *lg);
  coreapi_error err;
  coreapi_error_clear(&err);
  coreapi_response *r = NULL;
  coreapi_code rc =
      coreapi_client_request(log_client, "GET", log_url("/__log"), NULL, NULL, 0, &r, &err);
  if (rc != COREAPI_OK) fprintf(stderr, "GET /__log: %s\n", err.text);
  MUST(rc == COREAPI_OK);
  MUST(coreapi_response_status(r) == 200);
  size_t len = 0;
  const char *body = coreapi_response_body(r, &len);
  /* Two copies: one cut into fields, one cut into whole lines. */
  lg->text = malloc(2 * len + 2);
  MUST(lg->text != NULL);
  memcpy(lg->text, body, len);
  lg->text[len] = '\0';
  memcpy(lg->text + len + 1, body, len);
  lg->text[2 * len + 1] = '\0';
  coreapi_response_free(r);

  char *p = lg->text, *q = lg->text + len + 1;
  while (*p) {
    char *nl = strchr(p, '\n');
    MUST(nl != NULL);
    *nl = '\0';
    char *qnl = strchr(q, '\n');
    *qnl = '\0';
    MUST(lg->n < MAX_HOPS);
    hop *h = &lg->hops[lg->n++];
    h->line = q;
    char *s = p;
    h->kind = next_field(&s);
    h->method = next_field(&s);
    h->host = next_field(&s);
    h->path = next_field(&s);
    h->auth = flag(next_field(&s), "auth=");
    h->csrf = flag(next_field(&s), "csrf=");
    h->cookie = after_prefix(next_field(&s), "cookie=");
    h->extra = flag(next_field(&s), "extra=");
    h->origin = after_prefix(next_field(&s), "origin=");
    h->referer = after_prefix(next_field(&s), "referer=");
    h->body = strtol(after_prefix(next_field(&s), "body="), NULL, 10);
    MUST(s == NULL);
    p = nl + 1;
    q = qnl + 1;
  }
  if (batch_mode && batch_copies > 1) log_collapse(lg);
}

static void log_free(req_log *lg) {
  free(lg->text);
  lg->text = NULL;
  lg->n = 0;
}

static void dump_log(const char *where, const req_log *lg) {
  fprintf(stderr, "  server log for %s (%zu requests):\n", where, lg->n);
  for (size_t i = 0; i < lg->n; i++) fprintf(stderr, "    %zu: %s\n", i + 1, lg->hops[i].line);
}

/* What one hop must look like. Unset strings mean "absent" ("-" in the log)
 * for cookie, origin and referer; path NULL is not checked. */
typedef struct hop_expect {
  const char *kind;    /* "http", "http2", "https" */
  const char *method;  /* "GET" ... */
  const char *host;    /* the Host header: hp(kind, "api.test") */
  const char *path;    /* the request target, NULL: not checked */
  int auth, csrf, extra;
  const char *cookie;  /* the Cookie header without spaces; NULL: none */
  const char *origin;  /* NULL: none */
  const char *referer_prefix; /* the Referer starts with this; NULL: none */
  long body;
} hop_expect;

static void expect_hop_(const char *where, const req_log *lg, size_t n, hop_expect e, int line) {
  int before = check_failures;
  CHECK(n >= 1 && n <= lg->n);
  if (n >= 1 && n <= lg->n) {
    const hop *h = &lg->hops[n - 1];
    CHECK_STR(h->kind, e.kind);
    CHECK_STR(h->method, e.method);
    CHECK_STR(h->host, e.host);
    if (e.path) CHECK_STR(h->path, e.path);
    CHECK_INT(h->auth, e.auth);
    CHECK_INT(h->csrf, e.csrf);
    CHECK_INT(h->extra, e.extra);
    CHECK_STR(h->cookie, e.cookie ? e.cookie : "-");
    CHECK_STR(h->origin, e.origin ? e.origin : "-");
    if (e.referer_prefix)
      CHECK(strncmp(h->referer, e.referer_prefix, strlen(e.referer_prefix)) == 0);
    else
      CHECK_STR(h->referer, "-");
    CHECK_INT(h->body, e.body);
  }
  if (check_failures != before) {
    fprintf(stderr, "  ^ %s: hop %zu (test line %d)\n", where, n, line);
    dump_log(where, lg);
  }
}
#define EXPECT_HOP(where, lg, n, ...) expect_hop_(where, lg, n, (hop_expect){__VA_ARGS__}, __LINE__)

static void expect_hops_(const char *where, const req_log *lg, size_t n, int line) {
  if (lg->n != n) {
    check_count++;
    check_failures++;
    fprintf(stderr, "%s:%d: %s: %zu requests reached the server, expected %zu\n", __FILE__,
            line, where, lg->n, n);
    dump_log(where, lg);
  } else {
    check_count++;
  }
}
#define EXPECT_HOPS(where, lg, n) expect_hops_(where, lg, n, __LINE__)

/* ------------------------------------------------------------------------- */
/* 1. Method and body rewriting; Token for "api.test" on a cross-host hop      */

static unsigned char big_body[100000];

static void case_methods(void) {
  static const struct {
    int code;
    const char *method, *then; /* method of hop 1, expected method of hop 2 */
    int has_body, body_kept;
  } t[] = {
      {302, "GET", "GET", 0, 0},   {301, "GET", "GET", 0, 0},   {303, "GET", "GET", 0, 0},
      {307, "GET", "GET", 0, 0},   {308, "GET", "GET", 0, 0},   {307, "POST", "POST", 1, 1},
      {308, "POST", "POST", 1, 1}, {301, "POST", "GET", 1, 0},  {302, "POST", "GET", 1, 0},
      {303, "POST", "GET", 1, 0},  {302, "PUT", "PUT", 1, 1},   {303, "PUT", "GET", 1, 0},
      {307, "PUT", "PUT", 1, 1},   {303, "HEAD", "HEAD", 0, 0}, {307, "DELETE", "DELETE", 0, 0},
      {303, "DELETE", "GET", 0, 0},
  };
  for (size_t i = 0; i < sizeof big_body; i++) big_body[i] = (unsigned char)('a' + i % 26);

  for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
    const char *where = fmt("case 1: Token api.test, %s %d -> other.test", t[i].method, t[i].code);
    const char *target = url("http", "other.test", "/x");
    const char *first = redir(base("http", "api.test"), t[i].code, target);
    coreapi_client *c = client_with(token("api.test"));
    log_clear();
    coreapi_response *r = send_body(c, t[i].method, first, t[i].has_body ? big_body : NULL,
                                    t[i].has_body ? sizeof big_body : 0, where);
    req_log lg;
    log_read(&lg);
    EXPECT_RESP(where, r, 200, target, 1);
    EXPECT_HOPS(where, &lg, 2);
    EXPECT_HOP(where, &lg, 1, .kind = "http", .method = t[i].method, .host = hp("http", "api.test"),
               .path = path_of(first), .auth = 1, .body = t[i].has_body ? (long)sizeof big_body : 0);
    EXPECT_HOP(where, &lg, 2, .kind = "http", .method = t[i].then,
               .host = hp("http", "other.test"), .path = "/x", .auth = 0,
               .body = t[i].body_kept ? (long)sizeof big_body : 0);
    if (r && strcmp(t[i].method, "HEAD") == 0) {
      size_t len = 1;
      coreapi_response_body(r, &len);
      CHECK_INT(len, 0);
    }
    coreapi_response_free(r);
    log_free(&lg);
    coreapi_client_free(c);
  }

  /* Control: 307 POST within api.test keeps Authorization and the body. */
  {
    const char *where = "case 1: Token api.test, POST 307 -> same host";
    const char *first = redir(base("http", "api.test"), 307, "/x");
    coreapi_client *c = client_with(token("api.test"));
    log_clear();
    coreapi_response *r = send_body(c, "POST", first, big_body, sizeof big_body, where);
    req_log lg;
    log_read(&lg);
    EXPECT_RESP(where, r, 200, url("http", "api.test", "/x"), 1);
    EXPECT_HOPS(where, &lg, 2);
    EXPECT_HOP(where, &lg, 1, .kind = "http", .method = "POST", .host = hp("http", "api.test"),
               .path = path_of(first), .auth = 1, .body = (long)sizeof big_body);
    EXPECT_HOP(where, &lg, 2, .kind = "http", .method = "POST", .host = hp("http", "api.test"),
               .path = "/x", .auth = 1, .body = (long)sizeof big_body);
    coreapi_response_free(r);
    log_free(&lg);
    coreapi_client_free(c);
  }
}

/* ------------------------------------------------------------------------- */
/* Generic: one GET through a chain, auth flags per hop                        */

/* Send method to first with client c and check that the hops went to the
 * listed (kind, host, path) with the listed auth flags, and that the response
 * is 200 from the last hop. */
typedef struct simple_hop {
  const char *kind, *host, *path;
  int auth;
} simple_hop;

static void run_simple(const char *where, coreapi_client *c, const char *first, size_t n,
                       const simple_hop *hops) {
  log_clear();
  coreapi_response *r = send_get(c, "GET", first, where);
  req_log lg;
  log_read(&lg);
  const simple_hop *last = &hops[n - 1];
  EXPECT_RESP(where, r, 200, url(last->kind, last->host, last->path), (unsigned)(n - 1));
  EXPECT_HOPS(where, &lg, n);
  for (size_t i = 0; i < n; i++)
    EXPECT_HOP(where, &lg, i + 1, .kind = hops[i].kind, .method = "GET",
               .host = hp(hops[i].kind, hops[i].host), .path = hops[i].path,
               .auth = hops[i].auth);
  coreapi_response_free(r);
  log_free(&lg);
}

/* ------------------------------------------------------------------------- */
/* 3. https -> http downgrade                                                  */

static void case_downgrade(void) {
  const char *domains[] = {"api.test", "*.test", NULL};
  for (size_t d = 0; d < 3; d++) {
    const char *dn = domains[d] ? domains[d] : "*";
    coreapi_client *c = client_with(token(domains[d]));
    {
      const char *first = redir(base("https", "api.test"), 302, url("http", "api.test", "/x"));
      simple_hop h[] = {{"https", "api.test", path_of(first), 1}, {"http", "api.test", "/x", 0}};
      run_simple(fmt("case 3: Token %s, https api.test -> http api.test", dn), c, first, 2, h);
    }
    /* And once downgraded, going back to https does not bring it back. */
    {
      const char *bases[] = {base("https", "api.test"), base("http", "api.test")};
      const char *final = url("https", "api.test", "/x");
      const char *first = chain(302, final, 2, bases);
      simple_hop h[] = {{"https", "api.test", path_of(first), 1},
                        {"http", "api.test", path_of(chain_hop(302, final, 2, bases, 2)), 0},
                        {"https", "api.test", "/x", 0}};
      run_simple(fmt("case 3: Token %s, https -> http -> https api.test", dn), c, first, 3, h);
    }
    coreapi_client_free(c);
  }
}

/* ------------------------------------------------------------------------- */
/* 6. Session authentication: CSRF header and cookies                          */

/* One request with a Session client; returns the log (caller frees). */
static coreapi_response *session_req(coreapi_client *c, const char *method, const char *u,
                                     const char *body, req_log *lg, const char *where) {
  log_clear();
  coreapi_response *r = send_body(c, method, u, body, body ? strlen(body) : 0, where);
  log_read(lg);
  return r;
}

static void case_session(void) {
  const char *ck = "csrftoken=abc123";
  coreapi_client *c = client_with(session("api.test"));
  req_log lg;
  coreapi_response *r;
  const char *where;

  where = "case 6: Session api.test, GET /set-cookie";
  const char *set = url("http", "api.test", "/set-cookie?name=csrftoken&value=abc123");
  r = session_req(c, "GET", set, NULL, &lg, where);
  EXPECT_RESP(where, r, 200, set, 0);
  if (r) CHECK_STR(coreapi_response_cookie(r, "csrftoken"), "abc123");
  EXPECT_HOPS(where, &lg, 1);
  EXPECT_HOP(where, &lg, 1, .kind = "http", .method = "GET", .host = hp("http", "api.test"),
             .path = path_of(set));
  coreapi_response_free(r);
  log_free(&lg);

  where = "case 6: Session api.test, POST 307 api.test -> other.test";
  const char *target = url("http", "other.test", "/x");
  const char *first = redir(base("http", "api.test"), 307, target);
  r = session_req(c, "POST", first, "{}", &lg, where);
  EXPECT_RESP(where, r, 200, target, 1);
  EXPECT_HOPS(where, &lg, 2);
  EXPECT_HOP(where, &lg, 1, .kind = "http", .method = "POST", .host = hp("http", "api.test"),
             .path = path_of(first), .csrf = 1, .cookie = ck, .body = 2);
  EXPECT_HOP(where, &lg, 2, .kind = "http", .method = "POST", .host = hp("http", "other.test"),
             .path = "/x", .body = 2);
  coreapi_response_free(r);
  log_free(&lg);

  where = "case 6: Session api.test, GET (safe) api.test";
  r = session_req(c, "GET", url("http", "api.test", "/safe"), NULL, &lg, where);
  EXPECT_RESP(where, r, 200, url("http", "api.test", "/safe"), 0);
  EXPECT_HOPS(where, &lg, 1);
  EXPECT_HOP(where, &lg, 1, .kind = "http", .method = "GET", .host = hp("http", "api.test"),
             .path = "/safe", .csrf = 0, .cookie = ck);
  coreapi_response_free(r);
  log_free(&lg);

  where = "case 6: Session api.test, POST 307 within api.test";
  first = redir(base("http", "api.test"), 307, "/x");
  r = session_req(c, "POST", first, "{}", &lg, where);
  EXPECT_RESP(where, r, 200, url("http", "api.test", "/x"), 1);
  EXPECT_HOPS(where, &lg, 2);
  EXPECT_HOP(where, &lg, 1, .kind = "http", .method = "POST", .host = hp("http", "api.test"),
             .path = path_of(first), .csrf = 1, .cookie = ck, .body = 2);
  EXPECT_HOP(where, &lg, 2, .kind = "http", .method = "POST", .host = hp("http", "api.test"),
             .path = "/x", .csrf = 1, .cookie = ck, .body = 2);
  coreapi_response_free(r);
  log_free(&lg);

  where = "case 6: Session api.test, POST 303 within api.test (becomes GET)";
  first = redir(base("http", "api.test"), 303, "/x");
  r = session_req(c, "POST", first, "{}", &lg, where);
  EXPECT_RESP(where, r, 200, url("http", "api.test", "/x"), 1);
  EXPECT_HOPS(where, &lg, 2);
  EXPECT_HOP(where, &lg, 1, .kind = "http", .method = "POST", .host = hp("http", "api.test"),
             .path = path_of(first), .csrf = 1, .cookie = ck, .body = 2);
  EXPECT_HOP(where, &lg, 2, .kind = "http", .method = "GET", .host = hp("http", "api.test"),
             .path = "/x", .csrf = 0, .cookie = ck, .body = 0);
  coreapi_response_free(r);
  log_free(&lg);

  where = "case 6: Session api.test, POST 307 api.test -> evil.test -> api.test";
  {
    const char *bases[] = {base("http", "api.test"), base("http", "evil.test")};
    const char *final = url("http", "api.test", "/back");
    first = chain(307, final, 2, bases);
    r = session_req(c, "POST", first, "{}", &lg, where);
    EXPECT_RESP(where, r, 200, final, 2);
    EXPECT_HOPS(where, &lg, 3);
    EXPECT_HOP(where, &lg, 1, .kind = "http", .method = "POST", .host = hp("http", "api.test"),
               .path = path_of(first), .csrf = 1, .cookie = ck, .body = 2);
    EXPECT_HOP(where, &lg, 2, .kind = "http", .method = "POST", .host = hp("http", "evil.test"),
               .path = path_of(chain_hop(307, final, 2, bases, 2)), .body = 2);
    EXPECT_HOP(where, &lg, 3, .kind = "http", .method = "POST", .host = hp("http", "api.test"),
               .path = "/back", .body = 2);
    coreapi_response_free(r);
    log_free(&lg);
  }

  /* Over https an unsafe request in scope also carries Origin and Referer for
   * its own origin; neither follows it to another host. The cookie was set
   * over http without Secure, so it is sent over https as well. */
  where = "case 6: Session api.test, https POST 307 api.test -> other.test";
  target = url("https", "other.test", "/x");
  first = redir(base("https", "api.test"), 307, target);
  r = session_req(c, "POST", first, "{}", &lg, where);
  EXPECT_RESP(where, r, 200, target, 1);
  EXPECT_HOPS(where, &lg, 2);
  EXPECT_HOP(where, &lg, 1, .kind = "https", .method = "POST", .host = hp("https", "api.test"),
             .path = path_of(first), .csrf = 1, .cookie = ck, .origin = base("https", "api.test"),
             .referer_prefix = fmt("%s/", base("https", "api.test")), .body = 2);
  EXPECT_HOP(where, &lg, 2, .kind = "https", .method = "POST", .host = hp("https", "other.test"),
             .path = "/x", .body = 2);
  coreapi_response_free(r);
  log_free(&lg);

  /* https -> http on the same host: nothing of the session after a downgrade. */
  where = "case 6: Session api.test, https POST 307 -> http api.test";
  target = url("http", "api.test", "/x");
  first = redir(base("https", "api.test"), 307, target);
  r = session_req(c, "POST", first, "{}", &lg, where);
  EXPECT_RESP(where, r, 200, target, 1);
  EXPECT_HOPS(where, &lg, 2);
  EXPECT_HOP(where, &lg, 1, .kind = "https", .method = "POST", .host = hp("https", "api.test"),
             .path = path_of(first), .csrf = 1, .cookie = ck, .origin = base("https", "api.test"),
             .referer_prefix = fmt("%s/", base("https", "api.test")), .body = 2);
  EXPECT_HOP(where, &lg, 2, .kind = "http", .method = "POST", .host = hp("http", "api.test"),
             .path = "/x", .body = 2);
  coreapi_response_free(r);
  log_free(&lg);
  coreapi_client_free(c);

  /* Responses outside the scope neither store cookies nor teach a CSRF token. */
  c = client_with(session("api.test"));
  where = "case 6: Session api.test, api.test -> other.test/set-cookie (out of scope)";
  target = url("http", "other.test", "/set-cookie?name=csrftoken&value=evil1");
  first = redir(base("http", "api.test"), 302, target);
  r = session_req(c, "GET", first, NULL, &lg, where);
  EXPECT_RESP(where, r, 200, target, 1);
  EXPECT_HOPS(where, &lg, 2);
  coreapi_response_free(r);
  log_free(&lg);
  where = "case 6: Session api.test, GET other.test/set-cookie (out of scope)";
  target = url("http", "other.test", "/set-cookie?name=csrftoken&value=evil2");
  r = session_req(c, "GET", target, NULL, &lg, where);
  EXPECT_RESP(where, r, 200, target, 0);
  coreapi_response_free(r);
  log_free(&lg);
  where = "case 6: Session api.test, POST api.test after out-of-scope cookies";
  r = session_req(c, "POST", url("http", "api.test", "/x"), "{}", &lg, where);
  EXPECT_RESP(where, r, 200, url("http", "api.test", "/x"), 0);
  EXPECT_HOPS(where, &lg, 1);
  EXPECT_HOP(where, &lg, 1, .kind = "http", .method = "POST", .host = hp("http", "api.test"),
             .path = "/x", .csrf = 0, .body = 2);
  coreapi_response_free(r);
  log_free(&lg);
  coreapi_client_free(c);

  /* Session "*": the scope is the first request's origin, port included,
   * although cookies themselves ignore ports. */
  c = client_with(session(NULL));
  where = "case 6: Session *, GET api.test:HTTP/set-cookie";
  set = url("http", "api.test", "/set-cookie?name=sid&value=s1");
  r = session_req(c, "GET", set, NULL, &lg, where);
  EXPECT_RESP(where, r, 200, set, 0);
  coreapi_response_free(r);
  log_free(&lg);

  where = "case 6: Session *, api.test:HTTP -> api.test:HTTP2";
  target = url("http2", "api.test", "/x");
  first = redir(base("http", "api.test"), 302, target);
  r = session_req(c, "GET", first, NULL, &lg, where);
  EXPECT_RESP(where, r, 200, target, 1);
  EXPECT_HOPS(where, &lg, 2);
  EXPECT_HOP(where, &lg, 1, .kind = "http", .method = "GET", .host = hp("http", "api.test"),
             .path = path_of(first), .cookie = "sid=s1");
  EXPECT_HOP(where, &lg, 2, .kind = "http2", .method = "GET", .host = hp("http2", "api.test"),
             .path = "/x");
  coreapi_response_free(r);
  log_free(&lg);

  where = "case 6: Session *, api.test:HTTP -> api.test:HTTP2/set-cookie (out of scope)";
  target = url("http2", "api.test", "/set-cookie?name=leak&value=1");
  first = redir(base("http", "api.test"), 302, target);
  r = session_req(c, "GET", first, NULL, &lg, where);
  EXPECT_RESP(where, r, 200, target, 1);
  if (r) CHECK_STR(coreapi_response_cookie(r, "leak"), "1");
  coreapi_response_free(r);
  log_free(&lg);

  where = "case 6: Session *, GET api.test:HTTP after the out-of-scope Set-Cookie";
  r = session_req(c, "GET", url("http", "api.test", "/y"), NULL, &lg, where);
  EXPECT_HOPS(where, &lg, 1);
  EXPECT_HOP(where, &lg, 1, .kind = "http", .method = "GET", .host = hp("http", "api.test"),
             .path = "/y", .cookie = "sid=s1");
  coreapi_response_free(r);
  log_free(&lg);

  where = "case 6: Session *, first request to api.test:HTTP2 (in scope: its own origin)";
  r = session_req(c, "GET", url("http2", "api.test", "/z"), NULL, &lg, where);
  EXPECT_HOPS(where, &lg, 1);
  EXPECT_HOP(where, &lg, 1, .kind = "http2", .method = "GET", .host = hp("http2", "api.test"),
             .path = "/z", .cookie = "sid=s1");
  coreapi_response_free(r);
  log_free(&lg);
  coreapi_client_free(c);
}

/* ------------------------------------------------------------------------- */
/* 7. No cookies without an authentication that allows them                     */

static void case_no_cookies(void) {
  for (int with_token = 1; with_token >= 0; with_token--) {
    coreapi_client *c = client_with(with_token ? token("api.test") : NULL);
    const char *who = with_token ? "Token api.test" : "no auth";
    req_log lg;
    const char *where = fmt("case 7: %s, GET /set-cookie", who);
    const char *set = url("http", "api.test", "/set-cookie?name=sid&value=s1");
    coreapi_response *r = session_req(c, "GET", set, NULL, &lg, where);
    EXPECT_RESP(where, r, 200, set, 0);
    /* The response still reports what it set. */
    if (r) CHECK_STR(coreapi_response_cookie(r, "sid"), "s1");
    EXPECT_HOPS(where, &lg, 1);
    EXPECT_HOP(where, &lg, 1, .kind = "http", .method = "GET", .host = hp("http", "api.test"),
               .path = path_of(set), .auth = with_token);
    coreapi_response_free(r);
    log_free(&lg);

    where = fmt("case 7: %s, next GET api.test", who);
    r = session_req(c, "GET", url("http", "api.test", "/x"), NULL, &lg, where);
    EXPECT_HOPS(where, &lg, 1);
    EXPECT_HOP(where, &lg, 1, .kind = "http", .method = "GET", .host = hp("http", "api.test"),
               .path = "/x", .auth = with_token, .cookie = NULL);
    coreapi_response_free(r);
    log_free(&lg);

    where = fmt("case 7: %s, /set-cookie then a same-host redirect", who);
    set = url("http", "api.test", "/set-cookie?name=sid2&value=s2");
    const char *first = redir(base("http", "api.test"), 302, set);
    r = session_req(c, "GET", first, NULL, &lg, where);
    EXPECT_RESP(where, r, 200, set, 1);
    EXPECT_HOPS(where, &lg, 2);
    EXPECT_HOP(where, &lg, 2, .kind = "http", .method = "GET", .host = hp("http", "api.test"),
               .path = path_of(set), .auth = with_token);
    coreapi_response_free(r);
    log_free(&lg);
    r = session_req(c, "GET", url("http", "api.test", "/y"), NULL, &lg, where);
    EXPECT_HOPS(where, &lg, 1);
    EXPECT_HOP(where, &lg, 1, .kind = "http", .method = "GET", .host = hp("http", "api.test"),
               .path = "/y", .auth = with_token);
    coreapi_response_free(r);
    log_free(&lg);
    coreapi_client_free(c);
  }
}

/* ------------------------------------------------------------------------- */
/* 11. Relative Location, response URL and redirect count                      */

static void case_relative(void) {
  coreapi_client *c = client_with(token("api.test"));
  const char *api = base("http", "api.test");
  {
    const char *first = redir(api, 302, "/x");
    simple_hop h[] = {{"http", "api.test", path_of(first), 1}, {"http", "api.test", "/x", 1}};
    run_simple("case 11: Location /x", c, first, 2, h);
  }
  {
    const char *first = redir(api, 302, "x");
    simple_hop h[] = {{"http", "api.test", path_of(first), 1}, {"http", "api.test", "/x", 1}};
    run_simple("case 11: Location x", c, first, 2, h);
  }
  {
    const char *first = redir(api, 302, "/a/../b/./c?q=1");
    simple_hop h[] = {{"http", "api.test", path_of(first), 1},
                      {"http", "api.test", "/b/c?q=1", 1}};
    run_simple("case 11: Location /a/../b/./c?q=1", c, first, 2, h);
  }
  /* Relative to the current hop (other.test), not to the first URL. */
  {
    const char *first = redir(api, 302, redir(base("http", "other.test"), 302, "x"));
    simple_hop h[] = {{"http", "api.test", path_of(first), 1},
                      {"http", "other.test", rpath(302, "x"), 0},
                      {"http", "other.test", "/x", 0}};
    run_simple("case 11: api.test -> other.test, Location x", c, first, 3, h);
  }
  {
    const char *first = redir(api, 307, redir(base("http2", "other.test"), 307, "/y"));
    simple_hop h[] = {{"http", "api.test", path_of(first), 1},
                      {"http2", "other.test", rpath(307, "/y"), 0},
                      {"http2", "other.test", "/y", 0}};
    run_simple("case 11: api.test -> other.test:HTTP2, Location /y", c, first, 3, h);
  }
  /* Scheme-relative: a network-path reference to another host. */
  {
    const char *first = redir(api, 302, fmt("//other.test:%d/z", port_http));
    simple_hop h[] = {{"http", "api.test", path_of(first), 1}, {"http", "other.test", "/z", 0}};
    run_simple("case 11: Location //other.test:PORT/z", c, first, 2, h);
  }
  /* Three relative hops in a row. */
  {
    const char *first = redir(api, 301, rpath(302, rpath(303, "/end")));
    simple_hop h[] = {{"http", "api.test", path_of(first), 1},
                      {"http", "api.test", rpath(302, rpath(303, "/end")), 1},
                      {"http", "api.test", rpath(303, "/end"), 1},
                      {"http", "api.test", "/end", 1}};
    run_simple("case 11: three relative hops", c, first, 4, h);
  }
  coreapi_client_free(c);
}

/* ------------------------------------------------------------------------- */
/* 15. Another port: no credential follows, whatever the pattern               */

static void case_port(void) {
  const char *domains[] = {"api.test", "*.test", NULL};
  for (size_t d = 0; d < 3; d++) {
    const char *dn = domains[d] ? domains[d] : "*";
    coreapi_client *c = client_with(token(domains[d]));
    const char *first = redir(base("http", "api.test"), 302, url("http2", "api.test", "/x"));
    simple_hop h[] = {{"http", "api.test", path_of(first), 1}, {"http2", "api.test", "/x", 0}};
    run_simple(fmt("case 15: Token %s, api.test:HTTP -> api.test:HTTP2", dn), c, first, 2, h);
    coreapi_client_free(c);
  }
}

/* ------------------------------------------------------------------------- */
/* 16. The CSRF header is the cookie the jar sends: a Secure cookie's token    */
/*     never goes over plain http                                              */

static void case_secure_csrf(void) {
  coreapi_client *c = client_with(session("api.test"));
  req_log lg;
  coreapi_response *r;
  const char *where = "case 16: Session api.test, https GET /set-cookie (Secure)";
  const char *set = url("https", "api.test", "/set-cookie?name=csrftoken&value=sec1&secure=1");
  r = session_req(c, "GET", set, NULL, &lg, where);
  EXPECT_RESP(where, r, 200, set, 0);
  coreapi_response_free(r);
  log_free(&lg);

  where = "case 16: Session api.test, https POST (the Secure cookie and its token)";
  r = session_req(c, "POST", url("https", "api.test", "/x"), "{}", &lg, where);
  EXPECT_HOPS(where, &lg, 1);
  EXPECT_HOP(where, &lg, 1, .kind = "https", .method = "POST", .host = hp("https", "api.test"),
             .path = "/x", .csrf = 1, .cookie = "csrftoken=sec1",
             .origin = base("https", "api.test"),
             .referer_prefix = fmt("%s/", base("https", "api.test")), .body = 2);
  coreapi_response_free(r);
  log_free(&lg);

  where = "case 16: Session api.test, http POST to the same host (no cookie, no token)";
  r = session_req(c, "POST", url("http", "api.test", "/x"), "{}", &lg, where);
  EXPECT_HOPS(where, &lg, 1);
  EXPECT_HOP(where, &lg, 1, .kind = "http", .method = "POST", .host = hp("http", "api.test"),
             .path = "/x", .csrf = 0, .body = 2);
  coreapi_response_free(r);
  log_free(&lg);
  coreapi_client_free(c);
}

/* ------------------------------------------------------------------------- */

static int env_port(const char *name) {
  const char *v = getenv(name);
  if (!v || !*v) {
    fprintf(stderr,
            "%s is not set: run under /usr/bin/python3 tests/integration/servers.py --redirect --\n",
            name);
    exit(1);
  }
  char *end;
  long p = strtol(v, &end, 10);
  MUST(*end == '\0' && p > 0 && p < 65536);
  return (int)p;
}

int main(int argc, char **argv) {
  if (argc > 2 || (argc == 2 && strcmp(argv[1], "batch") != 0)) {
    fprintf(stderr, "usage: %s [batch]\n", argv[0]);
    return 2;
  }
  batch_mode = argc == 2;
  port_http = env_port("COREAPI_TEST_REDIRECT_HTTP_PORT");
  port_http2 = env_port("COREAPI_TEST_REDIRECT_HTTP2_PORT");
  port_https = env_port("COREAPI_TEST_REDIRECT_HTTPS_PORT");
  ca_file = getenv("COREAPI_TEST_CA");
  MUST(ca_file != NULL && *ca_file);

  coreapi_error err;
  coreapi_error_clear(&err);
  log_client = coreapi_client_new(&err);
  MUST(log_client != NULL);

  case_methods();
  case_downgrade();
  case_session();
  case_no_cookies();
  case_relative();
  case_port();
  case_secure_csrf();

  coreapi_client_free(log_client);
  arena_free();
  return check_done(batch_mode ? "test_redirects (batch)" : "test_redirects");
}
