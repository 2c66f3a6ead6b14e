/*
 * transport/client.c - the client: its settings, and the loop that sends a
 * request hop by hop. Redirects are followed here rather than by libcurl;
 * for every hop the planner (hop.c) decides the request, the credential and
 * the cookies, the authentication applies, and the backend (backend.c)
 * sends it. See client.h for the rules.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "client_impl.h"
#include "hop.h"

#define DEFAULT_USER_AGENT "coreapi"
#define DEFAULT_TIMEOUT_MS 30000L
#define DEFAULT_MAX_REDIRECTS 20u
#define DEFAULT_MAX_BODY ((size_t)64 << 20)
#define DEFAULT_MAX_FILESIZE ((int64_t)1 << 30)

coreapi_client *coreapi_client_new(coreapi_error *err) {
  coreapi_client *c;
  coreapi_error_clear(err);
  c = calloc(1, sizeof(*c));
  if (c == NULL) {
    COREAPI__OOM(err);
    return NULL;
  }
  c->timeout_ms = DEFAULT_TIMEOUT_MS;
  c->verify_tls = 1;
  c->options_changed = 1;
  c->max_body = DEFAULT_MAX_BODY;
  c->max_filesize = DEFAULT_MAX_FILESIZE;
  c->max_decoded = COREAPI__DEFAULT_MAX_DECODED;
  c->max_redirects = DEFAULT_MAX_REDIRECTS;
  c->curl = curl_easy_init();
  c->jar = curl_share_init();
  if (c->curl == NULL || c->jar == NULL ||
      curl_share_setopt(c->jar, CURLSHOPT_SHARE, CURL_LOCK_DATA_COOKIE) != CURLSHE_OK) {
    coreapi_client_free(c);
    coreapi_error_set(err, COREAPI_ERR_INTERNAL, "could not initialise libcurl");
    return NULL;
  }
  if (coreapi__backend_init(c, err) != COREAPI_OK || coreapi__handle_finish(c, err) != COREAPI_OK) {
    coreapi_client_free(c);
    return NULL;
  }
  /* libcurl's own CA bundle and directory, to restore after a caller's. */
  {
    char *info = NULL;
    if (curl_easy_getinfo(c->curl, CURLINFO_CAINFO, &info) == CURLE_OK && info != NULL)
      c->default_cainfo = coreapi__strdup(info);
    info = NULL;
    if (curl_easy_getinfo(c->curl, CURLINFO_CAPATH, &info) == CURLE_OK && info != NULL)
      c->default_capath = coreapi__strdup(info);
  }
  return c;
}

void coreapi_client_free(coreapi_client *c) {
  if (c == NULL)
    return;
  if (c->curl != NULL) {
    curl_easy_setopt(c->curl, CURLOPT_SHARE, NULL);
    curl_easy_cleanup(c->curl);
  }
  if (c->jar != NULL)
    curl_share_cleanup(c->jar);
  free(c->user_agent);
  coreapi__headers_free(&c->extra);
  free(c->ca_bundle);
  coreapi__free_secret(c->proxy); /* may hold user:password */
  free(c->cert);
  free(c->cert_key);
  coreapi__host_entries_free(c);
  free(c->default_cainfo);
  free(c->default_capath);
  curl_slist_free_all(c->resolve);
  for (size_t i = 0; i < c->auth_count; i++)
    coreapi_auth_free(c->auths[i]);
  free(c->auths);
  coreapi__memo_free(&c->memo);
  for (size_t i = 0; i < c->decoder_count; i++)
    free(c->decoders[i]);
  free(c->decoders);
  free(c->download_dir);
  free(c);
}

coreapi_code coreapi_client_set_timeout_ms(coreapi_client *c, long ms, coreapi_error *err) {
  CHECK_CLIENT(c, err);
  if (ms < 0)
    return coreapi_error_set(err, COREAPI_ERR_INVALID_ARGUMENT, "timeout must not be negative");
  c->timeout_ms = ms;
  c->options_changed = 1;
  return COREAPI_OK;
}

coreapi_code coreapi_client_set_user_agent(coreapi_client *c, const char *ua,
                                           coreapi_error *err) {
  char *copy = NULL;
  coreapi_code rc;
  CHECK_CLIENT(c, err);
  if (ua != NULL) {
    rc = coreapi__header_check("User-Agent", ua, err);
    if (rc != COREAPI_OK)
      return rc;
    if ((copy = coreapi__strdup(ua)) == NULL)
      return COREAPI__OOM(err);
  }
  free(c->user_agent);
  c->user_agent = copy;
  return COREAPI_OK;
}

coreapi_code coreapi_client_add_header(coreapi_client *c, const char *name, const char *value,
                                       coreapi_error *err) {
  coreapi_code rc;
  CHECK_CLIENT(c, err);
  rc = coreapi__header_check(name, value, err);
  if (rc != COREAPI_OK)
    return rc;
  if (coreapi__headers_set(&c->extra, name, value, 0) != 0)
    return COREAPI__OOM(err);
  return COREAPI_OK;
}

size_t coreapi_client_remove_header(coreapi_client *c, const char *name) {
  return c && !c->busy ? coreapi__headers_remove(&c->extra, name) : 0;
}

coreapi_code coreapi_client_set_max_body(coreapi_client *c, size_t bytes, coreapi_error *err) {
  CHECK_CLIENT(c, err);
  c->max_body = bytes;
  return COREAPI_OK;
}

coreapi_code coreapi_client_set_max_decoded(coreapi_client *c, size_t bytes, coreapi_error *err) {
  CHECK_CLIENT(c, err);
  c->max_decoded = bytes;
  return COREAPI_OK;
}

coreapi_code coreapi_client_set_max_filesize(coreapi_client *c, int64_t bytes,
                                             coreapi_error *err) {
  CHECK_CLIENT(c, err);
  if (bytes < 0)
    return coreapi_error_set(err, COREAPI_ERR_INVALID_ARGUMENT,
                             "the largest streamed body must not be negative (0: no limit)");
  c->max_filesize = bytes;
  return COREAPI_OK;
}

/* Replace the string *slot by a copy of value (NULL: none). */
static coreapi_code replace_string(char **slot, const char *value, coreapi_error *err) {
  char *copy = NULL;
  if (value != NULL && (copy = coreapi__strdup(value)) == NULL)
    return COREAPI__OOM(err);
  free(*slot);
  *slot = copy;
  return COREAPI_OK;
}

coreapi_code coreapi_client_add_resolve(coreapi_client *c, const char *entry,
                                        coreapi_error *err) {
  struct curl_slist *list;
  const char *p1, *p2;
  CHECK_CLIENT(c, err);
  /* HOST:PORT:ADDRESS[,ADDRESS]... with a numeric port, as curl --resolve. */
  if (entry == NULL || entry[0] == '\0' || entry[0] == '-' || entry[0] == '+' ||
      (p1 = strchr(entry, ':')) == NULL || p1 == entry || (p2 = strchr(p1 + 1, ':')) == NULL ||
      p2 == p1 + 1 || p2[1] == '\0')
    return coreapi_error_set(err, COREAPI_ERR_INVALID_ARGUMENT,
                             "resolve entry must be HOST:PORT:ADDRESS");
  for (const char *p = p1 + 1; p < p2; p++)
    if (*p < '0' || *p > '9')
      return coreapi_error_set(err, COREAPI_ERR_INVALID_ARGUMENT,
                               "resolve entry must be HOST:PORT:ADDRESS (port not a number)");
  for (const char *p = entry; *p; p++)
    if ((unsigned char)*p <= 0x20 || *p == 0x7f)
      return coreapi_error_set(err, COREAPI_ERR_INVALID_ARGUMENT,
                               "resolve entry must not contain spaces or control characters");
  list = curl_slist_append(c->resolve, entry);
  if (list == NULL)
    return COREAPI__OOM(err);
  c->resolve = list;
  if (curl_easy_setopt(c->curl, CURLOPT_RESOLVE, c->resolve) != CURLE_OK)
    return coreapi_error_set(err, COREAPI_ERR_INTERNAL, "libcurl refused the resolve list");
  return COREAPI_OK;
}

coreapi_code coreapi_client_set_max_redirects(coreapi_client *c, unsigned max,
                                              coreapi_error *err) {
  CHECK_CLIENT(c, err);
  c->max_redirects = max;
  return COREAPI_OK;
}

coreapi_code coreapi_client_add_auth(coreapi_client *c, coreapi_auth *auth,
                                     coreapi_error *err) {
  coreapi_auth **auths;
  CHECK_CLIENT(c, err);
  if (auth == NULL)
    return coreapi_error_set(err, COREAPI_ERR_INVALID_ARGUMENT, "authentication is NULL");
  auths = realloc(c->auths, (c->auth_count + 1) * sizeof(*auths));
  if (auths == NULL)
    return COREAPI__OOM(err);
  c->auths = auths;
  c->auths[c->auth_count++] = coreapi_auth_ref(auth);
  return COREAPI_OK;
}

coreapi_code coreapi_client_set_progress(coreapi_client *c, coreapi_progress_fn fn,
                                         void *userdata, coreapi_error *err) {
  CHECK_CLIENT(c, err);
  c->progress = fn;
  c->progress_data = userdata;
  curl_easy_setopt(c->curl, CURLOPT_NOPROGRESS, fn ? 0L : 1L);
  return COREAPI_OK;
}

coreapi_code coreapi_client_set_debug(coreapi_client *c, coreapi_debug_fn fn, void *userdata,
                                      coreapi_error *err) {
  CHECK_CLIENT(c, err);
  c->debug = fn;
  c->debug_data = userdata;
  curl_easy_setopt(c->curl, CURLOPT_VERBOSE, fn != NULL ? 1L : 0L);
  return COREAPI_OK;
}

/* --- settings the Core API operations read (transport.h) --------------- */

size_t coreapi__client_max_body(const coreapi_client *c) { return c->max_body; }

size_t coreapi__client_max_decoded(const coreapi_client *c) { return c->max_decoded; }

const char *const *coreapi__client_decoders(const coreapi_client *c, size_t *n) {
  *n = c->decoder_count;
  return (const char *const *)c->decoders;
}

coreapi_code coreapi__client_store_decoders(coreapi_client *c, const char *const *formats,
                                            size_t n, coreapi_error *err) {
  char **copy = NULL;
  if (formats != NULL && n > 0) {
    copy = calloc(n, sizeof(char *));
    if (copy == NULL)
      return COREAPI__OOM(err);
    for (size_t i = 0; i < n; i++) {
      copy[i] = coreapi__strdup(formats[i]);
      if (copy[i] == NULL) {
        for (size_t k = 0; k < i; k++)
          free(copy[k]);
        free(copy);
        return COREAPI__OOM(err);
      }
    }
  }
  for (size_t i = 0; i < c->decoder_count; i++)
    free(c->decoders[i]);
  free(c->decoders);
  c->decoders = copy;
  c->decoder_count = copy ? n : 0;
  return COREAPI_OK;
}

const char *coreapi__client_download_dir(const coreapi_client *c) { return c->download_dir; }

coreapi_code coreapi_client_set_download_dir(coreapi_client *c, const char *dir,
                                             coreapi_error *err) {
  CHECK_CLIENT(c, err);
  return replace_string(&c->download_dir, dir, err);
}

/* --- one chain of hops ---------------------------------------------------- */

static coreapi__hop_policy policy(const coreapi_client *c) {
  coreapi__hop_policy pol;
  pol.auths = c->auths;
  pol.auth_count = c->auth_count;
  pol.extra = &c->extra;
  pol.user_agent = c->user_agent ? c->user_agent : DEFAULT_USER_AGENT;
  pol.explain = c->debug != NULL;
  return pol;
}

/* Show resp to the authentications: the chosen one (which may ask for a
 * resend), and every other one in scope that allows cookies, so that a
 * scheme that keeps a session sees every response it could have sent
 * cookies with (a resend it asks for is ignored). */
static coreapi_code run_on_response(coreapi_client *c, const coreapi__chain *ch,
                                    const coreapi_auth *chosen, coreapi_request *req,
                                    const coreapi_response *resp, int *resend,
                                    coreapi_error *err) {
  for (size_t i = 0; i < c->auth_count; i++) {
    coreapi_auth *a = c->auths[i];
    const coreapi_auth_ops *ops = coreapi__auth_ops(a);
    int ignored = 0;
    coreapi_code rc;
    if (ops->on_response == NULL || ch->auth_left[i] || (a != chosen && !ops->allow_cookies))
      continue;
    req->memo = &c->memo;
    req->memo_owner = a;
    rc = ops->on_response(coreapi__auth_state(a), req, resp, a == chosen ? resend : &ignored,
                          err);
    req->memo = NULL;
    if (rc != COREAPI_OK)
      return coreapi_error_set(err, rc, "%s authentication failed the response: %s", ops->name,
                               coreapi_strerror(rc));
  }
  return COREAPI_OK;
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

/* Send the chain's current hop: plan it, apply the authentication, send;
 * show the response to the authentications, and send once more if the
 * chosen one asks. */
static coreapi_code send_hop(coreapi_client *c, const coreapi__chain *ch,
                             const coreapi_request *base, coreapi_response **out,
                             coreapi_error *err) {
  coreapi__hop_policy pol = policy(c);
  *out = NULL;
  for (int attempt = 0;; attempt++) {
    coreapi__hop_plan plan;
    coreapi_response *resp = NULL;
    int resend = 0;
    coreapi_code rc = coreapi__hop_plan_make(ch, &pol, base, &plan, err);
    if (rc != COREAPI_OK)
      return rc;
    if (attempt == 0 && pol.explain)
      coreapi__debug_info(c, "%s", plan.why);
    if (attempt == 0 && plan.settings_why[0] != '\0')
      coreapi__debug_info(c, "%s", plan.settings_why);
    plan.req->resent = attempt > 0;
    rc = apply_auth(c, &plan, err);
    if (rc == COREAPI_OK)
      rc = coreapi__backend_perform(c, plan.req, plan.cookies, &plan.transport, &resp, err);
    if (rc == COREAPI_OK)
      rc = run_on_response(c, ch, plan.auth, plan.req, resp, &resend, err);
    coreapi_request_free(plan.req);
    if (rc != COREAPI_OK) {
      coreapi_response_free(resp);
      return rc;
    }
    if (resend && attempt == 0) {
      coreapi__debug_info(c, "hop %u: %s authentication asked to send the request again",
                          base->hop, coreapi_auth_name(plan.auth));
      coreapi_response_free(resp);
      continue;
    }
    *out = resp;
    return COREAPI_OK;
  }
}

/* Send req and follow its redirects. The chain's base request is req itself
 * until a redirect changes it: only then is it copied. */
static coreapi_code send_chain(coreapi_client *c, const coreapi_request *req,
                               coreapi_response **out, coreapi_error *err) {
  coreapi__hop_policy pol = policy(c);
  coreapi__host_policy hp;
  coreapi__chain ch;
  const coreapi_request *base = req;
  coreapi_request *owned = NULL; /* base once a redirect changed it */
  coreapi_response *resp = NULL;
  coreapi_code rc;
  unsigned redirects = 0;

  coreapi__host_policy_fill(c, &hp);
  rc = coreapi__chain_start_hosts(&ch, &pol, &hp, req, err);
  if (rc != COREAPI_OK)
    return rc;
  for (;;) {
    int follow;
    const char *location;
    rc = send_hop(c, &ch, base, &resp, err);
    if (rc != COREAPI_OK)
      break;
    location = coreapi_response_header(resp, "Location");
    if (owned == NULL && coreapi__redirect_followed(resp->status, location, c->max_redirects)) {
      if ((owned = coreapi__request_clone(req)) == NULL) {
        rc = COREAPI__OOM(err);
        break;
      }
      base = owned;
    }
    rc = coreapi__chain_next(&ch, &pol, owned, resp->status, location, c->max_redirects,
                             &redirects, &follow, err);
    if (rc != COREAPI_OK)
      break;
    if (!follow) {
      resp->redirects = redirects;
      *out = resp;
      resp = NULL;
      break;
    }
    coreapi__debug_info(c, "redirect %ld to %s", resp->status, base->url.url);
    coreapi_response_free(resp);
    resp = NULL;
  }
  coreapi_response_free(resp);
  coreapi_request_free(owned);
  coreapi__chain_free(&ch);
  return rc;
}

coreapi_code coreapi_client_send(coreapi_client *c, const coreapi_request *req,
                                 coreapi_response **out, coreapi_error *err) {
  return coreapi_client_send_to(c, req, NULL, NULL, out, err);
}

coreapi_code coreapi_client_send_to(coreapi_client *c, const coreapi_request *req,
                                    const coreapi_body_sink *sink, void *userdata,
                                    coreapi_response **out, coreapi_error *err) {
  coreapi_code rc;
  coreapi_error_clear(err);
  if (out != NULL)
    *out = NULL;
  if (sink != NULL && (sink->begin == NULL || sink->write == NULL))
    return coreapi_error_set(err, COREAPI_ERR_INVALID_ARGUMENT,
                             "a body sink needs begin and write functions");
  if (c != NULL && c->busy)
    return coreapi_error_set(err, COREAPI_ERR_INVALID_ARGUMENT,
                             "the client is in the middle of a request");
  if (c == NULL || req == NULL || out == NULL)
    return coreapi_error_set(err, COREAPI_ERR_INVALID_ARGUMENT,
                             "client, request and out must not be NULL");
  c->sink = sink;
  c->sink_data = userdata;
  c->busy = 1;
  rc = send_chain(c, req, out, err);
  c->sink = NULL;
  c->sink_data = NULL;
  c->busy = 0;
  return rc;
}

coreapi_code coreapi_client_request(coreapi_client *c, const char *method, const char *url,
                                    const char *content_type, const void *body, size_t len,
                                    coreapi_response **out, coreapi_error *err) {
  coreapi_request *req;
  coreapi_code rc = COREAPI_OK;
  coreapi_error local;
  if (err == NULL)
    err = &local; /* to know the code of a failure below */
  coreapi_error_clear(err);
  if (out != NULL)
    *out = NULL;
  if (c == NULL || out == NULL)
    return coreapi_error_set(err, COREAPI_ERR_INVALID_ARGUMENT, "client and out must not be NULL");
  req = coreapi_request_new(method, url, err);
  if (req == NULL)
    return err->code;
  if (body != NULL)
    rc = coreapi_request_set_body(req, body, len, err);
  if (rc == COREAPI_OK && body != NULL && content_type != NULL)
    rc = coreapi_request_set_header(req, "Content-Type", content_type, err);
  if (rc == COREAPI_OK)
    rc = coreapi_client_send(c, req, out, err);
  coreapi_request_free(req);
  return rc;
}

const coreapi_auth *coreapi_client_auth_for(const coreapi_client *c, const char *url,
                                            char *why, size_t size, coreapi_error *err) {
  coreapi__hop_policy pol;
  coreapi__chain ch;
  coreapi_request *req;
  coreapi_auth *best;
  int cookies = 0;

  coreapi_error_clear(err);
  if (why != NULL && size > 0)
    why[0] = '\0';
  if (c == NULL || url == NULL) {
    coreapi_error_set(err, COREAPI_ERR_INVALID_ARGUMENT, "client and URL must not be NULL");
    return NULL;
  }
  req = coreapi_request_new("GET", url, err);
  if (req == NULL)
    return NULL;
  pol = policy(c);
  if (coreapi__chain_start(&ch, &pol, req, err) != COREAPI_OK) {
    coreapi_request_free(req);
    return NULL;
  }
  best = coreapi__hop_choose(&ch, &pol, &cookies);
  if (why != NULL && size > 0) {
    char desc[128];
    if (best != NULL)
      snprintf(why, size, "%s: %s", coreapi_auth_domain(best),
               coreapi_auth_describe(best, desc, sizeof(desc)));
    else
      snprintf(why, size, "none: no credential matches %s", req->url.host);
  }
  coreapi__chain_free(&ch);
  coreapi_request_free(req);
  return best;
}
