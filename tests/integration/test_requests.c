/*
 * test_requests.c - the exact request coreapi_client_action builds from a
 * link and its parameters, as the reference client (python3-coreapi on top of
 * requests) builds it. Run under servers.py --redirect: the redirect server's
 * /echo... paths answer with the request they received (method, raw target,
 * headers, body as Latin-1), and with ?status=N&body=B&type=T with a scripted
 * response instead (see tests/integration/README.md).
 *
 * Covered: the default locations (query for GET and DELETE, form otherwise),
 * query encoding (lists repeat their key, true/false, null empty, '+' for
 * spaces, UTF-8 percent-encoded), RFC 6570 path expansion and its "May not be
 * empty.", JSON bodies byte for byte as requests' json.dumps writes them, a
 * JSON body parameter and falsy bodies, urlencoded and multipart forms (the
 * multipart body is parsed here: fields then files, file names, part
 * Content-Types; files from disk and from a stream), raw octet-stream uploads
 * (Content-Type and Content-Disposition), values an encoding cannot carry,
 * required/unknown parameters and no_validate, option overrides, link lookup
 * errors with the reference's messages, error responses coerced to Errors, and
 * the in-place transform of nested documents.
 */
#define _POSIX_C_SOURCE 200809L
#include <coreapi/coreapi.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "check.h"
#include "files.h"
#include "nodes.h"

#define ACCEPT                                                                            \
  "application/coreapi+json, application/vnd.coreapi+json, application/vnd.oai.openapi+json, " \
  "application/vnd.oai.openapi, application/openapi+json, application/openapi+yaml, "        \
  "application/yaml, application/x-yaml, text/yaml, */*"

static const char *port, *tmpdir;
static char base[64]; /* http://127.0.0.1:PORT */
static coreapi_client *client;

/* --- building nodes --------------------------------------------------------- */

/* S, I, R, OBJ, map_va and disk_file come from nodes.h; these only this test uses. */

static coreapi_node *B(int v) {
  coreapi_node *n = coreapi_boolean_new(v, NULL);
  REQUIRE(n != NULL);
  return n;
}
static coreapi_node *NUL(void) {
  coreapi_node *n = coreapi_null_new(NULL);
  REQUIRE(n != NULL);
  return n;
}

/* ARR(item, ..., NULL); ARR(NULL) is empty. Takes the items. */
static coreapi_node *ARR(coreapi_node *first, ...) {
  coreapi_array_builder *b = coreapi_array_builder_new();
  coreapi_node *n;
  va_list ap;
  REQUIRE(b != NULL);
  va_start(ap, first);
  for (n = first; n != NULL; n = va_arg(ap, coreapi_node *))
    REQUIRE(coreapi_array_builder_append(b, n, NULL) == COREAPI_OK);
  va_end(ap);
  n = coreapi_array_builder_finish(b, NULL);
  REQUIRE(n != NULL);
  return n;
}

/* DOC(url, title, "key", value, ..., NULL). */
static coreapi_node *DOC(const char *url, const char *title, const char *first, ...) {
  va_list ap;
  coreapi_node *n;
  va_start(ap, first);
  n = coreapi_map_builder_document(map_va(first, ap), url, title, NULL, NULL, NULL);
  va_end(ap);
  REQUIRE(n != NULL);
  return n;
}

/* base + path, in one of 64 rotating buffers: enough for every URL of one
 * expression (argument evaluation order is unspecified, so a nested call
 * must not reuse a buffer an outer argument still points at). */
static char *url_of(const char *path) {
  static char bufs[64][1024];
  static int next;
  char *u = bufs[next++ % 64];
  snprintf(u, sizeof(bufs[0]), "%s%s", base, path);
  return u;
}

static coreapi_node *LINK(const char *path, const char *action, const char *encoding,
                          const char *transform, const coreapi_field_spec *fields, size_t n) {
  coreapi_link_spec spec = {url_of(path), action, encoding, transform, NULL, NULL, fields, n, NULL};
  coreapi_error err;
  coreapi_node *l = coreapi_link_new(&spec, &err);
  if (l == NULL)
    fprintf(stderr, "coreapi_link_new(%s): %s\n", path, err.text);
  REQUIRE(l != NULL);
  return l;
}

#define FIELD(name, required, location) {name, required, location, "", NULL, NULL, NULL}
#define NFIELDS(a) (sizeof(a) / sizeof((a)[0]))

/* --- running an action against /echo ------------------------------------------ */

typedef struct echo {
  coreapi_code rc;
  coreapi_result res;
  coreapi_error err;
  const char *method, *path; /* from the echo, NULL when there is none */
  const coreapi_node *headers;
  char *body;      /* the raw body bytes (Latin-1 decoded back), NUL-terminated */
  size_t body_len;
} echo;

/* The echo's body is the raw bytes as Latin-1 code points, decoded here from
 * the UTF-8 the JSON codec gave. */
static char *latin1_bytes(const char *s, size_t len, size_t *out_len) {
  char *out = malloc(len + 1);
  size_t o = 0;
  REQUIRE(out != NULL);
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c < 0x80) {
      out[o++] = (char)c;
    } else {
      REQUIRE((c == 0xC2 || c == 0xC3) && i + 1 < len);
      out[o++] = (char)(((c & 0x03) << 6) | ((unsigned char)s[i + 1] & 0x3F));
      i++;
    }
  }
  out[o] = '\0';
  *out_len = o;
  return out;
}

static void run(echo *e, const coreapi_node *doc, const coreapi_key *keys, size_t n,
                coreapi_node *params, const coreapi_action_options *opts) {
  coreapi_node *body;
  memset(e, 0, sizeof(*e));
  e->rc = coreapi_client_action(client, doc, keys, n, params, opts, &e->res, &e->err);
  coreapi_node_free(params);
  if (e->rc != COREAPI_OK || coreapi_node_type_of(e->res.node) != COREAPI_NODE_OBJECT ||
      coreapi_map_get(e->res.node, "method", 6) == NULL)
    return;
  e->method = coreapi_string_value(coreapi_map_get(e->res.node, "method", 6), NULL);
  e->path = coreapi_string_value(coreapi_map_get(e->res.node, "path", 4), NULL);
  e->headers = coreapi_map_get(e->res.node, "headers", 7);
  body = coreapi_map_get(e->res.node, "body", 4);
  if (body != NULL) {
    size_t len;
    const char *s = coreapi_string_value(body, &len);
    REQUIRE(s != NULL);
    e->body = latin1_bytes(s, len, &e->body_len);
  }
}

/* Act on the only link of a document {"link": link} (link consumed). */
static void run_link(echo *e, coreapi_node *link, coreapi_node *params,
                     const coreapi_action_options *opts) {
  coreapi_node *doc = DOC(url_of("/"), "Echo", "link", link, NULL);
  const coreapi_key key = {"link", 0};
  run(e, doc, &key, 1, params, opts);
  coreapi_node_free(doc);
}

static void echo_free(echo *e) {
  coreapi_result_clear(&e->res);
  free(e->body);
  memset(e, 0, sizeof(*e));
}

static const char *header(const echo *e, const char *name) {
  return coreapi_string_value(coreapi_map_get(e->headers, name, strlen(name)), NULL);
}

/* The request went out as method to path with the common headers. */
static int sent(const echo *e, const char *method, const char *path, int line) {
  if (e->rc != COREAPI_OK || e->method == NULL) {
    fprintf(stderr, "test_requests.c:%d: action failed: %d %s\n", line, (int)e->rc, e->err.text);
    return 0;
  }
  CHECK_STR(e->method, method);
  CHECK_STR(e->path, path);
  CHECK_STR(header(e, "accept"), ACCEPT);
  CHECK_STR(header(e, "user-agent"), "coreapi");
  if ((e->method && strcmp(e->method, method) != 0) || (e->path && strcmp(e->path, path) != 0))
    fprintf(stderr, "test_requests.c:%d: (request of the line above)\n", line);
  return 1;
}
#define SENT(e, m, p) sent(e, m, p, __LINE__)

/* The request had exactly this body, len bytes. */
#define CHECK_BODY(e, data, len)                                                       \
  do {                                                                               \
    CHECK_INT((e)->body_len, (len));                                                 \
    CHECK((e)->body != NULL && (e)->body_len == (size_t)(len) &&                     \
          memcmp((e)->body, (data), (len)) == 0);                                    \
    if ((e)->body && ((e)->body_len != (size_t)(len) || memcmp((e)->body, data, len))) \
      fprintf(stderr, "  body was: %s\n", (e)->body);                                \
  } while (0)
#define CHECK_BODY_STR(e, s) CHECK_BODY(e, s, strlen(s))

/* The request log of the server (GET /__log) and clearing it. */
static char *server_log(void) {
  coreapi_response *r = NULL;
  size_t len;
  const char *b;
  char *copy;
  REQUIRE(coreapi_client_request(client, "GET", url_of("/__log"), NULL, NULL, 0, &r, NULL) ==
          COREAPI_OK);
  b = coreapi_response_body(r, &len);
  copy = malloc(len + 1);
  REQUIRE(copy != NULL);
  memcpy(copy, b, len + 1);
  coreapi_response_free(r);
  return copy;
}

static void clear_log(void) {
  coreapi_response *r = NULL;
  REQUIRE(coreapi_client_request(client, "GET", url_of("/__clear"), NULL, NULL, 0, &r, NULL) ==
          COREAPI_OK);
  coreapi_response_free(r);
}

/* Nothing reached the server since the last clear_log(). */
#define CHECK_NOTHING_SENT()      \
  do {                            \
    char *log_ = server_log();    \
    CHECK_STR(log_, "");          \
    free(log_);                   \
  } while (0)

/* result.node of a parameter error maps name to message. */
static void check_param_error(const echo *e, const char *name, const char *message, int line) {
  const coreapi_node *m = coreapi_map_get(e->res.node, name, strlen(name));
  if (e->rc != COREAPI_ERR_PARAMETER || coreapi_node_type_of(e->res.node) != COREAPI_NODE_OBJECT ||
      m == NULL || strcmp(coreapi_string_value(m, NULL) ? coreapi_string_value(m, NULL) : "",
                          message) != 0) {
    check_failures++;
    fprintf(stderr, "test_requests.c:%d: expected ERR_PARAMETER with %s: \"%s\"; got %d (%s), "
                    "message \"%s\"\n", line, name, message, (int)e->rc, e->err.text,
            m ? coreapi_string_value(m, NULL) : "(none)");
  }
  check_count++;
}
#define CHECK_PARAM_ERROR(e, name, message) check_param_error(e, name, message, __LINE__)

/* --- files ------------------------------------------------------------------------ */

/* Bytes that would break a careless encoder: NUL, CR LF, a fake boundary. */
static const char disk_bytes[] = "line 1\r\n--not-a-boundary\r\n\0\x01\xff\xfe end";
#define DISK_LEN (sizeof(disk_bytes) - 1)
static const char png_bytes[] = "\x89PNG\r\n\x1a\n\0\0\0\rIHDR fake png";
#define PNG_LEN (sizeof(png_bytes) - 1)
static char data_path[512], png_path[512], blob_path[512];

typedef struct memstream {
  const char *data;
  size_t len, pos;
} memstream;
static int streams_freed;

static size_t ms_read(void *u, char *buf, size_t size) {
  memstream *m = u;
  size_t n = m->len - m->pos < size ? m->len - m->pos : size;
  memcpy(buf, m->data + m->pos, n);
  m->pos += n;
  return n;
}
static int ms_rewind(void *u) {
  ((memstream *)u)->pos = 0;
  return 0;
}
static void ms_free(void *u) {
  streams_freed++;
  free(u);
}
static const coreapi_stream ms_ops = {ms_read, ms_rewind, ms_free};

static coreapi_node *stream_file(const char *data, size_t len, int known_size, const char *name,
                                 const char *type) {
  memstream *m = calloc(1, sizeof(*m));
  coreapi_node *f;
  REQUIRE(m != NULL);
  m->data = data;
  m->len = len;
  f = coreapi_file_new_stream(&ms_ops, m, known_size ? (int64_t)len : -1, name, type, NULL);
  REQUIRE(f != NULL);
  return f;
}

/* --- multipart parsing -------------------------------------------------------------- */

typedef struct part {
  const char *head; /* header lines, each ending in CRLF */
  size_t head_len;
  const char *data;
  size_t len;
} part;

static const char *memfind(const char *hay, size_t n, const char *needle, size_t m) {
  if (m > n)
    return NULL;
  for (size_t i = 0; i + m <= n; i++)
    if (memcmp(hay + i, needle, m) == 0)
      return hay + i;
  return NULL;
}

/* Split a multipart/form-data body (boundary from content_type) into parts.
 * Returns the number of parts, or -1 when the body is malformed. */
static int parse_multipart(const char *content_type, const char *body, size_t len, part *parts,
                           int max) {
  char delim[200];
  const char *b = content_type ? strstr(content_type, "boundary=") : NULL, *p, *end = body + len;
  size_t dl;
  int count = 0;
  if (b == NULL || strncmp(content_type, "multipart/form-data;", 20) != 0)
    return -1;
  snprintf(delim, sizeof(delim), "--%s", b + 9);
  dl = strlen(delim);
  if (len < dl + 2 || memcmp(body, delim, dl) != 0 || memcmp(body + dl, "\r\n", 2) != 0)
    return -1;
  p = body + dl + 2;
  for (;;) {
    const char *head_end = memfind(p, (size_t)(end - p), "\r\n\r\n", 4), *next;
    char close_delim[210];
    if (head_end == NULL || count == max)
      return -1;
    parts[count].head = p;
    parts[count].head_len = (size_t)(head_end - p) + 2;
    parts[count].data = head_end + 4;
    snprintf(close_delim, sizeof(close_delim), "\r\n%s", delim);
    next = memfind(parts[count].data, (size_t)(end - parts[count].data), close_delim, dl + 2);
    if (next == NULL)
      return -1;
    parts[count].len = (size_t)(next - parts[count].data);
    count++;
    p = next + dl + 2;
    if (end - p == 4 && memcmp(p, "--\r\n", 4) == 0)
      return count;
    if (end - p < 2 || memcmp(p, "\r\n", 2) != 0)
      return -1;
    p += 2;
  }
}

/* The value of header name in a part (copied into buf), or NULL. */
static const char *part_header(const part *pt, const char *name, char *buf, size_t size) {
  const char *line = pt->head, *end = pt->head + pt->head_len;
  size_t nl = strlen(name);
  while (line < end) {
    const char *eol = memfind(line, (size_t)(end - line), "\r\n", 2);
    if (eol == NULL)
      break;
    if ((size_t)(eol - line) > nl + 1 && strncasecmp(line, name, nl) == 0 && line[nl] == ':') {
      const char *v = line + nl + 1;
      size_t vl;
      while (*v == ' ')
        v++;
      vl = (size_t)(eol - v) < size - 1 ? (size_t)(eol - v) : size - 1;
      memcpy(buf, v, vl);
      buf[vl] = '\0';
      return buf;
    }
    line = eol + 2;
  }
  return NULL;
}

static int part_header_lines(const part *pt) {
  int n = 0;
  for (size_t i = 0; i + 1 < pt->head_len; i++)
    if (pt->head[i] == '\r' && pt->head[i + 1] == '\n')
      n++;
  return n;
}

/* A form field part: exactly one header line, the disposition, and the value. */
static void check_field_part(const part *pt, const char *name, const char *value, int line) {
  char buf[300], want[300];
  snprintf(want, sizeof(want), "form-data; name=\"%s\"", name);
  if (part_header(pt, "Content-Disposition", buf, sizeof(buf)) == NULL || strcmp(buf, want) != 0 ||
      part_header_lines(pt) != 1 || pt->len != strlen(value) ||
      memcmp(pt->data, value, pt->len) != 0) {
    check_failures++;
    fprintf(stderr, "test_requests.c:%d: part is not field %s=\"%s\": [%.*s] [%.*s]\n", line,
            name, value, (int)pt->head_len, pt->head, (int)pt->len, pt->data);
  }
  check_count++;
}

/* A file part: disposition with the file name, the Content-Type (NULL: none
 * expected) and the bytes. */
static void check_file_part(const part *pt, const char *name, const char *filename,
                            const char *type, const char *data, size_t len, int line) {
  char buf[300], want[300], tbuf[300];
  const char *t = part_header(pt, "Content-Type", tbuf, sizeof(tbuf));
  snprintf(want, sizeof(want), "form-data; name=\"%s\"; filename=\"%s\"", name, filename);
  if (part_header(pt, "Content-Disposition", buf, sizeof(buf)) == NULL || strcmp(buf, want) != 0 ||
      (type == NULL ? t != NULL : (t == NULL || strcmp(t, type) != 0)) ||
      part_header_lines(pt) != (type ? 2 : 1) || pt->len != len ||
      memcmp(pt->data, data, len) != 0) {
    check_failures++;
    fprintf(stderr, "test_requests.c:%d: part is not file %s (%s, %s, %zu bytes): [%.*s] %zu bytes\n",
            line, name, filename, type ? type : "no type", len, (int)pt->head_len, pt->head,
            pt->len);
  }
  check_count++;
}

/* --- the cases ------------------------------------------------------------------------ */

static void test_query(void) {
  static const coreapi_field_spec f[] = {
      FIELD("q", 0, NULL), FIELD("tags", 0, NULL), FIELD("flag", 0, NULL),
      FIELD("off", 0, NULL), FIELD("none", 0, NULL), FIELD("num", 0, NULL),
      FIELD("neg", 0, NULL), FIELD("real", 0, NULL), FIELD("huge", 0, NULL),
      FIELD("uni", 0, NULL), FIELD("sym", 0, NULL), FIELD("empty", 0, NULL),
      FIELD("id", 0, ""), FIELD("force", 0, "")};
  echo e;

  /* GET: every parameter without a location goes to the query, in order. */
  run_link(&e, LINK("/echo/get", "get", NULL, NULL, f, NFIELDS(f)),
           OBJ("q", S("hello world"), "tags", ARR(S("a"), S("b c"), NULL), "flag", B(1), "off",
               B(0), "none", NUL(), "num", I(5), "neg", I(-7), "real", R(1.5), "huge", R(1e22),
               "uni", S("\xc3\xa9\xe2\x82\xac"), "sym", S("a&b=c/d?+~*%#"), "empty", ARR(NULL),
               NULL),
           NULL);
  if (SENT(&e, "GET",
           "/echo/get?q=hello+world&tags=a&tags=b+c&flag=true&off=false&none=&num=5&neg=-7"
           "&real=1.5&huge=1e%2B22&uni=%C3%A9%E2%82%AC&sym=a%26b%3Dc%2Fd%3F%2B~%2A%25%23")) {
    CHECK_BODY_STR(&e, "");
    CHECK(header(&e, "content-type") == NULL);
    CHECK(header(&e, "content-length") == NULL);
  }
  CHECK_INT(e.res.status, 200);
  echo_free(&e);

  /* An existing query is kept and extended; the fragment is not sent. */
  run_link(&e, LINK("/echo/get?x=1&y=%20#frag", "GET", NULL, NULL, f, NFIELDS(f)),
           OBJ("q", S("z"), NULL), NULL);
  SENT(&e, "GET", "/echo/get?x=1&y=%20&q=z");
  echo_free(&e);

  /* No parameters: the URL as it is. An empty action is GET. */
  run_link(&e, LINK("/echo/plain", "", NULL, NULL, NULL, 0), NULL, NULL);
  SENT(&e, "GET", "/echo/plain");
  echo_free(&e);

  /* DELETE: the query too (an empty location is no location). */
  run_link(&e, LINK("/echo/del", "delete", NULL, NULL, f, NFIELDS(f)),
           OBJ("id", I(3), "force", B(1), NULL), NULL);
  if (SENT(&e, "DELETE", "/echo/del?id=3&force=true")) {
    CHECK_BODY_STR(&e, "");
    CHECK(header(&e, "content-type") == NULL);
  }
  echo_free(&e);

  /* A query location on a POST link. */
  {
    static const coreapi_field_spec fq[] = {FIELD("page", 0, "query"), FIELD("x", 0, "form")};
    run_link(&e, LINK("/echo/post", "post", NULL, NULL, fq, NFIELDS(fq)),
             OBJ("page", I(2), "x", S("y"), NULL), NULL);
    if (SENT(&e, "POST", "/echo/post?page=2")) {
      CHECK_STR(header(&e, "content-type"), "application/json");
      CHECK_BODY_STR(&e, "{\"x\": \"y\"}");
    }
    echo_free(&e);
  }
}

static void test_path(void) {
  static const coreapi_field_spec f[] = {FIELD("user", 1, "path"), FIELD("id", 1, "path"),
                                         FIELD("q", 0, "query")};
  static const coreapi_field_spec fr[] = {FIELD("rest", 1, "path")};
  echo e;

  run_link(&e, LINK("/echo/users/{user}/items/{id}/", "get", NULL, NULL, f, NFIELDS(f)),
           OBJ("user", S("a b/\xc3\xa9"), "id", I(42), "q", S("x"), NULL), NULL);
  SENT(&e, "GET", "/echo/users/a%20b%2F%C3%A9/items/42/?q=x");
  echo_free(&e);

  /* Booleans and zero are not empty. */
  run_link(&e, LINK("/echo/users/{user}/items/{id}/", "get", NULL, NULL, f, NFIELDS(f)),
           OBJ("user", B(0), "id", I(0), NULL), NULL);
  SENT(&e, "GET", "/echo/users/false/items/0/");
  echo_free(&e);

  /* Reserved expansion keeps '/'. */
  run_link(&e, LINK("/echo/files/{+rest}", "get", NULL, NULL, fr, NFIELDS(fr)),
           OBJ("rest", S("dir/sub file.txt"), NULL), NULL);
  SENT(&e, "GET", "/echo/files/dir/sub%20file.txt");
  echo_free(&e);

  /* An empty path value, or null, is refused before anything is sent. */
  clear_log();
  run_link(&e, LINK("/echo/users/{user}/items/{id}/", "get", NULL, NULL, f, NFIELDS(f)),
           OBJ("user", S(""), "id", NUL(), NULL), NULL);
  CHECK_INT(e.rc, COREAPI_ERR_PARAMETER);
  CHECK_PARAM_ERROR(&e, "user", "May not be empty.");
  CHECK_PARAM_ERROR(&e, "id", "May not be empty.");
  CHECK_INT(coreapi_map_size(e.res.node), 2);
  CHECK_INT(e.res.status, 0);
  echo_free(&e);
  /* A list is not a path value. */
  run_link(&e, LINK("/echo/users/{user}/items/{id}/", "get", NULL, NULL, f, NFIELDS(f)),
           OBJ("user", ARR(S("a"), NULL), "id", I(1), NULL), NULL);
  CHECK_PARAM_ERROR(&e, "user", "Must be a primitive type.");
  CHECK_INT(coreapi_map_size(e.res.node), 1);
  echo_free(&e);
  CHECK_NOTHING_SENT();
}

static void test_json(void) {
  static const coreapi_field_spec f[] = {
      FIELD("title", 0, "form"), FIELD("count", 0, "form"), FIELD("big", 0, "form"),
      FIELD("ratio", 0, "form"), FIELD("huge", 0, "form"), FIELD("whole", 0, "form"),
      FIELD("tags", 0, "form"), FIELD("nested", 0, "form"), FIELD("ok", 0, "form"),
      FIELD("no", 0, "form"), FIELD("nil", 0, "form"), FIELD("emoji", 0, "form")};
  static const coreapi_field_spec fb[] = {FIELD("before", 0, "form"), FIELD("payload", 1, "body"),
                                          FIELD("after", 0, "form")};
  echo e;
  coreapi_node *falsy[6];

  /* The form as one JSON object, as requests' json.dumps writes it:
   * ", " and ": ", non-ASCII as \uXXXX (surrogate pairs beyond the BMP). */
  run_link(&e, LINK("/echo/json", "post", "application/json", NULL, f, NFIELDS(f)),
           OBJ("title", S("caf\xc3\xa9 \"q\" \\ /\n\t\x01"), "count", I(3), "big",
               I(INT64_C(4611686018427387904)), "ratio", R(0.1), "huge", R(1e22), "whole",
               R(3.0), "tags", ARR(S("a"), S("b"), NULL), "nested",
               OBJ("k", ARR(I(1), R(2.5), NUL(), NULL), NULL), "ok", B(1), "no", B(0), "nil",
               NUL(), "emoji", S("\xf0\x9f\x98\x80"), NULL),
           NULL);
  if (SENT(&e, "POST", "/echo/json")) {
    CHECK_STR(header(&e, "content-type"), "application/json");
    CHECK_BODY_STR(&e, "{\"title\": \"caf\\u00e9 \\\"q\\\" \\\\ /\\n\\t\\u0001\", \"count\": 3, "
                       "\"big\": 4611686018427387904, \"ratio\": 0.1, \"huge\": 1e+22, "
                       "\"whole\": 3.0, \"tags\": [\"a\", \"b\"], \"nested\": {\"k\": [1, 2.5, "
                       "null]}, \"ok\": true, \"no\": false, \"nil\": null, \"emoji\": "
                       "\"\\ud83d\\ude00\"}");
    CHECK_STR(header(&e, "content-length"), "242");
  }
  echo_free(&e);

  /* Any JSON media type is JSON, whatever its case and parameters (an
   * OpenAPI operation's), sent with that Content-Type; the other encodings
   * too, in their canonical form. */
  {
    static const char *const types[] = {"application/merge-patch+json",
                                        "Application/JSON; charset=utf-8",
                                        "application/vnd.api+json"};
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
      run_link(&e, LINK("/echo/typed", "patch", types[i], NULL, f, NFIELDS(f)),
               OBJ("count", I(2), NULL), NULL);
      if (SENT(&e, "PATCH", "/echo/typed")) {
        CHECK_STR(header(&e, "content-type"), types[i]);
        CHECK_BODY_STR(&e, "{\"count\": 2}");
      }
      echo_free(&e);
    }
    run_link(&e, LINK("/echo/form", "post", "Application/X-WWW-Form-Urlencoded; charset=utf-8",
                      NULL, f, NFIELDS(f)),
             OBJ("count", I(2), NULL), NULL);
    if (SENT(&e, "POST", "/echo/form")) {
      CHECK_STR(header(&e, "content-type"), "application/x-www-form-urlencoded");
      CHECK_BODY_STR(&e, "count=2");
    }
    echo_free(&e);
  }

  /* An empty encoding is JSON; PATCH carries the form too. */
  run_link(&e, LINK("/echo/patch", "patch", "", NULL, f, NFIELDS(f)), OBJ("count", I(1), NULL),
           NULL);
  if (SENT(&e, "PATCH", "/echo/patch")) {
    CHECK_STR(header(&e, "content-type"), "application/json");
    CHECK_BODY_STR(&e, "{\"count\": 1}");
  }
  echo_free(&e);

  /* A body parameter is the whole body: form fields before it are dropped,
   * after it ignored. */
  run_link(&e, LINK("/echo/body", "put", "application/json", NULL, fb, NFIELDS(fb)),
           OBJ("before", I(1), "payload", OBJ("x", ARR(I(1), S("\xc3\xa9"), NULL), NULL), "after",
               I(2), NULL),
           NULL);
  if (SENT(&e, "PUT", "/echo/body")) {
    CHECK_STR(header(&e, "content-type"), "application/json");
    CHECK_BODY_STR(&e, "{\"x\": [1, \"\\u00e9\"]}");
  }
  echo_free(&e);
  run_link(&e, LINK("/echo/body", "post", "application/json", NULL, fb, NFIELDS(fb)),
           OBJ("payload", ARR(I(1), S("a"), NULL), NULL), NULL);
  if (SENT(&e, "POST", "/echo/body"))
    CHECK_BODY_STR(&e, "[1, \"a\"]");
  echo_free(&e);
  run_link(&e, LINK("/echo/body", "post", "application/json", NULL, fb, NFIELDS(fb)),
           OBJ("payload", S("text"), NULL), NULL);
  if (SENT(&e, "POST", "/echo/body"))
    CHECK_BODY_STR(&e, "\"text\"");
  echo_free(&e);

  /* A falsy body (and no form at all) sends no body and no Content-Type. */
  falsy[0] = OBJ(NULL);
  falsy[1] = ARR(NULL);
  falsy[2] = I(0);
  falsy[3] = S("");
  falsy[4] = B(0);
  falsy[5] = NUL();
  for (int i = 0; i < 6; i++) {
    run_link(&e, LINK("/echo/falsy", "post", "application/json", NULL, fb, NFIELDS(fb)),
             OBJ("payload", falsy[i], NULL), NULL);
    if (SENT(&e, "POST", "/echo/falsy")) {
      CHECK_BODY_STR(&e, "");
      if (header(&e, "content-type") != NULL)
        fprintf(stderr, "  falsy body %d: Content-Type %s\n", i, header(&e, "content-type"));
      CHECK(header(&e, "content-type") == NULL);
      CHECK_STR(header(&e, "content-length"), "0");
    }
    echo_free(&e);
  }
  run_link(&e, LINK("/echo/none", "post", "application/json", NULL, f, NFIELDS(f)), NULL, NULL);
  if (SENT(&e, "POST", "/echo/none")) {
    CHECK_BODY_STR(&e, "");
    CHECK(header(&e, "content-type") == NULL);
  }
  echo_free(&e);

  /* A file is not JSON: nothing is sent. */
  clear_log();
  run_link(&e, LINK("/echo/json", "post", "application/json", NULL, f, NFIELDS(f)),
           OBJ("title", disk_file(data_path, NULL, NULL), "nested",
               OBJ("k", disk_file(data_path, NULL, NULL), NULL), "count", I(1), NULL),
           NULL);
  CHECK_INT(e.rc, COREAPI_ERR_PARAMETER);
  CHECK_PARAM_ERROR(&e, "title", "Must be a JSON primitive.");
  CHECK_PARAM_ERROR(&e, "nested", "Must be a JSON primitive.");
  CHECK_INT(coreapi_map_size(e.res.node), 2);
  echo_free(&e);
  CHECK_NOTHING_SENT();
}

static void test_urlencoded(void) {
  static const coreapi_field_spec f[] = {FIELD("a", 0, "form"), FIELD("l", 0, "form"),
                                         FIELD("b", 0, "form"), FIELD("n", 0, "form"),
                                         FIELD("u", 0, "form"), FIELD("s", 0, ""),
                                         FIELD("e", 0, NULL)};
  static const coreapi_field_spec fb[] = {FIELD("data", 1, "body")};
  echo e;

  run_link(&e, LINK("/echo/form", "put", "application/x-www-form-urlencoded", NULL, f, NFIELDS(f)),
           OBJ("a", S("x y"), "l", ARR(I(1), S("2"), R(0.5), NULL), "b", B(1), "n", NUL(), "u",
               S("\xc3\xa9"), "s", S("a&b=c+d"), "e", ARR(NULL), NULL),
           NULL);
  if (SENT(&e, "PUT", "/echo/form")) {
    CHECK_STR(header(&e, "content-type"), "application/x-www-form-urlencoded");
    CHECK_BODY_STR(&e, "a=x+y&l=1&l=2&l=0.5&b=true&n=&u=%C3%A9&s=a%26b%3Dc%2Bd");
  }
  echo_free(&e);

  /* A body parameter: the object's entries are the form. */
  run_link(&e, LINK("/echo/form", "post", "application/x-www-form-urlencoded", NULL, fb,
                    NFIELDS(fb)),
           OBJ("data", OBJ("k", S("v w"), "l", ARR(I(1), I(2), NULL), NULL), NULL), NULL);
  if (SENT(&e, "POST", "/echo/form")) {
    CHECK_STR(header(&e, "content-type"), "application/x-www-form-urlencoded");
    CHECK_BODY_STR(&e, "k=v+w&l=1&l=2");
  }
  echo_free(&e);

  /* What a form cannot carry. */
  clear_log();
  run_link(&e, LINK("/echo/form", "post", "application/x-www-form-urlencoded", NULL, f, NFIELDS(f)),
           OBJ("a", disk_file(data_path, NULL, NULL), "l", ARR(ARR(NULL), NULL), "b",
               OBJ("x", I(1), NULL), "u", S("fine"), NULL),
           NULL);
  CHECK_INT(e.rc, COREAPI_ERR_PARAMETER);
  CHECK_PARAM_ERROR(&e, "a", "Must be a primitive type.");
  CHECK_PARAM_ERROR(&e, "l", "Must be a primitive type.");
  CHECK_PARAM_ERROR(&e, "b", "Must be a primitive type.");
  CHECK_INT(coreapi_map_size(e.res.node), 3);
  echo_free(&e);
  run_link(&e, LINK("/echo/form", "post", "application/x-www-form-urlencoded", NULL, fb,
                    NFIELDS(fb)),
           OBJ("data", ARR(S("x"), NULL), NULL), NULL);
  CHECK_PARAM_ERROR(&e, "data", "Must be an object.");
  echo_free(&e);
  /* The query takes no objects either. */
  {
    static const coreapi_field_spec fq[] = {FIELD("q", 0, "query")};
    run_link(&e, LINK("/echo/q", "get", NULL, NULL, fq, NFIELDS(fq)),
             OBJ("q", OBJ("x", I(1), NULL), NULL), NULL);
    CHECK_PARAM_ERROR(&e, "q", "Must be a primitive type.");
    echo_free(&e);
    run_link(&e, LINK("/echo/q", "get", NULL, NULL, fq, NFIELDS(fq)),
             OBJ("q", disk_file(data_path, NULL, NULL), NULL), NULL);
    CHECK_PARAM_ERROR(&e, "q", "Must be a primitive type.");
    echo_free(&e);
  }
  CHECK_NOTHING_SENT();
}

static void test_multipart(void) {
  static const coreapi_field_spec f[] = {
      FIELD("title", 1, "form"), FIELD("doc", 0, "form"), FIELD("tags", 0, "form"),
      FIELD("stream", 0, "form"), FIELD("flag", 0, NULL), FIELD("nil", 0, "form"),
      FIELD("after", 0, "form"), FIELD("raw", 0, "form"), FIELD("s2", 0, "form")};
  static const char stream_data[] = "streamed\r\n--\0bytes";
  echo e;
  part parts[16];
  int n;

  streams_freed = 0;
  run_link(&e, LINK("/echo/multi", "post", "multipart/form-data", NULL, f, NFIELDS(f)),
           OBJ("title", S("Dune \xc3\xa9"), "doc", disk_file(data_path, NULL, "text/plain"), "tags",
               ARR(S("a"), I(2), NULL), "stream",
               stream_file(stream_data, sizeof(stream_data) - 1, 1, "s.bin",
                           "application/x-custom"),
               "flag", B(1), "nil", NUL(), "raw",
               disk_file(png_path, "renamed.png", "image/png"), "s2",
               stream_file(stream_data, sizeof(stream_data) - 1, 0, "unknown-size.txt",
                           "text/plain"),
               "after", S("last"), NULL),
           NULL);
  CHECK_INT(streams_freed, 2); /* the parameters are gone, and their streams with them */
  if (SENT(&e, "POST", "/echo/multi")) {
    const char *ct = header(&e, "content-type");
    n = parse_multipart(ct, e.body, e.body_len, parts, 16);
    CHECK_INT(n, 10);
    if (n == 10) {
      /* Fields first, in order, then the files in order. */
      check_field_part(&parts[0], "title", "Dune \xc3\xa9", __LINE__);
      check_field_part(&parts[1], "tags", "a", __LINE__);
      check_field_part(&parts[2], "tags", "2", __LINE__);
      check_field_part(&parts[3], "flag", "true", __LINE__);
      check_field_part(&parts[4], "nil", "", __LINE__);
      check_field_part(&parts[5], "after", "last", __LINE__);
      check_file_part(&parts[6], "doc", "data.txt", "text/plain", disk_bytes, DISK_LEN, __LINE__);
      check_file_part(&parts[7], "stream", "s.bin", "application/x-custom", stream_data,
                      sizeof(stream_data) - 1, __LINE__);
      check_file_part(&parts[8], "raw", "renamed.png", "image/png", png_bytes, PNG_LEN, __LINE__);
      check_file_part(&parts[9], "s2", "unknown-size.txt", "text/plain", stream_data,
                      sizeof(stream_data) - 1, __LINE__);
    } else {
      fprintf(stderr, "  Content-Type %s, body:\n%.*s\n", ct ? ct : "(none)", (int)e.body_len,
              e.body);
    }
  }
  echo_free(&e);

  /* A file without a content type: as requests, the part has none (the
   * reference sends File(name, content) and open files that way). */
  run_link(&e, LINK("/echo/multi", "post", "multipart/form-data", NULL, f, NFIELDS(f)),
           OBJ("title", S("t"), "doc", disk_file(blob_path, NULL, NULL), "stream",
               stream_file(stream_data, sizeof(stream_data) - 1, 1, "s.bin", NULL), NULL),
           NULL);
  if (SENT(&e, "POST", "/echo/multi")) {
    n = parse_multipart(header(&e, "content-type"), e.body, e.body_len, parts, 16);
    CHECK_INT(n, 3);
    if (n == 3) {
      check_field_part(&parts[0], "title", "t", __LINE__);
      check_file_part(&parts[1], "doc", "blob.xyz123", NULL, disk_bytes, DISK_LEN, __LINE__);
      check_file_part(&parts[2], "stream", "s.bin", NULL, stream_data, sizeof(stream_data) - 1,
                      __LINE__);
    }
  }
  echo_free(&e);

  /* Only fields: still multipart. */
  run_link(&e, LINK("/echo/multi", "put", "multipart/form-data", NULL, f, NFIELDS(f)),
           OBJ("title", S("x"), NULL), NULL);
  if (SENT(&e, "PUT", "/echo/multi")) {
    n = parse_multipart(header(&e, "content-type"), e.body, e.body_len, parts, 16);
    CHECK_INT(n, 1);
    if (n == 1)
      check_field_part(&parts[0], "title", "x", __LINE__);
  }
  echo_free(&e);

  /* A body parameter: an object of fields and files. */
  {
    static const coreapi_field_spec fb[] = {FIELD("data", 1, "body")};
    run_link(&e, LINK("/echo/multi", "post", "multipart/form-data", NULL, fb, NFIELDS(fb)),
             OBJ("data", OBJ("f", disk_file(data_path, "d.txt", "text/csv"), "k", S("v"), NULL),
                 NULL),
             NULL);
    if (SENT(&e, "POST", "/echo/multi")) {
      n = parse_multipart(header(&e, "content-type"), e.body, e.body_len, parts, 16);
      CHECK_INT(n, 2);
      if (n == 2) {
        check_field_part(&parts[0], "k", "v", __LINE__);
        check_file_part(&parts[1], "f", "d.txt", "text/csv", disk_bytes, DISK_LEN, __LINE__);
      }
    }
    echo_free(&e);
  }

  /* Objects are not form values. */
  clear_log();
  run_link(&e, LINK("/echo/multi", "post", "multipart/form-data", NULL, f, NFIELDS(f)),
           OBJ("title", OBJ(NULL), "tags", ARR(disk_file(data_path, NULL, NULL), NULL), NULL),
           NULL);
  CHECK_PARAM_ERROR(&e, "title", "Must be a primitive type.");
  CHECK_PARAM_ERROR(&e, "tags", "Must be a primitive type.");
  echo_free(&e);
  CHECK_NOTHING_SENT();
}

static void test_octet_stream(void) {
  static const coreapi_field_spec f[] = {FIELD("file", 1, "form"), FIELD("id", 0, "path")};
  static const coreapi_field_spec fb[] = {FIELD("file", 1, "body")};
  static const char stream_data[] = "raw \x00\xff bytes";
  echo e;

  /* Content-Type guessed from the name. */
  run_link(&e, LINK("/echo/upload/{id}/", "put", "application/octet-stream", NULL, f, NFIELDS(f)),
           OBJ("id", I(9), "file", disk_file(png_path, NULL, NULL), NULL), NULL);
  if (SENT(&e, "PUT", "/echo/upload/9/")) {
    CHECK_STR(header(&e, "content-type"), "image/png");
    CHECK_STR(header(&e, "content-disposition"), "attachment; filename=\"cover.png\"");
    CHECK_BODY(&e, png_bytes, PNG_LEN);
  }
  echo_free(&e);

  /* The file's own content type wins; the name given is sent. */
  run_link(&e, LINK("/echo/upload", "post", "application/octet-stream", NULL, fb, NFIELDS(fb)),
           OBJ("file", disk_file(blob_path, "front page.png", "application/x-foo"), NULL), NULL);
  if (SENT(&e, "POST", "/echo/upload")) {
    CHECK_STR(header(&e, "content-type"), "application/x-foo");
    CHECK_STR(header(&e, "content-disposition"), "attachment; filename=\"front page.png\"");
    CHECK_BODY(&e, disk_bytes, DISK_LEN);
  }
  echo_free(&e);

  /* An unknown extension: application/octet-stream. */
  run_link(&e, LINK("/echo/upload", "put", "application/octet-stream", NULL, fb, NFIELDS(fb)),
           OBJ("file", disk_file(blob_path, NULL, NULL), NULL), NULL);
  if (SENT(&e, "PUT", "/echo/upload")) {
    CHECK_STR(header(&e, "content-type"), "application/octet-stream");
    CHECK_STR(header(&e, "content-disposition"), "attachment; filename=\"blob.xyz123\"");
    CHECK_BODY(&e, disk_bytes, DISK_LEN);
  }
  echo_free(&e);

  /* A stream without a name: just "attachment". */
  run_link(&e, LINK("/echo/upload", "put", "application/octet-stream", NULL, fb, NFIELDS(fb)),
           OBJ("file", stream_file(stream_data, sizeof(stream_data) - 1, 1, NULL, NULL), NULL),
           NULL);
  if (SENT(&e, "PUT", "/echo/upload")) {
    CHECK_STR(header(&e, "content-type"), "application/octet-stream");
    CHECK_STR(header(&e, "content-disposition"), "attachment");
    CHECK_BODY(&e, stream_data, sizeof(stream_data) - 1);
  }
  echo_free(&e);

  /* A stream of unknown size named notes.txt. */
  run_link(&e, LINK("/echo/upload", "put", "application/octet-stream", NULL, fb, NFIELDS(fb)),
           OBJ("file", stream_file(stream_data, sizeof(stream_data) - 1, 0, "notes.txt", NULL),
               NULL),
           NULL);
  if (SENT(&e, "PUT", "/echo/upload")) {
    CHECK_STR(header(&e, "content-type"), "text/plain");
    CHECK_STR(header(&e, "content-disposition"), "attachment; filename=\"notes.txt\"");
    CHECK_BODY(&e, stream_data, sizeof(stream_data) - 1);
  }
  echo_free(&e);

  /* Not a file: refused, nothing sent. */
  clear_log();
  run_link(&e, LINK("/echo/upload", "put", "application/octet-stream", NULL, fb, NFIELDS(fb)),
           OBJ("file", S("not a file"), NULL), NULL);
  CHECK_INT(e.rc, COREAPI_ERR_PARAMETER);
  CHECK_PARAM_ERROR(&e, "file", "Must be an file upload.");
  echo_free(&e);
  CHECK_NOTHING_SENT();

  /* An encoding the reference does not know cannot carry a form. */
  run_link(&e, LINK("/echo/x", "post", "text/csv", NULL, fb, NFIELDS(fb)),
           OBJ("file", S("a,b"), NULL), NULL);
  CHECK(e.rc != COREAPI_OK);
  CHECK_STR(e.err.text, "Unsupported encoding \"text/csv\" for outgoing request.");
  echo_free(&e);
  CHECK_NOTHING_SENT();
}

static void test_validation(void) {
  static const coreapi_field_spec f[] = {FIELD("req", 1, "query"), FIELD("opt", 0, NULL)};
  coreapi_action_options opts;
  echo e;

  clear_log();
  run_link(&e, LINK("/echo/v", "get", NULL, NULL, f, NFIELDS(f)),
           OBJ("opt", I(1), "bogus", I(2), NULL), NULL);
  CHECK_INT(e.rc, COREAPI_ERR_PARAMETER);
  CHECK_PARAM_ERROR(&e, "req", "This parameter is required.");
  CHECK_PARAM_ERROR(&e, "bogus", "Unknown parameter.");
  CHECK_INT(coreapi_map_size(e.res.node), 2);
  echo_free(&e);
  run_link(&e, LINK("/echo/v", "get", NULL, NULL, f, NFIELDS(f)), NULL, NULL);
  CHECK_PARAM_ERROR(&e, "req", "This parameter is required.");
  CHECK_INT(coreapi_map_size(e.res.node), 1);
  echo_free(&e);
  CHECK_NOTHING_SENT();

  /* no_validate: sent as they are, unknown names by the method's default. */
  memset(&opts, 0, sizeof(opts));
  opts.no_validate = 1;
  run_link(&e, LINK("/echo/v", "get", NULL, NULL, f, NFIELDS(f)),
           OBJ("bogus", I(2), "opt", S("o"), NULL), &opts);
  SENT(&e, "GET", "/echo/v?bogus=2&opt=o");
  echo_free(&e);
  run_link(&e, LINK("/echo/v", "post", NULL, NULL, f, NFIELDS(f)),
           OBJ("bogus", I(2), "req", S("r"), NULL), &opts);
  if (SENT(&e, "POST", "/echo/v?req=r"))
    CHECK_BODY_STR(&e, "{\"bogus\": 2}");
  echo_free(&e);
}

static void test_overrides(void) {
  static const coreapi_field_spec f[] = {FIELD("a", 0, NULL), FIELD("b", 0, NULL)};
  static const coreapi_field_spec ov[] = {FIELD("a", 0, "query"), FIELD("b", 0, "path")};
  coreapi_action_options opts;
  echo e;

  memset(&opts, 0, sizeof(opts));
  opts.url = url_of("/echo/other");
  run_link(&e, LINK("/echo/orig", "get", NULL, NULL, f, NFIELDS(f)), OBJ("a", S("1"), NULL),
           &opts);
  SENT(&e, "GET", "/echo/other?a=1");
  echo_free(&e);

  memset(&opts, 0, sizeof(opts));
  opts.action = "patch";
  run_link(&e, LINK("/echo/orig", "get", NULL, NULL, f, NFIELDS(f)), OBJ("a", S("1"), NULL),
           &opts);
  if (SENT(&e, "PATCH", "/echo/orig")) {
    CHECK_STR(header(&e, "content-type"), "application/json");
    CHECK_BODY_STR(&e, "{\"a\": \"1\"}");
  }
  echo_free(&e);

  memset(&opts, 0, sizeof(opts));
  opts.encoding = "application/x-www-form-urlencoded";
  run_link(&e, LINK("/echo/orig", "post", "application/json", NULL, f, NFIELDS(f)),
           OBJ("a", S("1 2"), "b", B(0), NULL), &opts);
  if (SENT(&e, "POST", "/echo/orig")) {
    CHECK_STR(header(&e, "content-type"), "application/x-www-form-urlencoded");
    CHECK_BODY_STR(&e, "a=1+2&b=false");
  }
  echo_free(&e);

  /* Fields overridden: their locations decide. */
  memset(&opts, 0, sizeof(opts));
  opts.url = url_of("/echo/ov/{b}");
  opts.fields = ov;
  opts.field_count = NFIELDS(ov);
  opts.override_fields = 1;
  run_link(&e, LINK("/echo/orig", "post", NULL, NULL, f, NFIELDS(f)),
           OBJ("a", S("x"), "b", S("y"), NULL), &opts);
  if (SENT(&e, "POST", "/echo/ov/y?a=x")) {
    CHECK_BODY_STR(&e, "");
    CHECK(header(&e, "content-type") == NULL);
  }
  echo_free(&e);
}

static void test_lookup(void) {
  coreapi_node *doc = DOC(url_of("/"), "Root", "a",
                          OBJ("c", LINK("/echo/c", "get", NULL, NULL, NULL, 0), NULL), "arr",
                          ARR(LINK("/echo/arr", "get", NULL, NULL, NULL, 0), NULL), "s", S("x"),
                          NULL);
  static const struct {
    coreapi_key keys[3];
    size_t n;
    const char *message;
  } cases[] = {
      {{{"a", 0}, {"b", 0}}, 2,
       "Index ['a']['b'] did not reference a link. Key 'b' was not found."},
      {{{"a", 0}}, 1, "Can only call 'action' on a Link. Index ['a'] returned type 'Object'."},
      {{{"arr", 0}, {NULL, 3}}, 2,
       "Index ['arr'][3] did not reference a link. Key 3 was not found."},
      {{{"s", 0}}, 1, "Can only call 'action' on a Link. Index ['s'] returned type 'str'."},
      {{{"arr", 0}}, 1, "Can only call 'action' on a Link. Index ['arr'] returned type 'Array'."},
      {{{"a", 0}, {"c", 0}, {"x", 0}}, 3,
       "Index ['a']['c']['x'] did not reference a link. Key 'x' was not found."},
      {{{NULL, 0}}, 1, "Index [0] did not reference a link. Key 0 was not found."},
      {{{"a", 0}}, 0, "Can only call 'action' on a Link. Index  returned type 'Document'."},
  };
  echo e;

  clear_log();
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    run(&e, doc, cases[i].keys, cases[i].n, NULL, NULL);
    CHECK_INT(e.rc, COREAPI_ERR_LINK_LOOKUP);
    CHECK_STR(e.err.text, cases[i].message);
    CHECK(e.res.node == NULL);
    echo_free(&e);
  }
  CHECK_NOTHING_SENT();
  {
    const coreapi_key k[] = {{"arr", 0}, {NULL, 0}};
    run(&e, doc, k, 2, NULL, NULL);
    SENT(&e, "GET", "/echo/arr");
    echo_free(&e);
  }
  coreapi_node_free(doc);
}

static void test_error_responses(void) {
  echo e;
  const coreapi_node *v;

  run_link(&e, LINK("/echo/e?status=404&body=%7B%22detail%22%3A%20%22Not%20found.%22%7D", "get",
                    NULL, NULL, NULL, 0),
           NULL, NULL);
  CHECK_INT(e.rc, COREAPI_ERR_ERROR_RESPONSE);
  CHECK_INT(e.err.http_status, 404);
  CHECK_INT(e.res.status, 404);
  CHECK_INT(coreapi_node_type_of(e.res.node), COREAPI_NODE_ERROR);
  CHECK_STR(coreapi_node_title(e.res.node), "404 Not Found");
  CHECK_STR(coreapi_string_value(coreapi_map_get(e.res.node, "detail", 6), NULL), "Not found.");
  CHECK_INT(coreapi_map_size(e.res.node), 1);
  echo_free(&e);

  /* A JSON list: the Error's "messages". */
  run_link(&e, LINK("/echo/e?status=400&body=%5B%22a%22%2C%20%22b%22%5D", "post", NULL, NULL,
                    NULL, 0),
           NULL, NULL);
  CHECK_INT(e.rc, COREAPI_ERR_ERROR_RESPONSE);
  CHECK_INT(e.err.http_status, 400);
  CHECK_STR(coreapi_node_title(e.res.node), "400 Bad Request");
  v = coreapi_map_get(e.res.node, "messages", 8);
  CHECK_INT(coreapi_array_size(v), 2);
  CHECK_STR(coreapi_string_value(coreapi_array_get(v, 1), NULL), "b");
  CHECK_INT(coreapi_map_size(e.res.node), 1);
  echo_free(&e);

  /* Text: the Error's "message". */
  run_link(&e, LINK("/echo/e?status=422&type=text/plain&body=bad%20thing", "put", NULL, NULL,
                    NULL, 0),
           NULL, NULL);
  CHECK_INT(e.rc, COREAPI_ERR_ERROR_RESPONSE);
  CHECK_INT(e.err.http_status, 422);
  CHECK_STR(coreapi_node_title(e.res.node), "422 Unprocessable Entity");
  CHECK_STR(coreapi_string_value(coreapi_map_get(e.res.node, "message", 7), NULL), "bad thing");
  echo_free(&e);

  /* An empty 5xx body: an Error with no content. */
  run_link(&e, LINK("/echo/e?status=500", "delete", NULL, NULL, NULL, 0), NULL, NULL);
  CHECK_INT(e.rc, COREAPI_ERR_ERROR_RESPONSE);
  CHECK_INT(e.err.http_status, 500);
  CHECK_INT(coreapi_node_type_of(e.res.node), COREAPI_NODE_ERROR);
  CHECK_STR(coreapi_node_title(e.res.node), "500 Internal Server Error");
  CHECK_INT(coreapi_map_size(e.res.node), 0);
  echo_free(&e);

  /* A Core JSON error keeps its own title. */
  run_link(&e, LINK("/echo/e?status=403&type=application/coreapi%2Bjson&body=%7B%22_type%22%3A"
                    "%22error%22%2C%22_meta%22%3A%7B%22title%22%3A%22Custom%22%7D%2C%22x%22%3A1%7D",
                    "get", NULL, NULL, NULL, 0),
           NULL, NULL);
  CHECK_INT(e.rc, COREAPI_ERR_ERROR_RESPONSE);
  CHECK_INT(e.err.http_status, 403);
  CHECK_STR(coreapi_node_title(e.res.node), "Custom");
  CHECK_INT(coreapi_integer_value(coreapi_map_get(e.res.node, "x", 1)), 1);
  echo_free(&e);

  /* A Core JSON document on 4xx: its title, its data without links. */
  run_link(&e, LINK("/echo/e?status=409&type=application/coreapi%2Bjson&body=%7B%22_type%22%3A"
                    "%22document%22%2C%22_meta%22%3A%7B%22title%22%3A%22Doc%22%7D%2C%22k%22%3A%22v"
                    "%22%2C%22l%22%3A%7B%22_type%22%3A%22link%22%2C%22url%22%3A%22%2Fx%22%7D%7D",
                    "get", NULL, NULL, NULL, 0),
           NULL, NULL);
  CHECK_INT(e.rc, COREAPI_ERR_ERROR_RESPONSE);
  CHECK_INT(e.err.http_status, 409);
  CHECK_STR(coreapi_node_title(e.res.node), "Doc");
  CHECK_STR(coreapi_string_value(coreapi_map_get(e.res.node, "k", 1), NULL), "v");
  CHECK(coreapi_map_get(e.res.node, "l", 1) == NULL);
  CHECK_INT(coreapi_map_size(e.res.node), 1);
  echo_free(&e);

  /* Empty bodies that are not errors: no node. */
  run_link(&e, LINK("/echo/e?status=204", "delete", NULL, NULL, NULL, 0), NULL, NULL);
  CHECK_INT(e.rc, COREAPI_OK);
  CHECK(e.res.node == NULL);
  CHECK(e.res.file == NULL);
  CHECK_INT(e.res.status, 204);
  echo_free(&e);
  run_link(&e, LINK("/echo/e?status=200", "post", NULL, NULL, NULL, 0), NULL, NULL);
  CHECK_INT(e.rc, COREAPI_OK);
  CHECK(e.res.node == NULL);
  CHECK_INT(e.res.status, 200);
  echo_free(&e);

  /* A 201 with plain JSON is plain data. */
  run_link(&e, LINK("/echo/e?status=201&body=%7B%22id%22%3A%208%7D", "post", NULL, NULL, NULL, 0),
           NULL, NULL);
  CHECK_INT(e.rc, COREAPI_OK);
  CHECK_INT(e.res.status, 201);
  CHECK_INT(coreapi_node_type_of(e.res.node), COREAPI_NODE_OBJECT);
  CHECK_INT(coreapi_integer_value(coreapi_map_get(e.res.node, "id", 2)), 8);
  echo_free(&e);
}

/* A Core JSON document answered by a scripted /echo link, URL-encoded. */
#define NEW_DOC                                                                               \
  "/echo/n?status=200&type=application/coreapi%2Bjson&body=%7B%22_type%22%3A%22document%22%2C" \
  "%22_meta%22%3A%7B%22url%22%3A%22%2Fecho%2Fnested%22%2C%22title%22%3A%22New%22%7D%2C%22name" \
  "%22%3A%22new%22%7D"

static void test_transform(void) {
  coreapi_node *root =
      DOC(url_of("/"), "Root", "other", I(1), "nested",
          DOC(url_of("/echo/nested"), "Nested", "name", S("old"), "edit",
              LINK(NEW_DOC, "put", NULL, NULL, NULL, 0), "remove",
              LINK("/echo/r?status=204", "delete", NULL, NULL, NULL, 0), "fresh",
              LINK(NEW_DOC, "patch", NULL, "new", NULL, 0), "grow",
              LINK(NEW_DOC, "post", NULL, "inplace", NULL, 0), "get",
              LINK(NEW_DOC, "get", NULL, NULL, NULL, 0), "data",
              LINK("/echo/d?status=200&body=%7B%22a%22%3A1%7D", "put", NULL, NULL, NULL, 0), NULL),
          "top", LINK(NEW_DOC, "put", NULL, NULL, NULL, 0), NULL);
  coreapi_key keys[2] = {{"nested", 0}, {NULL, 0}};
  coreapi_action_options opts;
  const coreapi_node *nested;
  echo e;

  /* PUT in a nested document: the result replaces it in the root. */
  keys[1].name = "edit";
  run(&e, root, keys, 2, NULL, NULL);
  CHECK_INT(e.rc, COREAPI_OK);
  CHECK_INT(coreapi_node_type_of(e.res.node), COREAPI_NODE_DOCUMENT);
  CHECK_STR(coreapi_node_title(e.res.node), "Root");
  CHECK_STR(coreapi_node_url(e.res.node), url_of("/"));
  CHECK_INT(coreapi_integer_value(coreapi_map_get(e.res.node, "other", 5)), 1);
  nested = coreapi_map_get(e.res.node, "nested", 6);
  CHECK_INT(coreapi_node_type_of(nested), COREAPI_NODE_DOCUMENT);
  CHECK_STR(coreapi_node_title(nested), "New");
  CHECK_STR(coreapi_node_url(nested), url_of("/echo/nested"));
  CHECK_STR(coreapi_string_value(coreapi_map_get(nested, "name", 4), NULL), "new");
  CHECK_INT(coreapi_map_size(nested), 1);
  CHECK(coreapi_map_get(e.res.node, "top", 3) != NULL);
  echo_free(&e);

  /* DELETE answered by an empty 204: the nested document is removed. */
  keys[1].name = "remove";
  run(&e, root, keys, 2, NULL, NULL);
  CHECK_INT(e.rc, COREAPI_OK);
  CHECK_INT(coreapi_node_type_of(e.res.node), COREAPI_NODE_DOCUMENT);
  CHECK_STR(coreapi_node_title(e.res.node), "Root");
  CHECK(coreapi_map_get(e.res.node, "nested", 6) == NULL);
  CHECK_INT(coreapi_map_size(e.res.node), 2);
  echo_free(&e);

  /* transform "new" on a PATCH: the new document itself. */
  keys[1].name = "fresh";
  run(&e, root, keys, 2, NULL, NULL);
  CHECK_INT(e.rc, COREAPI_OK);
  CHECK_STR(coreapi_node_title(e.res.node), "New");
  CHECK_INT(coreapi_map_size(e.res.node), 1);
  echo_free(&e);

  /* transform "inplace" on a POST: replaced in the root. */
  keys[1].name = "grow";
  run(&e, root, keys, 2, NULL, NULL);
  CHECK_STR(coreapi_node_title(e.res.node), "Root");
  CHECK_STR(coreapi_node_title(coreapi_map_get(e.res.node, "nested", 6)), "New");
  echo_free(&e);

  /* GET: new. The option overrides the link's transform both ways. */
  keys[1].name = "get";
  run(&e, root, keys, 2, NULL, NULL);
  CHECK_STR(coreapi_node_title(e.res.node), "New");
  echo_free(&e);
  memset(&opts, 0, sizeof(opts));
  opts.transform = "inplace";
  run(&e, root, keys, 2, NULL, &opts);
  CHECK_STR(coreapi_node_title(e.res.node), "Root");
  CHECK_STR(coreapi_node_title(coreapi_map_get(e.res.node, "nested", 6)), "New");
  echo_free(&e);
  opts.transform = "new";
  keys[1].name = "edit";
  run(&e, root, keys, 2, NULL, &opts);
  CHECK_STR(coreapi_node_title(e.res.node), "New");
  echo_free(&e);

  /* Plain data is returned as it is, even from a PUT. */
  keys[1].name = "data";
  run(&e, root, keys, 2, NULL, NULL);
  CHECK_INT(coreapi_node_type_of(e.res.node), COREAPI_NODE_OBJECT);
  CHECK_INT(coreapi_integer_value(coreapi_map_get(e.res.node, "a", 1)), 1);
  echo_free(&e);

  /* A link of the root itself: the new document. */
  keys[0].name = "top";
  run(&e, root, keys, 1, NULL, NULL);
  CHECK_STR(coreapi_node_title(e.res.node), "New");
  echo_free(&e);

  /* The original is untouched. */
  CHECK_STR(coreapi_string_value(
                coreapi_map_get(coreapi_map_get(root, "nested", 6), "name", 4), NULL),
            "old");
  coreapi_node_free(root);
}

int main(void) {
  port = getenv("COREAPI_TEST_REDIRECT_HTTP_PORT");
  tmpdir = getenv("COREAPI_TEST_TMPDIR");
  if (port == NULL || tmpdir == NULL) {
    fprintf(stderr, "run under tests/integration/servers.py --redirect\n");
    return 2;
  }
  snprintf(base, sizeof(base), "http://127.0.0.1:%s", port);
  write_file_in(data_path, sizeof(data_path), tmpdir, "data.txt", disk_bytes, DISK_LEN);
  write_file_in(png_path, sizeof(png_path), tmpdir, "cover.png", png_bytes, PNG_LEN);
  write_file_in(blob_path, sizeof(blob_path), tmpdir, "blob.xyz123", disk_bytes, DISK_LEN);
  client = coreapi_client_new(NULL);
  REQUIRE(client != NULL);

  test_query();
  test_path();
  test_json();
  test_urlencoded();
  test_multipart();
  test_octet_stream();
  test_validation();
  test_overrides();
  test_lookup();
  test_error_responses();
  test_transform();

  coreapi_client_free(client);
  return check_done("test_requests");
}
