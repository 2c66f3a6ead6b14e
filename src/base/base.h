/*
 * base/base.h - the bottom layer: errors, memory and buffers, atomic file
 * writes. Every layer above may use what this declares (see src/README.md).
 * Names shared between files are coreapi__*; everything else is static.
 */
#ifndef COREAPI_BASE_H
#define COREAPI_BASE_H

#include <stddef.h>

#include "coreapi/error.h"
#include "coreapi/version.h"

/* --- util.c -------------------------------------------------------------- */

/* Overwrite n bytes at p with zeros in a way the compiler keeps. */
void coreapi__wipe(void *p, size_t n);

/* Wipe and free a NUL-terminated string; NULL does nothing. */
void coreapi__free_secret(char *s);

/* strdup / strndup that return NULL on NULL input or allocation failure. */
char *coreapi__strdup(const char *s);
char *coreapi__strndup(const char *s, size_t n);

/* ASCII case-insensitive comparison, as for header names and hosts. */
int coreapi__strcaseeq(const char *a, const char *b);

/* Is s (NUL-terminated) non-empty visible ASCII (0x21 to 0x7e: what a
 * token or key sent in a header may hold)? NULL is not. */
int coreapi__is_visible_ascii(const char *s);

/* Is s (NUL-terminated) a non-empty RFC 9110 token (tchar+)? */
int coreapi__is_token(const char *s);

/* Is c a tchar (RFC 9110 section 5.6.2: letters, digits, "!#$%&'*+-.^_`|~")? */
extern const unsigned char coreapi__tchar[256];
static inline int coreapi__is_tchar(unsigned char c) { return coreapi__tchar[c]; }

/* The value (0-15) of the hexadecimal digit c, either case, or -1. */
int coreapi__hex_value(unsigned char c);

/* Base64 (RFC 4648, padded) of n bytes into a new NUL-terminated string. */
char *coreapi__base64(const unsigned char *in, size_t n);

/* Strings packed into one allocation: the bytes a string needs there (NULL
 * counts as ""), and copying it to *blob, advancing it. */
size_t coreapi__blob_size(const char *s);
const char *coreapi__blob_put(char **blob, const char *s);

/* A growable byte buffer, always NUL-terminated when data is not NULL. */
typedef struct coreapi__buf {
  char *data;
  size_t len;
  size_t cap;
} coreapi__buf;

int coreapi__buf_append(coreapi__buf *b, const void *p, size_t n); /* 0 or -1 */
int coreapi__buf_appendf(coreapi__buf *b, const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
void coreapi__buf_free(coreapi__buf *b);

/* Room for one more item in the array items of *cap items of size bytes,
 * count of them in use: the array itself, or when full a copy doubled (from
 * 8; *cap updated, items freed). NULL on ENOMEM or overflow, items then
 * unchanged and still the caller's. */
void *coreapi__array_room(void *items, size_t *cap, size_t count, size_t size);

/* --- fileio.c ------------------------------------------------------------ */

/* Write len bytes to path atomically: a temporary file in the same directory
 * created with mode, written, fsync'ed, renamed over path, and the directory
 * fsync'ed. Returns OK or ERR_IO with err set; on failure path is untouched
 * and no temporary file is left. */
coreapi_code coreapi__write_file_atomic(const char *path, const void *data, size_t len,
                                        unsigned mode, coreapi_error *err);

#define COREAPI__OOM(err) coreapi_error_set((err), COREAPI_ERR_OUT_OF_MEMORY, NULL)

#endif /* COREAPI_BASE_H */
