/*
 * fileio.c - writing files so that nothing is lost: a temporary file in the
 * destination's directory, created with the final mode, written in full,
 * fsync'ed, renamed over the destination (atomic on POSIX file systems), and
 * the directory fsync'ed so the rename itself survives a crash.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base.h"
#include "coreapi/file.h"

static char *dir_of(const char *path) {
  const char *slash = strrchr(path, '/');
  if (slash == NULL)
    return coreapi__strdup(".");
  if (slash == path)
    return coreapi__strdup("/");
  return coreapi__strndup(path, (size_t)(slash - path));
}

coreapi_code coreapi__write_file_atomic(const char *path, const void *data, size_t len,
                                        unsigned mode, coreapi_error *err) {
  size_t n;
  char *tmp;
  int fd, e;
  const char *p = data;
  char *dir;

  if (path == NULL || path[0] == '\0' || (data == NULL && len > 0))
    return coreapi_error_set(err, COREAPI_ERR_INVALID_ARGUMENT, "no file path given");
  n = strlen(path) + 16;
  tmp = malloc(n);
  if (tmp == NULL)
    return COREAPI__OOM(err);
  snprintf(tmp, n, "%s.tmpXXXXXX", path);
  fd = mkstemp(tmp);
  if (fd < 0) {
    e = errno;
    free(tmp);
    return coreapi_error_set(err, COREAPI_ERR_IO, "cannot create a temporary file for %s: %s",
                             path, strerror(e));
  }
  if (fchmod(fd, (mode_t)mode) != 0)
    goto fail;
  while (len > 0) {
    ssize_t w = write(fd, p, len);
    if (w < 0) {
      if (errno == EINTR)
        continue;
      goto fail;
    }
    p += w;
    len -= (size_t)w;
  }
  if (fsync(fd) != 0)
    goto fail;
  if (close(fd) != 0) {
    fd = -1;
    goto fail;
  }
  fd = -1;
  if (rename(tmp, path) != 0)
    goto fail;
  free(tmp);
  dir = dir_of(path);
  if (dir != NULL) {
    int dfd = open(dir, O_RDONLY | O_DIRECTORY);
    if (dfd >= 0) {
      fsync(dfd); /* best effort: some file systems refuse directory fsync */
      close(dfd);
    }
    free(dir);
  }
  return COREAPI_OK;
fail:
  e = errno;
  if (fd >= 0)
    close(fd);
  unlink(tmp);
  free(tmp);
  return coreapi_error_set(err, COREAPI_ERR_IO, "cannot write %s: %s", path, strerror(e));
}

coreapi_code coreapi_file_write_atomic(const char *path, const void *data, size_t len,
                                       unsigned mode, coreapi_error *err) {
  coreapi_error_clear(err);
  if (mode > 07777)
    return coreapi_error_set(err, COREAPI_ERR_INVALID_ARGUMENT, "invalid file mode %o", mode);
  return coreapi__write_file_atomic(path, data, len, mode, err);
}
