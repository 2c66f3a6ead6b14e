/*
 * http/http.h - the message layer: headers, URLs, domain patterns, requests,
 * responses, the per-client memory of authentications, redirect rules.
 * Pure data and rules: no libcurl transfer happens here (see src/README.md).
 */
#ifndef COREAPI_HTTP_H
#define COREAPI_HTTP_H

#include <stddef.h>

#include "../text/text.h"
#include "coreapi/domain.h"
#include "coreapi/request.h"
#include "coreapi/response.h"
#include <stdint.h>

/* --- headers.c: an ordered, case-insensitive list of name/value pairs ---- */

typedef struct coreapi__header {
  char *name;
  char *value;
  unsigned flags; /* COREAPI__HDR_* */
} coreapi__header;

#define COREAPI__HDR_SECRET 1u /* value is redacted in debug output */
#define COREAPI__HDR_AUTH 2u   /* set by an authentication for this hop */
#define COREAPI__HDR_PACKED 4u /* value lives in the name's allocation */
#define COREAPI__HDR_POOLED 8u /* the name's allocation is the list's pool */

/* A block of a header list's pool (coreapi__headers_add_pooled). */
typedef struct coreapi__header_block coreapi__header_block;

typedef struct coreapi__headers {
  coreapi__header *items;
  size_t count;
  size_t cap;
  coreapi__header_block *pool; /* the strings of pooled headers, freed with the list */
} coreapi__headers;

/* Validate a header name (token) and value (no CR, LF, NUL or other controls
 * but tab). Returns OK or ERR_BAD_HEADER/ERR_INVALID_ARGUMENT with err set. */
coreapi_code coreapi__header_check(const char *name, const char *value, coreapi_error *err);
const char *coreapi__headers_get(const coreapi__headers *h, const char *name);
/* Free one header's strings (the value wiped). */
void coreapi__header_release(coreapi__header *h);
coreapi__header *coreapi__headers_find(coreapi__headers *h, const char *name);
/* Replace every header called name by one with value; -1 on ENOMEM. */
int coreapi__headers_set(coreapi__headers *h, const char *name, const char *value,
                         unsigned flags);
/* Append without replacing (for responses, where repeats are kept). */
int coreapi__headers_add(coreapi__headers *h, const char *name, size_t name_len,
                         const char *value, size_t value_len);
/* Append " " and [value, value+len) to the last header's value (an obs-fold
 * line); nothing when there is no header. 0, or -1 on ENOMEM. */
int coreapi__headers_extend_last(coreapi__headers *h, const char *value, size_t len);
size_t coreapi__headers_remove(coreapi__headers *h, const char *name);
int coreapi__headers_copy(coreapi__headers *dst, const coreapi__headers *src);
void coreapi__headers_free(coreapi__headers *h); /* values wiped */
/* coreapi__headers_add with name and value in the list's pool: blocks of a
 * KiB or more, so that the many lines of a response take an allocation or
 * two rather than one each. 0 or -1 (out of memory). */
int coreapi__headers_add_pooled(coreapi__headers *h, const char *name, size_t name_len,
                                const char *value, size_t value_len);

/* --- url.c: URLs through libcurl's URL API ------------------------------- */

struct Curl_URL; /* libcurl's CURLU */

typedef struct coreapi__url {
  char *url;    /* normalised, no userinfo, no fragment */
  char *scheme; /* "http" or "https" */
  char *host;   /* normalised: lowercase, no trailing dot, punycode */
  int port;     /* explicit or default */
  int is_ip;    /* host is an IPv4 or IPv6 literal */
  /* libcurl's parsed form of url (owned), handed to libcurl as it is, so
   * that the URL it connects to is the one every decision was made on and
   * is not parsed twice; NULL in a copy of the parts only. */
  struct Curl_URL *handle;
} coreapi__url;

/* Parse an absolute http(s) URL, or with base not NULL, resolve url (which may
 * be relative) against base. Returns OK, ERR_BAD_URL, ERR_UNSUPPORTED_SCHEME or
 * ERR_OUT_OF_MEMORY with err set. On success out owns new strings. */
coreapi_code coreapi__url_parse(coreapi__url *out, const char *url, const char *base,
                                coreapi_error *err);
/* The two ways coreapi__url_parse takes. _libcurl: libcurl's parser, for
 * every URL. _plain (url_plain.c): only a URL that libcurl's parser would
 * write back unchanged, read by a narrower grammar, its parts set into the
 * handle; 0 when out was filled, 1 when url is not such a URL (out empty),
 * -1 on ENOMEM. Whatever _plain fills, _libcurl fills the same. */
coreapi_code coreapi__url_parse_libcurl(coreapi__url *out, const char *url, const char *base,
                                        coreapi_error *err);
int coreapi__url_parse_plain(coreapi__url *out, const char *url);
void coreapi__url_free(coreapi__url *u);
/* Copy src into dst (new strings, and a copy of libcurl's handle); 0 or -1 on
 * ENOMEM. _copy_parts copies the strings only (dst->handle NULL), for URLs
 * that are compared, never sent. */
int coreapi__url_copy(coreapi__url *dst, const coreapi__url *src);
int coreapi__url_copy_parts(coreapi__url *dst, const coreapi__url *src);

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

typedef struct coreapi__memo coreapi__memo; /* memo.c: per-client auth memory */

/* --- body.c: bodies streamed rather than held ---------------------------- */

/* How to read a stream. read returns the bytes read (0 at the end) or
 * (size_t)-1 on error; rewind returns 0, or -1 when the stream cannot go
 * back to its start; retain takes another reference to data and returns it;
 * release drops one. retain and release may be NULL (data not counted). */
typedef struct coreapi__stream_ops {
  size_t (*read)(void *data, char *buf, size_t n);
  int (*rewind)(void *data);
  void *(*retain)(void *data);
  void (*release)(void *data);
} coreapi__stream_ops;

/* A streamed body or part: a file on disk (path, opened when the request is
 * sent) or a stream (ops and data). */
typedef struct coreapi__source {
  char *path;
  const coreapi__stream_ops *ops;
  void *data;
  int64_t size;       /* bytes, -1 when unknown (a path is measured when sent) */
  char *filename;     /* for a multipart part: its file name ("" for none) */
  char *content_type; /* for a multipart part: its type, or NULL for none */
} coreapi__source;

/* A new source: exactly one of path and ops (with data, retained). Strings
 * are copied. NULL on ENOMEM or when both or neither are given. */
coreapi__source *coreapi__source_new(const char *path, const coreapi__stream_ops *ops,
                                     void *data, int64_t size, const char *filename,
                                     const char *content_type);
coreapi__source *coreapi__source_copy(const coreapi__source *s); /* NULL on ENOMEM */
void coreapi__source_free(coreapi__source *s);                    /* NULL does nothing */
/* Read from / rewind a stream source (not a path). */
size_t coreapi__source_read(const coreapi__source *s, char *buf, size_t n);
int coreapi__source_rewind(const coreapi__source *s);

/* --- request.c ----------------------------------------------------------- */

/* A part of a multipart/form-data body: a text value or a source. */
typedef struct coreapi__part {
  char *name;
  char *value;           /* NULL for a file */
  coreapi__source *file; /* owned, or NULL */
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
  coreapi__source *upload; /* a raw upload (owned) */
  unsigned hop;
  int resent; /* this hop is being sent again (an authentication asked) */
  /* Parts that belong to another request (a hop's view of its base):
   * COREAPI__REQ_BORROWED_*. They are not freed, and a body set on the view
   * replaces the borrowed one without touching it. */
  unsigned borrowed;
  /* Set by the client while an authentication's callbacks run. */
  coreapi__memo *memo;
  const void *memo_owner;
  unsigned set_flags; /* COREAPI__HDR_* given to headers set meanwhile */
  /* Set by the client while cookies are allowed on this hop: the value of
   * the cookie called name that its jar would send with req, as a new
   * string, or NULL. */
  char *(*cookie_lookup)(void *ctx, const coreapi_request *req, const char *name);
  void *cookie_ctx;
  coreapi__headers cookie_cache; /* values coreapi_request_cookie returned */
  /* Set by an API-key authentication for this hop (secrets, owned, wiped):
   * "name=value" percent-encoded, appended to the query of the URL libcurl
   * sends (req->url itself stays without it), and the value as encoded,
   * for debug output to redact; "name=value" sent in the Cookie header
   * beside the jar's cookies. */
  char *auth_query, *auth_query_value, *auth_cookie;
  /* Cookie parameters of the request ("name=value; ..."), sent beside the
   * jar's cookies inside the first request's origin only (a hop's view
   * borrows them, and the planner drops them off that origin). */
  char *param_cookie;
  /* Set by a Digest or NTLM authentication for this hop (secrets, owned,
   * wiped): the scheme (COREAPI__HTTP_AUTH_*; 0: none) and the credentials
   * libcurl answers the server's challenge with (CURLOPT_HTTPAUTH, _USERNAME,
   * _PASSWORD) on this hop's transfer only. A view or a clone starts
   * without them: apply sets them afresh on each hop in scope. */
  unsigned http_auth;
  char *http_user, *http_password;
};

#define COREAPI__HTTP_AUTH_DIGEST 1u /* RFC 7616, libcurl's CURLAUTH_DIGEST */
#define COREAPI__HTTP_AUTH_NTLM 2u   /* libcurl's CURLAUTH_NTLM */

#define COREAPI__REQ_BORROWED_METHOD 1u
#define COREAPI__REQ_BORROWED_URL 2u
#define COREAPI__REQ_BORROWED_BODY 4u /* body, parts and upload */
#define COREAPI__REQ_BORROWED_COOKIE 8u /* param_cookie */

/* A copy of req (NULL on ENOMEM). */
coreapi_request *coreapi__request_clone(const coreapi_request *req);
/* coreapi_request_set_header for a name and value known to pass
 * coreapi__header_check (an authentication's header, checked when it was
 * made): not checked again. OK or ERR_OUT_OF_MEMORY. */
coreapi_code coreapi__request_set_header_valid(coreapi_request *req, const char *name,
                                              const char *value, coreapi_error *err);
/* A request that has req's method, URL and body without copying them, and a
 * copy of its headers (NULL on ENOMEM): what one hop sends. req must
 * outlive it and not change meanwhile; free it with coreapi_request_free. */
coreapi_request *coreapi__request_view(const coreapi_request *req);
/* Give req's hop an API key in its query, or a cookie (see auth_query,
 * auth_cookie); name and value already checked. OK or ERR_OUT_OF_MEMORY. */
coreapi_code coreapi__request_add_auth_query(coreapi_request *req, const char *name,
                                             const char *value, coreapi_error *err);
coreapi_code coreapi__request_add_auth_cookie(coreapi_request *req, const char *name,
                                              const char *value, coreapi_error *err);
/* Let libcurl answer this hop's challenge with scheme (COREAPI__HTTP_AUTH_*)
 * and user and password (copied; see http_auth), replacing what req held.
 * OK or ERR_OUT_OF_MEMORY (req unchanged). */
coreapi_code coreapi__request_set_http_auth(coreapi_request *req, unsigned scheme,
                                            const char *user, const char *password,
                                            coreapi_error *err);
/* Set req's cookie parameters to line (copied; see param_cookie). OK or
 * ERR_OUT_OF_MEMORY. */
coreapi_code coreapi__request_set_param_cookie(coreapi_request *req, const char *line,
                                               coreapi_error *err);
/* Does req carry a body given as bytes, also an empty one (POST, PUT and
 * PATCH always do, unless multipart or streamed)? */
int coreapi__request_holds_body(const coreapi_request *req);
/* Remove every kind of body (wiping bytes). */
void coreapi__request_drop_body(coreapi_request *req);
/* Make req's body multipart/form-data (empty until parts are added), or add
 * a part: a text value or a source (both copied). */
coreapi_code coreapi__request_set_multipart(coreapi_request *req, coreapi_error *err);
coreapi_code coreapi__request_add_part(coreapi_request *req, const char *name,
                                       const char *value, const coreapi__source *file,
                                       coreapi_error *err);
/* Make req's body the contents of a source (copied). */
coreapi_code coreapi__request_set_upload(coreapi_request *req, const coreapi__source *upload,
                                         coreapi_error *err);
/* Turn req into a request for a redirect target (already parsed url, moved). */
void coreapi__request_retarget(coreapi_request *req, coreapi__url *url);

/* --- cookie.c ----------------------------------------------------------- */

/* Where a cookie that matches points: its value (a span of the line) and how
 * specific it is (its path and domain lengths: libcurl sends the longest
 * path first, then the longest domain). */
typedef struct coreapi__cookie_match {
  const char *value;
  size_t value_len;
  size_t path_len;
  size_t domain_len;
} coreapi__cookie_match;

/* Does the Netscape cookie-file line [line, line+len) hold a cookie called
 * name that a jar would send with a request to url at time now (seconds
 * since the epoch): domain (tail match for domain cookies), path prefix,
 * Secure only over https, not expired? Returns 1 and fills *out (may be
 * NULL), or 0 (no match, or a line that is not a cookie). */
int coreapi__cookie_line_match(const char *line, size_t len, const coreapi__url *url,
                               const char *name, long long now, coreapi__cookie_match *out);

/* The cookie of that name a server reads from the request, when the jar
 * sends several: the last one libcurl writes (the shortest path, then the
 * shortest domain, then the oldest: the first listed on a tie), since Django
 * and Python's cookie parsing keep the last of a repeated name. Fed the
 * jar's lines one at a time: when the line matches (as above) and comes later
 * than *best, *best becomes its match and 1 is returned, else 0. Start with
 * best->value NULL. */
int coreapi__cookie_line_better(const char *line, size_t len, const coreapi__url *url,
                                const char *name, long long now, coreapi__cookie_match *best);

/* --- parse.c: response header lines ------------------------------------- */

typedef enum coreapi__line_kind {
  COREAPI__LINE_END = 0,    /* the empty line that ends a header block */
  COREAPI__LINE_STATUS = 1, /* "HTTP/1.1 200 OK": status, and the reason in value */
  COREAPI__LINE_FIELD = 2,  /* "Name: value": name and value, value trimmed */
  COREAPI__LINE_FOLD = 3,   /* an obs-fold continuation: value (trimmed) */
  COREAPI__LINE_BAD = 4     /* anything else, to be ignored */
} coreapi__line_kind;

typedef struct coreapi__header_line {
  long status;
  const char *name;
  size_t name_len;
  const char *value;
  size_t value_len;
} coreapi__header_line;

/* Classify one header line [p, p+n) of a response, its CR LF (or LF) at the
 * end or not, and fill *out with spans into p: a status line (three-digit
 * status, reason), a field line (the name a token, the value without
 * surrounding spaces and tabs), a fold, the end of the block, or a bad line
 * (a name that is not a token, a space before the colon, NUL/CR/LF inside,
 * a malformed status line). Never fails otherwise; keeps no state. */
coreapi__line_kind coreapi__parse_header_line(const char *p, size_t n, coreapi__header_line *out);

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

/* --- memo.c --------------------------------------------------------- */

const char *coreapi__memo_get(const coreapi__memo *memo, const void *owner, const char *key);
coreapi_code coreapi__memo_set(coreapi__memo *memo, const void *owner, const char *key,
                               const char *value, coreapi_error *err);

typedef struct coreapi__memo_entry {
  const void *owner; /* the coreapi_auth the value belongs to */
  char *key;
  char *value;
} coreapi__memo_entry;

/* The per-client memory of authentication objects (memo.c). */
struct coreapi__memo {
  coreapi__memo_entry *items;
  size_t count;
  size_t cap;
};

void coreapi__memo_free(coreapi__memo *memo);

/* --- redirect.c --------------------------------------------------------- */

/* Is status one the client follows (301, 302, 303, 307, 308)? */
int coreapi__is_redirect(long status);

/* Is hop of the first request's origin, or its http:80 to https:443 upgrade? */
int coreapi__same_origin(const coreapi__url *first, const coreapi__url *hop);

/* Does pattern p cover hop, in a chain that started at first? ("*" covers the
 * first origin only; see redirect.c.) The chain rules (downgrade, once out
 * always out) are the caller's. */
int coreapi__pattern_covers_hop(const coreapi__pattern *p, const coreapi__url *first,
                                const coreapi__url *hop);

/* Turn req (the request that got status) into the request for location,
 * resolved against req's URL: method and body changed per status, hop
 * incremented. Returns OK, or ERR_BAD_REDIRECT for a Location that is not an
 * http or https URL (req unchanged then). */
coreapi_code coreapi__redirect_next(coreapi_request *req, long status, const char *location,
                                    coreapi_error *err);


/* --- weblink.c: the Link header field (RFC 8288) ------------------------- */

/* One link-value of a Link field value: spans into it. */
typedef struct coreapi__weblink {
  const char *target; /* the URI reference between "<" and ">", unresolved */
  size_t target_len;
  const char *params; /* its parameters (";" name ["=" value] ...), */
  size_t params_len;  /* read with coreapi__weblink_param_next */
} coreapi__weblink;

/* One parameter of a link-value: spans into the field value. */
typedef struct coreapi__weblink_param {
  const char *name; /* as written (they compare without case); may be empty */
  size_t name_len;
  const char *value; /* a token as written, or a quoted-string's content */
  size_t value_len;  /* with its quoted-pairs left in ("" without a value) */
  int quoted;        /* the value was a quoted-string */
  int has_value;     /* an "=" was there */
} coreapi__weblink_param;

/* The link-value at *pos of the field value [p, p+n) (RFC 8288 B.2): OWS
 * and empty list elements skipped, *out filled, *pos moved past it and its
 * parameters. 1, or 0 when no link-value starts there (the end, or text
 * that is not "<", which ends the field value, as B.2 says; after a
 * link-value, anything but "," does too). Start with *pos 0. Never fails
 * otherwise; p may be NULL when n is 0. */
int coreapi__weblink_next(const char *p, size_t n, size_t *pos, coreapi__weblink *out);
/* The parameter at *pos of [p, p+n) (a link's params span, B.3, B.4): 1
 * with *out filled and *pos moved past it, or 0 at the end. Start at 0. */
int coreapi__weblink_param_next(const char *p, size_t n, size_t *pos,
                                coreapi__weblink_param *out);
/* The first parameter of link called name (lower case; names compare
 * without case): 1 and *out, or 0 (*out zeroed). */
int coreapi__weblink_param_get(const coreapi__weblink *link, const char *name,
                               coreapi__weblink_param *out);
/* prm's value with its quoted-pairs taken off, into out (value_len + 1
 * bytes at least), NUL-terminated; its length. */
size_t coreapi__weblink_unquote(const coreapi__weblink_param *prm, char *out);
/* Does link's first "rel" parameter list the relation type type (its value
 * split at spaces and tabs, compared without case)? */
int coreapi__weblink_has_rel(const coreapi__weblink *link, const char *type);
/* The URI reference [ref, ref+len) resolved against base (RFC 3986 5.2, on
 * the text, as coreapi__urljoin does; base NULL: ref must be absolute),
 * into *out: a new, normalised absolute http(s) URL (coreapi__url_parse:
 * no userinfo, no fragment), or NULL when the result is not one (a NUL in
 * ref, another scheme, no host). OK, or ERR_OUT_OF_MEMORY with err set. */
coreapi_code coreapi__weblink_resolve(const char *ref, size_t len, const char *base, char **out,
                                     coreapi_error *err);
/* The target of the first link of relation type rel (e.g. "next") among the
 * "Link" headers of h (in order, each a list of link-values) whose context
 * is the resource at base_url (no "anchor", or one that resolves to
 * base_url), resolved against base_url (coreapi__weblink_resolve), into
 * *out: a new, normalised absolute http(s) URL, or NULL when there is none.
 * A target that does not resolve to an http(s) URL is passed over; with
 * base_url NULL (or not a URL) only absolute targets resolve and links with
 * an anchor are passed over. Returns OK, or
 * ERR_OUT_OF_MEMORY / ERR_INVALID_ARGUMENT with err set (*out NULL). */
coreapi_code coreapi__weblink_find(const coreapi__headers *h, const char *base_url,
                                   const char *rel, char **out, coreapi_error *err);

#endif /* COREAPI_HTTP_H */
