/*
 * tests/check.h - the few assertion macros the test programs share.
 *
 * Each test program is a plain executable run by CTest: it prints one line per
 * failed check and exits non-zero if any failed. CHECK does not stop the
 * program, so one run shows every failure; REQUIRE stops it (for a value the
 * rest of the test cannot do without).
 */
#ifndef COREAPI_TESTS_CHECK_H
#define COREAPI_TESTS_CHECK_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int check_failures;
static int check_count;

#define CHECK(cond)                                                           \
  do {                                                                        \
    check_count++;                                                            \
    if (!(cond)) {                                                            \
      check_failures++;                                                       \
      fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
    }                                                                         \
  } while (0)

#define CHECK_STR(actual, expected)                                            \
  do {                                                                         \
    const char *check_a_ = (actual), *check_e_ = (expected);                   \
    check_count++;                                                             \
    if (!((check_a_ == NULL && check_e_ == NULL) ||                            \
          (check_a_ != NULL && check_e_ != NULL && strcmp(check_a_, check_e_) == 0))) { \
      check_failures++;                                                        \
      fprintf(stderr, "%s:%d: %s is \"%s\", expected \"%s\"\n", __FILE__, __LINE__, \
              #actual, check_a_ ? check_a_ : "(null)", check_e_ ? check_e_ : "(null)"); \
    }                                                                          \
  } while (0)

#define CHECK_INT(actual, expected)                                            \
  do {                                                                         \
    long long check_a_ = (long long)(actual), check_e_ = (long long)(expected); \
    check_count++;                                                             \
    if (check_a_ != check_e_) {                                                \
      check_failures++;                                                        \
      fprintf(stderr, "%s:%d: %s is %lld, expected %lld\n", __FILE__, __LINE__, \
              #actual, check_a_, check_e_);                                    \
    }                                                                          \
  } while (0)

#define REQUIRE(cond)                                                          \
  do {                                                                         \
    check_count++;                                                             \
    if (!(cond)) {                                                             \
      fprintf(stderr, "%s:%d: required check failed: %s\n", __FILE__, __LINE__, #cond); \
      exit(1);                                                                 \
    }                                                                          \
  } while (0)

/* Print the summary line and give main's exit status. */
static inline int check_done(const char *name) {
  printf("%s: %d passed, %d failed\n", name, check_count - check_failures, check_failures);
  return check_failures ? 1 : 0;
}

#endif
