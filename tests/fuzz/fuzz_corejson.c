/*
 * fuzz_corejson.c - libFuzzer target for the Core JSON decoder and encoder.
 *
 * Any bytes go to coreapi_corejson_decode. A document that decodes is
 * encoded, compact and indented, and the text decoded again. The target
 * aborts when:
 *   - decode fails without saying why (err not filled);
 *   - encoding a decoded document fails, or its text does not decode;
 *   - the two documents differ (coreapi_node_equal); the one exception is a
 *     document with a Document or Link URL that is not http(s) (or empty):
 *     relative URLs are computed as the reference computes them, and for
 *     such URLs ("x:", "mailto:a") the reference's own encode/decode does not
 *     give the same URL back either;
 *   - encoding the second document does not give the same text again (the
 *     encoder's output is a fixed point).
 * Everything is freed, so leaks are reported too.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coreapi/coreapi.h"

#define BASE_URL "http://example.com/api/"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *what, const coreapi_error *err, const char *text, size_t len) {
  fprintf(stderr, "fuzz_corejson: %s: %s\n", what, err != NULL ? err->text : "");
  if (text != NULL)
    fprintf(stderr, "encoded (%zu bytes): %.*s\n", len, (int)(len > 4000 ? 4000 : len), text);
  abort();
}

static int is_http(const char *url) {
  static const char *const schemes[] = {"http://", "https://"};
  size_t k, i;
  if (url == NULL || url[0] == '\0')
    return 1;
  for (k = 0; k < 2; k++) {
    for (i = 0; schemes[k][i] != '\0'; i++) {
      char c = url[i];
      if (c >= 'A' && c <= 'Z')
        c = (char)(c - 'A' + 'a');
      if (c != schemes[k][i])
        break;
    }
    if (schemes[k][i] == '\0')
      return 1;
  }
  return 0;
}

/* Is every Document and Link URL under node empty or http(s)? */
static int urls_are_http(const coreapi_node *node) {
  size_t i, n;
  switch (coreapi_node_type_of(node)) {
  case COREAPI_NODE_LINK:
    return is_http(coreapi_node_url(node));
  case COREAPI_NODE_DOCUMENT:
    if (!is_http(coreapi_node_url(node)))
      return 0;
    /* fall through */
  case COREAPI_NODE_OBJECT:
  case COREAPI_NODE_ERROR:
    n = coreapi_map_size(node);
    for (i = 0; i < n; i++)
      if (!urls_are_http(coreapi_map_entry(node, i, NULL, NULL)))
        return 0;
    return 1;
  case COREAPI_NODE_ARRAY:
    n = coreapi_array_size(node);
    for (i = 0; i < n; i++)
      if (!urls_are_http(coreapi_array_get(node, i)))
        return 0;
    return 1;
  default:
    return 1;
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  coreapi_error err;
  coreapi_node *a;
  int indent, strict;

  coreapi_error_clear(&err);
  a = coreapi_corejson_decode((const char *)data, size, BASE_URL, &err);
  if (a == NULL) {
    if (err.code == COREAPI_OK)
      fail("decode returned NULL without an error", &err, NULL, 0);
    return 0;
  }
  strict = urls_are_http(a);
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
    text2 = coreapi_corejson_encode(b, indent, &len2, &err);
    if (text2 == NULL)
      fail("encoding the decoded encoding failed", &err, text, len);
    if (len2 != len || memcmp(text, text2, len) != 0) {
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
