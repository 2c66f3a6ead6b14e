/*
 * codecs/openapi_security.c - what an OpenAPI or Swagger description says
 * about authentication: its security schemes (OpenAPI 3
 * components.securitySchemes, Swagger 2 securityDefinitions), written in
 * OpenAPI 3's shape with their URLs absolute, and each operation's security
 * requirement (its own "security", else the description's).
 */
#include <stdlib.h>
#include <string.h>

#include "../document/document.h"
#include "../text/text.h"
#include "openapi.h"

/* Swagger 2 oauth2 "flow" values and their OpenAPI 3 flow names. */
static const char *const swagger_flows[][2] = {{"implicit", "implicit"},
                                                 {"password", "password"},
                                                 {"application", "clientCredentials"},
                                                 {"accessCode", "authorizationCode"}};

/* key: value into b when value is not NULL. */
static coreapi_code put_string(coreapi_map_builder *b, const char *key, const char *value,
                               coreapi_error *err) {
  coreapi_node *v;
  if (value == NULL)
    return COREAPI_OK;
  if ((v = coreapi_string_new(value, strlen(value), err)) == NULL)
    return err->code;
  return coreapi_map_builder_set(b, key, strlen(key), v, err);
}

/* key: the URL obj[key] resolved against base, when obj has one. */
static coreapi_code put_url(coreapi_map_builder *b, const coreapi_node *obj, const char *key,
                            const char *base, coreapi_error *err) {
  const char *url = coreapi__oas_string(obj, key);
  char *joined;
  coreapi_code rc;
  if (url == NULL)
    return COREAPI_OK;
  if ((joined = coreapi__urljoin(base, url)) == NULL)
    return COREAPI__OOM(err);
  rc = put_string(b, key, joined, err);
  free(joined);
  return rc;
}

/* key: obj[key] as it is (an Object of scopes), when obj has one. */
static coreapi_code put_scopes(coreapi_map_builder *b, const coreapi_node *obj,
                               coreapi_error *err) {
  coreapi_node *scopes = coreapi_map_get(obj, "scopes", 6);
  if (coreapi__oas_type(scopes) != COREAPI_NODE_OBJECT)
    return COREAPI_OK;
  /* a copy: the description's nodes are in the parse's slab */
  if ((scopes = coreapi__node_copy(scopes)) == NULL)
    return COREAPI__OOM(err);
  return coreapi_map_builder_set(b, "scopes", 6, scopes, err);
}

/* A flow's URLs and scopes, from flow (OpenAPI 3) or the Swagger 2 scheme. */
static coreapi_node *flow_object(const coreapi_node *flow, const char *base, coreapi_error *err) {
  coreapi_map_builder *b = coreapi_map_builder_new();
  if (b == NULL) {
    COREAPI__OOM(err);
    return NULL;
  }
  if (put_url(b, flow, "authorizationUrl", base, err) != COREAPI_OK ||
      put_url(b, flow, "tokenUrl", base, err) != COREAPI_OK ||
      put_url(b, flow, "refreshUrl", base, err) != COREAPI_OK ||
      put_scopes(b, flow, err) != COREAPI_OK) {
    coreapi_map_builder_free(b);
    return NULL;
  }
  return coreapi_map_builder_object(b, err);
}

/* "flows" of an OpenAPI 3 oauth2 scheme, or of a Swagger 2 one (its one
 * "flow" renamed). */
static coreapi_code put_flows(coreapi_map_builder *b, const coreapi_node *scheme, int swagger,
                              const char *base, coreapi_error *err) {
  const coreapi_node *flows = coreapi__oas_get(scheme, "flows", 5);
  coreapi_map_builder *fb;
  coreapi_node *made;
  if (!swagger && coreapi__oas_type(flows) != COREAPI_NODE_OBJECT)
    return COREAPI_OK;
  if ((fb = coreapi_map_builder_new()) == NULL)
    return COREAPI__OOM(err);
  for (size_t i = 0; !swagger && i < coreapi_map_size(flows); i++) {
    const char *name;
    size_t len;
    const coreapi_node *flow = coreapi_map_entry_inserted(flows, i, &name, &len);
    coreapi_node *v = coreapi__oas_type(flow) == COREAPI_NODE_OBJECT
                          ? flow_object(flow, base, err) : NULL;
    if (v == NULL && coreapi__oas_type(flow) == COREAPI_NODE_OBJECT)
      goto fail;
    if (v != NULL && coreapi_map_builder_set(fb, name, len, v, err) != COREAPI_OK)
      goto fail;
  }
  for (size_t i = 0; swagger && i < sizeof(swagger_flows) / sizeof(swagger_flows[0]); i++) {
    const char *flow = coreapi__oas_string(scheme, "flow");
    coreapi_node *v;
    if (flow == NULL || strcmp(flow, swagger_flows[i][0]) != 0)
      continue;
    if ((v = flow_object(scheme, base, err)) == NULL ||
        coreapi_map_builder_set(fb, swagger_flows[i][1], strlen(swagger_flows[i][1]), v, err) !=
            COREAPI_OK)
      goto fail;
  }
  if ((made = coreapi_map_builder_object(fb, err)) == NULL)
    return err->code;
  return coreapi_map_builder_set(b, "flows", 5, made, err);
fail:
  coreapi_map_builder_free(fb);
  return err->code != COREAPI_OK ? err->code : COREAPI__OOM(err);
}

/* One scheme in OpenAPI 3's shape. */
static coreapi_node *scheme_object(const char *name, const coreapi_node *scheme, int swagger,
                                   const char *base, coreapi_error *err) {
  const char *type = coreapi__oas_string(scheme, "type");
  int basic = swagger && type != NULL && strcmp(type, "basic") == 0;
  coreapi_map_builder *b;
  if (type == NULL) {
    coreapi_error_set(err, COREAPI_ERR_PARSE,
                      "OpenAPI: the security scheme \"%.100s\" has no \"type\" string", name);
    return NULL;
  }
  if ((b = coreapi_map_builder_new()) == NULL) {
    COREAPI__OOM(err);
    return NULL;
  }
  if (put_string(b, "type", basic ? "http" : type, err) != COREAPI_OK ||
      put_string(b, "description", coreapi__oas_string(scheme, "description"), err) !=
          COREAPI_OK ||
      put_string(b, "name", coreapi__oas_string(scheme, "name"), err) != COREAPI_OK ||
      put_string(b, "in", coreapi__oas_string(scheme, "in"), err) != COREAPI_OK ||
      put_string(b, "scheme", basic ? "basic" : coreapi__oas_string(scheme, "scheme"), err) !=
          COREAPI_OK ||
      put_string(b, "bearerFormat", coreapi__oas_string(scheme, "bearerFormat"), err) !=
          COREAPI_OK ||
      (strcmp(type, "oauth2") == 0 && put_flows(b, scheme, swagger, base, err) != COREAPI_OK) ||
      put_url(b, scheme, "openIdConnectUrl", base, err) != COREAPI_OK) {
    coreapi_map_builder_free(b);
    return NULL;
  }
  return coreapi_map_builder_object(b, err);
}

coreapi_code coreapi__oas_security_schemes(const coreapi_node *root, int swagger,
                                           const char *base, coreapi_node **out,
                                           coreapi_error *err) {
  const coreapi_node *list =
      swagger ? coreapi__oas_get(root, "securityDefinitions", 19)
              : coreapi__oas_get(coreapi__oas_get(root, "components", 10), "securitySchemes", 15);
  coreapi_map_builder *b;
  *out = NULL;
  if (list == NULL)
    return COREAPI_OK;
  if ((list = coreapi__oas_deref(root, list, err)) == NULL)
    return err->code;
  if (coreapi__oas_type(list) != COREAPI_NODE_OBJECT)
    return coreapi_error_set(err, COREAPI_ERR_PARSE, "OpenAPI: \"%s\" must be an object",
                             swagger ? "securityDefinitions" : "securitySchemes");
  if ((b = coreapi_map_builder_new()) == NULL)
    return COREAPI__OOM(err);
  for (size_t i = 0; i < coreapi_map_size(list); i++) {
    const char *name;
    size_t len;
    const coreapi_node *scheme =
        coreapi__oas_deref(root, coreapi_map_entry_inserted(list, i, &name, &len), err);
    coreapi_node *v = NULL;
    if (scheme != NULL && coreapi__oas_type(scheme) != COREAPI_NODE_OBJECT)
      coreapi_error_set(err, COREAPI_ERR_PARSE,
                        "OpenAPI: the security scheme \"%.100s\" must be an object", name);
    else if (scheme != NULL)
      v = scheme_object(name, scheme, swagger, base, err);
    if (v == NULL || coreapi_map_builder_set(b, name, len, v, err) != COREAPI_OK) {
      coreapi_map_builder_free(b);
      return err->code != COREAPI_OK ? err->code : COREAPI__OOM(err);
    }
  }
  if ((*out = coreapi_map_builder_object(b, err)) == NULL)
    return err->code;
  return COREAPI_OK;
}

const coreapi_node *coreapi__oas_security(const coreapi_node *root, const coreapi_node *op,
                                          const char *method, const char *path,
                                          coreapi_error *err) {
  const coreapi_node *security = coreapi__oas_get(op, "security", 8);
  if (security == NULL)
    security = coreapi__oas_get(root, "security", 8);
  if (security != NULL && !coreapi__security_valid(security)) {
    coreapi_error_set(err, COREAPI_ERR_PARSE,
                      "OpenAPI: the \"security\" of %s \"%.100s\" must be an array of objects "
                      "whose values are arrays of scope strings",
                      method, path);
    return NULL;
  }
  return security;
}

coreapi_node *coreapi__oas_security_copy(coreapi__oas_kept *k, const coreapi_node *security) {
  coreapi_node *copy;
  for (unsigned i = 0; i < COREAPI__OAS_KEPT; i++)
    if (k->from[i] != NULL && coreapi__node_same(k->from[i], security))
      return coreapi_node_ref(k->copy[i]);
  if ((copy = coreapi__node_copy(security)) == NULL)
    return NULL;
  coreapi_node_free(k->copy[k->next]);
  k->from[k->next] = security;
  k->copy[k->next] = coreapi_node_ref(copy);
  k->next = (k->next + 1) % COREAPI__OAS_KEPT;
  return copy;
}

void coreapi__oas_kept_free(coreapi__oas_kept *k) {
  for (unsigned i = 0; i < COREAPI__OAS_KEPT; i++)
    coreapi_node_free(k->copy[i]);
  memset(k, 0, sizeof(*k));
}
