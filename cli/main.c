/*
 * main.c - the coreapi command-line tool: global options, the command table,
 * help and exit codes. The commands are those of the reference command-line
 * client (coreapi-cli 1.0.9), with every authentication scheme of the library
 * added to `credentials`.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static const char main_help[] =
    "Usage: coreapi [GLOBAL OPTIONS] COMMAND [ARGS]...\n"
    "\n"
    "  Command line client for interacting with Core API services.\n"
    "\n"
    "Global options (before the command):\n"
    "  --config-dir DIR        where state is kept (default $COREAPI_CONFIG_DIR, else\n"
    "                          $XDG_CONFIG_HOME/coreapi, else ~/.coreapi)\n"
    "  --resolve HOST:PORT:ADDRESS\n"
    "                          resolve HOST:PORT to ADDRESS, as curl --resolve\n"
    "                          (repeatable)\n"
    "  --cacert FILE           trust only the CA certificates in FILE (PEM)\n"
    "  --cert FILE [--key FILE]\n"
    "                          a client certificate for mutual TLS (PEM; the key\n"
    "                          in FILE too when --key is left out)\n"
    "  -k, --insecure          do not check TLS certificates and host names (said\n"
    "                          loudly: anyone on the way can read and change it)\n"
    "  --proxy URL             the proxy (http, https, socks4, socks5, socks5h);\n"
    "                          without it, libcurl's http_proxy, https_proxy,\n"
    "                          all_proxy and no_proxy variables apply; \"\": none\n"
    "  --timeout SECONDS       give up on a request after SECONDS (default 30)\n"
    "  -o, --output display|json|corejson\n"
    "                          how a result is printed: the display (default),\n"
    "                          plain JSON (a document as its data, links as {})\n"
    "                          or compact Core JSON; one value on stdout, errors\n"
    "                          on stderr (an error response's body on stdout)\n"
    "  --max-filesize BYTES    fail a download whose body is larger (default 1G;\n"
    "                          suffixes k, m, g: KiB, MiB, GiB; 0: no limit); no\n"
    "                          file is left behind\n"
    "  --netrc                 send the login and password of ~/.netrc (or $NETRC)\n"
    "                          for the request's host (HTTP Basic)\n"
    "  --netrc-file FILE       the same with the netrc file FILE\n"
    "  --debug                 show each request and response (secrets redacted)\n"
    "                          and which credential each hop used, on stderr\n"
    "  --no-color              no colour, even on a terminal\n"
    "  --version               print the version and exit\n"
    "  --help                  print this help and exit\n"
    "\n"
    "Commands:\n"
    "  get URL                 fetch a document from the given URL\n"
    "  show [PATH]...          display the current document, or the element at PATH\n"
    "  describe PATH...        display the description of the link at PATH\n"
    "  security                list the document's security schemes (OpenAPI)\n"
    "  action PATH...          interact with the current document through a link\n"
    "  reload                  reload the current document\n"
    "  load FILE               load a document from disk\n"
    "  dump                    write the current document to stdout (Core JSON)\n"
    "  clear                   clear the document, history, credentials, headers,\n"
    "                          bookmarks and cookies\n"
    "  credentials             show|add|remove|which: request credentials per domain\n"
    "  headers                 show|add|remove: custom request headers\n"
    "  bookmarks               show|add|remove|get: bookmarked documents\n"
    "  history                 show|back|forward: navigate the document history\n"
    "  codecs                  show: the codecs documents are decoded with\n"
    "  completion SHELL        print the completion script for bash, zsh or fish\n"
    "\n"
    "Run `coreapi COMMAND --help` for a command's options.\n"
    "\n"
    "Exit codes:\n"
    "  0  success\n"
    "  1  the server returned an error response (the Error is printed)\n"
    "  2  usage error or invalid input\n"
    "  3  network or TLS failure\n"
    "  4  anything else (files, parse errors, ...)\n";

static const struct {
  const char *name;
  cli_command_fn fn;
} commands[] = {
    {"get", cmd_get},
    {"show", cmd_show},
    {"describe", cmd_describe},
    {"security", cmd_security},
    {"action", cmd_action},
    {"reload", cmd_reload},
    {"load", cmd_load},
    {"dump", cmd_dump},
    {"clear", cmd_clear},
    {"credentials", cmd_credentials},
    {"headers", cmd_headers},
    {"bookmarks", cmd_bookmarks},
    {"history", cmd_history},
    {"codecs", cmd_codecs},
    {"completion", cmd_completion},
    {"__complete", cmd_complete},
};

/* Run the command argv[0] with its arguments; -1 when there is none of that
 * name. A command's --help needs no state. */
static int run_command(cli_options *opts, int argc, char **argv) {
  for (size_t c = 0; c < sizeof(commands) / sizeof(commands[0]); c++) {
    int wants_help = 0, rc;
    if (strcmp(argv[0], commands[c].name) != 0)
      continue;
    for (int j = 1; j < argc; j++)
      if (cli_is_help(argv[j]))
        wants_help = 1;
    /* Completion reads what state there is; it never makes a directory. */
    if (strcmp(argv[0], "__complete") == 0)
      return cmd_complete(opts, argc, argv);
    if (!wants_help && strcmp(argv[0], "completion") != 0 &&
        (rc = cli_state_init(opts)) != CLI_OK)
      return rc;
    return commands[c].fn(opts, argc, argv);
  }
  return -1;
}

/* The value of an option given as "--opt VALUE" or "--opt=VALUE". */
static const char *option_value(const char *name, int argc, char **argv, int *i) {
  size_t n = strlen(name);
  if (strncmp(argv[*i], name, n) == 0 && argv[*i][n] == '=')
    return argv[*i] + n + 1;
  if (strcmp(argv[*i], name) == 0) {
    if (*i + 1 >= argc)
      return NULL;
    return argv[++*i];
  }
  return NULL;
}

/* A --max-filesize value: decimal digits, then optionally k, m or g (KiB,
 * MiB, GiB, as curl's); 0 is no limit. Returns 0, or -1 when it is not such
 * a number or does not fit in 63 bits. */
static int parse_size(const char *s, int64_t *out) {
  int64_t v = 0, unit = 1;
  const char *p = s;
  for (; *p >= '0' && *p <= '9'; p++) {
    if (v > (INT64_MAX - (*p - '0')) / 10)
      return -1;
    v = v * 10 + (*p - '0');
  }
  if (p == s)
    return -1;
  if (*p != '\0') {
    const char *units = "kKmMgG", *u = strchr(units, *p);
    if (u == NULL || p[1] != '\0')
      return -1;
    unit = (int64_t)1 << (10 * (1 + (u - units) / 2));
  }
  if (v > INT64_MAX / unit)
    return -1;
  *out = v * unit;
  return 0;
}

static int is_option(const char *arg, const char *name) {
  size_t n = strlen(name);
  return strncmp(arg, name, n) == 0 && (arg[n] == '\0' || arg[n] == '=');
}

/* The transport options (--timeout, --proxy, --cert, --key, --insecure)
 * at argv[*next] into opts: 1 taken, 0 not one of them, or an exit code
 * (a usage error) + 2, so that 0 and 1 stay free. */
static int transport_option(int argc, char **argv, cli_options *opts, int *next) {
  static const char *const valued[] = {"--timeout", "--proxy", "--cert", "--key"};
  const char *a = argv[*next], *v;
  char *end;
  if (strcmp(a, "--insecure") == 0 || strcmp(a, "-k") == 0) {
    opts->insecure = 1;
    return 1;
  }
  if (is_option(a, "--output") || strcmp(a, "-o") == 0) {
    static const char *const outputs[] = {"display", "json", "corejson"};
    v = strcmp(a, "-o") == 0 ? (*next + 1 < argc ? argv[++*next] : NULL)
                             : option_value("--output", argc, argv, next);
    for (int k = 0; v != NULL && k < 3; k++)
      if (strcmp(v, outputs[k]) == 0) {
        opts->output = k;
        return 1;
      }
    return cli_usage(NULL, "--output must be display, json or corejson") + 2;
  }
  for (size_t k = 0; k < sizeof(valued) / sizeof(valued[0]); k++) {
    if (!is_option(a, valued[k]))
      continue;
    if ((v = option_value(valued[k], argc, argv, next)) == NULL)
      return cli_usage(NULL, "option %s needs a value", valued[k]) + 2;
    if (k == 0) {
      double seconds = strtod(v, &end);
      if (end == v || *end != '\0' || !(seconds > 0) || seconds > 86400)
        return cli_usage(NULL, "--timeout: %s is not a number of seconds (0 < S <= 86400)",
                         v) + 2;
      opts->timeout_ms = (long)(seconds * 1000 + 0.5);
    } else {
      *(k == 1 ? &opts->proxy : k == 2 ? &opts->cert : &opts->key) = v;
    }
    return 1;
  }
  return 0;
}

/* Read the global options into opts, *config_dir and *no_color; *next
 * becomes the index of the command. Returns -1 to go on, or the exit code
 * (help, version, a usage error). */
static int parse_globals(int argc, char **argv, cli_options *opts, const char **config_dir,
                         int *no_color, int *next) {
  for (*next = 1; *next < argc && argv[*next][0] == '-'; ++*next) {
    const char *a = argv[*next];
    if (cli_is_help(a)) {
      return cli_help(main_help);
    } else if (strcmp(a, "--version") == 0) {
      printf("coreapi version %s\n", coreapi_version());
      return CLI_OK;
    } else if (strcmp(a, "--debug") == 0) {
      opts->debug = 1;
    } else if (strcmp(a, "--no-color") == 0) {
      *no_color = 1;
    } else if (strcmp(a, "--netrc") == 0) {
      opts->netrc = 1;
    } else if (strncmp(a, "--netrc=", 8) == 0) {
      return cli_usage(NULL, "--netrc takes no value (it reads $NETRC or ~/.netrc); "
                             "name a file with --netrc-file FILE");
    } else if (is_option(a, "--netrc-file")) {
      if ((opts->netrc_file = option_value("--netrc-file", argc, argv, next)) == NULL)
        goto missing;
    } else if (is_option(a, "--config-dir")) {
      if ((*config_dir = option_value("--config-dir", argc, argv, next)) == NULL)
        goto missing;
    } else if (is_option(a, "--resolve")) {
      const char *v = option_value("--resolve", argc, argv, next);
      if (v == NULL)
        goto missing;
      opts->resolve[opts->resolve_count++] = v;
    } else if (is_option(a, "--cacert")) {
      if ((opts->cacert = option_value("--cacert", argc, argv, next)) == NULL)
        goto missing;
    } else if (is_option(a, "--max-filesize")) {
      const char *v = option_value("--max-filesize", argc, argv, next);
      if (v == NULL)
        goto missing;
      if (parse_size(v, &opts->max_filesize) != 0)
        return cli_usage(NULL, "--max-filesize: %s is not a size in bytes (e.g. 0, 5000, 10m, 2g)",
                         v);
    } else if (strcmp(a, "--") == 0) {
      ++*next;
      break;
    } else {
      int t = transport_option(argc, argv, opts, next);
      if (t == 0)
        return cli_usage(NULL, "no such option: %s", a);
      if (t > 1)
        return t - 2;
    }
  }
  return -1;

missing:
  return cli_usage(NULL, "option %s needs a value", argv[*next]);
}

int main(int argc, char **argv) {
  cli_options opts;
  const char *config_dir = NULL;
  int no_color = 0, i, rc;
  char *dir = NULL;
  memset(&opts, 0, sizeof(opts));
  opts.max_filesize = -1;
  opts.timeout_ms = -1;
  opts.resolve = calloc((size_t)argc, sizeof(*opts.resolve));
  if (opts.resolve == NULL)
    return CLI_OTHER;

  if ((rc = parse_globals(argc, argv, &opts, &config_dir, &no_color, &i)) >= 0) {
    free(opts.resolve);
    return rc;
  }
  if (i >= argc) {
    fputs(main_help, stderr);
    free(opts.resolve);
    return CLI_USAGE;
  }

  dir = config_dir ? strdup(config_dir) : cli_config_dir_default();
  if (dir == NULL || dir[0] == '\0') {
    cli_error("no config directory: set --config-dir, COREAPI_CONFIG_DIR or HOME");
    free(dir);
    free(opts.resolve);
    return CLI_USAGE;
  }
  opts.config_dir = dir;
  opts.color = !no_color && isatty(STDOUT_FILENO) && getenv("NO_COLOR") == NULL;

  rc = run_command(&opts, argc - i, argv + i);
  if (rc < 0)
    rc = cli_usage(NULL, "no such command: %s", argv[i]);
  rc = cli_state_exit_code(rc); /* e.g. the cookie jar not saved after the command */
  fflush(stdout);
  free(dir);
  free(opts.resolve);
  return rc;
}
