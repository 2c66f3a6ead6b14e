/*
 * codecs/urls.h - the URL arithmetic of the Core JSON codec: resolving a
 * document's relative URLs (Python's urljoin: coreapi__urljoin, declared in
 * text/text.h) and writing them back relative, as the reference client does
 * (_graceful_relative_url) wherever its relative form resolves back.
 */
#ifndef COREAPI_CODECS_URLS_H
#define COREAPI_CODECS_URLS_H

#include "../text/text.h"

/* The reference's _graceful_relative_url: "" when url equals base; the part
 * after "scheme://netloc" when both share it; else url. One difference: the
 * relative form is used only when it resolves back to url (urljoin against
 * base), so "//evil.test/x" is never written for http://api.test//evil.test/x.
 * base may be NULL. Returns a pointer into url, or "". */
const char *coreapi__graceful_relative(const char *base, const char *url);

#endif
