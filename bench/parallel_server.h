/*
 * bench/parallel_server.h - bench/parallel's server side: its temp dir and
 * child processes (stopped by cleanup on every exit), the throwaway CA and
 * certificate openssl makes, and the loopback nginx that serves the JSON
 * document over HTTP/1.1 and over HTTP/2 with TLS and checks the token
 * (probe proves it does).
 *
 * Included once, by bench/parallel.c, after bench/common.h (its die and
 * read_more).
 */
#ifndef COREAPI_BENCH_PARALLEL_SERVER_H
#define COREAPI_BENCH_PARALLEL_SERVER_H

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
#include <curl/curl.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "children.h"

#define OPENSSL_PATH "/usr/bin/openssl"

/* nginx's configuration, for snprintf: every %s is the temp dir, then the
 * plain port, the TLS port, and the temp dir 3 times. */
#define NGINX_CONF \
    "# Written by bench/parallel; runs as\n" \
    "#   nginx -c THIS -p DIR -g 'daemon off; master_process off;'\n" \
    "pid %s/nginx.pid;\nerror_log %s/error.log warn;\n" \
    "events { worker_connections 4096; }\n" \
    "http {\n" \
    "    access_log off;\n    server_tokens off;\n    etag off;\n" \
    "    client_body_temp_path %s/client_body;\n    proxy_temp_path %s/proxy;\n" \
    "    fastcgi_temp_path %s/fastcgi;\n    uwsgi_temp_path %s/uwsgi;\n" \
    "    scgi_temp_path %s/scgi;\n" \
    "    types { application/json json; }\n    default_type application/octet-stream;\n" \
    "    keepalive_requests 1000000;\n    keepalive_timeout 600s;\n" \
    "    http2_max_concurrent_streams 128;\n" \
    "    server {\n" \
    "        listen 127.0.0.1:%d;\n        listen 127.0.0.1:%d ssl http2;\n" \
    "        ssl_certificate %s/server.pem;\n        ssl_certificate_key %s/server.key;\n" \
    "        root %s/www;\n" \
    "        location / {\n" \
    "            if ($http_authorization != \"Token " TOKEN "\") { return 401; }\n" \
    "            add_header X-Connection $connection always;\n" \
    "            add_header X-Protocol $server_protocol always;\n" \
    "        }\n" \
    "    }\n" \
    "}\n"

/* --- state that cleanup needs, and cleanup -------------------------------- */

/* --- files and child processes (children.h has the rest) --------------------------------------------- */

/* DIR/name into out (512 bytes). */
static char *in_dir(char *out, const char *name) {
  snprintf(out, 512, "%s/%s", g_dir, name);
  return out;
}

/* Runs argv to its end, at most limit_s seconds, its stdout into out (size
 * bytes, NUL-terminated), its stderr to log (NULL: ours). Dies unless it
 * exits with 0. Returns the last line of its output. */
static const char *run_child(char *const argv[], char *const env[], const char *log,
                             double limit_s, char *out, size_t size) {
  int fd, status = 0;
  size_t used = 0;
  double deadline = now_s() + limit_s;
  char *line;
  g_child = spawn(argv, env, log, &fd);
  for (;;) {
    struct pollfd pfd = {fd, POLLIN, 0};
    int left = (int)((deadline - now_s()) * 1000.0), r;
    if (left <= 0)
      die("%s: no result within %.0f s", argv[0], limit_s);
    r = poll(&pfd, 1, left);
    check_stop();
    if (r > 0 && !read_more(fd, out, size, &used))
      break;
  }
  close(fd);
  out[used] = '\0';
  reap(g_child, 10000, &status);
  g_child = -1;
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    show_file(log);
    die("%s %s failed (status %d): %s", argv[0], argv[1] ? argv[1] : "",
        WIFEXITED(status) ? WEXITSTATUS(status) : -1, out);
  }
  while (used > 0 && out[used - 1] == '\n')
    out[--used] = '\0';
  line = strrchr(out, '\n');
  return line ? line + 1 : out;
}

/* A throwaway CA (ca.pem) and a certificate for 127.0.0.1 it signed
 * (server.pem, server.key), P-256, valid two days. */
static void make_certs(void) {
  char ca[512], ca_key[512], key[512], csr[512], crt[512], ext[512], log[512], out[4096];
  char *new_ca[] = {OPENSSL_PATH, "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", in_dir(ca_key, "ca.key"),
                    "-out", in_dir(ca, "ca.pem"), "-days", "2", "-subj", "/CN=coreapi bench CA",
                    "-addext", "basicConstraints=critical,CA:TRUE",
                    "-addext", "keyUsage=critical,keyCertSign,cRLSign", NULL};
  char *new_csr[] = {OPENSSL_PATH, "req", "-new", "-newkey", "ec", "-pkeyopt",
                     "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", in_dir(key, "server.key"),
                     "-out", in_dir(csr, "server.csr"), "-subj", "/CN=127.0.0.1", NULL};
  char *sign[] = {OPENSSL_PATH, "x509", "-req", "-in", csr, "-CA", ca, "-CAkey", ca_key,
                  "-CAcreateserial", "-out", in_dir(crt, "server.pem"), "-days", "2",
                  "-extfile", in_dir(ext, "server.ext"), NULL};
  static const char exts[] = "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n"
                             "keyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n";
  if (access(OPENSSL_PATH, X_OK) != 0)
    die("%s not found (Debian: apt-get install openssl)", OPENSSL_PATH);
  write_file(ext, exts, sizeof(exts) - 1);
  in_dir(log, "openssl.log");
  run_child(new_ca, NULL, log, 60, out, sizeof(out));
  run_child(new_csr, NULL, log, 60, out, sizeof(out));
  run_child(sign, NULL, log, 60, out, sizeof(out));
}

/* --- nginx ----------------------------------------------------------------- */

/* Start nginx on two free ports, plain and TLS (retrying a few times in
 * case another process takes a port first); returns 0 once both listen. */
static int start_nginx(int *plain, int *tls) {
  char conf[4096], conf_path[512], prefix[512], err_log[512], out[512], www[512];
  const char *d = g_dir;
  in_dir(out, "nginx.out"), in_dir(err_log, "error.log"), in_dir(conf_path, "nginx.conf");
  if (mkdir(in_dir(www, "www"), 0755) != 0 || mkdir(in_dir(www, "www/snippets"), 0755) != 0)
    die("cannot create %s: %s", www, strerror(errno));
  write_file(in_dir(www, "www" JSON_PATH), json_body, JSON_LEN);
  snprintf(prefix, sizeof(prefix), "%s/", d);
  for (int attempt = 0; attempt < 5; attempt++) {
    char *argv[] = {NGINX_PATH, "-c", conf_path, "-p", prefix, "-e", err_log,
                    "-g", "daemon off; master_process off;", NULL};
    double deadline = now_s() + 10.0;
    int n, status;
    *plain = free_port();
    while ((*tls = free_port()) == *plain)
      ;
    n = snprintf(conf, sizeof(conf), NGINX_CONF, d, d, d, d, d, d, d, *plain, *tls, d, d, d);
    if (n < 0 || (size_t)n >= sizeof(conf))
      die("temp dir path too long");
    write_file(conf_path, conf, (size_t)n);
    g_nginx = spawn(argv, NULL, out, NULL);
    while (now_s() < deadline && g_nginx > 0) {
      check_stop();
      if (waitpid(g_nginx, &status, WNOHANG) == g_nginx)
        g_nginx = -1;
      else if (port_open(*plain) && port_open(*tls))
        return 0;
      else
        nanosleep(&(struct timespec){0, 20 * 1000 * 1000}, NULL);
    }
    show_file(out), show_file(err_log);
    if (g_nginx > 0)
      die("nginx did not listen on 127.0.0.1:%d and :%d within 10 s", *plain, *tls);
    fprintf(stderr, "parallel: nginx exited at start (attempt %d)\n", attempt + 1);
  }
  die("could not start %s", NGINX_PATH);
}

/* nginx's CPU time so far (user + system), in clock ticks. */
static long nginx_ticks(void) {
  char path[64], buf[1024], *p;
  unsigned long ut = 0, st = 0;
  size_t n;
  FILE *f;
  snprintf(path, sizeof(path), "/proc/%d/stat", (int)g_nginx);
  if ((f = fopen(path, "r")) == NULL)
    return -1;
  n = fread(buf, 1, sizeof(buf) - 1, f);
  fclose(f);
  buf[n] = '\0';
  p = strrchr(buf, ')');
  if (p == NULL || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut,
                          &st) != 2)
    return -1;
  return (long)(ut + st);
}

/* A body dropped (for the probe). */
static size_t drop_body(char *data, size_t size, size_t nmemb, void *userp) {
  (void)data, (void)userp;
  return size * nmemb;
}

/* A GET without the token must get 401 from url (with the CA file ca):
 * proves the check works. */
static void probe(const char *url, const char *ca) {
  CURL *h = curl_easy_init();
  long status = 0;
  CURLcode cc;
  if (h == NULL)
    die("curl_easy_init failed");
  curl_easy_setopt(h, CURLOPT_URL, url);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, drop_body);
  curl_easy_setopt(h, CURLOPT_CAINFO, ca);
  if ((cc = curl_easy_perform(h)) != CURLE_OK)
    die("a probe GET to %s failed: %s", url, curl_easy_strerror(cc));
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_cleanup(h);
  if (status != 401)
    die("nginx answered %ld without the token, expected 401", status);
}

#endif
