/*
 * coreapi/uritemplate.h - URI Templates (RFC 6570), levels 1 to 4.
 *
 * A link's URL is a URI template; the client expands it with the path
 * parameters, as the reference client does with uritemplate.expand():
 *
 *   "/users/{id}/"        id = "a b"                 -> "/users/a%20b/"
 *   "/search{?q,page}"    q = "café", page = 2       -> "/search?q=caf%C3%A9&page=2"
 *   "{/path*}"            path = ["a", "b"]          -> "/a/b"
 *
 * Every operator (none, + # . / ; ? &), the explode modifier (*) and the
 * prefix modifier (:1 to :9999) are supported. Values are pct-encoded by
 * their UTF-8 bytes; the + and # operators also let reserved characters and
 * existing pct-encoded triplets through. Literal text is copied, except for
 * characters a URI cannot hold (space, non-ASCII, ...), which are
 * pct-encoded as RFC 6570 section 3.1 says.
 */
#ifndef COREAPI_URITEMPLATE_H
#define COREAPI_URITEMPLATE_H

#include <stddef.h>
#include "document.h"
#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Expand the template tmpl (len bytes of UTF-8; it need not be
 * NUL-terminated) with the variables in vars: an Object or a Document
 * mapping variable names to values, or NULL for no variables.
 *
 * Values:
 *   String            the string
 *   Integer           in decimal ("42")
 *   Real              as Python's str() writes it ("1.5", "1e+20")
 *   Boolean           "true" or "false" (what the reference's transport
 *                     passes to uritemplate)
 *   Array             a list: its members (scalars as above); Null members
 *                     are undefined and skipped
 *   Object            an associative array, in insertion order; pairs whose
 *                     value is Null are skipped
 *   Null, or absent   undefined: the variable expands to nothing
 * An empty Array or Object, or one whose members are all Null, is undefined
 * too. A prefix counts Unicode characters, not bytes (with + and #, a
 * pct-encoded triplet in the value counts as one character and is never
 * split).
 *
 * Returns, on success, a new NUL-terminated string the caller releases with
 * free(), its length in *out_len when out_len is not NULL. A template that
 * stops inside an expression (partial input, "{var") is malformed like any
 * other. On error returns NULL with err filled:
 *   ERR_INVALID_ARGUMENT  a malformed template (unmatched "{" or "}", an
 *                         unknown or reserved operator, an invalid variable
 *                         name, a prefix of 0, over 9999 or with leading
 *                         zeros, prefix and explode together, text that is
 *                         not UTF-8), with a message giving the byte offset
 *                         in tmpl; a prefix on a (defined) Array or Object;
 *                         a value that cannot be expanded (an Array or
 *                         Object nested in another, a Link, Document or
 *                         Error); vars that is not an Object or Document;
 *                         tmpl NULL with len non-zero
 *   ERR_OUT_OF_MEMORY
 * err is cleared when the call starts. tmpl NULL with len 0 is the empty
 * template. Nothing is kept between calls; any input is safe. */
COREAPI_EXTERN char *coreapi_uritemplate_expand(const char *tmpl, size_t len,
                                                const coreapi_node *vars, size_t *out_len,
                                                coreapi_error *err);

#ifdef __cplusplus
}
#endif
#endif /* COREAPI_URITEMPLATE_H */
