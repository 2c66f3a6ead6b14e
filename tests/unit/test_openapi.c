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

/* The member key of a plain Object, as a string (or NULL). */
static const char *str_at(const coreapi_node *obj, const char *key) {
  return coreapi_string_value(coreapi_map_get(obj, key, strlen(key)), NULL);
}

/* The alternatives of a link's requirement as text: "a+b|c", "" for []. */
static void requirement_text(const coreapi_node *security, char *out, size_t size) {
  out[0] = '\0';
  for (size_t i = 0; i < coreapi_array_size(security); i++) {
    const coreapi_node *alt = coreapi_array_get(security, i);
    if (i > 0)
      strncat(out, "|", size - strlen(out) - 1);
    for (size_t k = 0; k < coreapi_map_size(alt); k++) {
      const char *name;
      const coreapi_node *scopes = coreapi_map_entry_inserted(alt, k, &name, NULL);
      if (k > 0)
        strncat(out, "+", size - strlen(out) - 1);
      strncat(out, name, size - strlen(out) - 1);
      for (size_t j = 0; j < coreapi_array_size(scopes); j++) {
        strncat(out, j == 0 ? ":" : ",", size - strlen(out) - 1);
        strncat(out, coreapi_string_value(coreapi_array_get(scopes, j), NULL),
                size - strlen(out) - 1);
      }
    }
  }
}

static void check_requirement(const coreapi_node *link, const char *want) {
  char got[256];
  if (want == NULL) {
    CHECK(coreapi_link_security(link) == NULL);
    return;
  }
  REQUIRE(coreapi_link_security(link) != NULL);
  requirement_text(coreapi_link_security(link), got, sizeof(got));
  CHECK_STR(got, want);
}

static void test_security_oas3(void) {
  coreapi_node *d = decode(
      "{\"openapi\":\"3.1.0\",\"servers\":[{\"url\":\"/v1/\"}],"
      "\"security\":[{\"key\":[]},{\"basic\":[]}],"
      "\"paths\":{\"/a\":{\"get\":{\"operationId\":\"a\"},"
      "\"post\":{\"operationId\":\"b\",\"security\":[{\"oauth\":[\"write\",\"read\"],\"key\":[]}]},"
      "\"put\":{\"operationId\":\"c\",\"security\":[]},"
      "\"patch\":{\"operationId\":\"e\",\"security\":[{},{\"bearer\":[]}]}}},"
      "\"components\":{\"securitySchemes\":{"
      "\"key\":{\"type\":\"apiKey\",\"in\":\"header\",\"name\":\"X-API-Key\",\"x-extra\":1},"
      "\"basic\":{\"type\":\"http\",\"scheme\":\"basic\"},"
      "\"bearer\":{\"$ref\":\"#/components/schemes/jwt\"},"
      "\"oauth\":{\"type\":\"oauth2\",\"flows\":{\"authorizationCode\":{"
      "\"authorizationUrl\":\"/o/authorize/\",\"tokenUrl\":\"token/\","
      "\"refreshUrl\":\"https://auth.test/r\",\"scopes\":{\"read\":\"Read\",\"write\":\"Write\"}}}},"
      "\"oidc\":{\"type\":\"openIdConnect\",\"openIdConnectUrl\":\"/.well-known/openid\"}},"
      "\"schemes\":{\"jwt\":{\"type\":\"http\",\"scheme\":\"bearer\",\"bearerFormat\":\"JWT\","
      "\"description\":\"A token\"}}}}");
  const coreapi_node *schemes, *s, *flow;
  REQUIRE(d != NULL);
  schemes = coreapi_document_security_schemes(d);
  REQUIRE(schemes != NULL);
  CHECK_INT(coreapi_map_size(schemes), 5);
  s = coreapi_map_get(schemes, "key", 3);
  CHECK_STR(str_at(s, "type"), "apiKey");
  CHECK_STR(str_at(s, "in"), "header");
  CHECK_STR(str_at(s, "name"), "X-API-Key");
  CHECK(coreapi_map_get(s, "x-extra", 7) == NULL); /* the shape, not every member */
  s = coreapi_map_get(schemes, "bearer", 6); /* a $ref followed */
  CHECK_STR(str_at(s, "scheme"), "bearer");
  CHECK_STR(str_at(s, "bearerFormat"), "JWT");
  CHECK_STR(str_at(s, "description"), "A token");
  /* Relative URLs against the first server's: https://desc.test/v1/ */
  flow = coreapi_map_get(coreapi_map_get(coreapi_map_get(schemes, "oauth", 5), "flows", 5),
                         "authorizationCode", 17);
  CHECK_STR(str_at(flow, "authorizationUrl"), "https://desc.test/o/authorize/");
  CHECK_STR(str_at(flow, "tokenUrl"), "https://desc.test/v1/token/");
  CHECK_STR(str_at(flow, "refreshUrl"), "https://auth.test/r");
  CHECK_STR(str_at(coreapi_map_get(flow, "scopes", 6), "write"), "Write");
  CHECK_STR(str_at(coreapi_map_get(schemes, "oidc", 4), "openIdConnectUrl"),
            "https://desc.test/.well-known/openid");
  check_requirement(at(d, "a", NULL), "key|basic"); /* the description's */
  check_requirement(at(d, "b", NULL), "oauth:write,read+key");
  check_requirement(at(d, "c", NULL), ""); /* [] : none needed */
  check_requirement(at(d, "e", NULL), "|bearer");
  coreapi_node_free(d);
  /* No security anywhere: none stated, no schemes. */
  d = decode("{\"openapi\":\"3.0.0\",\"paths\":{\"/a\":{\"get\":{\"operationId\":\"a\"}}}}");
  REQUIRE(d != NULL);
  CHECK(coreapi_document_security_schemes(d) == NULL);
  check_requirement(at(d, "a", NULL), NULL);
  coreapi_node_free(d);
}

static void test_security_swagger(void) {
  coreapi_node *d = decode(
      "{\"swagger\":\"2.0\",\"host\":\"api.test\",\"basePath\":\"/v2\","
      "\"securityDefinitions\":{\"basic\":{\"type\":\"basic\",\"description\":\"B\"},"
      "\"key\":{\"type\":\"apiKey\",\"in\":\"query\",\"name\":\"api_key\"},"
      "\"imp\":{\"type\":\"oauth2\",\"flow\":\"implicit\",\"authorizationUrl\":\"/dialog\","
      "\"scopes\":{\"read:pets\":\"read\"}},"
      "\"app\":{\"type\":\"oauth2\",\"flow\":\"application\",\"tokenUrl\":\"https://a.test/t\"},"
      "\"code\":{\"type\":\"oauth2\",\"flow\":\"accessCode\",\"authorizationUrl\":\"https://a.test/a\","
      "\"tokenUrl\":\"https://a.test/t\"},"
      "\"pw\":{\"type\":\"oauth2\",\"flow\":\"password\",\"tokenUrl\":\"https://a.test/t\"}},"
      "\"paths\":{\"/p\":{\"get\":{\"operationId\":\"p\",\"security\":[{\"imp\":[\"read:pets\"]}]}}}}");
  const coreapi_node *schemes, *flows;
  REQUIRE(d != NULL);
  schemes = coreapi_document_security_schemes(d);
  CHECK_STR(str_at(coreapi_map_get(schemes, "basic", 5), "type"), "http");
  CHECK_STR(str_at(coreapi_map_get(schemes, "basic", 5), "scheme"), "basic");
  CHECK_STR(str_at(coreapi_map_get(schemes, "basic", 5), "description"), "B");
  CHECK_STR(str_at(coreapi_map_get(schemes, "key", 3), "in"), "query");
  flows = coreapi_map_get(coreapi_map_get(schemes, "imp", 3), "flows", 5);
  /* Swagger 2's URLs against the description's own URL */
  CHECK_STR(str_at(coreapi_map_get(flows, "implicit", 8), "authorizationUrl"),
            "https://desc.test/dialog");
  CHECK(coreapi_map_get(coreapi_map_get(coreapi_map_get(schemes, "app", 3), "flows", 5),
                        "clientCredentials", 17) != NULL);
  flows = coreapi_map_get(coreapi_map_get(schemes, "code", 4), "flows", 5);
  CHECK_STR(str_at(coreapi_map_get(flows, "authorizationCode", 17), "tokenUrl"),
            "https://a.test/t");
  CHECK(coreapi_map_get(coreapi_map_get(coreapi_map_get(schemes, "pw", 2), "flows", 5),
                        "password", 8) != NULL);
  check_requirement(at(d, "p", NULL), "imp:read:pets");
  coreapi_node_free(d);
}

static void test_security_bad(void) {
  expect_error("{\"openapi\":\"3.0.0\",\"paths\":{\"/a\":{\"get\":{\"security\":{\"k\":[]}}}}}",
               "the \"security\" of get \"/a\"");
  expect_error("{\"openapi\":\"3.0.0\",\"security\":[{\"k\":\"x\"}],\"paths\":{\"/a\":{\"get\":{}}}}",
               "\"security\"");
  expect_error("{\"openapi\":\"3.0.0\",\"components\":{\"securitySchemes\":{\"k\":[]}}}",
               "security scheme \"k\" must be an object");
  expect_error("{\"openapi\":\"3.0.0\",\"components\":{\"securitySchemes\":{\"k\":{\"in\":\"header\"}}}}",
               "security scheme \"k\" has no \"type\"");
  expect_error("{\"openapi\":\"3.0.0\",\"components\":{\"securitySchemes\":[]}}",
               "\"securitySchemes\" must be an object");
  expect_error("{\"swagger\":\"2.0\",\"securityDefinitions\":{\"k\":{\"$ref\":\"#/nowhere\"}}}",
               "nowhere");
}

/* A document's security survives Core JSON: what the CLI stores. */
static void test_security_corejson(void) {
  coreapi_node *d = decode(
      "{\"openapi\":\"3.0.0\",\"security\":[{\"k\":[\"s\"]}],"
      "\"paths\":{\"/a\":{\"get\":{\"operationId\":\"a\"}}},"
      "\"components\":{\"securitySchemes\":{\"k\":{\"type\":\"apiKey\",\"in\":\"cookie\","
      "\"name\":\"_meta\"},\"_type\":{\"type\":\"http\",\"scheme\":\"basic\"}}}}");
  coreapi_error err;
  coreapi_node *back;
  size_t len;
  char *text;
  REQUIRE(d != NULL);
  text = coreapi_corejson_encode(d, 0, &len, &err);
  REQUIRE(text != NULL);
  CHECK(strstr(text, "\"securitySchemes\":{\"k\":") != NULL);
  CHECK(strstr(text, "\"security\":[{\"k\":[\"s\"]}]") != NULL);
  back = coreapi_corejson_decode(text, len, BASE, &err);
  REQUIRE(back != NULL);
  /* (not equal as documents: the media type is now Core JSON's) */
  CHECK(coreapi_node_equal(coreapi_document_security_schemes(d),
                           coreapi_document_security_schemes(back)));
  CHECK(coreapi_node_equal(at(d, "a", NULL), at(back, "a", NULL)));
  CHECK_STR(str_at(coreapi_map_get(coreapi_document_security_schemes(back), "_type", 5), "scheme"),
            "basic");
  check_requirement(at(back, "a", NULL), "k:s");
  coreapi_node_free(back);
  free(text);
  coreapi_node_free(d);
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
  test_security_oas3();
  test_security_swagger();
  test_security_bad();
  test_security_corejson();
  return check_done("test_openapi");
}
