/*
 * transport/batch_run.c - running a batch (batch.c): queued requests
 * started while there is room, each hop of each request planned by its
 * exchange (exchange.c) and handed to libcurl's multi handle on an easy
 * handle of the pool, finished transfers taken back, results kept; driven
 * by coreapi_batch_run's loop or by an application's event loop (libcurl's
 * multi-socket calls). The multi handle and its easy handles outlive a run
 * and are made afresh when the client's TLS or handle settings changed
 * since (tls_handle.c says why connections must not outlive their
 * settings), or after the event loop failed.
 */
#include <stdlib.h>
#include <string.h>

#include "batch_impl.h"

const coreapi_error coreapi__batch_no_error = {COREAPI_OK, 0, {0}};
const coreapi_error coreapi__batch_oom_error = {COREAPI_ERR_OUT_OF_MEMORY, 0, "out of memory"};

void coreapi__batch_drop_handles(coreapi_batch *b) {
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
  free(b->exchanges);
  b->exchanges = NULL;
  free(b->free_x);
  b->free_x = NULL;
  b->free_x_count = 0;
}

/* The item's exchange is over: its slot is free again. */
static void end_exchange(coreapi_batch *b, item *it) {
  if (it->x == NULL)
    return;
  coreapi__exchange_free(it->x);
  b->free_x[b->free_x_count++] = it->x;
  it->x = NULL;
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
void coreapi__batch_abandon(coreapi_batch *b) {
  for (size_t i = 0; i < b->count; i++) {
    item *it = b->items[i];
    stop_transfer(b, it);
    end_exchange(b, it);
  }
}

/* The request is done: its result kept, the done callback told. */
static void complete(coreapi_batch *b, item *it, coreapi_response *resp,
                     const coreapi_error *why) {
  end_exchange(b, it);
  it->state = DONE;
  it->resp = resp;
  if (resp == NULL && (it->err = malloc(sizeof(*it->err))) != NULL)
    *it->err = why != NULL ? *why : coreapi__batch_oom_error;
  b->in_flight--;
  b->pending--;
  if (b->done != NULL) {
    b->in_callback++;
    b->done(b->done_data, b, it->index, resp, resp != NULL ? &coreapi__batch_no_error
                                              : it->err != NULL ? it->err : &coreapi__batch_oom_error);
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

/* The application's socket or timer callback failed: the batch fails
 * (every request pending, with this error). Sets *err too. */
static coreapi_code loop_failed(coreapi_batch *b, coreapi_error *err) {
  if (!b->failed) {
    coreapi_error_clear(&b->fail);
    coreapi_error_set(&b->fail, COREAPI_ERR_ABORTED,
                      "the batch failed: the event loop's socket or timer callback failed");
    b->failed = 1;
  }
  *err = b->fail;
  return b->fail.code;
}

/* Plan the item's next hop and hand it to libcurl; on failure the item
 * completes with the error. */
static void launch(coreapi_batch *b, item *it) {
  coreapi_error err;
  coreapi__easy *e = NULL;
  coreapi__exchange *x = it->x;
  coreapi_code rc;
  coreapi_error_clear(&err); /* not the whole text zeroed for every hop */
  rc = coreapi__exchange_plan(x, &err);
  if (rc == COREAPI_OK && (e = take_easy(b, &err)) == NULL)
    rc = err.code;
  if (rc == COREAPI_OK) {
    e->sink = it->sink;
    e->sink_data = it->sink_data;
    e->progress_ctx = it;
    rc = coreapi__backend_begin(e, x->plan.req, x->plan.cookies, &x->plan.transport, &err);
  }
  if (rc == COREAPI_OK) {
    CURLMcode mc;
    it->easy = e;
    b->driving++;
    mc = curl_multi_add_handle(b->multi, e->curl); /* may call the timer callback */
    b->driving--;
    if (mc == CURLM_OK)
      return;
    /* A timer callback's failure comes after the handle was added. */
    stop_transfer(b, it);
    e = NULL; /* idle again */
    rc = mc == CURLM_ABORTED_BY_CALLBACK ? loop_failed(b, &err)
                                         : coreapi_error_set(&err, COREAPI_ERR_INTERNAL,
                                                             "libcurl refused a transfer");
  }
  if (e != NULL)
    b->idle[b->idle_count++] = e;
  complete(b, it, NULL, &err);
}

/* Start queued items while there is room. */
void coreapi__batch_fill(coreapi_batch *b) {
  while (!b->failed && b->in_flight < b->max && b->next < b->count) {
    item *it = b->items[b->next++];
    coreapi_error err;
    coreapi_error_clear(&err);
    it->state = RUNNING;
    b->in_flight++;
    it->x = b->free_x[--b->free_x_count]; /* one per item in flight: never short */
    if (coreapi__exchange_start(it->x, b->client, it->req, &err) != COREAPI_OK) {
      b->free_x[b->free_x_count++] = it->x; /* a failed start holds nothing */
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
  coreapi_error err;
  int done = 0;
  coreapi_code rc;
  coreapi_error_clear(&err);
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
  coreapi__batch_fill(b);
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
  b->stale = 1;
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
  if (b->multi != NULL && !b->stale && b->tls_epoch == c->tls_epoch &&
      b->handle_epoch == c->handle_epoch)
    return COREAPI_OK;
  coreapi__batch_drop_handles(b);
  b->stale = 0;
  b->tls_epoch = c->tls_epoch;
  b->handle_epoch = c->handle_epoch;
  b->easies = calloc(b->max, sizeof(*b->easies));
  b->idle = calloc(b->max, sizeof(*b->idle));
  b->exchanges = calloc(b->max, sizeof(*b->exchanges));
  b->free_x = calloc(b->max, sizeof(*b->free_x));
  if (b->easies == NULL || b->idle == NULL || b->exchanges == NULL || b->free_x == NULL) {
    coreapi__batch_drop_handles(b);
    return COREAPI__OOM(err);
  }
  for (size_t i = 0; i < b->max; i++)
    b->free_x[b->free_x_count++] = &b->exchanges[b->max - 1 - i];
  if ((b->multi = curl_multi_init()) == NULL ||
      curl_multi_setopt(b->multi, CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX) != CURLM_OK ||
      curl_multi_setopt(b->multi, CURLMOPT_MAXCONNECTS, (long)b->max) != CURLM_OK ||
      (b->on_socket != NULL &&
       (curl_multi_setopt(b->multi, CURLMOPT_SOCKETFUNCTION, socket_cb) != CURLM_OK ||
        curl_multi_setopt(b->multi, CURLMOPT_SOCKETDATA, b) != CURLM_OK ||
        curl_multi_setopt(b->multi, CURLMOPT_TIMERFUNCTION, timer_cb) != CURLM_OK ||
        curl_multi_setopt(b->multi, CURLMOPT_TIMERDATA, b) != CURLM_OK))) {
    coreapi__batch_drop_handles(b);
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
  b->failed = 0;
  coreapi__batch_fill(b);
  if (b->failed) {
    loop_failed(b, err);
    return fail_all(b, err);
  }
  finish(b);
  return COREAPI_OK;
}

/* After libcurl's multi call returned mc: take what finished. */
static coreapi_code after(coreapi_batch *b, CURLMcode mc, coreapi_error *err) {
  if (mc == CURLM_OK)
    drain(b);
  if (mc == CURLM_ABORTED_BY_CALLBACK || b->failed) {
    loop_failed(b, err);
    return fail_all(b, err);
  }
  if (mc != CURLM_OK) {
    coreapi_error_set(err, mc == CURLM_OUT_OF_MEMORY ? COREAPI_ERR_OUT_OF_MEMORY
                                                     : COREAPI_ERR_INTERNAL,
                      "the batch failed: %s", curl_multi_strerror(mc));
    return fail_all(b, err);
  }
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
    CURLMcode mc;
    b->driving++;
    mc = curl_multi_perform(b->multi, &still);
    b->driving--;
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
  CURLMcode mc;
  CHECK_BATCH(b, err);
  if (b->on_socket == NULL)
    return coreapi_error_set(err, COREAPI_ERR_INVALID_ARGUMENT,
                             "the batch has no event loop: use coreapi_batch_run");
  if (b->in_callback)
    return coreapi_error_set(err, COREAPI_ERR_INVALID_ARGUMENT,
                             "not from inside the batch's callbacks");
  if (!b->running)
    return COREAPI_OK; /* a late event: nothing is in flight */
  b->driving++;
  mc = curl_multi_socket_action(b->multi, fd, mask, &still);
  b->driving--;
  return after(b, mc, err);
}

coreapi_code coreapi_batch_on_socket(coreapi_batch *b, int fd, int events, coreapi_error *err) {
  int mask = (events & COREAPI_POLL_IN ? CURL_CSELECT_IN : 0) |
             (events & COREAPI_POLL_OUT ? CURL_CSELECT_OUT : 0);
  return socket_action(b, (curl_socket_t)fd, mask, err);
}

coreapi_code coreapi_batch_on_timeout(coreapi_batch *b, coreapi_error *err) {
  return socket_action(b, CURL_SOCKET_TIMEOUT, 0, err);
}
