/*
 * codecs/corejson.c - encoding Core JSON (application/coreapi+json) and plain
 * JSON: what the reference's CoreJSONCodec.encode and json.dumps write, byte
 * for byte. Decoding is corejson_decode.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../document/document.h"
#include "corejson.h"
#include "jsonout.h"
#include "urls.h"
#include "coreapi/codec.h"

/* --- encoding -------------------------------------------------------------- */

typedef struct encoder {
  coreapi__buf out;
  int indent;
  int corejson; /* Core JSON (_type, _meta, escaped keys) or plain data */
  int ascii;
  int found_file; /* a File node was met: not encodable */
  int spaced;     /* one line with ", " and ": " (json.dumps' defaults) */
} encoder;

static int put(encoder *e, const char *s) { return coreapi__buf_append(&e->out, s, strlen(s)); }

/* Python's separators: "," and ":" compact; "," and ": " indented (the
 * newline carries the space). */
static int item_sep(encoder *e, int first, int depth) {
  if (!first && put(e, e->spaced ? ", " : ",") != 0)
    return -1;
  return coreapi__json_newline(&e->out, e->indent, depth);
}

/* A structural key ("_type", "_meta"), written as it is. */
static int key_raw(encoder *e, const char *key) {
  if (coreapi__json_string(&e->out, key, strlen(key), e->ascii) != 0)
    return -1;
  return put(e, (e->indent || e->spaced) ? ": " : ":");
}

/* A content key, escaped as the reference escapes it. */
static int key_out(encoder *e, const char *key, size_t len) {
  size_t u = 0;
  int rc;
  /* The reference's _escape_key: a key of underscores then "type" or "meta"
   * gets one underscore more ("_type" -> "__type"). */
  while (u < len && key[u] == '_')
    u++;
  if (e->corejson && u >= 1 && len - u == 4 &&
      (memcmp(key + u, "type", 4) == 0 || memcmp(key + u, "meta", 4) == 0)) {
    char *k = malloc(len + 1);
    if (k == NULL)
      return -1;
    k[0] = '_';
    memcpy(k + 1, key, len);
    rc = coreapi__json_string(&e->out, k, len + 1, e->ascii);
    free(k);
  } else {
    rc = coreapi__json_string(&e->out, key, len, e->ascii);
  }
  if (rc != 0)
    return -1;
  return put(e, (e->indent || e->spaced) ? ": " : ":");
}

static int str_member(encoder *e, int *first, int depth, const char *key, const char *value) {
  if (value[0] == '\0')
    return 0;
  if (item_sep(e, *first, depth) != 0 || key_out(e, key, strlen(key)) != 0 ||
      coreapi__json_string(&e->out, value, strlen(value), e->ascii) != 0)
    return -1;
  *first = 0;
  return 0;
}

static int encode_node(encoder *e, const coreapi_node *n, const char *base, int depth);

/* Close a container whose opening bracket is written: on its own line when
 * it had items (indented output), right after the bracket when empty. */
static int close_container(encoder *e, int first, int depth, const char *close) {
  if (first)
    return put(e, close);
  if (coreapi__json_newline(&e->out, e->indent, depth) != 0)
    return -1;
  return put(e, close);
}

static int encode_content(encoder *e, const coreapi_node *n, const char *base, int depth,
                          int *first) {
  size_t count = coreapi_map_size(n);
  for (size_t i = 0; i < count; i++) {
    const char *key;
    size_t klen;
    coreapi_node *v = e->corejson ? coreapi_map_entry(n, i, &key, &klen)
                                  : coreapi_map_entry_inserted(n, i, &key, &klen);
    if (item_sep(e, *first, depth + 1) != 0 || key_out(e, key, klen) != 0 ||
        encode_node(e, v, base, depth + 1) != 0)
      return -1;
    *first = 0;
  }
  return 0;
}

static int encode_schema(encoder *e, const coreapi_field *f, int depth) {
  int first = 1;
  if (put(e, "{") != 0 || item_sep(e, first, depth + 1) != 0 || key_raw(e, "_type") != 0 ||
      coreapi__json_string(&e->out, f->schema_type, strlen(f->schema_type), e->ascii) != 0)
    return -1;
  first = 0;
  /* title and description always, as encode_schema_to_corejson writes them */
  if (item_sep(e, 0, depth + 1) != 0 || key_out(e, "title", 5) != 0 ||
      coreapi__json_string(&e->out, f->schema_title, strlen(f->schema_title), e->ascii) != 0 ||
      item_sep(e, 0, depth + 1) != 0 || key_out(e, "description", 11) != 0 ||
      coreapi__json_string(&e->out, f->schema_description, strlen(f->schema_description),
                           e->ascii) != 0)
    return -1;
  if (strcmp(f->schema_type, "enum") == 0) {
    int corejson = e->corejson;
    int rc;
    if (item_sep(e, 0, depth + 1) != 0 || key_out(e, "enum", 4) != 0)
      return -1;
    e->corejson = 0; /* raw values, as the reference keeps them */
    if (f->schema_enum != NULL) {
      rc = encode_node(e, f->schema_enum, NULL, depth + 1);
    } else {
      rc = put(e, "[]");
    }
    e->corejson = corejson;
    if (rc != 0)
      return -1;
  }
  return close_container(e, first, depth, "}");
}

/* Plain data under a structural key (security data: our extension),
 * written raw, in its insertion order. */
static int plain_member(encoder *e, int *first, int depth, const char *key,
                        const coreapi_node *value) {
  int corejson = e->corejson, rc;
  if (value == NULL)
    return 0;
  if (item_sep(e, *first, depth) != 0 || key_raw(e, key) != 0)
    return -1;
  *first = 0;
  e->corejson = 0;
  rc = encode_node(e, value, NULL, depth);
  e->corejson = corejson;
  return rc;
}

static int encode_link(encoder *e, const coreapi_node *n, const char *base, int depth) {
  const link_node *l = AS_LINK(n);
  int first = 1;
  if (put(e, "{") != 0 || item_sep(e, 1, depth + 1) != 0 || key_raw(e, "_type") != 0 ||
      put(e, "\"link\"") != 0)
    return -1;
  first = 0;
  if (str_member(e, &first, depth + 1, "url", coreapi__graceful_relative(base, l->url)) != 0 ||
      str_member(e, &first, depth + 1, "action", l->action) != 0 ||
      str_member(e, &first, depth + 1, "encoding", l->encoding) != 0 ||
      str_member(e, &first, depth + 1, "transform", l->transform) != 0 ||
      str_member(e, &first, depth + 1, "title", l->title) != 0 ||
      str_member(e, &first, depth + 1, "description", l->description) != 0)
    return -1;
  if (l->field_count > 0) {
    if (item_sep(e, 0, depth + 1) != 0 || key_out(e, "fields", 6) != 0 || put(e, "[") != 0)
      return -1;
    for (size_t i = 0; i < l->field_count; i++) {
      const coreapi_field *f = &l->fields[i];
      int ffirst = 1;
      if (item_sep(e, i == 0, depth + 2) != 0 || put(e, "{") != 0 ||
          item_sep(e, 1, depth + 3) != 0 || key_out(e, "name", 4) != 0 ||
          coreapi__json_string(&e->out, f->name, strlen(f->name), e->ascii) != 0)
        return -1;
      ffirst = 0;
      if (f->required &&
          (item_sep(e, 0, depth + 3) != 0 || key_out(e, "required", 8) != 0 || put(e, "true") != 0))
        return -1;
      if (str_member(e, &ffirst, depth + 3, "location", f->location) != 0)
        return -1;
      if (f->schema_type[0] != '\0' &&
          (item_sep(e, 0, depth + 3) != 0 || key_out(e, "schema", 6) != 0 ||
           encode_schema(e, f, depth + 3) != 0))
        return -1;
      if (close_container(e, ffirst, depth + 2, "}") != 0)
        return -1;
    }
    if (close_container(e, 0, depth + 1, "]") != 0)
      return -1;
  }
  if (plain_member(e, &first, depth + 1, "security", l->security) != 0)
    return -1;
  return close_container(e, first, depth, "}");
}

static int encode_node(encoder *e, const coreapi_node *n, const char *base, int depth) {
  int first = 1;
  switch (n->type) {
    case COREAPI_NODE_DOCUMENT:
    case COREAPI_NODE_ERROR:
      if (e->corejson) {
        const map_node *m = AS_MAP(n);
        int is_doc = n->type == COREAPI_NODE_DOCUMENT;
        const char *url = is_doc ? coreapi__graceful_relative(base, coreapi__map_url(m)) : base;
        if (put(e, "{") != 0 || item_sep(e, 1, depth + 1) != 0 || key_raw(e, "_type") != 0 ||
            put(e, is_doc ? "\"document\"" : "\"error\"") != 0)
          return -1;
        first = 0;
        const coreapi_node *schemes = coreapi_document_security_schemes(n);
        if ((is_doc && (url[0] || coreapi__map_title(m)[0] || coreapi__map_description(m)[0] ||
                        schemes != NULL)) ||
            (!is_doc && coreapi__map_title(m)[0])) {
          int mfirst = 1;
          if (item_sep(e, 0, depth + 1) != 0 || key_raw(e, "_meta") != 0 || put(e, "{") != 0)
            return -1;
          if ((is_doc && str_member(e, &mfirst, depth + 2, "url", url) != 0) ||
              str_member(e, &mfirst, depth + 2, "title", coreapi__map_title(m)) != 0 ||
              (is_doc && str_member(e, &mfirst, depth + 2, "description", coreapi__map_description(m)) != 0))
            return -1;
          if (plain_member(e, &mfirst, depth + 2, "securitySchemes", schemes) != 0)
            return -1;
          if (close_container(e, mfirst, depth + 1, "}") != 0)
            return -1;
        }
        /* The reference passes the document's relative URL down as the
         * base of its content; an Error passes its own base on. */
        if (encode_content(e, n, url, depth, &first) != 0)
          return -1;
        return close_container(e, first, depth, "}");
      }
      /* Plain data writes a document or an error as its content. */
      if (put(e, "{") != 0 || encode_content(e, n, base, depth, &first) != 0)
        return -1;
      return close_container(e, first, depth, "}");
    case COREAPI_NODE_OBJECT:
      if (put(e, "{") != 0 || encode_content(e, n, base, depth, &first) != 0)
        return -1;
      return close_container(e, first, depth, "}");
    case COREAPI_NODE_ARRAY:
      if (put(e, "[") != 0)
        return -1;
      for (size_t i = 0; i < coreapi__array_count(n); i++) {
        /* The reference drops the base URL inside arrays. */
        if (item_sep(e, first, depth + 1) != 0 ||
            encode_node(e, coreapi__array_items(n)[i], NULL, depth + 1) != 0)
          return -1;
        first = 0;
      }
      return close_container(e, first, depth, "]");
    case COREAPI_NODE_LINK:
      if (e->corejson)
        return encode_link(e, n, base, depth);
      return put(e, "{}");
    case COREAPI_NODE_STRING:
      return coreapi__json_string(&e->out, AS_STRING(n)->data, AS_STRING(n)->len, e->ascii);
    case COREAPI_NODE_INTEGER:
      return coreapi__json_integer(&e->out, AS_NUMBER(n)->v.i);
    case COREAPI_NODE_REAL:
      return coreapi__json_real(&e->out, AS_NUMBER(n)->v.r);
    case COREAPI_NODE_BOOLEAN:
      return put(e, AS_NUMBER(n)->v.b ? "true" : "false");
    case COREAPI_NODE_NULL:
      return put(e, "null");
    case COREAPI_NODE_FILE:
      e->found_file = 1; /* not data */
      return -1;
  }
  return -1;
}

char *coreapi__encode(const coreapi_node *node, int indent, int corejson, int ascii, size_t *len,
                      coreapi_error *err) {
  encoder e = {{NULL, 0, 0}, indent < 0 ? 0 : indent, corejson, ascii, 0, indent < 0};
  if (len)
    *len = 0;
  if (node == NULL) {
    coreapi_error_set(err, COREAPI_ERR_INVALID_ARGUMENT, "node is NULL");
    return NULL;
  }
  if (indent < -1 || indent > 64) {
    coreapi_error_set(err, COREAPI_ERR_INVALID_ARGUMENT, "indent must be -1 to 64");
    return NULL;
  }
  if (coreapi__buf_append(&e.out, "", 0) == 0) {
    int rc = encode_node(&e, node, NULL, 0);
    if (rc == 0)
      goto done;
    free(e.out.data);
    if (e.found_file)
      coreapi_error_set(err, COREAPI_ERR_INVALID_ARGUMENT, "a file cannot be encoded as JSON");
    else
      COREAPI__OOM(err);
    return NULL;
  }
  free(e.out.data);
  COREAPI__OOM(err);
  return NULL;
done:
  if (len)
    *len = e.out.len;
  return e.out.data;
}

char *coreapi_corejson_encode(const coreapi_node *node, int indent, size_t *len,
                              coreapi_error *err) {
  coreapi_error_clear(err);
  return coreapi__encode(node, indent ? 4 : 0, 1, 0, len, err);
}
