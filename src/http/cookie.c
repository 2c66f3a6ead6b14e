/*
 * http/cookie.c - which cookie of a jar goes with a request (RFC 6265
 * section 5.4: domain, path, Secure, expiry), read from the lines of a
 * Netscape cookie file, the form libcurl's cookie engine lists its jar in:
 *
 *   domain \t tailmatch \t path \t secure \t expires \t name \t value
 *
 * with "#HttpOnly_" before the domain of an HttpOnly cookie, with libcurl's
 * rules where RFC 6265 leaves room (a trailing '/' of a cookie's path, no
 * domain match against an IP address, Secure cookies over http to
 * localhost). Pure: the jar's lines and the time come from the caller.
 */
#include <stdlib.h>
#include <string.h>

#include <strings.h>

#include "http.h"

/* The path of url ("/" when it has none), and its length up to '?'. */
static const char *url_path(const char *url, size_t *len) {
  const char *p = strstr(url, "://"), *path = p ? strchr(p + 3, '/') : NULL;
  if (path == NULL) {
    *len = 1;
    return "/";
  }
  *len = strcspn(path, "?#");
  return path;
}

/* Split a Netscape line into its seven fields (spans into line). */
static int split_line(const char *line, size_t len, const char *f[7], size_t flen[7]) {
  const char *p = line, *end = line + len;
  if (len >= 10 && memcmp(p, "#HttpOnly_", 10) == 0)
    p += 10;
  for (int i = 0; i < 7; i++) {
    const char *tab = i < 6 ? memchr(p, '\t', (size_t)(end - p)) : end;
    if (tab == NULL)
      return -1;
    f[i] = p;
    flen[i] = (size_t)(tab - p);
    p = tab + (i < 6);
  }
  return 0;
}

/* Where libcurl sends Secure cookies: https, and http to the loopback host
 * names it trusts (localhost, 127.0.0.1, ::1). */
static int secure_context(const coreapi__url *url) {
  return strcmp(url->scheme, "https") == 0 || strcmp(url->host, "localhost") == 0 ||
         strcmp(url->host, "127.0.0.1") == 0 || strcmp(url->host, "[::1]") == 0;
}

static int field_is(const char *f, size_t n, const char *s) {
  return strlen(s) == n && memcmp(f, s, n) == 0;
}

int coreapi__cookie_line_match(const char *line, size_t len, const coreapi__url *url,
                               const char *name, long long now, coreapi__cookie_match *out) {
  const char *f[7], *domain, *req_path;
  size_t fl[7], dl, hl, rpl, pl;
  char num[24];
  long long expires;

  if (line == NULL || url == NULL || name == NULL || split_line(line, len, f, fl) != 0)
    return 0;
  if (!field_is(f[5], fl[5], name))
    return 0;
  domain = f[0];
  dl = fl[0];
  if (dl > 0 && domain[0] == '.') {
    domain++;
    dl--;
  }
  hl = strlen(url->host);
  if (!(dl == hl && strncasecmp(domain, url->host, hl) == 0)) {
    /* A domain cookie (tailmatch TRUE) also goes to the domain's subdomains,
     * never to an IP address (which has none). */
    if (url->is_ip || !field_is(f[1], fl[1], "TRUE") || dl == 0 || hl <= dl ||
        url->host[hl - dl - 1] != '.' || strncasecmp(url->host + hl - dl, domain, dl) != 0)
      return 0;
  }
  if (field_is(f[3], fl[3], "TRUE") && !secure_context(url))
    return 0;
  if (fl[4] >= sizeof(num))
    return 0;
  memcpy(num, f[4], fl[4]);
  num[fl[4]] = '\0';
  expires = strtoll(num, NULL, 10);
  if (expires != 0 && expires < now)
    return 0;
  /* The cookie's path is a prefix of the request's path ending at a
   * segment boundary (RFC 6265 section 5.1.4), a trailing '/' of the
   * cookie's path not counted, as libcurl does ("/api/" goes to "/api"). */
  req_path = url_path(url->url, &rpl);
  pl = fl[2];
  if (pl > 1 && f[2][pl - 1] == '/')
    pl--;
  if (pl == 0 || f[2][0] != '/')
    return 0;
  if (pl > 1 && (pl > rpl || memcmp(req_path, f[2], pl) != 0 || (pl < rpl && req_path[pl] != '/')))
    return 0;
  if (out != NULL) {
    out->value = f[6];
    out->value_len = fl[6];
    out->path_len = fl[2];
    out->domain_len = dl;
  }
  return 1;
}

int coreapi__cookie_line_better(const char *line, size_t len, const coreapi__url *url,
                                const char *name, long long now, coreapi__cookie_match *best) {
  coreapi__cookie_match m;
  if (!coreapi__cookie_line_match(line, len, url, name, now, &m))
    return 0;
  /* libcurl sends the longest path first, then the longest domain, then the
   * newest; the server reads the last one (Django, and Python's cookie
   * parsing, keep the last of a repeated name). Of equal ones the older,
   * listed first in libcurl's jar, comes last. */
  if (best->value != NULL &&
      (m.path_len > best->path_len ||
       (m.path_len == best->path_len && m.domain_len >= best->domain_len)))
    return 0;
  *best = m;
  return 1;
}
