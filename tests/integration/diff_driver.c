/*
 * diff_driver.c - runs a scenario of Core API steps with libcoreapi and prints
 * one line per step, for test_differential.py, which runs the same scenario
 * with the reference python3-coreapi client and compares the lines.
 *
 * Usage (under servers.py --django):  diff_driver SCENARIO.json
 *
 * The scenario is a JSON array of steps (see test_differential.py):
 *   {"op": "get", "path": "/schema/"}          coreapi_client_get of base+path
 *   {"op": "get", "url_from": [STEP, "key"]}   ... of a string in an earlier
 *                                              step's result
 *   {"op": "reload", "doc": STEP}              coreapi_client_reload
 *   {"op": "action", "doc": STEP, "keys": [...], "params": {...},
 *    "files": {"name": {"path": P, "name": N, "type": T}}}
 *                                              coreapi_client_action on the
 *                                              Document of step STEP
 *   {"auth": "basic"}                          on a step: from now on the
 *                                              client authenticates as
 *                                              $COREAPI_TEST_USER (Basic)
 * Output: "base <base URL>", then per step "<i> <kind> <payload>":
 *   document <Core JSON>   data <JSON>   null   file <basename> <hex bytes>
 *   error <Core JSON of the Error>   parameter <JSON of the messages>
 *   lookup <message>       fail <code> <message>
 */
#define _POSIX_C_SOURCE 200809L
#include <coreapi/coreapi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_STEPS 256

static char *read_all(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  char *buf = NULL;
  size_t cap = 0, n = 0, got;
  if (f == NULL)
    return NULL;
  do {
    if (n + 4096 > cap) {
      char *nb = realloc(buf, cap = (cap ? cap * 2 : 8192));
      if (nb == NULL) {
        free(buf);
        fclose(f);
        return NULL;
      }
      buf = nb;
    }
    got = fread(buf + n, 1, cap - n, f);
    n += got;
  } while (got > 0);
  fclose(f);
  *len = n;
  return buf;
}

static const char *str_at(const coreapi_node *n, const char *key) {
  return coreapi_string_value(coreapi_map_get(n, key, strlen(key)), NULL);
}

/* One line: the text with its newlines (there are none in compact JSON, but
 * a message could have some) escaped. */
static void print_text(const char *s, size_t len) {
  for (size_t i = 0; i < len; i++) {
    if (s[i] == '\n')
      fputs("\\n", stdout);
    else
      putchar(s[i]);
  }
}

static void print_encoded(const char *kind, const coreapi_node *node) {
  coreapi_error err;
  size_t len = 0;
  coreapi_node_type t = coreapi_node_type_of(node);
  char *text = (t == COREAPI_NODE_DOCUMENT || t == COREAPI_NODE_ERROR)
                   ? coreapi_corejson_encode(node, 0, &len, &err)
                   : coreapi_json_encode(node, 0, 0, &len, &err);
  if (text == NULL) {
    printf("fail encode %s\n", err.text);
    return;
  }
  printf("%s ", kind);
  print_text(text, len);
  putchar('\n');
  free(text);
}

static void print_file(const char *path) {
  size_t len;
  char *data = read_all(path, &len);
  const char *slash = strrchr(path, '/');
  printf("file %s ", slash ? slash + 1 : path);
  for (size_t i = 0; data != NULL && i < len; i++)
    printf("%02x", (unsigned char)data[i]);
  putchar('\n');
  free(data);
  remove(path);
}

/* params of a step plus its files, a new Object (or NULL for none). */
static coreapi_node *step_params(const coreapi_node *step) {
  const coreapi_node *params = coreapi_map_get(step, "params", 6);
  const coreapi_node *files = coreapi_map_get(step, "files", 5);
  coreapi_map_builder *b;
  if (params == NULL && files == NULL)
    return NULL;
  b = coreapi_map_builder_new();
  if (b == NULL)
    return NULL;
  for (size_t i = 0; i < coreapi_map_size(params); i++) {
    const char *k;
    size_t kl;
    coreapi_node *v = coreapi_map_entry_inserted(params, i, &k, &kl);
    coreapi_map_builder_set(b, k, kl, coreapi_node_ref(v), NULL);
  }
  for (size_t i = 0; i < coreapi_map_size(files); i++) {
    const char *k;
    size_t kl;
    coreapi_node *spec = coreapi_map_entry_inserted(files, i, &k, &kl);
    coreapi_error err;
    coreapi_node *f = coreapi_file_new(str_at(spec, "path"), str_at(spec, "name"),
                                       str_at(spec, "type"), &err);
    if (f == NULL) {
      fprintf(stderr, "diff_driver: file %s: %s\n", k, err.text);
      continue;
    }
    coreapi_map_builder_set(b, k, kl, f, NULL);
  }
  return coreapi_map_builder_object(b, NULL);
}

int main(int argc, char **argv) {
  const char *port = getenv("COREAPI_TEST_DJANGO_PORT"), *tmpdir = getenv("COREAPI_TEST_TMPDIR");
  const char *user = getenv("COREAPI_TEST_USER"), *password = getenv("COREAPI_TEST_PASSWORD");
  char base[64], url[1024];
  coreapi_node *steps, *results[MAX_STEPS] = {0};
  coreapi_client *client;
  coreapi_error err;
  size_t len, n;
  char *text;
  int status = 0;

  if (argc != 2 || port == NULL || tmpdir == NULL || user == NULL || password == NULL) {
    fprintf(stderr, "usage: diff_driver SCENARIO.json (under servers.py --django)\n");
    return 2;
  }
  snprintf(base, sizeof(base), "http://127.0.0.1:%s", port);
  text = read_all(argv[1], &len);
  if (text == NULL) {
    fprintf(stderr, "diff_driver: cannot read %s\n", argv[1]);
    return 2;
  }
  steps = coreapi_json_decode(text, len, &err);
  free(text);
  if (coreapi_node_type_of(steps) != COREAPI_NODE_ARRAY) {
    fprintf(stderr, "diff_driver: bad scenario: %s\n", err.text);
    coreapi_node_free(steps);
    return 2;
  }
  client = coreapi_client_new(NULL);
  if (client == NULL || coreapi_client_set_download_dir(client, tmpdir, NULL) != COREAPI_OK)
    return 2;

  printf("base %s\n", base);
  n = coreapi_array_size(steps);
  for (size_t i = 0; i < n && i < MAX_STEPS; i++) {
    const coreapi_node *step = coreapi_array_get(steps, i);
    const char *op = str_at(step, "op");
    const coreapi_node *doc = results[coreapi_integer_value(coreapi_map_get(step, "doc", 3))];
    coreapi_result res;
    coreapi_code rc;

    if (str_at(step, "auth") != NULL) {
      coreapi_auth *a = coreapi_auth_basic_new(user, password, NULL, NULL);
      coreapi_client_add_auth(client, a, NULL);
      coreapi_auth_free(a);
    }
    if (strcmp(op, "get") == 0) {
      const coreapi_node *from = coreapi_map_get(step, "url_from", 8);
      if (from != NULL) {
        const coreapi_node *prev = results[coreapi_integer_value(coreapi_array_get(from, 0))];
        const char *u = coreapi_string_value(
            coreapi_map_get(prev, coreapi_string_value(coreapi_array_get(from, 1), NULL),
                            strlen(coreapi_string_value(coreapi_array_get(from, 1), NULL))),
            NULL);
        snprintf(url, sizeof(url), "%s", u ? u : "http://invalid/");
      } else {
        snprintf(url, sizeof(url), "%s%s", base, str_at(step, "path"));
      }
      rc = coreapi_client_get(client, url, NULL, &res, &err);
    } else if (strcmp(op, "reload") == 0) {
      rc = coreapi_client_reload(client, doc, NULL, &res, &err);
    } else {
      const coreapi_node *k = coreapi_map_get(step, "keys", 4);
      coreapi_key keys[8];
      size_t nk = coreapi_array_size(k);
      coreapi_node *params = step_params(step);
      for (size_t j = 0; j < nk && j < 8; j++) {
        const coreapi_node *key = coreapi_array_get(k, j);
        keys[j].name = coreapi_string_value(key, NULL);
        keys[j].index = (size_t)coreapi_integer_value(key);
      }
      rc = coreapi_client_action(client, doc, keys, nk, params, NULL, &res, &err);
      coreapi_node_free(params);
    }

    printf("%zu ", i);
    if (rc == COREAPI_OK && res.file != NULL)
      print_file(res.file);
    else if (rc == COREAPI_OK && res.node == NULL)
      printf("null\n");
    else if (rc == COREAPI_OK)
      print_encoded(coreapi_node_type_of(res.node) == COREAPI_NODE_DOCUMENT ? "document" : "data",
                    res.node);
    else if (rc == COREAPI_ERR_ERROR_RESPONSE)
      print_encoded("error", res.node);
    else if (rc == COREAPI_ERR_PARAMETER)
      print_encoded("parameter", res.node);
    else if (rc == COREAPI_ERR_LINK_LOOKUP)
      printf("lookup %s\n", err.text);
    else
      printf("fail %s %s\n", coreapi_strerror(rc), err.text);
    results[i] = res.node;
    res.node = NULL;
    coreapi_result_clear(&res);
  }
  fflush(stdout);
  for (size_t i = 0; i < MAX_STEPS; i++)
    coreapi_node_free(results[i]);
  coreapi_node_free(steps);
  coreapi_client_free(client);
  return status;
}
