/*
 * headers.c - an ordered list of header fields with case-insensitive names
 * (RFC 9110 section 5), shared by requests and responses. Values are wiped
 * when replaced or freed, since they may hold credentials.
 */
#include <stdlib.h>
#include <string.h>

#include "http.h"

/* Headers that frame the message or the connection. The library and libcurl
 * set them from the request itself; a caller's value could desynchronise
 * the framing ("Content-Length: 5" with a longer body smuggles a second
 * request onto a kept-alive connection) or redirect it (Host). */
static const char *const reserved_headers[] = {
    "Host", "Content-Length", "Transfer-Encoding", "Connection", "Keep-Alive",
    "Proxy-Connection", "Upgrade", "TE", "Trailer", "Expect",
};

coreapi_code coreapi__header_check(const char *name, const char *value, coreapi_error *err) {
  size_t n;
  if (name == NULL || value == NULL)
    return coreapi_error_set(err, COREAPI_ERR_INVALID_ARGUMENT,
                             "header name and value must not be NULL");
  if (!coreapi__is_token(name))
    return coreapi_error_set(err, COREAPI_ERR_BAD_HEADER,
                             "header name is not an RFC 9110 token");
  n = strlen(name);
  for (size_t i = 0; i < sizeof(reserved_headers) / sizeof(reserved_headers[0]); i++)
    if (strlen(reserved_headers[i]) == n && coreapi__strcaseeq(name, reserved_headers[i]))
      return coreapi_error_set(err, COREAPI_ERR_BAD_HEADER,
                               "header %s is set by the library from the request itself",
                               reserved_headers[i]);
  for (const unsigned char *p = (const unsigned char *)value; *p; p++)
    if ((*p < 0x20 && *p != '\t') || *p == 0x7f)
      return coreapi_error_set(err, COREAPI_ERR_BAD_HEADER,
                               "value of header %s contains a control character", name);
  return COREAPI_OK;
}

const char *coreapi__headers_get(const coreapi__headers *h, const char *name) {
  if (h == NULL || name == NULL)
    return NULL;
  for (size_t i = 0; i < h->count; i++)
    if (coreapi__strcaseeq(h->items[i].name, name))
      return h->items[i].value;
  return NULL;
}

coreapi__header *coreapi__headers_find(coreapi__headers *h, const char *name) {
  for (size_t i = 0; i < h->count; i++)
    if (coreapi__strcaseeq(h->items[i].name, name))
      return &h->items[i];
  return NULL;
}

static int headers_push(coreapi__headers *h, char *name, char *value, unsigned flags) {
  if (h->count == h->cap) {
    /* A response's (pooled) lines are often more than 8. */
    size_t cap = h->cap ? h->cap * 2 : flags & COREAPI__HDR_POOLED ? 16 : 8;
    coreapi__header *items = realloc(h->items, cap * sizeof(*items));
    if (items == NULL)
      return -1;
    h->items = items;
    h->cap = cap;
  }
  h->items[h->count].name = name;
  h->items[h->count].value = value;
  h->items[h->count].flags = flags;
  h->count++;
  return 0;
}

/* name and value, each NUL-terminated, one after the other at block (room
 * for name_len + value_len + 2 bytes). */
static void pack(char *block, const char *name, size_t name_len, const char *value,
                 size_t value_len) {
  memcpy(block, name, name_len);
  block[name_len] = '\0';
  memcpy(block + name_len + 1, value, value_len);
  block[name_len + 1 + value_len] = '\0';
}

void coreapi__header_release(coreapi__header *h) {
  if (h->flags & COREAPI__HDR_PACKED) {
    coreapi__wipe(h->value, strlen(h->value));
  } else {
    coreapi__free_secret(h->value);
  }
  if (!(h->flags & COREAPI__HDR_POOLED))
    free(h->name); /* a pooled one goes with the list's pool */
  h->name = h->value = NULL;
}

struct coreapi__header_block {
  coreapi__header_block *next;
  size_t used, cap;
  char data[];
};

#define POOL_BLOCK 1024u

int coreapi__headers_add_pooled(coreapi__headers *h, const char *name, size_t name_len,
                                const char *value, size_t value_len) {
  coreapi__header_block *b = h->pool;
  size_t need = name_len + value_len + 2;
  char *s;
  if (need < name_len || need < value_len)
    return -1;
  if (b == NULL || b->cap - b->used < need) {
    size_t cap = need > POOL_BLOCK ? need : POOL_BLOCK;
    if ((b = malloc(sizeof(*b) + cap)) == NULL)
      return -1;
    b->next = h->pool;
    b->used = 0;
    b->cap = cap;
    h->pool = b;
  }
  s = b->data + b->used;
  pack(s, name, name_len, value, value_len);
  if (headers_push(h, s, s + name_len + 1, COREAPI__HDR_PACKED | COREAPI__HDR_POOLED) != 0) {
    coreapi__wipe(s, need);
    return -1;
  }
  b->used += need;
  return 0;
}

/* Give h the value v (owned), wiping the old one. */
static void set_value(coreapi__header *h, char *v) {
  if (h->flags & COREAPI__HDR_PACKED) {
    coreapi__wipe(h->value, strlen(h->value)); /* inside the name's block */
    h->flags &= ~COREAPI__HDR_PACKED;
  } else {
    coreapi__free_secret(h->value);
  }
  h->value = v;
}

/* Push name and value in one block (COREAPI__HDR_PACKED). */
static int headers_push_packed(coreapi__headers *h, const char *name, size_t name_len,
                               const char *value, size_t value_len, unsigned flags) {
  char *block = malloc(name_len + value_len + 2);
  if (block == NULL)
    return -1;
  pack(block, name, name_len, value, value_len);
  if (headers_push(h, block, block + name_len + 1, flags | COREAPI__HDR_PACKED) != 0) {
    coreapi__wipe(block, name_len + value_len + 2);
    free(block);
    return -1;
  }
  return 0;
}

int coreapi__headers_add(coreapi__headers *h, const char *name, size_t name_len,
                         const char *value, size_t value_len) {
  return headers_push_packed(h, name, name_len, value, value_len, 0);
}

int coreapi__headers_extend_last(coreapi__headers *h, const char *value, size_t len) {
  coreapi__header *last;
  size_t old;
  char *v;
  if (h->count == 0)
    return 0;
  last = &h->items[h->count - 1];
  old = strlen(last->value);
  v = malloc(old + len + 2);
  if (v == NULL)
    return -1;
  memcpy(v, last->value, old);
  if (old > 0 && len > 0)
    v[old++] = ' ';
  memcpy(v + old, value, len);
  v[old + len] = '\0';
  set_value(last, v);
  return 0;
}

int coreapi__headers_set(coreapi__headers *h, const char *name, const char *value,
                         unsigned flags) {
  coreapi__header *first = coreapi__headers_find(h, name);
  char *v;
  if (first == NULL)
    return headers_push_packed(h, name, strlen(name), value, strlen(value), flags);
  v = coreapi__strdup(value);
  if (v == NULL)
    return -1;
  /* Keep the first one's place and name; drop the others. */
  set_value(first, v);
  first->flags = flags;
  for (size_t i = h->count, keep = (size_t)(first - h->items); i-- > keep + 1;) {
    if (coreapi__strcaseeq(h->items[i].name, name)) {
      coreapi__header_release(&h->items[i]);
      memmove(&h->items[i], &h->items[i + 1], (h->count - i - 1) * sizeof(h->items[0]));
      h->count--;
    }
  }
  return 0;
}

size_t coreapi__headers_remove(coreapi__headers *h, const char *name) {
  size_t removed = 0, o = 0;
  if (h == NULL || name == NULL)
    return 0;
  for (size_t i = 0; i < h->count; i++) {
    if (coreapi__strcaseeq(h->items[i].name, name)) {
      coreapi__header_release(&h->items[i]);
      removed++;
    } else {
      h->items[o++] = h->items[i];
    }
  }
  h->count = o;
  return removed;
}

int coreapi__headers_copy(coreapi__headers *dst, const coreapi__headers *src) {
  size_t start = dst->count;
  for (size_t i = 0; i < src->count; i++) {
    const coreapi__header *x = &src->items[i];
    if (headers_push_packed(dst, x->name, strlen(x->name), x->value, strlen(x->value),
                            x->flags & ~(COREAPI__HDR_PACKED | COREAPI__HDR_POOLED)) != 0) {
      /* Undo the partial copy: dst is as it was. */
      while (dst->count > start) {
        dst->count--;
        coreapi__header_release(&dst->items[dst->count]);
      }
      return -1;
    }
  }
  return 0;
}

void coreapi__headers_free(coreapi__headers *h) {
  if (h == NULL)
    return;
  for (size_t i = 0; i < h->count; i++) {
    unsigned in_pool = COREAPI__HDR_POOLED | COREAPI__HDR_PACKED;
    if ((h->items[i].flags & in_pool) != in_pool) /* else wiped with the pool below */
      coreapi__header_release(&h->items[i]);
  }
  free(h->items);
  h->items = NULL;
  h->count = h->cap = 0;
  while (h->pool != NULL) { /* names and values, wiped */
    coreapi__header_block *next = h->pool->next;
    coreapi__wipe(h->pool->data, h->pool->used);
    free(h->pool);
    h->pool = next;
  }
}
