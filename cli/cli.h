/*
 * cli.h - the coreapi command-line tool: what its files share.
 *
 * The tool uses only the library's public header, as curl's src/tool_*.c use
 * only libcurl. Its parts:
 *   main.c                 global options, dispatch, help, exit codes
 *   state.c                the config directory and its files (atomic writes)
 *   snapshot.c             document.index: links of the current document without decoding it
 *   credentials.c          the credentials file and the authentications made from it
 *   secret_store.c         secrets kept by a git credential helper (--store helper:SPEC)
 *   header_auth.c          a raw Authorization value as a custom authentication
 *   client.c               a client configured from the state and the options
 *   output.c               printing results and errors
 *   debug.c                --debug output
 *   progress.c             upload progress on a terminal
 *   commands_document.c    get, show, describe, reload, load, dump, clear
 *   commands_action.c      action
 *   commands_credentials.c credentials show|add|remove|which
 *   commands_headers.c     headers show|add|remove
 *   commands_bookmarks.c   bookmarks show|add|remove|get
 *   commands_history.c     history show|back|forward, history.json, a visit
 *   commands_codecs.c      codecs show
 *   completion.c           completion bash|zsh|fish: the shells' scripts
 *   complete.c             __complete: the candidates those scripts ask for
 */
#ifndef COREAPI_CLI_H
#define COREAPI_CLI_H

#include <coreapi/coreapi.h>
#include <stdarg.h>
#include <stdio.h>
#include <stddef.h>
#include <stdint.h>

/* Exit codes (documented in --help and coreapi.1). */
enum {
  CLI_OK = 0,
  CLI_ERROR_RESPONSE = 1, /* the server answered with an Error */
  CLI_USAGE = 2,          /* usage or invalid input */
  CLI_NETWORK = 3,        /* network or TLS failure */
  CLI_OTHER = 4           /* anything else */
};

/* Global options and the state they lead to. */
typedef struct cli_options {
  const char *config_dir; /* resolved config directory (owned by main) */
  const char **resolve;   /* --resolve entries */
  size_t resolve_count;
  const char *cacert;
  int64_t max_filesize; /* --max-filesize; -1 when not given (the library's default) */
  int netrc;              /* --netrc: credentials from $NETRC or ~/.netrc */
  const char *netrc_file; /* --netrc-file: credentials from this netrc file */
  int debug;
  int color; /* colour on stdout */
  long timeout_ms;        /* --timeout; -1 when not given */
  const char *proxy;      /* --proxy */
  const char *cert, *key; /* --cert, --key */
  int insecure;           /* --insecure, -k */
  int output;             /* --output, -o: CLI_OUTPUT_* */
} cli_options;

#define CLI_OUTPUT_DISPLAY 0  /* the reference's display (the default) */
#define CLI_OUTPUT_JSON 1     /* plain JSON of the result, one value */
#define CLI_OUTPUT_COREJSON 2 /* compact Core JSON of the result */

/* A command: argc/argv start at the command's own arguments (argv[0] is the
 * command name). Returns an exit code. */
typedef int (*cli_command_fn)(cli_options *opts, int argc, char **argv);

/* --- output.c ---------------------------------------------------------------- */

/* Print "coreapi: <message>" on stderr (cli_verror: without the newline, for
 * messages that go on). */
void cli_verror(const char *fmt, va_list ap)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 1, 0)))
#endif
    ;
/* s on f with its control characters made visible (\x1b, \u009b): text
 * from a server shown on a terminal; keep_newlines leaves '\n' as it is
 * (a line break cannot drive a terminal; an escape sequence can). */
void cli_put_visible(FILE *f, const char *s, int keep_newlines);
/* printf to stdout through cli_put_visible(..., 1). */
void cli_printf_visible(const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;
void cli_error(const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;
/* The exit code for a library error code. */
int cli_exit_code(coreapi_code code);
/* Report a library failure: the Error document for ERR_ERROR_RESPONSE (on
 * stdout), each parameter problem for ERR_PARAMETER, else the message. Returns
 * the exit code. result may be NULL. */
int cli_report(const cli_options *opts, const coreapi_result *result, const coreapi_error *err);
/* Print a node the way the reference prints a value: documents, errors,
 * objects, arrays and links in the display format (when display_all; else
 * only documents and errors), strings as they are, other data as 4-space
 * indented JSON. NULL prints an empty line. Returns an exit code. */
int cli_print_node(const cli_options *opts, const coreapi_node *node, int display_all);
/* Print a transition's result: the downloaded file's path, or the node. */
int cli_print_result(const cli_options *opts, const coreapi_result *result);
/* Print a bold heading ("Credentials") when colour is on, else plain. */
void cli_heading(const cli_options *opts, const char *text);

/* --- state.c ----------------------------------------------------------------- */

/* The config directory: --config-dir, $COREAPI_CONFIG_DIR,
 * $XDG_CONFIG_HOME/coreapi, ~/.coreapi. Returns a new string or NULL. */
char *cli_config_dir_default(void);
/* Create the config directory (mode 0700) when missing; refuse one that
 * group or others can write (the chmod that fixes it said); remove the
 * temporary files killed writes left in it. Returns an exit code. */
int cli_state_init(const cli_options *opts);
/* The path of a state file in the config directory (a new string). */
char *cli_state_path(const cli_options *opts, const char *name);
/* Read a whole file: a new NUL-terminated buffer, length in *len; NULL with
 * errno set when it cannot be read. */
char *cli_read_file(const char *path, size_t *len);
/* Write data atomically with mode 0600 (temporary file in the same
 * directory, fsync, rename). Returns 0, or -1 with an error printed. */
int cli_write_file(const char *path, const char *data, size_t len);
/* Read a JSON state file (an Object); a missing file gives an empty Object.
 * NULL (error printed) when it cannot be read or parsed. */
coreapi_node *cli_state_load_json(const cli_options *opts, const char *name);
/* Write node as a JSON state file (under the state lock). Returns 0 or -1
 * (error printed). */
int cli_state_save_json(const cli_options *opts, const char *name, const coreapi_node *node);
/* Remove a state file (under the state lock when it can be had); missing is
 * fine. */
void cli_state_remove(const cli_options *opts, const char *name);

/* The current document (NULL when none; error printed and *code set when it
 * cannot be read). */
coreapi_node *cli_document_load(const cli_options *opts, int *code);
/* The current document's snapshot (snapshot.h) when document.index matches
 * document.json, else NULL (use the whole document). */
typedef struct cli_snapshot cli_snapshot;
cli_snapshot *cli_document_snapshot(const cli_options *opts);
/* Write doc as the current document (under the state lock), and its
 * snapshot: 0 or -1. */
int cli_document_save(const cli_options *opts, const coreapi_node *doc);
/* The current document or an error "No current document" (exit code in *code). */
coreapi_node *cli_document_require(const cli_options *opts, int *code);

/* History (commands_history.c): newest first, idx the current entry, at most
 * 20 entries. */
typedef struct cli_history_item {
  char *url;
  char *title;
} cli_history_item;
typedef struct cli_history {
  cli_history_item *items;
  size_t count;
  size_t idx;
} cli_history;
int cli_history_load(const cli_options *opts, cli_history *h);
int cli_history_save(const cli_options *opts, const cli_history *h);
/* Add doc as the newest, current entry, dropping the forward history. */
void cli_history_add(cli_history *h, const coreapi_node *doc);
void cli_history_free(cli_history *h);
/* Store doc as the current document and add it to the history: one
 * read-modify-write under the state lock. An exit code. */
int cli_document_visit(const cli_options *opts, const coreapi_node *doc);

/* Map helpers on Objects (the library's map builders). */
/* A copy of map with key set to value (value consumed). */
coreapi_node *cli_map_with(const coreapi_node *map, const char *key, coreapi_node *value);
/* A copy of map without key (a new reference to map when absent). */
coreapi_node *cli_map_without(const coreapi_node *map, const char *key);
/* A new String node (abort on failure: only out of memory). */
coreapi_node *cli_string(const char *s);
/* The string at map[key], or NULL. */
const char *cli_map_string(const coreapi_node *map, const char *key);
/* Sorted keys of a map (a new array of borrowed strings; free() it). */
const char **cli_sorted_keys(const coreapi_node *map, size_t *n);

/* Wipe a secret from memory. */
void cli_wipe(void *p, size_t len);
/* Free a string holding a secret, wiping it first. */
void cli_free_secret(char *s);

/* --- state.c, credentials.c: safe state between parallel invocations -------------
 *
 * The state lock is flock(2) on the config directory itself. Every write of
 * a state file holds it (cli_state_save_json, cli_document_save, the cookie
 * jar), and every read-modify-write holds it for its whole cycle:
 *
 *   if ((code = cli_state_lock(opts, 1)) != CLI_OK) return code;
 *   node = cli_state_load_json(opts, name); ... cli_state_save_json(...);
 *   cli_state_unlock();
 *
 * cli_credentials_load takes it (exclusive) and keeps it: the next
 * cli_credentials_save gives it back after writing, or cli_credentials_release
 * without writing; else it goes when the process ends. So load, change,
 * save is one cycle without the callers saying so. Do not hold it across a
 * network request that is not part of the cycle: others wait at most
 * CLI_LOCK_TIMEOUT_MS for it, then fail. */
#define CLI_LOCK_TIMEOUT_MS 10000
/* Temporary files of a killed write older than this are removed at start
 * even while another invocation holds the lock (all of them when none does). */
#define CLI_STALE_TEMPORARY_S 600
/* Take the state lock: exclusive for a read-modify-write, shared for reads
 * that must not see one half done. Held by the process and counted: a call
 * while held only counts (an exclusive one under a shared one is refused:
 * flock cannot upgrade atomically); each CLI_OK is paired with one
 * cli_state_unlock. CLI_OK, or CLI_OTHER (said: busy for
 * CLI_LOCK_TIMEOUT_MS, or the directory cannot be opened). */
int cli_state_lock(const cli_options *opts, int exclusive);
/* Give back one cli_state_lock; the last lets the lock go. Without a lock
 * held, nothing. */
void cli_state_unlock(void);
/* Refuse a file whose mode has any of the bits forbidden (missing is fine):
 * CLI_OK, or CLI_OTHER with the chmod that fixes it said. 077 for files that
 * hold secrets ("is accessible by others"; cli_state_load_json does this for
 * credentials.json, headers.json and cookies.txt), 022 for one that holds
 * none but decides where they go ("can be written by others": settings.json). */
int cli_state_check_mode(const char *path, unsigned forbidden);
/* A state file could not be saved after the command's work was done (the
 * cookie jar): the tool exits CLI_OTHER even if the command succeeded. */
void cli_state_set_failed(void);
/* code, or CLI_OTHER when it is CLI_OK and cli_state_set_failed was called. */
int cli_state_exit_code(int code);
/* Give back the lock a cli_credentials_load took, without saving (nothing
 * when none is held). */
void cli_credentials_release(void);

/* --- credentials.c ----------------------------------------------------------- */

/* The credentials file (an Object: normalised domain -> entry). Refuses a file
 * others can access. NULL with *code set on failure. Takes the state lock
 * and keeps it until the next cli_credentials_save or
 * cli_credentials_release (see above); not on failure. */
coreapi_node *cli_credentials_load(const cli_options *opts, int *code);
/* Write creds (under the lock), then give back a lock cli_credentials_load
 * took. When creds hold no session credential, the cookie jar goes (it is
 * used only for one). An exit code. */
int cli_credentials_save(const cli_options *opts, const coreapi_node *creds);
/* An authentication for one stored entry (NULL with err filled). */
coreapi_auth *cli_credential_auth(const char *domain, const coreapi_node *entry,
                                  coreapi_error *err);
/* Does the file hold a session credential? */
int cli_credentials_have_session(const coreapi_node *creds);
/* Describe a stored entry without its secret and without running its
 * helper: what coreapi_auth_describe says, then " (in helper: SPEC)" for a
 * helper store; "<invalid: ...>" for a bad entry. */
void cli_credential_describe(const char *domain, const coreapi_node *entry, char *buf,
                             size_t size);
/* Move the secret of entry (as `add` builds it, the secret inline) to store:
 * "file" (or NULL) gives a new reference to entry; "helper:SPEC" stores the
 * secret with the helper and gives a copy without it and with "store" set.
 * NULL with err set on failure (nothing stored). */
coreapi_node *cli_credential_store_secret(const char *domain, const coreapi_node *entry,
                                          const char *store, coreapi_error *err);
/* Erase the helper-kept secret of a stored entry; 0 (also for the file
 * store, where there is nothing to erase) or -1 with err set. */
int cli_credential_erase_secret(const char *domain, const coreapi_node *entry,
                                coreapi_error *err);
/* Do two entries keep their secret in the same helper slot (store, path and
 * username all the same)? Storing one then replaces the other's secret. */
int cli_credential_same_slot(const coreapi_node *a, const coreapi_node *b);

/* --- secret_store.c: secrets kept by a git credential helper ------------------ */

/* A credential's "store" member: absent or "file" (the secret in
 * credentials.json), or "helper:SPEC", SPEC as git's credential.helper
 * (gitcredentials(7)): "!shell snippet", "/absolute/path args", or "NAME args"
 * for "git credential-NAME args". Each secret is addressed by the git
 * credential protocol fields protocol=https, host=DOMAIN (the normalised
 * pattern), path=coreapi/FIELD and username=USER:
 *   FIELD  a stable name for the kind of secret, [A-Za-z0-9_./-]+: "basic",
 *          "token", "header", "apikey" (the built-in kinds' secrets);
 *          later ones e.g. "oauth/client_secret", "oauth/refresh_token";
 *   USER   non-empty: Basic's username, else the kind's name.
 * No value may hold a line break (refused: it could add protocol lines).
 * The helper runs with a time limit and a bounded answer: */
#define CLI_SECRET_TIMEOUT_MS 10000
#define CLI_SECRET_ANSWER_MAX 65536

/* The SPEC of a "helper:SPEC" store (borrowed from store), or NULL for any
 * other (the file store). */
const char *cli_secret_helper(const char *store);
/* Is store "file" or "helper:SPEC" with a SPEC? 0, or -1 with err set. */
int cli_secret_store_check(const char *store, coreapi_error *err);
/* Give secret to the helper of store ("helper:SPEC") to keep (action
 * "store"). 0, or -1 with err set (the message names the helper). */
int cli_secret_put(const char *store, const char *domain, const char *field, const char *user,
                   const char *secret, coreapi_error *err);
/* The secret the helper keeps (action "get"): a new string to release with
 * cli_free_secret, or NULL with err set (the helper failed, timed out, or
 * has no password for it). */
char *cli_secret_get(const char *store, const char *domain, const char *field, const char *user,
                     coreapi_error *err);
/* Make the helper forget the secret (action "erase"). 0, or -1 with err set. */
int cli_secret_erase(const char *store, const char *domain, const char *field, const char *user,
                     coreapi_error *err);

/* --- header_auth.c ------------------------------------------------------------ */

/* A custom authentication sending value as the Authorization header. */
coreapi_auth *cli_header_auth_new(const char *value, const char *domain, coreapi_error *err);

/* --- client.c ------------------------------------------------------------------ */

typedef struct cli_client {
  coreapi_client *client;
  char *cookie_jar; /* path of the cookie jar when a session credential exists */
} cli_client;
/* A client with the stored credentials, headers, cookies and the global
 * options. Returns an exit code; cc filled on success. */
int cli_client_open(const cli_options *opts, cli_client *cc);
/* Save the cookie jar (when there is one and opts is not NULL: under the
 * state lock, and only while a session credential is still stored) and
 * free the client. CLI_OK, or CLI_OTHER when the jar could not be saved
 * (said, and cli_state_set_failed called: the command then fails). */
int cli_client_close(const cli_options *opts, cli_client *cc);

/* --- debug.c ------------------------------------------------------------------- */

void cli_debug_attach(const cli_options *opts, coreapi_client *client);

/* --- progress.c ------------------------------------------------------------------ */

/* A File parameter for path: streamed with a progress bar on stderr when
 * stderr is a terminal and the file is large, else coreapi_file_new. */
coreapi_node *cli_file_param(const char *path, coreapi_error *err);

/* --- commands ---------------------------------------------------------------------- */

int cmd_get(cli_options *opts, int argc, char **argv);
int cmd_show(cli_options *opts, int argc, char **argv);
int cmd_describe(cli_options *opts, int argc, char **argv);
int cmd_security(cli_options *opts, int argc, char **argv);
/* "auth: ..." for a link with a security requirement (from an OpenAPI
 * description), on its own line; nothing for one without. */
void cli_print_link_auth(const coreapi_node *doc, const coreapi_node *link);
int cmd_reload(cli_options *opts, int argc, char **argv);
int cmd_load(cli_options *opts, int argc, char **argv);
int cmd_dump(cli_options *opts, int argc, char **argv);
int cmd_clear(cli_options *opts, int argc, char **argv);
int cmd_action(cli_options *opts, int argc, char **argv);
int cmd_credentials(cli_options *opts, int argc, char **argv);
int cmd_headers(cli_options *opts, int argc, char **argv);
int cmd_bookmarks(cli_options *opts, int argc, char **argv);
int cmd_history(cli_options *opts, int argc, char **argv);
int cmd_codecs(cli_options *opts, int argc, char **argv);
int cmd_completion(cli_options *opts, int argc, char **argv);
int cmd_complete(cli_options *opts, int argc, char **argv); /* __complete */

/* Shared by the commands. */
/* Is arg "--help" or "-h"? */
int cli_is_help(const char *arg);
/* Print help text for a command and return 0. */
int cli_help(const char *text);
/* Usage error: message and a hint, returns CLI_USAGE. */
int cli_usage(const char *command, const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* Turn PATH arguments into keys for doc, numbers indexing arrays (as the
 * reference's coerce_key_types). keys is a new array (free()); names
 * borrowed from argv. */
coreapi_key *cli_path_keys(const coreapi_node *doc, char **path, size_t n);
/* A valid --format for decoding? */
int cli_format_ok(const char *format);
/* GET url (or reload), print, store a Document; returns an exit code. */
int cli_fetch(cli_options *opts, const char *url, const char *format);

/* progress.c: the client's progress callback (a download bar on stderr). */
int cli_download_progress(void *userdata, int64_t total, int64_t now, int64_t up_total,
                          int64_t up_now);

/* --- OAuth 2.0 credentials: oauth_entry.c, oauth_persist.c, commands_oauth.c --- */

/* The grants of `--oauth2 GRANT`: the tool's name, OpenAPI's flow, the
 * library's grant. */
typedef struct cli_oauth_grant_info {
  const char *name, *flow;
  coreapi_oauth2_grant grant;
} cli_oauth_grant_info;
#define CLI_OAUTH_GRANTS 4
extern const cli_oauth_grant_info cli_oauth_grants[CLI_OAUTH_GRANTS];
/* The index of the grant called name, or -1. */
int cli_oauth_grant(const char *name);

/* oauth_entry.c: a stored entry (see there). New nodes (abort on ENOMEM,
 * as cli_string): an Integer; the token as an Object. key: value into b
 * when value is not NULL. */
coreapi_node *cli_oauth_number(int64_t v);
coreapi_node *cli_oauth_token_node(const coreapi_oauth2_token *t);
void cli_oauth_set(coreapi_map_builder *b, const char *key, const char *value);
/* The authentication of a stored entry whose secrets are in it, on_token
 * (may be NULL) told of each token obtained; NULL with err set. */
coreapi_auth *cli_oauth_auth(const char *domain, const coreapi_node *entry,
                             void (*on_token)(void *, const coreapi_oauth2_token *),
                             void *userdata, coreapi_error *err);
/* The same for an entry as stored (its secrets fetched from its helper),
 * renewed tokens not written back. */
coreapi_auth *cli_oauth_plain_auth(const char *domain, const coreapi_node *entry,
                                   coreapi_error *err);
/* The entry with its secrets (from its helper, when one keeps them), and
 * the entry to save for store: its secrets given to the helper ("helper:
 * SPEC") or kept in it ("file", NULL). New references, or NULL with err. */
coreapi_node *cli_oauth_with_secrets(const char *domain, const coreapi_node *entry,
                                     coreapi_error *err);
coreapi_node *cli_oauth_without_secrets(const char *domain, const coreapi_node *entry,
                                        const char *store, coreapi_error *err);
/* Erase the secrets a helper keeps for entry (0 when none does; -1 with err). */
int cli_oauth_erase(const char *domain, const coreapi_node *entry, coreapi_error *err);
/* "oauth2 (client-credentials, client ID, expires in N min)": no secret. */
void cli_oauth_describe(const coreapi_node *entry, char *buf, size_t size);

/* oauth_persist.c: the authentication the client uses for a stored entry:
 * tokens it renews written back for the next run (opts may be NULL). */
coreapi_auth *cli_oauth_credential(const cli_options *opts, const char *domain,
                                   const coreapi_node *entry, coreapi_error *err);

/* commands_oauth.c: what `credentials add DOMAIN --oauth2 GRANT ...` was told. */
typedef struct cli_oauth_args {
  const char *domain, *grant, *token_url, *client_id, *client_auth, *username, *scope,
      *device_url, *authorize_url, *redirect_port, *revoke_url, *store;
  int secret_stdin, password_stdin;
  char found[2][2048]; /* URLs taken from the document (cli_oauth_fill_urls) */
} cli_oauth_args;
/* The command line (argv after "add") into *o: CLI_OK or a usage error. */
int cli_oauth_parse(cli_oauth_args *o, int argc, char **argv);
/* The URLs left out taken from the current document's security schemes
 * (said on stdout), or a usage error naming the option needed. */
int cli_oauth_fill_urls(const cli_options *opts, cli_oauth_args *o);
/* Obtain a token now (secret, password may be NULL) and return the entry to
 * store (new), or NULL (error printed) with *code set. */
coreapi_node *cli_oauth_obtain(const cli_options *opts, const char *domain,
                               const cli_oauth_args *o, const char *secret,
                               const char *password, int *code);
/* The whole `credentials add DOMAIN --oauth2 ...` (argv after "add"). */
int cli_oauth_add(cli_options *opts, int argc, char **argv);
/* Renew the stored token now (written back); revoke it where the entry
 * says (nothing to do without a revocation URL). Exit codes. */
int cli_oauth_refresh(const cli_options *opts, const char *domain, const coreapi_node *entry);
int cli_oauth_revoke(const cli_options *opts, const char *domain, const coreapi_node *entry);

/* secret_input.c: a secret from standard input (from_stdin: all of it, one
 * final LF or CRLF removed; refused when empty or holding a control
 * character), else prompted for on the terminal without echo. A new string
 * (cli_free_secret), or NULL (error printed) with *code set. */
char *cli_read_secret(int from_stdin, const char *prompt, int *code);
/* Before the first cli_read_secret: how many secrets this invocation reads
 * from standard input. 1 (the default): all of it is the secret; 2: one
 * line each, in the order they are read. */
void cli_secret_stdin_expect(int count);

#endif /* COREAPI_CLI_H */
