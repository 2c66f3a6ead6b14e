/* test_file.c - coreapi_file_write_atomic: mode whatever the umask, whole
 * replacement, nothing left behind on failure, clear errors. */
#include <coreapi/coreapi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "files.h"

int main(void) {
  char dir[] = "/tmp/coreapi-test-file-XXXXXX", path[128], bad[160];
  coreapi_error err;
  struct stat st;
  REQUIRE(mkdtemp(dir) != NULL);
  snprintf(path, sizeof(path), "%s/state.json", dir);
  snprintf(bad, sizeof(bad), "%s/missing/state.json", dir);

  umask(0); /* the mode asked for wins over a permissive umask */
  CHECK_INT(coreapi_file_write_atomic(path, "first", 5, 0600, &err), COREAPI_OK);
  REQUIRE(stat(path, &st) == 0);
  CHECK_INT(st.st_mode & 07777, 0600);
  CHECK_STR(slurp(path), "first");
  CHECK_INT(coreapi_file_write_atomic(path, "second!", 7, 0640, &err), COREAPI_OK);
  CHECK_STR(slurp(path), "second!");
  REQUIRE(stat(path, &st) == 0);
  CHECK_INT(st.st_mode & 07777, 0640);
  CHECK_INT(coreapi_file_write_atomic(path, "", 0, 0600, &err), COREAPI_OK);
  CHECK_STR(slurp(path), "");
  CHECK_INT(count_entries(dir, NULL), 1); /* no temporary file left */

  CHECK_INT(coreapi_file_write_atomic(bad, "x", 1, 0600, &err), COREAPI_ERR_IO);
  CHECK(strstr(err.text, "missing") != NULL);
  CHECK_INT(count_entries(dir, NULL), 1);
  CHECK_INT(coreapi_file_write_atomic(NULL, "x", 1, 0600, &err), COREAPI_ERR_INVALID_ARGUMENT);
  CHECK_INT(coreapi_file_write_atomic(path, NULL, 1, 0600, &err), COREAPI_ERR_INVALID_ARGUMENT);
  CHECK_INT(coreapi_file_write_atomic(path, "x", 1, 010000, &err), COREAPI_ERR_INVALID_ARGUMENT);
  CHECK_INT(coreapi_file_write_atomic("", "x", 1, 0600, &err), COREAPI_ERR_INVALID_ARGUMENT);
  CHECK_STR(slurp(path), ""); /* failures left it as it was */

  unlink(path);
  rmdir(dir);
  return check_done("test_file");
}
