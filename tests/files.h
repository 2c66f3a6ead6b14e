/*
 * tests/files.h - the file and directory helpers of the test programs that
 * give the library files to read (uploads) or check what it wrote to disk
 * (downloads, atomic writes).
 *
 * Setup that fails (no memory, a file or directory that cannot be made or
 * read) stops the test through REQUIRE (check.h). The paths they return are
 * malloc'd: the caller frees them.
 */
#ifndef COREAPI_TESTS_FILES_H
#define COREAPI_TESTS_FILES_H

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "check.h"

/* dir + "/" + name. */
static inline char *path_in(const char *dir, const char *name) {
  size_t n = strlen(dir) + strlen(name) + 2;
  char *p = malloc(n);
  REQUIRE(p != NULL);
  snprintf(p, n, "%s/%s", dir, name);
  return p;
}

/* A new directory root/name (mode 0700); returns its path. */
static inline char *make_dir(const char *root, const char *name) {
  char *p = path_in(root, name);
  REQUIRE(mkdir(p, 0700) == 0);
  return p;
}

/* Write the len bytes of data to a new file dir/name (replacing one there),
 * and its path to path (size bytes). */
static inline void write_file_in(char *path, size_t size, const char *dir, const char *name,
                                 const char *data, size_t len) {
  FILE *f;
  snprintf(path, size, "%s/%s", dir, name);
  f = fopen(path, "wb");
  REQUIRE(f != NULL);
  REQUIRE(fwrite(data, 1, len, f) == len);
  REQUIRE(fclose(f) == 0);
}

/* Entries of dir other than . and ..; *temps (when temps is not NULL) counts
 * the download sink's temporary files, ".coreapi-download-*". */
static inline int count_entries(const char *dir, int *temps) {
  DIR *d = opendir(dir);
  struct dirent *e;
  int n = 0;
  if (temps != NULL)
    *temps = 0;
  REQUIRE(d != NULL);
  while ((e = readdir(d)) != NULL) {
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
      continue;
    n++;
    if (temps != NULL && strncmp(e->d_name, ".coreapi-download-", 18) == 0)
      (*temps)++;
  }
  closedir(d);
  return n;
}

/* The content of path (NUL-terminated, up to 4095 bytes, in a static buffer
 * that the next call reuses), or "(missing)" when it cannot be opened. */
static inline const char *slurp(const char *path) {
  static char buf[4096];
  int fd = open(path, O_RDONLY);
  ssize_t n;
  if (fd < 0)
    return "(missing)";
  n = read(fd, buf, sizeof buf - 1);
  close(fd);
  buf[n > 0 ? n : 0] = '\0';
  return buf;
}

#endif
