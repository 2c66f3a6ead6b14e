/* codecs/corejson.h - what the codecs share: JSON parsing (jansson) and the
 * encoder, for Core JSON and plain JSON alike. */
#ifndef COREAPI_CODECS_COREJSON_H
#define COREAPI_CODECS_COREJSON_H

#include <jansson.h>

#include "../internal.h"

/* Parse JSON (any top level, duplicates rejected, NUL allowed in strings).
 * NULL with err (ERR_PARSE, line and column) on malformed input. */
json_t *coreapi__json_parse(const char *data, size_t len, coreapi_error *err);

/* Turn a parsed tree into nodes: Core JSON rules, or plain data. */
coreapi_node *coreapi__json_to_node(json_t *root, const char *base_url, int plain,
                                    coreapi_error *err);

/* Encode node as JSON text: Core JSON (corejson) or plain data. indent -1 is
 * one line with json.dumps' default separators ", " and ": ". */
char *coreapi__encode(const coreapi_node *node, int indent, int corejson, int ascii,
                      size_t *len, coreapi_error *err);

#endif
