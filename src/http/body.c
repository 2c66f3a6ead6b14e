/*
 * http/body.c - bodies that are streamed rather than held: a source is a
 * file on disk (read when the request is sent) or a stream the caller reads
 * through a small table of operations. A raw upload is one source; a
 * multipart/form-data body is a list of parts, each a text value or a
 * source with a file name and a type. The message layer knows nothing of
 * where a stream comes from (a document's File node, say): that is the
 * caller's.
 */
#include <stdlib.h>
#include <string.h>

#include "http.h"

coreapi__source *coreapi__source_new(const char *path, const coreapi__stream_ops *ops,
                                     void *data, int64_t size, const char *filename,
                                     const char *content_type) {
  coreapi__source *s;
  if ((path == NULL) == (ops == NULL))
    return NULL; /* exactly one of the two */
  s = calloc(1, sizeof(*s));
  if (s == NULL)
    return NULL;
  s->path = coreapi__strdup(path);
  s->filename = coreapi__strdup(filename);
  s->content_type = coreapi__strdup(content_type);
  s->size = size;
  if ((path != NULL && s->path == NULL) || (filename != NULL && s->filename == NULL) ||
      (content_type != NULL && s->content_type == NULL)) {
    coreapi__source_free(s);
    return NULL;
  }
  if (ops != NULL) {
    s->ops = ops;
    s->data = ops->retain ? ops->retain(data) : data;
  }
  return s;
}

coreapi__source *coreapi__source_copy(const coreapi__source *s) {
  return s ? coreapi__source_new(s->path, s->ops, s->data, s->size, s->filename, s->content_type)
           : NULL;
}

void coreapi__source_free(coreapi__source *s) {
  if (s == NULL)
    return;
  if (s->ops != NULL && s->ops->release != NULL)
    s->ops->release(s->data);
  free(s->path);
  free(s->filename);
  free(s->content_type);
  free(s);
}

size_t coreapi__source_read(const coreapi__source *s, char *buf, size_t n) {
  return s->ops->read(s->data, buf, n);
}

int coreapi__source_rewind(const coreapi__source *s) {
  return s->ops->rewind ? s->ops->rewind(s->data) : -1;
}
