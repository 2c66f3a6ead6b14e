/*
 * codecs/yamlvalues.c - the values of a YAML stream, for yamlparse.c: what
 * a scalar's text is by the YAML 1.2 core schema (yaml.org/spec/1.2.2,
 * 10.3.2), as OpenAPI 3.1 asks, and the table of anchors (a hash table,
 * FNV-1a, open addressing).
 * Plain scalars resolve to null (null, Null, NULL, ~, empty), booleans
 * (true, True, TRUE, false, False, FALSE), Integers ([-+]?[0-9]+,
 * 0o[0-7]+, 0x[0-9a-fA-F]+; beyond int64 an error), Reals
 * ([-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?, [-+]?.inf, .nan,
 * also .Inf .INF .NaN .NAN), else Strings. See yamlvalues.h.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/base.h"
#include "yamlvalues.h"

#define TAG_PREFIX "tag:yaml.org,2002:"
#define ANY COREAPI__YAML_ANY
#define STR COREAPI__YAML_STR
#define NUL COREAPI__YAML_NULL
#define BOOL COREAPI__YAML_BOOL
#define INT COREAPI__YAML_INT
#define FLOAT COREAPI__YAML_FLOAT

static const char *const kind_names[] = {"", "str", "null", "bool", "int", "float"};
static const char *const nulls[] = {"~", "null", "Null", "NULL", NULL};
static const char *const trues[] = {"true", "True", "TRUE", NULL};
static const char *const falses[] = {"false", "False", "FALSE", NULL};
static const char *const infs[] = {".inf", ".Inf", ".INF", NULL};
static const char *const nans[] = {".nan", ".NaN", ".NAN", NULL};

/* Are the n bytes at s one of words (none longer than 5)? */
static int one_of(const char *s, size_t n, const char *const *words) {
  for (; n > 0 && n <= 5 && *words != NULL; words++)
    if ((*words)[0] == s[0] && strlen(*words) == n && memcmp(*words, s, n) == 0)
      return 1;
  return 0;
}

coreapi__yaml_kind coreapi__yaml_kind_of_tag(const char *tag, int plain) {
  if (tag != NULL && strncmp(tag, TAG_PREFIX, sizeof(TAG_PREFIX) - 1) == 0)
    for (int k = STR; k <= FLOAT; k++)
      if (strcmp(tag + sizeof(TAG_PREFIX) - 1, kind_names[k]) == 0)
        return (coreapi__yaml_kind)k;
  return plain && !(tag && strcmp(tag, "!") == 0) ? ANY : STR;
}

/* An integer of the core schema: 1 with *v, 0 when s is not one, -1 when
 * it is one beyond int64. */
static int int_of(const char *s, size_t n, int64_t *v) {
  unsigned base = 10;
  size_t i = 0;
  int neg = 0, over = 0;
  uint64_t u = 0, lim;
  if (n > 2 && s[0] == '0' && (s[1] == 'o' || s[1] == 'x'))
    i = 2, base = s[1] == 'o' ? 8 : 16;
  else if (n > 0 && (s[0] == '-' || s[0] == '+'))
    i = 1, neg = s[0] == '-';
  lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
  for (size_t k = i; k < n; k++) {
    int d = coreapi__hex_value((unsigned char)s[k]);
    if (d < 0 || (unsigned)d >= base)
      return 0;
    over = over || u > (lim - (unsigned)d) / base;
    u = u * base + (unsigned)d; /* wraps only once over, then unused */
  }
  if (i == n || over)
    return i == n ? 0 : -1;
  *v = !neg ? (int64_t)u : u > (uint64_t)INT64_MAX ? INT64_MIN : -(int64_t)u;
  return 1;
}

/* A float of the core schema: 1 with *r, 0 when s is not one, -1 when it
 * is beyond a double's range. s is NUL-terminated (libyaml's scalars are),
 * so the digits end by n. */
#define DIGITS(at) strspn(s + (at), "0123456789")
static int real_of(const char *s, size_t n, double *r) {
  size_t i = n > 0 && (s[0] == '-' || s[0] == '+'), d = DIGITS(i), f = 0, e = 1;
  if (one_of(s + i, n - i, infs) || one_of(s, n, nans)) {
    *r = one_of(s, n, nans) ? NAN : s[0] == '-' ? -INFINITY : INFINITY;
    return 1;
  }
  i += d;
  if (i < n && s[i] == '.')
    i += 1 + (f = DIGITS(i + 1));
  if (i < n && (s[i] == 'e' || s[i] == 'E')) {
    i += 1 + (i + 1 < n && (s[i + 1] == '-' || s[i + 1] == '+'));
    i += (e = DIGITS(i));
  }
  if (d + f == 0 || e == 0 || i != n)
    return 0;
  errno = 0;
  *r = strtod(s, NULL); /* in the C locale: see coreapi__yaml_parse */
  return errno == ERANGE && isinf(*r) ? -1 : 1;
}

int coreapi__yaml_value_of(const char *s, size_t n, coreapi__yaml_kind k, coreapi__yaml_value *v,
                           char *why, size_t size) {
  int rc = 0;
  if (k == ANY && n > 0 && memchr("~nNtTfF+-.0123456789", s[0], 20) == NULL)
    k = STR; /* what starts so is no null, boolean or number */
  v->type = COREAPI_NODE_STRING;
  if ((k == ANY || k == NUL) && (n == 0 || one_of(s, n, nulls))) {
    v->type = COREAPI_NODE_NULL;
  } else if ((k == ANY || k == BOOL) && (one_of(s, n, trues) || one_of(s, n, falses))) {
    v->type = COREAPI_NODE_BOOLEAN;
    v->b = one_of(s, n, trues);
  } else if ((k == ANY || k == INT) && (rc = int_of(s, n, &v->i)) > 0) {
    v->type = COREAPI_NODE_INTEGER;
  } else if ((k == ANY || k == INT) && rc < 0) {
    snprintf(why, size, "integer %.40s is out of range", s);
    return 0;
  } else if ((k == ANY || k == FLOAT) && (rc = real_of(s, n, &v->r)) > 0) {
    v->type = COREAPI_NODE_REAL;
  } else if ((k == ANY || k == FLOAT) && rc < 0) {
    snprintf(why, size, "real number %.40s is out of range", s);
    return 0;
  } else if (k != ANY && k != STR) {
    snprintf(why, size, "'%.40s' is not a value of the tag !!%s", s, kind_names[k]);
    return 0;
  }
  return 1;
}

/* The place of name in a table of cap places (a power of two, not full):
 * where it is, or the free place it would take. FNV-1a, then mixed. */
static coreapi__yaml_anchor *anchor_place(coreapi__yaml_anchor *table, size_t cap,
                                          const char *name) {
  uint64_t h = 14695981039346656037u;
  for (const char *s = name; *s; s++)
    h = (h ^ (unsigned char)*s) * 1099511628211u;
  h = (h ^ h >> 33) * 0xff51afd7ed558ccdu;
  for (size_t i = (size_t)(h ^ h >> 33) & (cap - 1);; i = (i + 1) & (cap - 1))
    if (table[i].name == NULL || strcmp(table[i].name, name) == 0)
      return &table[i];
}

const coreapi__yaml_anchor *coreapi__yaml_anchor_find(const coreapi__yaml_anchors *t,
                                                      const char *name) {
  const coreapi__yaml_anchor *a = t->cap ? anchor_place(t->slots, t->cap, name) : NULL;
  return a != NULL && a->name != NULL ? a : NULL;
}

int coreapi__yaml_anchor_put(coreapi__yaml_anchors *t, const char *name, coreapi_node *node,
                             coreapi_node *key, size_t size) {
  coreapi__yaml_anchor *a;
  if ((t->count + 1) * 2 > t->cap) {
    size_t cap = t->cap ? t->cap * 2 : 16;
    coreapi__yaml_anchor *table =
        cap < SIZE_MAX / sizeof(*table) ? calloc(cap, sizeof(*table)) : NULL;
    if (table == NULL)
      return -1;
    for (size_t i = 0; i < t->cap; i++)
      if (t->slots[i].name != NULL)
        *anchor_place(table, cap, t->slots[i].name) = t->slots[i];
    free(t->slots);
    t->slots = table;
    t->cap = cap;
  }
  a = anchor_place(t->slots, t->cap, name);
  if (a->name == NULL) {
    if ((a->name = coreapi__strdup(name)) == NULL)
      return -1;
    t->count++;
  }
  coreapi_node_free(a->node);
  coreapi_node_free(a->key);
  a->node = coreapi_node_ref(node);
  a->key = coreapi_node_ref(key);
  a->size = size;
  return 0;
}

void coreapi__yaml_anchors_free(coreapi__yaml_anchors *t) {
  for (size_t i = 0; i < t->cap; i++) {
    free(t->slots[i].name);
    coreapi_node_free(t->slots[i].node); /* NULL in a free place */
    coreapi_node_free(t->slots[i].key);
  }
  free(t->slots);
  memset(t, 0, sizeof(*t));
}
