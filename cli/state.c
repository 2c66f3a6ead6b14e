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
 */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

#define HISTORY_MAX 20

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

int cli_state_init(const cli_options *opts) {
  struct stat st;
  if (stat(opts->config_dir, &st) == 0) {
    if (!S_ISDIR(st.st_mode)) {
      cli_error("%s is not a directory", opts->config_dir);
      return CLI_OTHER;
    }
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

char *cli_read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  char *buf = NULL;
  size_t cap = 0, n = 0;
  if (f == NULL)
    return NULL;
  for (;;) {
    if (n + 4096 + 1 > cap) {
      size_t ncap = cap ? cap * 2 : 8192;
      char *nb = realloc(buf, ncap);
      if (nb == NULL) {
        free(buf);
        fclose(f);
        errno = ENOMEM;
        return NULL;
      }
      buf = nb;
      cap = ncap;
    }
    size_t got = fread(buf + n, 1, cap - n - 1, f);
    n += got;
    if (got == 0) {
      if (ferror(f)) {
        int e = errno;
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

coreapi_node *cli_state_load_json(const cli_options *opts, const char *name) {
  char *path = cli_state_path(opts, name);
  size_t len;
  coreapi_error err;
  coreapi_node *node;
  char *data = cli_read_file(path, &len);
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
  /* The reference reads an empty file as {}. */
  node = coreapi_json_decode(len ? data : "{}", len ? len : 2, &err);
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
  rc = cli_write_file(path, json, len);
  cli_wipe(json, len);
  free(json);
  free(path);
  return rc;
}

void cli_state_remove(const cli_options *opts, const char *name) {
  char *path = cli_state_path(opts, name);
  unlink(path);
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

coreapi_node *cli_document_load(const cli_options *opts, int *code) {
  char *path = cli_state_path(opts, "document.json");
  size_t len;
  coreapi_error err;
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
  char *path;
  int rc;
  if (data == NULL) {
    cli_error("%s", err.text);
    return -1;
  }
  path = cli_state_path(opts, "document.json");
  rc = cli_write_file(path, data, len);
  free(data);
  free(path);
  return rc;
}

/* --- history ------------------------------------------------------------------ */

int cli_history_load(const cli_options *opts, cli_history *h) {
  memset(h, 0, sizeof(*h));
  coreapi_node *root = cli_state_load_json(opts, "history.json");
  if (root == NULL)
    return -1;
  coreapi_node *items = coreapi_map_get(root, "items", 5);
  size_t n = coreapi_array_size(items);
  h->items = calloc(n + 1, sizeof(*h->items));
  if (h->items == NULL)
    oom();
  for (size_t i = 0; i < n && h->count < HISTORY_MAX; i++) {
    coreapi_node *it = coreapi_array_get(items, i);
    const char *url = cli_map_string(it, "url"), *title = cli_map_string(it, "title");
    if (url == NULL)
      continue;
    h->items[h->count].url = strdup(url);
    h->items[h->count].title = strdup(title ? title : "");
    h->count++;
  }
  int64_t idx = coreapi_integer_value(coreapi_map_get(root, "idx", 3));
  h->idx = idx > 0 && (size_t)idx < h->count ? (size_t)idx : 0;
  coreapi_node_free(root);
  return 0;
}

int cli_history_save(const cli_options *opts, const cli_history *h) {
  coreapi_array_builder *ab = coreapi_array_builder_new();
  coreapi_map_builder *root = coreapi_map_builder_new();
  if (ab == NULL || root == NULL)
    oom();
  for (size_t i = 0; i < h->count; i++) {
    coreapi_map_builder *b = coreapi_map_builder_new();
    if (b == NULL)
      oom();
    coreapi_map_builder_set(b, "url", 3, cli_string(h->items[i].url), NULL);
    coreapi_map_builder_set(b, "title", 5, cli_string(h->items[i].title), NULL);
    coreapi_array_builder_append(ab, coreapi_map_builder_object(b, NULL), NULL);
  }
  coreapi_map_builder_set(root, "items", 5, coreapi_array_builder_finish(ab, NULL), NULL);
  coreapi_map_builder_set(root, "idx", 3, coreapi_integer_new((int64_t)h->idx, NULL), NULL);
  coreapi_map_builder_set(root, "max_items", 9, coreapi_integer_new(HISTORY_MAX, NULL), NULL);
  coreapi_node *node = coreapi_map_builder_object(root, NULL);
  if (node == NULL)
    oom();
  int rc = cli_state_save_json(opts, "history.json", node);
  coreapi_node_free(node);
  return rc;
}

void cli_history_add(cli_history *h, const coreapi_node *doc) {
  const char *url = coreapi_node_url(doc), *title = coreapi_node_title(doc);
  /* The current document again (a reload): replace it, do not add a step. */
  if (h->count > 0 && strcmp(h->items[h->idx].url, url ? url : "") == 0) {
    free(h->items[h->idx].title);
    h->items[h->idx].title = strdup(title ? title : "");
    return;
  }
  /* Drop the forward history: entries newer than the current one. */
  for (size_t i = 0; i < h->idx; i++) {
    free(h->items[i].url);
    free(h->items[i].title);
  }
  memmove(h->items, h->items + h->idx, (h->count - h->idx) * sizeof(*h->items));
  h->count -= h->idx;
  h->idx = 0;
  cli_history_item *items = realloc(h->items, (h->count + 1) * sizeof(*items));
  if (items == NULL)
    oom();
  h->items = items;
  memmove(h->items + 1, h->items, h->count * sizeof(*items));
  h->items[0].url = strdup(url ? url : "");
  h->items[0].title = strdup(title ? title : "");
  h->count++;
  while (h->count > HISTORY_MAX) {
    h->count--;
    free(h->items[h->count].url);
    free(h->items[h->count].title);
  }
}

void cli_history_free(cli_history *h) {
  for (size_t i = 0; i < h->count; i++) {
    free(h->items[i].url);
    free(h->items[i].title);
  }
  free(h->items);
  memset(h, 0, sizeof(*h));
}

int cli_document_visit(const cli_options *opts, const coreapi_node *doc) {
  cli_history h;
  if (cli_document_save(opts, doc) != 0)
    return CLI_OTHER;
  if (cli_history_load(opts, &h) != 0)
    return CLI_OTHER;
  cli_history_add(&h, doc);
  int rc = cli_history_save(opts, &h);
  cli_history_free(&h);
  return rc == 0 ? CLI_OK : CLI_OTHER;
}
