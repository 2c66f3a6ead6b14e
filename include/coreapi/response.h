/*
 * coreapi/response.h - an HTTP response as the client received it.
 *
 * Headers compare case-insensitively and repeated headers are kept, in the
 * order received. The cookies are those this response set (its Set-Cookie
 * headers), whether or not the client's cookie policy stored them.
 */
#ifndef COREAPI_RESPONSE_H
#define COREAPI_RESPONSE_H

#include <stddef.h>
#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct coreapi_response coreapi_response;

/* Free resp and everything it owns; NULL does nothing. */
COREAPI_EXTERN void coreapi_response_free(coreapi_response *resp);

/* The HTTP status code (200). */
COREAPI_EXTERN long coreapi_response_status(const coreapi_response *resp);

/* The reason phrase from the status line ("OK"); for a status line without
 * one (HTTP/2) the standard phrase for the code, or "". Borrowed, never NULL
 * for a valid resp. */
COREAPI_EXTERN const char *coreapi_response_reason(const coreapi_response *resp);

/* The URL this response came from: the last hop of the redirect chain.
 * Borrowed. */
COREAPI_EXTERN const char *coreapi_response_url(const coreapi_response *resp);

/* How many redirects were followed to get here (0: none). */
COREAPI_EXTERN unsigned coreapi_response_redirects(const coreapi_response *resp);

/* The first header called name, or NULL. Borrowed, valid while resp lives. */
COREAPI_EXTERN const char *coreapi_response_header(const coreapi_response *resp,
                                                   const char *name);

/* The number of headers, and the i-th (0-based, as received, repeats kept).
 * Returns 0 and sets *name and *value (borrowed) for a valid index, else -1. */
COREAPI_EXTERN size_t coreapi_response_header_count(const coreapi_response *resp);
COREAPI_EXTERN int coreapi_response_header_at(const coreapi_response *resp, size_t i,
                                              const char **name, const char **value);

/* The value of the cookie called name that this response set (the last one if
 * it was set twice), or NULL. An empty value, as a server sends to delete a
 * cookie, is returned as "". Borrowed. */
COREAPI_EXTERN const char *coreapi_response_cookie(const coreapi_response *resp,
                                                   const char *name);

/* The number of cookies this response set, and the i-th one, as header_at. */
COREAPI_EXTERN size_t coreapi_response_cookie_count(const coreapi_response *resp);
COREAPI_EXTERN int coreapi_response_cookie_at(const coreapi_response *resp, size_t i,
                                              const char **name, const char **value);

/* The body: a pointer to it (borrowed, followed by a NUL byte that is not
 * counted, for convenience with text) and its length in *len. Never NULL for a
 * valid resp: an empty body is "" with length 0. len may be NULL. */
COREAPI_EXTERN const char *coreapi_response_body(const coreapi_response *resp, size_t *len);

#ifdef __cplusplus
}
#endif
#endif /* COREAPI_RESPONSE_H */
