/*
 * test_errors.c - exact errors for what a server does wrong, live against the
 * recording redirect server (run under servers.py --redirect), through the
 * library and through the command-line tool:
 *   - one response header line over libcurl's CURL_MAX_HTTP_HEADER (100 KiB;
 *     libcurl 7.88 reports CURLE_OUT_OF_MEMORY for it) is a network error
 *     naming the limit, not out of memory: as a field, as the status line,
 *     after a 100 Continue, after a request body; the tool exits 3;
 *   - a line just under the limit is received whole;
 *   - headers over libcurl's total limit (300 KiB) are a network error too;
 *   - the client works again after each of these.
 * The tool is the "coreapi" program next to this test's executable.
 */
#include <coreapi/coreapi.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"

static const char *http_port, *tmpdir;
static char cli_path[4096];

static const char limit_text[] = "header line longer than libcurl's limit";

static coreapi_code get(coreapi_client *c, const char *path, coreapi_response **out,
                        coreapi_error *err) {
  char url[256];
  snprintf(url, sizeof(url), "http://127.0.0.1:%s%s", http_port, path);
  return coreapi_client_request(c, "GET", url, NULL, NULL, 0, out, err);
}

/* method path (POST: with a small body) must fail with a network error whose
 * text names the URL's path and contains want; never "out of memory". */
static void expect_network(coreapi_client *c, const char *method, const char *path,
                           const char *want) {
  char url[256];
  coreapi_error err;
  coreapi_response *resp = NULL;
  coreapi_code rc;
  snprintf(url, sizeof(url), "http://127.0.0.1:%s%s", http_port, path);
  if (strcmp(method, "GET") == 0)
    rc = coreapi_client_request(c, method, url, NULL, NULL, 0, &resp, &err);
  else
    rc = coreapi_client_request(c, method, url, "text/plain", "hello", 5, &resp, &err);
  if (rc != COREAPI_ERR_NETWORK || strstr(err.text, want) == NULL)
    fprintf(stderr, "%s %s: %s: %s\n", method, path, coreapi_code_name(rc), err.text);
  CHECK_INT(rc, COREAPI_ERR_NETWORK);
  CHECK(resp == NULL);
  CHECK(strstr(err.text, want) != NULL);
  CHECK(strstr(err.text, path) != NULL);
  CHECK(strstr(err.text, "out of memory") == NULL);
  CHECK(strstr(err.text, "Out of memory") == NULL);
  coreapi_response_free(resp);
}

/* The client still works: a plain request after a refused one. */
static void expect_usable(coreapi_client *c) {
  coreapi_error err;
  coreapi_response *resp = NULL;
  CHECK_INT(get(c, "/echo", &resp, &err), COREAPI_OK);
  CHECK(resp != NULL && coreapi_response_status(resp) == 200);
  coreapi_response_free(resp);
}

static void test_one_long_line(void) {
  coreapi_client *c = coreapi_client_new(NULL);
  coreapi_error err;
  coreapi_response *resp = NULL;
  const char *v;
  REQUIRE(c != NULL);

  /* Well under the limit: received whole. */
  CHECK_INT(get(c, "/big-header?size=100000", &resp, &err), COREAPI_OK);
  v = resp ? coreapi_response_header(resp, "X-Big-0") : NULL;
  CHECK(v != NULL && strlen(v) == 100000);
  coreapi_response_free(resp);

  /* 200 KB in one field, one status line, after an interim 100 Continue,
   * and after a request body was sent. */
  expect_network(c, "GET", "/big-header?size=204800", limit_text);
  expect_usable(c);
  expect_network(c, "GET", "/big-header?size=204800&line=status", limit_text);
  expect_usable(c);
  expect_network(c, "GET", "/big-header?size=204800&interim=1", limit_text);
  expect_usable(c);
  expect_network(c, "POST", "/big-header?size=204800", limit_text);
  expect_network(c, "POST", "/big-header?size=204800&line=status", limit_text);
  expect_usable(c);
  /* At the edge: libcurl keeps a line and a NUL in 102400 bytes, so a line
   * of 102400 bytes with its CRLF ("X-Big-0: " + 102389 + CRLF) is refused
   * and one byte less is received. */
  expect_network(c, "GET", "/big-header?size=102389", limit_text);
  resp = NULL;
  CHECK_INT(get(c, "/big-header?size=102388", &resp, &err), COREAPI_OK);
  coreapi_response_free(resp);

  /* Many lines, each under the limit, over the total of the patched 7.88.1:
   * libcurl's own receive error and message. */
  expect_network(c, "GET", "/big-header?size=1000&count=400", "");
  expect_usable(c);
  coreapi_client_free(c);
}

/* Run the tool with args (NULL-terminated, after the program name), stderr
 * into *err_text (a static buffer). Returns its exit status, or -1. */
static int run_cli(const char *const *args, const char **err_text) {
  static char text[8192];
  char log[4096];
  const char *argv[16];
  size_t n = 0, len;
  int status, fd;
  pid_t pid;
  FILE *f;
  argv[n++] = cli_path;
  while (*args != NULL && n < 15)
    argv[n++] = *args++;
  argv[n] = NULL;
  snprintf(log, sizeof(log), "%s/errors-cli.stderr", tmpdir);
  fflush(NULL);
  pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0 || dup2(fd, 2) < 0)
      _exit(127);
    fd = open("/dev/null", O_WRONLY);
    if (fd < 0 || dup2(fd, 1) < 0)
      _exit(127);
    execv(cli_path, (char *const *)argv);
    _exit(127);
  }
  REQUIRE(waitpid(pid, &status, 0) == pid);
  text[0] = '\0';
  if ((f = fopen(log, "r")) != NULL) {
    len = fread(text, 1, sizeof(text) - 1, f);
    text[len] = '\0';
    fclose(f);
  }
  *err_text = text;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void test_cli_exit_code(void) {
  char cfg[4096], url[256];
  const char *err_text = "";
  int rc;
  snprintf(cfg, sizeof(cfg), "%s/errors-cli-config", tmpdir);
  if (access(cli_path, X_OK) != 0) {
    fprintf(stderr, "%s: no such program (build the coreapi-cli target)\n", cli_path);
    CHECK(0);
    return;
  }
  snprintf(url, sizeof(url), "http://127.0.0.1:%s/big-header?size=100", http_port);
  {
    const char *args[] = {"--no-color", "--config-dir", cfg, "get", url, NULL};
    rc = run_cli(args, &err_text);
    if (rc != 0)
      fprintf(stderr, "coreapi get %s: exit %d: %s\n", url, rc, err_text);
    CHECK_INT(rc, 0);
  }
  snprintf(url, sizeof(url), "http://127.0.0.1:%s/big-header?size=204800", http_port);
  {
    const char *args[] = {"--no-color", "--config-dir", cfg, "get", url, NULL};
    rc = run_cli(args, &err_text);
    if (rc != 3)
      fprintf(stderr, "coreapi get %s: exit %d: %s\n", url, rc, err_text);
    CHECK_INT(rc, 3);
    CHECK(strncmp(err_text, "coreapi: ", 9) == 0);
    CHECK(strstr(err_text, limit_text) != NULL);
    CHECK(strstr(err_text, "out of memory") == NULL);
  }
}

int main(int argc, char **argv) {
  const char *slash;
  (void)argc;
  http_port = getenv("COREAPI_TEST_REDIRECT_HTTP_PORT");
  tmpdir = getenv("COREAPI_TEST_TMPDIR");
  REQUIRE(http_port && tmpdir);
  /* The tool is built into the same directory as this program. */
  slash = strrchr(argv[0], '/');
  snprintf(cli_path, sizeof(cli_path), "%.*scoreapi", slash ? (int)(slash - argv[0] + 1) : 2,
           slash ? argv[0] : "./");
  test_one_long_line();
  test_cli_exit_code();
  return check_done("test_errors");
}
