/*
 * test_document.c - the document model (coreapi/document.h): primitives,
 * attributes, builders and ownership, the reference's iteration order, the
 * data and links views, lookup by key, deep equality, and NULL handling.
 *
 * Ownership mistakes show up under AddressSanitizer's leak and use-after-free
 * checks, so the tests also hand nodes over on failure paths.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "coreapi/coreapi.h"
#include "nodes.h"

/* --- helpers ------------------------------------------------------------- */

/* S, I and R come from nodes.h. */

static coreapi_node *L(const char *url, const char *action) {
  coreapi_link_spec spec = {0};
  coreapi_node *n;
  spec.url = url;
  spec.action = action;
  n = coreapi_link_new(&spec, NULL);
  REQUIRE(n != NULL);
  return n;
}

static void set(coreapi_map_builder *b, const char *key, coreapi_node *value) {
  coreapi_error err;
  coreapi_code rc = coreapi_map_builder_set(b, key, strlen(key), value, &err);
  CHECK_INT(rc, COREAPI_OK);
}

/* The keys of map in iteration order, joined by ",". */
static void keys_in_order(const coreapi_node *map, char *out, size_t cap, int inserted) {
  size_t n = coreapi_map_size(map), used = 0;
  out[0] = '\0';
  for (size_t i = 0; i < n; i++) {
    const char *key = NULL;
    size_t klen = 0;
    coreapi_node *v = inserted ? coreapi_map_entry_inserted(map, i, &key, &klen)
                               : coreapi_map_entry(map, i, &key, &klen);
    CHECK(v != NULL);
    CHECK(key != NULL && strlen(key) == klen);
    used += (size_t)snprintf(out + used, cap - used, "%s%s", i ? "," : "", key ? key : "?");
    REQUIRE(used < cap);
  }
}

/* --- primitives ----------------------------------------------------------- */

static void test_primitives(void) {
  coreapi_error err;
  coreapi_node *n;
  size_t len = 99;
  char buf[8] = "ab\0cd";

  /* Strings are copied, keep NUL bytes, and are NUL-terminated. */
  n = coreapi_string_new(buf, 5, &err);
  REQUIRE(n != NULL);
  CHECK_INT(err.code, COREAPI_OK);
  buf[0] = 'X';
  CHECK_INT(coreapi_node_type_of(n), COREAPI_NODE_STRING);
  {
    const char *v = coreapi_string_value(n, &len);
    CHECK_INT(len, 5);
    CHECK(v != NULL && memcmp(v, "ab\0cd", 6) == 0);
    CHECK(coreapi_string_value(n, NULL) == v);
  }
  CHECK_INT(coreapi_integer_value(n), 0);
  CHECK(coreapi_real_value(n) == 0.0);
  CHECK_INT(coreapi_boolean_value(n), 0);
  coreapi_node_free(n);

  /* The empty string, also from NULL with length 0. */
  n = coreapi_string_new(NULL, 0, &err);
  REQUIRE(n != NULL);
  CHECK_STR(coreapi_string_value(n, &len), "");
  CHECK_INT(len, 0);
  coreapi_node_free(n);
  n = coreapi_string_new("", 0, NULL);
  REQUIRE(n != NULL);
  CHECK_STR(coreapi_string_value(n, NULL), "");
  coreapi_node_free(n);

  /* NULL with a length is an invalid argument. */
  err.code = COREAPI_OK;
  CHECK(coreapi_string_new(NULL, 3, &err) == NULL);
  CHECK_INT(err.code, COREAPI_ERR_INVALID_ARGUMENT);

  /* Valid UTF-8 of every length, up to U+10FFFF. */
  {
    static const char *const good[] = {"\x7f", "\xc2\x80", "\xdf\xbf", "\xe0\xa0\x80",
                                        "\xed\x9f\xbf", "\xee\x80\x80", "\xef\xbf\xbf",
                                        "\xf0\x90\x80\x80", "\xf4\x8f\xbf\xbf"};
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
      n = coreapi_string_new(good[i], strlen(good[i]), &err);
      CHECK(n != NULL);
      if (n == NULL)
        fprintf(stderr, "  valid UTF-8 #%zu rejected\n", i);
      coreapi_node_free(n);
    }
  }
  /* Invalid UTF-8 is rejected: stray continuation bytes, truncated
   * sequences, overlong forms, surrogates, above U+10FFFF, 0xFE/0xFF. */
  {
    static const char *const bad[] = {
        "\x80",         "a\xbf",         "\xc2",         "\xe0\xa0",   "\xf0\x90\x80",
        "\xc0\x80",     "\xc1\xbf",      "\xe0\x80\x80", "\xe0\x9f\xbf", "\xf0\x80\x80\x80",
        "\xf0\x8f\xbf\xbf", "\xed\xa0\x80", "\xed\xbf\xbf", "\xf4\x90\x80\x80", "\xf5\x80\x80\x80",
        "\xfe",         "\xff",          "\xc2\x41",     "ok\xe2\x82",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
      err.code = COREAPI_OK;
      n = coreapi_string_new(bad[i], strlen(bad[i]), &err);
      CHECK(n == NULL);
      CHECK_INT(err.code, COREAPI_ERR_INVALID_ARGUMENT);
      if (n != NULL)
        fprintf(stderr, "  invalid UTF-8 #%zu accepted\n", i);
      coreapi_node_free(n);
    }
    /* Only len bytes count: a bad byte just past them does not matter. */
    n = coreapi_string_new("ab\xff", 2, &err);
    CHECK(n != NULL);
    CHECK_STR(coreapi_string_value(n, NULL), "ab");
    coreapi_node_free(n);
  }

  /* Numbers, booleans, null. */
  n = coreapi_integer_new(INT64_MIN, &err);
  REQUIRE(n != NULL);
  CHECK_INT(err.code, COREAPI_OK);
  CHECK_INT(coreapi_node_type_of(n), COREAPI_NODE_INTEGER);
  CHECK(coreapi_integer_value(n) == INT64_MIN);
  CHECK(coreapi_string_value(n, &len) == NULL);
  CHECK_INT(coreapi_boolean_value(n), 0);
  coreapi_node_free(n);
  n = I(INT64_MAX);
  CHECK(coreapi_integer_value(n) == INT64_MAX);
  coreapi_node_free(n);

  n = R(-0.5);
  CHECK_INT(coreapi_node_type_of(n), COREAPI_NODE_REAL);
  CHECK(coreapi_real_value(n) == -0.5);
  CHECK_INT(coreapi_integer_value(n), 0);
  coreapi_node_free(n);

  n = coreapi_boolean_new(42, &err);
  REQUIRE(n != NULL);
  CHECK_INT(coreapi_node_type_of(n), COREAPI_NODE_BOOLEAN);
  CHECK(coreapi_boolean_value(n) != 0);
  coreapi_node_free(n);
  n = coreapi_boolean_new(0, NULL);
  REQUIRE(n != NULL);
  CHECK_INT(coreapi_boolean_value(n), 0);
  coreapi_node_free(n);

  n = coreapi_null_new(&err);
  REQUIRE(n != NULL);
  CHECK_INT(coreapi_node_type_of(n), COREAPI_NODE_NULL);
  CHECK_INT(coreapi_integer_value(n), 0);
  CHECK(coreapi_string_value(n, NULL) == NULL);
  coreapi_node_free(n);

  /* Type names as the reference writes them. */
  CHECK_STR(coreapi_node_type_name(COREAPI_NODE_DOCUMENT), "document");
  CHECK_STR(coreapi_node_type_name(COREAPI_NODE_OBJECT), "object");
  CHECK_STR(coreapi_node_type_name(COREAPI_NODE_ARRAY), "array");
  CHECK_STR(coreapi_node_type_name(COREAPI_NODE_LINK), "link");
  CHECK_STR(coreapi_node_type_name(COREAPI_NODE_ERROR), "error");
  CHECK_STR(coreapi_node_type_name(COREAPI_NODE_STRING), "string");
  CHECK_STR(coreapi_node_type_name(COREAPI_NODE_INTEGER), "integer");
  CHECK_STR(coreapi_node_type_name(COREAPI_NODE_REAL), "real");
  CHECK_STR(coreapi_node_type_name(COREAPI_NODE_BOOLEAN), "boolean");
  CHECK_STR(coreapi_node_type_name(COREAPI_NODE_NULL), "null");
}

/* --- reference counting --------------------------------------------------- */

static void test_refcount(void) {
  coreapi_node *s = S("shared"), *a, *b;
  coreapi_map_builder *mb;
  coreapi_array_builder *ab;

  CHECK(coreapi_node_ref(s) == s); /* two references */
  coreapi_node_free(s);            /* one left */
  CHECK_STR(coreapi_string_value(s, NULL), "shared");

  /* One node in two containers: each holds its own reference. */
  mb = coreapi_map_builder_new();
  ab = coreapi_array_builder_new();
  REQUIRE(mb != NULL && ab != NULL);
  set(mb, "k", coreapi_node_ref(s));
  CHECK_INT(coreapi_array_builder_append(ab, coreapi_node_ref(s), NULL), COREAPI_OK);
  a = coreapi_map_builder_object(mb, NULL);
  b = coreapi_array_builder_finish(ab, NULL);
  REQUIRE(a != NULL && b != NULL);
  CHECK(coreapi_map_get(a, "k", 1) == s);
  CHECK(coreapi_array_get(b, 0) == s);
  coreapi_node_free(s); /* ours: the containers keep it alive */
  coreapi_node_free(a);
  CHECK_STR(coreapi_string_value(coreapi_array_get(b, 0), NULL), "shared");
  /* A borrowed node can be kept past its container with a reference. */
  s = coreapi_node_ref(coreapi_array_get(b, 0));
  coreapi_node_free(b);
  CHECK_STR(coreapi_string_value(s, NULL), "shared");
  coreapi_node_free(s);
}

/* --- attributes ------------------------------------------------------------- */

static void test_attributes(void) {
  coreapi_error err;
  coreapi_map_builder *b = coreapi_map_builder_new();
  coreapi_node *doc, *obj, *e, *link;
  char url[] = "http://example.com/";
  coreapi_link_spec spec = {"/x", "post", "application/json", "inplace", "T", "D", NULL, 0, NULL};

  REQUIRE(b != NULL);
  doc = coreapi_map_builder_document(b, url, "Title", "Desc", "application/coreapi+json", &err);
  REQUIRE(doc != NULL);
  CHECK_INT(err.code, COREAPI_OK);
  url[0] = 'X'; /* copied */
  CHECK_INT(coreapi_node_type_of(doc), COREAPI_NODE_DOCUMENT);
  CHECK_STR(coreapi_node_url(doc), "http://example.com/");
  CHECK_STR(coreapi_node_title(doc), "Title");
  CHECK_STR(coreapi_node_description(doc), "Desc");
  CHECK_STR(coreapi_node_media_type(doc), "application/coreapi+json");
  CHECK(coreapi_link_action(doc) == NULL);
  CHECK(coreapi_link_encoding(doc) == NULL);
  CHECK(coreapi_link_transform(doc) == NULL);
  CHECK_INT(coreapi_map_size(doc), 0);
  coreapi_node_free(doc);

  /* NULL attributes are "". */
  b = coreapi_map_builder_new();
  REQUIRE(b != NULL);
  doc = coreapi_map_builder_document(b, NULL, NULL, NULL, NULL, NULL);
  REQUIRE(doc != NULL);
  CHECK_STR(coreapi_node_url(doc), "");
  CHECK_STR(coreapi_node_title(doc), "");
  CHECK_STR(coreapi_node_description(doc), "");
  CHECK_STR(coreapi_node_media_type(doc), "");
  coreapi_node_free(doc);

  /* An Object has none of them. */
  b = coreapi_map_builder_new();
  REQUIRE(b != NULL);
  obj = coreapi_map_builder_object(b, &err);
  REQUIRE(obj != NULL);
  CHECK_INT(coreapi_node_type_of(obj), COREAPI_NODE_OBJECT);
  CHECK(coreapi_node_url(obj) == NULL);
  CHECK(coreapi_node_title(obj) == NULL);
  CHECK(coreapi_node_description(obj) == NULL);
  CHECK(coreapi_node_media_type(obj) == NULL);
  coreapi_node_free(obj);

  /* An Error has a title only. */
  b = coreapi_map_builder_new();
  REQUIRE(b != NULL);
  e = coreapi_map_builder_error(b, "Not Found", &err);
  REQUIRE(e != NULL);
  CHECK_INT(coreapi_node_type_of(e), COREAPI_NODE_ERROR);
  CHECK_STR(coreapi_node_title(e), "Not Found");
  CHECK(coreapi_node_url(e) == NULL);
  CHECK(coreapi_node_description(e) == NULL);
  CHECK(coreapi_node_media_type(e) == NULL);
  coreapi_node_free(e);
  b = coreapi_map_builder_new();
  REQUIRE(b != NULL);
  e = coreapi_map_builder_error(b, NULL, NULL);
  REQUIRE(e != NULL);
  CHECK_STR(coreapi_node_title(e), "");
  coreapi_node_free(e);

  /* A Link: url, title, description, action, encoding, transform. */
  link = coreapi_link_new(&spec, &err);
  REQUIRE(link != NULL);
  CHECK_INT(err.code, COREAPI_OK);
  CHECK_INT(coreapi_node_type_of(link), COREAPI_NODE_LINK);
  CHECK_STR(coreapi_node_url(link), "/x");
  CHECK_STR(coreapi_link_action(link), "post");
  CHECK_STR(coreapi_link_encoding(link), "application/json");
  CHECK_STR(coreapi_link_transform(link), "inplace");
  CHECK_STR(coreapi_node_title(link), "T");
  CHECK_STR(coreapi_node_description(link), "D");
  CHECK(coreapi_node_media_type(link) == NULL);
  CHECK_INT(coreapi_map_size(link), 0);
  CHECK_INT(coreapi_link_field_count(link), 0);
  CHECK(coreapi_link_field(link, 0) == NULL);
  coreapi_node_free(link);

  /* Primitives have no attributes. */
  e = S("s");
  CHECK(coreapi_node_url(e) == NULL);
  CHECK(coreapi_node_title(e) == NULL);
  CHECK(coreapi_link_action(e) == NULL);
  coreapi_node_free(e);
}

/* --- map builders ------------------------------------------------------------ */

static void test_map_builder(void) {
  coreapi_error err;
  coreapi_map_builder *b = coreapi_map_builder_new();
  coreapi_node *m, *v;
  const char *key;
  size_t klen;

  REQUIRE(b != NULL);
  set(b, "b", I(1));
  set(b, "a", I(2));
  set(b, "c", I(3));
  set(b, "b", I(4)); /* replaces, keeping the first position */
  CHECK_INT(coreapi_map_builder_set(b, "k\0x", 3, S("nul"), &err), COREAPI_OK);
  CHECK_INT(coreapi_map_builder_set(b, "k", 1, S("k"), &err), COREAPI_OK);
  CHECK_INT(coreapi_map_builder_set(b, NULL, 0, S("empty key"), &err), COREAPI_OK);

  /* Rejected keys and values; the value is released all the same (the leak
   * checker would see it otherwise). */
  err.code = COREAPI_OK;
  CHECK_INT(coreapi_map_builder_set(b, "bad\xff", 4, S("dropped"), &err),
            COREAPI_ERR_INVALID_ARGUMENT);
  CHECK_INT(err.code, COREAPI_ERR_INVALID_ARGUMENT);
  err.code = COREAPI_OK;
  CHECK_INT(coreapi_map_builder_set(b, "\xed\xa0\x80", 3, I(0), &err),
            COREAPI_ERR_INVALID_ARGUMENT);
  CHECK_INT(coreapi_map_builder_set(b, NULL, 2, I(0), NULL), COREAPI_ERR_INVALID_ARGUMENT);
  err.code = COREAPI_OK;
  CHECK(coreapi_map_builder_set(b, "nv", 2, NULL, &err) != COREAPI_OK);
  CHECK(coreapi_map_builder_set(NULL, "x", 1, S("no builder"), NULL) != COREAPI_OK);

  m = coreapi_map_builder_object(b, &err);
  REQUIRE(m != NULL);
  CHECK_INT(err.code, COREAPI_OK);
  CHECK_INT(coreapi_map_size(m), 6);
  CHECK_INT(coreapi_map_data_count(m), 6);

  /* Insertion order, with "b" where it was first set. */
  {
    static const char *const want[] = {"b", "a", "c", "k\0x", "k", ""};
    static const size_t want_len[] = {1, 1, 1, 3, 1, 0};
    for (size_t i = 0; i < 6; i++) {
      v = coreapi_map_entry_inserted(m, i, &key, &klen);
      CHECK(v != NULL);
      CHECK_INT(klen, want_len[i]);
      CHECK(key != NULL && memcmp(key, want[i], klen) == 0 && key[klen] == '\0');
    }
    CHECK(coreapi_map_entry_inserted(m, 6, &key, &klen) == NULL);
  }
  /* Iteration order: keys sorted by their bytes ("" < "a" < ... < "k" < "k\0x"). */
  {
    static const char *const want[] = {"", "a", "b", "c", "k", "k\0x"};
    static const size_t want_len[] = {0, 1, 1, 1, 1, 3};
    for (size_t i = 0; i < 6; i++) {
      v = coreapi_map_entry(m, i, &key, &klen);
      CHECK(v != NULL);
      CHECK_INT(klen, want_len[i]);
      CHECK(key != NULL && memcmp(key, want[i], klen) == 0);
    }
    CHECK(coreapi_map_entry(m, 6, NULL, NULL) == NULL);
    CHECK(coreapi_map_entry(m, SIZE_MAX, NULL, NULL) == NULL);
    /* key and key_len may be NULL */
    CHECK(coreapi_map_entry(m, 1, NULL, NULL) == coreapi_map_get(m, "a", 1));
  }

  /* map_get by exact bytes. */
  CHECK_INT(coreapi_integer_value(coreapi_map_get(m, "b", 1)), 4);
  CHECK_INT(coreapi_integer_value(coreapi_map_get(m, "a", 1)), 2);
  CHECK_STR(coreapi_string_value(coreapi_map_get(m, "k\0x", 3), NULL), "nul");
  CHECK_STR(coreapi_string_value(coreapi_map_get(m, "k", 1), NULL), "k");
  CHECK_STR(coreapi_string_value(coreapi_map_get(m, "", 0), NULL), "empty key");
  CHECK(coreapi_map_get(m, "k\0", 2) == NULL);
  CHECK(coreapi_map_get(m, "bb", 2) == NULL);
  CHECK(coreapi_map_get(m, "bb", 1) == coreapi_map_get(m, "b", 1)); /* key_len counts */
  CHECK(coreapi_map_get(m, "d", 1) == NULL);
  CHECK(coreapi_map_get(m, "B", 1) == NULL);
  CHECK(coreapi_map_get(m, NULL, 1) == NULL);
  coreapi_node_free(m);

  /* An abandoned builder releases what it holds; free(NULL) is fine. */
  b = coreapi_map_builder_new();
  REQUIRE(b != NULL);
  set(b, "x", S("abandoned"));
  coreapi_map_builder_free(b);
  coreapi_map_builder_free(NULL);

  /* Finishing a NULL builder fails cleanly. */
  err.code = COREAPI_OK;
  CHECK(coreapi_map_builder_object(NULL, &err) == NULL);
  CHECK_INT(err.code, COREAPI_ERR_INVALID_ARGUMENT);
  err.code = COREAPI_OK;
  CHECK(coreapi_map_builder_document(NULL, "u", NULL, NULL, NULL, &err) == NULL);
  CHECK_INT(err.code, COREAPI_ERR_INVALID_ARGUMENT);
  err.code = COREAPI_OK;
  CHECK(coreapi_map_builder_error(NULL, "t", &err) == NULL);
  CHECK_INT(err.code, COREAPI_ERR_INVALID_ARGUMENT);

  /* A map is no array, and not every node is a map. */
  b = coreapi_map_builder_new();
  REQUIRE(b != NULL);
  set(b, "x", I(1));
  m = coreapi_map_builder_document(b, "u", NULL, NULL, NULL, NULL);
  REQUIRE(m != NULL);
  CHECK_INT(coreapi_array_size(m), 0);
  CHECK(coreapi_array_get(m, 0) == NULL);
  coreapi_node_free(m);
  v = S("x");
  CHECK_INT(coreapi_map_size(v), 0);
  CHECK_INT(coreapi_map_data_count(v), 0);
  CHECK(coreapi_map_entry(v, 0, &key, &klen) == NULL);
  CHECK(coreapi_map_entry_inserted(v, 0, &key, &klen) == NULL);
  CHECK(coreapi_map_get(v, "x", 1) == NULL);
  coreapi_node_free(v);
}

/* --- iteration order: data sorted, then links by url and action ------------- */

static coreapi_node *ordered_map(coreapi_node_type type) {
  coreapi_map_builder *b = coreapi_map_builder_new();
  REQUIRE(b != NULL);
  /* Insertion order is deliberately scrambled. */
  set(b, "t1", L("/b", "post"));
  set(b, "z", I(1));
  set(b, "t2", L("/b", "get"));
  set(b, "t3", L("/a", "delete"));
  set(b, "t4", L("/a", "patch"));
  set(b, "\xc3\xa4", I(2)); /* U+00E4 sorts after ASCII */
  set(b, "t5", L("/a", "put"));
  set(b, "t6", L("/a", "post"));
  set(b, "t7", L("/a", "get"));
  set(b, "t8", L("/a", "options"));
  set(b, "t9", L("/a", "GET")); /* not "get": another action */
  set(b, "B", S("upper"));
  set(b, "tie_z", L("/c", "get"));
  set(b, "tie_a", L("/c", "get"));
  set(b, "tie_m", L("/c", "get"));
  set(b, "noaction", L("/a", NULL));
  set(b, "_a", I(3));
  set(b, "t0", L("", "put"));
  set(b, "aa", I(4));
  set(b, "a", I(5));
  set(b, "other", L("/a", "head"));
  set(b, "arr", coreapi_array_builder_finish(coreapi_array_builder_new(), NULL));
  if (type == COREAPI_NODE_OBJECT)
    return coreapi_map_builder_object(b, NULL);
  if (type == COREAPI_NODE_ERROR)
    return coreapi_map_builder_error(b, "E", NULL);
  return coreapi_map_builder_document(b, "http://example.com/", "T", NULL, NULL, NULL);
}

static void test_iteration_order(void) {
  static const coreapi_node_type types[] = {COREAPI_NODE_DOCUMENT, COREAPI_NODE_OBJECT,
                                            COREAPI_NODE_ERROR};
  for (size_t t = 0; t < 3; t++) {
    coreapi_node *m = ordered_map(types[t]);
    char got[512];
    REQUIRE(m != NULL);
    CHECK_INT(coreapi_map_size(m), 22);
    CHECK_INT(coreapi_map_data_count(m), 7);
    keys_in_order(m, got, sizeof(got), 0);
    /* data: B _a a aa arr z ä (bytes); links: "" < "/a" < "/b" < "/c"; for
     * "/a": get, post, put, patch, delete, then the rest in insertion order
     * (options, GET, no action, head); ties in insertion order. */
    CHECK_STR(got, "B,_a,a,aa,arr,z,\xc3\xa4,"
                   "t0,t7,t6,t5,t4,t3,t8,t9,noaction,other,t2,t1,tie_z,tie_a,tie_m");
    keys_in_order(m, got, sizeof(got), 1);
    CHECK_STR(got, "t1,z,t2,t3,t4,\xc3\xa4,t5,t6,t7,t8,t9,B,tie_z,tie_a,tie_m,noaction,_a,t0,"
                   "aa,a,other,arr");
    /* The data view is [0, data_count), the links view the rest. */
    for (size_t i = 0; i < coreapi_map_size(m); i++) {
      coreapi_node *v = coreapi_map_entry(m, i, NULL, NULL);
      CHECK((coreapi_node_type_of(v) == COREAPI_NODE_LINK) == (i >= coreapi_map_data_count(m)));
    }
    coreapi_node_free(m);
  }

  /* Only links, only data, empty. */
  {
    coreapi_map_builder *b = coreapi_map_builder_new();
    coreapi_node *m;
    char got[128];
    REQUIRE(b != NULL);
    set(b, "y", L("/2", NULL));
    set(b, "x", L("/1", "delete"));
    set(b, "w", L("/1", "delete"));
    m = coreapi_map_builder_object(b, NULL);
    REQUIRE(m != NULL);
    CHECK_INT(coreapi_map_data_count(m), 0);
    keys_in_order(m, got, sizeof(got), 0);
    CHECK_STR(got, "x,w,y");
    coreapi_node_free(m);

    b = coreapi_map_builder_new();
    REQUIRE(b != NULL);
    m = coreapi_map_builder_object(b, NULL);
    REQUIRE(m != NULL);
    CHECK_INT(coreapi_map_size(m), 0);
    CHECK_INT(coreapi_map_data_count(m), 0);
    CHECK(coreapi_map_entry(m, 0, NULL, NULL) == NULL);
    CHECK(coreapi_map_get(m, "", 0) == NULL);
    coreapi_node_free(m);
  }

  /* Replacing a link by data (and back) moves the key between the views. */
  {
    coreapi_map_builder *b = coreapi_map_builder_new();
    coreapi_node *m;
    char got[128];
    REQUIRE(b != NULL);
    set(b, "a", L("/a", "get"));
    set(b, "b", I(1));
    set(b, "a", I(2));
    set(b, "b", L("/b", "get"));
    m = coreapi_map_builder_object(b, NULL);
    REQUIRE(m != NULL);
    CHECK_INT(coreapi_map_data_count(m), 1);
    keys_in_order(m, got, sizeof(got), 0);
    CHECK_STR(got, "a,b");
    CHECK_INT(coreapi_node_type_of(coreapi_map_get(m, "b", 1)), COREAPI_NODE_LINK);
    coreapi_node_free(m);
  }
}

/* --- arrays ------------------------------------------------------------------ */

static void test_arrays(void) {
  coreapi_error err;
  coreapi_array_builder *b = coreapi_array_builder_new();
  coreapi_node *a;
  REQUIRE(b != NULL);
  CHECK_INT(coreapi_array_builder_append(b, S("x"), &err), COREAPI_OK);
  CHECK_INT(coreapi_array_builder_append(b, I(2), &err), COREAPI_OK);
  CHECK_INT(coreapi_array_builder_append(b, L("/l", "get"), &err), COREAPI_OK);
  err.code = COREAPI_OK;
  CHECK(coreapi_array_builder_append(b, NULL, &err) != COREAPI_OK);
  CHECK(coreapi_array_builder_append(NULL, S("released"), NULL) != COREAPI_OK);
  a = coreapi_array_builder_finish(b, &err);
  REQUIRE(a != NULL);
  CHECK_INT(err.code, COREAPI_OK);
  CHECK_INT(coreapi_node_type_of(a), COREAPI_NODE_ARRAY);
  CHECK_INT(coreapi_array_size(a), 3);
  CHECK_STR(coreapi_string_value(coreapi_array_get(a, 0), NULL), "x");
  CHECK_INT(coreapi_integer_value(coreapi_array_get(a, 1)), 2);
  CHECK_STR(coreapi_node_url(coreapi_array_get(a, 2)), "/l");
  CHECK(coreapi_array_get(a, 3) == NULL);
  CHECK(coreapi_array_get(a, SIZE_MAX) == NULL);
  CHECK_INT(coreapi_map_size(a), 0);
  CHECK(coreapi_map_get(a, "0", 1) == NULL);
  coreapi_node_free(a);

  /* Empty, abandoned, NULL. */
  a = coreapi_array_builder_finish(coreapi_array_builder_new(), NULL);
  REQUIRE(a != NULL);
  CHECK_INT(coreapi_array_size(a), 0);
  CHECK(coreapi_array_get(a, 0) == NULL);
  coreapi_node_free(a);
  b = coreapi_array_builder_new();
  REQUIRE(b != NULL);
  CHECK_INT(coreapi_array_builder_append(b, S("abandoned"), NULL), COREAPI_OK);
  coreapi_array_builder_free(b);
  coreapi_array_builder_free(NULL);
  err.code = COREAPI_OK;
  CHECK(coreapi_array_builder_finish(NULL, &err) == NULL);
  CHECK_INT(err.code, COREAPI_ERR_INVALID_ARGUMENT);
}

/* --- links and fields ---------------------------------------------------------- */

static void test_links(void) {
  coreapi_error err;
  coreapi_array_builder *eb = coreapi_array_builder_new();
  coreapi_node *values, *link;
  char name[] = "page";
  coreapi_field_spec fields[3];
  coreapi_link_spec spec = {0};
  const coreapi_field *f;

  REQUIRE(eb != NULL);
  CHECK_INT(coreapi_array_builder_append(eb, S("red"), NULL), COREAPI_OK);
  CHECK_INT(coreapi_array_builder_append(eb, I(1), NULL), COREAPI_OK);
  values = coreapi_array_builder_finish(eb, NULL);
  REQUIRE(values != NULL);

  memset(fields, 0, sizeof(fields));
  fields[0].name = name;
  fields[0].required = 0;
  fields[0].location = "query";
  fields[0].schema_type = "integer";
  fields[0].schema_title = "Page";
  fields[0].schema_description = "A page number.";
  fields[1].name = "color";
  fields[1].required = 7;
  fields[1].location = "form";
  fields[1].schema_type = "enum";
  fields[1].schema_enum = values;
  fields[2].name = "bare"; /* everything else NULL */
  spec.url = "http://example.com/items/";
  spec.action = "get";
  spec.fields = fields;
  spec.field_count = 3;

  link = coreapi_link_new(&spec, &err);
  REQUIRE(link != NULL);
  CHECK_INT(err.code, COREAPI_OK);
  name[0] = 'X';               /* the spec was copied */
  coreapi_node_free(values);   /* the link holds its own reference */
  CHECK_STR(coreapi_node_url(link), "http://example.com/items/");
  CHECK_STR(coreapi_link_action(link), "get");
  CHECK_STR(coreapi_link_encoding(link), "");
  CHECK_STR(coreapi_link_transform(link), "");
  CHECK_STR(coreapi_node_title(link), "");
  CHECK_STR(coreapi_node_description(link), "");
  CHECK_INT(coreapi_link_field_count(link), 3);

  f = coreapi_link_field(link, 0);
  REQUIRE(f != NULL);
  CHECK_STR(coreapi_field_name(f), "page");
  CHECK_INT(coreapi_field_required(f), 0);
  CHECK_STR(coreapi_field_location(f), "query");
  CHECK_STR(coreapi_field_schema_type(f), "integer");
  CHECK_STR(coreapi_field_schema_title(f), "Page");
  CHECK_STR(coreapi_field_schema_description(f), "A page number.");
  CHECK(coreapi_field_schema_enum(f) == NULL);

  f = coreapi_link_field(link, 1);
  REQUIRE(f != NULL);
  CHECK_STR(coreapi_field_name(f), "color");
  CHECK(coreapi_field_required(f) != 0);
  CHECK_STR(coreapi_field_schema_type(f), "enum");
  CHECK_STR(coreapi_field_schema_title(f), "");
  REQUIRE(coreapi_field_schema_enum(f) != NULL);
  CHECK_INT(coreapi_array_size(coreapi_field_schema_enum(f)), 2);
  CHECK_STR(coreapi_string_value(coreapi_array_get(coreapi_field_schema_enum(f), 0), NULL), "red");

  f = coreapi_link_field(link, 2);
  REQUIRE(f != NULL);
  CHECK_STR(coreapi_field_name(f), "bare");
  CHECK_INT(coreapi_field_required(f), 0);
  CHECK_STR(coreapi_field_location(f), "");
  CHECK_STR(coreapi_field_schema_type(f), ""); /* no schema */
  CHECK_STR(coreapi_field_schema_title(f), "");
  CHECK_STR(coreapi_field_schema_description(f), "");
  CHECK(coreapi_field_schema_enum(f) == NULL);

  CHECK(coreapi_link_field(link, 3) == NULL);
  coreapi_node_free(link);

  /* Invalid specs. */
  err.code = COREAPI_OK;
  CHECK(coreapi_link_new(NULL, &err) == NULL);
  CHECK_INT(err.code, COREAPI_ERR_INVALID_ARGUMENT);
  spec.fields = NULL; /* with field_count 3 */
  err.code = COREAPI_OK;
  CHECK(coreapi_link_new(&spec, &err) == NULL);
  CHECK_INT(err.code, COREAPI_ERR_INVALID_ARGUMENT);
  spec.fields = fields;
  spec.field_count = 1;
  spec.url = "/\xc3"; /* not UTF-8 */
  err.code = COREAPI_OK;
  CHECK(coreapi_link_new(&spec, &err) == NULL);
  CHECK_INT(err.code, COREAPI_ERR_INVALID_ARGUMENT);
  spec.url = "/ok";
  fields[0].name = "\xff";
  err.code = COREAPI_OK;
  CHECK(coreapi_link_new(&spec, &err) == NULL);
  CHECK_INT(err.code, COREAPI_ERR_INVALID_ARGUMENT);
  fields[0].name = "n";
  fields[0].schema_type = "enum";
  fields[0].schema_enum = values = S("not an array");
  err.code = COREAPI_OK;
  link = coreapi_link_new(&spec, &err);
  CHECK(link == NULL);
  CHECK_INT(err.code, COREAPI_ERR_INVALID_ARGUMENT);
  coreapi_node_free(link);
  coreapi_node_free(values);

  /* A link without anything. */
  memset(&spec, 0, sizeof(spec));
  link = coreapi_link_new(&spec, NULL);
  REQUIRE(link != NULL);
  CHECK_STR(coreapi_node_url(link), "");
  CHECK_STR(coreapi_link_action(link), "");
  CHECK_INT(coreapi_link_field_count(link), 0);
  coreapi_node_free(link);

  /* Fields of something that is not a link. */
  values = S("x");
  CHECK_INT(coreapi_link_field_count(values), 0);
  CHECK(coreapi_link_field(values, 0) == NULL);
  coreapi_node_free(values);
}

/* --- deep equality -------------------------------------------------------------- */

static coreapi_node *small_doc(const char *url, int swap, coreapi_node *extra) {
  coreapi_map_builder *b = coreapi_map_builder_new(), *ob = coreapi_map_builder_new();
  coreapi_array_builder *ab = coreapi_array_builder_new();
  REQUIRE(b != NULL && ob != NULL && ab != NULL);
  CHECK_INT(coreapi_array_builder_append(ab, I(1), NULL), COREAPI_OK);
  CHECK_INT(coreapi_array_builder_append(ab, S("two"), NULL), COREAPI_OK);
  set(ob, "x", coreapi_null_new(NULL));
  if (swap) {
    set(b, "list", coreapi_array_builder_finish(ab, NULL));
    set(b, "obj", coreapi_map_builder_object(ob, NULL));
    set(b, "go", L("/go", "get"));
  } else {
    set(b, "go", L("/go", "get"));
    set(b, "obj", coreapi_map_builder_object(ob, NULL));
    set(b, "list", coreapi_array_builder_finish(ab, NULL));
  }
  if (extra != NULL)
    set(b, "extra", extra);
  return coreapi_map_builder_document(b, url, "T", NULL, NULL, NULL);
}

static void test_equality(void) {
  coreapi_node *a, *b, *c;

  /* Integer 1 == Real 1.0, as in Python; 1 != 1.5; huge values exactly. */
  a = I(1);
  b = R(1.0);
  CHECK(coreapi_node_equal(a, b));
  CHECK(coreapi_node_equal(b, a));
  coreapi_node_free(b);
  b = R(1.5);
  CHECK(!coreapi_node_equal(a, b));
  coreapi_node_free(b);
  coreapi_node_free(a);
  a = I(9007199254740993); /* 2**53 + 1 */
  b = R(9007199254740992.0);
  CHECK(!coreapi_node_equal(a, b));
  coreapi_node_free(a);
  a = I(9007199254740992);
  CHECK(coreapi_node_equal(a, b));
  coreapi_node_free(a);
  coreapi_node_free(b);
  a = I(INT64_MAX);
  b = R(9223372036854775808.0); /* 2**63: not representable as int64 */
  CHECK(!coreapi_node_equal(a, b));
  coreapi_node_free(a);
  coreapi_node_free(b);
  a = R(0.0);
  b = R(-0.0);
  CHECK(coreapi_node_equal(a, b));
  coreapi_node_free(a);
  coreapi_node_free(b);

  /* Strings by their bytes, including NUL. */
  a = coreapi_string_new("a\0b", 3, NULL);
  b = coreapi_string_new("a\0c", 3, NULL);
  c = coreapi_string_new("a", 1, NULL);
  REQUIRE(a != NULL && b != NULL && c != NULL);
  CHECK(!coreapi_node_equal(a, b));
  CHECK(!coreapi_node_equal(a, c));
  CHECK(coreapi_node_equal(a, a));
  coreapi_node_free(b);
  b = coreapi_string_new("a\0b", 3, NULL);
  CHECK(coreapi_node_equal(a, b));
  coreapi_node_free(a);
  coreapi_node_free(b);
  coreapi_node_free(c);

  /* Different types are different: "1" vs 1, null vs false. */
  a = S("1");
  b = I(1);
  CHECK(!coreapi_node_equal(a, b));
  coreapi_node_free(a);
  coreapi_node_free(b);
  a = coreapi_null_new(NULL);
  b = coreapi_boolean_new(0, NULL);
  c = coreapi_null_new(NULL);
  CHECK(!coreapi_node_equal(a, b));
  CHECK(coreapi_node_equal(a, c));
  coreapi_node_free(a);
  coreapi_node_free(b);
  coreapi_node_free(c);

  /* Maps compare as sets of keys: insertion order does not matter. */
  a = small_doc("http://x/", 0, NULL);
  b = small_doc("http://x/", 1, NULL);
  REQUIRE(a != NULL && b != NULL);
  CHECK(coreapi_node_equal(a, b));
  coreapi_node_free(b);
  b = small_doc("http://y/", 0, NULL); /* another url */
  CHECK(!coreapi_node_equal(a, b));
  coreapi_node_free(b);
  b = small_doc("http://x/", 0, I(0)); /* one key more */
  CHECK(!coreapi_node_equal(a, b));
  CHECK(!coreapi_node_equal(b, a));
  coreapi_node_free(b);
  coreapi_node_free(a);
  a = small_doc("http://x/", 0, R(2.0));
  b = small_doc("http://x/", 1, I(2)); /* 2 == 2.0 deep inside */
  CHECK(coreapi_node_equal(a, b));
  coreapi_node_free(b);
  b = small_doc("http://x/", 1, I(3));
  CHECK(!coreapi_node_equal(a, b));
  coreapi_node_free(b);
  coreapi_node_free(a);

  /* A Document and an Object with the same content are not equal. */
  {
    coreapi_map_builder *m1 = coreapi_map_builder_new(), *m2 = coreapi_map_builder_new();
    REQUIRE(m1 != NULL && m2 != NULL);
    set(m1, "k", I(1));
    set(m2, "k", I(1));
    a = coreapi_map_builder_object(m1, NULL);
    b = coreapi_map_builder_document(m2, NULL, NULL, NULL, NULL, NULL);
    REQUIRE(a != NULL && b != NULL);
    CHECK(!coreapi_node_equal(a, b));
    coreapi_node_free(a);
    coreapi_node_free(b);
  }

  /* Arrays in order. */
  {
    coreapi_array_builder *x = coreapi_array_builder_new(), *y = coreapi_array_builder_new();
    REQUIRE(x != NULL && y != NULL);
    CHECK_INT(coreapi_array_builder_append(x, I(1), NULL), COREAPI_OK);
    CHECK_INT(coreapi_array_builder_append(x, I(2), NULL), COREAPI_OK);
    CHECK_INT(coreapi_array_builder_append(y, I(2), NULL), COREAPI_OK);
    CHECK_INT(coreapi_array_builder_append(y, I(1), NULL), COREAPI_OK);
    a = coreapi_array_builder_finish(x, NULL);
    b = coreapi_array_builder_finish(y, NULL);
    REQUIRE(a != NULL && b != NULL);
    CHECK(!coreapi_node_equal(a, b));
    coreapi_node_free(a);
    coreapi_node_free(b);
  }

  /* Links by their attributes. */
  a = L("/a", "get");
  b = L("/a", "get");
  c = L("/a", "post");
  CHECK(coreapi_node_equal(a, b));
  CHECK(!coreapi_node_equal(a, c));
  coreapi_node_free(c);
  c = L("/b", "get");
  CHECK(!coreapi_node_equal(a, c));
  coreapi_node_free(a);
  coreapi_node_free(b);
  coreapi_node_free(c);

  /* NULL is equal to nothing but (perhaps) NULL. */
  a = I(0);
  CHECK(!coreapi_node_equal(a, NULL));
  CHECK(!coreapi_node_equal(NULL, a));
  (void)coreapi_node_equal(NULL, NULL);
  coreapi_node_free(a);
}

/* --- lookup ------------------------------------------------------------------------ */

static void test_lookup(void) {
  coreapi_error err;
  coreapi_map_builder *b = coreapi_map_builder_new(), *ob = coreapi_map_builder_new();
  coreapi_array_builder *ab = coreapi_array_builder_new();
  coreapi_node *doc, *n;
  REQUIRE(b != NULL && ob != NULL && ab != NULL);
  set(ob, "name", S("alice"));
  CHECK_INT(coreapi_array_builder_append(ab, I(10), NULL), COREAPI_OK);
  CHECK_INT(coreapi_array_builder_append(ab, coreapi_map_builder_object(ob, NULL), NULL),
            COREAPI_OK);
  set(b, "users", coreapi_array_builder_finish(ab, NULL));
  set(b, "list", L("/users/", "get"));
  doc = coreapi_map_builder_document(b, "http://example.com/", NULL, NULL, NULL, NULL);
  REQUIRE(doc != NULL);

  {
    coreapi_key path[] = {{"users", 0}, {NULL, 1}, {"name", 0}};
    n = coreapi_node_lookup(doc, path, 3, &err);
    CHECK(n != NULL);
    CHECK_INT(err.code, COREAPI_OK);
    CHECK_STR(coreapi_string_value(n, NULL), "alice");
    /* Borrowed: the very node in the tree. */
    CHECK(n == coreapi_map_get(coreapi_array_get(coreapi_map_get(doc, "users", 5), 1), "name", 4));
  }
  {
    coreapi_key path[] = {{"list", 0}};
    n = coreapi_node_lookup(doc, path, 1, &err);
    CHECK_INT(coreapi_node_type_of(n), COREAPI_NODE_LINK);
  }
  /* n = 0 gives the root; keys may then be NULL. */
  CHECK(coreapi_node_lookup(doc, NULL, 0, &err) == doc);

  /* Missing key: ERR_NOT_FOUND naming it. */
  {
    coreapi_key path[] = {{"users", 0}, {NULL, 1}, {"nickname", 0}};
    err.code = COREAPI_OK;
    CHECK(coreapi_node_lookup(doc, path, 3, &err) == NULL);
    CHECK_INT(err.code, COREAPI_ERR_NOT_FOUND);
    CHECK(strstr(err.text, "nickname") != NULL);
  }
  {
    coreapi_key path[] = {{"nope", 0}};
    err.code = COREAPI_OK;
    CHECK(coreapi_node_lookup(doc, path, 1, &err) == NULL);
    CHECK_INT(err.code, COREAPI_ERR_NOT_FOUND);
    CHECK(strstr(err.text, "nope") != NULL);
  }
  /* Index out of range. */
  {
    coreapi_key path[] = {{"users", 0}, {NULL, 2}};
    err.code = COREAPI_OK;
    CHECK(coreapi_node_lookup(doc, path, 2, &err) == NULL);
    CHECK_INT(err.code, COREAPI_ERR_NOT_FOUND);
    CHECK(strstr(err.text, "2") != NULL);
  }
  /* A step into a node without content: a string, a link, an index into a
   * map, a key into an array. */
  {
    coreapi_key into_string[] = {{"users", 0}, {NULL, 1}, {"name", 0}, {"x", 0}};
    coreapi_key into_link[] = {{"list", 0}, {"url", 0}};
    coreapi_key index_map[] = {{NULL, 0}};
    coreapi_key key_array[] = {{"users", 0}, {"0", 0}};
    err.code = COREAPI_OK;
    CHECK(coreapi_node_lookup(doc, into_string, 4, &err) == NULL);
    CHECK_INT(err.code, COREAPI_ERR_NOT_FOUND);
    err.code = COREAPI_OK;
    CHECK(coreapi_node_lookup(doc, into_link, 2, &err) == NULL);
    CHECK_INT(err.code, COREAPI_ERR_NOT_FOUND);
    err.code = COREAPI_OK;
    CHECK(coreapi_node_lookup(doc, index_map, 1, &err) == NULL);
    CHECK_INT(err.code, COREAPI_ERR_NOT_FOUND);
    err.code = COREAPI_OK;
    CHECK(coreapi_node_lookup(doc, key_array, 2, &err) == NULL);
    CHECK_INT(err.code, COREAPI_ERR_NOT_FOUND);
    CHECK(coreapi_node_lookup(doc, key_array, 2, NULL) == NULL); /* err may be NULL */
  }
  /* NULL arguments. */
  {
    coreapi_key path[] = {{"users", 0}};
    err.code = COREAPI_OK;
    CHECK(coreapi_node_lookup(NULL, path, 1, &err) == NULL);
    CHECK_INT(err.code, COREAPI_ERR_INVALID_ARGUMENT);
    err.code = COREAPI_OK;
    CHECK(coreapi_node_lookup(doc, NULL, 1, &err) == NULL);
    CHECK_INT(err.code, COREAPI_ERR_INVALID_ARGUMENT);
  }
  coreapi_node_free(doc);
}

/* --- NULL everywhere --------------------------------------------------------------- */

static void test_null_handling(void) {
  size_t len = 7;
  const char *key = "unchanged";
  CHECK(coreapi_node_ref(NULL) == NULL);
  coreapi_node_free(NULL);
  CHECK_INT(coreapi_node_type_of(NULL), 0);
  CHECK(coreapi_string_value(NULL, &len) == NULL);
  CHECK_INT(coreapi_integer_value(NULL), 0);
  CHECK(coreapi_real_value(NULL) == 0.0);
  CHECK_INT(coreapi_boolean_value(NULL), 0);
  CHECK(coreapi_node_url(NULL) == NULL);
  CHECK(coreapi_node_title(NULL) == NULL);
  CHECK(coreapi_node_description(NULL) == NULL);
  CHECK(coreapi_node_media_type(NULL) == NULL);
  CHECK(coreapi_link_action(NULL) == NULL);
  CHECK(coreapi_link_encoding(NULL) == NULL);
  CHECK(coreapi_link_transform(NULL) == NULL);
  CHECK_INT(coreapi_map_size(NULL), 0);
  CHECK_INT(coreapi_map_data_count(NULL), 0);
  CHECK(coreapi_map_entry(NULL, 0, &key, &len) == NULL);
  CHECK(coreapi_map_entry_inserted(NULL, 0, NULL, NULL) == NULL);
  CHECK(coreapi_map_get(NULL, "k", 1) == NULL);
  CHECK_INT(coreapi_array_size(NULL), 0);
  CHECK(coreapi_array_get(NULL, 0) == NULL);
  CHECK_INT(coreapi_link_field_count(NULL), 0);
  CHECK(coreapi_link_field(NULL, 0) == NULL);
  coreapi_map_builder_free(NULL);
  coreapi_array_builder_free(NULL);
  /* Constructors accept a NULL err. */
  {
    coreapi_node *n = coreapi_string_new("\xff", 1, NULL);
    CHECK(n == NULL);
    n = coreapi_integer_new(1, NULL);
    CHECK(n != NULL);
    coreapi_node_free(n);
  }
}

/* --- strings of documents must be UTF-8 ---------------------------------------------- */

/* Every string in the model is UTF-8 (the codecs rely on it), so a document
 * or error attribute that is not is refused like a key or a link string. */
static void test_attribute_utf8(void) {
  coreapi_error err;
  coreapi_node *n;
  coreapi_map_builder *b = coreapi_map_builder_new();
  REQUIRE(b != NULL);
  set(b, "k", S("v"));
  err.code = COREAPI_OK;
  n = coreapi_map_builder_document(b, "http://example.com/\xf0", "ok", NULL, NULL, &err);
  CHECK(n == NULL);
  CHECK_INT(err.code, COREAPI_ERR_INVALID_ARGUMENT);
  coreapi_node_free(n);
  b = coreapi_map_builder_new();
  REQUIRE(b != NULL);
  err.code = COREAPI_OK;
  n = coreapi_map_builder_error(b, "bad \xc0\xaf title", &err);
  CHECK(n == NULL);
  CHECK_INT(err.code, COREAPI_ERR_INVALID_ARGUMENT);
  coreapi_node_free(n);
}

int main(void) {
  test_primitives();
  test_refcount();
  test_attributes();
  test_map_builder();
  test_iteration_order();
  test_arrays();
  test_links();
  test_equality();
  test_lookup();
  test_null_handling();
  test_attribute_utf8();
  return check_done("test_document");
}
