/*
 * codecs/jsonintern.c - the JSON parser's memory of values it has made, so
 * that a value met again is the same node once more (one more reference)
 * rather than a new one: [1.5, 1.5, ...], ["id", "id", ...] and the same
 * small object or array repeated cost a pointer each.
 *
 * Nodes are immutable, so sharing is invisible but for memory. A direct-
 * mapped table of recent values: a value whose slot holds an equal one
 * reuses it, any other takes the slot. Strings and numbers of any kind go
 * in, and containers of up to INTERN_MAX_ITEMS children that are "clean"
 * (jsonparse.c: nothing in them that Core JSON decoding changes), compared
 * by their children's identity (which interning already made equal when
 * equal). The table holds no references: it lives for one parse, during
 * which nothing it points to is freed.
 */
#include <stdlib.h>
#include <string.h>

#include "jsonparse.h"

#define INTERN_SLOTS 4096 /* a power of two */

struct coreapi__intern {
  coreapi_node *slots[INTERN_SLOTS];
};

coreapi__intern *coreapi__intern_new(void) { return calloc(1, sizeof(coreapi__intern)); }

void coreapi__intern_free(coreapi__intern *t) { free(t); }

/* Hash n bytes, continuing from h: eight bytes a step (a multiply and a
 * shift each), not one, the tail and the length in a last step. Only the
 * slots depend on it. */
#define MUL 0x9e3779b97f4a7c15u

static uint64_t mix(uint64_t h, const void *p, size_t n) {
  const unsigned char *b = p;
  uint64_t w = 0;
  for (; n >= 8; b += 8, n -= 8) {
    memcpy(&w, b, 8);
    h = (h ^ w) * MUL;
    h ^= h >> 32;
  }
  w = (uint64_t)n << 56;
  for (size_t i = 0; i < n; i++)
    w |= (uint64_t)b[i] << (8 * i);
  h = (h ^ w) * MUL;
  return h ^ (h >> 32);
}

#define SEED 14695981039346656037u

static coreapi_node **slot_for(coreapi__intern *t, uint64_t h) {
  return &t->slots[(h ^ (h >> 29)) & (INTERN_SLOTS - 1)];
}

coreapi_node *coreapi__intern_string(coreapi__intern *t, const char *s, size_t len) {
  coreapi_node **slot, *n;
  if (t == NULL)
    return NULL;
  slot = slot_for(t, mix(mix(SEED, "s", 1), s, len));
  n = *slot;
  if (n != NULL && n->type == COREAPI_NODE_STRING && AS_STRING(n)->len == len &&
      memcmp(AS_STRING(n)->data, s, len) == 0)
    return coreapi_node_ref(n);
  return NULL;
}

coreapi_node *coreapi__intern_number(coreapi__intern *t, coreapi_node_type type, int64_t i,
                                     double r) {
  if (t == NULL)
    return NULL;
  uint64_t h = type == COREAPI_NODE_INTEGER ? mix(mix(SEED, "i", 1), &i, sizeof(i))
                                            : mix(mix(SEED, "r", 1), &r, sizeof(r));
  coreapi_node *n = *slot_for(t, h);
  if (n != NULL && n->type == type &&
      (type == COREAPI_NODE_INTEGER ? AS_NUMBER(n)->v.i == i
                                    : memcmp(&AS_NUMBER(n)->v.r, &r, sizeof(r)) == 0))
    return coreapi_node_ref(n);
  return NULL;
}

/* The hash of a container: its type, children and (objects) keys. */
static uint64_t container_hash(coreapi_node_type type, size_t n, coreapi_node *const *items,
                               const char *const *keys, const size_t *key_lens) {
  uint64_t h = mix(SEED, &type, sizeof(type));
  for (size_t i = 0; i < n; i++) {
    h = mix(h, &items[i], sizeof(items[i]));
    if (keys != NULL)
      h = mix(mix(h, keys[i], key_lens[i]), "", 1);
  }
  return h;
}

coreapi_node *coreapi__intern_container(coreapi__intern *t, coreapi_node_type type, size_t n,
                                        coreapi_node *const *items, const char *const *keys,
                                        const size_t *key_lens) {
  if (t == NULL)
    return NULL;
  coreapi_node *c = *slot_for(t, container_hash(type, n, items, keys, key_lens));
  if (c == NULL || c->type != type || n > INTERN_MAX_ITEMS)
    return NULL;
  if (type == COREAPI_NODE_ARRAY) {
    if (coreapi__array_count(c) != n || memcmp(coreapi__array_items(c), items, n * sizeof(*items)) != 0)
      return NULL;
  } else {
    const map_node *m = AS_MAP(c);
    if (m->count != n)
      return NULL;
    for (size_t i = 0; i < n; i++)
      if (m->entries[i].value != items[i] || m->entries[i].key_len != key_lens[i] ||
          memcmp(m->entries[i].key, keys[i], key_lens[i]) != 0)
        return NULL;
  }
  return coreapi_node_ref(c);
}

void coreapi__intern_keep(coreapi__intern *t, coreapi_node *v) {
  uint64_t h;
  if (t == NULL)
    return;
  switch (v->type) {
    case COREAPI_NODE_STRING:
      h = mix(mix(SEED, "s", 1), AS_STRING(v)->data, AS_STRING(v)->len);
      break;
    case COREAPI_NODE_INTEGER:
      h = mix(mix(SEED, "i", 1), &AS_NUMBER(v)->v.i, sizeof(int64_t));
      break;
    case COREAPI_NODE_REAL:
      h = mix(mix(SEED, "r", 1), &AS_NUMBER(v)->v.r, sizeof(double));
      break;
    case COREAPI_NODE_ARRAY:
      if (coreapi__array_count(v) > INTERN_MAX_ITEMS)
        return;
      h = container_hash(v->type, coreapi__array_count(v), coreapi__array_items(v), NULL, NULL);
      break;
    case COREAPI_NODE_OBJECT: {
      const map_node *m = AS_MAP(v);
      coreapi_node *items[INTERN_MAX_ITEMS];
      const char *keys[INTERN_MAX_ITEMS];
      size_t lens[INTERN_MAX_ITEMS];
      if (m->count > INTERN_MAX_ITEMS)
        return;
      for (size_t i = 0; i < m->count; i++) {
        items[i] = m->entries[i].value;
        keys[i] = m->entries[i].key;
        lens[i] = m->entries[i].key_len;
      }
      h = container_hash(v->type, m->count, items, keys, lens);
      break;
    }
    default:
      return;
  }
  *slot_for(t, h) = v;
}
