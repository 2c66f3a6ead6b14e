/*
 * fuzz_yaml.c - libFuzzer target for the YAML parser (codecs/yamlparse.c,
 * coreapi__yaml_parse), with a byte budget as a client would give it.
 *
 * The target aborts when:
 *   - the parser returns NULL without an error, or an ERR_PARSE whose text
 *     is not "Malformed YAML. <why> (line L, column C)";
 *   - a returned tree fails the structural check (well_formed): only the
 *     plain node types; every map an Object, sealed, without a duplicate
 *     key, each key found by lookup, keys and strings valid UTF-8, no
 *     nesting deeper than 512, no node without a reference;
 *   - a tree without infinities or NaNs (which JSON cannot hold) does not
 *     come back equal (coreapi_node_equal) from JSON: encoded with
 *     coreapi_json_encode and decoded with coreapi_json_decode.
 * The budget bounds the walk too: an alias counts what it names, so a tree
 * that shares nodes is no larger to walk than the budget allows.
 * Everything is freed, so leaks are reported too.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/codecs/jsonparse.h"
#include "coreapi/coreapi.h"

#define BUDGET (1u << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *what, const coreapi_error *err) {
  fprintf(stderr, "fuzz_yaml: %s%s%s\n", what, err ? ": " : "", err ? err->text : "");
  abort();
}

/* Is the tree under n one the YAML parser may give? *finite: no real in it
 * is an infinity or a NaN. */
static int well_formed(const coreapi_node *n, int depth, int *finite) {
  if (n == NULL || atomic_load(&n->refs) == 0)
    return 0;
  switch (n->type) {
    case COREAPI_NODE_OBJECT: {
      const map_node *m = AS_MAP(n);
      if (depth >= 512 || (m->flags & COREAPI__MAP_UNSEALED) || m->attrs != NULL ||
          m->count != m->cap || m->count != m->data_count || coreapi__map_duplicate(m) != NULL)
        return 0;
      for (size_t i = 0; i < m->count; i++) {
        const char *key;
        size_t len;
        coreapi_node *v = coreapi_map_entry(n, i, &key, &len);
        if (!coreapi__is_utf8(key, len) || coreapi_map_get(n, key, len) != v ||
            !well_formed(v, depth + 1, finite))
          return 0;
      }
      return 1;
    }
    case COREAPI_NODE_ARRAY:
      if (depth >= 512)
        return 0;
      for (size_t i = 0; i < coreapi__array_count(n); i++)
        if (!well_formed(coreapi__array_items(n)[i], depth + 1, finite))
          return 0;
      return 1;
    case COREAPI_NODE_STRING:
      return coreapi__is_utf8(AS_STRING(n)->data, AS_STRING(n)->len) &&
             AS_STRING(n)->data[AS_STRING(n)->len] == '\0';
    case COREAPI_NODE_REAL:
      *finite = *finite && isfinite(AS_NUMBER(n)->v.r);
      return 1;
    case COREAPI_NODE_INTEGER:
    case COREAPI_NODE_NULL:
      return 1;
    case COREAPI_NODE_BOOLEAN:
      return AS_NUMBER(n)->v.b == 0 || AS_NUMBER(n)->v.b == 1;
    default:
      return 0;
  }
}

/* An ERR_PARSE text: "Malformed YAML. <why> (line L, column C)", L, C >= 1. */
static int parse_error_text(const char *text) {
  const char *at = strrchr(text, '(');
  unsigned long line = 0, column = 0;
  char end = 0;
  return strncmp(text, "Malformed YAML. ", 16) == 0 && at != NULL &&
         sscanf(at, "(line %lu, column %lu%c", &line, &column, &end) == 3 && end == ')' &&
         line >= 1 && column >= 1;
}

static void json_round_trip(const coreapi_node *v) {
  coreapi_error err;
  size_t len = 0;
  char *text;
  coreapi_node *w;
  coreapi_error_clear(&err);
  if ((text = coreapi_json_encode(v, 0, 0, &len, &err)) == NULL)
    fail("encoding a YAML tree as JSON failed", &err);
  w = coreapi_json_decode(text, len, &err);
  if (w == NULL && err.code != COREAPI_ERR_TOO_LARGE)
    fail("the JSON of a YAML tree does not decode", &err);
  if (w != NULL && !coreapi_node_equal(v, w))
    fail("the JSON of a YAML tree decodes to another tree", NULL);
  coreapi_node_free(w);
  free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  coreapi_error err;
  coreapi_node *v;
  int finite = 1;
  coreapi_error_clear(&err);
  v = coreapi__yaml_parse((const char *)data, size, BUDGET, &err);
  if (v == NULL) {
    if (err.code == COREAPI_OK || err.text[0] == '\0')
      fail("NULL without an error", &err);
    if (err.code == COREAPI_ERR_PARSE && !parse_error_text(err.text))
      fail("a parse error not in the form \"Malformed YAML. why (line L, column C)\"", &err);
    if (err.code != COREAPI_ERR_PARSE && err.code != COREAPI_ERR_TOO_LARGE &&
        err.code != COREAPI_ERR_OUT_OF_MEMORY)
      fail("an unexpected error code", &err);
    return 0;
  }
  if (!well_formed(v, 0, &finite))
    fail("a returned tree fails the structural check", NULL);
  if (finite)
    json_round_trip(v);
  coreapi_node_free(v);
  return 0;
}
