/*
 * text/text.h - the reference client's textual behaviour, each rule written
 * once: UTF-8 as Python decodes it (utf8.c), Python's str(float)
 * (pyfloat.c), urllib.parse.quote_plus (quote.c) and urljoin (urljoin.c),
 * and the media types of mimetypes.guess_type and the reference's
 * guess_extension (mimetypes.c). Used by every layer above (see
 * src/README.md); each function has a data-driven suite in tests/suites/
 * whose expected outputs Python computes (tests/gen_text_suites.py).
 */
#ifndef COREAPI_TEXT_H
#define COREAPI_TEXT_H

#include <stdint.h>

#include "../base/base.h"

/* --- utf8.c -------------------------------------------------------------- */

/* Decode the UTF-8 character at s, of which n bytes are available: returns
 * its length (1 to 4) and stores its code point in *cp (cp may be NULL), or
 * returns 0, *cp untouched, when s does not start with a valid sequence
 * (overlong, surrogate, above U+10FFFF, truncated, stray byte) or n is 0
 * or s is NULL. */
size_t coreapi__utf8_next(const char *s, size_t n, uint32_t *cp);

/* Is [s, s+n) valid UTF-8, as bytes.decode("utf-8") would accept it? A NULL
 * s is valid only with n 0. ASCII runs are checked eight bytes at a time. */
int coreapi__is_utf8(const char *s, size_t n);
/* Is s (NUL-terminated) valid UTF-8 without C0 control characters or DEL?
 * NULL is (absent). */
int coreapi__is_plain_utf8(const char *s);

/* Python's len() of the text [s, s+n), valid UTF-8: the bytes that are not
 * continuation bytes (10xxxxxx). s may be NULL when n is 0. */
size_t coreapi__utf8_chars(const char *s, size_t n);

/* The byte offset of character number chars of [s, s+n) (valid UTF-8), or n
 * when there are not that many: Python's len(s[:chars]) in bytes. s may be
 * NULL when n is 0. */
size_t coreapi__utf8_skip(const char *s, size_t n, size_t chars);

/* --- pyfloat.c ----------------------------------------------------------- */

/* Append Python's str(d) (= repr(d)) to b: the shortest digits that read
 * back as d, "1.0", "1e+16", "1e-05", "-0.0", "inf", "-inf", "nan".
 * Returns 0, -1 on ENOMEM. (JSON spells the non-finite values differently:
 * the JSON writer handles those itself.) */
int coreapi__py_float_str(coreapi__buf *b, double d);

/* --- quote.c ------------------------------------------------------------- */

/* Append urllib.parse.quote_plus of the n bytes at s to b: ASCII letters,
 * digits and "_.-~" as they are, ' ' as '+', every other byte (NUL and
 * UTF-8 bytes included) as %XX, upper case. s may be NULL when n is 0.
 * Returns 0, -1 on ENOMEM (b then holds a prefix of the result). */
int coreapi__quote_plus(coreapi__buf *b, const char *s, size_t n);

/* --- urljoin.c ----------------------------------------------------------- */

/* url resolved against base as Python 3.11's urllib.parse.urljoin does (RFC
 * 3986 section 5.2 on the text: nothing is percent-encoded or case-folded
 * but the scheme). A NULL or empty base gives url; an empty url gives base;
 * a NULL url counts as empty. Returns a new string (the caller frees it) or
 * NULL on ENOMEM. Where Python raises ValueError (an invalid "[...]" host)
 * this resolves the text as it is. */
char *coreapi__urljoin(const char *base, const char *url);

/* --- mediatype.c --------------------------------------------------------- */

/* Is the media type mt (parameters allowed) want ("type/subtype", lower
 * case)? Case-insensitive, RFC 9110 8.3.1. NULL is nothing. */
int coreapi__media_type_is(const char *mt, const char *want);
/* Is mt application/json or a "+json" type (application/merge-patch+json,
 * application/vnd.api+json), parameters allowed? */
int coreapi__media_type_is_json(const char *mt);

/* --- mimetypes.c --------------------------------------------------------- */

/* mimetypes.guess_type(url)[0] of Debian's Python 3.11 (strict): the media
 * type for a file name, path or URL (NUL-terminated), or NULL when unknown
 * (or url is NULL). The result is static and NUL-terminated, except for a
 * "data:" URL, where it may be the media type written in url itself: *len
 * is always its length (len may be NULL). */
const char *coreapi__guess_type(const char *url, size_t *len);

/* The reference's guess_extension for the bare media type [type, type+n)
 * (compared exactly, case-sensitively: lowercase and strip parameters
 * first): ".ext" or "" when the type is unknown. Static; type may be NULL
 * (""). */
const char *coreapi__guess_extension(const char *type, size_t n);

#endif /* COREAPI_TEXT_H */
