/*
 * transport/sibling.c - a client for requests an authentication makes on
 * its own (an OAuth 2.0 token request): the settings of the client it
 * serves (timeout, user agent, CA bundle, TLS verification, proxy, client
 * certificate, per-host transport settings, resolve entries, debug output) and nothing that could carry a credential (no
 * authentications, no extra headers, no cookies, no redirects followed).
 */
#include <stddef.h>

#include "client_impl.h"

coreapi_client *coreapi__request_sender(const coreapi_request *req) {
  /* While an authentication's callbacks run, req->memo is its client's. */
  if (req == NULL || req->memo == NULL)
    return NULL;
  return (coreapi_client *)((char *)req->memo - offsetof(coreapi_client, memo));
}

coreapi_client *coreapi__client_sibling(const coreapi_client *c, size_t max_body,
                                        coreapi_error *err) {
  coreapi_client *s = coreapi_client_new(err);
  coreapi_code rc = s != NULL ? COREAPI_OK : err->code;
  if (s == NULL || c == NULL)
    return s;
  if (rc == COREAPI_OK)
    rc = coreapi_client_set_timeout_ms(s, c->timeout_ms, err);
  if (rc == COREAPI_OK && c->user_agent != NULL)
    rc = coreapi_client_set_user_agent(s, c->user_agent, err);
  if (rc == COREAPI_OK && c->ca_bundle != NULL)
    rc = coreapi_client_set_ca_bundle(s, c->ca_bundle, err);
  if (rc == COREAPI_OK)
    rc = coreapi_client_set_verify_tls(s, c->verify_tls, err);
  if (rc == COREAPI_OK && c->proxy != NULL)
    rc = coreapi_client_set_proxy(s, c->proxy, err);
  if (rc == COREAPI_OK && c->cert != NULL)
    rc = coreapi_client_set_client_cert(s, c->cert, c->cert_key, err);
  for (size_t i = 0; rc == COREAPI_OK && i < c->host_count; i++) {
    const coreapi__host_entry *e = &c->hosts[i];
    coreapi_host_settings hs = {e->timeout_ms, e->proxy, e->cert, e->key, e->ca, e->verify};
    rc = coreapi_client_add_host_settings(s, e->pattern.text, &hs, err);
  }
  for (const struct curl_slist *r = c->resolve; rc == COREAPI_OK && r != NULL; r = r->next)
    rc = coreapi_client_add_resolve(s, r->data, err);
  if (rc == COREAPI_OK)
    rc = coreapi_client_set_max_redirects(s, 0, err);
  if (rc == COREAPI_OK)
    rc = coreapi_client_set_max_body(s, max_body, err);
  if (rc == COREAPI_OK && c->debug != NULL)
    rc = coreapi_client_set_debug(s, c->debug, c->debug_data, err);
  if (rc != COREAPI_OK) {
    coreapi_client_free(s);
    return NULL;
  }
  return s;
}
