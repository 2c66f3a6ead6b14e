/*
 * codecs/jsonparse.c - JSON text into an arena tree, through YAJL's
 * event (SAX) parser.
 *
 * Every value, string and array of the tree lives in a few large blocks that
 * are freed together: far fewer allocations than a tree of separately
 * allocated values (a JSON library's own tree), which is what makes decoding
 * a large schema fast. Children wait on one stack while their container is
 * open and are copied into the arena, exactly sized, when it closes.
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
#define BLOCK_SIZE ((size_t)64 * 1024)

typedef struct block {
  struct block *next;
  size_t used, size;
  char data[];
} block;

struct coreapi__jdoc {
  block *blocks;
  coreapi__jv *root;
};

typedef struct frame {
  size_t start;    /* first pending child of this container */
  int is_object;
  const char *key; /* the key waiting for its value (objects) */
  size_t klen;
} frame;

typedef struct parser {
  coreapi__jdoc *doc;
  coreapi__jmember *pending; /* children of open containers */
  size_t pending_len, pending_cap;
  frame frames[MAX_DEPTH + 1];
  int depth;
  const char *error; /* why a callback stopped the parse */
  char error_buf[160];
} parser;

static void *arena_alloc(coreapi__jdoc *doc, size_t n) {
  block *b = doc->blocks;
  n = (n + 7) & ~(size_t)7;
  if (b == NULL || b->size - b->used < n) {
    size_t size = n > BLOCK_SIZE ? n : BLOCK_SIZE;
    block *nb = malloc(sizeof(block) + size);
    if (nb == NULL)
      return NULL;
    nb->size = size;
    nb->used = 0;
    if (b != NULL && n > BLOCK_SIZE) {
      /* A big one goes behind the current block, which keeps filling. */
      nb->next = b->next;
      b->next = nb;
      nb->used = n;
      return nb->data;
    }
    nb->next = b;
    doc->blocks = b = nb;
  }
  b->used += n;
  return b->data + b->used - n;
}

void coreapi__jdoc_free(coreapi__jdoc *doc) {
  if (doc == NULL)
    return;
  for (block *b = doc->blocks, *next; b != NULL; b = next) {
    next = b->next;
    free(b);
  }
  free(doc);
}

static const char *arena_string(parser *p, const unsigned char *s, size_t len) {
  char *d = arena_alloc(p->doc, len + 1);
  if (d == NULL)
    return NULL;
  memcpy(d, s, len);
  d[len] = '\0';
  return d;
}

static coreapi__jv *new_value(parser *p, coreapi__jv_type type) {
  coreapi__jv *v = arena_alloc(p->doc, sizeof(coreapi__jv));
  if (v != NULL) {
    v->type = type;
    v->count = 0;
  } else {
    p->error = "out of memory";
  }
  return v;
}

/* Hand a finished value to its container, or make it the root. */
static int add_value(parser *p, coreapi__jv *v) {
  frame *f;
  if (v == NULL)
    return 0;
  if (p->depth == 0) {
    p->doc->root = v;
    return 1;
  }
  f = &p->frames[p->depth];
  if (p->pending_len == p->pending_cap) {
    size_t cap = p->pending_cap ? p->pending_cap * 2 : 256;
    coreapi__jmember *m = realloc(p->pending, cap * sizeof(*m));
    if (m == NULL) {
      p->error = "out of memory";
      return 0;
    }
    p->pending = m;
    p->pending_cap = cap;
  }
  p->pending[p->pending_len].key = f->key;
  p->pending[p->pending_len].klen = f->klen;
  p->pending[p->pending_len].value = v;
  p->pending_len++;
  return 1;
}

static int on_null(void *ctx) { return add_value(ctx, new_value(ctx, COREAPI__JV_NULL)); }

static int on_boolean(void *ctx, int b) {
  return add_value(ctx, new_value(ctx, b ? COREAPI__JV_TRUE : COREAPI__JV_FALSE));
}

/* Numbers arrive as text: integers must fit int64 (as the document model's
 * are exact), anything with a fraction or exponent is a double. */
static int on_number(void *ctx, const char *s, size_t len) {
  parser *p = ctx;
  char buf[512], *end;
  coreapi__jv *v;
  int is_real = memchr(s, '.', len) || memchr(s, 'e', len) || memchr(s, 'E', len);
  if (len >= sizeof(buf)) {
    p->error = "number too long";
    return 0;
  }
  memcpy(buf, s, len);
  buf[len] = '\0';
  v = new_value(p, is_real ? COREAPI__JV_REAL : COREAPI__JV_INTEGER);
  if (v == NULL)
    return 0;
  errno = 0;
  if (is_real) {
    v->u.r = strtod(buf, &end); /* in the C locale: see coreapi__json_parse */
    if (errno == ERANGE && isinf(v->u.r)) {
      /* JSON has no infinity; a value that would be one is refused. */
      snprintf(p->error_buf, sizeof(p->error_buf), "real number %.40s is out of range", buf);
      p->error = p->error_buf;
      return 0;
    }
  } else {
    v->u.i = strtoll(buf, &end, 10);
    if (errno == ERANGE) {
      snprintf(p->error_buf, sizeof(p->error_buf), "integer %.40s is out of range", buf);
      p->error = p->error_buf;
      return 0;
    }
  }
  return add_value(p, v);
}

/* Strings and keys must be UTF-8 as RFC 8259 and Python's decoder want it:
 * no overlong forms, no surrogates, nothing above U+10FFFF. YAJL's own check
 * lets overlong forms through, so it is turned off (yajl_dont_validate_strings)
 * and the decoded text checked here instead: the text an escape makes is
 * checked too. */
static int valid_text(parser *p, const unsigned char *s, size_t len) {
  if (coreapi__is_utf8((const char *)s, len))
    return 1;
  p->error = "invalid UTF-8 in a string";
  return 0;
}

static int on_string(void *ctx, const unsigned char *s, size_t len) {
  parser *p = ctx;
  coreapi__jv *v;
  if (!valid_text(p, s, len))
    return 0;
  v = new_value(p, COREAPI__JV_STRING);
  if (v == NULL || (v->u.s = arena_string(p, s, len)) == NULL) {
    p->error = "out of memory";
    return 0;
  }
  v->count = len;
  return add_value(p, v);
}

static int open_container(parser *p, int is_object) {
  frame *f;
  if (p->depth == MAX_DEPTH) {
    p->error = "maximum nesting depth exceeded";
    return 0;
  }
  f = &p->frames[++p->depth];
  f->start = p->pending_len;
  f->is_object = is_object;
  f->key = NULL;
  f->klen = 0;
  return 1;
}

static int on_start_map(void *ctx) { return open_container(ctx, 1); }
static int on_start_array(void *ctx) { return open_container(ctx, 0); }

static int on_map_key(void *ctx, const unsigned char *key, size_t len) {
  parser *p = ctx;
  frame *f = &p->frames[p->depth];
  if (!valid_text(p, key, len))
    return 0;
  f->key = arena_string(p, key, len);
  f->klen = len;
  if (f->key == NULL) {
    p->error = "out of memory";
    return 0;
  }
  return 1;
}

static int member_cmp(const void *a, const void *b) {
  const coreapi__jmember *x = *(const coreapi__jmember *const *)a;
  const coreapi__jmember *y = *(const coreapi__jmember *const *)b;
  size_t n = x->klen < y->klen ? x->klen : y->klen;
  int c = memcmp(x->key, y->key, n);
  return c ? c : (x->klen > y->klen) - (x->klen < y->klen);
}

/* A duplicate key, or NULL. Small objects compare pairwise; large ones sort
 * a list of pointers. */
static const coreapi__jmember *find_duplicate(const coreapi__jmember *m, size_t n, int *oom) {
  *oom = 0;
  if (n <= 16) {
    for (size_t i = 1; i < n; i++)
      for (size_t k = 0; k < i; k++)
        if (m[i].klen == m[k].klen && memcmp(m[i].key, m[k].key, m[i].klen) == 0)
          return &m[i];
    return NULL;
  }
  {
    const coreapi__jmember **sorted = malloc(n * sizeof(*sorted)), *dup = NULL;
    if (sorted == NULL) {
      *oom = 1;
      return NULL;
    }
    for (size_t i = 0; i < n; i++)
      sorted[i] = &m[i];
    qsort(sorted, n, sizeof(*sorted), member_cmp);
    for (size_t i = 1; i < n && dup == NULL; i++)
      if (member_cmp(&sorted[i - 1], &sorted[i]) == 0)
        dup = sorted[i];
    free(sorted);
    return dup;
  }
}

static int close_container(parser *p) {
  frame *f = &p->frames[p->depth];
  size_t n = p->pending_len - f->start;
  coreapi__jmember *children = n ? &p->pending[f->start] : NULL;
  coreapi__jv *v = new_value(p, f->is_object ? COREAPI__JV_OBJECT : COREAPI__JV_ARRAY);
  if (v == NULL)
    return 0;
  v->count = n;
  if (f->is_object) {
    int oom;
    const coreapi__jmember *dup = find_duplicate(children, n, &oom);
    if (oom || dup != NULL) {
      if (oom) {
        p->error = "out of memory";
      } else {
        snprintf(p->error_buf, sizeof(p->error_buf), "duplicate object key '%.60s'", dup->key);
        p->error = p->error_buf;
      }
      return 0;
    }
    v->u.members = n ? arena_alloc(p->doc, n * sizeof(coreapi__jmember)) : NULL;
    if (n && v->u.members == NULL) {
      p->error = "out of memory";
      return 0;
    }
    if (n)
      memcpy(v->u.members, children, n * sizeof(coreapi__jmember));
  } else {
    v->u.items = n ? arena_alloc(p->doc, n * sizeof(coreapi__jv *)) : NULL;
    if (n && v->u.items == NULL) {
      p->error = "out of memory";
      return 0;
    }
    for (size_t i = 0; i < n; i++)
      v->u.items[i] = children[i].value;
  }
  p->pending_len = f->start;
  p->depth--;
  return add_value(p, v);
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
  if (p->error != NULL) {
    malformed(err, strcmp(p->error, "out of memory") == 0 ? COREAPI_ERR_OUT_OF_MEMORY
                                                           : COREAPI_ERR_PARSE,
              (const char *)text, at, p->error);
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

coreapi__jdoc *coreapi__json_parse(const char *data, size_t len, const coreapi__jv **root,
                                   coreapi_error *err) {
  parser p;
  yajl_handle h;
  yajl_status st;
  locale_t c_locale, previous;
  int at_end = 0;
  const unsigned char *text = (const unsigned char *)(data ? data : "");

  memset(&p, 0, sizeof(p));
  *root = NULL;
  if (data == NULL && len > 0) {
    coreapi_error_set(err, COREAPI_ERR_INVALID_ARGUMENT, "no data");
    return NULL;
  }
  if (refuse_lone_surrogate(data, len, err))
    return NULL;
  p.doc = calloc(1, sizeof(*p.doc));
  h = yajl_alloc(&callbacks, NULL, &p);
  /* strtod reads the locale's decimal point: parse in the C locale, for this
   * thread only. */
  c_locale = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
  if (p.doc == NULL || h == NULL || c_locale == (locale_t)0) {
    if (h != NULL)
      yajl_free(h);
    if (c_locale != (locale_t)0)
      freelocale(c_locale);
    free(p.doc);
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
    free(p.pending);
    coreapi__jdoc_free(p.doc);
    return NULL;
  }
  yajl_free(h);
  free(p.pending);
  if (p.doc->root == NULL) {
    coreapi__jdoc_free(p.doc);
    malformed(err, COREAPI_ERR_PARSE, (const char *)text, 0, "no value");
    return NULL;
  }
  *root = p.doc->root;
  return p.doc;
}

const coreapi__jv *coreapi__jv_get(const coreapi__jv *obj, const char *key) {
  size_t klen;
  if (obj == NULL || obj->type != COREAPI__JV_OBJECT)
    return NULL;
  klen = strlen(key);
  for (size_t i = 0; i < obj->count; i++)
    if (obj->u.members[i].klen == klen && memcmp(obj->u.members[i].key, key, klen) == 0)
      return obj->u.members[i].value;
  return NULL;
}
