/*
 * oauth/authcode.c - the authorization code grant for a native client
 * (RFC 6749 4.1, RFC 8252): PKCE with S256 (RFC 7636), a random state,
 * the user sent to the authorization endpoint, and the redirect received
 * by a listener on 127.0.0.1 (only there: never another address); the
 * state must come back unchanged before the code is exchanged.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/rand.h>
#include <openssl/sha.h>

#include "../text/text.h"
#include "oauth.h"

#define WAIT_MS (300 * 1000) /* for the user to finish in the browser */
#define MAX_REQUEST 8192

/* base64url without padding (RFC 7636 appendix A) of n bytes into out
 * (room for 4 * n / 3 + 4). */
static void base64url(const unsigned char *in, size_t n, char *out) {
  static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  size_t o = 0;
  for (size_t i = 0; i < n; i += 3) {
    unsigned v = (unsigned)in[i] << 16 | (i + 1 < n ? (unsigned)in[i + 1] << 8 : 0) |
                 (i + 2 < n ? in[i + 2] : 0);
    out[o++] = abc[v >> 18 & 63];
    out[o++] = abc[v >> 12 & 63];
    if (i + 1 < n)
      out[o++] = abc[v >> 6 & 63];
    if (i + 2 < n)
      out[o++] = abc[v & 63];
  }
  out[o] = '\0';
}

/* The verifier (43 characters from 32 random bytes), its S256 challenge,
 * and a state. -1 when there is no randomness. */
static int pkce(char verifier[48], char challenge[48], char state[32]) {
  unsigned char bytes[32], digest[SHA256_DIGEST_LENGTH], s[16];
  if (RAND_bytes(bytes, sizeof(bytes)) != 1 || RAND_bytes(s, sizeof(s)) != 1)
    return -1;
  base64url(bytes, sizeof(bytes), verifier);
  SHA256((const unsigned char *)verifier, strlen(verifier), digest);
  base64url(digest, sizeof(digest), challenge);
  base64url(s, sizeof(s), state);
  return 0;
}

/* A listening socket on 127.0.0.1:port (0: any), its port in *bound. */
static int listen_loopback(int port, int *bound, coreapi_error *err) {
  struct sockaddr_in a;
  socklen_t len = sizeof(a);
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;
  memset(&a, 0, sizeof(a));
  a.sin_family = AF_INET;
  a.sin_port = htons((uint16_t)port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
      bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0 || listen(fd, 4) != 0 ||
      getsockname(fd, (struct sockaddr *)&a, &len) != 0) {
    coreapi_error_set(err, COREAPI_ERR_IO, "OAuth 2.0: cannot listen on 127.0.0.1:%d: %s", port,
                      strerror(errno));
    if (fd >= 0)
      close(fd);
    return -1;
  }
  *bound = ntohs(a.sin_port);
  return fd;
}

/* The authorization URL: authorize_url plus the request's parameters. */
static char *authorize_url(const coreapi_oauth2_config *cfg, const char *redirect,
                           const char *challenge, const char *state) {
  const char *q[] = {"response_type", "code", "client_id", cfg->client_id,
                     "redirect_uri", redirect, "scope", cfg->scope, "state", state,
                     "code_challenge", challenge, "code_challenge_method", "S256", NULL};
  coreapi__buf b = {0};
  int rc = coreapi__buf_append(&b, cfg->authorize_url, strlen(cfg->authorize_url));
  char sep = strchr(cfg->authorize_url, '?') ? '&' : '?';
  for (size_t i = 0; q[i] != NULL; i += 2) {
    if (q[i + 1] == NULL)
      continue;
    rc |= coreapi__buf_append(&b, &sep, 1) | coreapi__quote_plus(&b, q[i], strlen(q[i])) |
          coreapi__buf_append(&b, "=", 1) | coreapi__quote_plus(&b, q[i + 1], strlen(q[i + 1]));
    sep = '&';
  }
  if (rc != 0 || coreapi__buf_append(&b, "", 0) != 0) {
    coreapi__buf_free(&b);
    return NULL;
  }
  return b.data;
}

int coreapi__oauth_query_value(const char *q, const char *name, char *out, size_t size) {
  size_t nl = strlen(name);
  for (const char *p = q; p != NULL && *p; p = strchr(p, '&') ? strchr(p, '&') + 1 : NULL) {
    if (strncmp(p, name, nl) == 0 && p[nl] == '=') {
      size_t o = 0;
      for (const char *v = p + nl + 1; *v && *v != '&' && *v != ' ' && o + 1 < size; v++) {
        unsigned hex;
        if (*v == '%' && v[1] && v[2] && sscanf(v + 1, "%2x", &hex) == 1) {
          out[o++] = (char)hex;
          v += 2;
        } else {
          out[o++] = *v == '+' ? ' ' : *v;
        }
      }
      out[o] = '\0';
      return 1;
    }
  }
  return 0;
}

static void answer(int fd, const char *status, const char *text) {
  char page[512];
  int n = snprintf(page, sizeof(page),
                   "HTTP/1.1 %s\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close"
                   "\r\nContent-Length: %zu\r\n\r\n%s",
                   status, strlen(text), text);
  if (n > 0 && write(fd, page, (size_t)n) < 0)
    return; /* the browser went away: nothing to do */
}

/* Read one request line from a connection: "GET /callback?..." into buf. */
static int read_request(int fd, char *buf, size_t size) {
  size_t used = 0;
  struct pollfd p = {fd, POLLIN, 0};
  while (used + 1 < size && poll(&p, 1, 10000) == 1) {
    ssize_t r = read(fd, buf + used, size - 1 - used);
    if (r <= 0)
      break;
    used += (size_t)r;
    buf[used] = '\0';
    if (strstr(buf, "\r\n") != NULL)
      return 0;
  }
  return -1;
}

/* Wait for the redirect to /callback; its code into code. */
static coreapi_code receive_code(int lfd, const char *state, char *code, size_t size,
                                 coreapi_error *err) {
  char req[MAX_REQUEST], got_state[128], error[128] = "";
  struct pollfd p = {lfd, POLLIN, 0};
  while (poll(&p, 1, WAIT_MS) == 1) {
    int fd = accept(lfd, NULL, NULL);
    const char *q;
    if (fd < 0)
      continue;
    if (read_request(fd, req, sizeof(req)) != 0 || strncmp(req, "GET /callback", 13) != 0) {
      answer(fd, "404 Not Found", "Not the OAuth 2.0 redirect.\n");
      close(fd);
      continue;
    }
    req[13 + strcspn(req + 13, " \r\n")] = '\0'; /* the request target only */
    q = req[13] == '?' ? req + 14 : "";
    if (!coreapi__oauth_query_value(q, "state", got_state, sizeof(got_state)) ||
        strcmp(got_state, state) != 0) {
      answer(fd, "400 Bad Request", "The state does not match: refused.\n");
      close(fd);
      return coreapi_error_set(err, COREAPI_ERR_OAUTH,
                               "OAuth 2.0: the redirect's state does not match the request's");
    }
    if (coreapi__oauth_query_value(q, "error", error, sizeof(error)) ||
        !coreapi__oauth_query_value(q, "code", code, size)) {
      answer(fd, "200 OK", "Authorization refused. You can close this window.\n");
      close(fd);
      return coreapi_error_set(err, COREAPI_ERR_OAUTH, "OAuth 2.0: authorization refused: %.100s",
                               error[0] ? error : "no code");
    }
    answer(fd, "200 OK", "Authorized. You can close this window.\n");
    close(fd);
    return COREAPI_OK;
  }
  return coreapi_error_set(err, COREAPI_ERR_TIMEOUT,
                           "OAuth 2.0: no authorization arrived at the redirect URI in %d s",
                           WAIT_MS / 1000);
}

coreapi_code coreapi__oauth_code_flow(coreapi_client *c, const coreapi__oauth_client *oc,
                                      const coreapi_oauth2_config *cfg,
                                      coreapi__oauth_token *out, coreapi_error *err) {
  char verifier[48], challenge[48], state[32], redirect[64], code[1024];
  int port, lfd;
  char *url;
  coreapi_code rc;
  if (pkce(verifier, challenge, state) != 0)
    return coreapi_error_set(err, COREAPI_ERR_INTERNAL, "OAuth 2.0: no random bytes for PKCE");
  if ((lfd = listen_loopback(cfg->redirect_port, &port, err)) < 0)
    return err->code;
  snprintf(redirect, sizeof(redirect), "http://127.0.0.1:%d/callback", port);
  if ((url = authorize_url(cfg, redirect, challenge, state)) == NULL) {
    close(lfd);
    return COREAPI__OOM(err);
  }
  if (cfg->on_authorize_url != NULL)
    cfg->on_authorize_url(cfg->userdata, url);
  else
    fprintf(stderr, "To authorize, open %s\n", url);
  free(url);
  rc = receive_code(lfd, state, code, sizeof(code), err);
  close(lfd);
  if (rc == COREAPI_OK) {
    const char *form[] = {"grant_type", "authorization_code", "code", code,
                          "redirect_uri", redirect, "code_verifier", verifier, NULL};
    rc = coreapi__oauth_token_request(c, oc, form, out, NULL, 0, err);
  }
  coreapi__wipe(code, sizeof(code));
  coreapi__wipe(verifier, sizeof(verifier));
  return rc;
}
