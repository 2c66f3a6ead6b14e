/*
 * codecs/urls.c - resolving and relativising the URLs of Core JSON
 * documents. Resolution is libcurl's (RFC 3986); the relative form written by
 * the encoder follows the reference client's _graceful_relative_url exactly,
 * which compares "scheme://netloc" prefixes as Python's urlsplit splits them.
 */
#include <stdlib.h>
#include <string.h>

#include "../internal.h"
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

int coreapi__has_scheme(const char *url) { return scheme_len(url) > 0; }

/* Length of "scheme://netloc" at the start of url (scheme lowercased when
 * compared), and the pieces for comparison. */
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
  /* url[len("scheme://netloc"):] */
  return url + pu.scheme_len + 3 + pu.netloc_len;
}

void coreapi__resolver_free(coreapi__resolver *r) {
  free(r->base);
  curl_url_cleanup(r->handle);
  r->base = NULL;
  r->handle = NULL;
}

char *coreapi__resolve(coreapi__resolver *r, const char *base, const char *url) {
  CURLU *h;
  char *out = NULL, *result;
  if (base == NULL || base[0] == '\0' || coreapi__has_scheme(url))
    return coreapi__strdup(url);
  if (url[0] == '\0')
    return coreapi__strdup(base);
  if (r->base == NULL || strcmp(r->base, base) != 0) {
    coreapi__resolver_free(r);
    r->handle = curl_url();
    r->base = coreapi__strdup(base);
    if (r->handle == NULL || r->base == NULL ||
        curl_url_set(r->handle, CURLUPART_URL, base, CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK) {
      coreapi__resolver_free(r);
      return coreapi__strdup(url);
    }
  }
  h = curl_url_dup(r->handle);
  if (h == NULL)
    return NULL;
  if (curl_url_set(h, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK ||
      curl_url_get(h, CURLUPART_URL, &out, 0) != CURLUE_OK) {
    curl_url_cleanup(h);
    return coreapi__strdup(url);
  }
  curl_url_cleanup(h);
  result = coreapi__strdup(out);
  curl_free(out);
  return result;
}
