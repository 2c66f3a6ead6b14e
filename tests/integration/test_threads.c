/*
 * tests/integration/test_threads.c - one Session authentication object shared
 * by clients running in parallel threads, against the real Django example API.
 *
 * Run under the harness:
 *
 *   /usr/bin/python3 tests/integration/servers.py --django -- build/test_threads
 *
 * auth.h promises that the built-in schemes keep no mutable state in the
 * object (the CSRF token each client learns is kept per client) and that the
 * reference count is atomic, so one object may serve clients in several
 * threads; client.h that different clients may run in parallel threads.
 *
 * THREADS threads each make their own client, add the one shared Session
 * authentication (csrftoken / X-CSRFToken) to it, wait on a barrier so that
 * they all start together, then run the session flow ITERATIONS times:
 * GET /csrf/, POST /login/ (Django rotates the CSRF token), GET /me/, POST
 * /notes/, POST /logout/, GET /me/. Every POST needs this client's current
 * token: one client's token leaking into another's requests fails a POST with
 * 403. Even threads log in as the first test user, odd threads as the second,
 * so a session cookie reaching the wrong client shows in /me/.
 *
 * The threads use no check.h macro (its counters are plain globals): each
 * records its results in its own struct, which main reads after joining.
 * Built with -pthread; meant to be clean under -fsanitize=thread too.
 */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <coreapi/coreapi.h>

#include "check.h"
#include "json_member.h"

#define THREADS 8
#define ITERATIONS 3
#define STEPS_PER_ITERATION 6

/* Written by main before any thread starts, read-only afterwards. */
static const char *django_port;
static char base_url[128];
static char resolve_entry[128];
static coreapi_auth *shared_auth;
static pthread_barrier_t start_barrier;

struct worker {
  pthread_t thread;
  int index;
  const char *user;
  const char *password;
  /* Written only by the worker thread, read by main after pthread_join. */
  int steps_ok;
  int failures;
  char first_failure[768];
};

/* The string member key of the JSON object in body (tests/json_member.h). */
static const char *json_str(const char *body, const char *key, char *buf, size_t size) {
  return json_member_str(body, key, buf, size);
}

/* ------------------------------------------------------------------------ */
/* The worker                                                               */

#if defined(__GNUC__) || defined(__clang__)
__attribute__((format(printf, 3, 4)))
#endif
static void fail(struct worker *w, const coreapi_response *r, const char *fmt, ...) {
  w->failures++;
  if (w->failures > 1) return;
  va_list ap;
  int n = snprintf(w->first_failure, sizeof w->first_failure, "thread %d (%s): ", w->index,
                   w->user);
  if (n < 0 || (size_t)n >= sizeof w->first_failure) return;
  va_start(ap, fmt);
  int m = vsnprintf(w->first_failure + n, sizeof w->first_failure - (size_t)n, fmt, ap);
  va_end(ap);
  if (m < 0 || (size_t)(n + m) >= sizeof w->first_failure || r == NULL) return;
  snprintf(w->first_failure + n + m, sizeof w->first_failure - (size_t)(n + m),
           " [%s -> %ld, body %.200s]", coreapi_response_url(r), coreapi_response_status(r),
           coreapi_response_body(r, NULL));
}

/* Send method base_url+path (JSON body when body is not NULL). Returns the
 * response when its status is expected, else NULL after recording why. */
static coreapi_response *step(struct worker *w, coreapi_client *c, const char *method,
                              const char *path, const char *body, long expected) {
  char url[256];
  coreapi_error err;
  coreapi_response *r = NULL;
  coreapi_error_clear(&err);
  snprintf(url, sizeof url, "%s%s", base_url, path);
  coreapi_code code = coreapi_client_request(c, method, url, body ? "application/json" : NULL,
                                             body, body ? strlen(body) : 0, &r, &err);
  if (code != COREAPI_OK || r == NULL) {
    fail(w, NULL, "%s %s: %s (%s)", method, path, coreapi_code_name(code), err.text);
    coreapi_response_free(r);
    return NULL;
  }
  if (coreapi_response_status(r) != expected) {
    fail(w, r, "%s %s: status %ld, expected %ld", method, path, coreapi_response_status(r),
         expected);
    coreapi_response_free(r);
    return NULL;
  }
  return r;
}

/* One session flow; returns 0 at the first failure. */
static int iteration(struct worker *w, coreapi_client *c, int it) {
  char buf[512], token1[256], body[256], expect[300];
  coreapi_response *r;
  const char *v;

  r = step(w, c, "GET", "/csrf/", NULL, 200);
  if (r == NULL) return 0;
  v = coreapi_response_cookie(r, "csrftoken");
  if (v == NULL || strlen(v) < 32 || strlen(v) >= sizeof token1) {
    fail(w, r, "GET /csrf/ set no csrftoken cookie");
    coreapi_response_free(r);
    return 0;
  }
  strcpy(token1, v);
  coreapi_response_free(r);
  w->steps_ok++;

  snprintf(body, sizeof body, "{\"username\":\"%s\",\"password\":\"%s\"}", w->user,
           w->password);
  r = step(w, c, "POST", "/login/", body, 200);
  if (r == NULL) return 0;
  v = coreapi_response_cookie(r, "csrftoken");
  if (v == NULL || strcmp(v, token1) == 0) {
    fail(w, r, "login did not rotate the csrftoken cookie");
    coreapi_response_free(r);
    return 0;
  }
  v = json_str(coreapi_response_body(r, NULL), "username", buf, sizeof buf);
  if (v == NULL || strcmp(v, w->user) != 0) {
    fail(w, r, "login answered for another user");
    coreapi_response_free(r);
    return 0;
  }
  coreapi_response_free(r);
  w->steps_ok++;

  r = step(w, c, "GET", "/me/", NULL, 200);
  if (r == NULL) return 0;
  v = json_str(coreapi_response_body(r, NULL), "username", buf, sizeof buf);
  if (v == NULL || strcmp(v, w->user) != 0) {
    fail(w, r, "/me/ is not %s", w->user);
    coreapi_response_free(r);
    return 0;
  }
  v = json_str(coreapi_response_body(r, NULL), "auth", buf, sizeof buf);
  if (v == NULL || strcmp(v, "session") != 0) {
    fail(w, r, "/me/ not authenticated by session");
    coreapi_response_free(r);
    return 0;
  }
  coreapi_response_free(r);
  w->steps_ok++;

  /* Needs the rotated token of this very client. */
  snprintf(body, sizeof body, "{\"thread\":%d,\"iteration\":%d}", w->index, it);
  r = step(w, c, "POST", "/notes/", body, 201);
  if (r == NULL) return 0;
  snprintf(expect, sizeof expect, "\"data\":%s", body);
  if (strstr(coreapi_response_body(r, NULL), expect) == NULL) {
    fail(w, r, "/notes/ did not echo %s", body);
    coreapi_response_free(r);
    return 0;
  }
  coreapi_response_free(r);
  w->steps_ok++;

  r = step(w, c, "POST", "/logout/", NULL, 200);
  if (r == NULL) return 0;
  coreapi_response_free(r);
  w->steps_ok++;

  /* Logged out: DRF answers 403 (SessionAuthentication comes first). */
  r = step(w, c, "GET", "/me/", NULL, 403);
  if (r == NULL) return 0;
  coreapi_response_free(r);
  w->steps_ok++;
  return 1;
}

static void *worker_main(void *arg) {
  struct worker *w = arg;
  coreapi_error err;
  coreapi_error_clear(&err);

  coreapi_client *c = coreapi_client_new(&err);
  if (c == NULL) {
    fail(w, NULL, "coreapi_client_new: %s", err.text);
  } else if (coreapi_client_add_resolve(c, resolve_entry, &err) != COREAPI_OK ||
             coreapi_client_add_auth(c, shared_auth, &err) != COREAPI_OK) {
    fail(w, NULL, "client setup: %s", err.text);
    coreapi_client_free(c);
    c = NULL;
  }

  /* Everyone reaches the barrier, even after a failure, or the others hang. */
  pthread_barrier_wait(&start_barrier);

  if (c != NULL) {
    for (int it = 0; it < ITERATIONS; it++)
      if (!iteration(w, c, it)) break;
  }
  coreapi_client_free(c); /* drops this client's reference to shared_auth */
  return NULL;
}

int main(void) {
  static struct worker workers[THREADS];
  coreapi_error err;
  coreapi_error_clear(&err);

  const char *users[2], *passwords[2];
  django_port = getenv("COREAPI_TEST_DJANGO_PORT");
  users[0] = getenv("COREAPI_TEST_USER");
  passwords[0] = getenv("COREAPI_TEST_PASSWORD");
  users[1] = getenv("COREAPI_TEST_USER2");
  passwords[1] = getenv("COREAPI_TEST_PASSWORD2");
  if (!django_port || !users[0] || !passwords[0] || !users[1] || !passwords[1]) {
    fprintf(stderr, "test_threads: run me under tests/integration/servers.py --django -- ...\n");
    return 1;
  }
  snprintf(base_url, sizeof base_url, "http://api.test:%s", django_port);
  snprintf(resolve_entry, sizeof resolve_entry, "api.test:%s:127.0.0.1", django_port);

  shared_auth = coreapi_auth_session_new("csrftoken", "X-CSRFToken", "api.test", &err);
  if (shared_auth == NULL) fprintf(stderr, "coreapi_auth_session_new: %s\n", err.text);
  REQUIRE(shared_auth != NULL);
  REQUIRE(pthread_barrier_init(&start_barrier, NULL, THREADS) == 0);

  int started = 0;
  for (int i = 0; i < THREADS; i++) {
    workers[i].index = i;
    workers[i].user = users[i % 2];
    workers[i].password = passwords[i % 2];
    int rc = pthread_create(&workers[i].thread, NULL, worker_main, &workers[i]);
    if (rc != 0) {
      /* The barrier would never open: give up at once. */
      fprintf(stderr, "pthread_create: error %d\n", rc);
      exit(1);
    }
    started++;
  }
  for (int i = 0; i < started; i++) CHECK_INT(pthread_join(workers[i].thread, NULL), 0);

  for (int i = 0; i < THREADS; i++) {
    if (workers[i].failures != 0)
      fprintf(stderr, "%s (%d failure(s))\n", workers[i].first_failure, workers[i].failures);
    CHECK_INT(workers[i].failures, 0);
    CHECK_INT(workers[i].steps_ok, ITERATIONS * STEPS_PER_ITERATION);
  }

  /* All clients are gone; the shared object is still ours and usable. */
  CHECK(coreapi_auth_allows_cookies(shared_auth) != 0);
  CHECK_STR(coreapi_auth_domain(shared_auth), "api.test");

  pthread_barrier_destroy(&start_barrier);
  coreapi_auth_free(shared_auth);
  return check_done("test_threads");
}
