/*
 * codecs/urls.h - the URL arithmetic of the Core JSON codec: resolving a
 * document's relative URLs (libcurl's URL API) and writing them back relative
 * the way the reference client does.
 */
#ifndef COREAPI_CODECS_URLS_H
#define COREAPI_CODECS_URLS_H

#include <curl/curl.h>

/* Resolves URLs against one base at a time, keeping the parsed base. */
typedef struct coreapi__resolver {
  char *base;  /* the base the handle holds */
  CURLU *handle;
} coreapi__resolver;

/* url resolved against base, as Python's urljoin would: no base gives url,
 * an empty url gives base, an absolute url is kept as written; otherwise
 * libcurl resolves it (RFC 3986 section 5). A URL libcurl cannot resolve is
 * kept as written. Returns a new string (free()) or NULL on ENOMEM. */
char *coreapi__resolve(coreapi__resolver *r, const char *base, const char *url);
void coreapi__resolver_free(coreapi__resolver *r);

/* The reference's _graceful_relative_url: "" when url equals base; the part
 * after "scheme://netloc" when both share it; else url. base may be NULL.
 * Returns a pointer into url, or "" (never allocates). */
const char *coreapi__graceful_relative(const char *base, const char *url);

/* Does url start with a scheme ("http:", "mailto:")? As Python's urlsplit
 * decides it. */
int coreapi__has_scheme(const char *url);

#endif
