/*
 * credentials.c - the credentials file (credentials.json in the config
 * directory): a JSON object mapping a normalised domain pattern
 * (coreapi/domain.h) to one credential:
 *
 *   {"kind": "header",  "value": "<raw Authorization value>"}
 *   {"kind": "basic",   "username": "...", "password": "..."}
 *   {"kind": "digest",  "username": "...", "password": "..."}
 *   {"kind": "token",   "token": "...", "scheme": "Bearer"}
 *   {"kind": "session", "csrf_cookie": "csrftoken", "csrf_header": "X-CSRFToken"}
 *   {"kind": "apikey",  "name": "X-API-Key", "in": "header", "value": "..."}
 *   {"kind": "oauth2",  "grant": ..., "client_id": ..., "client_secret", "token": {...}}
 *                       (oauth_entry.c: the settings, the secret and the token)
 *
 * A plain string value, as the reference tool writes, is a raw header value.
 * The file holds secrets: it is written with mode 0600, and a file that
 * others can access is refused with the chmod that fixes it. Loading it
 * takes the state lock until it is saved (cli.h: safe state).
 *
 * An entry with "store": "helper:SPEC" holds no secret: its secret member
 * (password, token, value) is kept by that git credential helper
 * (secret_store.c) under path=coreapi/KIND, username= Basic's username or the
 * kind, fetched each time the credential is used, and never fetched to be
 * described. {"kind": "basic", "username": "alice", "store": "helper:store"}
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define CREDENTIALS_FILE "credentials.json"

/* Locks taken by cli_credentials_load not yet given back. */
static int load_holds;

/* The credentials file, checked: NULL with *code set on failure. */
static coreapi_node *load_checked(const cli_options *opts, int *code) {
  char *path = cli_state_path(opts, CREDENTIALS_FILE);
  *code = cli_state_check_mode(path, 077);
  if (*code == CLI_OK) {
    char *jar = cli_state_path(opts, "cookies.txt");
    *code = cli_state_check_mode(jar, 077);
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

/* Loading takes the state lock and keeps it for the save that follows, so
 * that `credentials add` and `remove` (load, change, save) and the OAuth
 * token write-back are each one locked cycle without saying so. */
coreapi_node *cli_credentials_load(const cli_options *opts, int *code) {
  coreapi_node *creds;
  if ((*code = cli_state_lock(opts, 1)) != CLI_OK)
    return NULL;
  if ((creds = load_checked(opts, code)) == NULL) {
    cli_state_unlock();
    return NULL;
  }
  load_holds++;
  return creds;
}

void cli_credentials_release(void) {
  if (load_holds > 0) {
    load_holds--;
    cli_state_unlock();
  }
}

int cli_credentials_save(const cli_options *opts, const coreapi_node *creds) {
  int code = cli_state_lock(opts, 1);
  if (code == CLI_OK) {
    code = cli_state_save_json(opts, CREDENTIALS_FILE, creds) == 0 ? CLI_OK : CLI_OTHER;
    /* No session left: the cookies it kept go too (under the same lock, so
     * that a session added meanwhile keeps its jar). */
    if (code == CLI_OK && !cli_credentials_have_session(creds))
      cli_state_remove(opts, "cookies.txt");
    cli_state_unlock();
  }
  cli_credentials_release();
  return code;
}

static const char *kind_of(const coreapi_node *entry) {
  if (coreapi_node_type_of(entry) == COREAPI_NODE_STRING)
    return "header";
  const char *k = cli_map_string(entry, "kind");
  return k ? k : "";
}

/* The member holding the secret of a kind in a file-stored entry; its kind's
 * name is the FIELD of a helper-stored one (path=coreapi/KIND). NULL for a
 * kind without a secret (session) or an unknown one. */
static const char *secret_member(const char *kind) {
  static const char *const members[][2] = {
      {"header", "value"}, {"basic", "password"}, {"digest", "password"}, {"token", "token"},
      {"apikey", "value"}};
  for (size_t i = 0; i < sizeof(members) / sizeof(members[0]); i++)
    if (strcmp(kind, members[i][0]) == 0)
      return members[i][1];
  return NULL;
}

/* The store of an entry: NULL for the file store ("store" absent or
 * "file"); "" (refused as a store) for a "store" that is not a string. */
static const char *helper_store_of(const coreapi_node *entry) {
  const char *store;
  if (coreapi_node_type_of(entry) != COREAPI_NODE_OBJECT ||
      coreapi_map_get(entry, "store", 5) == NULL)
    return NULL;
  store = cli_map_string(entry, "store");
  if (store == NULL)
    return "";
  return strcmp(store, "file") == 0 ? NULL : store;
}

/* The username= of a helper-kept secret: Basic's username, else the kind. */
static const char *helper_user(const char *kind, const coreapi_node *entry) {
  const char *user = strcmp(kind, "basic") == 0 || strcmp(kind, "digest") == 0
                         ? cli_map_string(entry, "username")
                         : NULL;
  return user != NULL && user[0] != '\0' ? user : kind;
}

/* An authentication for entry, with secret as its secret, or (NULL) the
 * one kept in the entry. */
static coreapi_auth *auth_make(const char *domain, const coreapi_node *entry, const char *secret,
                               coreapi_error *err) {
  const char *kind = kind_of(entry), *member = secret_member(kind);
  if (secret == NULL && member != NULL)
    secret = coreapi_node_type_of(entry) == COREAPI_NODE_STRING ? coreapi_string_value(entry, NULL)
                                                                : cli_map_string(entry, member);
  if (strcmp(kind, "header") == 0)
    return cli_header_auth_new(secret ? secret : "", domain, err);
  if (strcmp(kind, "basic") == 0)
    return coreapi_auth_basic_new(cli_map_string(entry, "username"), secret, domain, err);
  if (strcmp(kind, "digest") == 0)
    return coreapi_auth_digest_new(cli_map_string(entry, "username"), secret, domain, err);
  if (strcmp(kind, "token") == 0)
    return coreapi_auth_token_new(secret, cli_map_string(entry, "scheme"), domain, err);
  if (strcmp(kind, "apikey") == 0) {
    const char *in = cli_map_string(entry, "in");
    coreapi_apikey_location loc = COREAPI_APIKEY_HEADER;
    if (in != NULL && strcmp(in, "query") == 0)
      loc = COREAPI_APIKEY_QUERY;
    else if (in != NULL && strcmp(in, "cookie") == 0)
      loc = COREAPI_APIKEY_COOKIE;
    else if (in != NULL && strcmp(in, "header") != 0)
      loc = (coreapi_apikey_location)-1; /* refused by the library */
    return coreapi_auth_apikey_new(cli_map_string(entry, "name"), secret, loc, domain, err);
  }
  if (strcmp(kind, "session") == 0)
    return coreapi_auth_session_new(cli_map_string(entry, "csrf_cookie"),
                                    cli_map_string(entry, "csrf_header"), domain, err);
  coreapi_error_clear(err);
  coreapi_error_set(err, COREAPI_ERR_BAD_CREDENTIALS, "unknown credential kind \"%s\" for %s",
                    kind, domain);
  return NULL;
}

/* Can entry's secret be kept by a helper? 0, or -1 with err set. */
static int check_helper_entry(const char *domain, const coreapi_node *entry, const char *store,
                              coreapi_error *err) {
  const char *kind = kind_of(entry);
  if (cli_secret_store_check(store, err) != 0)
    return -1;
  if (secret_member(kind) == NULL) {
    coreapi_error_set(err, COREAPI_ERR_BAD_CREDENTIALS,
                      "a %s credential (%s) has no secret to keep in a credential helper",
                      kind[0] ? kind : "kindless", domain);
    return -1;
  }
  return 0;
}

coreapi_auth *cli_credential_auth(const char *domain, const coreapi_node *entry,
                                  coreapi_error *err) {
  const char *store = helper_store_of(entry), *kind = kind_of(entry);
  coreapi_auth *auth;
  char *secret;
  if (strcmp(kind, "oauth2") == 0) /* its tokens written back: cli_oauth_credential */
    return cli_oauth_plain_auth(domain, entry, err);
  if (store == NULL)
    return auth_make(domain, entry, NULL, err);
  if (check_helper_entry(domain, entry, store, err) != 0)
    return NULL;
  secret = cli_secret_get(store, domain, kind, helper_user(kind, entry), err);
  if (secret == NULL)
    return NULL;
  auth = auth_make(domain, entry, secret, err);
  cli_free_secret(secret);
  return auth;
}

void cli_credential_describe(const char *domain, const coreapi_node *entry, char *buf,
                             size_t size) {
  coreapi_error err;
  const char *store = helper_store_of(entry);
  coreapi_auth *auth = NULL;
  if (strcmp(kind_of(entry), "oauth2") == 0) {
    size_t n;
    cli_oauth_describe(entry, buf, size);
    n = strlen(buf);
    if (store != NULL)
      snprintf(buf + n, size - n, " (in helper: %s)", cli_secret_helper(store));
    return;
  }
  /* A helper's secret is not fetched to say what it is: a stand-in will do,
   * since a description never shows the secret. */
  if (store == NULL || check_helper_entry(domain, entry, store, &err) == 0)
    auth = auth_make(domain, entry, store != NULL ? "x" : NULL, &err);
  if (auth == NULL) {
    snprintf(buf, size, "<invalid: %.200s>", err.text);
    return;
  }
  coreapi_auth_describe(auth, buf, size);
  coreapi_auth_free(auth);
  if (store != NULL) {
    size_t n = strlen(buf);
    snprintf(buf + n, size - n, " (in helper: %s)", cli_secret_helper(store));
  }
}

coreapi_node *cli_credential_store_secret(const char *domain, const coreapi_node *entry,
                                          const char *store, coreapi_error *err) {
  const char *kind = kind_of(entry), *member = secret_member(kind);
  coreapi_node *bare, *stored;
  coreapi_error_clear(err);
  if (strcmp(kind, "oauth2") == 0)
    return cli_oauth_without_secrets(domain, entry, store, err);
  if (store == NULL || strcmp(store, "file") == 0)
    return coreapi_node_ref((coreapi_node *)entry);
  if (check_helper_entry(domain, entry, store, err) != 0)
    return NULL;
  if (cli_secret_put(store, domain, kind, helper_user(kind, entry),
                     cli_map_string(entry, member), err) != 0)
    return NULL;
  bare = cli_map_without(entry, member);
  stored = cli_map_with(bare, "store", cli_string(store));
  coreapi_node_free(bare);
  return stored;
}

int cli_credential_erase_secret(const char *domain, const coreapi_node *entry,
                                coreapi_error *err) {
  const char *store = helper_store_of(entry), *kind = kind_of(entry);
  coreapi_error_clear(err);
  if (store == NULL)
    return 0;
  if (strcmp(kind, "oauth2") == 0)
    return cli_oauth_erase(domain, entry, err);
  if (check_helper_entry(domain, entry, store, err) != 0)
    return -1;
  return cli_secret_erase(store, domain, kind, helper_user(kind, entry), err);
}

int cli_credential_same_slot(const coreapi_node *a, const coreapi_node *b) {
  const char *sa = helper_store_of(a), *sb = helper_store_of(b);
  const char *ka = kind_of(a), *kb = kind_of(b);
  return sa != NULL && sb != NULL && strcmp(sa, sb) == 0 && strcmp(ka, kb) == 0 &&
         strcmp(helper_user(ka, a), helper_user(kb, b)) == 0;
}

int cli_credentials_have_session(const coreapi_node *creds) {
  for (size_t i = 0, n = coreapi_map_size(creds); i < n; i++) {
    coreapi_node *v = coreapi_map_entry_inserted(creds, i, NULL, NULL);
    if (strcmp(kind_of(v), "session") == 0)
      return 1;
  }
  return 0;
}
