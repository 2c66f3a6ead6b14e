/*
 * http/parse.c - the lines of a response's header block as libcurl hands
 * them over, one at a time (RFC 9112 sections 4 and 5): a status line
 * starts a block, field lines follow, an empty line ends it.
 *
 * Pure, in picohttpparser's shape: a pointer and a length in, spans into
 * the same bytes out; nothing is allocated and no state is kept between
 * calls, so that a hostile server's bytes can be tested and fuzzed alone.
 */
#include <string.h>

#include "http.h"

static int is_ows(char c) { return c == ' ' || c == '\t'; }

static int is_digit(char c) { return c >= '0' && c <= '9'; }

/* Does [p, p+n) hold NUL, CR or LF? (memchr is vectorised: three passes
 * over a short value cost less than one byte loop.) */
static int has_break(const char *p, size_t n) {
  return memchr(p, '\r', n) != NULL || memchr(p, '\n', n) != NULL ||
         memchr(p, '\0', n) != NULL;
}

/* "HTTP/1.1 200 OK", "HTTP/1.0 404", "HTTP/2 200 " and "HTTP/3 200": a
 * version, a space, three digits, then an optional space and reason. */
static int status_line(const char *p, size_t n, coreapi__header_line *out) {
  size_t i = 5;
  if (n < 5 || memcmp(p, "HTTP/", 5) != 0)
    return -1;
  if (i >= n || !is_digit(p[i]))
    return -1;
  i++;
  if (i + 1 < n && p[i] == '.' && is_digit(p[i + 1]))
    i += 2;
  /* status-code = 3DIGIT, 100 to 999 (RFC 9110 section 15 names 1xx-5xx;
   * libcurl passes any other first digit but 0 on). */
  if (i + 4 > n || p[i] != ' ' || p[i + 1] < '1' || p[i + 1] > '9' || !is_digit(p[i + 2]) ||
      !is_digit(p[i + 3]))
    return -1;
  out->status = (p[i + 1] - '0') * 100 + (p[i + 2] - '0') * 10 + (p[i + 3] - '0');
  i += 4;
  if (i < n && p[i] != ' ')
    return -1; /* "HTTP/1.1 2000" */
  if (i < n)
    i++;
  out->value = p + i;
  out->value_len = n - i;
  return 0;
}

/* out->value: [v, end) without the spaces and tabs around it. */
static void trim_ows(const char *v, const char *end, coreapi__header_line *out) {
  while (v < end && is_ows(*v))
    v++;
  while (end > v && is_ows(end[-1]))
    end--;
  out->value = v;
  out->value_len = (size_t)(end - v);
}

coreapi__line_kind coreapi__parse_header_line(const char *p, size_t n,
                                              coreapi__header_line *out) {
  const char *colon;
  memset(out, 0, sizeof(*out));
  if (p == NULL)
    return COREAPI__LINE_BAD;
  while (n > 0 && (p[n - 1] == '\r' || p[n - 1] == '\n'))
    n--;
  if (n == 0)
    return COREAPI__LINE_END;
  if (n >= 5 && memcmp(p, "HTTP/", 5) == 0)
    return !has_break(p, n) && status_line(p, n, out) == 0 ? COREAPI__LINE_STATUS
                                                             : COREAPI__LINE_BAD;
  if (is_ows(p[0])) {
    /* obs-fold (RFC 9112 section 5.2): the value goes on, after one space. */
    if (has_break(p, n))
      return COREAPI__LINE_BAD;
    trim_ows(p, p + n, out);
    return COREAPI__LINE_FOLD;
  }
  /* The name: tchars up to the colon ("Name : value" is bad, section 5.1). */
  colon = memchr(p, ':', n);
  if (colon == NULL || colon == p)
    return COREAPI__LINE_BAD;
  for (const char *c = p; c < colon; c++)
    if (!coreapi__is_tchar((unsigned char)*c))
      return COREAPI__LINE_BAD;
  if (has_break(colon + 1, (size_t)(p + n - colon - 1)))
    return COREAPI__LINE_BAD;
  out->name = p;
  out->name_len = (size_t)(colon - p);
  trim_ows(colon + 1, p + n, out);
  return COREAPI__LINE_FIELD;
}
