/*
 * transitions/uritemplate.c - RFC 6570 URI Templates, levels 1 to 4.
 *
 * The template is read twice: once only to check its syntax (so that a
 * malformed template is reported the same whatever the variables), then to
 * expand it, each expression in one left-to-right pass with no intermediate
 * structures. Expansion follows the algorithm of RFC 6570 appendix A, with
 * its table of operator behaviour:
 *
 *   op    first  sep  named  ifemp  allow
 *   none  ""     ","  no     ""     U
 *   +     ""     ","  no     ""     U+R
 *   .     "."    "."  no     ""     U
 *   /     "/"    "/"  no     ""     U
 *   ;     ";"    ";"  yes    ""     U
 *   ?     "?"    "&"  yes    "="    U
 *   &     "&"    "&"  yes    "="    U
 *   #     "#"    ","  no     ""     U+R
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "../transport/transport.h"
#include "coreapi/uritemplate.h"
#include "params.h"

typedef struct op_info {
  const char *first;
  const char *sep;
  const char *ifemp;
  int named;
  int reserved; /* allow U+R (and pct-encoded triplets), not only U */
} op_info;

static const op_info OP_NONE = {"", ",", "", 0, 0};
static const op_info OP_PLUS = {"", ",", "", 0, 1};
static const op_info OP_DOT = {".", ".", "", 0, 0};
static const op_info OP_SLASH = {"/", "/", "", 0, 0};
static const op_info OP_SEMI = {";", ";", "", 1, 0};
static const op_info OP_QUERY = {"?", "&", "=", 1, 0};
static const op_info OP_AMP = {"&", "&", "=", 1, 0};
static const op_info OP_HASH = {"#", ",", "", 0, 1};

/* How much of a variable name an error message quotes. */
#define NAME_QUOTE 64

typedef struct ut {
  const char *t; /* the template */
  size_t n;
  const coreapi_node *vars;
  int expand; /* 0: check the syntax only */
  coreapi__buf out;
  coreapi_error *err;
} ut;

static int is_alpha(unsigned char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
static int is_digit(unsigned char c) { return c >= '0' && c <= '9'; }
static int is_unreserved(unsigned char c) {
  return is_alpha(c) || is_digit(c) || c == '-' || c == '.' || c == '_' || c == '~';
}
/* gen-delims and sub-delims (RFC 3986 section 2.2). */
static int is_reserved(unsigned char c) {
  return c != '\0' && strchr(":/?#[]@!$&'()*+,;=", c) != NULL;
}

/* A pct-encoded triplet at s[i]? */
static int is_triplet(const char *s, size_t n, size_t i) {
  return i + 2 < n && s[i] == '%' && coreapi__hex_value((unsigned char)s[i + 1]) >= 0 &&
         coreapi__hex_value((unsigned char)s[i + 2]) >= 0;
}

static coreapi_code oom(ut *u) { return COREAPI__OOM(u->err); }

static int put(ut *u, const char *s, size_t n) { return coreapi__buf_append(&u->out, s, n); }
static int puts_(ut *u, const char *s) { return put(u, s, strlen(s)); }

static int put_pct(ut *u, unsigned char c) {
  static const char hex[] = "0123456789ABCDEF";
  char t[3] = {'%', hex[c >> 4], hex[c & 15]};
  return put(u, t, 3);
}

/* A syntax error at offset off, showing the character found there. */
static coreapi_code syntax_error(ut *u, size_t off, const char *what) {
  unsigned char c;
  if (off >= u->n)
    return coreapi_error_set(u->err, COREAPI_ERR_INVALID_ARGUMENT,
                             "URI template: %s at offset %zu (end of template)", what, off);
  c = (unsigned char)u->t[off];
  if (c > 0x20 && c < 0x7F)
    return coreapi_error_set(u->err, COREAPI_ERR_INVALID_ARGUMENT,
                             "URI template: %s at offset %zu ('%c')", what, off, c);
  return coreapi_error_set(u->err, COREAPI_ERR_INVALID_ARGUMENT,
                           "URI template: %s at offset %zu (byte 0x%02X)", what, off, c);
}

static coreapi_code value_error(ut *u, const char *name, size_t name_len, size_t off,
                                const char *what) {
  int q = name_len > NAME_QUOTE ? NAME_QUOTE : (int)name_len;
  return coreapi_error_set(u->err, COREAPI_ERR_INVALID_ARGUMENT,
                           "URI template: variable '%.*s%s' at offset %zu: %s", q, name,
                           name_len > NAME_QUOTE ? "..." : "", off, what);
}

/* Append s (n bytes) pct-encoding what the allow set does not hold, stopping
 * after prefix characters when prefix is not 0. Code points are counted as
 * one character, and with reserved a pct-encoded triplet too (never split). */
static int put_encoded(ut *u, const char *s, size_t n, int reserved, unsigned prefix) {
  size_t i = 0, run = 0, chars = 0;
  while (i < n && (prefix == 0 || chars < prefix)) {
    unsigned char c = (unsigned char)s[i];
    size_t adv;
    chars++;
    if (is_unreserved(c) || (reserved && is_reserved(c))) {
      run++;
      i++;
      continue;
    }
    if (reserved && is_triplet(s, n, i)) {
      run += 3;
      i += 3;
      continue;
    }
    if (run > 0 && put(u, s + i - run, run) != 0)
      return -1;
    run = 0;
    /* One character: its UTF-8 bytes (a stray byte alone, should a value
     * not be UTF-8). */
    adv = coreapi__utf8_next(s + i, n - i, NULL);
    if (adv == 0)
      adv = 1;
    for (size_t k = 0; k < adv; k++)
      if (put_pct(u, (unsigned char)s[i + k]) != 0)
        return -1;
    i += adv;
  }
  if (run > 0 && put(u, s + i - run, run) != 0)
    return -1;
  return 0;
}

static int is_scalar(const coreapi_node *v) {
  coreapi_node_type t = coreapi_node_type_of(v);
  return t == COREAPI_NODE_STRING || t == COREAPI_NODE_INTEGER || t == COREAPI_NODE_REAL ||
         t == COREAPI_NODE_BOOLEAN;
}

static int is_null(const coreapi_node *v) {
  return v == NULL || coreapi_node_type_of(v) == COREAPI_NODE_NULL;
}

/* The size of a composite value for expansion: how many members are defined
 * (not Null). Returns 0 and the count, or an error for a member that cannot
 * be expanded (nested composite, Link, ...). */
static coreapi_code count_defined(ut *u, const coreapi_node *v, const char *name,
                                  size_t name_len, size_t off, size_t *count) {
  int is_array = coreapi_node_type_of(v) == COREAPI_NODE_ARRAY;
  size_t size = is_array ? coreapi_array_size(v) : coreapi_map_size(v);
  *count = 0;
  for (size_t i = 0; i < size; i++) {
    const coreapi_node *m =
        is_array ? coreapi_array_get(v, i) : coreapi_map_entry_inserted(v, i, NULL, NULL);
    if (is_null(m))
      continue;
    if (!is_scalar(m))
      return value_error(u, name, name_len, off,
                         is_array ? "a list member must be a string, number or boolean"
                                  : "an object value must be a string, number or boolean");
    (*count)++;
  }
  return COREAPI_OK;
}

/* Expand a variable whose value is a string, number or boolean. */
static coreapi_code expand_scalar(ut *u, const op_info *op, const char *name, size_t name_len,
                                  const coreapi_node *v, unsigned prefix, int *first) {
  coreapi__buf tmp = {0};
  const char *s = NULL;
  size_t n = 0;
  int r = coreapi__scalar_text(v, &tmp, &s, &n);
  if (r == 0)
    r = puts_(u, *first ? op->first : op->sep);
  *first = 0;
  if (r == 0 && op->named) {
    r = put(u, name, name_len);
    if (r == 0)
      r = n == 0 ? puts_(u, op->ifemp) : put(u, "=", 1);
  }
  if (r == 0)
    r = put_encoded(u, s, n, op->reserved, prefix);
  coreapi__buf_free(&tmp);
  return r == 0 ? COREAPI_OK : oom(u);
}

/* Write one defined member of a list or object, its text s (n bytes) and,
 * for an object, its key; the separator before it is the caller's. Returns
 * 0, -1 on ENOMEM. */
static int put_member(ut *u, const op_info *op, const char *name, size_t name_len,
                      const char *key, size_t key_len, const char *s, size_t n, int is_array,
                      int explode) {
  int r = 0;
  if (!explode) {
    /* "m1,m2" or "k1,v1,k2,v2" */
    if (!is_array)
      r = (put_encoded(u, key, key_len, op->reserved, 0) != 0 || put(u, ",", 1) != 0) ? -1 : 0;
    if (r == 0)
      r = put_encoded(u, s, n, op->reserved, 0);
  } else if (op->named) {
    /* "name=m1;name=m2" or "k1=v1;k2=v2", ifemp for an empty member */
    r = is_array ? put(u, name, name_len) : put_encoded(u, key, key_len, op->reserved, 0);
    if (r == 0)
      r = n == 0 ? puts_(u, op->ifemp) : put(u, "=", 1);
    if (r == 0)
      r = put_encoded(u, s, n, op->reserved, 0);
  } else {
    /* "m1/m2" or "k1=v1/k2=v2" */
    if (!is_array)
      r = (put_encoded(u, key, key_len, op->reserved, 0) != 0 || put(u, "=", 1) != 0) ? -1 : 0;
    if (r == 0)
      r = put_encoded(u, s, n, op->reserved, 0);
  }
  return r;
}

/* Write the defined members of the list or object v, each after its
 * separator but the first. */
static coreapi_code expand_members(ut *u, const op_info *op, const char *name, size_t name_len,
                                   const coreapi_node *v, int explode) {
  int is_array = coreapi_node_type_of(v) == COREAPI_NODE_ARRAY;
  size_t size = is_array ? coreapi_array_size(v) : coreapi_map_size(v), done = 0;
  for (size_t i = 0; i < size; i++) {
    const char *key = NULL;
    size_t key_len = 0;
    const coreapi_node *m =
        is_array ? coreapi_array_get(v, i) : coreapi_map_entry_inserted(v, i, &key, &key_len);
    const char *s = NULL;
    size_t n = 0;
    coreapi__buf tmp = {0};
    int r;
    if (is_null(m))
      continue;
    r = coreapi__scalar_text(m, &tmp, &s, &n);
    if (r == 0 && done > 0)
      r = explode ? puts_(u, op->sep) : put(u, ",", 1);
    if (r == 0)
      r = put_member(u, op, name, name_len, key, key_len, s, n, is_array, explode);
    coreapi__buf_free(&tmp);
    if (r != 0)
      return oom(u);
    done++;
  }
  return COREAPI_OK;
}

/* Expand one varspec of an expression. *first says whether no variable of
 * the expression has been written yet. */
static coreapi_code expand_var(ut *u, const op_info *op, const char *name, size_t name_len,
                               size_t off, unsigned prefix, int explode, int *first) {
  const coreapi_node *v = u->vars ? coreapi_map_get(u->vars, name, name_len) : NULL;
  coreapi_node_type type = coreapi_node_type_of(v);
  size_t count;
  coreapi_code rc;

  if (is_null(v))
    return COREAPI_OK; /* undefined */
  if (is_scalar(v))
    return expand_scalar(u, op, name, name_len, v, prefix, first);

  if (type != COREAPI_NODE_ARRAY && type != COREAPI_NODE_OBJECT)
    return value_error(u, name, name_len, off,
                       "a value must be a string, number, boolean, array, object or null");
  rc = count_defined(u, v, name, name_len, off, &count);
  if (rc != COREAPI_OK)
    return rc;
  if (count == 0)
    return COREAPI_OK; /* an empty list or object is undefined */
  if (prefix != 0)
    return value_error(u, name, name_len, off,
                       "a prefix modifier does not apply to a list or an object");

  if (puts_(u, *first ? op->first : op->sep) != 0)
    return oom(u);
  *first = 0;
  if (!explode && op->named && (put(u, name, name_len) != 0 || put(u, "=", 1) != 0))
    return oom(u);
  return expand_members(u, op, name, name_len, v, explode);
}

/* The operator of the expression whose "{" is at t[open]: *op, with *p left
 * just past it (just past the "{" when there is none). */
static coreapi_code read_operator(ut *u, size_t open, const op_info **op, size_t *p) {
  *p = open + 1;
  *op = &OP_NONE;
  if (*p >= u->n)
    return syntax_error(u, open, "unclosed expression");
  switch (u->t[*p]) {
    case '+': *op = &OP_PLUS; break;
    case '#': *op = &OP_HASH; break;
    case '.': *op = &OP_DOT; break;
    case '/': *op = &OP_SLASH; break;
    case ';': *op = &OP_SEMI; break;
    case '?': *op = &OP_QUERY; break;
    case '&': *op = &OP_AMP; break;
    case '=': case ',': case '!': case '@': case '|':
      return syntax_error(u, *p, "reserved operator");
    default: break;
  }
  if (*op != &OP_NONE)
    (*p)++;
  return COREAPI_OK;
}

/* The varname at t[*p] of the expression whose "{" is at t[open], with *p
 * left just past it:
 *   varname = varchar *( ["."] varchar ); varchar = ALPHA / DIGIT / "_" /
 *   pct-encoded */
static coreapi_code read_varname(ut *u, size_t open, size_t *p) {
  const char *t = u->t;
  size_t n = u->n, at = *p, name = at;
  int need_char = 1;
  while (at < n) {
    unsigned char c = (unsigned char)t[at];
    if (is_alpha(c) || is_digit(c) || c == '_') {
      at++;
      need_char = 0;
    } else if (c == '%') {
      if (!is_triplet(t, n, at))
        return syntax_error(u, at, "invalid pct-encoded triplet in variable name");
      at += 3;
      need_char = 0;
    } else if (c == '.' && !need_char) {
      at++;
      need_char = 1;
    } else {
      break;
    }
  }
  if (at >= n)
    return syntax_error(u, open, "unclosed expression");
  if (need_char)
    return syntax_error(u, at,
                        at == name ? "missing variable name"
                                   : "invalid character in variable name");
  *p = at;
  return COREAPI_OK;
}

/* The modifier, if any, after the varname that ends at t[*p] (":" prefix
 * length, or "*" for *explode), in the expression whose "{" is at t[open];
 * *p is left at the "," or "}" that must follow. */
static coreapi_code read_modifier(ut *u, size_t open, size_t *p, unsigned *prefix,
                                  int *explode) {
  const char *t = u->t;
  size_t n = u->n, at = *p, name_end = at;
  if (t[at] == ':') {
    size_t digits = 0;
    at++;
    if (at < n && (t[at] < '1' || t[at] > '9'))
      return syntax_error(u, at, "prefix length not 1 to 9999");
    while (at < n && is_digit((unsigned char)t[at])) {
      if (++digits > 4) /* max-length = %x31-39 0*3DIGIT: 1 to 9999 */
        return syntax_error(u, at, "prefix length not 1 to 9999");
      *prefix = *prefix * 10 + (unsigned)(t[at] - '0');
      at++;
    }
    if (at >= n)
      return syntax_error(u, open, "unclosed expression");
  } else if (t[at] == '*') {
    *explode = 1;
    at++;
    if (at >= n)
      return syntax_error(u, open, "unclosed expression");
  }
  if (t[at] != ',' && t[at] != '}')
    return syntax_error(u, at,
                        at == name_end ? "invalid character in variable name"
                                       : "expected ',' or '}' after the modifier");
  *p = at;
  return COREAPI_OK;
}

/* Read an expression whose "{" is at t[open]. On success *end is the offset
 * just past its "}". */
static coreapi_code expression(ut *u, size_t open, size_t *end) {
  const op_info *op;
  size_t p;
  int first = 1;
  coreapi_code rc = read_operator(u, open, &op, &p);
  if (rc != COREAPI_OK)
    return rc;
  for (;;) {
    size_t name = p, name_len;
    unsigned prefix = 0;
    int explode = 0;
    rc = read_varname(u, open, &p);
    if (rc != COREAPI_OK)
      return rc;
    name_len = p - name;
    rc = read_modifier(u, open, &p, &prefix, &explode);
    if (rc != COREAPI_OK)
      return rc;
    if (u->expand) {
      rc = expand_var(u, op, u->t + name, name_len, name, prefix, explode, &first);
      if (rc != COREAPI_OK)
        return rc;
    }
    if (u->t[p++] == '}')
      break;
  }
  *end = p;
  return COREAPI_OK;
}

/* One pass over the whole template. */
static coreapi_code run(ut *u) {
  const char *t = u->t;
  size_t n = u->n, p = 0, run_start = 0;
  /* Literal text goes out in runs of characters copied as they are. */
#define FLUSH()                                                                    \
  do {                                                                             \
    if (u->expand && p > run_start && put(u, t + run_start, p - run_start) != 0) \
      return oom(u);                                                               \
  } while (0)
  while (p < n) {
    unsigned char c = (unsigned char)t[p];
    if (c == '{') {
      size_t end = p;
      coreapi_code rc;
      FLUSH();
      rc = expression(u, p, &end);
      if (rc != COREAPI_OK)
        return rc;
      p = run_start = end;
    } else if (c == '}') {
      return syntax_error(u, p, "unmatched closing brace");
    } else if (is_unreserved(c) || is_reserved(c)) {
      p++;
    } else if (is_triplet(t, n, p)) {
      p += 3;
    } else {
      /* Not allowed in a URI: pct-encoded, by its UTF-8 bytes (RFC 6570
       * section 3.1). A lone "%" becomes "%25". */
      size_t len = coreapi__utf8_next(t + p, n - p, NULL);
      if (len == 0)
        return syntax_error(u, p, "invalid UTF-8");
      FLUSH();
      if (u->expand)
        for (size_t k = 0; k < len; k++)
          if (put_pct(u, (unsigned char)t[p + k]) != 0)
            return oom(u);
      p += len;
      run_start = p;
    }
  }
  FLUSH();
#undef FLUSH
  return COREAPI_OK;
}

char *coreapi_uritemplate_expand(const char *tmpl, size_t len, const coreapi_node *vars,
                                 size_t *out_len, coreapi_error *err) {
  ut u;
  coreapi_node_type vt = coreapi_node_type_of(vars);
  coreapi_error_clear(err);
  if (out_len != NULL)
    *out_len = 0;
  if (tmpl == NULL && len != 0) {
    coreapi_error_set(err, COREAPI_ERR_INVALID_ARGUMENT, "URI template: NULL template");
    return NULL;
  }
  if (vars != NULL && vt != COREAPI_NODE_OBJECT && vt != COREAPI_NODE_DOCUMENT) {
    coreapi_error_set(err, COREAPI_ERR_INVALID_ARGUMENT,
                      "URI template: the variables must be an object or a document, not %s",
                      coreapi_node_type_name(vt));
    return NULL;
  }
  memset(&u, 0, sizeof(u));
  u.t = tmpl != NULL ? tmpl : "";
  u.n = len;
  u.vars = vars;
  u.err = err;
  /* Syntax first, so that the error does not depend on the variables. */
  if (run(&u) != COREAPI_OK)
    return NULL;
  u.expand = 1;
  if (put(&u, "", 0) != 0) { /* the result exists even when empty */
    COREAPI__OOM(err);
    return NULL;
  }
  if (run(&u) != COREAPI_OK) {
    coreapi__buf_free(&u.out);
    return NULL;
  }
  if (out_len != NULL)
    *out_len = u.out.len;
  return u.out.data;
}
