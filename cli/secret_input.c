/*
 * cli/secret_input.c - reading a secret the user gives: a line of standard
 * input (--password-stdin and friends: never argv), or typed at a prompt on
 * the terminal without echo.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli.h"

/* Read one line (without its line ending) from fd; a new string, or NULL
 * (error printed) out of memory or for a line with a NUL byte, which would
 * cut the secret short unseen. */
static char *read_line(int fd) {
  size_t cap = 128, n = 0;
  char *buf = malloc(cap);
  char c;
  if (buf == NULL)
    return cli_error("out of memory"), NULL;
  for (;;) {
    ssize_t r = read(fd, &c, 1);
    if (r < 0 && errno == EINTR)
      continue;
    if (r <= 0 || c == '\n')
      break;
    if (c == '\0') {
      cli_wipe(buf, n);
      free(buf);
      cli_error("the secret read contains a NUL byte; refusing it");
      return NULL;
    }
    if (n + 2 > cap) {
      char *nb = malloc(cap * 2);
      if (nb == NULL) {
        cli_wipe(buf, n);
        free(buf);
        cli_error("out of memory");
        return NULL;
      }
      memcpy(nb, buf, n);
      cli_wipe(buf, n);
      free(buf);
      buf = nb;
      cap *= 2;
    }
    buf[n++] = c;
  }
  if (n > 0 && buf[n - 1] == '\r')
    n--;
  buf[n] = '\0';
  return buf;
}

/* Prompt on the terminal without echo. NULL (error printed) without one. */
static char *prompt_secret(const char *prompt) {
  int fd = open("/dev/tty", O_RDWR | O_NOCTTY);
  struct termios old, quiet;
  char *line;
  if (fd < 0 || tcgetattr(fd, &old) != 0) {
    if (fd >= 0)
      close(fd);
    cli_error("no terminal to prompt for the password on; use --password-stdin");
    return NULL;
  }
  quiet = old;
  quiet.c_lflag &= ~(tcflag_t)ECHO;
  quiet.c_lflag |= ICANON;
  if (write(fd, prompt, strlen(prompt)) < 0) {
    /* the prompt is a courtesy */
  }
  tcsetattr(fd, TCSAFLUSH, &quiet);
  line = read_line(fd);
  tcsetattr(fd, TCSAFLUSH, &old);
  if (write(fd, "\n", 1) < 0) {
    /* as above */
  }
  close(fd);
  return line;
}

/* A secret from stdin, or prompted for on the terminal: a new string (free
 * with cli_free_secret), or NULL (error printed) with *code set. */
char *cli_read_secret(int from_stdin, const char *prompt, int *code) {
  char *secret = from_stdin ? read_line(STDIN_FILENO) : prompt_secret(prompt);
  if (secret == NULL)
    *code = CLI_USAGE;
  return secret;
}
