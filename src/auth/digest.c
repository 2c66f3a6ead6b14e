/*
 * auth/digest.c - HTTP Digest (RFC 7616) and NTLM authentication, both
 * carried out by libcurl's own implementations.
 *
 * Neither scheme can be applied by setting a header in advance: the
 * response depends on the server's challenge (a nonce, for Digest; a
 * connection-bound handshake, for NTLM). So apply() sets no header. It
 * marks the hop (coreapi__request_set_http_auth: "let libcurl answer the
 * challenge with these credentials"), and the backend turns that mark into
 * CURLOPT_HTTPAUTH (CURLAUTH_DIGEST or CURLAUTH_NTLM alone, never Basic),
 * CURLOPT_USERNAME and CURLOPT_PASSWORD for that hop's transfer only, and
 * clears them for every other transfer on the same easy handle. libcurl
 * does the 401 round trip inside the one transfer (MD5 or SHA-256, with or
 * without qop=auth, whatever the server offers; its SHA-512-256 is right
 * from libcurl 8.7.0 on); the credentials never go into a URL. Since
 * apply() runs only on hops the authentication's scope covers, the
 * credentials reach libcurl only there.
 *
 * Credentials: RFC 7616 carries the username in a quoted-string (section
 * 3.4), which may hold ':' (only Basic's user-pass, RFC 7617 section 2,
 * cannot), so ':' is allowed; control characters (which no quoted-string
 * may hold, and which would let a header be injected) and text that is
 * not UTF-8 are refused, as for Basic. The username must not be empty.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"

typedef struct digest_state {
  unsigned scheme; /* COREAPI__HTTP_AUTH_* */
  char *username;
  char *password; /* a secret */
} digest_state;

static coreapi_code digest_apply(void *state, coreapi_request *req, coreapi_error *err) {
  digest_state *s = state;
  /* libcurl sends no Authorization of its own beside one the caller set:
   * the credential wins in its scope, as Basic's header replaces it. */
  coreapi_request_remove_header(req, "Authorization");
  return coreapi__request_set_http_auth(req, s->scheme, s->username, s->password, err);
}

static void digest_describe(void *state, char *buf, size_t size) {
  digest_state *s = state;
  snprintf(buf, size, "%s (%s)", s->scheme == COREAPI__HTTP_AUTH_NTLM ? "ntlm" : "digest",
           s->username);
}

static void digest_free(void *state) {
  digest_state *s = state;
  coreapi__free_secret(s->username);
  coreapi__free_secret(s->password);
  free(s);
}

static const coreapi_auth_ops digest_ops = {
    "digest", 0, digest_apply, NULL, digest_describe, digest_free,
};

static const coreapi_auth_ops ntlm_ops = {
    "ntlm", 0, digest_apply, NULL, digest_describe, digest_free,
};

/* A username or password: UTF-8 without control characters (U+0000 to
 * U+001F, U+007F). what names it in the message. */
static coreapi_code check_part(const char *scheme, const char *what, const char *s,
                               coreapi_error *err) {
  for (const unsigned char *p = (const unsigned char *)s; *p; p++)
    if (*p < 0x20 || *p == 0x7f)
      return coreapi_error_set(err, COREAPI_ERR_BAD_CREDENTIALS,
                               "%s authentication: the %s contains a control character "
                               "(0x%02x)",
                               scheme, what, *p);
  if (!coreapi__is_utf8(s, strlen(s)))
    return coreapi_error_set(err, COREAPI_ERR_BAD_CREDENTIALS,
                             "%s authentication: the %s is not valid UTF-8", scheme, what);
  return COREAPI_OK;
}

/* The constructors' common part: checks, copies, the object. */
static coreapi_auth *challenge_new(const coreapi_auth_ops *ops, unsigned scheme,
                                   const char *label, const char *username,
                                   const char *password, const char *domain,
                                   coreapi_error *err) {
  digest_state *s;
  coreapi_error_clear(err);
  if (username == NULL || password == NULL) {
    coreapi_error_set(err, COREAPI_ERR_BAD_CREDENTIALS,
                      "%s authentication needs a username and a password", label);
    return NULL;
  }
  if (username[0] == '\0') {
    coreapi_error_set(err, COREAPI_ERR_BAD_CREDENTIALS,
                      "%s authentication: the username is empty", label);
    return NULL;
  }
  if (check_part(label, "username", username, err) != COREAPI_OK ||
      check_part(label, "password", password, err) != COREAPI_OK)
    return NULL;
  s = calloc(1, sizeof(*s));
  if (s == NULL) {
    COREAPI__OOM(err);
    return NULL;
  }
  s->scheme = scheme;
  s->username = coreapi__strdup(username);
  s->password = coreapi__strdup(password);
  if (s->username == NULL || s->password == NULL) {
    digest_free(s);
    COREAPI__OOM(err);
    return NULL;
  }
  return coreapi_auth_new(ops, s, domain, err);
}

coreapi_auth *coreapi_auth_digest_new(const char *username, const char *password,
                                      const char *domain, coreapi_error *err) {
  return challenge_new(&digest_ops, COREAPI__HTTP_AUTH_DIGEST, "Digest", username, password,
                       domain, err);
}

coreapi_auth *coreapi_auth_ntlm_new(const char *username, const char *password,
                                    const char *domain, coreapi_error *err) {
  return challenge_new(&ntlm_ops, COREAPI__HTTP_AUTH_NTLM, "NTLM", username, password, domain,
                       err);
}
