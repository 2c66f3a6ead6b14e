/*
 * test_yaml.c - the YAML parser for OpenAPI descriptions
 * (src/codecs/yamlparse.c): the core schema's scalars case by case, the
 * OpenAPI example files (tests/fuzz/corpus/yaml/, byte-for-byte copies of
 * ../shared/reference/openapi/) against JSON, anchors and aliases, merge
 * keys, what it refuses and where it says so, and its bounds (billion
 * laughs, nesting).
 *
 * Each <name>.yaml.json beside an example <name>.yaml is that file read by
 * PyYAML and written by json (Debian's python3-yaml 6.0):
 *   python3 -c 'import yaml, json, sys; print(json.dumps(yaml.safe_load(
 *     open(sys.argv[1], encoding="utf-8")), indent=2, ensure_ascii=False))' F
 * PyYAML reads YAML 1.1 (yes/no booleans, 012 octal, timestamps); these
 * files hold none of those, so 1.1 and 1.2 read them alike.
 */
#include <coreapi/coreapi.h>
#include <dirent.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../src/codecs/jsonparse.h"
#include "check.h"

#define LIMIT (1u << 20) /* a budget for the tests that want one */

static coreapi_node *parse(const char *text, coreapi_error *err) {
  coreapi_error_clear(err);
  return coreapi__yaml_parse(text, strlen(text), LIMIT, err);
}

static coreapi_node *get(const coreapi_node *map, const char *key) {
  return coreapi_map_get(map, key, strlen(key));
}

/* Every map sealed and found by its keys, all the way down. */
static int well_formed(const coreapi_node *n, int depth) {
  size_t i, count;
  if (depth > 600)
    return 0;
  switch (coreapi_node_type_of(n)) {
    case COREAPI_NODE_OBJECT:
      count = coreapi_map_size(n);
      if ((AS_MAP(n)->flags & COREAPI__MAP_UNSEALED) || count != AS_MAP(n)->count)
        return 0;
      for (i = 0; i < count; i++) {
        const char *key;
        size_t len;
        coreapi_node *v = coreapi_map_entry(n, i, &key, &len);
        if (coreapi_map_get(n, key, len) != v || !well_formed(v, depth + 1))
          return 0;
      }
      return 1;
    case COREAPI_NODE_ARRAY:
      for (i = 0; i < coreapi_array_size(n); i++)
        if (!well_formed(coreapi_array_get(n, i), depth + 1))
          return 0;
      return 1;
    default:
      return n != NULL;
  }
}

/* --- scalars -------------------------------------------------------------- */

enum { S = COREAPI_NODE_STRING, I = COREAPI_NODE_INTEGER, R = COREAPI_NODE_REAL,
       B = COREAPI_NODE_BOOLEAN, N = COREAPI_NODE_NULL, E = 0 /* ERR_PARSE */ };

static const struct scalar_case {
  const char *yaml; /* the value of key v */
  int type;
  const char *s; /* a String's text, or the error's words */
  int64_t i;     /* an Integer's value, a Boolean's */
  double r;      /* a Real's value */
} scalar_cases[] = {
#define STR(y, text) {y, S, text, 0, 0}
#define ERR(y, words) {y, E, words, 0, 0}
#define NUL(y) {y, N, NULL, 0, 0}
#define INT(y, v) {y, I, NULL, v, 0}
#define BOOL(y, v) {y, B, NULL, v, 0}
#define REAL(y, v) {y, R, NULL, 0, v}
    NUL("null"), NUL("Null"), NUL("NULL"), NUL("~"), NUL(""),
    STR("nULL", "nULL"), STR("\"null\"", "null"), STR("'~'", "~"),
    BOOL("true", 1), BOOL("True", 1), BOOL("TRUE", 1),
    BOOL("false", 0), BOOL("False", 0), BOOL("FALSE", 0),
    STR("tRUE", "tRUE"), STR("\"true\"", "true"),
    /* YAML 1.1's booleans are strings in 1.2 */
    STR("yes", "yes"), STR("no", "no"), STR("on", "on"), STR("off", "off"),
    STR("Yes", "Yes"), STR("y", "y"), STR("n", "n"),
    INT("0", 0), INT("12", 12), INT("-12", -12), INT("+12", 12),
    INT("-0", 0), INT("012", 12) /* decimal in 1.2 */,
    INT("0o17", 15), INT("0o0", 0), INT("0x1F", 31), INT("0xff", 255),
    INT("0x7FFFFFFFFFFFFFFF", INT64_MAX), INT("9223372036854775807", INT64_MAX),
    INT("-9223372036854775808", INT64_MIN), INT("4096", 4096),
    ERR("9223372036854775808", "integer 9223372036854775808 is out of range"),
    ERR("-9223372036854775809", "out of range"), ERR("0x8000000000000000", "out of range"),
    STR("0o18", "0o18"), STR("0x", "0x"), STR("0o", "0o"), STR("0xG", "0xG"),
    STR("-0x1F", "-0x1F"), STR("+0o7", "+0o7"), STR("0b101", "0b101"), STR("1_000", "1_000"),
    STR("1:30", "1:30") /* sexagesimal in 1.1 */, STR("\"12\"", "12"), STR("'12'", "12"),
    REAL("1.5", 1.5), REAL("-1.5", -1.5), REAL("+1.5", 1.5), REAL(".5", 0.5),
    REAL("-.5", -0.5), REAL("1.", 1.0), REAL("1e3", 1000), REAL("1E3", 1000),
    REAL("1.5e-3", 0.0015), REAL("-2.5E+2", -250), REAL(".5e1", 5),
    REAL("1.0", 1.0), REAL("0.0", 0.0),
    ERR("1e400", "real number 1e400 is out of range"),
    STR(".", "."), STR("1e", "1e"), STR("e3", "e3"), STR("1.5.2", "1.5.2"), STR("1,5", "1,5"),
    STR(".e3", ".e3"), STR("1.0.0", "1.0.0"), STR("3.0.1", "3.0.1"),
    REAL(".inf", INFINITY), REAL(".Inf", INFINITY), REAL(".INF", INFINITY),
    REAL("+.inf", INFINITY), REAL("-.inf", -INFINITY), REAL("-.INF", -INFINITY),
    REAL(".nan", NAN), REAL(".NaN", NAN), REAL(".NAN", NAN),
    STR("inf", "inf"), STR("-.nan", "-.nan"), STR(".iNf", ".iNf"), STR("nan", "nan"),
    STR("2001-12-14", "2001-12-14"), STR("text with spaces", "text with spaces"),
    STR("\"\"", ""), STR("''", ""), STR("\"\\u00e9\\t\"", "\xc3\xa9\t"),
    STR("|\n  block\n", "block\n"), STR(">-\n  a\n  b\n", "a b"),
    /* tags: the core schema's are honoured, others ignored */
    STR("!!str 12", "12"), STR("!!str true", "true"), STR("!!str", ""), STR("! 12", "12"),
    INT("!!int 12", 12), INT("!!int \"0x10\"", 16), ERR("!!int 1.5", "!!int"),
    REAL("!!float 3", 3.0), REAL("!!float '2.5'", 2.5), ERR("!!float x", "!!float"),
    BOOL("!!bool \"true\"", 1), ERR("!!bool yes", "!!bool"), NUL("!!null ''"),
    ERR("!!null 0", "!!null"), INT("!custom 12", 12), STR("!custom '12'", "12"),
    STR("!!timestamp 2001-12-14", "2001-12-14"), STR("!!binary aGk=", "aGk="),
    INT("!<tag:yaml.org,2002:int> 7", 7),
};

static void scalars(void) {
  for (size_t k = 0; k < sizeof(scalar_cases) / sizeof(scalar_cases[0]); k++) {
    const struct scalar_case *c = &scalar_cases[k];
    char text[200];
    coreapi_error err;
    coreapi_node *doc, *v;
    int ok;
    snprintf(text, sizeof(text), "v: %s\n", c->yaml);
    doc = parse(text, &err);
    v = get(doc, "v");
    if (c->type == E) {
      ok = doc == NULL && err.code == COREAPI_ERR_PARSE && strstr(err.text, c->s) != NULL &&
           strncmp(err.text, "Malformed YAML. ", 16) == 0;
    } else if (v == NULL || (int)coreapi_node_type_of(v) != c->type) {
      ok = 0;
    } else if (c->type == S) {
      size_t len;
      const char *s = coreapi_string_value(v, &len);
      ok = len == strlen(c->s) && memcmp(s, c->s, len) == 0;
    } else if (c->type == I) {
      ok = coreapi_integer_value(v) == c->i;
    } else if (c->type == B) {
      ok = coreapi_boolean_value(v) == (int)c->i;
    } else if (c->type == R) {
      double r = coreapi_real_value(v);
      ok = isnan(c->r) ? isnan(r) : r == c->r;
    } else {
      ok = 1;
    }
    check_count++;
    if (!ok) {
      check_failures++;
      fprintf(stderr, "%s:%d: scalar %s: got %s %s\n", __FILE__, __LINE__, c->yaml,
              v ? coreapi_node_type_name(coreapi_node_type_of(v)) : "no value",
              doc ? "" : err.text);
    }
    coreapi_node_free(doc);
  }
}

/* Keys are the text of their scalars, whatever those resolve to. */
static void keys(void) {
  coreapi_error err;
  coreapi_node *doc = parse("200: a\ntrue: b\n~: c\n1.50: d\n0x1F: e\n'q': f\n? g\n", &err);
  REQUIRE(doc != NULL);
  CHECK(coreapi_map_size(doc) == 7);
  CHECK_STR(coreapi_string_value(get(doc, "200"), NULL), "a");
  CHECK_STR(coreapi_string_value(get(doc, "true"), NULL), "b");
  CHECK_STR(coreapi_string_value(get(doc, "~"), NULL), "c");
  CHECK_STR(coreapi_string_value(get(doc, "1.50"), NULL), "d");
  CHECK_STR(coreapi_string_value(get(doc, "0x1F"), NULL), "e");
  CHECK_STR(coreapi_string_value(get(doc, "q"), NULL), "f");
  CHECK(coreapi_node_type_of(get(doc, "g")) == COREAPI_NODE_NULL);
  /* Document order is insertion order. */
  {
    const char *key = NULL;
    coreapi_map_entry_inserted(doc, 0, &key, NULL);
    CHECK_STR(key, "200");
    coreapi_map_entry_inserted(doc, 6, &key, NULL);
    CHECK_STR(key, "g");
  }
  coreapi_node_free(doc);
}

/* --- the OpenAPI examples -------------------------------------------------- */

/* The contents of path (NUL-terminated, *len bytes), or NULL. */
static char *slurp(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  char *s = NULL;
  long n;
  if (f != NULL && fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
      fseek(f, 0, SEEK_SET) == 0 && (s = malloc((size_t)n + 1)) != NULL) {
    *len = fread(s, 1, (size_t)n, f);
    s[*len] = '\0';
  }
  if (f != NULL)
    fclose(f);
  return s;
}

/* dir + name in buf (the folder of this file, tests/, is found from __FILE__). */
static const char *tests_path(char *buf, size_t size, const char *name) {
  const char *file = __FILE__, *end = strstr(file, "unit/test_yaml.c");
  snprintf(buf, size, "%.*s%s", end ? (int)(end - file) : 0, file, name);
  return buf;
}

static coreapi_node *parse_file(const char *path, int as_yaml, coreapi_error *err) {
  size_t len = 0;
  char *text = slurp(path, &len);
  coreapi_node *n;
  coreapi_error_clear(err);
  if (text == NULL) {
    coreapi_error_set(err, COREAPI_ERR_IO, "cannot read %s", path);
    return NULL;
  }
  n = as_yaml ? coreapi__yaml_parse(text, len, 0, err) : coreapi_json_decode(text, len, err);
  free(text);
  return n;
}

static void examples(void) {
  static const char *const yaml[] = {"v2.0-petstore-expanded", "v3.0-link-example",
                                     "v3.0-petstore-expanded", "v3.0-petstore", "v3.0-uspto",
                                     "v3.1-webhook-example"};
  static const char *const json[] = {"v2.0-petstore", "v3.1-non-oauth-scopes"};
  char path[1024];
  coreapi_error err, err2;
  for (size_t i = 0; i < sizeof(yaml) / sizeof(yaml[0]); i++) {
    char name[200];
    coreapi_node *a, *b;
    snprintf(name, sizeof(name), "fuzz/corpus/yaml/%s.yaml", yaml[i]);
    a = parse_file(tests_path(path, sizeof(path), name), 1, &err);
    snprintf(name, sizeof(name), "fuzz/corpus/yaml/%s.yaml.json", yaml[i]);
    b = parse_file(tests_path(path, sizeof(path), name), 0, &err2);
    if (a == NULL || b == NULL)
      fprintf(stderr, "%s: %s %s\n", yaml[i], a ? "" : err.text, b ? "" : err2.text);
    CHECK(a != NULL && b != NULL);
    CHECK(coreapi_node_equal(a, b));
    CHECK(well_formed(a, 0));
    CHECK(coreapi_node_type_of(get(a, "info")) == COREAPI_NODE_OBJECT);
    coreapi_node_free(a);
    coreapi_node_free(b);
  }
  /* JSON is YAML (1.2): the JSON examples read alike both ways. */
  for (size_t i = 0; i < sizeof(json) / sizeof(json[0]); i++) {
    char name[200];
    coreapi_node *a, *b;
    snprintf(name, sizeof(name), "fuzz/corpus/yaml/%s.json", json[i]);
    a = parse_file(tests_path(path, sizeof(path), name), 1, &err);
    b = parse_file(path, 0, &err2);
    CHECK(a != NULL && b != NULL && coreapi_node_equal(a, b));
    coreapi_node_free(a);
    coreapi_node_free(b);
  }
}

/* Every .yaml of ../shared/reference/openapi/v* (when it is there) parses. */
static void reference_files(void) {
  static const char *const versions[] = {"v2.0", "v3.0", "v3.1"};
  char sub[64], dir[1024], path[2048];
  for (size_t v = 0; v < 3; v++) {
    DIR *d;
    struct dirent *e;
    snprintf(sub, sizeof(sub), "../../shared/reference/openapi/%s", versions[v]);
    tests_path(dir, sizeof(dir), sub);
    if ((d = opendir(dir)) == NULL) {
      printf("test_yaml: %s not found, skipped\n", dir);
      continue;
    }
    while ((e = readdir(d)) != NULL) {
      size_t n = strlen(e->d_name);
      coreapi_error err;
      coreapi_node *a;
      if (n < 5 || strcmp(e->d_name + n - 5, ".yaml") != 0)
        continue;
      snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
      a = parse_file(path, 1, &err);
      if (a == NULL)
        fprintf(stderr, "%s: %s\n", path, err.text);
      CHECK(a != NULL && well_formed(a, 0));
      coreapi_node_free(a);
    }
    closedir(d);
  }
}

/* --- anchors, aliases, merge keys ----------------------------------------- */

static void anchors(void) {
  coreapi_error err;
  coreapi_node *doc = parse("a: &x {p: [1, 2]}\nb: *x\nc: &s text\nd: *s\n"
                            "e: &x 5\nf: *x\n*s : key\ng: &k 200\n*k : k\n",
                            &err);
  REQUIRE(doc != NULL);
  CHECK(get(doc, "a") == get(doc, "b")); /* the same node */
  CHECK(get(doc, "c") == get(doc, "d"));
  CHECK(coreapi_integer_value(get(doc, "f")) == 5); /* redefined */
  CHECK_STR(coreapi_string_value(get(doc, "text"), NULL), "key");
  CHECK_STR(coreapi_string_value(get(doc, "200"), NULL), "k");
  CHECK(well_formed(doc, 0));
  coreapi_node_free(doc);

  doc = parse("a: *nope\n", &err);
  CHECK(doc == NULL && err.code == COREAPI_ERR_PARSE);
  CHECK_STR(err.text, "Malformed YAML. alias *nope names no anchor defined before it "
                      "(line 1, column 4)");
  doc = parse("b: *a\na: &a 1\n", &err);
  CHECK(doc == NULL && strstr(err.text, "names no anchor") != NULL);
  doc = parse("a: &a [1, *a]\n", &err);
  CHECK(doc == NULL && strstr(err.text, "alias *a is inside the node it names") != NULL);
  doc = parse("a: &a {x: 1}\n*a : 2\n", &err);
  CHECK(doc == NULL && strstr(err.text, "a mapping key must be a scalar") != NULL);
  doc = parse("[1]: 2\n", &err);
  CHECK(doc == NULL && strstr(err.text, "a mapping key must be a scalar, not a sequence"));
  doc = parse("? {a: 1}\n: 2\n", &err);
  CHECK(doc == NULL && strstr(err.text, "a mapping key must be a scalar, not a mapping"));
}

static void merges(void) {
  coreapi_error err;
  const char *key = NULL;
  coreapi_node *doc = parse("a: &a {x: 1, y: 1, z: 1}\n"
                            "b: &b {y: 2, w: 2}\n"
                            "one:\n  <<: *a\n  z: 3\n"
                            "two:\n  v: 0\n  <<: [*a, *b]\n  x: 3\n"
                            "inline: {<<: {q: 1}, r: 2}\n"
                            "quoted: {'<<': 1}\n"
                            "empty: {<<: []}\n",
                            &err);
  coreapi_node *one = get(doc, "one"), *two = get(doc, "two");
  REQUIRE(doc != NULL);
  CHECK(coreapi_map_size(one) == 3);
  CHECK(coreapi_integer_value(get(one, "x")) == 1);
  CHECK(coreapi_integer_value(get(one, "z")) == 3); /* explicit wins */
  CHECK(coreapi_map_size(two) == 5);
  CHECK(coreapi_integer_value(get(two, "x")) == 3);
  CHECK(coreapi_integer_value(get(two, "y")) == 1); /* the earlier merge wins */
  CHECK(coreapi_integer_value(get(two, "w")) == 2);
  /* In document order, the merged entries where << is: v, y, z, w, x. */
  coreapi_map_entry_inserted(two, 0, &key, NULL);
  CHECK_STR(key, "v");
  coreapi_map_entry_inserted(two, 1, &key, NULL);
  CHECK_STR(key, "y");
  coreapi_map_entry_inserted(two, 3, &key, NULL);
  CHECK_STR(key, "w");
  coreapi_map_entry_inserted(two, 4, &key, NULL);
  CHECK_STR(key, "x");
  CHECK(coreapi_map_size(get(doc, "inline")) == 2);
  CHECK(coreapi_integer_value(get(get(doc, "quoted"), "<<")) == 1);
  CHECK(coreapi_map_size(get(doc, "empty")) == 0);
  CHECK(well_formed(doc, 0));
  coreapi_node_free(doc);

  doc = parse("a: {<<: 1}\n", &err);
  CHECK(doc == NULL && strstr(err.text, "the merge key << takes a mapping") != NULL);
  doc = parse("a: {<<: [{x: 1}, 2]}\n", &err);
  CHECK(doc == NULL && strstr(err.text, "the merge key << takes a mapping") != NULL);
  /* A duplicate among the explicit keys is one even with a merge. */
  doc = parse("a: {<<: {x: 1}, y: 1, y: 2}\n", &err);
  CHECK(doc == NULL && strstr(err.text, "duplicate mapping key 'y'") != NULL);
}

/* --- refusals and their positions ----------------------------------------- */

static void refused(const char *text, size_t len, coreapi_code code, const char *want, int line) {
  coreapi_error err;
  coreapi_node *n;
  coreapi_error_clear(&err);
  coreapi_error_clear(&err);
  n = coreapi__yaml_parse(text, len, LIMIT, &err);
  check_count++;
  if (n != NULL || err.code != code || strstr(err.text, want) == NULL) {
    check_failures++;
    fprintf(stderr, "%s:%d: got %s \"%s\", expected %s with \"%s\"\n", __FILE__, line,
            n ? "a value" : coreapi_code_name(err.code), n ? "" : err.text,
            coreapi_code_name(code), want);
  }
  coreapi_node_free(n);
}
#define REFUSED(text, want) refused(text, sizeof(text) - 1, COREAPI_ERR_PARSE, want, __LINE__)

static void errors(void) {
  coreapi_error err;
  coreapi_node *n;
  REFUSED("a: 1\nb: 2\na: 3\n",
          "Malformed YAML. duplicate mapping key 'a' (line 3, column 1)");
  REFUSED("x:\n  k: 1\n  \"k\": 2\n", "duplicate mapping key 'k' (line 3, column 3)");
  REFUSED("x: {1: a, '1': b}\n", "duplicate mapping key '1' (line 1, column 11)");
  REFUSED("&k a: 1\n*k : 2\n", "duplicate mapping key 'a' (line 2, column 1)");
  REFUSED("", "Malformed YAML. no value (line 1, column 1)");
  REFUSED("# only a comment\n\n", "no value");
  REFUSED("--- 1\n--- 2\n", "a second document in the stream (a description is one "
                            "document) (line 2, column 1)");
  REFUSED("a: 1\n...\n---\nb: 2\n", "a second document");
  REFUSED("a:\n\tb: 1\n", "found character that cannot start any token (line 2, column 1)");
  REFUSED("a:\n  - 1\n\t- 2\n", "(line 3, column 1)");
  REFUSED("a: [1, 2\n", "did not find expected ',' or ']'");
  REFUSED("a: b: c\n", "mapping values are not allowed in this context (line 1, column 5)");
  REFUSED("a: 'unterminated\n", "found unexpected end of stream");
  REFUSED("a: \"\\ud800\"\n", "found invalid Unicode character escape code");
  REFUSED("a: \xff\n", "Malformed YAML. invalid leading UTF-8 octet #FF (line 1, column 4)");
  REFUSED("a: 1\nb: \xc0\xaf\n", "(line 2, column 4)"); /* overlong */
  REFUSED("a: \xed\xa0\x80\n", "invalid Unicode character");   /* a surrogate */
  REFUSED("a: \xe2\x82\n", "UTF-8");                           /* truncated */
  REFUSED("a: \x01\n", "control characters are not allowed");
  REFUSED("a: b\0c\n", "control characters are not allowed");
  REFUSED("%YAML 2.0\n--- 1\n", "found incompatible YAML document");
  REFUSED("a: *\n", "did not find expected alphabetic or numeric character");

  /* Multiple documents: only "..." or "---" alone is not a second one. */
  n = parse("--- 1\n...\n", &err);
  CHECK(n != NULL && coreapi_integer_value(n) == 1);
  coreapi_node_free(n);
  n = parse("---\n", &err);
  CHECK(n != NULL && coreapi_node_type_of(n) == COREAPI_NODE_NULL);
  coreapi_node_free(n);
  coreapi_error_clear(&err);
  n = coreapi__yaml_parse(NULL, 0, 0, &err);
  CHECK(n == NULL && err.code == COREAPI_ERR_PARSE);
  coreapi_error_clear(&err);
  n = coreapi__yaml_parse(NULL, 3, 0, &err);
  CHECK(n == NULL && err.code == COREAPI_ERR_INVALID_ARGUMENT);
  /* The budget counts what is made. */
  coreapi_error_clear(&err);
  n = coreapi__yaml_parse("a: [x, y]", 9, 100, &err);
  CHECK(n == NULL && err.code == COREAPI_ERR_TOO_LARGE);
  CHECK_STR(err.text, "the decoded document is larger than 100 bytes (the decoding limit)");
  coreapi_error_clear(&err);
  n = coreapi__yaml_parse("a: [x, y]", 9, 1000, &err);
  CHECK(n != NULL);
  coreapi_node_free(n);
}

/* UTF-16 with a byte order mark is YAML too (libyaml converts it). */
static void encodings(void) {
  static const char utf16[] = "\xff\xfe" "a\0:\0 \0\xe9\0";
  coreapi_error err;
  coreapi_error_clear(&err);
  coreapi_node *n = coreapi__yaml_parse(utf16, sizeof(utf16) - 1, 0, &err);
  CHECK(n != NULL);
  CHECK_STR(coreapi_string_value(get(n, "a"), NULL), "\xc3\xa9");
  coreapi_node_free(n);
}

/* --- bounds ---------------------------------------------------------------- */

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + t.tv_nsec / 1e9;
}

/* 9 levels of 10 aliases each: 10^9 "lol"s if expanded. */
static char *laughs(void) {
  char *s = malloc(4096), *p = s;
  REQUIRE(s != NULL);
  p += sprintf(p, "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\","
                  "\"lol\",\"lol\"]\n");
  for (char c = 'b'; c <= 'i'; c++) {
    p += sprintf(p, "%c: &%c [", c, c);
    for (int i = 0; i < 10; i++)
      p += sprintf(p, "%s*%c", i ? ", " : "", c - 1);
    p += sprintf(p, "]\n");
  }
  return s;
}

static void billion_laughs(void) {
  char *text = laughs();
  coreapi_error err;
  double t0 = now();
  coreapi_error_clear(&err);
  coreapi_node *n = coreapi__yaml_parse(text, strlen(text), LIMIT, &err);
  double t = now() - t0;
  CHECK(n == NULL && err.code == COREAPI_ERR_TOO_LARGE);
  CHECK(strstr(err.text, "larger than 1048576 bytes") != NULL);
  CHECK(t < 0.2);
  /* Without a limit it is small all the same: each alias is one pointer. */
  coreapi_error_clear(&err);
  n = coreapi__yaml_parse(text, strlen(text), 0, &err);
  CHECK(n != NULL);
  CHECK(coreapi_array_get(get(n, "i"), 0) == coreapi_array_get(get(n, "i"), 9));
  CHECK(coreapi_array_get(get(n, "i"), 0) == get(n, "h"));
  coreapi_node_free(n);
  free(text);
}

/* depth nested flow sequences ("[[...]]"), or block sequences ("- - x"). */
static char *nested(int depth, int block) {
  char *s = malloc((size_t)depth * 2 + 8), *p = s;
  REQUIRE(s != NULL);
  for (int i = 0; i < depth; i++)
    p += sprintf(p, block ? "- " : "[");
  p += sprintf(p, block ? "x\n" : "");
  for (int i = 0; i < depth && !block; i++)
    *p++ = ']';
  *p = '\0';
  return s;
}

static void depth(void) {
  for (int block = 0; block <= 1; block++) {
    coreapi_error err;
    char *ok = nested(512, block), *deep = nested(513, block), *deeper = nested(100000, block);
    char want[80];
    coreapi_node *n = parse(ok, &err);
    CHECK(n != NULL && well_formed(n, 0));
    coreapi_node_free(n);
    n = parse(deep, &err);
    CHECK(n == NULL && err.code == COREAPI_ERR_PARSE);
    snprintf(want, sizeof(want), "maximum nesting depth exceeded (line 1, column %d)",
             block ? 1025 : 513);
    CHECK(strstr(err.text, want) != NULL);
    n = parse(deeper, &err);
    CHECK(n == NULL && strstr(err.text, "maximum nesting depth exceeded") != NULL);
    free(ok);
    free(deep);
    free(deeper);
  }
}

int main(void) {
  scalars();
  keys();
  examples();
  reference_files();
  anchors();
  merges();
  errors();
  encodings();
  billion_laughs();
  depth();
  return check_done("test_yaml");
}
