/* codecs/json.c - the JSON codec (application/json): plain data. */
#include "../document/document.h"
#include "corejson.h"
#include "coreapi/codec.h"

coreapi_node *coreapi_json_decode(const char *data, size_t len, coreapi_error *err) {
  coreapi_error_clear(err);
  return coreapi__json_decode_tree(data, len, NULL, 1, COREAPI__DECODE_LIMIT, err);
}

char *coreapi_json_encode(const coreapi_node *node, int indent, int ascii, size_t *len,
                          coreapi_error *err) {
  coreapi_error_clear(err);
  return coreapi__encode(node, indent, 0, ascii != 0, len, err);
}
