/*
 * fuzz_uritemplate.c - libFuzzer target for URI Template expansion (RFC 6570),
 * which expands link URLs that come from a server's schema.
 *
 * The input (not NUL-terminated, NULs included) is a template, expanded with
 * a fixed set of variables of every kind: the RFC's own examples (strings
 * with reserved characters, a list, an associative array, empty and
 * undefined values), numbers, a boolean and non-ASCII text. The target
 * aborts when:
 *   - expansion fails without saying why (err not filled), or with a code
 *     other than ERR_INVALID_ARGUMENT;
 *   - a result holds a byte a URI cannot hold: everything must be an
 *     unreserved or reserved character (RFC 3986 section 2) or '%', and
 *     every '%' must start a pct-encoded triplet;
 *   - the length given back is not the string's length.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coreapi/coreapi.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static coreapi_node *vars;

static void fail(const char *what, const uint8_t *data, size_t size, const char *out) {
  fprintf(stderr, "fuzz_uritemplate: %s\ntemplate: %.*s\nresult: %s\n", what,
          (int)(size > 2000 ? 2000 : size), (const char *)data, out ? out : "(none)");
  abort();
}

static void add(coreapi_map_builder *b, const char *key, coreapi_node *value) {
  if (value == NULL || coreapi_map_builder_set(b, key, strlen(key), value, NULL) != COREAPI_OK)
    abort();
}

static coreapi_node *str(const char *s) { return coreapi_string_new(s, strlen(s), NULL); }

static coreapi_node *make_vars(void) {
  coreapi_map_builder *b = coreapi_map_builder_new(), *keys = coreapi_map_builder_new();
  coreapi_array_builder *list = coreapi_array_builder_new();
  coreapi_node *n;
  if (b == NULL || keys == NULL || list == NULL)
    abort();
  add(b, "var", str("value"));
  add(b, "hello", str("Hello World!"));
  add(b, "half", str("50%"));
  add(b, "path", str("/foo/bar"));
  add(b, "base", str("http://example.com/home/"));
  add(b, "who", str("fred"));
  add(b, "empty", str(""));
  add(b, "v", str("6"));
  add(b, "x", str("1024"));
  add(b, "y", str("768"));
  add(b, "u", str("caf\xc3\xa9 \xf0\x9d\x84\x9e"));
  add(b, "pct", str("%41%zz%"));
  add(b, "n", coreapi_integer_new(-42, NULL));
  add(b, "r", coreapi_real_new(1e20, NULL));
  add(b, "t", coreapi_boolean_new(1, NULL));
  add(b, "undef", coreapi_null_new(NULL));
  if (coreapi_array_builder_append(list, str("red"), NULL) != COREAPI_OK ||
      coreapi_array_builder_append(list, str("gr een"), NULL) != COREAPI_OK ||
      coreapi_array_builder_append(list, coreapi_null_new(NULL), NULL) != COREAPI_OK ||
      coreapi_array_builder_append(list, coreapi_integer_new(7, NULL), NULL) != COREAPI_OK)
    abort();
  add(b, "list", coreapi_array_builder_finish(list, NULL));
  add(keys, "semi", str(";"));
  add(keys, "dot", str("."));
  add(keys, "comma", str(","));
  add(keys, "gone", coreapi_null_new(NULL));
  add(b, "keys", coreapi_map_builder_object(keys, NULL));
  add(b, "emptylist", coreapi_array_builder_finish(coreapi_array_builder_new(), NULL));
  n = coreapi_map_builder_object(b, NULL);
  if (n == NULL)
    abort();
  return n;
}

static int hex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F') || (c >= 'a' && c <= 'f');
}

static int uri_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         (c != '\0' && strchr("-._~:/?#[]@!$&'()*+,;=%", c) != NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  coreapi_error err;
  size_t len = (size_t)-1;
  char *out;

  if (vars == NULL)
    vars = make_vars(); /* kept for the life of the process */
  coreapi_error_clear(&err);
  out = coreapi_uritemplate_expand((const char *)data, size, vars, &len, &err);
  if (out == NULL) {
    if (err.code != COREAPI_ERR_INVALID_ARGUMENT)
      fail(err.code == COREAPI_OK ? "NULL without an error" : err.text, data, size, NULL);
    return 0;
  }
  if (len != strlen(out))
    fail("the length given back is not the result's", data, size, out);
  for (size_t i = 0; i < len; i++) {
    if (!uri_char(out[i]))
      fail("a character a URI cannot hold", data, size, out);
    if (out[i] == '%' && !(i + 2 < len && hex(out[i + 1]) && hex(out[i + 2])))
      fail("a '%' that does not start a pct-encoded triplet", data, size, out);
  }
  free(out);
  return 0;
}
