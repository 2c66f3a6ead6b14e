/*
 * transitions/params.c - checking and sorting an action's parameters (the
 * reference client's _get_params and the validate_* functions of its utils),
 * and the urlencoding of form and query values.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../codecs/codecs.h"
#include "params.h"

static int add_error(coreapi__params *p, const char *name, const char *message) {
  coreapi_node *m = coreapi_string_new(message, strlen(message), NULL);
  if (m == NULL || coreapi_map_builder_set(p->errors, name, strlen(name), m, NULL) != COREAPI_OK)
    return -1;
  p->error_count++;
  return 0;
}

int coreapi__number_text(coreapi__buf *b, const coreapi_node *n) {
  if (coreapi_node_type_of(n) == COREAPI_NODE_INTEGER)
    return coreapi__json_integer(b, coreapi_integer_value(n));
  return coreapi__py_float_str(b, coreapi_real_value(n));
}

int coreapi__truthy(const coreapi_node *v) {
  switch (coreapi_node_type_of(v)) {
    case COREAPI_NODE_NULL: return 0;
    case COREAPI_NODE_BOOLEAN: return coreapi_boolean_value(v);
    case COREAPI_NODE_INTEGER: return coreapi_integer_value(v) != 0;
    case COREAPI_NODE_REAL: return coreapi_real_value(v) != 0.0;
    case COREAPI_NODE_STRING: {
      size_t len;
      coreapi_string_value(v, &len);
      return len > 0;
    }
    case COREAPI_NODE_ARRAY: return coreapi_array_size(v) > 0;
    case COREAPI_NODE_OBJECT:
    case COREAPI_NODE_DOCUMENT:
    case COREAPI_NODE_ERROR: return coreapi_map_size(v) > 0;
    default: return 1;
  }
}

int coreapi__scalar_text(const coreapi_node *v, coreapi__buf *tmp, const char **s, size_t *n) {
  int rc;
  switch (coreapi_node_type_of(v)) {
    case COREAPI_NODE_STRING:
      *s = coreapi_string_value(v, n);
      return 0;
    case COREAPI_NODE_BOOLEAN:
      rc = coreapi__buf_append(tmp, coreapi_boolean_value(v) ? "true" : "false",
                               coreapi_boolean_value(v) ? 4 : 5);
      break;
    case COREAPI_NODE_NULL:
      rc = coreapi__buf_append(tmp, "", 0);
      break;
    case COREAPI_NODE_INTEGER:
    case COREAPI_NODE_REAL:
      rc = coreapi__number_text(tmp, v);
      break;
    default:
      return 1;
  }
  if (rc != 0)
    return -1;
  *s = tmp->data;
  *n = tmp->len;
  return 0;
}

/* The text of a primitive as a form value, a new string (coreapi__scalar_text
 * copied), or -1 when it is not one, -2 on ENOMEM. */
static int scalar_text(const coreapi_node *v, char **out) {
  coreapi__buf b = {0};
  const char *s;
  size_t n;
  int rc = coreapi__scalar_text(v, &b, &s, &n);
  if (rc == 1)
    return -1;
  if (rc == 0 && s != b.data) /* a String's own bytes */
    rc = coreapi__buf_append(&b, s, n);
  if (rc != 0) {
    coreapi__buf_free(&b);
    return -2;
  }
  *out = b.data;
  return 0;
}

/* _validate_form_field: a primitive, or (allow_list) a list of primitives,
 * or (allow_files) a file. Returns 0, -1 with *message, -2 on ENOMEM. */
static int form_field(const coreapi_node *v, int allow_files, int allow_list, coreapi__value *out,
                      const char **message) {
  coreapi_node_type t = coreapi_node_type_of(v);
  char *text;
  int rc = scalar_text(v, &text);
  if (rc == 0) {
    out->strings = malloc(sizeof(char *));
    if (out->strings == NULL) {
      free(text);
      return -2;
    }
    out->strings[0] = text;
    out->count = 1;
    return 0;
  }
  if (rc == -2)
    return -2;
  if (allow_list && t == COREAPI_NODE_ARRAY) {
    size_t n = coreapi_array_size(v);
    out->is_list = 1;
    out->strings = calloc(n ? n : 1, sizeof(char *));
    if (out->strings == NULL)
      return -2;
    for (size_t i = 0; i < n; i++) {
      rc = scalar_text(coreapi_array_get(v, i), &out->strings[i]);
      if (rc != 0) {
        *message = "Must be a primitive type.";
        return rc;
      }
      out->count++;
    }
    return 0;
  }
  if (allow_files && t == COREAPI_NODE_FILE) {
    out->file = coreapi_node_ref((coreapi_node *)v);
    return 0;
  }
  *message = "Must be a primitive type.";
  return -1;
}

/* _validate_json_data: JSON primitives, lists and objects only. */
static int json_ok(const coreapi_node *v) {
  switch (coreapi_node_type_of(v)) {
    case COREAPI_NODE_STRING:
    case COREAPI_NODE_INTEGER:
    case COREAPI_NODE_REAL:
    case COREAPI_NODE_BOOLEAN:
    case COREAPI_NODE_NULL:
      return 1;
    case COREAPI_NODE_ARRAY:
      for (size_t i = 0; i < coreapi_array_size(v); i++)
        if (!json_ok(coreapi_array_get(v, i)))
          return 0;
      return 1;
    case COREAPI_NODE_OBJECT:
      for (size_t i = 0; i < coreapi_map_size(v); i++)
        if (!json_ok(coreapi_map_entry_inserted(v, i, NULL, NULL)))
          return 0;
      return 1;
    default:
      return 0;
  }
}

static void value_free(coreapi__value *v) {
  free(v->name);
  for (size_t i = 0; i < v->count; i++)
    coreapi__free_secret(v->strings[i]);
  free(v->strings);
  coreapi_node_free(v->file);
  memset(v, 0, sizeof(*v));
}

static coreapi__value *push_value(coreapi__value **list, size_t *count, const char *name) {
  coreapi__value *l = realloc(*list, (*count + 1) * sizeof(**list)), *v;
  if (l == NULL)
    return NULL;
  *list = l;
  v = &l[*count];
  memset(v, 0, sizeof(*v));
  v->name = coreapi__strdup(name);
  if (v->name == NULL)
    return NULL;
  (*count)++;
  return v;
}

/* Validate value as a form field (lists allowed) and append it to the list
 * under name. Returns 0, -1 with *message, -2 on ENOMEM. */
static int add_field(coreapi__value **list, size_t *count, const char *name,
                     const coreapi_node *value, int allow_files, const char **message) {
  coreapi__value tmp = {0}, *v;
  int rc = form_field(value, allow_files, 1, &tmp, message);
  if (rc == 0) {
    v = push_value(list, count, name);
    if (v == NULL) {
      rc = -2;
    } else {
      tmp.name = v->name;
      *v = tmp;
      return 0;
    }
  }
  value_free(&tmp);
  return rc;
}

/* Form fields of an object body (multipart or urlencoded body parameter). */
static int form_object(coreapi__params *p, const coreapi_node *obj, int allow_files,
                       const char **message) {
  if (coreapi_node_type_of(obj) != COREAPI_NODE_OBJECT) {
    *message = "Must be an object.";
    return -1;
  }
  for (size_t i = 0; i < coreapi_map_size(obj); i++) {
    const char *key;
    coreapi_node *item = coreapi_map_entry_inserted(obj, i, &key, NULL);
    int rc = add_field(&p->form, &p->form_count, key, item, allow_files, message);
    if (rc != 0)
      return rc;
  }
  return 0;
}

static const char *field_location(const coreapi_node *link, const coreapi_field_spec *ov,
                                  size_t ov_count, int use_ov, const char *name) {
  if (use_ov) {
    for (size_t i = 0; i < ov_count; i++)
      if (ov[i].name != NULL && strcmp(ov[i].name, name) == 0)
        return ov[i].location ? ov[i].location : "";
    return NULL;
  }
  for (size_t i = 0; i < coreapi_link_field_count(link); i++) {
    const coreapi_field *f = coreapi_link_field(link, i);
    if (strcmp(coreapi_field_name(f), name) == 0)
      return coreapi_field_location(f);
  }
  return NULL;
}

/* Where a parameter goes: its field's location, else "query" for GET and
 * DELETE and "form" otherwise; a form field of an octet-stream request is
 * its body. */
static const char *param_location(const coreapi_node *link, const coreapi_field_spec *ov,
                                  size_t ov_count, int use_ov, const char *name,
                                  const char *method, const char *encoding) {
  const char *location = field_location(link, ov, ov_count, use_ov, name);
  if (location == NULL || location[0] == '\0')
    location = (strcmp(method, "GET") == 0 || strcmp(method, "DELETE") == 0) ? "query" : "form";
  if (strcmp(location, "form") == 0 && strcmp(encoding, "application/octet-stream") == 0)
    location = "body";
  return location;
}

/* Make value the body parameter, in place of any before it. */
static void set_body(coreapi__params *p, coreapi_node *value) {
  coreapi_node_free(p->body);
  p->body = coreapi_node_ref(value);
}

/* A path parameter: a primitive with non-empty text, a String in p->path.
 * Returns 0, -1 with *message, -2 on ENOMEM. */
static int add_path_param(coreapi__params *p, const char *key, const coreapi_node *value,
                          const char **message) {
  coreapi__value tmp = {0};
  int rc = form_field(value, 0, 0, &tmp, message);
  if (rc == 0 && tmp.strings[0][0] == '\0') {
    *message = "May not be empty.";
    rc = -1;
  }
  if (rc == 0) {
    coreapi_node *s = coreapi_string_new(tmp.strings[0], strlen(tmp.strings[0]), NULL);
    rc = (s != NULL && coreapi_map_builder_set(p->path, key, strlen(key), s, NULL) == COREAPI_OK)
             ? 0 : -2;
    p->path_count++;
  }
  value_free(&tmp);
  return rc;
}

/* A body or form parameter of an application/json request: JSON data, the
 * body or a member of the body's Object. Returns 0, -1 with *message, -2 on
 * ENOMEM. */
static int add_json_param(coreapi__params *p, const char *key, coreapi_node *value, int is_body,
                          const char **message) {
  if (!json_ok(value)) {
    *message = "Must be a JSON primitive.";
    return -1;
  }
  if (is_body) {
    set_body(p, value);
    return 0;
  }
  if (coreapi_map_builder_set(p->json, key, strlen(key), coreapi_node_ref(value), NULL) !=
      COREAPI_OK)
    return -2;
  p->json_count++;
  return 0;
}

/* A body or form parameter of a form request (files allowed when
 * multipart): a body Object replaces the form collected so far. Returns 0,
 * -1 with *message, -2 on ENOMEM. */
static int add_form_param(coreapi__params *p, const char *key, coreapi_node *value, int is_body,
                          int files, const char **message) {
  int rc;
  if (!is_body)
    return add_field(&p->form, &p->form_count, key, value, files, message);
  for (size_t k = 0; k < p->form_count; k++)
    value_free(&p->form[k]);
  p->form_count = 0;
  rc = form_object(p, value, files, message);
  if (rc == 0)
    set_body(p, value);
  return rc;
}

/* A body or form parameter, by encoding. Returns 0, -1 with *message, -2 on
 * ENOMEM, -3 for an encoding that cannot carry it. */
static int add_body_param(coreapi__params *p, const char *key, coreapi_node *value, int is_body,
                          const char *encoding, const char **message) {
  if (strcmp(encoding, "application/json") == 0)
    return add_json_param(p, key, value, is_body, message);
  if (strcmp(encoding, "multipart/form-data") == 0 ||
      strcmp(encoding, "application/x-www-form-urlencoded") == 0)
    return add_form_param(p, key, value, is_body, encoding[0] == 'm', message);
  if (strcmp(encoding, "application/octet-stream") == 0 && is_body) {
    if (coreapi_node_type_of(value) != COREAPI_NODE_FILE) {
      *message = "Must be an file upload.";
      return -1;
    }
    set_body(p, value);
    return 0;
  }
  return -3;
}

coreapi_code coreapi__params_sort(coreapi__params *p, const coreapi_node *params,
                                  const coreapi_node *link, const coreapi_field_spec *ov,
                                  size_t ov_count, int use_ov, const char *method,
                                  const char *encoding, coreapi_error *err) {
  int seen_body = 0;
  memset(p, 0, sizeof(*p));
  p->path = coreapi_map_builder_new();
  p->json = coreapi_map_builder_new();
  p->errors = coreapi_map_builder_new();
  if (p->path == NULL || p->json == NULL || p->errors == NULL)
    return COREAPI__OOM(err);
  for (size_t i = 0; i < coreapi_map_size(params); i++) {
    const char *key, *message = NULL, *location;
    coreapi_node *value = coreapi_map_entry_inserted(params, i, &key, NULL);
    int rc = 0;
    location = param_location(link, ov, ov_count, use_ov, key, method, encoding);
    if (strcmp(location, "path") == 0) {
      rc = add_path_param(p, key, value, &message);
    } else if (strcmp(location, "query") == 0) {
      rc = add_field(&p->query, &p->query_count, key, value, 0, &message);
    } else if (strcmp(location, "header") == 0) {
      rc = add_field(&p->headers, &p->header_count, key, value, 0, &message);
    } else if (strcmp(location, "cookie") == 0) {
      rc = add_field(&p->cookies, &p->cookie_count, key, value, 0, &message);
    } else if (strcmp(location, "body") == 0 || strcmp(location, "form") == 0) {
      int is_body = strcmp(location, "body") == 0;
      if (!is_body && seen_body)
        continue; /* the reference ignores form fields after a body */
      rc = add_body_param(p, key, value, is_body, encoding, &message);
      if (rc == -3)
        return coreapi_error_set(err, COREAPI_ERR_PARAMETER,
                                 "Unsupported encoding \"%.80s\" for outgoing request.", encoding);
      if (rc == 0 && is_body)
        seen_body = 1;
    }
    if (rc == -2)
      return COREAPI__OOM(err);
    if (rc == -1 && add_error(p, key, message) != 0)
      return COREAPI__OOM(err);
  }
  return COREAPI_OK;
}

void coreapi__params_free(coreapi__params *p) {
  coreapi_map_builder_free(p->path);
  coreapi_map_builder_free(p->json);
  coreapi_map_builder_free(p->errors);
  for (size_t i = 0; i < p->query_count; i++)
    value_free(&p->query[i]);
  free(p->query);
  for (size_t i = 0; i < p->form_count; i++)
    value_free(&p->form[i]);
  free(p->form);
  for (size_t i = 0; i < p->header_count; i++)
    value_free(&p->headers[i]);
  free(p->headers);
  for (size_t i = 0; i < p->cookie_count; i++)
    value_free(&p->cookies[i]);
  free(p->cookies);
  coreapi_node_free(p->body);
  memset(p, 0, sizeof(*p));
}

int coreapi__urlencode(coreapi__buf *b, const coreapi__value *values, size_t count) {
  int first = 1;
  for (size_t i = 0; i < count; i++) {
    for (size_t k = 0; k < values[i].count; k++) {
      if ((!first && coreapi__buf_append(b, "&", 1) != 0) ||
          coreapi__quote_plus(b, values[i].name, strlen(values[i].name)) != 0 ||
          coreapi__buf_append(b, "=", 1) != 0 ||
          coreapi__quote_plus(b, values[i].strings[k], strlen(values[i].strings[k])) != 0)
        return -1;
      first = 0;
    }
  }
  return 0;
}
