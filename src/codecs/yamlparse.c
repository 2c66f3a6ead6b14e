/*
 * codecs/yamlparse.c - YAML 1.2 (yaml.org/spec/1.2.2) into the JSON
 * parser's plain nodes, for OpenAPI descriptions, with libyaml's events.
 *
 * Plain scalars resolve by the 1.2 core schema, as OpenAPI 3.1 asks
 * (yamlscalar.c), else Strings, as all quoted and block scalars are:
 * yes/no/on/off are Strings (booleans only in YAML 1.1), as are
 * timestamps; 012 is 12. !!str, !!null, !!bool, !!int, !!float are
 * honoured (an error when the value is not of the kind), "!" is a String,
 * other tags and all tags on collections are ignored. A value met before
 * is the same node once more (jsonintern.c).
 *
 * Keys are scalars, as text (200: is "200"), each given once. Merge keys
 * work (<<: *a, <<: [*a, *b], <<: {...}): explicit keys win, then earlier
 * merged mappings; merged entries stand where << does. An alias is its
 * anchor's node once more, costing against the budget what that stands
 * for, aliases expanded ("billion laughs" soon fails ERR_TOO_LARGE); an
 * anchor defined again replaces the earlier; an alias to no anchor yet, or
 * into its own node, is an error. One document: a second is an error.
 */
#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "../document/document.h"
#include "jsonparse.h"
#include "yamlvalues.h"

#define MAX_DEPTH 512
#define TAG_PREFIX "tag:yaml.org,2002:"

/* A value, or a mapping's key (its text), waiting for its container. */
typedef struct slot {
  coreapi_node *node; /* owned; NULL: a key */
  size_t size;        /* a value: the bytes it stands for, every alias in it expanded */
  size_t key_at, key_len; /* a key: its text (and a NUL) in the parser's keys */
  yaml_mark_t mark;   /* where it starts */
  int merge;          /* a key: the merge key << */
} slot;

typedef struct frame {
  size_t base, key_base; /* the pending stack's and the keys' heights when it opened */
  int is_map;
  int merges; /* a mapping: a merge key is among its keys */
  char *anchor; /* owned, or NULL */
  yaml_mark_t mark;
} frame;

typedef struct record record;

typedef struct parser {
  slot *pending; /* children of the open containers, in order */
  size_t len, cap;
  char *keys; /* the text of the keys on pending */
  size_t keys_len, keys_cap;
  record *records; /* close_map's, kept from one mapping to the next */
  record **sorted;
  size_t records_cap;
  coreapi__intern *intern; /* values met before; NULL once a merge key is met */
  coreapi__yaml_anchors anchors;
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

/* A new slot on pending, or NULL (failed) on ENOMEM. */
static slot *new_slot(parser *p, const yaml_mark_t *at) {
  if (p->len == p->cap) {
    size_t cap = p->cap ? p->cap * 2 : 64;
    slot *s = cap < SIZE_MAX / sizeof(*s) ? realloc(p->pending, cap * sizeof(*s)) : NULL;
    if (s == NULL)
      return NOMEM(p, at), NULL;
    p->pending = s;
    p->cap = cap;
  }
  return &p->pending[p->len++];
}

/* Hand a finished value (owned; NULL: out of memory) to its container, or
 * make it the root. */
static int push(parser *p, coreapi_node *v, size_t size, const yaml_mark_t *at) {
  slot *s;
  if (v == NULL)
    return NOMEM(p, at);
  if (p->depth == 0)
    return (p->root = v) != NULL;
  if ((s = new_slot(p, at)) == NULL) {
    coreapi_node_free(v);
    return 0;
  }
  *s = (slot){v, size, 0, 0, *at, 0};
  return 1;
}

/* Hand a key, n bytes of text, to its mapping: the text is copied to
 * p->keys (with a NUL), where close_map reads it. */
static int push_key(parser *p, const char *text, size_t n, const yaml_mark_t *at, int merge) {
  slot *s;
  if (n >= p->keys_cap - p->keys_len) {
    size_t cap = p->keys_cap + p->keys_cap / 2 + n + 256;
    char *keys = cap > p->keys_cap + n ? realloc(p->keys, cap) : NULL;
    if (keys == NULL)
      return NOMEM(p, at);
    p->keys = keys;
    p->keys_cap = cap;
  }
  if ((s = new_slot(p, at)) == NULL)
    return 0;
  if (n > 0)
    memcpy(p->keys + p->keys_len, text, n);
  p->keys[p->keys_len + n] = '\0';
  *s = (slot){NULL, 0, p->keys_len, n, *at, merge};
  p->frames[p->depth].merges |= merge;
  p->keys_len += n + 1;
  return 1;
}

/* Is the next value a mapping's key? */
static int at_key(const parser *p) {
  const frame *f = &p->frames[p->depth];
  return p->depth > 0 && f->is_map && (p->len - f->base) % 2 == 0;
}

/* Define (or define again) anchor name (see coreapi__yaml_anchor_put). 1, or
 * 0 on ENOMEM. */
static int anchor_put(parser *p, const char *name, coreapi_node *node, coreapi_node *key,
                      size_t size, const yaml_mark_t *at) {
  return coreapi__yaml_anchor_put(&p->anchors, name, node, key, size) == 0 || NOMEM(p, at);
}

/* v (NULL on ENOMEM), counted as a node of bytes in *size (an equal node
 * met before counts as a new one would); NULL if over. A new v is
 * remembered for the next equal one when fresh. */
static coreapi_node *counted(parser *p, coreapi_node *v, int fresh, size_t bytes, size_t *size,
                             const yaml_mark_t *at) {
  if (v == NULL || !spend(p, bytes, size, at)) {
    coreapi_node_free(v);
    return NULL;
  }
  if (fresh)
    coreapi__intern_keep(p->intern, v);
  return v;
}

/* The node of scalar s (n bytes, valid UTF-8) asked to be of kind k, with
 * the bytes counted for it in *size; NULL, failed (ENOMEM too), if none.
 * One equal to a value met before is that node once more; a new one is
 * remembered when keep (it lives till the parse ends). */
static coreapi_node *scalar_node(parser *p, const char *s, size_t n, coreapi__yaml_kind k,
                                 int keep, const yaml_mark_t *at, size_t *size) {
  coreapi__yaml_value value;
  coreapi_node *v;
  char why[160];
  *size = 0;
  if (!coreapi__yaml_value_of(s, n, k, &value, why, sizeof(why)))
    return fail(p, COREAPI_ERR_PARSE, at, "%s", why), NULL;
  switch (value.type) {
    case COREAPI_NODE_NULL:
      return coreapi__shared_null();
    case COREAPI_NODE_BOOLEAN:
      return coreapi__shared_boolean(value.b);
    case COREAPI_NODE_INTEGER:
      if ((v = coreapi__shared_integer(value.i)) != NULL)
        return v;
      v = coreapi__intern_number(p->intern, COREAPI_NODE_INTEGER, value.i, 0);
      return counted(p, v ? v : coreapi_integer_new(value.i, NULL), keep && !v,
                     sizeof(number_node), size, at);
    case COREAPI_NODE_REAL:
      v = coreapi__intern_number(p->intern, COREAPI_NODE_REAL, 0, value.r);
      return counted(p, v ? v : coreapi_real_new(value.r, NULL), keep && !v,
                     sizeof(number_node), size, at);
    default: /* a String */
      if (n == 0)
        return coreapi__shared_empty_string();
      v = coreapi__intern_string(p->intern, s, n);
      return counted(p, v ? v : coreapi__string_new_trusted(s, n), keep && !v,
                     sizeof(string_node) + n + 1, size, at);
  }
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
  coreapi__yaml_kind k = coreapi__yaml_kind_of(tag, ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE);
  /* The text is valid UTF-8: libyaml's reader takes nothing else (nor UTF-16
   * that is not valid), and an escape must be a Unicode scalar value. */
  merge = is_key && ((k == COREAPI__YAML_ANY && n == 2 && memcmp(s, "<<", 2) == 0) ||
                     (tag != NULL && strcmp(tag, TAG_PREFIX "merge") == 0));
  if (merge) { /* what it brings may be freed before the parse ends: no more sharing */
    coreapi__intern_free(p->intern);
    p->intern = NULL;
  }
  if ((!is_key || name != NULL) && (v = scalar_node(p, s, n, k, !is_key, at, &size)) == NULL)
    return NOMEM(p, at);
  if (name == NULL) /* most: no anchor */
    return is_key ? push_key(p, s, n, at, merge) : push(p, v, size, at);
  if ((key = v->type == COREAPI_NODE_STRING ? coreapi_node_ref(v)
                             : n == 0 ? coreapi__shared_empty_string()
                                      : coreapi__string_new_trusted(s, n)) == NULL) {
    coreapi_node_free(v);
    return NOMEM(p, at);
  }
  ok = anchor_put(p, name, v, key, size, at);
  coreapi_node_free(key);
  if (is_key || !ok) {
    coreapi_node_free(v);
    return ok && push_key(p, s, n, at, merge);
  }
  return push(p, v, size, at);
}

static int on_alias(parser *p, const yaml_event_t *ev) {
  const char *name = (const char *)ev->data.alias.anchor;
  const coreapi__yaml_anchor *a = coreapi__yaml_anchor_find(&p->anchors, name);
  const yaml_mark_t *at = &ev->start_mark;
  if (a == NULL)
    return fail(p, COREAPI_ERR_PARSE, at, "alias *%.60s names no anchor defined before it", name);
  if (a->node == NULL)
    return fail(p, COREAPI_ERR_PARSE, at, "alias *%.60s is inside the node it names", name);
  if (at_key(p))
    return a->key != NULL ? push_key(p, AS_STRING(a->key)->data, AS_STRING(a->key)->len, at, 0)
                          : fail(p, COREAPI_ERR_PARSE, at,
                                 "a mapping key must be a scalar (*%.60s is not)", name);
  return charge(p, a->size, at) && push(p, coreapi_node_ref(a->node), a->size, at);
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
  *f = (frame){p->len, p->keys_len, is_map, 0, name != NULL ? strdup(name) : NULL,
               ev->start_mark};
  /* The anchor is defined from here on, but not to be used until it closes. */
  return name == NULL || (f->anchor != NULL ? anchor_put(p, name, NULL, NULL, 0, &f->mark)
                                            : NOMEM(p, &f->mark));
}

/* The sequence of frame f; it takes its items' references from pending. */
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
    const slot *s = &p->pending[f->base + i];
    items[i] = s->node; /* taken: on_close drops the slots */
    *size = add_sat(*size, s->size);
  }
  return a;
}

/* One entry of a mapping being closed: its own, or one a merge key brings. */
struct record {
  const char *key;         /* with a NUL after it */
  size_t len, index;       /* index: the place in document order */
  size_t rank;             /* kept: the place by key among those kept */
  coreapi_node *value;     /* borrowed; NULL: overridden */
  uint32_t prio;           /* 0: the mapping's own, else the merged mapping's number */
  const yaml_mark_t *mark; /* where the key is (the mapping's own) */
};

#define CMP(x, y) (((x) > (y)) - ((x) < (y)))

/* By key (as map.c orders keys: bytes as memcmp compares them, compared
 * here in line, the keys being short), then priority, then place. */
static int record_cmp(const record *a, const record *b) {
  size_t n = a->len < b->len ? a->len : b->len, i = 0;
  const unsigned char *x = (const unsigned char *)a->key, *y = (const unsigned char *)b->key;
  while (i < n && x[i] == y[i])
    i++;
  if (i < n)
    return CMP(x[i], y[i]);
  return a->len != b->len ? CMP(a->len, b->len)
         : a->prio != b->prio ? CMP(a->prio, b->prio) : CMP(a->index, b->index);
}

static int by_key(const void *pa, const void *pb) {
  return record_cmp(*(record *const *)pa, *(record *const *)pb);
}

/* Sort n records by record_cmp: by insertion for the small mappings most
 * are, else qsort. */
static void sort_records(record **r, size_t n) {
  if (n > 16) {
    qsort(r, n, sizeof(*r), by_key);
    return;
  }
  for (size_t i = 1; i < n; i++) {
    record *x = r[i];
    size_t j = i;
    for (; j > 0 && record_cmp(r[j - 1], x) > 0; j--)
      r[j] = r[j - 1];
    r[j] = x;
  }
}

/* Room for n records, and n pointers to sort them, in p. */
static int records_room(parser *p, size_t n, const yaml_mark_t *at) {
  size_t cap = n > p->records_cap * 2 ? n : p->records_cap * 2;
  record *r;
  record **sorted;
  if (n <= p->records_cap)
    return 1;
  if (cap > SIZE_MAX / sizeof(*r) || (r = realloc(p->records, cap * sizeof(*r))) == NULL)
    return NOMEM(p, at);
  p->records = r;
  if ((sorted = realloc(p->sorted, cap * sizeof(*sorted))) == NULL)
    return NOMEM(p, at);
  p->sorted = sorted;
  p->records_cap = cap;
  return 1;
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
 * p->records (*count); what the values stand for added to *size. */
static int gather(parser *p, const frame *f, size_t *count, size_t *size) {
  size_t pairs = (p->len - f->base) / 2, n = pairs, m = 0;
  uint32_t prio = 0;
  coreapi_node **items;
  record *r = NULL;
  for (int pass = f->merges ? 0 : 1; pass < 2; pass++) { /* 0: count what merges bring */
    if (pass == 1 && !records_room(p, n, &f->mark))
      return 0;
    r = pass == 1 ? p->records : NULL;
    n = 0;
    for (size_t i = 0; i < pairs; i++) {
      slot *k = &p->pending[f->base + 2 * i], *v = k + 1;
      if (!k->merge && r != NULL)
        r[n] = (record){p->keys + k->key_at, k->key_len, n, 0, v->node, 0, &k->mark};
      n += !k->merge;
      if (k->merge && !merge_sources(p, v, &items, &m))
        return 0;
      for (size_t j = 0; k->merge && j < m; j++, prio += pass) {
        const map_node *src = AS_MAP(items[j]);
        for (size_t e = 0; e < src->count; e++, n++) /* in its document order */
          if (r != NULL)
            r[n] = (record){src->entries[e].key, src->entries[e].key_len, n, 0,
                            src->entries[e].value, prio + 1, NULL};
      }
      *size = pass == 1 ? add_sat(*size, v->size) : *size;
    }
  }
  *count = n;
  return 1;
}

/* The Object of frame f from its n records, kept of them with key_bytes
 * of keys (by rank), in document order: it takes its own values'
 * references from pending. Plain data iterates and is looked up by key,
 * both orders the ranks: no sort (coreapi__map_seal) needed. NULL on
 * ENOMEM. */
static coreapi_node *make_map(parser *p, const frame *f, size_t n, size_t kept,
                              size_t key_bytes) {
  const record *r = p->records;
  map_node *m = coreapi__map_alloc(COREAPI_NODE_OBJECT, kept, key_bytes);
  uint32_t *by_key = m != NULL && kept > 1 ? coreapi__map_by_key(m) : NULL;
  char *blob;
  if (m == NULL)
    return NULL;
  blob = coreapi__map_blob(m);
  for (size_t i = 0; i < n; i++)
    if (r[i].value != NULL) {
      if (by_key != NULL)
        by_key[r[i].rank] = m->count;
      coreapi__map_push_data(m, &blob, r[i].key, r[i].len,
                             r[i].prio == 0 ? r[i].value : coreapi_node_ref(r[i].value));
    }
  for (size_t i = f->base; f->merges && i < p->len; i += 2)
    if (!p->pending[i].merge)
      p->pending[i + 1].node = NULL; /* taken (on_close frees the rest) */
  if (by_key != NULL)
    memcpy(coreapi__map_order(m), by_key, kept * sizeof(*by_key));
  m->data_count = m->count;
  m->flags |= COREAPI__MAP_CLEAN; /* as the JSON parser marks plain objects */
  return &m->base;
}

/* The mapping of frame f: its entries sorted by key once, to find keys
 * given twice (an error, unless merged, where the first stays). */
static coreapi_node *close_map(parser *p, const frame *f, size_t *size) {
  size_t n = 0, kept = 0, key_bytes = 0, own = 0;
  if (!gather(p, f, &n, size))
    return NULL;
  for (size_t i = 0; i < n; i++)
    p->sorted[i] = &p->records[i];
  sort_records(p->sorted, n);
  for (size_t i = 0; i < n; i++) {
    record *e = p->sorted[i], *before = i > 0 ? p->sorted[i - 1] : NULL;
    if (before == NULL || e->len != before->len || memcmp(e->key, before->key, e->len) != 0) {
      e->rank = kept++;
      key_bytes += e->len + 1;
    } else if (e->prio > 0) {
      e->value = NULL; /* a key given before */
    } else {
      fail(p, COREAPI_ERR_PARSE, e->mark, "duplicate mapping key '%.60s'", e->key);
      return NULL;
    }
  }
  if (kept == 0)
    return coreapi__shared_empty_object();
  if (kept > SIZE_MAX / 64 ||
      !spend(p, sizeof(map_node) + kept * (sizeof(map_entry) + 8) + key_bytes, &own, &f->mark))
    return NULL;
  *size = add_sat(*size, own);
  return make_map(p, f, n, kept, key_bytes);
}

static int on_close(parser *p, const yaml_event_t *ev) {
  frame *f = &p->frames[p->depth--]; /* its children stay on pending till it is made */
  size_t size = 0;
  coreapi_node *v = f->is_map ? close_map(p, f, &size) : close_seq(p, f, &size);
  int ok = v != NULL || NOMEM(p, &ev->start_mark);
  if (v != NULL) { /* it took its children: what is left is the merge keys' values */
    while (f->merges && p->len > f->base)
      coreapi_node_free(p->pending[--p->len].node); /* a key's is NULL, a taken value's too */
    p->len = f->base;
    p->keys_len = f->key_base;
  }
  if (ok && f->anchor != NULL)
    ok = anchor_put(p, f->anchor, v, NULL, size, &f->mark);
  free(f->anchor);
  if (!ok) {
    coreapi_node_free(v);
    return 0;
  }
  return push(p, v, size, &f->mark);
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
  coreapi__yaml_anchors_free(&p->anchors);
  free(p->keys);
  free(p->records);
  free(p->sorted);
  coreapi__intern_free(p->intern);
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
  p.intern = len > 4096 ? coreapi__intern_new() : NULL; /* none: nothing shared */
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
