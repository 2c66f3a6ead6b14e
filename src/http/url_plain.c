/*
 * url_plain.c - URLs already in the form libcurl writes, read without
 * libcurl's URL parser.
 *
 * Most URLs a client sends are absolute, lowercase, with no dot segments,
 * no userinfo, no fragment and no character libcurl would escape or change.
 * For those, libcurl's parse is the identity: the URL it writes back is the
 * text given, the host is the text between "//" and the port or path. This
 * file recognises exactly such URLs, by a grammar deliberately narrower than
 * RFC 3986, and gives libcurl the parts themselves (scheme, host, port, path,
 * query, each set into a URL handle): a fifth of the work of parsing the
 * text and writing it back. Everything else goes to libcurl's parser (url.c).
 *
 * libcurl still connects to what the handle holds, so the host every
 * decision is made on is the host it connects to. The rule this file must
 * keep: whatever it accepts, libcurl's parser reads the same URL, scheme,
 * host and port, and the handle writes back the very text.
 * tests/unit/test_url.c checks that on every case and on generated URLs,
 * and the fuzz target fuzz_url on any input.
 */
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "http.h"

/* Longer URLs go through libcurl, which has its own length limit. */
#define PLAIN_MAX 8192

/* RFC 3986 pchar without pct-encoded: unreserved, sub-delims, ':' and '@'. */
static int pchar(unsigned char c) {
  return c != '\0' && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         strchr("-._~!$&'()*+,;=:@", c) != NULL);
}

/* Lowercase only: setting a path or query into libcurl's handle lowercases
 * the hex digits of an escape, where its parser keeps them as written. */
static int hexdigit(unsigned char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

/* A dotted quad as libcurl writes one: four decimal parts 0-255 without
 * leading zeros. */
static int canonical_ipv4(const char *s, size_t n) {
  size_t i = 0;
  for (int part = 0; part < 4; part++) {
    size_t start = i;
    int v = 0;
    if (part > 0) {
      if (i >= n || s[i] != '.')
        return 0;
      start = ++i;
    }
    while (i < n && s[i] >= '0' && s[i] <= '9' && i - start < 3)
      v = v * 10 + (s[i++] - '0');
    if (i == start || v > 255 || (s[start] == '0' && i - start > 1))
      return 0;
  }
  return i == n;
}

/* A host libcurl keeps as it is: lowercase letters, digits, '-' and
 * non-empty labels, not starting with a digit (libcurl reads those as
 * numeric IPv4 forms such as 127.1 or 0x7f.1) unless a canonical dotted
 * quad. Sets *is_ip. */
static int plain_host(const char *s, size_t n, int *is_ip) {
  *is_ip = 0;
  if (n == 0 || n > 253)
    return 0;
  if (s[0] >= '0' && s[0] <= '9')
    return (*is_ip = canonical_ipv4(s, n));
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c == '.') {
      if (i == 0 || i == n - 1 || s[i - 1] == '.')
        return 0;
    } else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
      return 0;
    }
  }
  return 1;
}

/* ":1" to ":65535" without a leading zero; *port is the default without. */
static int plain_port(const char *s, size_t n, int *port) {
  long v = 0;
  if (n == 0)
    return 1;
  if (s[0] != ':' || n < 2 || n > 6 || s[1] == '0')
    return 0;
  for (size_t i = 1; i < n; i++) {
    if (s[i] < '0' || s[i] > '9')
      return 0;
    v = v * 10 + (s[i] - '0');
  }
  if (v > 65535)
    return 0;
  *port = (int)v;
  return 1;
}

/* Path from its leading '/' and an optional non-empty query, to the end:
 * pchar, '/' and escapes in lowercase hex only (the query may hold '?' too), and no
 * segment "." or ".." (libcurl removes those). */
static int plain_path_query(const char *p) {
  const char *seg = p + 1;
  int in_query = 0;
  for (p++;; p++) {
    unsigned char c = (unsigned char)*p;
    if (!in_query && (c == '/' || c == '?' || c == '\0')) {
      size_t len = (size_t)(p - seg);
      if ((len == 1 && seg[0] == '.') || (len == 2 && seg[0] == '.' && seg[1] == '.'))
        return 0;
      seg = p + 1;
    }
    if (c == '\0')
      return 1;
    if (c == '?') {
      if (!in_query && p[1] == '\0')
        return 0; /* libcurl drops an empty query */
      in_query = 1;
    } else if (c == '%') {
      if (!hexdigit((unsigned char)p[1]) || !hexdigit((unsigned char)p[2]))
        return 0;
      p += 2;
    } else if (c != '/' && !pchar(c)) {
      return 0;
    }
  }
}

/* A new handle holding the parts of a URL: the scheme (https or http), the
 * host [auth, colon), the port (colon, path) if any, the path from path to
 * a '?', the query after it. NULL when libcurl refuses one, or on ENOMEM. */
static CURLU *handle_of(int https, const char *auth, const char *colon, const char *path) {
  char host[256], port[8], *text;
  const char *query = strchr(path, '?');
  CURLU *h = curl_url();
  int ok;
  size_t path_len = query ? (size_t)(query - path) : strlen(path);
  if (h == NULL)
    return NULL;
  memcpy(host, auth, (size_t)(colon - auth));
  host[colon - auth] = '\0';
  memcpy(port, colon + 1, colon < path ? (size_t)(path - colon - 1) : 0);
  port[colon < path ? path - colon - 1 : 0] = '\0';
  text = coreapi__strndup(path, path_len);
  ok = text != NULL && curl_url_set(h, CURLUPART_SCHEME, https ? "https" : "http", 0) == CURLUE_OK &&
       curl_url_set(h, CURLUPART_HOST, host, 0) == CURLUE_OK &&
       (port[0] == '\0' || curl_url_set(h, CURLUPART_PORT, port, 0) == CURLUE_OK) &&
       curl_url_set(h, CURLUPART_PATH, text, 0) == CURLUE_OK &&
       (query == NULL || curl_url_set(h, CURLUPART_QUERY, query + 1, 0) == CURLUE_OK);
  free(text);
  if (!ok) {
    curl_url_cleanup(h);
    return NULL;
  }
  return h;
}

/* Release what out holds (url.c's coreapi__url_free, which this file does
 * not call: url.c calls this one). */
static void release(coreapi__url *out) {
  free(out->url);
  free(out->scheme);
  free(out->host);
  memset(out, 0, sizeof(*out));
}

int coreapi__url_parse_plain(coreapi__url *out, const char *url) {
  const char *auth, *path, *colon;
  int https, port, is_ip;
  size_t n;

  memset(out, 0, sizeof(*out));
  if (strncmp(url, "http://", 7) == 0)
    https = 0;
  else if (strncmp(url, "https://", 8) == 0)
    https = 1;
  else
    return 1;
  n = strnlen(url, PLAIN_MAX + 1);
  if (n > PLAIN_MAX)
    return 1;
  auth = url + (https ? 8 : 7);
  path = strchr(auth, '/');
  if (path == NULL)
    return 1; /* libcurl adds the '/' */
  colon = memchr(auth, ':', (size_t)(path - auth));
  if (colon == NULL)
    colon = path;
  port = https ? 443 : 80;
  if (!plain_host(auth, (size_t)(colon - auth), &is_ip) ||
      !plain_port(colon, (size_t)(path - colon), &port) || !plain_path_query(path))
    return 1;

  out->url = coreapi__strndup(url, n);
  out->scheme = coreapi__strdup(https ? "https" : "http");
  out->host = coreapi__strndup(auth, (size_t)(colon - auth));
  out->port = port;
  out->is_ip = is_ip;
  if (out->url == NULL || out->scheme == NULL || out->host == NULL) {
    release(out);
    return -1;
  }
  /* Should libcurl refuse a part (or memory run out), its parser decides. */
  out->handle = handle_of(https, auth, colon, path);
  if (out->handle == NULL) {
    release(out);
    return 1;
  }
  return 0;
}
