/*
 * tests/unit/test_weblink.c - the Link header field parser (RFC 8288,
 * src/http/weblink.c): the data-driven cases of tests/suites/weblink/ (see
 * its README.md: header lines and a base URL in, every link-value with its
 * parameters and the targets found out), then the rules around them:
 * arguments, NULL and empty input, the public coreapi_result_resolve.
 *
 *   build/test_weblink                                  every case
 *   build/test_weblink --print tests/suites/weblink/CASE what CASE gives now
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <coreapi/coreapi.h>

#include "../../src/http/http.h"
#include "check.h"

/* Read a whole file into a new NUL-terminated buffer, or NULL. */
static char *read_file(const char *path) {
  FILE *f = fopen(path, "rb");
  char *buf;
  long n;
  if (f == NULL)
    return NULL;
  if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0 ||
      (buf = malloc((size_t)n + 1)) == NULL) {
    fclose(f);
    return NULL;
  }
  if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
    free(buf);
    fclose(f);
    return NULL;
  }
  buf[n] = '\0';
  fclose(f);
  return buf;
}

static void put(coreapi__buf *out, const char *s, size_t n) {
  REQUIRE(coreapi__buf_append(out, s, n) == 0);
}
static void puts_(coreapi__buf *out, const char *s) { put(out, s, strlen(s)); }

/* Every link-value of one field value, its parameters decoded. */
static void dump_value(coreapi__buf *out, const char *v) {
  coreapi__weblink link;
  size_t pos = 0, n = strlen(v);
  while (coreapi__weblink_next(v, n, &pos, &link)) {
    coreapi__weblink_param prm;
    size_t ppos = 0;
    puts_(out, "  <");
    put(out, link.target, link.target_len);
    puts_(out, ">\n");
    while (coreapi__weblink_param_next(link.params, link.params_len, &ppos, &prm)) {
      char *value = malloc(prm.value_len + 1);
      REQUIRE(value != NULL);
      coreapi__weblink_unquote(&prm, value);
      puts_(out, "    ;");
      put(out, prm.name, prm.name_len);
      if (prm.has_value) {
        puts_(out, prm.quoted ? " = quoted [" : " = [");
        puts_(out, value);
        puts_(out, "]");
      }
      puts_(out, "\n");
      free(value);
    }
  }
}

/* The output of the case in dir (the format of README.md) into out; 0, or
 * -1 with why said. */
static int run_case(const char *dir, coreapi__buf *out, char *why, size_t size) {
  char path[4200], *text, *line, *save = NULL, *base = NULL;
  coreapi__headers h = {0};
  const char *finds[16];
  size_t nfind = 0;
  snprintf(path, sizeof(path), "%s/case", dir);
  if ((text = read_file(path)) == NULL)
    return snprintf(why, size, "no case file"), -1;
  for (line = strtok_r(text, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
    if (line[0] == '#' || line[0] == '\0')
      continue;
    if (strncmp(line, "base ", 5) == 0) {
      base = line + 5;
    } else if (strncmp(line, "link ", 5) == 0) {
      REQUIRE(coreapi__headers_add(&h, "Link", 4, line + 5, strlen(line + 5)) == 0);
    } else if (strncmp(line, "header ", 7) == 0 && strchr(line, ':') != NULL) {
      char *colon = strchr(line, ':'), *value = colon + 1;
      while (*value == ' ')
        value++;
      REQUIRE(coreapi__headers_add(&h, line + 7, (size_t)(colon - line - 7), value,
                                   strlen(value)) == 0);
    } else if (strncmp(line, "find ", 5) == 0 && nfind < 16) {
      finds[nfind++] = line + 5;
    } else {
      snprintf(why, size, "bad line: %s", line);
      coreapi__headers_free(&h);
      free(text);
      return -1;
    }
  }
  if (nfind == 0)
    finds[nfind++] = "next";
  for (size_t i = 0; i < h.count; i++) {
    if (!coreapi__strcaseeq(h.items[i].name, "Link"))
      continue;
    puts_(out, "field\n");
    dump_value(out, h.items[i].value);
  }
  for (size_t i = 0; i < nfind; i++) {
    coreapi_error err;
    char *found = (char *)"x";
    REQUIRE(coreapi__weblink_find(&h, base, finds[i], &found, &err) == COREAPI_OK);
    puts_(out, "find ");
    puts_(out, finds[i]);
    puts_(out, " ");
    puts_(out, found ? found : "none");
    puts_(out, "\n");
    free(found);
  }
  coreapi__headers_free(&h);
  free(text);
  return 0;
}

static int by_name(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static void run_suite(void) {
  char *names[1024], why[512];
  size_t n = 0;
  struct dirent *e;
  DIR *d = opendir(COREAPI_WEBLINK_DIR);
  REQUIRE(d != NULL);
  while ((e = readdir(d)) != NULL && n < 1024)
    if (e->d_name[0] != '.' && e->d_type == DT_DIR)
      names[n++] = strdup(e->d_name);
  closedir(d);
  qsort(names, n, sizeof(names[0]), by_name);
  for (size_t i = 0; i < n; i++) {
    char dir[4096], path[4200], *expected;
    coreapi__buf out = {0};
    snprintf(dir, sizeof(dir), "%s/%s", COREAPI_WEBLINK_DIR, names[i]);
    snprintf(path, sizeof(path), "%s/expected", dir);
    check_count++;
    if (run_case(dir, &out, why, sizeof(why)) != 0) {
      check_failures++;
      fprintf(stderr, "weblink/%s: %s\n", names[i], why);
    } else if ((expected = read_file(path)) == NULL) {
      check_failures++;
      fprintf(stderr, "weblink/%s: no expected file\n", names[i]);
    } else {
      if (strcmp(expected, out.data ? out.data : "") != 0) {
        check_failures++;
        fprintf(stderr, "weblink/%s: differs.\n--- expected\n%s--- got\n%s---\n", names[i],
                expected, out.data ? out.data : "");
      }
      free(expected);
    }
    coreapi__buf_free(&out);
    free(names[i]);
  }
  printf("weblink: %zu cases\n", n);
  CHECK(n >= 30);
}

/* The calls around the cases. */
static void test_rules(void) {
  coreapi__headers h = {0};
  coreapi__weblink link;
  coreapi__weblink_param prm;
  coreapi_error err;
  coreapi_result r = {0};
  size_t pos = 0;
  char *s = (char *)"x";

  /* NULL and empty input read nothing. */
  CHECK_INT(coreapi__weblink_next(NULL, 0, &pos, &link), 0);
  CHECK_INT(coreapi__weblink_param_next(NULL, 0, &pos, &prm), 0);
  CHECK_INT(coreapi__weblink_find(NULL, "http://a.test/", "next", &s, &err),
            COREAPI_ERR_INVALID_ARGUMENT);
  CHECK(s == NULL);
  CHECK_INT(coreapi__weblink_find(&h, "http://a.test/", NULL, &s, &err),
            COREAPI_ERR_INVALID_ARGUMENT);
  CHECK_INT(coreapi__weblink_find(&h, "http://a.test/", "next", NULL, &err),
            COREAPI_ERR_INVALID_ARGUMENT);
  CHECK_INT(coreapi__weblink_find(&h, "http://a.test/", "next", &s, &err), COREAPI_OK);
  CHECK(s == NULL);
  /* An empty relation type is never listed. */
  REQUIRE(coreapi__weblink_next("<a>; rel=\"\"", 11, &pos, &link) == 1);
  CHECK_INT(coreapi__weblink_has_rel(&link, ""), 0);
  /* A bad base: relative targets do not resolve, absolute ones do. */
  REQUIRE(coreapi__headers_add(&h, "link", 4, "<p2>; rel=next, <http://b.test/3>; rel=next",
                               43) == 0);
  CHECK_INT(coreapi__weblink_find(&h, "not a url", "next", &s, &err), COREAPI_OK);
  CHECK_STR(s, "http://b.test/3");
  free(s);
  coreapi__headers_free(&h);

  /* coreapi_result_resolve: against the result's URL; absolute as it is. */
  CHECK(coreapi_result_resolve(NULL, "x", &err) == NULL);
  CHECK_INT(err.code, COREAPI_ERR_INVALID_ARGUMENT);
  CHECK(coreapi_result_resolve(&r, NULL, &err) == NULL);
  CHECK_INT(err.code, COREAPI_ERR_INVALID_ARGUMENT);
  CHECK(coreapi_result_resolve(&r, "?page=2", &err) == NULL); /* no URL to resolve against */
  CHECK_INT(err.code, COREAPI_ERR_BAD_URL);
  s = coreapi_result_resolve(&r, "http://u:p@API.test/x?y#z", &err);
  CHECK_STR(s, "http://api.test/x?y");
  free(s);
  r.url = strdup("http://api.test/v1/books/?page=1");
  s = coreapi_result_resolve(&r, "?page=2", &err);
  CHECK_STR(s, "http://api.test/v1/books/?page=2");
  free(s);
  s = coreapi_result_resolve(&r, "../authors/?cursor=cD0z", &err);
  CHECK_STR(s, "http://api.test/v1/authors/?cursor=cD0z");
  free(s);
  s = coreapi_result_resolve(&r, "//other.test/p", &err);
  CHECK_STR(s, "http://other.test/p");
  free(s);
  CHECK(coreapi_result_resolve(&r, "ftp://x.test/", &err) == NULL);
  CHECK_INT(err.code, COREAPI_ERR_BAD_URL);
  s = coreapi_result_resolve(&r, "", &err); /* the page itself, query kept (RFC 3986 5.2.2) */
  CHECK_STR(s, "http://api.test/v1/books/?page=1");
  free(s);
  coreapi_result_clear(&r);
  CHECK(r.url == NULL && r.next_link == NULL);
}

int main(int argc, char **argv) {
  if (argc == 3 && strcmp(argv[1], "--print") == 0) {
    coreapi__buf out = {0};
    char why[512];
    if (run_case(argv[2], &out, why, sizeof(why)) != 0) {
      fprintf(stderr, "%s\n", why);
      return 1;
    }
    fputs(out.data ? out.data : "", stdout);
    coreapi__buf_free(&out);
    return 0;
  }
  run_suite();
  test_rules();
  return check_done("test_weblink");
}
