/*
 * fuzz_weblink.c - libFuzzer target for the Link header field parser (RFC
 * 8288, src/http/weblink.c), which reads a server's Link headers to find
 * the next page.
 *
 * The input is split at LF into Link header values (the first byte picks
 * the base URL among a few, or none). Every value is read link-value by
 * link-value, parameter by parameter, and then coreapi__weblink_find looks
 * for "next" and "last". The target aborts when:
 *   - a span points outside its value, or reading does not move forward;
 *   - a target holds ">", a parameter name holds OWS, "=", ";" or ",", an
 *     unquoted value holds ";" or "," or ends with OWS;
 *   - unquoting gives more bytes than the value has, or a NUL that was not
 *     in it;
 *   - a URL found is not an absolute http(s) URL without a fragment, a
 *     space or a control character.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/http/http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const bases[] = {
    NULL,
    "http://api.test/v1/items/?page=1",
    "https://u:p@API.test:8443/a/b/c;p?q=1#f",
    "http://[::1]:8000/",
    "not a url",
};

static void fail(const char *what, const char *v, size_t n) {
  fprintf(stderr, "fuzz_weblink: %s\nvalue: %.*s\n", what, (int)(n > 2000 ? 2000 : n), v);
  abort();
}

static int inside(const char *span, size_t len, const char *v, size_t n) {
  return len == 0 || (span >= v && len <= n && span + len <= v + n);
}

static void check_param(const coreapi__weblink_param *prm, const char *v, size_t n) {
  char *buf;
  size_t len;
  if (!inside(prm->name, prm->name_len, v, n) || !inside(prm->value, prm->value_len, v, n))
    fail("a parameter span outside the value", v, n);
  for (size_t i = 0; i < prm->name_len; i++)
    if (memchr(" \t=;,", prm->name[i], 5) != NULL)
      fail("a parameter name with a separator", v, n);
  if (!prm->quoted && prm->value_len > 0 &&
      (memchr(prm->value, ';', prm->value_len) || memchr(prm->value, ',', prm->value_len) ||
       prm->value[prm->value_len - 1] == ' ' || prm->value[prm->value_len - 1] == '\t'))
    fail("an unquoted value with a separator or trailing OWS", v, n);
  if ((buf = malloc(prm->value_len + 1)) == NULL)
    abort();
  len = coreapi__weblink_unquote(prm, buf);
  if (len > prm->value_len || buf[len] != '\0' ||
      (memchr(buf, '\0', len) != NULL) != (memchr(prm->value, '\0', prm->value_len) != NULL))
    fail("unquoting gave more than the value", v, n);
  free(buf);
}

static void check_value(const char *v, size_t n) {
  coreapi__weblink link;
  size_t pos = 0, last = 0;
  int first = 1;
  while (coreapi__weblink_next(v, n, &pos, &link)) {
    coreapi__weblink_param prm;
    size_t ppos = 0, plast = 0;
    if ((!first && pos <= last) || pos > n)
      fail("reading did not move forward", v, n);
    first = 0;
    last = pos;
    if (!inside(link.target, link.target_len, v, n) ||
        !inside(link.params, link.params_len, v, n))
      fail("a link span outside the value", v, n);
    if (link.target_len > 0 && memchr(link.target, '>', link.target_len) != NULL)
      fail("a target holding '>'", v, n);
    while (coreapi__weblink_param_next(link.params, link.params_len, &ppos, &prm)) {
      if (ppos <= plast && plast != 0)
        fail("a parameter read did not move forward", v, n);
      plast = ppos;
      check_param(&prm, v, n);
    }
    (void)coreapi__weblink_has_rel(&link, "next");
  }
}

/* A URL found is what coreapi__url_parse wrote: http(s), no fragment, no
 * space or control character. (It is not parsed again here: the parser
 * takes one trailing dot off a host each time, so "a.." reads back as "a."
 * and ".." not at all; see the report of issue 12.) */
static void check_found(const char *url) {
  if (url == NULL)
    return;
  if (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0)
    fail("a target found that is not http(s)", url, strlen(url));
  for (const unsigned char *c = (const unsigned char *)url; *c; c++)
    if (*c <= ' ' || *c == 0x7f || *c == '#')
      fail("a target found with a space, control character or fragment", url, strlen(url));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *p = (const char *)data, *end, *base;
  coreapi__headers h = {0};
  static const char *const rels[] = {"next", "last"};
  if (size == 0)
    return 0;
  base = bases[data[0] % (sizeof(bases) / sizeof(bases[0]))];
  p++;
  end = (const char *)data + size;
  while (p < end) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
    check_value(p, n);
    /* A header value holds no NUL: the list keeps C strings. */
    if (memchr(p, '\0', n) == NULL && coreapi__headers_add(&h, "Link", 4, p, n) != 0)
      abort();
    p += n + (nl != NULL);
  }
  for (size_t i = 0; i < 2; i++) {
    coreapi_error err;
    char *found = NULL;
    coreapi_code rc = coreapi__weblink_find(&h, base, rels[i], &found, &err);
    if (rc != COREAPI_OK && rc != COREAPI_ERR_OUT_OF_MEMORY)
      abort();
    check_found(found);
    free(found);
  }
  coreapi__headers_free(&h);
  return 0;
}
