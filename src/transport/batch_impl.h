/*
 * transport/batch_impl.h - a batch's structure, shared by batch.c (the
 * object: set-up, requests added, results) and batch_run.c (running it:
 * the multi handle, the transfers, the event loop).
 */
#ifndef COREAPI_BATCH_IMPL_H
#define COREAPI_BATCH_IMPL_H

#include "client_impl.h"
#include "coreapi/batch.h"

enum { QUEUED, RUNNING, DONE };

typedef struct item {
  coreapi_batch *batch;
  size_t index;
  const coreapi_request *req;
  const coreapi_body_sink *sink;
  void *sink_data;
  int state;
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
  coreapi__exchange *exchanges;     /* max of them, for the items running */
  coreapi__exchange **free_x;       /* those not in use */
  size_t free_x_count;
  item **items;
  size_t count, cap;
  size_t next;      /* items[next] is the first not started */
  size_t pending;   /* added and not done */
  size_t in_flight; /* started and not done */
  unsigned max;
  int running;      /* started, pending > 0: the client is busy */
  int in_callback;  /* the done callback runs */
  int driving;      /* inside libcurl's multi calls (its callbacks, ours, may run) */
  int failed;       /* the event loop's callback failed: fail is why */
  int stale;        /* the multi handle failed: made afresh at the next start */
  coreapi_error fail;
  coreapi_batch_done_fn done;
  void *done_data;
  coreapi_batch_progress_fn progress;
  void *progress_data;
  coreapi_batch_socket_fn on_socket;
  coreapi_batch_timer_fn on_timer;
  void *loop_data;
};


/* A request that succeeded, and one for which memory ran out. */
extern const coreapi_error coreapi__batch_no_error;
extern const coreapi_error coreapi__batch_oom_error;

#define CHECK_BATCH(b, err)                                                                   \
  do {                                                                                        \
    coreapi_error_clear(err);                                                                 \
    if ((b) == NULL)                                                                          \
      return coreapi_error_set(err, COREAPI_ERR_INVALID_ARGUMENT, "batch is NULL");          \
  } while (0)

/* batch_run.c: start queued items while there is room (and the event loop
 * has not failed). */
void coreapi__batch_fill(coreapi_batch *b);
/* Stop every request in flight without telling anyone (freeing). */
void coreapi__batch_abandon(coreapi_batch *b);
/* Close the multi handle and the easy handles (none in flight). */
void coreapi__batch_drop_handles(coreapi_batch *b);

#endif
