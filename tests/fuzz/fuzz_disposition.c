/*
 * fuzz_disposition.c - libFuzzer target for the download file names.
 *
 * The whole input (NULs included) is a Content-Disposition value for
 * coreapi_content_disposition_filename: a result must be valid UTF-8 no
 * longer than twice the input. Then the input, split at its first two
 * newlines into Content-Disposition, URL and Content-Type (each cut at a
 * NUL), goes to coreapi_download_filename, whose result must be a safe base
 * name: not empty, not "." or "..", no '/', no control character, no leading
 * space or dot, valid UTF-8, at most 220 bytes. Any violation aborts.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coreapi/coreapi.h"
#include "coreapi/download.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int is_utf8(const unsigned char *s, size_t n) {
  size_t i = 0;
  while (i < n) {
    unsigned c = s[i], len, k;
    uint32_t cp;
    if (c < 0x80) {
      i++;
      continue;
    }
    if (c >= 0xC2 && c <= 0xDF)
      len = 2, cp = c & 0x1F;
    else if (c >= 0xE0 && c <= 0xEF)
      len = 3, cp = c & 0x0F;
    else if (c >= 0xF0 && c <= 0xF4)
      len = 4, cp = c & 0x07;
    else
      return 0;
    if (n - i < len)
      return 0;
    for (k = 1; k < len; k++) {
      if ((s[i + k] & 0xC0) != 0x80)
        return 0;
      cp = (cp << 6) | (s[i + k] & 0x3F);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF))
      return 0;
    i += len;
  }
  return 1;
}

static void fail(const char *what, const char *name) {
  fprintf(stderr, "fuzz_disposition: %s: \"%s\"\n", what, name ? name : "(null)");
  abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  coreapi_error err;
  char *raw, *copy, *parts[3] = {NULL, NULL, NULL}, *p, *name;
  const unsigned char *u;
  size_t i;

  coreapi_error_clear(&err);
  raw = coreapi_content_disposition_filename((const char *)data, size, &err);
  if (raw != NULL) {
    if (!is_utf8((const unsigned char *)raw, strlen(raw)))
      fail("raw name is not UTF-8", raw);
    if (strlen(raw) > 2 * size)
      fail("raw name longer than twice the input", raw);
    free(raw);
  } else if (err.code != COREAPI_OK) {
    fail("parser error", err.text);
  }

  copy = malloc(size + 1);
  if (copy == NULL)
    return 0;
  memcpy(copy, data, size);
  copy[size] = '\0';
  p = copy;
  for (i = 0; i < 3; i++) {
    char *nl = strchr(p, '\n');
    parts[i] = p;
    if (nl == NULL)
      break;
    *nl = '\0';
    p = nl + 1;
  }
  /* An empty first part stands for "no header" (NULL). */
  name = coreapi_download_filename(parts[0][0] ? parts[0] : NULL, parts[1], parts[2], &err);
  if (name == NULL)
    fail("no name", err.text);
  if (name[0] == '\0' || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
    fail("empty or dot name", name);
  if (strchr(name, '/') != NULL)
    fail("name with a slash", name);
  if (name[0] == '.' || name[0] == ' ')
    fail("name starting with a dot or space", name);
  for (u = (const unsigned char *)name; *u; u++)
    if (*u < 0x20 || *u == 0x7F)
      fail("name with a control character", name);
  if (!is_utf8((const unsigned char *)name, strlen(name)))
    fail("name is not UTF-8", name);
  if (strlen(name) > 220)
    fail("name longer than 220 bytes", name);
  free(name);
  free(copy);
  return 0;
}
