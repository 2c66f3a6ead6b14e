/* codecs/corejson.h - what the codecs share: decoding JSON text into nodes
 * (Core JSON rules or plain data) and the encoder, for Core JSON and plain
 * JSON alike. */
#ifndef COREAPI_CODECS_COREJSON_H
#define COREAPI_CODECS_COREJSON_H

#include "../document/document.h"

/* Parse JSON text (see jsonparse.h) and turn it into nodes: Core JSON rules
 * with URLs resolved against base_url, or plain data. */
coreapi_node *coreapi__json_decode_tree(const char *data, size_t len, const char *base_url,
                                        int plain, coreapi_error *err);

/* Encode node as JSON text: Core JSON (corejson) or plain data. indent -1 is
 * one line with json.dumps' default separators ", " and ": ". */
char *coreapi__encode(const coreapi_node *node, int indent, int corejson, int ascii,
                      size_t *len, coreapi_error *err);

#endif
