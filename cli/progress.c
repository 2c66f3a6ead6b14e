/*
 * progress.c - file parameters, with an upload progress bar on a terminal.
 *
 * Uploads: a File parameter may be a stream the caller reads
 * (coreapi_file_new_stream): on a terminal, a large file is read through a
 * stream that draws a bar on stderr as the library consumes it. Otherwise the
 * file is coreapi_file_new's, streamed from disk by the library itself.
 * Downloads: the client's progress callback (coreapi_client_set_progress)
 * draws a bar once a download is known to be large.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

#define PROGRESS_MIN_BYTES (1024 * 1024)

typedef struct upload {
  FILE *f;
  int64_t size, sent;
  int last_percent;
  char *name;
} upload;

static void draw(upload *u) {
  int percent = u->size > 0 ? (int)(u->sent * 100 / u->size) : 100;
  if (percent > 100)
    percent = 100; /* the file grew while it was read */
  if (percent == u->last_percent)
    return;
  u->last_percent = percent;
  int filled = percent * 30 / 100;
  fprintf(stderr, "\rupload %-20.20s [%.*s%*s] %3d%%", u->name, filled,
          "##############################", 30 - filled, "", percent);
  if (percent >= 100)
    fputc('\n', stderr);
  fflush(stderr);
}

static size_t upload_read(void *userdata, char *buf, size_t size) {
  upload *u = userdata;
  size_t n = fread(buf, 1, size, u->f);
  if (n == 0 && ferror(u->f))
    return (size_t)-1;
  u->sent += (int64_t)n;
  draw(u);
  return n;
}

static int upload_rewind(void *userdata) {
  upload *u = userdata;
  u->sent = 0;
  u->last_percent = -1;
  return fseek(u->f, 0, SEEK_SET) == 0 ? 0 : -1;
}

static void upload_free(void *userdata) {
  upload *u = userdata;
  fclose(u->f);
  free(u->name);
  free(u);
}

static const coreapi_stream upload_ops = {upload_read, upload_rewind, upload_free};

coreapi_node *cli_file_param(const char *path, coreapi_error *err) {
  struct stat st;
  if (!isatty(STDERR_FILENO) || stat(path, &st) != 0 || !S_ISREG(st.st_mode) ||
      st.st_size < PROGRESS_MIN_BYTES)
    return coreapi_file_new(path, NULL, NULL, err);
  upload *u = calloc(1, sizeof(*u));
  const char *base = strrchr(path, '/');
  if (u == NULL || (u->f = fopen(path, "rb")) == NULL) {
    free(u);
    return coreapi_file_new(path, NULL, NULL, err);
  }
  u->size = st.st_size;
  u->last_percent = -1;
  u->name = strdup(base ? base + 1 : path);
  if (u->name == NULL) {
    fclose(u->f);
    free(u);
    return coreapi_file_new(path, NULL, NULL, err);
  }
  return coreapi_file_new_stream(&upload_ops, u, u->size, u->name, NULL, err);
}

/* The client's progress callback: a bar on stderr for downloads of 1 MiB or
 * more (or of unknown size, once past 1 MiB). Never aborts. */
int cli_download_progress(void *userdata, int64_t total, int64_t now, int64_t up_total,
                          int64_t up_now) {
  static int last = -1;
  int percent, filled;
  (void)userdata;
  (void)up_total;
  (void)up_now;
  if (now < PROGRESS_MIN_BYTES && total < PROGRESS_MIN_BYTES)
    return 0;
  if (total > 0) {
    percent = now >= total ? 100 : (int)(now * 100 / total);
    if (percent == last)
      return 0;
    last = percent;
    filled = percent * 30 / 100;
    fprintf(stderr, "\rdownload [%.*s%*s] %3d%%", filled, "##############################",
            30 - filled, "", percent);
    if (percent >= 100) {
      fputc('\n', stderr);
      last = -1;
    }
  } else {
    fprintf(stderr, "\rdownload %lld bytes", (long long)now);
  }
  fflush(stderr);
  return 0;
}
