/*
 * hmac_auth.c - HMAC-SHA256 request signing as a custom libcoreapi
 * authentication (see hmac_auth.h). It uses only the public API: the
 * operations table, the request accessors, and coreapi_error_set. OpenSSL
 * computes the digests.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/crypto.h>

#include "hmac_auth.h"

typedef struct hmac_state {
  char *key_id;
  unsigned char *secret;
  size_t secret_len;
} hmac_state;

/* The path and query of url: everything from the first '/' after "//". */
static const char *path_of(const char *url) {
  const char *p = strstr(url, "//");
  p = p ? strchr(p + 2, '/') : NULL;
  return p ? p : "/";
}

static coreapi_code hmac_apply(void *state, coreapi_request *req, coreapi_error *err) {
  hmac_state *s = state;
  unsigned char digest[EVP_MAX_MD_SIZE], mac[EVP_MAX_MD_SIZE];
  unsigned int digest_len = 0, mac_len = 0;
  char date[64], body_hex[2 * EVP_MAX_MD_SIZE + 1], sig[4 * EVP_MAX_MD_SIZE], *to_sign, *header;
  size_t body_len, n;
  const void *body = coreapi_request_body(req, &body_len);
  time_t now = time(NULL);
  struct tm tm;
  coreapi_code rc;

  /* X-Date in the IMF-fixdate form of RFC 9110. */
  gmtime_r(&now, &tm);
  strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (!EVP_Digest(body ? body : "", body_len, digest, &digest_len, EVP_sha256(), NULL))
    return coreapi_error_set(err, COREAPI_ERR_AUTH, "hmac: SHA-256 failed");
  for (unsigned i = 0; i < digest_len; i++)
    snprintf(body_hex + 2 * i, 3, "%02x", digest[i]);

  n = strlen(coreapi_request_method(req)) + strlen(coreapi_request_url(req)) + strlen(date) +
      strlen(body_hex) + 4;
  to_sign = malloc(n);
  if (to_sign == NULL)
    return coreapi_error_set(err, COREAPI_ERR_OUT_OF_MEMORY, NULL);
  snprintf(to_sign, n, "%s\n%s\n%s\n%s", coreapi_request_method(req),
           path_of(coreapi_request_url(req)), date, body_hex);
  if (HMAC(EVP_sha256(), s->secret, (int)s->secret_len, (unsigned char *)to_sign,
           strlen(to_sign), mac, &mac_len) == NULL) {
    free(to_sign);
    return coreapi_error_set(err, COREAPI_ERR_AUTH, "hmac: HMAC-SHA256 failed");
  }
  free(to_sign);
  EVP_EncodeBlock((unsigned char *)sig, mac, (int)mac_len);

  n = strlen(s->key_id) + strlen(sig) + 48;
  header = malloc(n);
  if (header == NULL)
    return coreapi_error_set(err, COREAPI_ERR_OUT_OF_MEMORY, NULL);
  snprintf(header, n, "HMAC-SHA256 keyId=\"%s\",signature=\"%s\"", s->key_id, sig);
  rc = coreapi_request_set_header(req, "X-Date", date, err);
  if (rc == COREAPI_OK)
    rc = coreapi_request_set_header(req, "Authorization", header, err);
  OPENSSL_cleanse(header, strlen(header));
  free(header);
  return rc;
}

static void hmac_describe(void *state, char *buf, size_t size) {
  hmac_state *s = state;
  snprintf(buf, size, "hmac-sha256 (key %s)", s->key_id);
}

static void hmac_free(void *state) {
  hmac_state *s = state;
  if (s->secret != NULL) {
    OPENSSL_cleanse(s->secret, s->secret_len);
    free(s->secret);
  }
  free(s->key_id);
  free(s);
}

static const coreapi_auth_ops hmac_ops = {
    .name = "hmac-sha256",
    .allow_cookies = 0,
    .apply = hmac_apply,
    .on_response = NULL,
    .describe = hmac_describe,
    .free = hmac_free,
};

coreapi_auth *hmac_auth_new(const char *key_id, const char *secret, const char *domain,
                            coreapi_error *err) {
  hmac_state *s;
  if (key_id == NULL || secret == NULL || key_id[0] == '\0' || strchr(key_id, '"') != NULL) {
    coreapi_error_set(err, COREAPI_ERR_BAD_CREDENTIALS,
                      "hmac: a key id (without quotes) and a secret are required");
    return NULL;
  }
  s = calloc(1, sizeof(*s));
  if (s == NULL) {
    coreapi_error_set(err, COREAPI_ERR_OUT_OF_MEMORY, NULL);
    return NULL;
  }
  s->key_id = strdup(key_id);
  s->secret_len = strlen(secret);
  s->secret = malloc(s->secret_len + 1);
  if (s->key_id == NULL || s->secret == NULL) {
    hmac_free(s);
    coreapi_error_set(err, COREAPI_ERR_OUT_OF_MEMORY, NULL);
    return NULL;
  }
  memcpy(s->secret, secret, s->secret_len + 1);
  /* coreapi_auth_new owns s from here, even when it fails. */
  return coreapi_auth_new(&hmac_ops, s, domain, err);
}
