/*
 * test_openapi_live.c - OpenAPI descriptions served by real servers drive the
 * client (under servers.py --django --fastapi): each is fetched with
 * coreapi_client_get, and every request goes through its Document's links.
 *
 * The Django example API (examples/api/exampleapi/openapi.py): drf-spectacular's
 * description as YAML and JSON, DRF's generator's as JSON and YAML. For each,
 * the links (operationId keys under the tag "books", path, query and form
 * fields, read-only properties left out, JSON and octet-stream encodings),
 * then with no credentials (refused, 403), Token (from the description's
 * api-token-auth link), Basic and Session (log in; the library mirrors the
 * CSRF cookie on unsafe requests, and without it Django refuses them): list,
 * filter, create, read, update, partial update, raw upload, delete, each
 * result's content checked.
 *
 * The FastAPI service (fastapi_app.py): its JSON as application/json
 * (sniffed) and as YAML. Items behind an API key header (403 without, 401 with
 * a wrong one): CRUD, filters, a header parameter stored with the item; path,
 * query, header and cookie parameters echoed; a required header left out;
 * the key not sent to another host name the description was fetched from.
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

static const char *dport, *fport, *fkey, *tmpdir, *user, *password;
static char dbase[64];

/* One description of the Django API: where, and its books operations' keys. */
typedef struct django_api {
  const char *path;
  const char *list, *create, *read, *update, *partial, *destroy, *upload, *token, *me;
} django_api;

#define SPECTACULAR_KEYS                                                                   \
  "books_list", "books_create", "books_retrieve", "books_update", "books_partial_update", \
      "books_destroy", "books_upload_cover_update", "api_token_auth_create", "me_retrieve"
#define DRF_KEYS                                                                       \
  "listBooks", "createBook", "retrieveBook", "updateBook", "partialUpdateBook", \
      "destroyBook", "uploadCoverBook", "createAuthToken", "listMes"

static const django_api django_apis[] = {
    {"/openapi.yaml", SPECTACULAR_KEYS},
    {"/openapi.json", SPECTACULAR_KEYS},
    {"/openapi-drf/", DRF_KEYS},
    {"/openapi-drf.yaml", DRF_KEYS},
};

/* Who acts: a client, the document whose links it follows, the group (tag)
 * of the operations, and a name for messages. */
typedef struct actor {
  coreapi_client *c;
  const coreapi_node *doc;
  const char *group, *what;
} actor;

/* --- nodes, links, actions ------------------------------------------------------------ */

static const char *str_at(const coreapi_node *n, const char *key) {
  return coreapi_string_value(coreapi_map_get(n, key, strlen(key)), NULL);
}
static int64_t int_at(const coreapi_node *n, const char *key) {
  const coreapi_node *v = coreapi_map_get(n, key, strlen(key));
  return coreapi_node_type_of(v) == COREAPI_NODE_INTEGER ? coreapi_integer_value(v) : -1;
}
/* The value of a JSON text (new reference). */
static coreapi_node *J(const char *json) {
  coreapi_node *n = coreapi_json_decode(json, strlen(json), NULL);
  REQUIRE(n != NULL);
  return n;
}

static const coreapi_node *link_at(const coreapi_node *doc, const char *group, const char *name) {
  const coreapi_key keys[2] = {{group, 0}, {name, 0}};
  return coreapi_node_lookup(doc, keys, 2, NULL);
}

/* The field called name of link, or NULL. */
static const coreapi_field *field_of(const coreapi_node *link, const char *name) {
  for (size_t i = 0; i < coreapi_link_field_count(link); i++)
    if (strcmp(coreapi_field_name(coreapi_link_field(link, i)), name) == 0)
      return coreapi_link_field(link, i);
  return NULL;
}

/* Check that link's fields are exactly those of spec, separated by spaces:
 * "name!location" for a required field, "name?location" for an optional one. */
static void fields_are(const coreapi_node *link, const char *spec, int line) {
  char buf[256], *save = NULL, *tok;
  size_t n = 0;
  snprintf(buf, sizeof(buf), "%s", spec);
  for (tok = strtok_r(buf, " ", &save); tok != NULL; tok = strtok_r(NULL, " ", &save), n++) {
    size_t k = strcspn(tok, "!?");
    const char sep = tok[k];
    const coreapi_field *f;
    tok[k] = '\0';
    f = field_of(link, tok);
    check_count++;
    if (f == NULL || strcmp(coreapi_field_location(f), tok + k + 1) != 0 ||
        coreapi_field_required(f) != (sep == '!')) {
      check_failures++;
      fprintf(stderr, "test_openapi_live.c:%d: field %s of %s: %s, %s; expected %c%s\n", line,
              tok, coreapi_node_url(link) ? coreapi_node_url(link) : "(no link)",
              f ? coreapi_field_location(f) : "(missing)",
              f && coreapi_field_required(f) ? "required" : "optional", sep, tok + k + 1);
    }
  }
  CHECK_INT(coreapi_link_field_count(link), n);
}
#define FIELDS_ARE(link, spec) fields_are(link, spec, __LINE__)

/* Act on [group, name] of the actor's document; params consumed. */
static coreapi_code act(const actor *a, const char *name, coreapi_node *params,
                        coreapi_result *res, coreapi_error *err) {
  const coreapi_key keys[2] = {{a->group, 0}, {name, 0}};
  coreapi_code rc = coreapi_client_action(a->c, a->doc, keys, 2, params, NULL, res, err);
  coreapi_node_free(params);
  return rc;
}

/* The result of the last expect(), kept until the next one. */
static coreapi_node *last;

/* Act on [group, name] with params (consumed). A status under 400 must be a
 * success, the result node returned (borrowed: valid until the next call);
 * 400 and up an Error of that status (the library's ERR_ERROR_RESPONSE)
 * whose "detail" starts with detail (NULL: any), NULL returned. */
static const coreapi_node *expect(const actor *a, const char *name, coreapi_node *params,
                                  long status, const char *detail, int line) {
  coreapi_result res;
  coreapi_error err;
  coreapi_code rc = act(a, name, params, &res, &err);
  const char *d = str_at(res.node, "detail");
  int refusal = status >= 400;
  int bad = rc != (refusal ? COREAPI_ERR_ERROR_RESPONSE : COREAPI_OK) || res.status != status;
  if (refusal)
    bad |= err.http_status != status || coreapi_node_type_of(res.node) != COREAPI_NODE_ERROR ||
           (detail != NULL && (d == NULL || strncmp(d, detail, strlen(detail)) != 0));
  check_count++;
  if (bad) {
    char *text = res.node ? coreapi_json_encode(res.node, 0, 0, NULL, NULL) : NULL;
    check_failures++;
    fprintf(stderr, "test_openapi_live.c:%d: %s: %s.%s gave %d (%s), status %ld, "
            "expected %ld %s: %s\n", line, a->what, a->group, name, (int)rc,
            rc ? err.text : "", res.status, status, detail ? detail : "", text ? text : "");
    free(text);
  }
  coreapi_node_free(last);
  last = NULL;
  if (!refusal) {
    last = res.node;
    res.node = NULL;
  }
  coreapi_result_clear(&res);
  return last;
}
#define OK(a, name, params, status) expect(a, name, params, status, NULL, __LINE__)
#define REFUSED(a, name, params, status, detail) expect(a, name, params, status, detail, __LINE__)

/* The titles of the items of a list, or of a page's "results", joined by
 * "|" (in a static buffer that the next call reuses). */
static const char *titles(const coreapi_node *list) {
  static char buf[512];
  const coreapi_node *items = coreapi_node_type_of(list) == COREAPI_NODE_ARRAY
                                  ? list : coreapi_map_get(list, "results", 7);
  size_t used = 0;
  buf[0] = '\0';
  for (size_t i = 0; i < coreapi_array_size(items) && used < sizeof(buf); i++) {
    const char *t = str_at(coreapi_array_get(items, i), "title");
    used += (size_t)snprintf(buf + used, sizeof(buf) - used, "%s%s", i ? "|" : "", t ? t : "?");
  }
  return buf;
}

/* --- clients and descriptions --------------------------------------------------------- */

static void add_auth(coreapi_client *c, coreapi_auth *a) {
  REQUIRE(a != NULL);
  REQUIRE(coreapi_client_add_auth(c, a, NULL) == COREAPI_OK);
  coreapi_auth_free(a);
}

/* A new client with the authentication auth (taken), or none for NULL. */
static coreapi_client *new_client(coreapi_auth *auth) {
  coreapi_client *c = coreapi_client_new(NULL);
  REQUIRE(c != NULL);
  REQUIRE(coreapi_client_set_download_dir(c, tmpdir, NULL) == COREAPI_OK);
  if (auth != NULL)
    add_auth(c, auth);
  return c;
}

/* The Document that GET url gives (new reference); its URL is url. */
static coreapi_node *fetch(coreapi_client *c, const char *url) {
  coreapi_result res;
  coreapi_error err;
  coreapi_node *doc;
  coreapi_code rc = coreapi_client_get(c, url, NULL, &res, &err);
  if (rc != COREAPI_OK || coreapi_node_type_of(res.node) != COREAPI_NODE_DOCUMENT)
    fprintf(stderr, "test_openapi_live.c: GET %s gave %d (%s), status %ld, a %s\n", url, (int)rc,
            err.text, res.status, coreapi_node_type_name(coreapi_node_type_of(res.node)));
  REQUIRE(rc == COREAPI_OK && coreapi_node_type_of(res.node) == COREAPI_NODE_DOCUMENT);
  CHECK_INT(res.status, 200);
  CHECK_STR(coreapi_node_url(res.node), url);
  doc = res.node;
  res.node = NULL;
  coreapi_result_clear(&res);
  return doc;
}

/* --- the Django API ------------------------------------------------------------------- */

/* The books' links as the description gives them. */
/* The scheme named name of doc: its type, and where its key goes ("" for
 * none), and the first alternative of link's requirement ("" for none). */
static void check_scheme(const coreapi_node *doc, const char *name, const char *type,
                         const char *in, const char *key_name, int line) {
  const coreapi_node *s = coreapi_map_get(coreapi_document_security_schemes(doc), name,
                                          strlen(name));
  if (s == NULL)
    fprintf(stderr, "line %d: no security scheme %s\n", line, name);
  CHECK(s != NULL);
  CHECK_STR(str_at(s, "type"), type);
  if (in[0] != '\0') {
    CHECK_STR(str_at(s, "in"), in);
    CHECK_STR(str_at(s, "name"), key_name);
  }
}

/* Each alternative of link's requirement: its one scheme's name, joined by
 * spaces ("" for none stated). */
static void requirement_is(const coreapi_node *link, const char *want) {
  const coreapi_node *sec = coreapi_link_security(link);
  char got[128] = "";
  for (size_t i = 0; i < coreapi_array_size(sec); i++) {
    const char *name = "{}";
    coreapi_map_entry_inserted(coreapi_array_get(sec, i), 0, &name, NULL);
    snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%s", i ? " " : "", name);
  }
  CHECK_STR(got, want);
}

/* drf-spectacular describes the schemes the API accepts; DRF's own
 * generator none. */
static void check_django_security(const coreapi_node *doc, const django_api *api) {
  if (strcmp(api->list, "books_list") != 0) {
    CHECK(coreapi_document_security_schemes(doc) == NULL);
    requirement_is(link_at(doc, "books", api->list), "");
    return;
  }
  CHECK_INT(coreapi_map_size(coreapi_document_security_schemes(doc)), 3);
  check_scheme(doc, "basicAuth", "http", "", "", __LINE__);
  check_scheme(doc, "cookieAuth", "apiKey", "cookie", "sessionid", __LINE__);
  check_scheme(doc, "tokenAuth", "apiKey", "header", "Authorization", __LINE__);
  requirement_is(link_at(doc, "books", api->list), "cookieAuth basicAuth tokenAuth");
  requirement_is(link_at(doc, "books", api->create), "cookieAuth basicAuth tokenAuth");
}

static void check_django_links(const coreapi_node *doc, const django_api *api) {
  const coreapi_node *list = link_at(doc, "books", api->list),
                     *create = link_at(doc, "books", api->create),
                     *read = link_at(doc, "books", api->read),
                     *partial = link_at(doc, "books", api->partial),
                     *upload = link_at(doc, "books", api->upload);
  char url[128];
  CHECK_STR(coreapi_node_title(doc), "Example API");
  snprintf(url, sizeof(url), "%s/books/", dbase);
  CHECK_STR(coreapi_node_url(list), url);
  CHECK_STR(coreapi_link_action(list), "get");
  FIELDS_ARE(list, "page?query genre?query search?query");
  CHECK_STR(coreapi_field_schema_type(field_of(list, "genre")), "enum");
  CHECK_STR(coreapi_node_url(create), url);
  CHECK_STR(coreapi_link_action(create), "post");
  CHECK_STR(coreapi_link_encoding(create), "application/json");
  /* Not the read-only id and owner. */
  FIELDS_ARE(create, "title!form author!form year!form genre!form cover?form");
  CHECK_STR(coreapi_field_schema_type(field_of(create, "genre")), "enum");
  snprintf(url, sizeof(url), "%s/books/{id}/", dbase);
  CHECK_STR(coreapi_node_url(read), url);
  FIELDS_ARE(read, "id!path");
  FIELDS_ARE(partial, "id!path title?form author?form year?form genre?form cover?form");
  CHECK_STR(coreapi_link_action(partial), "patch");
  CHECK_STR(coreapi_link_encoding(upload), "application/octet-stream");
  FIELDS_ARE(upload, "id!path body!body");
  CHECK_STR(coreapi_link_action(link_at(doc, "books", api->destroy)), "delete");
  check_django_security(doc, api);
}

/* List, filter, create, read, update, partial update, upload, delete. */
static void books_scenario(const actor *a, const django_api *api) {
  static const char cover[] = "\x89PNG\r\n\x1a\n raw cover of the openapi test \x01\xff";
  char path[512];
  const coreapi_node *n;
  int64_t id;

  n = OK(a, api->list, NULL, 200);
  CHECK_INT(int_at(n, "count"), 7);
  CHECK_STR(titles(n), "Dune|A Brief History of Time|The Guns of August|"
                       "Les Mis\xc3\xa9rables|The Selfish Gene");
  n = OK(a, api->list, OBJ("page", I(2), NULL), 200);
  CHECK_STR(titles(n), "SPQR|Der Zauberberg");
  n = OK(a, api->list, OBJ("genre", S("science"), NULL), 200);
  CHECK_INT(int_at(n, "count"), 2);
  CHECK_STR(titles(n), "A Brief History of Time|The Selfish Gene");
  n = OK(a, api->list, OBJ("search", S("the "), "genre", S("history"), NULL), 200);
  CHECK_STR(titles(n), "The Guns of August");

  n = OK(a, api->create,
         OBJ("title", S("Caf\xc3\xa9 \xe2\x80\x94 OpenAPI"), "author", S("Spec"), "year",
             I(2017), "genre", S("science"), NULL),
         201);
  id = int_at(n, "id");
  CHECK(id >= 8);
  CHECK_STR(str_at(n, "title"), "Caf\xc3\xa9 \xe2\x80\x94 OpenAPI");
  CHECK_STR(str_at(n, "owner"), user);
  CHECK_INT(int_at(n, "year"), 2017);
  n = OK(a, api->read, OBJ("id", I(id), NULL), 200);
  CHECK_STR(str_at(n, "author"), "Spec");
  CHECK_STR(str_at(n, "genre"), "science");
  n = OK(a, api->update,
         OBJ("id", I(id), "title", S("Replaced"), "author", S("Other"), "year", I(2020),
             "genre", S("history"), NULL),
         200);
  CHECK_STR(str_at(n, "title"), "Replaced");
  CHECK_STR(str_at(n, "genre"), "history");
  n = OK(a, api->partial, OBJ("id", I(id), "year", I(1999), NULL), 200);
  CHECK_INT(int_at(n, "year"), 1999);
  CHECK_STR(str_at(n, "title"), "Replaced");
  REFUSED(a, api->partial, OBJ("id", I(id), "genre", S("poetry"), NULL), 400, NULL);
  write_file_in(path, sizeof(path), tmpdir, "oas-cover.bin", cover, sizeof(cover) - 1);
  n = OK(a, api->upload, OBJ("id", I(id), "body", disk_file(path, "oas cover.png", NULL), NULL),
         200);
  CHECK(strstr(str_at(n, "cover") ? str_at(n, "cover") : "", "/media/covers/oas_cover") != NULL);
  n = OK(a, api->list, OBJ("search", S("replaced"), NULL), 200);
  CHECK_INT(int_at(n, "count"), 1);

  CHECK(OK(a, api->destroy, OBJ("id", I(id), NULL), 204) == NULL); /* no body */
  REFUSED(a, api->read, OBJ("id", I(id), NULL), 404, "Not found.");
  n = OK(a, api->list, NULL, 200);
  CHECK_INT(int_at(n, "count"), 7);
}

/* Every books action refused with status and detail (a prefix of it). */
static void books_refused(const actor *a, const django_api *api, long status,
                          const char *detail) {
#define NO(name, params) REFUSED(a, name, params, status, detail)
  NO(api->list, NULL);
  NO(api->list, OBJ("genre", S("fiction"), NULL));
  NO(api->create, OBJ("title", S("x"), "author", S("y"), "year", I(1), "genre", S("history"),
                      NULL));
  NO(api->read, OBJ("id", I(1), NULL));
  NO(api->update, OBJ("id", I(1), "title", S("x"), "author", S("y"), "year", I(1), "genre",
                      S("fiction"), NULL));
  NO(api->partial, OBJ("id", I(1), "year", I(2), NULL));
  NO(api->destroy, OBJ("id", I(1), NULL));
#undef NO
}

/* GET /csrf/ and POST /login/ as the client c (with Session authentication). */
static void login(coreapi_client *c) {
  coreapi_response *r = NULL;
  coreapi_result res;
  coreapi_error err;
  char url[128], body[256];
  snprintf(url, sizeof(url), "%s/csrf/", dbase);
  CHECK_INT(coreapi_client_get(c, url, NULL, &res, &err), COREAPI_OK);
  coreapi_result_clear(&res);
  snprintf(url, sizeof(url), "%s/login/", dbase);
  snprintf(body, sizeof(body), "{\"username\": \"%s\", \"password\": \"%s\"}", user, password);
  REQUIRE(coreapi_client_request(c, "POST", url, "application/json", body, strlen(body), &r,
                                 &err) == COREAPI_OK);
  CHECK_INT(coreapi_response_status(r), 200);
  coreapi_response_free(r);
}

/* The token for user, through the description's api-token-auth link. */
static char *get_token(coreapi_client *c, const coreapi_node *doc, const django_api *api) {
  actor a = {c, doc, "api-token-auth", "token"};
  const coreapi_node *n;
  char *token;
  REFUSED(&a, api->token, OBJ("username", S(user), "password", S("wrong"), NULL), 400, NULL);
  n = OK(&a, api->token, OBJ("username", S(user), "password", S(password), NULL), 200);
  REQUIRE(str_at(n, "token") != NULL && strlen(str_at(n, "token")) == 40);
  REQUIRE((token = strdup(str_at(n, "token"))) != NULL);
  return token;
}

/* A session whose unsafe requests carry no CSRF token: the cookies of a
 * logged-in client, Session authentication without the CSRF names. */
static void session_without_csrf(const coreapi_node *doc, const django_api *api,
                                 coreapi_client *logged_in) {
  coreapi_client *c = new_client(coreapi_auth_session_new(NULL, NULL, NULL, NULL));
  actor a = {c, doc, "books", "session without CSRF"};
  char *jar = path_in(tmpdir, "oas-cookies.txt");
  REQUIRE(coreapi_client_save_cookies(logged_in, jar, NULL) == COREAPI_OK);
  REQUIRE(coreapi_client_load_cookies(c, jar, NULL) == COREAPI_OK);
  /* Safe: no CSRF token needed. */
  CHECK_STR(str_at(OK(&a, api->read, OBJ("id", I(1), NULL), 200), "title"), "Dune");
  REFUSED(&a, api->partial, OBJ("id", I(1), "year", I(1), NULL), 403, "CSRF Failed:");
  REFUSED(&a, api->destroy, OBJ("id", I(1), NULL), 403, "CSRF Failed:");
  unlink(jar);
  free(jar);
  coreapi_client_free(c);
}

/* The description's "me" link: who the server thinks we are, and how. */
static void check_me(const actor *a, const django_api *api, const char *auth) {
  actor me = {a->c, a->doc, "me", a->what};
  const coreapi_node *n = OK(&me, api->me, NULL, 200);
  CHECK_STR(str_at(n, "username"), user);
  CHECK_STR(str_at(n, "auth"), auth);
}

/* One description of the Django API under each kind of credentials. */
static void test_django(const django_api *api) {
  coreapi_client *c = new_client(NULL);
  char url[128], *token;
  coreapi_node *doc;
  actor a = {c, NULL, "books", api->path};

  snprintf(url, sizeof(url), "%s%s", dbase, api->path);
  doc = fetch(c, url);
  a.doc = doc;
  check_django_links(doc, api);
  books_refused(&a, api, 403, "Authentication credentials were not provided.");

  token = get_token(c, doc, api);
  add_auth(c, coreapi_auth_token_new(token, "Token", NULL, NULL));
  free(token);
  check_me(&a, api, "token");
  books_scenario(&a, api);
  coreapi_client_free(c);

  a.c = c = new_client(
      coreapi_auth_token_new("0123456789abcdef0123456789abcdef01234567", "Token", NULL, NULL));
  books_refused(&a, api, 403, "Invalid token.");
  coreapi_client_free(c);

  a.c = c = new_client(coreapi_auth_basic_new(user, password, NULL, NULL));
  check_me(&a, api, "basic");
  books_scenario(&a, api);
  coreapi_client_free(c);

  a.c = c = new_client(coreapi_auth_session_new("csrftoken", "X-CSRFToken", NULL, NULL));
  books_refused(&a, api, 403, "Authentication credentials were not provided.");
  login(c);
  check_me(&a, api, "session");
  books_scenario(&a, api);
  session_without_csrf(doc, api, c);
  coreapi_client_free(c);
  coreapi_node_free(doc);
}

/* /openapi/ answers the client's Accept with drf-spectacular's YAML: the
 * same links as /openapi.json. */
static void test_negotiated(void) {
  coreapi_client *c = new_client(NULL);
  char url[128];
  coreapi_node *yaml, *json;
  snprintf(url, sizeof(url), "%s/openapi/", dbase);
  yaml = fetch(c, url);
  snprintf(url, sizeof(url), "%s/openapi.json", dbase);
  json = fetch(c, url);
  CHECK(coreapi_map_size(coreapi_map_get(yaml, "books", 5)) == 8);
  CHECK(coreapi_node_equal(coreapi_map_get(yaml, "books", 5), coreapi_map_get(json, "books", 5)));
  /* GET / has no tag: a link at the top. */
  CHECK_INT(coreapi_node_type_of(coreapi_map_get(yaml, "root_retrieve", 13)), COREAPI_NODE_LINK);
  coreapi_node_free(yaml);
  coreapi_node_free(json);
  coreapi_client_free(c);
}

/* --- the FastAPI service -------------------------------------------------------------- */

/* The items' links: fields from parameters and the JSON body. */
static void check_fastapi_links(const coreapi_node *doc, const char *host) {
  const coreapi_node *create = link_at(doc, "items", "create_item"),
                     *echo = link_at(doc, "echo", "echo");
  char url[128];
  CHECK_STR(coreapi_node_title(doc), "FastAPI items");
  CHECK_STR(coreapi_node_title(create), "Add an item"); /* the summary */
  snprintf(url, sizeof(url), "http://%s:%s/items/{item_id}", host, fport);
  CHECK_STR(coreapi_node_url(link_at(doc, "items", "read_item")), url);
  FIELDS_ARE(link_at(doc, "items", "read_item"), "item_id!path");
  FIELDS_ARE(link_at(doc, "items", "list_items"), "q?query tag?query limit?query");
  CHECK_STR(coreapi_link_encoding(create), "application/json");
  FIELDS_ARE(create, "x-trace-id?header title!form price!form tags?form note?form");
  FIELDS_ARE(echo, "word!path times?query x-trace-id!header flavour?cookie");
  check_scheme(doc, "APIKeyHeader", "apiKey", "header", "X-API-Key", __LINE__);
  requirement_is(link_at(doc, "items", "read_item"), "APIKeyHeader");
  requirement_is(echo, ""); /* none stated */
  CHECK(coreapi_link_security(echo) == NULL);
}

/* Items CRUD with the key; the header parameter is stored as "trace". */
static void items_scenario(const actor *a) {
  const coreapi_node *n;
  int64_t id;

  n = OK(a, "list_items", NULL, 200);
  CHECK_STR(titles(n), "Hammer|Screwdriver|Teapot");
  n = OK(a, "list_items", OBJ("q", S("SCREW"), NULL), 200);
  CHECK_STR(titles(n), "Screwdriver");
  CHECK_STR(str_at(coreapi_array_get(n, 0), "note"), "flat");
  n = OK(a, "list_items", OBJ("tag", S("tools"), "limit", I(1), NULL), 200);
  CHECK_STR(titles(n), "Hammer");

  n = OK(a, "create_item",
         OBJ("title", S("Kettle \xe2\x98\x95"), "price", R(23.5), "note", S("new"), "tags",
             J("[\"kitchen\", \"steel\"]"), "x-trace-id", S("trace-create-1"), NULL),
         201);
  id = int_at(n, "id");
  CHECK(id >= 4);
  CHECK_STR(str_at(n, "title"), "Kettle \xe2\x98\x95");
  CHECK(coreapi_real_value(coreapi_map_get(n, "price", 5)) == 23.5);
  CHECK_STR(str_at(n, "trace"), "trace-create-1");
  CHECK_INT(coreapi_array_size(coreapi_map_get(n, "tags", 4)), 2);
  CHECK_STR(coreapi_string_value(coreapi_array_get(coreapi_map_get(n, "tags", 4), 1), NULL),
            "steel");
  n = OK(a, "read_item", OBJ("item_id", I(id), NULL), 200);
  CHECK_STR(str_at(n, "note"), "new");
  CHECK_STR(str_at(n, "trace"), "trace-create-1");
  n = OK(a, "update_item",
         OBJ("item_id", I(id), "title", S("Kettle, steel"), "price", I(30), "x-trace-id",
             S("trace-update-2"), NULL),
         200);
  CHECK_STR(str_at(n, "title"), "Kettle, steel");
  CHECK(coreapi_real_value(coreapi_map_get(n, "price", 5)) == 30.0);
  CHECK(coreapi_node_type_of(coreapi_map_get(n, "note", 4)) == COREAPI_NODE_NULL);
  CHECK_STR(str_at(n, "trace"), "trace-update-2");
  CHECK_INT(coreapi_array_size(coreapi_map_get(n, "tags", 4)), 0);
  n = OK(a, "list_items", OBJ("q", S("kettle"), NULL), 200);
  CHECK_STR(titles(n), "Kettle, steel");
  REFUSED(a, "create_item", OBJ("title", S("no price"), "price", S("free"), NULL), 422, NULL);

  CHECK(OK(a, "delete_item", OBJ("item_id", I(id), NULL), 204) == NULL);
  REFUSED(a, "read_item", OBJ("item_id", I(id), NULL), 404, "Item not found");
  n = OK(a, "list_items", NULL, 200);
  CHECK_INT(coreapi_array_size(n), 3);
}

/* Every items action refused with status and detail. */
static void items_refused(const actor *a, long status, const char *detail) {
#define NO(name, params) REFUSED(a, name, params, status, detail)
  NO("list_items", NULL);
  NO("list_items", OBJ("q", S("screw"), NULL));
  NO("create_item", OBJ("title", S("x"), "price", I(1), NULL));
  NO("read_item", OBJ("item_id", I(1), NULL));
  NO("update_item", OBJ("item_id", I(1), "title", S("x"), "price", I(1), NULL));
  NO("delete_item", OBJ("item_id", I(1), NULL));
#undef NO
}

/* echo: path, query, header and cookie parameters arrive; key sent or not. */
static void check_echo(const actor *a, int key_sent) {
  actor e = {a->c, a->doc, "echo", a->what};
  coreapi_result res;
  coreapi_error err;
  const coreapi_node *n = OK(&e, "echo", OBJ("word", S("ab"), "times", I(3), "x-trace-id",
                                             S("t-42"), "flavour", S("mint"), NULL), 200);
  CHECK_STR(str_at(n, "word"), "ababab");
  CHECK_STR(str_at(n, "trace"), "t-42");
  CHECK_STR(str_at(n, "flavour"), "mint");
  CHECK_INT(coreapi_boolean_value(coreapi_map_get(n, "api_key_sent", 12)), key_sent);
  n = OK(&e, "echo", OBJ("word", S("x"), "x-trace-id", S("plain"), NULL), 200);
  CHECK_STR(str_at(n, "trace"), "plain");
  CHECK(coreapi_node_type_of(coreapi_map_get(n, "flavour", 7)) == COREAPI_NODE_NULL);
  /* The header is required: the library refuses before sending. */
  CHECK_INT(act(&e, "echo", OBJ("word", S("x"), NULL), &res, &err), COREAPI_ERR_PARAMETER);
  CHECK_STR(str_at(res.node, "x-trace-id"), "This parameter is required.");
  coreapi_result_clear(&res);
}

/* A client that finds api.test and other.test on loopback; auth as new_client. */
static coreapi_client *resolving_client(coreapi_auth *auth) {
  coreapi_client *c = new_client(auth);
  char entry[128];
  snprintf(entry, sizeof(entry), "api.test:%s:127.0.0.1", fport);
  REQUIRE(coreapi_client_add_resolve(c, entry, NULL) == COREAPI_OK);
  snprintf(entry, sizeof(entry), "other.test:%s:127.0.0.1", fport);
  REQUIRE(coreapi_client_add_resolve(c, entry, NULL) == COREAPI_OK);
  return c;
}

static void test_fastapi(const char *path) {
  coreapi_client *c = resolving_client(NULL);
  char url[128];
  coreapi_node *doc, *other;
  actor a = {c, NULL, "items", path};

  snprintf(url, sizeof(url), "http://api.test:%s%s", fport, path);
  a.doc = doc = fetch(c, url);
  check_fastapi_links(doc, "api.test");
  items_refused(&a, 403, "Not authenticated");
  check_echo(&a, 0);

  /* The key, for api.test only. */
  add_auth(c, coreapi_auth_apikey_new("X-API-Key", fkey, COREAPI_APIKEY_HEADER, "api.test", NULL));
  items_scenario(&a);
  check_echo(&a, 1);

  /* The same service as other.test: the links go there, the key does not. */
  snprintf(url, sizeof(url), "http://other.test:%s%s", fport, path);
  a.doc = other = fetch(c, url);
  check_fastapi_links(other, "other.test");
  check_echo(&a, 0);
  items_refused(&a, 403, "Not authenticated");
  coreapi_node_free(other);
  coreapi_client_free(c);

  /* A wrong key. */
  a.c = c = resolving_client(
      coreapi_auth_apikey_new("X-API-Key", "not-the-key", COREAPI_APIKEY_HEADER, NULL, NULL));
  a.doc = doc;
  items_refused(&a, 401, "Invalid API key");
  coreapi_client_free(c);
  coreapi_node_free(doc);
}

int main(void) {
  dport = getenv("COREAPI_TEST_DJANGO_PORT");
  fport = getenv("COREAPI_TEST_FASTAPI_PORT");
  fkey = getenv("COREAPI_TEST_FASTAPI_KEY");
  tmpdir = getenv("COREAPI_TEST_TMPDIR");
  user = getenv("COREAPI_TEST_USER");
  password = getenv("COREAPI_TEST_PASSWORD");
  if (dport == NULL || fport == NULL || fkey == NULL || tmpdir == NULL || user == NULL ||
      password == NULL) {
    fprintf(stderr, "run under tests/integration/servers.py --django --fastapi\n");
    return 2;
  }
  snprintf(dbase, sizeof(dbase), "http://127.0.0.1:%s", dport);

  for (size_t i = 0; i < sizeof(django_apis) / sizeof(django_apis[0]); i++)
    test_django(&django_apis[i]);
  test_negotiated();
  test_fastapi("/openapi.json");
  test_fastapi("/openapi.yaml");
  coreapi_node_free(last);
  return check_done("test_openapi_live");
}
