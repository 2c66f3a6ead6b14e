/*
 * tests/preload/free_scan.c - an LD_PRELOAD library that looks for a secret
 * in every heap block a process gives back (glibc only).
 *
 * It wraps free() and realloc(): before a block goes back to malloc, its
 * usable bytes (malloc_usable_size) are searched for the bytes of
 * $COREAPI_TEST_SECRET (memmem). realloc's old block is searched before the
 * call and counted when the call moved it (the old block is then freed with
 * what it held) or freed it (size 0). Lines are appended to the file named
 * by $COREAPI_TEST_SECRET_REPORT:
 *
 *   hit SIZE free|realloc CALLER (OBJECT) pid PID
 *        at once, for each block given back with the secret in it: its usable
 *        size, and who called free/realloc as dladdr names it;
 *   scanned pid PID freed-with-secret N
 *        at exit (a destructor), so that a run that found nothing says so.
 *
 * Without both variables it only passes the calls on. With
 * $COREAPI_TEST_SECRET_PROGRAM, only a process of that name
 * (program_invocation_short_name) scans: the credential helpers the tool
 * runs inherit the variables, and hold the secret by design. Blocks glibc frees
 * without calling free() (none that hold program data) are not seen. It
 * cannot run beside AddressSanitizer, which replaces malloc: the tests that
 * use it skip themselves in sanitizer builds.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* glibc's own entry points: calling them needs no dlsym (which may allocate
 * and free while it resolves). */
extern void __libc_free(void *p);
extern void *__libc_realloc(void *p, size_t size);

#define MAX_SECRET 256

extern char *program_invocation_short_name;

static struct {
  int state; /* 0: not read yet, 1: scanning, -1: off */
  char secret[MAX_SECRET];
  size_t secret_len;
  char report[4096];
  unsigned long found;
} scan;

/* Read the variables once (getenv allocates nothing). */
static int scanning(void) {
  if (scan.state == 0) {
    const char *s = getenv("COREAPI_TEST_SECRET"), *r = getenv("COREAPI_TEST_SECRET_REPORT");
    const char *only = getenv("COREAPI_TEST_SECRET_PROGRAM");
    scan.state = -1;
    if (s != NULL && r != NULL && s[0] != '\0' && strlen(s) < MAX_SECRET &&
        strlen(r) < sizeof(scan.report) &&
        (only == NULL || strcmp(only, program_invocation_short_name) == 0)) {
      scan.secret_len = strlen(s);
      memcpy(scan.secret, s, scan.secret_len);
      memcpy(scan.report, r, strlen(r) + 1);
      scan.state = 1;
    }
  }
  return scan.state == 1;
}

/* Does the block p hold the secret? */
static int holds_secret(void *p) {
  size_t n;
  if (p == NULL || !scanning())
    return 0;
  n = malloc_usable_size(p);
  return n >= scan.secret_len && memmem(p, n, scan.secret, scan.secret_len) != NULL;
}

/* Append a line to the report (write(2) only: nothing here allocates). */
static void put_line(const char *line, size_t n) {
  int fd = open(scan.report, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0)
    return;
  if (write(fd, line, n) < 0) {
    /* nothing to do: the count at exit says it too */
  }
  close(fd);
}

/* One block freed with the secret in it: a line "hit SIZE free|realloc
 * CALLER (OBJECT)", at once (a later exit may not be clean). */
static void record(size_t size, void *caller, const char *how) {
  char line[1024];
  Dl_info info;
  const char *sym = "?", *obj = "?";
  long off = 0;
  int n;
  scan.found++;
  if (dladdr(caller, &info) != 0) {
    obj = info.dli_fname ? info.dli_fname : "?";
    if (info.dli_sname != NULL) {
      sym = info.dli_sname;
      off = (long)((char *)caller - (char *)info.dli_saddr);
    } else {
      off = (long)((char *)caller - (char *)info.dli_fbase);
    }
  }
  n = snprintf(line, sizeof(line), "hit %zu %s %s+0x%lx (%s) pid %ld\n", size, how, sym, off, obj,
               (long)getpid());
  if (n > 0)
    put_line(line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
}

void free(void *p) {
  if (holds_secret(p))
    record(malloc_usable_size(p), __builtin_return_address(0), "free");
  __libc_free(p);
}

void *realloc(void *p, size_t size) {
  int had = holds_secret(p);
  size_t old_size = had ? malloc_usable_size(p) : 0;
  void *q = __libc_realloc(p, size);
  /* Moved (the old block freed) or freed (size 0): the secret went with it. */
  if (had && (q != p || size == 0))
    record(old_size, __builtin_return_address(0), "realloc");
  return q;
}

/* The count, at exit: the report says the scan ran even when nothing was
 * found. */
__attribute__((destructor)) static void report(void) {
  char line[128];
  int n;
  if (!scanning())
    return;
  n = snprintf(line, sizeof(line), "scanned pid %ld freed-with-secret %lu\n", (long)getpid(),
               scan.found);
  if (n > 0)
    put_line(line, (size_t)n);
}
