/*
 * codecs/openapi_ref.c - "$ref" in OpenAPI and Swagger descriptions: local
 * JSON pointers (RFC 6901), as URI fragments ("#/paths/~1a~1%7Bid%7D/get":
 * percent-decoded first, section 6, then ~1 is '/' and ~0 is '~'). A ref to
 * a ref is followed; a chain that never reaches a value (a loop) is an
 * error, as is a ref to another file or URL (never fetched: a description
 * must not make the client send a second request, credentials and all).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "openapi.h"

#define MAX_HOPS 64

/* The member "$ref" of v when v is an object that has one as a string. */
static const char *ref_of(const coreapi_node *v) {
  const coreapi_node *r;
  if (coreapi__oas_type(v) != COREAPI_NODE_OBJECT)
    return NULL;
  r = coreapi__oas_get(v, "$ref", 4);
  return coreapi__oas_type(r) == COREAPI_NODE_STRING ? coreapi_string_value(r, NULL) : NULL;
}

/* Does v (an object) have a "$ref" that is not a string (a Reference
 * Object's is REQUIRED to be one)? */
static int has_bad_ref(const coreapi_node *v) {
  return coreapi__oas_type(v) == COREAPI_NODE_OBJECT && coreapi__oas_get(v, "$ref", 4) != NULL;
}

/* Percent-decode [s, s+n) into out (room for n + 1); -1 on a bad escape. */
static int percent_decode(const char *s, size_t n, char *out, size_t *len) {
  size_t o = 0;
  for (size_t i = 0; i < n; i++) {
    if (s[i] == '%') {
      int hi, lo;
      if (i + 2 >= n)
        return -1;
      hi = coreapi__hex_value((unsigned char)s[i + 1]);
      lo = coreapi__hex_value((unsigned char)s[i + 2]);
      if (hi < 0 || lo < 0)
        return -1;
      out[o++] = (char)(hi << 4 | lo);
      i += 2;
    } else {
      out[o++] = s[i];
    }
  }
  out[o] = '\0';
  *len = o;
  return 0;
}

/* One reference token (RFC 6901 section 4) of [s, s+n) into out, in place. */
static size_t unescape_token(char *s, size_t n) {
  size_t o = 0;
  for (size_t i = 0; i < n; i++) {
    if (s[i] == '~' && i + 1 < n && (s[i + 1] == '0' || s[i + 1] == '1')) {
      s[o++] = s[i + 1] == '1' ? '/' : '~';
      i++;
    } else {
      s[o++] = s[i];
    }
  }
  return o;
}

/* The array index a token names, or -1 (digits, no leading zero). */
static long token_index(const char *t, size_t n) {
  long v = 0;
  if (n == 0 || n > 9 || (n > 1 && t[0] == '0'))
    return -1;
  for (size_t i = 0; i < n; i++) {
    if (t[i] < '0' || t[i] > '9')
      return -1;
    v = v * 10 + (t[i] - '0');
  }
  return v;
}

/* The node the pointer (decoded, after '#') names in root, or NULL. */
static const coreapi_node *walk(const coreapi_node *root, char *p, size_t n) {
  const coreapi_node *at = root;
  size_t i = 0;
  if (n == 0)
    return root;
  if (p[0] != '/')
    return NULL;
  while (i < n && at != NULL) {
    size_t start = ++i, len;
    while (i < n && p[i] != '/')
      i++;
    len = unescape_token(p + start, i - start);
    if (coreapi__oas_type(at) == COREAPI_NODE_ARRAY) {
      long k = token_index(p + start, len);
      at = k >= 0 ? coreapi_array_get(at, (size_t)k) : NULL;
    } else {
      at = coreapi__oas_get(at, p + start, len);
    }
  }
  return at;
}

/* err set to ERR_PARSE "OpenAPI: $ref "<ref>" <why>"; NULL. */
static const coreapi_node *ref_error(coreapi_error *err, const char *ref, const char *why) {
  coreapi_error_set(err, COREAPI_ERR_PARSE, "OpenAPI: $ref \"%.120s\" %s", ref, why);
  return NULL;
}

const coreapi_node *coreapi__oas_deref(const coreapi_node *root, const coreapi_node *v,
                                       coreapi_error *err) {
  const char *ref;
  for (int hops = 0; (ref = ref_of(v)) != NULL || has_bad_ref(v); hops++) {
    if (ref == NULL) {
      coreapi_error_set(err, COREAPI_ERR_PARSE, "OpenAPI: a \"$ref\" must be a string");
      return NULL;
    }
    size_t n = strlen(ref), len;
    char room[256], *decoded;
    if (hops == MAX_HOPS)
      return ref_error(err, ref, "never reaches a value (a loop)");
    if (ref[0] != '#')
      return ref_error(err, ref, "names another document, which is not fetched");
    if ((decoded = n <= sizeof(room) ? room : malloc(n)) == NULL) {
      COREAPI__OOM(err);
      return NULL;
    }
    if (percent_decode(ref + 1, n - 1, decoded, &len) != 0) {
      if (decoded != room)
        free(decoded);
      return ref_error(err, ref, "has a bad %-escape");
    }
    v = walk(root, decoded, len);
    if (decoded != room)
      free(decoded);
    if (v == NULL)
      return ref_error(err, ref, "names nothing in the document");
  }
  return v;
}
