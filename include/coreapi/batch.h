/*
 * coreapi/batch.h - many requests in flight at once, through one client.
 *
 * A batch sends the requests added to it in parallel over libcurl's multi
 * interface, at most max_in_flight at a time (default 16), HTTP/1.1
 * connections kept alive and reused, and HTTP/2 multiplexing over TLS when
 * the server offers it (requests to one origin then wait for that one
 * connection rather than opening more). Every request follows exactly the
 * rules of coreapi_client_send (coreapi/client.h): each hop of its redirect
 * chain is planned afresh (which credential, whether cookies go, which
 * transport settings), authentications apply and see the responses, the
 * client's extra headers, limits and timeout hold per request, the cookie
 * jar is the client's. A request fails alone: its error is kept with it, the
 * others go on.
 *
 * Two ways to drive a batch:
 *   - coreapi_batch_run blocks until every request added (before it, or by
 *     the done callback meanwhile) has completed.
 *   - From an application's own event loop (libcurl's multi-socket shape):
 *     coreapi_batch_set_event_loop, then coreapi_batch_start; the socket
 *     callback says which descriptors to watch for what, the timer callback
 *     when to call coreapi_batch_on_timeout; call coreapi_batch_on_socket
 *     when a watched descriptor is ready. coreapi_batch_pending says how many
 *     requests have not completed.
 *
 * Results: each request's response (or error) is kept in the batch by its
 * index (0, 1, ... in the order added) until taken (coreapi_batch_take) or
 * the batch is freed; the done callback is told of each as it completes and
 * may take it then: once its response is taken, a request leaves nothing in
 * the batch but one pointer (a failed one keeps its error), so a batch fed
 * for hours grows by a pointer a request, not by its responses.
 *
 * Connections: the batch keeps its own (a libcurl multi handle's pool, not
 * the client's easy handle's), across runs of the same batch, until the
 * client's TLS settings, resolve list or debug callback change; a new batch
 * connects afresh.
 *
 * Thread rules: a batch and its client are used by one thread at a time,
 * and every callback runs on the thread that drives the batch. From
 * coreapi_batch_start (or _run) until no request is pending, the client is
 * busy: its setters and coreapi_client_send fail with ERR_INVALID_ARGUMENT,
 * as they do from inside a request. Different clients, each with its batch,
 * may run in parallel threads. One batch per client at a time.
 *
 * Requests are borrowed: each must stay unchanged and alive until it has
 * completed (its done callback has run). One request may be added many
 * times (each is sent on its own).
 */
#ifndef COREAPI_BATCH_H
#define COREAPI_BATCH_H

#include <stddef.h>
#include <stdint.h>

#include "client.h"
#include "error.h"
#include "request.h"
#include "response.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct coreapi_batch coreapi_batch;

/* The most requests a batch keeps in flight. */
#define COREAPI_BATCH_MAX_IN_FLIGHT 1024u

/* Request index completed: resp is its final response (borrowed: take it
 * with coreapi_batch_take to keep it past the call) or NULL, and err says
 * why (err->code COREAPI_OK when resp is set). The callback may add
 * requests and take results; it may not free the batch. */
typedef void (*coreapi_batch_done_fn)(void *userdata, coreapi_batch *batch, size_t index,
                                      const coreapi_response *resp, const coreapi_error *err);

/* Transfer progress of request index, as coreapi_progress_fn (bytes of the
 * current hop). Non-zero stops that request with ERR_ABORTED; the others
 * go on. */
typedef int (*coreapi_batch_progress_fn)(void *userdata, size_t index, int64_t download_total,
                                         int64_t download_now, int64_t upload_total,
                                         int64_t upload_now);

/* What the socket callback asks the event loop to watch. */
#define COREAPI_POLL_IN 1     /* readable */
#define COREAPI_POLL_OUT 2    /* writable */
#define COREAPI_POLL_REMOVE 4 /* stop watching fd */

/* Watch fd for events (COREAPI_POLL_IN and/or _OUT), or stop watching it
 * (COREAPI_POLL_REMOVE). Return 0, or -1 to fail the batch. */
typedef int (*coreapi_batch_socket_fn)(void *userdata, int fd, int events);
/* Call coreapi_batch_on_timeout after timeout_ms milliseconds (0: as soon
 * as possible), replacing any timer set before; -1: no timer. Return 0, or
 * -1 to fail the batch. */
typedef int (*coreapi_batch_timer_fn)(void *userdata, long timeout_ms);
/* A callback's -1 fails the batch: every request pending fails with
 * ERR_ABORTED, and the next start makes a new multi handle. */

/* A new batch sending through client, which must outlive it. NULL with err
 * set when client is NULL or out of memory. */
COREAPI_EXTERN coreapi_batch *coreapi_batch_new(coreapi_client *client, coreapi_error *err);
/* Free the batch, its results, and stop requests in flight (their done
 * callbacks do not run). NULL does nothing. Not from a callback. */
COREAPI_EXTERN void coreapi_batch_free(coreapi_batch *batch);

/* At most n requests in flight, 1 to COREAPI_BATCH_MAX_IN_FLIGHT. Before
 * the batch starts. */
COREAPI_EXTERN coreapi_code coreapi_batch_set_max_in_flight(coreapi_batch *batch, unsigned n,
                                                            coreapi_error *err);
/* Callbacks, NULL for none. Before the batch starts. */
COREAPI_EXTERN coreapi_code coreapi_batch_set_done(coreapi_batch *batch, coreapi_batch_done_fn fn,
                                                   void *userdata, coreapi_error *err);
COREAPI_EXTERN coreapi_code coreapi_batch_set_progress(coreapi_batch *batch,
                                                       coreapi_batch_progress_fn fn,
                                                       void *userdata, coreapi_error *err);
COREAPI_EXTERN coreapi_code coreapi_batch_set_event_loop(coreapi_batch *batch,
                                                         coreapi_batch_socket_fn on_socket,
                                                         coreapi_batch_timer_fn on_timer,
                                                         void *userdata, coreapi_error *err);

/* Add req (borrowed, see above), its body to the sink when sink is not NULL
 * (as coreapi_client_send_to: the response then has no body). *index (when
 * index is not NULL) gets its index. Also while the batch runs, from the
 * done callback included. */
COREAPI_EXTERN coreapi_code coreapi_batch_add(coreapi_batch *batch, const coreapi_request *req,
                                              const coreapi_body_sink *sink, void *sink_data,
                                              size_t *index, coreapi_error *err);

/* Send every request and return when all have completed. OK unless the
 * batch itself could not run (out of memory, libcurl refused, an event loop
 * is set): a request that failed has its own error. */
COREAPI_EXTERN coreapi_code coreapi_batch_run(coreapi_batch *batch, coreapi_error *err);

/* The event-loop form (see above). _start begins sending; _on_socket with
 * the events (COREAPI_POLL_IN/_OUT) seen on fd; _on_timeout when the timer
 * fires. Each may complete requests (their done callbacks run). An error
 * returned fails the batch: every pending request fails with it. */
COREAPI_EXTERN coreapi_code coreapi_batch_start(coreapi_batch *batch, coreapi_error *err);
COREAPI_EXTERN coreapi_code coreapi_batch_on_socket(coreapi_batch *batch, int fd, int events,
                                                    coreapi_error *err);
COREAPI_EXTERN coreapi_code coreapi_batch_on_timeout(coreapi_batch *batch, coreapi_error *err);

/* Requests added and not yet completed. */
COREAPI_EXTERN size_t coreapi_batch_pending(const coreapi_batch *batch);
/* Requests added. */
COREAPI_EXTERN size_t coreapi_batch_count(const coreapi_batch *batch);

/* The result of request index once it has completed: its response, moved
 * out to the caller (free with coreapi_response_free), or NULL with err
 * set to the request's error (ERR_INVALID_ARGUMENT for an index not added
 * or not yet completed, or a response already taken). */
COREAPI_EXTERN coreapi_response *coreapi_batch_take(coreapi_batch *batch, size_t index,
                                                    coreapi_error *err);
/* The error of request index (code COREAPI_OK when it succeeded), or NULL
 * while it has not completed or for an index not added. Borrowed. */
COREAPI_EXTERN const coreapi_error *coreapi_batch_error(const coreapi_batch *batch, size_t index);

#ifdef __cplusplus
}
#endif

#endif /* COREAPI_BATCH_H */
