/*
 * complete.c - shell completion: `coreapi __complete WORD...` prints the
 * candidates for the last WORD (the one being completed, maybe empty) of the
 * command line WORD... (the words after `coreapi`), one per line, those that
 * start with it. The scripts of completion.c call it. It completes global
 * options, commands, subcommands and command options; link paths of the
 * current document after action, describe and show (from its snapshot, so
 * at the cost of a table of contents, not the document); field names after
 * -p, -s, -d and -f (with "="); bookmark names; credential domains; header
 * names. The current document is that of the line's --config-dir, else
 * $COREAPI_CONFIG_DIR, else the default. It prints nothing it cannot
 * complete (the shell then completes file names) and changes no state (it
 * may write the missing snapshot of the current document, a cache).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "snapshot.h"

static const char *const globals[] = {
    "--config-dir", "--resolve", "--cacert", "--cert", "--key", "--insecure", "--proxy",
    "--timeout", "--output", "--max-filesize", "--netrc", "--netrc-file", "--debug",
    "--no-color", "--version", "--help", NULL};
/* Global options that take a value as the next word. */
static const char *const valued[] = {"--config-dir", "--resolve", "--cacert", "--cert",
                                     "--key", "--proxy", "--timeout", "--output", "-o",
                                     "--max-filesize", "--netrc-file", NULL};
static const char *const command_names[] = {
    "get", "show", "describe", "security", "action", "reload", "load", "dump", "clear",
    "credentials", "headers", "bookmarks", "history", "codecs", "completion", NULL};
static const char *const action_options[] = {
    "--param", "--string", "--data", "--file", "--action", "--encoding", "--transform",
    "--no-validate", "--all", "--max-pages", "--parallel", "--debug", "--help", NULL};
/* action's options that take the next word (the field ones first). */
static const char *const action_valued[] = {
    "-p", "--param", "-s", "--string", "-d", "--data", "-f", "--file", "-a", "--action", "-e",
    "--encoding", "-t", "--transform", "--max-pages", "--parallel", NULL};

static int in_list(const char *const *list, const char *w) {
  for (; *list != NULL; list++)
    if (strcmp(*list, w) == 0)
      return 1;
  return 0;
}

/* Print s when it starts with prefix. */
static void offer(const char *s, size_t len, const char *prefix) {
  size_t n = strlen(prefix);
  if (len >= n && strncmp(s, prefix, n) == 0 && memchr(s, '\n', len) == NULL) {
    fwrite(s, 1, len, stdout);
    putchar('\n');
  }
}

static void offer_list(const char *const *list, const char *prefix) {
  for (; *list != NULL; list++)
    offer(*list, strlen(*list), prefix);
}

/* The keys of a JSON state file's top-level Object. */
static void offer_keys(const cli_options *opts, const char *file, const char *prefix) {
  char *path = cli_state_path(opts, file);
  size_t len = 0;
  char *data = cli_read_file(path, &len);
  coreapi_node *obj = data ? coreapi_json_decode(data, len, NULL) : NULL;
  for (size_t i = 0; i < coreapi_map_size(obj); i++) {
    const char *key;
    size_t key_len;
    coreapi_map_entry(obj, i, &key, &key_len);
    offer(key, key_len, prefix);
  }
  coreapi_node_free(obj);
  if (data != NULL)
    cli_wipe(data, len); /* credentials.json holds secrets */
  free(data);
  free(path);
}

/* The current document's snapshot; a document without one is decoded and
 * snapshotted in memory. NULL when there is no current document. */
static cli_snapshot *snapshot(const cli_options *opts) {
  cli_snapshot *s = cli_document_snapshot(opts);
  if (s == NULL) {
    int code;
    coreapi_node *doc = cli_document_load(opts, &code); /* writes one when it can */
    if (doc != NULL && (s = cli_document_snapshot(opts)) == NULL)
      s = cli_snapshot_of(doc);
    coreapi_node_free(doc);
  }
  return s;
}

typedef struct step_seen {
  const char *prefix;
  char last[1024]; /* the previous step offered: links under one key come together */
} step_seen;

static void offer_step(void *userdata, const char *step, size_t len, int is_link) {
  step_seen *seen = userdata;
  (void)is_link;
  if (len < sizeof(seen->last) && strcmp(seen->last, step) == 0)
    return;
  offer(step, len, seen->prefix);
  if (len < sizeof(seen->last))
    memcpy(seen->last, step, len + 1);
}

/* The steps after path, or with field_prefix (not NULL) the fields of the
 * link at path as "NAME=". */
static void offer_path(const cli_options *opts, char **path, size_t n, const char *prefix,
                       int fields) {
  cli_snapshot *s = snapshot(opts);
  if (s == NULL)
    return;
  if (fields) {
    int nested;
    coreapi_node *link = cli_snapshot_link(s, path, n, &nested);
    for (size_t i = 0; i < coreapi_link_field_count(link); i++) {
      const char *name = coreapi_field_name(coreapi_link_field(link, i));
      size_t len = strlen(name);
      char *with_eq = malloc(len + 2);
      if (with_eq != NULL) {
        memcpy(with_eq, name, len);
        memcpy(with_eq + len, "=", 2);
        offer(with_eq, len + 1, prefix);
      }
      free(with_eq);
    }
    coreapi_node_free(link);
  } else {
    step_seen seen;
    memset(&seen, 0, sizeof(seen));
    seen.prefix = prefix;
    cli_snapshot_each(s, path, n, offer_step, &seen);
  }
  cli_snapshot_close(s);
}

/* action, describe, show: words[0] the command, cur the word completed. */
static void complete_path_command(const cli_options *opts, char **words, int n,
                                  const char *cur) {
  char **path = calloc((size_t)n + 1, sizeof(*path));
  size_t np = 0;
  int is_action = strcmp(words[0], "action") == 0;
  const char *prev = n > 1 ? words[n - 1] : "";
  if (path == NULL)
    return;
  for (int i = 1; i < n; i++) {
    if (is_action && in_list(action_valued, words[i]))
      i++; /* and its value */
    else if (words[i][0] != '-')
      path[np++] = words[i];
  }
  if (is_action && in_list(action_valued, prev)) {
    int field_option = 0;
    for (int k = 0; k < 8; k++)
      field_option |= strcmp(prev, action_valued[k]) == 0;
    if (field_option && strchr(cur, '=') == NULL)
      offer_path(opts, path, np, cur, 1);
  } else if (cur[0] == '-') {
    if (is_action)
      offer_list(action_options, cur);
    else
      offer("--help", 6, cur);
  } else {
    offer_path(opts, path, np, cur, 0);
  }
  free(path);
}

/* The words of one command (words[0]) with cur being completed. */
static void complete_command(const cli_options *opts, char **words, int n, const char *cur) {
  static const char *const sub_credentials[] = {"show", "add", "remove", "which", NULL};
  static const char *const sub_bookmarks[] = {"show", "add", "remove", "get", NULL};
  static const char *const sub_headers[] = {"show", "add", "remove", NULL};
  static const char *const sub_history[] = {"show", "back", "forward", NULL};
  static const char *const sub_codecs[] = {"show", NULL};
  static const char *const shells[] = {"bash", "zsh", "fish", NULL};
  const char *cmd = words[0];
  if (!strcmp(cmd, "action") || !strcmp(cmd, "describe") || !strcmp(cmd, "show")) {
    complete_path_command(opts, words, n, cur);
  } else if (n == 1) {
    const char *const *sub = !strcmp(cmd, "credentials") ? sub_credentials
                             : !strcmp(cmd, "bookmarks") ? sub_bookmarks
                             : !strcmp(cmd, "headers")   ? sub_headers
                             : !strcmp(cmd, "history")   ? sub_history
                             : !strcmp(cmd, "codecs")    ? sub_codecs
                             : !strcmp(cmd, "completion") ? shells
                                                          : NULL;
    if (sub != NULL)
      offer_list(sub, cur);
  } else if (n == 2 && !strcmp(cmd, "bookmarks") &&
             (!strcmp(words[1], "get") || !strcmp(words[1], "remove"))) {
    offer_keys(opts, "bookmarks.json", cur);
  } else if (n == 2 && !strcmp(cmd, "credentials") &&
             (!strcmp(words[1], "remove") || !strcmp(words[1], "add"))) {
    offer_keys(opts, "credentials.json", cur);
  } else if (n == 2 && !strcmp(cmd, "headers") && !strcmp(words[1], "remove")) {
    offer_keys(opts, "headers.json", cur);
  }
}

int cmd_complete(cli_options *opts, int argc, char **argv) {
  /* argv[0] is "__complete"; argv[argc - 1] the word being completed. */
  const char *config_dir = NULL, *cur = argc > 1 ? argv[argc - 1] : "";
  int i = 1, last = argc - 1;
  char *dir = NULL;
  for (; i < last && argv[i][0] == '-'; i++) {
    if (strcmp(argv[i], "--config-dir") == 0 && i + 1 < last)
      config_dir = argv[i + 1];
    else if (strncmp(argv[i], "--config-dir=", 13) == 0)
      config_dir = argv[i] + 13;
    if (in_list(valued, argv[i]))
      i++;
  }
  if (i > last) { /* completing a global option's value: the shell's files */
    return CLI_OK;
  }
  dir = config_dir ? strdup(config_dir) : cli_config_dir_default();
  opts->config_dir = dir ? dir : "";
  if (i == last) {
    if (last > 1 && in_list(valued, argv[last - 1]))
      ; /* a global option's value */
    else if (cur[0] == '-')
      offer_list(globals, cur);
    else
      offer_list(command_names, cur);
  } else {
    complete_command(opts, argv + i, last - i, cur);
  }
  opts->config_dir = NULL;
  free(dir);
  return CLI_OK;
}
