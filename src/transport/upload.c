/*
 * transport/upload.c - streamed request bodies for libcurl: a raw upload
 * read through CURLOPT_READFUNCTION, and multipart/form-data bodies built
 * with libcurl's MIME API, each file part read from disk or from its stream
 * when the request is sent (so a large file is never held in memory).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "client_impl.h"

/* libcurl read callbacks over a source: from disk (fp) or its stream. */
static size_t read_upload(char *buf, size_t size, size_t nitems, void *userp) {
  coreapi__upload *u = userp;
  size_t n;
  if (u->fp != NULL) {
    n = fread(buf, 1, size * nitems, u->fp);
    return (n == 0 && ferror(u->fp)) ? CURL_READFUNC_ABORT : n;
  }
  n = coreapi__source_read(u->source, buf, size * nitems);
  return n == (size_t)-1 ? CURL_READFUNC_ABORT : n;
}

static int seek_upload(void *userp, curl_off_t offset, int origin) {
  coreapi__upload *u = userp;
  if (offset != 0 || origin != SEEK_SET)
    return CURL_SEEKFUNC_CANTSEEK;
  if (u->fp != NULL)
    return fseek(u->fp, 0, SEEK_SET) == 0 ? CURL_SEEKFUNC_OK : CURL_SEEKFUNC_FAIL;
  return coreapi__source_rewind(u->source) == 0 ? CURL_SEEKFUNC_OK : CURL_SEEKFUNC_CANTSEEK;
}

/* MIME part callbacks over a stream source (userdata: the source). */
static size_t part_read(char *buf, size_t size, size_t nitems, void *userdata) {
  size_t n = coreapi__source_read(userdata, buf, size * nitems);
  return n == (size_t)-1 ? CURL_READFUNC_ABORT : n;
}

static int part_seek(void *userdata, curl_off_t offset, int origin) {
  if (offset != 0 || origin != SEEK_SET)
    return CURL_SEEKFUNC_CANTSEEK;
  return coreapi__source_rewind(userdata) == 0 ? CURL_SEEKFUNC_OK : CURL_SEEKFUNC_CANTSEEK;
}

/* MIME part callbacks over a file on disk (userdata: the FILE). */
static size_t disk_read(char *buf, size_t size, size_t nitems, void *userdata) {
  size_t n = fread(buf, 1, size * nitems, userdata);
  return (n == 0 && ferror((FILE *)userdata)) ? CURL_READFUNC_ABORT : n;
}

static int disk_seek(void *userdata, curl_off_t offset, int origin) {
  return fseeko(userdata, (off_t)offset, origin) == 0 ? CURL_SEEKFUNC_OK : CURL_SEEKFUNC_FAIL;
}

static void disk_close(void *userdata) { fclose(userdata); }

/* Open path for reading and measure it. */
static FILE *open_measured(const char *path, curl_off_t *size, coreapi_error *err) {
  struct stat st;
  FILE *fp = fopen(path, "rb");
  if (fp == NULL || fstat(fileno(fp), &st) != 0) {
    coreapi_error_set(err, COREAPI_ERR_IO, "cannot read %s: %s", path, strerror(errno));
    if (fp != NULL)
      fclose(fp);
    return NULL;
  }
  *size = st.st_size;
  return fp;
}

/* The body of one file part: read through a callback rather than
 * curl_mime_filedata, which labels every file application/octet-stream; the
 * reference sends no part Content-Type unless the file has one. */
static CURLcode file_part(curl_mimepart *part, const coreapi__source *s, coreapi_error *err) {
  CURLcode cc;
  if (s->path != NULL) {
    curl_off_t size;
    FILE *fp = open_measured(s->path, &size, err);
    if (fp == NULL)
      return CURLE_READ_ERROR;
    cc = curl_mime_data_cb(part, size, disk_read, disk_seek, disk_close, fp);
    if (cc != CURLE_OK)
      fclose(fp);
  } else {
    cc = curl_mime_data_cb(part, (curl_off_t)s->size, part_read, part_seek, NULL, (void *)s);
  }
  if (cc == CURLE_OK)
    cc = curl_mime_filename(part, s->filename ? s->filename : "");
  if (cc == CURLE_OK && s->content_type != NULL && s->content_type[0] != '\0')
    cc = curl_mime_type(part, s->content_type);
  return cc;
}

curl_mime *coreapi__mime_build(CURL *curl, const coreapi_request *req, coreapi_error *err) {
  curl_mime *mime = curl_mime_init(curl);
  if (mime == NULL) {
    COREAPI__OOM(err);
    return NULL;
  }
  for (size_t i = 0; i < req->part_count; i++) {
    const coreapi__part *p = &req->parts[i];
    curl_mimepart *part = curl_mime_addpart(mime);
    coreapi_error local;
    CURLcode cc = part ? curl_mime_name(part, p->name) : CURLE_OUT_OF_MEMORY;
    coreapi_error_clear(&local);
    if (cc == CURLE_OK && p->value != NULL)
      cc = curl_mime_data(part, p->value, CURL_ZERO_TERMINATED);
    else if (cc == CURLE_OK)
      cc = file_part(part, p->file, &local);
    if (cc != CURLE_OK) {
      curl_mime_free(mime);
      if (local.code != COREAPI_OK)
        coreapi_error_set(err, local.code, "%s", local.text);
      else
        coreapi_error_set(err,
                          cc == CURLE_OUT_OF_MEMORY ? COREAPI_ERR_OUT_OF_MEMORY : COREAPI_ERR_IO,
                          "cannot build the multipart body (part %s): %s", p->name,
                          curl_easy_strerror(cc));
      return NULL;
    }
  }
  return mime;
}

coreapi_code coreapi__upload_open(CURL *curl, const coreapi_request *req, coreapi__upload *u,
                                  coreapi_error *err) {
  const coreapi__source *s = req->upload;
  curl_off_t size = (curl_off_t)s->size;
  u->source = s;
  u->fp = NULL;
  if (s->path != NULL) {
    u->fp = open_measured(s->path, &size, err);
    if (u->fp == NULL)
      return COREAPI_ERR_IO;
  } else if (coreapi__source_rewind(s) != 0 && (req->hop > 0 || req->resent)) {
    return coreapi_error_set(err, COREAPI_ERR_IO,
                             "the upload stream cannot be rewound to send it again");
  }
  curl_easy_setopt(curl, CURLOPT_POST, 1L);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, NULL);
  curl_easy_setopt(curl, CURLOPT_READFUNCTION, read_upload);
  curl_easy_setopt(curl, CURLOPT_READDATA, u);
  curl_easy_setopt(curl, CURLOPT_SEEKFUNCTION, seek_upload);
  curl_easy_setopt(curl, CURLOPT_SEEKDATA, u);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, size);
  return COREAPI_OK;
}

void coreapi__upload_close(coreapi__upload *u) {
  if (u->fp != NULL)
    fclose(u->fp);
  u->fp = NULL;
  u->source = NULL;
}
