/*
 * request.c - the request as the client sends it and authentication sees it:
 * method, parsed URL, headers, optional body, and which redirect hop it is.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"

coreapi_request *coreapi_request_new(const char *method, const char *url, coreapi_error *err) {
  coreapi_request *req;
  coreapi_error_clear(err);
  if (method == NULL || method[0] == '\0')
    method = "GET";
  if (!coreapi__is_token(method)) {
    coreapi_error_set(err, COREAPI_ERR_INVALID_ARGUMENT,
                      "invalid method '%.32s': not an RFC 9110 token", method);
    return NULL;
  }
  if (url == NULL) {
    coreapi_error_set(err, COREAPI_ERR_INVALID_ARGUMENT, "URL must not be NULL");
    return NULL;
  }
  req = calloc(1, sizeof(*req));
  if (req == NULL) {
    COREAPI__OOM(err);
    return NULL;
  }
  req->method = coreapi__strdup(method);
  if (req->method == NULL) {
    free(req);
    COREAPI__OOM(err);
    return NULL;
  }
  for (char *p = req->method; *p; p++)
    if (*p >= 'a' && *p <= 'z')
      *p = (char)(*p - ('a' - 'A'));
  if (coreapi__url_parse(&req->url, url, NULL, err) != COREAPI_OK) {
    free(req->method);
    free(req);
    return NULL;
  }
  return req;
}

void coreapi__request_drop_body(coreapi_request *req) {
  if (req->borrowed & COREAPI__REQ_BORROWED_BODY) {
    req->body = NULL;
    req->body_len = 0;
    req->parts = NULL;
    req->part_count = 0;
    req->multipart = 0;
    req->upload = NULL;
    req->borrowed &= ~COREAPI__REQ_BORROWED_BODY;
    return;
  }
  if (req->body != NULL) {
    coreapi__wipe(req->body, req->body_len);
    free(req->body);
  }
  req->body = NULL;
  req->body_len = 0;
  for (size_t i = 0; i < req->part_count; i++) {
    free(req->parts[i].name);
    coreapi__free_secret(req->parts[i].value);
    coreapi__source_free(req->parts[i].file);
  }
  free(req->parts);
  req->parts = NULL;
  req->part_count = 0;
  req->multipart = 0;
  coreapi__source_free(req->upload);
  req->upload = NULL;
}

void coreapi_request_free(coreapi_request *req) {
  if (req == NULL)
    return;
  if (!(req->borrowed & COREAPI__REQ_BORROWED_METHOD))
    free(req->method);
  if (!(req->borrowed & COREAPI__REQ_BORROWED_URL))
    coreapi__url_free(&req->url);
  coreapi__headers_free(&req->headers);
  coreapi__headers_free(&req->cookie_cache);
  coreapi__request_drop_body(req);
  coreapi__free_secret(req->auth_query);
  coreapi__free_secret(req->auth_query_value);
  coreapi__free_secret(req->auth_cookie);
  coreapi__free_secret(req->http_user);
  coreapi__free_secret(req->http_password);
  if (!(req->borrowed & COREAPI__REQ_BORROWED_COOKIE))
    coreapi__free_secret(req->param_cookie);
  free(req);
}

coreapi_code coreapi__request_set_param_cookie(coreapi_request *req, const char *line,
                                               coreapi_error *err) {
  char *copy = coreapi__strdup(line);
  if (copy == NULL)
    return COREAPI__OOM(err);
  if (!(req->borrowed & COREAPI__REQ_BORROWED_COOKIE))
    coreapi__free_secret(req->param_cookie);
  req->param_cookie = copy;
  req->borrowed &= ~COREAPI__REQ_BORROWED_COOKIE;
  return COREAPI_OK;
}

/* *slot = "a<sep>b" joined to what it holds, wiping the old string. */
static coreapi_code join_secret(char **slot, const char *sep, const char *pair,
                                coreapi_error *err) {
  size_t old = *slot ? strlen(*slot) : 0, n = strlen(pair);
  char *s = malloc(old + strlen(sep) + n + 1);
  if (s == NULL)
    return COREAPI__OOM(err);
  s[0] = '\0';
  if (*slot != NULL) {
    memcpy(s, *slot, old);
    strcpy(s + old, sep);
  }
  strcat(s, pair);
  coreapi__free_secret(*slot);
  *slot = s;
  return COREAPI_OK;
}

/* Lowercase the hex digits of the escapes in b: libcurl's URL handle
 * writes them so, and debug output must find the value as it is sent. */
static void lower_escapes(coreapi__buf *b) {
  for (size_t i = 0; i < b->len; i++) {
    char *c = &b->data[i];
    if (i > 0 && (c[-1] == '%' || (i > 1 && c[-2] == '%')) && *c >= 'A' && *c <= 'F')
      *c = (char)(*c - 'A' + 'a');
  }
}

coreapi_code coreapi__request_add_auth_query(coreapi_request *req, const char *name,
                                             const char *value, coreapi_error *err) {
  coreapi__buf pair = {0}, encoded = {0};
  coreapi_code rc = COREAPI_OK;
  if (coreapi__quote_plus(&pair, name, strlen(name)) != 0 || coreapi__buf_append(&pair, "=", 1) != 0 ||
      coreapi__quote_plus(&encoded, value, strlen(value)) != 0 ||
      coreapi__buf_append(&pair, encoded.data, encoded.len) != 0 ||
      coreapi__buf_append(&pair, "", 1) != 0 || coreapi__buf_append(&encoded, "", 1) != 0)
    rc = COREAPI__OOM(err);
  lower_escapes(&pair);
  lower_escapes(&encoded);
  if (rc == COREAPI_OK)
    rc = join_secret(&req->auth_query, "&", pair.data, err);
  if (rc == COREAPI_OK) {
    coreapi__free_secret(req->auth_query_value);
    req->auth_query_value = encoded.data;
    encoded.data = NULL;
    encoded.len = encoded.cap = 0;
  }
  coreapi__wipe(pair.data, pair.len);
  coreapi__buf_free(&pair);
  coreapi__wipe(encoded.data, encoded.len);
  coreapi__buf_free(&encoded);
  return rc;
}

coreapi_code coreapi__request_add_auth_cookie(coreapi_request *req, const char *name,
                                              const char *value, coreapi_error *err) {
  size_t n = strlen(name) + strlen(value) + 2;
  char *pair = malloc(n);
  coreapi_code rc;
  if (pair == NULL)
    return COREAPI__OOM(err);
  snprintf(pair, n, "%s=%s", name, value);
  rc = join_secret(&req->auth_cookie, "; ", pair, err);
  coreapi__free_secret(pair);
  return rc;
}

coreapi_code coreapi__request_set_http_auth(coreapi_request *req, unsigned scheme,
                                            const char *user, const char *password,
                                            coreapi_error *err) {
  char *u = coreapi__strdup(user), *p = coreapi__strdup(password);
  if (u == NULL || p == NULL) {
    coreapi__free_secret(u);
    coreapi__free_secret(p);
    return COREAPI__OOM(err);
  }
  coreapi__free_secret(req->http_user);
  coreapi__free_secret(req->http_password);
  req->http_auth = scheme;
  req->http_user = u;
  req->http_password = p;
  return COREAPI_OK;
}

coreapi_code coreapi__request_set_multipart(coreapi_request *req, coreapi_error *err) {
  (void)err;
  coreapi__request_drop_body(req);
  req->multipart = 1;
  return COREAPI_OK;
}

coreapi_code coreapi__request_add_part(coreapi_request *req, const char *name,
                                       const char *value, const coreapi__source *file,
                                       coreapi_error *err) {
  coreapi__part *parts, *p;
  if (!req->multipart)
    coreapi__request_set_multipart(req, err);
  parts = realloc(req->parts, (req->part_count + 1) * sizeof(*parts));
  if (parts == NULL)
    return COREAPI__OOM(err);
  req->parts = parts;
  p = &parts[req->part_count];
  p->name = coreapi__strdup(name);
  p->value = value ? coreapi__strdup(value) : NULL;
  p->file = coreapi__source_copy(file);
  if (p->name == NULL || (value != NULL && p->value == NULL) || (file != NULL && p->file == NULL)) {
    free(p->name);
    free(p->value);
    coreapi__source_free(p->file);
    return COREAPI__OOM(err);
  }
  req->part_count++;
  return COREAPI_OK;
}

coreapi_code coreapi__request_set_upload(coreapi_request *req, const coreapi__source *upload,
                                         coreapi_error *err) {
  coreapi__source *copy = coreapi__source_copy(upload);
  if (copy == NULL)
    return COREAPI__OOM(err);
  coreapi__request_drop_body(req);
  req->upload = copy;
  return COREAPI_OK;
}

int coreapi__request_holds_body(const coreapi_request *req) {
  const char *m = req->method;
  return req->body != NULL || (!req->multipart && req->upload == NULL &&
                               (strcmp(m, "POST") == 0 || strcmp(m, "PUT") == 0 ||
                                strcmp(m, "PATCH") == 0));
}

coreapi_request *coreapi__request_view(const coreapi_request *src) {
  coreapi_request *req = malloc(sizeof(*req));
  if (req == NULL)
    return NULL;
  *req = *src;
  memset(&req->headers, 0, sizeof(req->headers));
  memset(&req->cookie_cache, 0, sizeof(req->cookie_cache));
  req->borrowed = COREAPI__REQ_BORROWED_METHOD | COREAPI__REQ_BORROWED_URL |
                  COREAPI__REQ_BORROWED_BODY | COREAPI__REQ_BORROWED_COOKIE;
  req->memo = NULL;
  req->memo_owner = NULL;
  req->set_flags = 0;
  req->cookie_lookup = NULL;
  req->cookie_ctx = NULL;
  req->resent = 0;
  req->auth_query = req->auth_query_value = req->auth_cookie = NULL;
  req->http_auth = 0;
  req->http_user = req->http_password = NULL;
  if (coreapi__headers_copy(&req->headers, &src->headers) != 0) {
    coreapi_request_free(req);
    return NULL;
  }
  return req;
}

coreapi_request *coreapi__request_clone(const coreapi_request *src) {
  coreapi_request *req = calloc(1, sizeof(*req));
  if (req == NULL)
    return NULL;
  req->method = coreapi__strdup(src->method);
  req->hop = src->hop;
  if (req->method == NULL || coreapi__url_copy(&req->url, &src->url) != 0 ||
      coreapi__headers_copy(&req->headers, &src->headers) != 0)
    goto fail;
  if (src->body != NULL) {
    req->body = malloc(src->body_len ? src->body_len : 1);
    if (req->body == NULL)
      goto fail;
    memcpy(req->body, src->body, src->body_len);
    req->body_len = src->body_len;
  }
  if (src->multipart) {
    req->multipart = 1;
    for (size_t i = 0; i < src->part_count; i++)
      if (coreapi__request_add_part(req, src->parts[i].name, src->parts[i].value,
                                    src->parts[i].file, NULL) != COREAPI_OK)
        goto fail;
  }
  if (src->param_cookie != NULL && (req->param_cookie = coreapi__strdup(src->param_cookie)) == NULL)
    goto fail;
  if (src->upload != NULL && (req->upload = coreapi__source_copy(src->upload)) == NULL)
    goto fail;
  return req;
fail:
  coreapi_request_free(req);
  return NULL;
}

void coreapi__request_retarget(coreapi_request *req, coreapi__url *url) {
  coreapi__url_free(&req->url);
  req->url = *url;
  memset(url, 0, sizeof(*url));
  req->hop++;
}

const char *coreapi_request_method(const coreapi_request *req) {
  return req ? req->method : NULL;
}

const char *coreapi_request_url(const coreapi_request *req) {
  return req ? req->url.url : NULL;
}

const char *coreapi_request_scheme(const coreapi_request *req) {
  return req ? req->url.scheme : NULL;
}

const char *coreapi_request_host(const coreapi_request *req) {
  return req ? req->url.host : NULL;
}

int coreapi_request_port(const coreapi_request *req) { return req ? req->url.port : 0; }

int coreapi_request_is_safe_method(const coreapi_request *req) {
  static const char *const safe[] = {"GET", "HEAD", "OPTIONS", "TRACE"};
  if (req == NULL)
    return 0;
  for (size_t i = 0; i < sizeof(safe) / sizeof(safe[0]); i++)
    if (strcmp(req->method, safe[i]) == 0)
      return 1;
  return 0;
}

const char *coreapi_request_header(const coreapi_request *req, const char *name) {
  return req ? coreapi__headers_get(&req->headers, name) : NULL;
}

coreapi_code coreapi_request_set_header(coreapi_request *req, const char *name,
                                        const char *value, coreapi_error *err) {
  coreapi_code rc;
  if (req == NULL)
    return coreapi_error_set(err, COREAPI_ERR_INVALID_ARGUMENT, "request must not be NULL");
  rc = coreapi__header_check(name, value, err);
  if (rc != COREAPI_OK)
    return rc;
  if (coreapi__headers_set(&req->headers, name, value, req->set_flags) != 0)
    return COREAPI__OOM(err);
  return COREAPI_OK;
}

coreapi_code coreapi__request_set_header_valid(coreapi_request *req, const char *name,
                                              const char *value, coreapi_error *err) {
  if (coreapi__headers_set(&req->headers, name, value, req->set_flags) != 0)
    return COREAPI__OOM(err);
  return COREAPI_OK;
}

size_t coreapi_request_remove_header(coreapi_request *req, const char *name) {
  return req ? coreapi__headers_remove(&req->headers, name) : 0;
}

size_t coreapi_request_header_count(const coreapi_request *req) {
  return req ? req->headers.count : 0;
}

int coreapi_request_header_at(const coreapi_request *req, size_t i, const char **name,
                              const char **value) {
  if (req == NULL || i >= req->headers.count)
    return -1;
  if (name)
    *name = req->headers.items[i].name;
  if (value)
    *value = req->headers.items[i].value;
  return 0;
}

coreapi_code coreapi_request_set_body(coreapi_request *req, const void *data, size_t len,
                                      coreapi_error *err) {
  unsigned char *copy;
  if (req == NULL || (data == NULL && len > 0))
    return coreapi_error_set(err, COREAPI_ERR_INVALID_ARGUMENT,
                             "request and body must not be NULL");
  copy = malloc(len ? len : 1);
  if (copy == NULL)
    return COREAPI__OOM(err);
  if (len > 0)
    memcpy(copy, data, len);
  coreapi__request_drop_body(req);
  req->body = copy;
  req->body_len = len;
  return COREAPI_OK;
}

const void *coreapi_request_body(const coreapi_request *req, size_t *len) {
  if (len)
    *len = (req && req->body) ? req->body_len : 0;
  return req ? req->body : NULL;
}

unsigned coreapi_request_hop(const coreapi_request *req) { return req ? req->hop : 0; }

const char *coreapi_request_memo_get(const coreapi_request *req, const char *key) {
  if (req == NULL || req->memo == NULL || key == NULL)
    return NULL;
  return coreapi__memo_get(req->memo, req->memo_owner, key);
}

coreapi_code coreapi_request_memo_set(const coreapi_request *req, const char *key,
                                      const char *value, coreapi_error *err) {
  if (req == NULL || req->memo == NULL || key == NULL)
    return coreapi_error_set(err, COREAPI_ERR_INVALID_ARGUMENT,
                             "request memory is only available inside a client's "
                             "authentication callbacks");
  return coreapi__memo_set(req->memo, req->memo_owner, key, value, err);
}

const char *coreapi_request_cookie(const coreapi_request *req, const char *name) {
  coreapi_request *r = (coreapi_request *)req; /* the cache is not the request's content */
  char *value;
  if (req == NULL || name == NULL || req->cookie_lookup == NULL)
    return NULL;
  value = req->cookie_lookup(req->cookie_ctx, req, name);
  if (value == NULL)
    return NULL;
  if (coreapi__headers_set(&r->cookie_cache, name, value, COREAPI__HDR_SECRET) != 0) {
    coreapi__free_secret(value);
    return NULL;
  }
  coreapi__free_secret(value);
  return coreapi__headers_get(&r->cookie_cache, name);
}
