/*
 * credentials.c - the credentials file (credentials.json in the config
 * directory): a JSON object mapping a normalised domain pattern
 * (coreapi/domain.h) to one credential:
 *
 *   {"kind": "header",  "value": "<raw Authorization value>"}
 *   {"kind": "basic",   "username": "...", "password": "..."}
 *   {"kind": "token",   "token": "...", "scheme": "Bearer"}
 *   {"kind": "session", "csrf_cookie": "csrftoken", "csrf_header": "X-CSRFToken"}
 *
 * A plain string value, as the reference tool writes, is a raw header value.
 * The file holds secrets: it is written with mode 0600, and a file that
 * others can access is refused with the chmod that fixes it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"

#define CREDENTIALS_FILE "credentials.json"

/* Refuse a secrets file that group or others can access. */
static int check_private(const char *path) {
  struct stat st;
  if (stat(path, &st) != 0) {
    if (errno == ENOENT)
      return CLI_OK;
    cli_error("cannot read %s: %s", path, strerror(errno));
    return CLI_OTHER;
  }
  if ((st.st_mode & 077) != 0) {
    cli_error("%s is accessible by others (mode %04o); refusing to use it. "
              "Fix it with: chmod 600 %s",
              path, (unsigned)(st.st_mode & 07777), path);
    return CLI_OTHER;
  }
  return CLI_OK;
}

coreapi_node *cli_credentials_load(const cli_options *opts, int *code) {
  char *path = cli_state_path(opts, CREDENTIALS_FILE);
  *code = check_private(path);
  if (*code == CLI_OK) {
    char *jar = cli_state_path(opts, "cookies.txt");
    *code = check_private(jar);
    free(jar);
  }
  free(path);
  if (*code != CLI_OK)
    return NULL;
  coreapi_node *creds = cli_state_load_json(opts, CREDENTIALS_FILE);
  if (creds == NULL) {
    *code = CLI_OTHER;
    return NULL;
  }
  /* Every key must be a domain pattern as the library writes it: a key with
   * a NUL byte or in another spelling could be read as another domain. */
  for (size_t i = 0, n = coreapi_map_size(creds); i < n; i++) {
    const char *key;
    size_t klen;
    char norm[512];
    coreapi_error err;
    coreapi_map_entry_inserted(creds, i, &key, &klen);
    if (klen != strlen(key) ||
        coreapi_domain_normalize(key, norm, sizeof(norm), &err) != COREAPI_OK ||
        strcmp(norm, key) != 0) {
      char *file = cli_state_path(opts, CREDENTIALS_FILE);
      cli_error("%s: \"%.80s\" is not a domain pattern; fix or remove that entry",
                file, key);
      free(file);
      coreapi_node_free(creds);
      *code = CLI_OTHER;
      return NULL;
    }
  }
  return creds;
}

int cli_credentials_save(const cli_options *opts, const coreapi_node *creds) {
  return cli_state_save_json(opts, CREDENTIALS_FILE, creds) == 0 ? CLI_OK : CLI_OTHER;
}

static const char *kind_of(const coreapi_node *entry) {
  if (coreapi_node_type_of(entry) == COREAPI_NODE_STRING)
    return "header";
  const char *k = cli_map_string(entry, "kind");
  return k ? k : "";
}

coreapi_auth *cli_credential_auth(const char *domain, const coreapi_node *entry,
                                  coreapi_error *err) {
  const char *kind = kind_of(entry);
  if (strcmp(kind, "header") == 0) {
    const char *value = coreapi_node_type_of(entry) == COREAPI_NODE_STRING
                            ? coreapi_string_value(entry, NULL)
                            : cli_map_string(entry, "value");
    return cli_header_auth_new(value ? value : "", domain, err);
  }
  if (strcmp(kind, "basic") == 0)
    return coreapi_auth_basic_new(cli_map_string(entry, "username"),
                                  cli_map_string(entry, "password"), domain, err);
  if (strcmp(kind, "token") == 0)
    return coreapi_auth_token_new(cli_map_string(entry, "token"),
                                  cli_map_string(entry, "scheme"), domain, err);
  if (strcmp(kind, "apikey") == 0) {
    const char *in = cli_map_string(entry, "in");
    coreapi_apikey_location loc = COREAPI_APIKEY_HEADER;
    if (in != NULL && strcmp(in, "query") == 0)
      loc = COREAPI_APIKEY_QUERY;
    else if (in != NULL && strcmp(in, "cookie") == 0)
      loc = COREAPI_APIKEY_COOKIE;
    else if (in != NULL && strcmp(in, "header") != 0)
      loc = (coreapi_apikey_location)-1; /* refused by the library */
    return coreapi_auth_apikey_new(cli_map_string(entry, "name"),
                                   cli_map_string(entry, "value"), loc, domain, err);
  }
  if (strcmp(kind, "session") == 0)
    return coreapi_auth_session_new(cli_map_string(entry, "csrf_cookie"),
                                    cli_map_string(entry, "csrf_header"), domain, err);
  coreapi_error_clear(err);
  coreapi_error_set(err, COREAPI_ERR_BAD_CREDENTIALS, "unknown credential kind \"%s\" for %s",
                    kind, domain);
  return NULL;
}

int cli_credentials_have_session(const coreapi_node *creds) {
  for (size_t i = 0, n = coreapi_map_size(creds); i < n; i++) {
    coreapi_node *v = coreapi_map_entry_inserted(creds, i, NULL, NULL);
    if (strcmp(kind_of(v), "session") == 0)
      return 1;
  }
  return 0;
}
