/*
 * commands_bookmarks.c - `coreapi bookmarks show|add|remove|get`: named
 * documents (their URL and title), kept in bookmarks.json, as the reference
 * keeps them; add and remove hold the state lock from reading the file to
 * writing it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char bookmarks_help[] =
    "Usage: coreapi bookmarks COMMAND [ARGS]...\n"
    "\n"
    "  Add, remove and show bookmarks.\n"
    "\n"
    "Commands:\n"
    "  show           list bookmarks\n"
    "  add NAME       add the current document to the bookmarks, as NAME\n"
    "  remove NAME    remove the bookmark NAME\n"
    "  get NAME       fetch the bookmarked document NAME\n";

/* json.dumps of a string, for the bookmark's URL. */
static char *json_string(const char *s) {
  coreapi_node *n = cli_string(s);
  char *out = coreapi_json_encode(n, -1, 1, NULL, NULL);
  coreapi_node_free(n);
  return out;
}

int cmd_bookmarks(cli_options *opts, int argc, char **argv) {
  if (argc < 2) {
    fputs(bookmarks_help, stderr);
    return CLI_USAGE;
  }
  for (int i = 1; i < argc; i++)
    if (strcmp(argv[i], "--help") == 0 || (i == 1 && cli_is_help(argv[i])))
      return cli_help(bookmarks_help);
  const char *sub = argv[1];
  int show = !strcmp(sub, "show");
  if (!show && strcmp(sub, "add") && strcmp(sub, "remove") && strcmp(sub, "get"))
    return cli_usage("bookmarks", "no such command: %s", sub);
  if (show ? argc != 2 : argc != 3)
    return cli_usage("bookmarks", show ? "show takes no arguments" : "%s takes one argument: NAME",
                     sub);
  int locked = !strcmp(sub, "add") || !strcmp(sub, "remove"), code;
  if (locked && (code = cli_state_lock(opts, 1)) != CLI_OK)
    return code;
  coreapi_node *marks = cli_state_load_json(opts, "bookmarks.json");
  coreapi_node *updated = NULL, *doc = NULL;
  code = marks != NULL ? CLI_OK : CLI_OTHER;
  if (marks == NULL)
    goto out;
  if (show) {
    size_t n, width = 0;
    const char **keys = cli_sorted_keys(marks, &n);
    for (size_t i = 0; i < n; i++)
      if (strlen(keys[i]) > width)
        width = strlen(keys[i]);
    cli_heading(opts, "Bookmarks");
    for (size_t i = 0; i < n; i++) {
      coreapi_node *m = coreapi_map_get(marks, keys[i], strlen(keys[i]));
      const char *title = cli_map_string(m, "title"), *url = cli_map_string(m, "url");
      char *jurl = json_string(url ? url : "");
      printf("%-*s <%s %s>\n", (int)width, keys[i], title && title[0] ? title : "Document",
             jurl ? jurl : "\"\"");
      free(jurl);
    }
    free(keys);
  } else if (!strcmp(sub, "add")) {
    if ((doc = cli_document_require(opts, &code)) == NULL)
      goto out;
    coreapi_map_builder *b = coreapi_map_builder_new();
    coreapi_map_builder_set(b, "url", 3, cli_string(coreapi_node_url(doc)), NULL);
    coreapi_map_builder_set(b, "title", 5, cli_string(coreapi_node_title(doc)), NULL);
    updated = cli_map_with(marks, argv[2], coreapi_map_builder_object(b, NULL));
    if (cli_state_save_json(opts, "bookmarks.json", updated) != 0) {
      code = CLI_OTHER;
      goto out;
    }
    cli_heading(opts, "Added bookmark");
    printf("%s\n", argv[2]);
  } else if (!strcmp(sub, "remove")) {
    updated = cli_map_without(marks, argv[2]);
    if (cli_state_save_json(opts, "bookmarks.json", updated) != 0) {
      code = CLI_OTHER;
      goto out;
    }
    cli_heading(opts, "Removed bookmark");
    printf("%s\n", argv[2]);
  } else {
    const char *url = cli_map_string(coreapi_map_get(marks, argv[2], strlen(argv[2])), "url");
    if (url == NULL) {
      cli_error("Bookmark \"%s\" does not exist.", argv[2]);
      code = CLI_USAGE;
      goto out;
    }
    code = cli_fetch(opts, url, NULL);
  }
out:
  if (locked)
    cli_state_unlock();
  coreapi_node_free(doc);
  coreapi_node_free(updated);
  coreapi_node_free(marks);
  return code;
}
