/*
 * codecs/yamlparse.c - YAML 1.2 (yaml.org/spec/1.2.2) into the JSON
 * parser's plain nodes, for OpenAPI descriptions, with libyaml's events.
 *
 * Plain scalars resolve by the 1.2 core schema, as OpenAPI 3.1 asks: null
 * (null, Null, NULL, ~, empty), booleans (true, True, TRUE, false, False,
 * FALSE), Integers ([-+]?[0-9]+, 0o[0-7]+, 0x[0-9a-fA-F]+; beyond int64 an
 * error), Reals ([-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?,
 * [-+]?.inf, .nan, also .Inf .INF .NaN .NAN), else Strings, as all quoted
 * and block scalars are: yes/no/on/off are Strings (booleans only in YAML
 * 1.1), as are timestamps; 012 is 12. !!str, !!null, !!bool, !!int, !!float
 * are honoured (an error when the value is not of the kind), "!" is a
 * String, other tags and all tags on collections are ignored.
 *
 * Keys are scalars, as text (200: is "200"), each given once. Merge keys
 * work (<<: *a, <<: [*a, *b], <<: {...}): explicit keys win, then earlier
 * merged mappings; merged entries stand where << does. An alias is its
 * anchor's node once more, costing against the budget what that stands
 * for, aliases expanded ("billion laughs" soon fails ERR_TOO_LARGE); an
 * anchor defined again replaces the earlier; an alias to no anchor yet, or
 * into its own node, is an error. One document: a second is an error.
 */
#include <errno.h>
#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "../document/document.h"
#include "jsonparse.h"

#define MAX_DEPTH 512
#define TAG_PREFIX "tag:yaml.org,2002:"

/* A value, or a mapping's key (a String), waiting for its container. */
typedef struct slot {
  coreapi_node *node; /* owned */
  size_t size;        /* bytes it stands for, every alias in it expanded */
  yaml_mark_t mark;   /* where it starts */
  int merge;          /* a key: the merge key << */
} slot;

typedef struct frame {
  size_t base; /* the pending stack's height when it opened */
  int is_map;
  char *anchor; /* owned, or NULL */
  yaml_mark_t mark;
} frame;

typedef struct anchor {
  char *name;         /* owned; NULL: a free place in the table */
  coreapi_node *node; /* a reference; NULL: a sequence or mapping still open */
  coreapi_node *key;  /* a scalar's text, as a key (a reference), or NULL */
  size_t size;
} anchor;

typedef struct parser {
  slot *pending; /* children of the open containers, in order */
  size_t len, cap;
  anchor *anchors; /* open addressing, cap a power of two, at most half full */
  size_t nanchors, anchors_cap;
  frame frames[MAX_DEPTH + 1];
  int depth, documents;
  coreapi_node *root;
  size_t spent, budget; /* bytes of nodes made and aliased, the limit (0: none) */
  coreapi_code code;    /* COREAPI_OK until something fails */
  char why[256];
  yaml_mark_t at;
} parser;

#define NOMEM(p, at) fail(p, COREAPI_ERR_OUT_OF_MEMORY, at, "out of memory")
/* Keep the first failure: code, where, why. Returns 0. */
__attribute__((format(printf, 4, 5)))
static int fail(parser *p, coreapi_code code, const yaml_mark_t *at, const char *fmt, ...) {
  va_list ap;
  if (p->code == COREAPI_OK) {
    p->code = code;
    p->at = *at;
    va_start(ap, fmt);
    vsnprintf(p->why, sizeof(p->why), fmt, ap);
    va_end(ap);
  }
  return 0;
}

static size_t add_sat(size_t a, size_t b) { return a + b < a ? SIZE_MAX : a + b; }

/* Count bytes against the budget. */
static int charge(parser *p, size_t bytes, const yaml_mark_t *at) {
  char why[160];
  return coreapi__budget_spend(&p->spent, p->budget, bytes, why, sizeof(why)) ||
         fail(p, COREAPI_ERR_TOO_LARGE, at, "%s", why);
}

/* Count a node of bytes, as malloc rounds it, in *size too. */
static int spend(parser *p, size_t bytes, size_t *size, const yaml_mark_t *at) {
  *size = coreapi__alloc_cost(bytes);
  return charge(p, *size, at);
}

/* Hand a finished value (owned; NULL: out of memory) to its container, or
 * make it the root. */
static int push(parser *p, coreapi_node *v, size_t size, const yaml_mark_t *at, int merge) {
  if (v == NULL)
    return NOMEM(p, at);
  if (p->depth == 0)
    return (p->root = v) != NULL;
  if (p->len == p->cap) {
    size_t cap = p->cap ? p->cap * 2 : 64;
    slot *s = cap < SIZE_MAX / sizeof(*s) ? realloc(p->pending, cap * sizeof(*s)) : NULL;
    if (s == NULL) {
      coreapi_node_free(v);
      return NOMEM(p, at);
    }
    p->pending = s;
    p->cap = cap;
  }
  p->pending[p->len++] = (slot){v, size, *at, merge};
  return 1;
}

/* Is the next value a mapping's key? */
static int at_key(const parser *p) {
  const frame *f = &p->frames[p->depth];
  return p->depth > 0 && f->is_map && (p->len - f->base) % 2 == 0;
}

/* The place of name in a table of cap places (a power of two, not full):
 * where it is, or the free place it would take. FNV-1a, then mixed. */
static anchor *anchor_place(anchor *table, size_t cap, const char *name) {
  uint64_t h = 14695981039346656037u;
  for (const char *s = name; *s; s++)
    h = (h ^ (unsigned char)*s) * 1099511628211u;
  h = (h ^ h >> 33) * 0xff51afd7ed558ccdu;
  for (size_t i = (size_t)(h ^ h >> 33) & (cap - 1);; i = (i + 1) & (cap - 1))
    if (table[i].name == NULL || strcmp(table[i].name, name) == 0)
      return &table[i];
}

/* Define (or define again) anchor name as node (NULL: a sequence or
 * mapping still open), with key (may be NULL) and size; takes a reference
 * to each. 1, or 0 on ENOMEM. */
static int anchor_put(parser *p, const char *name, coreapi_node *node, coreapi_node *key,
                      size_t size, const yaml_mark_t *at) {
  anchor *a;
  if ((p->nanchors + 1) * 2 > p->anchors_cap) {
    size_t cap = p->anchors_cap ? p->anchors_cap * 2 : 16;
    anchor *table = cap < SIZE_MAX / sizeof(*table) ? calloc(cap, sizeof(*table)) : NULL;
    if (table == NULL)
      return NOMEM(p, at);
    for (size_t i = 0; i < p->anchors_cap; i++)
      if (p->anchors[i].name != NULL)
        *anchor_place(table, cap, p->anchors[i].name) = p->anchors[i];
    free(p->anchors);
    p->anchors = table;
    p->anchors_cap = cap;
  }
  a = anchor_place(p->anchors, p->anchors_cap, name);
  if (a->name == NULL) {
    if ((a->name = strdup(name)) == NULL)
      return NOMEM(p, at);
    p->nanchors++;
  }
  coreapi_node_free(a->node);
  coreapi_node_free(a->key);
  a->node = coreapi_node_ref(node);
  a->key = coreapi_node_ref(key);
  a->size = size;
  return 1;
}

typedef enum kind { ANY, STR, NUL, BOOL, INT, FLOAT } kind;
static const char *const kind_names[] = {"", "str", "null", "bool", "int", "float"};
static const char *const nulls[] = {"~", "null", "Null", "NULL", NULL};
static const char *const trues[] = {"true", "True", "TRUE", NULL};
static const char *const falses[] = {"false", "False", "FALSE", NULL};
static const char *const infs[] = {".inf", ".Inf", ".INF", NULL};
static const char *const nans[] = {".nan", ".NaN", ".NAN", NULL};

static int one_of(const char *s, size_t n, const char *const *words) {
  for (; *words != NULL; words++)
    if (strlen(*words) == n && memcmp(*words, s, n) == 0)
      return 1;
  return 0;
}

/* What a scalar's tag and style ask it to be. */
static kind kind_of(const yaml_event_t *ev) {
  const char *tag = (const char *)ev->data.scalar.tag;
  if (tag != NULL && strncmp(tag, TAG_PREFIX, sizeof(TAG_PREFIX) - 1) == 0)
    for (int k = STR; k <= FLOAT; k++)
      if (strcmp(tag + sizeof(TAG_PREFIX) - 1, kind_names[k]) == 0)
        return (kind)k;
  return ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE && !(tag && strcmp(tag, "!") == 0)
             ? ANY
             : STR; /* quoted, block, or the non-specific tag "!" */
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

/* v (NULL on ENOMEM), counted as a node of bytes in *size; NULL if over. */
static coreapi_node *counted(parser *p, coreapi_node *v, size_t bytes, size_t *size,
                             const yaml_mark_t *at) {
  if (v == NULL || spend(p, bytes, size, at))
    return v;
  coreapi_node_free(v);
  return NULL;
}

/* The node of scalar s (n bytes, valid UTF-8) asked to be of kind k, with
 * the bytes counted for it in *size; NULL, failed (ENOMEM too), if none. */
static coreapi_node *scalar_node(parser *p, const char *s, size_t n, kind k,
                                 const yaml_mark_t *at, size_t *size) {
  int64_t i;
  double r;
  int rc = 0;
  *size = 0;
  if ((k == ANY || k == NUL) && (n == 0 || one_of(s, n, nulls)))
    return coreapi__shared_null();
  if ((k == ANY || k == BOOL) && (one_of(s, n, trues) || one_of(s, n, falses)))
    return coreapi__shared_boolean(one_of(s, n, trues));
  if ((k == ANY || k == INT) && (rc = int_of(s, n, &i)) > 0)
    return coreapi__shared_integer(i) != NULL
               ? coreapi__shared_integer(i)
               : counted(p, coreapi_integer_new(i, NULL), sizeof(number_node), size, at);
  if ((k == ANY || k == INT) && rc < 0)
    fail(p, COREAPI_ERR_PARSE, at, "integer %.40s is out of range", s);
  else if ((k == ANY || k == FLOAT) && (rc = real_of(s, n, &r)) > 0)
    return counted(p, coreapi_real_new(r, NULL), sizeof(number_node), size, at);
  else if ((k == ANY || k == FLOAT) && rc < 0)
    fail(p, COREAPI_ERR_PARSE, at, "real number %.40s is out of range", s);
  else if (k == ANY || k == STR)
    return n == 0 ? coreapi__shared_empty_string()
                  : counted(p, coreapi__string_new_trusted(s, n), sizeof(string_node) + n + 1,
                            size, at);
  else
    fail(p, COREAPI_ERR_PARSE, at, "'%.40s' is not a value of the tag !!%s", s, kind_names[k]);
  return NULL;
}

/* A scalar: a value, or a mapping's key (its text); an anchored one is
 * both (the value for *alias, the text for *alias as a key). */
static int on_scalar(parser *p, const yaml_event_t *ev) {
  const char *s = (const char *)ev->data.scalar.value, *tag = (const char *)ev->data.scalar.tag;
  const char *name = (const char *)ev->data.scalar.anchor;
  size_t n = ev->data.scalar.length, size = 0;
  const yaml_mark_t *at = &ev->start_mark;
  int is_key = at_key(p), ok, merge;
  coreapi_node *key = NULL, *v = NULL;
  kind k = kind_of(ev);
  if (!coreapi__is_utf8(s, n))
    return fail(p, COREAPI_ERR_PARSE, at, "invalid UTF-8 in a string");
  merge = is_key && ((k == ANY && n == 2 && memcmp(s, "<<", 2) == 0) ||
                     (tag != NULL && strcmp(tag, TAG_PREFIX "merge") == 0));
  if ((!is_key || name != NULL) && (v = scalar_node(p, s, n, k, at, &size)) == NULL)
    return NOMEM(p, at);
  if ((is_key || name != NULL) &&
      (key = v != NULL && v->type == COREAPI_NODE_STRING ? coreapi_node_ref(v)
             : n == 0 ? coreapi__shared_empty_string()
                      : coreapi__string_new_trusted(s, n)) == NULL) {
    coreapi_node_free(v);
    return NOMEM(p, at);
  }
  ok = name == NULL || anchor_put(p, name, v, key, size, at);
  coreapi_node_free(is_key ? v : key);
  if (ok)
    return is_key ? push(p, key, 0, at, merge) : push(p, v, size, at, 0);
  coreapi_node_free(is_key ? key : v);
  return 0;
}

static int on_alias(parser *p, const yaml_event_t *ev) {
  const char *name = (const char *)ev->data.alias.anchor;
  const anchor *a = p->anchors_cap ? anchor_place(p->anchors, p->anchors_cap, name) : NULL;
  const yaml_mark_t *at = &ev->start_mark;
  if (a == NULL || a->name == NULL)
    return fail(p, COREAPI_ERR_PARSE, at, "alias *%.60s names no anchor defined before it", name);
  if (a->node == NULL)
    return fail(p, COREAPI_ERR_PARSE, at, "alias *%.60s is inside the node it names", name);
  if (at_key(p))
    return a->key != NULL ? push(p, coreapi_node_ref(a->key), 0, at, 0)
                          : fail(p, COREAPI_ERR_PARSE, at,
                                 "a mapping key must be a scalar (*%.60s is not)", name);
  return charge(p, a->size, at) && push(p, coreapi_node_ref(a->node), a->size, at, 0);
}

static int on_open(parser *p, const yaml_event_t *ev, int is_map) {
  const char *name = (const char *)(is_map ? ev->data.mapping_start.anchor
                                           : ev->data.sequence_start.anchor);
  frame *f;
  if (at_key(p))
    return fail(p, COREAPI_ERR_PARSE, &ev->start_mark,
                "a mapping key must be a scalar, not a %s", is_map ? "mapping" : "sequence");
  if (p->depth == MAX_DEPTH)
    return fail(p, COREAPI_ERR_PARSE, &ev->start_mark, "maximum nesting depth exceeded");
  f = &p->frames[++p->depth];
  *f = (frame){p->len, is_map, name != NULL ? strdup(name) : NULL, ev->start_mark};
  /* The anchor is defined from here on, but not to be used until it closes. */
  return name == NULL || (f->anchor != NULL ? anchor_put(p, name, NULL, NULL, 0, &f->mark)
                                            : NOMEM(p, &f->mark));
}

static coreapi_node *close_seq(parser *p, const frame *f, size_t *size) {
  size_t n = p->len - f->base;
  coreapi_node *a, **items;
  if (n == 0)
    return coreapi__shared_empty_array();
  if (n > SIZE_MAX / 16 || !spend(p, coreapi__array_bytes(n), size, &f->mark) ||
      (a = coreapi__array_alloc(n, NULL)) == NULL)
    return NULL;
  items = coreapi__array_items(a);
  for (size_t i = 0; i < n; i++) {
    items[i] = coreapi_node_ref(p->pending[f->base + i].node);
    *size = add_sat(*size, p->pending[f->base + i].size);
  }
  return a;
}

/* One entry of a mapping being closed: its own, or one a merge key brings. */
typedef struct record {
  const char *key;
  size_t len, index;       /* index: the place in document order */
  coreapi_node *value;     /* borrowed; NULL: overridden */
  uint32_t prio;           /* 0: the mapping's own, else the merged mapping's number */
  const yaml_mark_t *mark; /* where the key is (the mapping's own) */
} record;

#define CMP(x, y) (((x) > (y)) - ((x) < (y)))

static int by_index(const void *pa, const void *pb) {
  return CMP(((const record *)pa)->index, ((const record *)pb)->index);
}

/* By key, then priority, then place. */
static int by_key(const void *pa, const void *pb) {
  const record *a = pa, *b = pb;
  int c = memcmp(a->key, b->key, a->len < b->len ? a->len : b->len);
  c = c != 0 ? c : a->len != b->len ? CMP(a->len, b->len) : CMP(a->prio, b->prio);
  return c != 0 ? c : by_index(pa, pb);
}

/* The mappings a merge key's value v brings: *items, *n. */
static int merge_sources(parser *p, slot *v, coreapi_node ***items, size_t *n) {
  int seq = v->node->type == COREAPI_NODE_ARRAY, ok = seq || v->node->type == COREAPI_NODE_OBJECT;
  *items = seq ? coreapi__array_items(v->node) : &v->node;
  *n = seq ? coreapi__array_count(v->node) : 1;
  for (size_t i = 0; seq && i < *n; i++)
    ok = ok && (*items)[i]->type == COREAPI_NODE_OBJECT;
  return ok || fail(p, COREAPI_ERR_PARSE, &v->mark,
                    "the merge key << takes a mapping or a sequence of mappings");
}

/* Frame f's entries in document order, merged ones where their << is, in
 * *out (malloc'd, *count); what the values stand for added to *size. */
static int gather(parser *p, const frame *f, record **out, size_t *count, size_t *size) {
  size_t pairs = (p->len - f->base) / 2, n = 0, m = 0;
  uint32_t prio = 0;
  coreapi_node **items;
  record *r = NULL;
  for (int pass = 0; pass < 2; pass++) {
    if (pass == 1 && (*out = r = malloc((n ? n : 1) * sizeof(*r))) == NULL)
      return NOMEM(p, &f->mark);
    n = 0;
    for (size_t i = 0; i < pairs; i++) {
      slot *k = &p->pending[f->base + 2 * i], *v = k + 1;
      if (!k->merge && r != NULL)
        r[n] = (record){AS_STRING(k->node)->data, AS_STRING(k->node)->len, n, v->node, 0,
                        &k->mark};
      n += !k->merge;
      if (k->merge && !merge_sources(p, v, &items, &m))
        return 0;
      for (size_t j = 0; k->merge && j < m; j++, prio += pass) {
        const map_node *src = AS_MAP(items[j]);
        for (size_t e = 0; e < src->count; e++, n++) /* in its document order */
          if (r != NULL)
            r[n] = (record){src->entries[e].key, src->entries[e].key_len, n,
                            src->entries[e].value, prio + 1, NULL};
      }
      *size = pass == 1 ? add_sat(*size, v->size) : *size;
    }
  }
  *count = n;
  return 1;
}

static coreapi_node *close_map(parser *p, const frame *f, size_t *size) {
  record *r = NULL;
  size_t n = 0, kept = 0, key_bytes = 0, own = 0;
  map_node *m = NULL;
  if (!gather(p, f, &r, &n, size))
    return NULL;
  qsort(r, n, sizeof(*r), by_key);
  for (size_t i = 0; i < n; i++) {
    if (i == 0 || r[i].len != r[i - 1].len || memcmp(r[i].key, r[i - 1].key, r[i].len) != 0) {
      kept++;
      key_bytes += r[i].len + 1;
    } else if (r[i].prio > 0) {
      r[i].value = NULL; /* a key given before */
    } else {
      fail(p, COREAPI_ERR_PARSE, r[i].mark, "duplicate mapping key '%.60s'", r[i].key);
      kept = n = 0;
    }
  }
  qsort(r, n, sizeof(*r), by_index);
  if (kept > 0 && kept <= SIZE_MAX / 64 &&
      spend(p, sizeof(map_node) + kept * (sizeof(map_entry) + 8) + key_bytes, &own, &f->mark) &&
      (m = coreapi__map_alloc(COREAPI_NODE_OBJECT, kept, key_bytes)) != NULL) {
    char *blob = coreapi__map_blob(m);
    for (size_t i = 0; i < n; i++)
      if (r[i].value != NULL)
        coreapi__map_push(m, &blob, r[i].key, r[i].len, coreapi_node_ref(r[i].value));
    m->flags |= COREAPI__MAP_CLEAN; /* as the JSON parser marks plain objects */
    if (coreapi__map_seal(m) != 0) {
      coreapi_node_free(&m->base);
      m = NULL;
    }
  }
  free(r);
  *size = add_sat(*size, own);
  if (p->code == COREAPI_OK && kept == 0)
    return coreapi__shared_empty_object();
  return m != NULL ? &m->base : NULL;
}

static int on_close(parser *p, const yaml_event_t *ev) {
  frame *f = &p->frames[p->depth--]; /* its children stay on pending till it is made */
  size_t size = 0;
  coreapi_node *v = f->is_map ? close_map(p, f, &size) : close_seq(p, f, &size);
  int ok = v != NULL || NOMEM(p, &ev->start_mark);
  if (ok && f->anchor != NULL)
    ok = anchor_put(p, f->anchor, v, NULL, size, &f->mark);
  free(f->anchor);
  if (!ok) {
    coreapi_node_free(v);
    return 0;
  }
  while (p->len > f->base)
    coreapi_node_free(p->pending[--p->len].node);
  return push(p, v, size, &f->mark, 0);
}

static int on_event(parser *p, const yaml_event_t *ev) {
  switch (ev->type) {
    case YAML_DOCUMENT_START_EVENT:
      return p->documents == 0 ||
             fail(p, COREAPI_ERR_PARSE, &ev->start_mark,
                  "a second document in the stream (a description is one document)");
    case YAML_DOCUMENT_END_EVENT:
      return ++p->documents;
    case YAML_ALIAS_EVENT:
      return on_alias(p, ev);
    case YAML_SCALAR_EVENT:
      return on_scalar(p, ev);
    case YAML_SEQUENCE_START_EVENT:
    case YAML_MAPPING_START_EVENT:
      return on_open(p, ev, ev->type == YAML_MAPPING_START_EVENT);
    case YAML_SEQUENCE_END_EVENT:
    case YAML_MAPPING_END_EVENT:
      return on_close(p, ev);
    default: /* the stream's start and end */
      return 1;
  }
}

/* Record libyaml's error: its context and problem, where it found it. */
static void library_failed(parser *p, const yaml_parser_t *yp, const char *data, size_t len) {
  yaml_mark_t at = yp->problem_mark;
  char value[16] = "";
  if (yp->error == YAML_MEMORY_ERROR)
    return (void)NOMEM(p, &at);
  if (yp->error == YAML_READER_ERROR) {
    /* The reader gives a byte offset; lines counted in the bytes. */
    memset(&at, 0, sizeof(at));
    for (size_t i = 0; i < yp->problem_offset && i < len; i++)
      at.column = data[i] == '\n' ? (at.line++, 0) : at.column + 1;
    if (yp->problem_value != -1)
      snprintf(value, sizeof(value), " #%02X", (unsigned)yp->problem_value);
  }
  fail(p, COREAPI_ERR_PARSE, &at, "%s%s%s%s", yp->context ? yp->context : "",
       yp->context ? ": " : "", yp->problem ? yp->problem : "invalid YAML", value);
}

/* Run libyaml over the text, event by event, until the stream ends or
 * something fails (p->code); then free all but the root. */
static void run(parser *p, yaml_parser_t *yp, const char *data, size_t len) {
  yaml_event_t ev;
  int ok = 1, done = 0;
  while (ok && !done) {
    if (!yaml_parser_parse(yp, &ev)) {
      library_failed(p, yp, data, len);
      break;
    }
    ok = on_event(p, &ev);
    done = ev.type == YAML_STREAM_END_EVENT;
    if (ok && done && p->root == NULL)
      fail(p, COREAPI_ERR_PARSE, &ev.start_mark, "no value");
    yaml_event_delete(&ev);
  }
  while (p->len > 0)
    coreapi_node_free(p->pending[--p->len].node);
  free(p->pending);
  for (int d = 1; d <= p->depth; d++)
    free(p->frames[d].anchor);
  for (size_t i = 0; i < p->anchors_cap; i++) {
    free(p->anchors[i].name);
    coreapi_node_free(p->anchors[i].node); /* NULL in a free place */
    coreapi_node_free(p->anchors[i].key);
  }
  free(p->anchors);
}

coreapi_node *coreapi__yaml_parse(const char *data, size_t len, size_t max_bytes,
                                  coreapi_error *err) {
  parser p;
  yaml_parser_t yp;
  locale_t c_locale, previous;
  if (data == NULL && len > 0) {
    coreapi_error_set(err, COREAPI_ERR_INVALID_ARGUMENT, "no data");
    return NULL;
  }
  memset(&p, 0, sizeof(p));
  p.budget = max_bytes;
  /* strtod reads the locale's decimal point: the C locale, this thread only. */
  c_locale = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
  if (c_locale == (locale_t)0 || !yaml_parser_initialize(&yp)) {
    if (c_locale != (locale_t)0)
      freelocale(c_locale);
    COREAPI__OOM(err);
    return NULL;
  }
  yaml_parser_set_input_string(&yp, (const unsigned char *)(data ? data : ""), len);
  previous = uselocale(c_locale);
  coreapi__slab_open(); /* small nodes in shared chunks (document/slab.c) */
  run(&p, &yp, data, len);
  coreapi__slab_close();
  uselocale(previous);
  freelocale(c_locale);
  yaml_parser_delete(&yp);
  if (p.code == COREAPI_OK)
    return p.root;
  coreapi_node_free(p.root);
  if (p.code == COREAPI_ERR_PARSE)
    coreapi_error_set(err, p.code, "Malformed YAML. %s (line %zu, column %zu)", p.why,
                      p.at.line + 1, p.at.column + 1);
  else
    coreapi_error_set(err, p.code, "%s", p.why); /* too large, out of memory */
  return NULL;
}
