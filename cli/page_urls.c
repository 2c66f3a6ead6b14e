/*
 * page_urls.c - the URLs of the pages after the first, foretold from the
 * first page, so that `action --all` can fetch them in parallel
 * (cli/paginate.h, cli_page_urls).
 *
 * Django REST framework's page-number and limit-offset pages say how many
 * items there are ("count") and link the next page by a query parameter:
 * ?page=2, or ?limit=L&offset=O. The URL of page i is then the next URL
 * with that parameter's value replaced. A foretold URL is only a guess: the
 * caller checks that each page fetched links the next one foretold (and
 * the last none), and walks on one page at a time from the first that does
 * not. Cursor pages (no count) and Link headers are never foretold.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "paginate.h"

/* A query parameter of a URL: where its value is. */
typedef struct param {
  size_t value_at, value_len; /* in the URL */
  int found;
} param;

/* Is [s, s + n) the decimal digits of a number (no sign, no leading 0
 * unless it is 0) that fits? Its value in *v. */
static int number(const char *s, size_t n, unsigned long long *v) {
  *v = 0;
  if (n == 0 || n > 15 || (n > 1 && s[0] == '0'))
    return 0;
  for (size_t i = 0; i < n; i++) {
    if (s[i] < '0' || s[i] > '9')
      return 0;
    *v = *v * 10 + (unsigned long long)(s[i] - '0');
  }
  return 1;
}

/* Find the parameter called name in url's query (the first; NULL name: the
 * one whose value is "2", found only when exactly one is). */
static param find_param(const char *url, const char *name) {
  param p = {0, 0, 0};
  const char *q = strchr(url, '?');
  const char *end = q ? q + strcspn(q, "#") : NULL;
  int twos = 0;
  for (const char *s = q ? q + 1 : NULL; s != NULL && s < end;) {
    const char *amp = memchr(s, '&', (size_t)(end - s));
    const char *stop = amp ? amp : end;
    const char *eq = memchr(s, '=', (size_t)(stop - s));
    if (eq != NULL) {
      size_t nl = (size_t)(eq - s), vl = (size_t)(stop - eq - 1);
      int hit = name != NULL ? strlen(name) == nl && memcmp(s, name, nl) == 0
                             : vl == 1 && eq[1] == '2' && ++twos == 1;
      if (hit && !p.found) {
        p.value_at = (size_t)(eq + 1 - url);
        p.value_len = vl;
        p.found = 1;
      }
    }
    s = amp ? amp + 1 : end;
  }
  if (name == NULL && twos != 1)
    p.found = 0;
  return p;
}

/* url with the value of p replaced by v: a new string, or NULL. */
static char *with_value(const char *url, param p, unsigned long long v) {
  size_t n = strlen(url) + 24;
  char *out = malloc(n);
  if (out != NULL)
    snprintf(out, n, "%.*s%llu%s", (int)p.value_at, url, v, url + p.value_at + p.value_len);
  return out;
}

/* The page's count and size (items on it), when it is a counted page. */
static int counted(const coreapi_node *page, unsigned long long *count, size_t *size) {
  const coreapi_node *c = coreapi_map_get(page, "count", 5);
  const coreapi_node *items = coreapi_map_get(page, "results", 7);
  int64_t v;
  if (coreapi_node_type_of(c) != COREAPI_NODE_INTEGER ||
      coreapi_node_type_of(items) != COREAPI_NODE_ARRAY)
    return 0;
  v = coreapi_integer_value(c);
  *size = coreapi_array_size(items);
  *count = v > 0 ? (unsigned long long)v : 0;
  return *size > 0;
}

/* Append url (taken over; NULL: out of memory) to *urls. 0 or -1. */
static int push(char ***urls, size_t *n, char *url) {
  char **grown = url ? realloc(*urls, (*n + 1) * sizeof(**urls)) : NULL;
  if (grown == NULL) {
    free(url);
    return -1;
  }
  *urls = grown;
  (*urls)[(*n)++] = url;
  return 0;
}

/* The offsets of the pages after one at next_url (offset o2, limit l). */
static int offset_pages(const char *next_url, param off, unsigned long long o2,
                        unsigned long long l, unsigned long long count, size_t max, char ***urls,
                        size_t *n) {
  for (unsigned long long o = o2; o < count && *n < max; o += l)
    if (push(urls, n, with_value(next_url, off, o)) != 0)
      return -1;
  return 0;
}

int cli_page_urls(const coreapi_node *first, const char *next_url, size_t max, char ***urls,
                  size_t *n) {
  unsigned long long count, v, limit;
  size_t size;
  param p;
  *urls = NULL;
  *n = 0;
  if (next_url == NULL || max == 0 || !counted(first, &count, &size))
    return 0;
  if ((p = find_param(next_url, "offset")).found) {
    param lp = find_param(next_url, "limit");
    if (!number(next_url + p.value_at, p.value_len, &v))
      return 0;
    limit = size;
    if (lp.found && (!number(next_url + lp.value_at, lp.value_len, &limit) || limit == 0))
      return 0;
    return offset_pages(next_url, p, v, limit, count, max, urls, n) == 0 ? 0 : -1;
  }
  if (!(p = find_param(next_url, "page")).found && !(p = find_param(next_url, NULL)).found)
    return 0;
  if (!number(next_url + p.value_at, p.value_len, &v) || v != 2)
    return 0;
  for (unsigned long long i = 2; (i - 1) * size < count && *n < max; i++)
    if (push(urls, n, with_value(next_url, p, i)) != 0)
      return -1;
  return 0;
}
