/*
 * transitions/upload.c - File nodes as request bodies: a document's File
 * parameter becomes a transport-level source (a path on disk, or a stream
 * read through the node), so that the transport never sees a document.
 */
#include "../document/document.h"
#include "params.h"

static size_t node_read(void *data, char *buf, size_t n) {
  return coreapi__file_read(data, buf, n);
}

static int node_rewind(void *data) { return coreapi__file_rewind(data); }

static void *node_retain(void *data) { return coreapi_node_ref(data); }

static void node_release(void *data) { coreapi_node_free(data); }

static const coreapi__stream_ops node_stream = {node_read, node_rewind, node_retain,
                                                node_release};

coreapi__source *coreapi__file_source(const coreapi_node *file) {
  const char *path = coreapi_file_path(file);
  if (path != NULL)
    return coreapi__source_new(path, NULL, NULL, -1, coreapi_file_name(file),
                               coreapi_file_content_type(file));
  return coreapi__source_new(NULL, &node_stream, (void *)file, coreapi_file_size(file),
                             coreapi_file_name(file), coreapi_file_content_type(file));
}
