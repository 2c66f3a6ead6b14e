/*
 * document/node.c - nodes: allocation and reference counting (freeing
 * every kind of node), primitives and attributes.
 */
#include <stdlib.h>
#include <string.h>

#include "document.h"

coreapi_node *coreapi__node_alloc(size_t size, coreapi_node_type type) {
  uint16_t slot = 0;
  coreapi_node *n = coreapi__slab_alloc(size, &slot);
  uint8_t flags = COREAPI__NODE_SLAB;
  if (n == NULL) {
    n = malloc(size);
    flags = 0;
  }
  if (n == NULL)
    return NULL;
  atomic_init(&n->refs, 1);
  n->type = (uint8_t)type;
  n->flags = flags;
  n->slab_slot = slot;
  return n;
}

void coreapi__node_dealloc(coreapi_node *n) {
  if (n == NULL)
    return;
  if (n->flags & COREAPI__NODE_SLAB)
    coreapi__slab_free(n, n->slab_slot);
  else
    free(n);
}

/* Shared nodes (shared.c) are never freed: their count stays put. */
static int immortal(const coreapi_node *n) {
  return atomic_load_explicit(&n->refs, memory_order_relaxed) >= COREAPI__IMMORTAL;
}

coreapi_node *coreapi_node_ref(coreapi_node *node) {
  if (node != NULL && !immortal(node))
    atomic_fetch_add_explicit(&node->refs, 1, memory_order_relaxed);
  return node;
}

static void node_destroy(coreapi_node *n) {
  switch (n->type) {
    case COREAPI_NODE_DOCUMENT:
    case COREAPI_NODE_OBJECT:
    case COREAPI_NODE_ERROR:
      for (size_t i = 0; i < AS_MAP(n)->count; i++)
        coreapi_node_free(AS_MAP(n)->entries[i].value);
      if (AS_MAP(n)->attrs != NULL)
        coreapi_node_free(AS_MAP(n)->attrs->security_schemes);
      if (AS_MAP(n)->flags & COREAPI__MAP_ATTRS_OWNED)
        free((void *)AS_MAP(n)->attrs); /* set on a map converted in place */
      break;
    case COREAPI_NODE_ARRAY:
      for (size_t i = 0; i < coreapi__array_count(n); i++)
        coreapi_node_free(coreapi__array_items(n)[i]);
      break;
    case COREAPI_NODE_LINK:
      for (size_t i = 0; i < AS_LINK(n)->field_count; i++)
        coreapi_node_free(AS_LINK(n)->fields[i].schema_enum);
      coreapi_node_free(AS_LINK(n)->security);
      break;
    case COREAPI_NODE_FILE: {
      /* What a File holds beside itself: its path, and its stream's state. */
      file_node *f = AS_FILE(n);
      free(f->path);
      if (f->ops != NULL && f->ops->free != NULL)
        f->ops->free(f->userdata);
      break;
    }
    case COREAPI_NODE_STRING:
    case COREAPI_NODE_INTEGER:
    case COREAPI_NODE_REAL:
    case COREAPI_NODE_BOOLEAN:
    case COREAPI_NODE_NULL:
      break;
  }
  coreapi__node_dealloc(n); /* every node is one allocation: its arrays and strings are inside
             * (but for the attributes of a map converted in place) */
}

void coreapi_node_free(coreapi_node *node) {
  if (node == NULL || immortal(node))
    return;
  if (atomic_fetch_sub_explicit(&node->refs, 1, memory_order_acq_rel) == 1)
    node_destroy(node);
}

coreapi_node_type coreapi_node_type_of(const coreapi_node *node) {
  return node ? node->type : (coreapi_node_type)0;
}

const char *coreapi_node_type_name(coreapi_node_type type) {
  switch (type) {
    case COREAPI_NODE_DOCUMENT: return "document";
    case COREAPI_NODE_OBJECT: return "object";
    case COREAPI_NODE_ARRAY: return "array";
    case COREAPI_NODE_LINK: return "link";
    case COREAPI_NODE_ERROR: return "error";
    case COREAPI_NODE_STRING: return "string";
    case COREAPI_NODE_INTEGER: return "integer";
    case COREAPI_NODE_REAL: return "real";
    case COREAPI_NODE_BOOLEAN: return "boolean";
    case COREAPI_NODE_NULL: return "null";
    case COREAPI_NODE_FILE: return "file";
  }
  return "unknown";
}

coreapi_node *coreapi__string_new_trusted(const char *s, size_t len) {
  string_node *n;
  if (len > SIZE_MAX - sizeof(string_node) - 1)
    return NULL;
  n = (string_node *)coreapi__node_alloc(sizeof(string_node) + len + 1, COREAPI_NODE_STRING);
  if (n == NULL)
    return NULL;
  n->len = len;
  if (len > 0)
    memcpy(n->data, s, len);
  n->data[len] = '\0';
  return &n->base;
}

coreapi_node *coreapi_string_new(const char *s, size_t len, coreapi_error *err) {
  coreapi_node *n;
  coreapi_error_clear(err);
  if (s == NULL && len > 0) {
    coreapi_error_set(err, COREAPI_ERR_INVALID_ARGUMENT, "string is NULL");
    return NULL;
  }
  if (len > 0 && !coreapi__is_utf8(s, len)) {
    coreapi_error_set(err, COREAPI_ERR_INVALID_ARGUMENT, "string is not valid UTF-8");
    return NULL;
  }
  n = coreapi__string_new_trusted(s, len);
  if (n == NULL)
    COREAPI__OOM(err);
  return n;
}

static coreapi_node *number_new(coreapi_node_type type, coreapi_error *err) {
  coreapi_node *n;
  coreapi_error_clear(err);
  n = coreapi__node_alloc(sizeof(number_node), type);
  if (n == NULL)
    COREAPI__OOM(err);
  return n;
}

coreapi_node *coreapi_integer_new(int64_t value, coreapi_error *err) {
  coreapi_node *n = number_new(COREAPI_NODE_INTEGER, err);
  if (n)
    AS_NUMBER(n)->v.i = value;
  return n;
}

coreapi_node *coreapi_real_new(double value, coreapi_error *err) {
  coreapi_node *n = number_new(COREAPI_NODE_REAL, err);
  if (n)
    AS_NUMBER(n)->v.r = value;
  return n;
}

coreapi_node *coreapi_boolean_new(int value, coreapi_error *err) {
  coreapi_node *n = number_new(COREAPI_NODE_BOOLEAN, err);
  if (n)
    AS_NUMBER(n)->v.b = value != 0;
  return n;
}

coreapi_node *coreapi_null_new(coreapi_error *err) {
  return number_new(COREAPI_NODE_NULL, err);
}

const char *coreapi_string_value(const coreapi_node *node, size_t *len) {
  if (node == NULL || node->type != COREAPI_NODE_STRING) {
    if (len)
      *len = 0;
    return NULL;
  }
  if (len)
    *len = AS_STRING(node)->len;
  return AS_STRING(node)->data;
}

int64_t coreapi_integer_value(const coreapi_node *node) {
  return node && node->type == COREAPI_NODE_INTEGER ? AS_NUMBER(node)->v.i : 0;
}

double coreapi_real_value(const coreapi_node *node) {
  return node && node->type == COREAPI_NODE_REAL ? AS_NUMBER(node)->v.r : 0.0;
}

int coreapi_boolean_value(const coreapi_node *node) {
  return node && node->type == COREAPI_NODE_BOOLEAN ? AS_NUMBER(node)->v.b : 0;
}

const char *coreapi_node_url(const coreapi_node *n) {
  if (n && n->type == COREAPI_NODE_DOCUMENT)
    return coreapi__map_url(AS_MAP(n));
  return n && n->type == COREAPI_NODE_LINK ? AS_LINK(n)->url : NULL;
}

const char *coreapi_node_title(const coreapi_node *n) {
  if (n && (n->type == COREAPI_NODE_DOCUMENT || n->type == COREAPI_NODE_ERROR))
    return coreapi__map_title(AS_MAP(n));
  return n && n->type == COREAPI_NODE_LINK ? AS_LINK(n)->title : NULL;
}

const char *coreapi_node_description(const coreapi_node *n) {
  if (n && n->type == COREAPI_NODE_DOCUMENT)
    return coreapi__map_description(AS_MAP(n));
  return n && n->type == COREAPI_NODE_LINK ? AS_LINK(n)->description : NULL;
}

const char *coreapi_node_media_type(const coreapi_node *n) {
  return n && n->type == COREAPI_NODE_DOCUMENT ? coreapi__map_media_type(AS_MAP(n)) : NULL;
}
