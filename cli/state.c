/*
 * state.c - the config directory and the state files kept in it between
 * invocations, as the reference keeps them: document.json (the current
 * document, Core JSON), history.json, bookmarks.json, headers.json,
 * credentials.json and cookies.txt (the session cookie jar).
 *
 * The directory is created with mode 0700. Every file is written atomically:
 * a temporary file in the same directory (mkstemp, so mode 0600), written,
 * fsync'ed, then renamed over the old one, and the directory fsync'ed. A
 * reader never sees half a file, and a crash leaves the old or the new one.
 *
 * Parallel invocations: every write, and every read-modify-write of a file
 * for its whole cycle, holds the state lock, flock(2) on the config
 * directory itself (no lock file to leave behind, and `clear` leaves the
 * directory empty). Readers need no lock: they see the old or the new file.
 * Since every write holds the lock, a temporary file found by whoever holds
 * it was left by a writer that died (SIGKILL, power loss): cli_state_init
 * removes those. A directory that others can write, and the files holding
 * secrets (credentials.json, headers.json, cookies.txt) when others can
 * access them, are refused with the chmod that fixes them.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "snapshot.h"

void cli_wipe(void *p, size_t len) {
  volatile unsigned char *v = p;
  while (len--)
    *v++ = 0;
}

void cli_free_secret(char *s) {
  if (s != NULL) {
    cli_wipe(s, strlen(s));
    free(s);
  }
}

static char *join(const char *a, const char *b) {
  size_t la = strlen(a), lb = strlen(b);
  char *s = malloc(la + lb + 2);
  if (s == NULL)
    return NULL;
  memcpy(s, a, la);
  s[la] = '/';
  memcpy(s + la + 1, b, lb + 1);
  return s;
}

char *cli_config_dir_default(void) {
  const char *env = getenv("COREAPI_CONFIG_DIR");
  if (env != NULL && env[0] != '\0')
    return strdup(env);
  env = getenv("XDG_CONFIG_HOME");
  if (env != NULL && env[0] == '/')
    return join(env, "coreapi");
  env = getenv("HOME");
  if (env == NULL || env[0] == '\0') {
    struct passwd *pw = getpwuid(getuid());
    env = pw != NULL ? pw->pw_dir : NULL;
  }
  if (env == NULL)
    return NULL;
  return join(env, ".coreapi");
}

/* mkdir -p with mode 0700 for what is created. */
static int make_dirs(const char *path) {
  char *p = strdup(path);
  if (p == NULL)
    return -1;
  for (char *s = p + 1; *s; s++) {
    if (*s != '/')
      continue;
    *s = '\0';
    if (mkdir(p, 0700) != 0 && errno != EEXIST) {
      free(p);
      return -1;
    }
    *s = '/';
  }
  int rc = mkdir(p, 0700) != 0 && errno != EEXIST ? -1 : 0;
  free(p);
  return rc;
}

/* --- the state lock ----------------------------------------------------------- */

/* The process's hold on the lock: one descriptor of the config directory,
 * flock'ed while depth > 0 (two descriptors would block each other). */
static struct {
  int fd;
  int depth;
  int exclusive;
} lock_state = {-1, 0, 0};

static long elapsed_ms(const struct timespec *since) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (long)(now.tv_sec - since->tv_sec) * 1000 + (now.tv_nsec - since->tv_nsec) / 1000000;
}

/* flock(fd, op), trying for up to timeout_ms (0: once). 0, or -1 with errno
 * (EWOULDBLOCK: still held by another when the time ran out). */
static int flock_within(int fd, int op, long timeout_ms) {
  struct timespec start, pause = {0, 1000000}; /* 1 ms, doubling to 32 ms */
  clock_gettime(CLOCK_MONOTONIC, &start);
  for (;;) {
    if (flock(fd, op | LOCK_NB) == 0)
      return 0;
    if (errno != EWOULDBLOCK && errno != EINTR)
      return -1;
    if (elapsed_ms(&start) >= timeout_ms) {
      errno = EWOULDBLOCK;
      return -1;
    }
    nanosleep(&pause, NULL);
    if (pause.tv_nsec < 32000000)
      pause.tv_nsec *= 2;
  }
}

/* cli_state_lock with a time limit; quiet: no message (errno says why). */
static int lock_within(const cli_options *opts, int exclusive, long timeout_ms) {
  if (lock_state.depth > 0) {
    if (exclusive && !lock_state.exclusive) {
      errno = EDEADLK; /* flock cannot upgrade without letting go first */
      return -1;
    }
    lock_state.depth++;
    return 0;
  }
  lock_state.fd = open(opts->config_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (lock_state.fd < 0)
    return -1;
  if (flock_within(lock_state.fd, exclusive ? LOCK_EX : LOCK_SH, timeout_ms) != 0) {
    int e = errno;
    close(lock_state.fd);
    lock_state.fd = -1;
    errno = e;
    return -1;
  }
  lock_state.depth = 1;
  lock_state.exclusive = exclusive;
  return 0;
}

int cli_state_lock(const cli_options *opts, int exclusive) {
  if (lock_within(opts, exclusive, CLI_LOCK_TIMEOUT_MS) == 0)
    return CLI_OK;
  if (errno == EWOULDBLOCK)
    cli_error("%s is locked by another coreapi process; gave up after %d s. Try again when "
              "it has finished",
              opts->config_dir, CLI_LOCK_TIMEOUT_MS / 1000);
  else if (errno == EDEADLK)
    cli_error("internal error: an exclusive lock of %s asked under a shared one",
              opts->config_dir);
  else
    cli_error("cannot lock %s: %s", opts->config_dir, strerror(errno));
  return CLI_OTHER;
}

void cli_state_unlock(void) {
  if (lock_state.depth == 0 || --lock_state.depth > 0)
    return;
  flock(lock_state.fd, LOCK_UN);
  close(lock_state.fd);
  lock_state.fd = -1;
  lock_state.exclusive = 0;
}

/* --- the config directory ------------------------------------------------------ */

static int state_failed; /* a state file could not be saved (cli_state_set_failed) */

void cli_state_set_failed(void) {
  state_failed = 1;
}

int cli_state_exit_code(int code) {
  return code == CLI_OK && state_failed ? CLI_OTHER : code;
}

int cli_state_check_mode(const char *path, unsigned forbidden) {
  struct stat st;
  if (stat(path, &st) != 0) {
    if (errno == ENOENT)
      return CLI_OK;
    cli_error("cannot read %s: %s", path, strerror(errno));
    return CLI_OTHER;
  }
  if ((st.st_mode & forbidden) != 0) {
    cli_error("%s %s by others (mode %04o); refusing to use it. Fix it with: chmod 600 %s",
              path, (forbidden & 044) ? "is accessible" : "can be written",
              (unsigned)(st.st_mode & 07777), path);
    return CLI_OTHER;
  }
  return CLI_OK;
}

/* The state files, whose temporary files (NAME.tmpXXXXXX, as
 * coreapi_file_write_atomic names them) are ours to remove. */
static const char *const state_files[] = {"document.json",  "history.json",
                                          "bookmarks.json", "headers.json",
                                          "credentials.json", "cookies.txt",
                                          "document.index"};

static int is_state_temporary(const char *name) {
  for (size_t i = 0; i < sizeof(state_files) / sizeof(state_files[0]); i++) {
    size_t n = strlen(state_files[i]);
    if (strncmp(name, state_files[i], n) == 0 && strncmp(name + n, ".tmp", 4) == 0 &&
        strlen(name + n + 4) == 6)
      return 1;
  }
  return 0;
}

/* Remove the temporary files a killed write left: all of them when the lock
 * can be had at once (no writer is at work), else those older than
 * CLI_STALE_TEMPORARY_S. Best effort: nothing is said. */
static void remove_stale_temporaries(const cli_options *opts) {
  int locked = lock_within(opts, 1, 0) == 0;
  DIR *d = opendir(opts->config_dir);
  struct dirent *e;
  time_t now = time(NULL);
  while (d != NULL && (e = readdir(d)) != NULL) {
    struct stat st;
    if (!is_state_temporary(e->d_name) ||
        fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode))
      continue;
    if (locked || now - st.st_mtime > CLI_STALE_TEMPORARY_S)
      unlinkat(dirfd(d), e->d_name, 0);
  }
  if (d != NULL)
    closedir(d);
  if (locked)
    cli_state_unlock();
}

/* An existing config directory: a directory that neither group nor others
 * can write (they could replace the files in it). */
static int check_dir(const char *dir, const struct stat *st) {
  if (!S_ISDIR(st->st_mode)) {
    cli_error("%s is not a directory", dir);
    return CLI_OTHER;
  }
  if ((st->st_mode & 022) != 0) {
    cli_error("%s can be written by others (mode %04o); refusing to use it. "
              "Fix it with: chmod 700 %s",
              dir, (unsigned)(st->st_mode & 07777), dir);
    return CLI_OTHER;
  }
  return CLI_OK;
}

int cli_state_init(const cli_options *opts) {
  struct stat st;
  int code;
  if (stat(opts->config_dir, &st) == 0) {
    if ((code = check_dir(opts->config_dir, &st)) != CLI_OK)
      return code;
    remove_stale_temporaries(opts);
    return CLI_OK;
  }
  if (make_dirs(opts->config_dir) != 0) {
    cli_error("cannot create %s: %s", opts->config_dir, strerror(errno));
    return CLI_OTHER;
  }
  /* mkdir's mode is masked by the umask: make sure it is exactly 0700. */
  if (chmod(opts->config_dir, 0700) != 0) {
    cli_error("cannot chmod %s: %s", opts->config_dir, strerror(errno));
    return CLI_OTHER;
  }
  return CLI_OK;
}

char *cli_state_path(const cli_options *opts, const char *name) {
  char *p = join(opts->config_dir, name);
  if (p == NULL) {
    cli_error("out of memory");
    exit(CLI_OTHER);
  }
  return p;
}

/* The files read may hold secrets (credentials.json): no stdio buffer (a
 * copy freed unwiped at fclose) and no realloc (a block it moves is freed
 * with what it held); a smaller buffer is wiped before it is freed. Sized
 * from the file's size, a regular file takes one allocation. */
char *cli_read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  struct stat st;
  char *buf = NULL;
  size_t cap = 0, n = 0, first = 8192;
  if (f == NULL)
    return NULL;
  setvbuf(f, NULL, _IONBF, 0);
  if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
      (uintmax_t)st.st_size < SIZE_MAX / 4)
    first = (size_t)st.st_size + 8192;
  for (;;) {
    if (n + 4096 + 1 > cap) {
      size_t ncap = cap ? cap * 2 : first;
      char *nb = malloc(ncap);
      if (nb == NULL) {
        cli_wipe(buf, n);
        free(buf);
        fclose(f);
        errno = ENOMEM;
        return NULL;
      }
      if (buf != NULL) {
        memcpy(nb, buf, n);
        cli_wipe(buf, n);
        free(buf);
      }
      buf = nb;
      cap = ncap;
    }
    size_t got = fread(buf + n, 1, cap - n - 1, f);
    n += got;
    if (got == 0) {
      if (ferror(f)) {
        int e = errno;
        cli_wipe(buf, n);
        free(buf);
        fclose(f);
        errno = e ? e : EIO;
        return NULL;
      }
      break;
    }
  }
  fclose(f);
  buf[n] = '\0';
  if (len != NULL)
    *len = n;
  return buf;
}

int cli_write_file(const char *path, const char *data, size_t len) {
  coreapi_error err;
  if (coreapi_file_write_atomic(path, data, len, 0600, &err) != COREAPI_OK) {
    cli_error("%s", err.text);
    return -1;
  }
  return 0;
}

/* cli_write_file holding the state lock: every write does, so that a
 * temporary file found by the lock's holder is a dead writer's. */
static int write_locked(const cli_options *opts, const char *path, const char *data,
                        size_t len) {
  int rc;
  if (cli_state_lock(opts, 1) != CLI_OK)
    return -1;
  rc = cli_write_file(path, data, len);
  cli_state_unlock();
  return rc;
}

/* Does the state file name hold secrets (API keys, passwords, tokens)? */
static int holds_secrets(const char *name) {
  return strcmp(name, "credentials.json") == 0 || strcmp(name, "headers.json") == 0 ||
         strcmp(name, "cookies.txt") == 0;
}

coreapi_node *cli_state_load_json(const cli_options *opts, const char *name) {
  char *path = cli_state_path(opts, name);
  size_t len;
  coreapi_error err;
  coreapi_node *node;
  char *data;
  if (holds_secrets(name) && cli_state_check_mode(path, 077) != CLI_OK) {
    free(path);
    return NULL;
  }
  data = cli_read_file(path, &len);
  if (data == NULL) {
    if (errno != ENOENT) {
      cli_error("cannot read %s: %s", path, strerror(errno));
      free(path);
      return NULL;
    }
    free(path);
    coreapi_map_builder *b = coreapi_map_builder_new();
    return b ? coreapi_map_builder_object(b, NULL) : NULL;
  }
  /* The reference reads an empty file as {}. A file of secrets decodes into
   * nodes wiped when freed, leaving no copy in the decoder's memory. */
  node = holds_secrets(name) ? coreapi_json_decode_secret(len ? data : "{}", len ? len : 2, &err)
                             : coreapi_json_decode(len ? data : "{}", len ? len : 2, &err);
  cli_wipe(data, len);
  free(data);
  if (node == NULL) {
    cli_error("%s: %s", path, err.text);
  } else if (coreapi_node_type_of(node) != COREAPI_NODE_OBJECT) {
    cli_error("%s: not a JSON object", path);
    coreapi_node_free(node);
    node = NULL;
  }
  free(path);
  return node;
}

int cli_state_save_json(const cli_options *opts, const char *name, const coreapi_node *node) {
  coreapi_error err;
  size_t len;
  char *json = coreapi_json_encode(node, 0, 0, &len, &err);
  char *path;
  int rc;
  if (json == NULL) {
    cli_error("%s", err.text);
    return -1;
  }
  path = cli_state_path(opts, name);
  rc = write_locked(opts, path, json, len);
  cli_wipe(json, len);
  free(json);
  free(path);
  return rc;
}

void cli_state_remove(const cli_options *opts, const char *name) {
  char *path = cli_state_path(opts, name);
  int locked = cli_state_lock(opts, 1) == CLI_OK;
  unlink(path);
  if (locked)
    cli_state_unlock();
  free(path);
}

/* --- map helpers ------------------------------------------------------------ */

static void oom(void) {
  cli_error("out of memory");
  exit(CLI_OTHER);
}

coreapi_node *cli_string(const char *s) {
  coreapi_node *n = coreapi_string_new(s, strlen(s), NULL);
  if (n == NULL) {
    cli_error("not valid UTF-8: %s", s);
    exit(CLI_USAGE);
  }
  return n;
}

const char *cli_map_string(const coreapi_node *map, const char *key) {
  return coreapi_string_value(coreapi_map_get(map, key, strlen(key)), NULL);
}

static coreapi_node *rebuild(const coreapi_node *map, const char *skip, const char *key,
                             coreapi_node *value) {
  coreapi_map_builder *b = coreapi_map_builder_new();
  if (b == NULL)
    oom();
  for (size_t i = 0, n = coreapi_map_size(map); i < n; i++) {
    const char *k;
    size_t klen;
    coreapi_node *v = coreapi_map_entry_inserted(map, i, &k, &klen);
    if (skip != NULL && strlen(skip) == klen && memcmp(skip, k, klen) == 0)
      continue;
    if (coreapi_map_builder_set(b, k, klen, coreapi_node_ref(v), NULL) != COREAPI_OK)
      oom();
  }
  if (key != NULL && coreapi_map_builder_set(b, key, strlen(key), value, NULL) != COREAPI_OK)
    oom();
  coreapi_node *out = coreapi_map_builder_object(b, NULL);
  if (out == NULL)
    oom();
  return out;
}

coreapi_node *cli_map_with(const coreapi_node *map, const char *key, coreapi_node *value) {
  return rebuild(map, NULL, key, value);
}

coreapi_node *cli_map_without(const coreapi_node *map, const char *key) {
  return rebuild(map, key, NULL, NULL);
}

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

const char **cli_sorted_keys(const coreapi_node *map, size_t *n) {
  size_t count = coreapi_map_size(map);
  const char **keys = calloc(count + 1, sizeof(*keys));
  if (keys == NULL)
    oom();
  for (size_t i = 0; i < count; i++)
    coreapi_map_entry_inserted(map, i, &keys[i], NULL);
  qsort(keys, count, sizeof(*keys), cmp_str);
  *n = count;
  return keys;
}

/* --- the current document -------------------------------------------------- */

/* After a whole decode: give document.json a snapshot when it has none that
 * matches, if the lock can be had at once and the file is still the one
 * read (st). Best effort: a snapshot is a cache. */
static void snapshot_if_missing(const cli_options *opts, const char *path,
                                const coreapi_node *doc, const struct stat *st) {
  char *index = cli_state_path(opts, "document.index");
  cli_snapshot *s = cli_snapshot_open(path, index);
  if (s == NULL && lock_within(opts, 1, 0) == 0) {
    cli_snapshot_save(path, index, doc, st);
    cli_state_unlock();
  }
  cli_snapshot_close(s);
  free(index);
}

cli_snapshot *cli_document_snapshot(const cli_options *opts) {
  char *path = cli_state_path(opts, "document.json");
  char *index = cli_state_path(opts, "document.index");
  cli_snapshot *s = cli_snapshot_open(path, index);
  free(path);
  free(index);
  return s;
}

coreapi_node *cli_document_load(const cli_options *opts, int *code) {
  char *path = cli_state_path(opts, "document.json");
  size_t len;
  coreapi_error err;
  struct stat before, after;
  int stable = stat(path, &before) == 0;
  char *data = cli_read_file(path, &len);
  coreapi_node *doc = NULL;
  *code = CLI_OK;
  if (data == NULL) {
    if (errno != ENOENT) {
      cli_error("cannot read %s: %s", path, strerror(errno));
      *code = CLI_OTHER;
    }
  } else {
    doc = coreapi_corejson_decode(data, len, NULL, &err);
    if (doc == NULL) {
      cli_error("%s: %s", path, err.text);
      *code = CLI_OTHER;
    }
  }
  /* The same file before and after the read: the bytes decoded are its. */
  if (doc != NULL && stable && stat(path, &after) == 0 && cli_snapshot_same_file(&after, &before) &&
      (size_t)after.st_size == len)
    snapshot_if_missing(opts, path, doc, &after);
  free(data);
  free(path);
  return doc;
}

coreapi_node *cli_document_require(const cli_options *opts, int *code) {
  coreapi_node *doc = cli_document_load(opts, code);
  if (doc == NULL && *code == CLI_OK) {
    cli_error("No current document. Use `coreapi get` to fetch a document first.");
    *code = CLI_USAGE;
  }
  return doc;
}

int cli_document_save(const cli_options *opts, const coreapi_node *doc) {
  coreapi_error err;
  size_t len;
  char *data = coreapi_corejson_encode(doc, 0, &len, &err);
  char *path, *index;
  int rc;
  if (data == NULL) {
    cli_error("%s", err.text);
    return -1;
  }
  if (cli_state_lock(opts, 1) != CLI_OK) {
    free(data);
    return -1;
  }
  path = cli_state_path(opts, "document.json");
  index = cli_state_path(opts, "document.index");
  rc = cli_write_file(path, data, len);
  if (rc == 0)
    cli_snapshot_save(path, index, doc, NULL); /* a cache: its failure only costs time */
  cli_state_unlock();
  free(data);
  free(path);
  free(index);
  return rc;
}
