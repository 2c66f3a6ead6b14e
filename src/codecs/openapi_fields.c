/*
 * codecs/openapi_fields.c - the fields of an OpenAPI or Swagger operation:
 * its parameters, the path item's merged in (the operation's replace the
 * path item's of the same name and location), and its request body: the
 * properties of an object schema as form fields, else one body field. The
 * body's media type is the first JSON one offered, else multipart, else
 * urlencoded, else the first listed.
 */
#include <stdlib.h>
#include <string.h>

#include "../text/text.h"
#include "openapi.h"

#define MAX_ALLOF_DEPTH 32

typedef struct field_list {
  coreapi_field_spec *items;
  size_t count, cap;
  const coreapi_node **params; /* the operation's parameters (merged) */
  size_t nparams;
} field_list;

const coreapi_node *coreapi__oas_member(const coreapi_node *root, const coreapi_node *obj,
                                        const char *key, coreapi_error *err) {
  const coreapi_node *v =
      coreapi__oas_type(obj) == COREAPI_NODE_OBJECT ? coreapi__oas_get(obj, key, strlen(key)) : NULL;
  return v != NULL ? coreapi__oas_deref(root, v, err) : NULL;
}

static int is_true(const coreapi_node *v) {
  return coreapi__oas_type(v) == COREAPI_NODE_BOOLEAN && coreapi_boolean_value(v);
}

static int has_name(const field_list *l, const char *name) {
  for (size_t i = 0; i < l->count; i++)
    if (strcmp(l->items[i].name, name) == 0)
      return 1;
  return 0;
}

/* Does a parameter other than a Swagger body have that name? A body's
 * properties leave such names to the parameters, wherever they are. */
static int parameter_named(const field_list *l, const char *name) {
  for (size_t i = 0; i < l->nparams; i++) {
    const char *in = coreapi__oas_string(l->params[i], "in");
    if (strcmp(in, "body") != 0 && strcmp(coreapi__oas_string(l->params[i], "name"), name) == 0)
      return 1;
  }
  return 0;
}

static coreapi_field_spec *push(field_list *l) {
  coreapi_field_spec *items = coreapi__array_room(l->items, &l->cap, l->count, sizeof(*items));
  if (items == NULL)
    return NULL;
  l->items = items;
  memset(&l->items[l->count], 0, sizeof(l->items[0]));
  return &l->items[l->count++];
}

/* A schema's type for a field: its enum makes it "enum"; OpenAPI 3.1 may
 * list types (the first that is not "null"); none is "anything". */
static const char *schema_type(const coreapi_node *schema) {
  static const char *const known[] = {"string", "integer", "number", "boolean",
                                      "array",  "object",  "null"};
  const coreapi_node *t = coreapi__oas_get(schema, "type", 4);
  const char *name = NULL;
  if (coreapi__oas_type(t) == COREAPI_NODE_STRING) {
    name = coreapi_string_value(t, NULL);
  } else if (coreapi__oas_type(t) == COREAPI_NODE_ARRAY) {
    for (size_t i = 0; i < coreapi_array_size(t) && name == NULL; i++) {
      const char *s = coreapi_string_value(coreapi_array_get(t, i), NULL);
      if (s != NULL && strcmp(s, "null") != 0)
        name = s;
    }
  }
  for (size_t i = 0; name != NULL && i < sizeof(known) / sizeof(known[0]); i++)
    if (strcmp(name, known[i]) == 0)
      return known[i];
  return "anything";
}

/* The schema's type, title, description and enum into f (borrowed). */
static void schema_into(const coreapi_node *schema, const char *description,
                        coreapi_field_spec *f) {
  const coreapi_node *values;
  if (coreapi__oas_type(schema) != COREAPI_NODE_OBJECT)
    return;
  f->schema_type = schema_type(schema);
  f->schema_title = coreapi__oas_string(schema, "title");
  f->schema_description = coreapi__oas_string(schema, "description");
  if (f->schema_description == NULL)
    f->schema_description = description;
  values = coreapi__oas_get(schema, "enum", 4);
  if (coreapi__oas_type(values) == COREAPI_NODE_ARRAY) {
    f->schema_type = "enum";
    f->schema_enum = (coreapi_node *)values;
  }
}

/* The parameters of the path item and the operation, refs followed, the
 * operation's replacing the path item's of the same name and "in", into
 * out (borrowed nodes; *n of them). */
static coreapi_code collect_parameters(const coreapi_node *root, const coreapi_node *path_item,
                                       const coreapi_node *op, const coreapi_node ***out,
                                       size_t *n, coreapi_error *err) {
  const coreapi_node *lists[2] = {coreapi__oas_member(root, path_item, "parameters", err),
                                  coreapi__oas_member(root, op, "parameters", err)};
  size_t cap = coreapi_array_size(lists[0]) + coreapi_array_size(lists[1]) + 1;
  *n = 0;
  if (err->code != COREAPI_OK)
    return err->code;
  for (int l = 0; l < 2; l++)
    if (lists[l] != NULL && coreapi__oas_type(lists[l]) != COREAPI_NODE_ARRAY)
      return coreapi_error_set(err, COREAPI_ERR_PARSE,
                               "OpenAPI: \"parameters\" must be an array");
  if ((*out = calloc(cap, sizeof(**out))) == NULL)
    return COREAPI__OOM(err);
  for (int l = 0; l < 2; l++) {
    for (size_t i = 0; i < coreapi_array_size(lists[l]); i++) {
      const coreapi_node *p = coreapi__oas_deref(root, coreapi_array_get(lists[l], i), err);
      const char *name = coreapi__oas_string(p, "name"), *in = coreapi__oas_string(p, "in");
      size_t at = *n;
      if (p == NULL)
        return err->code;
      if (coreapi__oas_type(p) != COREAPI_NODE_OBJECT)
        return coreapi_error_set(err, COREAPI_ERR_PARSE,
                                 "OpenAPI: a parameter must be an object (item %zu of "
                                 "\"parameters\")", i + 1);
      if (name == NULL || in == NULL)
        continue;
      for (size_t k = 0; l == 1 && k < *n; k++)
        if (strcmp(coreapi__oas_string((*out)[k], "name"), name) == 0 &&
            strcmp(coreapi__oas_string((*out)[k], "in"), in) == 0)
          at = k;
      (*out)[at] = p;
      if (at == *n)
        (*n)++;
    }
  }
  return COREAPI_OK;
}

/* The media type a body goes as, of the n offered (names(i)). */
static const char *choose_media_type(const char *(*names)(const void *, size_t), const void *ctx,
                                     size_t n) {
  static const char *const prefer[] = {"multipart/form-data", "application/x-www-form-urlencoded"};
  /* Media types compare without case and parameters (RFC 9110 8.3.1);
   * the one chosen is kept as written. */
  for (size_t i = 0; i < n; i++)
    if (coreapi__media_type_is_json(names(ctx, i)))
      return names(ctx, i);
  for (size_t p = 0; p < 2; p++)
    for (size_t i = 0; i < n; i++)
      if (coreapi__media_type_is(names(ctx, i), prefer[p]))
        return names(ctx, i);
  return n > 0 ? names(ctx, 0) : NULL;
}

static const char *content_key(const void *ctx, size_t i) {
  const char *key = NULL;
  coreapi_map_entry_inserted(ctx, i, &key, NULL);
  return key;
}

static const char *array_string(const void *ctx, size_t i) {
  return coreapi_string_value(coreapi_array_get(ctx, i), NULL);
}

/* Is name listed in the "required" of schema or of any schema its allOf
 * merges (refs followed)? */
static int listed_required(const coreapi_node *root, const coreapi_node *schema,
                           const char *name, int depth) {
  const coreapi_node *required = coreapi__oas_get(schema, "required", 8),
                     *all = coreapi__oas_get(schema, "allOf", 5);
  coreapi_error ignored;
  coreapi_error_clear(&ignored);
  for (size_t k = 0; k < coreapi_array_size(required); k++) {
    const char *r = coreapi_string_value(coreapi_array_get(required, k), NULL);
    if (r != NULL && strcmp(r, name) == 0)
      return 1;
  }
  for (size_t i = 0; depth < MAX_ALLOF_DEPTH && i < coreapi_array_size(all); i++)
    if (listed_required(root, coreapi__oas_deref(root, coreapi_array_get(all, i), &ignored),
                        name, depth + 1))
      return 1;
  return 0;
}

/* The properties of schema (allOf merged, refs followed) as form fields of
 * l, required when listed anywhere in top (the body's schema, allOf
 * merged); readOnly ones, names l has and names of parameters are left
 * out. Returns the number of properties seen, or -1 with err set. */
static long add_properties(const coreapi_node *root, const coreapi_node *top,
                           const coreapi_node *schema, field_list *l, int depth,
                           coreapi_error *err) {
  const coreapi_node *props = coreapi__oas_member(root, schema, "properties", err),
                     *all = coreapi__oas_get(schema, "allOf", 5);
  long seen = 0;
  if (depth > MAX_ALLOF_DEPTH || err->code != COREAPI_OK)
    return err->code != COREAPI_OK ? -1 : 0;
  for (size_t i = 0; i < coreapi_array_size(all); i++) {
    long k = add_properties(root, top, coreapi__oas_deref(root, coreapi_array_get(all, i), err),
                            l, depth + 1, err);
    if (k < 0)
      return -1;
    seen += k;
  }
  for (size_t i = 0; i < coreapi_map_size(props); i++) {
    const char *name;
    const coreapi_node *p = coreapi__oas_deref(
        root, coreapi_map_entry_inserted(props, i, &name, NULL), err);
    coreapi_field_spec *f;
    if (p == NULL)
      return -1;
    seen++;
    if (is_true(coreapi__oas_get(p, "readOnly", 8)) || has_name(l, name) ||
        parameter_named(l, name))
      continue;
    if ((f = push(l)) == NULL) {
      COREAPI__OOM(err);
      return -1;
    }
    f->name = name;
    f->location = "form";
    f->required = listed_required(root, top, name, 0);
    schema_into(p, NULL, f);
  }
  return seen;
}

/* The body: form fields of an object schema's properties, else one body
 * field called name. */
static coreapi_code add_body(const coreapi_node *root, const coreapi_node *schema,
                             const char *name, int required, field_list *l, coreapi_error *err) {
  coreapi_field_spec *f;
  long props = schema != NULL ? add_properties(root, schema, schema, l, 0, err) : 0;
  if (props < 0)
    return err->code;
  if (props > 0)
    return COREAPI_OK;
  if ((f = push(l)) == NULL)
    return COREAPI__OOM(err);
  f->name = name;
  f->location = "body";
  f->required = required;
  schema_into(schema, NULL, f);
  return COREAPI_OK;
}

/* One parameter as a field of l (Swagger's body parameter: the body). */
static coreapi_code add_parameter(const coreapi_node *root, const coreapi_node *p, int swagger,
                                  field_list *l, int *form_file, coreapi_error *err) {
  static const char *const places[] = {"path", "query", "header", "cookie"};
  const char *name = coreapi__oas_string(p, "name"), *in = coreapi__oas_string(p, "in"),
             *location = NULL;
  coreapi_field_spec *f;
  if (swagger && strcmp(in, "body") == 0)
    return add_body(root, coreapi__oas_member(root, p, "schema", err), name,
                    is_true(coreapi__oas_get(p, "required", 8)), l, err);
  for (size_t i = 0; i < 4; i++)
    if (strcmp(in, places[i]) == 0)
      location = places[i];
  if (swagger && strcmp(in, "formData") == 0) {
    location = "form";
    *form_file |= coreapi__oas_string(p, "type") != NULL &&
                  strcmp(coreapi__oas_string(p, "type"), "file") == 0;
  }
  if (location == NULL || has_name(l, name))
    return COREAPI_OK; /* an unknown location; or the first keeps a name */
  if ((f = push(l)) == NULL)
    return COREAPI__OOM(err);
  f->name = name;
  f->location = location;
  f->required = is_true(coreapi__oas_get(p, "required", 8)) || strcmp(location, "path") == 0;
  schema_into(swagger ? p : coreapi__oas_member(root, p, "schema", err),
              coreapi__oas_string(p, "description"), f);
  return err->code;
}

/* An OpenAPI 3 requestBody into l, and its media type. */
static coreapi_code add_request_body(const coreapi_node *root, const coreapi_node *op,
                                     field_list *l, const char **encoding, coreapi_error *err) {
  const coreapi_node *body = coreapi__oas_member(root, op, "requestBody", err), *content,
                     *media;
  if (body == NULL)
    return err->code;
  content = coreapi__oas_member(root, body, "content", err);
  *encoding = choose_media_type(content_key, content, coreapi_map_size(content));
  media = *encoding ? coreapi__oas_member(root, content, *encoding, err) : NULL;
  if (err->code != COREAPI_OK)
    return err->code;
  return add_body(root, coreapi__oas_member(root, media, "schema", err), "body",
                  is_true(coreapi__oas_get(body, "required", 8)), l, err);
}

coreapi_code coreapi__oas_fields(const coreapi_node *root, const coreapi_node *path_item,
                                 const coreapi_node *op, int swagger,
                                 coreapi_field_spec **fields, size_t *count,
                                 const char **encoding, coreapi_error *err) {
  field_list l = {0};
  const coreapi_node **params = NULL;
  size_t n = 0;
  int form_file = 0, has_body = 0, has_form = 0;
  coreapi_code rc = collect_parameters(root, path_item, op, &params, &n, err);
  *encoding = NULL;
  l.params = params;
  l.nparams = n;
  for (size_t i = 0; rc == COREAPI_OK && i < n; i++) {
    const char *in = coreapi__oas_string(params[i], "in");
    has_body |= swagger && strcmp(in, "body") == 0;
    has_form |= swagger && strcmp(in, "formData") == 0;
    rc = add_parameter(root, params[i], swagger, &l, &form_file, err);
  }
  if (rc == COREAPI_OK && !swagger)
    rc = add_request_body(root, op, &l, encoding, err);
  if (rc == COREAPI_OK && swagger && (has_body || has_form)) {
    const coreapi_node *consumes = coreapi__oas_get(op, "consumes", 8);
    if (consumes == NULL)
      consumes = coreapi__oas_get(root, "consumes", 8);
    *encoding = form_file ? "multipart/form-data"
                          : choose_media_type(array_string, consumes, coreapi_array_size(consumes));
    if (*encoding == NULL)
      *encoding = has_body ? "application/json" : "application/x-www-form-urlencoded";
  }
  free(params);
  if (rc != COREAPI_OK) {
    free(l.items);
    return rc;
  }
  *fields = l.items;
  *count = l.count;
  return COREAPI_OK;
}
