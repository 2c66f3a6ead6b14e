/*
 * text/mimetypes.c - media types from file names and back, as the reference
 * client guesses them: Python 3.11's mimetypes.guess_type(url)[0] (strict)
 * for the Content-Type of an upload, and coreapi.utils.guess_extension for
 * the extension of a download (the reference's own table, not mimetypes',
 * with a few types added). Both read the one table of mimetypes_table.h,
 * generated from Python by tests/gen_text_suites.py.
 *
 * guess_type, step by step as Python's: a "data:" URL gives its media type
 * (urllib.parse._splittype finds the scheme, lowercased); else the extension
 * is posixpath.splitext's (the last '.' after the last '/', not counting the
 * dots that start the name); the suffixes of suffix_map (".tgz", ...) are
 * expanded, case-insensitively; an encoding suffix of encodings_map (".gz",
 * ".Z", ...; case-sensitive) is dropped to reach the extension before it;
 * that extension, lowercased (str.lower: ASCII, and U+212A KELVIN SIGN, the
 * one other character that lowers into ASCII), is looked up.
 */
#include <string.h>

#include "mimetypes_table.h"
#include "text.h"

#define ROWS (sizeof mt_rows / sizeof mt_rows[0])
#define EXT_MAX 64 /* longer extensions are in no table */

typedef struct span {
  const char *p;
  size_t n;
} span;

/* The parts of a table row: the type, its extensions, the preferred one. */
static const char *row_exts(const char *row) { return row + strlen(row) + 1; }
static const char *row_preferred(const char *row) {
  const char *exts = row_exts(row);
  return exts + strlen(exts) + 1;
}

/* posixpath.splitext(s)[1]: from the last '.' after the last '/', when the
 * name before it is not only dots; else empty (at the end of s). */
static span splitext(span s) {
  span ext = {s.p + s.n, 0};
  size_t start = s.n, dot = s.n;
  while (start > 0 && s.p[start - 1] != '/')
    start--;
  for (size_t i = s.n; i > start; i--) {
    if (s.p[i - 1] == '.') {
      dot = i - 1;
      break;
    }
  }
  if (dot == s.n)
    return ext;
  for (size_t i = start; i < dot; i++) {
    if (s.p[i] != '.') {
      ext.p = s.p + dot;
      ext.n = s.n - dot;
      return ext;
    }
  }
  return ext;
}

static int span_is(span s, const char *lit) {
  return s.n == strlen(lit) && memcmp(s.p, lit, s.n) == 0;
}

/* str.lower() of ext into out (NUL-terminated) when the result is ASCII, as
 * every key is; 0 when it cannot be a key. */
static int lower_ext(span ext, char *out) {
  size_t o = 0;
  for (size_t i = 0; i < ext.n; i++) {
    unsigned char c = (unsigned char)ext.p[i];
    if (o + 1 >= EXT_MAX)
      return 0;
    if (c >= 'A' && c <= 'Z') {
      out[o++] = (char)(c + 32);
    } else if (c < 0x80) {
      out[o++] = (char)c;
    } else if (ext.n - i >= 3 && memcmp(ext.p + i, "\xe2\x84\xaa", 3) == 0) {
      out[o++] = 'k'; /* U+212A KELVIN SIGN */
      i += 2;
    } else {
      return 0;
    }
  }
  out[o] = '\0';
  return 1;
}

/* The type whose extensions list ext (lowercase, no dot), or NULL. */
static const char *type_of_ext(const char *ext) {
  size_t n = strlen(ext);
  for (size_t r = 0; r < ROWS; r++) {
    const char *p = row_exts(mt_rows[r]);
    while (*p != '\0') {
      size_t len = strcspn(p, " ");
      if (len == n && memcmp(p, ext, n) == 0)
        return mt_rows[r];
      p += len;
      if (*p == ' ')
        p++;
    }
  }
  return NULL;
}

/* mimetypes' handling of a "data:" URL after the scheme: the media type
 * before ';' or ',', "text/plain" when it has '=' or no '/', NULL with no
 * ','. */
static const char *data_url_type(span rest, size_t *len) {
  const char *comma = memchr(rest.p, ',', rest.n), *semi;
  size_t n;
  if (comma == NULL)
    return NULL;
  semi = memchr(rest.p, ';', (size_t)(comma - rest.p));
  n = (size_t)((semi ? semi : comma) - rest.p);
  if (memchr(rest.p, '=', n) != NULL || memchr(rest.p, '/', n) == NULL) {
    *len = 10;
    return "text/plain";
  }
  *len = n;
  return rest.p;
}

/* suffix_map: the case-insensitive suffixes that stand for two. */
static const struct {
  const char *suffix, *inner, *outer;
} suffixes[] = {{".svgz", ".svg", ".gz"}, {".tgz", ".tar", ".gz"}, {".taz", ".tar", ".gz"},
                {".tz", ".tar", ".gz"},   {".tbz2", ".tar", ".bz2"}, {".txz", ".tar", ".xz"}};
static const char *const encodings[] = {".gz", ".Z", ".bz2", ".xz", ".br"};

/* guess_type(url)[0]: a static type, or for a "data:" URL possibly a span
 * of url, with its length in *len (len may be NULL); NULL when unknown or
 * url is NULL (*len 0). */
const char *coreapi__guess_type(const char *url, size_t *len) {
  span s, ext;
  char lower[EXT_MAX];
  const char *inner = NULL, *row;
  size_t scheme, dummy;
  if (len == NULL)
    len = &dummy;
  *len = 0;
  if (url == NULL)
    return NULL;
  s.p = url;
  s.n = strlen(url);
  scheme = strcspn(url, "/:");
  if (scheme > 0 && url[scheme] == ':') {
    s.p += scheme + 1;
    s.n -= scheme + 1;
    if (scheme == 4 && lower_ext((span){url, 4}, lower) && strcmp(lower, "data") == 0)
      return data_url_type(s, len);
  }
  ext = splitext(s);
  if (lower_ext(ext, lower)) {
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
      if (strcmp(lower, suffixes[i].suffix) == 0) {
        inner = suffixes[i].inner;
        ext.p = suffixes[i].outer;
        ext.n = strlen(ext.p);
        break;
      }
    }
  }
  for (size_t i = 0; i < sizeof encodings / sizeof encodings[0]; i++) {
    if (span_is(ext, encodings[i])) {
      if (inner != NULL) {
        ext.p = inner;
        ext.n = strlen(inner);
      } else {
        s.n = (size_t)(ext.p - s.p);
        ext = splitext(s);
      }
      break;
    }
  }
  if (ext.n < 2 || !lower_ext(ext, lower) || (row = type_of_ext(lower + 1)) == NULL)
    return NULL;
  *len = strlen(row);
  return row;
}

/* The reference's extension (static, "" when unknown) for the bare media
 * type [type, type+n), compared exactly; NULL type gives "". */
const char *coreapi__guess_extension(const char *type, size_t n) {
  size_t lo = 0, hi = ROWS;
  if (type == NULL)
    return "";
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    const char *row = mt_rows[mid];
    size_t rn = strlen(row);
    int cmp = memcmp(row, type, rn < n ? rn : n);
    if (cmp == 0)
      cmp = rn < n ? -1 : rn > n;
    if (cmp == 0)
      return row_preferred(row);
    if (cmp < 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  return "";
}
