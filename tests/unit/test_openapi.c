/*
 * tests/unit/test_openapi.c - OpenAPI 3 and Swagger 2 descriptions as Core
 * API documents (src/codecs/openapi*.c), rule by rule: one case per rule of
 * the mapping, each a small description whose document is checked link by
 * link, then the specification's own example descriptions.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <coreapi/coreapi.h>

#include "check.h"

#define BASE "https://desc.test/api/openapi.json"

static coreapi_node *decode(const char *text) {
  coreapi_error err;
  coreapi_node *d = coreapi_openapi_decode(text, strlen(text), BASE, &err);
  if (d == NULL)
    fprintf(stderr, "decode failed: %s\n  %s\n", err.text, text);
  return d;
}

/* The node at a/b (b may be NULL). */
static const coreapi_node *at(const coreapi_node *d, const char *a, const char *b) {
  const coreapi_node *n = coreapi_map_get(d, a, strlen(a));
  return b != NULL ? coreapi_map_get(n, b, strlen(b)) : n;
}

static const coreapi_field *field(const coreapi_node *link, const char *name) {
  for (size_t i = 0; i < coreapi_link_field_count(link); i++)
    if (strcmp(coreapi_field_name(coreapi_link_field(link, i)), name) == 0)
      return coreapi_link_field(link, i);
  return NULL;
}

static void expect_error(const char *text, const char *part) {
  coreapi_error err;
  coreapi_node *d = coreapi_openapi_decode(text, strlen(text), BASE, &err);
  CHECK(d == NULL);
  CHECK_INT(err.code, COREAPI_ERR_PARSE);
  if (strstr(err.text, part) == NULL)
    fprintf(stderr, "error \"%s\" lacks \"%s\"\n", err.text, part);
  CHECK(strstr(err.text, part) != NULL);
  coreapi_node_free(d);
}

static void test_servers(void) {
  coreapi_node *d = decode(
      "{\"openapi\":\"3.0.3\",\"info\":{\"title\":\"T\",\"description\":\"D\"},"
      "\"servers\":[{\"url\":\"https://{region}.api.test/{v}\",\"variables\":{\"region\":"
      "{\"default\":\"eu\"},\"v\":{\"default\":\"v2\"}}}],"
      "\"paths\":{\"/a/{id}\":{\"servers\":[{\"url\":\"/item\"}],"
      "\"get\":{\"operationId\":\"getA\"},"
      "\"put\":{\"operationId\":\"putA\",\"servers\":[{\"url\":\"http://op.test/x/\"}]}},"
      "\"/b\":{\"post\":{\"operationId\":\"postB\"}}}}");
  REQUIRE(d != NULL);
  CHECK_STR(coreapi_node_title(d), "T");
  CHECK_STR(coreapi_node_description(d), "D");
  CHECK_STR(coreapi_node_url(d), BASE);
  CHECK_STR(coreapi_node_url(at(d, "getA", NULL)), "https://desc.test/item/a/{id}");
  CHECK_STR(coreapi_node_url(at(d, "putA", NULL)), "http://op.test/x/a/{id}");
  CHECK_STR(coreapi_node_url(at(d, "postB", NULL)), "https://eu.api.test/v2/b");
  CHECK_STR(coreapi_link_action(at(d, "putA", NULL)), "put");
  coreapi_node_free(d);
  d = decode("{\"openapi\":\"3.1.0\",\"paths\":{\"/c\":{\"get\":{\"operationId\":\"c\"}}}}");
  REQUIRE(d != NULL);
  CHECK_STR(coreapi_node_url(at(d, "c", NULL)), "https://desc.test/c"); /* no servers: "/" */
  coreapi_node_free(d);
}

static void test_swagger_base(void) {
  coreapi_node *d = decode(
      "{\"swagger\":\"2.0\",\"host\":\"api.test:8443\",\"basePath\":\"/v1\","
      "\"schemes\":[\"http\",\"https\"],\"paths\":{\"/p\":{\"get\":{\"operationId\":\"p\"}}}}");
  REQUIRE(d != NULL);
  CHECK_STR(coreapi_node_url(at(d, "p", NULL)), "https://api.test:8443/v1/p");
  coreapi_node_free(d);
  d = decode("{\"swagger\":\"2.0\",\"paths\":{\"/p\":{\"get\":{\"operationId\":\"p\"}}}}");
  REQUIRE(d != NULL);
  CHECK_STR(coreapi_node_url(at(d, "p", NULL)), "https://desc.test/p"); /* the description's */
  coreapi_node_free(d);
}

static void test_operations_and_keys(void) {
  coreapi_node *d = decode(
      "{\"openapi\":\"3.0.0\",\"paths\":{\"/pets/{petId}\":{"
      "\"get\":{\"tags\":[\"pets\",\"x\"],\"operationId\":\"showPet\"},"
      "\"delete\":{\"tags\":[\"pets\"]},\"options\":{},\"head\":{},\"patch\":{},\"trace\":{},"
      "\"x-other\":{},\"summary\":\"s\"}},"
      "\"webhooks\":{\"hook\":{\"post\":{\"operationId\":\"hook\"}}}}");
  REQUIRE(d != NULL);
  CHECK(at(d, "pets", "showPet") != NULL);
  CHECK_STR(coreapi_link_action(at(d, "pets", "delete_pets_petId")), "delete");
  CHECK(at(d, "options_pets_petId", NULL) != NULL);
  CHECK(at(d, "head_pets_petId", NULL) != NULL);
  CHECK(at(d, "patch_pets_petId", NULL) != NULL);
  CHECK(at(d, "trace_pets_petId", NULL) != NULL);
  CHECK(at(d, "hook", NULL) == NULL); /* webhooks are not links */
  CHECK_INT(coreapi_map_size(d), 5);
  coreapi_node_free(d);
  /* Generated keys are unique: the same operationId twice, a key that is a tag. */
  d = decode("{\"openapi\":\"3.0.0\",\"paths\":{\"/a\":{\"get\":{\"operationId\":\"x\"},"
             "\"put\":{\"operationId\":\"x\"}},\"/t\":{\"get\":{\"operationId\":\"t\",\"tags\":[\"x\"]}}}}");
  REQUIRE(d != NULL);
  CHECK(at(d, "x", "t") != NULL); /* the tag keeps its name */
  CHECK(at(d, "x_2", NULL) != NULL && at(d, "x_3", NULL) != NULL);
  CHECK_INT(coreapi_map_size(d), 3);
  coreapi_node_free(d);
}

static void test_parameters(void) {
  coreapi_node *d = decode(
      "{\"openapi\":\"3.0.0\",\"components\":{\"parameters\":{\"Lim\":{\"name\":\"limit\","
      "\"in\":\"query\",\"schema\":{\"type\":\"integer\",\"title\":\"Limit\"}}}},"
      "\"paths\":{\"/a/{id}\":{\"parameters\":[{\"name\":\"id\",\"in\":\"path\","
      "\"description\":\"old\"},{\"name\":\"trace\",\"in\":\"header\"}],"
      "\"get\":{\"operationId\":\"g\",\"parameters\":[{\"name\":\"id\",\"in\":\"path\","
      "\"description\":\"new\",\"schema\":{\"type\":\"string\"}},{\"$ref\":\"#/components/parameters/Lim\"},"
      "{\"name\":\"s\",\"in\":\"cookie\",\"required\":true,\"schema\":{\"enum\":[\"a\",\"b\"]}},"
      "{\"name\":\"limit\",\"in\":\"header\"}]}}}}");
  const coreapi_node *g;
  const coreapi_field *f;
  REQUIRE(d != NULL);
  g = at(d, "g", NULL);
  CHECK_INT(coreapi_link_field_count(g), 4); /* id, trace, limit, s: the header "limit" loses */
  f = field(g, "id");
  CHECK(f != NULL && coreapi_field_required(f));
  CHECK(f != NULL && strcmp(coreapi_field_schema_description(f), "new") == 0);
  CHECK(f != NULL && strcmp(coreapi_field_location(f), "path") == 0);
  f = field(g, "trace");
  CHECK(f != NULL && strcmp(coreapi_field_location(f), "header") == 0 && !coreapi_field_required(f));
  f = field(g, "limit");
  CHECK(f != NULL && strcmp(coreapi_field_location(f), "query") == 0);
  CHECK(f != NULL && strcmp(coreapi_field_schema_type(f), "integer") == 0);
  CHECK(f != NULL && strcmp(coreapi_field_schema_title(f), "Limit") == 0);
  f = field(g, "s");
  CHECK(f != NULL && strcmp(coreapi_field_location(f), "cookie") == 0 && coreapi_field_required(f));
  CHECK(f != NULL && strcmp(coreapi_field_schema_type(f), "enum") == 0 &&
        coreapi_array_size(coreapi_field_schema_enum(f)) == 2);
  coreapi_node_free(d);
}

static void test_request_body(void) {
  coreapi_node *d = decode(
      "{\"openapi\":\"3.1.0\",\"components\":{\"schemas\":{\"Base\":{\"type\":\"object\","
      "\"properties\":{\"id\":{\"type\":\"integer\",\"readOnly\":true},\"name\":{\"type\":[\"string\",\"null\"]}},"
      "\"required\":[\"name\"]}}},\"paths\":{\"/p/{tag}\":{"
      "\"post\":{\"operationId\":\"create\",\"parameters\":[{\"name\":\"tag\",\"in\":\"path\"}],"
      "\"requestBody\":{\"required\":true,\"content\":{\"application/xml\":{},"
      "\"application/x-www-form-urlencoded\":{},\"application/vnd.api+json\":{\"schema\":"
      "{\"allOf\":[{\"$ref\":\"#/components/schemas/Base\"},{\"properties\":{\"tag\":{},\"age\":"
      "{\"type\":\"integer\"}},\"required\":[\"age\"]}]}}}}},"
      "\"put\":{\"operationId\":\"raw\",\"requestBody\":{\"content\":{\"text/plain\":"
      "{\"schema\":{\"type\":\"string\"}},\"multipart/form-data\":{\"schema\":{\"type\":\"array\"}}}}}}}}");
  const coreapi_node *c, *r;
  const coreapi_field *f;
  REQUIRE(d != NULL);
  c = at(d, "create", NULL);
  CHECK_STR(coreapi_link_encoding(c), "application/vnd.api+json");
  CHECK_INT(coreapi_link_field_count(c), 3); /* tag (path), name, age; id is readOnly */
  f = field(c, "name");
  CHECK(f != NULL && strcmp(coreapi_field_location(f), "form") == 0 && coreapi_field_required(f));
  CHECK(f != NULL && strcmp(coreapi_field_schema_type(f), "string") == 0);
  f = field(c, "age");
  CHECK(f != NULL && coreapi_field_required(f));
  CHECK(field(c, "id") == NULL);
  f = field(c, "tag");
  CHECK(f != NULL && strcmp(coreapi_field_location(f), "path") == 0);
  r = at(d, "raw", NULL);
  CHECK_STR(coreapi_link_encoding(r), "multipart/form-data");
  CHECK_INT(coreapi_link_field_count(r), 1);
  f = field(r, "body");
  CHECK(f != NULL && strcmp(coreapi_field_location(f), "body") == 0 && !coreapi_field_required(f));
  coreapi_node_free(d);
}

static void test_swagger_body(void) {
  coreapi_node *d = decode(
      "{\"swagger\":\"2.0\",\"consumes\":[\"application/xml\",\"application/json\"],"
      "\"paths\":{\"/p\":{\"post\":{\"operationId\":\"add\",\"parameters\":[{\"name\":\"pet\","
      "\"in\":\"body\",\"required\":true,\"schema\":{\"type\":\"string\"}}]},"
      "\"put\":{\"operationId\":\"up\",\"parameters\":[{\"name\":\"f\",\"in\":\"formData\","
      "\"type\":\"file\"},{\"name\":\"n\",\"in\":\"formData\",\"type\":\"string\",\"required\":true}]}}}}");
  const coreapi_node *a, *u;
  const coreapi_field *f;
  REQUIRE(d != NULL);
  a = at(d, "add", NULL);
  CHECK_STR(coreapi_link_encoding(a), "application/json");
  f = field(a, "pet");
  CHECK(f != NULL && strcmp(coreapi_field_location(f), "body") == 0 && coreapi_field_required(f));
  u = at(d, "up", NULL);
  CHECK_STR(coreapi_link_encoding(u), "multipart/form-data");
  f = field(u, "n");
  CHECK(f != NULL && strcmp(coreapi_field_location(f), "form") == 0 && coreapi_field_required(f));
  coreapi_node_free(d);
}

static void test_refs(void) {
  coreapi_node *d = decode(
      "{\"openapi\":\"3.0.0\",\"paths\":{\"/a/{id}\":{\"get\":{\"operationId\":\"orig\","
      "\"parameters\":[{\"name\":\"q\",\"in\":\"query\"}]}},"
      "\"/b\":{\"get\":{\"operationId\":\"copy\",\"parameters\":[{\"$ref\":"
      "\"#/paths/~1a~1%7Bid%7D/get/parameters/0\"}]}},"
      "\"/c\":{\"$ref\":\"#/x/item\"}},\"x\":{\"item\":{\"$ref\":\"#/x/real\"},"
      "\"real\":{\"get\":{\"operationId\":\"viaRefs\"}},\"t~il/de\":{\"name\":\"tilde\",\"in\":\"query\"}}}");
  REQUIRE(d != NULL);
  CHECK(field(at(d, "copy", NULL), "q") != NULL);
  CHECK(at(d, "viaRefs", NULL) != NULL);
  coreapi_node_free(d);
  d = decode("{\"openapi\":\"3.0.0\",\"paths\":{\"/a\":{\"get\":{\"operationId\":\"t\","
             "\"parameters\":[{\"$ref\":\"#/x/t~0il~1de\"}]}}},"
             "\"x\":{\"t~il/de\":{\"name\":\"tilde\",\"in\":\"query\"}}}");
  REQUIRE(d != NULL);
  CHECK(field(at(d, "t", NULL), "tilde") != NULL);
  coreapi_node_free(d);
  expect_error("{\"openapi\":\"3.0.0\",\"paths\":{\"/a\":{\"$ref\":\"#/x/a\"}},"
               "\"x\":{\"a\":{\"$ref\":\"#/x/b\"},\"b\":{\"$ref\":\"#/x/a\"}}}",
               "loop");
  expect_error("{\"openapi\":\"3.0.0\",\"paths\":{\"/a\":{\"$ref\":\"other.yaml#/p\"}}}",
               "other.yaml#/p");
  expect_error("{\"openapi\":\"3.0.0\",\"paths\":{\"/a\":{\"$ref\":\"#/nowhere\"}}}",
               "names nothing");
}

static void test_bad_input(void) {
  expect_error("[1,2]", "must be an object");
  expect_error("{\"info\":{}}", "neither");
  expect_error("{\"openapi\":\"2.5\"}", "neither");
  expect_error("{\"openapi\":\"3.0.0\",\"paths\":[]}", "\"paths\" must be an object");
  expect_error("{\"openapi\":\"3.0.0\",\"paths\":{\"/a\":{\"get\":5}}}", "must be an object");
  {
    size_t depth = 100000, n = 0;
    char *deep = malloc(2 * depth + 64);
    coreapi_error err;
    coreapi_node *d;
    REQUIRE(deep != NULL);
    n += (size_t)sprintf(deep, "{\"openapi\":\"3.0.0\",\"x\":");
    for (size_t i = 0; i < depth; i++)
      deep[n++] = '[';
    for (size_t i = 0; i < depth; i++)
      deep[n++] = ']';
    deep[n++] = '}';
    d = coreapi_openapi_decode(deep, n, NULL, &err);
    CHECK(d == NULL && err.code == COREAPI_ERR_PARSE && strstr(err.text, "depth") != NULL);
    free(deep);
  }
}

/* The specification's examples, JSON and YAML: every one decodes; some are
 * checked link by link. */
static void test_examples(void) {
  static const char *const files[] = {
      "v2.0/petstore.json",         "v3.1/non-oauth-scopes.json", "v3.0/petstore.yaml",
      "v3.0/petstore-expanded.yaml", "v3.0/uspto.yaml",           "v3.0/link-example.yaml",
      "v2.0/petstore-expanded.yaml", "v3.1/webhook-example.yaml"};
  for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
    char path[512], *text;
    FILE *f;
    long n;
    coreapi_error err;
    coreapi_node *d;
    snprintf(path, sizeof(path), "%s/openapi/%s", COREAPI_REFERENCE_DIR, files[i]);
    f = fopen(path, "rb");
    REQUIRE(f != NULL);
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    rewind(f);
    text = malloc((size_t)n + 1);
    REQUIRE(text != NULL && fread(text, 1, (size_t)n, f) == (size_t)n);
    fclose(f);
    d = coreapi_openapi_decode(text, (size_t)n, BASE, &err);
    if (d == NULL)
      fprintf(stderr, "%s: %s\n", files[i], err.text);
    CHECK(d != NULL);
    if (i == 0 || i == 2) {
      CHECK_STR(coreapi_node_title(d), "Swagger Petstore");
      CHECK_STR(coreapi_node_url(at(d, "pets", "showPetById")),
                "http://petstore.swagger.io/v1/pets/{petId}");
      CHECK(field(at(d, "pets", "listPets"), "limit") != NULL);
    }
    if (i == 2) { /* createPets: the Pet schema's properties as form fields */
      const coreapi_node *c = at(d, "pets", "createPets");
      CHECK_STR(coreapi_link_encoding(c), "application/json");
      CHECK(field(c, "id") != NULL && coreapi_field_required(field(c, "id")));
      CHECK(field(c, "tag") != NULL && !coreapi_field_required(field(c, "tag")));
    }
    if (i == 4) { /* an operationId longer than its path */
      CHECK(at(d, "metadata", "list-data-sets") != NULL);
      CHECK_STR(coreapi_node_url(at(d, "search", "perform-search")),
                "https://developer.uspto.gov/ds-api/{dataset}/{version}/records");
      CHECK_STR(coreapi_link_encoding(at(d, "search", "perform-search")),
                "application/x-www-form-urlencoded");
    }
    if (i == 7) /* webhooks only: no links */
      CHECK_INT(coreapi_map_size(d), 0);
    coreapi_node_free(d);
    free(text);
  }
}

int main(void) {
  test_servers();
  test_swagger_base();
  test_operations_and_keys();
  test_parameters();
  test_request_body();
  test_swagger_body();
  test_refs();
  test_bad_input();
  test_examples();
  return check_done("test_openapi");
}
