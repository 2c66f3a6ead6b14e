/*
 * client.c - a client configured from the state and the global options:
 * every stored credential as an authentication scoped to its domain, the
 * netrc file's (--netrc, --netrc-file), the custom headers, --resolve,
 * --cacert, --max-filesize, --debug, the transport options and the
 * per-domain ones of settings.json (settings.c; the options win), and, when a
 * session credential exists, the cookie jar (cookies.txt) loaded before and
 * saved after, so that a login done by one invocation holds for the next.
 * The state is read under the state lock, given back before any request is
 * sent; a jar that cannot be saved fails the command.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "settings.h"

static int fail(const coreapi_error *err) {
  cli_error("%s", err->text);
  return cli_exit_code(err->code);
}

/* Every stored credential, each scoped to its domain. */
static int add_credentials(const cli_options *opts, coreapi_client *client,
                           const coreapi_node *creds) {
  coreapi_error err;
  for (size_t i = 0, n = coreapi_map_size(creds); i < n; i++) {
    const char *domain, *kind;
    coreapi_node *entry = coreapi_map_entry_inserted(creds, i, &domain, NULL);
    coreapi_auth *auth;
    kind = cli_map_string(entry, "kind");
    /* An OAuth 2.0 token renewed while we run is written back for the next. */
    auth = kind != NULL && strcmp(kind, "oauth2") == 0
               ? cli_oauth_credential(opts, domain, entry, &err)
               : cli_credential_auth(domain, entry, &err);
    if (auth == NULL || coreapi_client_add_auth(client, auth, &err) != COREAPI_OK) {
      coreapi_auth_free(auth);
      cli_error("credentials for %s: %s", domain, err.text);
      return cli_exit_code(err.code);
    }
    coreapi_auth_free(auth);
  }
  return CLI_OK;
}

/* --netrc or --netrc-file: the netrc file's machines as one authentication
 * (pattern "*", so a stored credential for the host wins); its default
 * entry is not used. */
static int add_netrc(const cli_options *opts, coreapi_client *client) {
  coreapi_error err;
  coreapi_auth *auth;
  if (!opts->netrc && opts->netrc_file == NULL)
    return CLI_OK;
  auth = coreapi_auth_netrc_new(opts->netrc_file, 0, &err);
  if (auth == NULL || coreapi_client_add_auth(client, auth, &err) != COREAPI_OK) {
    coreapi_auth_free(auth);
    cli_error("%s: %s", opts->netrc_file != NULL ? "--netrc-file" : "--netrc", err.text);
    return cli_exit_code(err.code);
  }
  coreapi_auth_free(auth);
  return CLI_OK;
}

/* --timeout, --proxy, --cert/--key, --insecure (loudly). An exit code. */
static int transport_settings(const cli_options *opts, coreapi_client *client) {
  coreapi_error err;
  coreapi_code rc = COREAPI_OK;
  const char *what = "";
  if (opts->timeout_ms > 0 && (rc = coreapi_client_set_timeout_ms(client, opts->timeout_ms,
                                                                  &err)) != COREAPI_OK)
    what = "--timeout";
  if (rc == COREAPI_OK && opts->proxy != NULL &&
      (rc = coreapi_client_set_proxy(client, opts->proxy, &err)) != COREAPI_OK)
    what = "--proxy";
  if (rc == COREAPI_OK && (opts->cert != NULL || opts->key != NULL) &&
      (rc = coreapi_client_set_client_cert(client, opts->cert, opts->key, &err)) != COREAPI_OK)
    what = "--cert";
  if (rc == COREAPI_OK && opts->insecure) {
    cli_error("warning: --insecure: " CLI_INSECURE_WARNING);
    rc = coreapi_client_set_verify_tls(client, 0, &err);
    what = "--insecure";
  }
  if (rc == COREAPI_OK)
    return CLI_OK;
  cli_error("%s: %s", what, err.text);
  return rc == COREAPI_ERR_IO ? CLI_OTHER : CLI_USAGE;
}

/* Every stored custom header, sent as a client-level extra header. */
static int add_headers(coreapi_client *client, const coreapi_node *headers) {
  coreapi_error err;
  for (size_t i = 0, n = coreapi_map_size(headers); i < n; i++) {
    const char *name;
    size_t nlen;
    const char *value =
        coreapi_string_value(coreapi_map_entry_inserted(headers, i, &name, &nlen), NULL);
    if (value == NULL || nlen != strlen(name)) {
      cli_error("headers.json: the entry \"%.80s\" is not a header name with a string value; "
                "fix or remove it (coreapi headers remove)", name);
      return CLI_OTHER;
    }
    if (coreapi_client_add_header(client, name, value, &err) != COREAPI_OK) {
      cli_error("header %s: %s", name, err.text);
      return cli_exit_code(err.code);
    }
  }
  return CLI_OK;
}

int cli_client_open(const cli_options *opts, cli_client *cc) {
  coreapi_error err;
  int code;
  memset(cc, 0, sizeof(*cc));
  coreapi_node *creds = cli_credentials_load(opts, &code);
  if (creds == NULL)
    return code;
  coreapi_node *headers = cli_state_load_json(opts, "headers.json");
  if (headers == NULL) {
    coreapi_node_free(creds);
    cli_credentials_release();
    return CLI_OTHER;
  }
  cc->client = coreapi_client_new(&err);
  if (cc->client == NULL) {
    code = fail(&err);
    goto out;
  }
  for (size_t i = 0; i < opts->resolve_count; i++)
    if (coreapi_client_add_resolve(cc->client, opts->resolve[i], &err) != COREAPI_OK) {
      cli_error("--resolve %s: %s", opts->resolve[i], err.text);
      code = CLI_USAGE;
      goto out;
    }
  /* On a terminal, a progress bar for large downloads (stderr). */
  if (isatty(STDERR_FILENO) &&
      coreapi_client_set_progress(cc->client, cli_download_progress, NULL, &err) != COREAPI_OK) {
    code = fail(&err);
    goto out;
  }
  if (opts->cacert != NULL &&
      coreapi_client_set_ca_bundle(cc->client, opts->cacert, &err) != COREAPI_OK) {
    cli_error("--cacert %s: %s", opts->cacert, err.text);
    code = CLI_USAGE;
    goto out;
  }
  if ((code = transport_settings(opts, cc->client)) != CLI_OK ||
      (code = cli_settings_apply(opts, cc->client)) != CLI_OK)
    goto out;
  if (opts->max_filesize >= 0 &&
      coreapi_client_set_max_filesize(cc->client, opts->max_filesize, &err) != COREAPI_OK) {
    cli_error("--max-filesize: %s", err.text);
    code = CLI_USAGE;
    goto out;
  }
  if ((code = add_credentials(opts, cc->client, creds)) != CLI_OK ||
      (code = add_netrc(opts, cc->client)) != CLI_OK ||
      (code = add_headers(cc->client, headers)) != CLI_OK)
    goto out;
  if (cli_credentials_have_session(creds)) {
    cc->cookie_jar = cli_state_path(opts, "cookies.txt");
    if (access(cc->cookie_jar, F_OK) == 0 &&
        coreapi_client_load_cookies(cc->client, cc->cookie_jar, &err) != COREAPI_OK) {
      cli_error("%s: %s", cc->cookie_jar, err.text);
      code = CLI_OTHER;
      goto out;
    }
  }
  if (opts->debug)
    cli_debug_attach(opts, cc->client);
  code = CLI_OK;
out:
  coreapi_node_free(creds);
  coreapi_node_free(headers);
  cli_credentials_release(); /* the lock is not held over the requests */
  if (code != CLI_OK)
    cli_client_close(NULL, cc);
  return code;
}

/* Save the jar under the state lock, if a session credential is still
 * stored (one removed meanwhile took its cookies along). An exit code. */
static int save_jar(const cli_options *opts, cli_client *cc) {
  coreapi_error err;
  int code;
  coreapi_node *creds = cli_credentials_load(opts, &code);
  if (creds != NULL) {
    if (cli_credentials_have_session(creds) &&
        coreapi_client_save_cookies(cc->client, cc->cookie_jar, &err) != COREAPI_OK) {
      cli_error("cannot save the session's cookies (a login of this run is lost): %s",
                err.text);
      code = CLI_OTHER;
    }
    coreapi_node_free(creds);
    cli_credentials_release();
  }
  return code;
}

int cli_client_close(const cli_options *opts, cli_client *cc) {
  int code = CLI_OK;
  if (opts != NULL && cc->client != NULL && cc->cookie_jar != NULL &&
      (code = save_jar(opts, cc)) != CLI_OK)
    cli_state_set_failed();
  coreapi_client_free(cc->client);
  free(cc->cookie_jar);
  memset(cc, 0, sizeof(*cc));
  return code;
}
