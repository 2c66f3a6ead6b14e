/*
 * transport/client_impl.h - the client's structure, private to the
 * transport layer: client.c (sending), cookies.c (the cookie jar on disk)
 * and debug.c (redacted debug output).
 */
#ifndef COREAPI_CLIENT_IMPL_H
#define COREAPI_CLIENT_IMPL_H

#include <curl/curl.h>

#include "transport.h"

struct coreapi_client {
  CURL *curl;
  CURLSH *jar;         /* the cookie jar, attached only on hops that allow cookies */
  int jar_attached;
  char curl_error[CURL_ERROR_SIZE];

  long timeout_ms;
  char *user_agent;    /* NULL: "coreapi" */
  coreapi__headers extra;
  char *ca_bundle;
  char *default_cainfo; /* libcurl's own CA settings, restored when the */
  char *default_capath; /* caller's bundle is taken away */
  int verify_tls;
  size_t max_body;      /* bytes of a body kept in memory; 0: no limit */
  int busy;             /* a request is under way (callbacks may not reconfigure) */
  struct curl_slist *resolve;
  unsigned max_redirects;

  coreapi_auth **auths;
  size_t auth_count;
  coreapi__memo memo;

  coreapi_debug_fn debug;
  void *debug_data;
  coreapi_progress_fn progress;
  void *progress_data;
  int progress_aborted;

  /* Core API operations (transitions/). */
  char **decoders; /* formats; NULL: the default list */
  size_t decoder_count;
  char *download_dir;

  /* During one request (coreapi_client_send_to). */
  const coreapi_body_sink *sink; /* NULL: bodies are kept in memory */
  void *sink_data;

  /* During one transfer. */
  coreapi_response *current;          /* being filled by the callbacks */
  const coreapi_request *current_req; /* the hop being sent (for redaction) */
  int header_error;                   /* a callback ran out of memory */
  int streaming;                      /* this hop's body goes to the sink */
  coreapi_error sink_error;           /* why the sink stopped the transfer */
};

/* A request's cookie_lookup over the client's jar (cookies.c); ctx is the
 * client. */
char *coreapi__jar_cookie(void *ctx, const coreapi_request *req, const char *name);

/* Attach (1) or detach (0) the cookie jar for the next transfer. */
void coreapi__client_use_jar(coreapi_client *client, int on);

/* Debug output (debug.c). */
void coreapi__debug_info(coreapi_client *client, const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
int coreapi__debug_curl(CURL *curl, curl_infotype type, char *data, size_t size, void *userp);

#endif
