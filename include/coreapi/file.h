/*
 * coreapi/file.h - writing files so that nothing is lost, the way every file
 * of this library is written (a cookie jar, a download): for programs built on
 * it that keep state of their own, as the command-line tool does.
 */
#ifndef COREAPI_FILE_H
#define COREAPI_FILE_H

#include <stddef.h>
#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Write len bytes at data to path atomically: a temporary file in the same
 * directory, created with mode (e.g. 0600) whatever the umask, written in
 * full, flushed to disk (fsync), renamed over path, and the directory flushed
 * so the rename survives a crash. On failure path is untouched and no
 * temporary file is left. Returns OK, ERR_INVALID_ARGUMENT or ERR_IO (err
 * says which file and why). */
COREAPI_EXTERN coreapi_code coreapi_file_write_atomic(const char *path, const void *data,
                                                      size_t len, unsigned mode,
                                                      coreapi_error *err);

#ifdef __cplusplus
}
#endif
#endif /* COREAPI_FILE_H */
