/*
 * transport/tls_handle.c - the easy handle's transport options, and its
 * renewal. The planner decides a hop's transport settings
 * (coreapi__transport_choose); this file gives them to libcurl, and makes
 * sure no connection outlives the settings it was made under.
 *
 * libcurl keeps the connections (and TLS sessions) of an easy handle in its
 * own pool and reuses one for a transfer to the same host and port when its
 * configuration check says the connection fits. That check has missed TLS
 * options more than once (CVE-2016-5420: the client certificate;
 * CVE-2021-22924: the issuer certificate and case; CVE-2022-27782: many TLS
 * options; CVE-2026-8932, up to 8.20: the private key), and a connection
 * made with a client certificate or without verification must never carry
 * a request the new settings would send otherwise. So the client does not
 * depend on it: every change of the TLS settings (host_settings.c: the
 * certificate, key, CA, verification, proxy, host settings) after
 * a transfer gives the client a new easy handle, with no connection and no
 * TLS session; within one configuration, a host's settings never change, so
 * libcurl's host and port match is enough.
 */
#include <stdint.h>

#include "client_impl.h"

void coreapi__handle_finish(coreapi__easy *e) {
  /* Turn the cookie engine on with the (in-memory) jar attached: an empty
   * "file" name, loaded at once. Then clear the file list: libcurl re-reads
   * it before every transfer, and with the jar detached that would give the
   * handle a private jar of its own, which would store and send cookies on
   * hops where cookies are not allowed. */
  coreapi__easy_use_jar(e, 1);
  curl_easy_setopt(e->curl, CURLOPT_COOKIEFILE, "");
  curl_easy_setopt(e->curl, CURLOPT_COOKIELIST, "RELOAD");
  curl_easy_setopt(e->curl, CURLOPT_COOKIEFILE, NULL);
  coreapi__easy_use_jar(e, 0);
  e->options_epoch = 0;
  e->challenge_owner = 0;
  e->pool_epoch = e->client->tls_epoch;
}

coreapi_code coreapi__handle_replace(coreapi__easy *e, int *replaced, coreapi_error *err) {
  CURL *fresh;
  *replaced = 0;
  if (!e->handle_used || e->pool_epoch == e->client->tls_epoch || e->in_multi) {
    e->handle_used = 1;
    e->pool_epoch = e->client->tls_epoch;
    return COREAPI_OK;
  }
  if ((fresh = curl_easy_init()) == NULL)
    return coreapi_error_set(err, COREAPI_ERR_INTERNAL, "could not initialise libcurl");
  coreapi__easy_use_jar(e, 0);
  curl_easy_cleanup(e->curl); /* closes its connections, forgets its TLS sessions */
  e->curl = fresh;
  e->jar_attached = 0;
  e->challenge_owner = UINT64_MAX; /* no option set yet (see backend.c) */
  *replaced = 1;
  coreapi__debug_info(e->client, "TLS settings changed: no connection made before is used again");
  return COREAPI_OK;
}

/* Are a and b the same settings (the same strings: they are the client's)? */
static int same(const coreapi__transport *a, const coreapi__transport *b) {
  return a->timeout_ms == b->timeout_ms && a->proxy == b->proxy && a->cert == b->cert &&
         a->key == b->key && a->ca == b->ca && a->verify == b->verify;
}

void coreapi__transport_set(coreapi__easy *e, const coreapi__transport *t) {
  const coreapi_client *c = e->client;
  /* They stay on the handle between transfers: set again only when they
   * differ or a setter changed them (libcurl copies the strings on every
   * set, and the pointers may have been reused). */
  if (e->options_epoch == c->options_epoch && same(&e->applied, t))
    return;
  e->options_epoch = c->options_epoch;
  e->applied = *t;
  curl_easy_setopt(e->curl, CURLOPT_TIMEOUT_MS, t->timeout_ms);
  curl_easy_setopt(e->curl, CURLOPT_SSL_VERIFYPEER, t->verify ? 1L : 0L);
  curl_easy_setopt(e->curl, CURLOPT_SSL_VERIFYHOST, t->verify ? 2L : 0L);
  /* A CA file replaces every system CA (the directory too); without one,
   * libcurl's own settings. */
  curl_easy_setopt(e->curl, CURLOPT_CAINFO, t->ca ? t->ca : c->default_cainfo);
  curl_easy_setopt(e->curl, CURLOPT_CAPATH, t->ca ? NULL : c->default_capath);
  curl_easy_setopt(e->curl, CURLOPT_PROXY, t->proxy); /* NULL: libcurl reads the environment */
  curl_easy_setopt(e->curl, CURLOPT_SSLCERT, t->cert);
  curl_easy_setopt(e->curl, CURLOPT_SSLKEY, t->key);
}
