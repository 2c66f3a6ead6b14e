/*
 * codecs/disposition.c - the file name in a Content-Disposition header value
 * (RFC 6266), with RFC 8187 (formerly 5987) extended values for filename*.
 *
 *   content-disposition = disposition-type *( OWS ";" OWS disposition-parm )
 *   disposition-parm    = token BWS "=" BWS ( token / quoted-string )
 *   ext-value           = charset "'" [ language ] "'" value-chars
 *
 * The input is untrusted bytes with a length. Parsing is lenient where real
 * servers are sloppy (an unquoted value may hold spaces and non-ASCII bytes, a
 * quoted filename* is unquoted first, any visible byte may appear in
 * value-chars) and strict where being lenient would invent a name: an
 * unterminated quoted string, junk after a closing quote, a NUL byte or a bad
 * %-escape make that parameter unusable. Nothing is kept between calls.
 */
#include <stdlib.h>
#include <string.h>

#include "../document/document.h"
#include "download_internal.h"

typedef struct param {
  const char *p; /* the value as written (with its quotes, if quoted) */
  size_t n;
  int quoted;
  int present;
} param;

static int is_tchar(unsigned char c) {
  if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
    return 1;
  return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static int is_ows(unsigned char c) {
  return c == ' ' || c == '\t';
}

/* s[i] is '"': the index just after the closing quote, or (size_t)-1 when
 * the string is not terminated. A backslash escapes the byte after it. */
static size_t skip_quoted(const char *s, size_t len, size_t i) {
  for (i++; i < len; i++) {
    if (s[i] == '\\')
      i++;
    else if (s[i] == '"')
      return i + 1;
  }
  return (size_t)-1;
}

/* The index of the next ';' at or after i that is not inside a quoted
 * string, or len. */
static size_t skip_to_semicolon(const char *s, size_t len, size_t i) {
  while (i < len && s[i] != ';') {
    if (s[i] == '"') {
      i = skip_quoted(s, len, i);
      if (i == (size_t)-1)
        return len;
    } else {
      i++;
    }
  }
  return i;
}

static int name_is(const char *p, size_t n, const char *name) {
  size_t k;
  if (strlen(name) != n)
    return 0;
  for (k = 0; k < n; k++) {
    unsigned char c = (unsigned char)p[k];
    if (c >= 'A' && c <= 'Z')
      c = (unsigned char)(c - 'A' + 'a');
    if (c != (unsigned char)name[k])
      return 0;
  }
  return 1;
}

/* The content of a parameter value: unescaped when quoted. The result has
 * n bytes (no NUL inside: values with NUL were rejected) plus a terminator,
 * and *out_len is set. NULL on ENOMEM. */
static char *param_text(const param *v, size_t *out_len) {
  char *out = malloc(v->n + 1);
  size_t i, o = 0;
  if (out == NULL)
    return NULL;
  if (!v->quoted) {
    memcpy(out, v->p, v->n);
    o = v->n;
  } else {
    /* v->p[0] and v->p[n-1] are the quotes; escapes are well formed since
     * skip_quoted accepted the string. */
    for (i = 1; i + 1 < v->n; i++) {
      if (v->p[i] == '\\')
        i++;
      out[o++] = v->p[i];
    }
  }
  out[o] = '\0';
  *out_len = o;
  return out;
}

/* ISO-8859-1 bytes to UTF-8: a new string. */
static char *latin1_to_utf8(const unsigned char *s, size_t n) {
  char *out = malloc(2 * n + 1), *o = out;
  size_t i;
  if (out == NULL)
    return NULL;
  for (i = 0; i < n; i++) {
    if (s[i] < 0x80) {
      *o++ = (char)s[i];
    } else {
      *o++ = (char)(0xC0 | (s[i] >> 6));
      *o++ = (char)(0x80 | (s[i] & 0x3F));
    }
  }
  *o = '\0';
  return out;
}

enum charset { CS_UNKNOWN, CS_UTF8, CS_LATIN1, CS_ASCII };

static enum charset charset_of(const char *p, size_t n) {
  static const struct {
    const char *name;
    enum charset cs;
  } names[] = {{"utf-8", CS_UTF8},       {"utf8", CS_UTF8},         {"iso-8859-1", CS_LATIN1},
               {"iso_8859-1", CS_LATIN1}, {"iso8859-1", CS_LATIN1}, {"latin1", CS_LATIN1},
               {"latin-1", CS_LATIN1},    {"us-ascii", CS_ASCII},   {"ascii", CS_ASCII}};
  size_t k;
  for (k = 0; k < sizeof names / sizeof names[0]; k++)
    if (name_is(p, n, names[k].name))
      return names[k].cs;
  return CS_UNKNOWN;
}

/* Decode an RFC 8187 ext-value. Returns a new UTF-8 string; NULL with *oom 0
 * when the value cannot be decoded, NULL with *oom 1 on ENOMEM. */
static char *decode_ext_value(const param *v, int *oom) {
  size_t n, i, o = 0;
  char *text = param_text(v, &n), *q1, *q2, *out = NULL;
  unsigned char *bytes;
  enum charset cs;
  *oom = 0;
  if (text == NULL) {
    *oom = 1;
    return NULL;
  }
  q1 = memchr(text, '\'', n);
  q2 = q1 ? memchr(q1 + 1, '\'', n - (size_t)(q1 + 1 - text)) : NULL;
  if (q2 == NULL)
    goto done;
  cs = charset_of(text, (size_t)(q1 - text));
  if (cs == CS_UNKNOWN)
    goto done;
  /* Decoded in place: the result is never longer than the escaped text. */
  bytes = (unsigned char *)q2 + 1;
  n -= (size_t)(q2 + 1 - text);
  for (i = 0; i < n; i++) {
    unsigned char c = bytes[i];
    if (c == '%') {
      int hi, lo;
      if (n - i < 3 || (hi = coreapi__hex_value(bytes[i + 1])) < 0 ||
          (lo = coreapi__hex_value(bytes[i + 2])) < 0)
        goto done;
      c = (unsigned char)(hi * 16 + lo);
      i += 2;
      if (c == 0)
        goto done;
    } else if (c < 0x20 || c == 0x7F) {
      goto done;
    }
    bytes[o++] = c;
  }
  switch (cs) {
  case CS_UTF8:
    if (coreapi__is_utf8((const char *)bytes, o)) {
      out = coreapi__strndup((const char *)bytes, o);
      if (out == NULL)
        *oom = 1;
    }
    break;
  case CS_ASCII:
    for (i = 0; i < o && bytes[i] < 0x80; i++)
      ;
    if (i == o && (out = coreapi__strndup((const char *)bytes, o)) == NULL)
      *oom = 1;
    break;
  default: /* CS_LATIN1 */
    if ((out = latin1_to_utf8(bytes, o)) == NULL)
      *oom = 1;
    break;
  }
done:
  free(text);
  return out;
}

/* How reading one parameter went. */
enum param_read { PARAM_USABLE, PARAM_SKIP, PARAM_STOP };

/* The value of a parameter at value[*pos] (just after its '=' and OWS) into
 * *v, with *pos left at the next ';' or at len. PARAM_SKIP when the value is
 * unusable (junk after a closing quote, empty or with a control byte when
 * unquoted), PARAM_STOP when the rest of the header is unusable too (an
 * unterminated quoted string). */
static enum param_read read_value(const char *value, size_t len, size_t *pos, param *v) {
  size_t i = *pos;
  if (i < len && value[i] == '"') {
    size_t end = skip_quoted(value, len, i);
    if (end == (size_t)-1)
      return PARAM_STOP; /* unterminated: this parameter and the rest are unusable */
    v->p = value + i;
    v->n = end - i;
    v->quoted = 1;
    i = end;
    while (i < len && is_ows((unsigned char)value[i]))
      i++;
    if (i < len && value[i] != ';') {
      *pos = skip_to_semicolon(value, len, i); /* junk after the quote */
      return PARAM_SKIP;
    }
  } else {
    size_t k, start = i;
    while (i < len && value[i] != ';')
      i++;
    k = i;
    while (k > start && is_ows((unsigned char)value[k - 1]))
      k--;
    v->p = value + start;
    v->n = k - start;
    *pos = i;
    if (v->n == 0)
      return PARAM_SKIP;
    for (k = 0; k < v->n; k++) {
      unsigned char c = (unsigned char)v->p[k];
      if (c == '"' || c == 0x7F || (c < 0x20 && c != '\t'))
        break;
    }
    if (k < v->n)
      return PARAM_SKIP;
  }
  *pos = i;
  return PARAM_USABLE;
}

/* The parameter after the ';' at value[*pos]: its name (*name, *name_len)
 * and value (*v), with *pos left at the next ';' or at len. PARAM_SKIP for a
 * parameter without a name, '=' or usable value, PARAM_STOP when the rest
 * of the header is unusable. */
static enum param_read read_param(const char *value, size_t len, size_t *pos, const char **name,
                                  size_t *name_len, param *v) {
  size_t i = *pos + 1;
  enum param_read r;
  while (i < len && is_ows((unsigned char)value[i]))
    i++;
  *name = value + i;
  while (i < len && is_tchar((unsigned char)value[i]))
    i++;
  *name_len = (size_t)(value + i - *name);
  while (i < len && is_ows((unsigned char)value[i]))
    i++;
  if (*name_len == 0 || i >= len || value[i] != '=') {
    *pos = skip_to_semicolon(value, len, i);
    return PARAM_SKIP;
  }
  i++;
  while (i < len && is_ows((unsigned char)value[i]))
    i++;
  *pos = i;
  r = read_value(value, len, pos, v);
  if (r == PARAM_USABLE && memchr(v->p, '\0', v->n) != NULL)
    return PARAM_SKIP;
  return r;
}

/* The file name the parameters give: filename* when it decodes, else
 * filename (UTF-8 as it is, anything else read as ISO-8859-1), else NULL. */
static char *choose_filename(const param *fn, const param *fnstar, coreapi_error *err) {
  char *out;
  if (fnstar->present) {
    int oom;
    out = decode_ext_value(fnstar, &oom);
    if (out != NULL)
      return out;
    if (oom) {
      COREAPI__OOM(err);
      return NULL;
    }
  }
  if (fn->present) {
    size_t n;
    char *text = param_text(fn, &n);
    if (text == NULL) {
      COREAPI__OOM(err);
      return NULL;
    }
    if (coreapi__is_utf8(text, n))
      return text;
    out = latin1_to_utf8((const unsigned char *)text, n);
    free(text);
    if (out == NULL)
      COREAPI__OOM(err);
    return out;
  }
  return NULL;
}

char *coreapi_content_disposition_filename(const char *value, size_t len, coreapi_error *err) {
  param fn = {NULL, 0, 0, 0}, fnstar = {NULL, 0, 0, 0};
  size_t i;

  if (value == NULL) {
    if (len > 0)
      coreapi_error_set(err, COREAPI_ERR_INVALID_ARGUMENT, "no Content-Disposition value");
    return NULL;
  }
  /* The disposition type (not looked at: the reference takes a filename
   * from "inline" as well as from "attachment"). */
  i = skip_to_semicolon(value, len, 0);
  while (i < len) { /* value[i] == ';' */
    const char *name;
    size_t name_len;
    param v = {NULL, 0, 0, 1};
    enum param_read r = read_param(value, len, &i, &name, &name_len, &v);
    if (r == PARAM_STOP)
      break;
    if (r == PARAM_SKIP)
      continue;
    if (name_is(name, name_len, "filename"))
      fn = v;
    else if (name_is(name, name_len, "filename*"))
      fnstar = v;
  }
  return choose_filename(&fn, &fnstar, err);
}
