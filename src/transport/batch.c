/*
 * transport/batch.c - many requests in flight through libcurl's multi
 * interface (coreapi/batch.h). Each request is an exchange (exchange.c):
 * the same steps as the client's blocking send, the planner deciding every
 * hop; only the transfers differ, run side by side on a pool of easy
 * handles, at most max_in_flight, in one multi handle whose connections
 * (kept alive, HTTP/2 multiplexed) all of them share. The multi handle and
 * its easy handles outlive a run and are made afresh when the client's TLS
 * or handle settings changed since (tls_handle.c says why connections must
 * not outlive their settings).
 */
#include <stdlib.h>
#include <string.h>

#include "client_impl.h"
#include "coreapi/batch.h"

#define DEFAULT_MAX_IN_FLIGHT 16u

enum { QUEUED, RUNNING, DONE };

typedef struct item {
  coreapi_batch *batch;
  size_t index;
  const coreapi_request *req;
  const coreapi_body_sink *sink;
  void *sink_data;
  int state;
  int taken;
  coreapi__exchange *x;   /* while running */
  coreapi__easy *easy;    /* while a hop is in flight */
  coreapi_response *resp; /* once done, until taken */
  coreapi_error *err;     /* once done: why it failed (NULL: it did not) */
} item;

struct coreapi_batch {
  coreapi_client *client;
  CURLM *multi;
  uint64_t tls_epoch, handle_epoch; /* the client's when the handles were made */
  coreapi__easy *easies;            /* max slots, easy_count of them open */
  size_t easy_count;
  coreapi__easy **idle;             /* open and not in flight */
  size_t idle_count;
  item **items;
  size_t count, cap;
  size_t next;      /* items[next] is the first not started */
  size_t pending;   /* added and not done */
  size_t in_flight; /* started and not done */
  unsigned max;
  int running;      /* started, pending > 0: the client is busy */
  int in_callback;
  coreapi_batch_done_fn done;
  void *done_data;
  coreapi_batch_progress_fn progress;
  void *progress_data;
  coreapi_batch_socket_fn on_socket;
  coreapi_batch_timer_fn on_timer;
  void *loop_data;
};

static const coreapi_error no_error = {COREAPI_OK, 0, {0}};
static const coreapi_error oom_error = {COREAPI_ERR_OUT_OF_MEMORY, 0, "out of memory"};

#define CHECK_BATCH(b, err)                                                                   \
  do {                                                                                        \
    coreapi_error_clear(err);                                                                 \
    if ((b) == NULL)                                                                          \
      return coreapi_error_set(err, COREAPI_ERR_INVALID_ARGUMENT, "batch is NULL");          \
  } while (0)

#define CHECK_IDLE(b, err)                                                                    \
  do {                                                                                        \
    CHECK_BATCH(b, err);                                                                      \
    if ((b)->running)                                                                         \
      return coreapi_error_set(err, COREAPI_ERR_INVALID_ARGUMENT,                             \
                               "the batch is running: set it up before it starts");           \
  } while (0)

coreapi_batch *coreapi_batch_new(coreapi_client *client, coreapi_error *err) {
  coreapi_batch *b;
  coreapi_error_clear(err);
  if (client == NULL) {
    coreapi_error_set(err, COREAPI_ERR_INVALID_ARGUMENT, "client is NULL");
    return NULL;
  }
  if ((b = calloc(1, sizeof(*b))) == NULL) {
    COREAPI__OOM(err);
    return NULL;
  }
  b->client = client;
  b->max = DEFAULT_MAX_IN_FLIGHT;
  return b;
}

/* Close the handles (none in flight). */
static void drop_handles(coreapi_batch *b) {
  for (size_t i = 0; i < b->easy_count; i++) {
    if (b->multi != NULL)
      curl_multi_remove_handle(b->multi, b->easies[i].curl); /* no-op unless added */
    coreapi__easy_close(&b->easies[i]);
  }
  if (b->multi != NULL)
    curl_multi_cleanup(b->multi);
  b->multi = NULL;
  free(b->easies);
  b->easies = NULL;
  free(b->idle);
  b->idle = NULL;
  b->easy_count = b->idle_count = 0;
}

/* Take the item's transfer, if one is in flight, out of libcurl's hands
 * (what it received is dropped) and its handle back to the idle ones. */
static void stop_transfer(coreapi_batch *b, item *it) {
  coreapi_response *r = NULL;
  if (it->easy == NULL)
    return;
  curl_multi_remove_handle(b->multi, it->easy->curl);
  coreapi__backend_end(it->easy, CURLE_ABORTED_BY_CALLBACK, &r, NULL);
  coreapi_response_free(r);
  it->easy->progress_ctx = NULL;
  b->idle[b->idle_count++] = it->easy;
  it->easy = NULL;
}

/* Stop every request in flight without telling anyone (freeing). */
static void abandon(coreapi_batch *b) {
  for (size_t i = 0; i < b->count; i++) {
    item *it = b->items[i];
    stop_transfer(b, it);
    if (it->x != NULL) {
      coreapi__exchange_free(it->x);
      free(it->x);
      it->x = NULL;
    }
  }
}

void coreapi_batch_free(coreapi_batch *b) {
  if (b == NULL)
    return;
  if (b->running) {
    abandon(b);
    b->client->busy = 0;
  }
  drop_handles(b);
  for (size_t i = 0; i < b->count; i++) {
    coreapi_response_free(b->items[i]->resp);
    free(b->items[i]->err);
    free(b->items[i]);
  }
  free(b->items);
  free(b);
}

coreapi_code coreapi_batch_set_max_in_flight(coreapi_batch *b, unsigned n, coreapi_error *err) {
  CHECK_IDLE(b, err);
  if (n < 1 || n > COREAPI_BATCH_MAX_IN_FLIGHT)
    return coreapi_error_set(err, COREAPI_ERR_INVALID_ARGUMENT,
                             "requests in flight must be 1 to %u", COREAPI_BATCH_MAX_IN_FLIGHT);
  if (n != b->max)
    drop_handles(b);
  b->max = n;
  return COREAPI_OK;
}

coreapi_code coreapi_batch_set_done(coreapi_batch *b, coreapi_batch_done_fn fn, void *userdata,
                                    coreapi_error *err) {
  CHECK_IDLE(b, err);
  b->done = fn;
  b->done_data = userdata;
  return COREAPI_OK;
}

coreapi_code coreapi_batch_set_progress(coreapi_batch *b, coreapi_batch_progress_fn fn,
                                        void *userdata, coreapi_error *err) {
  CHECK_IDLE(b, err);
  if ((fn != NULL) != (b->progress != NULL))
    drop_handles(b); /* the handles' progress option changes */
  b->progress = fn;
  b->progress_data = userdata;
  return COREAPI_OK;
}

coreapi_code coreapi_batch_set_event_loop(coreapi_batch *b, coreapi_batch_socket_fn on_socket,
                                          coreapi_batch_timer_fn on_timer, void *userdata,
                                          coreapi_error *err) {
  CHECK_IDLE(b, err);
  if ((on_socket == NULL) != (on_timer == NULL))
    return coreapi_error_set(err, COREAPI_ERR_INVALID_ARGUMENT,
                             "an event loop needs both a socket and a timer callback");
  drop_handles(b); /* the multi handle's callbacks change */
  b->on_socket = on_socket;
  b->on_timer = on_timer;
  b->loop_data = userdata;
  return COREAPI_OK;
}

size_t coreapi_batch_pending(const coreapi_batch *b) { return b != NULL ? b->pending : 0; }

size_t coreapi_batch_count(const coreapi_batch *b) { return b != NULL ? b->count : 0; }

const coreapi_error *coreapi_batch_error(const coreapi_batch *b, size_t index) {
  const item *it;
  if (b == NULL || index >= b->count || (it = b->items[index])->state != DONE)
    return NULL;
  return it->err != NULL ? it->err : &no_error;
}

coreapi_response *coreapi_batch_take(coreapi_batch *b, size_t index, coreapi_error *err) {
  item *it;
  coreapi_response *r;
  coreapi_error_clear(err);
  if (b == NULL || index >= b->count) {
    coreapi_error_set(err, COREAPI_ERR_INVALID_ARGUMENT, "no request %zu in the batch", index);
    return NULL;
  }
  it = b->items[index];
  if (it->state != DONE || it->taken) {
    coreapi_error_set(err, COREAPI_ERR_INVALID_ARGUMENT,
                      it->taken ? "the response of request %zu was taken already"
                                : "request %zu has not completed",
                      index);
    return NULL;
  }
  if (it->resp == NULL) {
    if (err != NULL)
      *err = it->err != NULL ? *it->err : oom_error;
    return NULL;
  }
  r = it->resp;
  it->resp = NULL;
  it->taken = 1;
  return r;
}

/* --- running ---------------------------------------------------------------- */

static void fill(coreapi_batch *b);

coreapi_code coreapi_batch_add(coreapi_batch *b, const coreapi_request *req,
                               const coreapi_body_sink *sink, void *sink_data, size_t *index,
                               coreapi_error *err) {
  item *it;
  CHECK_BATCH(b, err);
  if (req == NULL)
    return coreapi_error_set(err, COREAPI_ERR_INVALID_ARGUMENT, "request is NULL");
  if (sink != NULL && (sink->begin == NULL || sink->write == NULL))
    return coreapi_error_set(err, COREAPI_ERR_INVALID_ARGUMENT,
                             "a body sink needs begin and write functions");
  if (b->count == b->cap) {
    size_t cap = b->cap ? b->cap * 2 : 16;
    item **items = realloc(b->items, cap * sizeof(*items));
    if (items == NULL)
      return COREAPI__OOM(err);
    b->items = items;
    b->cap = cap;
  }
  if ((it = calloc(1, sizeof(*it))) == NULL)
    return COREAPI__OOM(err);
  it->batch = b;
  it->index = b->count;
  it->req = req;
  it->sink = sink;
  it->sink_data = sink_data;
  it->state = QUEUED;
  b->items[b->count++] = it;
  b->pending++;
  if (index != NULL)
    *index = it->index;
  if (b->running && b->in_callback == 0)
    fill(b); /* the event-loop form, between events */
  return COREAPI_OK;
}

/* The request is done: its result kept, the done callback told. */
static void complete(coreapi_batch *b, item *it, coreapi_response *resp,
                     const coreapi_error *why) {
  if (it->x != NULL) {
    coreapi__exchange_free(it->x);
    free(it->x);
    it->x = NULL;
  }
  it->state = DONE;
  it->resp = resp;
  if (resp == NULL && (it->err = malloc(sizeof(*it->err))) != NULL)
    *it->err = why != NULL ? *why : oom_error;
  b->in_flight--;
  b->pending--;
  if (b->done != NULL) {
    b->in_callback++;
    b->done(b->done_data, b, it->index, resp, resp != NULL ? &no_error
                                              : it->err != NULL ? it->err : &oom_error);
    b->in_callback--;
  }
}

static int item_progress(void *ctx, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                         curl_off_t ulnow) {
  item *it = ctx;
  coreapi_batch *b = it->batch;
  return b->progress != NULL &&
         b->progress(b->progress_data, it->index, dltotal, dlnow, ultotal, ulnow) != 0;
}

/* An easy handle for a hop: an idle one, or a new one. NULL with err set. */
static coreapi__easy *take_easy(coreapi_batch *b, coreapi_error *err) {
  coreapi__easy *e;
  if (b->idle_count > 0)
    return b->idle[--b->idle_count];
  if (b->easy_count == b->max) {
    coreapi_error_set(err, COREAPI_ERR_INTERNAL, "no easy handle left in the batch");
    return NULL;
  }
  e = &b->easies[b->easy_count];
  if (coreapi__easy_open(e, b->client, 1, err) != COREAPI_OK)
    return NULL;
  b->easy_count++;
  e->progress = item_progress;
  e->progress_on = b->progress != NULL;
  curl_easy_setopt(e->curl, CURLOPT_NOPROGRESS, e->progress_on ? 0L : 1L);
  return e;
}

/* Plan the item's next hop and hand it to libcurl; on failure the item
 * completes with the error. */
static void launch(coreapi_batch *b, item *it) {
  coreapi_error err = {COREAPI_OK, 0, {0}};
  coreapi__easy *e = NULL;
  coreapi__exchange *x = it->x;
  coreapi_code rc = coreapi__exchange_plan(x, &err);
  if (rc == COREAPI_OK && (e = take_easy(b, &err)) == NULL)
    rc = err.code;
  if (rc == COREAPI_OK) {
    e->sink = it->sink;
    e->sink_data = it->sink_data;
    e->progress_ctx = it;
    rc = coreapi__backend_begin(e, x->plan.req, x->plan.cookies, &x->plan.transport, &err);
  }
  if (rc == COREAPI_OK && curl_multi_add_handle(b->multi, e->curl) != CURLM_OK) {
    coreapi_response *r = NULL;
    coreapi__backend_end(e, CURLE_OK, &r, NULL);
    coreapi_response_free(r);
    rc = coreapi_error_set(&err, COREAPI_ERR_INTERNAL, "libcurl refused a transfer");
  }
  if (rc == COREAPI_OK) {
    it->easy = e;
    return;
  }
  if (e != NULL)
    b->idle[b->idle_count++] = e;
  complete(b, it, NULL, &err);
}

/* Start queued items while there is room. */
static void fill(coreapi_batch *b) {
  while (b->in_flight < b->max && b->next < b->count) {
    item *it = b->items[b->next++];
    coreapi_error err = {COREAPI_OK, 0, {0}};
    it->state = RUNNING;
    b->in_flight++;
    if ((it->x = malloc(sizeof(*it->x))) == NULL) {
      complete(b, it, NULL, &oom_error);
      continue;
    }
    if (coreapi__exchange_start(it->x, b->client, it->req, &err) != COREAPI_OK) {
      free(it->x); /* a failed start holds nothing */
      it->x = NULL;
      complete(b, it, NULL, &err);
      continue;
    }
    launch(b, it);
  }
}

/* A transfer is done: the item's exchange takes its response, and goes on
 * to another hop or completes. */
static void transfer_done(coreapi_batch *b, coreapi__easy *e, CURLcode cc) {
  item *it = e->progress_ctx;
  coreapi_response *resp = NULL, *final = NULL;
  coreapi_error err = {COREAPI_OK, 0, {0}};
  int done = 0;
  coreapi_code rc;
  curl_multi_remove_handle(b->multi, e->curl);
  rc = coreapi__backend_end(e, cc, &resp, &err);
  it->easy = NULL;
  e->progress_ctx = NULL;
  b->idle[b->idle_count++] = e;
  if (rc == COREAPI_OK)
    rc = coreapi__exchange_answer(it->x, resp, &done, &final, &err);
  if (rc != COREAPI_OK)
    complete(b, it, NULL, &err);
  else if (done)
    complete(b, it, final, NULL);
  else
    launch(b, it);
}

/* Take libcurl's finished transfers, then start what there is room for. */
static void drain(coreapi_batch *b) {
  CURLMsg *msg;
  int left;
  while ((msg = curl_multi_info_read(b->multi, &left)) != NULL) {
    coreapi__easy *e = NULL;
    if (msg->msg != CURLMSG_DONE)
      continue;
    curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&e);
    if (e != NULL && e->progress_ctx != NULL)
      transfer_done(b, e, msg->data.result);
  }
  fill(b);
}

/* The run is over (nothing pending): the client is free again. */
static void finish(coreapi_batch *b) {
  if (b->running && b->pending == 0) {
    b->running = 0;
    b->client->busy = 0;
  }
}

/* Fail every pending request with why (the batch itself failed). */
static coreapi_code fail_all(coreapi_batch *b, coreapi_error *err) {
  coreapi_error why = *err;
  b->next = b->count; /* nothing more starts */
  for (size_t i = 0; i < b->count; i++) {
    item *it = b->items[i];
    if (it->state == DONE)
      continue;
    stop_transfer(b, it);
    if (it->state == QUEUED)
      b->in_flight++; /* complete counts it out */
    complete(b, it, NULL, &why);
  }
  finish(b);
  return why.code;
}

static int socket_cb(CURL *easy, curl_socket_t s, int what, void *userp, void *socketp) {
  coreapi_batch *b = userp;
  int events = 0;
  (void)easy;
  (void)socketp;
  if (what == CURL_POLL_REMOVE)
    events = COREAPI_POLL_REMOVE;
  else
    events = (what & CURL_POLL_IN ? COREAPI_POLL_IN : 0) | (what & CURL_POLL_OUT ? COREAPI_POLL_OUT : 0);
  return b->on_socket(b->loop_data, (int)s, events) == 0 ? 0 : -1;
}

static int timer_cb(CURLM *multi, long timeout_ms, void *userp) {
  coreapi_batch *b = userp;
  (void)multi;
  return b->on_timer(b->loop_data, timeout_ms) == 0 ? 0 : -1;
}

/* The multi handle and the easy slots, made afresh when the client's
 * settings that live on handles changed since they were made. */
static coreapi_code prepare_handles(coreapi_batch *b, coreapi_error *err) {
  coreapi_client *c = b->client;
  if (b->multi != NULL && b->tls_epoch == c->tls_epoch && b->handle_epoch == c->handle_epoch)
    return COREAPI_OK;
  drop_handles(b);
  b->tls_epoch = c->tls_epoch;
  b->handle_epoch = c->handle_epoch;
  b->easies = calloc(b->max, sizeof(*b->easies));
  b->idle = calloc(b->max, sizeof(*b->idle));
  if (b->easies == NULL || b->idle == NULL) {
    drop_handles(b);
    return COREAPI__OOM(err);
  }
  if ((b->multi = curl_multi_init()) == NULL ||
      curl_multi_setopt(b->multi, CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX) != CURLM_OK ||
      curl_multi_setopt(b->multi, CURLMOPT_MAXCONNECTS, (long)b->max) != CURLM_OK ||
      (b->on_socket != NULL &&
       (curl_multi_setopt(b->multi, CURLMOPT_SOCKETFUNCTION, socket_cb) != CURLM_OK ||
        curl_multi_setopt(b->multi, CURLMOPT_SOCKETDATA, b) != CURLM_OK ||
        curl_multi_setopt(b->multi, CURLMOPT_TIMERFUNCTION, timer_cb) != CURLM_OK ||
        curl_multi_setopt(b->multi, CURLMOPT_TIMERDATA, b) != CURLM_OK))) {
    drop_handles(b);
    return coreapi_error_set(err, COREAPI_ERR_INTERNAL, "could not initialise libcurl's multi handle");
  }
  return COREAPI_OK;
}

coreapi_code coreapi_batch_start(coreapi_batch *b, coreapi_error *err) {
  coreapi_code rc;
  CHECK_BATCH(b, err);
  if (b->running || b->in_callback)
    return coreapi_error_set(err, COREAPI_ERR_INVALID_ARGUMENT, "the batch is running already");
  if (b->client->busy)
    return coreapi_error_set(err, COREAPI_ERR_INVALID_ARGUMENT,
                             "the client is in the middle of a request");
  if (b->pending == 0)
    return COREAPI_OK;
  if ((rc = prepare_handles(b, err)) != COREAPI_OK)
    return rc;
  b->running = 1;
  b->client->busy = 1;
  fill(b);
  finish(b);
  return COREAPI_OK;
}

/* After libcurl's multi call returned mc: take what finished. */
static coreapi_code after(coreapi_batch *b, CURLMcode mc, coreapi_error *err) {
  if (mc != CURLM_OK) {
    coreapi_error_set(err, mc == CURLM_OUT_OF_MEMORY ? COREAPI_ERR_OUT_OF_MEMORY
                                                     : COREAPI_ERR_INTERNAL,
                      "the batch failed: %s", mc == CURLM_ABORTED_BY_CALLBACK
                                                  ? "the event loop's callback failed"
                                                  : curl_multi_strerror(mc));
    return fail_all(b, err);
  }
  drain(b);
  finish(b);
  return COREAPI_OK;
}

coreapi_code coreapi_batch_run(coreapi_batch *b, coreapi_error *err) {
  coreapi_code rc;
  CHECK_BATCH(b, err);
  if (b->on_socket != NULL)
    return coreapi_error_set(err, COREAPI_ERR_INVALID_ARGUMENT,
                             "the batch is driven by an event loop: use coreapi_batch_start");
  if ((rc = coreapi_batch_start(b, err)) != COREAPI_OK)
    return rc;
  while (b->running) {
    int still = 0;
    CURLMcode mc = curl_multi_perform(b->multi, &still);
    if ((rc = after(b, mc, err)) != COREAPI_OK)
      return rc;
    if (!b->running)
      break;
    mc = curl_multi_poll(b->multi, NULL, 0, 1000, NULL);
    if (mc != CURLM_OK && (rc = after(b, mc, err)) != COREAPI_OK)
      return rc;
  }
  return COREAPI_OK;
}

static coreapi_code socket_action(coreapi_batch *b, curl_socket_t fd, int mask,
                                  coreapi_error *err) {
  int still = 0;
  CHECK_BATCH(b, err);
  if (b->on_socket == NULL)
    return coreapi_error_set(err, COREAPI_ERR_INVALID_ARGUMENT,
                             "the batch has no event loop: use coreapi_batch_run");
  if (b->in_callback)
    return coreapi_error_set(err, COREAPI_ERR_INVALID_ARGUMENT,
                             "not from inside the batch's callbacks");
  if (!b->running)
    return COREAPI_OK; /* a late event: nothing is in flight */
  return after(b, curl_multi_socket_action(b->multi, fd, mask, &still), err);
}

coreapi_code coreapi_batch_on_socket(coreapi_batch *b, int fd, int events, coreapi_error *err) {
  int mask = (events & COREAPI_POLL_IN ? CURL_CSELECT_IN : 0) |
             (events & COREAPI_POLL_OUT ? CURL_CSELECT_OUT : 0);
  return socket_action(b, (curl_socket_t)fd, mask, err);
}

coreapi_code coreapi_batch_on_timeout(coreapi_batch *b, coreapi_error *err) {
  return socket_action(b, CURL_SOCKET_TIMEOUT, 0, err);
}
