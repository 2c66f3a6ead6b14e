/*
 * demo - the three authentication flows of libcoreapi against the bundled
 * example API (examples/api), narrated one line per step.
 *
 * Usage: demo HTTP_BASE HTTPS_BASE CA_FILE USER PASSWORD
 *   e.g. demo http://api.test:8000 https://api.test:8443 ca.pem alice wonderland
 * Host names in the bases are mapped to 127.0.0.1 (api.test, other.test).
 */
#include <coreapi/coreapi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *http_base, *https_base, *ca_file, *user, *password;
static int failures;

/* The port of a base URL "scheme://host:port". */
static const char *port_of(const char *base) {
  const char *p = strrchr(base, ':');
  return p ? p + 1 : "80";
}

static coreapi_client *new_client(void) {
  coreapi_error err;
  char entry[128];
  coreapi_client *c = coreapi_client_new(&err);
  if (c == NULL) {
    fprintf(stderr, "demo: %s\n", err.text);
    exit(1);
  }
  const char *hosts[] = {"api.test", "other.test"};
  for (size_t i = 0; i < 2; i++) {
    snprintf(entry, sizeof(entry), "%s:%s:127.0.0.1", hosts[i], port_of(http_base));
    coreapi_client_add_resolve(c, entry, NULL);
    snprintf(entry, sizeof(entry), "%s:%s:127.0.0.1", hosts[i], port_of(https_base));
    coreapi_client_add_resolve(c, entry, NULL);
  }
  coreapi_client_set_ca_bundle(c, ca_file, NULL);
  return c;
}

static void use(coreapi_client *c, coreapi_auth *auth) {
  coreapi_client_add_auth(c, auth, NULL);
  coreapi_auth_free(auth);
}

/* Send one request and narrate it; returns the response (caller frees). */
static coreapi_response *step(coreapi_client *c, const char *what, const char *method,
                              const char *base, const char *path, const char *json,
                              long expect) {
  char url[512];
  coreapi_error err;
  coreapi_response *resp = NULL;
  snprintf(url, sizeof(url), "%s%s", base, path);
  if (coreapi_client_request(c, method, url, json ? "application/json" : NULL, json,
                             json ? strlen(json) : 0, &resp, &err) != COREAPI_OK) {
    printf("  FAIL %-44s %s %s: %s\n", what, method, url, err.text);
    failures++;
    return NULL;
  }
  printf("  %-4s %-44s %s %s -> %ld %s\n", coreapi_response_status(resp) == expect ? "ok" : "FAIL",
         what, method, path, coreapi_response_status(resp), coreapi_response_body(resp, NULL));
  if (coreapi_response_status(resp) != expect)
    failures++;
  return resp;
}

static void done(coreapi_response *resp) { coreapi_response_free(resp); }

static void session_flow(const char *title, const char *base) {
  char login[256];
  coreapi_client *c = new_client();
  printf("%s\n", title);
  use(c, coreapi_auth_session_new("csrftoken", "X-CSRFToken", "api.test", NULL));
  snprintf(login, sizeof(login), "{\"username\": \"%s\", \"password\": \"%s\"}", user, password);
  done(step(c, "get a CSRF cookie", "GET", base, "/csrf/", NULL, 200));
  done(step(c, "log in (CSRF token mirrored in X-CSRFToken)", "POST", base, "/login/", login, 200));
  done(step(c, "who am I, by session cookie", "GET", base, "/me/", NULL, 200));
  done(step(c, "create a note (unsafe: CSRF checked)", "POST", base, "/notes/",
            "{\"text\": \"hello from C\"}", 201));
  coreapi_client_free(c);
}

static void token_flow(void) {
  char login[256], token[128] = "";
  coreapi_client *anon = new_client(), *c;
  coreapi_response *resp;
  printf("Token authentication: obtain a token, then use it\n");
  snprintf(login, sizeof(login), "{\"username\": \"%s\", \"password\": \"%s\"}", user, password);
  resp = step(anon, "obtain a token (no credentials sent)", "POST", http_base,
              "/api-token-auth/", login, 200);
  if (resp != NULL) {
    const char *t = strstr(coreapi_response_body(resp, NULL), "\"token\":\"");
    if (t != NULL)
      sscanf(t + 9, "%127[0-9a-f]", token);
  }
  done(resp);
  coreapi_client_free(anon);
  c = new_client();
  use(c, coreapi_auth_token_new(token[0] ? token : "missing", "Token", "api.test", NULL));
  done(step(c, "who am I, by Authorization: Token ...", "GET", http_base, "/me/", NULL, 200));
  coreapi_client_free(c);
}

static void basic_flow(void) {
  coreapi_client *c = new_client();
  char other[256];
  printf("Basic authentication, scoped to api.test\n");
  use(c, coreapi_auth_basic_new(user, password, "api.test", NULL));
  done(step(c, "who am I, by Authorization: Basic ...", "GET", http_base, "/me/", NULL, 200));
  /* The same server under another name: the credential stays home. */
  snprintf(other, sizeof(other), "http://other.test:%s", port_of(http_base));
  done(step(c, "other.test is out of scope: nothing sent", "GET", other, "/inspect/", NULL, 200));
  done(step(c, "so other.test does not know us", "GET", other, "/me/", NULL, 403));
  coreapi_client_free(c);
}

int main(int argc, char **argv) {
  if (argc != 6) {
    fprintf(stderr, "usage: %s HTTP_BASE HTTPS_BASE CA_FILE USER PASSWORD\n", argv[0]);
    return 2;
  }
  http_base = argv[1];
  https_base = argv[2];
  ca_file = argv[3];
  user = argv[4];
  password = argv[5];
  printf("libcoreapi %s demo against the example API at %s and %s\n\n", coreapi_version(),
         http_base, https_base);
  session_flow("Session authentication with CSRF, over http", http_base);
  session_flow("Session authentication with CSRF, over https (Origin and Referer added)",
               https_base);
  token_flow();
  basic_flow();
  printf("\n%s\n", failures ? "demo: some steps FAILED" : "demo: every step did what it should");
  return failures ? 1 : 0;
}
