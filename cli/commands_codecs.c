/*
 * commands_codecs.c - `coreapi codecs show`: the codecs responses are decoded
 * with, in order of preference, and the media types each one decodes
 * (coreapi_codec_media_types).
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char codecs_help[] =
    "Usage: coreapi codecs COMMAND\n"
    "\n"
    "  Manage the installed codecs.\n"
    "\n"
    "Commands:\n"
    "  show    list the installed codecs\n";

int cmd_codecs(cli_options *opts, int argc, char **argv) {
  static const char *const formats[] = {"corejson", "openapi", "json", "text", "download"};
  if (argc >= 2 && (cli_is_help(argv[1]) || (argc > 2 && !strcmp(argv[2], "--help"))))
    return cli_help(codecs_help);
  if (argc != 2 || strcmp(argv[1], "show") != 0) {
    if (argc < 2) {
      fputs(codecs_help, stderr);
      return CLI_USAGE;
    }
    return cli_usage("codecs", "no such command: %s", argv[1]);
  }
  cli_heading(opts, "Codecs");
  for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
    const char *const *types = coreapi_codec_media_types(formats[i]);
    printf("%-8s ", formats[i]);
    for (size_t j = 0; types != NULL && types[j] != NULL; j++)
      printf("%s%s", j ? ", " : "", types[j]);
    putchar('\n');
  }
  return CLI_OK;
}
