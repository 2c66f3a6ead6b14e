/*
 * test_security.c - security data in the document model (coreapi/document.h
 * "security"): a Document's schemes and a Link's requirement, their shapes
 * checked where they are given, kept by edits, compared by equality and
 * written and read by Core JSON; Core JSON of the wrong shape is ignored,
 * as the reference ignores members it does not know.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "coreapi/coreapi.h"
#include "nodes.h"

static coreapi_node *ARR(coreapi_node *first, ...) {
  coreapi_array_builder *b = coreapi_array_builder_new();
  va_list ap;
  REQUIRE(b != NULL);
  va_start(ap, first);
  for (coreapi_node *n = first; n != NULL; n = va_arg(ap, coreapi_node *))
    CHECK_INT(coreapi_array_builder_append(b, n, NULL), COREAPI_OK);
  va_end(ap);
  coreapi_node *a = coreapi_array_builder_finish(b, NULL);
  REQUIRE(a != NULL);
  return a;
}

static coreapi_node *schemes(void) {
  return OBJ("key", OBJ("type", S("apiKey"), "in", S("header"), "name", S("X-Key"), NULL),
             "basic", OBJ("type", S("http"), "scheme", S("basic"), NULL), NULL);
}

/* [{"key": []}, {"oauth": ["read"]}] */
static coreapi_node *requirement(void) {
  return ARR(OBJ("key", ARR(NULL), NULL), OBJ("oauth", ARR(S("read"), NULL), NULL), NULL);
}

static coreapi_node *link_with(coreapi_node *security, coreapi_error *err) {
  coreapi_link_spec spec = {0};
  spec.url = "http://api.test/a";
  spec.action = "get";
  spec.security = security;
  return coreapi_link_new(&spec, err);
}

static coreapi_node *document(coreapi_node *link, coreapi_node *sch) {
  coreapi_map_builder *b = coreapi_map_builder_new();
  coreapi_error err;
  REQUIRE(b != NULL);
  CHECK_INT(coreapi_map_builder_set(b, "a", 1, link, &err), COREAPI_OK);
  if (sch != NULL)
    CHECK_INT(coreapi_map_builder_set_security_schemes(b, sch, &err), COREAPI_OK);
  coreapi_node *d = coreapi_map_builder_document(b, "http://api.test/", "T", NULL,
                                                 "application/coreapi+json", &err);
  REQUIRE(d != NULL);
  return d;
}

static void test_shapes(void) {
  coreapi_error err;
  coreapi_map_builder *b = coreapi_map_builder_new();
  coreapi_node *bad[] = {S("x"), ARR(NULL), OBJ("k", S("not an object"), NULL)};
  REQUIRE(b != NULL);
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    CHECK_INT(coreapi_map_builder_set_security_schemes(b, bad[i], &err),
              COREAPI_ERR_INVALID_ARGUMENT);
    CHECK(strstr(err.text, "object of objects") != NULL);
  }
  CHECK_INT(coreapi_map_builder_set_security_schemes(NULL, schemes(), &err),
            COREAPI_ERR_INVALID_ARGUMENT);
  /* Only a Document has schemes. */
  CHECK_INT(coreapi_map_builder_set_security_schemes(b, schemes(), &err), COREAPI_OK);
  CHECK(coreapi_map_builder_object(b, &err) == NULL);
  CHECK_INT(err.code, COREAPI_ERR_INVALID_ARGUMENT);
  b = coreapi_map_builder_new();
  CHECK_INT(coreapi_map_builder_set_security_schemes(b, schemes(), &err), COREAPI_OK);
  CHECK(coreapi_map_builder_error(b, "E", &err) == NULL);
  /* Setting again replaces (the first released: leak-checked). */
  b = coreapi_map_builder_new();
  CHECK_INT(coreapi_map_builder_set_security_schemes(b, schemes(), &err), COREAPI_OK);
  CHECK_INT(coreapi_map_builder_set_security_schemes(b, OBJ(NULL), &err), COREAPI_OK);
  coreapi_node *d = coreapi_map_builder_document(b, NULL, NULL, NULL, NULL, &err);
  REQUIRE(d != NULL);
  CHECK_INT(coreapi_map_size(coreapi_document_security_schemes(d)), 0);
  coreapi_node_free(d);

  /* A link's requirement: an array of objects of arrays of strings. */
  coreapi_node *wrong[] = {OBJ(NULL), ARR(S("k"), NULL), ARR(OBJ("k", S("s"), NULL), NULL),
                           ARR(OBJ("k", ARR(I(1), NULL), NULL), NULL)};
  for (size_t i = 0; i < sizeof(wrong) / sizeof(wrong[0]); i++) {
    CHECK(link_with(wrong[i], &err) == NULL);
    CHECK_INT(err.code, COREAPI_ERR_INVALID_ARGUMENT);
    coreapi_node_free(wrong[i]);
  }
  coreapi_node *req = requirement();
  coreapi_node *link = link_with(req, &err);
  REQUIRE(link != NULL);
  CHECK(coreapi_link_security(link) == req); /* the link holds its own reference */
  coreapi_node_free(req);
  CHECK_INT(coreapi_array_size(coreapi_link_security(link)), 2);
  CHECK(coreapi_link_security(NULL) == NULL);
  CHECK(coreapi_document_security_schemes(link) == NULL);
  coreapi_node_free(link);
  link = link_with(NULL, &err);
  CHECK(coreapi_link_security(link) == NULL);
  coreapi_node_free(link);
}

static void test_equality_and_edits(void) {
  coreapi_node *req = requirement();
  coreapi_node *a = document(link_with(req, NULL), schemes());
  coreapi_node *b = document(link_with(req, NULL), schemes());
  coreapi_node *c = document(link_with(req, NULL), NULL);
  coreapi_node *e = document(link_with(NULL, NULL), schemes());
  coreapi_key key = {"other", 0};
  coreapi_error err;
  CHECK(coreapi_node_equal(a, b));
  CHECK(!coreapi_node_equal(a, c)); /* schemes differ */
  CHECK(!coreapi_node_equal(a, e)); /* a link's requirement differs */
  CHECK(coreapi_document_security_schemes(c) == NULL);
  /* An edited document keeps its schemes. */
  coreapi_node *x = S("x");
  coreapi_node *edited = coreapi_node_set_in(a, &key, 1, x, &err); /* x borrowed */
  coreapi_node_free(x);
  REQUIRE(edited != NULL);
  CHECK(coreapi_document_security_schemes(edited) == coreapi_document_security_schemes(a));
  coreapi_node_free(edited);
  coreapi_node_free(req);
  coreapi_node_free(a);
  coreapi_node_free(b);
  coreapi_node_free(c);
  coreapi_node_free(e);
}

static void test_corejson(void) {
  coreapi_node *req = requirement();
  coreapi_node *d = document(link_with(req, NULL), schemes()), *back;
  coreapi_error err;
  size_t len;
  char *text = coreapi_corejson_encode(d, 0, &len, &err);
  REQUIRE(text != NULL);
  CHECK(strstr(text, "\"_meta\":{\"url\":\"http://api.test/\",\"title\":\"T\","
                     "\"securitySchemes\":{\"key\":{\"type\":\"apiKey\"") != NULL);
  CHECK(strstr(text, "\"security\":[{\"key\":[]},{\"oauth\":[\"read\"]}]") != NULL);
  back = coreapi_corejson_decode(text, len, NULL, &err);
  REQUIRE(back != NULL);
  CHECK(coreapi_node_equal(d, back));
  coreapi_node_free(back);
  free(text);
  coreapi_node_free(d);
  coreapi_node_free(req);

  /* Schemes alone make a _meta; the wrong shapes are ignored. */
  static const char *const ignored[] = {
      "{\"_type\":\"document\",\"_meta\":{\"securitySchemes\":[1]},"
      "\"a\":{\"_type\":\"link\",\"url\":\"/a\",\"security\":{\"k\":[]}}}",
      "{\"_type\":\"document\",\"_meta\":{\"securitySchemes\":{\"k\":1}},"
      "\"a\":{\"_type\":\"link\",\"url\":\"/a\",\"security\":[{\"k\":[1]}]}}",
  };
  for (size_t i = 0; i < sizeof(ignored) / sizeof(ignored[0]); i++) {
    d = coreapi_corejson_decode(ignored[i], strlen(ignored[i]), NULL, &err);
    REQUIRE(d != NULL);
    CHECK(coreapi_document_security_schemes(d) == NULL);
    CHECK(coreapi_link_security(coreapi_map_get(d, "a", 1)) == NULL);
    coreapi_node_free(d);
  }
  const char *only = "{\"_type\":\"document\",\"_meta\":{\"securitySchemes\":{}},"
                     "\"a\":{\"_type\":\"link\",\"security\":[]}}";
  d = coreapi_corejson_decode(only, strlen(only), NULL, &err);
  REQUIRE(d != NULL);
  text = coreapi_corejson_encode(d, 0, &len, &err);
  REQUIRE(text != NULL);
  CHECK_STR(text, "{\"_type\":\"document\",\"_meta\":{\"securitySchemes\":{}},"
                  "\"a\":{\"_type\":\"link\",\"security\":[]}}");
  free(text);
  coreapi_node_free(d);
}

int main(void) {
  test_shapes();
  test_equality_and_edits();
  test_corejson();
  return check_done("test_security");
}
