/*
 * auth/auth.h - what the transport may use of an authentication object
 * beyond the public coreapi/auth.h: its pattern, operations and state.
 */
#ifndef COREAPI_AUTH_LAYER_H
#define COREAPI_AUTH_LAYER_H

#include "../http/http.h"
#include "coreapi/auth.h"

/* --- auth/auth.c --------------------------------------------------------- */

struct coreapi_auth;
const coreapi__pattern *coreapi__auth_pattern(const coreapi_auth *auth);
const coreapi_auth_ops *coreapi__auth_ops(const coreapi_auth *auth);
void *coreapi__auth_state(const coreapi_auth *auth);
/* Run ops->apply; an error it returns without filling err is filled here. */
coreapi_code coreapi__auth_run_apply(const coreapi_auth *auth, coreapi_request *req,
                                     coreapi_error *err);

#endif /* COREAPI_AUTH_LAYER_H */
