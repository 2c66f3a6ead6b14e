/*
 * transport/batch.c - many requests in flight through libcurl's multi
 * interface (coreapi/batch.h): the batch object, its set-up, the requests
 * added and their results. Running it is batch_run.c's: each request is an
 * exchange (exchange.c), the same steps as the client's blocking send, the
 * planner deciding every hop; only the transfers differ, run side by side
 * on a pool of easy handles in one multi handle whose connections (kept
 * alive, HTTP/2 multiplexed) all of them share.
 */
#include <stdlib.h>
#include <string.h>

#include "batch_impl.h"

#define DEFAULT_MAX_IN_FLIGHT 16u

/* In place of an item whose response was taken: nothing of it is kept but
 * its slot in items (never written to). */
static const item taken_item = {NULL, 0, NULL, NULL, NULL, DONE, NULL, NULL, NULL, NULL};
#define TAKEN ((item *)&taken_item)

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
void coreapi_batch_free(coreapi_batch *b) {
  if (b == NULL)
    return;
  if (b->running) {
    coreapi__batch_abandon(b);
    b->client->busy = 0;
  }
  coreapi__batch_drop_handles(b);
  for (size_t i = 0; i < b->count; i++) {
    if (b->items[i] == TAKEN)
      continue;
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
    coreapi__batch_drop_handles(b);
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
    coreapi__batch_drop_handles(b); /* the handles' progress option changes */
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
  coreapi__batch_drop_handles(b); /* the multi handle's callbacks change */
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
  return it->err != NULL ? it->err : &coreapi__batch_no_error;
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
  if (it->state != DONE || it == TAKEN) {
    coreapi_error_set(err, COREAPI_ERR_INVALID_ARGUMENT,
                      it == TAKEN ? "the response of request %zu was taken already"
                                : "request %zu has not completed",
                      index);
    return NULL;
  }
  if (it->resp == NULL) {
    if (err != NULL)
      *err = it->err != NULL ? *it->err : coreapi__batch_oom_error;
    return NULL;
  }
  r = it->resp;
  free(it);
  b->items[index] = TAKEN;
  return r;
}

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
  if (b->running && b->in_callback == 0 && !b->driving)
    coreapi__batch_fill(b); /* the event-loop form, between events; else the driver fills */
  return COREAPI_OK;
}
