/*
 * fuzz_netrc.c - libFuzzer target for the netrc parser
 * (coreapi__netrc_parse, src/auth/netrc_parse.c), which reads a file the
 * user may have copied from anywhere and decides which login and password
 * go to which host.
 *
 * The input is the file's text. The target aborts when:
 *   - a credential that comes back could not be sent safely in Basic
 *     authentication: a login with ':' or a control character (CR and LF
 *     included), a password with a control character, either not UTF-8;
 *   - an entry's line is not a line of the input, or entries are out of
 *     order;
 *   - an error leaves entries behind, names no line ("line N: ..." with N a
 *     line of the input) or is not one of ERR_PARSE, ERR_BAD_CREDENTIALS;
 *   - parsing the same bytes twice gives another result.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/auth/netrc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *what, const uint8_t *data, size_t size) {
  fprintf(stderr, "fuzz_netrc: %s\ninput (%zu bytes): %.*s\n", what, size,
          (int)(size > 2000 ? 2000 : size), (const char *)data);
  abort();
}

static int has_control(const char *s) {
  for (const unsigned char *p = (const unsigned char *)s; *p; p++)
    if (*p < 0x20 || *p == 0x7f)
      return 1;
  return 0;
}

static int same(const char *a, const char *b) {
  return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static void check_entries(const coreapi__netrc *n, unsigned lines, const uint8_t *data,
                          size_t size) {
  unsigned last = 1;
  for (size_t i = 0; i < n->count; i++) {
    const coreapi__netrc_entry *e = &n->entries[i];
    if (e->login != NULL && (strchr(e->login, ':') != NULL || has_control(e->login) ||
                             !coreapi__is_utf8(e->login, strlen(e->login))))
      fail("a login Basic authentication cannot carry", data, size);
    if (e->password != NULL &&
        (has_control(e->password) || !coreapi__is_utf8(e->password, strlen(e->password))))
      fail("a password Basic authentication cannot carry", data, size);
    if (e->line < last || e->line > lines)
      fail("an entry's line is out of order or not in the input", data, size);
    last = e->line;
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  coreapi__netrc n, again;
  coreapi_error err, err2;
  unsigned line = 0, line2 = 0, lines = 1;
  coreapi_code rc, rc2;
  const char *text = (const char *)data;

  for (size_t i = 0; i < size; i++)
    lines += data[i] == '\n';
  coreapi_error_clear(&err);
  coreapi_error_clear(&err2);
  rc = coreapi__netrc_parse(text, size, &n, &line, &err);
  rc2 = coreapi__netrc_parse(text, size, &again, &line2, &err2);
  if (rc != rc2 || line != line2 || n.count != again.count || strcmp(err.text, err2.text) != 0)
    fail("two parses of the same bytes differ", data, size);
  for (size_t i = 0; i < n.count; i++)
    if (!same(n.entries[i].machine, again.entries[i].machine) ||
        !same(n.entries[i].login, again.entries[i].login) ||
        !same(n.entries[i].password, again.entries[i].password))
      fail("two parses of the same bytes differ", data, size);
  coreapi__netrc_free(&again);
  if (rc == COREAPI_OK) {
    check_entries(&n, lines, data, size);
  } else {
    char prefix[32];
    if (rc != COREAPI_ERR_PARSE && rc != COREAPI_ERR_BAD_CREDENTIALS &&
        rc != COREAPI_ERR_OUT_OF_MEMORY)
      fail("an unexpected error code", data, size);
    if (n.entries != NULL || n.count != 0)
      fail("an error left entries", data, size);
    snprintf(prefix, sizeof(prefix), "line %u: ", line);
    if (rc != COREAPI_ERR_OUT_OF_MEMORY &&
        (line < 1 || line > lines || strncmp(err.text, prefix, strlen(prefix)) != 0))
      fail("an error names no line of the input", data, size);
  }
  coreapi__netrc_free(&n);
  return 0;
}
