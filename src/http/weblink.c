/*
 * weblink.c - the Link header field (RFC 8288, Web Linking): link-values,
 * their parameters, relation types, and the target of a link of a given
 * relation type whose context is the response it came with (GitHub-style
 * pagination: Link: <https://api.example.com/items?page=2>; rel="next").
 *
 * The parser follows the algorithm of RFC 8288 appendix B (B.2 link-values,
 * B.3 parameters, B.4 quoted-strings), which reads what the ABNF of section
 * 3 allows and is lenient about the rest: a target runs to the first ">", a
 * parameter name to BWS, "=", ";" or ",", a quoted-string to its closing
 * DQUOTE (quoted-pairs inside), an unquoted value to ";" or ",". Link-values
 * are separated by "," (empty list elements skipped, RFC 9110 5.6.1), so a
 * comma or semicolon inside a target or a quoted-string does not split.
 * Text that cannot start a link-value (not "<") ends the field value, as B.2
 * says. Parameter names and relation types compare without case (3.3). Only
 * the first "rel" parameter counts (3.3). Extended values (title*, RFC 8187)
 * are kept as written.
 *
 * Everything here reads spans of the caller's bytes, allocates nothing
 * (coreapi__weblink_find allocates its answer), and keeps no state.
 */
#include <stdlib.h>
#include <string.h>

#include "http.h"

static int is_ows(char c) { return c == ' ' || c == '\t'; }

static char lower(char c) { return c >= 'A' && c <= 'Z' ? (char)(c + ('a' - 'A')) : c; }

static void skip_ows(const char *p, size_t n, size_t *pos) {
  while (*pos < n && is_ows(p[*pos]))
    (*pos)++;
}

/* B.4: the quoted-string at p[*pos] (a DQUOTE), to its closing DQUOTE or the
 * end; *pos moves past it. The content's span, quoted-pairs left in. */
static void read_quoted(const char *p, size_t n, size_t *pos, const char **v, size_t *len) {
  size_t start = ++*pos;
  while (*pos < n && p[*pos] != '"') {
    if (p[*pos] == '\\' && *pos + 1 < n)
      (*pos)++;
    (*pos)++;
  }
  *v = p + start;
  *len = *pos - start;
  if (*pos < n)
    (*pos)++; /* the closing DQUOTE */
}

/* One parameter (B.3), *pos at its ';' or before OWS and it. 1 with *out
 * filled, or 0 (nothing more: the end, or not a ';'). p may be NULL when
 * n is 0. */
int coreapi__weblink_param_next(const char *p, size_t n, size_t *pos,
                                coreapi__weblink_param *out) {
  size_t start;
  memset(out, 0, sizeof(*out));
  skip_ows(p, n, pos);
  if (*pos >= n || p[*pos] != ';')
    return 0;
  (*pos)++;
  skip_ows(p, n, pos);
  start = *pos;
  while (*pos < n && !is_ows(p[*pos]) && p[*pos] != '=' && p[*pos] != ';' && p[*pos] != ',')
    (*pos)++;
  out->name = p + start;
  out->name_len = *pos - start;
  skip_ows(p, n, pos);
  out->value = p + *pos;
  if (*pos >= n || p[*pos] != '=')
    return 1; /* no value: "" */
  (*pos)++;
  out->has_value = 1;
  skip_ows(p, n, pos);
  if (*pos < n && p[*pos] == '"') {
    out->quoted = 1;
    read_quoted(p, n, pos, &out->value, &out->value_len);
    return 1;
  }
  start = *pos;
  while (*pos < n && p[*pos] != ';' && p[*pos] != ',')
    (*pos)++;
  out->value = p + start;
  out->value_len = *pos - start;
  while (out->value_len > 0 && is_ows(out->value[out->value_len - 1]))
    out->value_len--; /* the BWS before the next ';' or ',' */
  return 1;
}

int coreapi__weblink_next(const char *p, size_t n, size_t *pos, coreapi__weblink *out) {
  const char *gt;
  coreapi__weblink_param prm;
  size_t start;
  memset(out, 0, sizeof(*out));
  while (*pos < n && (is_ows(p[*pos]) || p[*pos] == ','))
    (*pos)++; /* OWS and empty list elements */
  if (*pos >= n || p[*pos] != '<')
    return 0;
  gt = memchr(p + *pos + 1, '>', n - *pos - 1);
  if (gt == NULL)
    return 0; /* B.2: no ">", no link */
  out->target = p + *pos + 1;
  out->target_len = (size_t)(gt - out->target);
  *pos = (size_t)(gt + 1 - p);
  start = *pos;
  while (coreapi__weblink_param_next(p, n, pos, &prm))
    ;
  out->params = p + start;
  out->params_len = *pos - start;
  skip_ows(p, n, pos);
  if (*pos < n && p[*pos] != ',')
    *pos = n; /* not a list separator: B.2 reads no further link-value */
  return 1;
}

size_t coreapi__weblink_unquote(const coreapi__weblink_param *prm, char *out) {
  size_t o = 0;
  for (size_t i = 0; i < prm->value_len; i++) {
    if (prm->quoted && prm->value[i] == '\\' && i + 1 < prm->value_len)
      i++;
    out[o++] = prm->value[i];
  }
  out[o] = '\0';
  return o;
}

/* Is name (a span) the parameter name want (lower case)? */
static int name_is(const coreapi__weblink_param *prm, const char *want) {
  size_t n = strlen(want);
  if (prm->name_len != n)
    return 0;
  for (size_t i = 0; i < n; i++)
    if (lower(prm->name[i]) != want[i])
      return 0;
  return 1;
}

int coreapi__weblink_param_get(const coreapi__weblink *link, const char *name,
                               coreapi__weblink_param *out) {
  size_t pos = 0;
  while (coreapi__weblink_param_next(link->params, link->params_len, &pos, out))
    if (name_is(out, name))
      return 1;
  memset(out, 0, sizeof(*out));
  return 0;
}

/* The value of prm one character at a time, quoted-pairs taken off: the
 * character at *i (moved past it), or -1 at the end. */
static int value_char(const coreapi__weblink_param *prm, size_t *i) {
  if (*i >= prm->value_len)
    return -1;
  if (prm->quoted && prm->value[*i] == '\\' && *i + 1 < prm->value_len)
    (*i)++;
  return (unsigned char)prm->value[(*i)++];
}

int coreapi__weblink_has_rel(const coreapi__weblink *link, const char *type) {
  coreapi__weblink_param rel;
  size_t i = 0, tlen = strlen(type);
  int c;
  if (tlen == 0 || !coreapi__weblink_param_get(link, "rel", &rel))
    return 0;
  c = value_char(&rel, &i);
  for (;;) {
    size_t k = 0;
    int same = 1;
    while (c == ' ' || c == '\t')
      c = value_char(&rel, &i);
    if (c < 0)
      return 0;
    for (; c >= 0 && c != ' ' && c != '\t'; c = value_char(&rel, &i), k++)
      if (k >= tlen || lower((char)c) != lower(type[k]))
        same = 0;
    if (same && k == tlen)
      return 1;
  }
}

/* Is the context of link (its anchor, resolved against base) the resource
 * at base? Without an anchor it is. */
static coreapi_code context_is_base(const coreapi__weblink *link, const coreapi__url *base,
                                    int *yes, coreapi_error *err) {
  coreapi__weblink_param anchor;
  char *text, *resolved;
  coreapi_code rc;
  *yes = 1;
  if (!coreapi__weblink_param_get(link, "anchor", &anchor))
    return COREAPI_OK;
  *yes = 0;
  if (base == NULL)
    return COREAPI_OK;
  if ((text = malloc(anchor.value_len + 1)) == NULL)
    return COREAPI__OOM(err);
  coreapi__weblink_unquote(&anchor, text);
  rc = coreapi__weblink_resolve(text, strlen(text), base->url, &resolved, err);
  free(text);
  if (rc != COREAPI_OK)
    return rc;
  *yes = resolved != NULL && strcmp(resolved, base->url) == 0;
  free(resolved);
  return COREAPI_OK;
}

coreapi_code coreapi__weblink_resolve(const char *ref, size_t len, const char *base, char **out,
                                     coreapi_error *err) {
  char *text, *joined;
  coreapi__url u;
  coreapi_code rc;
  *out = NULL;
  if (memchr(ref, '\0', len) != NULL)
    return COREAPI_OK;
  if ((text = coreapi__strndup(ref, len)) == NULL)
    return COREAPI__OOM(err);
  joined = coreapi__urljoin(base, text);
  free(text);
  if (joined == NULL)
    return COREAPI__OOM(err);
  rc = coreapi__url_parse(&u, joined, NULL, err);
  free(joined);
  if (rc == COREAPI_ERR_OUT_OF_MEMORY)
    return rc;
  coreapi_error_clear(err);
  /* What the text says, too: the scheme is read without case and without
   * a trailing dot, so "http.://" would pass as http. */
  if (rc == COREAPI_OK &&
      (strncmp(u.url, "http://", 7) == 0 || strncmp(u.url, "https://", 8) == 0)) {
    *out = u.url; /* taken over */
    u.url = NULL;
  }
  coreapi__url_free(&u);
  return COREAPI_OK;
}

/* Look for the link in one field value [p, p+n); see coreapi__weblink_find. */
static coreapi_code find_in_value(const char *p, size_t n, const coreapi__url *base,
                                  const char *rel, char **out, coreapi_error *err) {
  coreapi__weblink link;
  size_t pos = 0;
  coreapi_code rc;
  while (coreapi__weblink_next(p, n, &pos, &link)) {
    int here;
    if (!coreapi__weblink_has_rel(&link, rel))
      continue;
    if ((rc = context_is_base(&link, base, &here, err)) != COREAPI_OK)
      return rc;
    if (!here)
      continue;
    rc = coreapi__weblink_resolve(link.target, link.target_len, base ? base->url : NULL, out,
                                  err);
    if (rc != COREAPI_OK || *out != NULL)
      return rc;
  }
  return COREAPI_OK;
}

coreapi_code coreapi__weblink_find(const coreapi__headers *h, const char *base_url,
                                   const char *rel, char **out, coreapi_error *err) {
  coreapi__url base;
  int have_base = 0;
  coreapi_code rc = COREAPI_OK;
  coreapi_error_clear(err);
  if (out != NULL)
    *out = NULL;
  if (h == NULL || rel == NULL || out == NULL)
    return coreapi_error_set(err, COREAPI_ERR_INVALID_ARGUMENT, "headers, rel and out needed");
  for (size_t i = 0; i < h->count && rc == COREAPI_OK && *out == NULL; i++) {
    if (!coreapi__strcaseeq(h->items[i].name, "Link"))
      continue;
    if (!have_base && base_url != NULL) {
      rc = coreapi__url_parse(&base, base_url, NULL, err);
      if (rc == COREAPI_ERR_OUT_OF_MEMORY)
        return rc;
      coreapi_error_clear(err);
      have_base = rc == COREAPI_OK ? 1 : -1; /* -1: no usable base */
      rc = COREAPI_OK;
    }
    rc = find_in_value(h->items[i].value, strlen(h->items[i].value),
                       have_base == 1 ? &base : NULL, rel, out, err);
  }
  if (have_base == 1)
    coreapi__url_free(&base);
  return rc;
}
