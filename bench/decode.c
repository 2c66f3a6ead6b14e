/*
 * bench/decode.c - Core JSON decoding throughput: coreapi_corejson_decode
 * against the Python reference's CoreJSONCodec().decode and against the bare
 * JSON parse of the same bytes by the JSON library the decoder uses (YAJL: its tree).
 *
 * It generates a Core JSON schema the way Django REST framework 3.14 writes
 * one (rest_framework.schemas.coreapi.SchemaGenerator, encoded by
 * CoreJSONCodec().encode, compact): a Document with a url and a title and K
 * resources (default 4,000), each an Object with three links whose URLs are
 * relative to the document's:
 *
 *   list    GET  /resource-N/       query fields page, page_size (integer)
 *                                   and search (string)
 *   create  POST /resource-N/       application/json, 3 to 5 form fields:
 *                                   strings, a boolean, an integer, an enum
 *   read    GET  /resource-N/{id}/  a required path field id (integer)
 *
 * Then, after a warm-up decode whose result is checked in full (every
 * resource, link, field and resolved URL):
 *
 *   peak        the resident-memory peak of one coreapi decode, measured in a
 *               forked child (VmHWM after decoding minus VmHWM right after
 *               resetting it with "5" > /proc/self/clear_refs); then the
 *               same for each shape of tests/json_shapes.h (arrays of small
 *               values, objects of many keys, deep nesting), as JSON and as
 *               Core JSON, one "shape NAME: ..." line each
 *   coreapi     coreapi_corejson_decode + coreapi_node_free, RUNS times
 *   parse_only  yajl_tree_parse + yajl_tree_free (YAJL's own tree of the
 *               text; the decoder uses YAJL's event parser), RUNS times,
 *               alternating with coreapi
 *   python      CoreJSONCodec().decode + dropping the document, PY_RUNS times
 *               in decode_reference.py (one process, run half-way through the
 *               C runs), which checks its result in full too
 *
 * Each figure is the median of its runs, in MB/s (10^6 bytes of input per
 * second), by CPU time of the decoding process (CLOCK_PROCESS_CPUTIME_ID, and
 * time.process_time() in Python) unless -c wall asks for wall-clock time: on
 * a shared machine CPU time is much steadier; both are printed. The last line
 * is
 *
 *   decode: coreapi=M python=M parse_only=M ratio_python=X ratio_parse=Y
 *
 * (-o coreapi or -o parse runs one C decoder alone, for profiling.) This is a
 * benchmark, not a CTest test.
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include <yajl/yajl_tree.h>
#include <yajl/yajl_version.h>
#include <coreapi/coreapi.h>

#include "../tests/json_shapes.h"

#define BENCH_NAME "decode"
#ifndef COREAPI_BENCH_REFERENCE
#define COREAPI_BENCH_REFERENCE "bench/decode_reference.py"
#endif
#include "common.h"

#define DOC_URL "https://api.example.org/"
#define DOC_TITLE "Bench API"
/* The URL the schema was fetched from: the base the document's URL resolves
 * against (it is absolute, so it stays as written). */
#define BASE_URL "https://api.example.org/schema/"
#define SPOT_INDEX 123 /* the resource whose read link is printed */

static pid_t g_python = -1;

static void cleanup(void) {
  if (g_python > 0) {
    kill(g_python, SIGTERM);
    waitpid(g_python, NULL, 0);
    g_python = -1;
  }
}

static double clock_s(clockid_t id) {
  struct timespec ts;
  clock_gettime(id, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A timed run: wall-clock seconds (CLOCK_MONOTONIC) and this process's CPU
 * seconds (CLOCK_PROCESS_CPUTIME_ID, which does not count the time spent
 * waiting for a CPU on a loaded machine). */
typedef struct timing {
  double wall, cpu;
} timing;

static timing start_timing(void) {
  timing t = {clock_s(CLOCK_MONOTONIC), clock_s(CLOCK_PROCESS_CPUTIME_ID)};
  return t;
}

static timing stop_timing(timing t0) {
  timing t = {clock_s(CLOCK_MONOTONIC) - t0.wall, clock_s(CLOCK_PROCESS_CPUTIME_ID) - t0.cpu};
  return t;
}

/* --- the schema -------------------------------------------------------------- */

typedef struct sbuf {
  char *p;
  size_t len, cap;
} sbuf;

static void sb_add(sbuf *b, const char *s, size_t n) {
  if (b->len + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 1 << 16;
    char *p;
    while (cap < b->len + n + 1)
      cap *= 2;
    if ((p = realloc(b->p, cap)) == NULL)
      die("out of memory");
    b->p = p;
    b->cap = cap;
  }
  memcpy(b->p + b->len, s, n);
  b->len += n;
  b->p[b->len] = '\0';
}

static void sb_str(sbuf *b, const char *s) { sb_add(b, s, strlen(s)); }

/* The choices of the enum fields: 2 to 6 of them per resource. */
static const char *const languages[] = {"python", "c", "go", "rust", "java", "ruby"};
#define N_LANGUAGES (sizeof(languages) / sizeof(languages[0]))

/* What resource i's create link has besides title, code and language. */
static int has_linenos(long i) { return i % 2 == 0; }
static int has_owner(long i) { return i % 3 == 0; }
static size_t enum_size(long i) { return 2 + (size_t)(i % 5); }
static size_t create_fields(long i) { return 3 + (size_t)has_linenos(i) + (size_t)has_owner(i); }

/* A form field as DRF writes it: name, "required":true when required,
 * location, then the schema's _type, title, description (always, even
 * empty). */
static void field(sbuf *b, const char *name, int required, const char *location,
                  const char *type, const char *title, const char *description) {
  sb_str(b, "{\"name\":\"");
  sb_str(b, name);
  sb_str(b, required ? "\",\"required\":true,\"location\":\"" : "\",\"location\":\"");
  sb_str(b, location);
  sb_str(b, "\",\"schema\":{\"_type\":\"");
  sb_str(b, type);
  sb_str(b, "\",\"title\":\"");
  sb_str(b, title);
  sb_str(b, "\",\"description\":\"");
  sb_str(b, description);
  sb_str(b, "\"}}");
}

/* One resource: "resource-N":{"list":...,"create":...,"read":...}. The links
 * are in the reference's order (by url, then get before post). */
static void resource(sbuf *b, long i) {
  char name[32];
  snprintf(name, sizeof(name), "resource-%ld", i);

  sb_str(b, "\"");
  sb_str(b, name);
  sb_str(b, "\":{\"list\":{\"_type\":\"link\",\"url\":\"/");
  sb_str(b, name);
  sb_str(b, "/\",\"action\":\"get\",\"fields\":[");
  field(b, "page", 0, "query", "integer", "Page",
        "A page number within the paginated result set.");
  sb_str(b, ",");
  field(b, "page_size", 0, "query", "integer", "Page size",
        "Number of results to return per page.");
  sb_str(b, ",");
  field(b, "search", 0, "query", "string", "Search", "A search term.");

  sb_str(b, "]},\"create\":{\"_type\":\"link\",\"url\":\"/");
  sb_str(b, name);
  sb_str(b, "/\",\"action\":\"post\",\"encoding\":\"application/json\",\"fields\":[");
  field(b, "title", 0, "form", "string", "Title", "");
  sb_str(b, ",");
  field(b, "code", 1, "form", "string", "Code", "");
  if (has_linenos(i)) {
    sb_str(b, ",");
    field(b, "linenos", 0, "form", "boolean", "Linenos", "");
  }
  sb_str(b, ",{\"name\":\"language\",\"location\":\"form\",\"schema\":{\"_type\":\"enum\","
            "\"title\":\"Language\",\"description\":\"\",\"enum\":[");
  for (size_t k = 0; k < enum_size(i); k++) {
    sb_str(b, k ? ",\"" : "\"");
    sb_str(b, languages[k]);
    sb_str(b, "\"");
  }
  sb_str(b, "]}}");
  if (has_owner(i)) {
    sb_str(b, ",");
    field(b, "owner", 1, "form", "integer", "Owner", "");
  }

  sb_str(b, "]},\"read\":{\"_type\":\"link\",\"url\":\"/");
  sb_str(b, name);
  sb_str(b, "/{id}/\",\"action\":\"get\",\"fields\":[");
  field(b, "id", 1, "path", "integer", "ID", "A unique integer value identifying this resource.");
  sb_str(b, "]}}");
}

static long *g_order; /* resource numbers in key order */

static int by_name(const void *pa, const void *pb) {
  char a[32], b[32];
  snprintf(a, sizeof(a), "resource-%ld", *(const long *)pa);
  snprintf(b, sizeof(b), "resource-%ld", *(const long *)pb);
  return strcmp(a, b);
}

/* The whole schema. Resources are written sorted by key, as the reference's
 * encoder (and so DRF) writes a document's content: "resource-0",
 * "resource-1", "resource-10", ... */
static sbuf generate(long k) {
  sbuf b = {0};
  g_order = malloc((size_t)k * sizeof(*g_order));
  if (g_order == NULL)
    die("out of memory");
  for (long i = 0; i < k; i++)
    g_order[i] = i;
  qsort(g_order, (size_t)k, sizeof(*g_order), by_name);
  sb_str(&b, "{\"_type\":\"document\",\"_meta\":{\"url\":\"" DOC_URL "\",\"title\":\"" DOC_TITLE
             "\"}");
  for (long j = 0; j < k; j++) {
    sb_str(&b, ",");
    resource(&b, g_order[j]);
  }
  sb_str(&b, "}");
  return b;
}

/* --- checking a decoded document ------------------------------------------- */

static void expect_str(const char *what, const char *got, const char *want) {
  if (got == NULL || strcmp(got, want) != 0)
    die("check: %s is \"%s\", expected \"%s\"", what, got ? got : "(null)", want);
}

static void expect_field(const char *link, const coreapi_node *l, size_t i, const char *name,
                         int required, const char *location, const char *type) {
  const coreapi_field *f = coreapi_link_field(l, i);
  char what[128];
  snprintf(what, sizeof(what), "%s field %zu name", link, i);
  if (f == NULL)
    die("check: %s has no field %zu", link, i);
  expect_str(what, coreapi_field_name(f), name);
  snprintf(what, sizeof(what), "%s field %s location", link, name);
  expect_str(what, coreapi_field_location(f), location);
  snprintf(what, sizeof(what), "%s field %s schema type", link, name);
  expect_str(what, coreapi_field_schema_type(f), type);
  if (coreapi_field_required(f) != required)
    die("check: %s field %s: required is %d", link, name, coreapi_field_required(f));
}

static const coreapi_node *expect_link(const coreapi_node *obj, const char *res, const char *key,
                                       const char *url, const char *action, size_t nfields) {
  const coreapi_node *l = coreapi_map_get(obj, key, strlen(key));
  char what[128];
  snprintf(what, sizeof(what), "%s.%s", res, key);
  if (coreapi_node_type_of(l) != COREAPI_NODE_LINK)
    die("check: %s is not a link", what);
  snprintf(what, sizeof(what), "%s.%s url", res, key);
  expect_str(what, coreapi_node_url(l), url);
  snprintf(what, sizeof(what), "%s.%s action", res, key);
  expect_str(what, coreapi_link_action(l), action);
  if (coreapi_link_field_count(l) != nfields)
    die("check: %s.%s has %zu fields, expected %zu", res, key, coreapi_link_field_count(l),
        nfields);
  return l;
}

/* Every resource, every link and field: the decode did all the work. */
static void check_document(const coreapi_node *doc, long k) {
  if (coreapi_node_type_of(doc) != COREAPI_NODE_DOCUMENT)
    die("check: the top level is a %s, not a document",
        coreapi_node_type_name(coreapi_node_type_of(doc)));
  expect_str("document url", coreapi_node_url(doc), DOC_URL);
  expect_str("document title", coreapi_node_title(doc), DOC_TITLE);
  expect_str("document media type", coreapi_node_media_type(doc), "application/coreapi+json");
  if (coreapi_map_size(doc) != (size_t)k || coreapi_map_data_count(doc) != (size_t)k)
    die("check: the document has %zu keys (%zu data), expected %ld", coreapi_map_size(doc),
        coreapi_map_data_count(doc), k);
  for (long j = 0; j < k; j++) {
    long i = g_order[j];
    char res[32], url[96], read_url[96], lang[160];
    const char *key;
    const coreapi_node *obj = coreapi_map_entry(doc, (size_t)j, &key, NULL), *l, *e;
    const coreapi_field *f;
    size_t n = 0;
    snprintf(res, sizeof(res), "resource-%ld", i);
    snprintf(url, sizeof(url), DOC_URL "%s/", res);
    snprintf(read_url, sizeof(read_url), DOC_URL "%s/{id}/", res);
    expect_str("key in iteration order", key, res);
    if (coreapi_node_type_of(obj) != COREAPI_NODE_OBJECT || coreapi_map_size(obj) != 3 ||
        coreapi_map_data_count(obj) != 0)
      die("check: %s is not an object of 3 links", res);
    l = expect_link(obj, res, "list", url, "get", 3);
    expect_field(res, l, 0, "page", 0, "query", "integer");
    expect_field(res, l, 1, "page_size", 0, "query", "integer");
    expect_field(res, l, 2, "search", 0, "query", "string");
    expect_str("list field page schema description", coreapi_field_schema_description(
                   coreapi_link_field(l, 0)), "A page number within the paginated result set.");
    l = expect_link(obj, res, "create", url, "post", create_fields(i));
    expect_str("create encoding", coreapi_link_encoding(l), "application/json");
    expect_field(res, l, n++, "title", 0, "form", "string");
    expect_field(res, l, n++, "code", 1, "form", "string");
    if (has_linenos(i))
      expect_field(res, l, n++, "linenos", 0, "form", "boolean");
    f = coreapi_link_field(l, n);
    expect_field(res, l, n++, "language", 0, "form", "enum");
    e = coreapi_field_schema_enum(f);
    if (coreapi_array_size(e) != enum_size(i))
      die("check: %s language enum has %zu values, expected %zu", res, coreapi_array_size(e),
          enum_size(i));
    for (size_t v = 0; v < enum_size(i); v++) {
      snprintf(lang, sizeof(lang), "%s language enum value %zu", res, v);
      expect_str(lang, coreapi_string_value(coreapi_array_get(e, v), NULL), languages[v]);
    }
    if (has_owner(i))
      expect_field(res, l, n++, "owner", 1, "form", "integer");
    l = expect_link(obj, res, "read", read_url, "get", 1);
    expect_field(res, l, 0, "id", 1, "path", "integer");
    /* Iteration order: list, create, read (by url, then get before post). */
    if (coreapi_map_entry(obj, 0, &key, NULL) == NULL || strcmp(key, "list") != 0 ||
        coreapi_map_entry(obj, 2, &key, NULL) == NULL || strcmp(key, "read") != 0)
      die("check: %s links are not in the reference's order", res);
  }
}

/* The resolved URL of resource i's read link, looked up by path. */
static const char *read_url_of(const coreapi_node *doc, long i) {
  char res[32];
  coreapi_key path[2] = {{res, 0}, {"read", 0}};
  coreapi_error err;
  const coreapi_node *l;
  snprintf(res, sizeof(res), "resource-%ld", i);
  l = coreapi_node_lookup(doc, path, 2, &err);
  if (l == NULL)
    die("lookup %s.read: %s", res, err.text);
  return coreapi_node_url(l);
}

/* --- the two C decoders ------------------------------------------------------- */

/* Not inlined, so that profilers can name them
 * (valgrind --tool=callgrind --toggle-collect=run_coreapi). */
#if defined(__GNUC__) || defined(__clang__)
#define NOINLINE __attribute__((noinline))
#else
#define NOINLINE
#endif

static NOINLINE timing run_coreapi(const char *data, size_t len, long k) {
  coreapi_error err;
  timing t0 = start_timing();
  coreapi_node *doc = coreapi_corejson_decode(data, len, BASE_URL, &err);
  if (doc == NULL)
    die("coreapi_corejson_decode: %s: %s", coreapi_code_name(err.code), err.text);
  if (coreapi_map_size(doc) != (size_t)k)
    die("coreapi: %zu keys, expected %ld", coreapi_map_size(doc), k);
  coreapi_node_free(doc);
  return stop_timing(t0);
}

/* The JSON library's own parse: YAJL's tree (data is NUL-terminated). */
static NOINLINE timing run_parse(const char *data, size_t len, long k) {
  char errbuf[256];
  timing t0 = start_timing();
  yajl_val root = yajl_tree_parse(data, errbuf, sizeof(errbuf));
  (void)len;
  if (root == NULL)
    die("yajl_tree_parse: %s", errbuf);
  if (!YAJL_IS_OBJECT(root) || root->u.object.len != (size_t)k + 2) /* and _type, _meta */
    die("yajl_tree_parse: wrong number of keys, expected %ld", k + 2);
  yajl_tree_free(root);
  return stop_timing(t0);
}

/* --- peak memory ------------------------------------------------------------------ */

typedef struct peak_input {
  const char *data;
  size_t len;
  long k;
} peak_input;

/* coreapi's document of the input, or NULL when it is not the one generated. */
static void *decode_coreapi(void *ctx) {
  const peak_input *in = ctx;
  coreapi_error err;
  coreapi_node *doc = coreapi_corejson_decode(in->data, in->len, BASE_URL, &err);
  if (doc != NULL && coreapi_map_size(doc) != (size_t)in->k) {
    coreapi_node_free(doc);
    doc = NULL;
  }
  return doc;
}

static void release_coreapi(void *doc) { coreapi_node_free(doc); }

/* YAJL's tree of the input, or NULL when it is not the one generated. */
static void *decode_yajl(void *ctx) {
  const peak_input *in = ctx;
  yajl_val root = yajl_tree_parse(in->data, NULL, 0);
  if (root != NULL && (!YAJL_IS_OBJECT(root) || root->u.object.len != (size_t)in->k + 2)) {
    yajl_tree_free(root);
    root = NULL;
  }
  return root;
}

static void release_yajl(void *root) { yajl_tree_free(root); }

/* In a forked child (a fresh copy of this process as it is before any timed
 * decode, with the input already resident), the peak of one decode with the
 * C decoder `which` (0 coreapi, 1 YAJL's tree), measured by json_peak
 * (tests/json_shapes.h): YAJL's tree and the document while both exist, the
 * builders, and malloc's own overhead. -1 when /proc cannot do it. */
static long long measure_peak(const char *data, size_t len, long k, int which) {
  peak_input in = {data, len, k};
  long long peak = which == 0 ? json_peak(decode_coreapi, release_coreapi, &in)
                              : json_peak(decode_yajl, release_yajl, &in);
  if (peak == -3)
    die("the peak-memory child failed");
  return peak < 0 ? -1 : peak;
}

/* --- the Python reference ------------------------------------------------------ */

typedef struct py_result {
  double rate, best_rate, cpu_rate;
  long keys;
  char spot[128];
  char version[32];
} py_result;

/* Runs decode_reference.py with the schema on its stdin; dies on any failed
 * check. Its last line: "rate=M best=M cpu=M runs=R bytes=B keys=K spot=URL ..." */
static py_result run_python(const char *python, const char *script, const char *data,
                            size_t len, long k, long runs) {
  char runs_s[32], len_s[32], k_s[32], spot_s[32], out[8192];
  int in[2], outp[2], status = 0;
  size_t used = 0, off = 0;
  const char *line, *p;
  py_result r;
  long bytes = 0;
  char *end;

  memset(&r, 0, sizeof(r));
  snprintf(runs_s, sizeof(runs_s), "%ld", runs);
  snprintf(len_s, sizeof(len_s), "%zu", len);
  snprintf(k_s, sizeof(k_s), "%ld", k);
  snprintf(spot_s, sizeof(spot_s), "resource-%d", SPOT_INDEX);
  if (pipe(in) != 0 || pipe(outp) != 0)
    die("pipe: %s", strerror(errno));
  g_python = fork_or_die();
  if (g_python == 0) {
    char *argv[] = {(char *)python, (char *)script, BASE_URL, runs_s, len_s, k_s, spot_s, NULL};
#ifdef __linux__
    prctl(PR_SET_PDEATHSIG, SIGTERM);
#endif
    dup2(in[0], 0);
    dup2(outp[1], 1);
    close(in[0]);
    close(in[1]);
    close(outp[0]);
    close(outp[1]);
    execv(python, argv);
    fprintf(stderr, "decode: cannot run %s: %s\n", python, strerror(errno));
    _exit(127);
  }
  close(in[0]);
  close(outp[1]);
  /* The script reads all of stdin before it writes anything. A write error
   * (EPIPE: it exited early) is reported with its exit status below. */
  while (off < len) {
    ssize_t w = write(in[1], data + off, len - off);
    if (w < 0 && errno == EINTR)
      continue;
    if (w <= 0)
      break;
    off += (size_t)w;
  }
  close(in[1]);
  while (read_more(outp[0], out, sizeof(out), &used))
    continue;
  close(outp[0]);
  out[used] = '\0';
  waitpid(g_python, &status, 0);
  g_python = -1;
  line = python_last_line(python, script, status, out, used);
  if (off < len)
    die("python: %s %s did not read the schema (%zu of %zu bytes written)", python, script,
        off, len);
  if (strncmp(line, "rate=", 5) != 0)
    die("python: unexpected output: %s", out);
  r.rate = strtod(line + 5, &end);
  if ((p = strstr(line, " best=")) != NULL)
    r.best_rate = strtod(p + 6, NULL);
  if ((p = strstr(line, " cpu=")) != NULL)
    r.cpu_rate = strtod(p + 5, NULL);
  if ((p = strstr(line, " bytes=")) != NULL)
    bytes = strtol(p + 7, NULL, 10);
  if ((p = strstr(line, " keys=")) != NULL)
    r.keys = strtol(p + 6, NULL, 10);
  if ((p = strstr(line, " spot=")) != NULL)
    sscanf(p + 6, "%127s", r.spot);
  if ((p = strstr(line, " coreapi=")) != NULL)
    sscanf(p + 9, "%31s", r.version);
  if (end == line + 5 || r.rate <= 0.0 || bytes != (long)len || r.keys != k)
    die("python: unexpected result (want bytes=%zu keys=%ld): %s", len, k, line);
  return r;
}

/* --- main ------------------------------------------------------------------------ */

/* The median of the runs' wall (cpu 0) or CPU (cpu 1) seconds. */
static double median(const timing *t, int n, int cpu) {
  double s[256];
  for (int i = 0; i < n; i++)
    s[i] = cpu ? t[i].cpu : t[i].wall;
  return median_of(s, n);
}

static double fastest(const timing *t, int n) {
  double b = t[0].wall;
  for (int i = 1; i < n; i++)
    if (t[i].wall < b)
      b = t[i].wall;
  return b;
}

static void usage(FILE *f) {
  fprintf(f,
          "usage: decode [-k RESOURCES] [-r RUNS] [-m PY_RUNS] [-c CLOCK] [-o DECODER]\n"
          "              [-d FILE] [-P PYTHON] [-S SCRIPT]\n"
          "  -k RESOURCES  resources in the generated schema (default 4000, %d or more)\n"
          "  -r RUNS       timed decodes for coreapi and for parse_only, alternating\n"
          "                (default 15); each figure is the median of its runs\n"
          "  -m PY_RUNS    timed decodes for the Python reference (default 5)\n"
          "  -c CLOCK      the clock of the final decode: line, cpu (each process's CPU\n"
          "                time, the default) or wall (wall-clock time); the other is\n"
          "                printed on the line before it\n"
          "  -o DECODER    profiling aid: RUNS decodes with coreapi or parse only (no\n"
          "                python, no peak, no final decode: line)\n"
          "  -d FILE       write the generated schema to FILE and exit\n"
          "  -P PYTHON     the Python with python3-coreapi (default " DEFAULT_PYTHON ")\n"
          "  -S SCRIPT     the reference script (default " COREAPI_BENCH_REFERENCE ")\n",
          SPOT_INDEX + 1);
}

#define MB(len, s) ((double)(len) / 1e6 / (s))

/* The peak of decoding each shape of tests/json_shapes.h (a body of about
 * SHAPE_SIZE bytes), as JSON and as Core JSON, one line per shape; the
 * bounded shapes must stay under JSON_SHAPE_BOUND times the input
 * (test_json_memory checks that). */
#define SHAPE_SIZE ((size_t)8 * 1024 * 1024)

static void shape_peaks(void) {
  for (size_t i = 0; i < sizeof(json_shapes) / sizeof(json_shapes[0]); i++) {
    const json_shape *sh = &json_shapes[i];
    double factor[2] = {-1, -1};
    size_t len = 0;
    for (int corejson = 0; corejson <= 1; corejson++) {
      char *body = json_shape_body(sh, SHAPE_SIZE, corejson, &len);
      long long peak;
      if (body == NULL)
        die("out of memory");
      peak = json_shape_peak(body, len, corejson);
      factor[corejson] = peak > 0 ? (double)peak / (double)len : -1;
      free(body);
    }
    printf("shape %s: %.1f MB, peak json=%.2fx corejson=%.2fx%s\n", sh->name, len / 1e6,
           factor[0], factor[1], sh->bounded ? "" : " (not bounded)");
  }
}

int main(int argc, char **argv) {
  long k = 4000, runs = 15, py_runs = 5;
  int opt, only = -1, use_cpu = 1;
  const char *python = DEFAULT_PYTHON, *script = COREAPI_BENCH_REFERENCE, *dump = NULL;
  timing t_core[256], t_parse[256];
  long long peak = -1, peak_parse = -1;
  py_result py;
  coreapi_error err;
  coreapi_node *doc;
  char spot_want[96], yajl[32];
  sbuf in;

  while ((opt = getopt(argc, argv, "k:r:m:o:c:d:P:S:h")) != -1) {
    switch (opt) {
      case 'k': k = parse_count(optarg, "-k", SPOT_INDEX + 1, 1000000L); break;
      case 'r': runs = parse_count(optarg, "-r", 1, 256); break;
      case 'm': py_runs = parse_count(optarg, "-m", 1, 1000); break;
      case 'o': only = parse_choice(optarg, "-o", "coreapi", "parse"); break;
      case 'c': use_cpu = parse_choice(optarg, "-c", "cpu", "wall") == 0; break;
      case 'd': dump = optarg; break;
      case 'P': python = optarg; break;
      case 'S': script = optarg; break;
      case 'h': usage(stdout); return 0;
      default: usage(stderr); return 2;
    }
  }
  if (optind != argc) {
    usage(stderr);
    return 2;
  }
  signal(SIGPIPE, SIG_IGN);

  in = generate(k);
  if (dump != NULL) {
    FILE *f = fopen(dump, "wb");
    if (f == NULL || fwrite(in.p, 1, in.len, f) != in.len || fclose(f) != 0)
      die("cannot write %s: %s", dump, strerror(errno));
    printf("decode: wrote %zu bytes (%ld resources) to %s\n", in.len, k, dump);
    free(in.p);
    free(g_order);
    return 0;
  }
  if (only < 0 && access(python, X_OK) != 0)
    die("%s not found (-P)", python);
  if (only < 0 && access(script, R_OK) != 0)
    die("reference script %s not found (-S)", script);

  printf("decode: a DRF-style Core JSON schema of %zu bytes (%.2f MB): %ld resources, "
         "%ld links\n", in.len, (double)in.len / 1e6, k, 3 * k);
  snprintf(yajl, sizeof(yajl), "yajl %d", yajl_version());
  print_build(yajl);
  fflush(stdout);

  if (only < 0) {
    /* Before any decode in this process, so that each child starts from the
     * heap of a program that has not decoded yet. */
    peak = measure_peak(in.p, in.len, k, 0);
    peak_parse = measure_peak(in.p, in.len, k, 1);
    shape_peaks();
  }

  /* Warm-up, and the full check of what coreapi decodes. */
  doc = coreapi_corejson_decode(in.p, in.len, BASE_URL, &err);
  if (doc == NULL)
    die("coreapi_corejson_decode: %s: %s", coreapi_code_name(err.code), err.text);
  check_document(doc, k);
  snprintf(spot_want, sizeof(spot_want), DOC_URL "resource-%d/{id}/", SPOT_INDEX);
  expect_str("resource-123.read url", read_url_of(doc, SPOT_INDEX), spot_want);
  if (only < 0) {
    size_t elen = 0;
    char *enc = coreapi_corejson_encode(doc, 0, &elen, &err);
    printf("decode: checked all %ld resources (%ld links, their fields and URLs); "
           "resource-%d.read resolves to %s\n", k, 3 * k, SPOT_INDEX,
           read_url_of(doc, SPOT_INDEX));
    if (enc == NULL || elen != in.len || memcmp(enc, in.p, in.len) != 0)
      printf("decode: note: coreapi_corejson_encode of the decoded document differs from the "
             "input (%zu bytes, input %zu)\n", enc ? elen : 0, in.len);
    free(enc);
  }
  coreapi_node_free(doc);
  run_parse(in.p, in.len, k);

  if (only >= 0) {
    const char *name = only == 0 ? "coreapi" : "parse_only";
    for (long r = 0; r < runs; r++) {
      t_core[r] = only == 0 ? run_coreapi(in.p, in.len, k) : run_parse(in.p, in.len, k);
      printf("run %ld: %s %.4f s (%.1f MB/s; cpu %.4f s)\n", r + 1, name, t_core[r].wall,
             MB(in.len, t_core[r].wall), t_core[r].cpu);
    }
    printf("%s alone: median %.1f MB/s (best %.1f, cpu %.1f), %.2f ms per decode\n", name,
           MB(in.len, median(t_core, (int)runs, 0)), MB(in.len, fastest(t_core, (int)runs)),
           MB(in.len, median(t_core, (int)runs, 1)), 1e3 * median(t_core, (int)runs, 0));
    free(in.p);
    free(g_order);
    return 0;
  }

  printf("decode: %ld runs each of coreapi (decode + free) and parse_only (yajl_tree_parse + "
         "yajl_tree_free), alternating, with %ld python runs (decode + drop) half-way through; "
         "figures are medians (final line by %s)\n", runs, py_runs,
         use_cpu ? "CPU time" : "wall clock");
  fflush(stdout);
  for (long r = 0; r < runs; r++) {
    if (r == (runs + 1) / 2) {
      /* The Python runs in the middle of the C runs, so that all three see
       * about the same background load. */
      py = run_python(python, script, in.p, in.len, k, py_runs);
      printf("python: %ld runs, median %.1f MB/s\n", py_runs, py.rate);
      fflush(stdout);
    }
    if (r % 2 == 0) {
      t_core[r] = run_coreapi(in.p, in.len, k);
      t_parse[r] = run_parse(in.p, in.len, k);
    } else {
      t_parse[r] = run_parse(in.p, in.len, k);
      t_core[r] = run_coreapi(in.p, in.len, k);
    }
    printf("run %ld: coreapi %.1f ms CPU, %.1f ms wall; parse_only %.1f ms CPU, %.1f ms "
           "wall; coreapi/parse_only %.3f by CPU time\n", r + 1, 1e3 * t_core[r].cpu,
           1e3 * t_core[r].wall, 1e3 * t_parse[r].cpu, 1e3 * t_parse[r].wall,
           t_parse[r].cpu / t_core[r].cpu);
    fflush(stdout);
  }
  if (runs == 1)
    py = run_python(python, script, in.p, in.len, k, py_runs);
  if (strcmp(py.spot, spot_want) != 0)
    die("python: resource-%d.read resolves to %s, expected %s", SPOT_INDEX, py.spot, spot_want);

  {
    /* [0] wall clock, [1] CPU time; rates in MB/s. */
    double core[2], parse[2], pyr[2] = {py.rate, py.cpu_rate};
    const char *clock_name[2] = {"wall clock", "CPU time"};
    for (int c = 0; c < 2; c++) {
      core[c] = MB(in.len, median(t_core, (int)runs, c));
      parse[c] = MB(in.len, median(t_parse, (int)runs, c));
    }
    printf("coreapi: median %.1f MB/s by CPU time, %.1f by wall clock (fastest run %.1f), "
           "%.2f ms CPU per decode\n", core[1], core[0], MB(in.len, fastest(t_core, (int)runs)),
           1e3 * median(t_core, (int)runs, 1));
    printf("parse_only: median %.1f MB/s by CPU time, %.1f by wall clock (fastest run %.1f), "
           "%.2f ms CPU per parse\n", parse[1], parse[0],
           MB(in.len, fastest(t_parse, (int)runs)), 1e3 * median(t_parse, (int)runs, 1));
    printf("python: median %.1f MB/s by CPU time, %.1f by wall clock (fastest run %.1f), "
           "%.2f ms CPU per decode (python3-coreapi %s)\n", pyr[1], pyr[0], py.best_rate,
           1e3 * (double)in.len / 1e6 / pyr[1], py.version);
    if (peak_parse > 0)
      printf("peak parse_only: %lld = %.2f times the input\n", peak_parse,
             (double)peak_parse / (double)in.len);
    if (peak > 0)
      printf("peak: %lld = %.2f times the input\n", peak, (double)peak / (double)in.len);
    else
      printf("peak: unavailable (/proc/self/clear_refs or VmHWM missing)\n");
    /* The other clock first, the chosen one on the last line. */
    printf("by %s: coreapi=%.1f python=%.1f parse_only=%.1f ratio_python=%.2f "
           "ratio_parse=%.3f\n", clock_name[!use_cpu], core[!use_cpu], pyr[!use_cpu],
           parse[!use_cpu], core[!use_cpu] / pyr[!use_cpu], core[!use_cpu] / parse[!use_cpu]);
    printf("decode: coreapi=%.1f python=%.1f parse_only=%.1f ratio_python=%.2f "
           "ratio_parse=%.3f\n", core[use_cpu], pyr[use_cpu], parse[use_cpu],
           core[use_cpu] / pyr[use_cpu], core[use_cpu] / parse[use_cpu]);
  }
  fflush(stdout);
  free(in.p);
  free(g_order);
  return 0;
}
