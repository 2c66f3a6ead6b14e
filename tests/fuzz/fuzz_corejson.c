/*
 * fuzz_corejson.c - libFuzzer target for the Core JSON decoder and encoder.
 *
 * Any bytes go to coreapi_corejson_decode. A document that decodes is
 * encoded, compact and indented, and the text decoded again. The target
 * aborts when:
 *   - decode fails without saying why (err not filled);
 *   - encoding a decoded document fails, or its text does not decode;
 *   - the two documents differ (coreapi_node_equal), or encoding the
 *     second one does not give the same text again (a fixed point). Both
 *     only when every Document and Link URL is plain (see url_round_trips):
 *     relative URLs are written as the reference's _graceful_relative_url
 *     writes them (the URL without "scheme://host" when the base has the
 *     same, and the relative form resolves back) and resolved with a port
 *     of Python's urljoin, and for other URLs the reference's own
 *     encode/decode is lossy too: "/./" and "/../" segments and an empty
 *     "?" or "#" vanish, "x:" URLs
 *     do not resolve back, a scheme in capitals ("Https://a/b") is lowered
 *     when urljoin resolves it against a base of the same scheme but kept
 *     when it does not, and urlsplit drops tabs and newlines from a host.
 * Whatever the URLs, decode, encode and decode again must keep the host of
 * every Document and Link URL (hosts_kept): a relative form that names
 * another host ("//evil.test/x" for http://api.test//evil.test/x) sends a
 * credential there.
 * The same bytes also go through the other decoders of a response body:
 *   - a decoded document is displayed (plain and in colour), which must work;
 *   - coreapi_json_decode (plain JSON): a value that decodes is encoded
 *     compact, indented and ASCII-only, and each text must decode to an
 *     equal value;
 *   - the bytes up to a NUL as a Content-Type for coreapi_codec_negotiate,
 *     which must choose one of the formats offered or fail with an error.
 * Everything is freed, so leaks are reported too.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "coreapi/coreapi.h"

#define BASE_URL "http://example.com/api/"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *what, const coreapi_error *err, const char *text, size_t len) {
  fprintf(stderr, "fuzz_corejson: %s: %s\n", what, err != NULL ? err->text : "");
  if (text != NULL)
    fprintf(stderr, "encoded (%zu bytes): %.*s\n", len, (int)(len > 4000 ? 4000 : len), text);
  abort();
}

/* Is url empty, or http(s)://host/path with the scheme in small letters, a
 * host of letters, digits, '.', '-' and ':' (a port), a path of unreserved
 * characters and %-escapes starting with exactly one '/', without "." or
 * ".." segments, and no query, fragment or params? For those the
 * reference's relative form resolves back to the same URL. */
static int url_round_trips(const char *url) {
  const char *p, *seg;
  if (url == NULL || url[0] == '\0')
    return 1;
  if (strncmp(url, "http://", 7) == 0)
    p = url + 7;
  else if (strncmp(url, "https://", 8) == 0)
    p = url + 8;
  else
    return 0;
  for (; *p != '/'; p++)
    if (*p == '\0' || !((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                        (*p >= '0' && *p <= '9') || strchr(".-:", *p) != NULL))
      return 0;
  if (p[1] == '/')
    return 0;
  for (seg = ++p;; p++) {
    if (*p == '/' || *p == '\0') {
      size_t n = (size_t)(p - seg);
      if ((n == 1 && seg[0] == '.') || (n == 2 && seg[0] == '.' && seg[1] == '.'))
        return 0;
      if (*p == '\0')
        return 1;
      seg = p + 1;
    } else if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                 (*p >= '0' && *p <= '9') || strchr("-._~%", *p) != NULL)) {
      return 0;
    }
  }
}

/* Does every Document and Link URL under node round-trip? */
static int urls_round_trip(const coreapi_node *node) {
  size_t i, n;
  switch (coreapi_node_type_of(node)) {
  case COREAPI_NODE_LINK:
    return url_round_trips(coreapi_node_url(node));
  case COREAPI_NODE_DOCUMENT:
    if (!url_round_trips(coreapi_node_url(node)))
      return 0;
    /* fall through */
  case COREAPI_NODE_OBJECT:
  case COREAPI_NODE_ERROR:
    n = coreapi_map_size(node);
    for (i = 0; i < n; i++)
      if (!urls_round_trip(coreapi_map_entry(node, i, NULL, NULL)))
        return 0;
    return 1;
  case COREAPI_NODE_ARRAY:
    n = coreapi_array_size(node);
    for (i = 0; i < n; i++)
      if (!urls_round_trip(coreapi_array_get(node, i)))
        return 0;
    return 1;
  default:
    return 1;
  }
}

/* The netloc of url as urlsplit finds it ("" when it has none): after
 * "scheme://", up to '/', '?' or '#'. */
static void netloc(const char *url, const char **s, size_t *n) {
  const char *p = url ? strstr(url, "://") : NULL;
  *s = "";
  *n = 0;
  if (p == NULL || strcspn(url, "/?#") < (size_t)(p - url))
    return;
  *s = p + 3;
  *n = strcspn(*s, "/?#");
}

/* Do a and b (the same structure, b decoded from a's encoding) have the
 * same host in every Document and Link URL that has one in a? */
static int hosts_kept(const coreapi_node *a, const coreapi_node *b) {
  coreapi_node_type t = coreapi_node_type_of(a);
  size_t n;
  if (b == NULL || coreapi_node_type_of(b) != t)
    return 1; /* a lossy case the round trip already tolerates */
  if (t == COREAPI_NODE_LINK || t == COREAPI_NODE_DOCUMENT) {
    const char *x, *y;
    size_t xn, yn;
    netloc(coreapi_node_url(a), &x, &xn);
    netloc(coreapi_node_url(b), &y, &yn);
    if (xn > 0 && (xn != yn || strncasecmp(x, y, xn) != 0))
      return 0;
  }
  if (t == COREAPI_NODE_DOCUMENT || t == COREAPI_NODE_OBJECT || t == COREAPI_NODE_ERROR) {
    n = coreapi_map_size(a);
    for (size_t i = 0; i < n; i++) {
      const char *key;
      size_t len;
      const coreapi_node *v = coreapi_map_entry(a, i, &key, &len);
      if (!hosts_kept(v, coreapi_map_get(b, key, len)))
        return 0;
    }
  } else if (t == COREAPI_NODE_ARRAY) {
    n = coreapi_array_size(a);
    for (size_t i = 0; i < n && i < coreapi_array_size(b); i++)
      if (!hosts_kept(coreapi_array_get(a, i), coreapi_array_get(b, i)))
        return 0;
  }
  return 1;
}

/* Plain JSON: decode, then every encoding decodes to an equal value. */
static void plain_json(const uint8_t *data, size_t size) {
  static const struct {
    int indent, ascii;
  } forms[] = {{0, 0}, {4, 0}, {-1, 1}};
  coreapi_error err;
  coreapi_node *v = coreapi_json_decode((const char *)data, size, &err);
  if (v == NULL) {
    if (err.code == COREAPI_OK)
      fail("json decode returned NULL without an error", &err, NULL, 0);
    return;
  }
  for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
    size_t len = 0;
    char *text = coreapi_json_encode(v, forms[i].indent, forms[i].ascii, &len, &err);
    coreapi_node *w;
    if (text == NULL)
      fail("encoding a decoded JSON value failed", &err, NULL, 0);
    w = coreapi_json_decode(text, len, &err);
    if (w == NULL)
      fail("decoding the JSON encoding failed", &err, text, len);
    if (!coreapi_node_equal(v, w))
      fail("the JSON value changed in an encode/decode round trip", NULL, text, len);
    coreapi_node_free(w);
    free(text);
  }
  coreapi_node_free(v);
}

/* The input up to its first NUL as a Content-Type. */
static void negotiate(const uint8_t *data, size_t size) {
  static const char *const formats[] = {"corejson", "json", "text", "download"};
  coreapi_error err;
  size_t n = 0;
  char *type;
  const char *chosen;
  while (n < size && data[n] != 0)
    n++;
  type = malloc(n + 1);
  if (type == NULL)
    return;
  memcpy(type, data, n);
  type[n] = '\0';
  for (size_t count = 1; count <= 4; count++) {
    chosen = coreapi_codec_negotiate(formats, count, type, &err);
    if (chosen == NULL) {
      if (err.code == COREAPI_OK)
        fail("negotiation returned NULL without an error", &err, NULL, 0);
      continue;
    }
    for (size_t i = 0; i < count && chosen != NULL; i++)
      if (strcmp(chosen, formats[i]) == 0)
        chosen = NULL;
    if (chosen != NULL)
      fail("negotiation chose a format that was not offered", NULL, type, n);
  }
  free(type);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  coreapi_error err;
  coreapi_node *a;
  int indent, strict, has_url;

  plain_json(data, size);
  negotiate(data, size);
  coreapi_error_clear(&err);
  a = coreapi_corejson_decode((const char *)data, size, BASE_URL, &err);
  if (a == NULL) {
    if (err.code == COREAPI_OK)
      fail("decode returned NULL without an error", &err, NULL, 0);
    return 0;
  }
  for (int color = 0; color <= 1; color++) {
    size_t len = 0;
    char *shown = coreapi_display_encode(a, color, &len, &err);
    if (shown == NULL || strlen(shown) > len)
      fail("displaying a decoded document failed", &err, NULL, 0);
    free(shown);
  }
  /* The round-trip checks hold where URLs do. A top-level plain object
   * decodes to a Document with no URL (as the reference's does); its encoding
   * is a document, which decodes with the base URL as its URL. And URLs that
   * urljoin does not reproduce (as "x:y/" joined with itself) change as they
   * do in the reference. Neither is a fault. */
  has_url = coreapi_node_url(a) != NULL && coreapi_node_url(a)[0] != '\0';
  strict = urls_round_trip(a) && has_url;
  for (indent = 0; indent <= 4; indent += 4) {
    size_t len = 0, len2 = 0;
    char *text = coreapi_corejson_encode(a, indent, &len, &err), *text2;
    coreapi_node *b;
    if (text == NULL)
      fail("encoding a decoded document failed", &err, NULL, 0);
    b = coreapi_corejson_decode(text, len, BASE_URL, &err);
    if (b == NULL)
      fail("decoding the encoded document failed", &err, text, len);
    if (strict && !coreapi_node_equal(a, b))
      fail("the document changed in an encode/decode round trip", NULL, text, len);
    if (!hosts_kept(a, b))
      fail("a URL changed its host in an encode/decode round trip", NULL, text, len);
    text2 = coreapi_corejson_encode(b, indent, &len2, &err);
    if (text2 == NULL)
      fail("encoding the decoded encoding failed", &err, text, len);
    if (strict && (len2 != len || memcmp(text, text2, len) != 0)) {
      fprintf(stderr, "second encoding (%zu bytes): %.*s\n", len2,
              (int)(len2 > 4000 ? 4000 : len2), text2);
      fail("encoding is not a fixed point", NULL, text, len);
    }
    free(text2);
    coreapi_node_free(b);
    free(text);
  }
  coreapi_node_free(a);
  return 0;
}
