/*
 * internal.h - declarations shared between the library's files, not exported.
 *
 * Names shared between files are coreapi__*; everything else is static.
 */
#ifndef COREAPI_INTERNAL_H
#define COREAPI_INTERNAL_H

#include <stddef.h>

#include "coreapi/coreapi.h"

/* --- util.c ------------------------------------------------------------- */

/* Overwrite n bytes at p with zeros in a way the compiler keeps. */
void coreapi__wipe(void *p, size_t n);

/* Wipe and free a NUL-terminated string; NULL does nothing. */
void coreapi__free_secret(char *s);

/* strdup / strndup that return NULL on NULL input or allocation failure. */
char *coreapi__strdup(const char *s);
char *coreapi__strndup(const char *s, size_t n);

/* ASCII case-insensitive comparison, as for header names and hosts. */
int coreapi__strcaseeq(const char *a, const char *b);

/* Is s (NUL-terminated) a non-empty RFC 9110 token (tchar+)? */
int coreapi__is_token(const char *s);

/* Is [s, s+n) valid UTF-8 (no overlongs, no surrogates)? */
int coreapi__is_utf8(const char *s, size_t n);

/* The value (0-15) of the hexadecimal digit c, either case, or -1. */
int coreapi__hex_value(unsigned char c);

/* Base64 (RFC 4648, padded) of n bytes into a new NUL-terminated string. */
char *coreapi__base64(const unsigned char *in, size_t n);

/* Strings packed into one allocation: the bytes a string needs there (NULL
 * counts as ""), and copying it to *blob, advancing it. */
size_t coreapi__blob_size(const char *s);
const char *coreapi__blob_put(char **blob, const char *s);

/* A growable byte buffer, always NUL-terminated when data is not NULL. */
typedef struct coreapi__buf {
  char *data;
  size_t len;
  size_t cap;
} coreapi__buf;

int coreapi__buf_append(coreapi__buf *b, const void *p, size_t n); /* 0 or -1 */
int coreapi__buf_appendf(coreapi__buf *b, const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
void coreapi__buf_free(coreapi__buf *b);

/* Wipe every string of a libcurl list, then free it (header lines and
 * cookie lines hold secrets). NULL does nothing. */
struct curl_slist;
void coreapi__slist_free_secret(struct curl_slist *list);

/* --- headers.c: an ordered, case-insensitive list of name/value pairs ---- */

typedef struct coreapi__header {
  char *name;
  char *value;
  unsigned flags; /* COREAPI__HDR_* */
} coreapi__header;

#define COREAPI__HDR_SECRET 1u /* value is redacted in debug output */
#define COREAPI__HDR_AUTH 2u   /* set by an authentication for this hop */

typedef struct coreapi__headers {
  coreapi__header *items;
  size_t count;
  size_t cap;
} coreapi__headers;

/* Validate a header name (token) and value (no CR, LF, NUL or other controls
 * but tab). Returns OK or ERR_BAD_HEADER/ERR_INVALID_ARGUMENT with err set. */
coreapi_code coreapi__header_check(const char *name, const char *value, coreapi_error *err);
const char *coreapi__headers_get(const coreapi__headers *h, const char *name);
coreapi__header *coreapi__headers_find(coreapi__headers *h, const char *name);
/* Replace every header called name by one with value; -1 on ENOMEM. */
int coreapi__headers_set(coreapi__headers *h, const char *name, const char *value,
                         unsigned flags);
/* Append without replacing (for responses, where repeats are kept). */
int coreapi__headers_add(coreapi__headers *h, const char *name, size_t name_len,
                         const char *value, size_t value_len);
size_t coreapi__headers_remove(coreapi__headers *h, const char *name);
int coreapi__headers_copy(coreapi__headers *dst, const coreapi__headers *src);
void coreapi__headers_free(coreapi__headers *h); /* values wiped */

/* --- url.c: URLs through libcurl's URL API ------------------------------- */

typedef struct coreapi__url {
  char *url;    /* normalised, no userinfo, no fragment */
  char *scheme; /* "http" or "https" */
  char *host;   /* normalised: lowercase, no trailing dot, punycode */
  int port;     /* explicit or default */
  int is_ip;    /* host is an IPv4 or IPv6 literal */
} coreapi__url;

/* Parse an absolute http(s) URL, or with base not NULL, resolve url (which may
 * be relative) against base. Returns OK, ERR_BAD_URL, ERR_UNSUPPORTED_SCHEME or
 * ERR_OUT_OF_MEMORY with err set. On success out owns new strings. */
coreapi_code coreapi__url_parse(coreapi__url *out, const char *url, const char *base,
                                coreapi_error *err);
void coreapi__url_free(coreapi__url *u);
int coreapi__url_copy(coreapi__url *dst, const coreapi__url *src);

/* Normalise a host name in place: lowercase, drop one trailing dot. */
void coreapi__host_lower(char *host);

/* "scheme://host[:port]" of u (port omitted when it is the default). */
char *coreapi__url_origin(const coreapi__url *u);

/* --- domain.c ------------------------------------------------------------ */

typedef enum coreapi__pattern_kind {
  COREAPI__PATTERN_ANY = 0,
  COREAPI__PATTERN_WILDCARD = 1, /* "*.suffix"; suffix holds ".suffix" */
  COREAPI__PATTERN_EXACT = 2
} coreapi__pattern_kind;

typedef struct coreapi__pattern {
  coreapi__pattern_kind kind;
  char *text; /* normalised pattern as written ("*", "*.x.com", "x.com") */
} coreapi__pattern;

coreapi_code coreapi__pattern_parse(coreapi__pattern *out, const char *pattern,
                                    coreapi_error *err);
void coreapi__pattern_free(coreapi__pattern *p);
/* Does the pattern cover the host of u? */
int coreapi__pattern_matches(const coreapi__pattern *p, const coreapi__url *u);
/* How specific the pattern is: higher wins (exact > longer wildcard > any). */
size_t coreapi__pattern_rank(const coreapi__pattern *p);

/* --- request.c ----------------------------------------------------------- */

typedef struct coreapi__memo coreapi__memo; /* client.c: per-client auth memory */

/* A part of a multipart/form-data body: a text value or a File node. */
typedef struct coreapi__part {
  char *name;
  char *value;        /* NULL for a file */
  coreapi_node *file; /* a reference, or NULL */
} coreapi__part;

struct coreapi_request {
  char *method;
  coreapi__url url;
  coreapi__headers headers;
  unsigned char *body; /* NULL when there is no body */
  size_t body_len;
  /* Bodies that are streamed rather than held: at most one of these, and
   * then body is NULL. */
  coreapi__part *parts; /* multipart/form-data */
  size_t part_count;
  int multipart;
  coreapi_node *body_file; /* a raw upload (a File node reference) */
  unsigned hop;
  int resent; /* this hop is being sent again (an authentication asked) */
  /* Set by the client while an authentication's callbacks run. */
  coreapi__memo *memo;
  const void *memo_owner;
  unsigned set_flags; /* COREAPI__HDR_* given to headers set meanwhile */
  coreapi_client *jar_client; /* set while cookies are allowed on this hop */
  coreapi__headers cookie_cache; /* values coreapi_request_cookie returned */
};

coreapi_request *coreapi__request_clone(const coreapi_request *req);
/* Remove every kind of body (wiping bytes). */
void coreapi__request_drop_body(coreapi_request *req);
/* Make req's body multipart/form-data (empty until parts are added), or add
 * a part: a text value (copied) or a File (a reference is taken). */
coreapi_code coreapi__request_set_multipart(coreapi_request *req, coreapi_error *err);
coreapi_code coreapi__request_add_part(coreapi_request *req, const char *name,
                                       const char *value, coreapi_node *file,
                                       coreapi_error *err);
/* Make req's body the contents of a File node (a reference is taken). */
coreapi_code coreapi__request_set_body_file(coreapi_request *req, coreapi_node *file,
                                            coreapi_error *err);
/* Turn req into a request for a redirect target (already parsed url, moved). */
void coreapi__request_retarget(coreapi_request *req, coreapi__url *url);

/* Look up cookie name in client's jar for req (client.c); a new string or
 * NULL. */
char *coreapi__jar_cookie(coreapi_client *client, const coreapi_request *req, const char *name);

/* --- response.c ---------------------------------------------------------- */

struct coreapi_response {
  long status;
  char *reason;
  char *url;
  unsigned redirects;
  coreapi__headers headers;
  coreapi__headers cookies;
  coreapi__buf body;
};

coreapi_response *coreapi__response_new(void);
/* Parse the Set-Cookie headers of resp into resp->cookies. -1 on ENOMEM. */
int coreapi__response_parse_cookies(coreapi_response *resp);
/* Parse one Set-Cookie value: name and value (trimmed) before the first ';'.
 * Returns 0 and the spans, or -1 when there is no '=' or the name is empty. */
int coreapi__set_cookie_parse(const char *s, size_t len, const char **name, size_t *name_len,
                              const char **value, size_t *value_len);
/* The standard reason phrase for a status code, "" for an unknown one. */
const char *coreapi__reason_phrase(long status);

/* --- auth/auth.c --------------------------------------------------------- */

struct coreapi_auth;
const coreapi__pattern *coreapi__auth_pattern(const coreapi_auth *auth);
const coreapi_auth_ops *coreapi__auth_ops(const coreapi_auth *auth);
void *coreapi__auth_state(const coreapi_auth *auth);
/* Run ops->apply; an error it returns without filling err is filled here. */
coreapi_code coreapi__auth_run_apply(const coreapi_auth *auth, coreapi_request *req,
                                     coreapi_error *err);

/* --- client memo --------------------------------------------------------- */

const char *coreapi__memo_get(const coreapi__memo *memo, const void *owner, const char *key);
coreapi_code coreapi__memo_set(coreapi__memo *memo, const void *owner, const char *key,
                               const char *value, coreapi_error *err);

/* --- document/file.c: reading File nodes that are streams --------------- */

/* Read up to n bytes of a stream File; (size_t)-1 on error. */
size_t coreapi__file_read(const coreapi_node *file, char *buf, size_t n);
/* Rewind a stream File: 0, or -1 when it cannot. */
int coreapi__file_rewind(const coreapi_node *file);

/* --- fileio.c ------------------------------------------------------------ */

/* Write len bytes to path atomically: a temporary file in the same directory
 * created with mode, written, fsync'ed, renamed over path, and the directory
 * fsync'ed. Returns OK or ERR_IO with err set; on failure path is untouched
 * and no temporary file is left. */
coreapi_code coreapi__write_file_atomic(const char *path, const void *data, size_t len,
                                        unsigned mode, coreapi_error *err);

#define COREAPI__OOM(err) coreapi_error_set((err), COREAPI_ERR_OUT_OF_MEMORY, NULL)

#endif /* COREAPI_INTERNAL_H */
