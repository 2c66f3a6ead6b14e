/*
 * document/map.c - maps (Document, Object, Error): the builder, the
 * reference client's iteration order, and lookup by key.
 *
 * A finished map is one allocation: the node, its entries in insertion
 * order, two permutations of them (iteration order, and by key for binary
 * search) and every key and attribute string.
 */
#include <stdlib.h>
#include <string.h>

#include "document.h"

typedef struct builder_entry {
  char *key;
  size_t key_len;
  coreapi_node *value;
} builder_entry;

struct coreapi_map_builder {
  builder_entry *items;
  size_t count;
  size_t cap;
  size_t key_bytes;
  coreapi_node *security_schemes; /* for a Document; owned */
};

coreapi_map_builder *coreapi_map_builder_new(void) {
  return calloc(1, sizeof(coreapi_map_builder));
}

void coreapi_map_builder_free(coreapi_map_builder *b) {
  if (b == NULL)
    return;
  for (size_t i = 0; i < b->count; i++) {
    free(b->items[i].key);
    coreapi_node_free(b->items[i].value);
  }
  free(b->items);
  coreapi_node_free(b->security_schemes);
  free(b);
}

int coreapi__map_builder_add_unique(coreapi_map_builder *b, const char *key, size_t key_len,
                                    coreapi_node *value) {
  char *k;
  if (b->count == b->cap) {
    size_t cap = b->cap ? b->cap * 2 : 8;
    builder_entry *items = realloc(b->items, cap * sizeof(*items));
    if (items == NULL) {
      coreapi_node_free(value);
      return -1;
    }
    b->items = items;
    b->cap = cap;
  }
  k = coreapi__strndup(key, key_len);
  if (k == NULL) {
    coreapi_node_free(value);
    return -1;
  }
  b->items[b->count].key = k;
  b->items[b->count].key_len = key_len;
  b->items[b->count].value = value;
  b->count++;
  b->key_bytes += key_len + 1;
  return 0;
}

coreapi_code coreapi_map_builder_set(coreapi_map_builder *b, const char *key, size_t key_len,
                                     coreapi_node *value, coreapi_error *err) {
  if (b == NULL || value == NULL || (key == NULL && key_len > 0) ||
      (key_len > 0 && !coreapi__is_utf8(key, key_len))) {
    coreapi_node_free(value);
    return coreapi_error_set(err, COREAPI_ERR_INVALID_ARGUMENT,
                             "map builder, key (valid UTF-8) and value are required");
  }
  if (key == NULL)
    key = "";
  for (size_t i = 0; i < b->count; i++) {
    if (b->items[i].key_len == key_len && memcmp(b->items[i].key, key, key_len) == 0) {
      coreapi_node_free(b->items[i].value);
      b->items[i].value = value;
      return COREAPI_OK;
    }
  }
  if (coreapi__map_builder_add_unique(b, key, key_len, value) != 0)
    return COREAPI__OOM(err);
  return COREAPI_OK;
}

int coreapi__action_priority(const char *action) {
  static const char *const order[] = {"get", "post", "put", "patch", "delete"};
  for (int i = 0; i < 5; i++)
    if (strcmp(action, order[i]) == 0)
      return i;
  return 5;
}

static int key_cmp(const map_entry *a, const map_entry *b) {
  size_t n = a->key_len < b->key_len ? a->key_len : b->key_len;
  int c = memcmp(a->key, b->key, n);
  if (c != 0)
    return c;
  return a->key_len < b->key_len ? -1 : a->key_len > b->key_len;
}

typedef struct sort_item {
  const map_entry *e;
  uint32_t index;
} sort_item;

/* The reference's _key_sorting: (0, key) for data, (1, (url, priority)) for
 * links; Python's sort is stable, so ties keep insertion order. */
static int iteration_cmp(const void *pa, const void *pb) {
  const sort_item *a = pa, *b = pb;
  int c;
  if (a->e->is_link != b->e->is_link)
    return a->e->is_link - b->e->is_link;
  if (!a->e->is_link) {
    c = key_cmp(a->e, b->e);
  } else {
    const link_node *la = AS_LINK(a->e->value), *lb = AS_LINK(b->e->value);
    c = strcmp(la->url, lb->url);
    if (c == 0)
      c = coreapi__action_priority(la->action) - coreapi__action_priority(lb->action);
  }
  return c != 0 ? c : (a->index > b->index) - (a->index < b->index);
}

static int by_key_cmp(const void *pa, const void *pb) {
  const sort_item *a = pa, *b = pb;
  return key_cmp(a->e, b->e);
}

/* Are the attributes that are given (not NULL) valid UTF-8? */
static int attributes_are_utf8(const char *url, const char *title, const char *description,
                               const char *media_type) {
  const char *attrs[4] = {url, title, description, media_type};
  for (int i = 0; i < 4; i++)
    if (attrs[i] != NULL && !coreapi__is_utf8(attrs[i], strlen(attrs[i])))
      return 0;
  return 1;
}

/* Bytes of a map of n entries and key_bytes of keys, with room for
 * attr_bytes of attribute strings and their map_attrs when attr_bytes > 0. */
static size_t map_size(size_t n, size_t key_bytes, size_t attr_bytes) {
  size_t size = sizeof(map_node) + n * sizeof(map_entry) + (n > 1 ? 2 * n * sizeof(uint32_t) : 0) +
                key_bytes;
  if (attr_bytes > 0)
    size = ((size + attr_bytes + 7) & ~(size_t)7) + sizeof(map_attrs);
  return size;
}

map_node *coreapi__map_alloc(coreapi_node_type type, size_t n, size_t key_bytes) {
  map_node *m;
  if (n > UINT32_MAX || n > (SIZE_MAX / 2 - key_bytes) / (sizeof(map_entry) + 8))
    return NULL;
  m = (map_node *)coreapi__node_alloc(map_size(n, key_bytes, 0), type);
  if (m == NULL)
    return NULL;
  m->count = m->data_count = 0;
  m->cap = (uint32_t)n;
  m->flags = 0;
  m->attrs = NULL;
  return m;
}

char *coreapi__map_blob(const map_node *m) {
  return m->cap > 1 ? (char *)(coreapi__map_by_key(m) + m->cap) : (char *)(m->entries + m->cap);
}

void coreapi__map_push(map_node *m, char **blob, const char *key, size_t key_len,
                       coreapi_node *value) {
  coreapi__map_push_data(m, blob, key, key_len, value);
  m->entries[m->count - 1].is_link = value->type == COREAPI_NODE_LINK;
}

/* m's two permutations, iteration order and by key, sorting items (room
 * for m->count of them when there are more than one; then freed). */
static void sort_entries(map_node *m, sort_item *items) {
  size_t n = m->count;
  if (n > 1) {
    uint32_t *order = coreapi__map_order(m), *by_key = coreapi__map_by_key(m);
    for (size_t i = 0; i < n; i++) {
      items[i].e = &m->entries[i];
      items[i].index = (uint32_t)i;
    }
    qsort(items, n, sizeof(*items), iteration_cmp);
    for (size_t i = 0; i < n; i++)
      order[i] = items[i].index;
    qsort(items, n, sizeof(*items), by_key_cmp);
    for (size_t i = 0; i < n; i++)
      by_key[i] = items[i].index;
    free(items);
  } else if (m->cap > 1) {
    coreapi__map_order(m)[0] = coreapi__map_by_key(m)[0] = 0;
  }
}

int coreapi__map_seal(map_node *m) {
  sort_item *items = NULL;
  m->flags &= ~COREAPI__MAP_UNSEALED;
  m->data_count = 0;
  for (size_t i = 0; i < m->count; i++) {
    m->entries[i].is_link = m->entries[i].value->type == COREAPI_NODE_LINK;
    m->data_count += !m->entries[i].is_link;
  }
  if (m->count > 1 && (items = malloc(m->count * sizeof(*items))) == NULL) {
    for (size_t i = 0; i < m->count; i++)
      coreapi__map_order(m)[i] = coreapi__map_by_key(m)[i] = (uint32_t)i;
    return -1;
  }
  sort_entries(m, items);
  return 0;
}

const map_entry *coreapi__map_duplicate(const map_node *m) {
  for (size_t i = 1; i < m->count; i++) {
    const map_entry *a = &m->entries[coreapi__map_by_key_at(m, i - 1)],
                    *b = &m->entries[coreapi__map_by_key_at(m, i)];
    if (key_cmp(a, b) == 0)
      return b;
  }
  return NULL;
}

/* Write the four attributes at blob and their map_attrs at *attrs. */
static void put_attributes(map_attrs *attrs, char *blob, const char *url, const char *title,
                           const char *description, const char *media_type) {
  attrs->url = coreapi__blob_put(&blob, url);
  attrs->title = coreapi__blob_put(&blob, title);
  attrs->description = coreapi__blob_put(&blob, description);
  attrs->media_type = coreapi__blob_put(&blob, media_type);
  attrs->security_schemes = NULL;
}

static size_t attributes_size(const char *url, const char *title, const char *description,
                              const char *media_type) {
  return coreapi__blob_size(url) + coreapi__blob_size(title) + coreapi__blob_size(description) +
         coreapi__blob_size(media_type);
}

int coreapi__map_set_attributes(map_node *m, const char *url, const char *title,
                                const char *description, const char *media_type,
                                coreapi_node *security_schemes) {
  size_t bytes = attributes_size(url, title, description, media_type);
  map_attrs *attrs = malloc(sizeof(map_attrs) + bytes);
  if (attrs == NULL) {
    coreapi_node_free(security_schemes);
    return -1;
  }
  put_attributes(attrs, (char *)(attrs + 1), url, title, description, media_type);
  attrs->security_schemes = security_schemes;
  if (m->attrs != NULL)
    coreapi_node_free(m->attrs->security_schemes);
  if (m->flags & COREAPI__MAP_ATTRS_OWNED)
    free((void *)m->attrs);
  m->attrs = attrs;
  m->flags |= COREAPI__MAP_ATTRS_OWNED;
  return 0;
}

static coreapi_node *finish(coreapi_map_builder *b, coreapi_node_type type, const char *url,
                            const char *title, const char *description,
                            const char *media_type, coreapi_error *err) {
  map_node *m;
  size_t n, attr_bytes = 0;
  char *blob;
  sort_item *items = NULL;

  if (b == NULL) {
    coreapi_error_set(err, COREAPI_ERR_INVALID_ARGUMENT, "map builder is NULL");
    return NULL;
  }
  if (!attributes_are_utf8(url, title, description, media_type)) {
    coreapi_map_builder_free(b);
    coreapi_error_set(err, COREAPI_ERR_INVALID_ARGUMENT,
                      "document and error attributes must be valid UTF-8");
    return NULL;
  }
  if (b->security_schemes != NULL && type != COREAPI_NODE_DOCUMENT) {
    coreapi_map_builder_free(b);
    coreapi_error_set(err, COREAPI_ERR_INVALID_ARGUMENT,
                      "only a Document has security schemes");
    return NULL;
  }
  n = b->count;
  for (size_t i = 0; i < n; i++)
    if (b->items[i].key_len > UINT32_MAX)
      n = SIZE_MAX; /* refused below */
  if (n > UINT32_MAX) {
    coreapi_map_builder_free(b);
    coreapi_error_set(err, COREAPI_ERR_INVALID_ARGUMENT, "too many entries, or a key too long");
    return NULL;
  }
  if (type != COREAPI_NODE_OBJECT)
    attr_bytes = attributes_size(url, title, description, media_type);
  m = (map_node *)coreapi__node_alloc(map_size(n, b->key_bytes, attr_bytes), type);
  if (n > 1)
    items = malloc(n * sizeof(*items));
  if (m == NULL || (n > 1 && items == NULL)) {
    coreapi__node_dealloc(m ? &m->base : NULL);
    free(items);
    coreapi_map_builder_free(b);
    COREAPI__OOM(err);
    return NULL;
  }
  m->count = 0;
  m->cap = (uint32_t)n;
  m->flags = 0;
  m->attrs = NULL;
  blob = coreapi__map_blob(m);
  for (size_t i = 0; i < n; i++) {
    coreapi__map_push(m, &blob, b->items[i].key, b->items[i].key_len, b->items[i].value);
    m->data_count += !m->entries[i].is_link;
    free(b->items[i].key);
  }
  if (attr_bytes > 0) {
    map_attrs *attrs = (map_attrs *)(((uintptr_t)blob + attr_bytes + 7) & ~(uintptr_t)7);
    put_attributes(attrs, blob, url, title, description, media_type);
    attrs->security_schemes = b->security_schemes;
    b->security_schemes = NULL;
    m->attrs = attrs;
  }
  free(b->items);
  free(b);
  m->data_count = 0;
  for (size_t i = 0; i < n; i++)
    m->data_count += !m->entries[i].is_link;
  sort_entries(m, items);
  return &m->base;
}

coreapi_code coreapi_map_builder_set_security_schemes(coreapi_map_builder *b,
                                                     coreapi_node *schemes,
                                                     coreapi_error *err) {
  coreapi_error_clear(err);
  if (b == NULL || !coreapi__security_schemes_valid(schemes)) {
    coreapi_node_free(schemes);
    return coreapi_error_set(err, COREAPI_ERR_INVALID_ARGUMENT,
                             b == NULL ? "map builder is NULL"
                                       : "security schemes must be an object of objects");
  }
  coreapi_node_free(b->security_schemes);
  b->security_schemes = schemes;
  return COREAPI_OK;
}

coreapi_node *coreapi_map_builder_object(coreapi_map_builder *b, coreapi_error *err) {
  coreapi_error_clear(err);
  return finish(b, COREAPI_NODE_OBJECT, NULL, NULL, NULL, NULL, err);
}

coreapi_node *coreapi_map_builder_document(coreapi_map_builder *b, const char *url,
                                           const char *title, const char *description,
                                           const char *media_type, coreapi_error *err) {
  coreapi_error_clear(err);
  return finish(b, COREAPI_NODE_DOCUMENT, url, title, description, media_type, err);
}

coreapi_node *coreapi_map_builder_error(coreapi_map_builder *b, const char *title,
                                        coreapi_error *err) {
  coreapi_error_clear(err);
  return finish(b, COREAPI_NODE_ERROR, NULL, title, NULL, NULL, err);
}

size_t coreapi_map_size(const coreapi_node *map) {
  return coreapi__is_map(map) ? AS_MAP(map)->count : 0;
}

size_t coreapi_map_data_count(const coreapi_node *map) {
  return coreapi__is_map(map) ? AS_MAP(map)->data_count : 0;
}

static coreapi_node *entry_out(const map_entry *e, const char **key, size_t *key_len) {
  if (key)
    *key = e->key;
  if (key_len)
    *key_len = e->key_len;
  return e->value;
}

coreapi_node *coreapi_map_entry(const coreapi_node *map, size_t i, const char **key,
                                size_t *key_len) {
  if (!coreapi__is_map(map) || i >= AS_MAP(map)->count)
    return NULL;
  return entry_out(&AS_MAP(map)->entries[coreapi__map_order_at(AS_MAP(map), i)], key, key_len);
}

coreapi_node *coreapi_map_entry_inserted(const coreapi_node *map, size_t i, const char **key,
                                         size_t *key_len) {
  if (!coreapi__is_map(map) || i >= AS_MAP(map)->count)
    return NULL;
  return entry_out(&AS_MAP(map)->entries[i], key, key_len);
}

coreapi_node *coreapi_map_get(const coreapi_node *map, const char *key, size_t key_len) {
  const map_node *m;
  map_entry probe;
  size_t lo = 0, hi;
  if (!coreapi__is_map(map) || (key == NULL && key_len > 0))
    return NULL;
  m = AS_MAP(map);
  probe.key = key ? key : "";
  probe.key_len = key_len;
  hi = m->count;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    const map_entry *e = &m->entries[coreapi__map_by_key_at(m, mid)];
    int c = key_cmp(&probe, e);
    if (c == 0)
      return e->value;
    if (c < 0)
      hi = mid;
    else
      lo = mid + 1;
  }
  return NULL;
}
