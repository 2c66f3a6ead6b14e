/*
 * text/text.h - the reference client's textual behaviour, each rule written
 * once: UTF-8 validation. Used by every layer above (see src/README.md).
 */
#ifndef COREAPI_TEXT_H
#define COREAPI_TEXT_H

#include "../base/base.h"

/* Is [s, s+n) valid UTF-8 (no overlongs, no surrogates)? */
int coreapi__is_utf8(const char *s, size_t n);

#endif /* COREAPI_TEXT_H */
