/*
 * transitions/link.c - acting on a link: lookup, parameter checks, building
 * the request (URL template, query, body by encoding) and the in-place
 * transform of nested documents, as the reference client does.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../transport/transport.h"
#include "../codecs/codecs.h"
#include "../text/text.h"
#include "params.h"

/* From transitions/action.c. */
coreapi_code coreapi__transition(coreapi_client *c, coreapi_request *req, const char *forced,
                                 coreapi_result *result, coreapi_error *err);

/* Python's type(node).__name__ for the reference's error messages. */
static const char *python_type(const coreapi_node *n) {
  switch (coreapi_node_type_of(n)) {
    case COREAPI_NODE_DOCUMENT: return "Document";
    case COREAPI_NODE_OBJECT: return "Object";
    case COREAPI_NODE_ARRAY: return "Array";
    case COREAPI_NODE_LINK: return "Link";
    case COREAPI_NODE_ERROR: return "Error";
    case COREAPI_NODE_STRING: return "str";
    case COREAPI_NODE_INTEGER: return "int";
    case COREAPI_NODE_REAL: return "float";
    case COREAPI_NODE_BOOLEAN: return "bool";
    case COREAPI_NODE_NULL: return "NoneType";
    default: return "object";
  }
}

/* "['users'][0]['list']", as ''.join('[%s]' % repr(key)) writes it. */
static void index_string(const coreapi_key *keys, size_t n, char *buf, size_t size) {
  size_t used = 0;
  buf[0] = '\0';
  for (size_t i = 0; i < n && used < size; i++) {
    int w = keys[i].name ? snprintf(buf + used, size - used, "['%s']", keys[i].name)
                         : snprintf(buf + used, size - used, "[%zu]", keys[i].index);
    if (w < 0)
      break;
    used += (size_t)w;
  }
}

static void key_repr(const coreapi_key *k, char *buf, size_t size) {
  if (k->name)
    snprintf(buf, size, "'%s'", k->name);
  else
    snprintf(buf, size, "%zu", k->index);
}

/* The reference's _lookup_link: the link at keys, and how many keys lead to
 * the last Document on the way (the link's nearest document ancestor). */
static const coreapi_node *lookup_link(const coreapi_node *doc, const coreapi_key *keys,
                                       size_t n, size_t *parent_depth, coreapi_error *err) {
  const coreapi_node *node = doc;
  char where[512], key[300];
  *parent_depth = 0;
  for (size_t i = 0; i < n; i++) {
    const coreapi_node *next = coreapi_node_lookup(node, &keys[i], 1, NULL);
    if (next == NULL) {
      index_string(keys, n, where, sizeof(where));
      key_repr(&keys[i], key, sizeof(key));
      coreapi_error_set(err, COREAPI_ERR_LINK_LOOKUP,
                        "Index %s did not reference a link. Key %s was not found.", where, key);
      return NULL;
    }
    node = next;
    if (coreapi_node_type_of(node) == COREAPI_NODE_DOCUMENT)
      *parent_depth = i + 1;
  }
  if (coreapi_node_type_of(node) != COREAPI_NODE_LINK) {
    index_string(keys, n, where, sizeof(where));
    coreapi_error_set(err, COREAPI_ERR_LINK_LOOKUP,
                      "Can only call 'action' on a Link. Index %s returned type '%s'.", where,
                      python_type(node));
    return NULL;
  }
  return node;
}

/* The reference's _validate_parameters: required fields present, no unknown
 * names. Adds to errors; returns how many it added, -1 on ENOMEM. */
static int validate_parameters(const coreapi_node *link, const coreapi_node *params,
                               coreapi_map_builder *errors) {
  int added = 0;
  for (size_t i = 0; i < coreapi_link_field_count(link); i++) {
    const coreapi_field *f = coreapi_link_field(link, i);
    const char *name = coreapi_field_name(f);
    if (coreapi_field_required(f) && coreapi_map_get(params, name, strlen(name)) == NULL) {
      coreapi_node *m = coreapi_string_new("This parameter is required.", 27, NULL);
      if (m == NULL || coreapi_map_builder_set(errors, name, strlen(name), m, NULL) != COREAPI_OK)
        return -1;
      added++;
    }
  }
  for (size_t i = 0; i < coreapi_map_size(params); i++) {
    const char *key;
    size_t klen, k;
    coreapi_map_entry_inserted(params, i, &key, &klen);
    for (k = 0; k < coreapi_link_field_count(link); k++)
      if (strcmp(coreapi_field_name(coreapi_link_field(link, k)), key) == 0)
        break;
    if (k == coreapi_link_field_count(link)) {
      coreapi_node *m = coreapi_string_new("Unknown parameter.", 18, NULL);
      if (m == NULL || coreapi_map_builder_set(errors, key, klen, m, NULL) != COREAPI_OK)
        return -1;
      added++;
    }
  }
  return added;
}

/* Fail with ERR_PARAMETER: result->node is the Object of messages and the
 * error text lists them ("name: message; ..."). Consumes errors. */
static coreapi_code parameter_error(coreapi_map_builder *errors, coreapi_result *result,
                                    coreapi_error *err) {
  coreapi__buf text = {0};
  coreapi_node *obj = coreapi_map_builder_object(errors, err);
  if (obj == NULL)
    return err ? err->code : COREAPI_ERR_OUT_OF_MEMORY;
  for (size_t i = 0; i < coreapi_map_size(obj); i++) {
    const char *key;
    coreapi_node *v = coreapi_map_entry(obj, i, &key, NULL);
    coreapi__buf_appendf(&text, "%s%s: %s", i ? "; " : "", key, coreapi_string_value(v, NULL));
  }
  result->node = obj;
  coreapi_error_set(err, COREAPI_ERR_PARAMETER, "%s", text.data ? text.data : "invalid parameters");
  coreapi__buf_free(&text);
  return COREAPI_ERR_PARAMETER;
}

/* Python's mimetypes.guess_type (text/mimetypes.c) for the names people
 * upload. The media type a "data:" URL spells in the name itself (not
 * NUL-terminated there) is not used: application/octet-stream then. */
static const char *guess_type(const char *name) {
  size_t len;
  const char *type = coreapi__guess_type(name, &len);
  return type != NULL && type[len] == '\0' ? type : NULL;
}

/* An application/json body: the body parameter when it is truthy, else the
 * form fields as an Object (consumes p->json), when there are any. */
static coreapi_code json_body(coreapi_request *req, coreapi__params *p, const char *type,
                              coreapi_error *err) {
  coreapi_node *data = NULL;
  char *json;
  size_t len;
  coreapi_code rc;
  if (p->body != NULL) {
    if (!coreapi__truthy(p->body))
      return COREAPI_OK;
    data = coreapi_node_ref(p->body);
  } else {
    if (p->json_count == 0)
      return COREAPI_OK;
    data = coreapi_map_builder_object(p->json, err); /* consumes the builder */
    p->json = NULL;
    if (data == NULL)
      return err ? err->code : COREAPI_ERR_OUT_OF_MEMORY;
  }
  json = coreapi_json_encode(data, -1, 1, &len, err);
  coreapi_node_free(data);
  if (json == NULL)
    return err ? err->code : COREAPI_ERR_OUT_OF_MEMORY;
  rc = coreapi_request_set_body(req, json, len, err);
  free(json);
  if (rc == COREAPI_OK)
    rc = coreapi_request_set_header(req, "Content-Type", type, err);
  return rc;
}

/* An application/x-www-form-urlencoded body of the form fields, when there
 * are any. */
static coreapi_code urlencoded_body(coreapi_request *req, const coreapi__params *p,
                                    coreapi_error *err) {
  coreapi__buf b = {0};
  coreapi_code rc;
  if (p->form_count == 0)
    return COREAPI_OK;
  if (coreapi__buf_append(&b, "", 0) != 0 || coreapi__urlencode(&b, p->form, p->form_count) != 0) {
    coreapi__buf_free(&b);
    return COREAPI__OOM(err);
  }
  rc = coreapi_request_set_body(req, b.data, b.len, err);
  coreapi__buf_free(&b);
  if (rc == COREAPI_OK)
    rc = coreapi_request_set_header(req, "Content-Type", "application/x-www-form-urlencoded",
                                    err);
  return rc;
}

/* A multipart/form-data body of the form fields, when there are any. */
static coreapi_code multipart_body(coreapi_request *req, const coreapi__params *p,
                                   coreapi_error *err) {
  coreapi_code rc;
  if (p->form_count == 0)
    return COREAPI_OK;
  rc = coreapi__request_set_multipart(req, err);
  /* Fields first, then files, as requests writes them. */
  for (size_t i = 0; rc == COREAPI_OK && i < p->form_count; i++)
    for (size_t k = 0; rc == COREAPI_OK && p->form[i].file == NULL && k < p->form[i].count; k++)
      rc = coreapi__request_add_part(req, p->form[i].name, p->form[i].strings[k], NULL, err);
  for (size_t i = 0; rc == COREAPI_OK && i < p->form_count; i++)
    if (p->form[i].file != NULL) {
      coreapi__source *src = coreapi__file_source(p->form[i].file);
      rc = src ? coreapi__request_add_part(req, p->form[i].name, NULL, src, err)
               : COREAPI__OOM(err);
      coreapi__source_free(src);
    }
  return rc;
}

/* An application/octet-stream body: the file upload, its Content-Type and
 * its Content-Disposition. */
static coreapi_code upload_body(coreapi_request *req, const coreapi_node *file,
                                coreapi_error *err) {
  const char *name = coreapi_file_name(file);
  const char *type = coreapi_file_content_type(file);
  coreapi__source *src = coreapi__file_source(file);
  char *disposition;
  coreapi_code rc;
  if (type == NULL || type[0] == '\0')
    type = name[0] ? guess_type(name) : NULL;
  rc = src ? coreapi__request_set_upload(req, src, err) : COREAPI__OOM(err);
  coreapi__source_free(src);
  if (rc == COREAPI_OK)
    rc = coreapi_request_set_header(req, "Content-Type", type ? type : "application/octet-stream",
                                    err);
  if (rc != COREAPI_OK)
    return rc;
  if (name[0] == '\0')
    return coreapi_request_set_header(req, "Content-Disposition", "attachment", err);
  disposition = malloc(strlen(name) + 32);
  if (disposition == NULL)
    return COREAPI__OOM(err);
  sprintf(disposition, "attachment; filename=\"%s\"", name);
  rc = coreapi_request_set_header(req, "Content-Disposition", disposition, err);
  free(disposition);
  return rc;
}

/* The encoding a body is built for: one of the four the reference knows
 * when encoding is that media type whatever its case and parameters (any
 * JSON one, "+json" included, is application/json), else encoding. */
static const char *body_kind(const char *encoding) {
  static const char *const kinds[] = {"multipart/form-data", "application/x-www-form-urlencoded",
                                      "application/octet-stream"};
  if (coreapi__media_type_is_json(encoding))
    return "application/json";
  for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
    if (coreapi__media_type_is(encoding, kinds[i]))
      return kinds[i];
  return encoding;
}

/* The body of req from the sorted parameters, by kind (body_kind of
 * encoding); a JSON body's Content-Type is the encoding as written
 * (application/merge-patch+json). */
static coreapi_code build_body(coreapi_request *req, coreapi__params *p, const char *kind,
                               const char *encoding, coreapi_error *err) {
  if (strcmp(kind, "application/json") == 0)
    return json_body(req, p, encoding, err);
  if (strcmp(kind, "application/x-www-form-urlencoded") == 0)
    return urlencoded_body(req, p, err);
  if (strcmp(kind, "multipart/form-data") == 0)
    return multipart_body(req, p, err);
  if (strcmp(kind, "application/octet-stream") == 0 && p->body != NULL)
    return upload_body(req, p->body, err);
  return COREAPI_OK;
}

/* The reference's parameter checks (required fields present, no unknown
 * names): OK, or ERR_PARAMETER with the messages in result->node. params
 * NULL is no parameters: map lookups on NULL find nothing. */
static coreapi_code check_parameters(const coreapi_node *link, const coreapi_node *params,
                                     coreapi_result *result, coreapi_error *err) {
  coreapi_map_builder *errors = coreapi_map_builder_new();
  int bad = errors ? validate_parameters(link, params, errors) : -1;
  if (bad < 0) {
    coreapi_map_builder_free(errors);
    return COREAPI__OOM(err);
  }
  if (bad > 0)
    return parameter_error(errors, result, err);
  coreapi_map_builder_free(errors);
  return COREAPI_OK;
}

/* The HTTP method of action into method (size bytes): ASCII letters upper
 * cased, "GET" for an empty action. */
static coreapi_code method_of(const char *action, char *method, size_t size, coreapi_error *err) {
  if (strlen(action) >= size)
    return coreapi_error_set(err, COREAPI_ERR_INVALID_ARGUMENT, "action too long");
  for (size_t i = 0;; i++) {
    char ch = action[i];
    method[i] = (char)((ch >= 'a' && ch <= 'z') ? ch - 32 : ch);
    if (ch == '\0')
      break;
  }
  if (method[0] == '\0')
    strcpy(method, "GET");
  return COREAPI_OK;
}

/* Append to target the URL: the template expanded with the path parameters
 * (consumes p->path) when there are any, else url as it is. */
static coreapi_code expand_url(coreapi__buf *target, const char *url, coreapi__params *p,
                               coreapi_error *err) {
  coreapi_node *vars;
  char *expanded;
  size_t len;
  coreapi_code rc;
  if (p->path_count == 0)
    return coreapi__buf_append(target, url, strlen(url)) == 0 ? COREAPI_OK : COREAPI__OOM(err);
  vars = coreapi_map_builder_object(p->path, err);
  p->path = NULL;
  if (vars == NULL)
    return err ? err->code : COREAPI_ERR_OUT_OF_MEMORY;
  expanded = coreapi_uritemplate_expand(url, strlen(url), vars, &len, err);
  coreapi_node_free(vars);
  if (expanded == NULL)
    return err ? err->code : COREAPI_ERR_INVALID_ARGUMENT;
  rc = coreapi__buf_append(target, expanded, len) == 0 ? COREAPI_OK : COREAPI__OOM(err);
  free(expanded);
  return rc;
}

/* Add the query parameters to the URL in target, when there are any: after
 * its query ('&') or as one ('?'), before its fragment. */
static coreapi_code add_query(coreapi__buf *target, const coreapi__params *p, coreapi_error *err) {
  const char *hash;
  size_t end;
  coreapi__buf q = {0};
  int has_query;
  if (p->query_count == 0)
    return COREAPI_OK;
  hash = strchr(target->data, '#');
  end = hash ? (size_t)(hash - target->data) : target->len;
  has_query = memchr(target->data, '?', end) != NULL;
  if (coreapi__buf_append(&q, target->data, end) != 0 ||
      coreapi__buf_append(&q, has_query ? "&" : "?", 1) != 0 ||
      coreapi__urlencode(&q, p->query, p->query_count) != 0 ||
      (hash && coreapi__buf_append(&q, hash, strlen(hash)) != 0)) {
    coreapi__buf_free(&q);
    return COREAPI__OOM(err);
  }
  coreapi__buf_free(target);
  *target = q;
  return COREAPI_OK;
}

/* Transform: a link in a nested document (parent_depth keys down) acting in
 * place. result->node, a Document, replaces that document in a copy of the
 * root; no content at all deletes it. Other results are left as they are. */
static coreapi_code transform_result(const coreapi_node *document, const coreapi_key *keys,
                                     size_t parent_depth, const char *transform,
                                     const char *method, coreapi_result *result,
                                     coreapi_error *err) {
  int inplace;
  if (transform[0] != '\0') {
    inplace = strcmp(transform, "inplace") == 0;
  } else {
    inplace = strcmp(method, "PUT") == 0 || strcmp(method, "PATCH") == 0 ||
              strcmp(method, "DELETE") == 0;
  }
  if (inplace && parent_depth > 0 && coreapi_node_type_of(result->node) == COREAPI_NODE_DOCUMENT) {
    coreapi_node *root = coreapi_node_set_in(document, keys, parent_depth, result->node, err);
    if (root == NULL)
      return err ? err->code : COREAPI_ERR_OUT_OF_MEMORY;
    coreapi_node_free(result->node);
    result->node = root;
  } else if (inplace && parent_depth > 0 && result->node == NULL && result->file == NULL) {
    coreapi_node *root = coreapi_node_delete_in(document, keys, parent_depth, err);
    if (root == NULL)
      return err ? err->code : COREAPI_ERR_OUT_OF_MEMORY;
    result->node = root;
  }
  return COREAPI_OK;
}

coreapi_code coreapi_client_action(coreapi_client *c, const coreapi_node *document,
                                   const coreapi_key *keys, size_t n,
                                   const coreapi_node *params,
                                   const coreapi_action_options *opts, coreapi_result *result,
                                   coreapi_error *err) {
  static const coreapi_action_options no_options;
  const coreapi_node *link;
  size_t parent_depth;
  const char *url, *action, *encoding, *transform;
  char method[64];
  coreapi__params p;
  coreapi__buf target = {0};
  coreapi_request *req = NULL;
  coreapi_code rc;

  coreapi_error_clear(err);
  if (result != NULL)
    memset(result, 0, sizeof(*result));
  if (c == NULL || document == NULL || result == NULL || (keys == NULL && n > 0))
    return coreapi_error_set(err, COREAPI_ERR_INVALID_ARGUMENT,
                             "client, document, keys and result must not be NULL");
  if (params != NULL && coreapi_node_type_of(params) != COREAPI_NODE_OBJECT)
    return coreapi_error_set(err, COREAPI_ERR_INVALID_ARGUMENT, "params must be an Object");
  if (opts == NULL)
    opts = &no_options;
  link = lookup_link(document, keys, n, &parent_depth, err);
  if (link == NULL)
    return COREAPI_ERR_LINK_LOOKUP;
  if (!opts->no_validate && (rc = check_parameters(link, params, result, err)) != COREAPI_OK)
    return rc;

  url = opts->url ? opts->url : coreapi_node_url(link);
  action = opts->action ? opts->action : coreapi_link_action(link);
  encoding = opts->encoding ? opts->encoding : coreapi_link_encoding(link);
  transform = opts->transform ? opts->transform : coreapi_link_transform(link);
  if (encoding[0] == '\0')
    encoding = "application/json";
  if ((rc = method_of(action, method, sizeof(method), err)) != COREAPI_OK)
    return rc;

  rc = coreapi__params_sort(&p, params, link, opts->fields, opts->field_count,
                            opts->override_fields, method, body_kind(encoding), err);
  if (rc == COREAPI_OK && p.error_count > 0) {
    rc = parameter_error(p.errors, result, err);
    p.errors = NULL;
  }
  /* The URL: the template expanded with the path parameters, then the query. */
  if (rc == COREAPI_OK)
    rc = expand_url(&target, url, &p, err);
  if (rc == COREAPI_OK)
    rc = add_query(&target, &p, err);
  if (rc != COREAPI_OK)
    goto out;
  req = coreapi_request_new(method, target.data, err);
  if (req == NULL) {
    rc = err ? err->code : COREAPI_ERR_BAD_URL;
    goto out;
  }
  rc = build_body(req, &p, body_kind(encoding), encoding, err);
  if (rc == COREAPI_OK)
    rc = coreapi__params_apply(req, &p, err);
  if (rc == COREAPI_OK)
    rc = coreapi__transition(c, req, NULL, result, err);
  if (rc == COREAPI_OK)
    rc = transform_result(document, keys, parent_depth, transform, method, result, err);
out:
  coreapi__params_free(&p);
  coreapi__buf_free(&target);
  coreapi_request_free(req);
  if (rc != COREAPI_OK && rc != COREAPI_ERR_ERROR_RESPONSE && rc != COREAPI_ERR_PARAMETER)
    coreapi_result_clear(result);
  return rc;
}
