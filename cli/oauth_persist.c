/*
 * cli/oauth_persist.c - tokens renewed while the tool runs, written back to
 * the credentials file (or the helper keeping them) for the next run: the
 * authentication the client uses for a stored OAuth 2.0 credential.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"

/* Tokens renewed while the tool runs are written back, for the next run.
 * One slot per stored credential (no allocation: nothing to free). */
static struct {
  const cli_options *opts;
  char domain[512];
} persist[64];
static size_t persist_count;

static void write_back(void *userdata, const coreapi_oauth2_token *t) {
  size_t slot = (size_t)(uintptr_t)userdata;
  int code, saved = 0;
  coreapi_node *creds = cli_credentials_load(persist[slot].opts, &code), *token;
  const char *domain = persist[slot].domain;
  const coreapi_node *entry = coreapi_map_get(creds, domain, strlen(domain));
  coreapi_error err;
  if (entry != NULL && (token = cli_oauth_token_node(t)) != NULL) {
    coreapi_node *full = cli_oauth_with_secrets(domain, entry, &err), *with, *kept = NULL;
    const char *store = cli_map_string(entry, "store");
    with = full != NULL ? cli_map_with(full, "token", token) : NULL;
    if (full == NULL)
      coreapi_node_free(token);
    if (with != NULL)
      kept = cli_oauth_without_secrets(domain, with, store, &err);
    if (kept != NULL) {
      coreapi_node *updated = cli_map_with(creds, domain, kept);
      saved = 1; /* the save gives the state lock back, whatever it returns */
      if (cli_credentials_save(persist[slot].opts, updated) != CLI_OK)
        kept = NULL;
      coreapi_node_free(updated);
    }
    if (kept == NULL)
      cli_error("warning: the renewed OAuth 2.0 token for %s was not saved", domain);
    coreapi_node_free(with);
    coreapi_node_free(full);
  }
  if (creds != NULL && !saved)
    cli_credentials_release(); /* the load took the lock */
  coreapi_node_free(creds);
}

coreapi_auth *cli_oauth_credential(const cli_options *opts, const char *domain,
                                   const coreapi_node *entry, coreapi_error *err) {
  coreapi_node *full = cli_oauth_with_secrets(domain, entry, err);
  coreapi_auth *auth = NULL;
  size_t slot = persist_count;
  if (full == NULL)
    return NULL;
  if (opts != NULL && slot < sizeof(persist) / sizeof(persist[0]) &&
      strlen(domain) < sizeof(persist[0].domain)) {
    persist[slot].opts = opts;
    snprintf(persist[slot].domain, sizeof(persist[0].domain), "%s", domain);
    persist_count++;
    auth = cli_oauth_auth(domain, full, write_back, (void *)(uintptr_t)slot, err);
  } else {
    auth = cli_oauth_auth(domain, full, NULL, NULL, err);
  }
  coreapi_node_free(full); /* the object keeps copies */
  return auth;
}
