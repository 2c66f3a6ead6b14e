/*
 * auth/auth.c - the authentication object: one interface (coreapi_auth_ops)
 * for every scheme, built-in or custom, a domain pattern, and an atomic
 * reference count so that one object can be shared by clients in several
 * threads.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"

struct coreapi_auth {
  atomic_uint refs;
  const coreapi_auth_ops *ops;
  void *state;
  coreapi__pattern pattern;
};

coreapi_auth *coreapi_auth_new(const coreapi_auth_ops *ops, void *state, const char *domain,
                               coreapi_error *err) {
  coreapi_auth *auth;
  coreapi_error_clear(err);
  if (ops == NULL || ops->apply == NULL || ops->name == NULL || ops->name[0] == '\0') {
    coreapi_error_set(err, COREAPI_ERR_INVALID_ARGUMENT,
                      "authentication operations need a name and an apply function");
    goto fail;
  }
  auth = calloc(1, sizeof(*auth));
  if (auth == NULL) {
    COREAPI__OOM(err);
    goto fail;
  }
  if (coreapi__pattern_parse(&auth->pattern, domain, err) != COREAPI_OK) {
    free(auth);
    goto fail;
  }
  atomic_init(&auth->refs, 1);
  auth->ops = ops;
  auth->state = state;
  return auth;
fail:
  if (ops != NULL && ops->free != NULL && state != NULL)
    ops->free(state);
  return NULL;
}

coreapi_auth *coreapi_auth_ref(coreapi_auth *auth) {
  if (auth != NULL)
    atomic_fetch_add(&auth->refs, 1);
  return auth;
}

void coreapi_auth_free(coreapi_auth *auth) {
  if (auth == NULL || atomic_fetch_sub(&auth->refs, 1) != 1)
    return;
  if (auth->ops->free != NULL && auth->state != NULL)
    auth->ops->free(auth->state);
  coreapi__pattern_free(&auth->pattern);
  free(auth);
}

const char *coreapi_auth_domain(const coreapi_auth *auth) {
  return auth ? auth->pattern.text : NULL;
}

const char *coreapi_auth_name(const coreapi_auth *auth) {
  return auth ? auth->ops->name : NULL;
}

int coreapi_auth_allows_cookies(const coreapi_auth *auth) {
  return auth ? auth->ops->allow_cookies != 0 : 0;
}

char *coreapi_auth_describe(const coreapi_auth *auth, char *buf, size_t size) {
  if (buf == NULL || size == 0)
    return buf;
  buf[0] = '\0';
  if (auth == NULL)
    return buf;
  if (auth->ops->describe != NULL) {
    auth->ops->describe(auth->state, buf, size);
    buf[size - 1] = '\0';
  } else {
    snprintf(buf, size, "%s", auth->ops->name);
  }
  return buf;
}

void *coreapi_auth_state(const coreapi_auth *auth) { return auth ? auth->state : NULL; }

coreapi_code coreapi_auth_apply(const coreapi_auth *auth, coreapi_request *req, int *applied,
                                coreapi_error *err) {
  coreapi_error_clear(err);
  if (applied)
    *applied = 0;
  if (auth == NULL || req == NULL)
    return coreapi_error_set(err, COREAPI_ERR_INVALID_ARGUMENT,
                             "authentication and request must not be NULL");
  if (!coreapi__pattern_matches(&auth->pattern, &req->url))
    return COREAPI_OK;
  if (applied)
    *applied = 1;
  return coreapi__auth_run_apply(auth, req, err);
}

coreapi_code coreapi__auth_run_apply(const coreapi_auth *auth, coreapi_request *req,
                                     coreapi_error *err) {
  coreapi_code rc = auth->ops->apply(auth->state, req, err);
  if (rc != COREAPI_OK)
    coreapi_error_set(err, rc, "%s authentication refused the request: %s", auth->ops->name,
                      coreapi_strerror(rc));
  return rc;
}

const coreapi__pattern *coreapi__auth_pattern(const coreapi_auth *auth) {
  return &auth->pattern;
}

const coreapi_auth_ops *coreapi__auth_ops(const coreapi_auth *auth) { return auth->ops; }

void *coreapi__auth_state(const coreapi_auth *auth) { return auth->state; }
