/*
 * error.c - coreapi_code names and messages, and the error detail.
 *
 * The switch statements have no default: case, so that -Wswitch reports a code
 * added to COREAPI_CODE_MAP in error.h without a message here (there cannot be
 * one: both come from the same list).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base.h"

const char *coreapi_strerror(coreapi_code code) {
  switch (code) {
#define COREAPI__CODE_MSG(name, num, msg) \
  case COREAPI_##name:                    \
    return msg;
    COREAPI_CODE_MAP(COREAPI__CODE_MSG)
#undef COREAPI__CODE_MSG
    case COREAPI__CODE_LAST:
      break;
  }
  return "unknown error";
}

const char *coreapi_code_name(coreapi_code code) {
  switch (code) {
#define COREAPI__CODE_NAME(name, num, msg) \
  case COREAPI_##name:                     \
    return #name;
    COREAPI_CODE_MAP(COREAPI__CODE_NAME)
#undef COREAPI__CODE_NAME
    case COREAPI__CODE_LAST:
      break;
  }
  return "UNKNOWN";
}

void coreapi_error_clear(coreapi_error *err) {
  if (err == NULL)
    return;
  err->code = COREAPI_OK;
  err->http_status = 0;
  err->text[0] = '\0';
}

#if defined(__GNUC__) || defined(__clang__)
__attribute__((format(printf, 3, 0)))
#endif
static coreapi_code error_setv(coreapi_error *err, coreapi_code code, const char *fmt,
                               va_list ap) {
  if (err == NULL || err->code != COREAPI_OK || code == COREAPI_OK)
    return code;
  err->code = code;
  if (fmt == NULL)
    snprintf(err->text, sizeof(err->text), "%s", coreapi_strerror(code));
  else
    vsnprintf(err->text, sizeof(err->text), fmt, ap);
  return code;
}

coreapi_code coreapi_error_set(coreapi_error *err, coreapi_code code, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  error_setv(err, code, fmt, ap);
  va_end(ap);
  return code;
}
