/*
 * secret_store.c - secrets kept by a git credential helper instead of the
 * credentials file (gitcredentials(7), git-credential(1)).
 *
 * A credential's store is "file" (the secret in credentials.json, the
 * default) or "helper:SPEC". SPEC follows git's credential.helper rules
 * exactly (git's credential.c, credential_do and run_credential_helper):
 *   "!CMD"       the rest, CMD, is a shell snippet;
 *   "/path ..."  an absolute path is the command as written;
 *   "NAME ..."   anything else becomes "git credential-NAME ...";
 * then " ACTION" (get, store, erase) is appended and the result runs as git's
 * use_shell runs it: /bin/sh -c "COMMAND ACTION" "COMMAND ACTION".
 *
 * The request is the git credential protocol on the helper's stdin, one
 * key=value line each, a blank line, then end of file:
 *   protocol=https
 *   host=<the domain pattern as normalised: api.test, *.example.com, *>
 *   path=coreapi/<field>        (basic, token, header, apikey, ...)
 *   username=<user>             (Basic's username, else the kind's name)
 *   password=<secret>           (store only)
 * For get, the helper's stdout is read the way git reads it (key=value lines
 * up to a blank line or end of file; password= is the secret, other keys are
 * ignored; a line without "=" is an error). For store and erase the helper's
 * stdout is /dev/null, as git has it; its stderr is ours.
 *
 * Secrets travel only on the two pipes, never in argv or the environment. A
 * value holding a newline or a carriage return is refused before anything
 * runs (C strings hold no NUL), so no value can add a line of its own. The
 * helper runs in its own process group with only the pipes open (every other
 * descriptor closed, signals at their defaults); it must finish within
 * CLI_SECRET_TIMEOUT_MS, or the group is killed; its answer is limited to
 * CLI_SECRET_ANSWER_MAX bytes; SIGPIPE is ignored while we write to it.
 * Buffers that held a secret are wiped.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

#define HELPER_PREFIX "helper:"
#define SHELL_PATH "/bin/sh"

/* One run of a helper: the action, what it was given, what it answered. */
typedef struct helper_run {
  const char *spec;   /* SPEC */
  char name[84];      /* SPEC for messages: its first 80 bytes, "..." when cut */
  const char *action; /* get, store, erase */
  pid_t pid;
  int in_fd;    /* our end of its stdin, -1 once closed */
  int out_fd;   /* our end of its stdout (get only), -1 once closed */
  char *answer; /* CLI_SECRET_ANSWER_MAX + 1 bytes (get only) */
  size_t answer_len;
  struct timespec deadline;
} helper_run;

const char *cli_secret_helper(const char *store) {
  if (store == NULL || strncmp(store, HELPER_PREFIX, strlen(HELPER_PREFIX)) != 0)
    return NULL;
  return store + strlen(HELPER_PREFIX);
}

int cli_secret_store_check(const char *store, coreapi_error *err) {
  const char *spec = cli_secret_helper(store);
  coreapi_error_clear(err);
  if (store != NULL && strcmp(store, "file") == 0)
    return 0;
  if (spec == NULL) {
    coreapi_error_set(err, COREAPI_ERR_INVALID_ARGUMENT,
                      "the store must be \"file\" or \"helper:SPEC\", not \"%.80s\"",
                      store ? store : "");
    return -1;
  }
  if (spec[strspn(spec, " \t")] == '\0' || strcmp(spec, "!") == 0) {
    coreapi_error_set(err, COREAPI_ERR_INVALID_ARGUMENT,
                      "the store \"%.80s\" names no credential helper", store);
    return -1;
  }
  return 0;
}

/* The command git runs for spec and action (credential_do): a new string. */
static char *helper_command(const char *spec, const char *action) {
  const char *prefix = spec[0] == '!' || spec[0] == '/' ? "" : "git credential-";
  const char *body = spec[0] == '!' ? spec + 1 : spec;
  size_t len;
  char *cmd;
  len = strlen(prefix) + strlen(body) + 1 + strlen(action) + 1;
  if ((cmd = malloc(len)) != NULL)
    snprintf(cmd, len, "%s%s %s", prefix, body, action);
  return cmd;
}

/* Refuse a protocol value that could end its line or is missing. */
static int check_value(const char *key, const char *value, int required, coreapi_error *err) {
  if (value == NULL || (required && value[0] == '\0')) {
    coreapi_error_set(err, COREAPI_ERR_BAD_CREDENTIALS,
                      "credential helper: the %s is missing or empty", key);
    return -1;
  }
  if (strpbrk(value, "\r\n") != NULL) {
    coreapi_error_set(err, COREAPI_ERR_BAD_CREDENTIALS,
                      "the %s contains a line break; it cannot be given to a credential helper",
                      key);
    return -1;
  }
  return 0;
}

/* The request lines (a new string, wiped and freed by the caller), or NULL
 * with err set. field: [A-Za-z0-9_./-]+. */
static char *request_new(const char *domain, const char *field, const char *user,
                         const char *secret, size_t *len, coreapi_error *err) {
  size_t n;
  char *req;
  if (check_value("domain", domain, 1, err) || check_value("field", field, 1, err) ||
      check_value("username", user, 1, err) ||
      (secret != NULL && check_value("secret", secret, 1, err)))
    return NULL;
  if (field[strspn(field, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./-")]) {
    coreapi_error_set(err, COREAPI_ERR_INVALID_ARGUMENT, "bad secret field \"%.40s\"", field);
    return NULL;
  }
  n = strlen(domain) + strlen(field) + strlen(user) + (secret ? strlen(secret) : 0) + 80;
  if ((req = malloc(n)) == NULL) {
    coreapi_error_set(err, COREAPI_ERR_OUT_OF_MEMORY, NULL);
    return NULL;
  }
  *len = (size_t)snprintf(req, n, "protocol=https\nhost=%s\npath=coreapi/%s\nusername=%s\n%s%s%s\n",
                          domain, field, user, secret ? "password=" : "", secret ? secret : "",
                          secret ? "\n" : "");
  return req;
}

/* Milliseconds left until run->deadline (0 when past). */
static int ms_left(const helper_run *run) {
  struct timespec now;
  long long ms;
  clock_gettime(CLOCK_MONOTONIC, &now);
  ms = (long long)(run->deadline.tv_sec - now.tv_sec) * 1000 +
       (run->deadline.tv_nsec - now.tv_nsec) / 1000000;
  return ms < 0 ? 0 : (int)ms;
}

/* In the child: close every descriptor from 3 up (async-signal-safe only). */
static void close_from_3(long max_fd) {
#ifdef SYS_close_range
  if (syscall(SYS_close_range, 3U, ~0U, 0U) == 0)
    return;
#endif
  for (long fd = 3; fd < max_fd; fd++)
    close((int)fd);
}

/* In the child: the pipes as stdin and stdout, nothing else open, default
 * signals, its own process group; then the shell. Never returns. */
static void child_exec(const char *cmd, int in_fd, int out_fd, long max_fd) {
  struct sigaction dfl;
  sigset_t none;
  memset(&dfl, 0, sizeof(dfl));
  dfl.sa_handler = SIG_DFL;
  sigemptyset(&dfl.sa_mask);
  for (int s = 1; s < NSIG; s++)
    if (s != SIGKILL && s != SIGSTOP)
      sigaction(s, &dfl, NULL); /* an ignored SIGPIPE would survive exec */
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
  setpgid(0, 0);
  if (dup2(in_fd, STDIN_FILENO) < 0 || dup2(out_fd, STDOUT_FILENO) < 0)
    _exit(127);
  close_from_3(max_fd);
  execl(SHELL_PATH, SHELL_PATH, "-c", cmd, cmd, (char *)NULL);
  _exit(127);
}

static void close_fd(int *fd) {
  if (*fd >= 0)
    close(*fd);
  *fd = -1;
}

/* Start the helper: run->pid, in_fd, out_fd. 0, or -1 with err set. */
static int helper_start(helper_run *run, const char *cmd, coreapi_error *err) {
  int in[2] = {-1, -1}, out[2] = {-1, -1};
  long max_fd = sysconf(_SC_OPEN_MAX);
  int want_output = run->answer != NULL;
  if (max_fd < 0 || max_fd > 65536)
    max_fd = 65536;
  if (pipe(in) != 0 || (want_output ? pipe(out) : (out[1] = open("/dev/null", O_WRONLY))) < 0) {
    coreapi_error_set(err, COREAPI_ERR_IO, "credential helper \"%s\": %s", run->name,
                      strerror(errno));
    goto fail;
  }
  run->pid = fork();
  if (run->pid < 0) {
    coreapi_error_set(err, COREAPI_ERR_IO, "credential helper \"%s\": fork: %s", run->name,
                      strerror(errno));
    goto fail;
  }
  if (run->pid == 0) {
    close(in[1]);
    if (out[0] >= 0)
      close(out[0]);
    child_exec(cmd, in[0], out[1], max_fd);
  }
  setpgid(run->pid, run->pid); /* also here: no race with kill(-pid) */
  close(in[0]);
  close(out[1]);
  run->in_fd = in[1];
  run->out_fd = out[0];
  fcntl(run->in_fd, F_SETFD, FD_CLOEXEC);
  fcntl(run->in_fd, F_SETFL, O_NONBLOCK);
  if (run->out_fd >= 0) {
    fcntl(run->out_fd, F_SETFD, FD_CLOEXEC);
    fcntl(run->out_fd, F_SETFL, O_NONBLOCK);
  }
  return 0;
fail:
  close_fd(&in[0]);
  close_fd(&in[1]);
  close_fd(&out[0]);
  close_fd(&out[1]);
  return -1;
}

/* Write the request and read the answer until both pipes are done.
 * 0; 1 when the time ran out; 2 when the answer is too long. */
static int helper_exchange(helper_run *run, const char *req, size_t len) {
  size_t sent = 0;
  while (run->in_fd >= 0 || run->out_fd >= 0) {
    struct pollfd p[2] = {{run->in_fd, POLLOUT, 0}, {run->out_fd, POLLIN, 0}};
    int left = ms_left(run), r;
    if (left == 0)
      return 1;
    r = poll(p, 2, left);
    if (r < 0 && errno != EINTR)
      return 1;
    if (r <= 0)
      continue;
    if (run->in_fd >= 0 && p[0].revents != 0) {
      ssize_t w = write(run->in_fd, req + sent, len - sent);
      if (w > 0)
        sent += (size_t)w;
      /* EPIPE: it stopped reading, as git allows; its exit status decides. */
      if (sent == len || (w < 0 && errno != EAGAIN && errno != EINTR))
        close_fd(&run->in_fd);
    }
    if (run->out_fd >= 0 && p[1].revents != 0) {
      ssize_t n = read(run->out_fd, run->answer + run->answer_len,
                       CLI_SECRET_ANSWER_MAX + 1 - run->answer_len);
      if (n > 0 && (run->answer_len += (size_t)n) > CLI_SECRET_ANSWER_MAX)
        return 2;
      if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
        close_fd(&run->out_fd);
    }
  }
  return 0;
}

/* Wait for the helper to exit before the deadline; *status its wait status.
 * 0, or 1 when the time ran out. */
static int helper_wait(helper_run *run, int *status) {
  for (;;) {
    pid_t r = waitpid(run->pid, status, WNOHANG);
    if (r == run->pid)
      return 0;
    if (r < 0 && errno != EINTR) {
      *status = 127 << 8;
      return 0;
    }
    if (ms_left(run) == 0)
      return 1;
    poll(NULL, 0, 10);
  }
}

/* Kill the helper's process group and reap it. */
static void helper_kill(helper_run *run) {
  kill(-run->pid, SIGKILL);
  kill(run->pid, SIGKILL);
  while (waitpid(run->pid, NULL, 0) < 0 && errno == EINTR) {
  }
}

/* Run the helper for run->action with the request req: 0 when it exited 0
 * (for get, its answer in run->answer), else -1 with err set naming it. */
static int helper_run_request(helper_run *run, const char *req, size_t len,
                              coreapi_error *err) {
  struct sigaction ign, dfl, old_pipe, old_chld;
  int rc, status = 0;
  char *cmd = helper_command(run->spec, run->action);
  if (cmd == NULL)
    return coreapi_error_set(err, COREAPI_ERR_OUT_OF_MEMORY, NULL), -1;
  clock_gettime(CLOCK_MONOTONIC, &run->deadline);
  run->deadline.tv_sec += CLI_SECRET_TIMEOUT_MS / 1000;
  /* A write to a helper gone is EPIPE, not death; and its exit status is
   * ours to wait for even when SIGCHLD came to us ignored. */
  memset(&ign, 0, sizeof(ign));
  ign.sa_handler = SIG_IGN;
  sigemptyset(&ign.sa_mask);
  dfl = ign;
  dfl.sa_handler = SIG_DFL;
  sigaction(SIGPIPE, &ign, &old_pipe);
  sigaction(SIGCHLD, &dfl, &old_chld);
  rc = helper_start(run, cmd, err);
  free(cmd);
  if (rc != 0) {
    sigaction(SIGPIPE, &old_pipe, NULL);
    sigaction(SIGCHLD, &old_chld, NULL);
    return -1;
  }
  rc = helper_exchange(run, req, len);
  close_fd(&run->in_fd);
  close_fd(&run->out_fd);
  if (rc == 0)
    rc = helper_wait(run, &status);
  if (rc != 0)
    helper_kill(run);
  sigaction(SIGPIPE, &old_pipe, NULL);
  sigaction(SIGCHLD, &old_chld, NULL);
  if (rc == 1)
    coreapi_error_set(err, COREAPI_ERR_AUTH,
                      "credential helper \"%s\" (%s) did not finish within %d s; stopped it",
                      run->name, run->action, CLI_SECRET_TIMEOUT_MS / 1000);
  else if (rc == 2)
    coreapi_error_set(err, COREAPI_ERR_AUTH,
                      "credential helper \"%s\" (%s) answered more than %d bytes; stopped it",
                      run->name, run->action, CLI_SECRET_ANSWER_MAX);
  else if (WIFSIGNALED(status))
    coreapi_error_set(err, COREAPI_ERR_AUTH, "credential helper \"%s\" (%s) died of signal %d",
                      run->name, run->action, WTERMSIG(status));
  else if (WEXITSTATUS(status) != 0)
    coreapi_error_set(err, COREAPI_ERR_AUTH,
                      "credential helper \"%s\" (%s) failed with exit status %d", run->name,
                      run->action, WEXITSTATUS(status));
  else
    return 0;
  return -1;
}

/* The password= value of an answer, as git's credential_read reads it
 * (lines up to a blank one or the end; "\r\n" ends a line too; the last
 * password= wins). Returns a new string, NULL when there is none, or sets
 * *bad for a line without "=" or a NUL byte. */
static char *answer_password(const char *buf, size_t len, int *bad) {
  const char *p = buf, *end = buf + len, *value = NULL;
  size_t vlen = 0;
  *bad = memchr(buf, '\0', len) != NULL;
  while (!*bad && p < end) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    const char *eol = nl ? nl : end, *eq;
    size_t n = (size_t)(eol - p);
    if (n > 0 && p[n - 1] == '\r')
      n--;
    if (n == 0)
      break;
    if ((eq = memchr(p, '=', n)) == NULL) {
      *bad = 1;
      break;
    }
    if (eq - p == 8 && memcmp(p, "password", 8) == 0) {
      value = eq + 1;
      vlen = n - 9;
    }
    p = nl ? nl + 1 : end;
  }
  if (*bad || value == NULL)
    return NULL;
  return strndup(value, vlen);
}

/* Run the store's helper for action with the request built from the rest. */
static int secret_op(const char *store, const char *action, const char *domain,
                     const char *field, const char *user, const char *secret,
                     helper_run *run, coreapi_error *err) {
  size_t len = 0;
  char *req;
  int rc;
  coreapi_error_clear(err);
  memset(run, 0, sizeof(*run));
  run->in_fd = run->out_fd = -1;
  run->action = action;
  if ((run->spec = cli_secret_helper(store)) == NULL || cli_secret_store_check(store, err) != 0) {
    if (err == NULL || err->code == COREAPI_OK)
      coreapi_error_set(err, COREAPI_ERR_INVALID_ARGUMENT, "not a credential helper store");
    return -1;
  }
  snprintf(run->name, sizeof(run->name), "%.80s%s", run->spec,
           strlen(run->spec) > 80 ? "..." : "");
  if ((req = request_new(domain, field, user, secret, &len, err)) == NULL)
    return -1;
  if (strcmp(action, "get") == 0 && (run->answer = malloc(CLI_SECRET_ANSWER_MAX + 1)) == NULL) {
    cli_wipe(req, len);
    free(req);
    return coreapi_error_set(err, COREAPI_ERR_OUT_OF_MEMORY, NULL), -1;
  }
  rc = helper_run_request(run, req, len, err);
  cli_wipe(req, len);
  free(req);
  return rc;
}

int cli_secret_put(const char *store, const char *domain, const char *field, const char *user,
                   const char *secret, coreapi_error *err) {
  helper_run run;
  if (secret == NULL) {
    coreapi_error_clear(err);
    return coreapi_error_set(err, COREAPI_ERR_BAD_CREDENTIALS, "no secret to store"), -1;
  }
  return secret_op(store, "store", domain, field, user, secret, &run, err);
}

int cli_secret_erase(const char *store, const char *domain, const char *field, const char *user,
                     coreapi_error *err) {
  helper_run run;
  return secret_op(store, "erase", domain, field, user, NULL, &run, err);
}

char *cli_secret_get(const char *store, const char *domain, const char *field, const char *user,
                     coreapi_error *err) {
  helper_run run;
  char *secret = NULL;
  int bad = 0;
  if (secret_op(store, "get", domain, field, user, NULL, &run, err) == 0) {
    secret = answer_password(run.answer, run.answer_len, &bad);
    if (bad)
      coreapi_error_set(err, COREAPI_ERR_AUTH,
                        "credential helper \"%s\" (get) answered something that is not "
                        "key=value lines",
                        run.name);
    else if (secret == NULL || secret[0] == '\0')
      coreapi_error_set(err, COREAPI_ERR_AUTH,
                        "credential helper \"%s\" (get) has no password for host=%.100s "
                        "path=coreapi/%.40s username=%.60s",
                        run.name, domain, field, user);
    if (bad || secret == NULL || secret[0] == '\0') {
      cli_free_secret(secret);
      secret = NULL;
    }
  }
  if (run.answer != NULL) {
    cli_wipe(run.answer, CLI_SECRET_ANSWER_MAX + 1);
    free(run.answer);
  }
  return secret;
}
