/*
 * coreapi/request.h - an HTTP request, as the client sends it and as
 * authentication sees it.
 *
 * A request has a method, a URL, headers and an optional body. The URL is parsed
 * by libcurl's URL API when the request is made: its scheme, host and port are
 * available already normalised (host lowercase, one trailing dot dropped,
 * internationalised names in punycode). Userinfo in the URL
 * (http://user:pass@host/) is dropped: it never decides the host and never
 * becomes credentials. Only http and https URLs are accepted.
 *
 * Header names compare case-insensitively. A header value may be empty; it may
 * not contain CR, LF or NUL, and a name must be an RFC 9110 token. Headers
 * that frame the message or the connection (Host, Content-Length,
 * Transfer-Encoding, Connection, Keep-Alive, Proxy-Connection, Upgrade, TE,
 * Trailer, Expect) are the library's to set and are refused.
 */
#ifndef COREAPI_REQUEST_H
#define COREAPI_REQUEST_H

#include <stddef.h>
#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct coreapi_request coreapi_request;

/* A new request. method is an RFC 9110 token (it is upper-cased: "post" sends
 * POST); NULL or "" mean GET. url must be an absolute http or https URL.
 * Returns a new request the caller frees with coreapi_request_free(), or NULL
 * with err filled (ERR_INVALID_ARGUMENT, ERR_BAD_URL, ERR_UNSUPPORTED_SCHEME,
 * ERR_OUT_OF_MEMORY). */
COREAPI_EXTERN coreapi_request *coreapi_request_new(const char *method, const char *url,
                                                    coreapi_error *err);

/* Free req and everything it owns; header values are wiped first, since they
 * may hold credentials. NULL does nothing. */
COREAPI_EXTERN void coreapi_request_free(coreapi_request *req);

/* The method, upper-case ("GET"). Borrowed, valid while req lives. */
COREAPI_EXTERN const char *coreapi_request_method(const coreapi_request *req);

/* The URL as libcurl's URL API normalised it, without userinfo or fragment.
 * Borrowed, valid while req lives. */
COREAPI_EXTERN const char *coreapi_request_url(const coreapi_request *req);

/* "http" or "https". Borrowed. */
COREAPI_EXTERN const char *coreapi_request_scheme(const coreapi_request *req);

/* The normalised host: lowercase, no trailing dot, punycode for IDN, IPv6
 * literals in brackets ("[::1]"). Borrowed. */
COREAPI_EXTERN const char *coreapi_request_host(const coreapi_request *req);

/* The port, explicit or the scheme's default (80, 443). */
COREAPI_EXTERN int coreapi_request_port(const coreapi_request *req);

/* 1 if the method is safe in the sense of the reference client (GET, HEAD,
 * OPTIONS, TRACE), else 0. */
COREAPI_EXTERN int coreapi_request_is_safe_method(const coreapi_request *req);

/* The value of the first header called name, or NULL. Borrowed, valid until
 * that header is set or removed, or req is freed. */
COREAPI_EXTERN const char *coreapi_request_header(const coreapi_request *req,
                                                  const char *name);

/* Set header name to value, replacing every header of that name. Both are
 * copied. Returns OK, or ERR_BAD_HEADER for a name that is not a token, a
 * framing header (above), or a value with CR, LF or another control
 * character except tab,
 * ERR_INVALID_ARGUMENT for NULL, ERR_OUT_OF_MEMORY. */
COREAPI_EXTERN coreapi_code coreapi_request_set_header(coreapi_request *req, const char *name,
                                                       const char *value, coreapi_error *err);

/* Remove every header called name. Returns the number removed. */
COREAPI_EXTERN size_t coreapi_request_remove_header(coreapi_request *req, const char *name);

/* The number of headers, and the i-th one (0-based, in the order set). Returns
 * 0 and sets *name and *value (borrowed) for a valid index, -1 otherwise. */
COREAPI_EXTERN size_t coreapi_request_header_count(const coreapi_request *req);
COREAPI_EXTERN int coreapi_request_header_at(const coreapi_request *req, size_t i,
                                             const char **name, const char **value);

/* Give req a body: len bytes at data are copied. data may be NULL only when len
 * is 0, which sets an empty body (sent with Content-Length: 0). */
COREAPI_EXTERN coreapi_code coreapi_request_set_body(coreapi_request *req, const void *data,
                                                     size_t len, coreapi_error *err);

/* The body, read-only: returns a pointer to it (borrowed) and its length in
 * *len, or NULL (and *len 0) when the request has no body, or a body that is
 * streamed rather than held (a multipart form or a file upload made by
 * coreapi_client_action). len may be NULL. */
COREAPI_EXTERN const void *coreapi_request_body(const coreapi_request *req, size_t *len);

/* Which hop of a redirect chain this request is: 0 for the request as the
 * caller made it, 1 for the first redirect, and so on. */
COREAPI_EXTERN unsigned coreapi_request_hop(const coreapi_request *req);

/* Per-client memory for authentication. An authentication object may be shared
 * by several clients (and threads), so what it learns from one client's
 * responses, such as a CSRF token, belongs to that client. While the client
 * runs an authentication's callbacks, these read and write a small string store
 * that belongs to that client and that authentication. Outside the callbacks
 * they find nothing (get returns NULL, set returns ERR_INVALID_ARGUMENT).
 * Values are copied, wiped when replaced and when the client is freed. value
 * NULL removes the key. The pointer get returns is borrowed until the key is
 * set again or the client is freed. */
COREAPI_EXTERN const char *coreapi_request_memo_get(const coreapi_request *req,
                                                    const char *key);
COREAPI_EXTERN coreapi_code coreapi_request_memo_set(const coreapi_request *req,
                                                     const char *key, const char *value,
                                                     coreapi_error *err);

/* The value of the cookie called name that the client's jar would send with
 * this request (domain, path, Secure and expiry as libcurl applies them; of
 * several, the last one libcurl writes, which is the one Django reads), or
 * NULL: none, cookies not allowed on this hop, or called outside a client's
 * authentication callbacks. Borrowed until req is freed.
 * (A Session authentication reads the CSRF token here when it has not seen
 * it in a response, as after coreapi_client_load_cookies.) */
COREAPI_EXTERN const char *coreapi_request_cookie(const coreapi_request *req, const char *name);

#ifdef __cplusplus
}
#endif
#endif /* COREAPI_REQUEST_H */
