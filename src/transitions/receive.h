/*
 * transitions/receive.h - a transition's response received and decoded
 * into a result (receive.c), for action.c, link.c and get_many.c.
 */
#ifndef COREAPI_TRANSITIONS_RECEIVE_H
#define COREAPI_TRANSITIONS_RECEIVE_H

#include "../transport/transport.h"
#include "coreapi/codec.h"
#include "coreapi/download.h"
#include "coreapi/transitions.h"

/* One response being received: the body sink's state. */
typedef struct coreapi__receiver {
  coreapi_client *client;
  const char *forced; /* a forced format, or NULL */
  const char *format; /* the decoder for this response, NULL when none fits */
  coreapi_error negotiation; /* why none fits */
  coreapi_download *download;
  size_t received;
  coreapi__buf body;
} coreapi__receiver;

/* The sink a transition's request is sent with (userdata: a receiver). */
extern const coreapi_body_sink coreapi__receiver_sink;

/* A receiver for client's decoders, or the format forced (NULL: none). */
void coreapi__receiver_init(coreapi__receiver *r, coreapi_client *client, const char *forced);
/* Release what r holds (a download not finished is removed). */
void coreapi__receiver_free(coreapi__receiver *r);

/* Give req the Accept header of the client's decoders, unless it has one. */
coreapi_code coreapi__accept_set(coreapi_client *client, coreapi_request *req,
                                 coreapi_error *err);

/* The final response resp, its body received through r, as *result (the
 * reference's _decode_result): the decoded content, a download's file, a
 * 4xx/5xx as an Error (ERR_ERROR_RESPONSE, err->http_status). */
coreapi_code coreapi__receive_result(coreapi_client *client, coreapi__receiver *r,
                                     const coreapi_response *resp, coreapi_result *result,
                                     coreapi_error *err);

#endif
