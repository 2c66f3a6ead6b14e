/*
 * test_download_stream.c - downloads streamed to files through a real server (run
 * under servers.py --redirect; the redirect server's /download path sends N
 * bytes of a known pattern with a chosen Content-Type and
 * Content-Disposition, and with stall=1 stops after half):
 *   - 20 MB stream to the right name with the exact bytes, while the peak
 *     RSS grows by far less than 20 MB (the body is never in memory whole);
 *   - after a redirect the name comes from the final URL;
 *   - an existing name gets " (1)", " (2)"; the existing file is untouched;
 *   - Content-Disposition filename* (UTF-8) and raw UTF-8 filename, and a
 *     path-traversal name that stays inside the directory;
 *   - a 404 or 500 leaves no file; a transfer that times out mid-body leaves
 *     neither a partial file nor a temporary one;
 *   - the sink used directly with coreapi_client_send_to, and over HTTPS.
 */
#define _POSIX_C_SOURCE 200809L
#include <coreapi/coreapi.h>
#include <coreapi/download.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "files.h"

static const char *http_port, *https_port, *ca, *tmpdir;
static char base[64]; /* http://127.0.0.1:PORT */

/* The server's pattern: byte i = (P[i % 65536] + i / 65536) % 256 with
 * P[j] = ((j * 167) ^ (j >> 8)) % 256. */
static unsigned char pattern_byte(uint64_t i) {
  uint64_t j = i % 65536;
  return (unsigned char)((((j * 167) ^ (j >> 8)) + i / 65536) & 0xFF);
}

/* Does the file at path hold exactly size bytes of the pattern? Read in
 * pieces, so checking does not bloat memory either. */
static int file_matches_pattern(const char *path, uint64_t size) {
  static unsigned char buf[65536];
  uint64_t pos = 0;
  int fd = open(path, O_RDONLY), ok = 1;
  ssize_t n;
  if (fd < 0)
    return 0;
  while (ok && (n = read(fd, buf, sizeof buf)) > 0) {
    for (ssize_t k = 0; k < n; k++) {
      if (buf[k] != pattern_byte(pos + (uint64_t)k)) {
        fprintf(stderr, "%s: byte %llu differs\n", path, (unsigned long long)(pos + k));
        ok = 0;
        break;
      }
    }
    pos += (uint64_t)n;
  }
  close(fd);
  if (pos != size) {
    fprintf(stderr, "%s: %llu bytes, expected %llu\n", path, (unsigned long long)pos,
            (unsigned long long)size);
    ok = 0;
  }
  return ok;
}

/* Percent-encode s for a query value (everything but unreserved). */
static char *enc(const char *s) {
  static const char hex[] = "0123456789ABCDEF";
  char *out = malloc(strlen(s) * 3 + 1), *o = out;
  REQUIRE(out != NULL);
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
        c == '-' || c == '.' || c == '_' || c == '~') {
      *o++ = (char)c;
    } else {
      *o++ = '%';
      *o++ = hex[c >> 4];
      *o++ = hex[c & 15];
    }
  }
  *o = '\0';
  return out;
}

static coreapi_client *new_client(void) {
  char entry[64];
  coreapi_client *c = coreapi_client_new(NULL);
  REQUIRE(c != NULL);
  snprintf(entry, sizeof entry, "api.test:%s:127.0.0.1", https_port);
  REQUIRE(coreapi_client_add_resolve(c, entry, NULL) == COREAPI_OK);
  REQUIRE(coreapi_client_set_ca_bundle(c, ca, NULL) == COREAPI_OK);
  return c;
}

static long max_rss_kb(void) {
  struct rusage ru;
  REQUIRE(getrusage(RUSAGE_SELF, &ru) == 0);
  return ru.ru_maxrss;
}

static void test_big_stream(void) {
  const uint64_t size = 20u * 1024 * 1024;
  char *dir = make_dir(tmpdir, "big"), *path = NULL, *expect, url[256];
  coreapi_client *c = new_client();
  coreapi_response *resp = NULL;
  coreapi_error err;
  size_t body_len = 1;
  long before, after;

  /* Warm up (connection, libcurl's buffers) before measuring. */
  snprintf(url, sizeof url, "%s/download?name=warm.bin&size=100000", base);
  CHECK_INT(coreapi_client_download(c, url, dir, &path, NULL, &err), COREAPI_OK);
  free(path);
  path = NULL;

  before = max_rss_kb();
  snprintf(url, sizeof url, "%s/download?name=big.bin&size=%llu", base,
           (unsigned long long)size);
  CHECK_INT(coreapi_client_download(c, url, dir, &path, &resp, &err), COREAPI_OK);
  after = max_rss_kb();
  if (err.code != COREAPI_OK)
    fprintf(stderr, "big download: %s\n", err.text);
  expect = path_in(dir, "big.bin");
  CHECK_STR(path, expect);
  REQUIRE(resp != NULL);
  CHECK_INT(coreapi_response_status(resp), 200);
  CHECK_STR(coreapi_response_header(resp, "Content-Disposition"),
            "attachment; filename=\"big.bin\"");
  coreapi_response_body(resp, &body_len);
  CHECK_INT(body_len, 0); /* the body went to the file only */
  CHECK(file_matches_pattern(expect, size));
  fprintf(stderr, "20 MB download: peak RSS %ld kB -> %ld kB (+%ld kB)\n", before, after,
          after - before);
  CHECK(after - before < 8 * 1024);
  CHECK_INT(count_entries(dir, NULL), 2); /* warm.bin, big.bin: no temporary file */
  coreapi_response_free(resp);
  coreapi_client_free(c);
  free(expect);
  free(path);
  free(dir);
}

/* Download base + target (+ value percent-encoded, when not NULL) into dir:
 * the file must be dir/name and, when size is not 0, hold size bytes of the
 * pattern. */
static void expect_name(coreapi_client *c, const char *dir, const char *target,
                        const char *value, const char *name, uint64_t size) {
  char url[512], *e = value ? enc(value) : NULL, *path = NULL, *p;
  coreapi_error err;
  coreapi_code rc;
  coreapi_error_clear(&err);
  snprintf(url, sizeof url, "%s%s%s", base, target, e ? e : "");
  free(e);
  rc = coreapi_client_download(c, url, dir, &path, NULL, &err);
  CHECK_INT(rc, COREAPI_OK);
  if (rc != COREAPI_OK)
    fprintf(stderr, "  ^ %s: %s\n", url, err.text);
  p = path_in(dir, name);
  CHECK_STR(path, p);
  if (size != 0)
    CHECK(file_matches_pattern(p, size));
  free(p);
  free(path);
}

static void test_names_from_server(void) {
  char *dir = make_dir(tmpdir, "names"), *path = NULL, *p, *e1, *e2, url[512];
  coreapi_client *c = new_client();
  coreapi_response *resp = NULL;
  coreapi_error err;

  /* A redirect: the name comes from the final URL, not the first. */
  snprintf(url, sizeof url, "%s/download/final-name.bin?size=1000", base);
  e1 = enc(url);
  snprintf(url, sizeof url, "%s/redirect?code=302&to=%s", base, e1);
  free(e1);
  CHECK_INT(coreapi_client_download(c, url, dir, &path, &resp, &err), COREAPI_OK);
  p = path_in(dir, "final-name.bin");
  CHECK_STR(path, p);
  CHECK(file_matches_pattern(p, 1000));
  free(p);
  free(path);
  REQUIRE(resp != NULL);
  CHECK_INT(coreapi_response_redirects(resp), 1);
  CHECK(strstr(coreapi_response_url(resp), "/download/final-name.bin") != NULL);
  coreapi_response_free(resp);

  /* No Content-Disposition, no extension in the URL: one from the type. */
  expect_name(c, dir, "/download/report?size=10&type=application/pdf", NULL, "report.pdf", 0);

  /* filename* (UTF-8) wins over filename. */
  expect_name(c, dir, "/download?size=5&disposition=",
              "attachment; filename=\"ete.txt\"; filename*=UTF-8''%C3%A9t%C3%A9.txt",
              "\303\251t\303\251.txt", 5);

  /* A raw UTF-8 filename. */
  expect_name(c, dir, "/download?size=3&disposition=",
              "attachment; filename=\"r\303\251sum\303\251.pdf\"", "r\303\251sum\303\251.pdf", 0);

  /* Path traversal stays inside the directory. */
  expect_name(c, dir, "/download?size=4&name=", "../../escaped.sh", "escaped.sh", 0);
  p = path_in(tmpdir, "escaped.sh");
  CHECK(access(p, F_OK) != 0);
  free(p);

  /* An existing name gets " (1)", then " (2)"; the original is untouched. */
  p = path_in(dir, "dup.txt");
  {
    FILE *f = fopen(p, "w");
    REQUIRE(f != NULL);
    fputs("original", f);
    fclose(f);
  }
  snprintf(url, sizeof url, "%s/download?size=7&name=dup.txt&type=text/plain", base);
  CHECK_INT(coreapi_client_download(c, url, dir, &path, NULL, &err), COREAPI_OK);
  e1 = path_in(dir, "dup (1).txt");
  CHECK_STR(path, e1);
  CHECK(file_matches_pattern(e1, 7));
  free(path);
  CHECK_INT(coreapi_client_download(c, url, dir, &path, NULL, &err), COREAPI_OK);
  e2 = path_in(dir, "dup (2).txt");
  CHECK_STR(path, e2);
  free(path);
  CHECK_STR(slurp(p), "original");
  free(p);
  free(e1);
  free(e2);
  CHECK_INT(count_entries(dir, NULL), 8);
  coreapi_client_free(c);
  free(dir);
}

static void test_errors_leave_nothing(void) {
  char *dir = make_dir(tmpdir, "errors"), *path = (char *)"x", url[256];
  coreapi_client *c = new_client();
  coreapi_response *resp = NULL;
  coreapi_error err;
  static const int codes[] = {404, 500};

  for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
    snprintf(url, sizeof url, "%s/status?code=%d", base, codes[i]);
    CHECK_INT(coreapi_client_download(c, url, dir, &path, &resp, &err), COREAPI_OK);
    CHECK(path == NULL);
    REQUIRE(resp != NULL);
    CHECK_INT(coreapi_response_status(resp), codes[i]);
    coreapi_response_free(resp);
    resp = NULL;
    CHECK_INT(count_entries(dir, NULL), 0);
  }

  /* Timeout mid-body: the server sends half of 4 MB and stalls. */
  CHECK_INT(coreapi_client_set_timeout_ms(c, 1500, NULL), COREAPI_OK);
  snprintf(url, sizeof url, "%s/download?name=partial.bin&size=4000000&stall=1", base);
  path = (char *)"x";
  resp = (coreapi_response *)&err;
  CHECK_INT(coreapi_client_download(c, url, dir, &path, &resp, &err), COREAPI_ERR_TIMEOUT);
  CHECK_INT(err.code, COREAPI_ERR_TIMEOUT);
  CHECK(path == NULL);
  CHECK(resp == NULL);
  CHECK_INT(count_entries(dir, NULL), 0); /* no partial.bin, no temporary file */

  /* Connection refused before anything arrived. */
  CHECK_INT(coreapi_client_download(c, "http://127.0.0.1:9/x.bin", dir, &path, NULL, &err),
            COREAPI_ERR_CONNECT);
  CHECK_INT(count_entries(dir, NULL), 0);
  coreapi_client_free(c);
  free(dir);
}

/* The sink with coreapi_client_send_to, over HTTPS. */
static void test_sink_direct(void) {
  char *dir = make_dir(tmpdir, "sink"), *path = NULL, *p, url[256];
  coreapi_client *c = new_client();
  coreapi_request *req;
  coreapi_response *resp = NULL;
  coreapi_download *d;
  coreapi_error err;

  snprintf(url, sizeof url, "https://api.test:%s/download/data?size=300000&type=image/png",
           https_port);
  req = coreapi_request_new("GET", url, NULL);
  REQUIRE(req != NULL);
  d = coreapi_download_new(dir, &err);
  REQUIRE(d != NULL);
  CHECK_INT(coreapi_client_send_to(c, req, coreapi_download_sink(), d, &resp, &err),
            COREAPI_OK);
  REQUIRE(resp != NULL);
  CHECK_INT(coreapi_response_status(resp), 200);
  CHECK_INT(count_entries(dir, NULL), 1); /* the temporary file, not yet published */
  CHECK_INT(coreapi_download_finish(d, &path, &err), COREAPI_OK);
  p = path_in(dir, "data.png");
  CHECK_STR(path, p);
  CHECK(file_matches_pattern(p, 300000));
  CHECK_INT(count_entries(dir, NULL), 1);
  free(p);
  free(path);
  coreapi_response_free(resp);
  coreapi_download_free(d);
  coreapi_request_free(req);
  coreapi_client_free(c);
  free(dir);
}

int main(void) {
  http_port = getenv("COREAPI_TEST_REDIRECT_HTTP_PORT");
  https_port = getenv("COREAPI_TEST_REDIRECT_HTTPS_PORT");
  ca = getenv("COREAPI_TEST_CA");
  tmpdir = getenv("COREAPI_TEST_TMPDIR");
  REQUIRE(http_port != NULL && https_port != NULL && ca != NULL && tmpdir != NULL);
  snprintf(base, sizeof base, "http://127.0.0.1:%s", http_port);

  test_big_stream();
  test_names_from_server();
  test_errors_leave_nothing();
  test_sink_direct();
  return check_done("test_download_stream");
}
