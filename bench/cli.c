/*
 * bench/cli.c - how long one invocation of the coreapi tool takes with a
 * large current document against a small one (issue 12, section 4).
 *
 * It writes bench/decode's generated DRF-style schema twice (with -k
 * RESOURCES resources, 5 MB by default, and with the smallest it makes,
 * 124 resources, 155 KB), loads each into its own config directory with
 * `coreapi load` (which writes the document and its snapshot), checks that
 * `describe resource-7 list` prints the link's description in both, then
 * times that command as whole processes (fork, exec, wait; stdout to
 * /dev/null), small and large alternating, RUNS times each. The figures are
 * medians in milliseconds of wall-clock time. The last line:
 *
 *   cli: small=<ms> large=<ms> ratio=<large/small>
 *
 * Usage: bench/cli [-r RUNS] [-k RESOURCES] [-C CLI] [-D DECODE]
 */
#define BENCH_NAME "cli"
#include "common.h"

#include <fcntl.h>
#include <time.h>

#ifndef COREAPI_BENCH_CLI
#define COREAPI_BENCH_CLI "coreapi"
#endif
#ifndef COREAPI_BENCH_DECODE
#define COREAPI_BENCH_DECODE "decode"
#endif

static char tmpdir[4096];

static void cleanup(void) {
  if (tmpdir[0] != '\0') {
    pid_t pid = fork();
    if (pid == 0) {
      execlp("rm", "rm", "-rf", tmpdir, (char *)NULL);
      _exit(127);
    }
    if (pid > 0)
      waitpid(pid, NULL, 0);
    tmpdir[0] = '\0';
  }
}

/* Run argv with stdout to out_fd (-1: /dev/null) and stderr kept; dies
 * unless it exits 0. Returns the wall-clock milliseconds it took. */
static double run(char *const argv[], int out_fd) {
  struct timespec a, b;
  int status;
  clock_gettime(CLOCK_MONOTONIC, &a);
  pid_t pid = fork_or_die();
  if (pid == 0) {
    int fd = out_fd >= 0 ? out_fd : open("/dev/null", O_WRONLY);
    if (fd < 0 || dup2(fd, STDOUT_FILENO) < 0)
      _exit(126);
    execv(argv[0], argv);
    _exit(127);
  }
  if (waitpid(pid, &status, 0) < 0)
    die("waitpid: %s", strerror(errno));
  clock_gettime(CLOCK_MONOTONIC, &b);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    die("%s %s failed (status %d)", argv[0], argv[3], status);
  return (double)(b.tv_sec - a.tv_sec) * 1e3 + (double)(b.tv_nsec - a.tv_nsec) / 1e6;
}

/* A config directory under tmpdir holding the schema of k resources as its
 * current document. */
static void prepare(const char *cli, const char *decode, const char *name, long k, char *dir,
                    size_t size) {
  char file[4200], kbuf[32];
  snprintf(dir, size, "%s/%s", tmpdir, name);
  snprintf(file, sizeof(file), "%s/%s.json", tmpdir, name);
  snprintf(kbuf, sizeof(kbuf), "%ld", k);
  char *gen[] = {(char *)decode, "-k", kbuf, "-d", file, NULL};
  char *load[] = {(char *)cli, "--config-dir", dir, "load", file, NULL};
  run(gen, -1);
  run(load, -1);
}

/* describe's output in dir must be the link's description. */
static void check(char *const argv[]) {
  char out[8192];
  size_t used = 0;
  char path[4200];
  snprintf(path, sizeof(path), "%s/out.txt", tmpdir);
  int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
  if (fd < 0)
    die("%s: %s", path, strerror(errno));
  run(argv, fd);
  lseek(fd, 0, SEEK_SET);
  while (read_more(fd, out, sizeof(out), &used))
    ;
  close(fd);
  out[used] = '\0';
  if (strstr(out, "* [page] - A page number within the paginated result set.") == NULL)
    die("describe in %s printed something else: %s", argv[2], out);
}

int main(int argc, char **argv) {
  const char *cli = COREAPI_BENCH_CLI, *decode = COREAPI_BENCH_DECODE, *t = getenv("TMPDIR");
  long runs = 21, k = 4000;
  char small[4200], large[4200];
  double ts[256], tl[256];
  int opt;
  while ((opt = getopt(argc, argv, "r:k:C:D:")) != -1) {
    if (opt == 'r')
      runs = parse_count(optarg, "-r RUNS", 1, 256);
    else if (opt == 'k')
      k = parse_count(optarg, "-k RESOURCES", 124, 1000000);
    else if (opt == 'C')
      cli = optarg;
    else if (opt == 'D')
      decode = optarg;
    else {
      fprintf(stderr, "usage: cli [-r RUNS] [-k RESOURCES] [-C CLI] [-D DECODE]\n");
      return 2;
    }
  }
  snprintf(tmpdir, sizeof(tmpdir), "%s/coreapi-bench-cli-XXXXXX", t && *t ? t : "/tmp");
  if (mkdtemp(tmpdir) == NULL)
    die("mkdtemp: %s", strerror(errno));
  print_build("the coreapi tool as whole processes");
  prepare(cli, decode, "small", 124, small, sizeof(small));
  prepare(cli, decode, "large", k, large, sizeof(large));
  char *ds[] = {(char *)cli, "--config-dir", small, "describe", "resource-7", "list", NULL};
  char *dl[] = {(char *)cli, "--config-dir", large, "describe", "resource-7", "list", NULL};
  check(ds);
  check(dl);
  printf("cli: schemas of 124 and %ld resources; `describe resource-7 list`, %ld runs each, "
         "alternating\n", k, runs);
  for (long i = 0; i < runs; i++) {
    if (i % 2) {
      ts[i] = run(ds, -1);
      tl[i] = run(dl, -1);
    } else {
      tl[i] = run(dl, -1);
      ts[i] = run(ds, -1);
    }
  }
  double ms = median_of(ts, (int)runs), ml = median_of(tl, (int)runs);
  cleanup();
  printf("cli: small=%.2f large=%.2f ratio=%.2f\n", ms, ml, ml / ms);
  return 0;
}
