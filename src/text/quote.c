/*
 * text/quote.c - Python's urllib.parse.quote_plus(s) with its default
 * safe='' (the form encoding of urlencode): the bytes of s (UTF-8 for a
 * str) with the always-safe set kept (RFC 3986 unreserved: ASCII letters,
 * digits and "_.-~"), a space written "+", every other byte "%XX" in
 * upper-case hexadecimal.
 */
#include "text.h"

static int is_safe(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         c == '_' || c == '.' || c == '-' || c == '~';
}

/* Append quote_plus of the n bytes at str (NULL with n 0) to b; b always
 * holds a string afterwards, "" for nothing. Returns 0, -1 on ENOMEM. */
int coreapi__quote_plus(coreapi__buf *b, const char *str, size_t n) {
  static const char hex[] = "0123456789ABCDEF";
  const unsigned char *s = (const unsigned char *)str;
  size_t i = 0, run = 0;
  if (coreapi__buf_append(b, "", 0) != 0)
    return -1;
  for (; i < n; i++) {
    unsigned char c = s[i];
    char esc[3];
    if (is_safe(c)) {
      run++;
      continue;
    }
    if (run > 0 && coreapi__buf_append(b, s + i - run, run) != 0)
      return -1;
    run = 0;
    if (c == ' ') {
      if (coreapi__buf_append(b, "+", 1) != 0)
        return -1;
      continue;
    }
    esc[0] = '%';
    esc[1] = hex[c >> 4];
    esc[2] = hex[c & 15];
    if (coreapi__buf_append(b, esc, 3) != 0)
      return -1;
  }
  if (run > 0 && coreapi__buf_append(b, s + i - run, run) != 0)
    return -1;
  return 0;
}
