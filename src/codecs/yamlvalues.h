/*
 * codecs/yamlvalues.h - the values of a YAML stream (yamlvalues.c, for
 * yamlparse.c): what a scalar's text is (the YAML 1.2 core schema, and the
 * tags !!str, !!null, !!bool, !!int, !!float), and what an anchor names.
 */
#ifndef COREAPI_CODECS_YAMLVALUES_H
#define COREAPI_CODECS_YAMLVALUES_H

#include <stddef.h>
#include <stdint.h>

#include "coreapi/document.h"

/* What a scalar is asked to be: resolved by the core schema (a plain
 * scalar without a tag), or what its tag says. */
typedef enum coreapi__yaml_kind {
  COREAPI__YAML_ANY,
  COREAPI__YAML_STR,
  COREAPI__YAML_NULL,
  COREAPI__YAML_BOOL,
  COREAPI__YAML_INT,
  COREAPI__YAML_FLOAT
} coreapi__yaml_kind;

/* The kind a scalar's tag (may be NULL) and style (plain: 1) ask for:
 * quoted and block scalars, and the non-specific tag "!", are Strings;
 * tags other than the five are not looked at. */
coreapi__yaml_kind coreapi__yaml_kind_of_tag(const char *tag, int plain);
static inline coreapi__yaml_kind coreapi__yaml_kind_of(const char *tag, int plain) {
  return tag != NULL ? coreapi__yaml_kind_of_tag(tag, plain)
         : plain     ? COREAPI__YAML_ANY
                     : COREAPI__YAML_STR;
}

/* A scalar's value: its type (null, boolean, integer, real or string) and,
 * for the numbers and booleans, the value. */
typedef struct coreapi__yaml_value {
  coreapi_node_type type;
  int64_t i;
  double r;
  int b;
} coreapi__yaml_value;

/* The value of scalar s (n bytes, NUL-terminated, as libyaml gives them)
 * asked to be of kind k: 1 with *v; 0 with why (size bytes) set when it is
 * a number beyond int64 or a double, or not a value of its tag's kind.
 * Reals are read with strtod, in the locale of the calling thread (the
 * caller makes it "C"). */
int coreapi__yaml_value_of(const char *s, size_t n, coreapi__yaml_kind k, coreapi__yaml_value *v,
                           char *why, size_t size);

/* An anchor's node, for its aliases. */
typedef struct coreapi__yaml_anchor {
  char *name;         /* owned; NULL: a free place in the table */
  coreapi_node *node; /* a reference; NULL: a sequence or mapping still open */
  coreapi_node *key;  /* a scalar's text, as a key (a reference), or NULL */
  size_t size;        /* the bytes it stands for */
} coreapi__yaml_anchor;

/* The anchors defined so far; all zeros: none. */
typedef struct coreapi__yaml_anchors {
  coreapi__yaml_anchor *slots; /* open addressing, cap a power of two, at most half full */
  size_t count, cap;
} coreapi__yaml_anchors;

/* Anchor name, or NULL when it is not defined (borrowed: until the next put). */
const coreapi__yaml_anchor *coreapi__yaml_anchor_find(const coreapi__yaml_anchors *t,
                                                      const char *name);
/* Define (or define again) anchor name as node (NULL: a sequence or mapping
 * still open), with key (may be NULL) and size; takes a reference to each
 * (and releases those of the anchor it replaces). 0, or -1 on ENOMEM. */
int coreapi__yaml_anchor_put(coreapi__yaml_anchors *t, const char *name, coreapi_node *node,
                             coreapi_node *key, size_t size);
/* Release every anchor's references and the table. */
void coreapi__yaml_anchors_free(coreapi__yaml_anchors *t);

#endif
