/*
 * tests/json_member.h - reading members of a JSON response body in tests,
 * with the library's own JSON decoder (coreapi_json_decode, checked in its
 * own right against the reference's output by test_fixtures). The example
 * API writes raw UTF-8 (DRF) or \u escapes (Django's JsonResponse); both
 * decode the same.
 */
#ifndef COREAPI_TESTS_JSON_MEMBER_H
#define COREAPI_TESTS_JSON_MEMBER_H

#include <stdlib.h>
#include <string.h>

#include "coreapi/coreapi.h"

/* Member key of the top-level object in body (a new reference), or NULL. */
static inline coreapi_node *json_member(const char *body, const char *key) {
  coreapi_node *root = coreapi_json_decode(body, strlen(body), NULL);
  coreapi_node *v = coreapi_node_ref(coreapi_map_get(root, key, strlen(key)));
  coreapi_node_free(root);
  return v;
}

/* The string member key, copied into buf (size bytes); NULL when absent,
 * not a string, holding a NUL, or too long. */
static inline const char *json_member_str(const char *body, const char *key, char *buf,
                                          size_t size) {
  coreapi_node *v = json_member(body, key);
  size_t len;
  const char *s = coreapi_string_value(v, &len), *ret = NULL;
  if (s != NULL && len < size && memchr(s, '\0', len) == NULL) {
    memcpy(buf, s, len + 1);
    ret = buf;
  }
  coreapi_node_free(v);
  return ret;
}

/* The literal member key (true, false, null, a number) as JSON text in buf;
 * NULL when absent, a string, an array or an object. */
static inline const char *json_member_lit(const char *body, const char *key, char *buf,
                                          size_t size) {
  coreapi_node *v = json_member(body, key);
  coreapi_node_type t = coreapi_node_type_of(v);
  const char *ret = NULL;
  if (t == COREAPI_NODE_BOOLEAN || t == COREAPI_NODE_NULL || t == COREAPI_NODE_INTEGER ||
      t == COREAPI_NODE_REAL) {
    size_t len;
    char *text = coreapi_json_encode(v, 0, 0, &len, NULL);
    if (text != NULL && len < size) {
      memcpy(buf, text, len + 1);
      ret = buf;
    }
    free(text);
  }
  coreapi_node_free(v);
  return ret;
}

/* Member key is an array of strings: its length, and in *has whether name
 * (when not NULL) is one of them; -1 when absent or not an array of strings. */
static inline int json_member_strings(const char *body, const char *key, const char *name,
                                      int *has) {
  coreapi_node *v = json_member(body, key);
  int n = -1;
  *has = 0;
  if (coreapi_node_type_of(v) == COREAPI_NODE_ARRAY) {
    n = (int)coreapi_array_size(v);
    for (size_t i = 0; i < coreapi_array_size(v); i++) {
      const char *s = coreapi_string_value(coreapi_array_get(v, i), NULL);
      if (s == NULL) {
        n = -1;
        break;
      }
      if (name != NULL && strcmp(s, name) == 0)
        *has = 1;
    }
  }
  coreapi_node_free(v);
  return n;
}

#endif
