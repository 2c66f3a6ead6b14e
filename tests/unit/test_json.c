/*
 * test_json.c - the JSON text underneath the codecs: what the parser refuses
 * and how it says so (ERR_PARSE, "Malformed JSON. <why> (line L, column C)"),
 * what it takes, and the plain JSON and text codecs' round trips.
 */
#include <coreapi/coreapi.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

#define BASE "http://example.com/"

/* Decoding text (len bytes) as Core JSON fails with ERR_PARSE and a message
 * holding want. */
static void refused(const char *text, size_t len, const char *want, int line) {
  coreapi_error err;
  coreapi_node *n = coreapi_corejson_decode(text, len, BASE, &err);
  check_count++;
  if (n != NULL || err.code != COREAPI_ERR_PARSE || strstr(err.text, want) == NULL) {
    check_failures++;
    fprintf(stderr, "%s:%d: decoding gave %s \"%s\", expected ERR_PARSE with \"%s\"\n", __FILE__,
            line, n != NULL ? "a document" : coreapi_code_name(err.code), n ? "" : err.text, want);
  }
  coreapi_node_free(n);
}
#define REFUSED(text, want) refused(text, sizeof(text) - 1, want, __LINE__)

/* Decoding text as Core JSON works; returns the document. */
static coreapi_node *taken(const char *text, size_t len, int line) {
  coreapi_error err;
  coreapi_node *n = coreapi_corejson_decode(text, len, BASE, &err);
  check_count++;
  if (n == NULL) {
    check_failures++;
    fprintf(stderr, "%s:%d: decoding failed: %s\n", __FILE__, line, err.text);
  }
  return n;
}
#define TAKEN(text) taken(text, sizeof(text) - 1, __LINE__)

static coreapi_node *get(const coreapi_node *map, const char *key) {
  return coreapi_map_get(map, key, strlen(key));
}

/* A document of depth nested arrays under key "a". */
static char *nested(int depth) {
  size_t n = (size_t)depth * 2 + 16;
  char *s = malloc(n), *p = s;
  REQUIRE(s != NULL);
  p += sprintf(p, "{\"a\":");
  for (int i = 1; i < depth; i++)
    *p++ = '[';
  for (int i = 1; i < depth; i++)
    *p++ = ']';
  strcpy(p, "}");
  return s;
}

static void test_malformed(void) {
  /* Where: line and column of the point the parser stopped at, just after
   * the token it could not take (the second ',' here), or the end of a text
   * that stops inside a value. */
  REFUSED("{\"_type\": \"document\",\n  \"a\": [1, 2,,]\n}", "(line 2, column 15)");
  REFUSED("\n\n  x", "(line 3, column 4)");
  REFUSED("{\"a\": 1} x", "trailing garbage (line 1, column 11)");
  REFUSED("{\"a\": 1", "premature EOF (line 1, column 8)");
  REFUSED("{\"a\":\n [1,\n  2", "premature EOF (line 3, column 4)");
  REFUSED("{\"a\": tru}", "Malformed JSON.");
  REFUSED("", "Malformed JSON.");
  REFUSED("   ", "Malformed JSON.");
  REFUSED("{\"a\": \"b\nc\"}", "Malformed JSON."); /* a raw control character */
  REFUSED("{\"a\": 01}", "Malformed JSON.");
  REFUSED("{\"a\": NaN}", "Malformed JSON.");
  REFUSED("{'a': 1}", "Malformed JSON.");
  REFUSED("{\"a\": \"\\x\"}", "Malformed JSON.");
  /* Not a document: a top level that is neither an object nor an error. */
  REFUSED("[]", "Top level node should be a document or error.");
  REFUSED("\"x\"", "Top level node should be a document or error.");
  REFUSED("{\"_type\": \"link\", \"url\": \"/x\"}", "Top level node should be a document or error.");
}

static void test_duplicates(void) {
  char big[1024], *p = big;
  REFUSED("{\"a\": 1, \"a\": 2}", "duplicate object key 'a'");
  REFUSED("{\"o\": {\"k\": 1, \"j\": 2, \"k\": 3}}", "duplicate object key 'k'");
  /* Objects of more than 16 members take the sorted path. */
  p += sprintf(p, "{");
  for (int i = 0; i < 40; i++)
    p += sprintf(p, "\"k%02d\": %d, ", i, i);
  snprintf(p, sizeof(big) - (size_t)(p - big), "\"k17\": 0}");
  refused(big, strlen(big), "duplicate object key 'k17'", __LINE__);
  snprintf(p, sizeof(big) - (size_t)(p - big), "\"k40\": 0}");
  coreapi_node_free(taken(big, strlen(big), __LINE__));
  /* Same key, different escapes: still the same key. */
  REFUSED("{\"\\u0061\": 1, \"a\": 2}", "duplicate object key 'a'");
  /* Keys that differ after a NUL are different keys. */
  coreapi_node_free(TAKEN("{\"a\\u0000b\": 1, \"a\\u0000c\": 2}"));
}

static void test_numbers(void) {
  coreapi_node *d = TAKEN("{\"min\": -9223372036854775808, \"max\": 9223372036854775807, "
                          "\"tiny\": 1e-400, \"big\": 1.7976931348623157e308}");
  if (d != NULL) {
    CHECK_INT(coreapi_integer_value(get(d, "min")), INT64_MIN);
    CHECK_INT(coreapi_integer_value(get(d, "max")), INT64_MAX);
    CHECK(coreapi_real_value(get(d, "tiny")) == 0.0);
  }
  coreapi_node_free(d);
  REFUSED("{\"a\": 9223372036854775808}", "integer 9223372036854775808 is out of range");
  REFUSED("{\"a\": -9223372036854775809}", "out of range");
  REFUSED("{\"a\": 1e400}", "real number 1e400 is out of range");
  REFUSED("{\"a\": -1e400}", "out of range");
  {
    char longnum[700];
    memset(longnum, '1', sizeof longnum);
    memcpy(longnum, "{\"a\": 0.", 8);
    strcpy(longnum + sizeof longnum - 2, "}");
    refused(longnum, strlen(longnum), "number too long", __LINE__);
  }
}

static void test_depth(void) {
  char *ok = nested(512), *deep = nested(513);
  coreapi_node_free(taken(ok, strlen(ok), __LINE__));
  refused(deep, strlen(deep), "maximum nesting depth exceeded", __LINE__);
  free(ok);
  free(deep);
}

static void test_utf8(void) {
  coreapi_node *d;
  /* Every invalid form, in a value and in a key. */
  REFUSED("{\"a\": \"\xc0\x9a\"}", "invalid UTF-8 in a string");         /* overlong */
  REFUSED("{\"a\": \"\xe0\x80\xaf\"}", "invalid UTF-8 in a string");     /* overlong '/' */
  REFUSED("{\"a\": \"\xed\xa0\x80\"}", "invalid UTF-8 in a string");     /* surrogate */
  REFUSED("{\"a\": \"\xf4\x90\x80\x80\"}", "invalid UTF-8 in a string"); /* above U+10FFFF */
  REFUSED("{\"a\": \"\xe2\x82\"}", "invalid UTF-8 in a string");         /* cut short */
  REFUSED("{\"a\": \"\x80\"}", "invalid UTF-8 in a string");             /* lone continuation */
  REFUSED("{\"a\": \"\xff\"}", "invalid UTF-8 in a string");
  REFUSED("{\"\xc0\xaf\": 1}", "invalid UTF-8 in a string");
  REFUSED("{\"_type\": \"document\", \"_meta\": {\"title\": \"\xed\xbf\xbf\"}}",
          "invalid UTF-8 in a string");
  /* An escaped surrogate that is not half of a pair cannot be UTF-8 either
   * (YAJL alone would make it "?" or another character). */
  REFUSED("{\"a\": \"x\\ud800\"}", "\\ud800 is half of a surrogate pair (line 1, column 9)");
  REFUSED("{\"a\": \"\\uDC00\"}", "\\uDC00 is half of a surrogate pair");
  REFUSED("{\"a\": \"\\ud800\\u0041\"}", "\\ud800 is half of a surrogate pair");
  REFUSED("{\"a\": \"\\ud800\\ud800\"}", "\\ud800 is half of a surrogate pair");
  REFUSED("{\"a\": \"\\udbff\"}", "\\udbff is half of a surrogate pair");
  REFUSED("{\"\\\\\\udfff\": 1}", "\\udfff is half of a surrogate pair"); /* \\ then \udfff */
  /* An escaped backslash before "ud800" is text, not an escape. */
  d = TAKEN("{\"a\": \"\\\\ud800\", \"b\": \"\\\\\\ud834\\udd1e\"}");
  if (d != NULL) {
    CHECK_STR(coreapi_string_value(get(d, "a"), NULL), "\\ud800");
    CHECK_STR(coreapi_string_value(get(d, "b"), NULL), "\\\xf0\x9d\x84\x9e");
  }
  coreapi_node_free(d);
  /* Valid text, raw and escaped, one to four bytes. */
  d = TAKEN("{\"a\": \"A\xc3\xa9\xe2\x82\xac\xf0\x9d\x84\x9e\", "
            "\"b\": \"\\u0041\\u00e9\\u20ac\\ud834\\udd1e\", \"\xf4\x8f\xbf\xbf\": 1}");
  if (d != NULL) {
    coreapi_node *a = get(d, "a"), *b = get(d, "b");
    CHECK(a != NULL && b != NULL && coreapi_node_equal(a, b));
    CHECK(get(d, "\xf4\x8f\xbf\xbf") != NULL);
  }
  coreapi_node_free(d);
}

static void test_plain_json(void) {
  static const char text[] = "[1, -2.5, \"caf\xc3\xa9 \xf0\x9d\x84\x9e\", true, null, "
                             "{\"z\": {}, \"a\": [[]], \"\": \"\\u0000\"}]";
  static const int indents[] = {0, -1, 4};
  coreapi_error err;
  coreapi_node *v = coreapi_json_decode(text, sizeof text - 1, &err);
  REQUIRE(v != NULL);
  CHECK_INT(coreapi_node_type_of(v), COREAPI_NODE_ARRAY);
  for (int ascii = 0; ascii <= 1; ascii++) {
    for (size_t i = 0; i < sizeof indents / sizeof indents[0]; i++) {
      size_t len = 0;
      char *out = coreapi_json_encode(v, indents[i], ascii, &len, &err);
      coreapi_node *w = out != NULL ? coreapi_json_decode(out, len, &err) : NULL;
      CHECK(w != NULL && coreapi_node_equal(v, w));
      if (ascii && out != NULL)
        for (size_t k = 0; k < len; k++)
          CHECK((unsigned char)out[k] < 0x80);
      coreapi_node_free(w);
      free(out);
    }
  }
  coreapi_node_free(v);
  CHECK(coreapi_json_decode("\"\xc0\x9a\"", 4, &err) == NULL);
  CHECK_INT(err.code, COREAPI_ERR_PARSE);
  CHECK(coreapi_json_decode("{\"a\":1,\"a\":1}", 13, &err) == NULL);
  CHECK_INT(err.code, COREAPI_ERR_PARSE);
  CHECK(coreapi_json_decode(NULL, 3, &err) == NULL);
  CHECK_INT(err.code, COREAPI_ERR_INVALID_ARGUMENT);
  /* Text: the bytes as a string, when they are UTF-8. */
  v = coreapi_text_decode("caf\xc3\xa9\n", 6, &err);
  CHECK(v != NULL && coreapi_node_type_of(v) == COREAPI_NODE_STRING);
  coreapi_node_free(v);
  CHECK(coreapi_text_decode("caf\xc3", 4, &err) == NULL);
  CHECK_INT(err.code, COREAPI_ERR_PARSE);
}

/* Enum values are kept as plain data, objects with '_' keys included: they
 * must read as any map does (they were left unsorted by the parser once). */
static void test_enum_objects(void) {
  static const char doc[] =
      "{\"l\":{\"_type\":\"link\",\"fields\":[{\"name\":\"a\",\"schema\":"
      "{\"_type\":\"enum\",\"enum\":[{\"_y\":2,\"_x\":1,\"__type\":3},[{\"_z\":0}]]}}]}}";
  coreapi_error err;
  coreapi_node *a = coreapi_corejson_decode(doc, strlen(doc), NULL, &err);
  coreapi_node *b = coreapi_corejson_decode(doc, strlen(doc), NULL, &err);
  const coreapi_node *link = a ? coreapi_map_get(a, "l", 1) : NULL, *values, *obj;
  const char *key = NULL;
  REQUIRE(link != NULL && b != NULL);
  values = coreapi_field_schema_enum(coreapi_link_field(link, 0));
  REQUIRE(values != NULL);
  obj = coreapi_array_get(values, 0);
  CHECK_INT(coreapi_integer_value(coreapi_map_get(obj, "_x", 2)), 1);
  CHECK_INT(coreapi_integer_value(coreapi_map_get(obj, "__type", 6)), 3); /* not unescaped */
  CHECK(coreapi_map_entry(obj, 0, &key, NULL) != NULL && key != NULL && strcmp(key, "__type") == 0);
  CHECK_INT(coreapi_map_data_count(obj), 3);
  CHECK_INT(coreapi_integer_value(
                coreapi_map_get(coreapi_array_get(coreapi_array_get(values, 1), 0), "_z", 2)),
            0);
  CHECK(coreapi_node_equal(a, b));
  coreapi_node_free(a);
  coreapi_node_free(b);
}

/* A long document URL copied into many links: refused, not 1,500 times the
 * body in memory (the document may take 32 times the body at most). */
static void test_amplification(void) {
  size_t url_len = 100000, links = 2000, n = 0;
  char *body = malloc(url_len + links * 24 + 256);
  coreapi_error err;
  coreapi_node *d;
  REQUIRE(body != NULL);
  n += (size_t)sprintf(body, "{\"_type\":\"document\",\"_meta\":{\"url\":\"http://h/");
  memset(body + n, 'a', url_len);
  n += url_len;
  n += (size_t)sprintf(body + n, "\"},\"l\":[");
  for (size_t i = 0; i < links; i++)
    n += (size_t)sprintf(body + n, "%s{\"_type\":\"link\"}", i ? "," : "");
  n += (size_t)sprintf(body + n, "]}");
  d = coreapi_corejson_decode(body, n, NULL, &err);
  CHECK(d == NULL);
  CHECK_INT(err.code, COREAPI_ERR_TOO_LARGE);
  coreapi_node_free(d);
  /* The same with a short URL decodes. */
  n = (size_t)sprintf(body, "{\"_type\":\"document\",\"_meta\":{\"url\":\"http://h/\"},\"l\":[");
  for (size_t i = 0; i < links; i++)
    n += (size_t)sprintf(body + n, "%s{\"_type\":\"link\"}", i ? "," : "");
  n += (size_t)sprintf(body + n, "]}");
  d = coreapi_corejson_decode(body, n, NULL, &err);
  CHECK(d != NULL);
  coreapi_node_free(d);
  free(body);
}

int main(void) {
  test_enum_objects();
  test_amplification();
  test_malformed();
  test_duplicates();
  test_numbers();
  test_depth();
  test_utf8();
  test_plain_json();
  return check_done("test_json");
}
