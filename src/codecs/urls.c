/*
 * codecs/urls.c - resolving and relativising the URLs of Core JSON
 * documents, byte for byte as the reference client does.
 *
 * The reference resolves with Python's urljoin, which works on the text of
 * the URL (RFC 3986 section 5.2 with Python's own choices: which schemes are
 * relative, ";params" on the last segment, "//" kept). libcurl's URL API would
 * normalise and percent-encode the result (spaces, non-ASCII, upper-case
 * schemes), and could not resolve against a relative base at all, so the
 * output would differ from the reference's; this is a port of urljoin instead.
 * Hosts are never decided here: the transport parses every URL it connects
 * to with libcurl.
 */
#include <stdlib.h>
#include <string.h>

#include "../document/document.h"
#include "urls.h"

/* A span of text. */
typedef struct span {
  const char *p;
  size_t n;
} span;

typedef struct parts {
  char *scheme; /* lowercased, owned */
  span netloc, path, params, query, fragment;
  int has_netloc; /* "//" was there (an empty netloc still counts) */
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

/* urlparse(url, default_scheme). url has had no characters removed: the
 * reference's URLs come from JSON, where tabs and newlines are rare; they are
 * removed as urlsplit does. Returns 0, -1 on ENOMEM. */
static int urlparse(const char *url, const char *default_scheme, parts *out, char **clean) {
  size_t n = strlen(url), o = 0, i, colon;
  char *u = malloc(n + 1);
  const char *rest;
  size_t rest_n;
  memset(out, 0, sizeof(*out));
  if (u == NULL)
    return -1;
  /* urlsplit strips leading C0 controls and spaces, and removes tab, CR and
   * LF anywhere. */
  i = 0;
  while (i < n && (unsigned char)url[i] <= 0x20)
    i++;
  for (; i < n; i++)
    if (url[i] != '\t' && url[i] != '\r' && url[i] != '\n')
      u[o++] = url[i];
  u[o] = '\0';
  *clean = u;
  rest = u;
  rest_n = o;
  out->scheme = coreapi__strdup(default_scheme);
  colon = strcspn(u, ":");
  if (colon < o && colon > 0 && is_alpha(u[0])) {
    size_t k;
    for (k = 0; k < colon; k++)
      if (!is_alpha(u[k]) && !(u[k] >= '0' && u[k] <= '9') && u[k] != '+' && u[k] != '-' &&
          u[k] != '.')
        break;
    if (k == colon) {
      free(out->scheme);
      out->scheme = coreapi__strndup(u, colon);
      if (out->scheme != NULL)
        for (char *p = out->scheme; *p; p++)
          if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p + 32);
      rest = u + colon + 1;
      rest_n = o - colon - 1;
    }
  }
  if (out->scheme == NULL)
    return -1;
  if (rest_n >= 2 && rest[0] == '/' && rest[1] == '/') {
    size_t d = 2 + strcspn(rest + 2, "/?#");
    out->has_netloc = 1;
    out->netloc.p = rest + 2;
    out->netloc.n = d - 2;
    rest += d;
    rest_n -= d;
  }
  {
    const char *hash = memchr(rest, '#', rest_n);
    if (hash != NULL) {
      out->fragment.p = hash + 1;
      out->fragment.n = rest_n - (size_t)(hash + 1 - rest);
      rest_n = (size_t)(hash - rest);
    }
  }
  {
    const char *q = memchr(rest, '?', rest_n);
    if (q != NULL) {
      out->query.p = q + 1;
      out->query.n = rest_n - (size_t)(q + 1 - rest);
      rest_n = (size_t)(q - rest);
    }
  }
  out->path.p = rest;
  out->path.n = rest_n;
  /* ;params on the last segment, for the schemes that have them */
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

/* Python's urljoin's merge of bpath and path, with its dot-segment removal. */
static char *merge_paths(span bpath, span path, size_t *out_n) {
  /* Split into segments on '/'. */
  size_t cap = bpath.n + path.n + 4, count = 0, rcount = 0;
  span *segs = malloc(cap * sizeof(span)), *res = malloc(cap * sizeof(span));
  coreapi__buf b = {0};
  int ok = segs != NULL && res != NULL;
  if (ok && path.n > 0 && path.p[0] == '/') {
    const char *p = path.p, *end = path.p + path.n;
    for (;;) {
      const char *slash = memchr(p, '/', (size_t)(end - p));
      segs[count].p = p;
      segs[count++].n = slash ? (size_t)(slash - p) : (size_t)(end - p);
      if (slash == NULL)
        break;
      p = slash + 1;
    }
  } else if (ok) {
    /* base_parts = bpath.split('/'), minus its last if not empty; then the
     * path's segments; empty segments in the middle are dropped. */
    span all[2] = {bpath, path};
    for (int k = 0; k < 2; k++) {
      const char *p = all[k].p ? all[k].p : "", *end = p + all[k].n;
      for (;;) {
        const char *slash = memchr(p, '/', (size_t)(end - p));
        segs[count].p = p;
        segs[count++].n = slash ? (size_t)(slash - p) : (size_t)(end - p);
        if (slash == NULL)
          break;
        p = slash + 1;
      }
      if (k == 0) {
        if (segs[count - 1].n != 0)
          count--;
      }
    }
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
    if (segs[i].n == 2 && memcmp(segs[i].p, "..", 2) == 0) {
      if (rcount > 0)
        rcount--;
    } else if (!(segs[i].n == 1 && segs[i].p[0] == '.')) {
      res[rcount++] = segs[i];
    }
  }
  if (ok && count > 0 &&
      ((segs[count - 1].n == 1 && segs[count - 1].p[0] == '.') ||
       (segs[count - 1].n == 2 && memcmp(segs[count - 1].p, "..", 2) == 0))) {
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

char *coreapi__urljoin(const char *base, const char *url) {
  parts bp, up;
  char *bclean = NULL, *uclean = NULL, *result = NULL;
  if (base == NULL || base[0] == '\0')
    return coreapi__strdup(url);
  if (url[0] == '\0')
    return coreapi__strdup(base);
  if (urlparse(base, "", &bp, &bclean) != 0) {
    free(bclean);
    free(bp.scheme);
    return NULL;
  }
  if (urlparse(url, bp.scheme, &up, &uclean) != 0)
    goto out;
  if (strcmp(up.scheme, bp.scheme) != 0 || !in_list(up.scheme, uses_relative)) {
    result = coreapi__strdup(url);
    goto out;
  }
  if (in_list(up.scheme, uses_netloc)) {
    if (up.netloc.n > 0) {
      result = urlunparse(up.scheme, up.netloc, up.path.p, up.path.n, up.params, up.query,
                          up.fragment);
      goto out;
    }
    up.netloc = bp.netloc;
  }
  if (up.path.n == 0 && up.params.n == 0) {
    span query = up.query.n ? up.query : bp.query;
    result = urlunparse(up.scheme, up.netloc, bp.path.p, bp.path.n, bp.params, query,
                        up.fragment);
    goto out;
  }
  {
    size_t n;
    char *path = merge_paths(bp.path, up.path, &n);
    if (path != NULL)
      result = urlunparse(up.scheme, up.netloc, path, n, up.params, up.query, up.fragment);
    free(path);
  }
out:
  free(bclean);
  free(uclean);
  free(bp.scheme);
  free(up.scheme);
  return result;
}

/* Python's urlsplit: a scheme is [A-Za-z][A-Za-z0-9+.-]* before the first
 * ':'. Returns its length, or 0 when url has none. */
static size_t scheme_len(const char *url) {
  const char *colon = strchr(url, ':');
  if (colon == NULL || colon == url || !is_alpha(url[0]))
    return 0;
  for (const char *p = url; p < colon; p++)
    if (!is_alpha(*p) && !(*p >= '0' && *p <= '9') && *p != '+' && *p != '-' && *p != '.')
      return 0;
  return (size_t)(colon - url);
}

typedef struct prefix {
  const char *scheme;
  size_t scheme_len;
  const char *netloc;
  size_t netloc_len;
} prefix;

static prefix split_prefix(const char *url) {
  prefix p = {url, scheme_len(url), "", 0};
  const char *rest = url + (p.scheme_len ? p.scheme_len + 1 : 0);
  if (rest[0] == '/' && rest[1] == '/') {
    p.netloc = rest + 2;
    p.netloc_len = strcspn(p.netloc, "/?#");
  }
  return p;
}

static int same_prefix(prefix a, prefix b) {
  if (a.scheme_len != b.scheme_len || a.netloc_len != b.netloc_len)
    return 0;
  for (size_t i = 0; i < a.scheme_len; i++) {
    char x = a.scheme[i], y = b.scheme[i];
    if (x >= 'A' && x <= 'Z')
      x = (char)(x + 32);
    if (y >= 'A' && y <= 'Z')
      y = (char)(y + 32);
    if (x != y)
      return 0;
  }
  return memcmp(a.netloc, b.netloc, a.netloc_len) == 0;
}

const char *coreapi__graceful_relative(const char *base, const char *url) {
  prefix pb, pu;
  if (base != NULL && strcmp(base, url) == 0)
    return "";
  pb = split_prefix(base ? base : "");
  pu = split_prefix(url);
  if (pu.scheme_len == 0 && pu.netloc_len == 0)
    return url; /* its prefix is "://", which never counts */
  if (!same_prefix(pb, pu))
    return url;
  /* url[len("scheme://netloc"):], in characters as Python counts them: the
   * prefix is built with "://" even when url has only ":" or ":/", so skip
   * that many characters of url, never past its end. */
  {
    size_t chars = pu.scheme_len + 3;
    const unsigned char *p = (const unsigned char *)url;
    for (size_t i = 0; i < pu.netloc_len; i++)
      if ((((const unsigned char *)pu.netloc)[i] & 0xC0) != 0x80)
        chars++;
    while (chars > 0 && *p != '\0') {
      p++;
      while ((*p & 0xC0) == 0x80) /* the rest of a UTF-8 character */
        p++;
      chars--;
    }
    return (const char *)p;
  }
}
