/* codecs/corejson.h - what the codecs share: decoding JSON text into nodes
 * (Core JSON rules or plain data) and the encoder, for Core JSON and plain
 * JSON alike. */
#ifndef COREAPI_CODECS_COREJSON_H
#define COREAPI_CODECS_COREJSON_H

#include "../document/document.h"
#include "../transport/transport.h"

/* The decoded size a body may have when no client says otherwise. */
#define COREAPI__DECODE_LIMIT COREAPI__DEFAULT_MAX_DECODED

/* However it is shaped, a body's document takes at most this many times the
 * body's size (1 MiB at least): a Core JSON document copies its URL into
 * each of its links, so a long URL and many links would grow without it. */
#define COREAPI__DECODE_FACTOR 32

/* coreapi_codec_decode with a limit on the decoded size (0: none), as the
 * client's transitions decode (negotiate.c). */
coreapi_node *coreapi__codec_decode_limited(const char *format, const char *data, size_t len,
                                            const char *base_url, size_t max_decoded,
                                            coreapi_error *err);

/* coreapi_corejson_decode with a limit on the decoded size (0: none). */
coreapi_node *coreapi__corejson_decode_limited(const char *data, size_t len,
                                               const char *base_url, size_t max_bytes,
                                               coreapi_error *err);

/* Parse JSON text (see jsonparse.h) and turn it into nodes: Core JSON rules
 * with URLs resolved against base_url, or plain data; at most max_bytes of
 * nodes (0: no limit), else ERR_TOO_LARGE. */
coreapi_node *coreapi__json_decode_tree(const char *data, size_t len, const char *base_url,
                                        int plain, size_t max_bytes, coreapi_error *err);

/* Encode node as JSON text: Core JSON (corejson) or plain data. indent -1 is
 * one line with json.dumps' default separators ", " and ": ". */
char *coreapi__encode(const coreapi_node *node, int indent, int corejson, int ascii,
                      size_t *len, coreapi_error *err);

#endif
