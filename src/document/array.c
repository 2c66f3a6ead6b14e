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

size_t coreapi__array_bytes(size_t n) {
  return n == 1 ? sizeof(coreapi_node) + sizeof(coreapi_node *)
                : sizeof(array_node) + n * sizeof(coreapi_node *);
}

coreapi_node *coreapi__array_alloc(size_t n, size_t *size) {
  coreapi_node *a;
  if (n > (SIZE_MAX - sizeof(array_node)) / sizeof(coreapi_node *))
    return NULL;
  if ((a = coreapi__node_alloc(coreapi__array_bytes(n), COREAPI_NODE_ARRAY)) == NULL)
    return NULL;
  if (n == 1)
    a->flags |= COREAPI__NODE_ARRAY1;
  else
    ((array_node *)a)->count = n;
  if (size != NULL)
    *size = coreapi__array_bytes(n);
  return a;
}

coreapi_node *coreapi_array_builder_finish(coreapi_array_builder *b, coreapi_error *err) {
  coreapi_node *a;
  coreapi_error_clear(err);
  if (b == NULL) {
    coreapi_error_set(err, COREAPI_ERR_INVALID_ARGUMENT, "array builder is NULL");
    return NULL;
  }
  if ((a = coreapi__array_alloc(b->count, NULL)) == NULL) {
    coreapi_array_builder_free(b);
    COREAPI__OOM(err);
    return NULL;
  }
  if (b->count > 0)
    memcpy(coreapi__array_items(a), b->items, b->count * sizeof(coreapi_node *));
  free(b->items);
  free(b);
  return a;
}

size_t coreapi_array_size(const coreapi_node *array) {
  return array && array->type == COREAPI_NODE_ARRAY ? coreapi__array_count(array) : 0;
}

coreapi_node *coreapi_array_get(const coreapi_node *array, size_t i) {
  if (array == NULL || array->type != COREAPI_NODE_ARRAY || i >= coreapi__array_count(array))
    return NULL;
  return coreapi__array_items(array)[i];
}
