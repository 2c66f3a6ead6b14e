/*
 * tests/unit/test_json_memory.c - decoding JSON and Core JSON stays within
 * JSON_SHAPE_BOUND (10) times the body's size, whatever its shape (arrays of
 * small values, objects of many keys, deep nesting: tests/json_shapes.h),
 * measured as the growth of resident memory in a child process; and the
 * decoded-size limit refuses a body whose document would be larger
 * (ERR_TOO_LARGE).
 *
 * Resident memory means nothing under AddressSanitizer or ThreadSanitizer
 * (shadow memory, quarantine): there, only the limit is checked.
 */
#include "../../src/codecs/corejson.h"
#include "check.h"
#include "json_shapes.h"

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define SANITIZED 1
#endif
#endif
#ifndef SANITIZED
#define SANITIZED 0
#endif

#define BODY_SIZE ((size_t)4 * 1024 * 1024)

static void test_bounds(void) {
  for (size_t i = 0; i < sizeof(json_shapes) / sizeof(json_shapes[0]); i++) {
    const json_shape *s = &json_shapes[i];
    for (int corejson = 0; corejson <= 1; corejson++) {
      size_t len;
      char *body = json_shape_body(s, BODY_SIZE, corejson, &len);
      long long peak;
      REQUIRE(body != NULL);
      peak = json_shape_peak(body, len, corejson);
      if (peak == -1) {
        printf("test_json_memory: /proc cannot measure here; bounds not checked\n");
        free(body);
        return;
      }
      printf("  %-16s %-8s %5.1f MB  peak %6.1f MB  %5.2fx%s\n", s->name,
             corejson ? "corejson" : "json", len / 1e6, peak / 1e6, (double)peak / (double)len,
             s->bounded ? "" : "  (not bounded)");
      CHECK(peak >= 0); /* decoded, and the child did not fail */
      if (s->bounded && peak > (long long)(JSON_SHAPE_BOUND * len))
        fprintf(stderr, "%s (%s): peak %lld bytes for a %zu-byte body, over %dx\n", s->name,
                corejson ? "corejson" : "json", peak, len, JSON_SHAPE_BOUND);
      if (s->bounded)
        CHECK(peak <= (long long)(JSON_SHAPE_BOUND * len));
      free(body);
    }
  }
}

/* The decoded-size limit: bytes of nodes, as malloc rounds them. */
static void test_limit(void) {
  size_t len;
  char *body = json_shape_body(&json_shapes[1], 100000, 0, &len); /* integers */
  coreapi_error err;
  coreapi_node *v;
  REQUIRE(body != NULL);
  v = coreapi__json_decode_tree(body, len, NULL, 1, 50000, &err);
  CHECK(v == NULL);
  CHECK_INT(err.code, COREAPI_ERR_TOO_LARGE);
  CHECK(strstr(err.text, "50000 bytes") != NULL);
  v = coreapi__json_decode_tree(body, len, NULL, 0, 50000, &err); /* Core JSON */
  CHECK(v == NULL);
  CHECK_INT(err.code, COREAPI_ERR_TOO_LARGE);
  v = coreapi__json_decode_tree(body, len, NULL, 1, 0, &err); /* no limit */
  CHECK(v != NULL && coreapi_array_size(v) > 10000);
  coreapi_node_free(v);
  v = coreapi__json_decode_tree(body, len, NULL, 1, 10 * len, &err);
  CHECK(v != NULL);
  coreapi_node_free(v);
  /* Shared values cost nothing: a million zeros pass a limit of their pointers. */
  free(body);
  body = json_shape_body(&json_shapes[0], 2000000, 0, &len);
  REQUIRE(body != NULL);
  v = coreapi__json_decode_tree(body, len, NULL, 1, 5 * len, &err);
  CHECK(v != NULL);
  coreapi_node_free(v);
  free(body);
}

/* The client's setter for the limit its transitions decode with. */
static void test_setter(void) {
  coreapi_error err;
  coreapi_client *c = coreapi_client_new(&err);
  REQUIRE(c != NULL);
  CHECK_INT(coreapi_client_set_max_decoded(NULL, 1, &err), COREAPI_ERR_INVALID_ARGUMENT);
  CHECK_INT(coreapi_client_set_max_decoded(c, 1024, &err), COREAPI_OK);
  CHECK_INT(coreapi_client_set_max_decoded(c, 0, &err), COREAPI_OK);
  coreapi_client_free(c);
}

int main(void) {
  test_limit();
  test_setter();
  if (!SANITIZED)
    test_bounds();
  return check_done("test_json_memory");
}
