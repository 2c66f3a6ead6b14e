/*
 * commands_history.c - `coreapi history show|back|forward`: the documents
 * visited, newest first, at most 20, kept in history.json by URL and title.
 * Going back or forward reloads that document from its URL, as the reference
 * does, and moves the current position without adding an entry.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char history_help[] =
    "Usage: coreapi history COMMAND\n"
    "\n"
    "  Navigate the browser history.\n"
    "\n"
    "Commands:\n"
    "  show       list the browser history ([*] marks the current document)\n"
    "  back       navigate back through the browser history\n"
    "  forward    navigate forward through the browser history\n";

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
  cli_client_close(opts, &cc);
  if (rc != COREAPI_OK) {
    code = cli_report(opts, &result, &err);
  } else {
    code = cli_print_result(opts, &result);
    if (code == CLI_OK && coreapi_node_type_of(result.node) == COREAPI_NODE_DOCUMENT) {
      h.idx = idx;
      if (cli_document_save(opts, result.node) != 0 || cli_history_save(opts, &h) != 0)
        code = CLI_OTHER;
    }
  }
  coreapi_result_clear(&result);
out:
  cli_history_free(&h);
  return code;
}
