/*
 * codecs/openapi_keys.c - the keys taken in each group of an OpenAPI
 * description's links, and its groups (see openapi_keys.h; the rules that
 * make the keys are openapi.c's). A hash map from (group, key) pairs of
 * strings to numbers: FNV-1a, open addressing with linear probing, the
 * table at most half full; the pairs' text is copied into one growing
 * block, so the caller may free or change the strings it gave.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "openapi_keys.h"

typedef struct coreapi__keyset_slot {
  uint64_t hash;
  size_t at; /* 1 + the pair's offset in bytes; 0: a free slot */
  size_t value;
} coreapi__keyset_slot;

#define FNV_PRIME 1099511628211u

static uint64_t fnv(uint64_t h, const char *s) {
  for (; *s; s++)
    h = (h ^ (unsigned char)*s) * FNV_PRIME;
  return h;
}

/* The pair's hash: whether there is a group, the group, a separator, the key. */
static uint64_t pair_hash(const char *group, const char *key) {
  uint64_t h = (14695981039346656037u ^ (group != NULL)) * FNV_PRIME;
  if (group != NULL)
    h = fnv(h, group);
  h = fnv((h ^ 0xffu) * FNV_PRIME, key);
  return h ^ (h >> 31);
}

/* Is the pair stored at e (a flag byte, the group and its NUL when the flag
 * is 1, the key and its NUL) (group, key)? */
static int pair_is(const char *e, const char *group, const char *key) {
  if (*e++ != (group != NULL))
    return 0;
  if (group != NULL) {
    if (strcmp(e, group) != 0)
      return 0;
    e += strlen(group) + 1;
  }
  return strcmp(e, key) == 0;
}

/* The value of (group, key) in s, or NULL; the pointer lives until the next add. */
static size_t *keyset_find(const coreapi__keyset *s, const char *group, const char *key) {
  uint64_t h;
  if (s->cap == 0)
    return NULL;
  h = pair_hash(group, key);
  for (size_t i = (size_t)h & (s->cap - 1);; i = (i + 1) & (s->cap - 1)) {
    coreapi__keyset_slot *slot = &s->slots[i];
    if (slot->at == 0)
      return NULL;
    if (slot->hash == h && pair_is(s->bytes + slot->at - 1, group, key))
      return &slot->value;
  }
}

/* Room for one more pair: the table doubled when it would be over half full. */
static int grow(coreapi__keyset *s) {
  size_t cap = s->cap ? s->cap * 2 : 64;
  coreapi__keyset_slot *slots;
  if ((s->count + 1) * 2 <= s->cap)
    return 0;
  if (cap > SIZE_MAX / sizeof(*slots) || (slots = calloc(cap, sizeof(*slots))) == NULL)
    return -1;
  for (size_t k = 0; k < s->cap; k++) {
    size_t i;
    if (s->slots[k].at == 0)
      continue;
    for (i = (size_t)s->slots[k].hash & (cap - 1); slots[i].at != 0; i = (i + 1) & (cap - 1))
      ;
    slots[i] = s->slots[k];
  }
  free(s->slots);
  s->slots = slots;
  s->cap = cap;
  return 0;
}

/* Add (group, key), not in s yet, with value: 0, or -1 on ENOMEM. */
static int keyset_add(coreapi__keyset *s, const char *group, const char *key, size_t value) {
  size_t glen = group != NULL ? strlen(group) + 1 : 0, klen = strlen(key) + 1;
  size_t need = 1 + glen + klen, i;
  uint64_t h = pair_hash(group, key);
  char *e;
  if (grow(s) != 0)
    return -1;
  if (s->bytes_cap - s->len < need) {
    size_t cap = s->bytes_cap + s->bytes_cap / 2 + need + 1024;
    char *bytes = cap > s->bytes_cap ? realloc(s->bytes, cap) : NULL;
    if (bytes == NULL)
      return -1;
    s->bytes = bytes;
    s->bytes_cap = cap;
  }
  e = s->bytes + s->len;
  e[0] = (char)(group != NULL);
  if (group != NULL)
    memcpy(e + 1, group, glen);
  memcpy(e + 1 + glen, key, klen);
  for (i = (size_t)h & (s->cap - 1); s->slots[i].at != 0; i = (i + 1) & (s->cap - 1))
    ;
  s->slots[i] = (coreapi__keyset_slot){h, s->len + 1, value};
  s->len += need;
  s->count++;
  return 0;
}

static void keyset_free(coreapi__keyset *s) {
  free(s->slots);
  free(s->bytes);
  memset(s, 0, sizeof(*s));
}

int coreapi__oas_key_taken(const coreapi__oas_keys *k, const char *group, const char *key) {
  return keyset_find(&k->taken, group, key) != NULL ||
         (group == NULL && keyset_find(&k->groups, NULL, key) != NULL);
}

/* Once taken, a key stays taken (a top-level key that openapi.c's
 * fix_top_keys replaces is a group's name), so the suffixes below the one a
 * key last took need no second look. */
int coreapi__oas_key_take(coreapi__oas_keys *k, const char *group, char *key, size_t n) {
  size_t o = strlen(key), *next;
  int suffix = 2;
  if (coreapi__oas_key_taken(k, group, key)) {
    if ((next = keyset_find(&k->next, group, key)) != NULL)
      suffix = (int)*next;
    for (;; suffix++) {
      snprintf(key + o, n - o, "_%d", suffix);
      if (!coreapi__oas_key_taken(k, group, key))
        break;
    }
    key[o] = '\0';
    if (next != NULL)
      *next = (size_t)suffix + 1;
    else if (keyset_add(&k->next, group, key, (size_t)suffix + 1) != 0)
      return -1;
    snprintf(key + o, n - o, "_%d", suffix);
  }
  return keyset_add(&k->taken, group, key, 0);
}

int coreapi__oas_is_group(const coreapi__oas_keys *k, const char *name) {
  return keyset_find(&k->groups, NULL, name) != NULL;
}

int coreapi__oas_group_number(coreapi__oas_keys *k, const char *name, size_t *no) {
  const size_t *known = keyset_find(&k->groups, NULL, name);
  if (known != NULL) {
    *no = *known;
    return 0;
  }
  if (keyset_add(&k->groups, NULL, name, k->ngroups) != 0)
    return -1;
  *no = k->ngroups++;
  return 0;
}

void coreapi__oas_keys_free(coreapi__oas_keys *k) {
  keyset_free(&k->taken);
  keyset_free(&k->groups);
  keyset_free(&k->next);
  k->ngroups = 0;
}
