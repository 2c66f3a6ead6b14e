/*
 * transport/backend.c - the libcurl backend: performs one hop exactly as the
 * planner and the authentication left it (method, URL, headers, body), on
 * the client's reused easy handle, and collects the response. It decides
 * nothing about credentials; it carries the decision out (the cookie jar is
 * attached only when the plan allows cookies; the Digest or NTLM credentials
 * an authentication marked the hop with are given to libcurl for that
 * transfer only, and taken off the handle after it).
 *
 * Header lines are parsed by coreapi__parse_header_line (http/parse.c); a
 * status line starts a new block, so after a 1xx interim response only the
 * final block is kept.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client_impl.h"
#include "hop.h"

/* Fail the transfer with ERR_TOO_LARGE: the body is over limit bytes, the
 * limit for streamed bodies (max_filesize) or for bodies kept in memory
 * (max_body). */
static void too_large(coreapi__easy *e, uint64_t limit, int streamed) {
  coreapi_error_set(&e->sink_error, COREAPI_ERR_TOO_LARGE,
                    "the response body is larger than %llu bytes, the client's limit for %s: %s",
                    (unsigned long long)limit,
                    streamed ? "streamed bodies" : "bodies kept in memory",
                    e->current_req->url.url);
}

/* A body over its limit that Content-Length announces fails at once, before
 * a byte of it arrives (a download then never even creates its temporary
 * file). libcurl reports the length only when no transfer coding voids it,
 * and decodes no content coding, so it counts the bytes on_body would get.
 * Responses without a body (to HEAD, 204, 304) are not looked at. Returns
 * 0, or -1 to stop. */
static int announced_too_large(coreapi__easy *e, long status, int streamed) {
  uint64_t limit = streamed ? (uint64_t)e->client->max_filesize : (uint64_t)e->client->max_body;
  curl_off_t len = -1;
  if (limit == 0 || status == 204 || status == 304 ||
      strcmp(e->current_req->method, "HEAD") == 0 ||
      curl_easy_getinfo(e->curl, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &len) != CURLE_OK ||
      len < 0 || (uint64_t)len <= limit)
    return 0;
  too_large(e, limit, streamed);
  return -1;
}

/* The final response's header is complete (status): check the announced
 * length and begin the sink when the body goes there. 0, or -1 to stop. */
static int begin_final(coreapi__easy *e, long status) {
  coreapi_response *r = e->current;
  int to_sink;
  to_sink = e->sink != NULL &&
            !coreapi__redirect_followed(status, coreapi__headers_get(&r->headers, "Location"),
                                        e->client->max_redirects);
  if (announced_too_large(e, status, to_sink))
    return -1;
  if (!to_sink)
    return 0;
  r->status = status;
  if (r->url == NULL && (r->url = coreapi__strdup(e->current_req->url.url)) == NULL) {
    e->header_error = 1;
    return -1;
  }
  if (coreapi__response_parse_cookies(r) != 0) {
    e->header_error = 1;
    return -1;
  }
  if (e->sink->begin(e->sink_data, r, &e->sink_error) != COREAPI_OK) {
    if (e->sink_error.code == COREAPI_OK)
      coreapi_error_set(&e->sink_error, COREAPI_ERR_IO, "the body sink refused the response");
    return -1;
  }
  e->streamed = 0;
  e->streaming = 1;
  return 0;
}

/* A 401 that headers_done held back turned out final: begin it now. */
static int challenge_final(coreapi__easy *e) {
  long status = 0;
  e->challenge_pending = 0;
  curl_easy_getinfo(e->curl, CURLINFO_RESPONSE_CODE, &status);
  return begin_final(e, status);
}

/* The end of a header block: a final response's body goes to the sink, if
 * there is one. A response is final unless it is an interim 1xx, or a
 * redirect this client is going to follow, or a 401 that libcurl may yet
 * answer itself. Returns 0, or -1 to stop. */
static int headers_done(coreapi__easy *e) {
  long status = 0;
  if (e->streaming)
    return 0; /* trailers after a streamed body */
  curl_easy_getinfo(e->curl, CURLINFO_RESPONSE_CODE, &status);
  if (status < 200)
    return 0;
  if (status == 401 && e->current_req->http_auth != 0) {
    /* libcurl may answer this challenge and send the request again in
     * this transfer (the body of this 401 is then never handed over):
     * the 401 is final only if a body byte of it or the end comes. */
    e->challenge_pending = 1;
    return 0;
  }
  return begin_final(e, status);
}

/* The body as libcurl hands it over: transfer codings removed, content
 * codings kept (see client.h), so both limits count the bytes that are
 * written or kept, never the smaller number that crossed the wire. */
static size_t on_body(char *data, size_t size, size_t nmemb, void *userp) {
  coreapi__easy *e = userp;
  size_t n = size * nmemb;
  if (e->challenge_pending && challenge_final(e) != 0)
    return 0;
  if (e->streaming) {
    /* e->streamed never exceeds the limit, so the subtraction holds. */
    if (e->client->max_filesize > 0 && (uint64_t)n > (uint64_t)e->client->max_filesize - e->streamed) {
      too_large(e, (uint64_t)e->client->max_filesize, 1);
      return 0;
    }
    e->streamed += n;
    if (e->sink->write(e->sink_data, data, n, &e->sink_error) != COREAPI_OK) {
      if (e->sink_error.code == COREAPI_OK)
        coreapi_error_set(&e->sink_error, COREAPI_ERR_IO, "the body sink refused the data");
      return 0;
    }
    return n;
  }
  if (e->client->max_body > 0 && (n > e->client->max_body || e->current->body.len > e->client->max_body - n)) {
    too_large(e, e->client->max_body, 0);
    return 0;
  }
  if (coreapi__buf_append(&e->current->body, data, n) != 0) {
    e->header_error = 1;
    return 0;
  }
  return n;
}

/* One header line of the response. */
static size_t on_header(char *data, size_t size, size_t nmemb, void *userp) {
  coreapi__easy *e = userp;
  coreapi_response *r = e->current;
  size_t n = size * nmemb;
  coreapi__header_line line;
  switch (coreapi__parse_header_line(data, n, &line)) {
    case COREAPI__LINE_END:
      return headers_done(e) == 0 ? n : 0;
    case COREAPI__LINE_STATUS:
      e->challenge_pending = 0; /* libcurl answered the 401: a new response */
      coreapi__headers_free(&r->headers);
      coreapi__headers_free(&r->cookies);
      free(r->reason);
      r->reason = coreapi__strndup(line.value, line.value_len);
      if (r->reason == NULL)
        e->header_error = 1;
      break;
    case COREAPI__LINE_FIELD:
      if (coreapi__headers_add_pooled(&r->headers, line.name, line.name_len, line.value,
                               line.value_len) != 0)
        e->header_error = 1;
      break;
    case COREAPI__LINE_FOLD:
      if (coreapi__headers_extend_last(&r->headers, line.value, line.value_len) != 0)
        e->header_error = 1;
      break;
    case COREAPI__LINE_BAD:
      break;
  }
  return n;
}

static int on_progress(void *userp, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                       curl_off_t ulnow) {
  coreapi__easy *e = userp;
  const coreapi_client *c = e->client;
  int stop;
  if (e->progress != NULL)
    stop = e->progress(e->progress_ctx, dltotal, dlnow, ultotal, ulnow);
  else
    stop = c->progress != NULL && c->progress(c->progress_data, dltotal, dlnow, ultotal, ulnow);
  if (stop) {
    e->progress_aborted = 1;
    return 1;
  }
  return 0;
}

coreapi_code coreapi__backend_init(coreapi__easy *e, coreapi_error *err) {
  const coreapi_client *c = e->client;
  /* Options that never change. Redirects are ours; libcurl never follows.
   * Only http and https, never credentials from .netrc or the URL. */
  if (curl_easy_setopt(e->curl, CURLOPT_FOLLOWLOCATION, 0L) != CURLE_OK ||
      curl_easy_setopt(e->curl, CURLOPT_PROTOCOLS_STR, "http,https") != CURLE_OK ||
      curl_easy_setopt(e->curl, CURLOPT_REDIR_PROTOCOLS_STR, "http,https") != CURLE_OK ||
      curl_easy_setopt(e->curl, CURLOPT_NETRC, (long)CURL_NETRC_IGNORED) != CURLE_OK ||
      curl_easy_setopt(e->curl, CURLOPT_NOSIGNAL, 1L) != CURLE_OK ||
      curl_easy_setopt(e->curl, CURLOPT_ERRORBUFFER, e->curl_error) != CURLE_OK ||
      curl_easy_setopt(e->curl, CURLOPT_WRITEFUNCTION, on_body) != CURLE_OK ||
      curl_easy_setopt(e->curl, CURLOPT_WRITEDATA, e) != CURLE_OK ||
      curl_easy_setopt(e->curl, CURLOPT_HEADERFUNCTION, on_header) != CURLE_OK ||
      curl_easy_setopt(e->curl, CURLOPT_HEADERDATA, e) != CURLE_OK ||
      curl_easy_setopt(e->curl, CURLOPT_XFERINFOFUNCTION, on_progress) != CURLE_OK ||
      curl_easy_setopt(e->curl, CURLOPT_XFERINFODATA, e) != CURLE_OK ||
      curl_easy_setopt(e->curl, CURLOPT_DEBUGFUNCTION, coreapi__debug_curl) != CURLE_OK ||
      curl_easy_setopt(e->curl, CURLOPT_DEBUGDATA, e) != CURLE_OK ||
      curl_easy_setopt(e->curl, CURLOPT_PRIVATE, e) != CURLE_OK)
    return coreapi_error_set(err, COREAPI_ERR_INTERNAL, "libcurl lacks a required feature");
  /* The client's settings that go on every handle. */
  if ((c->resolve != NULL && curl_easy_setopt(e->curl, CURLOPT_RESOLVE, c->resolve) != CURLE_OK) ||
      curl_easy_setopt(e->curl, CURLOPT_NOPROGRESS, e->progress_on ? 0L : 1L) != CURLE_OK ||
      curl_easy_setopt(e->curl, CURLOPT_VERBOSE, c->debug ? 1L : 0L) != CURLE_OK)
    return coreapi_error_set(err, COREAPI_ERR_INTERNAL, "libcurl refused the client's settings");
  e->options_epoch = 0; /* the transport options are to be set */
  return COREAPI_OK;
}

/* Whether libcurl stopped while reading the response header, for
 * coreapi__curl_code_map (curl_error.c says why it matters): it had begun to
 * receive the response and no body byte had come. Begun: a complete header
 * line had arrived (CURLINFO_HEADER_SIZE), or, for a first line that is
 * itself too long, libcurl had started reading (STARTTRANSFER, which it also
 * sets when it starts to send a body, so then only once a body of known size
 * was all sent). libcurl resets these for every transfer. */
static int reading_header(CURL *curl) {
  long header_size = 0;
  curl_off_t body = 0, start = 0, sent = 0, to_send = -1;
  curl_easy_getinfo(curl, CURLINFO_SIZE_DOWNLOAD_T, &body);
  curl_easy_getinfo(curl, CURLINFO_HEADER_SIZE, &header_size);
  if (body > 0)
    return 0;
  if (header_size > 0)
    return 1;
  curl_easy_getinfo(curl, CURLINFO_STARTTRANSFER_TIME_T, &start);
  curl_easy_getinfo(curl, CURLINFO_SIZE_UPLOAD_T, &sent);
  curl_easy_getinfo(curl, CURLINFO_CONTENT_LENGTH_UPLOAD_T, &to_send);
  return start > 0 && to_send >= 0 && sent >= to_send;
}

/* The error of a failed transfer: the code from curl_error.c's table, the
 * message "URL: libcurl's detail" (out of memory: the plain message). */
static coreapi_code map_curl_error(coreapi__easy *e, CURLcode cc, const char *url,
                                   coreapi_error *err) {
  const char *detail;
  coreapi_code code =
      coreapi__curl_code_map(cc, e->curl_error, reading_header(e->curl), &detail);
  if (code == COREAPI_ERR_OUT_OF_MEMORY)
    return COREAPI__OOM(err);
  return coreapi_error_set(err, code, "%s: %s", url, detail);
}

/* Method and body. Streamed bodies (multipart, upload) need *mime or *up,
 * which the caller releases after the transfer. */
static coreapi_code set_method(CURL *curl, const coreapi_request *req, curl_mime **mime,
                               coreapi__upload *up, coreapi_error *err) {
  const char *m = req->method;
  int is_post = strcmp(m, "POST") == 0;
  coreapi_code rc;
  curl_easy_setopt(curl, CURLOPT_NOBODY, 0L);
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, NULL);
  curl_easy_setopt(curl, CURLOPT_MIMEPOST, NULL);
  curl_easy_setopt(curl, CURLOPT_READFUNCTION, NULL);
  curl_easy_setopt(curl, CURLOPT_SEEKFUNCTION, NULL);
  if (strcmp(m, "HEAD") == 0) {
    curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
    return COREAPI_OK;
  }
  if (req->multipart) {
    *mime = coreapi__mime_build(curl, req, err);
    if (*mime == NULL)
      return err ? err->code : COREAPI_ERR_IO;
    curl_easy_setopt(curl, CURLOPT_MIMEPOST, *mime);
  } else if (req->upload != NULL) {
    rc = coreapi__upload_open(curl, req, up, err);
    if (rc != COREAPI_OK)
      return rc;
  } else if (coreapi__request_holds_body(req)) {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, req->body ? (const char *)req->body : "");
  } else {
    curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
    if (strcmp(m, "GET") != 0)
      curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, m);
    return COREAPI_OK;
  }
  if (!is_post)
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, m);
  return COREAPI_OK;
}

/* The URL libcurl sends for req: its parsed URL itself (not parsed again by
 * libcurl), or with an API key in its query a copy of it with the key
 * appended (*keyed, freed by the caller after the transfer; req->url keeps
 * no key). NULL on ENOMEM. */
static CURLU *wire_url(const coreapi_request *req, CURLU **keyed) {
  *keyed = NULL;
  if (req->auth_query == NULL)
    return req->url.handle;
  if ((*keyed = curl_url_dup(req->url.handle)) == NULL ||
      curl_url_set(*keyed, CURLUPART_QUERY, req->auth_query, CURLU_APPENDQUERY) != CURLUE_OK) {
    curl_url_cleanup(*keyed);
    *keyed = NULL;
  }
  return *keyed;
}

/* The cookies of req that are not the jar's: its cookie parameters and an
 * API-key cookie, as one "a=b; c=d" line (*joined when both, freed by the
 * caller, wiped), or NULL. *oom on ENOMEM. */
static const char *own_cookies(const coreapi_request *req, char **joined, int *oom) {
  size_t n;
  *joined = NULL;
  *oom = 0;
  if (req->param_cookie == NULL || req->auth_cookie == NULL)
    return req->param_cookie ? req->param_cookie : req->auth_cookie;
  n = strlen(req->param_cookie) + strlen(req->auth_cookie) + 3;
  if ((*joined = malloc(n)) == NULL) {
    *oom = 1;
    return NULL;
  }
  snprintf(*joined, n, "%s; %s", req->param_cookie, req->auth_cookie);
  return *joined;
}

/* Per-transfer options: the URL, headers and own cookies, and the hop's
 * transport settings t (tls_handle.c). */
static void set_transfer_options(coreapi__easy *e, CURLU *url, const char *cookies,
                                 struct curl_slist *headers, const coreapi__transport *t) {
  curl_easy_setopt(e->curl, CURLOPT_CURLU, url);
  curl_easy_setopt(e->curl, CURLOPT_HTTPHEADER, headers);
  /* Cookies of the request's own go in the Cookie header libcurl writes,
   * beside the jar's (one Cookie header); they are never stored in the jar. */
  curl_easy_setopt(e->curl, CURLOPT_COOKIE, cookies);
  coreapi__transport_set(e, t);
}

/* --- HTTP authentication that libcurl carries out (Digest, NTLM) -------- */

/* FNV-1a over n bytes at p (and a separator), continuing from h. */
static uint64_t fnv(uint64_t h, const void *p, size_t n) {
  const unsigned char *b = p;
  for (size_t i = 0; i <= n; i++) {
    h ^= i < n ? b[i] : 0xffu;
    h *= 1099511628211ull;
  }
  return h;
}

/* e->challenge_owner while the handle lacks options after a failed reset. */
#define HANDLE_UNSET UINT64_MAX

/* Whose credentials a hop hands libcurl: scheme, origin, user, password
 * (see challenge_owner). Never 0 nor HANDLE_UNSET. */
static uint64_t challenge_owner(const coreapi_request *req) {
  uint64_t h = fnv(14695981039346656037ull, &req->http_auth, sizeof(req->http_auth));
  h = fnv(h, req->url.scheme, strlen(req->url.scheme));
  h = fnv(h, req->url.host, strlen(req->url.host));
  h = fnv(h, &req->url.port, sizeof(req->url.port));
  h = fnv(h, req->http_user, strlen(req->http_user));
  h = fnv(h, req->http_password, strlen(req->http_password));
  return h == 0 || h == HANDLE_UNSET ? 1 : h;
}

/* Make libcurl forget what it learnt of authentication on the handle: a
 * Digest nonce that another server gave it (libcurl stores every Digest
 * challenge it sees, on any transfer), or one given to other credentials.
 * libcurl would answer that nonce unasked, and then take the server's fresh
 * challenge for a sign of a wrong password and give up with the 401.
 * curl_easy_reset is the only way, so the handle is given again every
 * option set on it (see client_impl.h). */
static coreapi_code forget_challenges(coreapi__easy *e, coreapi_error *err) {
  coreapi_code rc;
  e->challenge_owner = HANDLE_UNSET; /* until every option is back */
  curl_easy_reset(e->curl);
  rc = coreapi__backend_init(e, err);
  if (rc != COREAPI_OK)
    return rc;
  e->challenge_owner = 0;
  return COREAPI_OK;
}

/* A new handle, with every option, when the TLS settings changed since the
 * connections of this one were made (tls_handle.c says why). */
static coreapi_code refresh_handle(coreapi__easy *e, coreapi_error *err) {
  int replaced;
  coreapi_code rc = coreapi__handle_replace(e, &replaced, err);
  if (rc != COREAPI_OK || !replaced)
    return rc;
  if ((rc = coreapi__backend_init(e, err)) == COREAPI_OK)
    coreapi__handle_finish(e);
  return rc;
}

/* No credentials on the handle: libcurl sends no Authorization of its own. */
static void clear_challenge_auth(CURL *curl) {
  curl_easy_setopt(curl, CURLOPT_USERNAME, NULL);
  curl_easy_setopt(curl, CURLOPT_PASSWORD, NULL);
  curl_easy_setopt(curl, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
}

/* Before anything else is set for req's transfer: the credentials of a
 * Digest or NTLM authentication that applied to this hop, for libcurl to
 * answer the challenge with (that scheme alone: never Basic, which would
 * send the password as it is), after a reset unless libcurl's state is
 * that of the same credentials at the same origin; none otherwise. */
static coreapi_code set_challenge_auth(coreapi__easy *e, const coreapi_request *req,
                                       coreapi_error *err) {
  int ntlm = req->http_auth == COREAPI__HTTP_AUTH_NTLM;
  uint64_t owner;
  coreapi_code rc;
  if (e->challenge_owner == HANDLE_UNSET && (rc = forget_challenges(e, err)) != COREAPI_OK)
    return rc;
  if (req->http_auth == 0 || req->http_user == NULL || req->http_password == NULL) {
    e->challenge_owner = 0;
    clear_challenge_auth(e->curl);
    return COREAPI_OK;
  }
  owner = challenge_owner(req);
  if (owner != e->challenge_owner && (rc = forget_challenges(e, err)) != COREAPI_OK)
    return rc;
  e->challenge_owner = owner;
  if (curl_easy_setopt(e->curl, CURLOPT_HTTPAUTH, ntlm ? CURLAUTH_NTLM : CURLAUTH_DIGEST) !=
      CURLE_OK)
    return coreapi_error_set(err, COREAPI_ERR_INTERNAL,
                             "%s: this libcurl was built without %s authentication",
                             req->url.url, ntlm ? "NTLM" : "Digest");
  if (curl_easy_setopt(e->curl, CURLOPT_USERNAME, req->http_user) != CURLE_OK ||
      curl_easy_setopt(e->curl, CURLOPT_PASSWORD, req->http_password) != CURLE_OK) {
    clear_challenge_auth(e->curl);
    return COREAPI__OOM(err);
  }
  return COREAPI_OK;
}

/* The response's status, reason, URL and cookies once the transfer is done. */
static coreapi_code finish_response(coreapi__easy *e, const coreapi_request *req,
                                    coreapi_response *resp, coreapi_error *err) {
  long status = 0;
  curl_easy_getinfo(e->curl, CURLINFO_RESPONSE_CODE, &status);
  resp->status = status;
  if (resp->reason == NULL || resp->reason[0] == '\0') {
    free(resp->reason);
    resp->reason = coreapi__strdup(coreapi__reason_phrase(status));
  }
  if (resp->url == NULL)
    resp->url = coreapi__strdup(req->url.url);
  coreapi__headers_free(&resp->cookies); /* parsed afresh from the final block */
  if (resp->reason == NULL || resp->url == NULL || coreapi__response_parse_cookies(resp) != 0)
    return COREAPI__OOM(err);
  if (e->client->debug != NULL) {
    curl_off_t up = 0, down = 0;
    char line[96];
    int n;
    curl_easy_getinfo(e->curl, CURLINFO_SIZE_UPLOAD_T, &up);
    curl_easy_getinfo(e->curl, CURLINFO_SIZE_DOWNLOAD_T, &down);
    n = snprintf(line, sizeof(line), "body: %ld bytes sent, %ld bytes received", (long)up,
                 (long)down);
    e->client->debug(e->client->debug_data, COREAPI_DEBUG_BODY_SIZE, line, (size_t)n);
  }
  return COREAPI_OK;
}

/* Why the transfer failed, if it did. */
static coreapi_code transfer_result(coreapi__easy *e, CURLcode cc, const coreapi_request *req,
                                    coreapi_error *err) {
  if (e->header_error)
    return COREAPI__OOM(err);
  if (e->progress_aborted)
    return coreapi_error_set(err, COREAPI_ERR_ABORTED, "%s: aborted by the progress callback",
                             req->url.url);
  if (e->sink_error.code != COREAPI_OK)
    return coreapi_error_set(err, e->sink_error.code, "%s", e->sink_error.text);
  if (cc != CURLE_OK)
    return map_curl_error(e, cc, req->url.url, err);
  return COREAPI_OK;
}

/* Release what the transfer held: nothing of it stays on the handle (no
 * pointer into the request, no credentials: the next transfer on this
 * handle, to whatever host, starts without them). */
static void release_transfer(coreapi__easy *e) {
  e->current_req = NULL;
  e->streaming = 0;
  e->challenge_pending = 0;
  curl_easy_setopt(e->curl, CURLOPT_CURLU, NULL); /* freed with req */
  curl_easy_setopt(e->curl, CURLOPT_COOKIE, NULL);
  curl_easy_setopt(e->curl, CURLOPT_HTTPHEADER, NULL);
  curl_easy_setopt(e->curl, CURLOPT_POSTFIELDS, NULL);
  curl_easy_setopt(e->curl, CURLOPT_MIMEPOST, NULL);
  clear_challenge_auth(e->curl);
  curl_mime_free(e->mime);
  e->mime = NULL;
  coreapi__upload_close(&e->up);
  coreapi__header_list_free(e->headers);
  e->headers = NULL;
  curl_url_cleanup(e->keyed);
  e->keyed = NULL;
  coreapi__free_secret(e->joined);
  e->joined = NULL;
}

/* Every option of req's transfer (see coreapi__backend_begin). */
static coreapi_code set_transfer(coreapi__easy *e, const coreapi_request *req, int cookies,
                                 const coreapi__transport *t, coreapi_error *err) {
  CURLU *url = NULL;
  const char *own = NULL;
  int oom = 0;
  /* First: a new handle when the TLS settings changed, then one reset when
   * libcurl must forget a challenge. */
  coreapi_code rc = refresh_handle(e, err);
  if (rc == COREAPI_OK)
    rc = set_challenge_auth(e, req, err);
  coreapi__easy_use_jar(e, cookies);
  if (rc == COREAPI_OK)
    rc = set_method(e->curl, req, &e->mime, &e->up, err);
  if (rc == COREAPI_OK && (url = wire_url(req, &e->keyed)) == NULL)
    rc = COREAPI__OOM(err);
  if (rc == COREAPI_OK) {
    own = own_cookies(req, &e->joined, &oom);
    if (oom)
      rc = COREAPI__OOM(err);
  }
  if (rc == COREAPI_OK)
    set_transfer_options(e, url, own, e->headers, t);
  /* In a batch, an https request to an origin that a connection is being
   * made to waits for it, to be multiplexed there if it is HTTP/2 (which
   * libcurl speaks over TLS only: a plain http request never waits). */
  if (rc == COREAPI_OK && e->in_multi)
    curl_easy_setopt(e->curl, CURLOPT_PIPEWAIT, strcmp(req->url.scheme, "https") == 0 ? 1L : 0L);
  return rc;
}

coreapi_code coreapi__backend_begin(coreapi__easy *e, const coreapi_request *req, int cookies,
                                    const coreapi__transport *t, coreapi_error *err) {
  coreapi_code rc;
  if (req->url.handle == NULL)
    return coreapi_error_set(err, COREAPI_ERR_INTERNAL, "a request without a parsed URL");
  e->headers = coreapi__header_list_new(req);
  e->current = coreapi__response_new();
  e->current_req = req;
  if (e->headers == NULL || e->current == NULL)
    rc = COREAPI__OOM(err);
  else
    rc = set_transfer(e, req, cookies, t, err);
  if (rc != COREAPI_OK) {
    release_transfer(e);
    coreapi_response_free(e->current);
    e->current = NULL;
    return rc;
  }
  e->header_error = 0;
  e->progress_aborted = 0;
  e->streaming = 0;
  e->challenge_pending = 0;
  coreapi_error_clear(&e->sink_error);
  e->curl_error[0] = '\0';
  return COREAPI_OK;
}

coreapi_code coreapi__backend_end(coreapi__easy *e, CURLcode cc, coreapi_response **out,
                                  coreapi_error *err) {
  const coreapi_request *req = e->current_req;
  coreapi_response *resp = e->current;
  coreapi_code rc;
  *out = NULL;
  if (cc == CURLE_OK && e->challenge_pending)
    (void)challenge_final(e); /* a final 401 without a body; failures noted in e */
  rc = transfer_result(e, cc, req, err);
  if (rc == COREAPI_OK)
    rc = finish_response(e, req, resp, err);
  release_transfer(e);
  e->current = NULL;
  if (rc != COREAPI_OK) {
    coreapi_response_free(resp);
    return rc;
  }
  *out = resp;
  return COREAPI_OK;
}

coreapi_code coreapi__backend_perform(coreapi__easy *e, const coreapi_request *req,
                                      int cookies, const coreapi__transport *t,
                                      coreapi_response **out, coreapi_error *err) {
  coreapi_code rc = coreapi__backend_begin(e, req, cookies, t, err);
  *out = NULL;
  if (rc != COREAPI_OK)
    return rc;
  return coreapi__backend_end(e, curl_easy_perform(e->curl), out, err);
}
