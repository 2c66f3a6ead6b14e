/*
 * tests/nodes.h - the document node builders the test programs share.
 *
 * Short names, so that a test can write a whole document as one expression:
 * OBJ("title", S("x"), "count", I(3), NULL). Each builder REQUIREs (check.h)
 * that the library gave it a node, so a test never goes on with a NULL one.
 * The builders that take nodes take ownership of them, as the library's
 * builders do. Builders that only one test uses stay in that test.
 */
#ifndef COREAPI_TESTS_NODES_H
#define COREAPI_TESTS_NODES_H

#include <stdarg.h>
#include <stdint.h>
#include <string.h>

#include <coreapi/coreapi.h>

#include "check.h"

static inline coreapi_node *S(const char *s) {
  coreapi_node *n = coreapi_string_new(s, strlen(s), NULL);
  REQUIRE(n != NULL);
  return n;
}

static inline coreapi_node *I(int64_t v) {
  coreapi_node *n = coreapi_integer_new(v, NULL);
  REQUIRE(n != NULL);
  return n;
}

static inline coreapi_node *R(double v) {
  coreapi_node *n = coreapi_real_new(v, NULL);
  REQUIRE(n != NULL);
  return n;
}

/* A map builder holding the ("key", value, ..., NULL) pairs of ap, first
 * being the first key: for OBJ and for builders of other map nodes. Takes the
 * values. */
static inline coreapi_map_builder *map_va(const char *first, va_list ap) {
  coreapi_map_builder *b = coreapi_map_builder_new();
  REQUIRE(b != NULL);
  for (const char *k = first; k != NULL; k = va_arg(ap, const char *)) {
    coreapi_node *v = va_arg(ap, coreapi_node *);
    REQUIRE(coreapi_map_builder_set(b, k, strlen(k), v, NULL) == COREAPI_OK);
  }
  return b;
}

/* OBJ("key", value, ..., NULL); OBJ(NULL) is empty. Takes the values. */
static inline coreapi_node *OBJ(const char *first, ...) {
  va_list ap;
  coreapi_node *n;
  va_start(ap, first);
  n = coreapi_map_builder_object(map_va(first, ap), NULL);
  va_end(ap);
  REQUIRE(n != NULL);
  return n;
}

/* A File node for the file at path on disk (coreapi_file_new); the library's
 * error is printed when it refuses. */
static inline coreapi_node *disk_file(const char *path, const char *name, const char *type) {
  coreapi_error err;
  coreapi_node *f = coreapi_file_new(path, name, type, &err);
  if (f == NULL)
    fprintf(stderr, "coreapi_file_new(%s): %s\n", path, err.text);
  REQUIRE(f != NULL);
  return f;
}

#endif
