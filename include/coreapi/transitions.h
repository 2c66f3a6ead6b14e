/*
 * coreapi/transitions.h - what a Core API client does: fetch a document, and
 * act on its links with parameters (the reference client's get, reload and
 * action; ../shared/reference/coreapi-docs/client.md and transports.md).
 *
 * Results come back in a coreapi_result: the decoded node (a Document, plain
 * data or a String), or the path of a downloaded file, or nothing for an empty
 * body. The same result carries the details of some errors:
 *   ERR_ERROR_RESPONSE  the server answered with an Error (any 4xx or 5xx
 *                       response is coerced into one, titled "<status>
 *                       <reason>" when it has no title): result->node is the
 *                       Error, err->http_status the status;
 *   ERR_PARAMETER       result->node is an Object mapping each parameter name
 *                       to what is wrong with it ("This parameter is
 *                       required.", "Unknown parameter.", "Must be a
 *                       primitive type." ...);
 *   ERR_LINK_LOOKUP     the keys did not lead to a link (err->text says which
 *                       key, as the reference does);
 * and the transport's codes (ERR_CONNECT, ERR_TIMEOUT, ERR_TLS ...),
 * ERR_NO_CODEC and ERR_PARSE. A result also says where its response came
 * from (url) and where the next page is when the response has a Link
 * header with rel="next" (next_link): following pages is the caller's
 * (coreapi_client_get of next_link, same client and credential rules).
 */
#ifndef COREAPI_TRANSITIONS_H
#define COREAPI_TRANSITIONS_H

#include <stddef.h>
#include "client.h"
#include "document.h"
#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What a transition gives. Its pointers are owned by the result and released
 * by coreapi_result_clear. */
typedef struct coreapi_result {
  coreapi_node *node; /* new reference, or NULL */
  char *file;         /* path of a downloaded file, or NULL */
  long status;        /* HTTP status of the final response, 0 when none */
  /* The URL of the final response (after redirects, never with an API key
   * the client put in its query), or NULL when no response came. */
  char *url;
  /* The next page (RFC 8288 web linking, GitHub-style pagination): the
   * target of the final response's first `Link: <...>; rel="next"` (all
   * Link header lines and every link-value in them, in order; rel lists
   * such as rel="next last" and any case; a link whose "anchor" names
   * another resource is not this page's), resolved against url into an
   * absolute http(s) URL; NULL when the response has none. A `next` member
   * of the body (Django REST framework's pages) is content: it is in node,
   * and coreapi_result_resolve makes a URL of it. */
  char *next_link;
} coreapi_result;

/* Release what result holds and zero it. Only for a result a coreapi_client_
 * function filled (they initialise it first); NULL does nothing. */
COREAPI_EXTERN void coreapi_result_clear(coreapi_result *result);

/* reference (a URL the result's content gives, e.g. the `next` of a Django
 * REST framework page, which may be relative) resolved against result->url
 * as RFC 3986 5.2 says (an absolute reference stands as it is), the way
 * next_link is: a new, normalised absolute http(s) URL (no user
 * information, no fragment) the caller frees with free(), or NULL with err
 * set: ERR_INVALID_ARGUMENT for NULL arguments, ERR_BAD_URL when it is not
 * an http(s) URL (also a relative reference when result->url is NULL),
 * ERR_OUT_OF_MEMORY. */
COREAPI_EXTERN char *coreapi_result_resolve(const coreapi_result *result, const char *reference,
                                            coreapi_error *err);

/* GET url with the Accept header of the client's decoders and decode the
 * response by its Content-Type; with format (not NULL) that decoder is used
 * whatever the Content-Type. Fills *result (initialised first). */
COREAPI_EXTERN coreapi_code coreapi_client_get(coreapi_client *client, const char *url,
                                               const char *format, coreapi_result *result,
                                               coreapi_error *err);

/* coreapi_client_get of each of n URLs, many at once: a batch
 * (coreapi/batch.h) with at most max_in_flight requests in flight (1 to
 * COREAPI_BATCH_MAX_IN_FLIGHT), each under the rules of a request sent alone
 * (the credentials of its own host, redirects planned hop by hop).
 * results[i] gets what coreapi_client_get(client, urls[i], format, ...)
 * would give, and errors[i] (errors may be NULL; else an array of n) its
 * error, code COREAPI_OK when it succeeded. Returns OK when every GET did,
 * else the code of the first that failed in the order given, with err
 * saying which and why. ERR_INVALID_ARGUMENT, nothing sent, for NULL
 * arguments, a NULL URL, an unknown format or max_in_flight out of range.
 * The caller clears every result, whatever the return. */
COREAPI_EXTERN coreapi_code coreapi_client_get_many(coreapi_client *client,
                                                    const char *const *urls, size_t n,
                                                    const char *format, unsigned max_in_flight,
                                                    coreapi_result *results,
                                                    coreapi_error *errors, coreapi_error *err);

/* coreapi_client_get of the document's URL. */
COREAPI_EXTERN coreapi_code coreapi_client_reload(coreapi_client *client,
                                                  const coreapi_node *document,
                                                  const char *format, coreapi_result *result,
                                                  coreapi_error *err);

/* Options of an action. Zero-initialise, then set what you need. */
typedef struct coreapi_action_options {
  int no_validate;       /* skip checking parameters against the link's fields */
  const char *url;       /* overrides of the link's attributes; NULL: the link's */
  const char *action;
  const char *encoding;
  const char *transform;
  const coreapi_field_spec *fields; /* with override_fields: the fields to use */
  size_t field_count;
  int override_fields;
} coreapi_action_options;

/* Act on the link at keys (n steps from document) with params (an Object
 * mapping parameter names to values: strings, numbers, booleans, null, arrays,
 * objects, and Files; NULL for none), as the reference client does:
 *   - method: the link's action upper-cased, GET when empty; encoding: the
 *     link's, application/json when empty;
 *   - each parameter goes where its field's location says, else to the query
 *     for GET and DELETE and to the form otherwise (the body for
 *     application/octet-stream); path parameters expand the link's URL as an
 *     RFC 6570 template; query lists repeat their key, booleans are
 *     true/false, null is empty;
 *   - form and body parameters are encoded as application/json,
 *     application/x-www-form-urlencoded, multipart/form-data (files streamed
 *     from disk) or application/octet-stream (a raw file upload, Content-Type
 *     from the file, else its name, with Content-Disposition: attachment;
 *     filename="..."); a value the encoding cannot carry is a parameter error,
 *     found before anything is sent.
 * The result: an empty body gives no node; an Error (or any 4xx/5xx) gives
 * ERR_ERROR_RESPONSE. For a link inside a nested document, PUT, PATCH and
 * DELETE replace that nested document in place with the result (or, with an
 * empty result, remove it) and give the new root; other actions give the new
 * document; the link's transform ("new", "inplace") decides when set.
 * opts may be NULL. Fills *result (initialised first). */
COREAPI_EXTERN coreapi_code coreapi_client_action(coreapi_client *client,
                                                  const coreapi_node *document,
                                                  const coreapi_key *keys, size_t n,
                                                  const coreapi_node *params,
                                                  const coreapi_action_options *opts,
                                                  coreapi_result *result, coreapi_error *err);

#ifdef __cplusplus
}
#endif
#endif /* COREAPI_TRANSITIONS_H */
