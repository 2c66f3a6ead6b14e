/*
 * tests/json_shapes.h - JSON bodies of the shapes whose decoding memory is
 * bounded (issue 9), and the peak resident memory of decoding one. Shared by
 * tests/unit/test_json_memory.c, which fails when a shape that must stay
 * under the bound goes above it, and bench/decode, which prints every
 * shape's figure.
 *
 * A shape is a generator of a body of about a given size. Bodies are plain
 * JSON; for Core JSON the same value is the content of a document
 * ({"_type": "document", ..., "data": VALUE}).
 */
#ifndef COREAPI_TESTS_JSON_SHAPES_H
#define COREAPI_TESTS_JSON_SHAPES_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "coreapi/coreapi.h"

/* Append one element of the shape (numbered i) to out; returns its length. */
typedef int (*json_shape_fn)(char *out, long i);

static int shape_zeros(char *o, long i) { (void)i; return sprintf(o, "0,"); }
static int shape_ints(char *o, long i) { return sprintf(o, "%ld,", i * 7919 % 1000003); }
static int shape_reals(char *o, long i) { return sprintf(o, "%ld.25,", i); }
static int shape_same_reals(char *o, long i) { (void)i; return sprintf(o, "1.5,"); }
static int shape_strings(char *o, long i) { return sprintf(o, "\"%lx\",", i); }
static int shape_same_strings(char *o, long i) { (void)i; return sprintf(o, "\"a\","); }
static int shape_literals(char *o, long i) {
  return sprintf(o, "%s,", i % 3 == 0 ? "true" : i % 3 == 1 ? "null" : "false");
}
static int shape_empties(char *o, long i) { return sprintf(o, "%s,", i % 2 ? "[]" : "{}"); }
static int shape_records(char *o, long i) {
  return sprintf(o,
                 "{\"id\":%ld,\"name\":\"user %ld\",\"email\":\"u%ld@example.com\","
                 "\"active\":true,\"score\":%ld.5,\"tags\":[\"a\",\"b\"]},",
                 i, i, i, i);
}
/* Objects nested 40 deep, each with an id of its own and a child. */
static int shape_deep_objects(char *o, long i) {
  int n = 0;
  for (int d = 0; d < 40; d++)
    n += sprintf(o + n, "{\"id\":%ld,\"child\":", i * 40 + d);
  n += sprintf(o + n, "null");
  for (int d = 0; d < 40; d++)
    o[n++] = '}';
  o[n++] = ',';
  o[n] = '\0';
  return n;
}
/* Arrays nested 10 deep, the same each time. */
static int shape_deep_same(char *o, long i) {
  (void)i;
  return sprintf(o, "[[[[[[[[[[0]]]]]]]]]],");
}
/* Arrays nested 10 deep around a number of their own: every level is a
 * container of one child, 2 bytes of text for a node of its own. */
static int shape_chain(char *o, long i) { return sprintf(o, "[[[[[[[[[[%ld]]]]]]]]]],", i); }
/* Objects of one key nested 3 deep around a number of their own. */
static int shape_chain_objects(char *o, long i) {
  return sprintf(o, "{\"a\":{\"b\":{\"c\":%ld}}},", i);
}

typedef struct json_shape {
  const char *name;
  json_shape_fn element;
  int bounded; /* must decode under JSON_SHAPE_BOUND times its size */
  int object;  /* one object of many keys rather than an array */
} json_shape;

#define JSON_SHAPE_BOUND 10

static const json_shape json_shapes[] = {
    {"zeros", shape_zeros, 1, 0},
    {"integers", shape_ints, 1, 0},
    {"reals", shape_reals, 1, 0},
    {"same_real", shape_same_reals, 1, 0},
    {"strings", shape_strings, 1, 0},
    {"same_string", shape_same_strings, 1, 0},
    {"literals", shape_literals, 1, 0},
    {"empty_containers", shape_empties, 1, 0},
    {"many_keys", shape_ints, 1, 1},
    {"records", shape_records, 1, 0},
    {"deep_objects", shape_deep_objects, 1, 0},
    {"deep_same", shape_deep_same, 1, 0},
    {"chain_arrays", shape_chain, 1, 0},
    {"chain_objects", shape_chain_objects, 1, 0},
};

/* A body of the shape of about size bytes (new, NUL-terminated), as Core
 * JSON when corejson; NULL on ENOMEM. */
static char *json_shape_body(const json_shape *s, size_t size, int corejson, size_t *len) {
  char *b = malloc(size + 4096), elem[4096];
  size_t n = 0;
  if (b == NULL)
    return NULL;
  if (corejson)
    n += (size_t)sprintf(b, "{\"_type\":\"document\",\"_meta\":{\"url\":\"http://api.test/\"},"
                            "\"data\":");
  b[n++] = s->object ? '{' : '[';
  for (long i = 0; n < size; i++) {
    int e = s->object ? sprintf(elem, "\"key%ld\":", i) : 0;
    e += s->element(elem + e, i);
    memcpy(b + n, elem, (size_t)e);
    n += (size_t)e;
  }
  n--; /* the last ',' */
  b[n++] = s->object ? '}' : ']';
  if (corejson)
    b[n++] = '}';
  b[n] = '\0';
  *len = n;
  return b;
}

/* "Key:   N kB" of /proc/self/status in bytes, or -1. */
static long long json_shape_status(const char *key) {
  char line[256];
  size_t klen = strlen(key);
  long long v = -1;
  FILE *f = fopen("/proc/self/status", "r");
  if (f == NULL)
    return -1;
  while (fgets(line, sizeof(line), f) != NULL)
    if (strncmp(line, key, klen) == 0 && line[klen] == ':') {
      v = strtoll(line + klen + 1, NULL, 10) * 1024;
      break;
    }
  fclose(f);
  return v;
}

/* The growth of resident memory while decode(ctx) runs (in bytes), in a
 * forked child: VmHWM reset to the current RSS through
 * /proc/self/clear_refs, then decode, and VmHWM read again with its result
 * alive; then release(result). -1 when /proc cannot tell, -2 when decode
 * returned NULL, -3 when the child failed. (bench/decode measures its
 * decoders with it too.) */
static long long json_peak(void *(*decode)(void *ctx), void (*release)(void *result),
                           void *ctx) {
  int fd[2], status = 0;
  long long peak = -1;
  pid_t pid;
  if (pipe(fd) != 0 || (pid = fork()) < 0)
    return -1;
  if (pid == 0) {
    long long before, after, result = -1;
    FILE *f = fopen("/proc/self/clear_refs", "w");
    close(fd[0]);
    if (f != NULL && fputs("5", f) >= 0 && fclose(f) == 0 &&
        (before = json_shape_status("VmHWM")) > 0) {
      void *v = decode(ctx);
      after = json_shape_status("VmHWM");
      result = v != NULL ? after - before : -2;
      if (v != NULL)
        release(v);
    }
    if (write(fd[1], &result, sizeof(result)) != (ssize_t)sizeof(result))
      _exit(1);
    _exit(0);
  }
  close(fd[1]);
  if (read(fd[0], &peak, sizeof(peak)) != (ssize_t)sizeof(peak))
    peak = -1;
  close(fd[0]);
  waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    return -3;
  return peak;
}

typedef struct json_body {
  const char *data;
  size_t len;
  int corejson;
} json_body;

static void *json_body_decode(void *ctx) {
  const json_body *b = ctx;
  coreapi_error err;
  return b->corejson ? coreapi_corejson_decode(b->data, b->len, NULL, &err)
                     : coreapi_json_decode(b->data, b->len, &err);
}

static void json_node_release(void *v) { coreapi_node_free(v); }

/* The peak of decoding body as JSON or as Core JSON (see json_peak). */
static long long json_shape_peak(const char *body, size_t len, int corejson) {
  json_body b = {body, len, corejson};
  return json_peak(json_body_decode, json_node_release, &b);
}

#endif /* COREAPI_TESTS_JSON_SHAPES_H */
