/*
 * oauth/token.c - requests to an authorization server: a form posted with
 * the client's authentication (RFC 6749 2.3.1), and the token endpoint's
 * answer (5.1) or error (5.2) read from it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../text/text.h"
#include "oauth.h"

#define MAX_TOKEN 16384 /* bytes of an access or refresh token */

int64_t coreapi__oauth_now(void) { return (int64_t)time(NULL); }

void coreapi__oauth_token_clear(coreapi__oauth_token *t) {
  coreapi__free_secret(t->access);
  coreapi__free_secret(t->type);
  coreapi__free_secret(t->refresh);
  coreapi__free_secret(t->scope);
  memset(t, 0, sizeof(*t));
}

/* The form as application/x-www-form-urlencoded into b (a secret). */
static int form_body(coreapi__buf *b, const char *const *form) {
  int first = 1;
  for (size_t i = 0; form[i] != NULL; i += 2) {
    if (form[i + 1] == NULL)
      continue;
    if ((!first && coreapi__buf_append(b, "&", 1) != 0) ||
        coreapi__quote_plus(b, form[i], strlen(form[i])) != 0 ||
        coreapi__buf_append(b, "=", 1) != 0 ||
        coreapi__quote_plus(b, form[i + 1], strlen(form[i + 1])) != 0)
      return -1;
    first = 0;
  }
  return coreapi__buf_append(b, "", 0);
}

/* "Basic base64(form(id):form(secret))": RFC 6749 2.3.1 encodes both with
 * application/x-www-form-urlencoded first. NULL on ENOMEM. */
static char *basic_header(const char *id, const char *secret) {
  coreapi__buf pair = {0};
  char *b64 = NULL, *out = NULL;
  if (coreapi__quote_plus(&pair, id, strlen(id)) == 0 && coreapi__buf_append(&pair, ":", 1) == 0 &&
      coreapi__quote_plus(&pair, secret, strlen(secret)) == 0 &&
      (b64 = coreapi__base64((const unsigned char *)pair.data, pair.len)) != NULL &&
      (out = malloc(strlen(b64) + 7)) != NULL)
    snprintf(out, strlen(b64) + 7, "Basic %s", b64);
  coreapi__free_secret(b64);
  if (pair.data != NULL)
    coreapi__wipe(pair.data, pair.len);
  coreapi__buf_free(&pair);
  return out;
}

/* The request: the form, with client_id (and client_secret, for
 * client_secret_post or a public client) added, or a Basic header. */
static coreapi_request *form_request(const char *url, const coreapi__oauth_client *oc,
                                     const char *const *form, coreapi_error *err) {
  const char *extra[] = {"client_id", NULL, "client_secret", NULL, NULL};
  const char **all;
  size_t n = 0;
  coreapi__buf body = {0};
  coreapi_request *req = coreapi_request_new("POST", url, err);
  char *basic = NULL;
  int post = oc->client_secret == NULL || oc->client_auth == COREAPI_OAUTH2_CLIENT_SECRET_POST;
  if (req == NULL)
    return NULL;
  while (form[n] != NULL)
    n += 2;
  if ((all = calloc(n + 5, sizeof(*all))) == NULL)
    goto oom;
  memcpy(all, form, n * sizeof(*all));
  extra[1] = post ? oc->client_id : NULL;
  extra[3] = post ? oc->client_secret : NULL;
  memcpy(all + n, extra, sizeof(extra));
  if (form_body(&body, all) != 0 ||
      (!post && (basic = basic_header(oc->client_id, oc->client_secret)) == NULL))
    goto oom;
  if (coreapi_request_set_body(req, body.data, body.len, err) != COREAPI_OK ||
      coreapi_request_set_header(req, "Content-Type", "application/x-www-form-urlencoded",
                                 err) != COREAPI_OK ||
      coreapi_request_set_header(req, "Accept", "application/json", err) != COREAPI_OK ||
      (basic != NULL && coreapi_request_set_header(req, "Authorization", basic, err) != COREAPI_OK))
    goto fail;
  goto done;
oom:
  COREAPI__OOM(err);
fail:
  coreapi_request_free(req);
  req = NULL;
done:
  free(all);
  coreapi__free_secret(basic);
  if (body.data != NULL)
    coreapi__wipe(body.data, body.len);
  coreapi__buf_free(&body);
  return req;
}

coreapi_code coreapi__oauth_post(coreapi_client *c, const char *url,
                                 const coreapi__oauth_client *oc, const char *const *form,
                                 long *status, coreapi_node **json, coreapi_error *err) {
  coreapi_request *req = form_request(url, oc, form, err);
  coreapi_response *resp = NULL;
  coreapi_code rc;
  const char *body;
  size_t len;
  *json = NULL;
  *status = 0;
  if (req == NULL)
    return err->code;
  rc = coreapi_client_send(c, req, &resp, err);
  coreapi_request_free(req);
  if (rc != COREAPI_OK)
    return rc;
  *status = coreapi_response_status(resp);
  if (*status >= 300 && *status < 400) {
    coreapi_response_free(resp);
    return coreapi_error_set(err, COREAPI_ERR_OAUTH,
                             "OAuth 2.0: %.200s answered a redirect (%ld), which is not followed",
                             url, *status);
  }
  body = coreapi_response_body(resp, &len);
  *json = coreapi_json_decode(body, len, err);
  if (*json != NULL && coreapi_node_type_of(*json) != COREAPI_NODE_DOCUMENT &&
      coreapi_node_type_of(*json) != COREAPI_NODE_OBJECT) {
    coreapi_node_free(*json);
    *json = NULL;
  }
  if (*json == NULL) {
    const char *type = coreapi_response_header(resp, "Content-Type");
    coreapi_error_clear(err); /* the parser's message is not the point */
    rc = coreapi_error_set(err, COREAPI_ERR_OAUTH,
                           "OAuth 2.0: %.200s answered %ld with %.60s, not a JSON object", url,
                           *status, type ? type : "no Content-Type");
  }
  coreapi_response_free(resp);
  return rc;
}

static const char *member(const coreapi_node *obj, const char *key) {
  return coreapi_string_value(coreapi_map_get(obj, key, strlen(key)), NULL);
}

/* Is s 1 to MAX_TOKEN bytes of visible ASCII (what a header may carry)? */
static int visible(const char *s) {
  return coreapi__is_visible_ascii(s) && strlen(s) <= MAX_TOKEN;
}

/* expires_in: a non-negative integer, or a string of digits (some servers
 * send one); -1 when absent or not one. */
static int64_t expires_in(const coreapi_node *obj) {
  const coreapi_node *v = coreapi_map_get(obj, "expires_in", 10);
  const char *s = coreapi_string_value(v, NULL);
  if (coreapi_node_type_of(v) == COREAPI_NODE_INTEGER && coreapi_integer_value(v) >= 0)
    return coreapi_integer_value(v);
  if (s != NULL && s[0] != '\0' && strspn(s, "0123456789") == strlen(s) && strlen(s) < 12)
    return strtoll(s, NULL, 10);
  return -1;
}

coreapi_code coreapi__oauth_read_token(const coreapi_node *json, const char *url,
                                       coreapi__oauth_token *out, coreapi_error *err) {
  const char *access = member(json, "access_token"), *type = member(json, "token_type");
  const char *refresh = member(json, "refresh_token"), *scope = member(json, "scope");
  int64_t in = expires_in(json);
  if (!visible(access))
    return coreapi_error_set(err, COREAPI_ERR_OAUTH,
                             "OAuth 2.0: %.200s answered no usable access_token", url);
  if (type == NULL || strcasecmp(type, "bearer") == 0)
    type = "Bearer"; /* RFC 6750's scheme as it is written; REQUIRED, but often left out */
  if (!coreapi__is_token(type) || (refresh != NULL && !visible(refresh)))
    return coreapi_error_set(err, COREAPI_ERR_OAUTH,
                             "OAuth 2.0: %.200s answered a token_type or refresh_token that "
                             "cannot be sent",
                             url);
  memset(out, 0, sizeof(*out));
  out->access = coreapi__strdup(access);
  out->type = coreapi__strdup(type);
  out->refresh = refresh ? coreapi__strdup(refresh) : NULL;
  out->scope = scope ? coreapi__strdup(scope) : NULL;
  out->expires_at = in >= 0 ? coreapi__oauth_now() + in : 0;
  if (out->access == NULL || out->type == NULL || (refresh && out->refresh == NULL) ||
      (scope && out->scope == NULL)) {
    coreapi__oauth_token_clear(out);
    return COREAPI__OOM(err);
  }
  return COREAPI_OK;
}

/* Printable text of s for a message: control characters as '?'. */
static void printable(char *dst, size_t size, const char *s) {
  size_t i = 0;
  for (; s != NULL && s[i] != '\0' && i + 1 < size; i++)
    dst[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
  dst[i] = '\0';
}

coreapi_code coreapi__oauth_token_request(coreapi_client *c, const coreapi__oauth_client *oc,
                                          const char *const *form, coreapi__oauth_token *out,
                                          char *error_code, size_t error_size,
                                          coreapi_error *err) {
  coreapi_node *json = NULL;
  long status;
  coreapi_code rc = coreapi__oauth_post(c, oc->token_url, oc, form, &status, &json, err);
  char code[64], what[160];
  if (error_code != NULL && error_size > 0)
    error_code[0] = '\0';
  if (rc == COREAPI_OK && status == 200) {
    rc = coreapi__oauth_read_token(json, oc->token_url, out, err);
  } else if (rc == COREAPI_OK) {
    printable(code, sizeof(code), member(json, "error"));
    printable(what, sizeof(what), member(json, "error_description"));
    if (error_code != NULL && error_size > 0)
      snprintf(error_code, error_size, "%s", code);
    rc = coreapi_error_set(err, COREAPI_ERR_OAUTH, "OAuth 2.0: %.200s refused (%ld): %s%s%s",
                           oc->token_url, status, code[0] ? code : "no error code",
                           what[0] ? ": " : "", what);
  }
  coreapi_node_free(json);
  return rc;
}
