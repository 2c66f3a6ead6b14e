/*
 * auth/netrc.h - the netrc parser (netrc_parse.c), shared by the netrc
 * scheme (netrc.c), its unit test and its fuzz target. Pure: bytes in,
 * entries out, no I/O.
 */
#ifndef COREAPI_AUTH_NETRC_H
#define COREAPI_AUTH_NETRC_H

#include <stddef.h>

#include "auth.h"

/* One entry of a netrc file: a `machine NAME` or a `default`, with the
 * login and password given in it (the last of each when repeated). */
typedef struct coreapi__netrc_entry {
  char *machine;  /* the name as written (escapes resolved); NULL for `default` */
  char *login;    /* NULL when the entry has none */
  char *password; /* a secret; NULL when the entry has none */
  unsigned line;  /* the line of the `machine` or `default` keyword (from 1) */
} coreapi__netrc_entry;

typedef struct coreapi__netrc {
  coreapi__netrc_entry *entries; /* in file order */
  size_t count;
  size_t cap;
} coreapi__netrc;

/* The largest text coreapi__netrc_parse reads (1 MiB). */
#define COREAPI__NETRC_MAX_SIZE ((size_t)1 << 20)

/* Parse len bytes of netrc text at data (not NUL-terminated; NUL bytes are
 * an error), as curl's lib/netrc.c reads it:
 *   - tokens are separated by spaces, tabs, CR and LF; a token starting with
 *     '"' runs to the next unescaped '"' (\n, \r, \t are LF, CR, tab; a
 *     backslash before any other byte stands for that byte); any other token
 *     runs to the next separator, quotes and backslashes included;
 *   - a line whose first non-blank byte is '#' is a comment;
 *   - the keywords (any case, unquoted) `machine NAME`, `default`,
 *     `login L`, `password P`, `account A` (ignored) and `macdef NAME`,
 *     whose body is skipped up to the next empty line; the token after
 *     machine, login, password and account is always their value, whatever
 *     it looks like; any other token is skipped;
 *   - login and password belong to the entry opened by the last machine or
 *     default; outside an entry (before the first, after a macdef) they are
 *     ignored.
 * Every login and password an entry ends with is checked (of all entries,
 * used or not): valid UTF-8, no control character (U+0000 to U+001F,
 * U+007F), and no ':' in a login. data may be NULL when len is 0.
 * Returns OK with out filled (free with coreapi__netrc_free; entries may be
 * none); ERR_PARSE (a NUL byte, a quoted string not closed) or
 * ERR_BAD_CREDENTIALS (a login or password refused) with err's text starting
 * "line N: " and *line (when not NULL) set to N; ERR_PARSE without a line
 * (*line 0) for more than COREAPI__NETRC_MAX_SIZE bytes; ERR_OUT_OF_MEMORY.
 * On error out is empty and nothing is left allocated. The message never
 * holds a login or password. */
coreapi_code coreapi__netrc_parse(const char *data, size_t len, coreapi__netrc *out,
                                  unsigned *line, coreapi_error *err);

/* Free what coreapi__netrc_parse filled (passwords wiped); n is empty after.
 * NULL does nothing. */
void coreapi__netrc_free(coreapi__netrc *n);

#endif /* COREAPI_AUTH_NETRC_H */
