/*
 * codecs/jsonout.c - JSON text as Python's json.dumps writes it (RFC 8259
 * strings, Python's float repr).
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonout.h"

/* Decode one UTF-8 sequence at s (valid UTF-8 guaranteed by the caller). */
static uint32_t utf8_next(const unsigned char *s, size_t *adv) {
  if (s[0] < 0x80) {
    *adv = 1;
    return s[0];
  }
  if (s[0] < 0xE0) {
    *adv = 2;
    return ((uint32_t)(s[0] & 0x1F) << 6) | (s[1] & 0x3F);
  }
  if (s[0] < 0xF0) {
    *adv = 3;
    return ((uint32_t)(s[0] & 0x0F) << 12) | ((uint32_t)(s[1] & 0x3F) << 6) | (s[2] & 0x3F);
  }
  *adv = 4;
  return ((uint32_t)(s[0] & 0x07) << 18) | ((uint32_t)(s[1] & 0x3F) << 12) |
         ((uint32_t)(s[2] & 0x3F) << 6) | (s[3] & 0x3F);
}

int coreapi__json_string(coreapi__buf *b, const char *str, size_t len, int ascii) {
  const unsigned char *s = (const unsigned char *)str;
  size_t i = 0, run = 0;
  if (coreapi__buf_append(b, "\"", 1) != 0)
    return -1;
  while (i < len) {
    unsigned char c = s[i];
    const char *esc = NULL;
    char tmp[16];
    size_t adv = 1;
    switch (c) {
      case '"': esc = "\\\""; break;
      case '\\': esc = "\\\\"; break;
      case '\n': esc = "\\n"; break;
      case '\r': esc = "\\r"; break;
      case '\t': esc = "\\t"; break;
      case '\b': esc = "\\b"; break;
      case '\f': esc = "\\f"; break;
      default:
        if (c < 0x20) {
          snprintf(tmp, sizeof(tmp), "\\u%04x", c);
          esc = tmp;
        } else if (c == 0x7f && ascii) {
          esc = "\\u007f"; /* ensure_ascii escapes all but 0x20 to 0x7e */
        } else if (c >= 0x80 && ascii) {
          uint32_t cp = utf8_next(s + i, &adv);
          if (cp >= 0x10000) {
            cp -= 0x10000;
            snprintf(tmp, sizeof(tmp), "\\u%04x\\u%04x", 0xD800 + (cp >> 10), 0xDC00 + (cp & 0x3FF));
          } else {
            snprintf(tmp, sizeof(tmp), "\\u%04x", cp);
          }
          esc = tmp;
        }
    }
    if (esc == NULL) {
      run++;
      i++;
      continue;
    }
    if (run > 0 && coreapi__buf_append(b, s + i - run, run) != 0)
      return -1;
    run = 0;
    if (coreapi__buf_append(b, esc, strlen(esc)) != 0)
      return -1;
    i += adv;
  }
  if (run > 0 && coreapi__buf_append(b, s + i - run, run) != 0)
    return -1;
  return coreapi__buf_append(b, "\"", 1);
}

int coreapi__json_integer(coreapi__buf *b, int64_t i) {
  return coreapi__buf_appendf(b, "%" PRId64, i);
}

int coreapi__json_real(coreapi__buf *b, double d) {
  char e[40], digits[24], out[64];
  int p, exp10, decpt, nd = 0;
  char *o = out;
  if (isnan(d))
    return coreapi__buf_append(b, "NaN", 3);
  if (isinf(d))
    return d > 0 ? coreapi__buf_append(b, "Infinity", 8) : coreapi__buf_append(b, "-Infinity", 9);
  /* The shortest %e precision that reads back as d. */
  for (p = 0; p < 17; p++) {
    snprintf(e, sizeof(e), "%.*e", p, d);
    if (strtod(e, NULL) == d)
      break;
  }
  /* e is "[-]D[.DDD]e[+-]XX": split into sign, digits and exponent. */
  {
    const char *q = e;
    if (*q == '-') {
      *o++ = '-';
      q++;
    }
    /* Digits only: the decimal point is the locale's (strtod above reads
     * it back in the same locale), and is not copied. */
    for (; *q != 'e'; q++)
      if (*q >= '0' && *q <= '9')
        digits[nd++] = *q;
    exp10 = atoi(q + 1);
  }
  while (nd > 1 && digits[nd - 1] == '0')
    nd--;
  digits[nd] = '\0';
  decpt = exp10 + 1; /* d = 0.DIGITS * 10^decpt */
  if (digits[0] == '0') /* zero */
    decpt = 1;
  if (decpt <= -4 || decpt > 16) {
    *o++ = digits[0];
    if (nd > 1) {
      *o++ = '.';
      memcpy(o, digits + 1, (size_t)nd - 1);
      o += nd - 1;
    }
    o += snprintf(o, sizeof(out) - (size_t)(o - out), "e%c%02d", exp10 < 0 ? '-' : '+',
                  exp10 < 0 ? -exp10 : exp10);
  } else if (decpt <= 0) {
    *o++ = '0';
    *o++ = '.';
    for (int z = 0; z < -decpt; z++)
      *o++ = '0';
    memcpy(o, digits, (size_t)nd);
    o += nd;
  } else if (decpt >= nd) {
    memcpy(o, digits, (size_t)nd);
    o += nd;
    for (int z = 0; z < decpt - nd; z++)
      *o++ = '0';
    *o++ = '.';
    *o++ = '0';
  } else {
    memcpy(o, digits, (size_t)decpt);
    o += decpt;
    *o++ = '.';
    memcpy(o, digits + decpt, (size_t)(nd - decpt));
    o += nd - decpt;
  }
  return coreapi__buf_append(b, out, (size_t)(o - out));
}

int coreapi__json_newline(coreapi__buf *b, int indent, int depth) {
  static const char spaces[] = "                                ";
  size_t n = (size_t)indent * (size_t)depth;
  if (indent == 0)
    return 0;
  if (coreapi__buf_append(b, "\n", 1) != 0)
    return -1;
  while (n > 0) {
    size_t k = n < sizeof(spaces) - 1 ? n : sizeof(spaces) - 1;
    if (coreapi__buf_append(b, spaces, k) != 0)
      return -1;
    n -= k;
  }
  return 0;
}
