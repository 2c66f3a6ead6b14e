/*
 * fuzz_url.c - libFuzzer target for the URLs read without libcurl's parser
 * (coreapi__url_parse_plain, src/http/url_plain.c), against libcurl's
 * parser itself.
 *
 * The input, cut at its first NUL, is a URL. The target aborts when the
 * plain path takes it and libcurl's parser reads another URL, scheme, host,
 * port or IP flag, or refuses it; or when the handle the plain path built
 * writes back anything but the input (tests/url_agree.h); or when
 * coreapi__url_parse, which takes either path, fails on a URL the plain
 * path took.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../url_agree.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *url = malloc(size + 1), why[1024];
  coreapi__url u;
  coreapi_error err;
  int rc;
  if (url == NULL)
    return 0;
  memcpy(url, data, size);
  url[size] = '\0';
  rc = url_agree(url, why, sizeof(why));
  if (rc < 0) {
    fprintf(stderr, "fuzz_url: %s\nurl: %.2000s\n", why, url);
    abort();
  }
  if (rc == 1) {
    if (coreapi__url_parse(&u, url, NULL, &err) != COREAPI_OK) {
      fprintf(stderr, "fuzz_url: coreapi__url_parse fails: %s\nurl: %.2000s\n", err.text, url);
      abort();
    }
    coreapi__url_free(&u);
  }
  free(url);
  return 0;
}
