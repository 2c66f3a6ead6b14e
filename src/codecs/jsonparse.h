/*
 * codecs/jsonparse.h - JSON text (RFC 8259) into a light, read-only tree in
 * one arena, for the codecs to turn into document nodes. YAJL tokenises and
 * validates; the tree keeps object members in the order of the text.
 */
#ifndef COREAPI_CODECS_JSONPARSE_H
#define COREAPI_CODECS_JSONPARSE_H

#include <stddef.h>
#include <stdint.h>

#include "../document/document.h"

typedef enum coreapi__jv_type {
  COREAPI__JV_NULL,
  COREAPI__JV_FALSE,
  COREAPI__JV_TRUE,
  COREAPI__JV_INTEGER,
  COREAPI__JV_REAL,
  COREAPI__JV_STRING,
  COREAPI__JV_ARRAY,
  COREAPI__JV_OBJECT
} coreapi__jv_type;

typedef struct coreapi__jv coreapi__jv;

typedef struct coreapi__jmember {
  const char *key; /* NUL-terminated; may also hold NULs: use klen */
  size_t klen;
  coreapi__jv *value;
} coreapi__jmember;

struct coreapi__jv {
  coreapi__jv_type type;
  size_t count; /* items, members, or string length */
  union {
    int64_t i;
    double r;
    const char *s; /* NUL-terminated; count bytes */
    coreapi__jv **items;
    coreapi__jmember *members;
  } u;
};

typedef struct coreapi__jdoc coreapi__jdoc;

/* Parse len bytes of JSON at data (any top-level value). Duplicate keys in
 * an object, nesting deeper than 512, integers outside int64, reals beyond
 * the range of a double, and malformed
 * or non-UTF-8 text are errors: NULL with err set to ERR_PARSE, "Malformed
 * JSON. <why> (line L, column C)", where the parser stopped: just after the
 * token it could not take, or the end of a text that stops inside a value.
 * On success the tree is *root, owned by
 * the returned document (free with coreapi__jdoc_free). Numbers are read
 * independently of the process locale. Keeps no state between calls. */
coreapi__jdoc *coreapi__json_parse(const char *data, size_t len, const coreapi__jv **root,
                                   coreapi_error *err);
void coreapi__jdoc_free(coreapi__jdoc *doc);

/* The member of obj called key (a C string), or NULL. */
const coreapi__jv *coreapi__jv_get(const coreapi__jv *obj, const char *key);

#endif
