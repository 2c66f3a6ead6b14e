/*
 * codecs/jsonout.c - JSON text as Python's json.dumps writes it (RFC 8259
 * strings, Python's float repr from text/pyfloat.c).
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonout.h"

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
          uint32_t cp = c; /* a stray byte (never in a document) as itself */
          adv = coreapi__utf8_next((const char *)s + i, len - i, &cp);
          if (adv == 0)
            adv = 1;
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
  if (isnan(d))
    return coreapi__buf_append(b, "NaN", 3);
  if (isinf(d))
    return d > 0 ? coreapi__buf_append(b, "Infinity", 8) : coreapi__buf_append(b, "-Infinity", 9);
  return coreapi__py_float_str(b, d);
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
