/*
 * test_actions.c - Core API transitions against the real Django REST
 * framework example API (run under servers.py --django): the schema is
 * fetched with coreapi_client_get and every request goes through its links
 * with coreapi_client_action.
 *
 * Under Token authentication (the token obtained through the schema's
 * api-token-auth link), Session authentication (GET /csrf/, POST /login/,
 * CSRF left to the library) and Basic authentication, the same scenario:
 * list (count, pagination, genre filter, title search, a bad genre and a page
 * past the end), create (multipart, with and without a cover file), read,
 * update, partial_update, upload_cover (a raw octet-stream upload; the stored
 * bytes checked by GETting the cover URL), import_file (multipart; size and
 * SHA-256 as the server computed them) and delete (a read afterwards is a
 * 404 Error). Without authentication, and with bad credentials, each action
 * is refused with 403. A cover URL fetched with coreapi_client_get gives a
 * downloaded file with the exact bytes; reload gives the schema again.
 */
#define _POSIX_C_SOURCE 200809L
#include <coreapi/coreapi.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "files.h"
#include "nodes.h"

static const char *port, *tmpdir, *user, *password, *user2, *password2;
static char base[64];
static coreapi_node *schema; /* fetched by the first client, used by all */

/* --- nodes ------------------------------------------------------------------------ */

/* S, I, OBJ and disk_file come from nodes.h. */

static const char *str_at(const coreapi_node *n, const char *key) {
  return coreapi_string_value(coreapi_map_get(n, key, strlen(key)), NULL);
}
static int64_t int_at(const coreapi_node *n, const char *key) {
  const coreapi_node *v = coreapi_map_get(n, key, strlen(key));
  return coreapi_node_type_of(v) == COREAPI_NODE_INTEGER ? coreapi_integer_value(v) : -1;
}

/* --- actions ------------------------------------------------------------------------ */

/* Act on ["books", name] (or [group, name]) of the schema; params consumed. */
static coreapi_code act(coreapi_client *c, const char *group, const char *name,
                        coreapi_node *params, coreapi_result *res, coreapi_error *err) {
  const coreapi_key keys[2] = {{group, 0}, {name, 0}};
  coreapi_code rc = coreapi_client_action(c, schema, keys, 2, params, NULL, res, err);
  coreapi_node_free(params);
  return rc;
}

/* An action that must succeed; the result node (new reference) or NULL. */
static coreapi_node *ok(coreapi_client *c, const char *what, const char *name,
                        coreapi_node *params, long status, int line) {
  coreapi_result res;
  coreapi_error err;
  coreapi_code rc = act(c, "books", name, params, &res, &err);
  coreapi_node *node = res.node;
  check_count++;
  if (rc != COREAPI_OK || res.status != status) {
    char *text = res.node ? coreapi_json_encode(res.node, 0, 0, NULL, NULL) : NULL;
    check_failures++;
    fprintf(stderr, "test_actions.c:%d: %s: books.%s gave %d (%s), status %ld, expected %ld: %s\n",
            line, what, name, (int)rc, err.text, res.status, status, text ? text : "");
    free(text);
  }
  res.node = NULL;
  coreapi_result_clear(&res);
  return node;
}
#define OK(c, what, name, params, status) ok(c, what, name, params, status, __LINE__)

/* An action that must be refused with an Error response of this status. */
static void refused(coreapi_client *c, const char *what, const char *name, coreapi_node *params,
                    long status, const char *detail, int line) {
  coreapi_result res;
  coreapi_error err;
  coreapi_code rc = act(c, "books", name, params, &res, &err);
  const char *d = str_at(res.node, "detail");
  check_count++;
  if (rc != COREAPI_ERR_ERROR_RESPONSE || err.http_status != status || res.status != status ||
      coreapi_node_type_of(res.node) != COREAPI_NODE_ERROR ||
      (detail != NULL && (d == NULL || strcmp(d, detail) != 0))) {
    check_failures++;
    fprintf(stderr, "test_actions.c:%d: %s: books.%s gave %d (%s), status %ld/%ld, detail %s; "
                    "expected %ld %s\n", line, what, name, (int)rc, err.text, err.http_status,
            res.status, d ? d : "(none)", status, detail ? detail : "");
  }
  coreapi_result_clear(&res);
}
#define REFUSED(c, what, name, params, status, detail) \
  refused(c, what, name, params, status, detail, __LINE__)

/* --- files --------------------------------------------------------------------------- */

static const char cover1[] = "\x89PNG\r\n\x1a\n\0\0\0\rIHDR first cover \xff\xfe";
static const char cover2[] = "\x89PNG\r\n\x1a\n\0\0\0\rIHDR second cover, raw upload \x01";
static const char import_data[] = "id,title\r\n1,Dune\r\n\0\xff binary tail";
#define IMPORT_SHA256 "301fbb4cbd120561705981c4256b639a97777a8e0443cbc5184fd69a0211dff7"

static int file_equals(const char *path, const char *data, size_t len) {
  char buf[4096];
  size_t n;
  FILE *f = fopen(path, "rb");
  if (f == NULL)
    return 0;
  n = fread(buf, 1, sizeof(buf), f);
  fclose(f);
  return n == len && memcmp(buf, data, len) == 0;
}

/* GET url without the Core API machinery: the raw bytes. */
static int url_has_bytes(coreapi_client *c, const char *url, const char *data, size_t len) {
  coreapi_response *r = NULL;
  size_t blen;
  const char *b;
  int same;
  if (coreapi_client_request(c, "GET", url, NULL, NULL, 0, &r, NULL) != COREAPI_OK)
    return 0;
  b = coreapi_response_body(r, &blen);
  same = coreapi_response_status(r) == 200 && blen == len && memcmp(b, data, len) == 0;
  coreapi_response_free(r);
  return same;
}

/* --- the scenario -------------------------------------------------------------------- */

static void check_titles(const coreapi_node *page, const char *const *titles, size_t n,
                         int line) {
  const coreapi_node *results = coreapi_map_get(page, "results", 7);
  int bad = coreapi_array_size(results) != n;
  for (size_t i = 0; !bad && i < n; i++) {
    const char *t = str_at(coreapi_array_get(results, i), "title");
    bad = t == NULL || strcmp(t, titles[i]) != 0;
  }
  check_count++;
  if (bad) {
    char *text = coreapi_json_encode(page, 0, 0, NULL, NULL);
    check_failures++;
    fprintf(stderr, "test_actions.c:%d: unexpected page: %s\n", line, text ? text : "(null)");
    free(text);
  }
}

static void scenario(coreapi_client *c, const char *what) {
  static const char *const first_page[] = {"Dune", "A Brief History of Time",
                                           "The Guns of August", "Les Mis\xc3\xa9rables",
                                           "The Selfish Gene"};
  static const char *const second_page[] = {"SPQR", "Der Zauberberg"};
  static const char *const science[] = {"A Brief History of Time", "The Selfish Gene"};
  static const char *const the[] = {"The Guns of August", "The Selfish Gene"};
  char cover_path[512], raw_path[512], import_path[512], name[128], url[256];
  coreapi_node *n, *book;
  int64_t id, id2;

  /* list, paginated by 5 */
  n = OK(c, what, "list", NULL, 200);
  CHECK_INT(int_at(n, "count"), 7);
  snprintf(url, sizeof(url), "%s/books/?page=2", base);
  CHECK_STR(str_at(n, "next"), url);
  CHECK_INT(coreapi_node_type_of(coreapi_map_get(n, "previous", 8)), COREAPI_NODE_NULL);
  check_titles(n, first_page, 5, __LINE__);
  CHECK_INT(int_at(coreapi_array_get(coreapi_map_get(n, "results", 7), 0), "id"), 1);
  CHECK_STR(str_at(coreapi_array_get(coreapi_map_get(n, "results", 7), 0), "owner"), "alice");
  coreapi_node_free(n);
  n = OK(c, what, "list", OBJ("page", I(2), NULL), 200);
  CHECK_INT(int_at(n, "count"), 7);
  check_titles(n, second_page, 2, __LINE__);
  CHECK(str_at(n, "next") == NULL);
  coreapi_node_free(n);
  n = OK(c, what, "list", OBJ("genre", S("science"), NULL), 200);
  CHECK_INT(int_at(n, "count"), 2);
  check_titles(n, science, 2, __LINE__);
  coreapi_node_free(n);
  n = OK(c, what, "list", OBJ("search", S("the "), NULL), 200);
  CHECK_INT(int_at(n, "count"), 2);
  check_titles(n, the, 2, __LINE__);
  coreapi_node_free(n);
  REFUSED(c, what, "list", OBJ("page", I(99), NULL), 404, "Invalid page.");
  {
    coreapi_result res;
    coreapi_error err;
    const coreapi_node *g;
    CHECK_INT(act(c, "books", "list", OBJ("genre", S("poetry"), NULL), &res, &err),
              COREAPI_ERR_ERROR_RESPONSE);
    CHECK_INT(err.http_status, 400);
    CHECK_STR(coreapi_node_title(res.node), "400 Bad Request");
    g = coreapi_map_get(res.node, "genre", 5);
    CHECK_STR(coreapi_string_value(coreapi_array_get(g, 0), NULL),
              "Select one of: fiction, science, history.");
    coreapi_result_clear(&res);
  }

  /* create: multipart without and with a cover */
  book = OK(c, what, "create",
            OBJ("title", S("T\xc3\xa9st \xe2\x80\x94 one"), "author", S("Me"), "year", I(2001),
                "genre", S("science"), NULL),
            201);
  id = int_at(book, "id");
  CHECK(id >= 8);
  CHECK_STR(str_at(book, "title"), "T\xc3\xa9st \xe2\x80\x94 one");
  CHECK_INT(int_at(book, "year"), 2001);
  CHECK_STR(str_at(book, "owner"), "alice");
  CHECK_INT(coreapi_node_type_of(coreapi_map_get(book, "cover", 5)), COREAPI_NODE_NULL);
  coreapi_node_free(book);

  snprintf(name, sizeof(name), "%s-front.png", what);
  write_file_in(cover_path, sizeof(cover_path), tmpdir, name, cover1, sizeof(cover1) - 1);
  book = OK(c, what, "create",
            OBJ("title", S("Two"), "author", S("You"), "year", I(1999), "genre", S("history"),
                "cover", disk_file(cover_path, NULL, "image/png"), NULL),
            201);
  id2 = int_at(book, "id");
  CHECK_INT(id2, id + 1);
  CHECK(str_at(book, "cover") != NULL && strstr(str_at(book, "cover"), name) != NULL);
  if (str_at(book, "cover") != NULL)
    CHECK(url_has_bytes(c, str_at(book, "cover"), cover1, sizeof(cover1) - 1));
  coreapi_node_free(book);
  n = OK(c, what, "list", NULL, 200);
  CHECK_INT(int_at(n, "count"), 9);
  coreapi_node_free(n);

  /* read */
  book = OK(c, what, "read", OBJ("id", I(id), NULL), 200);
  CHECK_INT(int_at(book, "id"), id);
  CHECK_STR(str_at(book, "title"), "T\xc3\xa9st \xe2\x80\x94 one");
  coreapi_node_free(book);

  /* update: every field; the second book keeps its cover */
  book = OK(c, what, "update",
            OBJ("id", I(id2), "title", S("Two, again"), "author", S("Them"), "year", I(2010),
                "genre", S("fiction"), NULL),
            200);
  CHECK_STR(str_at(book, "title"), "Two, again");
  CHECK_STR(str_at(book, "author"), "Them");
  CHECK_STR(str_at(book, "genre"), "fiction");
  CHECK(str_at(book, "cover") != NULL && strstr(str_at(book, "cover"), name) != NULL);
  coreapi_node_free(book);

  /* partial_update: one field */
  book = OK(c, what, "partial_update", OBJ("id", I(id), "year", I(1984), NULL), 200);
  CHECK_INT(int_at(book, "year"), 1984);
  CHECK_STR(str_at(book, "title"), "T\xc3\xa9st \xe2\x80\x94 one");
  coreapi_node_free(book);
  REFUSED(c, what, "partial_update", OBJ("id", I(id), "genre", S("poetry"), NULL), 400, NULL);

  /* upload_cover: the raw bytes, the name in Content-Disposition */
  snprintf(name, sizeof(name), "%s raw cover.png", what);
  write_file_in(raw_path, sizeof(raw_path), tmpdir, "raw.bin", cover2, sizeof(cover2) - 1);
  book = OK(c, what, "upload_cover",
            OBJ("id", I(id), "file", disk_file(raw_path, name, NULL), NULL), 200);
  snprintf(name, sizeof(name), "/media/covers/%s_raw_cover", what);
  CHECK(str_at(book, "cover") != NULL && strstr(str_at(book, "cover"), name) != NULL);
  if (str_at(book, "cover") != NULL) {
    CHECK(url_has_bytes(c, str_at(book, "cover"), cover2, sizeof(cover2) - 1));
    /* The cover downloaded through the Core API client: a file. */
    {
      coreapi_result res;
      coreapi_error err;
      CHECK_INT(coreapi_client_get(c, str_at(book, "cover"), NULL, &res, &err), COREAPI_OK);
      CHECK(res.node == NULL);
      CHECK_INT(res.status, 200);
      CHECK(res.file != NULL && strncmp(res.file, tmpdir, strlen(tmpdir)) == 0);
      if (res.file != NULL) {
        CHECK(strstr(res.file, "_raw_cover") != NULL);
        CHECK(file_equals(res.file, cover2, sizeof(cover2) - 1));
        unlink(res.file);
      }
      coreapi_result_clear(&res);
    }
  }
  coreapi_node_free(book);

  /* import_file: multipart, checked by the server */
  write_file_in(import_path, sizeof(import_path), tmpdir, "import.csv", import_data,
                sizeof(import_data) - 1);
  n = OK(c, what, "import_file",
         OBJ("description", S("caf\xc3\xa9 list"), "file",
             disk_file(import_path, "books.csv", "text/csv"), NULL),
         200);
  CHECK_STR(str_at(n, "name"), "books.csv");
  CHECK_INT(int_at(n, "size"), sizeof(import_data) - 1);
  CHECK_STR(str_at(n, "sha256"), IMPORT_SHA256);
  CHECK_STR(str_at(n, "content_type"), "text/csv");
  CHECK_STR(str_at(coreapi_map_get(n, "fields", 6), "description"), "caf\xc3\xa9 list");
  CHECK_INT(coreapi_map_size(coreapi_map_get(n, "fields", 6)), 1);
  coreapi_node_free(n);

  /* delete, then read is a 404 */
  n = OK(c, what, "delete", OBJ("id", I(id), NULL), 204);
  CHECK(n == NULL);
  coreapi_node_free(n);
  n = OK(c, what, "delete", OBJ("id", I(id2), NULL), 204);
  coreapi_node_free(n);
  {
    coreapi_result res;
    coreapi_error err;
    CHECK_INT(act(c, "books", "read", OBJ("id", I(id), NULL), &res, &err),
              COREAPI_ERR_ERROR_RESPONSE);
    CHECK_INT(err.http_status, 404);
    CHECK_INT(res.status, 404);
    CHECK_INT(coreapi_node_type_of(res.node), COREAPI_NODE_ERROR);
    CHECK_STR(coreapi_node_title(res.node), "404 Not Found");
    CHECK(str_at(res.node, "detail") != NULL);
    coreapi_result_clear(&res);
  }
  n = OK(c, what, "list", NULL, 200);
  CHECK_INT(int_at(n, "count"), 7);
  coreapi_node_free(n);
}

/* Every books action refused with 403 and detail. */
static void all_refused(coreapi_client *c, const char *what, const char *detail) {
  char path[512];
  write_file_in(path, sizeof(path), tmpdir, "refused.png", cover1, sizeof(cover1) - 1);
  REFUSED(c, what, "list", NULL, 403, detail);
  REFUSED(c, what, "list", OBJ("genre", S("science"), NULL), 403, detail);
  REFUSED(c, what, "create",
          OBJ("title", S("x"), "author", S("y"), "year", I(1), "genre", S("fiction"), "cover",
              disk_file(path, NULL, "image/png"), NULL),
          403, detail);
  REFUSED(c, what, "read", OBJ("id", I(1), NULL), 403, detail);
  REFUSED(c, what, "update",
          OBJ("id", I(1), "title", S("x"), "author", S("y"), "year", I(1), "genre",
              S("fiction"), NULL),
          403, detail);
  REFUSED(c, what, "partial_update", OBJ("id", I(1), "year", I(2), NULL), 403, detail);
  REFUSED(c, what, "upload_cover", OBJ("id", I(1), "file", disk_file(path, NULL, NULL), NULL),
          403, detail);
  REFUSED(c, what, "import_file", OBJ("file", disk_file(path, NULL, NULL), NULL), 403, detail);
  REFUSED(c, what, "delete", OBJ("id", I(1), NULL), 403, detail);
}

static coreapi_client *new_client(void) {
  coreapi_client *c = coreapi_client_new(NULL);
  REQUIRE(c != NULL);
  REQUIRE(coreapi_client_set_download_dir(c, tmpdir, NULL) == COREAPI_OK);
  return c;
}

static void add_auth(coreapi_client *c, coreapi_auth *a) {
  REQUIRE(a != NULL);
  REQUIRE(coreapi_client_add_auth(c, a, NULL) == COREAPI_OK);
  coreapi_auth_free(a);
}

/* me.list: who the server thinks we are. */
static void check_me(coreapi_client *c, const char *username, const char *auth) {
  coreapi_result res;
  coreapi_error err;
  CHECK_INT(act(c, "me", "list", NULL, &res, &err), COREAPI_OK);
  CHECK_STR(str_at(res.node, "username"), username);
  CHECK_STR(str_at(res.node, "auth"), auth);
  coreapi_result_clear(&res);
}

static void test_schema(void) {
  coreapi_client *c = new_client();
  coreapi_result res;
  coreapi_error err;
  char url[128];
  const coreapi_node *link;
  const coreapi_key keys[2] = {{"books", 0}, {"read", 0}};

  snprintf(url, sizeof(url), "%s/schema/", base);
  REQUIRE(coreapi_client_get(c, url, NULL, &res, &err) == COREAPI_OK);
  REQUIRE(coreapi_node_type_of(res.node) == COREAPI_NODE_DOCUMENT);
  schema = res.node;
  res.node = NULL;
  coreapi_result_clear(&res);
  CHECK_STR(coreapi_node_url(schema), url);
  link = coreapi_node_lookup(schema, keys, 2, NULL);
  CHECK_INT(coreapi_node_type_of(link), COREAPI_NODE_LINK);
  snprintf(url, sizeof(url), "%s/books/{id}/", base);
  CHECK_STR(coreapi_node_url(link), url);

  /* reload: the same document again. */
  CHECK_INT(coreapi_client_reload(c, schema, NULL, &res, &err), COREAPI_OK);
  CHECK(coreapi_node_equal(res.node, schema));
  coreapi_result_clear(&res);
  coreapi_client_free(c);
}

static void test_token(void) {
  coreapi_client *c = new_client();
  coreapi_result res;
  coreapi_error err;
  const coreapi_key keys[2] = {{"api-token-auth", 0}, {"create", 0}};
  coreapi_node *params;
  const char *token;

  /* Before: refused. Bad credentials at api-token-auth: a 400 Error. */
  all_refused(c, "no auth", "Authentication credentials were not provided.");
  params = OBJ("username", S(user), "password", S("wrong"), NULL);
  CHECK_INT(coreapi_client_action(c, schema, keys, 2, params, NULL, &res, &err),
            COREAPI_ERR_ERROR_RESPONSE);
  CHECK_INT(err.http_status, 400);
  CHECK_STR(coreapi_string_value(
                coreapi_array_get(coreapi_map_get(res.node, "non_field_errors", 16), 0), NULL),
            "Unable to log in with provided credentials.");
  coreapi_node_free(params);
  coreapi_result_clear(&res);

  params = OBJ("username", S(user), "password", S(password), NULL);
  REQUIRE(coreapi_client_action(c, schema, keys, 2, params, NULL, &res, &err) == COREAPI_OK);
  coreapi_node_free(params);
  token = str_at(res.node, "token");
  REQUIRE(token != NULL && strlen(token) == 40);
  add_auth(c, coreapi_auth_token_new(token, "Token", NULL, NULL));
  coreapi_result_clear(&res);
  check_me(c, user, "token");
  scenario(c, "token");
  coreapi_client_free(c);

  /* A wrong token is refused. */
  c = new_client();
  add_auth(c, coreapi_auth_token_new("0123456789abcdef0123456789abcdef01234567", "Token", NULL,
                                     NULL));
  all_refused(c, "bad token", "Invalid token.");
  coreapi_client_free(c);
}

static void test_session(void) {
  coreapi_client *c = new_client();
  coreapi_response *r = NULL;
  coreapi_result res;
  coreapi_error err;
  char url[128], body[256];

  add_auth(c, coreapi_auth_session_new("csrftoken", "X-CSRFToken", NULL, NULL));
  /* Not logged in yet: refused. */
  all_refused(c, "session, not logged in", "Authentication credentials were not provided.");

  snprintf(url, sizeof(url), "%s/csrf/", base);
  CHECK_INT(coreapi_client_get(c, url, NULL, &res, &err), COREAPI_OK);
  coreapi_result_clear(&res);
  snprintf(url, sizeof(url), "%s/login/", base);
  snprintf(body, sizeof(body), "{\"username\": \"%s\", \"password\": \"%s\"}", user, password);
  REQUIRE(coreapi_client_request(c, "POST", url, "application/json", body, strlen(body), &r,
                                 &err) == COREAPI_OK);
  CHECK_INT(coreapi_response_status(r), 200);
  coreapi_response_free(r);
  check_me(c, user, "session");
  /* Unsafe actions carry the (rotated) CSRF token: the library's job. */
  scenario(c, "session");
  coreapi_client_free(c);
}

static void test_basic(void) {
  coreapi_client *c = new_client();
  add_auth(c, coreapi_auth_basic_new(user, password, NULL, NULL));
  check_me(c, user, "basic");
  scenario(c, "basic");
  coreapi_client_free(c);

  /* UTF-8 credentials. */
  c = new_client();
  add_auth(c, coreapi_auth_basic_new(user2, password2, NULL, NULL));
  check_me(c, user2, "basic");
  coreapi_client_free(c);

  /* A wrong password is refused. */
  c = new_client();
  add_auth(c, coreapi_auth_basic_new(user, "not the password", NULL, NULL));
  all_refused(c, "bad basic", "Invalid username/password.");
  coreapi_client_free(c);
}

int main(void) {
  port = getenv("COREAPI_TEST_DJANGO_PORT");
  tmpdir = getenv("COREAPI_TEST_TMPDIR");
  user = getenv("COREAPI_TEST_USER");
  password = getenv("COREAPI_TEST_PASSWORD");
  user2 = getenv("COREAPI_TEST_USER2");
  password2 = getenv("COREAPI_TEST_PASSWORD2");
  if (port == NULL || tmpdir == NULL || user == NULL || password == NULL || user2 == NULL ||
      password2 == NULL) {
    fprintf(stderr, "run under tests/integration/servers.py --django\n");
    return 2;
  }
  snprintf(base, sizeof(base), "http://127.0.0.1:%s", port);

  test_schema();
  test_token();
  test_session();
  test_basic();

  coreapi_node_free(schema);
  return check_done("test_actions");
}
