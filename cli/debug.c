/*
 * debug.c - --debug: each request and response as the library's debug
 * callback reports them (coreapi_client_set_debug), on stderr. The library
 * redacts every secret (Authorization, Cookie, Set-Cookie, and every header an
 * authentication set) and reports, for every hop, which credential applied
 * and why; bodies are shown only as their sizes.
 *
 *   * hop 0 api.test: credential api.test: token (Bearer) ...
 *   > GET /books/ HTTP/1.1
 *   > Authorization: [redacted]
 *   < HTTP/1.1 200 OK
 *   * sent 0 bytes, received 512 bytes
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static void print_lines(const char *prefix, const char *text, size_t len) {
  const char *p = text, *end = text + len;
  while (p < end) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    const char *eol = nl ? nl : end;
    size_t n = (size_t)(eol - p);
    if (n > 0 && p[n - 1] == '\r')
      n--;
    if (n > 0)
      fprintf(stderr, "%s%.*s\n", prefix, (int)n, p);
    p = nl ? nl + 1 : end;
  }
}

static void on_debug(void *userdata, coreapi_debug_type type, const char *text, size_t len) {
  (void)userdata;
  switch (type) {
  case COREAPI_DEBUG_INFO:
  case COREAPI_DEBUG_BODY_SIZE:
    print_lines("* ", text, len);
    break;
  case COREAPI_DEBUG_HEADER_OUT:
    print_lines("> ", text, len);
    break;
  case COREAPI_DEBUG_HEADER_IN:
    print_lines("< ", text, len);
    break;
  }
  fflush(stderr);
}

void cli_debug_attach(const cli_options *opts, coreapi_client *client) {
  (void)opts;
  coreapi_client_set_debug(client, on_debug, NULL, NULL);
}
