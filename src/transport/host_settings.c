/*
 * transport/host_settings.c - the client's transport settings: its own
 * (CA bundle, TLS verification, proxy, client certificate), the settings
 * added for the hosts a domain pattern covers, and the pure decision of
 * which of them a hop is sent with (coreapi__transport_choose, the rules of
 * client.h's "Transport settings per host"). Carrying that decision out on
 * libcurl's handle is tls_handle.c's.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "client_impl.h"

/* --- the client's own ------------------------------------------------------ */

/* Is url a proxy coreapi_client_set_proxy takes (NULL and "" too)? */
static int proxy_ok(const char *url) {
  static const char *const schemes[] = {"http://", "https://", "socks4://", "socks4a://",
                                        "socks5://", "socks5h://"};
  int known = url == NULL || url[0] == '\0';
  for (size_t i = 0; !known && i < sizeof(schemes) / sizeof(schemes[0]); i++)
    known = strncasecmp(url, schemes[i], strlen(schemes[i])) == 0;
  for (const char *p = url; known && p != NULL && *p; p++)
    known = (unsigned char)*p > 0x20 && *p != 0x7f;
  return known;
}

static coreapi_code bad_proxy(coreapi_error *err) {
  return coreapi_error_set(err, COREAPI_ERR_INVALID_ARGUMENT,
                           "proxy must be an http, https, socks4, socks4a, socks5 or socks5h "
                           "URL without spaces or control characters");
}

/* OK when path (NULL or "": nothing) can be read now, else ERR_IO. */
static coreapi_code readable(const char *path, coreapi_error *err) {
  if (path == NULL || path[0] == '\0' || access(path, R_OK) == 0)
    return COREAPI_OK;
  return coreapi_error_set(err, COREAPI_ERR_IO, "cannot read %s: %s", path, strerror(errno));
}

/* A copy of s in *out (NULL for NULL): 0, or -1 out of memory. */
static int copy_opt(const char *s, char **out) {
  *out = s != NULL ? coreapi__strdup(s) : NULL;
  return s != NULL && *out == NULL ? -1 : 0;
}

/* The TLS settings changed: connections made before must not be reused. */
static void tls_changed(coreapi_client *c) {
  c->options_epoch++;
  c->tls_epoch++;
}

coreapi_code coreapi_client_set_ca_bundle(coreapi_client *c, const char *path,
                                          coreapi_error *err) {
  char *copy;
  CHECK_CLIENT(c, err);
  if (copy_opt(path, &copy) != 0)
    return COREAPI__OOM(err);
  free(c->ca_bundle);
  c->ca_bundle = copy;
  tls_changed(c);
  return COREAPI_OK;
}

coreapi_code coreapi_client_set_proxy(coreapi_client *c, const char *url, coreapi_error *err) {
  char *copy;
  CHECK_CLIENT(c, err);
  if (!proxy_ok(url))
    return bad_proxy(err);
  if (copy_opt(url, &copy) != 0)
    return COREAPI__OOM(err);
  coreapi__free_secret(c->proxy); /* may hold user:password */
  c->proxy = copy;
  tls_changed(c);
  return COREAPI_OK;
}

coreapi_code coreapi_client_set_client_cert(coreapi_client *c, const char *cert_file,
                                            const char *key_file, coreapi_error *err) {
  char *cert = NULL, *key = NULL;
  coreapi_code rc;
  CHECK_CLIENT(c, err);
  if (cert_file == NULL && key_file != NULL)
    return coreapi_error_set(err, COREAPI_ERR_INVALID_ARGUMENT, "a key needs its certificate");
  if ((rc = readable(cert_file, err)) != COREAPI_OK || (rc = readable(key_file, err)) != COREAPI_OK)
    return rc;
  if (copy_opt(cert_file, &cert) != 0 || copy_opt(key_file, &key) != 0) {
    free(cert);
    return COREAPI__OOM(err);
  }
  free(c->cert);
  free(c->cert_key);
  c->cert = cert;
  c->cert_key = key;
  tls_changed(c);
  return COREAPI_OK;
}

coreapi_code coreapi_client_set_verify_tls(coreapi_client *c, int verify, coreapi_error *err) {
  CHECK_CLIENT(c, err);
  c->verify_tls = verify != 0;
  tls_changed(c);
  return COREAPI_OK;
}

/* --- per host ---------------------------------------------------------------- */

static void entry_free(coreapi__host_entry *e) {
  coreapi__pattern_free(&e->pattern);
  coreapi__free_secret(e->proxy);
  free(e->cert);
  free(e->key);
  free(e->ca);
  memset(e, 0, sizeof(*e));
}

void coreapi__host_entries_free(coreapi_client *c) {
  for (size_t i = 0; i < c->host_count; i++)
    entry_free(&c->hosts[i]);
  free(c->hosts);
  c->hosts = NULL;
  c->host_count = 0;
}

/* s checked as coreapi_client_add_host_settings says: OK or the error. */
static coreapi_code check_settings(const coreapi_host_settings *s, coreapi_error *err) {
  coreapi_code rc;
  if (s->timeout_ms < COREAPI_TIMEOUT_NONE)
    return coreapi_error_set(err, COREAPI_ERR_INVALID_ARGUMENT,
                             "timeout must be positive (or COREAPI_TIMEOUT_NONE)");
  if (s->verify_tls != 0 && s->verify_tls != COREAPI_TLS_VERIFY &&
      s->verify_tls != COREAPI_TLS_NO_VERIFY)
    return coreapi_error_set(err, COREAPI_ERR_INVALID_ARGUMENT,
                             "verify_tls must be 0, COREAPI_TLS_VERIFY or COREAPI_TLS_NO_VERIFY");
  if (!proxy_ok(s->proxy))
    return bad_proxy(err);
  if (s->key_file != NULL && (s->cert_file == NULL || s->cert_file[0] == '\0'))
    return coreapi_error_set(err, COREAPI_ERR_INVALID_ARGUMENT, "a key needs its certificate");
  if ((rc = readable(s->cert_file, err)) != COREAPI_OK ||
      (rc = readable(s->key_file, err)) != COREAPI_OK ||
      (rc = readable(s->ca_file, err)) != COREAPI_OK)
    return rc;
  return COREAPI_OK;
}

coreapi_code coreapi_client_add_host_settings(coreapi_client *c, const char *domain,
                                              const coreapi_host_settings *s,
                                              coreapi_error *err) {
  coreapi__host_entry e;
  coreapi_code rc;
  size_t i;
  CHECK_CLIENT(c, err);
  if (s == NULL)
    return coreapi_error_set(err, COREAPI_ERR_INVALID_ARGUMENT, "settings are NULL");
  if ((rc = check_settings(s, err)) != COREAPI_OK)
    return rc;
  memset(&e, 0, sizeof(e));
  if ((rc = coreapi__pattern_parse(&e.pattern, domain, err)) != COREAPI_OK) {
    entry_free(&e);
    return rc;
  }
  e.timeout_ms = s->timeout_ms;
  e.verify = s->verify_tls;
  if (copy_opt(s->proxy, &e.proxy) != 0 || copy_opt(s->cert_file, &e.cert) != 0 ||
      copy_opt(s->key_file, &e.key) != 0 || copy_opt(s->ca_file, &e.ca) != 0) {
    entry_free(&e);
    return COREAPI__OOM(err);
  }
  for (i = 0; i < c->host_count && strcmp(c->hosts[i].pattern.text, e.pattern.text) != 0; i++)
    ;
  if (i == c->host_count) {
    coreapi__host_entry *grown = realloc(c->hosts, (c->host_count + 1) * sizeof(*grown));
    if (grown == NULL) {
      entry_free(&e);
      return COREAPI__OOM(err);
    }
    c->hosts = grown;
    c->host_count++;
  } else {
    entry_free(&c->hosts[i]);
  }
  c->hosts[i] = e;
  tls_changed(c);
  return COREAPI_OK;
}

void coreapi__host_policy_fill(const coreapi_client *c, coreapi__host_policy *pol) {
  pol->hosts = c->hosts;
  pol->host_count = c->host_count;
  pol->wide.timeout_ms = c->timeout_ms;
  pol->wide.proxy = c->proxy;
  pol->wide.cert = c->cert;
  pol->wide.key = c->cert != NULL ? c->cert_key : NULL;
  pol->wide.ca = c->ca_bundle;
  pol->wide.verify = c->verify_tls;
}

/* --- the decision for one hop -------------------------------------------- */

enum { S_TIMEOUT, S_PROXY, S_CERT, S_CA, S_VERIFY, S_COUNT };

/* Does entry e set setting k? */
static int entry_sets(const coreapi__host_entry *e, int k) {
  switch (k) {
    case S_TIMEOUT:
      return e->timeout_ms != 0;
    case S_PROXY:
      return e->proxy != NULL;
    case S_CERT:
      return e->cert != NULL;
    case S_CA:
      return e->ca != NULL;
    default:
      return e->verify != 0;
  }
}

/* Take setting k of e into out. */
static void take(coreapi__transport *out, const coreapi__host_entry *e, int k) {
  switch (k) {
    case S_TIMEOUT:
      out->timeout_ms = e->timeout_ms == COREAPI_TIMEOUT_NONE ? 0 : e->timeout_ms;
      break;
    case S_PROXY:
      out->proxy = e->proxy;
      break;
    case S_CERT:
      out->cert = e->cert[0] != '\0' ? e->cert : NULL;
      out->key = e->cert[0] != '\0' ? e->key : NULL;
      break;
    case S_CA:
      out->ca = e->ca[0] != '\0' ? e->ca : NULL;
      break;
    default:
      out->verify = e->verify == COREAPI_TLS_VERIFY;
  }
}

/* The sentence for out, each setting with where it came from (from[k]: an
 * entry's pattern, or NULL for the client's own). */
static void explain(const coreapi__url *u, unsigned hop, const coreapi__transport *t,
                    const char *const *from, int cert_scoped, char *why, size_t size) {
  char timeout[32], src[S_COUNT][80];
  for (int k = 0; k < S_COUNT; k++)
    snprintf(src[k], sizeof(src[k]), "%s%s%s", from[k] ? " (" : "", from[k] ? from[k] : "",
             from[k] ? ")" : "");
  if (t->timeout_ms > 0)
    snprintf(timeout, sizeof(timeout), "%ld ms", t->timeout_ms);
  else
    snprintf(timeout, sizeof(timeout), "none");
  snprintf(why, size,
           "hop %u %s: transport: timeout %s%s, proxy %s%s, client certificate %s%s%s, "
           "CA %s%s, TLS verification %s%s",
           hop, u->host, timeout, src[S_TIMEOUT],
           t->proxy == NULL ? "default" : t->proxy[0] == '\0' ? "none" : "set", src[S_PROXY],
           t->cert ? t->cert : "none", src[S_CERT],
           t->cert == NULL && cert_scoped ? " (out of scope)" : "", t->ca ? t->ca : "default",
           src[S_CA], t->verify ? "on" : "OFF", src[S_VERIFY]);
}

/* The settings of coreapi_client_new, for a chain without host policy. */
static const coreapi__host_policy defaults = {NULL, 0, {30000L, NULL, NULL, NULL, NULL, 1}};

void coreapi__transport_choose(const coreapi__chain *ch, const coreapi__url *u,
                               coreapi__transport *out, char *why, size_t size) {
  const coreapi__host_policy *pol = ch->hp != NULL ? ch->hp : &defaults;
  const char *from[S_COUNT] = {NULL, NULL, NULL, NULL, NULL};
  size_t rank[S_COUNT] = {0, 0, 0, 0, 0};
  int cert_scoped = 0; /* some certificate covers u's host, but not this hop */
  *out = pol->wide;
  if (ch->cert_count <= pol->host_count || ch->cert_left[pol->host_count]) {
    cert_scoped = out->cert != NULL;
    out->cert = out->key = NULL;
  }
  for (size_t i = 0; i < pol->host_count; i++) {
    const coreapi__host_entry *e = &pol->hosts[i];
    size_t r = coreapi__pattern_rank(&e->pattern);
    if (!coreapi__pattern_matches(&e->pattern, u))
      continue;
    for (int k = 0; k < S_COUNT; k++) {
      if (!entry_sets(e, k) || (from[k] != NULL && r <= rank[k]))
        continue;
      if (k == S_CERT && (i >= ch->cert_count || ch->cert_left[i])) {
        cert_scoped = 1;
        continue;
      }
      take(out, e, k);
      from[k] = e->pattern.text;
      rank[k] = r;
    }
  }
  if (why != NULL && size > 0) {
    why[0] = '\0';
    if (pol->host_count > 0 || pol->wide.cert != NULL)
      explain(u, ch->hop, out, from, cert_scoped && from[S_CERT] == NULL, why, size);
  }
}
