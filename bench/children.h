/*
 * bench/children.h - what the benchmarks that start nginx share: the
 * document it serves and the token it checks, a private temp dir and the child processes (nginx, a reference client, a
 * tool), stopped and removed by cleanup on every exit (die included), on
 * SIGINT/SIGTERM/SIGHUP by way of check_stop; spawning a child; free and
 * open loopback ports. Included once, by bench/transport.c and
 * bench/parallel_server.h, after bench/common.h and with BENCH_NAME (the
 * benchmark's name, for messages) defined.
 */
#ifndef COREAPI_BENCH_CHILDREN_H
#define COREAPI_BENCH_CHILDREN_H

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#define NGINX_PATH "/usr/sbin/nginx"
#define TOKEN "9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b"
#define JSON_PATH "/snippets/1.json"

/* The document nginx serves: a small JSON document, as a Django REST
 * framework detail view returns. */
static const char json_body[] =
    "{\"id\":1,\"title\":\"transport benchmark\",\"code\":\"print(\\\"hello, world\\\")\","
    "\"linenos\":false,\"language\":\"python\",\"style\":\"friendly\","
    "\"owner\":\"alice\",\"highlight\":\"http://127.0.0.1/snippets/1/highlight/\","
    "\"created\":\"2024-01-01T00:00:00Z\",\"tags\":[\"bench\",\"coreapi\",\"libcurl\"]}\n";
#define JSON_LEN (sizeof(json_body) - 1)

static char g_dir[256];    /* the temp dir, "" when none */
static pid_t g_nginx = -1; /* nginx's pid, -1 when not running */
static pid_t g_child = -1; /* openssl, go or python while it runs */
static volatile sig_atomic_t g_stop = 0;

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw) {
  (void)sb, (void)flag, (void)ftw;
  if (remove(path) != 0 && errno != ENOENT)
    fprintf(stderr, BENCH_NAME ": cannot remove %s: %s\n", path, strerror(errno));
  return 0;
}

/* Wait for pid up to ms milliseconds; returns 1 once it was reaped. */
static int reap(pid_t pid, int ms, int *status) {
  for (int waited = 0;; waited += 10) {
    pid_t r = waitpid(pid, status, WNOHANG);
    if (r == pid || (r < 0 && errno == ECHILD))
      return 1;
    if (waited >= ms)
      return 0;
    nanosleep(&(struct timespec){0, 10 * 1000 * 1000}, NULL);
  }
}

static void stop_child(pid_t *pid) {
  int status;
  if (*pid <= 0)
    return;
  kill(*pid, SIGTERM);
  if (!reap(*pid, 5000, &status)) {
    kill(*pid, SIGKILL);
    reap(*pid, 5000, &status);
  }
  *pid = -1;
}

static void cleanup(void) {
  stop_child(&g_child);
  stop_child(&g_nginx);
  if (g_dir[0] != '\0') {
    nftw(g_dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    g_dir[0] = '\0';
  }
}

static void on_signal(int sig) {
  (void)sig;
  g_stop = 1;
}

static void check_stop(void) {
  if (g_stop)
    die("interrupted");
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void write_file(const char *path, const char *data, size_t len) {
  FILE *f = fopen(path, "wb");
  if (f == NULL || fwrite(data, 1, len, f) != len || fclose(f) != 0)
    die("cannot write %s: %s", path, strerror(errno));
}


/* Print the end of a log file to stderr (for a failed child). */
static void show_file(const char *path) {
  char buf[4096];
  size_t n;
  FILE *f = path ? fopen(path, "rb") : NULL;
  if (f == NULL)
    return;
  if (fseek(f, 0, SEEK_END) == 0 && ftell(f) > (long)sizeof(buf))
    fseek(f, -(long)sizeof(buf), SEEK_END);
  else
    rewind(f);
  n = fread(buf, 1, sizeof(buf), f);
  fclose(f);
  fprintf(stderr, "--- %s ---\n%.*s\n", path, (int)n, buf);
}

/* fork + exec argv, with the "NAME=value" strings of env (NULL-terminated,
 * or NULL) put into its environment, stdin from /dev/null, stdout into a pipe
 * whose read end goes to *out_fd (when out_fd is not NULL) or else to log,
 * stderr to log (when log is not NULL). The child dies with us (Linux). */
static pid_t spawn(char *const argv[], char *const env[], const char *log, int *out_fd) {
  int pipefd[2] = {-1, -1};
  pid_t pid;
  if (out_fd != NULL && pipe(pipefd) != 0)
    die("pipe: %s", strerror(errno));
  pid = fork_or_die();
  if (pid == 0) {
    int null = open("/dev/null", O_RDONLY);
    int fd = log ? open(log, O_WRONLY | O_CREAT | O_APPEND, 0644) : -1;
#ifdef __linux__
    prctl(PR_SET_PDEATHSIG, SIGTERM);
#endif
    setpgid(0, 0); /* out of the terminal's way: we stop our children ourselves */
    for (size_t i = 0; env != NULL && env[i] != NULL; i++)
      putenv(env[i]);
    if (null >= 0)
      dup2(null, 0);
    if (fd >= 0)
      dup2(fd, 1), dup2(fd, 2);
    if (out_fd != NULL)
      dup2(pipefd[1], 1), close(pipefd[0]), close(pipefd[1]);
    execv(argv[0], argv);
    fprintf(stderr, BENCH_NAME ": cannot run %s: %s\n", argv[0], strerror(errno));
    _exit(127);
  }
  if (out_fd != NULL)
    close(pipefd[1]), *out_fd = pipefd[0];
  return pid;
}

static int free_port(void) {
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t len = sizeof(a);
  int port, s = socket(AF_INET, SOCK_STREAM, 0);
  if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof(a)) != 0 ||
      getsockname(s, (struct sockaddr *)&a, &len) != 0)
    die("cannot find a free port: %s", strerror(errno));
  port = ntohs(a.sin_port);
  close(s);
  return port;
}

static int port_open(int port) {
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK),
                          .sin_port = htons((unsigned short)port)};
  int ok, s = socket(AF_INET, SOCK_STREAM, 0);
  if (s < 0)
    return 0;
  ok = connect(s, (struct sockaddr *)&a, sizeof(a)) == 0;
  close(s);
  return ok;
}

#endif /* COREAPI_BENCH_CHILDREN_H */
