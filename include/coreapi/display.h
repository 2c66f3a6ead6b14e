/*
 * coreapi/display.h - a plain-text rendering of a document, for people.
 *
 * The text is byte for byte what the reference client's DisplayCodec writes
 * (its command line shows documents this way):
 *
 *   <Title "http://example.com/">
 *       count: 2
 *       items: [
 *           "a",
 *           "b"
 *       ]
 *       users: {
 *           list([page], [search])
 *       }
 *       create(username, [email])
 *
 * A Document's head is its stripped title (or "Document") and its URL as a
 * JSON string; an Error's is "<Error: title>" or "<Error>". Keys are written
 * as they are, four spaces per level; primitives and URLs as json.dumps
 * writes them (non-ASCII escaped as \uXXXX); a link is its name and fields,
 * the required ones first, the optional ones in brackets. A multi-line string
 * that is the value of a key continues on indented lines.
 */
#ifndef COREAPI_DISPLAY_H
#define COREAPI_DISPLAY_H

#include <stddef.h>
#include "document.h"
#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Render node (any node; usually a Document or an Error). With color
 * non-zero, ANSI escapes mark the parts as the reference's console does:
 * document heads green ("\x1b[32m" ... "\x1b[0m"), error heads red
 * ("\x1b[31m"), keys and link punctuation cyan ("\x1b[36m"). Returns a new
 * NUL-terminated UTF-8 string the caller releases with free(), its length in
 * *len when len is not NULL; NULL with err filled (ERR_INVALID_ARGUMENT for a
 * NULL node or one holding a File, which documents never do;
 * ERR_OUT_OF_MEMORY). */
COREAPI_EXTERN char *coreapi_display_encode(const coreapi_node *node, int color, size_t *len,
                                     coreapi_error *err);

#ifdef __cplusplus
}
#endif
#endif /* COREAPI_DISPLAY_H */
