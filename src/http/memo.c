/*
 * memo.c - the per-client memory of authentication objects: small strings
 * keyed by (authentication, key), such as the CSRF token a Session
 * authentication learnt from this client's responses. Values are secrets:
 * wiped when replaced, removed or freed.
 */
#include <stdlib.h>
#include <string.h>

#include "http.h"

static coreapi__memo_entry *memo_find(const coreapi__memo *memo, const void *owner,
                                      const char *key) {
  for (size_t i = 0; i < memo->count; i++)
    if (memo->items[i].owner == owner && strcmp(memo->items[i].key, key) == 0)
      return &memo->items[i];
  return NULL;
}

const char *coreapi__memo_get(const coreapi__memo *memo, const void *owner, const char *key) {
  coreapi__memo_entry *e = memo_find(memo, owner, key);
  return e ? e->value : NULL;
}

coreapi_code coreapi__memo_set(coreapi__memo *memo, const void *owner, const char *key,
                               const char *value, coreapi_error *err) {
  coreapi__memo_entry *e = memo_find(memo, owner, key);
  char *v = NULL;
  if (value != NULL && (v = coreapi__strdup(value)) == NULL)
    return COREAPI__OOM(err);
  if (e != NULL) {
    coreapi__free_secret(e->value);
    if (v != NULL) {
      e->value = v;
    } else {
      free(e->key);
      *e = memo->items[--memo->count];
    }
    return COREAPI_OK;
  }
  if (v == NULL)
    return COREAPI_OK;
  if (memo->count == memo->cap) {
    size_t cap = memo->cap ? memo->cap * 2 : 4;
    coreapi__memo_entry *items = realloc(memo->items, cap * sizeof(*items));
    if (items == NULL) {
      coreapi__free_secret(v);
      return COREAPI__OOM(err);
    }
    memo->items = items;
    memo->cap = cap;
  }
  e = &memo->items[memo->count];
  e->owner = owner;
  e->key = coreapi__strdup(key);
  if (e->key == NULL) {
    coreapi__free_secret(v);
    return COREAPI__OOM(err);
  }
  e->value = v;
  memo->count++;
  return COREAPI_OK;
}

void coreapi__memo_free(coreapi__memo *memo) {
  for (size_t i = 0; i < memo->count; i++) {
    free(memo->items[i].key);
    coreapi__free_secret(memo->items[i].value);
  }
  free(memo->items);
  memset(memo, 0, sizeof(*memo));
}
