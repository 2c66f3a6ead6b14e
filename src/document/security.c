/*
 * document/security.c - what a description says about authentication: a
 * Document's security schemes and a Link's security requirement, plain
 * data of checked shapes (see coreapi/document.h).
 */
#include "document.h"

static int is_type(const coreapi_node *n, coreapi_node_type type) {
  return n != NULL && n->type == type;
}

int coreapi__security_schemes_valid(const coreapi_node *schemes) {
  if (!is_type(schemes, COREAPI_NODE_OBJECT))
    return 0;
  for (size_t i = 0; i < AS_MAP(schemes)->count; i++)
    if (!is_type(AS_MAP(schemes)->entries[i].value, COREAPI_NODE_OBJECT))
      return 0;
  return 1;
}

/* One alternative: scheme name -> Array of scope Strings. */
static int requirement_valid(const coreapi_node *req) {
  if (!is_type(req, COREAPI_NODE_OBJECT))
    return 0;
  for (size_t i = 0; i < AS_MAP(req)->count; i++) {
    const coreapi_node *scopes = AS_MAP(req)->entries[i].value;
    if (!is_type(scopes, COREAPI_NODE_ARRAY))
      return 0;
    for (size_t k = 0; k < coreapi__array_count(scopes); k++)
      if (!is_type(coreapi__array_items(scopes)[k], COREAPI_NODE_STRING))
        return 0;
  }
  return 1;
}

int coreapi__security_valid(const coreapi_node *security) {
  if (!is_type(security, COREAPI_NODE_ARRAY))
    return 0;
  for (size_t i = 0; i < coreapi__array_count(security); i++)
    if (!requirement_valid(coreapi__array_items(security)[i]))
      return 0;
  return 1;
}

coreapi_node *coreapi_document_security_schemes(const coreapi_node *document) {
  if (!is_type(document, COREAPI_NODE_DOCUMENT) || AS_MAP(document)->attrs == NULL)
    return NULL;
  return AS_MAP(document)->attrs->security_schemes;
}

coreapi_node *coreapi_link_security(const coreapi_node *link) {
  return is_type(link, COREAPI_NODE_LINK) ? AS_LINK(link)->security : NULL;
}
