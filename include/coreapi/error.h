/*
 * coreapi/error.h - error codes and error detail.
 *
 * Every fallible function returns a coreapi_code (or NULL) and takes an
 * optional, caller-owned coreapi_error. The detail is filled with the first
 * error that occurred inside the call: its code, a message meant for people,
 * and the HTTP status where one applies. Pass NULL when the code is enough.
 *
 * Who clears it: constructors (*_new), coreapi_client_* and coreapi_domain_*
 * functions clear err when they start. The request setters and
 * coreapi_request_memo_set do not, because authentication callbacks pass their
 * own err through them, and the first error must survive: clear err yourself
 * (coreapi_error_clear) before reusing one with them.
 *
 * The enum is add-only: codes are never renumbered or removed, a retired code
 * keeps its slot. Names, numbers and messages come from one list, so that
 * coreapi_strerror() and the enum cannot drift apart.
 */
#ifndef COREAPI_ERROR_H
#define COREAPI_ERROR_H

#include "version.h"

#ifdef __cplusplus
extern "C" {
#endif

/* XX(name, number, message). Always add new codes last. */
#define COREAPI_CODE_MAP(XX)                                                \
  XX(OK, 0, "no error")                                                     \
  XX(ERR_INVALID_ARGUMENT, 1, "invalid argument")                           \
  XX(ERR_OUT_OF_MEMORY, 2, "out of memory")                                 \
  XX(ERR_BAD_URL, 3, "malformed URL")                                       \
  XX(ERR_UNSUPPORTED_SCHEME, 4, "unsupported URL scheme")                   \
  XX(ERR_BAD_DOMAIN, 5, "invalid domain pattern")                           \
  XX(ERR_BAD_CREDENTIALS, 6, "invalid credentials")                         \
  XX(ERR_BAD_HEADER, 7, "invalid header")                                   \
  XX(ERR_RESOLVE, 8, "could not resolve host")                              \
  XX(ERR_CONNECT, 9, "could not connect")                                   \
  XX(ERR_TIMEOUT, 10, "operation timed out")                                \
  XX(ERR_TLS, 11, "TLS error")                                              \
  XX(ERR_NETWORK, 12, "network error")                                      \
  XX(ERR_TOO_MANY_REDIRECTS, 13, "too many redirects")                      \
  XX(ERR_BAD_REDIRECT, 14, "invalid redirect")                              \
  XX(ERR_AUTH, 15, "authentication refused the request")                    \
  XX(ERR_IO, 16, "file input/output error")                                 \
  XX(ERR_INTERNAL, 17, "internal error")                                    \
  XX(ERR_NOT_FOUND, 18, "not found")                                        \
  XX(ERR_PARSE, 19, "parse error")                                          \
  XX(ERR_NO_CODEC, 20, "no codec for the content type")                     \
  XX(ERR_TOO_LARGE, 21, "response body too large")                          \
  XX(ERR_LINK_LOOKUP, 22, "link lookup failed")                             \
  XX(ERR_PARAMETER, 23, "invalid parameters")                               \
  XX(ERR_ERROR_RESPONSE, 24, "the server returned an error")                \
  XX(ERR_ABORTED, 25, "aborted by the caller")                             \
  XX(ERR_OAUTH, 26, "OAuth 2.0 authorization failed")

typedef enum coreapi_code {
#define COREAPI__CODE_ENUM(name, num, msg) COREAPI_##name = num,
  COREAPI_CODE_MAP(COREAPI__CODE_ENUM)
#undef COREAPI__CODE_ENUM
  COREAPI__CODE_LAST /* not a code; one past the highest */
} coreapi_code;

#define COREAPI_ERROR_TEXT_LENGTH 256

/* Detail of an error, owned by the caller (usually on the stack). */
typedef struct coreapi_error {
  coreapi_code code;                    /* COREAPI_OK when nothing failed */
  long http_status;                     /* HTTP status where one applies, else 0 */
  char text[COREAPI_ERROR_TEXT_LENGTH]; /* NUL-terminated message for people */
} coreapi_error;

/* A static, human-readable description of code ("invalid argument"). Never
 * NULL: an unknown code gives "unknown error". */
COREAPI_EXTERN const char *coreapi_strerror(coreapi_code code);

/* The enum name of code without its prefix ("ERR_TIMEOUT"), static; "UNKNOWN"
 * for an unknown code. */
COREAPI_EXTERN const char *coreapi_code_name(coreapi_code code);

/* Clear err (code OK, empty text). err may be NULL. */
COREAPI_EXTERN void coreapi_error_clear(coreapi_error *err);

/* Record an error in err unless it already holds one (the first error is
 * kept). fmt is printf-style; NULL uses coreapi_strerror(code). Returns code,
 * so that `return coreapi_error_set(err, ...);` reads naturally. err may be
 * NULL. Meant for custom authentication callbacks as much as for the library. */
COREAPI_EXTERN coreapi_code coreapi_error_set(coreapi_error *err, coreapi_code code,
                                              const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

#ifdef __cplusplus
}
#endif
#endif /* COREAPI_ERROR_H */
