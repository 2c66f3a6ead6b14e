/*
 * tests/integration/test_batch.c - the parallel API (coreapi/batch.h) against
 * real servers. Run under the harness:
 *
 *   /usr/bin/python3 tests/integration/servers.py --redirect --nginx -- build/test_batch
 *
 * Hosts api.test, other.test and slow.test are mapped to 127.0.0.1 (slow.test
 * has a 400 ms timeout of its own through coreapi_client_add_host_settings).
 *   - mixed: 200 requests, 8 in flight: successes, 404s, 500s, a refused
 *     connection (a port bound but not listening), timeouts (the redirect
 *     server's /slow; slow.test's timeout holds per hop), redirect chains,
 *     a POST, a 204, a body over max_body, a redirect to ftp:, too many
 *     redirects; every result checked by index, in the done callback and
 *     again by coreapi_batch_take / _error; each request freed once its
 *     done callback has run (borrowed until then only);
 *   - scope: Token for api.test; requests to api.test and other.test, and
 *     redirects between them and to another port, in one batch: the
 *     server's log says on which hops Authorization arrived;
 *   - in flight: /slow counts the requests it is handling at once (its
 *     /__peak): never more than max_in_flight (8, 1, the default 16), and the
 *     elapsed time shows they did run in parallel, and no more at once;
 *   - HTTP/1.1 connections reused: 24 requests, 4 in flight, came on 4
 *     connections at most (the redirect server's /peer); the batch's own,
 *     kept across its runs until the client's TLS settings, resolve list or
 *     debug callback change, none shared with a new batch or the client;
 *   - done callback: once per request, the index right, take within it,
 *     requests added from it run too, pending 0; while the batch runs the
 *     client's setters and coreapi_client_send fail with ERR_INVALID_ARGUMENT;
 *   - requests added from the progress callback and a sink's begin run too;
 *   - same rules (test_batch_same.h): requests sent one by one with
 *     coreapi_client_send and all at once through a batch reach the server
 *     as the same hops with the same headers;
 *   - authentications and cookies (test_batch_auth.h): a custom scheme that
 *     refreshes its token after a 401 (on_response, resend, the memo); the
 *     Session's cookie set by one request of a batch is sent by the next
 *     ones, and by coreapi_client_send after it;
 *   - debug output of a batch: credentials, an API key and cookies redacted;
 *   - TLS settings changed between two runs of one batch: no connection
 *     verified under the old ones is reused; the client certificate goes to
 *     the first request's origin only, connections shared or not (nginx's
 *     mutual TLS listener); per-host settings (TLS verification, timeout)
 *     hop by hop on one pooled handle;
 *   - progress: a non-zero return stops that request alone (ERR_ABORTED);
 *   - sinks: bodies to sinks, a sink's refusal fails its request alone, a
 *     redirect never reaches the sink, a resend starts the body afresh;
 *   - argument validation (test_batch_more.h);
 *   - the event-loop form (test_batch_loop.h): a poll() loop of this test's,
 *     requests added while it runs, a socket callback failing the batch, a
 *     batch freed with requests in flight, HTTP/2 through the loop;
 *   - HTTP/2: a batch over nginx's TLS listener (http2 on) is answered in
 *     HTTP/2 (the debug callback's status lines).
 * The headers are parts of this file (one translation unit, one set of
 * check.h counters). The threads test is test_batch_threads.c.
 */
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "coreapi/batch.h"
#include "coreapi/coreapi.h"

/* Harness plumbing: stops the test when false, not counted as a check. */
#define MUST(cond)                                                         \
  do {                                                                     \
    if (!(cond)) {                                                         \
      fprintf(stderr, "%s:%d: required: %s\n", __FILE__, __LINE__, #cond); \
      exit(1);                                                             \
    }                                                                      \
  } while (0)

/* ------------------------------------------------------------------------- */
/* Strings that live until the end of the test                                */

static char **arena;
static size_t arena_len, arena_cap;

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
  if (arena_len == arena_cap) {
    arena_cap = arena_cap ? 2 * arena_cap : 256;
    arena = realloc(arena, arena_cap * sizeof *arena);
    MUST(arena != NULL);
  }
  arena[arena_len++] = s;
  return s;
}

/* Percent-encode everything but RFC 3986 unreserved characters. */
static const char *pct(const char *s) {
  static const char hex[] = "0123456789ABCDEF";
  char buf[2048], *o = buf;
  MUST(3 * strlen(s) < sizeof buf);
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
  return fmt("%s", buf);
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ------------------------------------------------------------------------- */
/* Servers and clients                                                         */

static int port_http, port_http2, port_https, port_nginx, port_refused;
static const char *ca_file;

static int env_port(const char *name) {
  const char *v = getenv(name);
  if (!v || !*v) {
    fprintf(stderr, "%s is not set: run under tests/integration/servers.py --redirect --nginx\n",
            name);
    exit(1);
  }
  char *end;
  long p = strtol(v, &end, 10);
  MUST(*end == '\0' && p > 0 && p < 65536);
  return (int)p;
}

/* A port on 127.0.0.1 bound but not listening: connecting is refused. */
static int refused_port(int *fd_out) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  MUST(fd >= 0);
  struct sockaddr_in a;
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  MUST(bind(fd, (struct sockaddr *)&a, sizeof a) == 0);
  socklen_t len = sizeof a;
  MUST(getsockname(fd, (struct sockaddr *)&a, &len) == 0);
  *fd_out = fd;
  return ntohs(a.sin_port);
}

static const char *http_url(const char *host, const char *path) {
  return fmt("http://%s:%d%s", host, port_http, path);
}

/* A client that maps the test hosts to 127.0.0.1, trusts the test CA, 15 s
 * per hop, 400 ms for slow.test. */
static coreapi_client *new_client(void) {
  coreapi_error err;
  coreapi_client *c = coreapi_client_new(&err);
  MUST(c != NULL);
  const char *hosts[] = {"api.test", "other.test", "slow.test"};
  int ports[] = {port_http, port_http2, port_https, port_nginx};
  for (size_t h = 0; h < 3; h++)
    for (size_t p = 0; p < 4; p++)
      if (ports[p] > 0)
        MUST(coreapi_client_add_resolve(c, fmt("%s:%d:127.0.0.1", hosts[h], ports[p]), &err) ==
             COREAPI_OK);
  MUST(coreapi_client_set_ca_bundle(c, ca_file, &err) == COREAPI_OK);
  MUST(coreapi_client_set_timeout_ms(c, 15000, &err) == COREAPI_OK);
  coreapi_host_settings slow = {0};
  slow.timeout_ms = 400;
  MUST(coreapi_client_add_host_settings(c, "slow.test", &slow, &err) == COREAPI_OK);
  return c;
}

static coreapi_request *new_req(const char *method, const char *u, const char *body) {
  coreapi_error err;
  coreapi_request *r = coreapi_request_new(method, u, &err);
  if (!r) fprintf(stderr, "coreapi_request_new(%s): %s\n", u, err.text);
  MUST(r != NULL);
  if (body) {
    MUST(coreapi_request_set_body(r, body, strlen(body), &err) == COREAPI_OK);
    MUST(coreapi_request_set_header(r, "Content-Type", "text/plain", &err) == COREAPI_OK);
  }
  return r;
}

/* A plain GET with a client of its own (the server's control paths). */
static char *plain_get(const char *u) {
  coreapi_client *c = new_client();
  coreapi_response *r = NULL;
  coreapi_error err;
  MUST(coreapi_client_request(c, "GET", u, NULL, NULL, 0, &r, &err) == COREAPI_OK);
  MUST(coreapi_response_status(r) == 200);
  size_t len = 0;
  const char *b = coreapi_response_body(r, &len);
  char *s = malloc(len + 1);
  MUST(s != NULL);
  memcpy(s, b, len);
  s[len] = '\0';
  coreapi_response_free(r);
  coreapi_client_free(c);
  return s;
}

/* ------------------------------------------------------------------------- */
/* Expected results, checked in the done callback and after the batch         */

typedef struct want {
  coreapi_request *req;
  coreapi_code code;    /* OK, or the request's error */
  long status;          /* when code is OK */
  const char *body;     /* the exact body; NULL: not checked */
  const char *contains; /* a part of the body; NULL: not checked */
  const char *contains2; /* another part */
  const char *absent;   /* not in the body; NULL: not checked */
  const char *final_url;
  unsigned redirects;
  long len;             /* the body's length; 0: not checked */
} want;

/* Does what came (resp or err) match w? When not, say why in why. */
static int matches(const want *w, const coreapi_response *r, const coreapi_error *e, char *why,
                   size_t size) {
  if (w->code != COREAPI_OK) {
    if (r != NULL || e == NULL || e->code != w->code) {
      snprintf(why, size, "expected %s, got %s (%s)", coreapi_code_name(w->code),
               e ? coreapi_code_name(e->code) : "no error", e ? e->text : "");
      return 0;
    }
    return 1;
  }
  if (r == NULL || (e && e->code != COREAPI_OK)) {
    snprintf(why, size, "expected status %ld, got %s (%s)", w->status,
             e ? coreapi_code_name(e->code) : "NULL", e ? e->text : "");
    return 0;
  }
  size_t len = 0;
  const char *b = coreapi_response_body(r, &len);
  if (coreapi_response_status(r) != w->status ||
      (w->body && (len != strlen(w->body) || memcmp(b, w->body, len) != 0)) ||
      (w->contains && (b == NULL || strstr(b, w->contains) == NULL)) ||
      (w->contains2 && (b == NULL || strstr(b, w->contains2) == NULL)) ||
      (w->absent && b != NULL && strstr(b, w->absent) != NULL) ||
      (w->len && (long)len != w->len) ||
      (w->final_url && strcmp(coreapi_response_url(r), w->final_url) != 0) ||
      coreapi_response_redirects(r) != w->redirects) {
    snprintf(why, size, "got %ld %s (%u redirects), body %.80s", coreapi_response_status(r),
             coreapi_response_url(r), coreapi_response_redirects(r), b ? b : "");
    return 0;
  }
  return 1;
}

typedef struct tracker {
  want *w;
  size_t n, cap;
  int *calls;           /* done callbacks per index */
  int *matched;         /* what the callback saw matched */
  size_t bad_index;     /* callbacks with an index not added */
  size_t completed;     /* done callbacks so far */
  size_t inner_bad;     /* pending, _error or _take wrong in the callback */
  size_t mismatches;    /* printed at most a few */
  coreapi_batch *batch; /* for the callback's extras */
  /* Extras some tests switch on: */
  int take_odd;         /* take the odd indices in the callback */
  coreapi_response **taken;
  size_t follow_ups;    /* add a follow-up for each of the first N completed */
  size_t followed;
  int busy_checks;      /* check that the client is busy */
  int free_done;        /* free the requests whose done callback has run */
  coreapi_client *client;
  int busy_ok, busy_bad;
} tracker;

static void tracker_init(tracker *t, size_t cap) {
  memset(t, 0, sizeof *t);
  t->cap = cap;
  t->w = calloc(cap, sizeof *t->w);
  t->calls = calloc(cap, sizeof *t->calls);
  t->matched = calloc(cap, sizeof *t->matched);
  t->taken = calloc(cap, sizeof *t->taken);
  MUST(t->w && t->calls && t->matched && t->taken);
}

static void tracker_free(tracker *t) {
  for (size_t i = 0; i < t->n; i++) {
    coreapi_request_free(t->w[i].req);
    coreapi_response_free(t->taken[i]);
  }
  free(t->w);
  free(t->calls);
  free(t->matched);
  free(t->taken);
}

/* Add w to t and to batch b (b NULL: to t only); checks the index. */
static void track_add(tracker *t, coreapi_batch *b, want w) {
  MUST(t->n < t->cap);
  size_t slot = t->n++; /* first: its done callback may come before add returns */
  t->w[slot] = w;
  if (b) {
    coreapi_error err;
    size_t index = (size_t)-1;
    coreapi_code rc = coreapi_batch_add(b, w.req, NULL, NULL, &index, &err);
    if (rc != COREAPI_OK) fprintf(stderr, "coreapi_batch_add: %s\n", err.text);
    MUST(rc == COREAPI_OK);
    CHECK_INT(index, slot);
  }
}

/* The client is busy: a setter and a send fail with ERR_INVALID_ARGUMENT. */
static int client_is_busy(coreapi_client *c) {
  coreapi_error err;
  coreapi_response *r = NULL;
  int busy = coreapi_client_set_timeout_ms(c, 15000, &err) == COREAPI_ERR_INVALID_ARGUMENT;
  busy &= coreapi_client_set_max_redirects(c, 20, &err) == COREAPI_ERR_INVALID_ARGUMENT;
  busy &= coreapi_client_add_header(c, "X-Late", "1", &err) == COREAPI_ERR_INVALID_ARGUMENT;
  busy &= coreapi_client_request(c, "GET", http_url("api.test", "/echo/busy"), NULL, NULL, 0, &r,
                                 &err) == COREAPI_ERR_INVALID_ARGUMENT;
  busy &= r == NULL;
  coreapi_response_free(r);
  r = NULL;
  coreapi_request *req = new_req("GET", http_url("api.test", "/echo/busy-send"), NULL);
  busy &= coreapi_client_send(c, req, &r, &err) == COREAPI_ERR_INVALID_ARGUMENT && r == NULL;
  coreapi_response_free(r);
  coreapi_request_free(req);
  return busy;
}

static want echo_want(const char *host, const char *tag);

/* Within the callback, request index has completed: not pending, its error
 * known; a failed one's take gives its error (and may be asked again). */
static void done_inner_checks(tracker *t, coreapi_batch *b, size_t index,
                              const coreapi_response *resp, const coreapi_error *err) {
  const coreapi_error *e = coreapi_batch_error(b, index);
  int bad = coreapi_batch_pending(b) != t->n - t->completed || e == NULL ||
            e->code != err->code || (resp != NULL) != (err->code == COREAPI_OK);
  if (resp == NULL) {
    coreapi_error te;
    coreapi_error_clear(&te);
    bad |= coreapi_batch_take(b, index, &te) != NULL || te.code != err->code;
  }
  if (bad && t->inner_bad++ < 3)
    fprintf(stderr, "  done(%zu): pending %zu (expected %zu), error %s\n", index,
            coreapi_batch_pending(b), t->n - t->completed,
            e ? coreapi_code_name(e->code) : "NULL");
}

static void on_done(void *userdata, coreapi_batch *b, size_t index, const coreapi_response *resp,
                    const coreapi_error *err) {
  tracker *t = userdata;
  char why[512];
  if (b != t->batch || index >= t->n || err == NULL) {
    t->bad_index++; /* err is always set: code OK when resp is */
    return;
  }
  t->calls[index]++;
  t->completed++;
  t->matched[index] = matches(&t->w[index], resp, err, why, sizeof why);
  done_inner_checks(t, b, index, resp, err);
  if (!t->matched[index] && t->mismatches++ < 5)
    fprintf(stderr, "  done(%zu) %s %s: %s\n", index, coreapi_request_method(t->w[index].req),
            coreapi_request_url(t->w[index].req), why);
  if (t->take_odd && index % 2 == 1 && resp != NULL) {
    coreapi_error e;
    t->taken[index] = coreapi_batch_take(b, index, &e);
  }
  if (t->busy_checks) {
    /* The client is busy, and the batch runs already: not again from here,
     * and its settings are for before it starts. */
    coreapi_error e;
    if (client_is_busy(t->client) && coreapi_batch_run(b, &e) == COREAPI_ERR_INVALID_ARGUMENT &&
        coreapi_batch_start(b, &e) == COREAPI_ERR_INVALID_ARGUMENT &&
        coreapi_batch_set_max_in_flight(b, 2, &e) == COREAPI_ERR_INVALID_ARGUMENT &&
        coreapi_batch_set_progress(b, NULL, NULL, &e) == COREAPI_ERR_INVALID_ARGUMENT)
      t->busy_ok++;
    else
      t->busy_bad++;
  }
  if (t->followed < t->follow_ups) {
    t->followed++;
    track_add(t, b, echo_want("api.test", fmt("follow-%zu", t->followed)));
  }
  /* Borrowed until completed: those whose callback ran before are free to
   * go (this one's is still running). */
  for (size_t j = 0; t->free_done && j < t->n; j++) {
    if (j != index && t->calls[j] > 0 && t->w[j].req != NULL) {
      coreapi_request_free(t->w[j].req);
      t->w[j].req = NULL;
    }
  }
}

/* After the batch: every index called back once and matching, pending 0,
 * and coreapi_batch_error / _take say the same (those taken before
 * excepted; what is taken here is kept in t->taken). */
static void check_results(const char *where, tracker *t, coreapi_batch *b) {
  int before = check_failures;
  CHECK_INT(t->bad_index, 0);
  CHECK_INT(t->inner_bad, 0);
  CHECK_INT(coreapi_batch_pending(b), 0);
  CHECK_INT(coreapi_batch_count(b), t->n);
  for (size_t i = 0; i < t->n; i++) {
    CHECK_INT(t->calls[i], 1);
    CHECK(t->matched[i]);
    const coreapi_error *e = coreapi_batch_error(b, i);
    CHECK(e != NULL && e->code == t->w[i].code);
    if (t->taken[i] != NULL) continue;
    coreapi_error err;
    coreapi_error_clear(&err);
    coreapi_response *r = coreapi_batch_take(b, i, &err);
    char why[512];
    int ok = matches(&t->w[i], r, r ? NULL : &err, why, sizeof why);
    CHECK(ok);
    if (!ok) fprintf(stderr, "  take(%zu): %s\n", i, why);
    t->taken[i] = r; /* kept: a later check of the same batch skips it */
  }
  if (check_failures != before) fprintf(stderr, "  ^ %s\n", where);
}

static coreapi_batch *new_batch(coreapi_client *c, tracker *t, unsigned max_in_flight) {
  coreapi_error err;
  coreapi_batch *b = coreapi_batch_new(c, &err);
  if (!b) fprintf(stderr, "coreapi_batch_new: %s\n", err.text);
  MUST(b != NULL);
  if (max_in_flight) MUST(coreapi_batch_set_max_in_flight(b, max_in_flight, &err) == COREAPI_OK);
  if (t) {
    t->batch = b;
    t->client = c;
    MUST(coreapi_batch_set_done(b, on_done, t, &err) == COREAPI_OK);
  }
  return b;
}

/* ------------------------------------------------------------------------- */
/* Requests of every kind                                                      */

static want echo_want(const char *host, const char *tag) {
  want w = {0};
  w.final_url = http_url(host, fmt("/echo?status=200&body=%s", tag));
  w.req = new_req("GET", w.final_url, NULL);
  w.status = 200;
  w.body = tag;
  return w;
}

/* Request i of the mixed batch: twelve kinds, by i % 12. */
static want mixed_want(size_t i) {
  want w = {0};
  const char *u = NULL, *method = "GET", *body = NULL;
  w.status = 200;
  switch (i % 12) {
  case 0: return echo_want("api.test", fmt("ok-%zu", i));
  case 1: u = http_url("api.test", fmt("/status?code=500&i=%zu", i)); w.status = 500;
          w.body = "status 500\n"; break;
  case 2: u = http_url("other.test", fmt("/status?code=404&i=%zu", i)); w.status = 404;
          w.body = "status 404\n"; break;
  case 3: u = fmt("http://127.0.0.1:%d/refused/%zu", port_refused, i);
          w.code = COREAPI_ERR_CONNECT; break;
  case 4: u = http_url("slow.test", fmt("/slow?ms=3000&i=%zu", i));
          w.code = COREAPI_ERR_TIMEOUT; break;
  case 5: {
    const char *final = http_url("api.test", fmt("/echo?status=201&body=chain-%zu", i));
    const char *hop2 = fmt("/redirect?code=307&to=%s", pct(final));
    u = http_url("other.test", fmt("/redirect?code=302&to=%s", pct(hop2)));
    w.status = 201;
    w.body = fmt("chain-%zu", i);
    w.final_url = final;
    w.redirects = 2;
    break;
  }
  case 6: u = http_url("api.test", fmt("/echo/post-%zu", i)); method = "POST";
          body = fmt("post-body-%zu", i); w.contains = fmt("\"body\": \"post-body-%zu\"", i);
          break;
  case 7: u = http_url("api.test", fmt("/echo?status=204&i=%zu", i)); w.status = 204;
          w.body = ""; break;
  case 8: u = http_url("api.test", fmt("/download?size=1100000&i=%zu", i));
          w.code = COREAPI_ERR_TOO_LARGE; break;
  case 9: u = http_url("api.test", fmt("/redirect?code=302&to=%s", pct("ftp://api.test/x")));
          w.code = COREAPI_ERR_BAD_REDIRECT; break;
  case 10: { /* four redirects, the client follows three */
    u = http_url("api.test", fmt("/echo?status=200&body=far-%zu", i));
    for (int k = 0; k < 4; k++) u = http_url("api.test", fmt("/redirect?code=302&to=%s", pct(u)));
    w.code = COREAPI_ERR_TOO_MANY_REDIRECTS;
    break;
  }
  default: { /* slow.test's 400 ms are per hop: three hops of 200 ms each */
    const char *final = http_url("slow.test", fmt("/slow?ms=200&i=%zu", i));
    u = http_url("slow.test", fmt("/slow?ms=200&to=%s", pct(final)));
    u = http_url("slow.test", fmt("/slow?ms=200&to=%s", pct(u)));
    w.final_url = final;
    w.redirects = 2;
    w.contains = "\"ok\": true";
    break;
  }
  }
  if (!w.final_url && w.code == COREAPI_OK) w.final_url = u;
  w.req = new_req(method, u, body);
  return w;
}

static coreapi_client *mixed_client(void) {
  coreapi_client *c = new_client();
  coreapi_error err;
  MUST(coreapi_client_set_max_body(c, 1024 * 1024, &err) == COREAPI_OK);
  MUST(coreapi_client_set_max_redirects(c, 3, &err) == COREAPI_OK);
  return c;
}

static void test_mixed(void) {
  coreapi_client *c = mixed_client();
  tracker t;
  tracker_init(&t, 200);
  coreapi_batch *b = new_batch(c, &t, 8);
  t.free_done = 1;
  for (size_t i = 0; i < 200; i++) track_add(&t, b, mixed_want(i));
  CHECK_INT(coreapi_batch_pending(b), 200);
  CHECK(coreapi_batch_error(b, 0) == NULL); /* not completed yet */
  double t0 = now_s();
  coreapi_error err;
  CHECK_INT(coreapi_batch_run(b, &err), COREAPI_OK);
  double elapsed = now_s() - t0;
  check_results("mixed: 200 requests, 8 in flight", &t, b);
  /* 17 timeouts of 400 ms and 16 chains of 600 ms, 8 at a time, take two
   * seconds or so; one by one they would take 17. */
  CHECK(elapsed < 6.0);
  printf("mixed: 200 requests in %.2f s\n", elapsed);
  coreapi_batch_free(b);
  /* No longer busy once the batch is done. */
  CHECK_INT(coreapi_client_set_timeout_ms(c, 15000, &err), COREAPI_OK);
  tracker_free(&t);
  coreapi_client_free(c);
}

#include "test_batch_more.h"
#include "test_batch_loop.h"
#include "test_batch_same.h"
#include "test_batch_auth.h"

int main(void) {
  port_http = env_port("COREAPI_TEST_REDIRECT_HTTP_PORT");
  port_http2 = env_port("COREAPI_TEST_REDIRECT_HTTP2_PORT");
  port_https = env_port("COREAPI_TEST_REDIRECT_HTTPS_PORT");
  port_nginx = env_port("COREAPI_TEST_NGINX_PORT");
  ca_file = getenv("COREAPI_TEST_CA");
  MUST(ca_file != NULL && *ca_file);
  int refused_fd;
  port_refused = refused_port(&refused_fd);

  test_validation();
  test_validation_take();
  test_mixed();
  test_scope();
  test_same_rules();
  test_cookies();
  test_resend();
  test_resend_sink();
  test_tls_rerun();
  test_cert_scope();
  test_pooled_settings();
  test_debug_redaction();
  test_in_flight();
  test_reuse();
  test_connections();
  test_done_callback();
  test_done_chain();
  test_add_from_callbacks();
  test_progress_abort();
  test_sinks();
  test_event_loop();
  test_event_loop_chain();
  test_event_loop_failure();
  test_free_started();
  test_http2();
  test_event_loop_http2();

  close(refused_fd);
  for (size_t i = 0; i < arena_len; i++) free(arena[i]);
  free(arena);
  return check_done("test_batch");
}
