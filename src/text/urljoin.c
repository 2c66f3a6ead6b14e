/*
 * text/urljoin.c - Python 3.11's urllib.parse.urljoin(base, url): RFC 3986
 * section 5.2 reference resolution on the text of the URLs, with Python's
 * own choices: which schemes are relative (uses_relative) and have a netloc
 * (uses_netloc), ";params" split off the last segment for the schemes of
 * uses_params, "//" kept when the netloc is empty, ".." past the root
 * dropped, empty segments in the middle of a merged path dropped, and
 * urlsplit's clean-up (leading C0 controls and spaces stripped, tab, CR and
 * LF removed anywhere). Nothing is percent-encoded, normalised or
 * case-folded but the scheme.
 *
 * Not reproduced: the ValueError urlsplit raises for a netloc with an
 * unbalanced or invalid "[...]" host, or one that NFKC normalisation would
 * change into one with "/?#@:"; such a netloc is kept as it is.
 */
#include <stdlib.h>
#include <string.h>

#include "text.h"

/* A span of text. */
typedef struct span {
  const char *p;
  size_t n;
} span;

typedef struct parts {
  char *scheme; /* lowercased, owned */
  span netloc, path, params, query, fragment;
} parts;

static int in_list(const char *s, const char *const *list) {
  for (; *list; list++)
    if (strcmp(s, *list) == 0)
      return 1;
  return 0;
}

static const char *const uses_relative[] = {
    "", "ftp", "http", "gopher", "nntp", "imap", "wais", "file", "https", "shttp", "mms",
    "prospero", "rtsp", "rtspu", "sftp", "svn", "svn+ssh", "ws", "wss", NULL};
static const char *const uses_netloc[] = {
    "", "ftp", "http", "gopher", "nntp", "telnet", "imap", "wais", "file", "mms", "https",
    "shttp", "snews", "prospero", "rtsp", "rtspu", "rsync", "svn", "svn+ssh", "sftp", "nfs",
    "git", "git+ssh", "ws", "wss", NULL};
static const char *const uses_params[] = {
    "", "ftp", "hdl", "prospero", "http", "imap", "https", "shttp", "rtsp", "rtspu", "sip",
    "sips", "mms", "sftp", "tel", NULL};

static int is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

/* urlsplit's clean-up of url into a new string: leading C0 controls and
 * spaces stripped, tab, CR and LF removed. NULL on ENOMEM. */
static char *clean_url(const char *url, size_t *len) {
  size_t n = strlen(url), o = 0, i = 0;
  char *u = malloc(n + 1);
  if (u == NULL)
    return NULL;
  while (i < n && (unsigned char)url[i] <= 0x20)
    i++;
  for (; i < n; i++)
    if (url[i] != '\t' && url[i] != '\r' && url[i] != '\n')
      u[o++] = url[i];
  u[o] = '\0';
  *len = o;
  return u;
}

/* The scheme of u, lowercased, when u starts with [A-Za-z][A-Za-z0-9+.-]*
 * and ':' (then *rest is after the colon), else a copy of default_scheme.
 * NULL on ENOMEM. */
static char *split_scheme(const char *u, size_t n, const char *default_scheme,
                          const char **rest) {
  size_t colon = strcspn(u, ":"), k;
  char *scheme;
  *rest = u;
  if (colon >= n || colon == 0 || !is_alpha(u[0]))
    return coreapi__strdup(default_scheme);
  for (k = 0; k < colon; k++)
    if (!is_alpha(u[k]) && !(u[k] >= '0' && u[k] <= '9') && u[k] != '+' && u[k] != '-' &&
        u[k] != '.')
      return coreapi__strdup(default_scheme);
  scheme = coreapi__strndup(u, colon);
  if (scheme != NULL)
    for (char *p = scheme; *p; p++)
      if (*p >= 'A' && *p <= 'Z')
        *p = (char)(*p + 32);
  *rest = u + colon + 1;
  return scheme;
}

/* The rest of urlparse after the scheme: netloc, fragment, query, then
 * ";params" on the last segment for the schemes that have them. */
static void split_rest(const char *rest, size_t rest_n, parts *out) {
  const char *hash, *q;
  if (rest_n >= 2 && rest[0] == '/' && rest[1] == '/') {
    size_t d = 2 + strcspn(rest + 2, "/?#");
    out->netloc.p = rest + 2;
    out->netloc.n = d - 2;
    rest += d;
    rest_n -= d;
  }
  if ((hash = memchr(rest, '#', rest_n)) != NULL) {
    out->fragment.p = hash + 1;
    out->fragment.n = rest_n - (size_t)(hash + 1 - rest);
    rest_n = (size_t)(hash - rest);
  }
  if ((q = memchr(rest, '?', rest_n)) != NULL) {
    out->query.p = q + 1;
    out->query.n = rest_n - (size_t)(q + 1 - rest);
    rest_n = (size_t)(q - rest);
  }
  out->path.p = rest;
  out->path.n = rest_n;
  if (in_list(out->scheme, uses_params) && memchr(rest, ';', rest_n) != NULL) {
    const char *start = rest, *semi;
    for (const char *p = rest; p < rest + rest_n; p++)
      if (*p == '/')
        start = p;
    semi = memchr(start, ';', (size_t)(rest + rest_n - start));
    if (semi != NULL) {
      out->params.p = semi + 1;
      out->params.n = (size_t)(rest + rest_n - semi - 1);
      out->path.n = (size_t)(semi - rest);
    }
  }
}

/* urlparse(url, default_scheme): the parts point into *clean, a new string
 * the caller frees (with out->scheme). Returns 0, -1 on ENOMEM. */
static int urlparse(const char *url, const char *default_scheme, parts *out, char **clean) {
  size_t n;
  const char *rest;
  memset(out, 0, sizeof(*out));
  if ((*clean = clean_url(url, &n)) == NULL)
    return -1;
  if ((out->scheme = split_scheme(*clean, n, default_scheme, &rest)) == NULL)
    return -1;
  split_rest(rest, n - (size_t)(rest - *clean), out);
  return 0;
}

static int put(coreapi__buf *b, const char *p, size_t n) { return coreapi__buf_append(b, p, n); }

/* urlunparse((scheme, netloc, path, params, query, fragment)). */
static char *urlunparse(const char *scheme, span netloc, const char *path, size_t path_n,
                        span params, span query, span fragment) {
  coreapi__buf b = {0}, url = {0};
  int ok = put(&url, "", 0) == 0 && put(&url, path, path_n) == 0;
  if (ok && params.n > 0)
    ok = put(&url, ";", 1) == 0 && put(&url, params.p, params.n) == 0;
  ok = ok && put(&b, "", 0) == 0;
  if (ok && (netloc.n > 0 || (scheme[0] && in_list(scheme, uses_netloc) &&
                              !(url.len >= 2 && url.data[0] == '/' && url.data[1] == '/')))) {
    ok = put(&b, "//", 2) == 0 && put(&b, netloc.p, netloc.n) == 0;
    if (ok && url.len > 0 && url.data[0] != '/')
      ok = put(&b, "/", 1) == 0;
  }
  ok = ok && put(&b, url.data, url.len) == 0;
  coreapi__buf_free(&url);
  if (ok && scheme[0]) {
    coreapi__buf s = {0};
    ok = put(&s, scheme, strlen(scheme)) == 0 && put(&s, ":", 1) == 0 &&
         put(&s, b.data, b.len) == 0;
    coreapi__buf_free(&b);
    b = s;
  }
  if (ok && query.n > 0)
    ok = put(&b, "?", 1) == 0 && put(&b, query.p, query.n) == 0;
  if (ok && fragment.n > 0)
    ok = put(&b, "#", 1) == 0 && put(&b, fragment.p, fragment.n) == 0;
  if (!ok) {
    coreapi__buf_free(&b);
    return NULL;
  }
  return b.data;
}

/* Append the '/'-separated segments of s to segs (count advanced). */
static void split_segments(span s, span *segs, size_t *count) {
  const char *p = s.p ? s.p : "", *end = p + s.n;
  for (;;) {
    const char *slash = memchr(p, '/', (size_t)(end - p));
    segs[*count].p = p;
    segs[(*count)++].n = slash ? (size_t)(slash - p) : (size_t)(end - p);
    if (slash == NULL)
      break;
    p = slash + 1;
  }
}

static int is_dots(span s, size_t n) { return s.n == n && memcmp(s.p, "..", n) == 0; }

/* urljoin's merge of bpath and path, with its dot-segment removal. */
static char *merge_paths(span bpath, span path, size_t *out_n) {
  size_t cap = bpath.n + path.n + 4, count = 0, rcount = 0;
  span *segs = malloc(cap * sizeof(span)), *res = malloc(cap * sizeof(span));
  coreapi__buf b = {0};
  int ok = segs != NULL && res != NULL;
  if (ok && path.n > 0 && path.p[0] == '/') {
    split_segments(path, segs, &count);
  } else if (ok) {
    /* base_parts = bpath.split('/') minus its last if not empty, then the
     * path's segments; empty segments in the middle are dropped. */
    split_segments(bpath, segs, &count);
    if (segs[count - 1].n != 0)
      count--;
    split_segments(path, segs, &count);
    if (count > 2) {
      size_t o = 1;
      for (size_t i = 1; i + 1 < count; i++)
        if (segs[i].n > 0)
          segs[o++] = segs[i];
      segs[o++] = segs[count - 1];
      count = o;
    }
  }
  for (size_t i = 0; ok && i < count; i++) {
    if (is_dots(segs[i], 2)) {
      if (rcount > 0)
        rcount--;
    } else if (!is_dots(segs[i], 1)) {
      res[rcount++] = segs[i];
    }
  }
  if (ok && count > 0 && (is_dots(segs[count - 1], 1) || is_dots(segs[count - 1], 2))) {
    res[rcount].p = "";
    res[rcount++].n = 0;
  }
  ok = ok && put(&b, "", 0) == 0;
  for (size_t i = 0; ok && i < rcount; i++)
    ok = (i == 0 || put(&b, "/", 1) == 0) && put(&b, res[i].p, res[i].n) == 0;
  if (ok && b.len == 0)
    ok = put(&b, "/", 1) == 0;
  free(segs);
  free(res);
  if (!ok) {
    coreapi__buf_free(&b);
    return NULL;
  }
  *out_n = b.len;
  return b.data;
}

/* The joining itself, on parsed base and url (url's default scheme being
 * the base's). NULL on ENOMEM. */
static char *join(const parts *bp, parts *up, const char *url) {
  if (strcmp(up->scheme, bp->scheme) != 0 || !in_list(up->scheme, uses_relative))
    return coreapi__strdup(url);
  if (in_list(up->scheme, uses_netloc)) {
    if (up->netloc.n > 0)
      return urlunparse(up->scheme, up->netloc, up->path.p, up->path.n, up->params, up->query,
                        up->fragment);
    up->netloc = bp->netloc;
  }
  if (up->path.n == 0 && up->params.n == 0) {
    span query = up->query.n ? up->query : bp->query;
    return urlunparse(up->scheme, up->netloc, bp->path.p, bp->path.n, bp->params, query,
                      up->fragment);
  }
  {
    size_t n;
    char *path = merge_paths(bp->path, up->path, &n), *result = NULL;
    if (path != NULL)
      result = urlunparse(up->scheme, up->netloc, path, n, up->params, up->query, up->fragment);
    free(path);
    return result;
  }
}

/* urljoin(base, url) as a new string the caller frees; NULL base or url
 * count as empty. NULL on ENOMEM. */
char *coreapi__urljoin(const char *base, const char *url) {
  parts bp, up;
  char *bclean = NULL, *uclean = NULL, *result = NULL;
  if (url == NULL)
    url = "";
  if (base == NULL || base[0] == '\0')
    return coreapi__strdup(url);
  if (url[0] == '\0')
    return coreapi__strdup(base);
  memset(&up, 0, sizeof(up));
  if (urlparse(base, "", &bp, &bclean) == 0 && urlparse(url, bp.scheme, &up, &uclean) == 0)
    result = join(&bp, &up, url);
  free(bclean);
  free(uclean);
  free(bp.scheme);
  free(up.scheme);
  return result;
}
