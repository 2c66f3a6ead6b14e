/*
 * codecs/jsonout.h - writing JSON text exactly as Python's json.dumps does,
 * so that our output can be byte-identical to the reference client's.
 */
#ifndef COREAPI_CODECS_JSONOUT_H
#define COREAPI_CODECS_JSONOUT_H

#include <stdint.h>

#include "../document/document.h"

/* Append s (len bytes of UTF-8) as a JSON string literal. With ascii, every
 * non-ASCII character becomes \uXXXX (a surrogate pair above U+FFFF), as
 * json.dumps(ensure_ascii=True); without, it is copied as is. Returns 0 or -1
 * (out of memory). */
int coreapi__json_string(coreapi__buf *b, const char *s, size_t len, int ascii);

/* Append d as Python's repr(float) writes it: the shortest digits that read
 * back as d, "1e+16" / "1e-05" outside [1e-4, 1e16), "1.0" for integral
 * values, NaN, Infinity and -Infinity as json.dumps writes them. */
int coreapi__json_real(coreapi__buf *b, double d);

int coreapi__json_integer(coreapi__buf *b, int64_t i);

/* A newline and depth * indent spaces (nothing when indent is 0). */
int coreapi__json_newline(coreapi__buf *b, int indent, int depth);

#endif
