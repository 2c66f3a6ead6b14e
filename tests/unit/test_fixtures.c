/*
 * test_fixtures.c - Core JSON and display output, byte for byte against the
 * reference client (python3-coreapi).
 *
 * tests/fixtures/gen_fixtures.py wrote, per case, an input (NAME.json), an
 * optional base URL (NAME.base) and the reference's outputs for the decoded
 * document: CoreJSONCodec().encode compact (NAME.compact) and indented
 * (NAME.indent), DisplayCodec().encode plain (NAME.display) and coloured
 * (NAME.color). Here the same input goes through coreapi_corejson_decode with
 * the same base URL, and our outputs must be the same bytes.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "coreapi/coreapi.h"

#ifndef COREAPI_FIXTURES_DIR
#define COREAPI_FIXTURES_DIR "tests/fixtures"
#endif
#define CASES_DIR COREAPI_FIXTURES_DIR "/corejson"

/* The whole file in a new buffer (NUL-terminated; length in *len), or NULL
 * when it does not exist. */
static char *read_file(const char *name, const char *ext, size_t *len) {
  char path[1024];
  FILE *f;
  char *data = NULL;
  size_t n = 0, cap = 0;
  snprintf(path, sizeof(path), "%s/%s.%s", CASES_DIR, name, ext);
  f = fopen(path, "rb");
  if (f == NULL)
    return NULL;
  for (;;) {
    size_t got;
    if (cap - n < 4096) {
      char *p = realloc(data, cap + 65536);
      REQUIRE(p != NULL);
      data = p;
      cap += 65536;
    }
    got = fread(data + n, 1, cap - n - 1, f);
    n += got;
    if (got == 0)
      break;
  }
  REQUIRE(!ferror(f));
  fclose(f);
  data[n] = '\0';
  *len = n;
  return data;
}

/* Print a few bytes of s around offset, escaped, for a failure message. */
static void print_excerpt(const char *label, const char *s, size_t len, size_t at) {
  size_t from = at > 40 ? at - 40 : 0, to = at + 40 < len ? at + 40 : len;
  fprintf(stderr, "    %s [%zu..%zu): \"", label, from, to);
  for (size_t i = from; i < to; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c == '\n')
      fputs("\\n", stderr);
    else if (c == '\\')
      fputs("\\\\", stderr);
    else if (c == '"')
      fputs("\\\"", stderr);
    else if (c < 0x20 || c >= 0x7f)
      fprintf(stderr, "\\x%02x", c);
    else
      fputc(c, stderr);
  }
  fputs("\"\n", stderr);
}

/* Compare our output with the expected file; say where they first differ. */
static void compare(const char *name, const char *what, const char *ours, size_t ours_len,
                    const char *expected, size_t expected_len) {
  size_t i = 0;
  check_count++;
  if (ours != NULL && ours_len == expected_len && memcmp(ours, expected, ours_len) == 0)
    return;
  check_failures++;
  if (ours == NULL) {
    fprintf(stderr, "%s: %s: no output\n", name, what);
    return;
  }
  while (i < ours_len && i < expected_len && ours[i] == expected[i])
    i++;
  fprintf(stderr, "%s: %s differs at byte %zu (ours %zu bytes, reference %zu)\n", name, what, i,
          ours_len, expected_len);
  print_excerpt("reference", expected, expected_len, i);
  print_excerpt("ours     ", ours, ours_len, i);
}

static int run_case(const char *name) {
  static const char *const exts[] = {"compact", "indent", "display", "color"};
  size_t in_len = 0, base_len = 0;
  char *input = read_file(name, "json", &in_len);
  char *base = read_file(name, "base", &base_len);
  coreapi_error err;
  coreapi_node *doc;
  REQUIRE(input != NULL);
  while (base != NULL && base_len > 0 && (base[base_len - 1] == '\n' || base[base_len - 1] == '\r'))
    base[--base_len] = '\0';
  doc = coreapi_corejson_decode(input, in_len, base, &err);
  check_count++;
  if (doc == NULL) {
    check_failures++;
    fprintf(stderr, "%s: decode failed: %s: %s\n", name, coreapi_code_name(err.code), err.text);
  }
  for (size_t k = 0; doc != NULL && k < sizeof(exts) / sizeof(exts[0]); k++) {
    size_t exp_len = 0, out_len = 0;
    char *expected = read_file(name, exts[k], &exp_len);
    char *out;
    REQUIRE(expected != NULL);
    if (k < 2)
      out = coreapi_corejson_encode(doc, k == 1, &out_len, &err);
    else
      out = coreapi_display_encode(doc, k == 3, &out_len, &err);
    if (out != NULL) {
      /* JSON escapes a NUL; the display writes keys raw, as str(key) does. */
      if (k < 2)
        CHECK_INT(strlen(out), out_len);
    } else {
      fprintf(stderr, "%s: %s: %s: %s\n", name, exts[k], coreapi_code_name(err.code), err.text);
    }
    compare(name, exts[k], out, out_len, expected, exp_len);
    free(out);
    free(expected);
  }
  coreapi_node_free(doc);
  free(input);
  free(base);
  return 0;
}

static int cmp_names(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static void test_fixture_cases(void) {
  DIR *dir = opendir(CASES_DIR);
  struct dirent *e;
  char **names = NULL;
  size_t count = 0, cap = 0;
  if (dir == NULL)
    fprintf(stderr, "cannot open %s: %s\n", CASES_DIR, strerror(errno));
  REQUIRE(dir != NULL);
  while ((e = readdir(dir)) != NULL) {
    size_t n = strlen(e->d_name);
    if (n <= 5 || strcmp(e->d_name + n - 5, ".json") != 0)
      continue;
    if (count == cap) {
      char **p = realloc(names, (cap ? cap * 2 : 64) * sizeof(*names));
      REQUIRE(p != NULL);
      names = p;
      cap = cap ? cap * 2 : 64;
    }
    names[count] = malloc(n - 4);
    REQUIRE(names[count] != NULL);
    memcpy(names[count], e->d_name, n - 5);
    names[count][n - 5] = '\0';
    count++;
  }
  closedir(dir);
  qsort(names, count, sizeof(*names), cmp_names);
  CHECK(count >= 25);
  for (size_t i = 0; i < count; i++) {
    int before = check_failures;
    run_case(names[i]);
    if (check_failures != before)
      fprintf(stderr, "  case %s FAILED\n", names[i]);
    free(names[i]);
  }
  free(names);
  printf("%zu fixture cases\n", count);
}

/* --- coreapi_display_encode on nodes the fixtures do not put at the top ---------- */

static char *show(const coreapi_node *n, int color) {
  size_t len = 12345;
  coreapi_error err;
  char *s = coreapi_display_encode(n, color, &len, &err);
  REQUIRE(s != NULL);
  CHECK_INT(err.code, COREAPI_OK);
  CHECK_INT(len, strlen(s));
  return s;
}

static coreapi_node *str(const char *s) {
  coreapi_node *n = coreapi_string_new(s, strlen(s), NULL);
  REQUIRE(n != NULL);
  return n;
}

static void test_display_api(void) {
  coreapi_error err;
  size_t len = 99;
  char *s;
  coreapi_node *n;

  /* NULL node: an error, and *len 0. */
  err.code = COREAPI_ERR_IO;
  CHECK(coreapi_display_encode(NULL, 0, &len, &err) == NULL);
  CHECK_INT(err.code, COREAPI_ERR_INVALID_ARGUMENT);
  CHECK_INT(len, 0);
  CHECK(coreapi_display_encode(NULL, 1, NULL, NULL) == NULL);

  /* A top-level string has no key, so no multi-line rule: json.dumps. */
  n = str("a\nb \xc3\xa9\x7f");
  s = show(n, 0);
  CHECK_STR(s, "\"a\\nb \\u00e9\\u007f\"");
  free(s);
  s = show(n, 1); /* primitives are never coloured */
  CHECK_STR(s, "\"a\\nb \\u00e9\\u007f\"");
  free(s);
  coreapi_node_free(n);

  /* A string with NUL bytes. */
  n = coreapi_string_new("x\0y", 3, NULL);
  REQUIRE(n != NULL);
  s = coreapi_display_encode(n, 0, NULL, NULL); /* len may be NULL */
  CHECK_STR(s, "\"x\\u0000y\"");
  free(s);
  coreapi_node_free(n);

  /* Numbers, booleans and null as json.dumps writes them. */
  n = coreapi_integer_new(INT64_MIN, NULL);
  s = show(n, 0);
  CHECK_STR(s, "-9223372036854775808");
  free(s);
  coreapi_node_free(n);
  n = coreapi_real_new(1e16, NULL);
  s = show(n, 0);
  CHECK_STR(s, "1e+16");
  free(s);
  coreapi_node_free(n);
  n = coreapi_real_new(-0.0, NULL);
  s = show(n, 0);
  CHECK_STR(s, "-0.0");
  free(s);
  coreapi_node_free(n);
  n = coreapi_boolean_new(7, NULL);
  s = show(n, 0);
  CHECK_STR(s, "true");
  free(s);
  coreapi_node_free(n);
  n = coreapi_null_new(NULL);
  s = show(n, 0);
  CHECK_STR(s, "null");
  free(s);
  coreapi_node_free(n);

  /* A link at the top: link(required, [optional]); cyan punctuation. */
  {
    coreapi_field_spec fields[] = {
        {"opt", 0, "query", "", NULL, NULL, NULL},
        {"req", 1, "path", "integer", NULL, NULL, NULL},
        {"b", 0, NULL, NULL, NULL, NULL, NULL},
    };
    coreapi_link_spec spec = {"http://x/", "get", NULL, NULL, NULL, NULL, fields, 3, NULL};
    coreapi_link_spec empty = {0};
    n = coreapi_link_new(&spec, NULL);
    REQUIRE(n != NULL);
    s = show(n, 0);
    CHECK_STR(s, "link(req, [opt], [b])");
    free(s);
    s = show(n, 1);
    CHECK_STR(s, "\x1b[36mlink(\x1b[0mreq\x1b[36m, \x1b[0m[opt]\x1b[36m, \x1b[0m[b]\x1b[36m)\x1b[0m");
    free(s);
    coreapi_node_free(n);
    n = coreapi_link_new(&empty, NULL);
    REQUIRE(n != NULL);
    s = show(n, 0);
    CHECK_STR(s, "link()");
    free(s);
    coreapi_node_free(n);
  }

  /* Arrays and objects at the top; an array item gets no multi-line rule,
   * an object's value does (4 * indent + len(key) + 3 spaces). */
  {
    coreapi_array_builder *ab = coreapi_array_builder_new();
    coreapi_map_builder *mb = coreapi_map_builder_new();
    REQUIRE(ab != NULL && mb != NULL);
    CHECK_INT(coreapi_map_builder_set(mb, "k\xc3\xa9y", 4, str("1\n2"), NULL), COREAPI_OK);
    CHECK_INT(coreapi_array_builder_append(ab, str("p\nq"), NULL), COREAPI_OK);
    CHECK_INT(coreapi_array_builder_append(ab, coreapi_map_builder_object(mb, NULL), NULL),
              COREAPI_OK);
    n = coreapi_array_builder_finish(ab, NULL);
    REQUIRE(n != NULL);
    s = show(n, 0);
    CHECK_STR(s, "[\n    \"p\\nq\",\n    {\n        k\xc3\xa9y: \"1\n"
                 "              2\"\n    }\n]");
    free(s);
    s = show(n, 1);
    CHECK_STR(s, "[\n    \"p\\nq\",\n    {\n        \x1b[36mk\xc3\xa9y\x1b[0m: \"1\n"
                 "              2\"\n    }\n]");
    free(s);
    coreapi_node_free(n);
  }

  /* An empty document and an empty error, coloured. */
  {
    coreapi_map_builder *mb = coreapi_map_builder_new();
    REQUIRE(mb != NULL);
    n = coreapi_map_builder_document(mb, "http://\xc3\xa9/", "  T  ", NULL, NULL, NULL);
    REQUIRE(n != NULL);
    s = show(n, 1);
    CHECK_STR(s, "\x1b[32m<T \"http://\\u00e9/\">\x1b[0m");
    free(s);
    coreapi_node_free(n);
    mb = coreapi_map_builder_new();
    REQUIRE(mb != NULL);
    CHECK_INT(coreapi_map_builder_set(mb, "k", 1, str("v"), NULL), COREAPI_OK);
    n = coreapi_map_builder_error(mb, NULL, NULL);
    REQUIRE(n != NULL);
    s = show(n, 1);
    CHECK_STR(s, "\x1b[31m<Error>\x1b[0m\n    \x1b[36mk: \x1b[0m\"v\"");
    free(s);
    s = show(n, 0);
    CHECK_STR(s, "<Error>\n    k: \"v\"");
    free(s);
    coreapi_node_free(n);
  }
}

/* A link whose path starts with "//" keeps its host through encode and
 * decode (the reference's relative form "//evil.test:9000/login" would
 * name evil.test), and links that can be relative still are. */
static void test_links_keep_their_host(void) {
  static const char *const doc =
      "{\"_type\":\"document\",\"_meta\":{\"url\":\"http://api.test:8000/\"},"
      "\"login\":{\"_type\":\"link\",\"url\":\"http://api.test:8000//evil.test:9000/login\","
      "\"action\":\"post\"},\"root\":{\"_type\":\"link\",\"url\":\"http://api.test:8000\"},"
      "\"fine\":{\"_type\":\"link\",\"url\":\"/a//b\"}}";
  static const char *const keys[] = {"login", "root", "fine"};
  static const char *const urls[] = {"http://api.test:8000//evil.test:9000/login",
                                     "http://api.test:8000", "http://api.test:8000/a//b"};
  coreapi_error err;
  coreapi_node *a = coreapi_corejson_decode(doc, strlen(doc), NULL, &err), *b = NULL;
  size_t len = 0;
  char *text = a ? coreapi_corejson_encode(a, 0, &len, &err) : NULL;
  CHECK(text != NULL);
  if (text != NULL) {
    CHECK(strstr(text, "\"//evil") == NULL);
    CHECK(strstr(text, "\"url\":\"/a//b\"") != NULL); /* still relative */
    b = coreapi_corejson_decode(text, len, NULL, &err);
  }
  CHECK(b != NULL);
  for (size_t i = 0; b != NULL && i < 3; i++)
    CHECK_STR(coreapi_node_url(coreapi_map_get(b, keys[i], strlen(keys[i]))), urls[i]);
  coreapi_node_free(a);
  coreapi_node_free(b);
  free(text);
}

int main(void) {
  test_fixture_cases();
  test_links_keep_their_host();
  test_display_api();
  return check_done("test_fixtures");
}
