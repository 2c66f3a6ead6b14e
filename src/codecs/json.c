/* codecs/json.c - the JSON codec (application/json): plain data. */
#include "../document/document.h"
#include "corejson.h"
#include "jsonparse.h"
#include "coreapi/codec.h"

coreapi_node *coreapi_json_decode(const char *data, size_t len, coreapi_error *err) {
  coreapi_error_clear(err);
  return coreapi__json_decode_tree(data, len, NULL, 1, COREAPI__DECODE_LIMIT, err);
}

/* The budget of coreapi__json_decode_tree: 32 times the text (1 MiB at
 * least), within the library's limit. */
coreapi_node *coreapi_json_decode_secret(const char *data, size_t len, coreapi_error *err) {
  size_t budget = len > SIZE_MAX / COREAPI__DECODE_FACTOR ? SIZE_MAX : len * COREAPI__DECODE_FACTOR;
  coreapi_error_clear(err);
  if (budget < ((size_t)1 << 20))
    budget = (size_t)1 << 20;
  if (budget > COREAPI__DECODE_LIMIT)
    budget = COREAPI__DECODE_LIMIT;
  return coreapi__json_parse_secret(data, len, budget, err);
}

char *coreapi_json_encode(const coreapi_node *node, int indent, int ascii, size_t *len,
                          coreapi_error *err) {
  coreapi_error_clear(err);
  return coreapi__encode(node, indent, 0, ascii != 0, len, err);
}
