/*
 * transitions/action.c - the client's Core API operations: get, reload and
 * action (the reference client's Client and HTTPTransport.transition).
 *
 * A response is received and decoded by receive.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../transport/transport.h"
#include "../codecs/codecs.h"
#include "params.h"
#include "receive.h"
#include "coreapi/transitions.h"

/* --- client settings ------------------------------------------------------ */

coreapi_code coreapi_client_set_decoders(coreapi_client *c, const char *const *formats, size_t n,
                                         coreapi_error *err) {
  coreapi_error_clear(err);
  if (c == NULL || (formats == NULL && n > 0) || (formats != NULL && n == 0))
    return coreapi_error_set(err, COREAPI_ERR_INVALID_ARGUMENT, "client and formats needed");
  if (formats != NULL) {
    /* Every format must be known: coreapi_codec_accept_header checks the list. */
    char accept[512];
    coreapi_code rc = coreapi_codec_accept_header(formats, n, accept, sizeof(accept), err);
    if (rc != COREAPI_OK)
      return rc;
  }
  return coreapi__client_store_decoders(c, formats, n, err);
}

void coreapi_result_clear(coreapi_result *r) {
  if (r == NULL)
    return;
  coreapi_node_free(r->node);
  free(r->file);
  free(r->url);
  free(r->next_link);
  memset(r, 0, sizeof(*r));
}

char *coreapi_result_resolve(const coreapi_result *r, const char *reference,
                             coreapi_error *err) {
  char *out = NULL;
  coreapi_error_clear(err);
  if (r == NULL || reference == NULL) {
    coreapi_error_set(err, COREAPI_ERR_INVALID_ARGUMENT, "result and reference needed");
    return NULL;
  }
  if (coreapi__weblink_resolve(reference, strlen(reference), r->url, &out, err) == COREAPI_OK &&
      out == NULL)
    coreapi_error_set(err, COREAPI_ERR_BAD_URL, "not an http or https URL: %.200s", reference);
  return out;
}

/* Send req and turn the response into *result (the reference's
 * _decode_result). Shared with link.c. */
coreapi_code coreapi__transition(coreapi_client *c, coreapi_request *req, const char *forced,
                                 coreapi_result *result, coreapi_error *err);

coreapi_code coreapi__transition(coreapi_client *c, coreapi_request *req, const char *forced,
                                 coreapi_result *result, coreapi_error *err) {
  coreapi__receiver r;
  coreapi_response *resp = NULL;
  coreapi_code rc;
  coreapi__receiver_init(&r, c, forced);
  rc = coreapi__accept_set(c, req, err);
  if (rc == COREAPI_OK)
    rc = coreapi_client_send_to(c, req, &coreapi__receiver_sink, &r, &resp, err);
  if (rc == COREAPI_OK)
    rc = coreapi__receive_result(c, &r, resp, result, err);
  coreapi__receiver_free(&r);
  coreapi_response_free(resp);
  return rc;
}

static int known_format(const char *format) { return coreapi_codec_media_types(format) != NULL; }

coreapi_code coreapi_client_get(coreapi_client *c, const char *url, const char *format,
                                coreapi_result *result, coreapi_error *err) {
  coreapi_request *req;
  coreapi_code rc;
  coreapi_error_clear(err);
  if (result != NULL)
    memset(result, 0, sizeof(*result));
  if (c == NULL || url == NULL || result == NULL)
    return coreapi_error_set(err, COREAPI_ERR_INVALID_ARGUMENT,
                             "client, URL and result must not be NULL");
  if (format != NULL && !known_format(format))
    return coreapi_error_set(err, COREAPI_ERR_INVALID_ARGUMENT,
                             "No decoder available with format='%.40s'", format);
  req = coreapi_request_new("GET", url, err);
  if (req == NULL)
    return err ? err->code : COREAPI_ERR_BAD_URL;
  rc = coreapi__transition(c, req, format, result, err);
  coreapi_request_free(req);
  if (rc != COREAPI_OK && rc != COREAPI_ERR_ERROR_RESPONSE)
    coreapi_result_clear(result);
  return rc;
}

coreapi_code coreapi_client_reload(coreapi_client *c, const coreapi_node *document,
                                   const char *format, coreapi_result *result,
                                   coreapi_error *err) {
  const char *url = coreapi_node_url(document);
  if (coreapi_node_type_of(document) != COREAPI_NODE_DOCUMENT) {
    coreapi_error_clear(err);
    if (result != NULL)
      memset(result, 0, sizeof(*result));
    return coreapi_error_set(err, COREAPI_ERR_INVALID_ARGUMENT, "reload needs a document");
  }
  return coreapi_client_get(c, url, format, result, err);
}
