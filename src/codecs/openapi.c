/*
 * codecs/openapi.c - OpenAPI 3.0/3.1 and Swagger 2.0 descriptions as Core
 * API documents: one Link per operation (get, put, post, delete, options,
 * head, patch, trace of every path item; webhooks and callbacks are not
 * links), its URL the server's base and the path template verbatim ({id}
 * is an RFC 6570 variable), its action the method, its fields the
 * parameters and the request body (openapi_fields.c). Operations are
 * grouped by their first tag into an Object named after it, keyed by
 * operationId, else by a key made from the method and the path; untagged
 * ones at the top. The document's title and description come from info.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../text/text.h"
#include "corejson.h"
#include "jsonparse.h"
#include "openapi.h"
#include "openapi_keys.h"
#include "coreapi/codec.h"

#define MEDIA_TYPE "application/vnd.oai.openapi+json"

static const char *const methods[] = {"get",     "put",  "post",  "delete",
                                      "options", "head", "patch", "trace"};

/* A server object's URL with its variables replaced by their defaults. */
static char *server_url(const coreapi_node *server) {
  const char *url = coreapi__oas_string(server, "url");
  const coreapi_node *vars = coreapi__oas_get(server, "variables", 9);
  coreapi__buf b = {0};
  if (url == NULL)
    return NULL;
  for (const char *p = url; *p; p++) {
    const char *close = *p == '{' ? strchr(p, '}') : NULL;
    const char *value = NULL;
    if (close != NULL) {
      const coreapi_node *v = coreapi__oas_get(vars, p + 1, (size_t)(close - p - 1));
      value = coreapi__oas_string(v, "default");
    }
    if (value != NULL) {
      coreapi__buf_append(&b, value, strlen(value));
      p = close;
    } else {
      coreapi__buf_append(&b, p, 1);
    }
  }
  if (coreapi__buf_append(&b, "", 1) != 0) {
    coreapi__buf_free(&b);
    return NULL;
  }
  return b.data;
}

/* The last server URL that oas3_base resolved and what it resolved to
 * (both owned, or both NULL): a description's operations mostly share one. */
typedef struct join_memo {
  char *server, *joined;
} join_memo;

/* The first server of the operation, else the path item's, else the
 * document's (OpenAPI 3), resolved against base_url (memo: the last one, or
 * NULL); "/" without one. NULL with err set: "servers" not an array, or
 * ENOMEM. */
static char *oas3_base(const coreapi_node *root, const coreapi_node *path_item,
                       const coreapi_node *op, const char *base_url, join_memo *memo,
                       coreapi_error *err) {
  const coreapi_node *where[3] = {op, path_item, root};
  char *url = NULL, *joined;
  const char *server;
  for (int i = 0; i < 3 && url == NULL; i++) {
    const coreapi_node *servers = coreapi__oas_get(where[i], "servers", 7);
    if (servers != NULL && coreapi__oas_type(servers) != COREAPI_NODE_ARRAY) {
      coreapi_error_set(err, COREAPI_ERR_PARSE, "OpenAPI: \"servers\" must be an array");
      return NULL;
    }
    if (coreapi_array_size(servers) > 0)
      url = server_url(coreapi_array_get(servers, 0));
  }
  server = url != NULL ? url : "/";
  if (memo != NULL && memo->server != NULL && strcmp(memo->server, server) == 0) {
    joined = coreapi__strdup(memo->joined);
  } else if ((joined = coreapi__urljoin(base_url, server)) != NULL && memo != NULL) {
    free(memo->server);
    free(memo->joined);
    memo->server = coreapi__strdup(server);
    memo->joined = memo->server != NULL ? coreapi__strdup(joined) : NULL;
    if (memo->joined == NULL) {
      free(memo->server);
      memo->server = NULL;
    }
  }
  free(url);
  if (joined == NULL)
    COREAPI__OOM(err);
  return joined;
}

/* The first of a Swagger 2 "schemes" list, https when it is listed; NULL
 * when there is none. */
static const char *swagger_scheme(const coreapi_node *schemes) {
  const char *scheme = NULL;
  for (size_t i = 0; i < coreapi_array_size(schemes); i++) {
    const char *s = coreapi_string_value(coreapi_array_get(schemes, i), NULL);
    if (s != NULL && (scheme == NULL || strcmp(s, "https") == 0))
      scheme = s;
  }
  return scheme;
}

/* Swagger 2: scheme (the operation's "schemes", which override the
 * description's: https when listed, else the first, else base_url's) ://
 * host (else base_url's host and port, without any user information)
 * basePath. NULL on ENOMEM (err set). */
static char *swagger_base(const coreapi_node *root, const coreapi_node *op,
                          const char *base_url, coreapi_error *err) {
  const coreapi_node *schemes = coreapi__oas_get(op, "schemes", 7);
  const char *host = coreapi__oas_string(root, "host"), *path = coreapi__oas_string(root, "basePath");
  const char *scheme = swagger_scheme(schemes ? schemes : coreapi__oas_get(root, "schemes", 7));
  const char *sep = base_url ? strstr(base_url, "://") : NULL, *auth = NULL, *at;
  size_t scheme_len = 0, host_len = 0;
  coreapi__buf b = {0};
  if (sep != NULL) {
    auth = sep + 3;
    host_len = strcspn(auth, "/?#");
    while ((at = memchr(auth, '@', host_len)) != NULL) { /* user:password@ is not the host */
      host_len -= (size_t)(at + 1 - auth);
      auth = at + 1;
    }
  }
  if (scheme == NULL && sep != NULL) {
    scheme = base_url;
    scheme_len = (size_t)(sep - base_url);
  } else {
    scheme = scheme ? scheme : "http";
    scheme_len = strlen(scheme);
  }
  if (host != NULL) {
    auth = host;
    host_len = strlen(host);
  }
  if ((coreapi__buf_append(&b, scheme, scheme_len) | coreapi__buf_append(&b, "://", 3) |
       coreapi__buf_append(&b, auth ? auth : "", auth ? host_len : 0) |
       coreapi__buf_append(&b, path ? path : "", path ? strlen(path) : 0)) != 0) {
    coreapi__buf_free(&b);
    COREAPI__OOM(err);
    return NULL;
  }
  return b.data;
}

/* base + path: one '/' between them. */
static char *join_path(const char *base, const char *path) {
  size_t b = strlen(base), p = strlen(path), slash;
  char *out;
  while (b > 0 && base[b - 1] == '/')
    b--;
  slash = path[0] != '/';
  if ((out = malloc(b + slash + p + 1)) != NULL) {
    memcpy(out, base, b);
    out[b] = '/'; /* overwritten by the path's own when it has one */
    memcpy(out + b + slash, path, p + 1);
  }
  return out;
}

/* One operation, decided: its group (first tag, or NULL) and key. */
typedef struct op_entry {
  const char *group;
  size_t group_no; /* the group's number, groups numbered as they first appear */
  char *key;       /* NULL until assign_generated_keys, without an operationId */
  const char *method, *path;
  coreapi_node *link;
} op_entry;

typedef struct op_list {
  op_entry *items;
  size_t count, cap;
  coreapi__oas_kept kept;      /* copies of security requirements */
  coreapi__oas_keys keys;      /* the keys taken in each group, and the groups */
  join_memo base;              /* oas3_base's last */
} op_list;

static void op_list_free(op_list *l) {
  coreapi__oas_kept_free(&l->kept);
  for (size_t i = 0; i < l->count; i++) {
    free(l->items[i].key);
    coreapi_node_free(l->items[i].link);
  }
  free(l->items);
  coreapi__oas_keys_free(&l->keys);
  free(l->base.server);
  free(l->base.joined);
}

/* operationId, else method and path ("get /pets/{id}" is "get_pets_id"),
 * made unique in its group with "_2", "_3"..., and taken there. NULL on
 * ENOMEM. */
static char *op_key(op_list *l, const char *group, const char *id, const char *method,
                    const char *path) {
  size_t n = strlen(method) + strlen(path) + (id ? strlen(id) : 0) + 24, o = 0;
  char *key = malloc(n), *p;
  if (key == NULL)
    return NULL;
  if (id != NULL && id[0] != '\0') {
    memcpy(key, id, strlen(id) + 1);
  } else {
    o = strlen(method);
    memcpy(key, method, o);
    for (p = (char *)path; *p; p++) {
      int alnum = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9');
      if (alnum)
        key[o++] = *p;
      else if (key[o - 1] != '_')
        key[o++] = '_';
    }
    while (o > 0 && key[o - 1] == '_')
      o--;
    key[o] = '\0';
  }
  if (coreapi__oas_key_take(&l->keys, group, key, n) != 0) {
    free(key);
    return NULL;
  }
  return key;
}

static op_entry *op_push(op_list *l) {
  op_entry *items = coreapi__array_room(l->items, &l->cap, l->count, sizeof(*items));
  if (items == NULL)
    return NULL;
  l->items = items;
  memset(&l->items[l->count], 0, sizeof(l->items[0]));
  return &l->items[l->count++];
}

/* The plain data from the description that the link keeps (field enums,
 * its security requirement) as copies of its own (document/copy.c): the
 * description's nodes live in the parse's slab or arena. Requirements the
 * same as one copied before share its copy. Release them with
 * release_copies. */
static coreapi_code keep_copies(op_list *l, coreapi_link_spec *spec, coreapi_field_spec *fields,
                                coreapi_error *err) {
  for (size_t i = 0; i < spec->field_count; i++)
    if (fields[i].schema_enum != NULL &&
        (fields[i].schema_enum = coreapi__node_copy(fields[i].schema_enum)) == NULL) {
      while (i-- > 0)
        coreapi_node_free(fields[i].schema_enum);
      spec->field_count = 0;
      return COREAPI__OOM(err);
    }
  if (spec->security != NULL &&
      (spec->security = coreapi__oas_security_copy(&l->kept, spec->security)) == NULL)
    return COREAPI__OOM(err);
  return COREAPI_OK;
}

static void release_copies(coreapi_link_spec *spec, coreapi_field_spec *fields) {
  for (size_t i = 0; fields != NULL && i < spec->field_count; i++)
    coreapi_node_free(fields[i].schema_enum);
  coreapi_node_free(spec->security);
}

/* err's text with where it is appended: " (get \"/pets\")". */
static coreapi_code located(coreapi_error *err, const char *method, const char *path) {
  char text[sizeof(err->text)];
  if (err->code != COREAPI_ERR_PARSE)
    return err->code;
  snprintf(text, sizeof(text), "%s", err->text);
  return coreapi_error_set(err, err->code, "%.*s (%s \"%.100s\")", (int)(sizeof(text) - 120),
                           text, method, path);
}

/* The operation's group: its first tag, or NULL (err set when "tags" is
 * not an array of strings). */
static const char *first_tag(const coreapi_node *op, coreapi_error *err) {
  const coreapi_node *tags = coreapi__oas_get(op, "tags", 4);
  const coreapi_node *first = coreapi_array_get(tags, 0);
  if ((tags != NULL && coreapi__oas_type(tags) != COREAPI_NODE_ARRAY) ||
      (first != NULL && coreapi__oas_type(first) != COREAPI_NODE_STRING))
    coreapi_error_set(err, COREAPI_ERR_PARSE, "OpenAPI: \"tags\" must be an array of strings");
  return coreapi_string_value(first, NULL);
}

/* The Link of operation op (method) on path, into l; its key when it has
 * an operationId (else assign_generated_keys gives it one). */
static coreapi_code add_operation(const coreapi_node *root, const char *base_url, int swagger,
                                  const char *path, const coreapi_node *path_item,
                                  const coreapi_node *op, const char *method, op_list *l,
                                  coreapi_error *err) {
  coreapi_link_spec spec = {0};
  coreapi_field_spec *fields = NULL;
  const char *group = first_tag(op, err), *id = coreapi__oas_string(op, "operationId");
  char *base = err->code != COREAPI_OK ? NULL
               : swagger             ? swagger_base(root, op, base_url, err)
                                     : oas3_base(root, path_item, op, base_url, &l->base, err);
  char *url = base ? join_path(base, path) : NULL;
  op_entry *e;
  coreapi_code rc = url == NULL ? (err->code != COREAPI_OK ? err->code : COREAPI__OOM(err))
                                : coreapi__oas_fields(root, path_item, op, swagger, &fields,
                                                      &spec.field_count, &spec.encoding, err);
  if (rc == COREAPI_OK) {
    spec.security = (coreapi_node *)coreapi__oas_security(root, op, method, path, err);
    rc = err->code;
  }
  if (rc == COREAPI_OK) {
    rc = keep_copies(l, &spec, fields, err);
  } else { /* nothing copied to release */
    spec.field_count = 0;
    spec.security = NULL;
  }
  if (rc == COREAPI_OK && (e = op_push(l)) == NULL)
    rc = COREAPI__OOM(err);
  if (rc == COREAPI_OK) {
    spec.url = url;
    spec.action = method;
    spec.title = coreapi__oas_string(op, "summary");
    spec.description = coreapi__oas_string(op, "description");
    spec.fields = fields;
    e->group = group;
    e->method = method;
    e->path = path;
    e->link = coreapi__link_new_trusted(&spec, err); /* the tree's strings are UTF-8 */
    if (e->link == NULL ||
        (group != NULL && coreapi__oas_group_number(&l->keys, group, &e->group_no) != 0) ||
        (id != NULL && id[0] != '\0' && (e->key = op_key(l, group, id, method, path)) == NULL))
      rc = err->code != COREAPI_OK ? err->code : COREAPI__OOM(err);
  }
  release_copies(&spec, fields);
  free(fields);
  free(url);
  free(base);
  return located(err, method, path);
}

/* Keys made from method and path for the operations without an
 * operationId, after every operationId has its key: an explicit id is
 * never renamed because an operation without one came first. 0, or -1 on
 * ENOMEM. */
static int assign_generated_keys(op_list *l) {
  for (size_t i = 0; i < l->count; i++) {
    op_entry *e = &l->items[i];
    if (e->key == NULL && (e->key = op_key(l, e->group, NULL, e->method, e->path)) == NULL)
      return -1;
  }
  return 0;
}

/* Every operation of the description into l, in document order. */
static coreapi_code collect_operations(const coreapi_node *root, const char *base_url,
                                       int swagger, op_list *l, coreapi_error *err) {
  const coreapi_node *paths = coreapi__oas_get(root, "paths", 5);
  if (paths != NULL && coreapi__oas_type(paths) != COREAPI_NODE_OBJECT)
    return coreapi_error_set(err, COREAPI_ERR_PARSE, "OpenAPI: \"paths\" must be an object");
  for (size_t i = 0; i < coreapi_map_size(paths); i++) {
    const char *path;
    const coreapi_node *item =
        coreapi__oas_deref(root, coreapi_map_entry_inserted(paths, i, &path, NULL), err);
    if (item == NULL)
      return err->code;
    if (coreapi__oas_type(item) != COREAPI_NODE_OBJECT)
      return coreapi_error_set(err, COREAPI_ERR_PARSE,
                               "OpenAPI: the path item \"%.100s\" must be an object", path);
    for (size_t k = 0; k < coreapi_map_size(item); k++) { /* in the item's own order */
      const char *name;
      const coreapi_node *op;
      size_t m = 0;
      coreapi_code rc;
      coreapi_map_entry_inserted(item, k, &name, NULL);
      while (m < sizeof(methods) / sizeof(methods[0]) && strcmp(methods[m], name) != 0)
        m++;
      if (m == sizeof(methods) / sizeof(methods[0]))
        continue; /* parameters, servers, summary, ... */
      if ((op = coreapi__oas_member(root, item, methods[m], err)) == NULL)
        return err->code;
      if (coreapi__oas_type(op) != COREAPI_NODE_OBJECT)
        return coreapi_error_set(err, COREAPI_ERR_PARSE,
                                 "OpenAPI: %s of \"%.100s\" must be an object", methods[m],
                                 path);
      rc = add_operation(root, base_url, swagger, path, item, op, methods[m], l, err);
      if (rc != COREAPI_OK)
        return rc;
    }
  }
  return COREAPI_OK;
}

/* An untagged operation's key may have been made before a tag of that name
 * appeared: such a key takes a suffix ("_2", ...) free at the top level.
 * 0, or -1 on ENOMEM. */
static int fix_top_keys(op_list *l) {
  for (size_t i = 0; i < l->count; i++) {
    op_entry *e = &l->items[i];
    size_t n;
    char *key;
    if (e->group != NULL || !coreapi__oas_is_group(&l->keys, e->key))
      continue;
    n = strlen(e->key) + 16;
    if ((key = malloc(n)) == NULL)
      return -1;
    snprintf(key, n, "%s", e->key);
    if (coreapi__oas_key_take(&l->keys, NULL, key, n) != 0) {
      free(key);
      return -1;
    }
    free(e->key);
    e->key = key;
  }
  return 0;
}

/* The grouped entries of l group after group, each group's in document
 * order: group g's are (*order)[(*start)[g]] to (*order)[(*start)[g + 1]]
 * (both arrays new). 0, or -1 on ENOMEM. */
static int bucket_groups(const op_list *l, size_t **start, size_t **order) {
  size_t *s = calloc(l->keys.ngroups + 2, sizeof(*s)), *o = malloc((l->count + 1) * sizeof(*o));
  if (s == NULL || o == NULL) {
    free(s);
    free(o);
    return -1;
  }
  for (size_t i = 0; i < l->count; i++)
    if (l->items[i].group != NULL)
      s[l->items[i].group_no + 2]++;
  for (size_t g = 2; g < l->keys.ngroups + 2; g++)
    s[g] += s[g - 1];
  for (size_t i = 0; i < l->count; i++) /* s[g + 1]: where group g's next entry goes */
    if (l->items[i].group != NULL)
      o[s[l->items[i].group_no + 1]++] = i;
  *start = s;
  *order = o;
  return 0;
}

/* The links of the n entries at (indices in l) as an Object (new), or NULL
 * (err set). Their keys are unique in their group. */
static coreapi_node *group_object(const op_list *l, const size_t *at, size_t n,
                                  coreapi_error *err) {
  coreapi_map_builder *b = coreapi_map_builder_new();
  for (size_t i = 0; b != NULL && i < n; i++) {
    const op_entry *e = &l->items[at[i]];
    if (coreapi__map_builder_add_unique(b, e->key, strlen(e->key), coreapi_node_ref(e->link)) !=
        0) {
      coreapi_map_builder_free(b);
      b = NULL;
    }
  }
  if (b == NULL)
    COREAPI__OOM(err);
  return b ? coreapi_map_builder_object(b, err) : NULL;
}

/* The description's security schemes into b. Their relative URLs are
 * resolved against the first server's URL (OpenAPI 3: "relative references
 * are resolved using the URLs defined in the Server Object as a Base URL"),
 * Swagger 2's against the description's. */
static coreapi_code document_schemes(const coreapi_node *root, int swagger, const char *base_url,
                                     coreapi_map_builder *b, coreapi_error *err) {
  char *base = swagger ? NULL : oas3_base(root, NULL, NULL, base_url, NULL, err);
  coreapi_node *schemes = NULL;
  coreapi_code rc = !swagger && base == NULL
                        ? err->code
                        : coreapi__oas_security_schemes(root, swagger, swagger ? base_url : base,
                                                        &schemes, err);
  free(base);
  if (rc != COREAPI_OK || schemes == NULL)
    return rc;
  return coreapi_map_builder_set_security_schemes(b, schemes, err);
}

/* The Document of the operations in l: each group where its first entry is,
 * untagged links by their keys (unique at the top level, and none a group's
 * name: fix_top_keys). */
static coreapi_node *build_document(const coreapi_node *root, const char *base_url, int swagger,
                                    const op_list *l, coreapi_error *err) {
  const coreapi_node *info = coreapi__oas_get(root, "info", 4);
  coreapi_map_builder *b = coreapi_map_builder_new();
  size_t *start = NULL, *order = NULL;
  coreapi_code rc = b != NULL && bucket_groups(l, &start, &order) == 0 ? COREAPI_OK
                                                                       : COREAPI__OOM(err);
  for (size_t i = 0; rc == COREAPI_OK && i < l->count; i++) {
    const op_entry *e = &l->items[i];
    const size_t *first = e->group != NULL ? order + start[e->group_no] : NULL;
    const char *key = e->group ? e->group : e->key;
    coreapi_node *v;
    if (first != NULL && *first != i)
      continue; /* not the first of its group */
    v = first != NULL ? group_object(l, first, start[e->group_no + 1] - start[e->group_no], err)
                      : coreapi_node_ref(e->link);
    if (v == NULL)
      rc = err->code != COREAPI_OK ? err->code : COREAPI__OOM(err);
    else if (coreapi__map_builder_add_unique(b, key, strlen(key), v) != 0)
      rc = COREAPI__OOM(err);
  }
  free(start);
  free(order);
  if (rc == COREAPI_OK)
    rc = document_schemes(root, swagger, base_url, b, err);
  if (rc != COREAPI_OK) {
    coreapi_map_builder_free(b);
    return NULL;
  }
  return coreapi_map_builder_document(b, base_url ? base_url : "",
                                      coreapi__oas_string(info, "title"),
                                      coreapi__oas_string(info, "description"), MEDIA_TYPE, err);
}

/* Does root say it is an OpenAPI 3 or Swagger 2 description? */
static int is_description(const coreapi_node *root) {
  const char *openapi = coreapi__oas_string(root, "openapi");
  const char *swagger = coreapi__oas_string(root, "swagger");
  return (openapi != NULL && strncmp(openapi, "3.", 2) == 0) ||
         (swagger != NULL && strcmp(swagger, "2.0") == 0);
}

coreapi_node *coreapi__openapi_document(const coreapi_node *root, const char *base_url,
                                        coreapi_error *err) {
  const char *openapi = coreapi__oas_string(root, "openapi");
  const char *swagger = coreapi__oas_string(root, "swagger");
  op_list l = {0};
  coreapi_node *doc = NULL;
  if (coreapi__oas_type(root) != COREAPI_NODE_OBJECT) {
    coreapi_error_set(err, COREAPI_ERR_PARSE, "OpenAPI: the description must be an object");
    return NULL;
  }
  if (!is_description(root)) {
    int number = coreapi__oas_get(root, "openapi", 7) != NULL || coreapi__oas_get(root, "swagger", 7);
    coreapi_error_set(err, COREAPI_ERR_PARSE,
                      "OpenAPI: neither \"openapi\": \"3.x\" nor \"swagger\": \"2.0\" (%s%.40s%s)",
                      openapi || swagger ? "found \"" : number ? "the version is not a string: "
                                                                    "in YAML, quote it" : "no version",
                      openapi ? openapi : swagger ? swagger : "", openapi || swagger ? "\"" : "");
    return NULL;
  }
  if (collect_operations(root, base_url, swagger != NULL && openapi == NULL, &l, err) ==
      COREAPI_OK) {
    if (assign_generated_keys(&l) != 0 || fix_top_keys(&l) != 0)
      COREAPI__OOM(err);
    else
      doc = build_document(root, base_url, swagger != NULL && openapi == NULL, &l, err);
  }
  op_list_free(&l);
  return doc;
}

/* Is the text JSON (an object or an array first), not YAML? */
static int looks_like_json(const char *data, size_t len) {
  size_t i = 0;
  while (i < len && (data[i] == ' ' || data[i] == '\t' || data[i] == '\r' || data[i] == '\n'))
    i++;
  return i < len && (data[i] == '{' || data[i] == '[');
}

coreapi_node *coreapi__openapi_decode_limited(const char *data, size_t len, const char *base_url,
                                              size_t max_decoded, coreapi_error *err) {
  coreapi_node *root, *doc = NULL;
  coreapi__arena *arena = NULL;
  coreapi_error_clear(err);
  /* JSON is YAML too, but read by the JSON parser, whose errors say JSON.
   * The YAML tree is made in an arena, dropped whole once the Document
   * (which keeps copies of what it needs) is made. */
  if (data != NULL && !looks_like_json(data, len)) {
    arena = coreapi__arena_open();
    root = coreapi__yaml_parse(data, len, max_decoded, err);
    coreapi__arena_close(arena);
  } else {
    root = coreapi__json_decode_tree(data, len, NULL, 1, max_decoded, err);
  }
  if (root != NULL)
    doc = coreapi__openapi_document(root, base_url, err);
  coreapi_node_free(root);
  coreapi__arena_free(arena);
  return doc;
}

coreapi_node *coreapi__json_or_openapi(const char *data, size_t len, const char *base_url,
                                       size_t max_decoded, coreapi_error *err) {
  coreapi_node *root = coreapi__json_decode_tree(data, len, NULL, 1, max_decoded, err), *doc;
  if (root == NULL || !is_description(root))
    return root;
  doc = coreapi__openapi_document(root, base_url, err);
  coreapi_node_free(root);
  return doc;
}

coreapi_node *coreapi_openapi_decode(const char *data, size_t len, const char *base_url,
                                     coreapi_error *err) {
  return coreapi__openapi_decode_limited(data, len, base_url, COREAPI__DECODE_LIMIT, err);
}
