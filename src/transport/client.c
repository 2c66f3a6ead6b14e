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
  c->options_epoch = 1;
  c->max_body = DEFAULT_MAX_BODY;
  c->max_filesize = DEFAULT_MAX_FILESIZE;
  c->max_decoded = COREAPI__DEFAULT_MAX_DECODED;
  c->max_redirects = DEFAULT_MAX_REDIRECTS;
  c->jar = curl_share_init();
  if (c->jar == NULL ||
      curl_share_setopt(c->jar, CURLSHOPT_SHARE, CURL_LOCK_DATA_COOKIE) != CURLSHE_OK) {
    coreapi_client_free(c);
    coreapi_error_set(err, COREAPI_ERR_INTERNAL, "could not initialise libcurl");
    return NULL;
  }
  if (coreapi__easy_open(&c->main, c, 0, err) != COREAPI_OK) {
    coreapi_client_free(c);
    return NULL;
  }
  /* libcurl's own CA bundle and directory, to restore after a caller's. */
  {
    char *info = NULL;
    if (curl_easy_getinfo(c->main.curl, CURLINFO_CAINFO, &info) == CURLE_OK && info != NULL)
      c->default_cainfo = coreapi__strdup(info);
    info = NULL;
    if (curl_easy_getinfo(c->main.curl, CURLINFO_CAPATH, &info) == CURLE_OK && info != NULL)
      c->default_capath = coreapi__strdup(info);
  }
  return c;
}

void coreapi_client_free(coreapi_client *c) {
  if (c == NULL)
    return;
  coreapi__easy_close(&c->main);
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
  c->options_epoch++;
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
  c->handle_epoch++;
  if (curl_easy_setopt(c->main.curl, CURLOPT_RESOLVE, c->resolve) != CURLE_OK)
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
  c->main.progress_on = fn != NULL;
  curl_easy_setopt(c->main.curl, CURLOPT_NOPROGRESS, fn ? 0L : 1L);
  return COREAPI_OK;
}

coreapi_code coreapi_client_set_debug(coreapi_client *c, coreapi_debug_fn fn, void *userdata,
                                      coreapi_error *err) {
  CHECK_CLIENT(c, err);
  c->debug = fn;
  c->debug_data = userdata;
  c->handle_epoch++;
  curl_easy_setopt(c->main.curl, CURLOPT_VERBOSE, fn != NULL ? 1L : 0L);
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

/* Send req and follow its redirects, hop by hop on the client's handle. */
static coreapi_code send_chain(coreapi_client *c, const coreapi_request *req,
                               coreapi_response **out, coreapi_error *err) {
  coreapi__exchange x;
  int done = 0;
  coreapi_code rc = coreapi__exchange_start(&x, c, req, err);
  while (rc == COREAPI_OK && !done) {
    coreapi_response *resp = NULL;
    rc = coreapi__exchange_plan(&x, err);
    if (rc == COREAPI_OK)
      rc = coreapi__backend_perform(&c->main, x.plan.req, x.plan.cookies, &x.plan.transport,
                                    &resp, err);
    if (rc == COREAPI_OK)
      rc = coreapi__exchange_answer(&x, resp, &done, out, err);
  }
  coreapi__exchange_free(&x);
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
  c->main.sink = sink;
  c->main.sink_data = userdata;
  c->busy = 1;
  rc = send_chain(c, req, out, err);
  c->main.sink = NULL;
  c->main.sink_data = NULL;
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
  coreapi__client_hop_policy(c, &pol);
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
