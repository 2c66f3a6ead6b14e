/*
 * fuzz_oauth.c - libFuzzer target for what an authorization server sends
 * the OAuth 2.0 layer (src/oauth/): a token endpoint's JSON answer, read by
 * coreapi__oauth_read_token, and the query of the redirect that reaches
 * the authorization code grant's listener, read by
 * coreapi__oauth_query_value.
 *
 * The first byte chooses; the rest is the input. The target aborts when:
 *   - a token is accepted whose access or refresh token could not go in a
 *     header (empty, a byte outside visible ASCII), whose type is not an
 *     RFC 9110 token, or whose expiry is in the past;
 *   - a refusal is not ERR_OAUTH (or ERR_PARSE from the JSON itself);
 *   - a query value is longer than the input, or is found in an input that
 *     does not contain its name followed by '='.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../src/oauth/oauth.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int visible(const char *s) {
  if (s == NULL || s[0] == '\0')
    return 0;
  for (; *s; s++)
    if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f)
      return 0;
  return 1;
}

static void token(const char *text, size_t len) {
  coreapi_error err;
  coreapi__oauth_token t;
  coreapi_node *json = coreapi_json_decode(text, len, &err);
  int64_t before = (int64_t)time(NULL);
  if (json == NULL) {
    if (err.code != COREAPI_ERR_PARSE && err.code != COREAPI_ERR_TOO_LARGE &&
        err.code != COREAPI_ERR_OUT_OF_MEMORY)
      abort();
    return;
  }
  memset(&t, 0, sizeof(t));
  if (coreapi__oauth_read_token(json, "https://auth.test/token", &t, &err) == COREAPI_OK) {
    if (!visible(t.access) || !coreapi__is_token(t.type) ||
        (t.refresh != NULL && !visible(t.refresh)) || (t.expires_at != 0 && t.expires_at < before))
      abort();
    coreapi__oauth_token_clear(&t);
  } else if (err.code != COREAPI_ERR_OAUTH && err.code != COREAPI_ERR_OUT_OF_MEMORY) {
    abort();
  }
  coreapi_node_free(json);
}

static void query(const char *q, size_t len) {
  static const char *const names[] = {"code", "state", "error"};
  char out[256];
  for (size_t i = 0; i < 3; i++) {
    char key[16];
    size_t kl = (size_t)snprintf(key, sizeof(key), "%s=", names[i]);
    int found = coreapi__oauth_query_value(q, names[i], out, sizeof(out));
    if (found && (strlen(out) > len || strstr(q, key) == NULL || kl == 0))
      abort();
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *text;
  if (size == 0)
    return 0;
  if ((text = malloc(size)) == NULL)
    return 0;
  memcpy(text, data + 1, size - 1);
  text[size - 1] = '\0';
  if (data[0] & 1)
    query(text, strlen(text));
  else
    token(text, size - 1);
  free(text);
  return 0;
}
