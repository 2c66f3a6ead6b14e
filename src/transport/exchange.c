/*
 * transport/exchange.c - one request from its first hop to its final
 * response, as steps: plan a hop (the planner decides, the authentication
 * applies), then take its response (shown to the authentications; a resend
 * or a redirect makes another hop). The client's blocking send (client.c)
 * and a batch (batch.c) run the same steps, so every request follows the
 * same rules however it is sent; only who carries the hop out differs.
 */
#include <stdlib.h>

#include "client_impl.h"

#define DEFAULT_USER_AGENT "coreapi"

void coreapi__client_hop_policy(const coreapi_client *c, coreapi__hop_policy *pol) {
  pol->auths = c->auths;
  pol->auth_count = c->auth_count;
  pol->extra = &c->extra;
  pol->user_agent = c->user_agent ? c->user_agent : DEFAULT_USER_AGENT;
  pol->explain = c->debug != NULL;
}

coreapi_code coreapi__exchange_start(coreapi__exchange *x, coreapi_client *c,
                                     const coreapi_request *req, coreapi_error *err) {
  x->client = c;
  x->req = req;
  x->base = req;
  x->owned = NULL;
  x->redirects = 0;
  x->attempt = 0;
  x->plan.req = NULL;
  coreapi__client_hop_policy(c, &x->pol);
  coreapi__host_policy_fill(c, &x->hp);
  return coreapi__chain_start_hosts(&x->ch, &x->pol, &x->hp, req, err);
}

void coreapi__exchange_free(coreapi__exchange *x) {
  coreapi_request_free(x->plan.req);
  x->plan.req = NULL;
  coreapi_request_free(x->owned);
  x->owned = NULL;
  coreapi__chain_free(&x->ch);
}

/* Apply the plan's authentication to its request. Headers set meanwhile are
 * marked, so that debug output redacts them. */
static coreapi_code apply_auth(coreapi_client *c, coreapi__hop_plan *plan, coreapi_error *err) {
  coreapi_request *req = plan->req;
  coreapi_code rc;
  req->cookie_lookup = plan->cookies ? coreapi__jar_cookie : NULL;
  req->cookie_ctx = c;
  if (plan->auth == NULL)
    return COREAPI_OK;
  req->memo = &c->memo;
  req->memo_owner = plan->auth;
  req->set_flags = COREAPI__HDR_AUTH;
  rc = coreapi__auth_run_apply(plan->auth, req, err);
  req->set_flags = 0;
  req->memo = NULL;
  return rc;
}

coreapi_code coreapi__exchange_plan(coreapi__exchange *x, coreapi_error *err) {
  coreapi_client *c = x->client;
  coreapi_code rc = coreapi__hop_plan_make(&x->ch, &x->pol, x->base, &x->plan, err);
  if (rc != COREAPI_OK) {
    x->plan.req = NULL;
    return rc;
  }
  if (x->attempt == 0 && x->pol.explain)
    coreapi__debug_info(c, "%s", x->plan.why);
  if (x->attempt == 0 && x->plan.settings_why[0] != '\0')
    coreapi__debug_info(c, "%s", x->plan.settings_why);
  x->plan.req->resent = x->attempt > 0;
  rc = apply_auth(c, &x->plan, err);
  if (rc != COREAPI_OK) {
    coreapi_request_free(x->plan.req);
    x->plan.req = NULL;
  }
  return rc;
}

/* Show resp to the authentications: the chosen one (which may ask for a
 * resend), and every other one in scope that allows cookies, so that a
 * scheme that keeps a session sees every response it could have sent
 * cookies with (a resend it asks for is ignored). */
static coreapi_code run_on_response(coreapi__exchange *x, const coreapi_response *resp,
                                    int *resend, coreapi_error *err) {
  coreapi_client *c = x->client;
  coreapi_request *req = x->plan.req;
  for (size_t i = 0; i < c->auth_count; i++) {
    coreapi_auth *a = c->auths[i];
    const coreapi_auth_ops *ops = coreapi__auth_ops(a);
    int ignored = 0;
    coreapi_code rc;
    if (ops->on_response == NULL || x->ch.auth_left[i] ||
        (a != x->plan.auth && !ops->allow_cookies))
      continue;
    req->memo = &c->memo;
    req->memo_owner = a;
    rc = ops->on_response(coreapi__auth_state(a), req, resp,
                          a == x->plan.auth ? resend : &ignored, err);
    req->memo = NULL;
    if (rc != COREAPI_OK)
      return coreapi_error_set(err, rc, "%s authentication failed the response: %s", ops->name,
                               coreapi_strerror(rc));
  }
  return COREAPI_OK;
}

/* The chain goes on from the final response of a hop (not a resend): a
 * redirect followed makes base the next hop's request. */
static coreapi_code follow(coreapi__exchange *x, coreapi_response *resp, int *done,
                           coreapi_response **out, coreapi_error *err) {
  coreapi_client *c = x->client;
  const char *location = coreapi_response_header(resp, "Location");
  int go_on = 0;
  coreapi_code rc;
  /* The chain's base request is the caller's until a redirect changes it:
   * only then is it copied. */
  if (x->owned == NULL && coreapi__redirect_followed(resp->status, location, c->max_redirects)) {
    if ((x->owned = coreapi__request_clone(x->req)) == NULL) {
      coreapi_response_free(resp);
      return COREAPI__OOM(err);
    }
    x->base = x->owned;
  }
  rc = coreapi__chain_next(&x->ch, &x->pol, x->owned, resp->status, location, c->max_redirects,
                           &x->redirects, &go_on, err);
  if (rc != COREAPI_OK) {
    coreapi_response_free(resp);
    return rc;
  }
  if (!go_on) {
    resp->redirects = x->redirects;
    *out = resp;
    *done = 1;
    return COREAPI_OK;
  }
  coreapi__debug_info(c, "redirect %ld to %s", resp->status, x->base->url.url);
  coreapi_response_free(resp);
  x->attempt = 0;
  return COREAPI_OK;
}

coreapi_code coreapi__exchange_answer(coreapi__exchange *x, coreapi_response *resp, int *done,
                                      coreapi_response **out, coreapi_error *err) {
  int resend = 0;
  coreapi_code rc = run_on_response(x, resp, &resend, err);
  *done = 0;
  *out = NULL;
  if (resend && rc == COREAPI_OK && x->attempt == 0)
    coreapi__debug_info(x->client, "hop %u: %s authentication asked to send the request again",
                        x->base->hop, coreapi_auth_name(x->plan.auth));
  coreapi_request_free(x->plan.req);
  x->plan.req = NULL;
  if (rc != COREAPI_OK) {
    coreapi_response_free(resp);
    return rc;
  }
  if (resend && x->attempt == 0) {
    coreapi_response_free(resp);
    x->attempt = 1;
    return COREAPI_OK;
  }
  return follow(x, resp, done, out, err);
}
