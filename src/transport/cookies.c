/*
 * transport/cookies.c - the client's cookie jar: attached per hop, read for
 * the CSRF cookie a request would carry, and on disk in the Netscape cookie file
 * format libcurl reads and writes (one cookie a line, seven tab-separated
 * fields; "#HttpOnly_" before the domain marks an HttpOnly cookie). The jar
 * lives in memory in libcurl's cookie engine; it reaches a file only when the
 * caller asks, written atomically with mode 0600 (it holds session secrets).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <time.h>

#include "client_impl.h"

/* The jar is a libcurl share object, attached to the easy handle only for
 * transfers whose hop allows cookies: detached, libcurl neither stores nor
 * sends any cookie. */
void coreapi__easy_use_jar(coreapi__easy *e, int on) {
  if (on == e->jar_attached)
    return;
  curl_easy_setopt(e->curl, CURLOPT_SHARE, on ? e->client->jar : NULL);
  e->jar_attached = on;
}

#define COOKIE_FILE_HEADER "# Netscape HTTP Cookie File\n# Written by libcoreapi.\n\n"

coreapi_code coreapi_client_save_cookies(coreapi_client *c, const char *path,
                                         coreapi_error *err) {
  struct curl_slist *list = NULL;
  coreapi__buf text = {0};
  coreapi_code rc;
  int was_attached;

  coreapi_error_clear(err);
  if (c == NULL || path == NULL)
    return coreapi_error_set(err, COREAPI_ERR_INVALID_ARGUMENT, "client and path must not be NULL");
  was_attached = c->main.jar_attached;
  coreapi__easy_use_jar(&c->main, 1);
  if (curl_easy_getinfo(c->main.curl, CURLINFO_COOKIELIST, &list) != CURLE_OK) {
    coreapi__easy_use_jar(&c->main, was_attached);
    return coreapi_error_set(err, COREAPI_ERR_INTERNAL, "could not read the cookie jar");
  }
  coreapi__easy_use_jar(&c->main, was_attached);
  if (coreapi__buf_append(&text, COOKIE_FILE_HEADER, strlen(COOKIE_FILE_HEADER)) != 0)
    goto oom;
  for (struct curl_slist *l = list; l != NULL; l = l->next)
    if (coreapi__buf_appendf(&text, "%s\n", l->data) != 0)
      goto oom;
  coreapi__slist_free_secret(list);
  rc = coreapi__write_file_atomic(path, text.data, text.len, 0600, err);
  coreapi__buf_free(&text);
  return rc;
oom:
  coreapi__slist_free_secret(list);
  coreapi__buf_free(&text);
  return COREAPI__OOM(err);
}

coreapi_code coreapi_client_load_cookies(coreapi_client *c, const char *path,
                                         coreapi_error *err) {
  FILE *f;
  char line[8192];
  int was_attached;
  coreapi_code rc = COREAPI_OK;

  coreapi_error_clear(err);
  if (c == NULL || path == NULL)
    return coreapi_error_set(err, COREAPI_ERR_INVALID_ARGUMENT, "client and path must not be NULL");
  f = fopen(path, "r");
  if (f == NULL)
    return coreapi_error_set(err, COREAPI_ERR_IO, "cannot read %s: %s", path, strerror(errno));
  was_attached = c->main.jar_attached;
  coreapi__easy_use_jar(&c->main, 1);
  while (fgets(line, sizeof(line), f) != NULL) {
    size_t n = strlen(line);
    if (n > 0 && line[n - 1] != '\n' && !feof(f)) {
      rc = coreapi_error_set(err, COREAPI_ERR_IO, "%s: line too long", path);
      break;
    }
    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
      line[--n] = '\0';
    if (n == 0 || (line[0] == '#' && strncmp(line, "#HttpOnly_", 10) != 0))
      continue;
    if (strchr(line, '\t') == NULL) {
      rc = coreapi_error_set(err, COREAPI_ERR_IO, "%s: not a Netscape cookie file line", path);
      break;
    }
    if (curl_easy_setopt(c->main.curl, CURLOPT_COOKIELIST, line) != CURLE_OK) {
      rc = coreapi_error_set(err, COREAPI_ERR_IO, "%s: libcurl refused a cookie line", path);
      break;
    }
  }
  coreapi__wipe(line, sizeof(line));
  if (rc == COREAPI_OK && ferror(f))
    rc = coreapi_error_set(err, COREAPI_ERR_IO, "cannot read %s", path);
  fclose(f);
  coreapi__easy_use_jar(&c->main, was_attached);
  return rc;
}

/* The value of the cookie called name that the jar would send with req
 * (the most specific match, the one libcurl puts first), as a new string, or
 * NULL. ctx is the client: this is a request's cookie_lookup. */
char *coreapi__jar_cookie(void *ctx, const coreapi_request *req, const char *name) {
  coreapi_client *c = ctx;
  struct curl_slist *list = NULL;
  int was_attached = c->main.jar_attached;
  coreapi__cookie_match best = {NULL, 0, 0, 0};
  long long now = (long long)time(NULL);
  char *found = NULL;
  coreapi__easy_use_jar(&c->main, 1);
  if (curl_easy_getinfo(c->main.curl, CURLINFO_COOKIELIST, &list) != CURLE_OK)
    list = NULL;
  coreapi__easy_use_jar(&c->main, was_attached);
  for (struct curl_slist *l = list; l != NULL; l = l->next)
    if (l->data != NULL)
      coreapi__cookie_line_better(l->data, strlen(l->data), &req->url, name, now, &best);
  if (best.value != NULL)
    found = coreapi__strndup(best.value, best.value_len);
  coreapi__slist_free_secret(list);
  return found;
}
