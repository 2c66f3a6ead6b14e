/*
 * tests/integration/test_batch_more.h - the rest of test_batch.c, included
 * by it (one translation unit, so that check.h's counters are one): scope,
 * requests in flight, connections reused, the done and progress callbacks,
 * sinks, argument validation, requests added from callbacks. The
 * event-loop form and HTTP/2 are in test_batch_loop.h.
 */

/* ------------------------------------------------------------------------- */
/* Argument validation                                                         */

typedef struct sink_state {
  int begins;
  long status;
  size_t bytes;
  int refuse; /* write fails with ERR_IO */
} sink_state;

static coreapi_code sink_begin(void *userdata, const coreapi_response *resp, coreapi_error *err);

static void test_validation(void) {
  coreapi_error err;
  const coreapi_code INVAL = COREAPI_ERR_INVALID_ARGUMENT;
  CHECK(coreapi_batch_new(NULL, &err) == NULL);
  CHECK_INT(err.code, INVAL);
  coreapi_batch_free(NULL);
  coreapi_client *c = new_client();
  coreapi_batch *b = coreapi_batch_new(c, &err);
  MUST(b != NULL);
  CHECK_INT(coreapi_batch_set_max_in_flight(NULL, 8, &err), INVAL);
  CHECK_INT(coreapi_batch_set_max_in_flight(b, 0, &err), INVAL);
  CHECK_INT(coreapi_batch_set_max_in_flight(b, COREAPI_BATCH_MAX_IN_FLIGHT + 1, &err), INVAL);
  CHECK_INT(coreapi_batch_set_max_in_flight(b, COREAPI_BATCH_MAX_IN_FLIGHT, &err), COREAPI_OK);
  CHECK_INT(coreapi_batch_set_max_in_flight(b, 1, &err), COREAPI_OK);
  CHECK_INT(coreapi_batch_set_done(NULL, NULL, NULL, &err), INVAL);
  CHECK_INT(coreapi_batch_set_progress(NULL, NULL, NULL, &err), INVAL);
  CHECK_INT(coreapi_batch_set_event_loop(NULL, NULL, NULL, NULL, &err), INVAL);
  coreapi_request *req = new_req("GET", http_url("api.test", "/echo?status=200&body=v"), NULL);
  CHECK_INT(coreapi_batch_add(NULL, req, NULL, NULL, NULL, &err), INVAL);
  CHECK_INT(coreapi_batch_add(b, NULL, NULL, NULL, NULL, &err), INVAL);
  CHECK_INT(coreapi_batch_run(NULL, &err), INVAL);
  CHECK_INT(coreapi_batch_start(NULL, &err), INVAL);
  CHECK_INT(coreapi_batch_on_socket(NULL, 3, COREAPI_POLL_IN, &err), INVAL);
  CHECK_INT(coreapi_batch_on_timeout(NULL, &err), INVAL);
  coreapi_request_free(req);
  CHECK(coreapi_batch_take(NULL, 0, &err) == NULL);
  CHECK_INT(err.code, INVAL);
  CHECK(coreapi_batch_error(NULL, 0) == NULL);
  coreapi_batch_free(b);
  coreapi_client_free(c);
}

/* Results by index: none before completion, taken once, none for an index
 * never added. */
static void test_validation_take(void) {
  coreapi_error err;
  const coreapi_code INVAL = COREAPI_ERR_INVALID_ARGUMENT;
  coreapi_client *c = new_client();
  coreapi_batch *b = coreapi_batch_new(c, &err);
  MUST(b != NULL);
  coreapi_request *req = new_req("GET", http_url("api.test", "/echo?status=200&body=v"), NULL);
  /* A sink needs both functions, as coreapi_client_send_to: refused when
   * added, or the request fails with ERR_INVALID_ARGUMENT. */
  coreapi_body_sink half = {sink_begin, NULL};
  sink_state half_state;
  memset(&half_state, 0, sizeof half_state);
  coreapi_code added = coreapi_batch_add(b, req, &half, &half_state, NULL, &err);
  CHECK(added == INVAL || added == COREAPI_OK);
  size_t count = added == COREAPI_OK ? 1 : 0;
  CHECK_INT(coreapi_batch_count(b), count);
  /* Nothing completed yet: no result, no error. */
  CHECK(coreapi_batch_take(b, 0, &err) == NULL);
  CHECK_INT(err.code, INVAL);
  size_t index = 99;
  CHECK_INT(coreapi_batch_add(b, req, NULL, NULL, &index, &err), COREAPI_OK);
  CHECK_INT(index, count);
  CHECK(coreapi_batch_take(b, index, &err) == NULL);
  CHECK_INT(err.code, INVAL);
  CHECK(coreapi_batch_error(b, index) == NULL);
  CHECK_INT(coreapi_batch_pending(b), count + 1);
  CHECK_INT(coreapi_batch_run(b, &err), COREAPI_OK);
  CHECK_INT(coreapi_batch_pending(b), 0);
  if (count == 1) {
    const coreapi_error *e = coreapi_batch_error(b, 0);
    CHECK(e != NULL && e->code == INVAL);
  }
  const coreapi_error *e = coreapi_batch_error(b, index);
  CHECK(e != NULL && e->code == COREAPI_OK);
  coreapi_response *r = coreapi_batch_take(b, index, &err);
  CHECK(r != NULL && coreapi_response_status(r) == 200);
  coreapi_response_free(r);
  /* Taken twice; an index never added. */
  CHECK(coreapi_batch_take(b, index, &err) == NULL);
  CHECK_INT(err.code, INVAL);
  CHECK(coreapi_batch_take(b, index + 1, &err) == NULL);
  CHECK_INT(err.code, INVAL);
  CHECK(coreapi_batch_error(b, index + 1) == NULL);
  coreapi_batch_free(b);
  /* Freed with results not taken. */
  b = coreapi_batch_new(c, &err);
  MUST(b != NULL);
  MUST(coreapi_batch_add(b, req, NULL, NULL, NULL, &err) == COREAPI_OK);
  MUST(coreapi_batch_add(b, req, NULL, NULL, NULL, &err) == COREAPI_OK);
  CHECK_INT(coreapi_batch_run(b, &err), COREAPI_OK);
  coreapi_batch_free(b);
  /* An empty batch runs and is done at once. */
  b = coreapi_batch_new(c, &err);
  MUST(b != NULL);
  CHECK_INT(coreapi_batch_run(b, &err), COREAPI_OK);
  CHECK_INT(coreapi_batch_pending(b), 0);
  CHECK_INT(coreapi_batch_count(b), 0);
  coreapi_batch_free(b);
  coreapi_request_free(req);
  coreapi_client_free(c);
}

/* ------------------------------------------------------------------------- */
/* Credentials under scope                                                     */

typedef struct scope_hop {
  const char *host; /* Host as the log records it: "api.test:PORT" */
  const char *path;
  int auth;
} scope_hop;

typedef struct scope_req {
  scope_hop hops[3];
  size_t n;
} scope_req;

static const char *path_of(const char *u) {
  const char *p = strstr(u, "://");
  MUST(p != NULL);
  p = strchr(p + 3, '/');
  MUST(p != NULL);
  return p;
}

static const char *host_of(const char *u) {
  const char *p = strstr(u, "://") + 3;
  return fmt("%.*s", (int)(strchr(p, '/') - p), p);
}

/* Kind k (0..8) of scope request, repetition i: its want and its hops. */
static want scope_want(int k, size_t i, scope_req *sr) {
  const char *tag = fmt("/echo/s%d-%zu", k, i);
  const char *api = http_url("api.test", tag), *other = http_url("other.test", tag);
  const char *api2 = fmt("http://api.test:%d%s", port_http2, tag);
  const char *apis = fmt("https://api.test:%d%s", port_https, tag);
  const char *chain[3] = {NULL, NULL, NULL};
  int auth[3] = {0, 0, 0}, post = 0;
  switch (k) {
  case 0: chain[0] = api; auth[0] = 1; break;
  case 1: chain[0] = other; break;
  case 2: chain[1] = other; chain[0] = http_url("api.test", fmt("/redirect?code=307&to=%s",
          pct(other))); auth[0] = 1; post = 1; break;
  case 3: chain[2] = api;
          chain[1] = http_url("other.test", fmt("/redirect?code=302&to=%s", pct(api)));
          chain[0] = http_url("api.test", fmt("/redirect?code=302&to=%s", pct(chain[1])));
          auth[0] = 1; break;
  case 4: chain[1] = api2; chain[0] = http_url("api.test", fmt("/redirect?code=302&to=%s",
          pct(api2))); auth[0] = 1; break;
  case 5: chain[1] = api; chain[0] = http_url("other.test", fmt("/redirect?code=302&to=%s",
          pct(api))); break;
  case 6: chain[1] = api; chain[0] = http_url("api.test", fmt("/redirect?code=302&to=%s",
          pct(tag))); auth[0] = auth[1] = 1; break;
  case 7: chain[0] = apis; auth[0] = 1; break;
  default: chain[1] = api; chain[0] = fmt("https://api.test:%d/redirect?code=302&to=%s",
           port_https, pct(api)); auth[0] = 1; break;
  }
  want w = {0};
  sr->n = 0;
  for (size_t h = 0; h < 3 && chain[h]; h++) {
    sr->hops[h] = (scope_hop){host_of(chain[h]), path_of(chain[h]), auth[h]};
    sr->n++;
  }
  w.req = new_req(post ? "POST" : "GET", chain[0], post ? "secret-body" : NULL);
  w.status = 200;
  w.final_url = chain[sr->n - 1];
  w.redirects = (unsigned)(sr->n - 1);
  w.contains = auth[sr->n - 1] ? "\"authorization\": \"Token s3cr3t-token\""
                               : post ? "\"body\": \"secret-body\"" : NULL;
  if (!auth[sr->n - 1]) w.absent = "\"authorization\"";
  return w;
}

/* Each expected hop is in the log exactly once, with its auth flag; nothing
 * else is. */
static void check_scope_log(const scope_req *sr, size_t n) {
  char *log = plain_get(http_url("127.0.0.1", "/__log"));
  size_t lines = 0, hops = 0;
  for (const char *p = log; *p; p = strchr(p, '\n') + 1, lines++) MUST(strchr(p, '\n'));
  for (size_t r = 0; r < n; r++) {
    for (size_t h = 0; h < sr[r].n; h++, hops++) {
      const scope_hop *e = &sr[r].hops[h];
      size_t found = 0;
      int auth = -1;
      for (const char *p = log; *p; p = strchr(p, '\n') + 1) {
        char kind[16], method[16], host[128], path[1024];
        int a;
        if (sscanf(p, "%15s %15s %127s %1023s auth=%d", kind, method, host, path, &a) == 5 &&
            strcmp(host, e->host) == 0 && strcmp(path, e->path) == 0) {
          found++;
          auth = a;
        }
      }
      CHECK_INT(found, 1);
      CHECK_INT(auth, e->auth);
      if (found != 1 || auth != e->auth)
        fprintf(stderr, "  ^ scope: hop %zu of %s (%s %s)\n", h + 1, sr[r].hops[0].path,
                e->host, e->path);
    }
  }
  CHECK_INT(lines, hops);
  free(log);
}

static void test_scope(void) {
  enum { KINDS = 9, REPS = 4 };
  coreapi_client *c = new_client();
  coreapi_error err;
  coreapi_auth *tok = coreapi_auth_token_new("s3cr3t-token", "Token", "api.test", &err);
  MUST(tok != NULL);
  MUST(coreapi_client_add_auth(c, tok, &err) == COREAPI_OK);
  coreapi_auth_free(tok);
  free(plain_get(http_url("127.0.0.1", "/__clear")));
  tracker t;
  tracker_init(&t, KINDS * REPS);
  scope_req sr[KINDS * REPS];
  coreapi_batch *b = new_batch(c, &t, 8);
  for (size_t i = 0; i < REPS; i++)
    for (int k = 0; k < KINDS; k++) track_add(&t, b, scope_want(k, i, &sr[t.n]));
  CHECK_INT(coreapi_batch_run(b, &err), COREAPI_OK);
  check_results("scope: Token api.test", &t, b);
  check_scope_log(sr, t.n);
  coreapi_batch_free(b);
  tracker_free(&t);
  coreapi_client_free(c);
}

/* ------------------------------------------------------------------------- */
/* max_in_flight                                                               */

static long json_long(const char *body, const char *key) {
  const char *p = strstr(body, fmt("\"%s\": ", key));
  MUST(p != NULL);
  return strtol(p + strlen(key) + 4, NULL, 10);
}

/* n requests of ms ms each, at most max at once (0: the default, 16), all to
 * one plain-http origin: the server never saw more than that at once, and
 * the time taken shows they ran in parallel, in ceil(n / max) rounds (no
 * fewer: no more at once; no more: nothing waits without need, such as for
 * a connection that cannot be shared, plain HTTP/1.1 offering no HTTP/2). */
static void in_flight_case(unsigned max, size_t n, int ms, int tls) {
  unsigned limit = max ? max : 16;
  const char *key = fmt("mif-%u-%zu-%d", max, n, tls);
  coreapi_client *c = new_client();
  tracker t;
  tracker_init(&t, n);
  coreapi_batch *b = new_batch(c, &t, max);
  for (size_t i = 0; i < n; i++) {
    want w = {0};
    const char *path = fmt("/slow?ms=%d&key=%s&i=%zu", ms, key, i);
    w.final_url = tls ? fmt("https://api.test:%d%s", port_https, path) : http_url("api.test", path);
    w.req = new_req("GET", w.final_url, NULL);
    w.status = 200;
    w.contains = "\"ok\": true";
    track_add(&t, b, w);
  }
  coreapi_error err;
  double t0 = now_s();
  CHECK_INT(coreapi_batch_run(b, &err), COREAPI_OK);
  double elapsed = now_s() - t0;
  check_results(fmt("in flight: %u", limit), &t, b);
  char *report = plain_get(http_url("127.0.0.1", fmt("/__peak?key=%s&reset=1", key)));
  long peak = json_long(report, "peak");
  size_t rounds = (n + limit - 1) / limit;
  printf("in flight %u: %zu requests of %d ms%s: peak %ld, %.2f s\n", limit, n, ms,
         tls ? " (https)" : "", peak, elapsed);
  CHECK_INT(json_long(report, "total"), n);
  CHECK(peak <= (long)limit);
  CHECK(peak >= (limit > 1 ? 2 : 1));
  CHECK(elapsed >= (double)rounds * ms / 1000.0 - 0.05);
  int before = check_failures;
  /* One at a time, each round also pays the server's small delays (a
   * delayed ACK): more slack, the bound is about waiting, not speed. */
  double bound = limit == 1 ? (double)rounds * (ms + 60) / 1000.0 + 0.2
                            : ((double)rounds + 0.6) * ms / 1000.0 + (tls ? 0.3 : 0.1);
  CHECK(elapsed < bound);
  if (check_failures != before)
    fprintf(stderr, "  ^ in flight %u: %zu requests of %d ms took %.2f s, not about %zu rounds\n",
            limit, n, ms, elapsed, rounds);
  free(report);
  coreapi_batch_free(b);
  tracker_free(&t);
  coreapi_client_free(c);
}

static void test_in_flight(void) {
  in_flight_case(8, 8, 500, 0);
  in_flight_case(8, 24, 300, 0);
  in_flight_case(1, 4, 200, 0);
  in_flight_case(0, 20, 300, 0);
  /* Over TLS the server offers HTTP/1.1 only (ALPN): no waiting either. */
  in_flight_case(8, 8, 500, 1);
}

/* ------------------------------------------------------------------------- */
/* The done callback                                                           */

static void test_done_callback(void) {
  coreapi_client *c = new_client();
  tracker t;
  tracker_init(&t, 32);
  coreapi_batch *b = new_batch(c, &t, 4);
  t.take_odd = 1;
  t.follow_ups = 5;
  t.busy_checks = 1;
  for (size_t i = 0; i < 20; i++) track_add(&t, b, echo_want("api.test", fmt("cb-%zu", i)));
  coreapi_error err;
  CHECK_INT(coreapi_batch_run(b, &err), COREAPI_OK);
  CHECK_INT(t.n, 25);
  CHECK_INT(t.followed, 5);
  CHECK_INT(t.busy_bad, 0);
  CHECK_INT(t.busy_ok, 25);
  check_results("done callback", &t, b);
  /* What the callback took is the response, and is gone from the batch. */
  for (size_t i = 1; i < t.n; i += 2) {
    char why[512];
    CHECK(t.taken[i] != NULL && matches(&t.w[i], t.taken[i], NULL, why, sizeof why));
    CHECK(coreapi_batch_take(b, i, &err) == NULL);
    CHECK_INT(err.code, COREAPI_ERR_INVALID_ARGUMENT);
    const coreapi_error *e = coreapi_batch_error(b, i);
    CHECK(e != NULL && e->code == COREAPI_OK);
  }
  coreapi_batch_free(b);
  CHECK(!client_is_busy(c));
  tracker_free(&t);
  coreapi_client_free(c);
}

/* One request at a time, each added by the done callback of the one before,
 * when nothing else is pending: the run goes on until the last. */
static void test_done_chain(void) {
  coreapi_client *c = new_client();
  tracker t;
  tracker_init(&t, 8);
  coreapi_batch *b = new_batch(c, &t, 1);
  t.follow_ups = 5;
  track_add(&t, b, echo_want("api.test", "chain-start"));
  coreapi_error err;
  CHECK_INT(coreapi_batch_run(b, &err), COREAPI_OK);
  CHECK_INT(t.n, 6);
  check_results("done callback: a chain of follow-ups", &t, b);
  coreapi_batch_free(b);
  tracker_free(&t);
  coreapi_client_free(c);
}

/* ------------------------------------------------------------------------- */
/* Progress: a non-zero return stops that request only                        */

typedef struct progress_seen {
  size_t n, stop, bad;
  int calls[8];
} progress_seen;

static int on_progress(void *userdata, size_t index, int64_t dltotal, int64_t dlnow,
                       int64_t ultotal, int64_t ulnow) {
  progress_seen *p = userdata;
  (void)dltotal, (void)ultotal, (void)ulnow;
  if (index >= p->n) {
    p->bad++;
    return 0;
  }
  p->calls[index]++;
  return index == p->stop && dlnow > 0;
}

static void test_progress_abort(void) {
  coreapi_client *c = new_client();
  tracker t;
  tracker_init(&t, 8);
  coreapi_batch *b = new_batch(c, &t, 8);
  progress_seen p = {.n = 6, .stop = 2};
  coreapi_error err;
  MUST(coreapi_batch_set_progress(b, on_progress, &p, &err) == COREAPI_OK);
  for (size_t i = 0; i < 6; i++) {
    want w = {0};
    w.final_url = http_url("api.test", fmt("/download?size=4000000&i=%zu", i));
    w.req = new_req("GET", w.final_url, NULL);
    w.status = 200;
    w.len = 4000000;
    if (i == p.stop) w.code = COREAPI_ERR_ABORTED;
    track_add(&t, b, w);
  }
  CHECK_INT(coreapi_batch_run(b, &err), COREAPI_OK);
  check_results("progress: request 2 stopped", &t, b);
  CHECK_INT(p.bad, 0);
  for (size_t i = 0; i < 6; i++) CHECK(p.calls[i] > 0);
  coreapi_batch_free(b);
  tracker_free(&t);
  coreapi_client_free(c);
}

/* ------------------------------------------------------------------------- */
/* Sinks                                                                       */

static coreapi_code sink_begin(void *userdata, const coreapi_response *resp, coreapi_error *err) {
  sink_state *s = userdata;
  (void)err;
  s->begins++;
  s->status = coreapi_response_status(resp);
  s->bytes = 0;
  return COREAPI_OK;
}

static coreapi_code sink_write(void *userdata, const void *data, size_t len, coreapi_error *err) {
  sink_state *s = userdata;
  (void)data;
  if (s->refuse) return coreapi_error_set(err, COREAPI_ERR_IO, "sink refuses");
  s->bytes += len;
  return COREAPI_OK;
}

/* Bodies to sinks: the response keeps none; a sink's refusal fails its own
 * request; a redirect the client follows never reaches the sink (request
 * 4: begin is told of the final response only); the client's max_filesize
 * holds per request (request 5). */
static void test_sinks(void) {
  enum { N = 6 };
  static const coreapi_body_sink sink = {sink_begin, sink_write};
  coreapi_client *c = new_client();
  coreapi_error err;
  MUST(coreapi_client_set_max_filesize(c, 350000, &err) == COREAPI_OK);
  tracker t;
  tracker_init(&t, N);
  coreapi_batch *b = new_batch(c, &t, 0);
  sink_state s[N];
  memset(s, 0, sizeof s);
  s[1].refuse = 1;
  for (size_t i = 0; i < N; i++) {
    want w = {0};
    /* Request 5 is over the client's max_filesize (350000). */
    w.final_url =
        http_url("api.test", fmt("/download?size=%d&i=%zu", i == 5 ? 400000 : 300000, i));
    const char *u = w.final_url;
    if (i == 4) {
      u = http_url("other.test", fmt("/redirect?code=302&to=%s", pct(w.final_url)));
      w.redirects = 1;
    }
    w.req = new_req("GET", u, NULL);
    w.status = 200;
    w.body = ""; /* the body went to the sink */
    if (s[i].refuse) w.code = COREAPI_ERR_IO;
    if (i == 5) w.code = COREAPI_ERR_TOO_LARGE;
    MUST(t.n < t.cap);
    t.w[t.n] = w;
    size_t index = 99;
    MUST(coreapi_batch_add(b, w.req, &sink, &s[i], &index, &err) == COREAPI_OK);
    CHECK_INT(index, t.n);
    t.n++;
  }
  CHECK_INT(coreapi_batch_run(b, &err), COREAPI_OK);
  check_results("sinks", &t, b);
  for (size_t i = 0; i < 5; i++) {
    CHECK_INT(s[i].begins, 1);
    CHECK_INT(s[i].status, 200);
    if (!s[i].refuse) CHECK_INT(s[i].bytes, 300000);
  }
  /* Refused at once by its Content-Length, or stopped at the limit: the
   * sink never receives more than it. */
  CHECK(s[5].bytes <= 350000);
  coreapi_batch_free(b);
  tracker_free(&t);
  coreapi_client_free(c);
}

/* ------------------------------------------------------------------------- */
/* HTTP/1.1 connections kept alive and reused                                  */

static void test_reuse(void) {
  enum { N = 24, MAX = 4 };
  coreapi_client *c = new_client();
  tracker t;
  tracker_init(&t, N);
  coreapi_batch *b = new_batch(c, &t, MAX);
  for (size_t i = 0; i < N; i++) {
    want w = {0};
    w.final_url = http_url("api.test", fmt("/peer?i=%zu", i));
    w.req = new_req("GET", w.final_url, NULL);
    w.status = 200;
    w.contains = "\"port\": ";
    track_add(&t, b, w);
  }
  coreapi_error err;
  CHECK_INT(coreapi_batch_run(b, &err), COREAPI_OK);
  long ports[N];
  size_t distinct = 0;
  for (size_t i = 0; i < N; i++) {
    coreapi_response *r = coreapi_batch_take(b, i, &err);
    CHECK(r != NULL);
    if (!r) continue;
    long p = json_long(coreapi_response_body(r, NULL), "port");
    size_t j = 0;
    while (j < distinct && ports[j] != p) j++;
    if (j == distinct) ports[distinct++] = p;
    coreapi_response_free(r);
  }
  /* At most one connection per request in flight: the others were reused. */
  CHECK(distinct >= 1 && distinct <= MAX);
  if (distinct > MAX) fprintf(stderr, "  ^ reuse: %zu connections for %d requests\n", distinct, N);
  coreapi_batch_free(b);
  tracker_free(&t);
  coreapi_client_free(c);
}

/* ------------------------------------------------------------------------- */
/* Requests added from the batch's other callbacks while it runs              */

typedef struct adder {
  tracker *t;
  coreapi_batch *b;
  int from_progress, from_sink;
} adder;

static adder the_adder;

static int on_progress_add(void *userdata, size_t index, int64_t dltotal, int64_t dlnow,
                           int64_t ultotal, int64_t ulnow) {
  adder *a = userdata;
  (void)index, (void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
  if (!a->from_progress++) track_add(a->t, a->b, echo_want("api.test", "from-progress"));
  return 0;
}

static coreapi_code sink_begin_add(void *userdata, const coreapi_response *resp,
                                   coreapi_error *err) {
  if (!the_adder.from_sink++)
    track_add(the_adder.t, the_adder.b, echo_want("api.test", "from-sink"));
  return sink_begin(userdata, resp, err);
}

/* batch.h: add works "also while the batch runs": from the progress
 * callback and from a sink's begin, the requests added run like the
 * others. */
static void test_add_from_callbacks(void) {
  static const coreapi_body_sink sink = {sink_begin_add, sink_write};
  coreapi_client *c = new_client();
  tracker t;
  tracker_init(&t, 8);
  coreapi_batch *b = new_batch(c, &t, 0);
  the_adder = (adder){&t, b, 0, 0};
  coreapi_error err;
  MUST(coreapi_batch_set_progress(b, on_progress_add, &the_adder, &err) == COREAPI_OK);
  track_add(&t, b, echo_want("api.test", "first"));
  want w = {0};
  w.final_url = http_url("api.test", "/download?size=1000");
  w.req = new_req("GET", w.final_url, NULL);
  w.status = 200;
  w.body = "";
  sink_state s;
  memset(&s, 0, sizeof s);
  t.w[t.n] = w;
  MUST(coreapi_batch_add(b, w.req, &sink, &s, NULL, &err) == COREAPI_OK);
  t.n++;
  CHECK_INT(coreapi_batch_run(b, &err), COREAPI_OK);
  CHECK_INT(t.n, 4);
  check_results("requests added from the progress callback and a sink", &t, b);
  coreapi_batch_free(b);
  tracker_free(&t);
  coreapi_client_free(c);
}
