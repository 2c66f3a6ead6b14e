/*
 * settings.c - settings.json, the per-domain transport settings: read,
 * checked strictly, and given to the client (coreapi_client_add_host_settings,
 * whose rules decide which entry applies on each hop). Example:
 *
 *   {"api.example.com": {"cert": "/home/me/client.pem", "key": "/home/me/client.key"},
 *    "*.example.com": {"timeout": 10, "proxy": "http://proxy.example:3128"},
 *    "dev.test": {"insecure": true, "cacert": "/etc/dev-ca.pem"}}
 *
 * The file may name a private key, and whoever can change it can send the
 * tool's requests elsewhere (a proxy) or unchecked (insecure): one that
 * group or others can write is refused, like the config directory.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "settings.h"

/* The keys an entry may have, in the order the man page lists them. */
static const char *const keys[] = {"timeout", "proxy", "cert", "key", "cacert", "insecure"};
enum { K_TIMEOUT, K_PROXY, K_CERT, K_KEY, K_CACERT, K_INSECURE, K_COUNT };

/* An error about the entry domain (NULL: the file) of path: CLI_USAGE. */
static int bad(const char *path, const char *domain, const char *key, const char *what) {
  if (domain == NULL)
    cli_error("%s: %s", path, what);
  else if (key == NULL)
    cli_error("%s: \"%.200s\": %s", path, domain, what);
  else
    cli_error("%s: \"%.200s\": \"%.80s\": %s", path, domain, key, what);
  return CLI_USAGE;
}

/* Read member key (value v) of entry domain into s; *insecure set for
 * "insecure": true. CLI_OK or CLI_USAGE. */
static int member(const char *path, const char *domain, const char *key, size_t klen,
                  const coreapi_node *v, coreapi_host_settings *s, int *insecure) {
  coreapi_node_type t = coreapi_node_type_of(v);
  int k = 0;
  while (k < K_COUNT && (strlen(keys[k]) != klen || strcmp(keys[k], key) != 0))
    k++;
  if (k == K_COUNT)
    return bad(path, domain, key,
               "unknown key (known: timeout, proxy, cert, key, cacert, insecure)");
  if (k == K_TIMEOUT) {
    double sec = t == COREAPI_NODE_INTEGER ? (double)coreapi_integer_value(v)
                 : t == COREAPI_NODE_REAL  ? coreapi_real_value(v)
                                           : -1;
    if (!(sec >= 0) || sec > 86400 || (t != COREAPI_NODE_INTEGER && t != COREAPI_NODE_REAL))
      return bad(path, domain, key, "must be a number of seconds (0: no limit, up to 86400)");
    s->timeout_ms = sec == 0 ? COREAPI_TIMEOUT_NONE : (long)(sec * 1000 + 0.5);
    if (s->timeout_ms == 0)
      s->timeout_ms = 1;
    return CLI_OK;
  }
  if (k == K_INSECURE) {
    if (t != COREAPI_NODE_BOOLEAN)
      return bad(path, domain, key, "must be true or false");
    *insecure = coreapi_boolean_value(v) != 0;
    s->verify_tls = *insecure ? COREAPI_TLS_NO_VERIFY : COREAPI_TLS_VERIFY;
    return CLI_OK;
  }
  size_t len;
  const char *str = coreapi_string_value(v, &len);
  if (str == NULL || len != strlen(str))
    return bad(path, domain, key, "must be a string");
  if (str[0] == '\0' && (k == K_KEY || k == K_CACERT))
    return bad(path, domain, key, "must not be empty");
  *(k == K_PROXY ? &s->proxy : k == K_CERT ? &s->cert_file : k == K_KEY ? &s->key_file
                                                                      : &s->ca_file) = str;
  return CLI_OK;
}

/* Take out of s what the command line sets for every host. */
static void command_line_wins(const cli_options *opts, coreapi_host_settings *s,
                              int *insecure) {
  if (opts->timeout_ms > 0)
    s->timeout_ms = 0;
  if (opts->proxy != NULL)
    s->proxy = NULL;
  if (opts->cert != NULL || opts->key != NULL)
    s->cert_file = s->key_file = NULL;
  if (opts->cacert != NULL)
    s->ca_file = NULL;
  if (opts->insecure) {
    s->verify_tls = 0;
    *insecure = 0;
  }
}

/* One entry: domain -> Object. An exit code. */
static int entry(const cli_options *opts, coreapi_client *client, const char *path,
                 const char *domain, const coreapi_node *obj) {
  coreapi_host_settings s = {0};
  coreapi_error err;
  int insecure = 0, code;
  if (coreapi_domain_check(domain, &err) != COREAPI_OK)
    return bad(path, domain, NULL, err.text);
  if (coreapi_node_type_of(obj) != COREAPI_NODE_OBJECT)
    return bad(path, domain, NULL, "must be an object of settings");
  for (size_t i = 0, n = coreapi_map_size(obj); i < n; i++) {
    const char *key;
    size_t klen;
    const coreapi_node *v = coreapi_map_entry_inserted(obj, i, &key, &klen);
    if ((code = member(path, domain, key, klen, v, &s, &insecure)) != CLI_OK)
      return code;
  }
  if (s.key_file != NULL && (s.cert_file == NULL || s.cert_file[0] == '\0'))
    return bad(path, domain, "key", "needs a \"cert\" beside it");
  command_line_wins(opts, &s, &insecure);
  if (coreapi_client_add_host_settings(client, domain, &s, &err) != COREAPI_OK) {
    cli_error("%s: \"%.200s\": %s", path, domain, err.text);
    return err.code == COREAPI_ERR_IO || err.code == COREAPI_ERR_OUT_OF_MEMORY ? CLI_OTHER
                                                                               : CLI_USAGE;
  }
  if (insecure)
    cli_error("warning: insecure for %s (%s): " CLI_INSECURE_WARNING, domain, path);
  return CLI_OK;
}

/* The file's text (NULL: none, or *code set). Refused when others can write it. */
static char *read_settings(const char *path, size_t *len, int *code) {
  char *data;
  if ((*code = cli_state_check_mode(path, 022)) != CLI_OK) /* missing is fine */
    return NULL;
  if ((data = cli_read_file(path, len)) == NULL && errno != ENOENT) {
    cli_error("cannot read %s: %s", path, strerror(errno));
    *code = CLI_OTHER;
  }
  return data;
}

int cli_settings_apply(const cli_options *opts, coreapi_client *client) {
  char *path = cli_state_path(opts, CLI_SETTINGS_FILE);
  coreapi_error err;
  coreapi_node *root = NULL;
  size_t len = 0;
  int code;
  char *data = read_settings(path, &len, &code);
  if (data != NULL) {
    root = coreapi_json_decode(len ? data : "{}", len ? len : 2, &err);
    if (root == NULL)
      code = bad(path, NULL, NULL, err.text);
    else if (coreapi_node_type_of(root) != COREAPI_NODE_OBJECT)
      code = bad(path, NULL, NULL, "must be a JSON object of domain patterns");
  }
  for (size_t i = 0, n = root ? coreapi_map_size(root) : 0; code == CLI_OK && i < n; i++) {
    const char *domain;
    size_t dlen;
    const coreapi_node *obj = coreapi_map_entry_inserted(root, i, &domain, &dlen);
    code = dlen != strlen(domain) ? bad(path, NULL, NULL, "a domain holds a NUL byte")
                                  : entry(opts, client, path, domain, obj);
  }
  coreapi_node_free(root);
  free(data);
  free(path);
  return code;
}
