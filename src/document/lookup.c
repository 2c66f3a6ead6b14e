/* document/lookup.c - following a path of keys and indexes into a document. */
#include <string.h>

#include "document.h"

static const char *article(coreapi_node_type type) {
  return strchr("aeiou", coreapi_node_type_name(type)[0]) ? "an" : "a";
}

coreapi_node *coreapi_node_lookup(const coreapi_node *root, const coreapi_key *keys, size_t n,
                                  coreapi_error *err) {
  const coreapi_node *node = root;
  coreapi_error_clear(err);
  if (root == NULL || (keys == NULL && n > 0)) {
    coreapi_error_set(err, COREAPI_ERR_INVALID_ARGUMENT, "lookup needs a node and keys");
    return NULL;
  }
  for (size_t i = 0; i < n; i++) {
    const coreapi_key *k = &keys[i];
    const coreapi_node *next = NULL;
    if (k->name != NULL) {
      next = coreapi_map_get(node, k->name, strlen(k->name));
      if (next == NULL) {
        if (coreapi__is_map(node))
          coreapi_error_set(err, COREAPI_ERR_NOT_FOUND, "step %zu: key '%.100s' was not found",
                            i + 1, k->name);
        else
          coreapi_error_set(err, COREAPI_ERR_NOT_FOUND,
                            "step %zu: key '%.100s' looked up in %s %s, which has no keys",
                            i + 1, k->name, article(node->type), coreapi_node_type_name(node->type));
        return NULL;
      }
    } else {
      next = coreapi_array_get(node, k->index);
      if (next == NULL) {
        if (node->type == COREAPI_NODE_ARRAY)
          coreapi_error_set(err, COREAPI_ERR_NOT_FOUND,
                            "step %zu: index %zu is out of range (the array has %zu items)",
                            i + 1, k->index, coreapi_array_size(node));
        else
          coreapi_error_set(err, COREAPI_ERR_NOT_FOUND,
                            "step %zu: index %zu used on %s %s, which is not an array",
                            i + 1, k->index, article(node->type),
                            coreapi_node_type_name(node->type));
        return NULL;
      }
    }
    node = next;
  }
  return (coreapi_node *)node;
}
