/*
 * document/copy.c - a deep copy of plain data, for a node a decoder keeps
 * from a tree it then frees (an OpenAPI description's enums and security
 * requirements): the copy is made outside the parse's slab (slab.c), so
 * that keeping it does not keep the description's chunks.
 */
#include <string.h>

#include "document.h"

static coreapi_node *copy_array(const coreapi_node *a) {
  size_t n = coreapi__array_count(a);
  coreapi_node *c = coreapi__array_alloc(n, NULL);
  coreapi_node **from = coreapi__array_items(a), **to;
  if (c == NULL)
    return NULL;
  to = coreapi__array_items(c);
  for (size_t i = 0; i < n; i++) {
    if ((to[i] = coreapi__node_copy(from[i])) == NULL) {
      while (i < n) /* the rest as something to free */
        to[i++] = coreapi__shared_null();
      coreapi_node_free(c);
      return NULL;
    }
  }
  return c;
}

static coreapi_node *copy_object(const map_node *m) {
  size_t key_bytes = 0;
  map_node *c;
  char *blob;
  for (size_t i = 0; i < m->count; i++)
    key_bytes += m->entries[i].key_len + 1;
  if ((c = coreapi__map_alloc(COREAPI_NODE_OBJECT, m->count, key_bytes)) == NULL)
    return NULL;
  blob = coreapi__map_blob(c);
  for (size_t i = 0; i < m->count; i++) {
    const map_entry *e = &m->entries[i];
    coreapi_node *v = coreapi__node_copy(e->value);
    if (v == NULL) {
      coreapi_node_free(&c->base);
      return NULL;
    }
    coreapi__map_push(c, &blob, e->key, e->key_len, v);
  }
  if (coreapi__map_seal(c) != 0) {
    coreapi_node_free(&c->base);
    return NULL;
  }
  return &c->base;
}

coreapi_node *coreapi__node_copy(const coreapi_node *n) {
  if (n == NULL)
    return NULL;
  if (atomic_load_explicit(&n->refs, memory_order_relaxed) >= COREAPI__IMMORTAL &&
      !(n->flags & COREAPI__NODE_ARENA))
    return (coreapi_node *)n; /* shared: nothing to keep (an arena's node is copied) */
  switch (n->type) {
    case COREAPI_NODE_STRING:
      return coreapi__string_new_trusted(AS_STRING(n)->data, AS_STRING(n)->len);
    case COREAPI_NODE_INTEGER:
    case COREAPI_NODE_REAL:
    case COREAPI_NODE_BOOLEAN:
    case COREAPI_NODE_NULL: {
      coreapi_node *c = coreapi__node_alloc(sizeof(number_node), (coreapi_node_type)n->type);
      if (c != NULL)
        AS_NUMBER(c)->v = AS_NUMBER(n)->v;
      return c;
    }
    case COREAPI_NODE_ARRAY:
      return copy_array(n);
    case COREAPI_NODE_OBJECT:
      return copy_object(AS_MAP(n));
    default:
      return coreapi_node_ref((coreapi_node *)n); /* not plain data: shared as it is */
  }
}
