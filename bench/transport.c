/*
 * bench/transport.c - requests per second of coreapi_client against a plain
 * libcurl loop and the Python reference client, on one loopback nginx.
 *
 * It starts nginx itself (a child process, config and files in a private temp
 * dir, a free 127.0.0.1 port), serving a small JSON file that only a request
 * with the right "Authorization: Token ..." header gets (anything else is a
 * 401). After a warm-up, for ROUNDS rounds:
 *
 *   coreapi  N GETs through one coreapi_client with coreapi_auth_token_new
 *   libcurl  N GETs through one reused easy handle, the same URL, the same
 *            request bytes (User-Agent and Authorization in a
 *            CURLOPT_HTTPHEADER list), the body collected into a buffer
 *   python   PY_N client.get() calls of python3-coreapi with
 *            TokenAuthentication(scheme='Token'), in transport_reference.py
 *
 * coreapi and libcurl alternate in SLICES slices within a round, so that both
 * see the same background load; python runs first in odd rounds, last in even
 * ones. Every response is checked (status 200, the exact body), and so is
 * keep-alive (one connection per client over a timed run). The rate reported
 * for each client is the median of its rounds. The last line is
 *
 *   transport: coreapi=R libcurl=R python=R ratio_libcurl=X ratio_python=Y
 *
 * (-o coreapi or -o libcurl runs one C client alone, for profiling.)
 *
 * nginx is stopped and the temp dir removed at the end, on failure and on
 * SIGINT/SIGTERM/SIGHUP. This is a benchmark, not a CTest test.
 */
#define _XOPEN_SOURCE 700 /* nftw */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include <curl/curl.h>
#include <coreapi/coreapi.h>

#define BENCH_NAME "transport"
#ifndef COREAPI_BENCH_REFERENCE
#define COREAPI_BENCH_REFERENCE "bench/transport_reference.py"
#endif
#include "common.h"
#include "children.h"

#define USER_AGENT "coreapi" /* what coreapi_client sends by default */

/* The nginx configuration, a format for snprintf: the temp dir (7 times),
 * the port, the temp dir. */
#define NGINX_CONF \
    "# Written by bench/transport; runs as\n" \
    "#   nginx -c THIS -p DIR -g 'daemon off; master_process off;'\n" \
    "pid %s/nginx.pid;\n" \
    "error_log %s/error.log warn;\n" \
    "events {\n" \
    "    worker_connections 64;\n" \
    "}\n" \
    "http {\n" \
    "    access_log off;\n" \
    "    client_body_temp_path %s/client_body;\n" \
    "    proxy_temp_path %s/proxy;\n" \
    "    fastcgi_temp_path %s/fastcgi;\n" \
    "    uwsgi_temp_path %s/uwsgi;\n" \
    "    scgi_temp_path %s/scgi;\n" \
    "    server_tokens off;\n" \
    "    types { application/json json; }\n" \
    "    default_type application/octet-stream;\n" \
    "    keepalive_requests 1000000;\n" \
    "    keepalive_timeout 600s;\n" \
    "    etag off;\n" \
    "    server {\n" \
    "        listen 127.0.0.1:%d;\n" \
    "        root %s/www;\n" \
    "        location / {\n" \
    "            if ($http_authorization != \"Token " TOKEN "\") {\n" \
    "                return 401;\n" \
    "            }\n" \
    "            add_header X-Connection $connection always;\n" \
    "        }\n" \
    "    }\n" \
    "}\n"

/* --- files (the temp dir, child processes, ports: children.h) -------------- */

static void make_dir(const char *path) {
  if (mkdir(path, 0755) != 0)
    die("cannot create %s: %s", path, strerror(errno));
}

/* --- nginx ----------------------------------------------------------------- */

/* Start nginx on a free port; returns the port. Retries a few times in case
 * another process took the port between our check and nginx's bind. */
static int start_nginx(void) {
  char path[512], conf[4096], out[512];
  const char *d = g_dir;
  int n;

  snprintf(path, sizeof(path), "%s/www", d);
  make_dir(path);
  snprintf(path, sizeof(path), "%s/www/snippets", d);
  make_dir(path);
  snprintf(path, sizeof(path), "%s/www%s", d, JSON_PATH);
  write_file(path, json_body, JSON_LEN);
  snprintf(out, sizeof(out), "%s/nginx.out", d);

  for (int attempt = 0; attempt < 5; attempt++) {
    int port = free_port(), status;
    char conf_path[512], prefix[512], err_log[512];
    double deadline;
    n = snprintf(conf, sizeof(conf), NGINX_CONF, d, d, d, d, d, d, d, port, d);
    if (n < 0 || (size_t)n >= sizeof(conf))
      die("temp dir path too long");
    snprintf(conf_path, sizeof(conf_path), "%s/nginx.conf", d);
    snprintf(prefix, sizeof(prefix), "%s/", d);
    snprintf(err_log, sizeof(err_log), "%s/error.log", d);
    write_file(conf_path, conf, (size_t)n);
    {
      char *argv[] = {NGINX_PATH, "-c", conf_path, "-p", prefix, "-e", err_log,
                      "-g", "daemon off; master_process off;", NULL};
      g_nginx = spawn(argv, NULL, out, NULL);
    }
    deadline = now_s() + 10.0;
    while (now_s() < deadline) {
      check_stop();
      if (waitpid(g_nginx, &status, WNOHANG) == g_nginx) {
        g_nginx = -1;
        break;
      }
      if (port_open(port))
        return port;
      nanosleep(&(struct timespec){0, 20 * 1000 * 1000}, NULL);
    }
    if (g_nginx > 0) {
      show_file(out);
      show_file(err_log);
      die("nginx did not listen on 127.0.0.1:%d within 10 s", port);
    }
    fprintf(stderr, "transport: nginx exited at start (attempt %d)\n", attempt + 1);
    show_file(out);
    show_file(err_log);
  }
  die("could not start %s", NGINX_PATH);
}

/* --- the libcurl loop ------------------------------------------------------ */

typedef struct buffer {
  char *data;
  size_t len, cap;
} buffer;

static size_t on_write(char *data, size_t size, size_t nmemb, void *userp) {
  buffer *b = userp;
  size_t n = size * nmemb;
  if (b->len + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 1024;
    char *p;
    while (cap < b->len + n + 1)
      cap *= 2;
    if ((p = realloc(b->data, cap)) == NULL)
      return 0;
    b->data = p;
    b->cap = cap;
  }
  memcpy(b->data + b->len, data, n);
  b->len += n;
  b->data[b->len] = '\0';
  return n;
}

typedef struct plain {
  CURL *curl;
  struct curl_slist *headers;
  buffer body;
} plain;

static void plain_init(plain *p, const char *url) {
  memset(p, 0, sizeof(*p));
  p->curl = curl_easy_init();
  /* In the order coreapi_client sends them: the same bytes on the wire. */
  p->headers = curl_slist_append(NULL, "User-Agent: " USER_AGENT);
  if (p->headers != NULL)
    p->headers = curl_slist_append(p->headers, "Authorization: Token " TOKEN);
  if (p->curl == NULL || p->headers == NULL)
    die("cannot initialise libcurl");
  /* The options coreapi_client sets that matter for a plain GET: the same
   * request headers, byte for byte (Host, Accept, User-Agent: coreapi,
   * Authorization: Token ...), no signals, a 30 s timeout per transfer. */
  curl_easy_setopt(p->curl, CURLOPT_URL, url);
  curl_easy_setopt(p->curl, CURLOPT_HTTPHEADER, p->headers);
  curl_easy_setopt(p->curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(p->curl, CURLOPT_TIMEOUT_MS, 30000L);
  curl_easy_setopt(p->curl, CURLOPT_WRITEFUNCTION, on_write);
  curl_easy_setopt(p->curl, CURLOPT_WRITEDATA, &p->body);
}

static void plain_free(plain *p) {
  curl_easy_cleanup(p->curl);
  curl_slist_free_all(p->headers);
  free(p->body.data);
}

/* n GETs; dies on any failed check. Returns the seconds taken. With
 * keep_alive, every request must reuse the connection already open. */
static double run_libcurl(plain *p, long n, int keep_alive) {
  long new_connections = 0;
  double t0 = now_s(), t1;
  for (long i = 0; i < n; i++) {
    CURLcode cc;
    long status = 0, conns = 0;
    check_stop();
    p->body.len = 0;
    cc = curl_easy_perform(p->curl);
    if (cc != CURLE_OK)
      die("libcurl: request %ld: %s", i + 1, curl_easy_strerror(cc));
    curl_easy_getinfo(p->curl, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_getinfo(p->curl, CURLINFO_NUM_CONNECTS, &conns);
    new_connections += conns;
    if (status != 200 || p->body.len != JSON_LEN || memcmp(p->body.data, json_body, JSON_LEN) != 0)
      die("libcurl: request %ld: status %ld, %zu bytes (expected 200, %zu bytes)", i + 1,
          status, p->body.len, JSON_LEN);
  }
  t1 = now_s();
  if (keep_alive && new_connections > 0)
    die("libcurl: %ld new connections during %ld requests: keep-alive failed",
        new_connections, n);
  return t1 - t0;
}

/* --- the coreapi loop ------------------------------------------------------ */

static coreapi_client *coreapi_init(void) {
  coreapi_error err;
  coreapi_client *c = coreapi_client_new(&err);
  coreapi_auth *auth;
  if (c == NULL)
    die("coreapi_client_new: %s", err.text);
  auth = coreapi_auth_token_new(TOKEN, "Token", NULL, &err);
  if (auth == NULL)
    die("coreapi_auth_token_new: %s", err.text);
  if (coreapi_client_add_auth(c, auth, &err) != COREAPI_OK)
    die("coreapi_client_add_auth: %s", err.text);
  coreapi_auth_free(auth); /* the client holds its own reference */
  return c;
}

/* n GETs through the client; dies on any failed check. The X-Connection
 * header nginx adds is compared on the first and last response: connection
 * numbers only grow, so a reconnect in between changes it. */
static double run_coreapi(coreapi_client *c, const char *url, long n) {
  char first_conn[32] = "";
  double t0 = now_s(), t1;
  for (long i = 0; i < n; i++) {
    coreapi_error err;
    coreapi_response *resp = NULL;
    const char *body, *conn;
    size_t len = 0;
    long status;
    check_stop();
    if (coreapi_client_request(c, "GET", url, NULL, NULL, 0, &resp, &err) != COREAPI_OK)
      die("coreapi: request %ld: %s: %s", i + 1, coreapi_code_name(err.code), err.text);
    status = coreapi_response_status(resp);
    body = coreapi_response_body(resp, &len);
    if (status != 200 || len != JSON_LEN || memcmp(body, json_body, JSON_LEN) != 0)
      die("coreapi: request %ld: status %ld, %zu bytes (expected 200, %zu bytes)", i + 1, status,
          len, JSON_LEN);
    if (i == 0 || i == n - 1) {
      conn = coreapi_response_header(resp, "X-Connection");
      if (conn == NULL || strlen(conn) >= sizeof(first_conn))
        die("coreapi: request %ld: no X-Connection header", i + 1);
      if (i == 0)
        strcpy(first_conn, conn);
      else if (strcmp(first_conn, conn) != 0)
        die("coreapi: connection %s, then %s: keep-alive failed", first_conn, conn);
    }
    coreapi_response_free(resp);
  }
  t1 = now_s();
  return t1 - t0;
}

/* --- the Python reference -------------------------------------------------- */

/* Runs the reference script for n requests; returns its rate (req/s). */
static double run_python(const char *python, const char *script, const char *url, long n,
                         long warmup) {
  char n_s[32], len_s[32], warm_s[48], out[4096];
  size_t used = 0;
  int fd, status = 0;
  double deadline = now_s() + 600.0, rate;
  const char *line, *rate_s;
  char *end;

  snprintf(n_s, sizeof(n_s), "%ld", n);
  snprintf(len_s, sizeof(len_s), "%zu", JSON_LEN);
  snprintf(warm_s, sizeof(warm_s), "--warmup=%ld", warmup);
  {
    char *argv[] = {(char *)python, (char *)script, (char *)url, TOKEN, n_s, len_s, warm_s, NULL};
    g_child = spawn(argv, NULL, NULL, &fd);
  }
  for (;;) {
    struct pollfd pfd = {fd, POLLIN, 0};
    int left = (int)((deadline - now_s()) * 1000.0), r;
    if (left <= 0)
      die("python: no result within 600 s");
    r = poll(&pfd, 1, left);
    if (r < 0 && errno == EINTR) {
      check_stop();
      continue;
    }
    if (r <= 0)
      continue;
    if (!read_more(fd, out, sizeof(out), &used))
      break;
  }
  close(fd);
  out[used] = '\0';
  reap(g_child, 10000, &status);
  g_child = -1;
  /* The last line: "rate=R n=N seconds=S ..." */
  line = python_last_line(python, script, status, out, used);
  rate_s = strncmp(line, "rate=", 5) == 0 ? line + 5 : NULL;
  rate = rate_s ? strtod(rate_s, &end) : 0.0;
  if (rate_s == NULL || end == rate_s || rate <= 0.0)
    die("python: unexpected output: %s", out);
  return rate;
}

/* --- main ------------------------------------------------------------------ */

static double best(const double *v, int n) {
  double b = v[0];
  for (int i = 1; i < n; i++)
    if (v[i] > b)
      b = v[i];
  return b;
}

static void usage(FILE *f) {
  fprintf(f,
          "usage: transport [-n N] [-m PY_N] [-r ROUNDS] [-s SLICES] [-w WARMUP] [-o CLIENT]\n"
          "                 [-P PYTHON] [-S SCRIPT]\n"
          "  -n N       GETs per round for the C clients (default 20000)\n"
          "  -m PY_N    GETs per round for the Python reference (default 2000)\n"
          "  -r ROUNDS  rounds, the three clients interleaved (default 5); each client's\n"
          "             rate is the median of its rounds\n"
          "  -s SLICES  within a round, coreapi and libcurl alternate in SLICES slices of\n"
          "             N/SLICES GETs each (default 20), so that both see the same load\n"
          "  -w WARMUP  untimed GETs per client before the rounds (default 1000; python\n"
          "             warms up with min(WARMUP, 200) in each round, its own process)\n"
          "  -o CLIENT  profiling aid: run only coreapi or libcurl (N per round, no\n"
          "             python, no final transport: line)\n"
          "  -P PYTHON  the Python with python3-coreapi (default " DEFAULT_PYTHON ")\n"
          "  -S SCRIPT  the reference script (default " COREAPI_BENCH_REFERENCE ")\n");
}

enum { C_COREAPI, C_LIBCURL, C_PYTHON, C_COUNT };
static const char *const client_names[C_COUNT] = {"coreapi", "libcurl", "python"};

int main(int argc, char **argv) {
  long n = 20000, py_n = 2000, warmup = 1000, slices = 20;
  int rounds = 5, opt, only = -1;
  const char *python = DEFAULT_PYTHON, *script = COREAPI_BENCH_REFERENCE;
  const char *tmp = getenv("TMPDIR");
  char url[128];
  double rate[C_COUNT][64], secs[C_COUNT][64], med[C_COUNT];
  struct sigaction sa;
  coreapi_client *client;
  plain pl;
  int port;

  while ((opt = getopt(argc, argv, "n:m:r:s:w:o:P:S:h")) != -1) {
    switch (opt) {
      case 'n': n = parse_count(optarg, "-n", 1, 100000000L); break;
      case 'm': py_n = parse_count(optarg, "-m", 1, 10000000L); break;
      case 'r': rounds = (int)parse_count(optarg, "-r", 1, 64); break;
      case 's': slices = parse_count(optarg, "-s", 1, 1000000L); break;
      case 'w': warmup = parse_count(optarg, "-w", 1, 10000000L); break;
      case 'o':
        only = parse_choice(optarg, "-o", "coreapi", "libcurl") == 0 ? C_COREAPI : C_LIBCURL;
        break;
      case 'P': python = optarg; break;
      case 'S': script = optarg; break;
      case 'h': usage(stdout); return 0;
      default: usage(stderr); return 2;
    }
  }
  if (slices > n)
    slices = n;
  if (optind != argc) {
    usage(stderr);
    return 2;
  }
  if (access(NGINX_PATH, X_OK) != 0)
    die("%s not found (Debian: apt-get install nginx-light)", NGINX_PATH);
  if (only < 0 && access(python, X_OK) != 0)
    die("%s not found", python);
  if (only < 0 && access(script, R_OK) != 0)
    die("reference script %s not found (use -S)", script);

  memset(&sa, 0, sizeof(sa));
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGHUP, &sa, NULL);
  signal(SIGPIPE, SIG_IGN);

  if (tmp == NULL || tmp[0] == '\0' || strlen(tmp) > 150)
    tmp = "/tmp";
  snprintf(g_dir, sizeof(g_dir), "%s/coreapi-bench.XXXXXX", tmp);
  if (mkdtemp(g_dir) == NULL) {
    g_dir[0] = '\0';
    die("mkdtemp: %s", strerror(errno));
  }

  if (curl_global_init(CURL_GLOBAL_ALL) != CURLE_OK)
    die("curl_global_init failed");
  port = start_nginx();
  snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", port, JSON_PATH);

  /* The server refuses a request without the token: proves the check works. */
  {
    CURL *h = curl_easy_init();
    buffer b = {0};
    long status = 0;
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_write);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
    if (curl_easy_perform(h) != CURLE_OK)
      die("a probe GET to %s failed", url);
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup(h);
    free(b.data);
    if (status != 401)
      die("nginx answered %ld without the token, expected 401", status);
  }

  printf("transport: nginx on 127.0.0.1:%d serving %s (%zu bytes of JSON, Token auth checked)\n",
         port, JSON_PATH, JSON_LEN);
  print_build(curl_version());
  printf("transport: N=%ld GETs per round for coreapi and libcurl (alternating in %ld slices), "
         "%ld for python; %d rounds; warm-up %ld; rate = median of the rounds\n", n, slices, py_n,
         rounds, warmup);
  fflush(stdout);

  client = coreapi_init();
  plain_init(&pl, url);
  /* Warm-up: connections open, caches and allocator warm. */
  if (only != C_LIBCURL)
    run_coreapi(client, url, warmup);
  if (only != C_COREAPI)
    run_libcurl(&pl, warmup, 0);

  if (only >= 0) {
    /* Profiling mode: one C client alone, no final "transport:" line. */
    for (int r = 0; r < rounds; r++) {
      secs[only][r] = only == C_COREAPI ? run_coreapi(client, url, n) : run_libcurl(&pl, n, 1);
      rate[only][r] = (double)n / secs[only][r];
      printf("round %d: %s %.3f s (%.0f req/s)\n", r + 1, client_names[only], secs[only][r],
             rate[only][r]);
    }
    printf("%s alone: median %.0f req/s (best %.0f), %.1f us per request\n", client_names[only],
           median_of(rate[only], rounds), best(rate[only], rounds),
           1e6 / median_of(rate[only], rounds));
    coreapi_client_free(client);
    plain_free(&pl);
    cleanup();
    curl_global_cleanup();
    return 0;
  }

  for (int r = 0; r < rounds; r++) {
    /* Python first in odd rounds, last in even ones. */
    if (r % 2 == 0)
      rate[C_PYTHON][r] = run_python(python, script, url, py_n, warmup < 200 ? warmup : 200);
    /* The C clients alternate in slices, so that both see the same
     * background load; the one that goes first alternates too. */
    secs[C_COREAPI][r] = secs[C_LIBCURL][r] = 0.0;
    for (long s = 0; s < slices; s++) {
      long m = n / slices + (s < n % slices);
      if ((s + r) % 2 == 0) {
        secs[C_COREAPI][r] += run_coreapi(client, url, m);
        secs[C_LIBCURL][r] += run_libcurl(&pl, m, 1);
      } else {
        secs[C_LIBCURL][r] += run_libcurl(&pl, m, 1);
        secs[C_COREAPI][r] += run_coreapi(client, url, m);
      }
    }
    rate[C_COREAPI][r] = (double)n / secs[C_COREAPI][r];
    rate[C_LIBCURL][r] = (double)n / secs[C_LIBCURL][r];
    if (r % 2 == 1)
      rate[C_PYTHON][r] = run_python(python, script, url, py_n, warmup < 200 ? warmup : 200);
    secs[C_PYTHON][r] = (double)py_n / rate[C_PYTHON][r];
    printf("round %d: coreapi %.3f s (%.0f req/s), libcurl %.3f s (%.0f req/s), "
           "python %.3f s (%.0f req/s); coreapi/libcurl %.3f\n", r + 1, secs[C_COREAPI][r],
           rate[C_COREAPI][r], secs[C_LIBCURL][r], rate[C_LIBCURL][r], secs[C_PYTHON][r],
           rate[C_PYTHON][r], rate[C_COREAPI][r] / rate[C_LIBCURL][r]);
    fflush(stdout);
  }

  for (int k = 0; k < C_COUNT; k++) {
    med[k] = median_of(rate[k], rounds);
    printf("%s: median %.0f req/s (best %.0f), %.1f us per request\n", client_names[k], med[k],
           best(rate[k], rounds), 1e6 / med[k]);
  }
  printf("transport: coreapi=%.1f libcurl=%.1f python=%.1f ratio_libcurl=%.3f ratio_python=%.2f\n",
         med[C_COREAPI], med[C_LIBCURL], med[C_PYTHON], med[C_COREAPI] / med[C_LIBCURL],
         med[C_COREAPI] / med[C_PYTHON]);
  fflush(stdout);

  coreapi_client_free(client);
  plain_free(&pl);
  cleanup();
  curl_global_cleanup();
  return 0;
}
