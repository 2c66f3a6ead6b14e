/*
 * document/equal.c - deep equality of nodes, as Python's == compares the
 * reference's documents: maps by their keys whatever the order, numbers
 * across int and float exactly, files only by identity; and sameness of
 * plain data, for sharing one copy (coreapi__node_same).
 */
#include <string.h>

#include "document.h"

static int str_eq(const char *a, const char *b) { return strcmp(a, b) == 0; }

/* Optional plain data: both absent, or equal. */
static int optional_equal(const coreapi_node *a, const coreapi_node *b) {
  return (a == NULL && b == NULL) || (a != NULL && b != NULL && coreapi_node_equal(a, b));
}

static int field_equal(const coreapi_field *a, const coreapi_field *b) {
  return str_eq(a->name, b->name) && a->required == b->required &&
         str_eq(a->location, b->location) && str_eq(a->schema_type, b->schema_type) &&
         str_eq(a->schema_title, b->schema_title) &&
         str_eq(a->schema_description, b->schema_description) &&
         optional_equal(a->schema_enum, b->schema_enum);
}

static int is_number(const coreapi_node *n) {
  return n->type == COREAPI_NODE_INTEGER || n->type == COREAPI_NODE_REAL;
}

int coreapi_node_equal(const coreapi_node *a, const coreapi_node *b) {
  if (a == b)
    return 1;
  if (a == NULL || b == NULL)
    return 0;
  if (is_number(a) && is_number(b) && a->type != b->type) {
    const coreapi_node *i = a->type == COREAPI_NODE_INTEGER ? a : b;
    const coreapi_node *r = a->type == COREAPI_NODE_REAL ? a : b;
    double d = AS_NUMBER(r)->v.r;
    /* Exact comparison, as Python does: 2**53 + 1 != 2.0**53. */
    return d >= -9223372036854775808.0 && d < 9223372036854775808.0 &&
           (int64_t)d == AS_NUMBER(i)->v.i && (double)(int64_t)d == d;
  }
  if (a->type != b->type)
    return 0;
  switch (a->type) {
    case COREAPI_NODE_DOCUMENT:
    case COREAPI_NODE_OBJECT:
    case COREAPI_NODE_ERROR: {
      const map_node *ma = AS_MAP(a), *mb = AS_MAP(b);
      if (ma->count != mb->count || !str_eq(coreapi__map_url(ma), coreapi__map_url(mb)) ||
          !str_eq(coreapi__map_title(ma), coreapi__map_title(mb)) ||
          !str_eq(coreapi__map_description(ma), coreapi__map_description(mb)) ||
          !str_eq(coreapi__map_media_type(ma), coreapi__map_media_type(mb)) ||
          !optional_equal(coreapi_document_security_schemes(a),
                          coreapi_document_security_schemes(b)))
        return 0;
      for (size_t i = 0; i < ma->count; i++) {
        const coreapi_node *other =
            coreapi_map_get(b, ma->entries[i].key, ma->entries[i].key_len);
        if (other == NULL || !coreapi_node_equal(ma->entries[i].value, other))
          return 0;
      }
      return 1;
    }
    case COREAPI_NODE_ARRAY:
      if (coreapi__array_count(a) != coreapi__array_count(b))
        return 0;
      for (size_t i = 0; i < coreapi__array_count(a); i++)
        if (!coreapi_node_equal(coreapi__array_items(a)[i], coreapi__array_items(b)[i]))
          return 0;
      return 1;
    case COREAPI_NODE_LINK: {
      const link_node *la = AS_LINK(a), *lb = AS_LINK(b);
      if (!str_eq(la->url, lb->url) || !str_eq(la->action, lb->action) ||
          !str_eq(la->encoding, lb->encoding) || !str_eq(la->transform, lb->transform) ||
          !str_eq(la->title, lb->title) || !str_eq(la->description, lb->description) ||
          la->field_count != lb->field_count || !optional_equal(la->security, lb->security))
        return 0;
      for (size_t i = 0; i < la->field_count; i++)
        if (!field_equal(&la->fields[i], &lb->fields[i]))
          return 0;
      return 1;
    }
    case COREAPI_NODE_STRING:
      return AS_STRING(a)->len == AS_STRING(b)->len &&
             memcmp(AS_STRING(a)->data, AS_STRING(b)->data, AS_STRING(a)->len) == 0;
    case COREAPI_NODE_INTEGER:
      return AS_NUMBER(a)->v.i == AS_NUMBER(b)->v.i;
    case COREAPI_NODE_REAL:
      return AS_NUMBER(a)->v.r == AS_NUMBER(b)->v.r;
    case COREAPI_NODE_BOOLEAN:
      return AS_NUMBER(a)->v.b == AS_NUMBER(b)->v.b;
    case COREAPI_NODE_NULL:
      return 1;
    case COREAPI_NODE_FILE:
      return 0; /* distinct files are distinct, even with the same name */
  }
  return 0;
}

int coreapi__node_same(const coreapi_node *a, const coreapi_node *b) {
  if (a == b)
    return 1;
  if (a == NULL || b == NULL || a->type != b->type)
    return 0;
  switch (a->type) {
    case COREAPI_NODE_OBJECT: {
      const map_node *ma = AS_MAP(a), *mb = AS_MAP(b);
      if (ma->count != mb->count)
        return 0;
      for (size_t i = 0; i < ma->count; i++) /* in insertion order */
        if (ma->entries[i].key_len != mb->entries[i].key_len ||
            memcmp(ma->entries[i].key, mb->entries[i].key, ma->entries[i].key_len) != 0 ||
            !coreapi__node_same(ma->entries[i].value, mb->entries[i].value))
          return 0;
      return 1;
    }
    case COREAPI_NODE_ARRAY:
      if (coreapi__array_count(a) != coreapi__array_count(b))
        return 0;
      for (size_t i = 0; i < coreapi__array_count(a); i++)
        if (!coreapi__node_same(coreapi__array_items(a)[i], coreapi__array_items(b)[i]))
          return 0;
      return 1;
    case COREAPI_NODE_STRING:
      return AS_STRING(a)->len == AS_STRING(b)->len &&
             memcmp(AS_STRING(a)->data, AS_STRING(b)->data, AS_STRING(a)->len) == 0;
    case COREAPI_NODE_INTEGER:
      return AS_NUMBER(a)->v.i == AS_NUMBER(b)->v.i;
    case COREAPI_NODE_REAL: /* bit for bit: 0.0 is not -0.0, a NaN is itself */
      return memcmp(&AS_NUMBER(a)->v.r, &AS_NUMBER(b)->v.r, sizeof(double)) == 0;
    case COREAPI_NODE_BOOLEAN:
      return AS_NUMBER(a)->v.b == AS_NUMBER(b)->v.b;
    case COREAPI_NODE_NULL:
      return 1;
    default: /* not plain data: only itself */
      return 0;
  }
}
