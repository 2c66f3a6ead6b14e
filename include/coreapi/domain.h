/*
 * coreapi/domain.h - the domain patterns that scope authentication.
 *
 * A pattern is one of:
 *   NULL or "*"        every host (IP literals too);
 *   "api.example.com"  exactly that host (IP literals: "127.0.0.1", "[::1]");
 *   "*.example.com"    any host that ends in ".example.com", not
 *                      "example.com" itself and never an IP literal.
 * A "*" anywhere else, or not followed by ".", is rejected ("*example.com",
 * "a.*.com", "**.x"): the reference client's plain suffix match let
 * "*example.com" match "evilexample.com". So is a wildcard over what would be
 * an IP address ("*.0.0.1", "*.[::1]"), and "" (use "*").
 *
 * Hosts and patterns compare after normalisation: lowercase, one trailing dot
 * dropped, internationalised names in punycode (by libcurl's URL API).
 */
#ifndef COREAPI_DOMAIN_H
#define COREAPI_DOMAIN_H

#include <stddef.h>
#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Check pattern. Returns OK, or ERR_BAD_DOMAIN with err saying what is wrong.
 * NULL is valid (it means "*"). */
COREAPI_EXTERN coreapi_code coreapi_domain_check(const char *pattern, coreapi_error *err);

/* Does pattern cover the host of url? url is an absolute http or https URL,
 * parsed by libcurl's URL API (userinfo never decides the host). Returns 1
 * for a match, 0 for none, -1 with err filled for an invalid pattern or URL. */
COREAPI_EXTERN int coreapi_domain_matches(const char *pattern, const char *url,
                                          coreapi_error *err);

/* Write the normalised form of pattern into buf (size bytes, NUL-terminated):
 * "*" for NULL, lowercase, no trailing dot, punycode. Returns OK, ERR_BAD_DOMAIN
 * for an invalid pattern, or ERR_INVALID_ARGUMENT when buf is too small. */
COREAPI_EXTERN coreapi_code coreapi_domain_normalize(const char *pattern, char *buf,
                                                     size_t size, coreapi_error *err);

#ifdef __cplusplus
}
#endif
#endif /* COREAPI_DOMAIN_H */
