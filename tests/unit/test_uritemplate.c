/*
 * test_uritemplate.c - RFC 6570 URI Templates beyond the examples of the
 * RFC (those run from the uritemplate-test suite through
 * uritemplate-driver): non-ASCII values and literals, prefixes counted in
 * characters, undefined empty and all-null composites, insertion order of
 * objects, numbers and booleans as the reference's transport passes them,
 * NULL arguments, templates given by length, very long templates, error
 * offsets, partial templates, no crash on arbitrary input, and the driver
 * failing when a case fails.
 *
 * The driver is found next to this program (CTest runs both from the build
 * directory) or at $COREAPI_URITEMPLATE_DRIVER.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#include <coreapi/coreapi.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"

static coreapi_node *json(const char *text) {
  coreapi_error err;
  coreapi_node *n = coreapi_json_decode(text, strlen(text), &err);
  if (n == NULL)
    fprintf(stderr, "bad test JSON: %s: %s\n", text, err.text);
  REQUIRE(n != NULL);
  return n;
}

/* Expand a NUL-terminated template; checks that *out_len is the length. */
static char *expand(const char *tmpl, const coreapi_node *vars) {
  coreapi_error err;
  size_t out_len = 12345;
  char *out = coreapi_uritemplate_expand(tmpl, strlen(tmpl), vars, &out_len, &err);
  if (out != NULL) {
    CHECK_INT(out_len, strlen(out));
    CHECK_INT(err.code, COREAPI_OK);
  } else {
    CHECK_INT(out_len, 0);
    CHECK(err.code != COREAPI_OK);
  }
  return out;
}

#define EXPECT(tmpl, vars, expected)        \
  do {                                      \
    char *expect_r_ = expand(tmpl, vars);   \
    CHECK_STR(expect_r_, expected);         \
    free(expect_r_);                        \
  } while (0)

/* The template must fail with ERR_INVALID_ARGUMENT and a message holding
 * `needle` (for instance "offset 3"). */
#define EXPECT_ERROR(tmpl, vars, needle)                                                   \
  do {                                                                                     \
    coreapi_error e_;                                                                      \
    char *r_ = coreapi_uritemplate_expand(tmpl, strlen(tmpl), vars, NULL, &e_);            \
    CHECK_STR(r_, NULL);                                                                   \
    CHECK_INT(e_.code, COREAPI_ERR_INVALID_ARGUMENT);                                      \
    if (strstr(e_.text, needle) == NULL) {                                                 \
      check_failures++;                                                                    \
      fprintf(stderr, "%s:%d: error for %s is \"%s\", expected it to hold \"%s\"\n",      \
              __FILE__, __LINE__, tmpl, e_.text, needle);                                  \
    }                                                                                      \
    free(r_);                                                                              \
  } while (0)

static void test_non_ascii(void) {
  coreapi_node *v = json("{\"cafe\": \"caf\\u00e9\", \"smile\": \"\\ud83d\\ude00!\","
                         " \"jp\": \"\\u65e5\\u672c\\u8a9e\", \"list\": [\"\\u00e9\", \"a b\"],"
                         " \"obj\": {\"cl\\u00e9\": \"\\u00e0\"}}");
  EXPECT("{cafe}", v, "caf%C3%A9");
  EXPECT("{+cafe}", v, "caf%C3%A9"); /* non-ASCII is never in U+R */
  EXPECT("{#cafe}", v, "#caf%C3%A9");
  EXPECT("{?cafe}", v, "?cafe=caf%C3%A9");
  EXPECT("{smile}", v, "%F0%9F%98%80%21");
  EXPECT("{+smile}", v, "%F0%9F%98%80!");
  EXPECT("{/jp}", v, "/%E6%97%A5%E6%9C%AC%E8%AA%9E");
  EXPECT("{list}", v, "%C3%A9,a%20b");
  EXPECT("{obj*}", v, "cl%C3%A9=%C3%A0");
  EXPECT("{?obj*}", v, "?cl%C3%A9=%C3%A0");
  /* Literal characters a URI cannot hold are pct-encoded by their bytes. */
  EXPECT("/caf\xC3\xA9/{cafe}", v, "/caf%C3%A9/caf%C3%A9");
  EXPECT("/a b<>\"\\^`|/", v, "/a%20b%3C%3E%22%5C%5E%60%7C/");
  coreapi_node_free(v);
}

static void test_prefix_counts_characters(void) {
  coreapi_node *v = json("{\"e\": \"h\\u00e9llo\", \"smile\": \"\\ud83d\\ude00\\ud83d\\ude00a\","
                         " \"jp\": \"\\u65e5\\u672c\\u8a9e\", \"pct\": \"%41BC\", \"n\": 12345,"
                         " \"r\": -1.5, \"b\": false}");
  EXPECT("{e:1}", v, "h");
  EXPECT("{e:2}", v, "h%C3%A9"); /* 2 characters, 3 bytes */
  EXPECT("{e:3}", v, "h%C3%A9l");
  EXPECT("{smile:1}", v, "%F0%9F%98%80");
  EXPECT("{smile:2}", v, "%F0%9F%98%80%F0%9F%98%80");
  EXPECT("{smile:3}", v, "%F0%9F%98%80%F0%9F%98%80a");
  EXPECT("{smile:9999}", v, "%F0%9F%98%80%F0%9F%98%80a");
  EXPECT("{jp:2}", v, "%E6%97%A5%E6%9C%AC");
  EXPECT("{?jp:1}", v, "?jp=%E6%97%A5");
  EXPECT("{;e:2}", v, ";e=h%C3%A9");
  /* With + and #, a pct-encoded triplet is one character and not split. */
  EXPECT("{+pct:1}", v, "%41");
  EXPECT("{#pct:2}", v, "#%41B");
  EXPECT("{pct:1}", v, "%25"); /* without, "%" is just a character */
  EXPECT("{pct:3}", v, "%2541");
  /* Numbers and booleans are cut as their text. */
  EXPECT("{n:2}", v, "12");
  EXPECT("{r:2}", v, "-1");
  EXPECT("{b:3}", v, "fal");
  coreapi_node_free(v);
}

static void test_undefined_composites(void) {
  coreapi_node *v = json("{\"el\": [], \"eo\": {}, \"nl\": [null, null], \"no\": {\"a\": null},"
                         " \"mixed\": [null, \"a\", null, \"b\"], \"mo\": {\"x\": null, \"y\": \"1\"},"
                         " \"s\": \"x\", \"z\": null}");
  const char *ops[] = {"", "+", "#", ".", "/", ";", "?", "&"};
  for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
    const char *names[] = {"el", "el*", "eo", "eo*", "nl", "nl*", "no", "no*", "z", "missing"};
    for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
      char tmpl[64];
      snprintf(tmpl, sizeof(tmpl), "<{%s%s}>", ops[i], names[k]);
      char *out = expand(tmpl, v);
      /* "<" and ">" are literals a URI cannot hold. */
      CHECK_STR(out, "%3C%3E");
      if (out == NULL || strcmp(out, "%3C%3E") != 0)
        fprintf(stderr, "  (template %s)\n", tmpl);
      free(out);
    }
  }
  /* Undefined ones take no separator either. */
  EXPECT("{?el,s,eo,nl,no,z}", v, "?s=x");
  EXPECT("{/el,s,eo,s}", v, "/x/x");
  EXPECT("{.el*,eo*}", v, "");
  /* A prefix on an undefined composite is not an error: it is skipped. */
  EXPECT("{el:3}", v, "");
  EXPECT("{nl:3}", v, "");
  /* Null members are skipped. */
  EXPECT("{mixed}", v, "a,b");
  EXPECT("{/mixed*}", v, "/a/b");
  EXPECT("{?mixed}", v, "?mixed=a,b");
  EXPECT("{;mixed*}", v, ";mixed=a;mixed=b");
  EXPECT("{mo}", v, "y,1");
  EXPECT("{?mo*}", v, "?y=1");
  coreapi_node_free(v);
}

static void test_objects_and_lists(void) {
  /* Objects expand in insertion order, not sorted. */
  coreapi_node *v = json("{\"o\": {\"z\": \"1\", \"a\": \"2\", \"m\": \"\"},"
                         " \"l\": [\"\", \"x\"], \"r\": {\"k/\": \"a/b\"}}");
  EXPECT("{o}", v, "z,1,a,2,m,");
  EXPECT("{o*}", v, "z=1,a=2,m=");
  EXPECT("{.o*}", v, ".z=1.a=2.m=");
  EXPECT("{/o*}", v, "/z=1/a=2/m=");
  EXPECT("{;o}", v, ";o=z,1,a,2,m,");
  EXPECT("{;o*}", v, ";z=1;a=2;m"); /* ifemp "" for ; */
  EXPECT("{?o*}", v, "?z=1&a=2&m="); /* ifemp "=" for ? */
  EXPECT("{&o*}", v, "&z=1&a=2&m=");
  EXPECT("{#o*}", v, "#z=1,a=2,m=");
  EXPECT("{;l*}", v, ";l;l=x");
  EXPECT("{?l*}", v, "?l=&l=x");
  EXPECT("{;l}", v, ";l=,x");
  EXPECT("{l}", v, ",x");
  /* Keys are encoded like values. */
  EXPECT("{r*}", v, "k%2F=a%2Fb");
  EXPECT("{+r*}", v, "k/=a/b");
  coreapi_node_free(v);

  /* A Document works as the variables too. */
  {
    coreapi_error err;
    coreapi_map_builder *b = coreapi_map_builder_new();
    REQUIRE(b != NULL);
    CHECK_INT(coreapi_map_builder_set(b, "id", 2, coreapi_integer_new(7, NULL), &err), COREAPI_OK);
    coreapi_node *doc = coreapi_map_builder_document(b, "http://x/", "T", NULL, NULL, &err);
    REQUIRE(doc != NULL);
    EXPECT("/users/{id}/", doc, "/users/7/");
    coreapi_node_free(doc);
  }
}

static void test_numbers_and_booleans(void) {
  coreapi_node *v = json("{\"i\": 42, \"neg\": -7, \"big\": 9223372036854775807,"
                         " \"min\": -9223372036854775808, \"r\": 1.5, \"third\": 3.0,"
                         " \"e20\": 1e20, \"e16\": 1e16, \"e15\": 1e15, \"tiny\": 1e-7,"
                         " \"tenth\": 0.1, \"t\": true, \"f\": false,"
                         " \"mix\": [1, 2.5, true, \"s\"], \"om\": {\"a\": 1, \"b\": false}}");
  EXPECT("{i}", v, "42");
  EXPECT("{neg}", v, "-7");
  EXPECT("{big}", v, "9223372036854775807");
  EXPECT("{min}", v, "-9223372036854775808");
  /* Reals as Python's str(): what the reference passes to uritemplate. */
  EXPECT("{r}", v, "1.5");
  EXPECT("{third}", v, "3.0");
  EXPECT("{e20}", v, "1e%2B20");
  EXPECT("{+e20}", v, "1e+20");
  EXPECT("{e16}", v, "1e%2B16");
  EXPECT("{e15}", v, "1000000000000000.0");
  EXPECT("{tiny}", v, "1e-07");
  EXPECT("{tenth}", v, "0.1");
  /* Booleans as the reference's transport turns them into strings first
   * (utils._validate_form_field): "true" / "false", so a false is defined. */
  EXPECT("{t}", v, "true");
  EXPECT("{f}", v, "false");
  EXPECT("{?t,f}", v, "?t=true&f=false");
  EXPECT("{;f}", v, ";f=false");
  EXPECT("{mix}", v, "1,2.5,true,s");
  EXPECT("{?mix*}", v, "?mix=1&mix=2.5&mix=true&mix=s");
  EXPECT("{om*}", v, "a=1,b=false");
  coreapi_node_free(v);

  /* Values JSON cannot carry. */
  {
    coreapi_error err;
    coreapi_map_builder *b = coreapi_map_builder_new();
    REQUIRE(b != NULL);
    coreapi_map_builder_set(b, "inf", 3, coreapi_real_new(INFINITY, NULL), &err);
    coreapi_map_builder_set(b, "ninf", 4, coreapi_real_new(-INFINITY, NULL), &err);
    coreapi_map_builder_set(b, "nan", 3, coreapi_real_new(NAN, NULL), &err);
    coreapi_map_builder_set(b, "nz", 2, coreapi_real_new(-0.0, NULL), &err);
    coreapi_map_builder_set(b, "nul", 3, coreapi_string_new("a\0b", 3, NULL), &err);
    coreapi_node *m = coreapi_map_builder_object(b, &err);
    REQUIRE(m != NULL);
    EXPECT("{inf}", m, "inf");
    EXPECT("{ninf}", m, "-inf");
    EXPECT("{nan}", m, "nan");
    EXPECT("{nz}", m, "-0.0");
    EXPECT("{nul}", m, "a%00b"); /* a NUL in a value is encoded, never output */
    EXPECT("{+nul}", m, "a%00b");
    coreapi_node_free(m);
  }
}

static void test_arguments(void) {
  coreapi_error err;
  size_t out_len = 99;
  char *out;
  coreapi_node *v = json("{\"x\": \"1\"}");
  coreapi_node *arr = json("[1]");
  coreapi_node *str = json("\"s\"");

  /* NULL template with length 0 is the empty template. */
  out = coreapi_uritemplate_expand(NULL, 0, v, &out_len, &err);
  CHECK_STR(out, "");
  CHECK_INT(out_len, 0);
  CHECK_INT(err.code, COREAPI_OK);
  free(out);
  out = coreapi_uritemplate_expand("", 0, NULL, NULL, NULL);
  CHECK_STR(out, "");
  free(out);
  /* NULL with a length is an error. */
  out_len = 99;
  out = coreapi_uritemplate_expand(NULL, 3, v, &out_len, &err);
  CHECK(out == NULL);
  CHECK_INT(out_len, 0);
  CHECK_INT(err.code, COREAPI_ERR_INVALID_ARGUMENT);
  /* No variables: everything is undefined. */
  EXPECT("a{x}b{?x,y}c{/x*}", NULL, "abc");
  /* Syntax is still checked without variables. */
  EXPECT_ERROR("{x", NULL, "offset 0");
  /* Variables must be a map. */
  EXPECT_ERROR("{x}", arr, "object or a document");
  EXPECT_ERROR("{x}", str, "object or a document");
  /* err and out_len may be NULL. */
  out = coreapi_uritemplate_expand("{x}", 3, v, NULL, NULL);
  CHECK_STR(out, "1");
  free(out);
  CHECK(coreapi_uritemplate_expand("{x", 2, v, NULL, NULL) == NULL);
  /* A previous error in err is cleared. */
  coreapi_error_set(&err, COREAPI_ERR_TIMEOUT, "old");
  out = coreapi_uritemplate_expand("{x}", 3, v, NULL, &err);
  CHECK_STR(out, "1");
  CHECK_INT(err.code, COREAPI_OK);
  free(out);

  /* The template is pointer and length: no NUL needed, NUL is a byte. */
  out = coreapi_uritemplate_expand("{x}{y}garbage", 3, v, &out_len, &err);
  CHECK_STR(out, "1");
  CHECK_INT(out_len, 1);
  free(out);
  out = coreapi_uritemplate_expand("a\0b{x}", 6, v, &out_len, &err);
  CHECK_STR(out, "a%00b1");
  CHECK_INT(out_len, 6);
  free(out);
  out = coreapi_uritemplate_expand("{x\0}", 4, v, &out_len, &err);
  CHECK(out == NULL);
  CHECK(strstr(err.text, "offset 2") != NULL);
  CHECK(strstr(err.text, "0x00") != NULL);

  coreapi_node_free(v);
  coreapi_node_free(arr);
  coreapi_node_free(str);
}

static void test_literals_and_reserved(void) {
  coreapi_node *v = json("{\"x\": \"a%2Fb%zz/ c%e2%82%ac%4\", \"h\": \"50%\"}");
  EXPECT("http://example.com/~user/{h}?a=b&c=d#frag!$'()*+,;=:@[]", v,
         "http://example.com/~user/50%25?a=b&c=d#frag!$'()*+,;=:@[]");
  EXPECT("%41%zz%4%", v, "%41%25zz%254%25"); /* triplets kept, stray % encoded */
  EXPECT("{+x}", v, "a%2Fb%25zz/%20c%e2%82%ac%254");
  EXPECT("{#x}", v, "#a%2Fb%25zz/%20c%e2%82%ac%254");
  EXPECT("{x}", v, "a%252Fb%25zz%2F%20c%25e2%2582%25ac%254");
  coreapi_node_free(v);
}

static void test_errors(void) {
  coreapi_node *v = json("{\"keys\": {\"a\": \"1\"}, \"list\": [\"a\"], \"nest\": [[\"a\"]],"
                         " \"onest\": {\"k\": [1]}, \"x\": \"1\"}");
  EXPECT_ERROR("abc{x", v, "unclosed expression at offset 3");
  EXPECT_ERROR("ab}", v, "unmatched closing brace at offset 2");
  EXPECT_ERROR("{x}{!y}", v, "reserved operator at offset 4");
  EXPECT_ERROR("{x}{=y}", v, "offset 4");
  EXPECT_ERROR("{x}{,y}", v, "offset 4");
  EXPECT_ERROR("{x}{@y}", v, "offset 4");
  EXPECT_ERROR("{x}{|y}", v, "offset 4");
  EXPECT_ERROR("{}", v, "missing variable name at offset 1");
  EXPECT_ERROR("{x,}", v, "offset 3");
  EXPECT_ERROR("{x.}", v, "invalid character in variable name at offset 3");
  EXPECT_ERROR("{.x.}", v, "offset 4");
  EXPECT_ERROR("{x:0}", v, "prefix length not 1 to 9999 at offset 3");
  EXPECT_ERROR("{x:10000}", v, "offset 7");
  EXPECT_ERROR("{x:3*}", v, "offset 4");
  EXPECT_ERROR("{x*:3}", v, "offset 3");
  EXPECT_ERROR("{x**}", v, "offset 3");
  EXPECT_ERROR("{%4}", v, "invalid pct-encoded triplet in variable name at offset 1");
  EXPECT_ERROR("{caf\xC3\xA9}", v, "byte 0xC3");
  EXPECT_ERROR("a\xFF", v, "invalid UTF-8 at offset 1");
  EXPECT_ERROR("a\xC3", v, "invalid UTF-8 at offset 1");         /* truncated */
  EXPECT_ERROR("a\xC0\xAF", v, "invalid UTF-8 at offset 1");     /* overlong */
  EXPECT_ERROR("a\xED\xA0\x80", v, "invalid UTF-8 at offset 1"); /* surrogate */
  EXPECT_ERROR("{x}{{x}}", v, "offset 4");
  /* Values that cannot be expanded. */
  EXPECT_ERROR("/{keys:1}", v, "variable 'keys' at offset 2: a prefix modifier");
  EXPECT_ERROR("{?x,list:2}", v, "variable 'list' at offset 4");
  EXPECT_ERROR("{nest}", v, "variable 'nest'");
  EXPECT_ERROR("{onest*}", v, "variable 'onest'");
  /* Syntax errors come first, whatever the variables: the template is
   * wrong, not the values. */
  EXPECT_ERROR("{keys:1}{!x}", v, "reserved operator at offset 9");
  /* Valid names: dots inside, digits, underscores, pct-encoded triplets. */
  EXPECT("{a.b.c,_1,%41,9}", v, "");
  {
    /* A Link as a value. */
    coreapi_error err;
    coreapi_link_spec spec = {"/x/", "get", NULL, NULL, NULL, NULL, NULL, 0, NULL};
    coreapi_map_builder *b = coreapi_map_builder_new();
    REQUIRE(b != NULL);
    coreapi_map_builder_set(b, "l", 1, coreapi_link_new(&spec, NULL), &err);
    coreapi_node *m = coreapi_map_builder_object(b, &err);
    REQUIRE(m != NULL);
    EXPECT_ERROR("{l}", m, "variable 'l' at offset 1");
    coreapi_node_free(m);
  }
  coreapi_node_free(v);
}

/* Every proper prefix of a template that stops inside an expression is an
 * error (partial input); the others expand. */
static void test_partial_templates(void) {
  static const char tmpl[] = "/a/{x,y}/b{?q*}{#f:3}";
  coreapi_node *v = json("{\"x\": \"1\", \"y\": \"2\", \"q\": {\"k\": \"v\"}, \"f\": \"frag\"}");
  for (size_t len = 0; len <= strlen(tmpl); len++) {
    coreapi_error err;
    int open = 0;
    for (size_t i = 0; i < len; i++)
      open = tmpl[i] == '{' ? 1 : tmpl[i] == '}' ? 0 : open;
    char *out = coreapi_uritemplate_expand(tmpl, len, v, NULL, &err);
    if (open) {
      CHECK(out == NULL);
      CHECK(strstr(err.text, "unclosed expression") != NULL);
    } else {
      CHECK(out != NULL);
    }
    free(out);
  }
  EXPECT(tmpl, v, "/a/1,2/b?k=v#fra");
  coreapi_node_free(v);
}

static void test_long_templates(void) {
  size_t reps = 100000, n;
  char *tmpl, *out, *value, *vjson;
  coreapi_node *v;
  coreapi_error err;
  size_t out_len;

  /* 100000 expressions. */
  v = json("{\"x\": \"ab\"}");
  tmpl = malloc(3 * reps + 1);
  REQUIRE(tmpl != NULL);
  for (size_t i = 0; i < reps; i++)
    memcpy(tmpl + 3 * i, "{x}", 3);
  out = coreapi_uritemplate_expand(tmpl, 3 * reps, v, &out_len, &err);
  REQUIRE(out != NULL);
  CHECK_INT(out_len, 2 * reps);
  CHECK(out[0] == 'a' && out[2 * reps - 1] == 'b' && out[2 * reps] == '\0');
  free(out);
  /* One expression with 100000 variables: "{?x,x,...}". */
  tmpl[0] = '{';
  tmpl[1] = '?';
  n = 2;
  for (size_t i = 0; i < reps; i++) {
    tmpl[n++] = 'x';
    tmpl[n++] = i + 1 < reps ? ',' : '}';
  }
  out = coreapi_uritemplate_expand(tmpl, n, v, &out_len, &err);
  REQUIRE(out != NULL);
  CHECK_INT(out_len, 1 + reps * 4 + (reps - 1)); /* "?x=ab" then "&x=ab"... */
  CHECK(strncmp(out, "?x=ab&x=ab&", 11) == 0);
  free(out);
  /* The same expression left open at the very end. */
  out = coreapi_uritemplate_expand(tmpl, n - 1, v, NULL, &err);
  CHECK(out == NULL);
  CHECK(strstr(err.text, "unclosed expression at offset 0") != NULL);
  free(tmpl);
  coreapi_node_free(v);

  /* A 20000-character name and value; a prefix of 9999 of it. */
  value = malloc(20001);
  vjson = malloc(2 * 20000 + 32);
  tmpl = malloc(20000 + 16);
  REQUIRE(value != NULL && vjson != NULL && tmpl != NULL);
  for (size_t i = 0; i < 20000; i++)
    value[i] = (char)('a' + i % 26);
  value[20000] = '\0';
  snprintf(vjson, 2 * 20000 + 32, "{\"%s\": \"%s\"}", value, value);
  v = json(vjson);
  snprintf(tmpl, 20000 + 16, "{%s:9999}", value);
  out = coreapi_uritemplate_expand(tmpl, strlen(tmpl), v, &out_len, &err);
  REQUIRE(out != NULL);
  CHECK_INT(out_len, 9999);
  CHECK(memcmp(out, value, 9999) == 0);
  free(out);
  snprintf(tmpl, 20000 + 16, "{;%s}", value);
  out = coreapi_uritemplate_expand(tmpl, strlen(tmpl), v, &out_len, &err);
  REQUIRE(out != NULL);
  CHECK_INT(out_len, 1 + 20000 + 1 + 20000);
  free(out);
  /* An error message quotes a long name cut short. */
  snprintf(tmpl, 20000 + 16, "{%s:1}", value);
  coreapi_node_free(v);
  snprintf(vjson, 2 * 20000 + 32, "{\"%s\": [\"a\"]}", value);
  v = json(vjson);
  out = coreapi_uritemplate_expand(tmpl, strlen(tmpl), v, NULL, &err);
  CHECK(out == NULL);
  CHECK(strstr(err.text, "...' at offset 1: a prefix modifier") != NULL);
  CHECK(strlen(err.text) < COREAPI_ERROR_TEXT_LENGTH);
  coreapi_node_free(v);
  free(value);
  free(vjson);
  free(tmpl);
}

/* Arbitrary bytes: no crash, and either ERR_INVALID_ARGUMENT or a string of
 * printable ASCII only (a URI), as long as out_len says. */
static void test_arbitrary_input(void) {
  static const char alphabet[] = "{}{}+#./;?&=,!@|*:019_xXyl.%%AF~ -\xC3\xA9\xFF\x01";
  coreapi_node *v = json("{\"x\": \"v\", \"X\": \"\", \"y\": [\"a\", \"b\"], \"l\": {\"k\": \"w\"},"
                         " \"x.x\": \"d\", \"_\": \"\\u00e9\"}");
  uint32_t seed = 12345;
  int bad_output = 0, ok = 0, errors = 0;
  for (int round = 0; round < 20000; round++) {
    char tmpl[24];
    size_t len = (size_t)(round % 23), out_len = 0;
    coreapi_error err;
    char *out;
    for (size_t i = 0; i < len; i++) {
      seed = seed * 1103515245u + 12345u;
      tmpl[i] = alphabet[(seed >> 16) % (sizeof(alphabet) - 1)];
    }
    out = coreapi_uritemplate_expand(tmpl, len, v, &out_len, &err);
    if (out == NULL) {
      errors++;
      if (err.code != COREAPI_ERR_INVALID_ARGUMENT)
        bad_output++;
      continue;
    }
    ok++;
    if (strlen(out) != out_len)
      bad_output++;
    for (size_t i = 0; i < out_len; i++)
      if ((unsigned char)out[i] <= 0x20 || (unsigned char)out[i] >= 0x7F || out[i] == '{' ||
          out[i] == '}')
        bad_output++;
    free(out);
  }
  CHECK_INT(bad_output, 0);
  CHECK(ok > 1000);
  CHECK(errors > 1000);
  coreapi_node_free(v);
}

/* --- the driver ----------------------------------------------------------- */

static char driver[4096];

static int write_text(const char *path, const char *text) {
  FILE *f = fopen(path, "w");
  if (f == NULL)
    return -1;
  fputs(text, f);
  return fclose(f);
}

/* Run the driver on text written to a file in dir; returns its exit status
 * (-1 when it could not run) and its last output line in last. */
static int run_driver(const char *dir, const char *text, char *last, size_t last_size) {
  char path[4200], cmd[8400], line[1024];
  FILE *p;
  int status;
  snprintf(path, sizeof(path), "%s/case.json", dir);
  if (write_text(path, text) != 0)
    return -1;
  snprintf(cmd, sizeof(cmd), "'%s' '%s'", driver, path);
  p = popen(cmd, "r");
  if (p == NULL)
    return -1;
  last[0] = '\0';
  while (fgets(line, sizeof(line), p) != NULL) {
    line[strcspn(line, "\n")] = '\0';
    snprintf(last, last_size, "%s", line);
  }
  status = pclose(p);
  unlink(path);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void test_driver(const char *argv0) {
  char dir[] = "/tmp/test_uritemplate.XXXXXX";
  char last[1024];
  const char *env = getenv("COREAPI_URITEMPLATE_DRIVER");
  if (env != NULL) {
    snprintf(driver, sizeof(driver), "%s", env);
  } else {
    const char *slash = strrchr(argv0, '/');
    int dirlen = slash != NULL ? (int)(slash - argv0) : 1;
    snprintf(driver, sizeof(driver), "%.*s/uritemplate-driver", dirlen,
             slash != NULL ? argv0 : ".");
  }
  if (access(driver, X_OK) != 0) {
    fprintf(stderr, "uritemplate-driver not found at %s (set COREAPI_URITEMPLATE_DRIVER)\n",
            driver);
    CHECK(0);
    return;
  }
  REQUIRE(mkdtemp(dir) != NULL);

  /* Good file: passes, exit 0; alternatives and expected errors work. */
  CHECK_INT(run_driver(dir,
                       "{\"g\": {\"level\": 4, \"variables\": {\"x\": \"a b\", \"o\": {\"k\": \"v\"}},"
                       " \"testcases\": [[\"{x}\", \"a%20b\"], [\"{o*}\", [\"no\", \"k=v\"]],"
                       " [\"{x\", false]]},"
                       " \"h\": {\"testcases\": [[\"{y}\", \"\"]]}}",
                       last, sizeof(last)),
            0);
  CHECK_STR(last, "4 passed, 0 failed");
  /* A wrong expectation fails. */
  CHECK_INT(run_driver(dir,
                       "{\"g\": {\"variables\": {\"x\": \"a b\"},"
                       " \"testcases\": [[\"{x}\", \"a b\"], [\"{+x}\", \"a%20b\"]]}}",
                       last, sizeof(last)),
            1);
  CHECK_STR(last, "1 passed, 1 failed");
  /* None of the alternatives. */
  CHECK_INT(run_driver(dir, "{\"g\": {\"variables\": {}, \"testcases\": [[\"x\", [\"y\", \"z\"]]]}}",
                       last, sizeof(last)),
            1);
  CHECK_STR(last, "0 passed, 1 failed");
  /* An error was required but the template expands. */
  CHECK_INT(run_driver(dir, "{\"g\": {\"variables\": {}, \"testcases\": [[\"{x}\", false]]}}", last,
                       sizeof(last)),
            1);
  CHECK_STR(last, "0 passed, 1 failed");
  /* An unexpected error. */
  CHECK_INT(run_driver(dir, "{\"g\": {\"variables\": {}, \"testcases\": [[\"{x\", \"\"]]}}", last,
                       sizeof(last)),
            1);
  CHECK_STR(last, "0 passed, 1 failed");
  /* Malformed files and cases count as failures. */
  CHECK_INT(run_driver(dir, "{\"g\": ", last, sizeof(last)), 1);
  CHECK_STR(last, "0 passed, 1 failed");
  CHECK_INT(run_driver(dir, "{}", last, sizeof(last)), 1);
  CHECK_STR(last, "0 passed, 1 failed");
  CHECK_INT(run_driver(dir, "{\"g\": {\"variables\": {}}}", last, sizeof(last)), 1);
  CHECK_STR(last, "0 passed, 1 failed");
  CHECK_INT(run_driver(dir, "{\"g\": {\"testcases\": [[\"x\", true], [\"x\"], [\"x\", \"x\"]]}}",
                       last, sizeof(last)),
            1);
  CHECK_STR(last, "1 passed, 2 failed");
  rmdir(dir);
}

int main(int argc, char **argv) {
  (void)argc;
  test_non_ascii();
  test_prefix_counts_characters();
  test_undefined_composites();
  test_objects_and_lists();
  test_numbers_and_booleans();
  test_arguments();
  test_literals_and_reserved();
  test_errors();
  test_partial_templates();
  test_long_templates();
  test_arbitrary_input();
  test_driver(argv[0]);
  return check_done("test_uritemplate");
}
