/*
 * transport/easy.c - an easy handle of the client's, opened with every
 * option (backend.c's that never change, tls_handle.c's cookie engine and
 * the client's settings) and closed: the client's own handle and a batch's.
 */
#include <string.h>

#include "client_impl.h"

coreapi_code coreapi__easy_open(coreapi__easy *e, coreapi_client *client, int in_multi,
                                coreapi_error *err) {
  coreapi_code rc;
  memset(e, 0, sizeof(*e));
  e->client = client;
  e->in_multi = in_multi;
  e->progress_on = client->progress != NULL;
  if ((e->curl = curl_easy_init()) == NULL)
    return coreapi_error_set(err, COREAPI_ERR_INTERNAL, "could not initialise libcurl");
  rc = coreapi__backend_init(e, err);
  if (rc == COREAPI_OK)
    coreapi__handle_finish(e);
  else
    coreapi__easy_close(e);
  return rc;
}

void coreapi__easy_close(coreapi__easy *e) {
  if (e->curl != NULL) {
    curl_easy_setopt(e->curl, CURLOPT_SHARE, NULL);
    curl_easy_cleanup(e->curl);
  }
  memset(e, 0, sizeof(*e));
}
