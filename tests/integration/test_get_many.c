/*
 * test_get_many.c - coreapi_client_get_many against the real example API
 * (servers.py --django): every result must be what coreapi_client_get gives
 * for the same URL with the same client (status, URL, next link, the
 * content encoded as Core JSON, a downloaded file's bytes, the error code,
 * HTTP status and message), whatever mix of URLs is sent at once: pages,
 * a schema, a 404, a 403 out of the credential's scope (127.0.0.1 is not
 * api.test), a URL that is no URL, a refused connection; then the
 * arguments refused. The rule is the header's: a GET of many is a GET of
 * each.
 */
#define _POSIX_C_SOURCE 200809L
#include <coreapi/coreapi.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

static char api[96], local[96];

static coreapi_client *client(void) {
  coreapi_error err;
  coreapi_client *c = coreapi_client_new(&err);
  char resolve[64];
  const char *port = getenv("COREAPI_TEST_DJANGO_PORT");
  if (c == NULL || port == NULL) {
    fprintf(stderr, "test_get_many: no client or no COREAPI_TEST_DJANGO_PORT\n");
    exit(1);
  }
  coreapi_auth *basic;
  snprintf(resolve, sizeof(resolve), "api.test:%s:127.0.0.1", port);
  basic = coreapi_auth_basic_new(getenv("COREAPI_TEST_USER"), getenv("COREAPI_TEST_PASSWORD"),
                                 "api.test", &err);
  if (coreapi_client_add_resolve(c, resolve, &err) != COREAPI_OK ||
      coreapi_client_add_auth(c, basic, &err) != COREAPI_OK) {
    fprintf(stderr, "test_get_many: %s\n", err.text);
    exit(1);
  }
  coreapi_auth_free(basic); /* the client holds its own reference */
  return c;
}

/* The bytes of the file at path (new, *n of them), or NULL. */
static char *read_file(const char *path, size_t *n) {
  FILE *f = fopen(path, "rb");
  char *buf = NULL;
  long len;
  if (f != NULL && fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) >= 0 &&
      fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)len + 1)) != NULL &&
      fread(buf, 1, (size_t)len, f) != (size_t)len) {
    free(buf);
    buf = NULL;
  }
  if (buf != NULL)
    *n = (size_t)len;
  if (f != NULL)
    fclose(f);
  return buf;
}

/* The content of r as Core JSON text (new), or a copy of "(none)". */
static char *content(const coreapi_result *r) {
  char *text = r->node ? coreapi_corejson_encode(r->node, 0, NULL, NULL) : NULL;
  return text ? text : strdup("(none)");
}

/* Does many (with its error) say what one does? Prints the difference. */
static int same(const char *url, const coreapi_result *one, coreapi_code rc1,
                const coreapi_error *e1, const coreapi_result *many, const coreapi_error *e2) {
  char *a = content(one), *b = content(many);
  int eq = rc1 == e2->code && one->status == many->status && strcmp(a, b) == 0 &&
           (rc1 == COREAPI_OK || (e1->http_status == e2->http_status &&
                                  strcmp(e1->text, e2->text) == 0)) &&
           (one->url == NULL) == (many->url == NULL) &&
           (one->url == NULL || strcmp(one->url, many->url) == 0) &&
           (one->next_link == NULL) == (many->next_link == NULL) &&
           (one->file == NULL) == (many->file == NULL);
  if (eq && one->file != NULL) {
    size_t n1 = 0, n2 = 0;
    char *f1 = read_file(one->file, &n1), *f2 = read_file(many->file, &n2);
    eq = f1 != NULL && f2 != NULL && n1 == n2 && memcmp(f1, f2, n1) == 0;
    free(f1);
    free(f2);
  }
  if (!eq)
    fprintf(stderr, "%s:\n  one:  %d %ld %s [%s]\n  many: %d %ld %s [%s]\n", url, (int)rc1,
            one->status, a, rc1 ? e1->text : "", (int)e2->code, many->status, b,
            e2->code ? e2->text : "");
  free(a);
  free(b);
  return eq;
}

/* GET urls at once (in flight at most), and one by one: the same. */
static void compare(const char *const *urls, size_t n, const char *format, unsigned in_flight,
                    coreapi_code expect_rc) {
  coreapi_client *c = client();
  coreapi_result *many = calloc(n, sizeof(*many));
  coreapi_error *errs = calloc(n, sizeof(*errs)), err;
  coreapi_code rc = coreapi_client_get_many(c, urls, n, format, in_flight, many, errs, &err);
  CHECK(rc == expect_rc);
  for (size_t i = 0; i < n; i++) {
    coreapi_result one;
    coreapi_error e1;
    coreapi_code rc1 = coreapi_client_get(c, urls[i], format, &one, &e1);
    CHECK(same(urls[i], &one, rc1, &e1, &many[i], &errs[i]));
    if (one.file)
      remove(one.file);
    if (many[i].file)
      remove(many[i].file);
    coreapi_result_clear(&one);
    coreapi_result_clear(&many[i]);
  }
  free(many);
  free(errs);
  coreapi_client_free(c);
}

static void test_mixed(void) {
  char u[10][160];
  const char *urls[10];
  snprintf(u[0], sizeof u[0], "%s/books/", api);
  snprintf(u[1], sizeof u[1], "%s/books/?page=2", api);
  snprintf(u[2], sizeof u[2], "%s/", api);                 /* the schema */
  snprintf(u[3], sizeof u[3], "%s/books/999999/", api);    /* 404 */
  snprintf(u[4], sizeof u[4], "%s/books/", local);         /* no credential: 403 */
  snprintf(u[5], sizeof u[5], "not a URL");
  snprintf(u[6], sizeof u[6], "http://127.0.0.1:9/");      /* refused */
  snprintf(u[7], sizeof u[7], "%s/paged/numbers/?page=3", api);
  snprintf(u[8], sizeof u[8], "%s/paged/offsets/?limit=3&offset=3", api);
  snprintf(u[9], sizeof u[9], "%s/books/?page=99", api);   /* 404 past the end */
  for (int i = 0; i < 10; i++)
    urls[i] = u[i];
  compare(urls, 10, NULL, 4, COREAPI_ERR_ERROR_RESPONSE); /* the first failure: the 404 */
  compare(urls, 10, NULL, 1, COREAPI_ERR_ERROR_RESPONSE);
  compare(urls, 3, NULL, 3, COREAPI_OK);
  compare(urls, 2, "download", 2, COREAPI_OK); /* the bodies as files */
}

/* Many of the same, more than in flight: each its own result. */
static void test_many(void) {
  char u[40][160];
  const char *urls[40];
  for (int i = 0; i < 40; i++) {
    snprintf(u[i], sizeof u[i], "%s/books/?page=%d", api, 1 + i % 2);
    urls[i] = u[i];
  }
  compare(urls, 40, NULL, 8, COREAPI_OK);
}

static void test_arguments(void) {
  coreapi_client *c = client();
  coreapi_result r[2];
  coreapi_error err;
  const char *urls[2] = {api, NULL};
  CHECK(coreapi_client_get_many(NULL, urls, 1, NULL, 4, r, NULL, &err) ==
        COREAPI_ERR_INVALID_ARGUMENT);
  CHECK(coreapi_client_get_many(c, NULL, 1, NULL, 4, r, NULL, &err) ==
        COREAPI_ERR_INVALID_ARGUMENT);
  CHECK(coreapi_client_get_many(c, urls, 1, NULL, 4, NULL, NULL, &err) ==
        COREAPI_ERR_INVALID_ARGUMENT);
  CHECK(coreapi_client_get_many(c, urls, 2, NULL, 4, r, NULL, &err) ==
        COREAPI_ERR_INVALID_ARGUMENT); /* a NULL URL */
  CHECK(coreapi_client_get_many(c, urls, 1, "nonsense", 4, r, NULL, &err) ==
        COREAPI_ERR_INVALID_ARGUMENT);
  CHECK(coreapi_client_get_many(c, urls, 1, NULL, 0, r, NULL, &err) ==
        COREAPI_ERR_INVALID_ARGUMENT);
  CHECK(coreapi_client_get_many(c, urls, 1, NULL, COREAPI_BATCH_MAX_IN_FLIGHT + 1, r, NULL,
                                &err) == COREAPI_ERR_INVALID_ARGUMENT);
  CHECK(coreapi_client_get_many(c, urls, SIZE_MAX / 2, NULL, 4, r, NULL, &err) ==
        COREAPI_ERR_INVALID_ARGUMENT); /* n that no array could hold: refused before use */
  CHECK(r[0].node == NULL && r[0].url == NULL); /* nothing filled */
  CHECK(coreapi_client_get_many(c, urls, 0, NULL, 4, NULL, NULL, &err) == COREAPI_OK);
  coreapi_client_free(c);
}

int main(void) {
  const char *port = getenv("COREAPI_TEST_DJANGO_PORT");
  if (port == NULL) {
    fprintf(stderr, "test_get_many: run under servers.py --django\n");
    return 1;
  }
  snprintf(api, sizeof api, "http://api.test:%s", port);
  snprintf(local, sizeof local, "http://127.0.0.1:%s", port);
  test_mixed();
  test_many();
  test_arguments();
  printf("test_get_many: %d checks, %d failed\n", check_count, check_failures);
  return check_failures ? 1 : 0;
}
