/*
 * output.c - what the tool prints: values as the reference command-line
 * client prints them (documents in the display format of coreapi_display_encode,
 * plain data as json.dumps(indent=4, ensure_ascii=False) writes it, strings as
 * they are), and errors as "coreapi: <message>" with the documented exit code.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

void cli_put_visible(FILE *f, const char *s, int keep_newlines) {
  for (const unsigned char *p = (const unsigned char *)s; p != NULL && *p; p++) {
    if (*p == '\n' && keep_newlines)
      fputc('\n', f);
    else if (*p < 0x20 || *p == 0x7f)
      fprintf(f, "\\x%02x", *p);
    else if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
      fprintf(f, "\\u%04x", *++p);
    else
      fputc(*p, f);
  }
}

/* A message may quote a server (an Error's title, a Location refused):
 * its control characters are shown, never sent to the terminal. */
void cli_verror(const char *fmt, va_list ap) {
  char text[4096];
  fflush(stdout);
  fputs("coreapi: ", stderr);
  vsnprintf(text, sizeof(text), fmt, ap);
  cli_put_visible(stderr, text, 0);
}

void cli_printf_visible(const char *fmt, ...) {
  char text[8192];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(text, sizeof(text), fmt, ap);
  va_end(ap);
  cli_put_visible(stdout, text, 1);
}

void cli_error(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  cli_verror(fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
}

int cli_exit_code(coreapi_code code) {
  switch (code) {
  case COREAPI_OK:
    return CLI_OK;
  case COREAPI_ERR_ERROR_RESPONSE:
    return CLI_ERROR_RESPONSE;
  case COREAPI_ERR_INVALID_ARGUMENT:
  case COREAPI_ERR_BAD_URL:
  case COREAPI_ERR_UNSUPPORTED_SCHEME:
  case COREAPI_ERR_BAD_DOMAIN:
  case COREAPI_ERR_BAD_CREDENTIALS:
  case COREAPI_ERR_BAD_HEADER:
  case COREAPI_ERR_NOT_FOUND:
  case COREAPI_ERR_LINK_LOOKUP:
  case COREAPI_ERR_PARAMETER:
    return CLI_USAGE;
  case COREAPI_ERR_RESOLVE:
  case COREAPI_ERR_CONNECT:
  case COREAPI_ERR_TIMEOUT:
  case COREAPI_ERR_TLS:
  case COREAPI_ERR_NETWORK:
  case COREAPI_ERR_TOO_MANY_REDIRECTS:
  case COREAPI_ERR_BAD_REDIRECT:
    return CLI_NETWORK;
  case COREAPI_ERR_OUT_OF_MEMORY:
  case COREAPI_ERR_AUTH:
  case COREAPI_ERR_IO:
  case COREAPI_ERR_INTERNAL:
  case COREAPI_ERR_PARSE:
  case COREAPI_ERR_NO_CODEC:
  case COREAPI_ERR_TOO_LARGE:
  case COREAPI_ERR_ABORTED:
  case COREAPI_ERR_OAUTH: /* the authorization server refused: exit 4 with its reason */
  case COREAPI__CODE_LAST:
    return CLI_OTHER;
  }
  return CLI_OTHER;
}

static void write_out(const char *s, size_t len) {
  fwrite(s, 1, len, stdout);
  if (len == 0 || s[len - 1] != '\n')
    fputc('\n', stdout);
}

/* An encoder's text (len bytes) on stdout, then freed; NULL: its error. */
static int print_encoded(char *text, size_t len, const coreapi_error *err) {
  if (text == NULL) {
    cli_error("%s", err->text);
    return cli_exit_code(err->code);
  }
  write_out(text, len);
  free(text);
  return CLI_OK;
}

/* --output json or corejson: the node as one value on stdout, exact (a
 * null for no result). */
static int print_machine(const cli_options *opts, const coreapi_node *node) {
  coreapi_error err;
  size_t len = 0;
  if (node == NULL) {
    puts("null");
    return CLI_OK;
  }
  char *text = opts->output == CLI_OUTPUT_COREJSON ? coreapi_corejson_encode(node, 0, &len, &err)
                                                   : coreapi_json_encode(node, -1, 0, &len, &err);
  return print_encoded(text, len, &err);
}

int cli_print_node(const cli_options *opts, const coreapi_node *node, int display_all) {
  coreapi_error err;
  size_t len;
  char *text = NULL;
  coreapi_node_type t = coreapi_node_type_of(node);
  if (opts->output != CLI_OUTPUT_DISPLAY)
    return print_machine(opts, node);
  if (node == NULL) {
    fputc('\n', stdout); /* the reference echoes '' for an empty result */
    return CLI_OK;
  }
  if (t == COREAPI_NODE_STRING) {
    const char *s = coreapi_string_value(node, &len);
    write_out(s, len);
    return CLI_OK;
  }
  if (t == COREAPI_NODE_DOCUMENT || t == COREAPI_NODE_ERROR ||
      (display_all && (t == COREAPI_NODE_OBJECT || t == COREAPI_NODE_ARRAY ||
                       t == COREAPI_NODE_LINK)))
    text = coreapi_display_encode(node, opts->color, &len, &err);
  else
    text = coreapi_json_encode(node, 4, 0, &len, &err);
  return print_encoded(text, len, &err);
}

int cli_print_result(const cli_options *opts, const coreapi_result *result) {
  if (result->file != NULL && opts->output != CLI_OUTPUT_DISPLAY) {
    coreapi_node *path = coreapi_string_new(result->file, strlen(result->file), NULL);
    int code = path != NULL ? print_machine(opts, path) : CLI_OTHER;
    coreapi_node_free(path);
    return code;
  }
  if (result->file != NULL) {
    printf("%s\n", result->file);
    return CLI_OK;
  }
  return cli_print_node(opts, result->node, 0);
}

int cli_report(const cli_options *opts, const coreapi_result *result, const coreapi_error *err) {
  int code = cli_exit_code(err->code);
  const coreapi_node *node = result ? result->node : NULL;
  if (err->code == COREAPI_ERR_ERROR_RESPONSE && node != NULL) {
    cli_print_node(opts, node, 1);
    return code;
  }
  if (err->code == COREAPI_ERR_PARAMETER && coreapi_map_size(node) > 0) {
    cli_error("%s", err->text[0] ? err->text : coreapi_strerror(err->code));
    for (size_t i = 0, n = coreapi_map_size(node); i < n; i++) {
      const char *key;
      const coreapi_node *v = coreapi_map_entry_inserted(node, i, &key, NULL);
      const char *msg = coreapi_string_value(v, NULL);
      fprintf(stderr, "  %s: %s\n", key, msg ? msg : "invalid");
    }
    return code;
  }
  cli_error("%s", err->text[0] ? err->text : coreapi_strerror(err->code));
  return code;
}

void cli_heading(const cli_options *opts, const char *text) {
  if (opts->color)
    printf("\x1b[1m%s\x1b[0m\n", text);
  else
    printf("%s\n", text);
}
