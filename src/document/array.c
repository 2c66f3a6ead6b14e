/* document/array.c - arrays and their builder. */
#include <stdlib.h>
#include <string.h>

#include "document.h"

struct coreapi_array_builder {
  coreapi_node **items;
  size_t count;
  size_t cap;
};

coreapi_array_builder *coreapi_array_builder_new(void) {
  return calloc(1, sizeof(coreapi_array_builder));
}

void coreapi_array_builder_free(coreapi_array_builder *b) {
  if (b == NULL)
    return;
  for (size_t i = 0; i < b->count; i++)
    coreapi_node_free(b->items[i]);
  free(b->items);
  free(b);
}

coreapi_code coreapi_array_builder_append(coreapi_array_builder *b, coreapi_node *value,
                                          coreapi_error *err) {
  if (b == NULL || value == NULL) {
    coreapi_node_free(value);
    return coreapi_error_set(err, COREAPI_ERR_INVALID_ARGUMENT,
                             "array builder and value are required");
  }
  if (b->count == b->cap) {
    size_t cap = b->cap ? b->cap * 2 : 8;
    coreapi_node **items = realloc(b->items, cap * sizeof(*items));
    if (items == NULL) {
      coreapi_node_free(value);
      return COREAPI__OOM(err);
    }
    b->items = items;
    b->cap = cap;
  }
  b->items[b->count++] = value;
  return COREAPI_OK;
}

coreapi_node *coreapi_array_builder_finish(coreapi_array_builder *b, coreapi_error *err) {
  array_node *a;
  coreapi_error_clear(err);
  if (b == NULL) {
    coreapi_error_set(err, COREAPI_ERR_INVALID_ARGUMENT, "array builder is NULL");
    return NULL;
  }
  a = (array_node *)coreapi__node_alloc(sizeof(array_node) + b->count * sizeof(coreapi_node *),
                                        COREAPI_NODE_ARRAY);
  if (a == NULL) {
    coreapi_array_builder_free(b);
    COREAPI__OOM(err);
    return NULL;
  }
  a->count = b->count;
  a->items = (coreapi_node **)(a + 1);
  if (b->count > 0)
    memcpy(a->items, b->items, b->count * sizeof(coreapi_node *));
  free(b->items);
  free(b);
  return &a->base;
}

size_t coreapi_array_size(const coreapi_node *array) {
  return array && array->type == COREAPI_NODE_ARRAY ? AS_ARRAY(array)->count : 0;
}

coreapi_node *coreapi_array_get(const coreapi_node *array, size_t i) {
  if (array == NULL || array->type != COREAPI_NODE_ARRAY || i >= AS_ARRAY(array)->count)
    return NULL;
  return AS_ARRAY(array)->items[i];
}
