/*
 * bench/common.h - what the benchmarks (bench/decode.c, bench/transport.c)
 * share: failing with a message, option values, the build line they print,
 * medians, starting children, and reading the Python reference's output and
 * result.
 *
 * A benchmark defines BENCH_NAME, its name, which starts each of its messages
 * ("decode: ..."), and defines the static void cleanup(void) declared here
 * (what die undoes: children it started, files it made). Its own default for
 * COREAPI_BENCH_REFERENCE comes before the include as well.
 */
#ifndef COREAPI_BENCH_COMMON_H
#define COREAPI_BENCH_COMMON_H

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <coreapi/coreapi.h>

#ifndef BENCH_NAME
#error "define BENCH_NAME before including bench/common.h"
#endif

/* Set by bench/CMakeLists.txt. */
#ifndef COREAPI_BENCH_BUILD_TYPE
#define COREAPI_BENCH_BUILD_TYPE ""
#endif
#ifndef COREAPI_BENCH_SANITIZE
#define COREAPI_BENCH_SANITIZE ""
#endif

#define DEFAULT_PYTHON "/usr/bin/python3"

static void cleanup(void);

/* Print BENCH_NAME ": " and the message on stderr (after what stdout holds),
 * clean up, exit 1. */
static inline void die(const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 1, 2), noreturn))
#endif
    ;

static inline void die(const char *fmt, ...) {
  va_list ap;
  fflush(stdout);
  fputs(BENCH_NAME ": ", stderr);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
  cleanup();
  exit(1);
}

/* The value of option what, a whole number from min to max; exits 2 when it
 * is not one. */
static inline long parse_count(const char *s, const char *what, long min, long max) {
  char *end;
  long v;
  errno = 0;
  v = strtol(s, &end, 10);
  if (errno != 0 || end == s || *end != '\0' || v < min || v > max) {
    fprintf(stderr, BENCH_NAME ": %s must be a number from %ld to %ld\n", what, min, max);
    exit(2);
  }
  return v;
}

/* The value of option what, one of two words: 0 for a, 1 for b; exits 2 on
 * anything else. */
static inline int parse_choice(const char *s, const char *what, const char *a, const char *b) {
  if (strcmp(s, a) == 0)
    return 0;
  if (strcmp(s, b) == 0)
    return 1;
  fprintf(stderr, BENCH_NAME ": %s takes %s or %s\n", what, a, b);
  exit(2);
}

/* The line that says what was measured: the library's version and build type
 * (and sanitizers), then with (what the library is compared with). */
static inline void print_build(const char *with) {
  printf(BENCH_NAME ": libcoreapi %s (build type %s%s%s), %s\n", coreapi_version(),
         COREAPI_BENCH_BUILD_TYPE[0] ? COREAPI_BENCH_BUILD_TYPE : "unset: not optimised",
         COREAPI_BENCH_SANITIZE[0] ? ", sanitizers " : "", COREAPI_BENCH_SANITIZE, with);
}

static inline int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* The median of v[0..n-1], 1 <= n <= 256 (v is left as it is). */
static inline double median_of(const double *v, int n) {
  double s[256];
  memcpy(s, v, (size_t)n * sizeof(*v));
  qsort(s, (size_t)n, sizeof(*s), cmp_double);
  return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2.0;
}

/* fork, after flushing stdio (so that the child does not write out what the
 * parent had buffered); dies when it cannot. */
static inline pid_t fork_or_die(void) {
  pid_t pid;
  fflush(NULL);
  pid = fork();
  if (pid < 0)
    die("fork: %s", strerror(errno));
  return pid;
}

/* One read of fd into out (size bytes, used of them filled; one is left for
 * a NUL). Returns 1 to read on (also after EINTR), 0 at the end of the input,
 * on an error, or once out is full. */
static inline int read_more(int fd, char *out, size_t size, size_t *used) {
  ssize_t got = read(fd, out + *used, size - 1 - *used);
  if (got < 0 && errno == EINTR)
    return 1;
  if (got <= 0)
    return 0;
  *used += (size_t)got;
  return *used < size - 1;
}

/* The reference script python script exited with status (waitpid's) after
 * writing out (used bytes, NUL-terminated): dies unless it exited with 0, else
 * returns its last line, with the newlines at the end of out removed. */
static inline const char *python_last_line(const char *python, const char *script, int status,
                                           char *out, size_t used) {
  const char *line;
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    die("python: %s %s failed (status %d)", python, script,
        WIFEXITED(status) ? WEXITSTATUS(status) : -1);
  while (used > 0 && out[used - 1] == '\n')
    out[--used] = '\0';
  line = strrchr(out, '\n');
  return line ? line + 1 : out;
}

#endif
