/*
 * test_secret_wipe.c - nodes that hold secrets (coreapi_node_mark_secret,
 * coreapi_node_free_wiped, coreapi_json_decode_secret).
 *
 * Always: coreapi_json_decode_secret gives what coreapi_json_decode gives
 * (equal trees, the same errors), marked trees stay usable and shareable,
 * NULL is handled. Run by CTest a second time as unit.secret_wipe_scan, with
 * tests/preload/free_scan.c in LD_PRELOAD (not in sanitizer builds): then
 * every heap block the process frees is searched for $COREAPI_TEST_SECRET,
 * and each step checks the report for new hits: none after a secret decode
 * (escapes in YAJL's buffer, keys that grow the parser's key buffer, a text
 * above the interning threshold, failed parses), a free_wiped of a slab-made
 * tree, of a Document, a Link and a node shared with a tree freed plainly,
 * and an encode of secrets; and, as the control that shows the scan sees,
 * hits after a plain decode freed plainly.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "coreapi/coreapi.h"

static const char *secret = "wipe-test-secret-0123456789-abcdefghijkl";
static const char *report; /* the scan's report file, when it runs */

/* Hits in the report so far (0 without a scan). */
static int hits(void) {
  char line[2048];
  int n = 0;
  FILE *f = report ? fopen(report, "r") : NULL;
  if (f == NULL)
    return 0;
  while (fgets(line, sizeof(line), f) != NULL)
    n += strncmp(line, "hit ", 4) == 0;
  fclose(f);
  return n;
}

static void wipe(void *p, size_t n) {
  volatile unsigned char *v = p;
  while (n--)
    *v++ = 0;
}

/* A text holding the secret: fmt with each %s the secret (malloc'd; free
 * with text_free, which wipes it). */
static char *text_new(const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;
static char *text_new(const char *fmt, ...) {
  va_list ap;
  size_t cap = strlen(fmt) * (strlen(secret) + 8) + 1;
  char *t = malloc(cap);
  REQUIRE(t != NULL);
  va_start(ap, fmt);
  vsnprintf(t, cap, fmt, ap);
  va_end(ap);
  return t;
}

static void text_free(char *t) {
  wipe(t, strlen(t));
  free(t);
}

/* Decode t as a secret; its tree freed plainly, no block may be freed
 * with the secret in it. Without the scan, also plainly: the trees must be
 * equal, or fail alike. (Not with it: a plain decode leaves the secret in
 * the blocks it frees, which malloc hands out again, stale bytes and all.) */
static void both_ways(const char *what, const char *t) {
  coreapi_error e1, e2;
  int before = hits();
  coreapi_node *wiped = coreapi_json_decode_secret(t, strlen(t), &e2), *plain;
  if (report == NULL) {
    plain = coreapi_json_decode(t, strlen(t), &e1);
    CHECK((plain == NULL) == (wiped == NULL));
    if (plain != NULL && wiped != NULL) {
      CHECK(coreapi_node_equal(plain, wiped));
    } else {
      CHECK_INT(e2.code, e1.code);
      CHECK_STR(e2.text, e1.text);
    }
    coreapi_node_free(plain);
  }
  coreapi_node_free(wiped);
  if (hits() != before)
    fprintf(stderr, "%s: a block freed with the secret (see %s)\n", what, report);
  CHECK_INT(hits(), before);
}

static void decodes(void) {
  char *t, *big;
  size_t cap, n;
  t = text_new("{\"token\": \"%s\", \"n\": [1, 2.5, true, null, \"x\", {}, []]}", secret);
  both_ways("plain members", t);
  text_free(t);
  /* Escapes: YAJL decodes the string in its own buffer. */
  t = text_new("{\"a\": \"line\\n%s\\t\\\"q\\\" \\u00e9\"}", secret);
  both_ways("escapes", t);
  text_free(t);
  /* Long keys holding the secret: the key buffer grows, and moves. */
  t = text_new("{\"%s%s%s%s%s%s%s%s\": 1, \"%s%s%s%s%s%s%s%s-2\": {\"%s%s%s%s%s%s%s%s-3\": 2}}",
               secret, secret, secret, secret, secret, secret, secret, secret, secret, secret,
               secret, secret, secret, secret, secret, secret, secret, secret, secret, secret,
               secret, secret, secret, secret);
  both_ways("long keys", t);
  text_free(t);
  /* Above the interning threshold (4 KiB), equal values repeated. */
  cap = 300 * (strlen(secret) + 16) + 16;
  big = malloc(cap);
  REQUIRE(big != NULL);
  n = (size_t)snprintf(big, cap, "[");
  for (int i = 0; i < 300; i++)
    n += (size_t)snprintf(big + n, cap - n, "%s{\"t\": \"%s\"}", i ? "," : "", secret);
  snprintf(big + n, cap - n, "]");
  both_ways("a big text", big);
  text_free(big);
  /* Failures: pending values, a duplicate key, a root with junk after it. */
  t = text_new("{\"a\": \"%s\", \"b\": [1, \"%s\", {\"c\": \"%s\"", secret, secret, secret);
  both_ways("a cut text", t);
  text_free(t);
  t = text_new("{\"a\": \"%s\", \"a\": 1}", secret);
  both_ways("a duplicate key", t);
  text_free(t);
  t = text_new("[\"%s\"] x", secret);
  both_ways("junk after the value", t);
  text_free(t);
  t = text_new("{\"a\": \"%s\xff\"}", secret);
  both_ways("not UTF-8", t);
  text_free(t);
}

/* The control: a plain decode freed plainly leaves the secret in freed
 * memory, and the scan sees it. */
static void control(void) {
  char *t = text_new("{\"token\": \"%s\"}", secret);
  int before = hits();
  coreapi_node *n = coreapi_json_decode(t, strlen(t), NULL);
  CHECK(n != NULL);
  coreapi_node_free(n);
  text_free(t);
  CHECK(hits() > before);
}

static coreapi_node *S(const char *s) {
  coreapi_node *n = coreapi_string_new(s, strlen(s), NULL);
  REQUIRE(n != NULL);
  return n;
}

/* Trees built, marked and freed in the ways the tool does. */
static void marked(void) {
  coreapi_map_builder *b;
  coreapi_array_builder *ab;
  coreapi_node *s, *arr, *map, *doc, *link, *decoded;
  coreapi_link_spec spec = {0};
  char *t, *url, *json;
  size_t len;
  int before = hits();

  CHECK(coreapi_node_mark_secret(NULL) == NULL);
  coreapi_node_free_wiped(NULL);
  /* Shared between two trees: marked through one, wiped when the other goes. */
  s = S(secret);
  ab = coreapi_array_builder_new();
  coreapi_array_builder_append(ab, coreapi_node_ref(s), NULL);
  arr = coreapi_array_builder_finish(ab, NULL);
  b = coreapi_map_builder_new();
  coreapi_map_builder_set(b, "k", 1, s, NULL);
  map = coreapi_map_builder_object(b, NULL);
  REQUIRE(arr != NULL && map != NULL);
  CHECK(coreapi_node_mark_secret(arr) == arr);
  CHECK_STR(coreapi_string_value(coreapi_map_get(map, "k", 1), NULL), secret);
  coreapi_node_free_wiped(arr);
  CHECK_STR(coreapi_string_value(coreapi_map_get(map, "k", 1), NULL), secret);
  /* An encode of it, its output grown past its first buffer. */
  json = coreapi_json_encode(map, 4, 1, &len, NULL);
  REQUIRE(json != NULL);
  CHECK(strstr(json, secret) != NULL);
  wipe(json, len);
  free(json);
  coreapi_node_free(map); /* plainly: the mark holds */
    /* A Document's attributes, a Link's strings. (Not a key: the builder's
   * copies of keys are freed unwiped; keys are names, not secrets.) */
  url = text_new("https://api.test/%s/", secret);
  b = coreapi_map_builder_new();
  coreapi_map_builder_set(b, "v", 1, S("v"), NULL);
  spec.url = url;
  spec.action = "get";
  link = coreapi_link_new(&spec, NULL);
  REQUIRE(link != NULL);
  coreapi_map_builder_set(b, "link", 4, link, NULL);
  doc = coreapi_map_builder_document(b, url, secret, secret, "application/json", NULL);
  REQUIRE(doc != NULL);
  text_free(url);
  coreapi_node_free_wiped(doc);
  CHECK_INT(hits(), before);
  /* A plain decode (its nodes in a slab chunk) freed wiped. The parse's
   * own scratch blocks held the secret (plain: not wiped): counted from
   * after it. */
  t = text_new("{\"a\": [\"%s\", {\"b\": \"%s\"}], \"%s\": 1}", secret, secret, secret);
  decoded = coreapi_json_decode(t, strlen(t), NULL);
  text_free(t);
  REQUIRE(decoded != NULL);
  before = hits();
  coreapi_node_free_wiped(decoded);
  CHECK_INT(hits(), before);
}

int main(void) {
  const char *env = getenv("COREAPI_TEST_SECRET");
  if (env != NULL && env[0] != '\0')
    secret = env;
  report = getenv("COREAPI_TEST_SECRET_REPORT");
  if (report != NULL)
    remove(report);
  decodes();
  marked();
  if (report != NULL)
    control(); /* last: it leaves the secret in freed memory */
  return check_done("test_secret_wipe");
}
