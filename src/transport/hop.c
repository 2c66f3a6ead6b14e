/*
 * transport/hop.c - the hop planner: which request, which credential and
 * whether cookies go on each hop of a redirect chain. Pure: data in,
 * decision out, no libcurl and no I/O; the only allocation is the request it
 * returns. The rules are those of coreapi/client.h:
 *
 *   - an authentication applies to a hop its pattern covers (http/redirect.c:
 *     "*" the first origin; an explicit pattern the hop's host on the first
 *     request's port); none after a downgrade from https to http; once a hop
 *     is out of an authentication's scope it stays out for the whole chain;
 *   - the most specific authentication in scope wins (exact host, longest
 *     wildcard, "*"; the first added on a tie);
 *   - cookies go where an authentication that allows cookies is in scope;
 *   - outside the first origin only Accept, Accept-Language, Content-Type
 *     and User-Agent of the caller's headers go along, and no client-level
 *     extra header;
 *   - the transport settings (host_settings.c) by the hop's host, a client
 *     certificate scoped as an authentication is.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hop.h"

/* Caller headers that go along to a hop outside the first origin. */
static const char *const portable_headers[] = {"Accept", "Accept-Language", "Content-Type",
                                               "User-Agent"};

static int is_portable_header(const char *name) {
  for (size_t i = 0; i < sizeof(portable_headers) / sizeof(portable_headers[0]); i++)
    if (coreapi__strcaseeq(name, portable_headers[i]))
      return 1;
  return 0;
}

/* Update the chain's scope state for hop u (prev: the hop before, or NULL). */
static void chain_enter(coreapi__chain *ch, const coreapi__hop_policy *pol,
                        const coreapi__url *prev, const coreapi__url *u) {
  if (prev != NULL && strcmp(prev->scheme, "https") == 0 && strcmp(u->scheme, "http") == 0)
    ch->downgraded = 1;
  if (!coreapi__same_origin(ch->first, u))
    ch->origin_left = 1;
  for (size_t i = 0; i < ch->auth_count && i < pol->auth_count; i++)
    if (ch->downgraded ||
        !coreapi__pattern_covers_hop(coreapi__auth_pattern(pol->auths[i]), ch->first, u))
      ch->auth_left[i] = 1;
  /* Client certificates are credentials: the same scope rule. */
  for (size_t i = 0; ch->hp != NULL && i < ch->hp->host_count; i++)
    if (ch->downgraded || !coreapi__pattern_covers_hop(&ch->hp->hosts[i].pattern, ch->first, u))
      ch->cert_left[i] = 1;
  if (ch->downgraded || ch->origin_left)
    ch->cert_left[ch->cert_count - 1] = 1;
}

/* A flag per item: few when there are not more than it holds, else new. */
static unsigned char *flags_new(unsigned char *few, size_t few_size, size_t n) {
  return n <= few_size ? few : calloc(n, 1);
}

coreapi_code coreapi__chain_start(coreapi__chain *ch, const coreapi__hop_policy *pol,
                                  const coreapi_request *base, coreapi_error *err) {
  return coreapi__chain_start_hosts(ch, pol, NULL, base, err);
}

coreapi_code coreapi__chain_start_hosts(coreapi__chain *ch, const coreapi__hop_policy *pol,
                                        const coreapi__host_policy *hp,
                                        const coreapi_request *base, coreapi_error *err) {
  memset(ch, 0, sizeof(*ch));
  ch->hp = hp;
  ch->cert_count = (hp != NULL ? hp->host_count : 0) + 1;
  ch->auth_left = flags_new(ch->auth_left_few, sizeof(ch->auth_left_few), pol->auth_count);
  ch->cert_left = flags_new(ch->cert_left_few, sizeof(ch->cert_left_few), ch->cert_count);
  if (ch->auth_left == NULL || ch->cert_left == NULL) {
    coreapi__chain_free(ch);
    return COREAPI__OOM(err);
  }
  ch->first = &base->url;
  ch->auth_count = pol->auth_count;
  chain_enter(ch, pol, NULL, &base->url);
  return COREAPI_OK;
}

void coreapi__chain_free(coreapi__chain *ch) {
  coreapi__url_free(&ch->first_copy);
  if (ch->auth_left != ch->auth_left_few)
    free(ch->auth_left);
  if (ch->cert_left != ch->cert_left_few)
    free(ch->cert_left);
  memset(ch, 0, sizeof(*ch));
}

/* Turn base into the request for the redirect (status, location) and update
 * the chain's scope state; base and chain unchanged on ERR_BAD_REDIRECT. */
static coreapi_code chain_follow(coreapi__chain *ch, const coreapi__hop_policy *pol,
                                 coreapi_request *base, long status, const char *location,
                                 coreapi_error *err) {
  coreapi__url prev;
  coreapi_code rc;
  if (ch->first == &base->url) {
    /* base is about to change: keep the first URL. */
    if (coreapi__url_copy_parts(&ch->first_copy, &base->url) != 0)
      return COREAPI__OOM(err);
    ch->first = &ch->first_copy;
  }
  if (coreapi__url_copy_parts(&prev, &base->url) != 0)
    return COREAPI__OOM(err);
  rc = coreapi__redirect_next(base, status, location, err);
  if (rc == COREAPI_OK) {
    chain_enter(ch, pol, &prev, &base->url);
    ch->hop = base->hop;
  }
  coreapi__url_free(&prev);
  return rc;
}

int coreapi__redirect_followed(long status, const char *location, unsigned max_redirects) {
  return coreapi__is_redirect(status) && location != NULL && max_redirects > 0;
}

coreapi_code coreapi__chain_next(coreapi__chain *ch, const coreapi__hop_policy *pol,
                                 coreapi_request *base, long status, const char *location,
                                 unsigned max_redirects, unsigned *redirects, int *follow,
                                 coreapi_error *err) {
  coreapi_code rc;
  *follow = 0;
  if (!coreapi__redirect_followed(status, location, max_redirects))
    return COREAPI_OK;
  if (*redirects >= max_redirects)
    return coreapi_error_set(err, COREAPI_ERR_TOO_MANY_REDIRECTS,
                             "more than %u redirects, the last to %.200s", max_redirects,
                             location);
  rc = chain_follow(ch, pol, base, status, location, err);
  if (rc != COREAPI_OK)
    return rc;
  (*redirects)++;
  *follow = 1;
  return COREAPI_OK;
}

coreapi_auth *coreapi__hop_choose(const coreapi__chain *ch, const coreapi__hop_policy *pol,
                                  int *cookies) {
  coreapi_auth *best = NULL;
  size_t best_rank = 0;
  *cookies = 0;
  for (size_t i = 0; i < ch->auth_count && i < pol->auth_count; i++) {
    size_t rank;
    if (ch->auth_left[i])
      continue;
    if (coreapi_auth_allows_cookies(pol->auths[i]))
      *cookies = 1;
    rank = coreapi__pattern_rank(coreapi__auth_pattern(pol->auths[i]));
    if (best == NULL || rank > best_rank) {
      best = pol->auths[i];
      best_rank = rank;
    }
  }
  return best;
}

/* The caller's headers as they go on this hop: all of them in the first
 * origin (with the client's extra headers the caller did not set), the
 * portable ones outside it; then User-Agent. The caller's cookie
 * parameters likewise go only inside the first origin. */
static int hop_headers(const coreapi__chain *ch, const coreapi__hop_policy *pol,
                       coreapi_request *req) {
  if (ch->origin_left)
    req->param_cookie = NULL; /* borrowed: the caller's cookie parameters stay */
  if (ch->origin_left) {
    size_t o = 0;
    for (size_t i = 0; i < req->headers.count; i++) {
      coreapi__header *h = &req->headers.items[i];
      if (is_portable_header(h->name)) {
        req->headers.items[o++] = *h;
      } else {
        coreapi__header_release(h);
      }
    }
    req->headers.count = o;
  } else if (pol->extra != NULL) {
    for (size_t i = 0; i < pol->extra->count; i++) {
      const coreapi__header *x = &pol->extra->items[i];
      if (coreapi__headers_get(&req->headers, x->name) == NULL &&
          coreapi__headers_set(&req->headers, x->name, x->value, 0) != 0)
        return -1;
    }
  }
  if (coreapi__headers_get(&req->headers, "User-Agent") == NULL &&
      coreapi__headers_set(&req->headers, "User-Agent", pol->user_agent, 0) != 0)
    return -1;
  return 0;
}

/* The sentence --debug prints for the decision. */
static void explain(const coreapi__chain *ch, const coreapi__hop_policy *pol,
                    const coreapi_request *req, const coreapi_auth *chosen, int cookies,
                    char *why, size_t size) {
  char desc[128];
  const char *host = req->url.host;
  if (chosen != NULL)
    snprintf(why, size, "hop %u %s: credential %s: %s%s", req->hop, host,
             coreapi_auth_domain(chosen), coreapi_auth_describe(chosen, desc, sizeof(desc)),
             cookies ? ", cookies allowed" : ", cookies not allowed");
  else if (pol->auth_count == 0)
    snprintf(why, size, "hop %u %s: no credential configured; cookies not allowed", req->hop,
             host);
  else if (ch->downgraded)
    snprintf(why, size,
             "hop %u %s: no credential: stripped after a downgrade from https to http; "
             "cookies not allowed",
             req->hop, host);
  else if (req->hop > 0)
    snprintf(why, size,
             "hop %u %s: no credential: the redirect chain left every credential's scope; "
             "cookies not allowed",
             req->hop, host);
  else
    snprintf(why, size, "hop 0 %s: no credential matches %s; cookies not allowed", host, host);
}

coreapi_code coreapi__hop_plan_make(const coreapi__chain *ch, const coreapi__hop_policy *pol,
                                    const coreapi_request *base, coreapi__hop_plan *plan,
                                    coreapi_error *err) {
  memset(plan, 0, sizeof(*plan));
  plan->req = coreapi__request_view(base);
  if (plan->req == NULL || hop_headers(ch, pol, plan->req) != 0) {
    coreapi_request_free(plan->req);
    plan->req = NULL;
    return COREAPI__OOM(err);
  }
  plan->auth = coreapi__hop_choose(ch, pol, &plan->cookies);
  if (pol->explain)
    explain(ch, pol, plan->req, plan->auth, plan->cookies, plan->why, sizeof(plan->why));
  coreapi__transport_choose(ch, &plan->req->url, &plan->transport,
                            pol->explain ? plan->settings_why : NULL,
                            sizeof(plan->settings_why));
  return COREAPI_OK;
}
