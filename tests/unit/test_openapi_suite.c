/*
 * tests/unit/test_openapi_suite.c - the OpenAPI suite: every case folder of
 * tests/suites/openapi/ (see its README.md) is a description decoded with
 * coreapi_openapi_decode, and the Document must equal (coreapi_node_equal)
 * the case's expected.json read with the Core JSON decoder, or the decode
 * must fail with a message containing the case's `error` text.
 *
 *   test_openapi_suite [-v] [DIR]   run every case of DIR (default: the
 *                                   suite folder CMake names,
 *                                   COREAPI_OPENAPI_SUITE_DIR); -v prints
 *                                   each error case's message
 *
 * The folder list is read when the program runs, so a new case needs no
 * rebuild; a folder that lacks an input, or has neither expected.json nor
 * error (or both, or a file the format does not know), fails: the suite
 * cannot pass with cases it did not run.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <coreapi/coreapi.h>

#include "check.h"

#ifndef COREAPI_OPENAPI_SUITE_DIR
#define COREAPI_OPENAPI_SUITE_DIR "tests/suites/openapi"
#endif
#define DEFAULT_BASE "https://desc.test/api/openapi.json"
#define MIN_CASES 60 /* fewer means cases went missing */

static int verbose;

/* One case folder's files (NULL when absent). */
typedef struct suite_case {
  const char *name;
  char *input, *base, *expected, *error;
  size_t input_len, expected_len;
  int bad; /* a file the format does not know, or two inputs */
} suite_case;

/* The whole file dir/name (NUL-terminated, length in *len) or NULL. */
static char *read_all(const char *dir, const char *name, size_t *len) {
  char path[2048];
  FILE *f;
  char *data = NULL;
  size_t n = 0, cap = 0;
  snprintf(path, sizeof(path), "%s/%s", dir, name);
  if ((f = fopen(path, "rb")) == NULL)
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
  if (len != NULL)
    *len = n;
  return data;
}

/* A one-line file's text without its line end (base_url, error). */
static char *read_line(const char *dir, const char *name) {
  size_t n = 0;
  char *s = read_all(dir, name, &n);
  while (s != NULL && n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r'))
    s[--n] = '\0';
  return s;
}

/* Read the case folder dir into c; unknown files make it bad. */
static void load_case(const char *dir, suite_case *c) {
  static const char *const known[] = {"input.json", "input.yaml", "base_url", "expected.json",
                                      "error"};
  DIR *d = opendir(dir);
  struct dirent *e;
  size_t yaml_len = 0;
  char *yaml;
  REQUIRE(d != NULL);
  while ((e = readdir(d)) != NULL) {
    int ok = e->d_name[0] == '.';
    for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
      ok |= strcmp(e->d_name, known[i]) == 0;
    if (!ok) {
      fprintf(stderr, "%s: unknown file %s\n", c->name, e->d_name);
      c->bad = 1;
    }
  }
  closedir(d);
  c->input = read_all(dir, "input.json", &c->input_len);
  yaml = read_all(dir, "input.yaml", &yaml_len);
  if (c->input != NULL && yaml != NULL) {
    fprintf(stderr, "%s: both input.json and input.yaml\n", c->name);
    c->bad = 1;
  }
  if (c->input == NULL) {
    c->input = yaml;
    c->input_len = yaml_len;
  } else {
    free(yaml);
  }
  c->base = read_line(dir, "base_url");
  c->expected = read_all(dir, "expected.json", &c->expected_len);
  c->error = read_line(dir, "error");
}

static void free_case(suite_case *c) {
  free(c->input);
  free(c->base);
  free(c->expected);
  free(c->error);
}

/* Print node as indented Core JSON under a label. */
static void print_node(const char *label, const coreapi_node *node) {
  coreapi_error err;
  char *text = coreapi_corejson_encode(node, 1, NULL, &err);
  fprintf(stderr, "  --- %s:\n%s\n", label, text != NULL ? text : err.text);
  free(text);
}

/* doc's entries (insertion order), attributes and security schemes in a new Document with the
 * media type of like: the decoders give their own media types, which are no
 * part of the mapping. */
static coreapi_node *with_media_type(const coreapi_node *doc, const coreapi_node *like) {
  coreapi_map_builder *b = coreapi_map_builder_new();
  coreapi_node *out;
  REQUIRE(b != NULL);
  for (size_t i = 0; i < coreapi_map_size(doc); i++) {
    const char *key;
    size_t len;
    coreapi_node *v = coreapi_map_entry_inserted(doc, i, &key, &len);
    REQUIRE(coreapi_map_builder_set(b, key, len, coreapi_node_ref(v), NULL) == COREAPI_OK);
  }
  if (coreapi_document_security_schemes(doc) != NULL)
    REQUIRE(coreapi_map_builder_set_security_schemes(
                b, coreapi_node_ref(coreapi_document_security_schemes(doc)), NULL) == COREAPI_OK);
  out = coreapi_map_builder_document(b, coreapi_node_url(doc), coreapi_node_title(doc),
                                     coreapi_node_description(doc),
                                     coreapi_node_media_type(like), NULL);
  REQUIRE(out != NULL);
  return out;
}

static const char *or_none(const char *s) { return s != NULL ? s : "(none)"; }

/* Say how two Links differ: the dumps write URLs relative to the document,
 * so the absolute ones are printed here. */
static void print_link_difference(const coreapi_node *w, const coreapi_node *g) {
  size_t nw = coreapi_link_field_count(w), ng = coreapi_link_field_count(g);
  int url_same = strcmp(or_none(coreapi_node_url(w)), or_none(coreapi_node_url(g))) == 0;
  int encoding_same =
      strcmp(or_none(coreapi_link_encoding(w)), or_none(coreapi_link_encoding(g))) == 0;
  if (!url_same)
    fprintf(stderr, "    url: expected %s, got %s\n", or_none(coreapi_node_url(w)),
            or_none(coreapi_node_url(g)));
  if (!encoding_same)
    fprintf(stderr, "    encoding: expected \"%s\", got \"%s\"\n",
            or_none(coreapi_link_encoding(w)), or_none(coreapi_link_encoding(g)));
  if (nw == 0 && ng == 0 && url_same && encoding_same)
    fprintf(stderr, "    (no fields: the title, description or security differs)\n");
  for (size_t i = 0; i < nw || i < ng; i++) {
    const coreapi_field *a = i < nw ? coreapi_link_field(w, i) : NULL;
    const coreapi_field *b = i < ng ? coreapi_link_field(g, i) : NULL;
    fprintf(stderr, "    field %zu: expected %s %s%s (%s), got %s %s%s (%s)\n", i,
            a ? coreapi_field_name(a) : "-", a ? coreapi_field_location(a) : "",
            a && coreapi_field_required(a) ? " required" : "",
            a ? coreapi_field_schema_type(a) : "", b ? coreapi_field_name(b) : "-",
            b ? coreapi_field_location(b) : "", b && coreapi_field_required(b) ? " required" : "",
            b ? coreapi_field_schema_type(b) : "");
  }
}

/* Name, on stderr, the keys where two maps differ (one level down into
 * Objects), to say where to look in the dumps. */
static void print_differences(const coreapi_node *want, const coreapi_node *got,
                              const char *prefix) {
  for (size_t i = 0; i < coreapi_map_size(want); i++) {
    const char *key;
    const coreapi_node *w = coreapi_map_entry_inserted(want, i, &key, NULL);
    const coreapi_node *g = coreapi_map_get(got, key, strlen(key));
    if (g == NULL)
      fprintf(stderr, "  missing: %s%s\n", prefix, key);
    else if (!coreapi_node_equal(w, g) && coreapi_node_type_of(w) == COREAPI_NODE_OBJECT &&
             coreapi_node_type_of(g) == COREAPI_NODE_OBJECT && prefix[0] == '\0') {
      char sub[512];
      snprintf(sub, sizeof(sub), "%s/", key);
      print_differences(w, g, sub);
    } else if (!coreapi_node_equal(w, g)) {
      fprintf(stderr, "  differs: %s%s\n", prefix, key);
      if (coreapi_node_type_of(w) == COREAPI_NODE_LINK &&
          coreapi_node_type_of(g) == COREAPI_NODE_LINK)
        print_link_difference(w, g);
    }
  }
  for (size_t i = 0; i < coreapi_map_size(got); i++) {
    const char *key;
    coreapi_map_entry_inserted(got, i, &key, NULL);
    if (coreapi_map_get(want, key, strlen(key)) == NULL)
      fprintf(stderr, "  unexpected: %s%s\n", prefix, key);
  }
}

/* A case with expected.json: the decoded description equals it. */
static int expect_document(const suite_case *c, const char *base) {
  coreapi_error err, werr;
  coreapi_node *got = coreapi_openapi_decode(c->input, c->input_len, base, &err);
  coreapi_node *want = coreapi_corejson_decode(c->expected, c->expected_len, base, &werr);
  coreapi_node *same = NULL;
  int ok = 0;
  if (want == NULL || coreapi_node_type_of(want) != COREAPI_NODE_DOCUMENT) {
    fprintf(stderr, "%s: expected.json is not a Core JSON document: %s\n", c->name,
            want == NULL ? werr.text : "(another type)");
  } else if (got == NULL) {
    fprintf(stderr, "%s: decoding failed: %s: %s\n", c->name, coreapi_code_name(err.code),
            err.text);
    print_node("expected", want);
  } else {
    same = with_media_type(got, want);
    ok = coreapi_node_equal(same, want);
    if (!ok) {
      fprintf(stderr, "%s: the document differs from expected.json\n", c->name);
      print_differences(want, same, "");
      print_node("expected", want);
      print_node("got", same);
    }
  }
  coreapi_node_free(same);
  coreapi_node_free(got);
  coreapi_node_free(want);
  return ok;
}

/* A case with error: the decode fails, ERR_PARSE, the message has it. */
static int expect_error(const suite_case *c, const char *base) {
  coreapi_error err;
  coreapi_node *got = coreapi_openapi_decode(c->input, c->input_len, base, &err);
  if (got != NULL) {
    fprintf(stderr, "%s: decoded, but should fail with \"%s\"\n", c->name, c->error);
    print_node("got", got);
    coreapi_node_free(got);
    return 0;
  }
  if (err.code != COREAPI_ERR_PARSE || c->error[0] == '\0' || strstr(err.text, c->error) == NULL) {
    fprintf(stderr, "%s: failed with %s \"%s\", expected ERR_PARSE with \"%s\"\n", c->name,
            coreapi_code_name(err.code), err.text, c->error);
    return 0;
  }
  if (verbose)
    printf("%s: %s\n", c->name, err.text);
  return 1;
}

/* Run the case folder root/name; 1 when it passes. */
static int run_case(const char *root, const char *name) {
  char dir[2048];
  suite_case c = {0};
  int ok = 0;
  snprintf(dir, sizeof(dir), "%s/%s", root, name);
  c.name = name;
  load_case(dir, &c);
  if (c.input == NULL)
    fprintf(stderr, "%s: no input.json or input.yaml\n", name);
  else if ((c.expected == NULL) == (c.error == NULL))
    fprintf(stderr, "%s: needs exactly one of expected.json and error\n", name);
  else if (!c.bad)
    ok = c.expected != NULL ? expect_document(&c, c.base ? c.base : DEFAULT_BASE)
                            : expect_error(&c, c.base ? c.base : DEFAULT_BASE);
  free_case(&c);
  return ok;
}

static int cmp_names(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The case folders of root, sorted (new strings); other files but the
 * README and the license fail a check. */
static char **list_cases(const char *root, size_t *count) {
  DIR *d = opendir(root);
  struct dirent *e;
  char **names = NULL;
  size_t cap = 0;
  *count = 0;
  if (d == NULL)
    fprintf(stderr, "cannot open %s: %s\n", root, strerror(errno));
  REQUIRE(d != NULL);
  while ((e = readdir(d)) != NULL) {
    char path[2048];
    struct stat st;
    if (e->d_name[0] == '.')
      continue;
    snprintf(path, sizeof(path), "%s/%s", root, e->d_name);
    REQUIRE(stat(path, &st) == 0);
    if (!S_ISDIR(st.st_mode)) {
      int known = strcmp(e->d_name, "README.md") == 0 || strcmp(e->d_name, "LICENSE") == 0;
      if (!known)
        fprintf(stderr, "%s: not a case folder\n", e->d_name);
      CHECK(known);
      continue;
    }
    if (*count == cap) {
      char **p = realloc(names, (cap = cap ? cap * 2 : 64) * sizeof(*names));
      REQUIRE(p != NULL);
      names = p;
    }
    names[*count] = strdup(e->d_name);
    REQUIRE(names[(*count)++] != NULL);
  }
  closedir(d);
  if (*count > 0)
    qsort(names, *count, sizeof(*names), cmp_names);
  return names;
}

int main(int argc, char **argv) {
  const char *root;
  size_t count = 0, passed = 0, failed = 0;
  char **names;
  int arg = 1;
  if (arg < argc && strcmp(argv[arg], "-v") == 0) {
    verbose = 1;
    arg++;
  }
  root = arg < argc ? argv[arg] : COREAPI_OPENAPI_SUITE_DIR;
  names = list_cases(root, &count);
  for (size_t i = 0; i < count; i++) {
    int ok = run_case(root, names[i]);
    if (!ok)
      fprintf(stderr, "  case %s FAILED\n", names[i]);
    passed += (size_t)ok;
    failed += (size_t)!ok;
    free(names[i]);
  }
  free(names);
  if (count < MIN_CASES)
    fprintf(stderr, "only %zu cases in %s (at least %d expected)\n", count, root, MIN_CASES);
  printf("test_openapi_suite: %zu cases in %s: %zu passed, %zu failed\n", count, root, passed,
         failed);
  return failed == 0 && check_failures == 0 && count >= MIN_CASES ? 0 : 1;
}
