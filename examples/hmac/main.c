/*
 * hmac-request: send one request signed with HMAC-SHA256 and print the
 * response. Usage: hmac-request URL KEY_ID SECRET [METHOD [BODY]]
 * Against the example API: hmac-request http://127.0.0.1:PORT/signed/ demo demo-shared-secret
 */
#include <stdio.h>
#include <string.h>

#include "hmac_auth.h"

int main(int argc, char **argv) {
  coreapi_error err;
  coreapi_client *client;
  coreapi_auth *auth;
  coreapi_response *resp = NULL;
  const char *method = argc > 4 ? argv[4] : "GET";
  const char *body = argc > 5 ? argv[5] : NULL;
  int status;

  if (argc < 4) {
    fprintf(stderr, "usage: %s URL KEY_ID SECRET [METHOD [BODY]]\n", argv[0]);
    return 2;
  }
  client = coreapi_client_new(&err);
  if (client == NULL) {
    fprintf(stderr, "hmac-request: %s\n", err.text);
    return 4;
  }
  auth = hmac_auth_new(argv[2], argv[3], NULL, &err);
  if (auth == NULL || coreapi_client_add_auth(client, auth, &err) != COREAPI_OK ||
      coreapi_client_request(client, method, argv[1], body ? "application/json" : NULL, body,
                             body ? strlen(body) : 0, &resp, &err) != COREAPI_OK) {
    fprintf(stderr, "hmac-request: %s\n", err.text);
    coreapi_auth_free(auth);
    coreapi_client_free(client);
    return 3;
  }
  printf("%ld %s\n%s\n", coreapi_response_status(resp), coreapi_response_reason(resp),
         coreapi_response_body(resp, NULL));
  status = coreapi_response_status(resp) < 400 ? 0 : 1;
  coreapi_response_free(resp);
  coreapi_auth_free(auth);
  coreapi_client_free(client);
  return status;
}
