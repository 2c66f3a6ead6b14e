/*
 * tests/integration/test_locations.c - link fields whose location is
 * "header" or "cookie" (OpenAPI's in: header and in: cookie), acted on
 * against the scripted redirect server (servers.py --redirect): sent as a
 * request header and in the one Cookie header, validated before anything is
 * sent, kept in Core JSON, and left behind on a redirect to another origin.
 */
#include <coreapi/coreapi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

static coreapi_node *doc;
static coreapi_client *client;

/* A document with two links, each with a header, a cookie and a query
 * field: "op" to /echo, "away" redirected to the other listener. */
static coreapi_node *make_document(const char *port, const char *port2) {
  char text[2048];
  coreapi_error err;
  coreapi_node *d;
  const char *fields =
      "\"fields\":[{\"name\":\"X-Trace\",\"location\":\"header\"},"
      "{\"name\":\"sid\",\"location\":\"cookie\"},{\"name\":\"lang\",\"location\":\"cookie\"},"
      "{\"name\":\"q\",\"location\":\"query\"}]";
  snprintf(text, sizeof(text),
           "{\"_type\":\"document\",\"_meta\":{\"url\":\"http://127.0.0.1:%s/\"},"
           "\"op\":{\"_type\":\"link\",\"url\":\"/echo\",\"action\":\"get\",%s},"
           "\"away\":{\"_type\":\"link\",\"url\":\"/redirect?to=http://127.0.0.1:%s/echo\","
           "\"action\":\"get\",%s}}",
           port, fields, port2, fields);
  d = coreapi_corejson_decode(text, strlen(text), NULL, &err);
  if (d == NULL)
    fprintf(stderr, "decode: %s\n", err.text);
  return d;
}

/* Act on link name with params given as a JSON object; the echo's JSON
 * text (new) or NULL, with the code in *rc. */
static char *act(const char *name, const char *params_json, coreapi_code *rc) {
  coreapi_key key = {name, 0};
  coreapi_error err;
  coreapi_result result;
  coreapi_node *params = coreapi_json_decode(params_json, strlen(params_json), &err);
  char *text = NULL;
  REQUIRE(params != NULL);
  *rc = coreapi_client_action(client, doc, &key, 1, params, NULL, &result, &err);
  if (*rc == COREAPI_OK && result.node != NULL)
    text = coreapi_json_encode(result.node, 0, 0, NULL, &err);
  else if (*rc != COREAPI_OK)
    fprintf(stderr, "  action %s: %s (%s)\n", name, coreapi_code_name(*rc), err.text);
  coreapi_result_clear(&result);
  coreapi_node_free(params);
  return text;
}

static void test_sent(void) {
  coreapi_code rc;
  char *echo = act("op", "{\"X-Trace\":\"t-1\",\"sid\":\"s1\",\"lang\":[\"en\",\"fr\"],\"q\":\"v\"}",
                   &rc);
  CHECK_INT(rc, COREAPI_OK);
  CHECK(echo != NULL && strstr(echo, "\"x-trace\":\"t-1\"") != NULL);
  CHECK(echo != NULL && strstr(echo, "\"cookie\":\"sid=s1; lang=en,fr\"") != NULL);
  CHECK(echo != NULL && strstr(echo, "\"cookie_headers\":1") != NULL);
  CHECK(echo != NULL && strstr(echo, "\"path\":\"/echo?q=v\"") != NULL);
  free(echo);
}

static void test_refused(void) {
  coreapi_code rc;
  char *echo = act("op", "{\"X-Trace\":\"a\\r\\nInjected: 1\"}", &rc);
  CHECK_INT(rc, COREAPI_ERR_PARAMETER);
  CHECK(echo == NULL);
  echo = act("op", "{\"sid\":\"a; admin=1\"}", &rc);
  CHECK_INT(rc, COREAPI_ERR_PARAMETER);
  CHECK(echo == NULL);
  echo = act("op", "{\"sid\":\"with space\"}", &rc);
  CHECK_INT(rc, COREAPI_ERR_PARAMETER);
  free(echo);
}

/* A hop to another origin carries neither: they are the caller's. */
static void test_other_origin(void) {
  coreapi_code rc;
  char *echo = act("away", "{\"X-Trace\":\"t-2\",\"sid\":\"s2\"}", &rc);
  CHECK_INT(rc, COREAPI_OK);
  CHECK(echo != NULL && strstr(echo, "x-trace") == NULL);
  CHECK(echo != NULL && strstr(echo, "s2") == NULL);
  CHECK(echo != NULL && strstr(echo, "\"cookie_headers\":0") != NULL);
  free(echo);
}

/* Core JSON keeps the locations. */
static void test_encoded(void) {
  coreapi_error err;
  char *text = coreapi_corejson_encode(doc, 0, NULL, &err);
  CHECK(text != NULL && strstr(text, "\"location\":\"header\"") != NULL);
  CHECK(text != NULL && strstr(text, "\"location\":\"cookie\"") != NULL);
  free(text);
}

int main(void) {
  const char *port = getenv("COREAPI_TEST_REDIRECT_HTTP_PORT");
  const char *port2 = getenv("COREAPI_TEST_REDIRECT_HTTP2_PORT");
  if (port == NULL || port2 == NULL) {
    fprintf(stderr, "test_locations: run under servers.py --redirect\n");
    return 1;
  }
  client = coreapi_client_new(NULL);
  doc = make_document(port, port2);
  REQUIRE(client != NULL && doc != NULL);
  test_sent();
  test_refused();
  test_other_origin();
  test_encoded();
  coreapi_node_free(doc);
  coreapi_client_free(client);
  return check_done("test_locations");
}
