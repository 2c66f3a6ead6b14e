/*
 * coreapi/codec.h - codecs: response bodies into documents, documents into
 * bytes. The same meaning as the reference client's codecs:
 *
 *   Core JSON  application/coreapi+json (and application/vnd.coreapi+json)
 *   JSON       application/json: plain data
 *   Text       text/(anything): the body as a string
 *   Download   any other type: the body streamed into a file
 *
 * Parsers take a pointer and a length; on success they return a new
 * reference, on malformed input NULL with err set to ERR_PARSE and a message
 * that says where (line and column for JSON).
 */
#ifndef COREAPI_CODEC_H
#define COREAPI_CODEC_H

#include <stddef.h>
#include "document.h"
#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Decode a Core JSON body. Relative URLs resolve against the document's URL,
 * and that against base_url (the response's URL; may be NULL). The reserved
 * keys "_type" and "_meta" appear escaped as "__type" and "__meta" in content
 * and are unescaped. Parsing is liberal: an attribute of the wrong type takes
 * its empty default. A top-level plain object becomes a Document; a top level
 * that is neither a document, an error nor an object is ERR_PARSE, as is
 * malformed JSON (with line and column), a duplicate key, or text that is not
 * UTF-8. Returns a new reference (a Document or an Error). */
COREAPI_EXTERN coreapi_node *coreapi_corejson_decode(const char *data, size_t len,
                                                     const char *base_url, coreapi_error *err);

/* Encode node (usually a Document) as Core JSON, compact (indent 0) or with
 * 4-space indentation (indent non-zero), byte for byte as the reference's
 * CoreJSONCodec().encode(). URLs are written relative where the reference
 * writes them relative. Returns a new NUL-terminated string the caller
 * releases with free(), its length in *len when len is not NULL; NULL with
 * err filled on failure. */
COREAPI_EXTERN char *coreapi_corejson_encode(const coreapi_node *node, int indent, size_t *len,
                                             coreapi_error *err);

/* Decode a JSON body into plain data (Objects keep the server's key order as
 * their insertion order; any top-level value is fine). ERR_PARSE for
 * malformed JSON or a duplicate key. Returns a new reference. */
COREAPI_EXTERN coreapi_node *coreapi_json_decode(const char *data, size_t len,
                                                 coreapi_error *err);

/* coreapi_json_decode for text that holds secrets (a credentials file, a
 * token answer): the same result, every node of it marked as by
 * coreapi_node_mark_secret (document.h), so that the tree is wiped when
 * freed, whoever frees it; and no copy of the text is left in memory the
 * decoder frees: no table of values met before, its scratch buffers (and
 * YAJL's) wiped, never moved by realloc. data itself stays the caller's to
 * wipe. Slower than coreapi_json_decode: for small texts. Returns a new
 * reference, or NULL with err set (what a failed decode made is wiped). */
COREAPI_EXTERN coreapi_node *coreapi_json_decode_secret(const char *data, size_t len,
                                                        coreapi_error *err);

/* Decode an OpenAPI 3.0/3.1 or Swagger 2.0 description (JSON or YAML) into a
 * Document: one Link per operation, grouped by first tag and keyed by
 * operationId (see the README for the whole mapping). base_url is the URL
 * the description came from (relative server URLs resolve against it; may
 * be NULL). ERR_PARSE for what is not such a description, with where.
 * Returns a new reference. */
COREAPI_EXTERN coreapi_node *coreapi_openapi_decode(const char *data, size_t len,
                                                    const char *base_url, coreapi_error *err);

/* Encode plain data as JSON the way Python's json.dumps does: indent 0 is
 * compact (",", ":"); -1 is one line with json.dumps' default separators
 * (", ", ": "), as requests sends a JSON body; a positive indent is that many
 * spaces per level with "," and ": "; keys in insertion order; ascii non-zero
 * escapes non-ASCII characters as \uXXXX (json.dumps' default), zero writes
 * them as they are. Documents and errors are written as their content, links
 * as {}; a File is ERR_INVALID_ARGUMENT. Returns a new string (free() it) or
 * NULL with err filled. The output grows without realloc (each smaller
 * buffer wiped before it is freed), so encoding secrets leaves no copy in
 * freed memory but the string returned: wipe its *len bytes before freeing
 * it (the same holds for coreapi_corejson_encode). */
COREAPI_EXTERN char *coreapi_json_encode(const coreapi_node *node, int indent, int ascii,
                                         size_t *len, coreapi_error *err);

/* Decode a text body: the bytes as a String. ERR_PARSE when they are not
 * UTF-8. Returns a new reference. */
COREAPI_EXTERN coreapi_node *coreapi_text_decode(const char *data, size_t len,
                                                 coreapi_error *err);

/* --- negotiation ------------------------------------------------------------
 * Codecs are named by their format, as the reference names them: "corejson",
 * "json", "text" and "download", and "openapi" (OpenAPI and Swagger
 * descriptions). A list of formats is a client's decoders, in order of
 * preference; NULL (with n 0) is the default list: corejson, openapi, json,
 * text, download. The Accept header offers the first format's media types,
 * then OpenAPI's when the list has it further on, then * / * (without the
 * spaces). A JSON body whose top level has an "openapi" ("3.x") or
 * "swagger" ("2.0") string decodes as a description. */

/* The media types a format decodes ("corejson": application/coreapi+json and
 * application/vnd.coreapi+json; "json": application/json; "text": text/ *
 * written without the space; "download": any), as a NULL-terminated static
 * list; NULL for an unknown format. */
COREAPI_EXTERN const char *const *coreapi_codec_media_types(const char *format);

/* The Accept header for a list of decoders, built as the reference builds it:
 * the first decoder's media types, then * / * (without spaces) unless already
 * there, joined by ", ". Written to buf (size bytes, NUL-terminated).
 * Returns OK, ERR_INVALID_ARGUMENT for an unknown format or a buffer too
 * small. */
COREAPI_EXTERN coreapi_code coreapi_codec_accept_header(const char *const *formats, size_t n,
                                                  char *buf, size_t size, coreapi_error *err);

/* Which decoder of the list handles a response with this Content-Type: the
 * first with exactly the media type (parameters and case ignored), else the
 * first with "type/ *", else the first with "* / *". No Content-Type (NULL)
 * picks the first decoder, as the reference does. Returns the format (a
 * static string), or NULL with ERR_NO_CODEC and a message naming the content
 * type. */
COREAPI_EXTERN const char *coreapi_codec_negotiate(const char *const *formats, size_t n,
                                                     const char *content_type,
                                                     coreapi_error *err);

/* Decode a body with the codec of format ("corejson", "json", "text"), as
 * negotiated or forced: coreapi_corejson_decode, coreapi_json_decode or
 * coreapi_text_decode. "download" cannot decode from memory (its body goes to
 * a file as it arrives): ERR_INVALID_ARGUMENT, as for an unknown format.
 * Returns a new reference, or NULL with err filled. */
COREAPI_EXTERN coreapi_node *coreapi_codec_decode(const char *format, const char *data, size_t len,
                                            const char *base_url, coreapi_error *err);

#ifdef __cplusplus
}
#endif
#endif /* COREAPI_CODEC_H */
