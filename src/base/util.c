/*
 * base/util.c - small string, byte and memory helpers used across the
 * library: secret wiping, RFC 9110 tokens, hexadecimal digits, Base64
 * (RFC 4648), strings packed into one block and a growable buffer.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base.h"

void coreapi__wipe(void *p, size_t n) {
  /* A volatile function pointer keeps the compiler from proving the store
   * dead and removing it (the memset_s / explicit_bzero idea, portably). */
  static void *(*const volatile wipe_memset)(void *, int, size_t) = memset;
  if (p != NULL && n > 0)
    wipe_memset(p, 0, n);
}

void coreapi__free_secret(char *s) {
  if (s == NULL)
    return;
  coreapi__wipe(s, strlen(s));
  free(s);
}

char *coreapi__strndup(const char *s, size_t n) {
  char *d;
  if (s == NULL)
    return NULL;
  d = malloc(n + 1);
  if (d == NULL)
    return NULL;
  memcpy(d, s, n);
  d[n] = '\0';
  return d;
}

char *coreapi__strdup(const char *s) {
  return s == NULL ? NULL : coreapi__strndup(s, strlen(s));
}

static int lower(int c) { return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c; }

int coreapi__strcaseeq(const char *a, const char *b) {
  if (a == NULL || b == NULL)
    return a == b;
  for (; *a && *b; a++, b++)
    if (lower((unsigned char)*a) != lower((unsigned char)*b))
      return 0;
  return *a == *b;
}

/* tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." /
 *         "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA        (RFC 9110 5.6.2) */
const unsigned char coreapi__tchar[256] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 1, 0, 1, 1, 1, 1, 1, 0, 0, 1, 1, 0, 1, 1, 0,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0,
    0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 0, 1, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
};

int coreapi__is_visible_ascii(const char *s) {
  if (s == NULL || *s == '\0')
    return 0;
  for (; *s; s++)
    if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f)
      return 0;
  return 1;
}

int coreapi__is_token(const char *s) {
  if (s == NULL || *s == '\0')
    return 0;
  for (; *s; s++)
    if (!coreapi__is_tchar((unsigned char)*s))
      return 0;
  return 1;
}

int coreapi__hex_value(unsigned char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

char *coreapi__base64(const unsigned char *in, size_t n) {
  static const char alphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  size_t out_len, i, o = 0;
  char *out;
  if (n > (SIZE_MAX - 1) / 4 * 3 - 3)
    return NULL;
  out_len = (n + 2) / 3 * 4;
  out = malloc(out_len + 1);
  if (out == NULL)
    return NULL;
  for (i = 0; i + 2 < n; i += 3) {
    uint32_t v = ((uint32_t)in[i] << 16) | ((uint32_t)in[i + 1] << 8) | in[i + 2];
    out[o++] = alphabet[(v >> 18) & 63];
    out[o++] = alphabet[(v >> 12) & 63];
    out[o++] = alphabet[(v >> 6) & 63];
    out[o++] = alphabet[v & 63];
  }
  if (i < n) {
    uint32_t v = (uint32_t)in[i] << 16;
    if (i + 1 < n)
      v |= (uint32_t)in[i + 1] << 8;
    out[o++] = alphabet[(v >> 18) & 63];
    out[o++] = alphabet[(v >> 12) & 63];
    out[o++] = (i + 1 < n) ? alphabet[(v >> 6) & 63] : '=';
    out[o++] = '=';
  }
  out[o] = '\0';
  return out;
}

int coreapi__buf_append(coreapi__buf *b, const void *p, size_t n) {
  if (b->len + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 256;
    char *d;
    while (cap < b->len + n + 1) {
      if (cap > SIZE_MAX / 2)
        return -1;
      cap *= 2;
    }
    /* Not realloc: the old block may hold secrets, and is wiped first. */
    d = malloc(cap);
    if (d == NULL)
      return -1;
    if (b->data != NULL) {
      memcpy(d, b->data, b->len);
      coreapi__wipe(b->data, b->len);
      free(b->data);
    }
    b->data = d;
    b->cap = cap;
  }
  if (n > 0)
    memcpy(b->data + b->len, p, n);
  b->len += n;
  b->data[b->len] = '\0';
  return 0;
}

int coreapi__buf_appendf(coreapi__buf *b, const char *fmt, ...) {
  char small[256];
  va_list ap;
  int n;
  va_start(ap, fmt);
  n = vsnprintf(small, sizeof(small), fmt, ap);
  va_end(ap);
  if (n < 0)
    return -1;
  if ((size_t)n < sizeof(small)) {
    int rc = coreapi__buf_append(b, small, (size_t)n);
    coreapi__wipe(small, (size_t)n);
    return rc;
  }
  {
    char *big = malloc((size_t)n + 1);
    int rc;
    if (big == NULL)
      return -1;
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    rc = coreapi__buf_append(b, big, (size_t)n);
    coreapi__wipe(big, (size_t)n);
    free(big);
    return rc;
  }
}

void *coreapi__array_room(void *items, size_t *cap, size_t count, size_t size) {
  size_t n;
  void *grown;
  if (count < *cap)
    return items;
  n = *cap ? *cap * 2 : 8;
  if (n < *cap || size == 0 || n > SIZE_MAX / size || (grown = realloc(items, n * size)) == NULL)
    return NULL;
  *cap = n;
  return grown;
}

void coreapi__buf_free(coreapi__buf *b) {
  if (b->data != NULL) {
    coreapi__wipe(b->data, b->len); /* the rest was never written */
    free(b->data);
  }
  b->data = NULL;
  b->len = b->cap = 0;
}

size_t coreapi__blob_size(const char *s) { return (s ? strlen(s) : 0) + 1; }

const char *coreapi__blob_put(char **blob, const char *s) {
  size_t n = s ? strlen(s) : 0;
  char *d = *blob;
  if (n)
    memcpy(d, s, n);
  d[n] = '\0';
  *blob += n + 1;
  return d;
}
