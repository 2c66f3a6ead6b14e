/*
 * codecs/urls.h - the URL arithmetic of the Core JSON codec: resolving a
 * document's relative URLs (Python's urljoin: coreapi__urljoin, declared in
 * text/text.h) and writing them back relative, both exactly as the reference
 * client does (_graceful_relative_url).
 */
#ifndef COREAPI_CODECS_URLS_H
#define COREAPI_CODECS_URLS_H

#include "../text/text.h"

/* The reference's _graceful_relative_url: "" when url equals base; the part
 * after "scheme://netloc" when both share it; else url. base may be NULL.
 * Returns a pointer into url, or "" (never allocates). */
const char *coreapi__graceful_relative(const char *base, const char *url);

#endif
