/*
 * codecs/urls.c - resolving and relativising the URLs of Core JSON
 * documents, byte for byte as the reference client does.
 *
 * The reference resolves with Python's urljoin, which works on the text of
 * the URL (RFC 3986 section 5.2 with Python's own choices: which schemes are
 * relative, ";params" on the last segment, "//" kept). libcurl's URL API would
 * normalise and percent-encode the result (spaces, non-ASCII, upper-case
 * schemes), and could not resolve against a relative base at all, so the
 * output would differ from the reference's; the codec calls the port of
 * urljoin in text/urljoin.c (coreapi__urljoin) instead.
 * Hosts are never decided here: the transport parses every URL it connects
 * to with libcurl.
 */
#include <stdlib.h>
#include <string.h>

#include "../document/document.h"
#include "urls.h"

static int is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

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

/* The reference's relative form of url against base (its
 * _graceful_relative_url), which need not resolve back to url. */
static const char *reference_relative(const char *base, const char *url) {
  prefix pb, pu;
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
    size_t chars = pu.scheme_len + 3 + coreapi__utf8_chars(pu.netloc, pu.netloc_len);
    return url + coreapi__utf8_skip(url, strlen(url), chars);
  }
}

const char *coreapi__graceful_relative(const char *base, const char *url) {
  const char *rel;
  char *back;
  int same;
  if (base != NULL && strcmp(base, url) == 0)
    return "";
  rel = reference_relative(base, url);
  if (rel == url)
    return url;
  /* Relative only when it resolves back to url, as the decoder resolves it.
   * The reference writes http://api.test//evil.test/login as
   * "//evil.test/login", which is another host once read again (and
   * http://h as "", which is the base). On ENOMEM, the full URL. */
  back = coreapi__urljoin(base, rel);
  same = back != NULL && strcmp(back, url) == 0;
  free(back);
  return same ? rel : url;
}
