/*
 * oauth/oauth2.c - OAuth 2.0 as an authentication (coreapi/oauth2.h): the
 * configuration and the token behind one lock; apply() sends the token,
 * renewing it first when it expires within 30 seconds; on_response() asks
 * for one resend after a 401 to a request that carried it, the token then
 * renewed. Token requests go through a sibling of the client being served
 * (transport/sibling.c): its settings, none of its credentials.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../auth/auth.h"
#include "../transport/transport.h"
#include "oauth.h"

#define RENEW_MARGIN 30             /* seconds before expiry a token is renewed */
#define TOKEN_BODY_LIMIT (1u << 20) /* bytes of a token endpoint's answer */

typedef struct oauth_state {
  pthread_mutex_t lock;
  coreapi_oauth2_config cfg; /* its strings owned (below) */
  char *strings[COREAPI__OAUTH_STRINGS]; /* what cfg points to, secrets among them */
  coreapi__oauth_token token;
  unsigned generation; /* counts tokens obtained */
} oauth_state;

static const char *const grant_names[] = {"", "client-credentials", "password", "device",
                                          "authorization-code", "refresh"};

static coreapi__oauth_client client_of(const oauth_state *s) {
  coreapi__oauth_client oc = {s->cfg.token_url, s->cfg.client_id, s->cfg.client_secret,
                              s->cfg.client_auth};
  return oc;
}

/* Hand the new token t (owned) to s, tell the owner. Lock held. */
static void take_token(oauth_state *s, coreapi__oauth_token *t) {
  coreapi_oauth2_token pub;
  if (t->refresh == NULL && s->token.refresh != NULL) { /* RFC 6749 6: keep the old one */
    t->refresh = s->token.refresh;
    s->token.refresh = NULL;
  }
  coreapi__oauth_token_clear(&s->token);
  s->token = *t;
  memset(t, 0, sizeof(*t));
  s->generation++;
  if (s->cfg.on_token != NULL) {
    pub.access_token = s->token.access;
    pub.token_type = s->token.type;
    pub.refresh_token = s->token.refresh;
    pub.scope = s->token.scope;
    pub.expires_at = s->token.expires_at;
    s->cfg.on_token(s->cfg.userdata, &pub);
  }
}

/* The grant's own request (not a refresh). Lock held. */
static coreapi_code run_grant(oauth_state *s, coreapi_client *c, int interactive,
                              coreapi__oauth_token *t, coreapi_error *err) {
  coreapi__oauth_client oc = client_of(s);
  const coreapi_oauth2_config *cfg = &s->cfg;
  switch (cfg->grant) {
    case COREAPI_OAUTH2_CLIENT_CREDENTIALS: {
      const char *form[] = {"grant_type", "client_credentials", "scope", cfg->scope, NULL};
      return coreapi__oauth_token_request(c, &oc, form, t, NULL, 0, err);
    }
    case COREAPI_OAUTH2_PASSWORD: {
      const char *form[] = {"grant_type", "password", "username", cfg->username,
                            "password",   cfg->password, "scope", cfg->scope, NULL};
      coreapi_code rc;
      if (cfg->password == NULL)
        break;
      rc = coreapi__oauth_token_request(c, &oc, form, t, NULL, 0, err);
      if (!cfg->keep_password) { /* used once: gone */
        coreapi__free_secret(s->strings[COREAPI__OAUTH_PASSWORD]);
        s->strings[COREAPI__OAUTH_PASSWORD] = NULL;
        s->cfg.password = NULL;
      }
      return rc;
    }
    case COREAPI_OAUTH2_DEVICE_CODE:
      if (interactive)
        return coreapi__oauth_device_flow(c, &oc, cfg, t, err);
      break;
    case COREAPI_OAUTH2_AUTHORIZATION_CODE:
      if (interactive)
        return coreapi__oauth_code_flow(c, &oc, cfg, t, err);
      break;
    case COREAPI_OAUTH2_REFRESH_ONLY:
      break;
  }
  return coreapi_error_set(err, COREAPI_ERR_OAUTH,
                           "OAuth 2.0: the %s token of client %.100s has expired and cannot be "
                           "renewed without the user; obtain a new one",
                           grant_names[cfg->grant], cfg->client_id);
}

/* A new token: by the refresh token when there is one (falling back to the
 * grant when the server refuses it), else by the grant. Lock held. */
static coreapi_code renew(oauth_state *s, coreapi_client *via, int interactive,
                          coreapi_error *err) {
  coreapi__oauth_token t = {0};
  coreapi_code rc;
  coreapi_client *c = coreapi__client_sibling(via, TOKEN_BODY_LIMIT, err);
  if (c == NULL)
    return err->code;
  if (s->token.refresh != NULL) {
    coreapi__oauth_client oc = client_of(s);
    const char *form[] = {"grant_type", "refresh_token", "refresh_token", s->token.refresh,
                          "scope", s->cfg.scope, NULL};
    rc = coreapi__oauth_token_request(c, &oc, form, &t, NULL, 0, err);
    if (rc == COREAPI_ERR_OAUTH && (s->cfg.grant == COREAPI_OAUTH2_CLIENT_CREDENTIALS ||
                                    (s->cfg.grant == COREAPI_OAUTH2_PASSWORD &&
                                     s->cfg.password != NULL))) {
      coreapi_error_clear(err); /* the refresh token is dead: the grant again */
      rc = run_grant(s, c, interactive, &t, err);
    }
  } else {
    rc = run_grant(s, c, interactive, &t, err);
  }
  coreapi_client_free(c);
  if (rc == COREAPI_OK)
    take_token(s, &t);
  coreapi__oauth_token_clear(&t);
  return rc;
}

static int fresh(const oauth_state *s) {
  return s->token.access != NULL &&
         (s->token.expires_at == 0 || s->token.expires_at > coreapi__oauth_now() + RENEW_MARGIN);
}

static coreapi_code oauth_apply(void *state, coreapi_request *req, coreapi_error *err) {
  oauth_state *s = state;
  coreapi_code rc = COREAPI_OK;
  char *header = NULL;
  pthread_mutex_lock(&s->lock);
  if (!fresh(s))
    rc = renew(s, coreapi__request_sender(req), 0, err);
  if (rc == COREAPI_OK) {
    size_t n = strlen(s->token.type) + strlen(s->token.access) + 2;
    if ((header = malloc(n)) != NULL)
      snprintf(header, n, "%s %s", s->token.type, s->token.access);
    else
      rc = COREAPI__OOM(err);
  }
  pthread_mutex_unlock(&s->lock);
  if (rc == COREAPI_OK)
    rc = coreapi_request_set_header(req, "Authorization", header, err);
  coreapi__free_secret(header);
  return rc;
}

/* A 401 to a request that carried the current token: it is dead (revoked,
 * expired early); forget it and send the request once more, which renews. */
static coreapi_code oauth_on_response(void *state, const coreapi_request *req,
                                      const coreapi_response *resp, int *resend,
                                      coreapi_error *err) {
  oauth_state *s = state;
  const char *sent = coreapi_request_header(req, "Authorization");
  (void)err;
  if (coreapi_response_status(resp) != 401 || sent == NULL)
    return COREAPI_OK;
  pthread_mutex_lock(&s->lock);
  if (s->token.access != NULL) {
    size_t tl = strlen(s->token.type);
    if (strncmp(sent, s->token.type, tl) == 0 && sent[tl] == ' ' &&
        strcmp(sent + tl + 1, s->token.access) == 0) {
      coreapi__free_secret(s->token.access);
      s->token.access = NULL;
    }
  }
  pthread_mutex_unlock(&s->lock);
  *resend = 1; /* a token renewed meanwhile by another thread is tried too */
  return COREAPI_OK;
}

static void oauth_describe(void *state, char *buf, size_t size) {
  oauth_state *s = state;
  int64_t left;
  pthread_mutex_lock(&s->lock);
  left = s->token.expires_at - coreapi__oauth_now();
  if (s->token.access == NULL)
    snprintf(buf, size, "oauth2 (%s, client %s, no token yet)", grant_names[s->cfg.grant],
             s->cfg.client_id);
  else if (s->token.expires_at == 0)
    snprintf(buf, size, "oauth2 (%s, client %s)", grant_names[s->cfg.grant], s->cfg.client_id);
  else if (left <= 0)
    snprintf(buf, size, "oauth2 (%s, client %s, expired)", grant_names[s->cfg.grant],
             s->cfg.client_id);
  else
    snprintf(buf, size, "oauth2 (%s, client %s, expires in %lld min)", grant_names[s->cfg.grant],
             s->cfg.client_id, (long long)((left + 59) / 60));
  pthread_mutex_unlock(&s->lock);
}

static void oauth_free(void *state) {
  oauth_state *s = state;
  for (size_t i = 0; i < sizeof(s->strings) / sizeof(s->strings[0]); i++)
    coreapi__free_secret(s->strings[i]);
  coreapi__oauth_token_clear(&s->token);
  pthread_mutex_destroy(&s->lock);
  free(s);
}

static const coreapi_auth_ops oauth_ops = {
    "oauth2", 0, oauth_apply, oauth_on_response, oauth_describe, oauth_free,
};

coreapi_auth *coreapi_auth_oauth2_new(const coreapi_oauth2_config *cfg, const char *domain,
                                      coreapi_error *err) {
  oauth_state *s;
  coreapi_error_clear(err);
  if (coreapi__oauth_config_check(cfg, err) != COREAPI_OK)
    return NULL;
  if ((s = calloc(1, sizeof(*s))) == NULL) {
    COREAPI__OOM(err);
    return NULL;
  }
  pthread_mutex_init(&s->lock, NULL);
  if (coreapi__oauth_config_copy(cfg, &s->cfg, s->strings, &s->token) != 0) {
    oauth_free(s);
    COREAPI__OOM(err);
    return NULL;
  }
  return coreapi_auth_new(&oauth_ops, s, domain, err);
}

/* auth's state when it is an OAuth 2.0 authentication, else NULL. */
static oauth_state *state_of(coreapi_auth *auth) {
  return auth != NULL && coreapi__auth_ops(auth) == &oauth_ops ? coreapi__auth_state(auth) : NULL;
}

static coreapi_code not_oauth(coreapi_error *err) {
  return coreapi_error_set(err, COREAPI_ERR_INVALID_ARGUMENT,
                           "not an OAuth 2.0 authentication (coreapi_auth_oauth2_new)");
}

coreapi_code coreapi_oauth2_obtain(coreapi_auth *auth, coreapi_client *via, coreapi_error *err) {
  oauth_state *s = state_of(auth);
  coreapi__oauth_token t = {0};
  coreapi_client *c;
  coreapi_code rc;
  coreapi_error_clear(err);
  if (s == NULL)
    return not_oauth(err);
  pthread_mutex_lock(&s->lock);
  if (s->cfg.grant == COREAPI_OAUTH2_REFRESH_ONLY) {
    rc = renew(s, via, 1, err);
  } else if ((c = coreapi__client_sibling(via, TOKEN_BODY_LIMIT, err)) == NULL) {
    rc = err->code;
  } else {
    rc = run_grant(s, c, 1, &t, err);
    coreapi_client_free(c);
    if (rc == COREAPI_OK)
      take_token(s, &t);
  }
  pthread_mutex_unlock(&s->lock);
  coreapi__oauth_token_clear(&t);
  return rc;
}

coreapi_code coreapi_oauth2_refresh(coreapi_auth *auth, coreapi_client *via, coreapi_error *err) {
  oauth_state *s = state_of(auth);
  coreapi_code rc;
  coreapi_error_clear(err);
  if (s == NULL)
    return not_oauth(err);
  pthread_mutex_lock(&s->lock);
  rc = renew(s, via, 0, err);
  pthread_mutex_unlock(&s->lock);
  return rc;
}

/* RFC 7009 2.1: one token revoked; 200 is success, and so is 400
 * unsupported_token_type for an access token some servers cannot revoke. */
static coreapi_code revoke_one(coreapi_client *c, const coreapi__oauth_client *oc,
                               const char *url, const char *token, const char *hint,
                               coreapi_error *err) {
  const char *form[] = {"token", token, "token_type_hint", hint, NULL};
  coreapi_node *json = NULL;
  long status;
  coreapi_code rc = coreapi__oauth_post(c, url, oc, form, &status, &json, err);
  if (rc == COREAPI_ERR_OAUTH && status == 200) { /* an empty 200 body is the usual answer */
    coreapi_error_clear(err);
    rc = COREAPI_OK;
  }
  if (rc == COREAPI_OK && status != 200)
    rc = coreapi_error_set(err, COREAPI_ERR_OAUTH, "OAuth 2.0: %.200s did not revoke the %s (%ld)",
                           url, hint, status);
  coreapi_node_free(json);
  return rc;
}

coreapi_code coreapi_oauth2_revoke(coreapi_auth *auth, coreapi_client *via,
                                   const char *revoke_url, coreapi_error *err) {
  oauth_state *s = state_of(auth);
  coreapi__oauth_client oc;
  coreapi_client *c;
  coreapi_code rc = COREAPI_OK;
  coreapi_error_clear(err);
  if (s == NULL)
    return not_oauth(err);
  if (revoke_url == NULL || (strncmp(revoke_url, "https://", 8) != 0 &&
                             strncmp(revoke_url, "http://", 7) != 0))
    return coreapi_error_set(err, COREAPI_ERR_INVALID_ARGUMENT,
                             "OAuth 2.0: the revocation URL must be an http(s) URL");
  pthread_mutex_lock(&s->lock);
  oc = client_of(s);
  if ((c = coreapi__client_sibling(via, TOKEN_BODY_LIMIT, err)) == NULL) {
    rc = err->code;
  } else {
    if (s->token.refresh != NULL)
      rc = revoke_one(c, &oc, revoke_url, s->token.refresh, "refresh_token", err);
    if (rc == COREAPI_OK && s->token.access != NULL)
      rc = revoke_one(c, &oc, revoke_url, s->token.access, "access_token", err);
    coreapi_client_free(c);
  }
  if (rc == COREAPI_OK)
    coreapi__oauth_token_clear(&s->token);
  pthread_mutex_unlock(&s->lock);
  return rc;
}

int coreapi_oauth2_token_expiry(coreapi_auth *auth, int64_t *expires_at) {
  oauth_state *s = state_of(auth);
  int have;
  if (s == NULL)
    return 0;
  pthread_mutex_lock(&s->lock);
  have = s->token.access != NULL;
  if (expires_at != NULL)
    *expires_at = have ? s->token.expires_at : 0;
  pthread_mutex_unlock(&s->lock);
  return have;
}
