/*
 * snapshot.h - document.index, the snapshot of the current document
 * (cli/snapshot.c says what it holds and why it can be trusted).
 */
#ifndef COREAPI_CLI_SNAPSHOT_H
#define COREAPI_CLI_SNAPSHOT_H

#include <sys/stat.h>

#include "cli.h"

typedef struct cli_snapshot cli_snapshot;

/* The snapshot at path (document.index) when it matches the file at doc_path
 * (document.json), mapped, not read; NULL otherwise (none, stale, damaged:
 * the caller uses the whole document). cli_document_snapshot (state.c) opens
 * the current document's. */
cli_snapshot *cli_snapshot_open(const char *doc_path, const char *path);
/* A snapshot of doc made in memory (for a document without one), or NULL. */
cli_snapshot *cli_snapshot_of(const coreapi_node *doc);
/* A snapshot read from len bytes (copied), whatever file it names; NULL when
 * they are not one (for the fuzz target, tests/fuzz/fuzz_snapshot.c). */
cli_snapshot *cli_snapshot_read(const char *data, size_t len);
void cli_snapshot_close(cli_snapshot *s);

/* The link at PATH (n arguments, as `describe` and `action` take them): a
 * new reference, or NULL when the snapshot has no link there (the whole
 * document then says why). *nested: a Document below the root lies on the
 * way. */
coreapi_node *cli_snapshot_link(const cli_snapshot *s, char **path, size_t n, int *nested);
/* The root's url, title, description and security schemes (a Document
 * without content; borrowed), NULL when it cannot be decoded. */
const coreapi_node *cli_snapshot_head(cli_snapshot *s);

/* For each link whose path starts with PATH (n arguments): fn with the step
 * after PATH (a key, or an array index in decimal) and whether that step is
 * the link itself. A step is given once per link under it. */
typedef void (*cli_snapshot_step_fn)(void *userdata, const char *step, size_t len, int is_link);
void cli_snapshot_each(const cli_snapshot *s, char **path, size_t n, cli_snapshot_step_fn fn,
                       void *userdata);

/* Is a the same file as b, as the snapshot's source line compares them
 * (device, inode, size, modification time to the nanosecond)? */
int cli_snapshot_same_file(const struct stat *a, const struct stat *b);

/* Write the snapshot of doc at path for the file at doc_path, which holds
 * doc (the caller holds the state lock); when expected is not NULL, only if
 * that file is still the one it describes. 0, or -1 (then, without expected,
 * no snapshot is left: a missing one only costs time). */
int cli_snapshot_save(const char *doc_path, const char *path, const coreapi_node *doc,
                      const struct stat *expected);

#endif
