/*
 * document/document.h - the document layer's private header: the layout of
 * document nodes, shared by the files of src/document/ and the codecs that
 * build nodes quickly, and reading File nodes that are streams.
 */
#ifndef COREAPI_DOCUMENT_NODE_H
#define COREAPI_DOCUMENT_NODE_H

#include <stdatomic.h>
#include <stdint.h>

#include "../text/text.h"
#include "coreapi/document.h"
#include "coreapi/file.h"

struct coreapi_node {
  atomic_uint refs;
  coreapi_node_type type;
};

typedef struct string_node {
  coreapi_node base;
  size_t len;
  char data[]; /* len bytes and a NUL */
} string_node;

typedef struct number_node {
  coreapi_node base;
  union {
    int64_t i;
    double r;
    int b;
  } v;
} number_node;

typedef struct map_entry {
  const char *key; /* in the node's blob */
  size_t key_len;
  coreapi_node *value;
  int is_link;
} map_entry;

typedef struct map_node {
  coreapi_node base;
  size_t count;
  size_t data_count;
  map_entry *entries; /* insertion order */
  uint32_t *order;    /* iteration order: indexes into entries */
  uint32_t *by_key;   /* sorted by key, for lookup */
  const char *url, *title, *description, *media_type;
} map_node;

typedef struct array_node {
  coreapi_node base;
  size_t count;
  coreapi_node **items;
} array_node;

struct coreapi_field {
  const char *name, *location, *schema_type, *schema_title, *schema_description;
  int required;
  coreapi_node *schema_enum;
};

typedef struct link_node {
  coreapi_node base;
  const char *url, *action, *encoding, *transform, *title, *description;
  size_t field_count;
  struct coreapi_field *fields;
} link_node;

typedef struct file_node {
  coreapi_node base;
  char *path;          /* NULL for a stream */
  const coreapi_stream *ops;
  void *userdata;
  int64_t size;
  const char *name;    /* in the allocation */
  const char *content_type;
} file_node;

#define AS_FILE(n) ((file_node *)(n))
#define AS_STRING(n) ((string_node *)(n))
#define AS_NUMBER(n) ((number_node *)(n))
#define AS_MAP(n) ((map_node *)(n))
#define AS_ARRAY(n) ((array_node *)(n))
#define AS_LINK(n) ((link_node *)(n))

static inline int coreapi__is_map(const coreapi_node *n) {
  return n != NULL && (n->type == COREAPI_NODE_DOCUMENT || n->type == COREAPI_NODE_OBJECT ||
                       n->type == COREAPI_NODE_ERROR);
}

/* Allocate a node of size bytes with type and one reference (not zeroed
 * beyond the header). */
coreapi_node *coreapi__node_alloc(size_t size, coreapi_node_type type);

/* A String node without checking UTF-8 (the caller guarantees it). */
coreapi_node *coreapi__string_new_trusted(const char *s, size_t len);

/* Map builder entry point for decoders that know their keys are unique and
 * valid UTF-8: appends without looking for a previous equal key. Takes
 * ownership of value. Returns 0, or -1 on ENOMEM (value released). */
int coreapi__map_builder_add_unique(coreapi_map_builder *b, const char *key, size_t key_len,
                                    coreapi_node *value);

/* Link priority of an action in iteration order (get 0 ... delete 4, else 5). */
int coreapi__action_priority(const char *action);

/* Read up to n bytes of a stream File; (size_t)-1 on error. */
size_t coreapi__file_read(const coreapi_node *file, char *buf, size_t n);
/* Rewind a stream File: 0, or -1 when it cannot. */
int coreapi__file_rewind(const coreapi_node *file);

#endif
