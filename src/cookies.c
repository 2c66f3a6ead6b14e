/*
 * cookies.c - the client's cookie jar on disk, in the Netscape cookie file
 * format libcurl reads and writes (one cookie a line, seven tab-separated
 * fields; "#HttpOnly_" before the domain marks an HttpOnly cookie). The jar
 * lives in memory in libcurl's cookie engine; it reaches a file only when the
 * caller asks, written atomically with mode 0600 (it holds session secrets).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <strings.h>
#include <time.h>

#include "client_impl.h"

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
  was_attached = c->jar_attached;
  coreapi__client_use_jar(c, 1);
  if (curl_easy_getinfo(c->curl, CURLINFO_COOKIELIST, &list) != CURLE_OK) {
    coreapi__client_use_jar(c, was_attached);
    return coreapi_error_set(err, COREAPI_ERR_INTERNAL, "could not read the cookie jar");
  }
  coreapi__client_use_jar(c, was_attached);
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
  was_attached = c->jar_attached;
  coreapi__client_use_jar(c, 1);
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
    if (curl_easy_setopt(c->curl, CURLOPT_COOKIELIST, line) != CURLE_OK) {
      rc = coreapi_error_set(err, COREAPI_ERR_IO, "%s: libcurl refused a cookie line", path);
      break;
    }
  }
  coreapi__wipe(line, sizeof(line));
  if (rc == COREAPI_OK && ferror(f))
    rc = coreapi_error_set(err, COREAPI_ERR_IO, "cannot read %s", path);
  fclose(f);
  coreapi__client_use_jar(c, was_attached);
  return rc;
}

/* Does the Netscape-format cookie line match req (RFC 6265 section 5.4:
 * domain, path, secure, expiry)? On a match, *value points into line. */
static int cookie_matches(char *line, const coreapi_request *req, const char *name,
                          const char **value) {
  char *f[7];
  char *p = line, *domain, *path_start;
  const char *req_path;
  size_t dl, hl, pl;
  if (strncmp(p, "#HttpOnly_", 10) == 0)
    p += 10;
  for (int i = 0; i < 7; i++) {
    f[i] = p;
    p = strchr(p, '\t');
    if (p == NULL && i < 6)
      return 0;
    if (p != NULL)
      *p++ = '\0';
  }
  if (strcmp(f[5], name) != 0)
    return 0;
  domain = f[0][0] == '.' ? f[0] + 1 : f[0];
  dl = strlen(domain);
  hl = strlen(req->url.host);
  if (strcasecmp(domain, req->url.host) != 0) {
    if (strcmp(f[1], "TRUE") != 0 || hl <= dl || req->url.host[hl - dl - 1] != '.' ||
        strcasecmp(req->url.host + hl - dl, domain) != 0)
      return 0;
  }
  if (strcmp(f[3], "TRUE") == 0 && strcmp(req->url.scheme, "https") != 0)
    return 0;
  if (strtoll(f[4], NULL, 10) != 0 && strtoll(f[4], NULL, 10) < (long long)time(NULL))
    return 0;
  path_start = strstr(req->url.url, "://");
  req_path = path_start ? strchr(path_start + 3, '/') : NULL;
  if (req_path == NULL)
    req_path = "/";
  pl = strlen(f[2]);
  if (strncmp(req_path, f[2], pl) != 0 ||
      !(f[2][pl - 1] == '/' || req_path[pl] == '\0' || req_path[pl] == '/' ||
        req_path[pl] == '?'))
    return 0;
  *value = f[6];
  return 1;
}

char *coreapi__jar_cookie(coreapi_client *c, const coreapi_request *req, const char *name) {
  struct curl_slist *list = NULL;
  int was_attached = c->jar_attached;
  char *found = NULL;
  coreapi__client_use_jar(c, 1);
  if (curl_easy_getinfo(c->curl, CURLINFO_COOKIELIST, &list) != CURLE_OK)
    list = NULL;
  coreapi__client_use_jar(c, was_attached);
  for (struct curl_slist *l = list; l != NULL && found == NULL; l = l->next) {
    const char *value;
    if (l->data != NULL && l->data[0] != '\0' && cookie_matches(l->data, req, name, &value))
      found = coreapi__strdup(value);
  }
  coreapi__slist_free_secret(list);
  return found;
}
