/*
 * codecs/openapi.h - OpenAPI 3.0/3.1 and Swagger 2.0 descriptions as Core
 * API documents (openapi.c, openapi_fields.c), and their "$ref"s
 * (openapi_ref.c).
 */
#ifndef COREAPI_CODECS_OPENAPI_H
#define COREAPI_CODECS_OPENAPI_H

#include <string.h>

#include "../document/document.h"

/* v with its "$ref"s followed (borrowed; v itself when it has none), or
 * NULL with err set (ERR_PARSE: another document, a loop, nothing there). */
const coreapi_node *coreapi__oas_deref(const coreapi_node *root, const coreapi_node *v,
                                       coreapi_error *err);

/* The member key (len bytes) of obj, as coreapi_map_get finds it; the few
 * entries of a small Object (most in a description) are compared in place,
 * lengths first, rather than searched through the by-key order. */
static inline const coreapi_node *coreapi__oas_get(const coreapi_node *obj, const char *key,
                                                   size_t len) {
  const map_node *m = (const map_node *)obj;
  if (obj == NULL || obj->type != COREAPI_NODE_OBJECT || m->count > 8)
    return coreapi_map_get(obj, key, len);
  for (uint32_t i = 0; i < m->count; i++)
    if (m->entries[i].key_len == len && memcmp(m->entries[i].key, key, len) == 0)
      return m->entries[i].value;
  return NULL;
}

/* The type of n (0 for NULL), without a call. */
static inline coreapi_node_type coreapi__oas_type(const coreapi_node *n) {
  return n != NULL ? (coreapi_node_type)n->type : (coreapi_node_type)0;
}

/* A string member of obj (any node), or NULL. */
static inline const char *coreapi__oas_string(const coreapi_node *obj, const char *key) {
  const coreapi_node *v =
      coreapi__oas_type(obj) == COREAPI_NODE_OBJECT ? coreapi__oas_get(obj, key, strlen(key)) : NULL;
  return coreapi__oas_type(v) == COREAPI_NODE_STRING ? AS_STRING(v)->data : NULL;
}
/* A member of obj, its refs followed, or NULL (err set only on a bad ref). */
const coreapi_node *coreapi__oas_member(const coreapi_node *root, const coreapi_node *obj,
                                        const char *key, coreapi_error *err);

/* The fields of one operation (openapi_fields.c): parameters (the path
 * item's merged with the operation's) and the request body, and the body's
 * media type into *encoding (borrowed from the description, or a static
 * string). *fields is a new array of *count specs whose strings and enums
 * are borrowed from the description (free the array only). swagger: a 2.0
 * description. OK, or ERR_PARSE / ERR_OUT_OF_MEMORY with err set. */
coreapi_code coreapi__oas_fields(const coreapi_node *root, const coreapi_node *path_item,
                                 const coreapi_node *op, int swagger,
                                 coreapi_field_spec **fields, size_t *count,
                                 const char **encoding, coreapi_error *err);

/* The description's security schemes (openapi_security.c) in OpenAPI 3's
 * shape, their URLs resolved against base, into *out (new; NULL when it
 * declares none). OK, or ERR_PARSE / ERR_OUT_OF_MEMORY with err set. */
coreapi_code coreapi__oas_security_schemes(const coreapi_node *root, int swagger,
                                           const char *base, coreapi_node **out,
                                           coreapi_error *err);
/* The security requirement of operation op (method on path): its own, else
 * the description's (borrowed), or NULL: none, or with err set (ERR_PARSE,
 * not the right shape). */
const coreapi_node *coreapi__oas_security(const coreapi_node *root, const coreapi_node *op,
                                          const char *method, const char *path,
                                          coreapi_error *err);

/* The copies of security requirements a description's links keep
 * (openapi_security.c): one for all the same (coreapi__node_same). All
 * zeros: none yet. */
#define COREAPI__OAS_KEPT 4
typedef struct coreapi__oas_kept {
  const coreapi_node *from[COREAPI__OAS_KEPT]; /* in the description */
  coreapi_node *copy[COREAPI__OAS_KEPT];       /* references */
  unsigned next;                               /* the place the next new one takes */
} coreapi__oas_kept;
/* A copy of requirement security (a new reference), outside the parse's
 * slab or arena: the copy made before of one the same, else a new one;
 * NULL on ENOMEM. */
coreapi_node *coreapi__oas_security_copy(coreapi__oas_kept *k, const coreapi_node *security);
void coreapi__oas_kept_free(coreapi__oas_kept *k);

/* coreapi_openapi_decode with a limit on the decoded size (0: none). */
coreapi_node *coreapi__openapi_decode_limited(const char *data, size_t len, const char *base_url,
                                              size_t max_decoded, coreapi_error *err);
/* A JSON body: plain data, or, when its top level is an object with an
 * "openapi" ("3.x") or "swagger" ("2.0") string, the description's Document. */
coreapi_node *coreapi__json_or_openapi(const char *data, size_t len, const char *base_url,
                                       size_t max_decoded, coreapi_error *err);

/* The Document of an OpenAPI or Swagger description (root, parsed), its
 * relative URLs resolved against base_url (may be NULL). */
coreapi_node *coreapi__openapi_document(const coreapi_node *root, const char *base_url,
                                        coreapi_error *err);

#endif
