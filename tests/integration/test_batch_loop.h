/*
 * tests/integration/test_batch_loop.h - the event-loop form of a batch
 * (coreapi_batch_set_event_loop, _start, _on_socket, _on_timeout), driven
 * by a poll() loop of the test's own, and HTTP/2 over nginx (both forms);
 * part of test_batch.c's translation unit (included by it).
 */

#define LOOP_MAX_FDS 256

typedef struct loop {
  struct pollfd fds[LOOP_MAX_FDS]; /* what the socket callback asked for */
  size_t nfds;
  int timer_on;
  double deadline;
  int socket_calls, timer_calls, bad;
  int fail_socket; /* the socket callback returns -1 */
  int fail_timer;  /* the timer callback returns -1 */
} loop;

static int loop_socket(void *userdata, int fd, int events) {
  loop *l = userdata;
  l->socket_calls++;
  if (l->fail_socket) return -1;
  size_t i = 0;
  while (i < l->nfds && l->fds[i].fd != fd) i++;
  if (events & COREAPI_POLL_REMOVE) {
    if (i < l->nfds) l->fds[i] = l->fds[--l->nfds];
    return 0;
  }
  if (fd < 0 || (events & ~(COREAPI_POLL_IN | COREAPI_POLL_OUT)) != 0) {
    l->bad++;
    return 0;
  }
  if (i == l->nfds) {
    MUST(l->nfds < LOOP_MAX_FDS);
    l->nfds++;
    l->fds[i].fd = fd;
  }
  l->fds[i].events = (short)(((events & COREAPI_POLL_IN) ? POLLIN : 0) |
                             ((events & COREAPI_POLL_OUT) ? POLLOUT : 0));
  l->fds[i].revents = 0;
  return 0;
}

static int loop_timer(void *userdata, long ms) {
  loop *l = userdata;
  l->timer_calls++;
  if (l->fail_timer) return -1;
  l->timer_on = ms >= 0;
  if (ms >= 0) l->deadline = now_s() + (double)ms / 1000.0;
  return 0;
}

static int loop_watches(const loop *l, int fd) {
  for (size_t i = 0; i < l->nfds; i++)
    if (l->fds[i].fd == fd) return 1;
  return 0;
}

/* Wait for what the batch asked for and tell it, until nothing is pending or
 * limit seconds have passed. Returns the first error the batch returned. */
static coreapi_code loop_drive(coreapi_batch *b, loop *l, double limit, coreapi_error *err) {
  double end = now_s() + limit;
  while (coreapi_batch_pending(b) > 0 && now_s() < end) {
    double wait = end - now_s();
    if (l->timer_on && l->deadline - now_s() < wait) wait = l->deadline - now_s();
    int timeout = wait <= 0 ? 0 : (int)(wait * 1000) + 1;
    struct pollfd ready[LOOP_MAX_FDS];
    size_t n = l->nfds;
    memcpy(ready, l->fds, n * sizeof ready[0]);
    int rc = poll(ready, (nfds_t)n, timeout);
    MUST(rc >= 0);
    for (size_t i = 0; rc > 0 && i < n; i++) {
      short re = ready[i].revents;
      /* A callback may have stopped watching it meanwhile. */
      if (re == 0 || !loop_watches(l, ready[i].fd)) continue;
      int ev = ((re & (POLLIN | POLLHUP | POLLERR)) ? COREAPI_POLL_IN : 0) |
               ((re & (POLLOUT | POLLERR)) ? COREAPI_POLL_OUT : 0);
      coreapi_code code = coreapi_batch_on_socket(b, ready[i].fd, ev, err);
      if (code != COREAPI_OK) return code;
    }
    if (l->timer_on && now_s() >= l->deadline) {
      l->timer_on = 0;
      coreapi_code code = coreapi_batch_on_timeout(b, err);
      if (code != COREAPI_OK) return code;
    }
  }
  return COREAPI_OK;
}

/* The requests of the mixed test, through the event loop: the same results
 * as coreapi_batch_run gives them. */
static void test_event_loop(void) {
  enum { N = 40, LATE = 2, FOLLOW = 3 };
  coreapi_client *c = mixed_client();
  tracker t;
  tracker_init(&t, N + LATE + FOLLOW);
  coreapi_batch *b = new_batch(c, &t, 8);
  t.busy_checks = 1;
  t.free_done = 1;
  loop l;
  memset(&l, 0, sizeof l);
  coreapi_error err;
  MUST(coreapi_batch_set_event_loop(b, loop_socket, loop_timer, &l, &err) == COREAPI_OK);
  for (size_t i = 0; i < N; i++) track_add(&t, b, mixed_want(i));
  /* An event loop is set: run is not the way. */
  CHECK(coreapi_batch_run(b, &err) != COREAPI_OK);
  CHECK_INT(coreapi_batch_pending(b), N);
  CHECK_INT(coreapi_batch_start(b, &err), COREAPI_OK);
  /* Busy from start, outside any callback too; one batch per client at a
   * time: another batch of the client does not run meanwhile. */
  CHECK(coreapi_batch_pending(b) > 0);
  CHECK(client_is_busy(c));
  coreapi_batch *other = coreapi_batch_new(c, &err);
  if (other != NULL) {
    coreapi_request *req = new_req("GET", http_url("api.test", "/echo/second-batch"), NULL);
    MUST(coreapi_batch_add(other, req, NULL, NULL, NULL, &err) == COREAPI_OK);
    CHECK_INT(coreapi_batch_run(other, &err), COREAPI_ERR_INVALID_ARGUMENT);
    coreapi_batch_free(other);
    coreapi_request_free(req);
  }
  /* Added while it runs, outside any callback, and from the callback: they
   * run too. */
  for (size_t i = 0; i < LATE; i++) track_add(&t, b, echo_want("api.test", fmt("late-%zu", i)));
  t.follow_ups = FOLLOW;
  CHECK_INT(loop_drive(b, &l, 20.0, &err), COREAPI_OK);
  CHECK_INT(t.n, N + LATE + FOLLOW);
  CHECK_INT(t.busy_bad, 0);
  CHECK_INT(t.busy_ok, N + LATE + FOLLOW);
  check_results("event loop: the mixed requests", &t, b);
  CHECK(l.socket_calls > 0);
  CHECK(l.timer_calls > 0);
  CHECK_INT(l.bad, 0);
  CHECK(!client_is_busy(c));
  coreapi_batch_free(b);
  tracker_free(&t);
  coreapi_client_free(c);
}

typedef struct fail_seen {
  int calls[3];
  coreapi_code codes[3];
  size_t bad;
} fail_seen;

static void on_done_fail(void *userdata, coreapi_batch *b, size_t index,
                         const coreapi_response *resp, const coreapi_error *err) {
  fail_seen *f = userdata;
  (void)b;
  if (index >= 3 || resp != NULL || err == NULL) {
    f->bad++;
    return;
  }
  f->calls[index]++;
  f->codes[index] = err->code;
}

/* The socket (or timer) callback returns -1: the batch fails, every pending
 * request with the error the call returned. */
static void event_loop_failure(int timer) {
  coreapi_client *c = new_client();
  coreapi_error err;
  coreapi_batch *b = coreapi_batch_new(c, &err);
  MUST(b != NULL);
  fail_seen f;
  memset(&f, 0, sizeof f);
  loop l;
  memset(&l, 0, sizeof l);
  l.fail_socket = !timer;
  l.fail_timer = timer;
  MUST(coreapi_batch_set_done(b, on_done_fail, &f, &err) == COREAPI_OK);
  MUST(coreapi_batch_set_event_loop(b, loop_socket, loop_timer, &l, &err) == COREAPI_OK);
  coreapi_request *reqs[3];
  for (size_t i = 0; i < 3; i++) {
    reqs[i] = new_req("GET", http_url("api.test", fmt("/echo/fail-%zu", i)), NULL);
    MUST(coreapi_batch_add(b, reqs[i], NULL, NULL, NULL, &err) == COREAPI_OK);
  }
  coreapi_code rc = coreapi_batch_start(b, &err);
  if (rc == COREAPI_OK) rc = loop_drive(b, &l, 5.0, &err);
  int before = check_failures;
  CHECK(rc != COREAPI_OK);
  CHECK(timer ? l.timer_calls > 0 : l.socket_calls > 0);
  CHECK_INT(coreapi_batch_pending(b), 0);
  CHECK_INT(f.bad, 0);
  for (size_t i = 0; i < 3; i++) {
    CHECK_INT(f.calls[i], 1);
    CHECK_INT(f.codes[i], rc);
    const coreapi_error *e = coreapi_batch_error(b, i);
    CHECK(e != NULL && e->code == rc);
  }
  CHECK(!client_is_busy(c));
  if (check_failures != before)
    fprintf(stderr, "  ^ the %s callback failed the batch: returned %s, requests %s %s %s\n",
            timer ? "timer" : "socket", coreapi_code_name(rc), coreapi_code_name(f.codes[0]),
            coreapi_code_name(f.codes[1]), coreapi_code_name(f.codes[2]));
  /* The batch is done (nothing pending): with callbacks that work, a new
   * request on it runs, as after any run. */
  l.fail_socket = l.fail_timer = 0;
  MUST(coreapi_batch_set_done(b, NULL, NULL, &err) == COREAPI_OK);
  coreapi_request *again = new_req("GET", http_url("api.test", "/echo/after-fail"), NULL);
  MUST(coreapi_batch_add(b, again, NULL, NULL, NULL, &err) == COREAPI_OK);
  CHECK_INT(coreapi_batch_start(b, &err), COREAPI_OK);
  CHECK_INT(loop_drive(b, &l, 5.0, &err), COREAPI_OK);
  coreapi_response *r = coreapi_batch_take(b, 3, &err);
  CHECK(r != NULL && coreapi_response_status(r) == 200);
  if (!r)
    fprintf(stderr, "  ^ after the failure: %s (%s)\n", coreapi_code_name(err.code), err.text);
  coreapi_response_free(r);
  coreapi_batch_free(b);
  coreapi_request_free(again);
  for (size_t i = 0; i < 3; i++) coreapi_request_free(reqs[i]);
  coreapi_client_free(c);
}

static void test_event_loop_failure(void) {
  event_loop_failure(0);
  event_loop_failure(1);
}

/* A batch freed with requests in flight: their done callbacks do not run,
 * and the client is free again. */
static void test_free_started(void) {
  coreapi_client *c = new_client();
  coreapi_error err;
  coreapi_batch *b = coreapi_batch_new(c, &err);
  MUST(b != NULL);
  fail_seen f;
  memset(&f, 0, sizeof f);
  loop l;
  memset(&l, 0, sizeof l);
  MUST(coreapi_batch_set_done(b, on_done_fail, &f, &err) == COREAPI_OK);
  MUST(coreapi_batch_set_event_loop(b, loop_socket, loop_timer, &l, &err) == COREAPI_OK);
  coreapi_request *reqs[3];
  for (size_t i = 0; i < 3; i++) {
    reqs[i] = new_req("GET", http_url("api.test", fmt("/slow?ms=2000&i=%zu", i)), NULL);
    MUST(coreapi_batch_add(b, reqs[i], NULL, NULL, NULL, &err) == COREAPI_OK);
  }
  CHECK_INT(coreapi_batch_start(b, &err), COREAPI_OK);
  CHECK_INT(loop_drive(b, &l, 0.3, &err), COREAPI_OK);
  CHECK_INT(coreapi_batch_pending(b), 3);
  coreapi_batch_free(b);
  CHECK_INT(f.calls[0] + f.calls[1] + f.calls[2] + (int)f.bad, 0);
  CHECK(!client_is_busy(c));
  for (size_t i = 0; i < 3; i++) coreapi_request_free(reqs[i]);
  coreapi_client_free(c);
}

/* ------------------------------------------------------------------------- */
/* HTTP/2 over nginx's TLS listener                                            */

typedef struct h2_seen {
  int h2, h1;
} h2_seen;

static void on_debug(void *userdata, coreapi_debug_type type, const char *text, size_t len) {
  h2_seen *s = userdata;
  if (type != COREAPI_DEBUG_HEADER_IN || len < 7) return;
  if (memcmp(text, "HTTP/2 ", 7) == 0) s->h2++;
  else if (memcmp(text, "HTTP/1", 6) == 0) s->h1++;
}

static void test_http2(void) {
  coreapi_client *c = new_client();
  h2_seen seen = {0, 0};
  coreapi_error err;
  MUST(coreapi_client_set_debug(c, on_debug, &seen, &err) == COREAPI_OK);
  tracker t;
  tracker_init(&t, 8);
  coreapi_batch *b = new_batch(c, &t, 0);
  for (size_t i = 0; i < 8; i++) {
    want w = {0};
    w.final_url = fmt("https://api.test:%d/inspect/?i=%zu", port_nginx, i);
    w.req = new_req("GET", w.final_url, NULL);
    w.status = 200;
    track_add(&t, b, w);
  }
  CHECK_INT(coreapi_batch_run(b, &err), COREAPI_OK);
  check_results("HTTP/2 over nginx", &t, b);
  CHECK_INT(seen.h2, 8);
  CHECK_INT(seen.h1, 0);
  coreapi_batch_free(b);
  tracker_free(&t);
  coreapi_client_free(c);
}

/* HTTP/2 through the event loop: requests multiplexed on one connection
 * share its descriptor; all complete, all in HTTP/2. */
static void test_event_loop_http2(void) {
  enum { N = 12 };
  coreapi_client *c = new_client();
  h2_seen seen = {0, 0};
  coreapi_error err;
  MUST(coreapi_client_set_debug(c, on_debug, &seen, &err) == COREAPI_OK);
  tracker t;
  tracker_init(&t, N);
  coreapi_batch *b = new_batch(c, &t, 0);
  loop l;
  memset(&l, 0, sizeof l);
  MUST(coreapi_batch_set_event_loop(b, loop_socket, loop_timer, &l, &err) == COREAPI_OK);
  for (size_t i = 0; i < N; i++) {
    want w = {0};
    w.final_url = fmt("https://api.test:%d/inspect/?loop=%zu", port_nginx, i);
    w.req = new_req("GET", w.final_url, NULL);
    w.status = 200;
    track_add(&t, b, w);
  }
  CHECK_INT(coreapi_batch_start(b, &err), COREAPI_OK);
  CHECK_INT(loop_drive(b, &l, 20.0, &err), COREAPI_OK);
  check_results("event loop: HTTP/2 over nginx", &t, b);
  CHECK_INT(seen.h2, N);
  CHECK_INT(seen.h1, 0);
  CHECK_INT(l.bad, 0);
  coreapi_batch_free(b);
  tracker_free(&t);
  coreapi_client_free(c);
}

/* One request at a time through the event loop, each added by the done
 * callback of the one before when nothing else is pending. */
static void test_event_loop_chain(void) {
  coreapi_client *c = new_client();
  tracker t;
  tracker_init(&t, 8);
  coreapi_batch *b = new_batch(c, &t, 1);
  loop l;
  memset(&l, 0, sizeof l);
  coreapi_error err;
  MUST(coreapi_batch_set_event_loop(b, loop_socket, loop_timer, &l, &err) == COREAPI_OK);
  t.follow_ups = 5;
  track_add(&t, b, echo_want("api.test", "loop-chain-start"));
  CHECK_INT(coreapi_batch_start(b, &err), COREAPI_OK);
  CHECK_INT(loop_drive(b, &l, 10.0, &err), COREAPI_OK);
  CHECK_INT(t.n, 6);
  check_results("event loop: a chain of follow-ups", &t, b);
  /* Back to the blocking form on the same batch. */
  MUST(coreapi_batch_set_event_loop(b, NULL, NULL, NULL, &err) == COREAPI_OK);
  track_add(&t, b, echo_want("api.test", "loop-then-run"));
  t.follow_ups = 0;
  CHECK_INT(coreapi_batch_run(b, &err), COREAPI_OK);
  check_results("event loop, then run", &t, b);
  coreapi_batch_free(b);
  tracker_free(&t);
  coreapi_client_free(c);
}
