/* A program built against an installed libcoreapi, as a user would. */
#include <coreapi/coreapi.h>
#include <stdio.h>
#include <string.h>

int main(void) {
  coreapi_error err;
  coreapi_auth *auth = coreapi_auth_token_new("abc", NULL, "*.example.com", &err);
  int ok = auth != NULL && strcmp(coreapi_version(), COREAPI_VERSION) == 0 &&
           COREAPI_AT_LEAST_VERSION(0, 1, 0);
  printf("consumer: libcoreapi %s, %s\n", coreapi_version(), ok ? "ok" : "FAILED");
  coreapi_auth_free(auth);
  return ok ? 0 : 1;
}
