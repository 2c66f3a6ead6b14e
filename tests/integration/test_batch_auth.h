/*
 * tests/integration/test_batch_auth.h - authentications and the cookie jar
 * in a batch (coreapi/batch.h: "authentications apply and see the
 * responses ... the cookie jar is the client's"); part of test_batch.c's
 * translation unit (included by it).
 */

/* ------------------------------------------------------------------------- */
/* A custom authentication that refreshes its token after a 401               */

typedef struct refresh_state {
  int applies, responses, resends, memo_fail;
} refresh_state;

/* Authorization: Bearer <the token this client learnt, else "old">. */
static coreapi_code refresh_apply(void *state, coreapi_request *req, coreapi_error *err) {
  refresh_state *s = state;
  s->applies++;
  const char *tok = coreapi_request_memo_get(req, "token");
  return coreapi_request_set_header(req, "Authorization", fmt("Bearer %s", tok ? tok : "old"),
                                    err);
}

/* A 401: learn the new token (per client) and send the request again. */
static coreapi_code refresh_on_response(void *state, const coreapi_request *req,
                                        const coreapi_response *resp, int *resend,
                                        coreapi_error *err) {
  refresh_state *s = state;
  s->responses++;
  if (coreapi_response_status(resp) != 401) return COREAPI_OK;
  coreapi_code rc = coreapi_request_memo_set(req, "token", "new", err);
  if (rc != COREAPI_OK) {
    s->memo_fail++;
    return rc;
  }
  *resend = 1;
  s->resends++;
  return COREAPI_OK;
}

static const coreapi_auth_ops refresh_ops = {"refresh", 0, refresh_apply, refresh_on_response,
                                             NULL, NULL};

static want need_auth_want(const char *host, size_t i, long status) {
  want w = {0};
  w.final_url = http_url(host, fmt("/need-auth?value=%s&i=%zu", pct("Bearer new"), i));
  w.req = new_req("GET", w.final_url, NULL);
  w.status = status;
  w.body = status == 200 ? "{\"ok\": true}" : "{\"ok\": false}";
  return w;
}

/* Six requests in scope, all answered 401 to the old token: each is sent
 * again once with the new one (learnt by the client through the memo) and
 * ends 200; two out of scope are not touched (401). The client keeps what
 * the batch's requests taught the authentication. */
/* Every hop of the POSTs of test_resend (odd i) carried the body, the
 * resent ones included. */
static void check_replayed_bodies(void) {
  char *log = plain_get(http_url("127.0.0.1", "/__log"));
  size_t posts = 0;
  for (char *p = log; *p;) {
    char *nl = strchr(p, '\n');
    MUST(nl != NULL);
    *nl = '\0';
    if (strncmp(p, "http POST ", 10) == 0 && strstr(p, "/need-auth?")) {
      posts++;
      CHECK(strlen(p) > 7 && strcmp(p + strlen(p) - 7, " body=9") == 0);
    }
    p = nl + 1;
  }
  CHECK(posts >= 4); /* three in scope, one out of it; the resent ones more */
  free(log);
}

static coreapi_client *refresh_client(refresh_state *s) {
  coreapi_client *c = new_client();
  coreapi_error err;
  coreapi_auth *a = coreapi_auth_new(&refresh_ops, s, "api.test", &err);
  MUST(a != NULL);
  MUST(coreapi_client_add_auth(c, a, &err) == COREAPI_OK);
  coreapi_auth_free(a);
  return c;
}

static void test_resend(void) {
  static refresh_state s;
  coreapi_client *c = refresh_client(&s);
  coreapi_error err;
  tracker t;
  tracker_init(&t, 8);
  coreapi_batch *b = new_batch(c, &t, 0);
  free(plain_get(http_url("127.0.0.1", "/__clear")));
  for (size_t i = 0; i < 8; i++) {
    want w = need_auth_want(i < 6 ? "api.test" : "other.test", i, i < 6 ? 200 : 401);
    if (i % 2 == 1) { /* a POST: its body is sent again with it */
      coreapi_request_free(w.req);
      w.req = new_req("POST", w.final_url, "replay-me");
    }
    track_add(&t, b, w);
  }
  CHECK_INT(coreapi_batch_run(b, &err), COREAPI_OK);
  check_results("resend: a custom authentication after a 401", &t, b);
  check_replayed_bodies();
  CHECK_INT(s.memo_fail, 0);
  CHECK(s.resends >= 1 && s.resends <= 6);
  CHECK_INT(s.applies, 6 + s.resends);
  CHECK_INT(s.responses, s.applies);
  coreapi_batch_free(b);
  /* The new token is the client's now: sent at once. */
  int applies = s.applies, resends = s.resends;
  want w = need_auth_want("api.test", 99, 200);
  coreapi_response *r = NULL;
  CHECK_INT(coreapi_client_send(c, w.req, &r, &err), COREAPI_OK);
  CHECK(r != NULL && coreapi_response_status(r) == 200);
  CHECK_INT(s.applies, applies + 1);
  CHECK_INT(s.resends, resends);
  coreapi_response_free(r);
  coreapi_request_free(w.req);
  tracker_free(&t);
  coreapi_client_free(c);
}

/* The resend with the body to a sink: the batch does what
 * coreapi_client_send_to does (client.h: begin is called again for the new
 * response, the body starts afresh). */
static void test_resend_sink(void) {
  static const coreapi_body_sink sink = {sink_begin, sink_write};
  static refresh_state s1, s2;
  coreapi_client *a = refresh_client(&s1), *bc = refresh_client(&s2);
  sink_state sync_s, batch_s;
  memset(&sync_s, 0, sizeof sync_s);
  memset(&batch_s, 0, sizeof batch_s);
  want w = need_auth_want("api.test", 50, 200);
  coreapi_response *r = NULL;
  coreapi_error err;
  CHECK_INT(coreapi_client_send_to(a, w.req, &sink, &sync_s, &r, &err), COREAPI_OK);
  long sync_status = r ? coreapi_response_status(r) : 0;
  coreapi_response_free(r);
  coreapi_batch *b = new_batch(bc, NULL, 0);
  MUST(coreapi_batch_add(b, w.req, &sink, &batch_s, NULL, &err) == COREAPI_OK);
  CHECK_INT(coreapi_batch_run(b, &err), COREAPI_OK);
  r = coreapi_batch_take(b, 0, &err);
  CHECK_INT(r ? coreapi_response_status(r) : 0, sync_status);
  coreapi_response_free(r);
  CHECK_INT(sync_status, 200);
  CHECK_INT(sync_s.bytes, strlen("{\"ok\": true}"));
  CHECK_INT(s1.resends, 1);
  CHECK_INT(s2.resends, s1.resends);
  CHECK_INT(batch_s.begins, sync_s.begins);
  CHECK_INT(batch_s.status, sync_s.status);
  CHECK_INT(batch_s.bytes, sync_s.bytes);
  coreapi_batch_free(b);
  coreapi_request_free(w.req);
  coreapi_client_free(a);
  coreapi_client_free(bc);
}

/* ------------------------------------------------------------------------- */
/* The cookie jar is the client's                                              */

static want cookie_echo_want(const char *host, const char *tag, int with_cookie) {
  want w = {0};
  w.final_url = http_url(host, fmt("/echo/%s", tag));
  w.req = new_req(with_cookie ? "POST" : "GET", w.final_url, with_cookie ? "{}" : NULL);
  w.status = 200;
  if (with_cookie) {
    w.contains = "\"cookie\": \"csrftoken=batch1\"";
    w.contains2 = "\"x-csrftoken\": \"batch1\"";
  } else {
    w.absent = "\"cookie\"";
  }
  return w;
}

/* When request 0 (which sets the cookie) completes, requests that need it. */
static void on_done_cookie(void *userdata, coreapi_batch *b, size_t index,
                           const coreapi_response *resp, const coreapi_error *err) {
  tracker *t = userdata;
  on_done(userdata, b, index, resp, err);
  if (index != 0) return;
  track_add(t, b, cookie_echo_want("api.test", "after-cookie", 1));
  track_add(t, b, cookie_echo_want("other.test", "after-cookie", 0));
}

static void test_cookies(void) {
  coreapi_client *c = new_client();
  coreapi_error err;
  coreapi_auth *a = coreapi_auth_session_new("csrftoken", "X-CSRFToken", "api.test", &err);
  MUST(a != NULL);
  MUST(coreapi_client_add_auth(c, a, &err) == COREAPI_OK);
  coreapi_auth_free(a);
  tracker t;
  tracker_init(&t, 8);
  coreapi_batch *b = new_batch(c, &t, 0);
  MUST(coreapi_batch_set_done(b, on_done_cookie, &t, &err) == COREAPI_OK);
  want w = {0};
  w.final_url = http_url("api.test", "/set-cookie?name=csrftoken&value=batch1");
  w.req = new_req("GET", w.final_url, NULL);
  w.status = 200;
  w.body = "ok";
  track_add(&t, b, w);
  /* Out of the Session's scope: not stored. */
  w.final_url = http_url("other.test", "/set-cookie?name=csrftoken&value=evil");
  w.req = new_req("GET", w.final_url, NULL);
  track_add(&t, b, w);
  CHECK_INT(coreapi_batch_run(b, &err), COREAPI_OK);
  CHECK_INT(t.n, 4);
  check_results("cookies: the jar is the client's", &t, b);
  coreapi_batch_free(b);
  /* And coreapi_client_send after the batch uses the same jar. */
  want after = cookie_echo_want("api.test", "after-batch", 1);
  coreapi_response *r = NULL;
  char why[512];
  CHECK_INT(coreapi_client_send(c, after.req, &r, &err), COREAPI_OK);
  CHECK(matches(&after, r, NULL, why, sizeof why));
  coreapi_response_free(r);
  coreapi_request_free(after.req);
  tracker_free(&t);
  coreapi_client_free(c);
}

/* ------------------------------------------------------------------------- */
/* A batch run again after the client's TLS settings changed                  */

static want tls_want(size_t i, coreapi_code code) {
  want w = {0};
  w.final_url = fmt("https://api.test:%d/echo?status=200&body=tls-%zu", port_https, i);
  w.req = new_req("GET", w.final_url, NULL);
  w.status = 200;
  w.body = fmt("tls-%zu", i);
  w.code = code;
  return w;
}

/* Run 1 verifies the server with the test CA and keeps its connections;
 * then the CA file is one that did not sign the server's certificate: run
 * 2 of the same batch must not reuse a connection verified under the old
 * setting (client.h: afresh, no open connection, no TLS session), so its
 * requests fail with ERR_TLS; run 3, the right CA again, succeeds. The
 * indices go on across runs and the results of earlier runs stay. */
static void test_tls_rerun(void) {
  const char *wrong_ca = getenv("COREAPI_TEST_CLIENT_CERT"); /* signed by the CA, not it */
  MUST(wrong_ca != NULL && *wrong_ca);
  coreapi_client *c = new_client();
  coreapi_error err;
  tracker t;
  tracker_init(&t, 8);
  coreapi_batch *b = new_batch(c, &t, 0);
  for (size_t i = 0; i < 2; i++) track_add(&t, b, tls_want(t.n, COREAPI_OK));
  CHECK_INT(coreapi_batch_run(b, &err), COREAPI_OK);
  CHECK_INT(coreapi_client_set_ca_bundle(c, wrong_ca, &err), COREAPI_OK);
  for (size_t i = 0; i < 2; i++) track_add(&t, b, tls_want(t.n, COREAPI_ERR_TLS));
  CHECK_INT(coreapi_batch_pending(b), 2);
  CHECK_INT(coreapi_batch_run(b, &err), COREAPI_OK);
  CHECK_INT(coreapi_client_set_ca_bundle(c, ca_file, &err), COREAPI_OK);
  for (size_t i = 0; i < 2; i++) track_add(&t, b, tls_want(t.n, COREAPI_OK));
  CHECK_INT(coreapi_batch_run(b, &err), COREAPI_OK);
  check_results("TLS settings changed between runs of one batch", &t, b);
  coreapi_batch_free(b);
  tracker_free(&t);
  coreapi_client_free(c);
}

/* ------------------------------------------------------------------------- */
/* Debug output from a batch: secrets redacted as in coreapi_client_send      */

typedef struct debug_text {
  char *text;
  size_t len;
  int chunks;
} debug_text;

static void on_debug_keep(void *userdata, coreapi_debug_type type, const char *text, size_t len) {
  debug_text *d = userdata;
  if (type != COREAPI_DEBUG_HEADER_OUT && type != COREAPI_DEBUG_HEADER_IN) return;
  char *p = realloc(d->text, d->len + len + 2);
  MUST(p != NULL);
  d->text = p;
  memcpy(d->text + d->len, text, len);
  d->len += len;
  d->text[d->len++] = '\n';
  d->text[d->len] = '\0';
  d->chunks++;
}

static size_t count_of(const char *s, const char *what) {
  size_t n = 0;
  for (const char *p = s; (p = strstr(p, what)) != NULL; p += strlen(what)) n++;
  return n;
}

/* Token and Session credentials, a client-level extra header (an API key),
 * cookies set and sent: none of their values reaches the debug callback. */
static void test_debug_redaction(void) {
  coreapi_client *c = new_client();
  coreapi_error err;
  coreapi_auth *tok = coreapi_auth_token_new("tok-secret-4711", "Token", "api.test", &err);
  coreapi_auth *ses = coreapi_auth_session_new("csrftoken", "X-CSRFToken", "other.test", &err);
  MUST(tok && ses);
  MUST(coreapi_client_add_auth(c, tok, &err) == COREAPI_OK);
  MUST(coreapi_client_add_auth(c, ses, &err) == COREAPI_OK);
  coreapi_auth_free(tok);
  coreapi_auth_free(ses);
  MUST(coreapi_client_add_header(c, "X-Api-Key", "key-secret-0815", &err) == COREAPI_OK);
  debug_text d = {NULL, 0, 0};
  MUST(coreapi_client_set_debug(c, on_debug_keep, &d, &err) == COREAPI_OK);
  tracker t;
  tracker_init(&t, 16);
  coreapi_batch *b = new_batch(c, &t, 0);
  want w = {0};
  w.final_url = http_url("other.test", "/set-cookie?name=csrftoken&value=cookie-secret-42");
  w.req = new_req("GET", w.final_url, NULL);
  w.status = 200;
  w.body = "ok";
  track_add(&t, b, w);
  for (size_t i = 0; i < 6; i++) track_add(&t, b, echo_want("api.test", fmt("dbg-%zu", i)));
  CHECK_INT(coreapi_batch_run(b, &err), COREAPI_OK);
  /* The cookie stored: a second run, a POST that sends it and its token. */
  want p = {0};
  p.final_url = http_url("other.test", "/echo/dbg-post");
  p.req = new_req("POST", p.final_url, "{}");
  p.status = 200;
  p.contains = "\"x-csrftoken\": \"cookie-secret-42\"";
  p.contains2 = "\"cookie\": \"csrftoken=cookie-secret-42\"";
  track_add(&t, b, p);
  CHECK_INT(coreapi_batch_run(b, &err), COREAPI_OK);
  check_results("debug output of a batch", &t, b);
  MUST(d.text != NULL);
  CHECK(strstr(d.text, "tok-secret-4711") == NULL);
  CHECK(strstr(d.text, "key-secret-0815") == NULL);
  /* The cookie's value is in /set-cookie's request line (the URL), nowhere
   * else: not in Set-Cookie, Cookie or X-CSRFToken. */
  CHECK_INT(count_of(d.text, "cookie-secret-42"),
            count_of(d.text, "GET /set-cookie?name=csrftoken&value=cookie-secret-42 "));
  CHECK_INT(count_of(d.text, "GET /set-cookie?name=csrftoken&value=cookie-secret-42 "), 1);
  /* Authorization and X-Api-Key of 6 requests, X-Api-Key and Set-Cookie of
   * the first, Cookie, X-CSRFToken and X-Api-Key of the POST. */
  CHECK(count_of(d.text, "[redacted]") >= 6 * 2 + 2 + 3);
  CHECK(d.chunks >= 14);
  coreapi_batch_free(b);
  free(d.text);
  tracker_free(&t);
  coreapi_client_free(c);
}

/* ------------------------------------------------------------------------- */
/* Client certificates under scope, connections shared by the batch           */

/* The client's own certificate is the "*" pattern (client.h): presented to
 * the first request's origin only. Run 1 makes verified connections to
 * api.test on the mutual TLS listener; run 2, on the same batch (the
 * connections kept), reaches api.test there after a redirect from another
 * origin, where no certificate may be presented: nginx must not see one
 * (400), whatever connection libcurl has at hand; and api.test's /to-other
 * reaches other.test with none ("other NONE"). */
static void test_cert_scope(void) {
  int mtls = env_port("COREAPI_TEST_NGINX_MTLS_PORT");
  const char *cert = getenv("COREAPI_TEST_CLIENT_CERT"), *key = getenv("COREAPI_TEST_CLIENT_KEY");
  MUST(cert && key);
  coreapi_client *c = new_client();
  coreapi_error err;
  MUST(coreapi_client_add_resolve(c, fmt("api.test:%d:127.0.0.1", mtls), &err) == COREAPI_OK);
  MUST(coreapi_client_add_resolve(c, fmt("other.test:%d:127.0.0.1", mtls), &err) == COREAPI_OK);
  MUST(coreapi_client_set_client_cert(c, cert, key, &err) == COREAPI_OK);
  tracker t;
  tracker_init(&t, 12);
  coreapi_batch *b = new_batch(c, &t, 0);
  for (size_t i = 0; i < 4; i++) {
    want w = {0};
    w.final_url = fmt("https://api.test:%d/?a=%zu", mtls, i);
    w.req = new_req("GET", w.final_url, NULL);
    w.status = 200;
    w.body = "verified SUCCESS CN=coreapi test client\n";
    track_add(&t, b, w);
  }
  CHECK_INT(coreapi_batch_run(b, &err), COREAPI_OK);
  for (size_t i = 0; i < 4; i++) {
    want w = {0};
    w.final_url = fmt("https://api.test:%d/?c=%zu", mtls, i);
    w.req = new_req("GET", http_url("other.test", fmt("/redirect?code=302&to=%s",
                                                      pct(w.final_url))), NULL);
    w.status = 400;
    w.contains = "No required SSL certificate was sent";
    w.redirects = 1;
    track_add(&t, b, w);
  }
  for (size_t i = 0; i < 2; i++) {
    want w = {0};
    w.final_url = fmt("https://other.test:%d/whoami", mtls);
    w.req = new_req("GET", fmt("https://api.test:%d/to-other?d=%zu", mtls, i), NULL);
    w.status = 200;
    w.body = "other NONE \n";
    w.redirects = 1;
    track_add(&t, b, w);
  }
  CHECK_INT(coreapi_batch_run(b, &err), COREAPI_OK);
  check_results("client certificate scope in a batch", &t, b);
  coreapi_batch_free(b);
  tracker_free(&t);
  coreapi_client_free(c);
}

/* ------------------------------------------------------------------------- */
/* Per-host transport settings on the batch's pooled handles                  */

static want pooled_want(const char *u, const char *final, unsigned redirects, coreapi_code code) {
  want w = {0};
  w.final_url = final;
  w.req = new_req("GET", u, NULL);
  w.status = 200;
  w.redirects = redirects;
  w.code = code;
  return w;
}

/* One request at a time, so one easy handle serves them all: each hop gets
 * its host's settings, none left over from the hop before (client.h: decided
 * afresh for every hop, by the hop's host). The client's CA file is one that
 * did not sign the servers' certificate; api.test alone has TLS verification
 * off; slow.test has its 400 ms timeout. */
static void test_pooled_settings(void) {
  const char *wrong_ca = getenv("COREAPI_TEST_CLIENT_CERT");
  MUST(wrong_ca != NULL);
  coreapi_client *c = new_client();
  coreapi_error err;
  MUST(coreapi_client_set_ca_bundle(c, wrong_ca, &err) == COREAPI_OK);
  coreapi_host_settings api = {0};
  api.verify_tls = COREAPI_TLS_NO_VERIFY;
  MUST(coreapi_client_add_host_settings(c, "api.test", &api, &err) == COREAPI_OK);
  tracker t;
  tracker_init(&t, 8);
  coreapi_batch *b = new_batch(c, &t, 1);
  const char *a = fmt("https://api.test:%d/echo/pooled-a", port_https);
  const char *o = fmt("https://other.test:%d/echo/pooled-o", port_https);
  const char *a2o = fmt("https://api.test:%d/redirect?code=302&to=%s", port_https, pct(o));
  const char *fast = http_url("slow.test", "/slow?ms=100");
  const char *slow = http_url("api.test", "/slow?ms=700");
  track_add(&t, b, pooled_want(a, a, 0, COREAPI_OK));
  track_add(&t, b, pooled_want(o, o, 0, COREAPI_ERR_TLS));
  track_add(&t, b, pooled_want(a, a, 0, COREAPI_OK));
  track_add(&t, b, pooled_want(a2o, o, 1, COREAPI_ERR_TLS));
  track_add(&t, b, pooled_want(fast, fast, 0, COREAPI_OK));
  track_add(&t, b, pooled_want(slow, slow, 0, COREAPI_OK)); /* not slow.test's 400 ms */
  CHECK_INT(coreapi_batch_run(b, &err), COREAPI_OK);
  check_results("per-host settings on one pooled handle", &t, b);
  coreapi_batch_free(b);
  tracker_free(&t);
  coreapi_client_free(c);
}

/* ------------------------------------------------------------------------- */
/* The batch's connections (batch.h: kept across runs of the same batch until */
/* the client's TLS settings, resolve list or debug callback change; a new    */
/* batch connects afresh; not the client's own)                               */

/* Run n GETs of /peer through b (at most 2 in flight): the client ports
 * they came from, into ports (distinct, at most 2 expected). */
static size_t peer_run(coreapi_batch *b, size_t n, long *ports) {
  coreapi_error err;
  coreapi_request *reqs[8];
  size_t first = coreapi_batch_count(b), distinct = 0;
  MUST(n <= 8);
  for (size_t i = 0; i < n; i++) {
    reqs[i] = new_req("GET", http_url("api.test", fmt("/peer?run=%zu&i=%zu", first, i)), NULL);
    MUST(coreapi_batch_add(b, reqs[i], NULL, NULL, NULL, &err) == COREAPI_OK);
  }
  CHECK_INT(coreapi_batch_run(b, &err), COREAPI_OK);
  for (size_t i = 0; i < n; i++) {
    coreapi_response *r = coreapi_batch_take(b, first + i, &err);
    CHECK(r != NULL && coreapi_response_status(r) == 200);
    long p = r ? json_long(coreapi_response_body(r, NULL), "port") : -1;
    size_t j = 0;
    while (j < distinct && ports[j] != p) j++;
    if (j == distinct) ports[distinct++] = p;
    coreapi_response_free(r);
    coreapi_request_free(reqs[i]);
  }
  return distinct;
}

static int any_common(const long *a, size_t na, const long *b, size_t nb) {
  for (size_t i = 0; i < na; i++)
    for (size_t j = 0; j < nb; j++)
      if (a[i] == b[j]) return 1;
  return 0;
}

static int all_in(const long *a, size_t na, const long *b, size_t nb) {
  for (size_t i = 0; i < na; i++)
    if (!any_common(&a[i], 1, b, nb)) return 0;
  return 1;
}

static void debug_nothing(void *userdata, coreapi_debug_type type, const char *text, size_t len) {
  (void)userdata, (void)type, (void)text, (void)len;
}

static void test_connections(void) {
  long p1[8], p2[8], p3[8], p4[8], p5[8], p6[8];
  coreapi_client *c = new_client();
  coreapi_error err;
  coreapi_batch *b = new_batch(c, NULL, 2);
  size_t n1 = peer_run(b, 4, p1);
  CHECK(n1 >= 1 && n1 <= 2);
  /* The client's own connection is another. */
  coreapi_response *r = NULL;
  MUST(coreapi_client_request(c, "GET", http_url("api.test", "/peer?own=1"), NULL, NULL, 0, &r,
                              &err) == COREAPI_OK);
  long own = json_long(coreapi_response_body(r, NULL), "port");
  coreapi_response_free(r);
  CHECK(!any_common(&own, 1, p1, n1));
  /* Run 2, and after a setting that is none of those: the same ones. */
  size_t n2 = peer_run(b, 4, p2);
  CHECK(all_in(p2, n2, p1, n1));
  MUST(coreapi_client_set_timeout_ms(c, 14000, &err) == COREAPI_OK);
  size_t n3 = peer_run(b, 4, p3);
  CHECK(all_in(p3, n3, p1, n1));
  /* A new batch connects afresh. */
  coreapi_batch *b2 = new_batch(c, NULL, 2);
  size_t n4 = peer_run(b2, 2, p4);
  CHECK(!any_common(p4, n4, p1, n1));
  coreapi_batch_free(b2);
  /* The debug callback, the resolve list: afresh. */
  MUST(coreapi_client_set_debug(c, debug_nothing, NULL, &err) == COREAPI_OK);
  size_t n5 = peer_run(b, 4, p5);
  CHECK(!any_common(p5, n5, p1, n1) && !any_common(p5, n5, p4, n4));
  MUST(coreapi_client_add_resolve(c, "unused.test:1:127.0.0.1", &err) == COREAPI_OK);
  size_t n6 = peer_run(b, 4, p6);
  CHECK(!any_common(p6, n6, p5, n5) && !any_common(p6, n6, p1, n1));
  coreapi_batch_free(b);
  coreapi_client_free(c);
}
