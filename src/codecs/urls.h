/*
 * codecs/urls.h - the URL arithmetic of the Core JSON codec: resolving a
 * document's relative URLs and writing them back relative, both exactly as
 * the reference client does (Python's urljoin and _graceful_relative_url).
 */
#ifndef COREAPI_CODECS_URLS_H
#define COREAPI_CODECS_URLS_H

/* url resolved against base as Python 3.11's urllib.parse.urljoin does (RFC
 * 3986 section 5.2 reference resolution, on text: nothing is percent-encoded
 * or case-folded but the scheme). No base gives url; an empty url gives
 * base. Returns a new string (free()) or NULL on ENOMEM. */
char *coreapi__urljoin(const char *base, const char *url);

/* The reference's _graceful_relative_url: "" when url equals base; the part
 * after "scheme://netloc" when both share it; else url. base may be NULL.
 * Returns a pointer into url, or "" (never allocates). */
const char *coreapi__graceful_relative(const char *base, const char *url);

#endif
