/*
 * tests/integration/test_batch_threads.c - batches in parallel threads
 * (coreapi/batch.h: "Different clients, each with its batch, may run in
 * parallel threads"), meant for ThreadSanitizer (CTest label "threads").
 * Run under the harness:
 *
 *   /usr/bin/python3 tests/integration/servers.py --redirect -- build/test_batch_threads
 *
 * THREADS threads each make their own client, with one Token authentication
 * for api.test that all share, and wait on a barrier; then each runs
 * ROUNDS batches of REQUESTS requests, 4 in flight: 200s whose body names
 * the thread and the request, 500s, refused connections, and redirects from
 * api.test to other.test. Each result is checked by index in the done
 * callback (Authorization arrived at api.test, not at other.test) and again
 * by coreapi_batch_take. The threads use no check.h macro (its counters are
 * plain globals): each records its failures, main checks them after joining.
 */
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check.h"
#include "coreapi/batch.h"
#include "coreapi/coreapi.h"

#define THREADS 6
#define ROUNDS 3
#define REQUESTS 30

static int port_http, port_refused;
static coreapi_auth *shared_auth;
static pthread_barrier_t barrier;

typedef struct worker {
  pthread_t thread;
  int index;
  int round;
  coreapi_batch *batch;
  coreapi_request *reqs[REQUESTS];
  int calls[REQUESTS];
  int failures, checked;
  char first[512];
} worker;

static void fail(worker *w, const char *what, size_t i, const char *detail) {
  if (w->failures++ == 0)
    snprintf(w->first, sizeof w->first, "thread %d round %d request %zu: %s (%s)", w->index,
             w->round, i, what, detail);
}

/* Kind of request i: 0 an echo at api.test, 1 a 500, 2 refused, 3 api.test
 * redirecting to other.test. */
static int kind_of(size_t i) { return (int)(i % 4); }

static char *url_for(const worker *w, size_t i) {
  char *u = malloc(256);
  if (!u) return NULL;
  int t = w->index, r = w->round;
  switch (kind_of(i)) {
  case 0: snprintf(u, 256, "http://api.test:%d/echo/t%d-r%d-%zu", port_http, t, r, i); break;
  case 1:
    snprintf(u, 256, "http://api.test:%d/status?code=500&t=%d&r=%d&i=%zu", port_http, t, r, i);
    break;
  case 2: snprintf(u, 256, "http://127.0.0.1:%d/refused/t%d-r%d-%zu", port_refused, t, r, i); break;
  default:
    snprintf(u, 256,
             "http://api.test:%d/redirect?code=302&to=http://other.test:%d/echo/t%d-r%d-%zu",
             port_http, port_http, t, r, i);
    break;
  }
  return u;
}

/* Does the result of request i match its kind? NULL when it does. */
static const char *judge(const worker *w, size_t i, const coreapi_response *r,
                         const coreapi_error *e, char *tag, size_t size) {
  int k = kind_of(i);
  snprintf(tag, size, "\"path\": \"/echo/t%d-r%d-%zu\"", w->index, w->round, i);
  if (k == 2) return r == NULL && e && e->code == COREAPI_ERR_CONNECT ? NULL : "not refused";
  if (r == NULL) return e ? coreapi_code_name(e->code) : "no response";
  const char *body = coreapi_response_body(r, NULL);
  if (k == 1) return coreapi_response_status(r) == 500 ? NULL : "not 500";
  if (coreapi_response_status(r) != 200 || strstr(body, tag) == NULL) return "wrong echo";
  if (k == 0 && strstr(body, "\"authorization\": \"Token shared-secret\"") == NULL)
    return "no Authorization at api.test";
  if (k == 3 && (coreapi_response_redirects(r) != 1 || strstr(body, "\"authorization\"")))
    return "not redirected, or Authorization at other.test";
  return NULL;
}

static void on_done(void *userdata, coreapi_batch *b, size_t index, const coreapi_response *resp,
                    const coreapi_error *err) {
  worker *w = userdata;
  char tag[128];
  if (b != w->batch || index >= REQUESTS) {
    fail(w, "bad index", index, "");
    return;
  }
  w->calls[index]++;
  const char *why = judge(w, index, resp, err, tag, sizeof tag);
  if (why) fail(w, why, index, err ? err->text : "");
  w->checked++;
}

static void one_round(worker *w, coreapi_client *c) {
  coreapi_error err;
  w->batch = coreapi_batch_new(c, &err);
  if (!w->batch) {
    fail(w, "coreapi_batch_new", 0, err.text);
    return;
  }
  memset(w->calls, 0, sizeof w->calls);
  if (coreapi_batch_set_max_in_flight(w->batch, 4, &err) != COREAPI_OK ||
      coreapi_batch_set_done(w->batch, on_done, w, &err) != COREAPI_OK)
    fail(w, "batch setup", 0, err.text);
  for (size_t i = 0; i < REQUESTS; i++) {
    char *u = url_for(w, i);
    w->reqs[i] = u ? coreapi_request_new("GET", u, &err) : NULL;
    free(u);
    if (!w->reqs[i] || coreapi_batch_add(w->batch, w->reqs[i], NULL, NULL, NULL, &err) != 0)
      fail(w, "add", i, err.text);
  }
  if (coreapi_batch_run(w->batch, &err) != COREAPI_OK) fail(w, "run", 0, err.text);
  if (coreapi_batch_pending(w->batch) != 0) fail(w, "pending", 0, "not 0");
  for (size_t i = 0; i < REQUESTS; i++) {
    char tag[128];
    if (w->calls[i] != 1) fail(w, "done callbacks", i, "not once");
    coreapi_error_clear(&err);
    coreapi_response *r = coreapi_batch_take(w->batch, i, &err);
    const char *why = judge(w, i, r, r ? NULL : &err, tag, sizeof tag);
    if (why) fail(w, why, i, err.text);
    coreapi_response_free(r);
  }
  coreapi_batch_free(w->batch);
  w->batch = NULL;
  for (size_t i = 0; i < REQUESTS; i++) coreapi_request_free(w->reqs[i]);
}

static void *worker_main(void *arg) {
  worker *w = arg;
  coreapi_error err;
  char entry[2][64];
  snprintf(entry[0], sizeof entry[0], "api.test:%d:127.0.0.1", port_http);
  snprintf(entry[1], sizeof entry[1], "other.test:%d:127.0.0.1", port_http);
  coreapi_client *c = coreapi_client_new(&err);
  if (!c || coreapi_client_add_resolve(c, entry[0], &err) != COREAPI_OK ||
      coreapi_client_add_resolve(c, entry[1], &err) != COREAPI_OK ||
      coreapi_client_add_auth(c, shared_auth, &err) != COREAPI_OK) {
    fail(w, "client setup", 0, err.text);
    coreapi_client_free(c);
    c = NULL;
  }
  pthread_barrier_wait(&barrier); /* everyone, even after a failure */
  for (w->round = 0; c && w->round < ROUNDS; w->round++) one_round(w, c);
  coreapi_client_free(c);
  return NULL;
}

static int env_port(const char *name) {
  const char *v = getenv(name);
  if (!v || !*v) {
    fprintf(stderr, "%s is not set: run under tests/integration/servers.py --redirect\n", name);
    exit(1);
  }
  return atoi(v);
}

/* A port on 127.0.0.1 bound but not listening: connecting is refused. */
static int refused_port(int *fd_out) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  struct sockaddr_in a;
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(bind(fd, (struct sockaddr *)&a, sizeof a) == 0);
  socklen_t len = sizeof a;
  REQUIRE(getsockname(fd, (struct sockaddr *)&a, &len) == 0);
  *fd_out = fd;
  return ntohs(a.sin_port);
}

int main(void) {
  static worker workers[THREADS];
  coreapi_error err;
  int fd;
  port_http = env_port("COREAPI_TEST_REDIRECT_HTTP_PORT");
  port_refused = refused_port(&fd);
  shared_auth = coreapi_auth_token_new("shared-secret", "Token", "api.test", &err);
  REQUIRE(shared_auth != NULL);
  REQUIRE(pthread_barrier_init(&barrier, NULL, THREADS) == 0);
  for (int i = 0; i < THREADS; i++) {
    workers[i].index = i;
    REQUIRE(pthread_create(&workers[i].thread, NULL, worker_main, &workers[i]) == 0);
  }
  for (int i = 0; i < THREADS; i++) CHECK_INT(pthread_join(workers[i].thread, NULL), 0);
  for (int i = 0; i < THREADS; i++) {
    if (workers[i].failures) fprintf(stderr, "%s (%d failures)\n", workers[i].first,
                                     workers[i].failures);
    CHECK_INT(workers[i].failures, 0);
    CHECK_INT(workers[i].checked, ROUNDS * REQUESTS);
  }
  pthread_barrier_destroy(&barrier);
  coreapi_auth_free(shared_auth);
  close(fd);
  return check_done("test_batch_threads");
}
