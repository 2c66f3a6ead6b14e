/*
 * text/mediatype.c - comparing media types as RFC 9110 section 8.3.1 has
 * them: "type/subtype" case-insensitive, parameters (after ';') not part
 * of the comparison; and telling a JSON one (application/json, or any
 * "+json" structured syntax suffix, RFC 6839).
 */
#include <string.h>

#include "text.h"

/* The length of mt's "type/subtype", surrounding blanks left out; *start
 * set past leading blanks. */
static size_t essence(const char *mt, const char **start) {
  size_t n;
  while (*mt == ' ' || *mt == '\t')
    mt++;
  n = strcspn(mt, ";");
  while (n > 0 && (mt[n - 1] == ' ' || mt[n - 1] == '\t'))
    n--;
  *start = mt;
  return n;
}

static int lower(int c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }

static int same_ci(const char *a, const char *b, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (lower((unsigned char)a[i]) != lower((unsigned char)b[i]))
      return 0;
  return 1;
}

int coreapi__media_type_is(const char *mt, const char *want) {
  const char *s;
  size_t n;
  if (mt == NULL || want == NULL)
    return 0;
  n = essence(mt, &s);
  return n == strlen(want) && same_ci(s, want, n);
}

int coreapi__media_type_is_json(const char *mt) {
  const char *s, *slash;
  size_t n;
  if (mt == NULL)
    return 0;
  n = essence(mt, &s);
  slash = memchr(s, '/', n);
  if (slash == NULL || slash == s || (size_t)(slash - s) + 1 == n)
    return 0;
  return coreapi__media_type_is(mt, "application/json") ||
         (n > 5 && same_ci(s + n - 5, "+json", 5) && (size_t)(slash - s) + 1 < n - 5);
}
