/*
 * hmac_auth.h - an example of a custom authentication scheme for libcoreapi:
 * HMAC-SHA256 request signatures.
 *
 * Every request in scope gets an X-Date header and
 *   Authorization: HMAC-SHA256 keyId="<id>",signature="<base64>"
 * where the signature is HMAC-SHA256(secret, string to sign) and the string
 * to sign is four lines: method, path with query, X-Date, and the hex SHA-256
 * of the body. The example API (examples/api, /signed/) verifies it.
 */
#ifndef HMAC_AUTH_H
#define HMAC_AUTH_H

#include <coreapi/coreapi.h>

/* A new authentication signing with key_id and secret (both copied; the
 * secret is wiped when the object is freed), scoped to domain. */
coreapi_auth *hmac_auth_new(const char *key_id, const char *secret, const char *domain,
                            coreapi_error *err);

#endif
