/*
 * codecs/corejson_decode.c - decoding Core JSON (application/coreapi+json)
 * with the meaning of the reference client's CoreJSONCodec.decode: the JSON
 * parser's plain tree (jsonparse.c) turned into Documents, Links and Errors.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../document/document.h"
#include "corejson.h"
#include "jsonparse.h"
#include "urls.h"
#include "coreapi/codec.h"

#define COREJSON_MEDIA_TYPE "application/coreapi+json"

/* The parser's plain tree (jsonparse.c) is turned into Core API nodes in
 * place: every node of it has one reference (or is shared, and then never
 * changes), so maps and arrays are edited rather than copied, and a
 * decoded body costs one tree, not two. */

typedef struct decoder {
  coreapi_error *err;
  size_t spent, budget; /* bytes of nodes made, parse included, and the limit (0: none) */
} decoder;

/* Count bytes the conversion makes (URLs, links, attributes) against the
 * budget: 0, or -1 with err set to ERR_TOO_LARGE. A document's URL is
 * copied into each of its links, so a long base URL and many links make a
 * body grow without this. */
static int charge(decoder *d, size_t bytes) {
  char why[160];
  if (coreapi__budget_spend(&d->spent, d->budget, bytes + 16, why, sizeof(why)))
    return 0;
  coreapi_error_set(d->err, COREAPI_ERR_TOO_LARGE, "%s", why);
  return -1;
}

/* Seal every map under v that the parser left unsealed (plain data the
 * decoder keeps as it is: enum values). 0, or -1 on ENOMEM. */
static int seal_plain(coreapi_node *v) {
  if (v->type == COREAPI_NODE_ARRAY) {
    for (size_t i = 0; i < coreapi__array_count(v); i++)
      if (seal_plain(coreapi__array_items(v)[i]) != 0)
        return -1;
  } else if (v->type == COREAPI_NODE_OBJECT && !(AS_MAP(v)->flags & COREAPI__MAP_CLEAN)) {
    map_node *m = AS_MAP(v);
    for (size_t i = 0; i < m->count; i++)
      if (seal_plain(m->entries[i].value) != 0)
        return -1;
    if ((m->flags & COREAPI__MAP_UNSEALED) && coreapi__map_seal(m) != 0)
      return -1;
  }
  return 0;
}

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
static int read_field(const coreapi_node *item, coreapi_field_spec *f, int *oom) {
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
      if (seal_plain(f->schema_enum) != 0)
        *oom = 1;
    }
  }
  return 1;
}

/* Plain data at obj's member key (borrowed) when valid() accepts its shape
 * (security data, kept as it is: our extension, which the reference
 * ignores), sealed; NULL otherwise, or with *oom set. */
static coreapi_node *plain_member(const coreapi_node *obj, const char *key,
                                  int (*valid)(const coreapi_node *), int *oom) {
  coreapi_node *v = (coreapi_node *)member(obj, key);
  if (v == NULL || !valid(v))
    return NULL;
  if (seal_plain(v) != 0)
    *oom = 1;
  return v;
}

static coreapi_node *convert_link(decoder *d, const coreapi_node *v, const char *base) {
  coreapi_link_spec spec = {0};
  coreapi_field_spec *fields = NULL;
  const coreapi_node *list = member(v, "fields");
  size_t count = list != NULL && list->type == COREAPI_NODE_ARRAY ? coreapi__array_count(list) : 0;
  coreapi_node *link = NULL;
  char *url = coreapi__urljoin(base, get_string(v, "url"));
  size_t n = 0;
  int oom = 0;

  if (url == NULL || (count > 0 && (fields = calloc(count, sizeof(*fields))) == NULL))
    goto out;
  if (charge(d, strlen(url) + count * (sizeof(*fields) + 64) + 128) != 0)
    goto out;
  spec.url = url;
  spec.action = get_string(v, "action");
  spec.encoding = get_string(v, "encoding");
  spec.transform = get_string(v, "transform");
  spec.title = get_string(v, "title");
  spec.description = get_string(v, "description");
  for (size_t i = 0; i < count && !oom; i++)
    n += read_field(coreapi__array_items(list)[i], &fields[n], &oom);
  if (oom)
    goto out;
  spec.fields = fields;
  spec.field_count = n;
  spec.security = plain_member(v, "security", coreapi__security_valid, &oom);
  if (oom)
    goto out;
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
  int oom = 0;
  coreapi_node *schemes =
      type == COREAPI_NODE_DOCUMENT
          ? plain_member(meta, "securitySchemes", coreapi__security_schemes_valid, &oom)
          : NULL;
  char *url = type == COREAPI_NODE_DOCUMENT ? coreapi__urljoin(base, get_string(meta, "url"))
                                            : NULL;
  int ok = !oom && (type != COREAPI_NODE_DOCUMENT || url != NULL) &&
           charge(d, (url ? strlen(url) : 0) + strlen(get_string(meta, "title")) +
                         strlen(get_string(meta, "description")) + 64) == 0 &&
           coreapi__map_set_attributes(m, url, get_string(meta, "title"),
                                       type == COREAPI_NODE_DOCUMENT
                                           ? get_string(meta, "description") : NULL,
                                       type == COREAPI_NODE_DOCUMENT ? COREJSON_MEDIA_TYPE
                                                                     : NULL,
                                       coreapi_node_ref(schemes)) == 0;
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
  if (v->type == COREAPI_NODE_OBJECT && (AS_MAP(v)->flags & COREAPI__MAP_CLEAN))
    return v; /* nothing in it changes either */
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
    coreapi_node **items = coreapi__array_items(v);
    for (size_t i = 0; i < coreapi__array_count(v); i++) {
      if ((items[i] = convert(d, items[i], base)) == NULL) {
        items[i] = coreapi__shared_null();
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
  decoder d = {err, 0, 0};
  coreapi_error_clear(err);
  /* Whatever its shape, a body's document takes at most DECODE_FACTOR times
   * its size (1 MiB at least), besides the client's limit. */
  d.budget = len > SIZE_MAX / COREAPI__DECODE_FACTOR ? SIZE_MAX : len * COREAPI__DECODE_FACTOR;
  if (d.budget < ((size_t)1 << 20))
    d.budget = (size_t)1 << 20;
  if (max_bytes > 0 && max_bytes < d.budget)
    d.budget = max_bytes;
  root = coreapi__json_parse(data, len, d.budget, !plain, &d.spent, err);
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
    if (atomic_load_explicit(&node->refs, memory_order_relaxed) >= COREAPI__IMMORTAL) {
      /* {}: the shared empty object stays as it is; a Document of its own. */
      map_node *m = coreapi__map_alloc(COREAPI_NODE_DOCUMENT, 0, 0);
      if (m == NULL || coreapi__map_seal(m) != 0) {
        coreapi__node_dealloc(m ? &m->base : NULL);
        COREAPI__OOM(err);
        return NULL;
      }
      return &m->base;
    }
    node->type = COREAPI_NODE_DOCUMENT; /* its attributes are all "" */
    return node;
  }
  if (node->type != COREAPI_NODE_DOCUMENT && node->type != COREAPI_NODE_ERROR) {
    coreapi_node_free(node);
    coreapi_error_set(err, COREAPI_ERR_PARSE, "Top level node should be a document or error.");
    return NULL;
  }
  return node;
}

