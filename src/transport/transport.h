/*
 * transport/transport.h - what the layers above may use of the transport
 * beyond the public coreapi/client.h: the client's settings that Core API
 * operations read. The client's structure itself is private to this layer
 * (client_impl.h).
 */
#ifndef COREAPI_TRANSPORT_H
#define COREAPI_TRANSPORT_H

#include <stddef.h>

#include "../auth/auth.h"
#include "coreapi/client.h"

/* The largest body the client keeps in memory (0: no limit). */
size_t coreapi__client_max_body(const coreapi_client *client);

/* The largest document a body may decode to (0: no limit). */
size_t coreapi__client_max_decoded(const coreapi_client *client);

/* The default of coreapi_client_set_max_decoded. */
#define COREAPI__DEFAULT_MAX_DECODED ((size_t)512 * 1024 * 1024)

/* The decoder formats set for the client's Core API operations: a borrowed
 * array of *n strings, or NULL (*n 0) for the default list. */
const char *const *coreapi__client_decoders(const coreapi_client *client, size_t *n);

/* Replace the decoder formats (copied; NULL and 0 for the default list).
 * Returns OK or ERR_OUT_OF_MEMORY with err set; the caller validates. */
coreapi_code coreapi__client_store_decoders(coreapi_client *client, const char *const *formats,
                                            size_t n, coreapi_error *err);

/* The download directory set for the client, or NULL. Borrowed. */
const char *coreapi__client_download_dir(const coreapi_client *client);

/* sibling.c: the client sending req, while an authentication's callbacks
 * run (NULL otherwise); and a new client with c's settings (timeout, user
 * agent, CA bundle, TLS verification, resolve entries, debug callback) but
 * no authentications, extra headers or cookies, following no redirects,
 * keeping bodies up to max_body bytes: for an authentication's own
 * requests (OAuth 2.0 tokens). c NULL: the defaults. err must not be NULL. */
coreapi_client *coreapi__request_sender(const coreapi_request *req);
coreapi_client *coreapi__client_sibling(const coreapi_client *c, size_t max_body,
                                        coreapi_error *err);

/* Wipe every string of a libcurl list, then free it (header lines and
 * cookie lines hold secrets). NULL does nothing. */
struct curl_slist;
void coreapi__slist_free_secret(struct curl_slist *list);

#endif /* COREAPI_TRANSPORT_H */
