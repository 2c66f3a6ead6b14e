/*
 * redirect.c - the rules for following a redirect (RFC 9110 section 15.4)
 * and for deciding, hop by hop, which credentials and headers may go along.
 *
 *   301, 302  POST becomes GET without a body (what every client does)
 *   303       every method but HEAD becomes GET without a body
 *   307, 308  method and body kept
 *
 * Scope on a hop: an explicit pattern covers a hop whose host it matches on
 * the first request's port; "*" covers the first request's origin (scheme,
 * host, port). Either also covers the upgrade of an http URL on port 80 to
 * https on port 443 of the same host. Nothing is in scope after
 * a downgrade from https to http, and once out of scope an authentication
 * stays out for the rest of the chain.
 */
#include <stdlib.h>
#include <string.h>

#include "http.h"

int coreapi__is_redirect(long status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

int coreapi__same_origin(const coreapi__url *first, const coreapi__url *hop) {
  if (strcmp(first->host, hop->host) != 0)
    return 0;
  if (strcmp(first->scheme, hop->scheme) == 0)
    return first->port == hop->port;
  return strcmp(first->scheme, "http") == 0 && first->port == 80 &&
         strcmp(hop->scheme, "https") == 0 && hop->port == 443;
}

int coreapi__pattern_covers_hop(const coreapi__pattern *p, const coreapi__url *first,
                                const coreapi__url *hop) {
  if (p->kind == COREAPI__PATTERN_ANY)
    return coreapi__same_origin(first, hop);
  if (!coreapi__pattern_matches(p, hop))
    return 0;
  /* Another port is another service, whatever the pattern says of hosts
   * (curl's fix for CVE-2022-27776): only the first request's port, or the
   * upgrade of the same host from http on 80 to https on 443. */
  if (hop->port == first->port)
    return 1;
  return strcmp(first->host, hop->host) == 0 && strcmp(first->scheme, "http") == 0 &&
         first->port == 80 && strcmp(hop->scheme, "https") == 0 && hop->port == 443;
}

coreapi_code coreapi__redirect_next(coreapi_request *req, long status, const char *location,
                                    coreapi_error *err) {
  coreapi__url next;
  coreapi_error inner;
  coreapi_code rc;

  coreapi_error_clear(&inner);
  rc = coreapi__url_parse(&next, location, req->url.url, &inner);
  if (rc == COREAPI_ERR_OUT_OF_MEMORY)
    return COREAPI__OOM(err);
  if (rc != COREAPI_OK)
    return coreapi_error_set(err, COREAPI_ERR_BAD_REDIRECT,
                             "refused redirect from %s to '%.100s': %s", req->url.url,
                             location, inner.text);
  if ((status == 303 && strcmp(req->method, "HEAD") != 0) ||
      ((status == 301 || status == 302) && strcmp(req->method, "POST") == 0)) {
    char *get = coreapi__strdup("GET");
    if (get == NULL) {
      coreapi__url_free(&next);
      return COREAPI__OOM(err);
    }
    free(req->method);
    req->method = get;
    coreapi__request_drop_body(req);
    coreapi__headers_remove(&req->headers, "Content-Type");
    coreapi__headers_remove(&req->headers, "Content-Length");
    coreapi__headers_remove(&req->headers, "Content-Encoding");
  }
  coreapi__request_retarget(req, &next);
  return COREAPI_OK;
}
