/* codecs/text.c - the text codec (text/ *): the body as a UTF-8 string. */
#include "../document/document.h"
#include "coreapi/codec.h"

coreapi_node *coreapi_text_decode(const char *data, size_t len, coreapi_error *err) {
  coreapi_node *n;
  coreapi_error_clear(err);
  if (data == NULL && len > 0) {
    coreapi_error_set(err, COREAPI_ERR_INVALID_ARGUMENT, "no data");
    return NULL;
  }
  if (!coreapi__is_utf8(data ? data : "", len)) {
    coreapi_error_set(err, COREAPI_ERR_PARSE, "text is not valid UTF-8");
    return NULL;
  }
  n = coreapi__string_new_trusted(data ? data : "", len);
  if (n == NULL)
    COREAPI__OOM(err);
  return n;
}
