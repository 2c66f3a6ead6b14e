/*
 * test_negotiate.c - content negotiation: the Accept header built from a
 * client's decoders as the reference builds it, and the decoder chosen for a
 * Content-Type (exact type, then type/ *, then * / *).
 */
#include <coreapi/coreapi.h>
#include <string.h>

#include "check.h"

static const char *pick(const char *const *formats, size_t n, const char *content_type) {
  coreapi_error err;
  return coreapi_codec_negotiate(formats, n, content_type, &err);
}

int main(void) {
  char buf[256];
  coreapi_error err;
  static const char *const json_first[] = {"json", "corejson", "text", "download"};
  static const char *const text_only[] = {"text"};
  static const char *const download_first[] = {"download", "corejson", "text"};
  static const char *const bogus[] = {"corejson", "yaml"};

  /* The reference: decoders[0]'s media types, then * / *. */
  CHECK_INT(coreapi_codec_accept_header(NULL, 0, buf, sizeof(buf), &err), COREAPI_OK);
  CHECK_STR(buf, "application/coreapi+json, application/vnd.coreapi+json, "
                 "application/vnd.oai.openapi+json, application/vnd.oai.openapi, "
                 "application/openapi+json, application/openapi+yaml, application/yaml, "
                 "application/x-yaml, text/yaml, */*");
  CHECK_INT(coreapi_codec_accept_header(json_first, 4, buf, sizeof(buf), &err), COREAPI_OK);
  CHECK_STR(buf, "application/json, */*");
  CHECK_INT(coreapi_codec_accept_header(text_only, 1, buf, sizeof(buf), &err), COREAPI_OK);
  CHECK_STR(buf, "text/*, */*");
  CHECK_INT(coreapi_codec_accept_header(download_first, 3, buf, sizeof(buf), &err), COREAPI_OK);
  CHECK_STR(buf, "*/*");
  CHECK_INT(coreapi_codec_accept_header(bogus, 2, buf, sizeof(buf), &err), COREAPI_ERR_INVALID_ARGUMENT);
  CHECK(strstr(err.text, "yaml") != NULL);
  CHECK_INT(coreapi_codec_accept_header(NULL, 0, buf, 10, &err), COREAPI_ERR_INVALID_ARGUMENT);
  CHECK_INT(coreapi_codec_accept_header(NULL, 0, NULL, 0, &err), COREAPI_ERR_INVALID_ARGUMENT);

  /* A "+json" type is JSON (RFC 6839): problem details (RFC 9457) decode as
   * data; the types a decoder names itself keep it. */
  CHECK_STR(pick(NULL, 0, "application/problem+json"), "json");
  CHECK_STR(pick(NULL, 0, "Application/Vnd.Api+JSON; charset=utf-8"), "json");
  CHECK_STR(pick(NULL, 0, "application/coreapi+json"), "corejson");
  CHECK_STR(pick(NULL, 0, "application/vnd.oai.openapi+json"), "openapi");
  CHECK(pick(text_only, 1, "application/problem+json") == NULL); /* no JSON decoder */

  /* Default decoders. */
  CHECK_STR(pick(NULL, 0, "application/coreapi+json"), "corejson");
  CHECK_STR(pick(NULL, 0, "application/vnd.coreapi+json; charset=utf-8"), "corejson");
  CHECK_STR(pick(NULL, 0, " Application/JSON ;charset=UTF-8"), "json");
  CHECK_STR(pick(NULL, 0, "text/html; charset=utf-8"), "text");
  CHECK_STR(pick(NULL, 0, "TEXT/plain"), "text");
  CHECK_STR(pick(NULL, 0, "image/png"), "download");
  CHECK_STR(pick(NULL, 0, "application/octet-stream"), "download");
  CHECK_STR(pick(NULL, 0, ""), "download");
  CHECK_STR(pick(NULL, 0, NULL), "corejson"); /* no Content-Type: the first */

  /* Exact beats type/ * beats * / *, whatever the order of the list. */
  CHECK_STR(pick(download_first, 3, "application/coreapi+json"), "corejson");
  CHECK_STR(pick(download_first, 3, "text/csv"), "text");
  CHECK_STR(pick(download_first, 3, "application/json"), "download");
  CHECK_STR(pick(download_first, 3, NULL), "download");

  /* No decoder for it: a clear error naming the type. */
  CHECK(pick(text_only, 1, "application/json; charset=utf-8") == NULL);
  coreapi_codec_negotiate(text_only, 1, "application/json; charset=utf-8", &err);
  CHECK_INT(err.code, COREAPI_ERR_NO_CODEC);
  CHECK_STR(err.text, "Unsupported media in Content-Type header 'application/json'");
  CHECK(pick(bogus, 2, "text/plain") == NULL);

  /* Media types of each format. */
  CHECK_STR(coreapi_codec_media_types("corejson")[0], "application/coreapi+json");
  CHECK_STR(coreapi_codec_media_types("corejson")[1], "application/vnd.coreapi+json");
  CHECK(coreapi_codec_media_types("corejson")[2] == NULL);
  CHECK_STR(coreapi_codec_media_types("download")[0], "*/*");
  CHECK(coreapi_codec_media_types("xml") == NULL);
  CHECK(coreapi_codec_media_types(NULL) == NULL);
  return check_done("test_negotiate");
}
