/*
 * domain.c - domain patterns that scope authentication: "*", an exact host,
 * or "*.suffix". Both sides are normalised the same way (libcurl's URL API
 * for punycode, then lowercase and one trailing dot dropped) and compared as
 * whole labels: "*.example.com" covers "a.example.com" but neither
 * "example.com" nor "evilexample.com", and never an IP literal.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"

/* Characters a host pattern may contain besides bytes >= 0x80 (IDN, which
 * libcurl and libidn2 then validate). */
static int host_char_ok(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         c == '-' || c == '.' || c == '_' || c >= 0x80;
}

static int is_ipv6_literal(const char *s) {
  size_t n = strlen(s);
  char inner[64];
  unsigned char addr[16];
  if (n < 3 || s[0] != '[' || s[n - 1] != ']' || n - 2 >= sizeof(inner))
    return 0;
  memcpy(inner, s + 1, n - 2);
  inner[n - 2] = '\0';
  return inet_pton(AF_INET6, inner, addr) == 1;
}

/* Is the last label of host all digits (so that libcurl would read the name
 * as an IPv4 address, as "1.2" or "0.0.1")? A trailing dot is ignored. */
static int last_label_numeric(const char *host) {
  size_t n = strlen(host);
  const char *end, *start;
  if (n > 0 && host[n - 1] == '.')
    n--;
  end = host + n;
  start = end;
  while (start > host && start[-1] != '.')
    start--;
  if (start == end)
    return 0;
  for (const char *p = start; p < end; p++)
    if (*p < '0' || *p > '9')
      return 0;
  return 1;
}

/* Normalise host (no '*') through the URL API, as request hosts are. */
static coreapi_code normalize_host(const char *host, char **out, coreapi_error *err) {
  coreapi__url u;
  coreapi_code rc;
  char *url;
  size_t n = strlen(host) + 16;

  if (!is_ipv6_literal(host)) {
    for (const unsigned char *p = (const unsigned char *)host; *p; p++)
      if (!host_char_ok(*p))
        return coreapi_error_set(err, COREAPI_ERR_BAD_DOMAIN,
                                 "invalid domain pattern '%.64s': character 0x%02x is not "
                                 "allowed in a host name",
                                 host, *p);
  }
  if (host[0] == '.' || strstr(host, "..") != NULL)
    return coreapi_error_set(err, COREAPI_ERR_BAD_DOMAIN,
                             "invalid domain pattern '%.64s': empty label", host);
  url = malloc(n);
  if (url == NULL)
    return COREAPI__OOM(err);
  snprintf(url, n, "http://%s/", host);
  {
    coreapi_error inner;
    coreapi_error_clear(&inner);
    rc = coreapi__url_parse(&u, url, NULL, &inner);
    if (rc == COREAPI_ERR_OUT_OF_MEMORY)
      coreapi_error_set(err, rc, NULL);
    else if (rc != COREAPI_OK)
      coreapi_error_set(err, rc = COREAPI_ERR_BAD_DOMAIN,
                        "invalid domain pattern '%.64s': not a valid host name", host);
  }
  free(url);
  if (rc != COREAPI_OK)
    return rc;
  *out = u.host;
  u.host = NULL;
  coreapi__url_free(&u);
  return COREAPI_OK;
}

coreapi_code coreapi__pattern_parse(coreapi__pattern *out, const char *pattern,
                                    coreapi_error *err) {
  const char *host;
  char *norm = NULL;
  coreapi_code rc;

  memset(out, 0, sizeof(*out));
  if (pattern == NULL || strcmp(pattern, "*") == 0) {
    out->kind = COREAPI__PATTERN_ANY;
    out->text = coreapi__strdup("*");
    return out->text ? COREAPI_OK : COREAPI__OOM(err);
  }
  if (pattern[0] == '\0')
    return coreapi_error_set(err, COREAPI_ERR_BAD_DOMAIN,
                             "invalid domain pattern '': use \"*\" for every host");
  host = pattern;
  out->kind = COREAPI__PATTERN_EXACT;
  if (pattern[0] == '*') {
    if (pattern[1] != '.' || pattern[2] == '\0')
      return coreapi_error_set(err, COREAPI_ERR_BAD_DOMAIN,
                               "invalid domain pattern '%.64s': a wildcard must be \"*\" "
                               "or start with \"*.\" followed by a domain",
                               pattern);
    host = pattern + 2;
    out->kind = COREAPI__PATTERN_WILDCARD;
  }
  if (strchr(host, '*') != NULL)
    return coreapi_error_set(err, COREAPI_ERR_BAD_DOMAIN,
                             "invalid domain pattern '%.64s': \"*\" may only stand alone "
                             "or as the first label (\"*.example.com\")",
                             pattern);
  if (strcmp(host, ".") == 0)
    return coreapi_error_set(err, COREAPI_ERR_BAD_DOMAIN,
                             "invalid domain pattern '%.64s': no domain after \"*.\"", pattern);
  if (out->kind == COREAPI__PATTERN_WILDCARD && (host[0] == '[' || last_label_numeric(host)))
    return coreapi_error_set(err, COREAPI_ERR_BAD_DOMAIN,
                             "invalid domain pattern '%.64s': a wildcard never covers IP "
                             "addresses; name the address exactly",
                             pattern);
  rc = normalize_host(host, &norm, err);
  if (rc != COREAPI_OK)
    return rc;
  /* Again after normalisation: libcurl reads "0x7f" or "127.0.0x1" as IPv4. */
  if (out->kind == COREAPI__PATTERN_WILDCARD && (norm[0] == '[' || last_label_numeric(norm))) {
    free(norm);
    return coreapi_error_set(err, COREAPI_ERR_BAD_DOMAIN,
                             "invalid domain pattern '%.64s': a wildcard never covers IP "
                             "addresses; name the address exactly",
                             pattern);
  }
  if (out->kind == COREAPI__PATTERN_WILDCARD) {
    size_t n = strlen(norm) + 3;
    out->text = malloc(n);
    if (out->text != NULL)
      snprintf(out->text, n, "*.%s", norm);
    free(norm);
  } else {
    out->text = norm;
  }
  return out->text ? COREAPI_OK : COREAPI__OOM(err);
}

void coreapi__pattern_free(coreapi__pattern *p) {
  if (p == NULL)
    return;
  free(p->text);
  p->text = NULL;
}

int coreapi__pattern_matches(const coreapi__pattern *p, const coreapi__url *u) {
  switch (p->kind) {
    case COREAPI__PATTERN_ANY:
      return 1;
    case COREAPI__PATTERN_EXACT:
      return strcmp(p->text, u->host) == 0;
    case COREAPI__PATTERN_WILDCARD: {
      const char *suffix = p->text + 1; /* ".example.com" */
      size_t hl = strlen(u->host), sl = strlen(suffix);
      return !u->is_ip && hl > sl && strcmp(u->host + hl - sl, suffix) == 0;
    }
  }
  return 0;
}

size_t coreapi__pattern_rank(const coreapi__pattern *p) {
  switch (p->kind) {
    case COREAPI__PATTERN_ANY:
      return 0;
    case COREAPI__PATTERN_WILDCARD:
      return 1 + strlen(p->text);
    case COREAPI__PATTERN_EXACT:
      return (size_t)-1;
  }
  return 0;
}

coreapi_code coreapi_domain_check(const char *pattern, coreapi_error *err) {
  coreapi__pattern p;
  coreapi_code rc;
  coreapi_error_clear(err);
  rc = coreapi__pattern_parse(&p, pattern, err);
  coreapi__pattern_free(&p);
  return rc;
}

int coreapi_domain_matches(const char *pattern, const char *url, coreapi_error *err) {
  coreapi__pattern p;
  coreapi__url u;
  int match;
  coreapi_error_clear(err);
  if (url == NULL) {
    coreapi_error_set(err, COREAPI_ERR_INVALID_ARGUMENT, "URL must not be NULL");
    return -1;
  }
  if (coreapi__pattern_parse(&p, pattern, err) != COREAPI_OK)
    return -1;
  if (coreapi__url_parse(&u, url, NULL, err) != COREAPI_OK) {
    coreapi__pattern_free(&p);
    return -1;
  }
  match = coreapi__pattern_matches(&p, &u);
  coreapi__pattern_free(&p);
  coreapi__url_free(&u);
  return match;
}

coreapi_code coreapi_domain_normalize(const char *pattern, char *buf, size_t size,
                                      coreapi_error *err) {
  coreapi__pattern p;
  coreapi_code rc;
  coreapi_error_clear(err);
  if (buf == NULL || size == 0)
    return coreapi_error_set(err, COREAPI_ERR_INVALID_ARGUMENT, "no buffer given");
  rc = coreapi__pattern_parse(&p, pattern, err);
  if (rc == COREAPI_OK) {
    if (strlen(p.text) >= size)
      rc = coreapi_error_set(err, COREAPI_ERR_INVALID_ARGUMENT, "buffer too small");
    else
      memcpy(buf, p.text, strlen(p.text) + 1);
  }
  coreapi__pattern_free(&p);
  return rc;
}
