/*
 * codecs/download.c - the Download codec: file names as the reference's
 * DownloadCodec chooses them (_get_filename, _safe_filename, guess_extension)
 * and a body sink that streams into a temporary file and publishes it under
 * a name that never replaces an existing file.
 *
 * Publishing: the temporary file (".coreapi-download-XXXXXX" from mkstemp,
 * mode 0600, in the target directory; final names never start with '.', so
 * they cannot collide with it) is fsync'ed, then link()ed to the candidate
 * name; EEXIST moves on to "name (1).ext", "name (2).ext", ... as the
 * reference's _unique_output_path, but race-free: link() never replaces an
 * existing entry, whoever created it meanwhile. Then the temporary name is
 * unlinked and the directory fsync'ed. Where the file system has no hard
 * links, renameat2(RENAME_NOREPLACE) does the same in one step.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../document/document.h"
#define COREAPI__DOWNLOAD_ALNUM_TABLE
#include "download_internal.h"

/* Names are cut to this many bytes (plus at most a short extension added from
 * the media type), so that "name (NNNN).ext" fits in NAME_MAX (255). */
#define NAME_LIMIT 200
#define EXT_KEEP_MAX 32 /* an extension longer than this is not kept whole */
#define MAX_UNIQUE 10000
#define TEMP_NAME ".coreapi-download-XXXXXX"

/* --- extensions ------------------------------------------------------------ */

/* The extension for a Content-Type value ("" when unknown): the media type
 * before any parameter, trimmed, compared case-insensitively, looked up in
 * the reference's guess_extension table (coreapi/utils.py, with a few types
 * it does not know added: text/mimetypes.c). */
static const char *guess_extension(const char *content_type) {
  char type[128];
  size_t start = 0, end, k, n;
  if (content_type == NULL)
    return "";
  end = strcspn(content_type, ";");
  while (start < end && (content_type[start] == ' ' || content_type[start] == '\t'))
    start++;
  while (end > start && (content_type[end - 1] == ' ' || content_type[end - 1] == '\t'))
    end--;
  n = end - start;
  if (n == 0 || n >= sizeof type)
    return "";
  for (k = 0; k < n; k++) {
    char c = content_type[start + k];
    type[k] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
  }
  type[n] = '\0';
  return coreapi__guess_extension(type, n);
}

/* --- sanitising ------------------------------------------------------------ */

/* Python's str.isalnum() for one code point. */
static int is_alnum(uint32_t cp) {
  size_t lo = 0, hi = sizeof coreapi__alnum_ranges / sizeof coreapi__alnum_ranges[0];
  if (cp < 0x80)
    return (cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z');
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (cp < coreapi__alnum_ranges[mid][0])
      hi = mid;
    else if (cp > coreapi__alnum_ranges[mid][1])
      lo = mid + 1;
    else
      return 1;
  }
  return 0;
}

static int strip_char(char c) {
  return c == ' ' || c == '.';
}

/* The reference's _safe_filename for n bytes at s: the part after the last
 * '/', keeping only letters and digits (str.isalnum, Unicode included: bytes
 * that are not UTF-8 are dropped) and ' ', '.', '_', '-', with spaces and dots
 * stripped at both ends (repeatedly: the reference strips spaces, then dots,
 * once), cut to NAME_LIMIT bytes. Returns a new string, possibly "". */
static char *safe_filename(const char *s, size_t n) {
  const unsigned char *p;
  size_t i, o = 0, start, end;
  char *out;

  for (i = n; i > 0; i--) {
    if (s[i - 1] == '/') {
      s += i;
      n -= i;
      break;
    }
  }
  out = malloc(n + 1);
  if (out == NULL)
    return NULL;
  p = (const unsigned char *)s;
  for (i = 0; i < n;) {
    uint32_t cp;
    size_t len = coreapi__utf8_next((const char *)p + i, n - i, &cp);
    if (len == 0) {
      i++;
      continue;
    }
    if (is_alnum(cp) || cp == ' ' || cp == '.' || cp == '_' || cp == '-') {
      memcpy(out + o, p + i, len);
      o += len;
    }
    i += len;
  }
  start = 0;
  end = o;
  while (start < end && strip_char(out[start]))
    start++;
  while (end > start && strip_char(out[end - 1]))
    end--;
  if (end - start > NAME_LIMIT) {
    const char *dot = NULL;
    size_t ext_len = 0, keep;
    for (i = end; i > start + 1; i--) {
      if (out[i - 1] == '.') {
        dot = out + i - 1;
        break;
      }
    }
    if (dot != NULL)
      ext_len = (size_t)(out + end - dot);
    if (dot == NULL || ext_len > EXT_KEEP_MAX)
      ext_len = 0;
    keep = NAME_LIMIT - ext_len;
    /* Back up to a character boundary. */
    while (keep > 0 && ((unsigned char)out[start + keep] & 0xC0) == 0x80)
      keep--;
    while (keep > 0 && strip_char(out[start + keep - 1]))
      keep--;
    memmove(out + start + keep, out + end - ext_len, ext_len);
    end = start + keep + ext_len;
  }
  memmove(out, out + start, end - start);
  out[end - start] = '\0';
  return out;
}

/* --- names from URLs -------------------------------------------------------- */

static int in_list(const char *s, size_t n, const char *const *list) {
  for (; *list != NULL; list++)
    if (strlen(*list) == n && memcmp(*list, s, n) == 0)
      return 1;
  return 0;
}

/* posixpath.basename(urlparse(url).path.rstrip('/')) as Python 3.11 computes
 * it (leading C0 controls and spaces and every tab, CR and LF removed; scheme,
 * netloc, query, fragment and the last segment's ;params split off; % escapes
 * not decoded). Returns a new string, possibly "". */
static char *url_basename(const char *url) {
  static const char *const uses_params[] = {"",     "ftp",   "hdl",  "prospero", "http",
                                            "imap", "https", "shttp", "rtsp",   "rtspu",
                                            "sip",  "sips",  "mms",  "sftp",     "tel",
                                            NULL};
  char *u, *s, *path_end, *seg;
  char scheme[16];
  size_t i, o = 0, scheme_len = 0, path_len;
  int scheme_ok = 1;

  while (*url != '\0' && (unsigned char)*url <= 0x20)
    url++;
  u = malloc(strlen(url) + 1);
  if (u == NULL)
    return NULL;
  for (i = 0; url[i] != '\0'; i++)
    if (url[i] != '\t' && url[i] != '\r' && url[i] != '\n')
      u[o++] = url[i];
  u[o] = '\0';
  s = u;

  i = strcspn(s, ":");
  if (s[i] == ':' && i > 0 &&
      ((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z'))) {
    size_t k;
    for (k = 0; k < i; k++) {
      char c = s[k];
      if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '+' || c == '-' || c == '.'))
        break;
    }
    if (k == i) {
      scheme_len = i;
      for (k = 0; k < i && k < sizeof scheme; k++)
        scheme[k] = (s[k] >= 'A' && s[k] <= 'Z') ? (char)(s[k] - 'A' + 'a') : s[k];
      if (i > sizeof scheme)
        scheme_ok = 0; /* longer than any scheme that uses params */
      s += i + 1;
    }
  }
  if (s[0] == '/' && s[1] == '/')
    s += 2 + strcspn(s + 2, "/?#");
  path_end = s + strcspn(s, "?#");
  if (scheme_ok && in_list(scheme, scheme_len, uses_params)) {
    char *last = NULL, *semi;
    for (seg = s; seg < path_end; seg++)
      if (*seg == '/')
        last = seg;
    semi = memchr(last ? last : s, ';', (size_t)(path_end - (last ? last : s)));
    if (semi != NULL)
      path_end = semi;
  }
  while (path_end > s && path_end[-1] == '/')
    path_end--;
  for (seg = path_end; seg > s && seg[-1] != '/'; seg--)
    ;
  path_len = (size_t)(path_end - seg);
  memmove(u, seg, path_len);
  u[path_len] = '\0';
  return u;
}

char *coreapi_download_filename(const char *content_disposition, const char *url,
                                const char *content_type, coreapi_error *err) {
  const char *suffix;
  char *raw, *name, *out;
  size_t n;

  if (content_disposition != NULL && content_disposition[0] != '\0') {
    coreapi_error e;
    coreapi_error_clear(&e);
    raw = coreapi_content_disposition_filename(content_disposition,
                                               strlen(content_disposition), &e);
    if (raw == NULL && e.code != COREAPI_OK) {
      coreapi_error_set(err, e.code, "%s", e.text);
      return NULL;
    }
    if (raw != NULL) {
      name = safe_filename(raw, strlen(raw));
      free(raw);
      if (name == NULL) {
        COREAPI__OOM(err);
        return NULL;
      }
      if (name[0] != '\0')
        return name;
      free(name);
    }
  }
  suffix = guess_extension(content_type);
  name = NULL;
  if (url != NULL) {
    raw = url_basename(url);
    if (raw == NULL) {
      COREAPI__OOM(err);
      return NULL;
    }
    name = safe_filename(raw, strlen(raw));
    free(raw);
    if (name == NULL) {
      COREAPI__OOM(err);
      return NULL;
    }
    if (name[0] != '\0' && strchr(name, '.') != NULL)
      return name;
  }
  if (name == NULL || name[0] == '\0') {
    free(name);
    name = coreapi__strdup("download");
    if (name == NULL) {
      COREAPI__OOM(err);
      return NULL;
    }
  }
  n = strlen(name) + strlen(suffix) + 1;
  out = malloc(n);
  if (out == NULL) {
    free(name);
    COREAPI__OOM(err);
    return NULL;
  }
  snprintf(out, n, "%s%s", name, suffix);
  free(name);
  return out;
}

/* --- the download sink ------------------------------------------------------ */

struct coreapi_download {
  char *dir;        /* as given, without trailing slashes (but "/") */
  char *tmp;        /* the temporary file's path; NULL when there is none */
  int fd;           /* open on tmp, or -1 */
  int failed;       /* a write failed: nothing to publish */
  int only_2xx;     /* coreapi_client_download: no file for other statuses */
  int discarding;   /* this response's body is not kept */
  char *url;        /* of the response being received */
  char *content_type;
  char *disposition;
};

static coreapi_code io_error(coreapi_error *err, const char *what, const char *path, int e) {
  return coreapi_error_set(err, COREAPI_ERR_IO, "%s %s: %s", what, path, strerror(e));
}

/* Close and remove the temporary file, if any. */
static void drop_temp(coreapi_download *d) {
  if (d->fd >= 0)
    close(d->fd);
  d->fd = -1;
  if (d->tmp != NULL) {
    unlink(d->tmp);
    free(d->tmp);
    d->tmp = NULL;
  }
  d->failed = 0;
}

static void drop_meta(coreapi_download *d) {
  free(d->url);
  free(d->content_type);
  free(d->disposition);
  d->url = d->content_type = d->disposition = NULL;
  d->discarding = 0;
}

coreapi_download *coreapi_download_new(const char *dir, coreapi_error *err) {
  coreapi_download *d;
  struct stat st;
  size_t n;

  coreapi_error_clear(err);
  if (dir == NULL || dir[0] == '\0') {
    coreapi_error_set(err, COREAPI_ERR_INVALID_ARGUMENT, "no download directory given");
    return NULL;
  }
  if (stat(dir, &st) != 0) {
    io_error(err, "cannot use download directory", dir, errno);
    return NULL;
  }
  if (!S_ISDIR(st.st_mode)) {
    coreapi_error_set(err, COREAPI_ERR_IO, "%s is not a directory", dir);
    return NULL;
  }
  d = calloc(1, sizeof *d);
  if (d == NULL || (d->dir = coreapi__strdup(dir)) == NULL) {
    free(d);
    COREAPI__OOM(err);
    return NULL;
  }
  n = strlen(d->dir);
  while (n > 1 && d->dir[n - 1] == '/')
    d->dir[--n] = '\0';
  d->fd = -1;
  return d;
}

void coreapi_download_free(coreapi_download *d) {
  if (d == NULL)
    return;
  drop_temp(d);
  drop_meta(d);
  free(d->dir);
  free(d);
}

/* dir + "/" + name, without doubling the slash of "/". */
static char *join(const char *dir, const char *name) {
  size_t n = strlen(dir) + strlen(name) + 2;
  char *out = malloc(n);
  if (out != NULL)
    snprintf(out, n, "%s%s%s", dir, strcmp(dir, "/") == 0 ? "" : "/", name);
  return out;
}

static coreapi_code copy_header(char **dst, const char *value, coreapi_error *err) {
  if (value == NULL)
    return COREAPI_OK;
  *dst = coreapi__strdup(value);
  return *dst != NULL ? COREAPI_OK : COREAPI__OOM(err);
}

static coreapi_code sink_begin(void *userdata, const coreapi_response *resp,
                               coreapi_error *err) {
  coreapi_download *d = userdata;
  coreapi_code rc;
  long status;
  int fd;

  if (d == NULL || resp == NULL)
    return coreapi_error_set(err, COREAPI_ERR_INVALID_ARGUMENT, "no download or response");
  drop_temp(d); /* begin again: start afresh */
  drop_meta(d);
  status = coreapi_response_status(resp);
  if ((rc = copy_header(&d->url, coreapi_response_url(resp), err)) != COREAPI_OK ||
      (rc = copy_header(&d->content_type, coreapi_response_header(resp, "Content-Type"),
                        err)) != COREAPI_OK ||
      (rc = copy_header(&d->disposition,
                        coreapi_response_header(resp, "Content-Disposition"), err)) !=
          COREAPI_OK)
    return rc;
  if (d->only_2xx && (status < 200 || status > 299)) {
    d->discarding = 1;
    return COREAPI_OK;
  }
  d->tmp = join(d->dir, TEMP_NAME);
  if (d->tmp == NULL)
    return COREAPI__OOM(err);
  fd = mkstemp(d->tmp);
  if (fd < 0) {
    int e = errno;
    rc = io_error(err, "cannot create a temporary file in", d->dir, e);
    free(d->tmp);
    d->tmp = NULL;
    return rc;
  }
  (void)fcntl(fd, F_SETFD, FD_CLOEXEC);
  d->fd = fd;
  return COREAPI_OK;
}

static coreapi_code sink_write(void *userdata, const void *data, size_t len,
                               coreapi_error *err) {
  coreapi_download *d = userdata;
  const char *p = data;

  if (d == NULL || (data == NULL && len > 0))
    return coreapi_error_set(err, COREAPI_ERR_INVALID_ARGUMENT, "no download or data");
  if (d->discarding)
    return COREAPI_OK;
  if (d->fd < 0)
    return coreapi_error_set(err, COREAPI_ERR_INVALID_ARGUMENT,
                             "download body written before begin");
  while (len > 0) {
    ssize_t w = write(d->fd, p, len);
    if (w < 0) {
      if (errno == EINTR)
        continue;
      d->failed = 1;
      return io_error(err, "cannot write", d->tmp, errno);
    }
    p += w;
    len -= (size_t)w;
  }
  return COREAPI_OK;
}

static const coreapi_body_sink download_sink = {sink_begin, sink_write};

const coreapi_body_sink *coreapi_download_sink(void) {
  return &download_sink;
}

/* "stem (i)ext" for the i-th candidate of name (i 0: name itself); ext as
 * os.path.splitext finds it (names never start with '.'). */
static char *candidate(const char *name, unsigned i) {
  const char *dot = strrchr(name, '.');
  size_t stem = dot != NULL && dot != name ? (size_t)(dot - name) : strlen(name);
  size_t n = strlen(name) + 16;
  char *out = malloc(n);
  if (out == NULL)
    return NULL;
  if (i == 0)
    snprintf(out, n, "%s", name);
  else
    snprintf(out, n, "%.*s (%u)%s", (int)stem, name, i, name + stem);
  return out;
}

/* Give tmp the name path unless path exists: 0, or -1 with errno (EEXIST
 * when the name is taken). tmp stays in place after link(). */
static int publish_noreplace(const char *tmp, const char *path, int *linked) {
  *linked = 0;
  if (link(tmp, path) == 0) {
    *linked = 1;
    return 0;
  }
  if (errno == EEXIST)
    return -1;
#if defined(__linux__) && defined(SYS_renameat2)
  if (errno == EPERM || errno == ENOTSUP || errno == EOPNOTSUPP || errno == ENOSYS ||
      errno == EMLINK) {
    /* No hard links here (vfat, some FUSE file systems): RENAME_NOREPLACE. */
    if (syscall(SYS_renameat2, AT_FDCWD, tmp, AT_FDCWD, path, 1u /* NOREPLACE */) == 0)
      return 0;
  }
#endif
  return -1;
}

coreapi_code coreapi_download_finish(coreapi_download *d, char **path, coreapi_error *err) {
  char *name, *target = NULL;
  coreapi_code rc;
  unsigned i;
  int fd, linked = 0;

  if (path != NULL)
    *path = NULL;
  if (d == NULL || path == NULL)
    return coreapi_error_set(err, COREAPI_ERR_INVALID_ARGUMENT, "no download or path");
  if (d->fd < 0 || d->tmp == NULL || d->failed) {
    drop_temp(d);
    return coreapi_error_set(err, COREAPI_ERR_INVALID_ARGUMENT,
                             "nothing to publish: no complete body was received");
  }
  if (fsync(d->fd) != 0) {
    rc = io_error(err, "cannot flush", d->tmp, errno);
    drop_temp(d);
    return rc;
  }
  fd = d->fd;
  d->fd = -1;
  if (close(fd) != 0) {
    rc = io_error(err, "cannot close", d->tmp, errno);
    drop_temp(d);
    return rc;
  }
  name = coreapi_download_filename(d->disposition, d->url, d->content_type, NULL);
  if (name == NULL) {
    drop_temp(d);
    return COREAPI__OOM(err); /* its only failure */
  }
  for (i = 0; i < MAX_UNIQUE; i++) {
    char *c = candidate(name, i);
    if (c == NULL || (target = join(d->dir, c)) == NULL) {
      free(c);
      free(name);
      drop_temp(d);
      return COREAPI__OOM(err);
    }
    free(c);
    if (publish_noreplace(d->tmp, target, &linked) == 0)
      break;
    if (errno != EEXIST) {
      rc = io_error(err, "cannot create", target, errno);
      free(target);
      free(name);
      drop_temp(d);
      return rc;
    }
    free(target);
    target = NULL;
  }
  free(name);
  if (target == NULL) {
    drop_temp(d);
    return coreapi_error_set(err, COREAPI_ERR_IO, "no free file name in %s", d->dir);
  }
  if (linked)
    unlink(d->tmp);
  free(d->tmp);
  d->tmp = NULL;
  drop_meta(d);
  fd = open(d->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    (void)fsync(fd); /* best effort: some file systems refuse directory fsync */
    close(fd);
  }
  *path = target;
  return COREAPI_OK;
}

void coreapi__download_only_2xx(coreapi_download *d) {
  if (d != NULL)
    d->only_2xx = 1;
}
