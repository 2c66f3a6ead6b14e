/*
 * usage.c - what every command prints for --help and for a usage error,
 * shared by main.c and the commands (so that they do not depend on main.c).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

int cli_is_help(const char *arg) { return strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0; }

int cli_help(const char *text) {
  fputs(text, stdout);
  return CLI_OK;
}

int cli_usage(const char *command, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  cli_verror(fmt, ap);
  va_end(ap);
  fprintf(stderr, "\nTry `coreapi %s%s--help`.\n", command ? command : "",
          command ? " " : "");
  return CLI_USAGE;
}
