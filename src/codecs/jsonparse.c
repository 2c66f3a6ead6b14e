/*
 * codecs/jsonparse.c - JSON text into document nodes, through YAJL's event
 * (SAX) parser, with memory bounded by the text's size.
 *
 * No intermediate tree: each value becomes its node as it is read. null,
 * booleans, small integers, "" and empty containers are shared nodes
 * (document/shared.c), so an array of zeros costs its pointers. Children
 * wait on a stack of fixed blocks (growing it copies nothing) while their
 * container is open, and are copied once, into the container's node,
 * exactly sized, when it closes. The bytes of the nodes made are counted
 * against a limit (ERR_TOO_LARGE).
 */
#include <errno.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_parse.h>

#include "../document/document.h"
#include "jsonparse.h"

#define MAX_DEPTH 512
#define SLOTS_PER_BLOCK 4096

/* One slot of a pending stack: a value, or where an object key is in the
 * key bytes. */
typedef union slot {
  uintptr_t value; /* a node, its low bit set when it is clean (see below) */
  struct {
    uint32_t off, len;
  } key;
} slot;

/* A stack in blocks of SLOTS_PER_BLOCK slots, which never move: growing it
 * copies nothing, and a closed container's children are copied once, into
 * its node, exactly sized. */
typedef struct stack {
  slot **blocks;
  size_t nblocks, len;
} stack;

typedef struct frame {
  size_t values, keys, key_bytes; /* stack heights when it opened */
  int is_object;
} frame;

/* A value is clean when Core JSON decoding would leave it as it is: a
 * scalar, an array of clean values, an object of clean values none of whose
 * keys starts with '_' (for plain JSON, any object of clean values). Only
 * clean containers are shared (jsonintern.c): the Core JSON decoder changes
 * the others in place. */
#define CLEAN ((uintptr_t)1)

static coreapi_node *node_of(const slot *s) { return (coreapi_node *)(s->value & ~CLEAN); }

typedef struct parser {
  coreapi__intern *intern;
  int core;   /* Core JSON: '_' keys make an object unclean */
  int secret; /* coreapi__json_parse_secret: see there */
  stack values; /* children of open containers, in order */
  stack keys;   /* the keys of open objects' members */
  char *key_bytes;
  size_t key_len, key_cap;
  coreapi_node *root;
  frame frames[MAX_DEPTH + 1];
  int depth;
  size_t spent, budget; /* bytes of nodes made, and the limit (0: none) */
  coreapi_code code;    /* ERR_PARSE, ERR_TOO_LARGE or ERR_OUT_OF_MEMORY */
  const char *error;    /* why a callback stopped the parse */
  char error_buf[160];
} parser;

static slot *stack_at(const stack *s, size_t i) {
  return &s->blocks[i / SLOTS_PER_BLOCK][i % SLOTS_PER_BLOCK];
}

static int stack_push(stack *s, slot v) {
  if (s->len == s->nblocks * SLOTS_PER_BLOCK) {
    slot **blocks = realloc(s->blocks, (s->nblocks + 1) * sizeof(*blocks));
    if (blocks == NULL)
      return -1;
    s->blocks = blocks;
    if ((blocks[s->nblocks] = malloc(SLOTS_PER_BLOCK * sizeof(slot))) == NULL)
      return -1;
    s->nblocks++;
  }
  *stack_at(s, s->len++) = v;
  return 0;
}

/* Pop to len, freeing the blocks no longer needed but one. */
static void stack_truncate(stack *s, size_t len) {
  size_t keep = len / SLOTS_PER_BLOCK + 2;
  while (s->nblocks > keep)
    free(s->blocks[--s->nblocks]);
  s->len = len;
}

static void stack_free(stack *s) {
  stack_truncate(s, 0);
  while (s->nblocks > 0)
    free(s->blocks[--s->nblocks]);
  free(s->blocks);
}

static int fail(parser *p, coreapi_code code, const char *why) {
  if (p->error == NULL) {
    p->code = code;
    p->error = why;
  }
  return 0;
}

/* Count a node of size bytes against the budget (as malloc rounds it). */
static int spend(parser *p, size_t size) {
  return coreapi__budget_spend(&p->spent, p->budget, coreapi__alloc_cost(size), p->error_buf,
                               sizeof(p->error_buf)) ||
         fail(p, COREAPI_ERR_TOO_LARGE, p->error_buf);
}

/* Hand a finished value (owned) to its container, or make it the root. */
static int add_clean(parser *p, coreapi_node *v, int clean) {
  slot s;
  if (v == NULL)
    return fail(p, COREAPI_ERR_OUT_OF_MEMORY, "out of memory");
  if (p->depth == 0) {
    p->root = v;
    return 1;
  }
  s.value = (uintptr_t)v | (clean ? CLEAN : 0);
  if (stack_push(&p->values, s) != 0) {
    if (p->secret)
      coreapi__node_mark_secret(v);
    coreapi_node_free(v);
    return fail(p, COREAPI_ERR_OUT_OF_MEMORY, "out of memory");
  }
  return 1;
}

static int add_value(parser *p, coreapi_node *v) { return add_clean(p, v, 1); }

/* A new scalar v (or NULL on ENOMEM), remembered for the next equal one. */
static int add_new(parser *p, coreapi_node *v) {
  if (v != NULL)
    coreapi__intern_keep(p->intern, v);
  return add_value(p, v);
}

static int on_null(void *ctx) { return add_value(ctx, coreapi__shared_null()); }

static int on_boolean(void *ctx, int b) { return add_value(ctx, coreapi__shared_boolean(b)); }

/* Numbers arrive as text: integers must fit int64 (as the document model's
 * are exact), anything with a fraction or exponent is a double. */
static int on_number(void *ctx, const char *s, size_t len) {
  parser *p = ctx;
  char buf[512], *end;
  int is_real = memchr(s, '.', len) || memchr(s, 'e', len) || memchr(s, 'E', len);
  coreapi_node *shared;
  coreapi_error err;
  if (len >= sizeof(buf))
    return fail(p, COREAPI_ERR_PARSE, "number too long");
  memcpy(buf, s, len);
  buf[len] = '\0';
  errno = 0;
  if (is_real) {
    double r = strtod(buf, &end); /* in the C locale: see coreapi__json_parse */
    if (errno == ERANGE && isinf(r)) {
      /* JSON has no infinity; a value that would be one is refused. */
      snprintf(p->error_buf, sizeof(p->error_buf), "real number %.40s is out of range", buf);
      return fail(p, COREAPI_ERR_PARSE, p->error_buf);
    }
    if ((shared = coreapi__intern_number(p->intern, COREAPI_NODE_REAL, 0, r)) != NULL)
      return add_value(p, shared);
    return spend(p, sizeof(number_node)) && add_new(p, coreapi_real_new(r, &err));
  } else {
    long long i = strtoll(buf, &end, 10);
    if (errno == ERANGE) {
      snprintf(p->error_buf, sizeof(p->error_buf), "integer %.40s is out of range", buf);
      return fail(p, COREAPI_ERR_PARSE, p->error_buf);
    }
    if ((shared = coreapi__shared_integer(i)) != NULL ||
        (shared = coreapi__intern_number(p->intern, COREAPI_NODE_INTEGER, i, 0)) != NULL)
      return add_value(p, shared);
    return spend(p, sizeof(number_node)) && add_new(p, coreapi_integer_new(i, &err));
  }
}

/* Strings and keys must be UTF-8 as RFC 8259 and Python's decoder want it:
 * no overlong forms, no surrogates, nothing above U+10FFFF. YAJL's own check
 * lets overlong forms through, so it is turned off (yajl_dont_validate_strings)
 * and the decoded text checked here instead: the text an escape makes is
 * checked too. */
static int valid_text(parser *p, const unsigned char *s, size_t len) {
  if (coreapi__is_utf8((const char *)s, len))
    return 1;
  return fail(p, COREAPI_ERR_PARSE, "invalid UTF-8 in a string");
}

static int on_string(void *ctx, const unsigned char *s, size_t len) {
  parser *p = ctx;
  coreapi_node *v;
  if (!valid_text(p, s, len))
    return 0;
  if (len == 0)
    return add_value(p, coreapi__shared_empty_string());
  if ((v = coreapi__intern_string(p->intern, (const char *)s, len)) != NULL)
    return add_value(p, v);
  return spend(p, sizeof(string_node) + len + 1) &&
         add_new(p, coreapi__string_new_trusted((const char *)s, len));
}

static int open_container(parser *p, int is_object) {
  frame *f;
  if (p->depth == MAX_DEPTH)
    return fail(p, COREAPI_ERR_PARSE, "maximum nesting depth exceeded");
  f = &p->frames[++p->depth];
  f->values = p->values.len;
  f->keys = p->keys.len;
  f->key_bytes = p->key_len;
  f->is_object = is_object;
  return 1;
}

static int on_start_map(void *ctx) { return open_container(ctx, 1); }
static int on_start_array(void *ctx) { return open_container(ctx, 0); }

static int on_map_key(void *ctx, const unsigned char *key, size_t len) {
  parser *p = ctx;
  slot s;
  if (!valid_text(p, key, len))
    return 0;
  if (len > UINT32_MAX - p->key_len)
    return fail(p, COREAPI_ERR_TOO_LARGE, "object keys too long");
  if (p->key_bytes == NULL || p->key_len + len > p->key_cap) {
    size_t cap = p->key_cap + p->key_cap / 2 + len + 256;
    char *b = p->secret ? coreapi__wiped_realloc(p->key_bytes, cap) : realloc(p->key_bytes, cap);
    if (b == NULL)
      return fail(p, COREAPI_ERR_OUT_OF_MEMORY, "out of memory");
    p->key_bytes = b;
    p->key_cap = cap;
  }
  if (len > 0)
    memcpy(p->key_bytes + p->key_len, key, len);
  s.key.off = (uint32_t)p->key_len;
  s.key.len = (uint32_t)len;
  p->key_len += len;
  if (stack_push(&p->keys, s) != 0)
    return fail(p, COREAPI_ERR_OUT_OF_MEMORY, "out of memory");
  return 1;
}

static coreapi_node *close_array(parser *p, const frame *f) {
  size_t n = p->values.len - f->values;
  coreapi_node *a, **items;
  if (n == 0)
    return coreapi__shared_empty_array();
  if (n > SIZE_MAX / 16 || !spend(p, coreapi__array_bytes(n)))
    return NULL;
  if ((a = coreapi__array_alloc(n, NULL)) == NULL)
    return NULL;
  items = coreapi__array_items(a);
  for (size_t i = 0; i < n; i++)
    items[i] = node_of(stack_at(&p->values, f->values + i));
  return a;
}

/* A key of m's first n entries that is also an earlier one, or NULL:
 * pairwise, for a map that is not sealed. */
static const map_entry *duplicate_unsorted(const map_node *m) {
  for (size_t i = 1; i < m->count; i++)
    for (size_t k = 0; k < i; k++)
      if (m->entries[i].key_len == m->entries[k].key_len &&
          memcmp(m->entries[i].key, m->entries[k].key, m->entries[i].key_len) == 0)
        return &m->entries[i];
  return NULL;
}

/* The object of frame f. A small one that Core JSON decoding will change
 * (unclean) is left unsealed: the decoder seals it once it is converted. */
static coreapi_node *close_object(parser *p, const frame *f, int clean) {
  size_t n = p->values.len - f->values, key_bytes = p->key_len - f->key_bytes + n;
  const map_entry *dup;
  map_node *m;
  char *blob;
  int seal = clean || n > 16;
  if (n == 0)
    return coreapi__shared_empty_object();
  if (n > SIZE_MAX / 64 ||
      !spend(p, sizeof(map_node) + n * (sizeof(map_entry) + (n > 1 ? 8 : 0)) + key_bytes))
    return NULL;
  m = coreapi__map_alloc(COREAPI_NODE_OBJECT, n, key_bytes);
  if (m == NULL)
    return NULL;
  blob = coreapi__map_blob(m);
  for (size_t i = 0; i < n; i++) {
    const slot *k = stack_at(&p->keys, f->keys + i);
    coreapi__map_push(m, &blob, p->key_bytes + k->key.off, k->key.len,
                      node_of(stack_at(&p->values, f->values + i)));
  }
  if (!seal)
    m->flags |= COREAPI__MAP_UNSEALED;
  if (clean)
    m->flags |= COREAPI__MAP_CLEAN;
  if (seal && coreapi__map_seal(m) != 0) {
    fail(p, COREAPI_ERR_OUT_OF_MEMORY, "out of memory");
  } else if ((dup = seal ? coreapi__map_duplicate(m) : duplicate_unsorted(m)) != NULL) {
    snprintf(p->error_buf, sizeof(p->error_buf), "duplicate object key '%.60s'", dup->key);
    fail(p, COREAPI_ERR_PARSE, p->error_buf);
  }
  if (p->error != NULL) {
    if (p->secret)
      coreapi__node_mark_secret(&m->base);
    coreapi_node_free(&m->base); /* and the children it took */
    p->values.len = f->values;
    return NULL;
  }
  return &m->base;
}

/* Is the container of frame f clean (see CLEAN)? With its children and keys
 * in items, keys and lens when it has at most INTERN_MAX_ITEMS. */
static int clean_children(const parser *p, const frame *f, coreapi_node **items,
                          const char **keys, size_t *lens) {
  size_t n = p->values.len - f->values;
  int clean = 1;
  for (size_t i = 0; i < n && clean; i++) {
    const slot *v = stack_at(&p->values, f->values + i);
    clean = (v->value & CLEAN) != 0;
    if (f->is_object) {
      const slot *k = stack_at(&p->keys, f->keys + i);
      const char *key = p->key_bytes + k->key.off;
      clean = clean && !(p->core && k->key.len > 0 && key[0] == '_');
      if (i < INTERN_MAX_ITEMS) {
        keys[i] = key;
        lens[i] = k->key.len;
      }
    }
    if (i < INTERN_MAX_ITEMS)
      items[i] = node_of(v);
  }
  return clean;
}

static int close_container(parser *p) {
  frame f = p->frames[p->depth];
  size_t n = p->values.len - f.values;
  coreapi_node *items[INTERN_MAX_ITEMS], *v = NULL;
  const char *keys[INTERN_MAX_ITEMS];
  size_t lens[INTERN_MAX_ITEMS];
  int clean = clean_children(p, &f, items, keys, lens);
  coreapi_node_type type = f.is_object ? COREAPI_NODE_OBJECT : COREAPI_NODE_ARRAY;
  if (clean && n > 0 && n <= INTERN_MAX_ITEMS &&
      (v = coreapi__intern_container(p->intern, type, n, items, f.is_object ? keys : NULL,
                                     lens)) != NULL) {
    /* The same as one made before: the children go back. */
    for (size_t i = 0; i < n; i++)
      coreapi_node_free(items[i]);
  } else {
    v = f.is_object ? close_object(p, &f, clean) : close_array(p, &f);
    if (v == NULL) {
      if (p->error == NULL)
        fail(p, COREAPI_ERR_OUT_OF_MEMORY, "out of memory");
      return 0;
    }
    if (clean && n > 0)
      coreapi__intern_keep(p->intern, v);
  }
  stack_truncate(&p->values, f.values);
  stack_truncate(&p->keys, f.keys);
  p->key_len = f.key_bytes;
  p->depth--;
  return add_clean(p, v, clean);
}

static int on_end(void *ctx) { return close_container(ctx); }

static const yajl_callbacks callbacks = {
    on_null, on_boolean, NULL, NULL, on_number, on_string,
    on_start_map, on_map_key, on_end, on_start_array, on_end,
};

static int hex4(const char *s, const char *end, unsigned *cp) {
  *cp = 0;
  if (end - s < 4)
    return 0;
  for (int i = 0; i < 4; i++) {
    int d = coreapi__hex_value((unsigned char)s[i]);
    if (d < 0)
      return 0;
    *cp = *cp << 4 | (unsigned)d;
  }
  return 1;
}

/* The first \u escape of a surrogate that is not half of a pair, or NULL.
 * JSON can write one (Python reads it into a str), but UTF-8 cannot hold it,
 * and YAJL would turn it into "?" or, before another escape, into an
 * unrelated character: refused rather than changed. A backslash that follows
 * an odd run of backslashes is itself escaped, not the start of an escape. */
static const char *lone_surrogate(const char *s, size_t n) {
  const char *end = s + n, *p = memchr(s, '\\', n);
  while (p != NULL) {
    const char *q = p;
    unsigned cp, low;
    while (q < end && *q == '\\')
      q++;
    if ((q - p) % 2 == 1 && q < end && *q == 'u' && hex4(q + 1, end, &cp)) {
      if (cp >= 0xDC00 && cp <= 0xDFFF)
        return q - 1;
      if (cp >= 0xD800 && cp <= 0xDBFF) {
        if (end - q < 11 || q[5] != '\\' || q[6] != 'u' || !hex4(q + 7, end, &low) ||
            low < 0xDC00 || low > 0xDFFF)
          return q - 1;
        q += 11;
      } else {
        q += 5;
      }
    }
    p = q < end ? memchr(q, '\\', (size_t)(end - q)) : NULL;
  }
  return NULL;
}

/* Line and column (1-based) of byte offset in data. */
static void position(const char *data, size_t offset, int *line, int *column) {
  *line = 1;
  *column = 1;
  for (size_t i = 0; i < offset; i++) {
    if (data[i] == '\n') {
      (*line)++;
      *column = 1;
    } else {
      (*column)++;
    }
  }
}

/* err = "Malformed JSON. <why> (line L, column C)", at byte offset at. */
static void malformed(coreapi_error *err, coreapi_code code, const char *data, size_t at,
                      const char *why) {
  int line, column;
  position(data, at, &line, &column);
  coreapi_error_set(err, code, "Malformed JSON. %s (line %d, column %d)", why, line, column);
}

/* Refuse a lone surrogate escape in data (see lone_surrogate): 1 with err
 * set when there is one, else 0. */
static int refuse_lone_surrogate(const char *data, size_t len, coreapi_error *err) {
  const char *bad = data != NULL ? lone_surrogate(data, len) : NULL;
  char why[40];
  if (bad == NULL)
    return 0;
  snprintf(why, sizeof why, "%.6s is half of a surrogate pair", bad);
  malformed(err, COREAPI_ERR_PARSE, data, (size_t)(bad - data), why);
  return 1;
}

/* err for a parse YAJL stopped: the callback's reason when a callback
 * stopped it, else YAJL's message without its "parse error: " prefix and
 * trailing blanks; at the end of the text when at_end, else where YAJL
 * stopped. */
static void parse_failed(coreapi_error *err, const parser *p, yajl_handle h,
                         const unsigned char *text, size_t len, int at_end) {
  size_t at = at_end ? len : yajl_get_bytes_consumed(h);
  if (at > len)
    at = len;
  if (p->error != NULL && p->code != COREAPI_ERR_PARSE) {
    coreapi_error_set(err, p->code, "%s", p->error);
  } else if (p->error != NULL) {
    malformed(err, COREAPI_ERR_PARSE, (const char *)text, at, p->error);
  } else {
    unsigned char *msg = yajl_get_error(h, 0, text, len);
    char *m = (char *)msg;
    size_t n = m ? strlen(m) : 0;
    while (n > 0 && (m[n - 1] == '\n' || m[n - 1] == ' '))
      m[--n] = '\0';
    if (m != NULL && strncmp(m, "parse error: ", 13) == 0)
      m += 13;
    malformed(err, COREAPI_ERR_PARSE, (const char *)text, at, m ? m : "invalid JSON");
    yajl_free_error(h, msg);
  }
}

/* Free what a stopped parse left: the pending values and the stacks. */
static void parser_free(parser *p) {
  coreapi__intern_free(p->intern);
  for (size_t i = 0; i < p->values.len; i++) {
    if (p->secret)
      coreapi__node_mark_secret(node_of(stack_at(&p->values, i)));
    coreapi_node_free(node_of(stack_at(&p->values, i)));
  }
  stack_free(&p->values);
  stack_free(&p->keys);
  if (p->secret)
    coreapi__wiped_free(p->key_bytes);
  else
    free(p->key_bytes);
}

/* YAJL's memory in a secret parse (its buffer for strings with escapes,
 * its stacks): wiped when freed, never moved by realloc. */
static void *yajl_wiped_malloc(void *ctx, size_t n) { return (void)ctx, coreapi__wiped_malloc(n); }
static void *yajl_wiped_realloc(void *ctx, void *p, size_t n) {
  return (void)ctx, coreapi__wiped_realloc(p, n);
}
static void yajl_wiped_free(void *ctx, void *p) { (void)ctx, coreapi__wiped_free(p); }

static coreapi_node *parse(const char *data, size_t len, size_t max_bytes, int core,
                           int secret, size_t *spent, coreapi_error *err) {
  yajl_alloc_funcs wiped = {yajl_wiped_malloc, yajl_wiped_realloc, yajl_wiped_free, NULL};
  parser p;
  yajl_handle h;
  yajl_status st;
  locale_t c_locale, previous;
  int at_end = 0;
  const unsigned char *text = (const unsigned char *)(data ? data : "");

  memset(&p, 0, sizeof(p));
  p.budget = max_bytes;
  p.core = core;
  p.secret = secret;
  if (data == NULL && len > 0) {
    coreapi_error_set(err, COREAPI_ERR_INVALID_ARGUMENT, "no data");
    return NULL;
  }
  if (refuse_lone_surrogate(data, len, err))
    return NULL;
  /* Small bodies gain nothing from sharing: no table for them. */
  p.intern = len > 4096 && !secret ? coreapi__intern_new() : NULL;
  h = len <= 4096 || secret || p.intern != NULL
          ? yajl_alloc(&callbacks, secret ? &wiped : NULL, &p)
          : NULL;
  /* strtod reads the locale's decimal point: parse in the C locale, for this
   * thread only. */
  c_locale = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
  if (h == NULL || c_locale == (locale_t)0) {
    coreapi__intern_free(p.intern);
    if (h != NULL)
      yajl_free(h);
    if (c_locale != (locale_t)0)
      freelocale(c_locale);
    COREAPI__OOM(err);
    return NULL;
  }
  yajl_config(h, yajl_dont_validate_strings, 1); /* see valid_text */
  previous = uselocale(c_locale);
  st = yajl_parse(h, text, len);
  if (st == yajl_status_ok) {
    /* The text ended inside a value: yajl_complete_parse counts its bytes
     * in a buffer of its own, so the error is at the end of the text. */
    st = yajl_complete_parse(h);
    at_end = st != yajl_status_ok;
  }
  uselocale(previous);
  freelocale(c_locale);
  if (st != yajl_status_ok) {
    parse_failed(err, &p, h, text, len, at_end);
    yajl_free(h);
    parser_free(&p);
    if (secret)
      coreapi__node_mark_secret(p.root);
    coreapi_node_free(p.root);
    return NULL;
  }
  yajl_free(h);
  parser_free(&p);
  if (spent != NULL)
    *spent = p.spent;
  if (p.root == NULL) {
    malformed(err, COREAPI_ERR_PARSE, (const char *)text, 0, "no value");
    return NULL;
  }
  if (secret)
    coreapi__node_mark_secret(p.root);
  return p.root;
}

/* The parse, its small nodes in a slab (document/slab.c): a body's
 * document costs its nodes' bytes, not malloc's rounding of each. */
coreapi_node *coreapi__json_parse(const char *data, size_t len, size_t max_bytes, int core,
                                  size_t *spent, coreapi_error *err) {
  coreapi_node *root;
  coreapi__slab_open();
  root = parse(data, len, max_bytes, core, 0, spent, err);
  coreapi__slab_close();
  return root;
}

coreapi_node *coreapi__json_parse_secret(const char *data, size_t len, size_t max_bytes,
                                         coreapi_error *err) {
  return parse(data, len, max_bytes, 0, 1, NULL, err);
}
