/*
 * fuzz_headers.c - libFuzzer target for the response header line parser
 * (coreapi__parse_header_line, src/http/parse.c), which reads a hostile
 * server's bytes as libcurl hands them over.
 *
 * The input is split at LF into lines (each keeps its LF, as libcurl gives
 * them), and each line is parsed and applied to a header list the way the
 * backend does (a status line resets it, a field is added, a fold extends the
 * last one). The target aborts when:
 *   - a span points outside the line, or a length is out of range;
 *   - a status is not three digits (100-999);
 *   - a field's name is empty or not a token, or its value starts or ends
 *     with a space or tab, or holds CR, LF or NUL;
 *   - the header list does not read back what was added.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/http/http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *what, const char *line, size_t n) {
  fprintf(stderr, "fuzz_headers: %s\nline: %.*s\n", what, (int)(n > 2000 ? 2000 : n), line);
  abort();
}

static int inside(const char *span, size_t len, const char *line, size_t n) {
  return span >= line && len <= n && span + len <= line + n;
}

static int plain_value(const char *v, size_t n) {
  if (n > 0 && (v[0] == ' ' || v[0] == '\t' || v[n - 1] == ' ' || v[n - 1] == '\t'))
    return 0;
  return memchr(v, '\r', n) == NULL && memchr(v, '\n', n) == NULL && memchr(v, '\0', n) == NULL;
}

static void check_line(const char *line, size_t n, coreapi__headers *h) {
  coreapi__header_line l;
  switch (coreapi__parse_header_line(line, n, &l)) {
    case COREAPI__LINE_END:
    case COREAPI__LINE_BAD:
      return;
    case COREAPI__LINE_STATUS:
      if (l.status < 100 || l.status > 999 || !inside(l.value, l.value_len, line, n))
        fail("bad status line result", line, n);
      coreapi__headers_free(h);
      return;
    case COREAPI__LINE_FOLD:
      if (!inside(l.value, l.value_len, line, n) || !plain_value(l.value, l.value_len))
        fail("bad fold result", line, n);
      if (coreapi__headers_extend_last(h, l.value, l.value_len) != 0)
        abort();
      return;
    case COREAPI__LINE_FIELD: {
      char name[64];
      if (l.name_len == 0 || !inside(l.name, l.name_len, line, n) ||
          !inside(l.value, l.value_len, line, n) || !plain_value(l.value, l.value_len))
        fail("bad field result", line, n);
      for (size_t i = 0; i < l.name_len; i++)
        if ((unsigned char)l.name[i] <= ' ' || l.name[i] == ':' || (unsigned char)l.name[i] >= 0x7f)
          fail("a field name that is not a token", line, n);
      if (coreapi__headers_add(h, l.name, l.name_len, l.value, l.value_len) != 0)
        abort();
      if (l.name_len < sizeof(name)) {
        const coreapi__header *last = &h->items[h->count - 1];
        memcpy(name, l.name, l.name_len);
        name[l.name_len] = '\0';
        if (strcmp(last->name, name) != 0 || strlen(last->value) != l.value_len ||
            memcmp(last->value, l.value, l.value_len) != 0)
          fail("the header list does not read back the field", line, n);
      }
      return;
    }
  }
  fail("unknown line kind", line, n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *p = (const char *)data, *end = p + size;
  coreapi__headers h = {0};
  coreapi__header_line l;
  /* NULL and empty input are valid calls. */
  if (coreapi__parse_header_line(NULL, 0, &l) != COREAPI__LINE_BAD)
    abort();
  while (p < end) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    size_t n = nl ? (size_t)(nl + 1 - p) : (size_t)(end - p);
    check_line(p, n, &h);
    p += n;
  }
  coreapi__headers_free(&h);
  return 0;
}
