/*
 * commands_history.c - `coreapi history show|back|forward`: the documents
 * visited, newest first, at most 20, kept in history.json by URL and title.
 * Going back or forward reloads that document from its URL, as the reference
 * does, and moves the current position without adding an entry.
 *
 * Also the history file itself (cli_history_*) and a visit (the current
 * document and its history entry, saved under the state lock as one
 * read-modify-write, so that parallel invocations lose no entry).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define HISTORY_MAX 20

static void oom(void) {
  cli_error("out of memory");
  exit(CLI_OTHER);
}

static const char history_help[] =
    "Usage: coreapi history COMMAND\n"
    "\n"
    "  Navigate the browser history.\n"
    "\n"
    "Commands:\n"
    "  show       list the browser history ([*] marks the current document)\n"
    "  back       navigate back through the browser history\n"
    "  forward    navigate forward through the browser history\n";

int cli_history_load(const cli_options *opts, cli_history *h) {
  memset(h, 0, sizeof(*h));
  coreapi_node *root = cli_state_load_json(opts, "history.json");
  if (root == NULL)
    return -1;
  coreapi_node *items = coreapi_map_get(root, "items", 5);
  size_t n = coreapi_array_size(items);
  h->items = calloc(n + 1, sizeof(*h->items));
  if (h->items == NULL)
    oom();
  for (size_t i = 0; i < n && h->count < HISTORY_MAX; i++) {
    coreapi_node *it = coreapi_array_get(items, i);
    const char *url = cli_map_string(it, "url"), *title = cli_map_string(it, "title");
    if (url == NULL)
      continue;
    h->items[h->count].url = strdup(url);
    h->items[h->count].title = strdup(title ? title : "");
    h->count++;
  }
  int64_t idx = coreapi_integer_value(coreapi_map_get(root, "idx", 3));
  h->idx = idx > 0 && (size_t)idx < h->count ? (size_t)idx : 0;
  coreapi_node_free(root);
  return 0;
}

int cli_history_save(const cli_options *opts, const cli_history *h) {
  coreapi_array_builder *ab = coreapi_array_builder_new();
  coreapi_map_builder *root = coreapi_map_builder_new();
  if (ab == NULL || root == NULL)
    oom();
  for (size_t i = 0; i < h->count; i++) {
    coreapi_map_builder *b = coreapi_map_builder_new();
    if (b == NULL)
      oom();
    coreapi_map_builder_set(b, "url", 3, cli_string(h->items[i].url), NULL);
    coreapi_map_builder_set(b, "title", 5, cli_string(h->items[i].title), NULL);
    coreapi_array_builder_append(ab, coreapi_map_builder_object(b, NULL), NULL);
  }
  coreapi_map_builder_set(root, "items", 5, coreapi_array_builder_finish(ab, NULL), NULL);
  coreapi_map_builder_set(root, "idx", 3, coreapi_integer_new((int64_t)h->idx, NULL), NULL);
  coreapi_map_builder_set(root, "max_items", 9, coreapi_integer_new(HISTORY_MAX, NULL), NULL);
  coreapi_node *node = coreapi_map_builder_object(root, NULL);
  if (node == NULL)
    oom();
  int rc = cli_state_save_json(opts, "history.json", node);
  coreapi_node_free(node);
  return rc;
}

void cli_history_add(cli_history *h, const coreapi_node *doc) {
  const char *url = coreapi_node_url(doc), *title = coreapi_node_title(doc);
  /* The current document again (a reload): replace it, do not add a step. */
  if (h->count > 0 && strcmp(h->items[h->idx].url, url ? url : "") == 0) {
    free(h->items[h->idx].title);
    h->items[h->idx].title = strdup(title ? title : "");
    return;
  }
  /* Drop the forward history: entries newer than the current one. */
  for (size_t i = 0; i < h->idx; i++) {
    free(h->items[i].url);
    free(h->items[i].title);
  }
  memmove(h->items, h->items + h->idx, (h->count - h->idx) * sizeof(*h->items));
  h->count -= h->idx;
  h->idx = 0;
  cli_history_item *items = realloc(h->items, (h->count + 1) * sizeof(*items));
  if (items == NULL)
    oom();
  h->items = items;
  memmove(h->items + 1, h->items, h->count * sizeof(*items));
  h->items[0].url = strdup(url ? url : "");
  h->items[0].title = strdup(title ? title : "");
  h->count++;
  while (h->count > HISTORY_MAX) {
    h->count--;
    free(h->items[h->count].url);
    free(h->items[h->count].title);
  }
}

void cli_history_free(cli_history *h) {
  for (size_t i = 0; i < h->count; i++) {
    free(h->items[i].url);
    free(h->items[i].title);
  }
  free(h->items);
  memset(h, 0, sizeof(*h));
}

int cli_document_visit(const cli_options *opts, const coreapi_node *doc) {
  cli_history h;
  int code = cli_state_lock(opts, 1);
  if (code != CLI_OK)
    return code;
  if (cli_document_save(opts, doc) != 0 || cli_history_load(opts, &h) != 0) {
    cli_state_unlock();
    return CLI_OTHER;
  }
  cli_history_add(&h, doc);
  code = cli_history_save(opts, &h) == 0 ? CLI_OK : CLI_OTHER;
  cli_history_free(&h);
  cli_state_unlock();
  return code;
}

/* Make doc, fetched from the entry idx of the history read before the
 * request (its URL url), the current document: under the lock, the history
 * read again, the entry made current if it is still the one at idx, else
 * (another invocation changed the history meanwhile) doc added as a visit. */
static int move_to(const cli_options *opts, size_t idx, const char *url,
                   const coreapi_node *doc) {
  cli_history h;
  int code = cli_state_lock(opts, 1);
  if (code != CLI_OK)
    return code;
  if (cli_history_load(opts, &h) != 0) {
    code = CLI_OTHER;
  } else {
    if (idx < h.count && strcmp(h.items[idx].url, url) == 0)
      h.idx = idx;
    else
      cli_history_add(&h, doc);
    if (cli_document_save(opts, doc) != 0 || cli_history_save(opts, &h) != 0)
      code = CLI_OTHER;
  }
  cli_history_free(&h);
  cli_state_unlock();
  return code;
}

static void print_entry(const cli_history_item *it, int active) {
  coreapi_node *n = cli_string(it->url);
  char *jurl = coreapi_json_encode(n, -1, 1, NULL, NULL);
  coreapi_node_free(n);
  printf("%s<%s %s>\n", active ? "[*] " : "[ ] ", it->title[0] ? it->title : "Document",
         jurl ? jurl : "\"\"");
  free(jurl);
}

int cmd_history(cli_options *opts, int argc, char **argv) {
  cli_history h;
  int code = CLI_OK;
  if (argc != 2) {
    if (argc > 2 && strcmp(argv[2], "--help") == 0)
      return cli_help(history_help);
    fputs(history_help, stderr);
    return CLI_USAGE;
  }
  if (cli_is_help(argv[1]))
    return cli_help(history_help);
  const char *sub = argv[1];
  int back = !strcmp(sub, "back"), forward = !strcmp(sub, "forward");
  if (strcmp(sub, "show") != 0 && !back && !forward)
    return cli_usage("history", "no such command: %s", sub);
  if (cli_history_load(opts, &h) != 0)
    return CLI_OTHER;
  if (!back && !forward) {
    cli_heading(opts, "History");
    for (size_t i = 0; i < h.count; i++)
      print_entry(&h.items[i], i == h.idx);
    goto out;
  }
  if (back && h.idx + 1 >= h.count) {
    printf("Currently at oldest point in history. Cannot navigate back.\n");
    goto out;
  }
  if (forward && h.idx == 0) {
    printf("Currently at most recent point in history. Cannot navigate forward.\n");
    goto out;
  }
  size_t idx = back ? h.idx + 1 : h.idx - 1;
  cli_client cc;
  coreapi_result result;
  coreapi_error err;
  if ((code = cli_client_open(opts, &cc)) != CLI_OK)
    goto out;
  coreapi_code rc = coreapi_client_get(cc.client, h.items[idx].url, NULL, &result, &err);
  int saved = cli_client_close(opts, &cc);
  if (rc != COREAPI_OK) {
    code = cli_report(opts, &result, &err);
  } else {
    code = cli_print_result(opts, &result);
    if (code == CLI_OK && coreapi_node_type_of(result.node) == COREAPI_NODE_DOCUMENT)
      code = move_to(opts, idx, h.items[idx].url, result.node);
  }
  if (code == CLI_OK)
    code = saved;
  coreapi_result_clear(&result);
out:
  cli_history_free(&h);
  return code;
}
