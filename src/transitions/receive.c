/*
 * transitions/receive.c - a transition's response: received through a body
 * sink (a download goes straight to a file, anything else is kept in memory
 * up to the client's limit), then decoded by the negotiated codec into a
 * result, a 4xx/5xx coerced to an Error as the reference's _decode_result
 * does. Shared by the blocking transitions (action.c, link.c) and the
 * parallel get (get_many.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../codecs/codecs.h"
#include "receive.h"

/* The final response's URL and its Link rel="next" into result. OK or
 * ERR_OUT_OF_MEMORY. */
static coreapi_code note_response(const coreapi_response *resp, coreapi_result *result,
                                  coreapi_error *err) {
  if ((result->url = coreapi__strdup(coreapi_response_url(resp))) == NULL)
    return COREAPI__OOM(err);
  return coreapi__weblink_find(&resp->headers, result->url, "next", &result->next_link, err);
}

/* --- receiving a response ---------------------------------------------------- */


static coreapi_code receive_begin(void *userdata, const coreapi_response *resp,
                                  coreapi_error *err) {
  coreapi__receiver *r = userdata;
  size_t n;
  const char *const *list = coreapi__client_decoders(r->client, &n);
  coreapi_download_free(r->download);
  r->download = NULL;
  r->received = 0;
  r->body.len = 0;
  coreapi_error_clear(&r->negotiation);
  if (r->forced != NULL)
    r->format = r->forced;
  else
    r->format = coreapi_codec_negotiate(list, n, coreapi_response_header(resp, "Content-Type"),
                                          &r->negotiation);
  /* A download goes to a file as it arrives; an error response never does. */
  if (r->format != NULL && strcmp(r->format, "download") == 0 &&
      coreapi_response_status(resp) < 400) {
    const char *dir = coreapi__client_download_dir(r->client);
    if (dir == NULL && ((dir = getenv("TMPDIR")) == NULL || dir[0] == '\0'))
      dir = "/tmp";
    r->download = coreapi_download_new(dir, err);
    if (r->download == NULL)
      return err ? err->code : COREAPI_ERR_IO;
    return coreapi_download_sink()->begin(r->download, resp, err);
  }
  return COREAPI_OK;
}

static coreapi_code receive_write(void *userdata, const void *data, size_t len,
                                  coreapi_error *err) {
  coreapi__receiver *r = userdata;
  size_t max_body = coreapi__client_max_body(r->client);
  r->received += len;
  if (r->download != NULL)
    return coreapi_download_sink()->write(r->download, data, len, err);
  if (max_body > 0 && r->body.len + len > max_body)
    return coreapi_error_set(err, COREAPI_ERR_TOO_LARGE,
                             "the response body is larger than %zu bytes (the client's limit)",
                             max_body);
  if (coreapi__buf_append(&r->body, data, len) != 0)
    return COREAPI__OOM(err);
  return COREAPI_OK;
}

const coreapi_body_sink coreapi__receiver_sink = {receive_begin, receive_write};

/* --- errors ------------------------------------------------------------------ */

/* The reference's _coerce_to_error_content: documents and objects become
 * plain data without their links, arrays lose their links. New reference. */
static coreapi_node *strip_links(const coreapi_node *n, coreapi_error *err) {
  coreapi_node_type t = coreapi_node_type_of(n);
  if (t == COREAPI_NODE_DOCUMENT || t == COREAPI_NODE_OBJECT) {
    coreapi_map_builder *b = coreapi_map_builder_new();
    if (b == NULL)
      return NULL;
    for (size_t i = 0; i < coreapi_map_data_count(n); i++) {
      const char *key;
      size_t klen;
      coreapi_node *v = coreapi_map_entry(n, i, &key, &klen);
      coreapi_node *c = strip_links(v, err);
      if (c == NULL || coreapi_map_builder_set(b, key, klen, c, err) != COREAPI_OK) {
        coreapi_map_builder_free(b);
        return NULL;
      }
    }
    return coreapi_map_builder_object(b, err);
  }
  if (t == COREAPI_NODE_ARRAY) {
    coreapi_array_builder *b = coreapi_array_builder_new();
    if (b == NULL)
      return NULL;
    for (size_t i = 0; i < coreapi_array_size(n); i++) {
      coreapi_node *v = coreapi_array_get(n, i), *c;
      if (coreapi_node_type_of(v) == COREAPI_NODE_LINK)
        continue;
      c = strip_links(v, err);
      if (c == NULL || coreapi_array_builder_append(b, c, err) != COREAPI_OK) {
        coreapi_array_builder_free(b);
        return NULL;
      }
    }
    return coreapi_array_builder_finish(b, err);
  }
  return coreapi_node_ref((coreapi_node *)n);
}

/* Build an Error titled title from content (an Object, or NULL for none)
 * plus one extra entry (key, value) when key is not NULL. */
static coreapi_node *make_error(const char *title, const coreapi_node *content, const char *key,
                                coreapi_node *value, coreapi_error *err) {
  coreapi_map_builder *b = coreapi_map_builder_new();
  if (b == NULL) {
    coreapi_node_free(value);
    return NULL;
  }
  for (size_t i = 0; i < coreapi_map_size(content); i++) {
    const char *k;
    size_t kl;
    coreapi_node *v = coreapi_map_entry_inserted(content, i, &k, &kl);
    if (coreapi_map_builder_set(b, k, kl, coreapi_node_ref(v), err) != COREAPI_OK) {
      coreapi_map_builder_free(b);
      coreapi_node_free(value);
      return NULL;
    }
  }
  if (key != NULL && coreapi_map_builder_set(b, key, strlen(key), value, err) != COREAPI_OK) {
    coreapi_map_builder_free(b);
    return NULL;
  }
  return coreapi_map_builder_error(b, title, err);
}

/* The reference's _coerce_to_error: any result of a 4xx/5xx response as an
 * Error. Takes ownership of result (may be NULL). */
static coreapi_node *coerce_to_error(coreapi_node *result, const char *default_title,
                                     coreapi_error *err) {
  coreapi_node *e = NULL, *content;
  if (result == NULL)
    return make_error(default_title, NULL, NULL, NULL, err);
  switch (coreapi_node_type_of(result)) {
    case COREAPI_NODE_ERROR:
      return result;
    case COREAPI_NODE_DOCUMENT: {
      const char *title = coreapi_node_title(result);
      content = strip_links(result, err);
      if (content != NULL)
        e = make_error(title[0] ? title : default_title, content, NULL, NULL, err);
      coreapi_node_free(content);
      break;
    }
    case COREAPI_NODE_OBJECT:
      e = make_error(default_title, result, NULL, NULL, err);
      break;
    case COREAPI_NODE_ARRAY:
      e = make_error(default_title, NULL, "messages", coreapi_node_ref(result), err);
      break;
    default:
      e = make_error(default_title, NULL, "message", coreapi_node_ref(result), err);
      break;
  }
  coreapi_node_free(result);
  if (e == NULL && err != NULL && err->code == COREAPI_OK)
    COREAPI__OOM(err);
  return e;
}


void coreapi__receiver_init(coreapi__receiver *r, coreapi_client *c, const char *forced) {
  memset(r, 0, sizeof(*r));
  r->client = c;
  r->forced = forced;
}

void coreapi__receiver_free(coreapi__receiver *r) {
  coreapi_download_free(r->download);
  r->download = NULL;
  coreapi__buf_free(&r->body);
}

coreapi_code coreapi__accept_set(coreapi_client *c, coreapi_request *req, coreapi_error *err) {
  char accept[512];
  size_t n;
  const char *const *list = coreapi__client_decoders(c, &n);
  coreapi_code rc = coreapi_codec_accept_header(list, n, accept, sizeof(accept), err);
  if (rc == COREAPI_OK && coreapi_request_header(req, "Accept") == NULL)
    rc = coreapi_request_set_header(req, "Accept", accept, err);
  return rc;
}

coreapi_code coreapi__receive_result(coreapi_client *c, coreapi__receiver *r,
                                     const coreapi_response *resp, coreapi_result *result,
                                     coreapi_error *err) {
  coreapi_code rc;
  long status = coreapi_response_status(resp);
  result->status = status;
  if ((rc = note_response(resp, result, err)) != COREAPI_OK)
    return rc;
  if (r->received > 0 && r->format == NULL)
    return coreapi_error_set(err, COREAPI_ERR_NO_CODEC, "%s", r->negotiation.text);
  if (r->download != NULL) {
    if (r->received > 0)
      rc = coreapi_download_finish(r->download, &result->file, err);
  } else if (r->received > 0) {
    result->node = coreapi__codec_decode_limited(r->format, r->body.data, r->body.len,
                                                 coreapi_response_url(resp),
                                                 coreapi__client_max_decoded(c), err);
    if (result->node == NULL) {
      /* The download codec cannot decode from memory: an error body of a
       * type only it takes is reported without content. */
      if (strcmp(r->format, "download") == 0 && status >= 400)
        coreapi_error_clear(err);
      else
        rc = err ? err->code : COREAPI_ERR_PARSE;
    }
  }
  if (rc == COREAPI_OK && status >= 400 && status <= 599) {
    char title[160];
    snprintf(title, sizeof(title), "%ld %s", status, coreapi_response_reason(resp));
    result->node = coerce_to_error(result->node, title, err);
    if (result->node == NULL)
      rc = err ? err->code : COREAPI_ERR_OUT_OF_MEMORY;
  }
  if (rc == COREAPI_OK && coreapi_node_type_of(result->node) == COREAPI_NODE_ERROR) {
    const char *title = coreapi_node_title(result->node);
    rc = coreapi_error_set(err, COREAPI_ERR_ERROR_RESPONSE, "%s",
                           title[0] ? title : "the server returned an error");
    if (err != NULL)
      err->http_status = status;
  }
  return rc;
}
