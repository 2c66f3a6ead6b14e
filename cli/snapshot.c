/*
 * snapshot.c - document.index, the current document's snapshot: what
 * `describe`, `action` and completion need of a large document without
 * decoding all of it.
 *
 * document.json (Core JSON, as the reference keeps it) stays the state; the
 * snapshot beside it is a cache, written after it under the state lock and
 * tied to it by the identity of the file it was made from (device, inode,
 * size, modification time to the nanosecond): a snapshot that does not match
 * document.json is not used, so a reader never pairs a new document with an
 * old snapshot (files are replaced by rename, never written in place). Its
 * layout, all text until the link bodies:
 *
 *   coreapi-snapshot 1\n
 *   source DEV INO SIZE SEC NSEC\n
 *   head LEN\n <LEN bytes: the root Document's url, title, description and
 *     security schemes as compact Core JSON, without content> \n
 *   links COUNT TOC_LEN\n
 *   COUNT lines of TOC_LEN bytes in all: OFF LEN FLAGS STEP...\n
 *   the bodies: for each link LEN bytes at OFF (from the first body), a
 *     Core JSON Document {"_type":"document","l":LINK} (the link with an
 *     absolute URL, decodable alone)
 *
 * A STEP is a map key with the bytes up to ' ', '%' and DEL written %XX, or
 * an array index written %#N. FLAGS: 1 when a Document below the root lies
 * on the way (an action in place then needs the whole document). Lookups
 * compare the steps as bytes, so they cost the table of contents, not the
 * document; a path not found is looked up in the whole document, which says
 * what is wrong with it.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "snapshot.h"

#define MAGIC "coreapi-snapshot 1\n"
#define FLAG_NESTED 1
#define MAX_DEPTH 64 /* deeper links are left to the whole document */

struct cli_snapshot {
  const char *data; /* the whole snapshot: mapped, or owned */
  size_t len;
  int mapped;
  const char *toc, *toc_end; /* the table of contents */
  const char *bodies;
  size_t bodies_len;
  const char *head_json;
  size_t head_len;
  coreapi_node *head; /* decoded on first use */
};

/* --- building ------------------------------------------------------------------ */

typedef struct sbuf {
  char *data;
  size_t len, cap;
  int failed;
} sbuf;

static void put(sbuf *b, const char *s, size_t n) {
  if (b->failed)
    return;
  if (b->len + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + n + 1)
      cap *= 2;
    char *d = realloc(b->data, cap);
    if (d == NULL) {
      b->failed = 1;
      return;
    }
    b->data = d;
    b->cap = cap;
  }
  memcpy(b->data + b->len, s, n);
  b->len += n;
  b->data[b->len] = '\0';
}

static void putf(sbuf *b, const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
static void putf(sbuf *b, const char *fmt, ...) {
  char tmp[128];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
  va_end(ap);
  if (n < 0 || (size_t)n >= sizeof(tmp))
    b->failed = 1;
  else
    put(b, tmp, (size_t)n);
}

/* A step as the table writes it (the rules at the top). */
static void put_key(sbuf *b, const char *key, size_t len) {
  static const char hex[] = "0123456789ABCDEF";
  size_t start = 0;
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)key[i];
    if (c > ' ' && c != '%' && c != 0x7f)
      continue;
    char esc[3] = {'%', hex[c >> 4], hex[c & 15]};
    put(b, key + start, i - start);
    put(b, esc, 3);
    start = i + 1;
  }
  put(b, key + start, len - start);
}

typedef struct builder {
  sbuf toc, bodies;
  size_t count;
  char *steps[MAX_DEPTH]; /* the path so far, as written */
  size_t step_len[MAX_DEPTH];
} builder;

/* One link at the path in bld: its body and its line. */
static void add_link(builder *bld, const coreapi_node *link, size_t depth, int flags) {
  coreapi_map_builder *mb = coreapi_map_builder_new();
  coreapi_error err;
  size_t len = 0;
  char *json = NULL;
  coreapi_node *wrap = NULL;
  if (mb != NULL &&
      coreapi_map_builder_set(mb, "l", 1, coreapi_node_ref((coreapi_node *)link), &err) ==
          COREAPI_OK)
    wrap = coreapi_map_builder_document(mb, NULL, NULL, NULL, NULL, &err);
  else
    coreapi_map_builder_free(mb);
  if (wrap != NULL)
    json = coreapi_corejson_encode(wrap, 0, &len, &err);
  coreapi_node_free(wrap);
  if (json == NULL) {
    bld->toc.failed = 1;
    return;
  }
  putf(&bld->toc, "%zu %zu %d", bld->bodies.len, len, flags);
  for (size_t i = 0; i < depth; i++) {
    put(&bld->toc, " ", 1);
    put(&bld->toc, bld->steps[i], bld->step_len[i]);
  }
  put(&bld->toc, "\n", 1);
  put(&bld->bodies, json, len);
  free(json);
  bld->count++;
}

static void walk(builder *bld, const coreapi_node *node, size_t depth, int flags);

/* Step into child under the step written as text (len bytes). */
static void descend(builder *bld, const coreapi_node *child, const char *text, size_t len,
                    size_t depth, int flags) {
  if (depth >= MAX_DEPTH)
    return;
  bld->steps[depth] = malloc(len + 1);
  if (bld->steps[depth] == NULL) {
    bld->toc.failed = 1;
    return;
  }
  memcpy(bld->steps[depth], text, len);
  bld->step_len[depth] = len;
  walk(bld, child, depth + 1, flags);
  free(bld->steps[depth]);
}

static void walk(builder *bld, const coreapi_node *node, size_t depth, int flags) {
  coreapi_node_type t = coreapi_node_type_of(node);
  if (t == COREAPI_NODE_LINK) {
    if (depth > 0)
      add_link(bld, node, depth, flags);
    return;
  }
  if (t == COREAPI_NODE_DOCUMENT && depth > 0)
    flags |= FLAG_NESTED;
  if (t == COREAPI_NODE_ARRAY) {
    for (size_t i = 0; i < coreapi_array_size(node) && !bld->toc.failed; i++) {
      char text[32];
      int n = snprintf(text, sizeof(text), "%%#%zu", i);
      descend(bld, coreapi_array_get(node, i), text, (size_t)n, depth, flags);
    }
    return;
  }
  if (t != COREAPI_NODE_DOCUMENT && t != COREAPI_NODE_OBJECT && t != COREAPI_NODE_ERROR)
    return;
  for (size_t i = 0; i < coreapi_map_size(node) && !bld->toc.failed; i++) {
    const char *key;
    size_t key_len;
    const coreapi_node *child = coreapi_map_entry(node, i, &key, &key_len);
    sbuf text = {0};
    put_key(&text, key, key_len);
    if (text.failed) {
      bld->toc.failed = 1;
    } else {
      descend(bld, child, text.data ? text.data : "", text.len, depth, flags);
    }
    free(text.data);
  }
}

/* The root's attributes without its content, as compact Core JSON. */
static char *head_of(const coreapi_node *doc, size_t *len) {
  coreapi_map_builder *mb = coreapi_map_builder_new();
  coreapi_node *schemes = coreapi_document_security_schemes(doc), *head;
  coreapi_error err;
  char *json;
  if (mb == NULL)
    return NULL;
  if (schemes != NULL &&
      coreapi_map_builder_set_security_schemes(mb, coreapi_node_ref(schemes), &err) != COREAPI_OK) {
    coreapi_map_builder_free(mb);
    return NULL;
  }
  head = coreapi_map_builder_document(mb, coreapi_node_url(doc), coreapi_node_title(doc),
                                      coreapi_node_description(doc), NULL, &err);
  json = head ? coreapi_corejson_encode(head, 0, len, &err) : NULL;
  coreapi_node_free(head);
  return json;
}

/* The snapshot of doc made from the file st describes, or NULL. */
static char *build(const coreapi_node *doc, const struct stat *st, size_t *len) {
  builder bld;
  sbuf out = {0};
  size_t head_len = 0;
  char *head = head_of(doc, &head_len);
  memset(&bld, 0, sizeof(bld));
  if (head == NULL || coreapi_node_type_of(doc) != COREAPI_NODE_DOCUMENT) {
    free(head);
    return NULL;
  }
  walk(&bld, doc, 0, 0);
  put(&out, MAGIC, strlen(MAGIC));
  putf(&out, "source %ju %ju %jd ", (uintmax_t)st->st_dev, (uintmax_t)st->st_ino,
       (intmax_t)st->st_size);
  putf(&out, "%jd %ld\n", (intmax_t)st->st_mtim.tv_sec, (long)st->st_mtim.tv_nsec);
  putf(&out, "head %zu\n", head_len);
  put(&out, head, head_len);
  putf(&out, "\nlinks %zu %zu\n", bld.count, bld.toc.len);
  put(&out, bld.toc.data ? bld.toc.data : "", bld.toc.len);
  put(&out, bld.bodies.data ? bld.bodies.data : "", bld.bodies.len);
  free(head);
  free(bld.toc.data);
  free(bld.bodies.data);
  if (out.failed || bld.toc.failed || bld.bodies.failed) {
    free(out.data);
    return NULL;
  }
  *len = out.len;
  return out.data;
}

/* --- reading ------------------------------------------------------------------- */

/* The value of the hex digit c, -1 when it is none. */
static int hex_value(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/* The byte the written step text at s (before end) starts with; *s moves
 * past it (%XX is one byte). */
static int step_byte(const char **s, const char *end) {
  const char *p = *s;
  if (p[0] == '%' && end - p >= 3 && hex_value(p[1]) >= 0 && hex_value(p[2]) >= 0) {
    *s = p + 3;
    return hex_value(p[1]) * 16 + hex_value(p[2]);
  }
  *s = p + 1;
  return (unsigned char)p[0];
}

/* A decimal number at *p (before end), then the separator sep. */
static int number(const char **p, const char *end, char sep, uintmax_t *v) {
  const char *s = *p;
  *v = 0;
  for (; s < end && *s >= '0' && *s <= '9'; s++) {
    if (*v > (UINTMAX_MAX - 9) / 10)
      return -1;
    *v = *v * 10 + (uintmax_t)(*s - '0');
  }
  if (s == *p || s >= end || *s != sep)
    return -1;
  *p = s + 1;
  return 0;
}

static int word(const char **p, const char *end, const char *w) {
  size_t n = strlen(w);
  if ((size_t)(end - *p) < n || memcmp(*p, w, n) != 0)
    return -1;
  *p += n;
  return 0;
}

/* The header of s->data: 0 when it is a snapshot of the file st describes
 * (of any file when st is NULL). */
static int parse(cli_snapshot *s, const struct stat *st) {
  const char *p = s->data, *end = s->data + s->len;
  uintmax_t dev, ino, size, sec, nsec, head_len, count, toc_len;
  if (word(&p, end, MAGIC) || word(&p, end, "source ") || number(&p, end, ' ', &dev) ||
      number(&p, end, ' ', &ino) || number(&p, end, ' ', &size) || number(&p, end, ' ', &sec) ||
      number(&p, end, '\n', &nsec) || word(&p, end, "head ") || number(&p, end, '\n', &head_len))
    return -1;
  if (st != NULL && (dev != (uintmax_t)st->st_dev || ino != (uintmax_t)st->st_ino ||
                     size != (uintmax_t)st->st_size || sec != (uintmax_t)st->st_mtim.tv_sec ||
                     nsec != (uintmax_t)st->st_mtim.tv_nsec))
    return -1;
  if (head_len >= (uintmax_t)(end - p))
    return -1;
  s->head_json = p;
  s->head_len = (size_t)head_len;
  p += head_len;
  if (word(&p, end, "\nlinks ") || number(&p, end, ' ', &count) ||
      number(&p, end, '\n', &toc_len) || toc_len > (uintmax_t)(end - p) ||
      (toc_len > 0 && p[toc_len - 1] != '\n'))
    return -1;
  s->toc = p;
  s->toc_end = p + toc_len;
  s->bodies = s->toc_end;
  s->bodies_len = (size_t)(end - s->bodies);
  return 0;
}

cli_snapshot *cli_snapshot_open(const char *doc_path, const char *path) {
  cli_snapshot *s = calloc(1, sizeof(*s));
  struct stat st, ist;
  int fd = -1, ok = 0;
  if (s != NULL && stat(doc_path, &st) == 0 &&
      (fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) >= 0 && fstat(fd, &ist) == 0 &&
      S_ISREG(ist.st_mode) && ist.st_size > 0 && (uintmax_t)ist.st_size < SIZE_MAX) {
    void *m = mmap(NULL, (size_t)ist.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (m != MAP_FAILED) {
      s->data = m;
      s->len = (size_t)ist.st_size;
      s->mapped = 1;
      ok = parse(s, &st) == 0;
    }
  }
  if (fd >= 0)
    close(fd);
  if (!ok) {
    cli_snapshot_close(s);
    return NULL;
  }
  return s;
}

cli_snapshot *cli_snapshot_of(const coreapi_node *doc) {
  struct stat st;
  cli_snapshot *s = calloc(1, sizeof(*s));
  size_t len = 0;
  memset(&st, 0, sizeof(st));
  if (s == NULL || (s->data = build(doc, &st, &len)) == NULL) {
    free(s);
    return NULL;
  }
  s->len = len;
  if (parse(s, &st) != 0) {
    cli_snapshot_close(s);
    return NULL;
  }
  return s;
}

cli_snapshot *cli_snapshot_read(const char *data, size_t len) {
  cli_snapshot *s = calloc(1, sizeof(*s));
  char *copy = malloc(len + 1);
  if (s == NULL || copy == NULL) {
    free(s);
    free(copy);
    return NULL;
  }
  memcpy(copy, data, len);
  copy[len] = '\0';
  s->data = copy;
  s->len = len;
  if (parse(s, NULL) != 0) {
    cli_snapshot_close(s);
    return NULL;
  }
  return s;
}

void cli_snapshot_close(cli_snapshot *s) {
  if (s == NULL)
    return;
  if (s->mapped)
    munmap((void *)s->data, s->len);
  else
    free((void *)s->data);
  coreapi_node_free(s->head);
  free(s);
}

/* A line of the table: its fields. */
typedef struct entry {
  uintmax_t off, len, flags;
  const char *steps, *end; /* " STEP STEP..." up to the newline */
} entry;

static int read_entry(const char **p, const char *toc_end, entry *e) {
  const char *nl = memchr(*p, '\n', (size_t)(toc_end - *p));
  if (nl == NULL)
    return -1;
  if (number(p, nl, ' ', &e->off) || number(p, nl, ' ', &e->len))
    return -1;
  const char *q = *p;
  e->flags = 0;
  for (; q < nl && *q >= '0' && *q <= '9'; q++)
    e->flags = e->flags * 10 + (uintmax_t)(*q - '0');
  e->steps = q;
  e->end = nl;
  *p = nl + 1;
  return 0;
}

/* Does the written step at *p (up to ' ' or end) equal the argument arg? An
 * array index matches its canonical decimal form only. Moves *p past it. */
static int step_matches(const char **p, const char *end, const char *arg) {
  const char *s = *p;
  int match = 1;
  if (end - s >= 2 && s[0] == '%' && s[1] == '#') {
    s += 2;
    if (arg[0] == '0' && arg[1] != '\0')
      match = 0;
    for (; s < end && *s != ' '; s++) {
      if (*arg == '\0' || *arg != *s)
        match = 0;
      else
        arg++; /* never past its NUL */
    }
    match = match && *arg == '\0';
  } else {
    while (s < end && *s != ' ') {
      int c = step_byte(&s, end);
      if (*arg == '\0' || (unsigned char)*arg != c)
        match = 0;
      else
        arg++;
    }
    match = match && *arg == '\0';
  }
  *p = s;
  return match;
}

/* How many of the n arguments the entry's first steps equal (n + 1: all of
 * them, and the entry has exactly n steps). */
static size_t common_steps(const entry *e, char **path, size_t n) {
  const char *p = e->steps;
  size_t i = 0;
  for (; i < n; i++) {
    if (p >= e->end || *p != ' ')
      return i;
    p++;
    if (!step_matches(&p, e->end, path[i]))
      return i;
  }
  return p >= e->end ? n + 1 : n;
}

coreapi_node *cli_snapshot_link(const cli_snapshot *s, char **path, size_t n, int *nested) {
  const char *p = s->toc;
  entry e;
  while (p < s->toc_end && read_entry(&p, s->toc_end, &e) == 0) {
    if (common_steps(&e, path, n) != n + 1)
      continue;
    if (e.off > s->bodies_len || e.len > s->bodies_len - e.off)
      return NULL;
    coreapi_node *wrap =
        coreapi_corejson_decode(s->bodies + e.off, (size_t)e.len, NULL, NULL);
    coreapi_node *link = coreapi_map_get(wrap, "l", 1);
    if (coreapi_node_type_of(link) != COREAPI_NODE_LINK) {
      coreapi_node_free(wrap);
      return NULL;
    }
    coreapi_node_ref(link);
    coreapi_node_free(wrap);
    *nested = (e.flags & FLAG_NESTED) != 0;
    return link;
  }
  return NULL;
}

const coreapi_node *cli_snapshot_head(cli_snapshot *s) {
  if (s->head == NULL)
    s->head = coreapi_corejson_decode(s->head_json, s->head_len, NULL, NULL);
  return s->head;
}

void cli_snapshot_each(const cli_snapshot *s, char **path, size_t n, cli_snapshot_step_fn fn,
                       void *userdata) {
  const char *p = s->toc;
  entry e;
  while (p < s->toc_end && read_entry(&p, s->toc_end, &e) == 0) {
    const char *q = e.steps, *start;
    if (common_steps(&e, path, n) != n)
      continue;
    /* The step after the n matched ones, unescaped. */
    for (size_t i = 0; i <= n && q < e.end; i++) {
      q++;
      start = q;
      while (q < e.end && *q != ' ')
        q++;
      if (i < n)
        continue;
      char buf[1024];
      size_t len = 0;
      const char *r = start;
      if (q - r >= 2 && r[0] == '%' && r[1] == '#')
        r += 2;
      while (r < q && len + 1 < sizeof(buf))
        buf[len++] = (char)step_byte(&r, q);
      buf[len] = '\0';
      if (r == q) /* a step longer than buf is not offered */
        fn(userdata, buf, len, q >= e.end);
    }
  }
}

/* --- writing ------------------------------------------------------------------- */

int cli_snapshot_same_file(const struct stat *a, const struct stat *b) {
  return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size &&
         a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

int cli_snapshot_save(const char *doc_path, const char *path, const coreapi_node *doc,
                      const struct stat *expected) {
  struct stat st;
  coreapi_error err;
  size_t len = 0;
  char *data = NULL;
  int rc = -1;
  /* The caller holds the lock: document.json is the one just written. */
  if (stat(doc_path, &st) == 0 && (expected == NULL || cli_snapshot_same_file(&st, expected)) &&
      (data = build(doc, &st, &len)) != NULL &&
      coreapi_file_write_atomic(path, data, len, 0600, &err) == COREAPI_OK)
    rc = 0;
  if (rc != 0 && expected == NULL)
    unlink(path); /* none rather than an old one (it would not match anyway) */
  free(data);
  return rc;
}
