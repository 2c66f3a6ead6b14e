/*
 * cli/secret_input.c - reading a secret the user gives: from standard input
 * (--token-stdin, --password-stdin, --key-stdin, --value-stdin,
 * --client-secret-stdin: never argv), or typed at a prompt on the terminal
 * without echo.
 *
 * Standard input, read once, at most CLI_SECRET_STDIN_MAX bytes:
 *   one secret from it (the usual case): all of it is the secret, one final
 *     line ending (LF or CRLF) removed;
 *   two secrets (`--oauth2 password --client-secret-stdin --password-stdin`,
 *     announced with cli_secret_stdin_expect(2)): one line each, in the order
 *     they are read, the last line's ending optional; a third line is refused.
 * A secret that then is empty or still holds CR, LF, NUL or another control
 * character (bytes 0x00-0x1f, 0x7f) is refused with exit status 2, before
 * anything is stored or sent, and the message never shows the secret: an
 * "abc\r\nX-Evil: 1" read as a token is an error, not "abc" with the rest
 * dropped. Every buffer that held a secret is wiped before it is freed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli.h"

#define CLI_SECRET_STDIN_MAX 65536

static int stdin_expected = 1; /* secrets this invocation reads from stdin */
static int stdin_read;         /* stdin was read (it is read once) */
static char *stdin_pending;    /* the second secret of two, until asked for */

void cli_secret_stdin_expect(int count) {
  stdin_expected = count == 2 ? 2 : 1;
}

/* Free a buffer of cap bytes that may hold a secret, wiping all of it. */
static void wipe_free(char *buf, size_t cap) {
  if (buf != NULL)
    cli_wipe(buf, cap);
  free(buf);
}

/* Read one line (without its line ending) from fd, the terminal; a new
 * string, or NULL (error printed) out of memory or for a line with a NUL
 * byte, which would cut the secret short unseen. */
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
      wipe_free(buf, cap);
      cli_error("the secret read contains a NUL byte; refusing it");
      return NULL;
    }
    if (n + 2 > cap) {
      char *nb = malloc(cap * 2);
      if (nb == NULL) {
        wipe_free(buf, cap);
        cli_error("out of memory");
        return NULL;
      }
      memcpy(nb, buf, n);
      wipe_free(buf, cap);
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

/* All of standard input: a buffer of CLI_SECRET_STDIN_MAX + 1 bytes (wipe
 * all of it), the length in *len; NULL (error printed) with *code set when
 * it cannot be read or holds more than CLI_SECRET_STDIN_MAX bytes. */
static char *read_stdin(size_t *len, int *code) {
  char *buf = malloc(CLI_SECRET_STDIN_MAX + 1);
  size_t n = 0;
  if (buf == NULL) {
    cli_error("out of memory");
    *code = CLI_OTHER;
    return NULL;
  }
  for (;;) {
    ssize_t r = read(STDIN_FILENO, buf + n, CLI_SECRET_STDIN_MAX + 1 - n);
    if (r < 0 && errno == EINTR)
      continue;
    if (r < 0) {
      cli_error("cannot read the secret from standard input: %s", strerror(errno));
      *code = CLI_OTHER;
      break;
    }
    n += (size_t)r;
    if (r == 0 && n <= CLI_SECRET_STDIN_MAX) {
      *len = n;
      return buf;
    }
    if (n > CLI_SECRET_STDIN_MAX) {
      cli_error("standard input holds more than %d bytes (64 KiB): too long for a secret; "
                "refusing it (nothing stored)",
                CLI_SECRET_STDIN_MAX);
      *code = CLI_USAGE;
      break;
    }
  }
  wipe_free(buf, CLI_SECRET_STDIN_MAX + 1);
  return NULL;
}

/* The length of s[0..n) without one final LF or CRLF. */
static size_t without_line_end(const char *s, size_t n) {
  if (n > 0 && s[n - 1] == '\n') {
    n--;
    if (n > 0 && s[n - 1] == '\r')
      n--;
  }
  return n;
}

/* Is the secret s[0..n) acceptable? 0, or -1 with the reason printed (never
 * the secret). what names it: "the secret", "line 1 (the client secret)". */
static int check_secret(const char *s, size_t n, const char *what) {
  const char *reason = NULL;
  if (n == 0)
    reason = "is empty";
  for (size_t i = 0; i < n && reason == NULL; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c == '\0')
      reason = "holds a NUL byte";
    else if (c == '\r' || c == '\n')
      reason = stdin_expected == 1 ? "holds a line break (CR or LF) before its end: standard "
                                     "input must hold the secret alone, with at most one "
                                     "final newline"
                                   : "holds a CR";
    else if (c < 0x20 || c == 0x7f)
      reason = "holds a control character";
  }
  if (reason == NULL)
    return 0;
  cli_error("%s read from standard input %s; refusing it (nothing stored)", what, reason);
  return -1;
}

/* A new string of s[0..n) (cli_free_secret), or NULL (error printed). */
static char *secret_dup(const char *s, size_t n) {
  char *copy = malloc(n + 1);
  if (copy == NULL)
    return cli_error("out of memory"), NULL;
  memcpy(copy, s, n);
  copy[n] = '\0';
  return copy;
}

/* Two secrets, one a line, from buf[0..n): the first returned, the second
 * kept in stdin_pending. NULL (error printed) when there are not exactly
 * two acceptable lines. */
static char *split_two(const char *buf, size_t n) {
  const char *lf = memchr(buf, '\n', n);
  size_t first, second;
  char *one;
  if (lf == NULL || lf + 1 == buf + n) {
    cli_error("standard input holds one line; two were expected (the client secret, then the "
              "password, one a line); refusing it (nothing stored)");
    return NULL;
  }
  first = without_line_end(buf, (size_t)(lf - buf) + 1);
  second = without_line_end(lf + 1, n - (size_t)(lf + 1 - buf));
  if (memchr(lf + 1, '\n', second) != NULL) {
    cli_error("standard input holds more than two lines; two were expected (the client "
              "secret, then the password); refusing it (nothing stored)");
    return NULL;
  }
  if (check_secret(buf, first, "line 1 (the first secret)") != 0 ||
      check_secret(lf + 1, second, "line 2 (the second secret)") != 0)
    return NULL;
  if ((one = secret_dup(buf, first)) == NULL)
    return NULL;
  if ((stdin_pending = secret_dup(lf + 1, second)) == NULL) {
    cli_free_secret(one);
    return NULL;
  }
  return one;
}

/* The secret (or the first of two) from standard input, by the rules at
 * the top; NULL (error printed) with *code set. */
static char *stdin_secret(int *code) {
  size_t n = 0, len;
  char *buf, *secret = NULL;
  if (stdin_pending != NULL) {
    secret = stdin_pending;
    stdin_pending = NULL;
    return secret;
  }
  if (stdin_read) {
    cli_error("standard input was read already: it holds one secret");
    *code = CLI_USAGE;
    return NULL;
  }
  stdin_read = 1;
  if ((buf = read_stdin(&n, code)) == NULL)
    return NULL;
  *code = CLI_USAGE;
  if (stdin_expected == 2) {
    secret = split_two(buf, n);
  } else {
    len = without_line_end(buf, n);
    if (check_secret(buf, len, "the secret") == 0)
      secret = secret_dup(buf, len);
  }
  wipe_free(buf, CLI_SECRET_STDIN_MAX + 1);
  return secret;
}

/* A secret from stdin, or prompted for on the terminal: a new string (free
 * with cli_free_secret), or NULL (error printed) with *code set. */
char *cli_read_secret(int from_stdin, const char *prompt, int *code) {
  char *secret;
  if (from_stdin)
    return stdin_secret(code);
  if ((secret = prompt_secret(prompt)) == NULL)
    *code = CLI_USAGE;
  return secret;
}
