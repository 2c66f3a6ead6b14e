/*
 * document/file.c - File nodes: files to upload, from a path (streamed from
 * disk when the request is sent) or from a caller's stream.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "document.h"

static coreapi_node *file_alloc(const char *name, const char *content_type) {
  size_t nl = strlen(name), tl = content_type ? strlen(content_type) : 0;
  file_node *f = (file_node *)coreapi__node_alloc(sizeof(file_node) + nl + tl + 2,
                                                  COREAPI_NODE_FILE);
  char *blob;
  if (f == NULL)
    return NULL;
  blob = (char *)(f + 1);
  memcpy(blob, name, nl + 1);
  f->name = blob;
  blob += nl + 1;
  if (tl)
    memcpy(blob, content_type, tl);
  blob[tl] = '\0';
  f->content_type = blob;
  f->path = NULL;
  f->ops = NULL;
  f->userdata = NULL;
  f->size = -1;
  return &f->base;
}

coreapi_node *coreapi_file_new(const char *path, const char *name, const char *content_type,
                               coreapi_error *err) {
  coreapi_node *n;
  coreapi_error_clear(err);
  if (path == NULL || path[0] == '\0') {
    coreapi_error_set(err, COREAPI_ERR_INVALID_ARGUMENT, "a file needs a path");
    return NULL;
  }
  if (access(path, R_OK) != 0) {
    coreapi_error_set(err, COREAPI_ERR_IO, "cannot read %s", path);
    return NULL;
  }
  if (name == NULL) {
    const char *slash = strrchr(path, '/');
    name = slash ? slash + 1 : path;
  }
  if (!coreapi__is_plain_utf8(name) || !coreapi__is_plain_utf8(content_type)) {
    coreapi_error_set(err, COREAPI_ERR_INVALID_ARGUMENT,
                      "file name and content type must be UTF-8 without control characters");
    return NULL;
  }
  n = file_alloc(name, content_type);
  if (n == NULL || (AS_FILE(n)->path = coreapi__strdup(path)) == NULL) {
    coreapi__node_dealloc(n);
    COREAPI__OOM(err);
    return NULL;
  }
  return n;
}

coreapi_node *coreapi_file_new_stream(const coreapi_stream *ops, void *userdata, int64_t size,
                                      const char *name, const char *content_type,
                                      coreapi_error *err) {
  coreapi_node *n = NULL;
  coreapi_error_clear(err);
  if (ops == NULL || ops->read == NULL) {
    coreapi_error_set(err, COREAPI_ERR_INVALID_ARGUMENT, "a stream needs a read function");
  } else if (!coreapi__is_plain_utf8(name) || !coreapi__is_plain_utf8(content_type)) {
    coreapi_error_set(err, COREAPI_ERR_INVALID_ARGUMENT,
                      "file name and content type must be UTF-8 without control characters");
  } else if ((n = file_alloc(name ? name : "", content_type)) == NULL) {
    COREAPI__OOM(err);
  }
  if (n == NULL) {
    if (ops != NULL && ops->free != NULL)
      ops->free(userdata);
    return NULL;
  }
  AS_FILE(n)->ops = ops;
  AS_FILE(n)->userdata = userdata;
  AS_FILE(n)->size = size < 0 ? -1 : size;
  return n;
}

const char *coreapi_file_name(const coreapi_node *n) {
  return n && n->type == COREAPI_NODE_FILE ? AS_FILE(n)->name : NULL;
}

const char *coreapi_file_content_type(const coreapi_node *n) {
  return n && n->type == COREAPI_NODE_FILE ? AS_FILE(n)->content_type : NULL;
}

const char *coreapi_file_path(const coreapi_node *n) {
  return n && n->type == COREAPI_NODE_FILE ? AS_FILE(n)->path : NULL;
}

int64_t coreapi_file_size(const coreapi_node *n) {
  return n && n->type == COREAPI_NODE_FILE ? AS_FILE(n)->size : -1;
}

size_t coreapi__file_read(const coreapi_node *n, char *buf, size_t size) {
  const file_node *f = AS_FILE(n);
  if (f->ops == NULL)
    return (size_t)-1;
  return f->ops->read(f->userdata, buf, size);
}

int coreapi__file_rewind(const coreapi_node *n) {
  const file_node *f = AS_FILE(n);
  if (f->ops == NULL || f->ops->rewind == NULL)
    return -1;
  return f->ops->rewind(f->userdata) == 0 ? 0 : -1;
}
