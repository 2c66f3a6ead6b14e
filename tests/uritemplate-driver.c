/*
 * uritemplate-driver.c - run a file of the uritemplate-test suite (RFC 6570)
 * against coreapi_uritemplate_expand.
 *
 * Usage: uritemplate-driver FILE.json
 *
 * The file is an object of groups; each group has "variables" (an object) and
 * "testcases", a list of [template, expected] where expected is a string, a
 * list of acceptable strings (for objects, whose order is not fixed), or
 * false: the template (or its expansion with these variables) must fail.
 * Prints one line per failure on stdout and, last, "N passed, M failed".
 * Exits 0 when every case passed, 1 otherwise (a file that cannot be read,
 * is malformed or holds no case counts as a failure), 2 on a usage error.
 */
#include <coreapi/coreapi.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int passed, failed;

static char *read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  char *data = NULL;
  size_t cap = 0, n = 0;
  if (f == NULL)
    return NULL;
  for (;;) {
    size_t got;
    if (n == cap) {
      char *d;
      cap = cap ? cap * 2 : 65536;
      d = realloc(data, cap);
      if (d == NULL) {
        free(data);
        fclose(f);
        return NULL;
      }
      data = d;
    }
    got = fread(data + n, 1, cap - n, f);
    n += got;
    if (got == 0)
      break;
  }
  if (ferror(f)) {
    free(data);
    fclose(f);
    return NULL;
  }
  fclose(f);
  *len = n;
  return data;
}

static void fail(const char *group, const char *tmpl, const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* One line for a failure: the group, the template, what went wrong. */
static void fail(const char *group, const char *tmpl, const char *fmt, ...) {
  va_list ap;
  failed++;
  printf("FAIL [%s] %s: ", group != NULL ? group : "?", tmpl != NULL ? tmpl : "(case)");
  va_start(ap, fmt);
  vprintf(fmt, ap);
  va_end(ap);
  printf("\n");
}

/* Does result match expected (a String, or an Array of Strings)? */
static int matches(const coreapi_node *expected, const char *result, size_t result_len) {
  size_t n;
  const char *s;
  if (coreapi_node_type_of(expected) == COREAPI_NODE_STRING) {
    s = coreapi_string_value(expected, &n);
    return n == result_len && memcmp(s, result, n) == 0;
  }
  for (size_t i = 0; i < coreapi_array_size(expected); i++) {
    s = coreapi_string_value(coreapi_array_get(expected, i), &n);
    if (s != NULL && n == result_len && memcmp(s, result, n) == 0)
      return 1;
  }
  return 0;
}

static int valid_expectation(const coreapi_node *e) {
  coreapi_node_type t = coreapi_node_type_of(e);
  if (t == COREAPI_NODE_STRING)
    return 1;
  if (t == COREAPI_NODE_BOOLEAN)
    return !coreapi_boolean_value(e);
  if (t != COREAPI_NODE_ARRAY || coreapi_array_size(e) == 0)
    return 0;
  for (size_t i = 0; i < coreapi_array_size(e); i++)
    if (coreapi_node_type_of(coreapi_array_get(e, i)) != COREAPI_NODE_STRING)
      return 0;
  return 1;
}

static void run_case(const char *group, const coreapi_node *vars, const coreapi_node *tc) {
  const coreapi_node *t = coreapi_array_get(tc, 0), *expected = coreapi_array_get(tc, 1);
  const char *tmpl;
  size_t tmpl_len, out_len = 0;
  char *out;
  coreapi_error err;

  tmpl = coreapi_string_value(t, &tmpl_len);
  if (coreapi_array_size(tc) != 2 || tmpl == NULL || !valid_expectation(expected)) {
    fail(group, tmpl, "malformed test case");
    return;
  }
  out = coreapi_uritemplate_expand(tmpl, tmpl_len, vars, &out_len, &err);
  if (coreapi_node_type_of(expected) == COREAPI_NODE_BOOLEAN) {
    if (out != NULL)
      fail(group, tmpl, "expected an error, got \"%s\"", out);
    else if (err.code != COREAPI_ERR_INVALID_ARGUMENT)
      fail(group, tmpl, "expected ERR_INVALID_ARGUMENT, got %s: %s", coreapi_code_name(err.code),
           err.text);
    else
      passed++;
  } else if (out == NULL) {
    fail(group, tmpl, "error %s: %s", coreapi_code_name(err.code), err.text);
  } else if (strlen(out) != out_len) {
    fail(group, tmpl, "out_len %zu for \"%s\" of length %zu", out_len, out, strlen(out));
  } else if (!matches(expected, out, out_len)) {
    const char *first = coreapi_node_type_of(expected) == COREAPI_NODE_STRING
                            ? coreapi_string_value(expected, NULL)
                            : coreapi_string_value(coreapi_array_get(expected, 0), NULL);
    fail(group, tmpl, "got \"%s\", expected \"%s\"", out, first);
  } else {
    passed++;
  }
  free(out);
}

int main(int argc, char **argv) {
  coreapi_node *root;
  coreapi_error err;
  char *data;
  size_t len = 0, groups;

  if (argc != 2) {
    fprintf(stderr, "usage: %s FILE.json\n", argc > 0 ? argv[0] : "uritemplate-driver");
    return 2;
  }
  data = read_file(argv[1], &len);
  if (data == NULL) {
    fail(argv[1], NULL, "cannot read the file");
    printf("%d passed, %d failed\n", passed, failed);
    return 1;
  }
  root = coreapi_json_decode(data, len, &err);
  free(data);
  if (coreapi_node_type_of(root) != COREAPI_NODE_OBJECT) {
    fail(argv[1], NULL, "not a JSON object of groups%s%s", root == NULL ? ": " : "",
         root == NULL ? err.text : "");
    coreapi_node_free(root);
    printf("%d passed, %d failed\n", passed, failed);
    return 1;
  }
  groups = coreapi_map_size(root);
  for (size_t g = 0; g < groups; g++) {
    const char *name = NULL;
    const coreapi_node *group = coreapi_map_entry_inserted(root, g, &name, NULL);
    const coreapi_node *vars = coreapi_map_get(group, "variables", 9);
    const coreapi_node *cases = coreapi_map_get(group, "testcases", 9);
    if (coreapi_node_type_of(group) != COREAPI_NODE_OBJECT ||
        coreapi_node_type_of(cases) != COREAPI_NODE_ARRAY ||
        (vars != NULL && coreapi_node_type_of(vars) != COREAPI_NODE_OBJECT)) {
      fail(name, NULL, "malformed group (needs \"testcases\" and an object of \"variables\")");
      continue;
    }
    for (size_t i = 0; i < coreapi_array_size(cases); i++)
      run_case(name, vars, coreapi_array_get(cases, i));
  }
  coreapi_node_free(root);
  if (passed + failed == 0)
    fail(argv[1], NULL, "no test case in the file");
  printf("%d passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
}
