/*
 * codecs/display.c - the plain-text rendering of documents, byte for byte the
 * reference client's DisplayCodec (codecs/display.py: _to_plaintext and
 * _fields_to_plaintext), with its console colours (click.style) on request.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coreapi/display.h"
#include "jsonout.h"

/* click.style(text, fg=...): the colour, the text, then a reset of all. */
#define GREEN "\x1b[32m"
#define RED "\x1b[31m"
#define CYAN "\x1b[36m"
#define RESET "\x1b[0m"

typedef struct display {
  coreapi__buf out;
  int color;
  int file; /* met a File, which has no rendering */
} display;

static int put(display *d, const char *s, size_t n) { return coreapi__buf_append(&d->out, s, n); }
static int puts_(display *d, const char *s) { return put(d, s, strlen(s)); }

/* Text from a server (keys, titles, field names) with its control
 * characters made visible: C0 and DEL as \x1b, C1 (U+0080 to U+009F) as
 * \u009b, so that it cannot drive the terminal it is shown on (the
 * reference shows them raw: the one place where the output differs). */
static int visible(display *d, const char *s, size_t n) {
  size_t run = 0;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    int c1 = c == 0xc2 && i + 1 < n && (unsigned char)s[i + 1] >= 0x80 &&
             (unsigned char)s[i + 1] <= 0x9f;
    char esc[8];
    if (c >= 0x20 && c != 0x7f && !c1) {
      run++;
      continue;
    }
    if (put(d, s + i - run, run) != 0)
      return -1;
    run = 0;
    snprintf(esc, sizeof(esc), c1 ? "\\u%04x" : "\\x%02x", c1 ? (unsigned char)s[++i] : c);
    if (puts_(d, esc) != 0)
      return -1;
  }
  return put(d, s + n - run, run);
}

/* len() of text as visible() shows it: an escape is 4 or 6 characters. */
static size_t visible_len(const char *s, size_t n) {
  size_t extra = 0;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c < 0x20 || c == 0x7f)
      extra += 3;
    else if (c == 0xc2 && i + 1 < n && (unsigned char)s[i + 1] >= 0x80 &&
             (unsigned char)s[i + 1] <= 0x9f)
      extra += 5; /* two bytes, one code point, shown as six */
  }
  return coreapi__utf8_chars(s, n) + extra;
}

static int start(display *d, const char *color) { return d->color ? puts_(d, color) : 0; }
static int end(display *d) { return d->color ? puts_(d, RESET) : 0; }

/* colorize_keys(text) for text in one piece. */
static int keys(display *d, const char *s, size_t n) {
  if (start(d, CYAN) != 0 || visible(d, s, n) != 0)
    return -1;
  return end(d);
}

static int spaces(display *d, size_t n) {
  static const char sp[] = "                                ";
  while (n > 0) {
    size_t k = n < sizeof(sp) - 1 ? n : sizeof(sp) - 1;
    if (put(d, sp, k) != 0)
      return -1;
    n -= k;
  }
  return 0;
}

static int indent_(display *d, size_t level) { return spaces(d, 4 * level); }


/* Is the code point at s (of length *adv) whitespace to Python's str.strip()
 * (str.isspace)? */
static int py_space_at(const unsigned char *s, size_t avail, size_t *adv) {
  uint32_t cp = 0;
  *adv = coreapi__utf8_next((const char *)s, avail, &cp);
  if (*adv == 0) {
    *adv = 1; /* a stray byte (never in a document) is not whitespace */
    return 0;
  }
  return (cp >= 0x09 && cp <= 0x0D) || (cp >= 0x1C && cp <= 0x20) || cp == 0x85 ||
         cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 ||
         cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000;
}

/* str.strip(): the span of s without leading and trailing whitespace. */
static const char *py_strip(const char *s, size_t *len) {
  const unsigned char *p = (const unsigned char *)s;
  size_t n = strlen(s), i = 0, last_end = 0, adv;
  size_t begin;
  while (i < n && py_space_at(p + i, n - i, &adv))
    i += adv;
  begin = i;
  last_end = i;
  while (i < n) {
    int space = py_space_at(p + i, n - i, &adv);
    i += adv;
    if (!space)
      last_end = i;
  }
  *len = last_end - begin;
  return s + begin;
}

/* json.dumps(s): ensure_ascii, default separators. */
static int json_string(display *d, const char *s, size_t len) {
  return coreapi__json_string(&d->out, s, len, 1);
}

/* The multi-line rule: json.dumps(s).replace('\\n', '\n' + spacing), where
 * spacing is 4 * indent + extra_offset + 3 spaces. */
static int multiline_string(display *d, const char *s, size_t len, size_t indent,
                            size_t extra_offset) {
  coreapi__buf text = {NULL, 0, 0};
  size_t i = 0, run = 0;
  int rc = 0;
  if (coreapi__json_string(&text, s, len, 1) != 0) {
    coreapi__buf_free(&text);
    return -1;
  }
  while (rc == 0 && i < text.len) {
    if (text.data[i] == '\\' && i + 1 < text.len && text.data[i + 1] == 'n') {
      if (run > 0)
        rc = put(d, text.data + i - run, run);
      run = 0;
      if (rc == 0)
        rc = put(d, "\n", 1);
      if (rc == 0)
        rc = spaces(d, 4 * indent + extra_offset + 3);
      i += 2;
    } else {
      run++;
      i++;
    }
  }
  if (rc == 0 && run > 0)
    rc = put(d, text.data + i - run, run);
  coreapi__buf_free(&text);
  return rc;
}

/* _fields_to_plaintext: required names, then optional ones in brackets,
 * joined by colorize_keys(', '). */
static int fields(display *d, const coreapi_node *link) {
  size_t n = coreapi_link_field_count(link);
  int first = 1;
  for (int pass = 1; pass >= 0; pass--) {
    for (size_t i = 0; i < n; i++) {
      const coreapi_field *f = coreapi_link_field(link, i);
      const char *name = coreapi_field_name(f);
      if ((coreapi_field_required(f) != 0) != pass)
        continue;
      if (!first && keys(d, ", ", 2) != 0)
        return -1;
      first = 0;
      if ((!pass && put(d, "[", 1) != 0) || visible(d, name, strlen(name)) != 0 ||
          (!pass && put(d, "]", 1) != 0))
        return -1;
    }
  }
  return 0;
}

/* A link as an entry of a Document or Object: key(fields). */
static int link_entry(display *d, const char *key, size_t klen, const coreapi_node *link) {
  if (start(d, CYAN) != 0 || visible(d, key, klen) != 0 || put(d, "(", 1) != 0 || end(d) != 0 ||
      fields(d, link) != 0)
    return -1;
  return keys(d, ")", 1);
}

/* extra_offset < 0 is Python's None. */
static int plaintext(display *d, const coreapi_node *node, size_t indent, long extra_offset);

/* The entries of a Document, Object or Error, one per line. The heading has
 * been written; every line starts with a newline. */
static int map_body(display *d, const coreapi_node *map, size_t indent) {
  coreapi_node_type type = coreapi_node_type_of(map);
  size_t n = coreapi_map_size(map), data_count = coreapi_map_data_count(map);
  for (size_t i = 0; i < n; i++) {
    const char *key;
    size_t klen;
    const coreapi_node *value = coreapi_map_entry(map, i, &key, &klen);
    if (put(d, "\n", 1) != 0 || indent_(d, indent + 1) != 0)
      return -1;
    if (i >= data_count && type != COREAPI_NODE_ERROR) {
      if (link_entry(d, key, klen, value) != 0)
        return -1;
      continue;
    }
    if (type == COREAPI_NODE_OBJECT) {
      /* colorize_keys(str(key)) + ': ' */
      if (keys(d, key, klen) != 0 || put(d, ": ", 2) != 0)
        return -1;
    } else {
      /* colorize_keys(str(key) + ': ') */
      if (start(d, CYAN) != 0 || visible(d, key, klen) != 0 || put(d, ": ", 2) != 0 || end(d) != 0)
        return -1;
    }
    if (plaintext(d, value, indent + 1, (long)visible_len(key, klen)) != 0)
      return -1;
  }
  return 0;
}

static int plaintext(display *d, const coreapi_node *node, size_t indent, long extra_offset) {
  switch (coreapi_node_type_of(node)) {
    case COREAPI_NODE_DOCUMENT: {
      size_t tlen;
      const char *title = py_strip(coreapi_node_title(node), &tlen);
      const char *url = coreapi_node_url(node);
      if (start(d, GREEN) != 0 || put(d, "<", 1) != 0)
        return -1;
      if (tlen > 0 ? visible(d, title, tlen) != 0 : puts_(d, "Document") != 0)
        return -1;
      if (put(d, " ", 1) != 0 || json_string(d, url, strlen(url)) != 0 || put(d, ">", 1) != 0 ||
          end(d) != 0)
        return -1;
      return map_body(d, node, indent);
    }
    case COREAPI_NODE_ERROR: {
      const char *raw = coreapi_node_title(node);
      if (start(d, RED) != 0)
        return -1;
      if (raw[0] != '\0') {
        size_t tlen;
        const char *title = py_strip(raw, &tlen);
        if (puts_(d, "<Error: ") != 0 || visible(d, title, tlen) != 0 || put(d, ">", 1) != 0)
          return -1;
      } else if (puts_(d, "<Error>") != 0) {
        return -1;
      }
      if (end(d) != 0)
        return -1;
      return map_body(d, node, indent);
    }
    case COREAPI_NODE_OBJECT:
      if (coreapi_map_size(node) == 0)
        return put(d, "{}", 2);
      if (put(d, "{", 1) != 0 || map_body(d, node, indent) != 0 || put(d, "\n", 1) != 0 ||
          indent_(d, indent) != 0)
        return -1;
      return put(d, "}", 1);
    case COREAPI_NODE_ARRAY: {
      size_t n = coreapi_array_size(node);
      if (n == 0)
        return put(d, "[]", 2);
      if (put(d, "[", 1) != 0)
        return -1;
      for (size_t i = 0; i < n; i++) {
        if ((i > 0 && put(d, ",", 1) != 0) || put(d, "\n", 1) != 0 ||
            indent_(d, indent + 1) != 0 || plaintext(d, coreapi_array_get(node, i), indent + 1, -1) != 0)
          return -1;
      }
      if (put(d, "\n", 1) != 0 || indent_(d, indent) != 0)
        return -1;
      return put(d, "]", 1);
    }
    case COREAPI_NODE_LINK:
      if (keys(d, "link(", 5) != 0 || fields(d, node) != 0)
        return -1;
      return keys(d, ")", 1);
    case COREAPI_NODE_STRING: {
      size_t len;
      const char *s = coreapi_string_value(node, &len);
      if (extra_offset >= 0 && memchr(s, '\n', len) != NULL)
        return multiline_string(d, s, len, indent, (size_t)extra_offset);
      return json_string(d, s, len);
    }
    case COREAPI_NODE_INTEGER:
      return coreapi__json_integer(&d->out, coreapi_integer_value(node));
    case COREAPI_NODE_REAL:
      return coreapi__json_real(&d->out, coreapi_real_value(node));
    case COREAPI_NODE_BOOLEAN:
      return coreapi_boolean_value(node) ? puts_(d, "true") : puts_(d, "false");
    case COREAPI_NODE_NULL:
      return puts_(d, "null");
    case COREAPI_NODE_FILE:
      /* A parameter value, never in a document: the reference's json.dumps
       * would raise on it. */
      d->file = 1;
      return -1;
  }
  return -1;
}

char *coreapi_display_encode(const coreapi_node *node, int color, size_t *len, coreapi_error *err) {
  display d = {{NULL, 0, 0}, color != 0, 0};
  coreapi_error_clear(err);
  if (len)
    *len = 0;
  if (node == NULL) {
    coreapi_error_set(err, COREAPI_ERR_INVALID_ARGUMENT, "node is NULL");
    return NULL;
  }
  if (coreapi__buf_append(&d.out, "", 0) != 0 || plaintext(&d, node, 0, -1) != 0) {
    coreapi__buf_free(&d.out);
    if (d.file)
      coreapi_error_set(err, COREAPI_ERR_INVALID_ARGUMENT, "a File cannot be displayed");
    else
      COREAPI__OOM(err);
    return NULL;
  }
  if (len)
    *len = d.out.len;
  return d.out.data;
}
