/*
 * document/node.c - nodes: allocation and reference counting (freeing
 * every kind of node, wiping those that hold secrets), primitives and
 * attributes.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "document.h"

coreapi_node *coreapi__node_alloc(size_t size, coreapi_node_type type) {
  uint16_t slot = 0;
  int arena = 0;
  coreapi_node *n = coreapi__arena_alloc(size, &arena);
  uint8_t flags = COREAPI__NODE_SLAB;
  if (arena) {
    if (n == NULL)
      return NULL; /* out of memory: no node outside the arena in its tree */
    atomic_init(&n->refs, COREAPI__IMMORTAL); /* till the arena goes */
    n->type = (uint8_t)type;
    n->flags = COREAPI__NODE_ARENA;
    n->slab_slot = 0;
    return n;
  }
  n = coreapi__slab_alloc(size, &slot);
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
  if (n == NULL || (n->flags & COREAPI__NODE_ARENA))
    return; /* an arena's memory goes with the arena */
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

/* --- secrets ---------------------------------------------------------------
 * Nodes that hold secrets (a credentials file, a token answer) are marked so
 * that each is overwritten with zeros when its last reference goes, however
 * it is freed, before its memory goes back to malloc or to its slab chunk
 * (slab.c). The mark is a bit of the reference count word
 * (COREAPI__SECRET), set with an atomic or: nodes are shared between trees
 * and threads, and a mark made through one tree holds for every holder
 * (whoever frees the node last wipes it). Shared nodes (shared.c) hold no
 * secret and are never marked. coreapi__wipe (base/util.c) is a wipe the
 * compiler cannot drop. */

void coreapi__node_mark_secret(coreapi_node *n) {
  if (n == NULL || immortal(n) ||
      (atomic_fetch_or_explicit(&n->refs, COREAPI__SECRET, memory_order_relaxed) &
       COREAPI__SECRET))
    return;
  switch (n->type) {
    case COREAPI_NODE_DOCUMENT:
    case COREAPI_NODE_OBJECT:
    case COREAPI_NODE_ERROR:
      for (size_t i = 0; i < AS_MAP(n)->count; i++)
        coreapi__node_mark_secret(AS_MAP(n)->entries[i].value);
      if (AS_MAP(n)->attrs != NULL)
        coreapi__node_mark_secret(AS_MAP(n)->attrs->security_schemes);
      break;
    case COREAPI_NODE_ARRAY:
      for (size_t i = 0; i < coreapi__array_count(n); i++)
        coreapi__node_mark_secret(coreapi__array_items(n)[i]);
      break;
    case COREAPI_NODE_LINK:
      for (size_t i = 0; i < AS_LINK(n)->field_count; i++)
        coreapi__node_mark_secret(AS_LINK(n)->fields[i].schema_enum);
      coreapi__node_mark_secret(AS_LINK(n)->security);
      break;
    default:
      break;
  }
}

/* Wipe a NUL-terminated string (NULL: nothing). */
static void wipe_string(const char *s) {
  if (s != NULL)
    coreapi__wipe((char *)s, strlen(s) + 1);
}

/* From the end of the header to end. */
static void wipe_body(coreapi_node *n, const void *end) {
  char *from = (char *)(n + 1);
  if ((const char *)end > from)
    coreapi__wipe(from, (size_t)((const char *)end - from));
}

static void wipe_map(map_node *m) {
  const map_attrs *attrs = m->attrs;
  for (size_t i = 0; i < m->count; i++)
    coreapi__wipe((char *)m->entries[i].key, (size_t)m->entries[i].key_len + 1);
  if (attrs != NULL) {
    wipe_string(attrs->url);
    wipe_string(attrs->title);
    wipe_string(attrs->description);
    wipe_string(attrs->media_type);
    coreapi__wipe((void *)attrs, sizeof(*attrs)); /* in the node, or its own block */
  }
  /* The entries and their two orders; the keys were wiped one by one (a
   * key may have been moved within the blob: corejson's unescaping). */
  wipe_body(&m->base, m->cap > 1 ? (const void *)(coreapi__map_by_key(m) + m->cap)
                                  : (const void *)(m->entries + m->cap)); /* the blob */
}

static void wipe_link(link_node *l) {
  for (size_t i = 0; i < l->field_count; i++) {
    const coreapi_field *f = &l->fields[i];
    wipe_string(f->name);
    wipe_string(f->location);
    wipe_string(f->schema_type);
    wipe_string(f->schema_title);
    wipe_string(f->schema_description);
  }
  wipe_string(l->url);
  wipe_string(l->action);
  wipe_string(l->encoding);
  wipe_string(l->transform);
  wipe_string(l->title);
  wipe_string(l->description);
  wipe_body(&l->base, l->fields + l->field_count);
}

/* Overwrite with zeros what a node about to be freed holds: everything
 * after its header (which stays, for the dealloc), its keys and strings,
 * the attributes block of a map converted in place, a File's path. The
 * children are not touched (each is wiped when it goes). */
static void node_wipe(coreapi_node *n) {
  switch (n->type) {
    case COREAPI_NODE_DOCUMENT:
    case COREAPI_NODE_OBJECT:
    case COREAPI_NODE_ERROR:
      wipe_map(AS_MAP(n));
      break;
    case COREAPI_NODE_ARRAY:
      wipe_body(n, coreapi__array_items(n) + coreapi__array_count(n));
      break;
    case COREAPI_NODE_LINK:
      wipe_link(AS_LINK(n));
      break;
    case COREAPI_NODE_FILE:
      wipe_string(AS_FILE(n)->path);
      wipe_string(AS_FILE(n)->name);
      wipe_string(AS_FILE(n)->content_type);
      wipe_body(n, AS_FILE(n) + 1);
      break;
    case COREAPI_NODE_STRING:
      wipe_body(n, AS_STRING(n)->data + AS_STRING(n)->len + 1);
      break;
    case COREAPI_NODE_INTEGER:
    case COREAPI_NODE_REAL:
    case COREAPI_NODE_BOOLEAN:
    case COREAPI_NODE_NULL:
      wipe_body(n, AS_NUMBER(n) + 1);
      break;
  }
}

/* Blocks for the scratch memory of a secret parse (codecs/jsonparse.c):
 * each starts with its size, so that it can be wiped whole when freed. */
typedef union wiped_head {
  size_t size;
  max_align_t align;
} wiped_head;

void *coreapi__wiped_malloc(size_t n) {
  wiped_head *h = n > SIZE_MAX - sizeof(*h) ? NULL : malloc(sizeof(*h) + n);
  if (h == NULL)
    return NULL;
  h->size = n;
  return h + 1;
}

void coreapi__wiped_free(void *p) {
  wiped_head *h = p != NULL ? (wiped_head *)p - 1 : NULL;
  if (h != NULL) {
    coreapi__wipe(h, sizeof(*h) + h->size);
    free(h);
  }
}

void *coreapi__wiped_realloc(void *p, size_t n) {
  void *q = coreapi__wiped_malloc(n);
  if (q != NULL && p != NULL) {
    size_t old = ((wiped_head *)p - 1)->size;
    memcpy(q, p, old < n ? old : n);
    coreapi__wiped_free(p);
  }
  return q;
}

/* Free n and release what it holds; secret: wipe it first (secret.c). */
static void node_destroy(coreapi_node *n, int secret) {
  void *own = NULL; /* a block of its own, freed after the wipe */
  switch (n->type) {
    case COREAPI_NODE_DOCUMENT:
    case COREAPI_NODE_OBJECT:
    case COREAPI_NODE_ERROR:
      for (size_t i = 0; i < AS_MAP(n)->count; i++)
        coreapi_node_free(AS_MAP(n)->entries[i].value);
      if (AS_MAP(n)->attrs != NULL)
        coreapi_node_free(AS_MAP(n)->attrs->security_schemes);
      if (AS_MAP(n)->flags & COREAPI__MAP_ATTRS_OWNED)
        own = (void *)AS_MAP(n)->attrs; /* set on a map converted in place */
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
      own = f->path;
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
  if (secret)
    node_wipe(n); /* the header stays: the dealloc reads it */
  free(own);
  coreapi__node_dealloc(n); /* every node is one allocation: its arrays and strings are inside
             * (but for the attributes of a map converted in place) */
}

void coreapi_node_free(coreapi_node *node) {
  unsigned prev;
  if (node == NULL || immortal(node))
    return;
  prev = atomic_fetch_sub_explicit(&node->refs, 1, memory_order_acq_rel);
  if ((prev & ~COREAPI__SECRET) == 1)
    node_destroy(node, (prev & COREAPI__SECRET) != 0);
}

coreapi_node *coreapi_node_mark_secret(coreapi_node *node) {
  coreapi__node_mark_secret(node);
  return node;
}

void coreapi_node_free_wiped(coreapi_node *node) {
  coreapi__node_mark_secret(node);
  coreapi_node_free(node);
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
