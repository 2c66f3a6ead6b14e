/*
 * document/link.c - links and their fields. A link is one allocation: the
 * node, its fields and all their strings.
 */
#include <stdlib.h>
#include <string.h>

#include "document.h"


static int utf8_or_null(const char *s) { return s == NULL || coreapi__is_utf8(s, strlen(s)); }

coreapi_node *coreapi_link_new(const coreapi_link_spec *spec, coreapi_error *err) {
  link_node *l;
  size_t size;
  char *blob;

  coreapi_error_clear(err);
  if (spec == NULL || (spec->fields == NULL && spec->field_count > 0)) {
    coreapi_error_set(err, COREAPI_ERR_INVALID_ARGUMENT, "link spec is NULL");
    return NULL;
  }
  size = sizeof(link_node) + spec->field_count * sizeof(coreapi_field) + coreapi__blob_size(spec->url) +
         coreapi__blob_size(spec->action) + coreapi__blob_size(spec->encoding) + coreapi__blob_size(spec->transform) +
         coreapi__blob_size(spec->title) + coreapi__blob_size(spec->description);
  if (!utf8_or_null(spec->url) || !utf8_or_null(spec->action) || !utf8_or_null(spec->encoding) ||
      !utf8_or_null(spec->transform) || !utf8_or_null(spec->title) ||
      !utf8_or_null(spec->description)) {
    coreapi_error_set(err, COREAPI_ERR_INVALID_ARGUMENT, "link strings must be UTF-8");
    return NULL;
  }
  for (size_t i = 0; i < spec->field_count; i++) {
    const coreapi_field_spec *f = &spec->fields[i];
    if (!utf8_or_null(f->name) || !utf8_or_null(f->location) || !utf8_or_null(f->schema_type) ||
        !utf8_or_null(f->schema_title) || !utf8_or_null(f->schema_description) ||
        (f->schema_enum != NULL && f->schema_enum->type != COREAPI_NODE_ARRAY)) {
      coreapi_error_set(err, COREAPI_ERR_INVALID_ARGUMENT,
                        "field %zu: strings must be UTF-8 and an enum must be an array", i);
      return NULL;
    }
    size += coreapi__blob_size(f->name) + coreapi__blob_size(f->location) + coreapi__blob_size(f->schema_type) +
            coreapi__blob_size(f->schema_title) + coreapi__blob_size(f->schema_description);
  }
  if (spec->security != NULL && !coreapi__security_valid(spec->security)) {
    coreapi_error_set(err, COREAPI_ERR_INVALID_ARGUMENT,
                      "a link's security must be an array of objects of arrays of strings");
    return NULL;
  }
  l = (link_node *)coreapi__node_alloc(size, COREAPI_NODE_LINK);
  if (l == NULL) {
    COREAPI__OOM(err);
    return NULL;
  }
  l->field_count = spec->field_count;
  l->security = coreapi_node_ref(spec->security);
  l->fields = (coreapi_field *)(l + 1);
  blob = (char *)(l->fields + spec->field_count);
  l->url = coreapi__blob_put(&blob, spec->url);
  l->action = coreapi__blob_put(&blob, spec->action);
  l->encoding = coreapi__blob_put(&blob, spec->encoding);
  l->transform = coreapi__blob_put(&blob, spec->transform);
  l->title = coreapi__blob_put(&blob, spec->title);
  l->description = coreapi__blob_put(&blob, spec->description);
  for (size_t i = 0; i < spec->field_count; i++) {
    const coreapi_field_spec *f = &spec->fields[i];
    coreapi_field *d = &l->fields[i];
    d->name = coreapi__blob_put(&blob, f->name);
    d->required = f->required != 0;
    d->location = coreapi__blob_put(&blob, f->location);
    d->schema_type = coreapi__blob_put(&blob, f->schema_type);
    d->schema_title = coreapi__blob_put(&blob, f->schema_title);
    d->schema_description = coreapi__blob_put(&blob, f->schema_description);
    d->schema_enum = coreapi_node_ref(f->schema_enum);
  }
  return &l->base;
}

#define LINK_STR(fn, member)                                       \
  const char *fn(const coreapi_node *link) {                       \
    return link && link->type == COREAPI_NODE_LINK ? AS_LINK(link)->member : NULL; \
  }
LINK_STR(coreapi_link_action, action)
LINK_STR(coreapi_link_encoding, encoding)
LINK_STR(coreapi_link_transform, transform)

size_t coreapi_link_field_count(const coreapi_node *link) {
  return link && link->type == COREAPI_NODE_LINK ? AS_LINK(link)->field_count : 0;
}

const coreapi_field *coreapi_link_field(const coreapi_node *link, size_t i) {
  if (link == NULL || link->type != COREAPI_NODE_LINK || i >= AS_LINK(link)->field_count)
    return NULL;
  return &AS_LINK(link)->fields[i];
}

const char *coreapi_field_name(const coreapi_field *f) { return f ? f->name : NULL; }
int coreapi_field_required(const coreapi_field *f) { return f ? f->required : 0; }
const char *coreapi_field_location(const coreapi_field *f) { return f ? f->location : NULL; }
const char *coreapi_field_schema_type(const coreapi_field *f) { return f ? f->schema_type : NULL; }
const char *coreapi_field_schema_title(const coreapi_field *f) {
  return f ? f->schema_title : NULL;
}
const char *coreapi_field_schema_description(const coreapi_field *f) {
  return f ? f->schema_description : NULL;
}
coreapi_node *coreapi_field_schema_enum(const coreapi_field *f) {
  return f ? f->schema_enum : NULL;
}
