/*
 * text/utf8.c - UTF-8 (RFC 3629) as Python's strict "utf-8" codec reads it
 * (bytes.decode("utf-8")): no overlong forms, no surrogates (U+D800 to
 * U+DFFF), nothing above U+10FFFF, no truncated sequence. Decoding one
 * character, validating a whole text, and Python's len() and slicing by
 * characters of text already known to be valid.
 */
#include <stdint.h>
#include <string.h>

#include "text.h"

/* The one decoder: the length of the valid sequence at s (n > 0 bytes
 * available) with its code point in *cp, or 0. */
static inline size_t decode(const unsigned char *s, size_t n, uint32_t *cp) {
  unsigned char c = s[0];
  size_t len;
  uint32_t v;
  if (c < 0x80) {
    *cp = c;
    return 1;
  }
  if (c >= 0xC2 && c <= 0xDF) {
    len = 2;
    v = c & 0x1Fu;
  } else if (c >= 0xE0 && c <= 0xEF) {
    len = 3;
    v = c & 0x0Fu;
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4;
    v = c & 0x07u;
  } else {
    return 0; /* a continuation byte, C0, C1 or F5 to FF */
  }
  if (n < len)
    return 0;
  for (size_t k = 1; k < len; k++) {
    if ((s[k] & 0xC0) != 0x80)
      return 0;
    v = (v << 6) | (s[k] & 0x3Fu);
  }
  if ((len == 3 && v < 0x800) || (len == 4 && (v < 0x10000 || v > 0x10FFFF)) ||
      (v >= 0xD800 && v <= 0xDFFF))
    return 0;
  *cp = v;
  return len;
}

/* The character at s (n bytes available): its length and *cp (cp may be
 * NULL), or 0 when invalid or n is 0 or s NULL (*cp untouched). */
size_t coreapi__utf8_next(const char *s, size_t n, uint32_t *cp) {
  uint32_t v;
  size_t len;
  if (s == NULL || n == 0)
    return 0;
  len = decode((const unsigned char *)s, n, &v);
  if (len > 0 && cp != NULL)
    *cp = v;
  return len;
}

/* 1 when [str, str+n) is valid UTF-8 (NULL only with n 0), else 0. */
int coreapi__is_utf8(const char *str, size_t n) {
  const unsigned char *s = (const unsigned char *)str;
  size_t i = 0;
  if (s == NULL)
    return n == 0;
  while (i < n) {
    uint32_t cp;
    size_t len;
    if (s[i] < 0x80) {
      /* ASCII runs, eight bytes at a time. */
      uint64_t w;
      i++;
      while (n - i >= 8) {
        memcpy(&w, s + i, 8);
        if (w & UINT64_C(0x8080808080808080))
          break;
        i += 8;
      }
      continue;
    }
    len = decode(s + i, n - i, &cp);
    if (len == 0)
      return 0;
    i += len;
  }
  return 1;
}

/* len() of valid UTF-8 [s, s+n): the bytes that start a character. */
size_t coreapi__utf8_chars(const char *s, size_t n) {
  size_t count = 0;
  for (size_t i = 0; i < n; i++)
    if (((unsigned char)s[i] & 0xC0) != 0x80)
      count++;
  return count;
}

/* The offset in [s, s+n) after chars characters (at most n). */
size_t coreapi__utf8_skip(const char *s, size_t n, size_t chars) {
  const unsigned char *p = (const unsigned char *)s;
  size_t i = 0;
  while (chars > 0 && i < n) {
    i++;
    while (i < n && (p[i] & 0xC0) == 0x80)
      i++;
    chars--;
  }
  return i;
}

int coreapi__is_plain_utf8(const char *s) {
  if (s == NULL)
    return 1;
  for (const unsigned char *p = (const unsigned char *)s; *p; p++)
    if (*p < 0x20 || *p == 0x7f)
      return 0;
  return coreapi__is_utf8(s, strlen(s));
}
