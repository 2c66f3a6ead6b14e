/*
 * url.c - URLs, parsed and normalised by libcurl's URL API (RFC 3986). Only
 * URLs already in the form libcurl writes are read without its parser, and
 * their parts set into libcurl's handle one by one (url_plain.c). A parsed URL keeps the parts authentication decides on: scheme,
 * normalised host and port. Userinfo and fragment are removed: userinfo never
 * decides the host and never becomes credentials (libcurl would otherwise send
 * it as Basic authentication).
 *
 * Internationalised host names are converted to punycode (IDNA 2008 with the
 * TR46 mapping, RFC 5891) by libidn2 from UTF-8 directly: libcurl's own
 * conversion reads the host in the process locale's charset, so in the C
 * locale it refuses every non-ASCII name.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <idn2.h>

#include "http.h"

void coreapi__host_lower(char *host) {
  size_t n;
  for (char *p = host; *p; p++)
    if (*p >= 'A' && *p <= 'Z')
      *p = (char)(*p + ('a' - 'A'));
  n = strlen(host);
  if (n > 1 && host[n - 1] == '.')
    host[n - 1] = '\0';
}

static int host_is_ip(const char *host) {
  unsigned char addr[4];
  return host[0] == '[' || inet_pton(AF_INET, host, addr) == 1;
}

void coreapi__url_free(coreapi__url *u) {
  if (u == NULL)
    return;
  free(u->url);
  free(u->scheme);
  free(u->host);
  curl_url_cleanup(u->handle);
  memset(u, 0, sizeof(*u));
}

static int has_non_ascii(const char *s) {
  for (; *s; s++)
    if ((unsigned char)*s >= 0x80)
      return 1;
  return 0;
}

/* The punycode (A-label) form of a UTF-8 host, newly allocated with
 * malloc, or NULL when it is not a valid internationalised name. The same
 * processing as libcurl: non-transitional first, then transitional. */
static char *host_to_ascii(const char *host) {
  char *ace = NULL;
  if (idn2_to_ascii_8z(host, &ace, IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL) != IDN2_OK &&
      idn2_to_ascii_8z(host, &ace, IDN2_TRANSITIONAL) != IDN2_OK)
    return NULL;
  return ace;
}

/* Copy a string that libcurl allocated into one of ours. */
static char *take_curl_string(char *s) {
  char *d = coreapi__strdup(s);
  curl_free(s);
  return d;
}

/* The host of h, normalised (IDN to punycode through libidn2, lowercase, no
 * trailing dot) and put back into h when that changed it. On success *hostp
 * is libcurl's string (curl_free); on failure it may be set too. */
static coreapi_code normalize_host(CURLU *h, char **hostp, coreapi_error *err) {
  char *host = NULL;
  size_t before;
  int upper = 0;
  CURLUcode uc = curl_url_get(h, CURLUPART_HOST, &host, 0);
  *hostp = host;
  if (uc == CURLUE_OUT_OF_MEMORY)
    return COREAPI__OOM(err);
  if (uc != CURLUE_OK || host == NULL || host[0] == '\0')
    return coreapi_error_set(err, COREAPI_ERR_BAD_URL, "URL has no usable host");
  if (has_non_ascii(host)) {
    char *ace = host_to_ascii(host);
    int ok = ace != NULL && curl_url_set(h, CURLUPART_HOST, ace, 0) == CURLUE_OK;
    free(ace);
    curl_free(host);
    *hostp = host = NULL;
    if (!ok || curl_url_get(h, CURLUPART_HOST, hostp, 0) != CURLUE_OK)
      return coreapi_error_set(err, COREAPI_ERR_BAD_URL,
                               "URL host is not a valid internationalised domain name");
    host = *hostp;
  }
  before = strlen(host);
  for (const char *p = host; *p; p++)
    upper |= (*p >= 'A' && *p <= 'Z');
  coreapi__host_lower(host);
  if (host[0] == '\0' || strcmp(host, ".") == 0)
    return coreapi_error_set(err, COREAPI_ERR_BAD_URL, "URL has an empty host");
  /* Put the normalised host back only when normalising changed it. */
  if ((upper || strlen(host) != before) && curl_url_set(h, CURLUPART_HOST, host, 0) != CURLUE_OK)
    return coreapi_error_set(err, COREAPI_ERR_BAD_URL, "URL could not be normalised");
  return COREAPI_OK;
}

/* The authority of a URL as libcurl writes it ("scheme://host[:port]/...",
 * userinfo removed): the host's span (an IPv6 literal with its brackets) and
 * the port, explicit or the scheme's default. Returns -1 when the text is
 * not of that shape (then libcurl is asked instead). */
static int split_authority(const char *full, const char *scheme, const char **host,
                           size_t *host_len, int *port) {
  const char *p = strstr(full, "://"), *s, *end, *colon;
  long n = 0;
  if (p == NULL)
    return -1;
  s = p + 3;
  end = s + strcspn(s, "/?#");
  p = s;
  if (*s == '[' && (p = memchr(s, ']', (size_t)(end - s))) == NULL)
    return -1;
  colon = memchr(p, ':', (size_t)(end - p));
  *host = s;
  *host_len = (size_t)((colon ? colon : end) - s);
  if (colon == NULL) {
    *port = strcmp(scheme, "https") == 0 ? 443 : 80;
    return 0;
  }
  for (const char *q = colon + 1; q < end; q++) {
    if (*q < '0' || *q > '9' || n > 65535)
      return -1;
    n = n * 10 + (*q - '0');
  }
  if (n <= 0 || n > 65535)
    return -1;
  *port = (int)n;
  return 0;
}

/* Is the host [s, s+n) of a URL libcurl wrote already normal: lowercase
 * ASCII letters, digits, '-' and '.' (not ending in '.'), or an IPv6 literal
 * in brackets of hexadecimal digits, ':' and '.'? Others go through
 * normalize_host. */
static int plain_host(const char *s, size_t n) {
  if (n >= 2 && s[0] == '[')
    return s[n - 1] == ']' && strspn(s + 1, "0123456789abcdef:.") == n - 2;
  return n > 0 && s[n - 1] != '.' && strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-.") == n;
}

/* Userinfo and fragment go: they are never sent, never credentials. A URL
 * without '@' or '#' has neither (libcurl takes both from nothing else). */
static void strip_userinfo_fragment(CURLU *h, const char *url, const char *base) {
  if (strchr(url, '@') != NULL || (base != NULL && strchr(base, '@') != NULL)) {
    curl_url_set(h, CURLUPART_USER, NULL, 0);
    curl_url_set(h, CURLUPART_PASSWORD, NULL, 0);
    curl_url_set(h, CURLUPART_OPTIONS, NULL, 0);
  }
  if (strchr(url, '#') != NULL || (base != NULL && strchr(base, '#') != NULL))
    curl_url_set(h, CURLUPART_FRAGMENT, NULL, 0);
}

/* Set url (resolved against base when base is not NULL) into h and read its
 * scheme into *scheme (libcurl's string, lowercased): OK, or ERR_BAD_URL,
 * ERR_UNSUPPORTED_SCHEME (not http or https), ERR_OUT_OF_MEMORY. */
static coreapi_code set_url(CURLU *h, const char *url, const char *base, char **scheme,
                            coreapi_error *err) {
  CURLUcode uc;
  if (base != NULL && curl_url_set(h, CURLUPART_URL, base, CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK)
    return coreapi_error_set(err, COREAPI_ERR_BAD_URL, "malformed base URL");
  uc = curl_url_set(h, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME);
  if (uc == CURLUE_OUT_OF_MEMORY)
    return COREAPI__OOM(err);
  if (uc != CURLUE_OK)
    return coreapi_error_set(err, COREAPI_ERR_BAD_URL, "malformed URL: %s",
                             curl_url_strerror(uc));
  if (curl_url_get(h, CURLUPART_SCHEME, scheme, 0) != CURLUE_OK)
    return coreapi_error_set(err, COREAPI_ERR_BAD_URL, "URL has no scheme");
  coreapi__host_lower(*scheme);
  if (strcmp(*scheme, "http") != 0 && strcmp(*scheme, "https") != 0)
    return coreapi_error_set(err, COREAPI_ERR_UNSUPPORTED_SCHEME,
                             "unsupported URL scheme '%.32s': only http and https", *scheme);
  return COREAPI_OK;
}

coreapi_code coreapi__url_parse(coreapi__url *out, const char *url, const char *base,
                                coreapi_error *err) {
  if (url != NULL && base == NULL) {
    int plain = coreapi__url_parse_plain(out, url);
    if (plain <= 0)
      return plain == 0 ? COREAPI_OK : COREAPI__OOM(err);
  }
  return coreapi__url_parse_libcurl(out, url, base, err);
}

coreapi_code coreapi__url_parse_libcurl(coreapi__url *out, const char *url, const char *base,
                                        coreapi_error *err) {
  CURLU *h;
  char *scheme = NULL, *host = NULL, *port = NULL, *full = NULL, *plain = NULL;
  const char *span;
  size_t span_len;
  coreapi_code rc = COREAPI_OK;

  memset(out, 0, sizeof(*out));
  if (url == NULL)
    return coreapi_error_set(err, COREAPI_ERR_INVALID_ARGUMENT, "URL must not be NULL");
  h = curl_url();
  if (h == NULL)
    return COREAPI__OOM(err);

  rc = set_url(h, url, base, &scheme, err);
  if (rc != COREAPI_OK)
    goto out;
  strip_userinfo_fragment(h, url, base);

  /* Most hosts need no normalising: read host and port from the URL libcurl
   * writes, and ask libcurl for the host only for the others. */
  if (curl_url_get(h, CURLUPART_URL, &full, 0) == CURLUE_OK &&
      split_authority(full, scheme, &span, &span_len, &out->port) == 0 &&
      plain_host(span, span_len) && (plain = coreapi__strndup(span, span_len)) == NULL) {
    rc = COREAPI__OOM(err);
    goto out;
  }
  if (plain == NULL) {
    curl_free(full);
    full = NULL;
    rc = normalize_host(h, &host, err);
    if (rc != COREAPI_OK)
      goto out;
    if (curl_url_get(h, CURLUPART_URL, &full, 0) != CURLUE_OK) {
      rc = coreapi_error_set(err, COREAPI_ERR_BAD_URL, "URL could not be normalised");
      goto out;
    }
    if (split_authority(full, scheme, &span, &span_len, &out->port) != 0) {
      /* not where libcurl writes it: ask libcurl */
      if (curl_url_get(h, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) != CURLUE_OK) {
        rc = coreapi_error_set(err, COREAPI_ERR_BAD_URL, "URL could not be normalised");
        goto out;
      }
      out->port = atoi(port);
    }
  }
  out->host = plain ? plain : take_curl_string(host);
  out->is_ip = out->host != NULL && host_is_ip(out->host);
  out->scheme = take_curl_string(scheme);
  out->url = take_curl_string(full);
  scheme = host = full = plain = NULL;
  if (out->scheme == NULL || out->host == NULL || out->url == NULL) {
    coreapi__url_free(out);
    rc = COREAPI__OOM(err);
  } else {
    out->handle = h; /* kept: libcurl sends this very URL */
    h = NULL;
  }
out:
  free(plain);
  curl_free(scheme);
  curl_free(host);
  curl_free(port);
  curl_free(full);
  curl_url_cleanup(h);
  return rc;
}

int coreapi__url_copy(coreapi__url *dst, const coreapi__url *src) {
  if (coreapi__url_copy_parts(dst, src) != 0)
    return -1;
  if (src->handle != NULL && (dst->handle = curl_url_dup(src->handle)) == NULL) {
    coreapi__url_free(dst);
    return -1;
  }
  return 0;
}

int coreapi__url_copy_parts(coreapi__url *dst, const coreapi__url *src) {
  memset(dst, 0, sizeof(*dst));
  dst->url = coreapi__strdup(src->url);
  dst->scheme = coreapi__strdup(src->scheme);
  dst->host = coreapi__strdup(src->host);
  dst->port = src->port;
  dst->is_ip = src->is_ip;
  if (dst->url == NULL || dst->scheme == NULL || dst->host == NULL) {
    coreapi__url_free(dst);
    return -1;
  }
  return 0;
}

char *coreapi__url_origin(const coreapi__url *u) {
  int dflt = strcmp(u->scheme, "https") == 0 ? 443 : 80;
  size_t n = strlen(u->scheme) + strlen(u->host) + 16;
  char *s = malloc(n);
  if (s == NULL)
    return NULL;
  if (u->port == dflt)
    snprintf(s, n, "%s://%s", u->scheme, u->host);
  else
    snprintf(s, n, "%s://%s:%d", u->scheme, u->host, u->port);
  return s;
}
