/*
 * transport/header_list.c - the request's header lines as libcurl reads
 * them (CURLOPT_HTTPHEADER), built in one allocation.
 *
 * libcurl only reads the list it is given and never frees it, so the
 * nodes and their strings need not come from curl_slist_append (two
 * allocations per line): here they share one block, which is wiped (the
 * lines hold credentials) and freed as one.
 */
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "client_impl.h"

/* The block: the nodes first, then the lines they point to. */
typedef struct header_list {
  size_t size; /* of the whole block, for the wipe */
  struct curl_slist nodes[];
} header_list;

/* Write "Name: value" (or "Name;" for an empty value, curl's form for
 * sending an empty header) at p; returns the byte after its NUL. */
static char *write_line(char *p, const char *name, const char *value) {
  size_t n = strlen(name), v = strlen(value);
  memcpy(p, name, n);
  p += n;
  if (v == 0) {
    *p++ = ';';
  } else {
    memcpy(p, ": ", 2);
    memcpy(p + 2, value, v);
    p += 2 + v;
  }
  *p++ = '\0';
  return p;
}

struct curl_slist *coreapi__header_list_new(const coreapi_request *req) {
  /* "Expect:" stops libcurl from waiting for 100 Continue on large bodies;
   * a body without a Content-Type goes without one (libcurl would claim
   * form encoding). */
  int no_type = coreapi__request_holds_body(req) && coreapi__headers_get(&req->headers, "Content-Type") == NULL;
  size_t count = req->headers.count + 1 + (no_type ? 1 : 0), text = 0, size;
  header_list *list;
  char *p;

  for (size_t i = 0; i < req->headers.count; i++)
    text += strlen(req->headers.items[i].name) + strlen(req->headers.items[i].value) + 3;
  text += sizeof("Expect:") + sizeof("Content-Type:");
  size = sizeof(*list) + count * sizeof(list->nodes[0]) + text;
  list = malloc(size);
  if (list == NULL)
    return NULL;
  list->size = size;
  p = (char *)&list->nodes[count];
  for (size_t i = 0; i < count; i++) {
    list->nodes[i].data = p;
    list->nodes[i].next = i + 1 < count ? &list->nodes[i + 1] : NULL;
    if (i < req->headers.count) {
      p = write_line(p, req->headers.items[i].name, req->headers.items[i].value);
    } else {
      /* "Name:" with nothing after it: libcurl sends no such header. */
      const char *drop = i == req->headers.count ? "Expect:" : "Content-Type:";
      size_t n = strlen(drop) + 1;
      memcpy(p, drop, n);
      p += n;
    }
  }
  return list->nodes;
}

void coreapi__header_list_free(struct curl_slist *nodes) {
  header_list *list;
  if (nodes == NULL)
    return;
  list = (header_list *)((char *)nodes - offsetof(header_list, nodes));
  coreapi__wipe(list, list->size);
  free(list);
}
