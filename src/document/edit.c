/*
 * document/edit.c - persistent updates: a new root with one node replaced or
 * removed, sharing every subtree off the path (documents are immutable).
 */
#include <string.h>

#include "document.h"

/* Finish b as a map of container's kind, with its attributes. */
static coreapi_node *finish_like(const coreapi_node *container, coreapi_map_builder *b,
                                 coreapi_error *err) {
  const map_node *m = AS_MAP(container);
  switch (container->type) {
    case COREAPI_NODE_DOCUMENT:
      if (m->attrs != NULL && m->attrs->security_schemes != NULL &&
          coreapi_map_builder_set_security_schemes(
              b, coreapi_node_ref(m->attrs->security_schemes), err) != COREAPI_OK) {
        coreapi_map_builder_free(b);
        return NULL;
      }
      return coreapi_map_builder_document(b, coreapi__map_url(m), coreapi__map_title(m),
                                          coreapi__map_description(m),
                                          coreapi__map_media_type(m), err);
    case COREAPI_NODE_ERROR:
      return coreapi_map_builder_error(b, coreapi__map_title(m), err);
    default:
      return coreapi_map_builder_object(b, err);
  }
}

/* A copy of container with the entry at key replaced by value (value NULL:
 * removed). Maps keep their kind and attributes and the other entries'
 * insertion order; a new key is added at the end. Takes ownership of value. */
static coreapi_node *replace_child(const coreapi_node *container, const coreapi_key *key,
                                   coreapi_node *value, coreapi_error *err) {
  if (coreapi__is_map(container) && key->name != NULL) {
    const map_node *m = AS_MAP(container);
    size_t klen = strlen(key->name);
    int found = 0;
    coreapi_map_builder *b = coreapi_map_builder_new();
    if (b == NULL)
      goto oom;
    for (size_t i = 0; i < m->count; i++) {
      const map_entry *e = &m->entries[i];
      coreapi_node *v = e->value;
      if (e->key_len == klen && memcmp(e->key, key->name, klen) == 0) {
        found = 1;
        if (value == NULL)
          continue;
        v = value;
        value = NULL;
      } else {
        coreapi_node_ref(v);
      }
      if (coreapi__map_builder_add_unique(b, e->key, e->key_len, v) != 0) {
        coreapi_map_builder_free(b);
        goto oom;
      }
    }
    if (value != NULL && coreapi__map_builder_add_unique(b, key->name, klen, value) != 0) {
      value = NULL;
      coreapi_map_builder_free(b);
      goto oom;
    }
    (void)found;
    return finish_like(container, b, err);
  }
  if (container->type == COREAPI_NODE_ARRAY && key->name == NULL) {
    size_t count = coreapi__array_count(container);
    coreapi_node *const *items = coreapi__array_items(container);
    coreapi_array_builder *b = coreapi_array_builder_new();
    if (b == NULL)
      goto oom;
    for (size_t i = 0; i < count; i++) {
      coreapi_node *v;
      if (i == key->index) {
        if (value == NULL)
          continue;
        v = value;
        value = NULL;
      } else {
        v = coreapi_node_ref(items[i]);
      }
      if (coreapi_array_builder_append(b, v, err) != COREAPI_OK) {
        coreapi_array_builder_free(b);
        goto oom;
      }
    }
    coreapi_node_free(value);
    return coreapi_array_builder_finish(b, err);
  }
  coreapi_node_free(value);
  coreapi_error_set(err, COREAPI_ERR_NOT_FOUND, "cannot step into %s",
                    coreapi_node_type_name(container->type));
  return NULL;
oom:
  coreapi_node_free(value);
  COREAPI__OOM(err);
  return NULL;
}

/* The edit at depth i of the path: returns the new version of node. */
static coreapi_node *edit_at(const coreapi_node *node, const coreapi_key *keys, size_t n,
                             size_t i, coreapi_node *value, int remove, coreapi_error *err) {
  const coreapi_node *child;
  coreapi_node *new_child;
  if (i + 1 == n) {
    if (remove || (keys[i].name == NULL && keys[i].index >= coreapi_array_size(node))) {
      coreapi_error e2;
      if (coreapi_node_lookup(node, &keys[i], 1, &e2) == NULL) {
        coreapi_error_set(err, COREAPI_ERR_NOT_FOUND, "%s", e2.text);
        coreapi_node_free(value);
        return NULL;
      }
    }
    return replace_child(node, &keys[i], remove ? NULL : value, err);
  }
  {
    coreapi_error e2;
    child = coreapi_node_lookup(node, &keys[i], 1, &e2);
    if (child == NULL) {
      coreapi_error_set(err, e2.code, "%s", e2.text);
      coreapi_node_free(value);
      return NULL;
    }
  }
  new_child = edit_at(child, keys, n, i + 1, value, remove, err);
  if (new_child == NULL)
    return NULL;
  return replace_child(node, &keys[i], new_child, err);
}

coreapi_node *coreapi_node_set_in(const coreapi_node *root, const coreapi_key *keys, size_t n,
                                  coreapi_node *value, coreapi_error *err) {
  coreapi_error_clear(err);
  if (root == NULL || value == NULL || (keys == NULL && n > 0)) {
    coreapi_error_set(err, COREAPI_ERR_INVALID_ARGUMENT, "set_in needs a root, keys and a value");
    return NULL;
  }
  coreapi_node_ref(value);
  if (n == 0)
    return value;
  return edit_at(root, keys, n, 0, value, 0, err);
}

coreapi_node *coreapi_node_delete_in(const coreapi_node *root, const coreapi_key *keys, size_t n,
                                     coreapi_error *err) {
  coreapi_error_clear(err);
  if (root == NULL || keys == NULL || n == 0) {
    coreapi_error_set(err, COREAPI_ERR_INVALID_ARGUMENT, "delete_in needs a root and keys");
    return NULL;
  }
  return edit_at(root, keys, n, 0, NULL, 1, err);
}
