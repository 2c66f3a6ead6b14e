/*
 * codecs/corejson.c - the Core JSON codec (application/coreapi+json), with
 * the meaning of the reference client's CoreJSONCodec: YAJL parses (see
 * jsonparse.c), the tree is turned into document nodes; encoding writes what
 * the reference's json.dumps would, byte for byte.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../document/document.h"
#include "corejson.h"
#include "jsonout.h"
#include "jsonparse.h"
#include "urls.h"
#include "coreapi/codec.h"

#define COREJSON_MEDIA_TYPE "application/coreapi+json"

/* --- decoding -------------------------------------------------------------- */

/* The parser's plain tree (jsonparse.c) is turned into Core API nodes in
 * place: every node of it has one reference (or is shared, and then never
 * changes), so maps and arrays are edited rather than copied, and a
 * decoded body costs one tree, not two. */

typedef struct decoder {
  coreapi_error *err;
} decoder;

/* The member key of the object obj, or NULL. By the entries themselves:
 * an object still to convert is not sealed (jsonparse.c). */
static const coreapi_node *member(const coreapi_node *obj, const char *key) {
  size_t len = strlen(key);
  if (obj == NULL || obj->type != COREAPI_NODE_OBJECT)
    return NULL;
  for (size_t i = 0; i < AS_MAP(obj)->count; i++) {
    const map_entry *e = &AS_MAP(obj)->entries[i];
    if (e->key_len == len && memcmp(e->key, key, len) == 0)
      return e->value;
  }
  return NULL;
}

/* Liberal lookups, as the reference's _get_string, _get_dict: a member of
 * the wrong type is its empty default. */
static const char *get_string(const coreapi_node *obj, const char *key) {
  const coreapi_node *v = member(obj, key);
  return v != NULL && v->type == COREAPI_NODE_STRING ? AS_STRING(v)->data : "";
}

static const coreapi_node *get_object(const coreapi_node *obj, const char *key) {
  const coreapi_node *v = member(obj, key);
  return v != NULL && v->type == COREAPI_NODE_OBJECT ? v : NULL;
}

static int is_reserved(const char *key, size_t len) {
  return len == 5 && (memcmp(key, "_type", 5) == 0 || memcmp(key, "_meta", 5) == 0);
}

/* "__type" -> "_type", "___meta" -> "__meta": one underscore less on a key
 * that is underscores followed by "type" or "meta". */
static int unescape_key(map_entry *e) {
  size_t u = 0;
  while (u < e->key_len && e->key[u] == '_')
    u++;
  if (u >= 2 && e->key_len - u == 4 &&
      (memcmp(e->key + u, "type", 4) == 0 || memcmp(e->key + u, "meta", 4) == 0)) {
    e->key++;
    e->key_len--;
    return 1;
  }
  return 0;
}

static coreapi_node *convert(decoder *d, coreapi_node *v, const char *base);

/* A field of a link from the object item (borrowed) into f; 0 when item is
 * not an object (no field). */
static int read_field(const coreapi_node *item, coreapi_field_spec *f) {
  static const char *const known[] = {"object", "array", "number", "integer", "string",
                                      "boolean", "null", "enum", "anything"};
  const coreapi_node *schema, *required;
  if (item->type != COREAPI_NODE_OBJECT)
    return 0;
  f->name = get_string(item, "name");
  required = member(item, "required");
  f->required = required != NULL && required->type == COREAPI_NODE_BOOLEAN &&
                AS_NUMBER(required)->v.b;
  f->location = get_string(item, "location");
  schema = get_object(item, "schema");
  if (schema != NULL && coreapi_map_size(schema) > 0) {
    const char *type = get_string(schema, "_type");
    f->schema_type = "anything";
    for (size_t k = 0; k < sizeof(known) / sizeof(known[0]); k++)
      if (strcmp(type, known[k]) == 0)
        f->schema_type = known[k];
    f->schema_title = get_string(schema, "title");
    f->schema_description = get_string(schema, "description");
    if (strcmp(f->schema_type, "enum") == 0) {
      /* The values as plain data, as the reference keeps them. */
      const coreapi_node *values = member(schema, "enum");
      f->schema_enum = values != NULL && values->type == COREAPI_NODE_ARRAY
                           ? coreapi_node_ref((coreapi_node *)values)
                           : coreapi__shared_empty_array();
    }
  }
  return 1;
}

static coreapi_node *convert_link(decoder *d, const coreapi_node *v, const char *base) {
  coreapi_link_spec spec = {0};
  coreapi_field_spec *fields = NULL;
  const coreapi_node *list = member(v, "fields");
  size_t count = list != NULL && list->type == COREAPI_NODE_ARRAY ? AS_ARRAY(list)->count : 0;
  coreapi_node *link = NULL;
  char *url = coreapi__urljoin(base, get_string(v, "url"));
  size_t n = 0;

  if (url == NULL || (count > 0 && (fields = calloc(count, sizeof(*fields))) == NULL))
    goto out;
  spec.url = url;
  spec.action = get_string(v, "action");
  spec.encoding = get_string(v, "encoding");
  spec.transform = get_string(v, "transform");
  spec.title = get_string(v, "title");
  spec.description = get_string(v, "description");
  for (size_t i = 0; i < count; i++)
    n += read_field(AS_ARRAY(list)->items[i], &fields[n]);
  spec.fields = fields;
  spec.field_count = n;
  link = coreapi_link_new(&spec, d->err);
out:
  for (size_t i = 0; fields != NULL && i < n; i++)
    coreapi_node_free(fields[i].schema_enum);
  free(fields);
  free(url);
  return link;
}

/* Convert the content of map m in place, against base: drop _type and
 * _meta (reserved: 1), unescape keys, convert values. 0, or -1 on failure
 * (m still valid, to free). */
static int convert_content(decoder *d, map_node *m, const char *base, int reserved) {
  size_t o = 0;
  for (size_t i = 0; i < m->count; i++) {
    map_entry e = m->entries[i];
    if (reserved && is_reserved(e.key, e.key_len)) {
      coreapi_node_free(e.value);
      continue;
    }
    unescape_key(&e);
    e.value = convert(d, e.value, base);
    m->entries[o++] = e;
    if (e.value == NULL) {
      /* The failed value was freed; drop the rest as they are. */
      m->entries[o - 1].value = coreapi__shared_null();
      for (size_t k = i + 1; k < m->count; k++)
        m->entries[o++] = m->entries[k];
      m->count = o;
      return -1;
    }
  }
  m->count = o;
  return 0;
}

/* A Document or Error from the object v (owned, converted in place). */
static coreapi_node *convert_map(decoder *d, coreapi_node *v, coreapi_node_type type,
                                 const char *base) {
  map_node *m = AS_MAP(v);
  const coreapi_node *meta = get_object(v, "_meta");
  char *url = type == COREAPI_NODE_DOCUMENT ? coreapi__urljoin(base, get_string(meta, "url"))
                                            : NULL;
  int ok = (type != COREAPI_NODE_DOCUMENT || url != NULL) &&
           coreapi__map_set_attributes(m, url, get_string(meta, "title"),
                                       type == COREAPI_NODE_DOCUMENT
                                           ? get_string(meta, "description") : NULL,
                                       type == COREAPI_NODE_DOCUMENT ? COREJSON_MEDIA_TYPE
                                                                     : NULL) == 0;
  /* meta is freed with the reserved entries: the attributes are copies. */
  ok = ok && convert_content(d, m, type == COREAPI_NODE_DOCUMENT ? url : base, 1) == 0;
  v->type = type;
  free(url);
  if (!ok || coreapi__map_seal(m) != 0) {
    coreapi_node_free(v);
    return NULL;
  }
  return v;
}

/* The reference's _primitive_to_document, on v (owned): the same node,
 * changed in place, or a new one (v released); NULL on failure (v
 * released). */
static coreapi_node *convert(decoder *d, coreapi_node *v, const char *base) {
  if (atomic_load_explicit(&v->refs, memory_order_relaxed) > 1)
    return v; /* shared (jsonparse.c): nothing in it changes */
  if (v->type == COREAPI_NODE_OBJECT) {
    const char *type = get_string(v, "_type");
    if (strcmp(type, "link") == 0) {
      coreapi_node *link = convert_link(d, v, base);
      coreapi_node_free(v);
      return link;
    }
    if (strcmp(type, "document") == 0)
      return convert_map(d, v, COREAPI_NODE_DOCUMENT, base);
    if (strcmp(type, "error") == 0)
      return convert_map(d, v, COREAPI_NODE_ERROR, base);
    if (convert_content(d, AS_MAP(v), base, 1) != 0 || coreapi__map_seal(AS_MAP(v)) != 0) {
      coreapi_node_free(v);
      return NULL;
    }
    return v;
  }
  if (v->type == COREAPI_NODE_ARRAY) {
    array_node *a = AS_ARRAY(v);
    for (size_t i = 0; i < a->count; i++) {
      if ((a->items[i] = convert(d, a->items[i], base)) == NULL) {
        a->items[i] = coreapi__shared_null();
        coreapi_node_free(v);
        return NULL;
      }
    }
  }
  return v;
}

coreapi_node *coreapi__json_decode_tree(const char *data, size_t len, const char *base_url,
                                        int plain, size_t max_bytes, coreapi_error *err) {
  coreapi_node *root, *node;
  decoder d = {err};
  coreapi_error_clear(err);
  root = coreapi__json_parse(data, len, max_bytes, !plain, err);
  if (root == NULL || plain)
    return root;
  node = convert(&d, root, base_url);
  if (node == NULL && err != NULL && err->code == COREAPI_OK)
    COREAPI__OOM(err);
  return node;
}

coreapi_node *coreapi_corejson_decode(const char *data, size_t len, const char *base_url,
                                      coreapi_error *err) {
  return coreapi__corejson_decode_limited(data, len, base_url, COREAPI__DECODE_LIMIT, err);
}

coreapi_node *coreapi__corejson_decode_limited(const char *data, size_t len,
                                               const char *base_url, size_t max_bytes,
                                               coreapi_error *err) {
  coreapi_node *node;
  coreapi_error_clear(err);
  node = coreapi__json_decode_tree(data, len, base_url, 0, max_bytes, err);
  if (node == NULL)
    return NULL;
  if (node->type == COREAPI_NODE_OBJECT) {
    /* A plain object at the top is a Document with that content. */
    if (atomic_load_explicit(&node->refs, memory_order_relaxed) >= COREAPI__IMMORTAL)
      return coreapi_map_builder_document(coreapi_map_builder_new(), NULL, NULL, NULL, NULL,
                                          err); /* {} */
    if (coreapi__map_set_attributes(AS_MAP(node), NULL, NULL, NULL, NULL) != 0) {
      coreapi_node_free(node);
      COREAPI__OOM(err);
      return NULL;
    }
    node->type = COREAPI_NODE_DOCUMENT;
    return node;
  }
  if (node->type != COREAPI_NODE_DOCUMENT && node->type != COREAPI_NODE_ERROR) {
    coreapi_node_free(node);
    coreapi_error_set(err, COREAPI_ERR_PARSE, "Top level node should be a document or error.");
    return NULL;
  }
  return node;
}

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
        if ((is_doc && (url[0] || coreapi__map_title(m)[0] || coreapi__map_description(m)[0])) || (!is_doc && coreapi__map_title(m)[0])) {
          int mfirst = 1;
          if (item_sep(e, 0, depth + 1) != 0 || key_raw(e, "_meta") != 0 || put(e, "{") != 0)
            return -1;
          if ((is_doc && str_member(e, &mfirst, depth + 2, "url", url) != 0) ||
              str_member(e, &mfirst, depth + 2, "title", coreapi__map_title(m)) != 0 ||
              (is_doc && str_member(e, &mfirst, depth + 2, "description", coreapi__map_description(m)) != 0))
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
      for (size_t i = 0; i < AS_ARRAY(n)->count; i++) {
        /* The reference drops the base URL inside arrays. */
        if (item_sep(e, first, depth + 1) != 0 ||
            encode_node(e, AS_ARRAY(n)->items[i], NULL, depth + 1) != 0)
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
