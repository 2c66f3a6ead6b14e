/*
 * fuzz_openapi.c - libFuzzer target for OpenAPI and Swagger descriptions,
 * JSON and YAML (coreapi_openapi_decode: src/codecs/openapi*.c, the JSON and
 * YAML parsers under it).
 *
 * Any bytes are a description. The target aborts when decoding fails
 * without saying why, or when a Document it returns cannot be encoded as
 * Core JSON, displayed, or its Core JSON decoded again. Everything is
 * freed, so leaks are reported too.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coreapi/coreapi.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *what, const coreapi_error *err) {
  fprintf(stderr, "fuzz_openapi: %s: %s\n", what, err ? err->text : "");
  abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  coreapi_error err;
  size_t len = 0;
  char *text, *shown;
  coreapi_node *doc = coreapi_openapi_decode((const char *)data, size, "https://desc.test/x", &err),
               *again;
  if (doc == NULL) {
    if (err.code == COREAPI_OK || err.text[0] == '\0')
      fail("decode returned NULL without an error", &err);
    return 0;
  }
  if (coreapi_node_type_of(doc) != COREAPI_NODE_DOCUMENT)
    fail("the result is not a Document", NULL);
  text = coreapi_corejson_encode(doc, 0, &len, &err);
  if (text == NULL)
    fail("encoding the Document failed", &err);
  again = coreapi_corejson_decode(text, len, NULL, &err);
  if (again == NULL)
    fail("its Core JSON does not decode", &err);
  shown = coreapi_display_encode(doc, 0, &len, &err);
  if (shown == NULL)
    fail("displaying the Document failed", &err);
  free(shown);
  free(text);
  coreapi_node_free(again);
  coreapi_node_free(doc);
  return 0;
}
