/*
 * bench/parallel.c - requests per second of the library's parallel API
 * (coreapi_batch) against a plain libcurl multi loop, Go's net/http and
 * Python's httpx AsyncClient, with CONC requests in flight, on one loopback
 * nginx, over HTTP/1.1 (plain http) and over HTTP/2 with TLS.
 *
 * It starts nginx itself (a child process, config, a throwaway CA and
 * certificate made with openssl, and every file in a private temp dir, two
 * free 127.0.0.1 ports), serving bench/transport's small JSON document only
 * to requests with "Authorization: Token ..." (else 401). Per protocol, after
 * a warm-up, for ROUNDS rounds (the clients in one of two orders, by turns):
 *
 *   coreapi        N requests added to one coreapi_batch (max_in_flight CONC)
 *                  of one coreapi_client with coreapi_auth_token_new, run
 *                  with coreapi_batch_run; a done callback checks and takes
 *                  each response
 *   libcurl_multi  a curl_multi loop of CONC reused easy handles, the same
 *                  headers, CURLOPT_PIPEWAIT and CURLPIPE_MULTIPLEX for h2
 *   go             bench/parallel.go, built at run time: CONC goroutines,
 *                  one http.Client
 *   httpx          bench/parallel_httpx.py: CONC asyncio tasks, one
 *                  httpx.AsyncClient (HTTP/2 with python3-h2)
 *
 * Every response is checked: status 200 and the exact bytes; and the
 * protocol nginx served it over (its X-Protocol header; libcurl_multi's
 * CURLINFO_HTTP_VERSION; coreapi's every 7th response), and the connections
 * used are counted. Each client's figure is its best round. The last two
 * lines are
 *
 *   parallel_h2: coreapi=R libcurl_multi=R go=R httpx=R ratio_libcurl=X ratio_go=Y
 *   parallel: coreapi=R libcurl_multi=R go=R httpx=R ratio_libcurl=X ratio_go=Y
 *
 * (HTTP/2, then HTTP/1.1). nginx is stopped and the temp dir removed at the
 * end, on failure and on SIGINT/SIGTERM/SIGHUP. A benchmark, not a CTest test.
 */
#define _XOPEN_SOURCE 700 /* nftw, in parallel_server.h */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>
#include <coreapi/coreapi.h>
#include <coreapi/batch.h>

#define BENCH_NAME "parallel"
#include "common.h"

#ifndef COREAPI_BENCH_GO_SOURCE
#define COREAPI_BENCH_GO_SOURCE "bench/parallel.go"
#endif
#ifndef COREAPI_BENCH_HTTPX
#define COREAPI_BENCH_HTTPX "bench/parallel_httpx.py"
#endif
#define GO_PATH "/usr/bin/go"
#define CONN_MAX 256 /* distinct connections counted per run */

#include "parallel_server.h"

/* --- what each run saw ----------------------------------------------------- */

typedef struct tally {
  const char *who;    /* client name, for messages */
  const char *served; /* the X-Protocol each response must carry */
  long ok;            /* responses verified */
  long conn[CONN_MAX];
  int conns;  /* distinct connections seen (nginx's numbers, or local ports) */
  long stride; /* coreapi looks at every stride-th response's headers */
} tally;

static void tally_conn(tally *t, long id) {
  for (int i = 0; i < t->conns; i++)
    if (t->conn[i] == id)
      return;
  if (t->conns < CONN_MAX)
    t->conn[t->conns++] = id;
}

/* One client's timed run: rate, its own and nginx's share of a CPU
 * meanwhile (CPU seconds over wall seconds), connections. */
typedef struct sample {
  double rate, cpu, nginx_cpu;
  int conns;
} sample;

/* This process's CPU time, in seconds. */
static double cpu_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* --- the library's parallel API -------------------------------------------- */

static void on_done(void *userdata, coreapi_batch *batch, size_t index,
                    const coreapi_response *resp, const coreapi_error *err) {
  tally *t = userdata;
  coreapi_error e;
  coreapi_response *own;
  const char *body, *served, *conn;
  size_t len = 0;
  long status;
  if (resp == NULL || err->code != COREAPI_OK)
    die("coreapi: request %zu: %s: %s", index + 1, coreapi_code_name(err->code), err->text);
  status = coreapi_response_status(resp);
  body = coreapi_response_body(resp, &len);
  if (status != 200 || len != JSON_LEN || memcmp(body, json_body, JSON_LEN) != 0)
    die("coreapi: request %zu: status %ld, %zu bytes (expected 200, %zu bytes)", index + 1,
        status, len, JSON_LEN);
  /* The protocol and connection of every 7th response (11th, 13th: a stride
   * prime to CONC, so that connections taking turns are all seen): two
   * header lookups cost about 1.3 k instructions, 1.3 % of a request, where
   * libcurl_multi reads them with curl_easy_getinfo. */
  if (t->ok++ % t->stride == 0) {
    served = coreapi_response_header(resp, "X-Protocol");
    conn = coreapi_response_header(resp, "X-Connection");
    if (served == NULL || strcmp(served, t->served) != 0 || conn == NULL)
      die("coreapi: request %zu served over %s, expected %s", index + 1, served ? served : "?",
          t->served);
    tally_conn(t, strtol(conn, NULL, 10));
  }
  if ((own = coreapi_batch_take(batch, index, &e)) == NULL)
    die("coreapi_batch_take(%zu): %s", index, e.text);
  coreapi_response_free(own);
}

static coreapi_client *coreapi_init(const char *ca) {
  coreapi_error err;
  coreapi_client *c = coreapi_client_new(&err);
  coreapi_auth *auth;
  if (c == NULL)
    die("coreapi_client_new: %s", err.text);
  if ((auth = coreapi_auth_token_new(TOKEN, "Token", "127.0.0.1", &err)) == NULL)
    die("coreapi_auth_token_new: %s", err.text);
  if (coreapi_client_add_auth(c, auth, &err) != COREAPI_OK ||
      coreapi_client_set_ca_bundle(c, ca, &err) != COREAPI_OK)
    die("coreapi client setup: %s", err.text);
  coreapi_auth_free(auth); /* the client holds its own reference */
  return c;
}

/* A batch of client with conc in flight. */
static coreapi_batch *new_batch(coreapi_client *c, unsigned conc) {
  coreapi_error err;
  coreapi_batch *b = coreapi_batch_new(c, &err);
  if (b == NULL || coreapi_batch_set_max_in_flight(b, conc, &err) != COREAPI_OK)
    die("coreapi batch setup: %s", err.text);
  return b;
}

/* n GETs of url added to batch and run (in a new batch of c when batch is
 * NULL); dies on any failed check. Returns the seconds taken: making the
 * requests, adding, running, freeing them (and the new batch). The libcurl
 * connections live in the batch, so a new one connects afresh. */
static double run_coreapi(coreapi_batch *batch, coreapi_client *c, unsigned conc, const char *url,
                          long n, tally *t) {
  coreapi_error err;
  coreapi_request **reqs = malloc((size_t)n * sizeof(*reqs));
  double t0 = now_s(), t1;
  coreapi_batch *b = batch ? batch : new_batch(c, conc);
  size_t first = coreapi_batch_count(b);
  t->stride = conc % 7 ? 7 : conc % 11 ? 11 : 13;
  if (reqs == NULL || coreapi_batch_set_done(b, on_done, t, &err) != COREAPI_OK)
    die("coreapi batch setup: %s", reqs ? err.text : "out of memory");
  for (long i = 0; i < n; i++) {
    if ((reqs[i] = coreapi_request_new("GET", url, &err)) == NULL ||
        coreapi_batch_add(b, reqs[i], NULL, NULL, NULL, &err) != COREAPI_OK)
      die("coreapi: request %ld: %s", i + 1, err.text);
  }
  if (coreapi_batch_run(b, &err) != COREAPI_OK)
    die("coreapi_batch_run: %s: %s", coreapi_code_name(err.code), err.text);
  if (coreapi_batch_pending(b) != 0 || coreapi_batch_count(b) != first + (size_t)n || t->ok != n)
    die("coreapi: %zu pending, %zu added, %ld verified after coreapi_batch_run (expected 0, "
        "%zu, %ld)", coreapi_batch_pending(b), coreapi_batch_count(b), t->ok, first + (size_t)n, n);
  if (batch == NULL)
    coreapi_batch_free(b);
  for (long i = 0; i < n; i++)
    coreapi_request_free(reqs[i]);
  t1 = now_s();
  free(reqs);
  return t1 - t0;
}

/* --- the plain libcurl multi loop ------------------------------------------ */

typedef struct slot {
  CURL *h;
  char *body;
  size_t len, cap;
} slot;

typedef struct mloop {
  CURLM *m;
  slot *s;
  unsigned conc;
  long version; /* CURL_HTTP_VERSION_2_0 or _1_1: what each response must be */
  struct curl_slist *headers;
} mloop;

static size_t on_write(char *data, size_t size, size_t nmemb, void *userp) {
  slot *s = userp;
  size_t n = size * nmemb;
  if (s->len + n > s->cap) {
    size_t cap = s->cap ? s->cap * 2 : 1024;
    char *p;
    while (cap < s->len + n)
      cap *= 2;
    if ((p = realloc(s->body, cap)) == NULL)
      return 0;
    s->body = p, s->cap = cap;
  }
  memcpy(s->body + s->len, data, n);
  s->len += n;
  return n;
}

static void multi_init(mloop *ml, const char *url, unsigned conc, int h2, const char *ca) {
  memset(ml, 0, sizeof(*ml));
  ml->conc = conc;
  ml->version = h2 ? CURL_HTTP_VERSION_2_0 : CURL_HTTP_VERSION_1_1;
  /* What coreapi_client sends: the same header lines, in the same order. */
  ml->headers = curl_slist_append(NULL, "User-Agent: coreapi");
  if (ml->headers != NULL)
    ml->headers = curl_slist_append(ml->headers, "Authorization: Token " TOKEN);
  if (ml->headers == NULL || (ml->m = curl_multi_init()) == NULL ||
      (ml->s = calloc(conc, sizeof(*ml->s))) == NULL)
    die("cannot initialise libcurl");
  curl_multi_setopt(ml->m, CURLMOPT_PIPELINING, h2 ? CURLPIPE_MULTIPLEX : CURLPIPE_NOTHING);
  for (unsigned i = 0; i < conc; i++) {
    CURL *h = ml->s[i].h = curl_easy_init();
    if (h == NULL)
      die("curl_easy_init failed");
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, ml->headers);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 30000L);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_write);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &ml->s[i]);
    curl_easy_setopt(h, CURLOPT_PRIVATE, (void *)&ml->s[i]);
    curl_easy_setopt(h, CURLOPT_HTTP_VERSION, h2 ? CURL_HTTP_VERSION_2TLS : CURL_HTTP_VERSION_1_1);
    curl_easy_setopt(h, CURLOPT_PIPEWAIT, h2 ? 1L : 0L);
    curl_easy_setopt(h, CURLOPT_CAINFO, ca);
  }
}

static void multi_free(mloop *ml) {
  for (unsigned i = 0; i < ml->conc; i++)
    curl_easy_cleanup(ml->s[i].h), free(ml->s[i].body);
  curl_multi_cleanup(ml->m);
  curl_slist_free_all(ml->headers);
  free(ml->s);
}

/* Check the transfer msg reports (before its handle is removed). */
static void multi_check(const mloop *ml, const CURLMsg *msg, tally *t) {
  long status = 0, version = 0, port = 0;
  char *priv = NULL;
  const slot *s;
  if (msg->data.result != CURLE_OK)
    die("libcurl_multi: %s", curl_easy_strerror(msg->data.result));
  curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &priv);
  curl_easy_getinfo(msg->easy_handle, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_getinfo(msg->easy_handle, CURLINFO_HTTP_VERSION, &version);
  curl_easy_getinfo(msg->easy_handle, CURLINFO_LOCAL_PORT, &port);
  s = (const slot *)(void *)priv;
  if (status != 200 || s->len != JSON_LEN || memcmp(s->body, json_body, JSON_LEN) != 0)
    die("libcurl_multi: status %ld, %zu bytes (expected 200, %zu bytes)", status, s->len,
        JSON_LEN);
  if (version != ml->version)
    die("libcurl_multi: HTTP version %ld, expected %ld", version, ml->version);
  tally_conn(t, port);
  t->ok++;
}

/* n GETs, ml->conc in flight; dies on any failed check. Returns the seconds. */
static double run_multi(mloop *ml, long n, tally *t) {
  long started = 0, done = 0;
  double t0 = now_s();
  for (unsigned i = 0; i < ml->conc && started < n; i++, started++)
    ml->s[i].len = 0, curl_multi_add_handle(ml->m, ml->s[i].h);
  while (done < n) {
    CURLMsg *msg;
    int running, left;
    if (curl_multi_perform(ml->m, &running) != CURLM_OK)
      die("curl_multi_perform failed");
    while ((msg = curl_multi_info_read(ml->m, &left)) != NULL) {
      CURL *h = msg->easy_handle;
      char *priv = NULL;
      if (msg->msg != CURLMSG_DONE)
        continue;
      multi_check(ml, msg, t);
      curl_multi_remove_handle(ml->m, h);
      done++;
      if (started < n) {
        curl_easy_getinfo(h, CURLINFO_PRIVATE, &priv);
        ((slot *)(void *)priv)->len = 0;
        curl_multi_add_handle(ml->m, h);
        started++;
      }
    }
    if (done < n && curl_multi_poll(ml->m, NULL, 0, 1000, NULL) != CURLM_OK)
      die("curl_multi_poll failed");
    check_stop();
  }
  return now_s() - t0;
}

/* --- Go and httpx: one process per round ----------------------------------- */

typedef struct bench {
  long n, warmup;
  unsigned conc;
  int rounds, only; /* only: -1, or the one client to run (-o) */
  int fresh;        /* -f: also coreapi with a new batch per run */
  const char *python, *script, *go;
  char go_bin[512], ca[512], body[512];
  coreapi_client *client;
  coreapi_batch *batch; /* the protocol's, kept from run to run */
} bench;

/* go build bench/parallel.go into the temp dir, standard library only. */
static void build_go(bench *b) {
  char cache[600], path[600], log[512], out[4096];
  char *env[] = {cache, path, "GOTOOLCHAIN=local", "GOPROXY=off", "GOFLAGS=", "GO111MODULE=",
                 NULL};
  char *argv[] = {(char *)b->go, "build", "-o", in_dir(b->go_bin, "parallel_go"),
                  COREAPI_BENCH_GO_SOURCE, NULL};
  snprintf(cache, sizeof(cache), "GOCACHE=%s/gocache", g_dir);
  snprintf(path, sizeof(path), "GOPATH=%s/gopath", g_dir);
  if (access(b->go, X_OK) != 0)
    die("%s not found (Debian: apt-get install golang-go)", b->go);
  run_child(argv, env, in_dir(log, "go-build.log"), 600, out, sizeof(out));
}

/* The number after " key=" (or at the start) in line, or -1. */
static double field(const char *line, const char *key) {
  size_t k = strlen(key);
  for (const char *p = line; (p = strstr(p, key)) != NULL; p += k)
    if ((p == line || p[-1] == ' ') && p[k] == '=')
      return strtod(p + k + 1, NULL);
  return -1.0;
}

/* One round of the Go (go != 0) or httpx client: its process warms up,
 * times n GETs and reports. */
static sample run_external(const bench *b, int go, const char *url, const char *served) {
  char n_s[32], conc_s[32], warm_s[32], pid_s[32], out[8192];
  char *tls_ca = strncmp(url, "https:", 6) == 0 ? (char *)b->ca : "-";
  char *go_argv[] = {(char *)b->go_bin, (char *)url, TOKEN, n_s, conc_s, warm_s,
                     (char *)b->body, tls_ca, (char *)served, pid_s, NULL};
  char *py_argv[] = {(char *)b->python, (char *)b->script, (char *)url, TOKEN, n_s, conc_s,
                     warm_s, (char *)b->body, tls_ca, (char *)served, pid_s, NULL};
  const char *line;
  sample s;
  double secs;
  snprintf(n_s, sizeof(n_s), "%ld", b->n);
  snprintf(conc_s, sizeof(conc_s), "%u", b->conc);
  snprintf(warm_s, sizeof(warm_s), "%ld", b->warmup);
  snprintf(pid_s, sizeof(pid_s), "%d", (int)g_nginx);
  line = run_child(go ? go_argv : py_argv, NULL, NULL, 900, out, sizeof(out));
  secs = field(line, "secs");
  if (field(line, "ok") != (double)b->n || secs <= 0.0)
    die("%s: unexpected output: %s", go ? "go" : "httpx", out);
  s.rate = (double)b->n / secs;
  s.cpu = field(line, "cpu") / secs;
  s.nginx_cpu = field(line, "nginx_ticks") / (double)sysconf(_SC_CLK_TCK) / secs;
  s.conns = (int)field(line, "conns");
  return s;
}

/* --- rounds ---------------------------------------------------------------- */

enum { C_COREAPI, C_LIBCURL, C_GO, C_HTTPX, C_FRESH, C_COUNT };
static const char *const client_names[C_COUNT] = {"coreapi", "libcurl_multi", "go", "httpx",
                                                  "coreapi_new_batch"};

typedef struct proto {
  const char *name, *line, *served; /* "h2", "parallel_h2", "HTTP/2.0" */
  int h2;
  char url[128];
} proto;

/* Does this run include client k? */
static int wanted(const bench *b, int k) {
  return b->only >= 0 ? k == b->only : k != C_FRESH || b->fresh;
}

/* One timed run of client k. */
static sample run_client(bench *b, int k, const proto *p, mloop *ml) {
  tally t = {client_names[k], p->served, 0, {0}, 0, 1};
  long ticks = nginx_ticks();
  double secs, cpu = cpu_s();
  sample s;
  if (k == C_GO || k == C_HTTPX)
    return run_external(b, k == C_GO, p->url, p->served);
  if (k == C_LIBCURL)
    secs = run_multi(ml, b->n, &t);
  else
    secs = run_coreapi(k == C_FRESH ? NULL : b->batch, b->client, b->conc, p->url, b->n, &t);
  s.rate = (double)b->n / secs;
  s.cpu = (cpu_s() - cpu) / secs;
  s.nginx_cpu = (double)(nginx_ticks() - ticks) / (double)sysconf(_SC_CLK_TCK) / secs;
  s.conns = t.conns;
  return s;
}

/* Per client and round: req/s, and CPU microseconds per request (its own
 * process's CPU time over the timed run, which the load moves much less). */
typedef struct figures {
  double rate[C_COUNT][64], cpu_us[C_COUNT][64];
} figures;

/* The largest (sign 1) or smallest (sign -1) of v[0..n-1]. */
static double extreme(const double *v, int n, int sign) {
  double m = v[0];
  for (int i = 1; i < n; i++)
    m = (v[i] - m) * sign > 0 ? v[i] : m;
  return m;
}

/* The order of the clients in even and odd rounds: coreapi next to
 * libcurl_multi (and to go) in both, httpx (the slow one) last. */
static const int order[2][C_COUNT] = {{C_COREAPI, C_LIBCURL, C_GO, C_FRESH, C_HTTPX},
                                      {C_GO, C_LIBCURL, C_COREAPI, C_FRESH, C_HTTPX}};

/* Round r: each client once; one line, with the round's own ratios. */
static void run_round(bench *b, const proto *p, mloop *ml, int r, figures *f) {
  const char *sep = "";
  printf("%s round %d:", p->name, r + 1);
  for (int j = 0; j < C_COUNT; j++) {
    int k = order[r % 2][j];
    sample s;
    if (!wanted(b, k))
      continue;
    s = run_client(b, k, p, ml);
    f->rate[k][r] = s.rate;
    f->cpu_us[k][r] = 1e6 * s.cpu / s.rate;
    printf("%s %s %.0f req/s (cpu %.0f%%, nginx %.0f%%, %d conn)", sep, client_names[k], s.rate,
           100.0 * s.cpu, 100.0 * s.nginx_cpu, s.conns);
    sep = ",";
    fflush(stdout);
  }
  if (b->only < 0)
    printf("; coreapi/libcurl_multi %.3f, coreapi/go %.3f",
           f->rate[C_COREAPI][r] / f->rate[C_LIBCURL][r], f->rate[C_COREAPI][r] / f->rate[C_GO][r]);
  printf("\n");
}

/* The median over the rounds of rate[a][r] / rate[b][r]. */
static double median_ratio(double rate[][64], int a, int b, int rounds) {
  double v[64];
  for (int r = 0; r < rounds; r++)
    v[r] = rate[a][r] / rate[b][r];
  return median_of(v, rounds);
}

/* All rounds over protocol p, after a warm-up of the C clients (the Go and
 * httpx processes warm up themselves); prints a line per round and per
 * client, then the protocol's result line (unless -o). The coreapi batch
 * and the libcurl multi handle are kept, with their connections, from the
 * warm-up to the last round. */
static void run_protocol(bench *b, const proto *p) {
  static figures f; /* zero, and written before it is read */
  double best[C_COUNT] = {0}, cpu[C_COUNT] = {0};
  tally t = {"warm-up", p->served, 0, {0}, 0, 1};
  mloop ml;
  multi_init(&ml, p->url, b->conc, p->h2, b->ca);
  b->batch = new_batch(b->client, b->conc);
  if (wanted(b, C_COREAPI) || wanted(b, C_FRESH))
    run_coreapi(b->batch, b->client, b->conc, p->url, b->warmup, &t);
  t.ok = 0;
  if (wanted(b, C_LIBCURL))
    run_multi(&ml, b->warmup, &t);
  for (int r = 0; r < b->rounds; r++)
    run_round(b, p, &ml, r, &f);
  multi_free(&ml);
  coreapi_batch_free(b->batch);
  b->batch = NULL;
  for (int k = 0; k < C_COUNT; k++) {
    if (!wanted(b, k))
      continue;
    best[k] = extreme(f.rate[k], b->rounds, 1);
    cpu[k] = extreme(f.cpu_us[k], b->rounds, -1);
    printf("%s %s: best %.0f req/s, median %.0f; least CPU %.1f us per request\n", p->name,
           client_names[k], best[k], median_of(f.rate[k], b->rounds), cpu[k]);
  }
  if (b->only < 0)
    printf("%s rounds' own ratios, median: coreapi/libcurl_multi %.3f, coreapi/go %.3f; least "
           "CPU per request, libcurl_multi/coreapi %.3f, go/coreapi %.3f\n", p->name,
           median_ratio(f.rate, C_COREAPI, C_LIBCURL, b->rounds),
           median_ratio(f.rate, C_COREAPI, C_GO, b->rounds), cpu[C_LIBCURL] / cpu[C_COREAPI],
           cpu[C_GO] / cpu[C_COREAPI]);
  if (b->only < 0)
    printf("%s: coreapi=%.0f libcurl_multi=%.0f go=%.0f httpx=%.0f ratio_libcurl=%.3f "
           "ratio_go=%.3f\n", p->line, best[C_COREAPI], best[C_LIBCURL], best[C_GO],
           best[C_HTTPX], best[C_COREAPI] / best[C_LIBCURL], best[C_COREAPI] / best[C_GO]);
  fflush(stdout);
}

/* --- setup and main -------------------------------------------------------- */

static void usage(FILE *f) {
  fprintf(f,
          "usage: parallel [-n N] [-c CONC] [-r ROUNDS] [-w WARMUP] [-p h1|h2] [-o CLIENT] [-f]\n"
          "                [-P PYTHON] [-S SCRIPT] [-g GO]\n"
          "  -n N       GETs per timed run (default 4000)\n"
          "  -c CONC    requests in flight (default 32)\n"
          "  -r ROUNDS  timed runs per client and protocol (default 3); the best counts\n"
          "  -w WARMUP  untimed GETs before (default 500; Go and httpx in each process)\n"
          "  -p PROTO   only h1 (HTTP/1.1) or only h2 (HTTP/2 over TLS); default both\n"
          "  -o CLIENT  profiling aid: only coreapi or libcurl, no result lines\n"
          "  -f         also time coreapi with a new batch (new connections) per run\n"
          "  -P PYTHON  the Python with httpx (default " DEFAULT_PYTHON ")\n"
          "  -S SCRIPT  the httpx client (default " COREAPI_BENCH_HTTPX ")\n"
          "  -g GO      the go tool (default " GO_PATH ")\n");
}

static int parse_options(bench *b, int argc, char **argv) {
  int opt, protos = 3;
  while ((opt = getopt(argc, argv, "n:c:r:w:p:o:fP:S:g:h")) != -1) {
    switch (opt) {
      case 'n': b->n = parse_count(optarg, "-n", 1, 10000000L); break;
      case 'c': b->conc = (unsigned)parse_count(optarg, "-c", 1, COREAPI_BATCH_MAX_IN_FLIGHT);
        break;
      case 'r': b->rounds = (int)parse_count(optarg, "-r", 1, 64); break;
      case 'w': b->warmup = parse_count(optarg, "-w", 1, 10000000L); break;
      case 'p': protos = parse_choice(optarg, "-p", "h1", "h2") ? 2 : 1; break;
      case 'o': b->only = parse_choice(optarg, "-o", "coreapi", "libcurl") ? C_LIBCURL : C_COREAPI;
        break;
      case 'f': b->fresh = 1; break;
      case 'P': b->python = optarg; break;
      case 'S': b->script = optarg; break;
      case 'g': b->go = optarg; break;
      case 'h': usage(stdout); exit(0);
      default: usage(stderr); exit(2);
    }
  }
  if (optind != argc)
    usage(stderr), exit(2);
  return protos;
}

/* Signals, the temp dir, certificates, nginx and the 401 probes. */
static void setup(bench *b, proto *h1, proto *h2) {
  const char *tmp = getenv("TMPDIR");
  struct sigaction sa;
  int plain, tls;
  memset(&sa, 0, sizeof(sa));
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, NULL), sigaction(SIGTERM, &sa, NULL), sigaction(SIGHUP, &sa, NULL);
  signal(SIGPIPE, SIG_IGN);
  if (access(NGINX_PATH, X_OK) != 0)
    die("%s not found (Debian: apt-get install nginx-light)", NGINX_PATH);
  if (b->only < 0 && (access(b->python, X_OK) != 0 || access(b->script, R_OK) != 0))
    die("%s or %s not found (-P, -S)", b->python, b->script);
  if (tmp == NULL || tmp[0] == '\0' || strlen(tmp) > 150)
    tmp = "/tmp";
  snprintf(g_dir, sizeof(g_dir), "%s/coreapi-bench.XXXXXX", tmp);
  if (mkdtemp(g_dir) == NULL)
    g_dir[0] = '\0', die("mkdtemp: %s", strerror(errno));
  make_certs();
  in_dir(b->ca, "ca.pem"), in_dir(b->body, "www" JSON_PATH);
  if (b->only < 0)
    build_go(b);
  start_nginx(&plain, &tls);
  snprintf(h1->url, sizeof(h1->url), "http://127.0.0.1:%d%s", plain, JSON_PATH);
  snprintf(h2->url, sizeof(h2->url), "https://127.0.0.1:%d%s", tls, JSON_PATH);
  probe(h1->url, b->ca), probe(h2->url, b->ca);
  printf("parallel: nginx %d on 127.0.0.1:%d (HTTP/1.1) and :%d (HTTP/2, TLS), %s, %zu bytes of "
         "JSON, Token auth checked\n", (int)g_nginx, plain, tls, JSON_PATH, JSON_LEN);
}

int main(int argc, char **argv) {
  bench b = {.n = 4000, .warmup = 500, .conc = 32, .rounds = 3, .only = -1,
             .python = DEFAULT_PYTHON, .script = COREAPI_BENCH_HTTPX, .go = GO_PATH};
  proto h1 = {"h1", "parallel", "HTTP/1.1", 0, ""}, h2 = {"h2", "parallel_h2", "HTTP/2.0", 1, ""};
  int protos = parse_options(&b, argc, argv);
  if (curl_global_init(CURL_GLOBAL_ALL) != CURLE_OK)
    die("curl_global_init failed");
  setup(&b, &h1, &h2);
  print_build(curl_version());
  printf("parallel: N=%ld GETs per timed run, %u in flight, %d rounds (best counts), warm-up "
         "%ld\n", b.n, b.conc, b.rounds, b.warmup);
  fflush(stdout);
  b.client = coreapi_init(b.ca);
  if (protos & 2)
    run_protocol(&b, &h2);
  if (protos & 1)
    run_protocol(&b, &h1);
  coreapi_client_free(b.client);
  cleanup();
  curl_global_cleanup();
  return 0;
}
