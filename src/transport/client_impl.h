/*
 * transport/client_impl.h - the client's structure and its easy handles,
 * private to the transport layer: client.c (settings, the blocking send),
 * exchange.c (one request hop by hop), batch.c (many in flight), easy.c and
 * backend.c (a hop on a handle), cookies.c (the cookie jar on disk) and
 * debug.c (redacted debug output).
 */
#ifndef COREAPI_CLIENT_IMPL_H
#define COREAPI_CLIENT_IMPL_H

#include <stdint.h>
#include <stdio.h>

#include <curl/curl.h>

#include "hop.h"
#include "transport.h"

/* One libcurl easy handle and the state of the transfer on it. The client
 * has one for its own requests (main); a batch has one per request in
 * flight (batch.c), all sharing the client's settings and cookie jar. */
typedef struct coreapi__easy {
  coreapi_client *client;
  CURL *curl;
  int jar_attached;      /* the client's jar is attached to the handle */
  int in_multi;          /* a batch's: added to a multi handle for each hop */
  char curl_error[CURL_ERROR_SIZE];
  uint64_t options_epoch; /* the client's options_epoch when applied was set; 0: never */
  coreapi__transport applied; /* the transport options on the handle */
  uint64_t pool_epoch;   /* the client's tls_epoch when the handle's connections were made */
  int handle_used;       /* a transfer ran on the handle (it may hold connections) */
  /* Whose credentials libcurl's learnt authentication state (a Digest
   * nonce) belongs to: a fingerprint of the scheme, origin, user and
   * password of the last transfer, when that was such a hop; 0 otherwise;
   * UINT64_MAX while a failed reset left the handle without its options.
   * Any other such hop makes libcurl forget that state first (backend.c). */
  uint64_t challenge_owner;
  /* Transfer progress: fn(ctx, ...) when set (a batch's), else the
   * client's progress callback. */
  int (*progress)(void *ctx, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                  curl_off_t ulnow);
  void *progress_ctx;
  int progress_on;       /* CURLOPT_NOPROGRESS off */

  /* During one request. */
  const coreapi_body_sink *sink; /* NULL: bodies are kept in memory */
  void *sink_data;

  /* During one transfer (coreapi__backend_begin to _end). */
  coreapi_response *current;          /* being filled by the callbacks */
  const coreapi_request *current_req; /* the hop being sent (for redaction) */
  int header_error;                   /* a callback ran out of memory */
  int streaming;                      /* this hop's body goes to the sink */
  int progress_aborted;
  /* A 401 on a hop where libcurl answers challenges itself (Digest, NTLM):
   * libcurl may send the request again within the transfer, so the sink
   * is begun at the first body byte or at the end, not at the header. */
  int challenge_pending;
  uint64_t streamed;                  /* bytes of it given to the sink so far */
  coreapi_error sink_error;           /* why the sink stopped the transfer */
  /* What the transfer's options point to, released at its end. */
  struct curl_slist *headers;
  curl_mime *mime;
  struct coreapi__upload {
    const coreapi__source *source;
    FILE *fp;
  } up;
  CURLU *keyed;
  char *joined;
} coreapi__easy;

struct coreapi_client {
  coreapi__easy main;  /* the handle of coreapi_client_send */
  CURLSH *jar;         /* the cookie jar, attached only on hops that allow cookies */

  long timeout_ms;
  char *user_agent;    /* NULL: "coreapi" */
  coreapi__headers extra;
  char *ca_bundle;
  char *proxy;             /* NULL: libcurl's default (the environment) */
  char *cert, *cert_key;   /* a client certificate and its key (mutual TLS) */
  char *default_cainfo; /* libcurl's own CA settings, restored when the */
  char *default_capath; /* caller's bundle is taken away */
  int verify_tls;
  coreapi__host_entry *hosts; /* per-host transport settings (host_settings.c) */
  size_t host_count;
  uint64_t options_epoch; /* counts the changes of timeout, TLS or CA settings (from 1) */
  uint64_t tls_epoch;   /* counts the changes of the TLS settings */
  uint64_t handle_epoch; /* counts the changes of settings put on new handles only */
  size_t max_body;      /* bytes of a body kept in memory; 0: no limit */
  int64_t max_filesize; /* bytes of a body streamed to a sink; 0: no limit */
  size_t max_decoded;   /* bytes of a decoded document; 0: no limit */
  int busy;             /* a request or batch is under way (callbacks may not reconfigure) */
  struct curl_slist *resolve;
  unsigned max_redirects;

  coreapi_auth **auths;
  size_t auth_count;
  coreapi__memo memo;

  coreapi_debug_fn debug;
  void *debug_data;
  coreapi_progress_fn progress;
  void *progress_data;

  /* Core API operations (transitions/). */
  char **decoders; /* formats; NULL: the default list */
  size_t decoder_count;
  char *download_dir;
};

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

/* --- host_settings.c: transport settings, the client's and per host ------ */

/* Free the client's host entries. */
void coreapi__host_entries_free(coreapi_client *client);
/* The client's transport settings as the planner reads them (borrowed:
 * valid until they change). */
void coreapi__host_policy_fill(const coreapi_client *client, coreapi__host_policy *pol);

/* --- tls_handle.c: the handle's transport options ------------------------- */

/* After coreapi__backend_init on a new handle: the cookie engine with the
 * jar detached; the handle's connections are of the current TLS settings. */
void coreapi__handle_finish(coreapi__easy *e);
/* Before a transfer: when the TLS settings changed since the handle's
 * connections were made, replace the handle by a new one without any option
 * (no connection, no TLS session; the cookie jar stays in its share) and
 * set *replaced: the caller then gives it coreapi__backend_init and
 * coreapi__handle_finish. A batch's handles never are: their connections
 * are the multi handle's, which the batch renews itself. OK or
 * ERR_INTERNAL. */
coreapi_code coreapi__handle_replace(coreapi__easy *e, int *replaced, coreapi_error *err);
/* Put t's options on the handle (when they differ from those it has). */
void coreapi__transport_set(coreapi__easy *e, const coreapi__transport *t);

/* --- backend.c: one hop through libcurl --------------------------------- */

/* header_list.c: req's header lines for CURLOPT_HTTPHEADER, in one block
 * (NULL on ENOMEM); freed, wiped first, only by coreapi__header_list_free. */
struct curl_slist *coreapi__header_list_new(const coreapi_request *req);
void coreapi__header_list_free(struct curl_slist *list);

/* A new handle for client in *e, with every option (in_multi: for a
 * batch's multi handle). OK, or ERR_INTERNAL with *e cleared. */
coreapi_code coreapi__easy_open(coreapi__easy *e, coreapi_client *client, int in_multi,
                                coreapi_error *err);
/* Close e's handle (its connections, unless a multi handle holds them). */
void coreapi__easy_close(coreapi__easy *e);

/* Set the easy handle's options that never change. OK or ERR_INTERNAL. */
coreapi_code coreapi__backend_init(coreapi__easy *e, coreapi_error *err);
/* Note: a hop with Digest or NTLM credentials may start with curl_easy_reset
 * (the only way to make libcurl forget a nonce); backend.c then gives the
 * handle again every option set on it: those of coreapi__backend_init, and
 * the client's resolve list, progress and debug settings, timeout, TLS and
 * CA (e->options_epoch). An option set on a handle anywhere else must be
 * added there. Connections, the DNS cache and the cookie jar (the share)
 * survive a reset. */

/* Send req exactly as it is (one hop, no redirect followed), with the cookie
 * jar attached when cookies is non-zero and the transport settings t, and
 * return its response in *out (new) or an error with err filled. */
coreapi_code coreapi__backend_perform(coreapi__easy *e, const coreapi_request *req,
                                      int cookies, const coreapi__transport *t,
                                      coreapi_response **out, coreapi_error *err);
/* The same in two halves, for a multi handle: _begin sets every option of
 * the transfer (req must outlive it); after libcurl ran it to completion
 * with result cc, _end releases what the transfer held and gives its
 * response or error. After a failed _begin there is nothing to end. */
coreapi_code coreapi__backend_begin(coreapi__easy *e, const coreapi_request *req, int cookies,
                                    const coreapi__transport *t, coreapi_error *err);
coreapi_code coreapi__backend_end(coreapi__easy *e, CURLcode cc, coreapi_response **out,
                                  coreapi_error *err);

/* --- exchange.c: one request, hop by hop ---------------------------------- */

/* The state of one request from its first hop to its final response: the
 * scope state of its chain, the base request of the current hop (the
 * caller's until a redirect changes it), the hop planned and being sent. */
typedef struct coreapi__exchange {
  coreapi_client *client;
  const coreapi_request *req;  /* the caller's */
  const coreapi_request *base; /* req, or owned once a redirect changed it */
  coreapi_request *owned;
  coreapi__hop_policy pol;
  coreapi__host_policy hp;
  coreapi__chain ch;           /* points into hp: an exchange does not move */
  unsigned redirects;
  int attempt;                 /* sends of the current hop so far */
  coreapi__hop_plan plan;      /* plan.req: the hop to send (new), or NULL */
} coreapi__exchange;

/* What the planner reads of the client. */
void coreapi__client_hop_policy(const coreapi_client *client, coreapi__hop_policy *pol);
/* Start req's exchange (req must outlive it). OK or ERR_OUT_OF_MEMORY. */
coreapi_code coreapi__exchange_start(coreapi__exchange *x, coreapi_client *client,
                                     const coreapi_request *req, coreapi_error *err);
/* Plan the next hop and apply its authentication: x->plan.req is then the
 * request to send, with x->plan.cookies and x->plan.transport. */
coreapi_code coreapi__exchange_plan(coreapi__exchange *x, coreapi_error *err);
/* The response to the hop planned (resp, taken over): shown to the
 * authentications; *done 0 when a hop follows (a resend, or a redirect:
 * call coreapi__exchange_plan again), 1 with the final response in *out. */
coreapi_code coreapi__exchange_answer(coreapi__exchange *x, coreapi_response *resp, int *done,
                                      coreapi_response **out, coreapi_error *err);
void coreapi__exchange_free(coreapi__exchange *x);

/* curl_error.c: what a failed transfer's code cc means (libcurl-errors(3)),
 * from a table. errbuf is libcurl's error buffer (NULL or "" when empty);
 * in_header is non-zero when libcurl stopped while reading the response
 * header (a CURLE_OUT_OF_MEMORY there is its header line limit, a network
 * error). *detail (detail may be NULL) gets the sentence for people: errbuf,
 * a better one where libcurl's misleads, or curl_easy_strerror(cc); it is
 * errbuf or static. Pure: no I/O, no state. */
coreapi_code coreapi__curl_code_map(CURLcode cc, const char *errbuf, int in_header,
                                    const char **detail);

/* --- upload.c: streamed bodies ------------------------------------------ */

/* A raw upload being sent: from disk (fp) or from its source's stream
 * (the struct is coreapi__easy's up). */
typedef struct coreapi__upload coreapi__upload;

/* libcurl's multipart body for req's parts (files read as it is sent), or
 * NULL with err filled. */
curl_mime *coreapi__mime_build(CURL *curl, const coreapi_request *req, coreapi_error *err);
/* Set up curl to send req->upload through u; close u after the transfer. */
coreapi_code coreapi__upload_open(CURL *curl, const coreapi_request *req, coreapi__upload *u,
                                  coreapi_error *err);
void coreapi__upload_close(coreapi__upload *u);

/* --- cookies.c: the jar ----------------------------------------------------- */

/* A request's cookie_lookup over the client's jar (cookies.c); ctx is the
 * client. */
char *coreapi__jar_cookie(void *ctx, const coreapi_request *req, const char *name);

/* Attach (1) or detach (0) the client's cookie jar to e for the next
 * transfer. */
void coreapi__easy_use_jar(coreapi__easy *e, int on);

/* Debug output (debug.c). */
void coreapi__debug_info(coreapi_client *client, const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
int coreapi__debug_curl(CURL *curl, curl_infotype type, char *data, size_t size, void *userp);

#endif
