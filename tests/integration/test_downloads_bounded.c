/*
 * test_downloads_bounded.c - bodies are bounded by what they decode to (run
 * under servers.py --hostile; hostile_server.py's /body sends N zero bytes
 * with chosen transfer and content codings, or a Content-Length that lies):
 *   - coreapi_client_set_max_filesize validates its arguments;
 *   - the double-gzip bomb of issue 9 (Transfer-Encoding: gzip, gzip,
 *     chunked; 373 bytes for 128 MiB) streamed to a file under a small limit
 *     fails with ERR_TOO_LARGE at once and leaves no file, through
 *     coreapi_client_download and through the download codec of
 *     coreapi_client_get; a sink never receives more than the limit, a body
 *     of exactly the limit passes, one byte more fails, and a Content-Length
 *     over it fails before the sink is even begun;
 *   - the default limit is 1 GiB exactly; 0 is no limit;
 *   - bodies kept in memory: the bomb fails with ERR_TOO_LARGE under the
 *     default max_body (64 MiB), counted on decoded bytes;
 *   - a content coding is kept (the file and the body are the gzip bytes the
 *     server sent, counted as such); unknown or too many transfer codings
 *     fail, leaving no file.
 */
#define _POSIX_C_SOURCE 200809L
#include <coreapi/coreapi.h>
#include <coreapi/download.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "check.h"
#include "files.h"

#define MIB (1024 * 1024)
#define BOMB "/body/bomb.bin?mib=128&te=gzip,gzip" /* 128 MiB from 373 bytes */

static const char *base, *tmpdir;

/* base + path (in a static buffer the next call reuses). */
static const char *url(const char *path) {
  static char buf[512];
  snprintf(buf, sizeof buf, "%s%s", base, path);
  return buf;
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static coreapi_client *new_client(int64_t max_filesize) {
  coreapi_client *c = coreapi_client_new(NULL);
  REQUIRE(c != NULL);
  if (max_filesize >= 0)
    REQUIRE(coreapi_client_set_max_filesize(c, max_filesize, NULL) == COREAPI_OK);
  return c;
}

static int64_t file_size(const char *path) {
  struct stat st;
  return stat(path, &st) == 0 ? (int64_t)st.st_size : -1;
}

/* A sink that counts what it is given; with client set, begin also tries
 * to change the limit in the middle of the request. */
typedef struct counter {
  uint64_t bytes;
  int begins;
  coreapi_client *client;
  coreapi_code set_rc;
} counter;

static coreapi_code count_begin(void *userdata, const coreapi_response *resp,
                                coreapi_error *err) {
  counter *k = userdata;
  (void)resp;
  (void)err;
  k->begins++;
  k->bytes = 0;
  if (k->client != NULL)
    k->set_rc = coreapi_client_set_max_filesize(k->client, 0, NULL);
  return COREAPI_OK;
}

static coreapi_code count_write(void *userdata, const void *data, size_t len,
                                coreapi_error *err) {
  counter *k = userdata;
  (void)data;
  (void)err;
  k->bytes += len;
  return COREAPI_OK;
}

static const coreapi_body_sink count_sink = {count_begin, count_write};

/* GET u into the counting sink; returns the code, the sink's tally in *k. */
static coreapi_code send_counted(coreapi_client *c, const char *u, counter *k,
                                 coreapi_error *err) {
  coreapi_request *req = coreapi_request_new("GET", u, NULL);
  coreapi_response *resp = NULL;
  coreapi_code rc;
  REQUIRE(req != NULL);
  rc = coreapi_client_send_to(c, req, &count_sink, k, &resp, err);
  coreapi_response_free(resp);
  coreapi_request_free(req);
  return rc;
}

static void test_setter(void) {
  coreapi_client *c = new_client(-1);
  counter k = {0, 0, NULL, COREAPI_OK};
  coreapi_error err;
  CHECK_INT(coreapi_client_set_max_filesize(NULL, 1, &err), COREAPI_ERR_INVALID_ARGUMENT);
  CHECK_INT(err.code, COREAPI_ERR_INVALID_ARGUMENT);
  CHECK_INT(coreapi_client_set_max_filesize(c, -1, &err), COREAPI_ERR_INVALID_ARGUMENT);
  CHECK(strstr(err.text, "negative") != NULL);
  CHECK_INT(coreapi_client_set_max_filesize(c, INT64_MIN, NULL), COREAPI_ERR_INVALID_ARGUMENT);
  CHECK_INT(coreapi_client_set_max_filesize(c, 0, &err), COREAPI_OK);
  CHECK_INT(err.code, COREAPI_OK);
  CHECK_INT(coreapi_client_set_max_filesize(c, INT64_MAX, NULL), COREAPI_OK);
  /* Not from a callback during a request; the request itself goes on. */
  k.client = c;
  CHECK_INT(send_counted(c, url("/body?size=10"), &k, &err), COREAPI_OK);
  CHECK_INT(k.set_rc, COREAPI_ERR_INVALID_ARGUMENT);
  CHECK_INT(k.bytes, 10);
  coreapi_client_free(c);
}

/* The bomb, streamed to a file under a 1 MiB limit: ERR_TOO_LARGE at once,
 * nothing left in the directory. */
static void test_bomb_download(void) {
  char *dir = make_dir(tmpdir, "bomb"), *path = (char *)"unset";
  coreapi_client *c = new_client(MIB);
  coreapi_response *resp = NULL;
  coreapi_error err;
  int temps = -1;
  double t0 = now_s();
  CHECK_INT(coreapi_client_download(c, url(BOMB), dir, &path, &resp, &err),
            COREAPI_ERR_TOO_LARGE);
  CHECK(now_s() - t0 < 10.0); /* not the 30 s hop timeout */
  CHECK_INT(err.code, COREAPI_ERR_TOO_LARGE);
  CHECK(strstr(err.text, "larger than 1048576 bytes") != NULL);
  CHECK(strstr(err.text, "streamed") != NULL);
  CHECK(path == NULL); /* was set: cleared on failure */
  CHECK(resp == NULL);
  CHECK_INT(count_entries(dir, &temps), 0);
  CHECK_INT(temps, 0);
  /* The same client goes on working (the connection was dropped cleanly). */
  CHECK_INT(coreapi_client_download(c, url("/body/small.bin?size=1000"), dir, &path, NULL,
                                    &err),
            COREAPI_OK);
  CHECK_INT(file_size(path), 1000);
  if (path != NULL)
    unlink(path);
  free(path);
  coreapi_client_free(c);
  free(dir);
}

/* The same through the Core API download codec (coreapi_client_get). */
static void test_bomb_codec(void) {
  char *dir = make_dir(tmpdir, "codec");
  coreapi_client *c = new_client(MIB);
  coreapi_result res;
  coreapi_error err;
  int temps = -1;
  REQUIRE(coreapi_client_set_download_dir(c, dir, NULL) == COREAPI_OK);
  CHECK_INT(coreapi_client_get(c, url(BOMB), NULL, &res, &err), COREAPI_ERR_TOO_LARGE);
  CHECK(res.file == NULL);
  CHECK(strstr(err.text, "1048576") != NULL);
  CHECK_INT(count_entries(dir, &temps), 0);
  CHECK_INT(temps, 0);
  coreapi_result_clear(&res);
  /* Forced download format, any Content-Type. */
  CHECK_INT(coreapi_client_get(c, url(BOMB "&type=application/json"), "download", &res, &err),
            COREAPI_ERR_TOO_LARGE);
  CHECK_INT(count_entries(dir, NULL), 0);
  coreapi_result_clear(&res);
  coreapi_client_free(c);
  free(dir);
}

/* A sink receives at most the limit: exactly the limit passes, one byte more
 * fails; an announced Content-Length over it fails before begin. */
static void test_sink_bound(void) {
  coreapi_client *c = new_client(100000);
  counter k = {0, 0, NULL, COREAPI_OK};
  coreapi_error err;
  CHECK_INT(send_counted(c, url(BOMB), &k, &err), COREAPI_ERR_TOO_LARGE);
  CHECK(k.bytes <= 100000);
  CHECK_INT(k.begins, 1);
  memset(&k, 0, sizeof k);
  CHECK_INT(send_counted(c, url("/body?size=100000&chunked=1"), &k, &err), COREAPI_OK);
  CHECK_INT(k.bytes, 100000);
  memset(&k, 0, sizeof k);
  CHECK_INT(send_counted(c, url("/body?size=100001&chunked=1"), &k, &err),
            COREAPI_ERR_TOO_LARGE);
  CHECK(k.bytes <= 100000);
  memset(&k, 0, sizeof k);
  CHECK_INT(send_counted(c, url("/body?size=100000"), &k, &err), COREAPI_OK);
  CHECK_INT(k.bytes, 100000);
  memset(&k, 0, sizeof k);
  CHECK_INT(send_counted(c, url("/body?size=100001"), &k, &err), COREAPI_ERR_TOO_LARGE);
  CHECK_INT(k.begins, 0); /* refused on its Content-Length */
  CHECK_INT(k.bytes, 0);
  coreapi_client_free(c);
}

/* The default is 1 GiB: a Content-Length of 1 GiB + 1 fails at once with
 * ERR_TOO_LARGE; one of 1 GiB exactly is let through (and then fails
 * because the server closes without sending it). Neither leaves a file. */
static void test_default_limit(void) {
  char *dir = make_dir(tmpdir, "default"), *path = NULL;
  coreapi_client *c = new_client(-1);
  coreapi_error err;
  coreapi_code rc;
  CHECK_INT(coreapi_client_download(c, url("/body/big.bin?length=1073741825"), dir, &path, NULL,
                                    &err),
            COREAPI_ERR_TOO_LARGE);
  CHECK(strstr(err.text, "larger than 1073741824 bytes") != NULL);
  CHECK_INT(count_entries(dir, NULL), 0);
  rc = coreapi_client_download(c, url("/body/big.bin?size=10&length=1073741824"), dir, &path,
                               NULL, &err);
  CHECK(rc != COREAPI_OK && rc != COREAPI_ERR_TOO_LARGE);
  CHECK(path == NULL);
  CHECK_INT(count_entries(dir, NULL), 0);
  coreapi_client_free(c);
  free(dir);
}

/* 0 lifts the limit: a 16 MiB bomb (from a few hundred bytes) is saved whole,
 * decoded. */
static void test_no_limit(void) {
  char *dir = make_dir(tmpdir, "nolimit"), *path = NULL;
  coreapi_client *c = new_client(MIB);
  coreapi_error err;
  CHECK_INT(coreapi_client_set_max_filesize(c, 0, &err), COREAPI_OK);
  CHECK_INT(coreapi_client_download(c, url("/body/z.bin?mib=16&te=gzip,gzip"), dir, &path,
                                    NULL, &err),
            COREAPI_OK);
  CHECK_INT(file_size(path), 16 * MIB);
  CHECK_INT(count_entries(dir, NULL), 1);
  if (path != NULL)
    unlink(path);
  free(path);
  coreapi_client_free(c);
  free(dir);
}

/* In memory: max_body counts decoded bytes too, at its default of 64 MiB
 * and set smaller, for coreapi_client_send and for the codecs. */
static void test_in_memory(void) {
  coreapi_client *c = new_client(-1);
  coreapi_response *resp = NULL;
  coreapi_result res;
  coreapi_error err;
  CHECK_INT(coreapi_client_request(c, "GET", url(BOMB), NULL, NULL, 0, &resp, &err),
            COREAPI_ERR_TOO_LARGE);
  CHECK(resp == NULL);
  CHECK(strstr(err.text, "larger than 67108864 bytes") != NULL);
  CHECK(strstr(err.text, "kept in memory") != NULL); /* which limit it was */
  REQUIRE(coreapi_client_set_max_body(c, MIB, NULL) == COREAPI_OK);
  CHECK_INT(coreapi_client_request(c, "GET", url(BOMB), NULL, NULL, 0, &resp, &err),
            COREAPI_ERR_TOO_LARGE);
  CHECK(strstr(err.text, "larger than 1048576 bytes") != NULL);
  CHECK_INT(coreapi_client_get(c, url(BOMB "&type=application/json"), NULL, &res, &err),
            COREAPI_ERR_TOO_LARGE);
  coreapi_result_clear(&res);
  coreapi_client_free(c);
}

/* Content-Encoding is not decoded: the file and the body are the gzip bytes
 * as sent, and a limit counts those (1 MiB of zeros is ~1 KiB of gzip). */
static void test_content_coding_kept(void) {
  char *dir = make_dir(tmpdir, "gzip"), *path = NULL;
  coreapi_client *c = new_client(4096);
  coreapi_response *resp = NULL;
  coreapi_error err;
  const char *body, *u = url("/body/z.gz?mib=1&ce=gzip");
  size_t len = 0;
  long coded;
  REQUIRE(coreapi_client_request(c, "GET", u, NULL, NULL, 0, &resp, &err) == COREAPI_OK);
  CHECK_STR(coreapi_response_header(resp, "Content-Encoding"), "gzip");
  coded = atol(coreapi_response_header(resp, "Content-Length"));
  body = coreapi_response_body(resp, &len);
  CHECK(coded > 0 && coded < 4096);
  CHECK_INT(len, coded);
  CHECK(len >= 2 && (unsigned char)body[0] == 0x1f && (unsigned char)body[1] == 0x8b);
  coreapi_response_free(resp);
  /* Asking for gzip oneself changes nothing: the library decodes no content
   * coding. */
  REQUIRE(coreapi_client_add_header(c, "Accept-Encoding", "gzip", NULL) == COREAPI_OK);
  REQUIRE(coreapi_client_request(c, "GET", u, NULL, NULL, 0, &resp, &err) == COREAPI_OK);
  body = coreapi_response_body(resp, &len);
  CHECK_INT(len, coded);
  CHECK(len >= 1 && (unsigned char)body[0] == 0x1f);
  coreapi_response_free(resp);
  CHECK_INT(coreapi_client_download(c, url("/body/z.gz?mib=1&ce=gzip"), dir, &path, NULL,
                                    &err),
            COREAPI_OK);
  CHECK_INT(file_size(path), coded);
  CHECK((unsigned char)slurp(path)[0] == 0x1f);
  if (path != NULL)
    unlink(path);
  free(path);
  coreapi_client_free(c);
  free(dir);
}

/* Transfer codings libcurl does not decode, or more than five, fail (the
 * code is the transport's; not ERR_TOO_LARGE, not OK) and leave no file. */
static void test_refused_codings(void) {
  static const char *const bad[] = {"/body/x.bin?size=10&te=compress",
                                    "/body/x.bin?size=10&te=gzip,gzip,gzip,gzip,gzip,gzip"};
  char *dir = make_dir(tmpdir, "refused"), *path = NULL;
  coreapi_client *c = new_client(-1);
  coreapi_error err;
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    coreapi_code rc = coreapi_client_download(c, url(bad[i]), dir, &path, NULL, &err);
    CHECK(rc != COREAPI_OK && rc != COREAPI_ERR_TOO_LARGE);
    CHECK(path == NULL);
    CHECK_INT(count_entries(dir, NULL), 0);
  }
  coreapi_client_free(c);
  free(dir);
}

int main(void) {
  base = getenv("COREAPI_TEST_HOSTILE_URL");
  tmpdir = getenv("COREAPI_TEST_TMPDIR");
  REQUIRE(base != NULL && tmpdir != NULL);
  test_setter();
  test_bomb_download();
  test_bomb_codec();
  test_sink_bound();
  test_default_limit();
  test_no_limit();
  test_in_memory();
  test_content_coding_kept();
  test_refused_codings();
  return check_done("test_downloads_bounded");
}
