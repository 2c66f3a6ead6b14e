/*
 * codecs/openapi_keys.h - the keys of an OpenAPI description's links
 * (openapi_keys.c, for openapi.c): which keys each group has taken, and the
 * groups, numbered as they first appear; hashed, so that a description of
 * n operations costs O(n), not O(n^2).
 */
#ifndef COREAPI_CODECS_OPENAPI_KEYS_H
#define COREAPI_CODECS_OPENAPI_KEYS_H

#include <stddef.h>
#include <stdint.h>

/* A hash map from (group, key) pairs of strings (copied) to numbers. */
typedef struct coreapi__keyset {
  struct coreapi__keyset_slot *slots; /* open addressing, cap a power of two */
  size_t cap, count;
  char *bytes; /* the pairs' text, one after the other */
  size_t len, bytes_cap;
} coreapi__keyset;

/* All zeros: no key taken, no group. */
typedef struct coreapi__oas_keys {
  coreapi__keyset taken;  /* (group, key) of every key taken; group NULL: the top level */
  coreapi__keyset groups; /* (NULL, name) of every group, with its number */
  coreapi__keyset next;   /* (group, key): "key_N" is taken for every N from 2 below it */
  size_t ngroups;
} coreapi__oas_keys;

/* Is key taken in group? group NULL is the top level (not the group ""),
 * where the names of the groups numbered so far count as taken too.
 * Strings compare as strcmp does. */
int coreapi__oas_key_taken(const coreapi__oas_keys *k, const char *group, const char *key);
/* Take key in group: as it is when it is free, else with the first suffix
 * of "_2", "_3", ... that makes it free, written into key (which has room
 * for n bytes, 12 more than its length at least). 0, or -1 on ENOMEM. */
int coreapi__oas_key_take(coreapi__oas_keys *k, const char *group, char *key, size_t n);
/* Is name a group numbered so far? */
int coreapi__oas_is_group(const coreapi__oas_keys *k, const char *name);
/* Group name's number in *no, the next number when it is new. 0, or -1 on
 * ENOMEM. */
int coreapi__oas_group_number(coreapi__oas_keys *k, const char *name, size_t *no);
/* Free what k holds; it is empty again. */
void coreapi__oas_keys_free(coreapi__oas_keys *k);

#endif
