/* codecs/json.c - the JSON codec (application/json): plain data. */
#include "../document/node.h"
#include "corejson.h"

coreapi_node *coreapi_json_decode(const char *data, size_t len, coreapi_error *err) {
  json_t *root;
  coreapi_node *node;
  coreapi_error_clear(err);
  root = coreapi__json_parse(data, len, err);
  if (root == NULL)
    return NULL;
  node = coreapi__json_to_node(root, NULL, 1, err);
  json_decref(root);
  return node;
}

char *coreapi_json_encode(const coreapi_node *node, int indent, int ascii, size_t *len,
                          coreapi_error *err) {
  coreapi_error_clear(err);
  return coreapi__encode(node, indent, 0, ascii != 0, len, err);
}
