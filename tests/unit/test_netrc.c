/*
 * tests/unit/test_netrc.c - netrc authentication (coreapi_auth_netrc_new):
 * the data-driven cases of tests/suites/netrc/ (a netrc text and, per URL,
 * the exact login:password its Authorization header carries, or none, or
 * the error), then what needs the file system: permissions refused with the
 * fix, files that are not regular, missing files ($NETRC, ~/.netrc), the
 * size bound, NUL bytes, and the object itself (name, pattern, description
 * without secrets, no credentials for other hosts).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <coreapi/coreapi.h>

#include "../../src/auth/netrc.h"
#include "check.h"

static coreapi_error err;
static char scratch[256]; /* a private temporary directory */

static coreapi_error *fresh(void) {
  memset(&err, 0x5a, sizeof err);
  err.code = COREAPI_OK;
  err.text[0] = '\0';
  return &err;
}

static char *read_all(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  char *buf = NULL;
  size_t cap = 0, n = 0;
  if (f == NULL)
    return NULL;
  for (;;) {
    if (n + 4096 + 1 > cap) {
      char *grown = realloc(buf, cap = (cap + 4096) * 2);
      REQUIRE(grown != NULL);
      buf = grown;
    }
    size_t r = fread(buf + n, 1, cap - n - 1, f);
    n += r;
    if (r == 0)
      break;
  }
  fclose(f);
  buf[n] = '\0';
  *len = n;
  return buf;
}

static void write_file(const char *path, const void *data, size_t len, mode_t mode) {
  int fd;
  unlink(path);
  fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  REQUIRE(fd >= 0);
  REQUIRE(len == 0 || write(fd, data, len) == (ssize_t)len);
  REQUIRE(fchmod(fd, mode) == 0);
  close(fd);
}

/* scratch/name, in one of 8 static buffers used in turn. */
static const char *scratch_path(const char *name) {
  static char paths[8][512];
  static unsigned next;
  char *path = paths[next++ % 8];
  snprintf(path, sizeof(paths[0]), "%s/%s", scratch, name);
  return path;
}

/* Decode Base64 (padded) into out (NUL-terminated); -1 when it is not. */
static int unbase64(const char *in, char *out, size_t size) {
  static const char alphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  size_t n = strlen(in), o = 0;
  if (n % 4 != 0)
    return -1;
  for (size_t i = 0; i < n; i += 4) {
    unsigned v = 0;
    int pad = 0;
    for (int k = 0; k < 4; k++) {
      const char *p = in[i + k] == '=' ? NULL : strchr(alphabet, in[i + k]);
      if (in[i + k] == '=')
        pad++;
      else if (p == NULL || in[i + k] == '\0' || pad)
        return -1;
      v = v << 6 | (p ? (unsigned)(p - alphabet) : 0);
    }
    if (o + 3 >= size || pad > 2)
      return -1;
    out[o++] = (char)(v >> 16);
    if (pad < 2)
      out[o++] = (char)(v >> 8 & 0xff);
    if (pad < 1)
      out[o++] = (char)(v & 0xff);
  }
  out[o] = '\0';
  return 0;
}

/* The decoded credentials auth gives a GET of url ("login:password"), or
 * "none"; "error" when apply failed. */
static void credentials_for(const coreapi_auth *auth, const char *url, char *out, size_t size) {
  coreapi_request *req = coreapi_request_new("GET", url, fresh());
  const char *v;
  int applied = 0;
  if (req == NULL) {
    snprintf(out, size, "bad URL: %s", err.text);
    return;
  }
  if (coreapi_auth_apply(auth, req, &applied, fresh()) != COREAPI_OK) {
    snprintf(out, size, "error");
  } else if ((v = coreapi_request_header(req, "Authorization")) == NULL) {
    snprintf(out, size, "none");
  } else if (strncmp(v, "Basic ", 6) != 0 || unbase64(v + 6, out, size) != 0) {
    snprintf(out, size, "not Basic: %s", v);
  }
  CHECK(applied == 1); /* the pattern is "*" */
  coreapi_request_free(req);
}

/* Does msg hold a value that follows "password" in the netrc text? */
static int leaks_password(const char *text, const char *msg) {
  for (const char *p = strstr(text, "password"); p != NULL; p = strstr(p + 1, "password")) {
    char word[128];
    size_t n = 0;
    const char *q = p + 8;
    while (*q == ' ' || *q == '\t' || *q == '\n' || *q == '\r' || *q == '"')
      q++;
    while (*q && *q != ' ' && *q != '\n' && *q != '"' && n + 1 < sizeof(word))
      word[n++] = *q++;
    word[n] = '\0';
    if (n >= 3 && strstr(msg, word) != NULL)
      return 1;
  }
  return 0;
}

/* Check one expectation line against auth (NULL: creation failed). */
static void expect_line(const char *name, const char *line, const coreapi_auth *auth,
                        const coreapi_error *made, const char *text) {
  char got[512], desc[256];
  if (strncmp(line, "error ", 6) == 0) {
    char code[64], where[32];
    unsigned at = 0;
    CHECK(sscanf(line + 6, "%63s %u", code, &at) == 2);
    snprintf(where, sizeof(where), "line %u: ", at);
    if (auth != NULL || strcmp(coreapi_code_name(made->code), code) != 0 ||
        strstr(made->text, where) == NULL || leaks_password(text, made->text)) {
      fprintf(stderr, "%s: expected %s; got %s (%s)\n", name, line,
              auth ? "an object" : coreapi_code_name(made->code), made->text);
      CHECK(0);
    }
    return;
  }
  if (auth == NULL) {
    fprintf(stderr, "%s: creation failed: %s (%s)\n", name, coreapi_code_name(made->code),
            made->text);
    CHECK(0);
    return;
  }
  if (strncmp(line, "describe ", 9) == 0) {
    coreapi_auth_describe(auth, desc, sizeof(desc));
    if (strcmp(desc, line + 9) != 0) {
      fprintf(stderr, "%s: description \"%s\", expected \"%s\"\n", name, desc, line + 9);
      CHECK(0);
    }
    return;
  }
  const char *space = strchr(line, ' ');
  REQUIRE(space != NULL);
  char url[256];
  snprintf(url, sizeof(url), "%.*s", (int)(space - line), line);
  credentials_for(auth, url, got, sizeof(got));
  if (strcmp(got, space + 1) != 0) {
    fprintf(stderr, "%s: %s gave \"%s\", expected \"%s\"\n", name, url, got, space + 1);
    CHECK(0);
  }
}

static void run_case(const char *dir, const char *name) {
  char path[2200], *text, *expected, *line, *save = NULL;
  size_t len, elen;
  unsigned flags = 0;
  coreapi_error made;
  coreapi_auth *auth;

  snprintf(path, sizeof(path), "%s/%s/netrc", dir, name);
  text = read_all(path, &len);
  snprintf(path, sizeof(path), "%s/%s/expected", dir, name);
  expected = read_all(path, &elen);
  REQUIRE(text != NULL && expected != NULL);
  if (strncmp(expected, "flags default\n", 14) == 0)
    flags = COREAPI_NETRC_DEFAULT;
  write_file(scratch_path("case.netrc"), text, len, 0600);
  auth = coreapi_auth_netrc_new(scratch_path("case.netrc"), flags, &made);
  for (line = strtok_r(expected, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save))
    if (line[0] != '#' && line[0] != '\0' && strncmp(line, "flags ", 6) != 0)
      expect_line(name, line, auth, &made, text);
  coreapi_auth_free(auth);
  free(text);
  free(expected);
}

static int by_name(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static void test_suite(void) {
  char dir[1024], *names[512];
  size_t n = 0;
  DIR *d;
  struct dirent *de;
  /* tests/unit/test_netrc.c (an absolute path in CMake builds) ->
   * tests/suites/netrc */
  const char *file = __FILE__, *unit = strstr(file, "unit/test_netrc.c");
  REQUIRE(unit != NULL);
  snprintf(dir, sizeof(dir), "%.*ssuites/netrc", (int)(unit - file), file);
  d = opendir(dir);
  if (d == NULL)
    fprintf(stderr, "cannot open the suite %s: %s\n", dir, strerror(errno));
  REQUIRE(d != NULL);
  while ((de = readdir(d)) != NULL && n < sizeof(names) / sizeof(names[0]))
    if (de->d_name[0] != '.' && strcmp(de->d_name, "README.md") != 0)
      names[n++] = strdup(de->d_name);
  closedir(d);
  qsort(names, n, sizeof(names[0]), by_name);
  CHECK(n >= 40);
  for (size_t i = 0; i < n; i++) {
    run_case(dir, names[i]);
    free(names[i]);
  }
}

static const char sample[] = "machine api.test login alice password s3cr3t-pw\n";

static void test_permissions(void) {
  const mode_t refused[] = {0644, 0640, 0604, 0620, 0602, 0610, 0601, 0666, 0777};
  const mode_t accepted[] = {0600, 0400, 0700};
  const char *path = scratch_path("perm.netrc");
  for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
    char fix[600];
    write_file(path, sample, strlen(sample), refused[i]);
    CHECK(coreapi_auth_netrc_new(path, 0, fresh()) == NULL);
    CHECK_INT(err.code, COREAPI_ERR_IO);
    snprintf(fix, sizeof(fix), "chmod 600 %s", path);
    CHECK(strstr(err.text, fix) != NULL);
    CHECK(strstr(err.text, "group or others") != NULL);
    CHECK(strstr(err.text, "s3cr3t") == NULL);
  }
  for (size_t i = 0; i < sizeof(accepted) / sizeof(accepted[0]); i++) {
    coreapi_auth *a;
    write_file(path, sample, strlen(sample), accepted[i]);
    a = coreapi_auth_netrc_new(path, 0, fresh());
    CHECK(a != NULL);
    coreapi_auth_free(a);
  }
  /* A symbolic link to a private file is followed; its target's mode counts. */
  unlink(scratch_path("link.netrc"));
  write_file(path, sample, strlen(sample), 0600);
  REQUIRE(symlink(path, scratch_path("link.netrc")) == 0);
  coreapi_auth *a = coreapi_auth_netrc_new(scratch_path("link.netrc"), 0, fresh());
  CHECK(a != NULL);
  coreapi_auth_free(a);
  REQUIRE(chmod(path, 0644) == 0);
  CHECK(coreapi_auth_netrc_new(scratch_path("link.netrc"), 0, fresh()) == NULL);
  CHECK_INT(err.code, COREAPI_ERR_IO);
  unlink(scratch_path("link.netrc"));
}

static void test_not_regular(void) {
  const char *fifo = scratch_path("fifo.netrc");
  CHECK(coreapi_auth_netrc_new(scratch, 0, fresh()) == NULL);
  CHECK_INT(err.code, COREAPI_ERR_IO);
  CHECK(strstr(err.text, "not a regular file") != NULL);
  CHECK(coreapi_auth_netrc_new("/dev/null", 0, fresh()) == NULL);
  CHECK_INT(err.code, COREAPI_ERR_IO);
  unlink(fifo);
  REQUIRE(mkfifo(fifo, 0600) == 0);
  CHECK(coreapi_auth_netrc_new(fifo, 0, fresh()) == NULL); /* no writer: must not block */
  CHECK_INT(err.code, COREAPI_ERR_IO);
  CHECK(strstr(err.text, "not a regular file") != NULL);
  unlink(fifo);
}

/* Set or unset (NULL) an environment variable. */
static void set_env(const char *name, const char *value) {
  if (value != NULL)
    setenv(name, value, 1);
  else
    unsetenv(name);
}

static void test_missing_and_default_path(void) {
  char *old_home = getenv("HOME") ? strdup(getenv("HOME")) : NULL;
  char *old_netrc = getenv("NETRC") ? strdup(getenv("NETRC")) : NULL;
  char home[512], buf[128];
  coreapi_auth *a;

  CHECK(coreapi_auth_netrc_new(scratch_path("absent.netrc"), 0, fresh()) == NULL);
  CHECK_INT(err.code, COREAPI_ERR_IO);
  CHECK(strstr(err.text, "absent.netrc does not exist") != NULL);

  set_env("NETRC", scratch_path("absent.netrc"));
  CHECK(coreapi_auth_netrc_new(NULL, 0, fresh()) == NULL);
  CHECK_INT(err.code, COREAPI_ERR_IO);
  CHECK(strstr(err.text, "absent.netrc") != NULL && strstr(err.text, "$NETRC") != NULL);

  snprintf(home, sizeof(home), "%s/home", scratch);
  mkdir(home, 0700);
  set_env("NETRC", "");
  set_env("HOME", home);
  CHECK(coreapi_auth_netrc_new(NULL, 0, fresh()) == NULL);
  CHECK_INT(err.code, COREAPI_ERR_IO);
  CHECK(strstr(err.text, "~/.netrc") != NULL && strstr(err.text, "home/.netrc") != NULL);

  write_file(scratch_path("home/.netrc"), sample, strlen(sample), 0600);
  a = coreapi_auth_netrc_new(NULL, 0, fresh());
  CHECK(a != NULL);
  credentials_for(a, "http://api.test/", buf, sizeof(buf));
  CHECK_STR(buf, "alice:s3cr3t-pw");
  coreapi_auth_free(a);

  /* $NETRC wins over ~/.netrc. */
  write_file(scratch_path("env.netrc"), "machine api.test login env password e\n", 38, 0600);
  set_env("NETRC", scratch_path("env.netrc"));
  a = coreapi_auth_netrc_new(NULL, 0, fresh());
  CHECK(a != NULL);
  credentials_for(a, "http://api.test/", buf, sizeof(buf));
  CHECK_STR(buf, "env:e");
  coreapi_auth_free(a);
  unlink(scratch_path("env.netrc"));
  unlink(scratch_path("home/.netrc"));
  rmdir(home);

  set_env("HOME", old_home);
  set_env("NETRC", old_netrc);
  free(old_home);
  free(old_netrc);
}

static void test_size_and_bytes(void) {
  size_t big = COREAPI__NETRC_MAX_SIZE;
  char *text = malloc(big + 1);
  const char *path = scratch_path("big.netrc");
  coreapi_auth *a;
  static const char nul[] = "machine a.test login a password a\nmachine b.test login b "
                            "password b\0c\n";
  REQUIRE(text != NULL);
  /* Exactly 1 MiB: an entry, then blank lines. */
  memset(text, '\n', big + 1);
  memcpy(text, sample, strlen(sample));
  write_file(path, text, big, 0600);
  a = coreapi_auth_netrc_new(path, 0, fresh());
  CHECK(a != NULL);
  coreapi_auth_free(a);
  write_file(path, text, big + 1, 0600);
  CHECK(coreapi_auth_netrc_new(path, 0, fresh()) == NULL);
  CHECK_INT(err.code, COREAPI_ERR_IO);
  CHECK(strstr(err.text, "larger than 1 MiB") != NULL);
  free(text);

  write_file(path, nul, sizeof(nul) - 1, 0600);
  CHECK(coreapi_auth_netrc_new(path, 0, fresh()) == NULL);
  CHECK_INT(err.code, COREAPI_ERR_PARSE);
  CHECK(strstr(err.text, "line 2: a NUL byte") != NULL);
  CHECK(strstr(err.text, "big.netrc") != NULL);
  unlink(path);
}

static void test_arguments(void) {
  const char *path = scratch_path("args.netrc");
  coreapi_auth *a;
  write_file(path, sample, strlen(sample), 0600);
  CHECK(coreapi_auth_netrc_new(path, 2, fresh()) == NULL);
  CHECK_INT(err.code, COREAPI_ERR_INVALID_ARGUMENT);
  CHECK(coreapi_auth_netrc_new("", 0, fresh()) == NULL);
  CHECK_INT(err.code, COREAPI_ERR_INVALID_ARGUMENT);
  CHECK(coreapi_auth_netrc_new(scratch_path("absent.netrc"), 0, NULL) == NULL);
  a = coreapi_auth_netrc_new(path, COREAPI_NETRC_DEFAULT, NULL);
  CHECK(a != NULL);
  coreapi_auth_free(a);
  unlink(path);
}

static void test_object(void) {
  const char *path = scratch_path("obj.netrc");
  const char text[] = "machine api.test login alice password s3cr3t-pw\n"
                      "machine other.test login bob password 0ther-pw\n"
                      "machine nopw.test login carol\n";
  char desc[128], buf[128];
  coreapi_auth *a;
  write_file(path, text, sizeof(text) - 1, 0600);
  a = coreapi_auth_netrc_new(path, 0, fresh());
  REQUIRE(a != NULL);
  CHECK_STR(coreapi_auth_name(a), "netrc");
  CHECK_STR(coreapi_auth_domain(a), "*");
  CHECK_INT(coreapi_auth_allows_cookies(a), 0);
  CHECK_STR(coreapi_auth_describe(a, desc, sizeof(desc)), "netrc (3 machines)");
  CHECK(strstr(desc, "alice") == NULL && strstr(desc, "s3cr3t") == NULL);
  /* Read once: the file may go away. */
  unlink(path);
  credentials_for(a, "http://api.test/", buf, sizeof(buf));
  CHECK_STR(buf, "alice:s3cr3t-pw");
  credentials_for(a, "http://nopw.test/", buf, sizeof(buf));
  CHECK_STR(buf, "none");
  credentials_for(a, "http://elsewhere.test/", buf, sizeof(buf));
  CHECK_STR(buf, "none");
  /* Nothing is removed on a host without an entry. */
  coreapi_request *req = coreapi_request_new("GET", "http://elsewhere.test/", fresh());
  REQUIRE(req != NULL);
  CHECK_INT(coreapi_request_set_header(req, "Authorization", "Bearer mine", fresh()), COREAPI_OK);
  CHECK_INT(coreapi_auth_apply(a, req, NULL, fresh()), COREAPI_OK);
  CHECK_STR(coreapi_request_header(req, "Authorization"), "Bearer mine");
  coreapi_request_free(req);
  CHECK(coreapi_auth_ref(a) == a);
  coreapi_auth_free(a);
  credentials_for(a, "http://other.test/", buf, sizeof(buf));
  CHECK_STR(buf, "bob:0ther-pw");
  coreapi_auth_free(a);
}

/* The parser on its own: lines, empty input, entries in order. */
static void test_parser(void) {
  coreapi__netrc n;
  unsigned line = 99;
  const char text[] = "machine a login x password y\n\ndefault login d\nmachine b\n";
  CHECK_INT(coreapi__netrc_parse(NULL, 0, &n, &line, fresh()), COREAPI_OK);
  CHECK_INT(n.count, 0);
  CHECK_INT(line, 0);
  coreapi__netrc_free(&n);
  CHECK_INT(coreapi__netrc_parse(text, sizeof(text) - 1, &n, &line, fresh()), COREAPI_OK);
  REQUIRE(n.count == 3);
  CHECK_STR(n.entries[0].machine, "a");
  CHECK_STR(n.entries[0].login, "x");
  CHECK_STR(n.entries[0].password, "y");
  CHECK_INT(n.entries[0].line, 1);
  CHECK(n.entries[1].machine == NULL);
  CHECK_STR(n.entries[1].login, "d");
  CHECK(n.entries[1].password == NULL);
  CHECK_INT(n.entries[1].line, 3);
  CHECK_STR(n.entries[2].machine, "b");
  CHECK_INT(n.entries[2].line, 4);
  coreapi__netrc_free(&n);
  coreapi__netrc_free(&n); /* empty again: fine */
  coreapi__netrc_free(NULL);
  CHECK_INT(coreapi__netrc_parse("\n\nmachine \"x", 11, &n, &line, fresh()), COREAPI_ERR_PARSE);
  CHECK_INT(line, 3);
  CHECK(n.entries == NULL && n.count == 0);
  CHECK_INT(coreapi__netrc_parse("x", COREAPI__NETRC_MAX_SIZE + 1, &n, &line, fresh()),
            COREAPI_ERR_PARSE);
}

int main(void) {
  const char *tmp = getenv("TMPDIR");
  snprintf(scratch, sizeof(scratch), "%s/test_netrc.XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
  REQUIRE(mkdtemp(scratch) != NULL);
  test_suite();
  test_permissions();
  test_not_regular();
  test_missing_and_default_path();
  test_size_and_bytes();
  test_arguments();
  test_object();
  test_parser();
  unlink(scratch_path("case.netrc"));
  unlink(scratch_path("perm.netrc"));
  rmdir(scratch);
  return check_done("test_netrc");
}
