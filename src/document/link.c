/*
 * document/link.c - links and their fields. A link is one allocation: the
 * node, its fields and all their strings.
 */
#include <stdlib.h>
#include <string.h>

#include "document.h"


static int utf8_or_null(const char *s) { return s == NULL || coreapi__is_utf8(s, strlen(s)); }

/* Is the spec one a link can be made of? Its strings must be UTF-8 (when
 * trusted, the URL only: the rest are a decoder's, checked when parsed).
 * err set when not. */
static int spec_valid(const coreapi_link_spec *spec, int trusted, coreapi_error *err) {
  if (spec == NULL || (spec->fields == NULL && spec->field_count > 0)) {
    coreapi_error_set(err, COREAPI_ERR_INVALID_ARGUMENT, "link spec is NULL");
    return 0;
  }
  if (!utf8_or_null(spec->url) ||
      (!trusted && (!utf8_or_null(spec->action) || !utf8_or_null(spec->encoding) ||
                    !utf8_or_null(spec->transform) || !utf8_or_null(spec->title) ||
                    !utf8_or_null(spec->description)))) {
    coreapi_error_set(err, COREAPI_ERR_INVALID_ARGUMENT, "link strings must be UTF-8");
    return 0;
  }
  for (size_t i = 0; i < spec->field_count; i++) {
    const coreapi_field_spec *f = &spec->fields[i];
    if ((!trusted && (!utf8_or_null(f->name) || !utf8_or_null(f->location) ||
                      !utf8_or_null(f->schema_type) || !utf8_or_null(f->schema_title) ||
                      !utf8_or_null(f->schema_description))) ||
        (f->schema_enum != NULL && f->schema_enum->type != COREAPI_NODE_ARRAY)) {
      coreapi_error_set(err, COREAPI_ERR_INVALID_ARGUMENT,
                        "field %zu: strings must be UTF-8 and an enum must be an array", i);
      return 0;
    }
  }
  if (spec->security != NULL && !coreapi__security_valid(spec->security)) {
    coreapi_error_set(err, COREAPI_ERR_INVALID_ARGUMENT,
                      "a link's security must be an array of objects of arrays of strings");
    return 0;
  }
  return 1;
}

/* s's length (NULL: 0) into *len, advancing it; the bytes it takes. */
static size_t measure(const char *s, size_t **len) {
  size_t n = s ? strlen(s) : 0;
  *(*len)++ = n;
  return n + 1;
}

/* s (*len bytes, NULL: none) and a NUL copied to *blob; both advanced. */
static const char *put(char **blob, const char *s, const size_t **len) {
  size_t n = *(*len)++;
  char *d = *blob;
  if (n > 0)
    memcpy(d, s, n);
  d[n] = '\0';
  *blob += n + 1;
  return d;
}

#define LENGTHS_ON_STACK 126 /* a link's 6 strings and 24 fields' 5 */

/* The Link of a valid spec (each string measured once), or NULL on ENOMEM. */
static coreapi_node *link_make(const coreapi_link_spec *spec, coreapi_error *err) {
  size_t stack[LENGTHS_ON_STACK], n = spec->field_count, *lens = stack, *w;
  size_t size = sizeof(link_node) + n * sizeof(coreapi_field);
  const size_t *r;
  link_node *l = NULL;
  char *blob;
  if (n > (LENGTHS_ON_STACK - 6) / 5)
    lens = n < SIZE_MAX / 8 / sizeof(*lens) ? malloc((6 + 5 * n) * sizeof(*lens)) : NULL;
  if (lens != NULL) {
    w = lens;
    size += measure(spec->url, &w) + measure(spec->action, &w) + measure(spec->encoding, &w) +
            measure(spec->transform, &w) + measure(spec->title, &w) +
            measure(spec->description, &w);
    for (size_t i = 0; i < n; i++) {
      const coreapi_field_spec *f = &spec->fields[i];
      size += measure(f->name, &w) + measure(f->location, &w) + measure(f->schema_type, &w) +
              measure(f->schema_title, &w) + measure(f->schema_description, &w);
    }
    l = (link_node *)coreapi__node_alloc(size, COREAPI_NODE_LINK);
  }
  if (l == NULL) {
    if (lens != stack)
      free(lens);
    COREAPI__OOM(err);
    return NULL;
  }
  l->field_count = n;
  l->security = coreapi_node_ref(spec->security);
  l->fields = (coreapi_field *)(l + 1);
  blob = (char *)(l->fields + n);
  r = lens;
  l->url = put(&blob, spec->url, &r);
  l->action = put(&blob, spec->action, &r);
  l->encoding = put(&blob, spec->encoding, &r);
  l->transform = put(&blob, spec->transform, &r);
  l->title = put(&blob, spec->title, &r);
  l->description = put(&blob, spec->description, &r);
  for (size_t i = 0; i < n; i++) {
    const coreapi_field_spec *f = &spec->fields[i];
    coreapi_field *d = &l->fields[i];
    d->name = put(&blob, f->name, &r);
    d->required = f->required != 0;
    d->location = put(&blob, f->location, &r);
    d->schema_type = put(&blob, f->schema_type, &r);
    d->schema_title = put(&blob, f->schema_title, &r);
    d->schema_description = put(&blob, f->schema_description, &r);
    d->schema_enum = coreapi_node_ref(f->schema_enum);
  }
  if (lens != stack)
    free(lens);
  return &l->base;
}

coreapi_node *coreapi_link_new(const coreapi_link_spec *spec, coreapi_error *err) {
  coreapi_error_clear(err);
  return spec_valid(spec, 0, err) ? link_make(spec, err) : NULL;
}

coreapi_node *coreapi__link_new_trusted(const coreapi_link_spec *spec, coreapi_error *err) {
  coreapi_error_clear(err);
  return spec_valid(spec, 1, err) ? link_make(spec, err) : NULL;
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
