/*
 * auth/netrc_parse.c - the netrc parser: the text of a netrc file into its
 * machine and default entries (see auth/netrc.h for the grammar).
 *
 * netrc has no RFC; the format is that of the BSD and GNU inetutils ftp
 * clients' ruserpass(), as curl reads it (lib/netrc.c): comment lines, quoted
 * strings with backslash escapes, macdef bodies skipped up to an empty line.
 * curl removes comment lines and the blanks that start each line when it
 * loads the file, so the lexer does the same at every line start, inside
 * quoted strings and macro bodies too. One leniency over curl: CR is a
 * separator wherever it stands (curl refuses "a\r b").
 */
#include <stdlib.h>
#include <string.h>

#include "netrc.h"

typedef struct lexer {
  const char *p, *end;
  unsigned line;   /* the line p is on */
  coreapi__buf tok; /* the last token's text (may hold a secret) */
  int quoted;       /* the last token was a quoted string */
  int at_end;       /* no token was left: the text has ended */
  unsigned tok_line;
} lexer;

typedef enum keyword {
  KW_NONE,
  KW_MACHINE,
  KW_DEFAULT,
  KW_LOGIN,
  KW_PASSWORD,
  KW_ACCOUNT,
  KW_MACDEF
} keyword;

/* The values of the entry being read, with the lines they were given on. */
typedef struct pending {
  int open; /* inside a machine or default entry */
  coreapi__netrc_entry e;
  unsigned login_line, password_line;
} pending;

/* At the start of a line: pass its leading blanks, and comment lines. */
static void line_start(lexer *lx) {
  for (;;) {
    while (lx->p < lx->end && (*lx->p == ' ' || *lx->p == '\t'))
      lx->p++;
    if (lx->p >= lx->end || *lx->p != '#')
      return;
    while (lx->p < lx->end && *lx->p != '\n')
      lx->p++;
    if (lx->p >= lx->end)
      return;
    lx->p++;
    lx->line++;
  }
}

/* The byte at p, p advanced past it (and past a new line's start). */
static char take(lexer *lx) {
  char c = *lx->p++;
  if (c == '\n') {
    lx->line++;
    line_start(lx);
  }
  return c;
}

static void skip_separators(lexer *lx) {
  while (lx->p < lx->end &&
         (*lx->p == ' ' || *lx->p == '\t' || *lx->p == '\r' || *lx->p == '\n'))
    take(lx);
}

/* A macro body: up to and including the next empty line (LF, any CRs, LF). */
static void skip_macro(lexer *lx) {
  while (lx->p < lx->end) {
    if (take(lx) != '\n')
      continue;
    while (lx->p < lx->end && *lx->p == '\r')
      lx->p++;
    if (lx->p < lx->end && *lx->p == '\n') {
      take(lx);
      return;
    }
  }
}

static coreapi_code parse_error(unsigned line, unsigned *out, coreapi_code code,
                                const char *what, coreapi_error *err) {
  if (out != NULL)
    *out = line;
  return coreapi_error_set(err, code, "line %u: %s", line, what);
}

/* A quoted string, p just past its opening quote, into tok. */
static coreapi_code read_quoted(lexer *lx, unsigned *line, coreapi_error *err) {
  while (lx->p < lx->end) {
    char c = take(lx);
    if (c == '"')
      return COREAPI_OK;
    if (c == '\\') {
      if (lx->p >= lx->end)
        break;
      c = take(lx);
      c = c == 'n' ? '\n' : c == 'r' ? '\r' : c == 't' ? '\t' : c;
    }
    if (coreapi__buf_append(&lx->tok, &c, 1) != 0)
      return COREAPI__OOM(err);
  }
  return parse_error(lx->tok_line, line, COREAPI_ERR_PARSE,
                     "a quoted string is not closed (a '\"' is missing)", err);
}

/* The next token into tok (at_end set instead when there is none): OK or an
 * error. */
static coreapi_code next_token(lexer *lx, unsigned *line, coreapi_error *err) {
  const char *start;
  if (lx->tok.data != NULL) /* the last token may have been a password */
    coreapi__wipe(lx->tok.data, lx->tok.len + 1);
  lx->tok.len = 0;
  skip_separators(lx);
  lx->at_end = lx->p >= lx->end;
  if (lx->at_end)
    return COREAPI_OK;
  lx->tok_line = lx->line;
  lx->quoted = *lx->p == '"';
  if (lx->quoted) {
    lx->p++;
    return read_quoted(lx, line, err);
  }
  start = lx->p;
  while (lx->p < lx->end && *lx->p != ' ' && *lx->p != '\t' && *lx->p != '\r' &&
         *lx->p != '\n')
    lx->p++;
  if (coreapi__buf_append(&lx->tok, start, (size_t)(lx->p - start)) != 0)
    return COREAPI__OOM(err);
  return COREAPI_OK;
}

static keyword keyword_of(const lexer *lx) {
  static const struct {
    const char *name;
    keyword kw;
  } table[] = {{"machine", KW_MACHINE}, {"default", KW_DEFAULT}, {"login", KW_LOGIN},
               {"password", KW_PASSWORD}, {"account", KW_ACCOUNT}, {"macdef", KW_MACDEF}};
  if (lx->quoted || lx->tok.data == NULL)
    return KW_NONE;
  for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
    if (strlen(table[i].name) == lx->tok.len && coreapi__strcaseeq(lx->tok.data, table[i].name))
      return table[i].kw;
  return KW_NONE;
}

static void entry_clear(coreapi__netrc_entry *e) {
  free(e->machine);
  coreapi__free_secret(e->login);
  coreapi__free_secret(e->password);
  memset(e, 0, sizeof(*e));
}

/* Why a login or password cannot be sent in Basic authentication, or NULL. */
static const char *refusal(const char *s, int is_login) {
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    if (*p == '\r' || *p == '\n')
      return is_login ? "the login contains a line break (CR or LF)"
                      : "the password contains a line break (CR or LF)";
    if (*p < 0x20 || *p == 0x7f)
      return is_login ? "the login contains a control character"
                      : "the password contains a control character";
  }
  if (is_login && strchr(s, ':') != NULL)
    return "the login contains ':', which HTTP Basic authentication cannot carry (RFC 7617)";
  if (!coreapi__is_utf8(s, strlen(s)))
    return is_login ? "the login is not valid UTF-8" : "the password is not valid UTF-8";
  return NULL;
}

/* Close the pending entry: check it and append it to out. */
static coreapi_code entry_close(pending *pe, coreapi__netrc *out, unsigned *line,
                                coreapi_error *err) {
  const char *why;
  coreapi__netrc_entry *items;
  if (!pe->open)
    return COREAPI_OK;
  pe->open = 0;
  if (pe->e.login != NULL && (why = refusal(pe->e.login, 1)) != NULL)
    return parse_error(pe->login_line, line, COREAPI_ERR_BAD_CREDENTIALS, why, err);
  if (pe->e.password != NULL && (why = refusal(pe->e.password, 0)) != NULL)
    return parse_error(pe->password_line, line, COREAPI_ERR_BAD_CREDENTIALS, why, err);
  items = coreapi__array_room(out->entries, &out->cap, out->count, sizeof(*items));
  if (items == NULL)
    return COREAPI__OOM(err);
  out->entries = items;
  items[out->count++] = pe->e;
  memset(&pe->e, 0, sizeof(pe->e));
  return COREAPI_OK;
}

/* The value after machine, login, password or account: a copy of the next
 * token into *dest (replacing what was there; dest NULL: read and dropped),
 * nothing at the end of the text. */
static coreapi_code read_value(lexer *lx, char **dest, unsigned *value_line, unsigned *line,
                               coreapi_error *err) {
  coreapi_code rc = next_token(lx, line, err);
  char *copy;
  if (rc != COREAPI_OK || lx->at_end || dest == NULL)
    return rc;
  copy = coreapi__strndup(lx->tok.data ? lx->tok.data : "", lx->tok.len);
  if (copy == NULL)
    return COREAPI__OOM(err);
  coreapi__free_secret(*dest);
  *dest = copy;
  if (value_line != NULL)
    *value_line = lx->tok_line;
  return COREAPI_OK;
}

/* Act on one keyword token. */
static coreapi_code on_keyword(lexer *lx, keyword kw, pending *pe, coreapi__netrc *out,
                               unsigned *line, coreapi_error *err) {
  coreapi_code rc = COREAPI_OK;
  unsigned kw_line = lx->tok_line;
  if (kw == KW_MACHINE || kw == KW_DEFAULT || kw == KW_MACDEF)
    rc = entry_close(pe, out, line, err);
  if (rc != COREAPI_OK)
    return rc;
  switch (kw) {
    case KW_MACHINE:
      rc = read_value(lx, &pe->e.machine, NULL, line, err);
      /* "machine" at the very end names nothing: no entry. */
      pe->open = rc == COREAPI_OK && pe->e.machine != NULL;
      pe->e.line = kw_line;
      return rc;
    case KW_DEFAULT:
      pe->open = 1;
      pe->e.line = kw_line;
      return COREAPI_OK;
    case KW_MACDEF:
      skip_macro(lx);
      return COREAPI_OK;
    case KW_LOGIN:
      return read_value(lx, pe->open ? &pe->e.login : NULL, &pe->login_line, line, err);
    case KW_PASSWORD:
      return read_value(lx, pe->open ? &pe->e.password : NULL, &pe->password_line, line, err);
    case KW_ACCOUNT:
      return read_value(lx, NULL, NULL, line, err);
    case KW_NONE:
      break;
  }
  return COREAPI_OK;
}

/* The line of the first NUL byte in data, or 0 when there is none. */
static unsigned nul_line(const char *data, size_t len) {
  const char *nul = memchr(data, '\0', len);
  unsigned n = 1;
  if (nul == NULL)
    return 0;
  for (const char *p = data; p < nul; p++)
    n += *p == '\n';
  return n;
}

coreapi_code coreapi__netrc_parse(const char *data, size_t len, coreapi__netrc *out,
                                  unsigned *line, coreapi_error *err) {
  lexer lx;
  pending pe;
  coreapi_code rc = COREAPI_OK;
  unsigned bad;

  memset(out, 0, sizeof(*out));
  memset(&pe, 0, sizeof(pe));
  if (line != NULL)
    *line = 0;
  if (len > COREAPI__NETRC_MAX_SIZE)
    return coreapi_error_set(err, COREAPI_ERR_PARSE, "larger than 1 MiB: not a netrc file");
  if (data == NULL) { /* nothing to read */
    data = "";
    len = 0;
  }
  if ((bad = nul_line(data, len)) != 0)
    return parse_error(bad, line, COREAPI_ERR_PARSE,
                       "a NUL byte (a netrc file is text)", err);
  memset(&lx, 0, sizeof(lx));
  lx.p = data;
  lx.end = data + len;
  lx.line = 1;
  line_start(&lx);
  while (rc == COREAPI_OK) {
    keyword kw;
    rc = next_token(&lx, line, err);
    if (rc == COREAPI_OK && lx.at_end) {
      rc = entry_close(&pe, out, line, err);
      break;
    }
    if (rc == COREAPI_OK && (kw = keyword_of(&lx)) != KW_NONE)
      rc = on_keyword(&lx, kw, &pe, out, line, err);
  }
  entry_clear(&pe.e);
  if (lx.tok.data != NULL)
    coreapi__wipe(lx.tok.data, lx.tok.cap);
  coreapi__buf_free(&lx.tok);
  if (rc != COREAPI_OK)
    coreapi__netrc_free(out);
  return rc;
}

void coreapi__netrc_free(coreapi__netrc *n) {
  if (n == NULL)
    return;
  for (size_t i = 0; i < n->count; i++)
    entry_clear(&n->entries[i]);
  free(n->entries);
  memset(n, 0, sizeof(*n));
}
