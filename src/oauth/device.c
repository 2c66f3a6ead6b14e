/*
 * oauth/device.c - the device authorization grant (RFC 8628): ask the
 * device endpoint for a code (3.1), tell the user where to enter it (3.3),
 * then poll the token endpoint every interval seconds (3.4, 3.5):
 * authorization_pending goes on, slow_down adds 5 seconds, access_denied
 * and expired_token stop, as does the code's own expiry.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "../text/text.h"
#include "oauth.h"

#define GRANT "urn:ietf:params:oauth:grant-type:device_code"
#define MAX_INTERVAL 300

static const char *member(const coreapi_node *obj, const char *key) {
  return coreapi_string_value(coreapi_map_get(obj, key, strlen(key)), NULL);
}

static int64_t number(const coreapi_node *obj, const char *key, int64_t dflt) {
  const coreapi_node *v = coreapi_map_get(obj, key, strlen(key));
  return coreapi_node_type_of(v) == COREAPI_NODE_INTEGER ? coreapi_integer_value(v) : dflt;
}

static void wait_seconds(int64_t s) {
  struct timespec ts = {(time_t)s, 0};
  while (nanosleep(&ts, &ts) != 0)
    ;
}

/* Can the device authorization's answer be shown on a terminal? The URIs
 * must be visible ASCII, the code UTF-8 without C0 or C1 control characters
 * (RFC 8628, 3.2 and 6.1): an escape sequence from the server would drive
 * the user's terminal. complete may be NULL. */
static int shown_safely(const char *uri, const char *code, const char *complete) {
  if (!coreapi__is_visible_ascii(uri) || (complete != NULL && !coreapi__is_visible_ascii(complete)) ||
      !coreapi__is_plain_utf8(code))
    return 0;
  for (const unsigned char *p = (const unsigned char *)code; *p != '\0'; p++)
    if (p[0] == 0xC2 && p[1] >= 0x80 && p[1] <= 0x9F) /* U+0080 to U+009F */
      return 0;
  return 1;
}

static void tell(const coreapi_oauth2_config *cfg, const char *uri, const char *code,
                 const char *complete) {
  if (cfg->on_device_code != NULL) {
    cfg->on_device_code(cfg->userdata, uri, code, complete);
    return;
  }
  fprintf(stderr, "To authorize, open %s and enter the code %s\n", uri, code);
  if (complete != NULL)
    fprintf(stderr, "(or open %s)\n", complete);
}

/* Poll until the user decided or the code expired. */
static coreapi_code poll(coreapi_client *c, const coreapi__oauth_client *oc, const char *device_code,
                         int64_t interval, int64_t deadline, coreapi__oauth_token *out,
                         coreapi_error *err) {
  const char *form[] = {"grant_type", GRANT, "device_code", device_code, NULL};
  char code[64];
  for (;;) {
    coreapi_code rc;
    if (coreapi__oauth_now() + interval > deadline)
      return coreapi_error_set(err, COREAPI_ERR_OAUTH,
                               "OAuth 2.0: the device code expired before it was authorized");
    wait_seconds(interval);
    rc = coreapi__oauth_token_request(c, oc, form, out, code, sizeof(code), err);
    if (rc != COREAPI_ERR_OAUTH || strcmp(code, "authorization_pending") == 0) {
      if (rc != COREAPI_ERR_OAUTH)
        return rc;
      continue;
    }
    if (strcmp(code, "slow_down") == 0) {
      interval = interval + 5 > MAX_INTERVAL ? MAX_INTERVAL : interval + 5;
      continue;
    }
    return rc; /* access_denied, expired_token, or another error: err says which */
  }
}

coreapi_code coreapi__oauth_device_flow(coreapi_client *c, const coreapi__oauth_client *oc,
                                        const coreapi_oauth2_config *cfg,
                                        coreapi__oauth_token *out, coreapi_error *err) {
  const char *form[] = {"scope", cfg->scope, NULL};
  coreapi_node *json = NULL;
  long status;
  const char *device_code, *user_code, *uri;
  int64_t interval, expires;
  coreapi_code rc = coreapi__oauth_post(c, cfg->device_url, oc, form, &status, &json, err);
  if (rc != COREAPI_OK)
    return rc;
  device_code = member(json, "device_code");
  user_code = member(json, "user_code");
  uri = member(json, "verification_uri");
  interval = number(json, "interval", 5);
  expires = number(json, "expires_in", 0);
  if (status == 200 && uri != NULL && user_code != NULL &&
      !shown_safely(uri, user_code, member(json, "verification_uri_complete"))) {
    rc = coreapi_error_set(err, COREAPI_ERR_OAUTH,
                           "OAuth 2.0: %.200s answered a verification_uri or user_code "
                           "holding control characters; refused (they would reach the "
                           "terminal)",
                           cfg->device_url);
  } else if (status != 200 || device_code == NULL || user_code == NULL || uri == NULL ||
             expires <= 0) {
    const char *e = member(json, "error");
    rc = coreapi_error_set(err, COREAPI_ERR_OAUTH,
                           "OAuth 2.0: %.200s answered %ld without a device code%s%.60s",
                           cfg->device_url, status, e ? ": " : "", e ? e : "");
  } else {
    if (interval < 1 || interval > MAX_INTERVAL)
      interval = 5;
    tell(cfg, uri, user_code, member(json, "verification_uri_complete"));
    rc = poll(c, oc, device_code, interval, coreapi__oauth_now() + expires, out, err);
  }
  coreapi_node_free(json);
  return rc;
}
