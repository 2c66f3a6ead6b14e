/*
 * fuzz_snapshot.c - libFuzzer target for the tool's snapshot reader
 * (cli/snapshot.c, compiled in with this target): document.index is read
 * from the config directory, where a damaged or hand-edited file may lie.
 *
 * The input is the file's bytes (read whatever file they name). The target
 * aborts when:
 *   - a link looked up is not a Link;
 *   - a step offered by cli_snapshot_each is longer than the input, or a
 *     step offered as a link is not found again by cli_snapshot_link;
 *   - reading the same bytes twice gives another answer.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../cli/snapshot.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *what) {
  fprintf(stderr, "fuzz_snapshot: %s\n", what);
  abort();
}

typedef struct seen {
  const cli_snapshot *s;
  size_t input_size, steps;
} seen;

static void on_step(void *userdata, const char *step, size_t len, int is_link) {
  seen *w = userdata;
  char *path[1];
  int nested;
  w->steps++;
  if (len > w->input_size || strlen(step) > len)
    fail("a step longer than the input");
  if (!is_link || memchr(step, '\0', len) != NULL)
    return;
  path[0] = (char *)step;
  coreapi_node *link = cli_snapshot_link(w->s, path, 1, &nested);
  /* A body may be damaged: then there is no link, which is fine; one that
   * comes back must be a Link. */
  if (link != NULL && coreapi_node_type_of(link) != COREAPI_NODE_LINK)
    fail("cli_snapshot_link returned something other than a Link");
  coreapi_node_free(link);
}

static size_t probe(const uint8_t *data, size_t size) {
  cli_snapshot *s = cli_snapshot_read((const char *)data, size);
  char *paths[][2] = {{"top", NULL}, {"a", "b"}, {"0", "x"}};
  seen w = {s, size, 0};
  int nested;
  if (s == NULL)
    return (size_t)-1;
  cli_snapshot_head(s);
  cli_snapshot_each(s, NULL, 0, on_step, &w);
  for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
    size_t n = paths[i][1] ? 2 : 1;
    coreapi_node *link = cli_snapshot_link(s, paths[i], n, &nested);
    if (link != NULL && coreapi_node_type_of(link) != COREAPI_NODE_LINK)
      fail("a lookup returned something other than a Link");
    coreapi_node_free(link);
    cli_snapshot_each(s, paths[i], n, on_step, &w);
  }
  cli_snapshot_close(s);
  return w.steps;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (probe(data, size) != probe(data, size))
    fail("the same bytes read twice answered differently");
  return 0;
}
