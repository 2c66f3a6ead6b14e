/*
 * transitions/download.c - GET a URL straight into a file: the client sends,
 * the download codec (codecs/download.c) receives the bytes through its
 * sink and publishes the file; a status other than 2xx leaves nothing. A
 * body over the client's max_filesize is stopped by the transport
 * (ERR_TOO_LARGE) like any failed transfer: the download is freed
 * unpublished, which removes its temporary file.
 */
#include "../codecs/codecs.h"
#include "params.h"

coreapi_code coreapi_client_download(coreapi_client *client, const char *url, const char *dir,
                                  char **path, coreapi_response **resp, coreapi_error *err) {
  coreapi_download *d;
  coreapi_request *req;
  coreapi_response *r = NULL;
  coreapi_error e;
  coreapi_code rc;
  long status;

  coreapi_error_clear(err);
  if (path != NULL)
    *path = NULL;
  if (resp != NULL)
    *resp = NULL;
  if (client == NULL || url == NULL || dir == NULL || path == NULL)
    return coreapi_error_set(err, COREAPI_ERR_INVALID_ARGUMENT,
                             "download needs a client, a URL, a directory and a path");
  d = coreapi_download_new(dir, &e);
  if (d == NULL)
    return coreapi_error_set(err, e.code, "%s", e.text);
  coreapi__download_only_2xx(d);
  req = coreapi_request_new("GET", url, &e);
  if (req == NULL) {
    coreapi_download_free(d);
    return coreapi_error_set(err, e.code, "%s", e.text);
  }
  rc = coreapi_client_send_to(client, req, coreapi_download_sink(), d, &r, err);
  coreapi_request_free(req);
  if (rc != COREAPI_OK) {
    coreapi_download_free(d);
    return rc;
  }
  status = coreapi_response_status(r);
  if (status >= 200 && status <= 299) {
    rc = coreapi_download_finish(d, path, err);
    if (rc != COREAPI_OK) {
      coreapi_download_free(d);
      coreapi_response_free(r);
      return rc;
    }
  }
  coreapi_download_free(d);
  if (resp != NULL)
    *resp = r;
  else
    coreapi_response_free(r);
  return COREAPI_OK;
}
