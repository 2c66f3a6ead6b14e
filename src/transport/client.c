/*
 * client.c - the client: one reused libcurl easy handle, redirects followed
 * here rather than by libcurl, and authentication decided afresh on every hop
 * (see client.h for the rules and redirect.c for their pieces).
 *
 * Per hop the request actually sent is rebuilt from the chain's base request
 * (method, URL, body, the caller's headers): the caller's headers are filtered
 * when the hop has left the first origin, client-level extra headers are added
 * only within it, then the most specific authentication in scope applies.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../document/document.h"
#include "client_impl.h"

#define DEFAULT_USER_AGENT "coreapi"
#define DEFAULT_TIMEOUT_MS 30000L
#define DEFAULT_MAX_REDIRECTS 20u
#define DEFAULT_MAX_BODY ((size_t)64 << 20)

/* Caller headers that go along to a hop outside the first origin. */
static const char *const portable_headers[] = {"Accept", "Accept-Language", "Content-Type",
                                               "User-Agent"};

static size_t on_body(char *data, size_t size, size_t nmemb, void *userp) {
  coreapi_client *c = userp;
  size_t n = size * nmemb;
  if (c->streaming) {
    if (c->sink->write(c->sink_data, data, n, &c->sink_error) != COREAPI_OK) {
      if (c->sink_error.code == COREAPI_OK)
        coreapi_error_set(&c->sink_error, COREAPI_ERR_IO, "the body sink refused the data");
      return 0;
    }
    return n;
  }
  if (c->max_body > 0 && (n > c->max_body || c->current->body.len > c->max_body - n)) {
    coreapi_error_set(&c->sink_error, COREAPI_ERR_TOO_LARGE,
                      "the response body is larger than %zu bytes (the client's limit)",
                      c->max_body);
    return 0;
  }
  if (coreapi__buf_append(&c->current->body, data, n) != 0) {
    c->header_error = 1;
    return 0;
  }
  return n;
}

/* The end of a header block: a final response's body goes to the sink, if
 * there is one. A response is final unless it is an interim 1xx, or a
 * redirect this client is going to follow. Returns 0, or -1 to stop. */
static int headers_done(coreapi_client *c) {
  coreapi_response *r = c->current;
  long status = 0;
  if (c->sink == NULL || c->streaming)
    return 0; /* no sink, or trailers after a streamed body */
  curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &status);
  if (status < 200)
    return 0;
  if (coreapi__is_redirect(status) && coreapi__headers_get(&r->headers, "Location") != NULL &&
      c->max_redirects > 0)
    return 0;
  r->status = status;
  if (r->url == NULL && (r->url = coreapi__strdup(c->current_req->url.url)) == NULL) {
    c->header_error = 1;
    return -1;
  }
  if (coreapi__response_parse_cookies(r) != 0) {
    c->header_error = 1;
    return -1;
  }
  if (c->sink->begin(c->sink_data, r, &c->sink_error) != COREAPI_OK) {
    if (c->sink_error.code == COREAPI_OK)
      coreapi_error_set(&c->sink_error, COREAPI_ERR_IO, "the body sink refused the response");
    return -1;
  }
  c->streaming = 1;
  return 0;
}

/* One header line of the response (RFC 9112 section 2.2). A status line
 * starts a new header block: after a 1xx interim response, only the final
 * block is kept. */
static size_t on_header(char *data, size_t size, size_t nmemb, void *userp) {
  coreapi_client *c = userp;
  coreapi_response *r = c->current;
  size_t n = size * nmemb, len = n;
  const char *colon, *v, *end;

  while (len > 0 && (data[len - 1] == '\r' || data[len - 1] == '\n'))
    len--;
  if (len == 0)
    return headers_done(c) == 0 ? n : 0;
  if (len >= 5 && memcmp(data, "HTTP/", 5) == 0) {
    const char *sp1 = memchr(data, ' ', len), *sp2;
    coreapi__headers_free(&r->headers);
    coreapi__headers_free(&r->cookies);
    free(r->reason);
    r->reason = NULL;
    if (sp1 != NULL) {
      sp2 = memchr(sp1 + 1, ' ', len - (size_t)(sp1 + 1 - data));
      if (sp2 != NULL) {
        r->reason = coreapi__strndup(sp2 + 1, len - (size_t)(sp2 + 1 - data));
        if (r->reason == NULL)
          c->header_error = 1;
      }
    }
    return n;
  }
  colon = memchr(data, ':', len);
  if (colon == NULL || colon == data)
    return n; /* a malformed line */
  v = colon + 1;
  end = data + len;
  while (v < end && (*v == ' ' || *v == '\t'))
    v++;
  while (end > v && (end[-1] == ' ' || end[-1] == '\t'))
    end--;
  if (coreapi__headers_add(&r->headers, data, (size_t)(colon - data), v, (size_t)(end - v)) != 0)
    c->header_error = 1;
  return n;
}

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
  c->max_body = DEFAULT_MAX_BODY;
  c->max_redirects = DEFAULT_MAX_REDIRECTS;
  c->curl = curl_easy_init();
  c->jar = curl_share_init();
  if (c->curl == NULL || c->jar == NULL ||
      curl_share_setopt(c->jar, CURLSHOPT_SHARE, CURL_LOCK_DATA_COOKIE) != CURLSHE_OK) {
    coreapi_client_free(c);
    coreapi_error_set(err, COREAPI_ERR_INTERNAL, "could not initialise libcurl");
    return NULL;
  }
  /* Options that never change. Redirects are ours; libcurl never follows.
   * Only http and https, never credentials from .netrc or the URL. */
  if (curl_easy_setopt(c->curl, CURLOPT_FOLLOWLOCATION, 0L) != CURLE_OK ||
      curl_easy_setopt(c->curl, CURLOPT_PROTOCOLS_STR, "http,https") != CURLE_OK ||
      curl_easy_setopt(c->curl, CURLOPT_REDIR_PROTOCOLS_STR, "http,https") != CURLE_OK ||
      curl_easy_setopt(c->curl, CURLOPT_NETRC, (long)CURL_NETRC_IGNORED) != CURLE_OK ||
      curl_easy_setopt(c->curl, CURLOPT_NOSIGNAL, 1L) != CURLE_OK ||
      curl_easy_setopt(c->curl, CURLOPT_ERRORBUFFER, c->curl_error) != CURLE_OK ||
      curl_easy_setopt(c->curl, CURLOPT_WRITEFUNCTION, on_body) != CURLE_OK ||
      curl_easy_setopt(c->curl, CURLOPT_WRITEDATA, c) != CURLE_OK ||
      curl_easy_setopt(c->curl, CURLOPT_HEADERFUNCTION, on_header) != CURLE_OK ||
      curl_easy_setopt(c->curl, CURLOPT_HEADERDATA, c) != CURLE_OK ||
      curl_easy_setopt(c->curl, CURLOPT_DEBUGFUNCTION, coreapi__debug_curl) != CURLE_OK ||
      curl_easy_setopt(c->curl, CURLOPT_DEBUGDATA, c) != CURLE_OK) {
    coreapi_client_free(c);
    coreapi_error_set(err, COREAPI_ERR_INTERNAL, "libcurl lacks a required feature");
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
  /* Turn the cookie engine on with the (in-memory) jar attached: an empty
   * "file" name, loaded at once. Then clear the file list: libcurl re-reads
   * it before every transfer, and with the jar detached that would give the
   * handle a private jar of its own, which would store and send cookies on
   * hops where cookies are not allowed. */
  coreapi__client_use_jar(c, 1);
  curl_easy_setopt(c->curl, CURLOPT_COOKIEFILE, "");
  curl_easy_setopt(c->curl, CURLOPT_COOKIELIST, "RELOAD");
  curl_easy_setopt(c->curl, CURLOPT_COOKIEFILE, NULL);
  coreapi__client_use_jar(c, 0);
  return c;
}

void coreapi__client_use_jar(coreapi_client *c, int on) {
  if (on == c->jar_attached)
    return;
  curl_easy_setopt(c->curl, CURLOPT_SHARE, on ? c->jar : NULL);
  c->jar_attached = on;
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

/* Setters refuse a NULL client, and a client in the middle of a request (a
 * callback calling back into it). */
#define CHECK_CLIENT(c, err)                                                          \
  do {                                                                                \
    coreapi_error_clear(err);                                                         \
    if ((c) == NULL)                                                                  \
      return coreapi_error_set(err, COREAPI_ERR_INVALID_ARGUMENT, "client is NULL"); \
    if ((c)->busy)                                                                    \
      return coreapi_error_set(err, COREAPI_ERR_INVALID_ARGUMENT,                     \
                               "the client is in the middle of a request");           \
  } while (0)

coreapi_code coreapi_client_set_timeout_ms(coreapi_client *c, long ms, coreapi_error *err) {
  CHECK_CLIENT(c, err);
  if (ms < 0)
    return coreapi_error_set(err, COREAPI_ERR_INVALID_ARGUMENT, "timeout must not be negative");
  c->timeout_ms = ms;
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

coreapi_code coreapi_client_set_ca_bundle(coreapi_client *c, const char *path,
                                          coreapi_error *err) {
  char *copy = NULL;
  CHECK_CLIENT(c, err);
  if (path != NULL && (copy = coreapi__strdup(path)) == NULL)
    return COREAPI__OOM(err);
  free(c->ca_bundle);
  c->ca_bundle = copy;
  return COREAPI_OK;
}

coreapi_code coreapi_client_set_verify_tls(coreapi_client *c, int verify, coreapi_error *err) {
  CHECK_CLIENT(c, err);
  c->verify_tls = verify != 0;
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

static int on_progress(void *userp, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                       curl_off_t ulnow) {
  coreapi_client *c = userp;
  if (c->progress == NULL)
    return 0;
  if (c->progress(c->progress_data, dltotal, dlnow, ultotal, ulnow) != 0) {
    c->progress_aborted = 1;
    return 1;
  }
  return 0;
}

coreapi_code coreapi_client_set_progress(coreapi_client *c, coreapi_progress_fn fn,
                                         void *userdata, coreapi_error *err) {
  CHECK_CLIENT(c, err);
  c->progress = fn;
  c->progress_data = userdata;
  curl_easy_setopt(c->curl, CURLOPT_XFERINFOFUNCTION, fn ? on_progress : NULL);
  curl_easy_setopt(c->curl, CURLOPT_XFERINFODATA, c);
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
  char *copy = NULL;
  CHECK_CLIENT(c, err);
  if (dir != NULL && (copy = coreapi__strdup(dir)) == NULL)
    return COREAPI__OOM(err);
  free(c->download_dir);
  c->download_dir = copy;
  return COREAPI_OK;
}

/* --- one chain of hops ---------------------------------------------------- */

typedef struct chain {
  coreapi__url first;
  int downgraded;   /* an https hop was followed by an http one */
  int origin_left;  /* a hop left the first origin */
  unsigned char *auth_left; /* per authentication: a hop was out of its scope */
} chain;

/* Update the chain's scope state for hop u, before it is sent. */
static void chain_enter(chain *ch, const coreapi_client *c, const coreapi__url *prev,
                        const coreapi__url *u) {
  if (prev != NULL && strcmp(prev->scheme, "https") == 0 && strcmp(u->scheme, "http") == 0)
    ch->downgraded = 1;
  if (!coreapi__same_origin(&ch->first, u))
    ch->origin_left = 1;
  for (size_t i = 0; i < c->auth_count; i++)
    if (ch->downgraded ||
        !coreapi__pattern_covers_hop(coreapi__auth_pattern(c->auths[i]), &ch->first, u))
      ch->auth_left[i] = 1;
}

static int is_portable_header(const char *name) {
  for (size_t i = 0; i < sizeof(portable_headers) / sizeof(portable_headers[0]); i++)
    if (coreapi__strcaseeq(name, portable_headers[i]))
      return 1;
  return 0;
}

/* The request to send for this hop: base plus extra headers, before auth. */
static coreapi_request *hop_request(const coreapi_client *c, const chain *ch,
                                    const coreapi_request *base) {
  coreapi_request *req = coreapi__request_clone(base);
  if (req == NULL)
    return NULL;
  if (ch->origin_left) {
    size_t o = 0;
    for (size_t i = 0; i < req->headers.count; i++) {
      coreapi__header *h = &req->headers.items[i];
      if (is_portable_header(h->name)) {
        req->headers.items[o++] = *h;
      } else {
        free(h->name);
        coreapi__free_secret(h->value);
      }
    }
    req->headers.count = o;
  } else {
    for (size_t i = 0; i < c->extra.count; i++)
      if (coreapi__headers_get(&req->headers, c->extra.items[i].name) == NULL &&
          coreapi__headers_set(&req->headers, c->extra.items[i].name, c->extra.items[i].value,
                               0) != 0)
        goto fail;
  }
  if (coreapi__headers_get(&req->headers, "User-Agent") == NULL &&
      coreapi__headers_set(&req->headers, "User-Agent",
                           c->user_agent ? c->user_agent : DEFAULT_USER_AGENT, 0) != 0)
    goto fail;
  return req;
fail:
  coreapi_request_free(req);
  return NULL;
}

/* The most specific authentication still in scope for this hop, or NULL. */
static coreapi_auth *choose_auth(const coreapi_client *c, const chain *ch, int *cookies) {
  coreapi_auth *best = NULL;
  size_t best_rank = 0;
  *cookies = 0;
  for (size_t i = 0; i < c->auth_count; i++) {
    size_t rank;
    if (ch->auth_left[i])
      continue;
    if (coreapi_auth_allows_cookies(c->auths[i]))
      *cookies = 1;
    rank = coreapi__pattern_rank(coreapi__auth_pattern(c->auths[i]));
    if (best == NULL || rank > best_rank) {
      best = c->auths[i];
      best_rank = rank;
    }
  }
  return best;
}

static void explain_choice(coreapi_client *c, const chain *ch, const coreapi_request *req,
                           const coreapi_auth *chosen, int cookies) {
  char desc[128];
  if (c->debug == NULL)
    return;
  if (chosen != NULL) {
    coreapi__debug_info(c, "hop %u %s: credential %s: %s%s", req->hop, req->url.host,
                        coreapi_auth_domain(chosen), coreapi_auth_describe(chosen, desc, sizeof(desc)),
                        cookies ? ", cookies allowed" : ", cookies not allowed");
    return;
  }
  if (c->auth_count == 0)
    coreapi__debug_info(c, "hop %u %s: no credential configured; cookies not allowed",
                        req->hop, req->url.host);
  else if (ch->downgraded)
    coreapi__debug_info(c, "hop %u %s: no credential: stripped after a downgrade from https "
                        "to http; cookies not allowed", req->hop, req->url.host);
  else if (req->hop > 0)
    coreapi__debug_info(c, "hop %u %s: no credential: the redirect chain left every "
                        "credential's scope; cookies not allowed", req->hop, req->url.host);
  else
    coreapi__debug_info(c, "hop 0 %s: no credential matches %s; cookies not allowed",
                        req->url.host, req->url.host);
}

static coreapi_code map_curl_error(coreapi_client *c, CURLcode cc, const char *url,
                                   coreapi_error *err) {
  coreapi_code code;
  const char *detail = c->curl_error[0] ? c->curl_error : curl_easy_strerror(cc);
  switch (cc) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
      code = COREAPI_ERR_RESOLVE;
      break;
    case CURLE_COULDNT_CONNECT:
      code = COREAPI_ERR_CONNECT;
      break;
    case CURLE_OPERATION_TIMEDOUT:
      code = COREAPI_ERR_TIMEOUT;
      break;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_SHUTDOWN_FAILED:
      code = COREAPI_ERR_TLS;
      break;
    case CURLE_OUT_OF_MEMORY:
      return COREAPI__OOM(err);
    case CURLE_READ_ERROR:
    case CURLE_ABORTED_BY_CALLBACK:
      code = COREAPI_ERR_IO;
      break;
    default:
      code = COREAPI_ERR_NETWORK;
      break;
  }
  return coreapi_error_set(err, code, "%s: %s", url, detail);
}

/* Build libcurl's header list for req. Empty values use curl's "Name;" form.
 * "Expect:" stops libcurl from waiting for 100 Continue on large bodies, and
 * a body without a Content-Type is sent without one (libcurl would claim
 * form encoding). */
static struct curl_slist *curl_headers(const coreapi_request *req) {
  struct curl_slist *list = NULL, *next;
  coreapi__buf line = {0};
  int ok = 1;
  for (size_t i = 0; i < req->headers.count && ok; i++) {
    const coreapi__header *h = &req->headers.items[i];
    line.len = 0;
    ok = (h->value[0] ? coreapi__buf_appendf(&line, "%s: %s", h->name, h->value)
                      : coreapi__buf_appendf(&line, "%s;", h->name)) == 0 &&
         (next = curl_slist_append(list, line.data)) != NULL;
    if (ok)
      list = next;
  }
  if (ok && (next = curl_slist_append(list, "Expect:")) != NULL)
    list = next;
  else
    ok = 0;
  /* A body sent as POSTFIELDS (also an empty one) without a Content-Type:
   * none is sent, where libcurl would claim form encoding. */
  if (ok && (req->body != NULL || (!req->multipart && req->body_file == NULL &&
                                   (strcmp(req->method, "POST") == 0 ||
                                    strcmp(req->method, "PUT") == 0 ||
                                    strcmp(req->method, "PATCH") == 0))) &&
      coreapi__headers_get(&req->headers, "Content-Type") == NULL) {
    if ((next = curl_slist_append(list, "Content-Type:")) != NULL)
      list = next;
    else
      ok = 0;
  }
  coreapi__buf_free(&line);
  if (!ok) {
    coreapi__slist_free_secret(list);
    return NULL;
  }
  return list;
}

/* Reading a File node for libcurl: from disk (fp) or from the caller's
 * stream. */
typedef struct file_reader {
  const coreapi_node *file;
  FILE *fp;
} file_reader;

static size_t read_file(char *buf, size_t size, size_t nitems, void *userp) {
  file_reader *r = userp;
  size_t n;
  if (r->fp != NULL) {
    n = fread(buf, 1, size * nitems, r->fp);
    return (n == 0 && ferror(r->fp)) ? CURL_READFUNC_ABORT : n;
  }
  n = coreapi__file_read(r->file, buf, size * nitems);
  return n == (size_t)-1 ? CURL_READFUNC_ABORT : n;
}

static int seek_file(void *userp, curl_off_t offset, int origin) {
  file_reader *r = userp;
  if (offset != 0 || origin != SEEK_SET)
    return CURL_SEEKFUNC_CANTSEEK;
  if (r->fp != NULL)
    return fseek(r->fp, 0, SEEK_SET) == 0 ? CURL_SEEKFUNC_OK : CURL_SEEKFUNC_FAIL;
  return coreapi__file_rewind(r->file) == 0 ? CURL_SEEKFUNC_OK : CURL_SEEKFUNC_CANTSEEK;
}

/* libcurl MIME callbacks over a stream File (userdata: the node). */
static size_t mime_read(char *buf, size_t size, size_t nitems, void *userdata) {
  size_t n = coreapi__file_read(userdata, buf, size * nitems);
  return n == (size_t)-1 ? CURL_READFUNC_ABORT : n;
}

static int mime_seek(void *userdata, curl_off_t offset, int origin) {
  if (offset != 0 || origin != SEEK_SET)
    return CURL_SEEKFUNC_CANTSEEK;
  return coreapi__file_rewind(userdata) == 0 ? CURL_SEEKFUNC_OK : CURL_SEEKFUNC_CANTSEEK;
}

/* libcurl MIME callbacks over a file on disk (userdata: the FILE). */
static size_t disk_read(char *buf, size_t size, size_t nitems, void *userdata) {
  size_t n = fread(buf, 1, size * nitems, userdata);
  return (n == 0 && ferror((FILE *)userdata)) ? CURL_READFUNC_ABORT : n;
}

static int disk_seek(void *userdata, curl_off_t offset, int origin) {
  return fseeko(userdata, (off_t)offset, origin) == 0 ? CURL_SEEKFUNC_OK : CURL_SEEKFUNC_FAIL;
}

static void disk_close(void *userdata) { fclose(userdata); }

/* libcurl's multipart (MIME API) body for req's parts; files are streamed
 * from disk or from their stream when the request is sent. */
static curl_mime *build_mime(CURL *curl, const coreapi_request *req, coreapi_error *err) {
  curl_mime *mime = curl_mime_init(curl);
  if (mime == NULL) {
    COREAPI__OOM(err);
    return NULL;
  }
  for (size_t i = 0; i < req->part_count; i++) {
    const coreapi__part *p = &req->parts[i];
    curl_mimepart *part = curl_mime_addpart(mime);
    CURLcode cc = part ? curl_mime_name(part, p->name) : CURLE_OUT_OF_MEMORY;
    if (cc == CURLE_OK && p->value != NULL) {
      cc = curl_mime_data(part, p->value, CURL_ZERO_TERMINATED);
    } else if (cc == CURLE_OK) {
      const char *path = coreapi_file_path(p->file);
      const char *type = coreapi_file_content_type(p->file);
      if (path != NULL) {
        /* Read through a callback rather than curl_mime_filedata, which
         * labels every file application/octet-stream; the reference sends
         * no part Content-Type unless the file has one. */
        FILE *fp = fopen(path, "rb");
        struct stat st;
        if (fp == NULL || fstat(fileno(fp), &st) != 0) {
          if (fp != NULL)
            fclose(fp);
          curl_mime_free(mime);
          coreapi_error_set(err, COREAPI_ERR_IO, "cannot read %s: %s", path, strerror(errno));
          return NULL;
        }
        cc = curl_mime_data_cb(part, (curl_off_t)st.st_size, disk_read, disk_seek, disk_close, fp);
        if (cc != CURLE_OK)
          fclose(fp);
      } else
        cc = curl_mime_data_cb(part, coreapi_file_size(p->file), mime_read, mime_seek, NULL, (void *)p->file);
      if (cc == CURLE_OK)
        cc = curl_mime_filename(part, coreapi_file_name(p->file));
      if (cc == CURLE_OK && type != NULL && type[0] != '\0')
        cc = curl_mime_type(part, type);
    }
    if (cc != CURLE_OK) {
      curl_mime_free(mime);
      coreapi_error_set(err, cc == CURLE_OUT_OF_MEMORY ? COREAPI_ERR_OUT_OF_MEMORY : COREAPI_ERR_IO,
                        "cannot build the multipart body (part %s): %s", p->name,
                        curl_easy_strerror(cc));
      return NULL;
    }
  }
  return mime;
}

/* Method and body. Streamed bodies (multipart, file) need *mime or *reader,
 * which the caller releases after the transfer. */
static coreapi_code set_method(CURL *curl, const coreapi_request *req, curl_mime **mime,
                               file_reader *reader, coreapi_error *err) {
  const char *m = req->method;
  int is_post = strcmp(m, "POST") == 0;
  curl_easy_setopt(curl, CURLOPT_NOBODY, 0L);
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, NULL);
  curl_easy_setopt(curl, CURLOPT_MIMEPOST, NULL);
  curl_easy_setopt(curl, CURLOPT_READFUNCTION, NULL);
  curl_easy_setopt(curl, CURLOPT_SEEKFUNCTION, NULL);
  if (strcmp(m, "HEAD") == 0) {
    curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  } else if (req->multipart) {
    *mime = build_mime(curl, req, err);
    if (*mime == NULL)
      return err ? err->code : COREAPI_ERR_IO;
    curl_easy_setopt(curl, CURLOPT_MIMEPOST, *mime);
    if (!is_post)
      curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, m);
  } else if (req->body_file != NULL) {
    const char *path = coreapi_file_path(req->body_file);
    curl_off_t size = coreapi_file_size(req->body_file);
    reader->file = req->body_file;
    if (path != NULL) {
      struct stat st;
      reader->fp = fopen(path, "rb");
      if (reader->fp == NULL || fstat(fileno(reader->fp), &st) != 0)
        return coreapi_error_set(err, COREAPI_ERR_IO, "cannot read %s: %s", path,
                                 strerror(errno));
      size = st.st_size;
    } else if (coreapi__file_rewind(req->body_file) != 0 && (req->hop > 0 || req->resent)) {
      return coreapi_error_set(err, COREAPI_ERR_IO,
                               "the upload stream cannot be rewound to send it again");
    }
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, NULL);
    curl_easy_setopt(curl, CURLOPT_READFUNCTION, read_file);
    curl_easy_setopt(curl, CURLOPT_READDATA, reader);
    curl_easy_setopt(curl, CURLOPT_SEEKFUNCTION, seek_file);
    curl_easy_setopt(curl, CURLOPT_SEEKDATA, reader);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, size);
    if (!is_post)
      curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, m);
  } else if (req->body != NULL || is_post || strcmp(m, "PUT") == 0 || strcmp(m, "PATCH") == 0) {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, req->body ? (const char *)req->body : "");
    if (!is_post)
      curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, m);
  } else {
    curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
    if (strcmp(m, "GET") != 0)
      curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, m);
  }
  return COREAPI_OK;
}

/* Send one hop, as it is, and return its response in *out. */
static coreapi_code perform(coreapi_client *c, const coreapi_request *req, int cookies,
                            coreapi_response **out, coreapi_error *err) {
  struct curl_slist *headers;
  coreapi_response *resp;
  CURLcode cc;
  long status = 0;
  coreapi_code rc = COREAPI_OK;
  curl_mime *mime = NULL;
  file_reader reader = {NULL, NULL};

  *out = NULL;
  headers = curl_headers(req);
  resp = coreapi__response_new();
  if (headers == NULL || resp == NULL) {
    coreapi__slist_free_secret(headers);
    coreapi_response_free(resp);
    return COREAPI__OOM(err);
  }
  coreapi__client_use_jar(c, cookies);
  curl_easy_setopt(c->curl, CURLOPT_URL, req->url.url);
  rc = set_method(c->curl, req, &mime, &reader, err);
  if (rc != COREAPI_OK) {
    if (reader.fp != NULL)
      fclose(reader.fp);
    coreapi__slist_free_secret(headers);
    coreapi_response_free(resp);
    return rc;
  }
  curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(c->curl, CURLOPT_TIMEOUT_MS, c->timeout_ms);
  curl_easy_setopt(c->curl, CURLOPT_SSL_VERIFYPEER, c->verify_tls ? 1L : 0L);
  curl_easy_setopt(c->curl, CURLOPT_SSL_VERIFYHOST, c->verify_tls ? 2L : 0L);
  /* The caller's bundle replaces every system CA (the directory too);
   * without one, libcurl's own settings. */
  curl_easy_setopt(c->curl, CURLOPT_CAINFO, c->ca_bundle ? c->ca_bundle : c->default_cainfo);
  curl_easy_setopt(c->curl, CURLOPT_CAPATH, c->ca_bundle ? NULL : c->default_capath);
  c->current = resp;
  c->current_req = req;
  c->header_error = 0;
  c->progress_aborted = 0;
  c->streaming = 0;
  coreapi_error_clear(&c->sink_error);
  c->curl_error[0] = '\0';
  cc = curl_easy_perform(c->curl);
  c->current = NULL;
  c->current_req = NULL;
  c->streaming = 0;
  curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, NULL);
  curl_easy_setopt(c->curl, CURLOPT_POSTFIELDS, NULL);
  curl_easy_setopt(c->curl, CURLOPT_MIMEPOST, NULL);
  curl_mime_free(mime);
  if (reader.fp != NULL)
    fclose(reader.fp);
  coreapi__slist_free_secret(headers);

  if (c->header_error)
    rc = COREAPI__OOM(err);
  else if (c->progress_aborted)
    rc = coreapi_error_set(err, COREAPI_ERR_ABORTED, "%s: aborted by the progress callback",
                           req->url.url);
  else if (c->sink_error.code != COREAPI_OK)
    rc = coreapi_error_set(err, c->sink_error.code, "%s", c->sink_error.text);
  else if (cc != CURLE_OK)
    rc = map_curl_error(c, cc, req->url.url, err);
  if (rc != COREAPI_OK) {
    coreapi_response_free(resp);
    return rc;
  }
  curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &status);
  resp->status = status;
  if (resp->reason == NULL || resp->reason[0] == '\0') {
    free(resp->reason);
    resp->reason = coreapi__strdup(coreapi__reason_phrase(status));
  }
  if (resp->url == NULL)
    resp->url = coreapi__strdup(req->url.url);
  coreapi__headers_free(&resp->cookies); /* parsed afresh from the final block */
  if (resp->reason == NULL || resp->url == NULL || coreapi__response_parse_cookies(resp) != 0) {
    coreapi_response_free(resp);
    return COREAPI__OOM(err);
  }
  if (c->debug != NULL) {
    curl_off_t up = 0, down = 0;
    curl_easy_getinfo(c->curl, CURLINFO_SIZE_UPLOAD_T, &up);
    curl_easy_getinfo(c->curl, CURLINFO_SIZE_DOWNLOAD_T, &down);
    {
      char line[96];
      int n = snprintf(line, sizeof(line), "body: %ld bytes sent, %ld bytes received",
                       (long)up, (long)down);
      c->debug(c->debug_data, COREAPI_DEBUG_BODY_SIZE, line, (size_t)n);
    }
  }
  *out = resp;
  return COREAPI_OK;
}

/* Show resp to the authentications: the chosen one (which may ask for a
 * resend), and every other one in scope that allows cookies, so that a
 * Session learns the CSRF token from every response it could have sent
 * cookies with (a resend it asks for is ignored). */
static coreapi_code run_on_response(coreapi_client *c, const chain *ch, coreapi_auth *chosen,
                                    coreapi_request *req, const coreapi_response *resp,
                                    int *resend, coreapi_error *err) {
  for (size_t i = 0; i < c->auth_count; i++) {
    coreapi_auth *a = c->auths[i];
    const coreapi_auth_ops *ops = coreapi__auth_ops(a);
    int ignored = 0;
    coreapi_code rc;
    if (ops->on_response == NULL || ch->auth_left[i] ||
        (a != chosen && !ops->allow_cookies))
      continue;
    req->memo = &c->memo;
    req->memo_owner = a;
    rc = ops->on_response(coreapi__auth_state(a), req, resp, a == chosen ? resend : &ignored, err);
    req->memo = NULL;
    if (rc != COREAPI_OK)
      return coreapi_error_set(err, rc, "%s authentication failed the response: %s",
                               ops->name, coreapi_strerror(rc));
  }
  return COREAPI_OK;
}

/* Apply auth to a fresh hop request and send it; run on_response, and send
 * once more if it asks. */
static coreapi_code send_hop(coreapi_client *c, const chain *ch, const coreapi_request *base,
                             coreapi_response **out, coreapi_error *err) {
  int cookies, resend = 0;
  coreapi_auth *auth = choose_auth(c, ch, &cookies);

  *out = NULL;
  for (int attempt = 0;; attempt++) {
    coreapi_request *req = hop_request(c, ch, base);
    coreapi_response *resp = NULL;
    coreapi_code rc = COREAPI_OK;
    if (req == NULL)
      return COREAPI__OOM(err);
    if (attempt == 0)
      explain_choice(c, ch, req, auth, cookies);
    req->cookie_lookup = cookies ? coreapi__jar_cookie : NULL;
    req->cookie_ctx = c;
    req->resent = attempt > 0;
    if (auth != NULL) {
      /* Headers set while the authentication runs are marked, so that debug
       * output redacts them. */
      req->memo = &c->memo;
      req->memo_owner = auth;
      req->set_flags = COREAPI__HDR_AUTH;
      rc = coreapi__auth_run_apply(auth, req, err);
      req->set_flags = 0;
    }
    if (rc == COREAPI_OK)
      rc = perform(c, req, cookies, &resp, err);
    resend = 0;
    if (rc == COREAPI_OK)
      rc = run_on_response(c, ch, auth, req, resp, &resend, err);
    req->memo = NULL;
    coreapi_request_free(req);
    if (rc != COREAPI_OK) {
      coreapi_response_free(resp);
      return rc;
    }
    if (resend && attempt == 0) {
      coreapi__debug_info(c, "hop %u: %s authentication asked to send the request again",
                          base->hop, coreapi_auth_name(auth));
      coreapi_response_free(resp);
      continue;
    }
    *out = resp;
    return COREAPI_OK;
  }
}

static coreapi_code send_chain(coreapi_client *c, const coreapi_request *req,
                               coreapi_response **out, coreapi_error *err) {
  chain ch = {0};
  coreapi_request *base;
  coreapi_response *resp = NULL;
  coreapi_code rc = COREAPI_OK;
  unsigned redirects = 0;

  coreapi_error_clear(err);
  if (out != NULL)
    *out = NULL;
  if (c == NULL || req == NULL || out == NULL)
    return coreapi_error_set(err, COREAPI_ERR_INVALID_ARGUMENT,
                             "client, request and out must not be NULL");
  base = coreapi__request_clone(req);
  ch.auth_left = calloc(c->auth_count + 1, 1);
  if (base == NULL || ch.auth_left == NULL || coreapi__url_copy(&ch.first, &req->url) != 0) {
    rc = COREAPI__OOM(err);
    goto out;
  }
  base->hop = 0;
  chain_enter(&ch, c, NULL, &base->url);
  for (;;) {
    const char *location;
    coreapi__url prev;
    rc = send_hop(c, &ch, base, &resp, err);
    if (rc != COREAPI_OK)
      goto out;
    location = coreapi_response_header(resp, "Location");
    if (!coreapi__is_redirect(resp->status) || location == NULL || c->max_redirects == 0)
      break;
    if (redirects == c->max_redirects) {
      rc = coreapi_error_set(err, COREAPI_ERR_TOO_MANY_REDIRECTS,
                             "more than %u redirects, the last to %.200s", c->max_redirects,
                             location);
      goto out;
    }
    if (coreapi__url_copy(&prev, &base->url) != 0) {
      rc = COREAPI__OOM(err);
      goto out;
    }
    rc = coreapi__redirect_next(base, resp->status, location, err);
    if (rc == COREAPI_OK) {
      chain_enter(&ch, c, &prev, &base->url);
      coreapi__debug_info(c, "redirect %ld to %s", resp->status, base->url.url);
    }
    coreapi__url_free(&prev);
    if (rc != COREAPI_OK)
      goto out;
    coreapi_response_free(resp);
    resp = NULL;
    redirects++;
  }
  resp->redirects = redirects;
  *out = resp;
  resp = NULL;
out:
  coreapi_response_free(resp);
  coreapi_request_free(base);
  coreapi__url_free(&ch.first);
  free(ch.auth_left);
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
  if (sink != NULL && (sink->begin == NULL || sink->write == NULL)) {
    coreapi_error_clear(err);
    if (out != NULL)
      *out = NULL;
    return coreapi_error_set(err, COREAPI_ERR_INVALID_ARGUMENT,
                             "a body sink needs begin and write functions");
  }
  if (c != NULL && c->busy) {
    coreapi_error_clear(err);
    if (out != NULL)
      *out = NULL;
    return coreapi_error_set(err, COREAPI_ERR_INVALID_ARGUMENT,
                             "the client is in the middle of a request");
  }
  if (c != NULL) {
    c->sink = sink;
    c->sink_data = userdata;
    c->busy = 1;
  }
  rc = send_chain(c, req, out, err);
  if (c != NULL) {
    c->sink = NULL;
    c->sink_data = NULL;
    c->busy = 0;
  }
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
  chain ch = {0};
  coreapi__url u;
  coreapi_auth *best = NULL;
  int cookies = 0;

  coreapi_error_clear(err);
  if (why != NULL && size > 0)
    why[0] = '\0';
  if (c == NULL || url == NULL) {
    coreapi_error_set(err, COREAPI_ERR_INVALID_ARGUMENT, "client and URL must not be NULL");
    return NULL;
  }
  if (coreapi__url_parse(&u, url, NULL, err) != COREAPI_OK)
    return NULL;
  ch.first = u;
  ch.auth_left = calloc(c->auth_count + 1, 1);
  if (ch.auth_left == NULL) {
    coreapi__url_free(&u);
    COREAPI__OOM(err);
    return NULL;
  }
  chain_enter(&ch, c, NULL, &u);
  best = choose_auth(c, &ch, &cookies);
  if (why != NULL && size > 0) {
    char desc[128];
    if (best != NULL)
      snprintf(why, size, "%s: %s", coreapi_auth_domain(best),
               coreapi_auth_describe(best, desc, sizeof(desc)));
    else
      snprintf(why, size, "none: no credential matches %s", u.host);
  }
  free(ch.auth_left);
  coreapi__url_free(&u);
  return best;
}
