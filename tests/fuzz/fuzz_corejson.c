/*
 * fuzz_corejson.c - libFuzzer target for the Core JSON decoder.
 *
 * Any bytes go to coreapi_corejson_decode. A document that decodes is
 * encoded (compact and indented) and decoded again: encoding must succeed
 * and give an equal document (coreapi_node_equal), or the target aborts.
 * Everything is freed, so leaks are reported too.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "coreapi/coreapi.h"

#define BASE_URL "http://example.com/api/"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *what, const coreapi_error *err, const char *text, size_t len) {
  fprintf(stderr, "fuzz_corejson: %s: %s\n", what, err->text);
  if (text != NULL)
    fprintf(stderr, "encoded (%zu bytes): %.*s\n", len, (int)(len > 4000 ? 4000 : len), text);
  abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  coreapi_error err;
  coreapi_node *a = coreapi_corejson_decode((const char *)data, size, BASE_URL, &err);
  int indent;

  if (a == NULL) {
    if (err.code == COREAPI_OK)
      fail("decode returned NULL without an error", &err, NULL, 0);
    return 0;
  }
  for (indent = 0; indent <= 4; indent += 4) {
    size_t len = 0;
    char *text = coreapi_corejson_encode(a, indent, &len, &err);
    coreapi_node *b;
    if (text == NULL)
      fail("encoding a decoded document failed", &err, NULL, 0);
    b = coreapi_corejson_decode(text, len, BASE_URL, &err);
    if (b == NULL)
      fail("decoding the encoded document failed", &err, text, len);
    if (!coreapi_node_equal(a, b))
      fail("the document changed in an encode/decode round trip", &err, text, len);
    coreapi_node_free(b);
    free(text);
  }
  coreapi_node_free(a);
  return 0;
}
