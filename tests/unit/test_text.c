/*
 * tests/unit/test_text.c - the text layer (src/text/) against Python: every
 * case of the data-driven suites in tests/suites/ (UTF-8 decoding, str(float)
 * and the JSON writer's floats, quote_plus, urljoin, mimetypes' guess_type
 * and the reference's guess_extension), whose expected outputs Python
 * computed (tests/gen_text_suites.py, which also describes the file format).
 * Each failing case is printed with its file and line.
 */
#include <math.h>
#include <stdint.h>

#include "check.h"
#include "../../src/text/text.h"
#include "../../src/codecs/jsonout.h"

#ifndef COREAPI_SUITES_DIR
#error "COREAPI_SUITES_DIR must name tests/suites"
#endif

#define MAX_FIELDS 4

/* One field of a case: its bytes (NUL-terminated too), or none for "\N". */
typedef struct field {
  char *p;
  size_t n;
  int none;
} field;

typedef struct suite {
  const char *name; /* "urljoin/cases.txt" */
  FILE *f;
  char *line;
  size_t cap;
  unsigned lineno;
  field fields[MAX_FIELDS];
  size_t count;
  unsigned cases;
} suite;

/* Undo the escapes of [s, end) in place. Returns 0, -1 when malformed. */
static int unescape(field *fl, char *s, char *end) {
  char *o = s;
  fl->p = s;
  fl->none = end - s == 2 && s[0] == '\\' && s[1] == 'N';
  if (fl->none) {
    fl->n = 0;
    *s = '\0';
    return 0;
  }
  for (char *p = s; p < end; p++) {
    if (*p != '\\') {
      *o++ = *p;
    } else if (p + 1 < end && p[1] == '\\') {
      *o++ = '\\';
      p++;
    } else if (p + 3 < end && p[1] == 'x' && coreapi__hex_value((unsigned char)p[2]) >= 0 &&
               coreapi__hex_value((unsigned char)p[3]) >= 0) {
      *o++ = (char)(coreapi__hex_value((unsigned char)p[2]) * 16 + coreapi__hex_value((unsigned char)p[3]));
      p += 3;
    } else {
      return -1;
    }
  }
  fl->n = (size_t)(o - s);
  *o = '\0';
  return 0;
}

static void suite_open(suite *st, const char *name) {
  char path[512];
  memset(st, 0, sizeof(*st));
  st->name = name;
  snprintf(path, sizeof(path), "%s/%s", COREAPI_SUITES_DIR, name);
  st->f = fopen(path, "r");
  if (st->f == NULL)
    fprintf(stderr, "%s: cannot open\n", path);
  REQUIRE(st->f != NULL);
}

/* The next case, split into fields: 1, or 0 at the end of the file. */
static int suite_next(suite *st) {
  for (;;) {
    char *p, *end;
    int c;
    size_t len = 0;
    if (st->line == NULL && (st->line = malloc(st->cap = 256)) == NULL)
      return 0;
    while ((c = fgetc(st->f)) != EOF && c != '\n') {
      if (len + 1 >= st->cap) {
        p = realloc(st->line, st->cap * 2);
        REQUIRE(p != NULL);
        st->line = p;
        st->cap *= 2;
      }
      st->line[len++] = (char)c;
    }
    if (c == EOF && len == 0)
      return 0;
    st->line[len] = '\0';
    st->lineno++;
    if (len == 0 || st->line[0] == '#')
      continue;
    st->count = 0;
    end = st->line + len;
    for (p = st->line; st->count < MAX_FIELDS;) {
      char *tab = memchr(p, '\t', (size_t)(end - p));
      char *stop = tab ? tab : end;
      if (unescape(&st->fields[st->count++], p, stop) != 0) {
        fprintf(stderr, "%s:%u: malformed escape\n", st->name, st->lineno);
        check_failures++;
      }
      if (tab == NULL)
        break;
      p = tab + 1;
    }
    st->cases++;
    return 1;
  }
}

static void suite_close(suite *st) {
  printf("  %-28s %u cases\n", st->name, st->cases);
  fclose(st->f);
  free(st->line);
}

/* Print s[0..n) escaped as the suites write it. */
static void put_escaped(const char *s, size_t n) {
  if (s == NULL) {
    fputs("\\N", stderr);
    return;
  }
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c == '\\')
      fputs("\\\\", stderr);
    else if (c >= 0x20 && c < 0x7F)
      fputc(c, stderr);
    else
      fprintf(stderr, "\\x%02x", c);
  }
}

/* Count one check of the case at st's line: got (len gn, NULL for none)
 * against want; print the case when they differ. */
static void expect(suite *st, const char *what, const char *got, size_t gn, const char *want,
                   size_t wn) {
  check_count++;
  if ((got == NULL && want == NULL) ||
      (got != NULL && want != NULL && gn == wn && memcmp(got, want, gn) == 0))
    return;
  check_failures++;
  fprintf(stderr, "%s:%u: %s(", st->name, st->lineno, what);
  for (size_t i = 0; i < st->count; i++) {
    if (i > 0)
      fputs(", ", stderr);
    put_escaped(st->fields[i].none ? NULL : st->fields[i].p, st->fields[i].n);
  }
  fputs(") is \"", stderr);
  put_escaped(got, gn);
  fputs("\", expected \"", stderr);
  put_escaped(want, wn);
  fputs("\"\n", stderr);
}

static void expect_str(suite *st, const char *what, const char *got, const field *want) {
  expect(st, what, got, got ? strlen(got) : 0, want->none ? NULL : want->p, want->n);
}

/* --- the suites ------------------------------------------------------------ */

static void test_utf8(void) {
  suite st;
  suite_open(&st, "utf8/cases.txt");
  while (suite_next(&st)) {
    const field *in = &st.fields[0];
    coreapi__buf got = {0}, want = {0};
    size_t i = 0, chars = 0, len;
    uint32_t cp;
    int ok;
    REQUIRE(st.count == 3);
    ok = strcmp(st.fields[2].p, "ok") == 0;
    /* Decoding character by character: the code points, and where it stops. */
    while (i < in->n && (len = coreapi__utf8_next(in->p + i, in->n - i, &cp)) > 0) {
      coreapi__buf_appendf(&got, "%s%x", chars ? " " : "", (unsigned)cp);
      i += len;
      chars++;
    }
    if (i < in->n)
      coreapi__buf_appendf(&got, "|@%zu", i);
    else
      coreapi__buf_appendf(&got, "|ok");
    coreapi__buf_appendf(&want, "%s|%s", st.fields[1].p, st.fields[2].p);
    expect(&st, "utf8_next", got.data, got.len, want.data, want.len);
    expect(&st, "is_utf8", coreapi__is_utf8(in->p, in->n) ? "ok" : "invalid",
           coreapi__is_utf8(in->p, in->n) ? 2 : 7, ok ? "ok" : "invalid", ok ? 2 : 7);
    if (ok) {
      /* len() and slicing by characters. */
      size_t half = coreapi__utf8_skip(in->p, in->n, chars / 2);
      CHECK_INT(coreapi__utf8_chars(in->p, in->n), chars);
      CHECK_INT(coreapi__utf8_chars(in->p, half), chars / 2);
      CHECK_INT(coreapi__utf8_skip(in->p, in->n, chars), in->n);
      CHECK_INT(coreapi__utf8_skip(in->p, in->n, chars + 1), in->n);
    }
    coreapi__buf_free(&got);
    coreapi__buf_free(&want);
  }
  suite_close(&st);
  CHECK_INT(coreapi__utf8_next(NULL, 0, NULL), 0);
  CHECK_INT(coreapi__utf8_next("a", 0, NULL), 0);
  CHECK(coreapi__is_utf8(NULL, 0));
}

static void test_pyfloat(void) {
  suite st;
  suite_open(&st, "pyfloat/cases.txt");
  while (suite_next(&st)) {
    coreapi__buf s = {0}, j = {0};
    double d;
    REQUIRE(st.count == 3);
    d = strtod(st.fields[0].p, NULL);
    REQUIRE(coreapi__py_float_str(&s, d) == 0 && coreapi__json_real(&j, d) == 0);
    expect_str(&st, "str", s.data, &st.fields[1]);
    expect_str(&st, "json", j.data, &st.fields[2]);
    coreapi__buf_free(&s);
    coreapi__buf_free(&j);
  }
  suite_close(&st);
}

static void test_quote_plus(void) {
  suite st;
  suite_open(&st, "quote_plus/cases.txt");
  while (suite_next(&st)) {
    coreapi__buf b = {0};
    REQUIRE(st.count == 2);
    REQUIRE(coreapi__quote_plus(&b, st.fields[0].p, st.fields[0].n) == 0);
    expect_str(&st, "quote_plus", b.data, &st.fields[1]);
    coreapi__buf_free(&b);
  }
  suite_close(&st);
}

static void test_urljoin(void) {
  suite st;
  unsigned raises = 0;
  suite_open(&st, "urljoin/cases.txt");
  while (suite_next(&st)) {
    char *got;
    REQUIRE(st.count == 3 || st.count == 4);
    got = coreapi__urljoin(st.fields[0].p, st.fields[1].p);
    REQUIRE(got != NULL);
    if (st.fields[2].none)
      raises++; /* Python raises ValueError: the library answers */
    else
      expect_str(&st, "urljoin", got, &st.fields[2]);
    free(got);
  }
  suite_close(&st);
  printf("  (%u cases where Python raises ValueError)\n", raises);
  {
    char *a = coreapi__urljoin(NULL, "x/y"), *b = coreapi__urljoin("http://h/", NULL);
    CHECK_STR(a, "x/y");
    CHECK_STR(b, "http://h/");
    free(a);
    free(b);
  }
}

static void test_mimetypes(void) {
  suite st;
  suite_open(&st, "mimetypes/guess_type.txt");
  while (suite_next(&st)) {
    size_t len = 99;
    const char *got;
    REQUIRE(st.count == 2);
    got = coreapi__guess_type(st.fields[0].p, &len);
    expect(&st, "guess_type", got, got ? len : 0, st.fields[1].none ? NULL : st.fields[1].p,
           st.fields[1].n);
    CHECK(got != NULL || len == 0);
  }
  suite_close(&st);
  suite_open(&st, "mimetypes/guess_extension.txt");
  while (suite_next(&st)) {
    REQUIRE(st.count == 2);
    expect_str(&st, "guess_extension", coreapi__guess_extension(st.fields[0].p, st.fields[0].n),
               &st.fields[1]);
  }
  suite_close(&st);
  CHECK(coreapi__guess_type(NULL, NULL) == NULL);
  CHECK_STR(coreapi__guess_type("a.png", NULL), "image/png");
  CHECK_STR(coreapi__guess_extension(NULL, 0), "");
}

int main(void) {
  test_utf8();
  test_pyfloat();
  test_quote_plus();
  test_urljoin();
  test_mimetypes();
  return check_done("test_text");
}
