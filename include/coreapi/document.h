/*
 * coreapi/document.h - the Core API document model.
 *
 * A document is a tree of immutable nodes:
 *   Document  url, title, description, media type, and content (a map)
 *   Object    a map of string keys to nodes
 *   Array     a list of nodes
 *   Link      url, action, encoding, transform, title, description, fields
 *   Error     title and content (a map)
 *   and the primitives String (UTF-8 with a length), Integer (exact 64-bit),
 *   Real (double), Boolean and Null.
 *
 * Nodes are reference counted, as jansson's values are: a function that
 * returns a new reference says so, and the caller releases it with
 * coreapi_node_free(); a borrowed pointer lives as long as the node it came
 * from. Counts are atomic and nodes never change once built, so a document may
 * be read by several threads at once. Maps and arrays are built with builders,
 * which take ownership of the nodes put into them.
 *
 * Maps (Document, Object, Error) iterate in the reference client's order:
 * plain data keys sorted, then links sorted by url and then action (get,
 * post, put, patch, delete, anything else), ties in insertion order. The
 * insertion order (for a JSON response, the server's order) is kept too.
 */
#ifndef COREAPI_DOCUMENT_H
#define COREAPI_DOCUMENT_H

#include <stddef.h>
#include <stdint.h>
#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum coreapi_node_type {
  COREAPI_NODE_DOCUMENT = 1,
  COREAPI_NODE_OBJECT = 2,
  COREAPI_NODE_ARRAY = 3,
  COREAPI_NODE_LINK = 4,
  COREAPI_NODE_ERROR = 5,
  COREAPI_NODE_STRING = 6,
  COREAPI_NODE_INTEGER = 7,
  COREAPI_NODE_REAL = 8,
  COREAPI_NODE_BOOLEAN = 9,
  COREAPI_NODE_NULL = 10,
  COREAPI_NODE_FILE = 11 /* a file to upload: only ever a parameter value */
} coreapi_node_type;

typedef struct coreapi_node coreapi_node;
typedef struct coreapi_field coreapi_field;
typedef struct coreapi_map_builder coreapi_map_builder;
typedef struct coreapi_array_builder coreapi_array_builder;

/* --- life cycle ----------------------------------------------------------- */

/* Another reference to node; returns node. NULL gives NULL. */
COREAPI_EXTERN coreapi_node *coreapi_node_ref(coreapi_node *node);

/* Release a reference; the last one frees the node and what only it holds.
 * NULL does nothing. */
COREAPI_EXTERN void coreapi_node_free(coreapi_node *node);

/* Secrets: mark node and every node it holds as holding a secret (a
 * password, a token). From then on each of them is overwritten with zeros
 * (its strings, keys and memory, slab chunks included) when its last
 * reference goes, whoever releases it and however: coreapi_node_free, a
 * builder, another tree sharing the node. The mark cannot be taken off;
 * marking a node other threads read is safe. Shared nodes (null, booleans,
 * "", small integers, [] and {}, which hold no secret) are left alone.
 * Returns node (NULL gives NULL). coreapi_json_decode_secret (codec.h)
 * marks what it decodes. */
COREAPI_EXTERN coreapi_node *coreapi_node_mark_secret(coreapi_node *node);

/* coreapi_node_mark_secret(node), then coreapi_node_free(node): the tree is
 * wiped when its last reference goes, now or later. NULL does nothing. */
COREAPI_EXTERN void coreapi_node_free_wiped(coreapi_node *node);

/* The node's type; 0 for NULL. */
COREAPI_EXTERN coreapi_node_type coreapi_node_type_of(const coreapi_node *node);

/* The type's name as the reference writes it ("document", "object", "array",
 * "link", "error", "string", "integer", "real", "boolean", "null"). */
COREAPI_EXTERN const char *coreapi_node_type_name(coreapi_node_type type);

/* Deep equality: same type, same attributes, equal content (maps compare as
 * sets of keys; Integer and Real compare by value, as in Python). */
COREAPI_EXTERN int coreapi_node_equal(const coreapi_node *a, const coreapi_node *b);

/* --- primitives ----------------------------------------------------------- */

/* New nodes (new references), or NULL with err filled: ERR_OUT_OF_MEMORY, or
 * ERR_INVALID_ARGUMENT for a string that is not valid UTF-8 or NULL with a
 * non-zero length. Strings are copied and may contain NUL bytes. */
COREAPI_EXTERN coreapi_node *coreapi_string_new(const char *s, size_t len, coreapi_error *err);
COREAPI_EXTERN coreapi_node *coreapi_integer_new(int64_t value, coreapi_error *err);
COREAPI_EXTERN coreapi_node *coreapi_real_new(double value, coreapi_error *err);
COREAPI_EXTERN coreapi_node *coreapi_boolean_new(int value, coreapi_error *err);
COREAPI_EXTERN coreapi_node *coreapi_null_new(coreapi_error *err);

/* The value of a String (NUL-terminated, length in *len when len is not
 * NULL; borrowed), or NULL for another type. */
COREAPI_EXTERN const char *coreapi_string_value(const coreapi_node *node, size_t *len);
/* The value of an Integer, Real or Boolean; 0 for another type. */
COREAPI_EXTERN int64_t coreapi_integer_value(const coreapi_node *node);
COREAPI_EXTERN double coreapi_real_value(const coreapi_node *node);
COREAPI_EXTERN int coreapi_boolean_value(const coreapi_node *node);

/* --- attributes ----------------------------------------------------------- */

/* Borrowed strings, "" when empty, NULL when the node has no such attribute:
 *   url          Document, Link
 *   title        Document, Link, Error
 *   description  Document, Link
 *   media_type   Document
 *   action, encoding, transform   Link */
COREAPI_EXTERN const char *coreapi_node_url(const coreapi_node *node);
COREAPI_EXTERN const char *coreapi_node_title(const coreapi_node *node);
COREAPI_EXTERN const char *coreapi_node_description(const coreapi_node *node);
COREAPI_EXTERN const char *coreapi_node_media_type(const coreapi_node *node);
COREAPI_EXTERN const char *coreapi_link_action(const coreapi_node *link);
COREAPI_EXTERN const char *coreapi_link_encoding(const coreapi_node *link);
COREAPI_EXTERN const char *coreapi_link_transform(const coreapi_node *link);

/* --- maps: Document, Object, Error ----------------------------------------- */

/* The number of entries; 0 for a node that is not a map. */
COREAPI_EXTERN size_t coreapi_map_size(const coreapi_node *map);

/* How many entries are plain data (not links). In iteration order the data
 * entries come first: [0, data_count) is the reference's `data` view and
 * [data_count, size) its `links` view. */
COREAPI_EXTERN size_t coreapi_map_data_count(const coreapi_node *map);

/* The i-th entry in iteration order (the reference's): returns its value
 * (borrowed) and sets *key (borrowed, NUL-terminated) and *key_len when not
 * NULL; NULL when i is out of range. */
COREAPI_EXTERN coreapi_node *coreapi_map_entry(const coreapi_node *map, size_t i,
                                               const char **key, size_t *key_len);

/* The i-th entry in insertion order (as built; for decoded JSON, the
 * server's order). */
COREAPI_EXTERN coreapi_node *coreapi_map_entry_inserted(const coreapi_node *map, size_t i,
                                                        const char **key, size_t *key_len);

/* The value for key (key_len bytes), borrowed, or NULL. */
COREAPI_EXTERN coreapi_node *coreapi_map_get(const coreapi_node *map, const char *key,
                                             size_t key_len);

/* A new, empty map builder, or NULL (out of memory). */
COREAPI_EXTERN coreapi_map_builder *coreapi_map_builder_new(void);

/* Set key (key_len bytes, valid UTF-8, copied) to value. Takes ownership of
 * value, also on failure. Setting a key again replaces its value, keeping its
 * first position. Returns OK, ERR_INVALID_ARGUMENT or ERR_OUT_OF_MEMORY. */
COREAPI_EXTERN coreapi_code coreapi_map_builder_set(coreapi_map_builder *b, const char *key,
                                                    size_t key_len, coreapi_node *value,
                                                    coreapi_error *err);

/* Finish the builder as an Object, a Document or an Error (new reference).
 * The builder is consumed, also on failure. String attributes may be NULL
 * (meaning ""); they are copied. */
COREAPI_EXTERN coreapi_node *coreapi_map_builder_object(coreapi_map_builder *b,
                                                        coreapi_error *err);
COREAPI_EXTERN coreapi_node *coreapi_map_builder_document(coreapi_map_builder *b,
                                                          const char *url, const char *title,
                                                          const char *description,
                                                          const char *media_type,
                                                          coreapi_error *err);
COREAPI_EXTERN coreapi_node *coreapi_map_builder_error(coreapi_map_builder *b,
                                                       const char *title, coreapi_error *err);

/* Give the Document that b is finished as these security schemes (an
 * Object: scheme name -> an Object describing the scheme; see "security"
 * below). Takes ownership of schemes, also on failure; setting again
 * replaces them. Finishing b as an Object or an Error then fails with
 * ERR_INVALID_ARGUMENT. Returns OK or ERR_INVALID_ARGUMENT (b NULL, schemes
 * not an Object of Objects). */
COREAPI_EXTERN coreapi_code coreapi_map_builder_set_security_schemes(coreapi_map_builder *b,
                                                                     coreapi_node *schemes,
                                                                     coreapi_error *err);

/* Abandon a builder and the nodes in it. NULL does nothing. */
COREAPI_EXTERN void coreapi_map_builder_free(coreapi_map_builder *b);

/* --- arrays ----------------------------------------------------------------- */

COREAPI_EXTERN size_t coreapi_array_size(const coreapi_node *array);
/* The i-th item, borrowed, or NULL when out of range. */
COREAPI_EXTERN coreapi_node *coreapi_array_get(const coreapi_node *array, size_t i);

COREAPI_EXTERN coreapi_array_builder *coreapi_array_builder_new(void);
/* Append value; takes ownership of it, also on failure. */
COREAPI_EXTERN coreapi_code coreapi_array_builder_append(coreapi_array_builder *b,
                                                         coreapi_node *value,
                                                         coreapi_error *err);
/* Finish as an Array (new reference); consumes the builder. */
COREAPI_EXTERN coreapi_node *coreapi_array_builder_finish(coreapi_array_builder *b,
                                                          coreapi_error *err);
COREAPI_EXTERN void coreapi_array_builder_free(coreapi_array_builder *b);

/* --- links and fields --------------------------------------------------------- */

/* A field of a link, as given to coreapi_link_new. Strings may be NULL ("").
 * schema_type is the Core JSON schema type id ("string", "integer", "number",
 * "boolean", "array", "object", "enum", "anything"), "" for no schema.
 * schema_enum is the list of allowed values of an enum (an Array, borrowed:
 * the link takes its own reference), or NULL. */
typedef struct coreapi_field_spec {
  const char *name;
  int required;
  const char *location;
  const char *schema_type;
  const char *schema_title;
  const char *schema_description;
  coreapi_node *schema_enum;
} coreapi_field_spec;

/* The attributes of a link for coreapi_link_new. Strings may be NULL (""). */
typedef struct coreapi_link_spec {
  const char *url;
  const char *action;
  const char *encoding;
  const char *transform;
  const char *title;
  const char *description;
  const coreapi_field_spec *fields;
  size_t field_count;
  /* The link's security requirement (see "security" below), borrowed: the
   * link takes its own reference. NULL: none stated. */
  coreapi_node *security;
} coreapi_link_spec;

/* A new Link (new reference) with a copy of spec, or NULL with err filled. */
COREAPI_EXTERN coreapi_node *coreapi_link_new(const coreapi_link_spec *spec, coreapi_error *err);

/* The link's fields, in order; a field is borrowed from its link. */
COREAPI_EXTERN size_t coreapi_link_field_count(const coreapi_node *link);
COREAPI_EXTERN const coreapi_field *coreapi_link_field(const coreapi_node *link, size_t i);

COREAPI_EXTERN const char *coreapi_field_name(const coreapi_field *field);
COREAPI_EXTERN int coreapi_field_required(const coreapi_field *field);
COREAPI_EXTERN const char *coreapi_field_location(const coreapi_field *field);
/* "" when the field has no schema. */
COREAPI_EXTERN const char *coreapi_field_schema_type(const coreapi_field *field);
COREAPI_EXTERN const char *coreapi_field_schema_title(const coreapi_field *field);
COREAPI_EXTERN const char *coreapi_field_schema_description(const coreapi_field *field);
/* The allowed values of an enum schema (an Array, borrowed), or NULL. */
COREAPI_EXTERN coreapi_node *coreapi_field_schema_enum(const coreapi_field *field);

/* --- security (from OpenAPI and Swagger descriptions) ------------------------------

   What a description says about authentication, kept as plain data:

   A Document's security schemes: an Object, scheme name -> an Object in
   OpenAPI 3's shape: "type" ("apiKey", "http", "oauth2", "openIdConnect",
   "mutualTLS"), and as the type has them "description", "name" and "in"
   (apiKey: the header, query parameter or cookie name, and "header", "query"
   or "cookie"), "scheme" and "bearerFormat" (http: "basic", "bearer", ...),
   "flows" (oauth2: "implicit", "password", "clientCredentials",
   "authorizationCode", each with "authorizationUrl", "tokenUrl",
   "refreshUrl" as absolute URLs and "scopes", name -> description) and
   "openIdConnectUrl". Swagger 2.0's are written in that shape too (basic is
   http/basic; flow application is clientCredentials, accessCode
   authorizationCode).

   A Link's security requirement: an Array of alternatives, each an Object
   of scheme name -> Array of scope Strings, all of whose schemes apply
   together. An empty Array: no authentication needed; an empty Object among
   the alternatives: authentication is optional.

   Core JSON keeps both: "securitySchemes" in a Document's "_meta" and
   "security" in a Link. */

/* The Document's security schemes (borrowed), or NULL when it has none or
 * node is not a Document. */
COREAPI_EXTERN coreapi_node *coreapi_document_security_schemes(const coreapi_node *document);
/* The Link's security requirement (borrowed), or NULL when none is stated. */
COREAPI_EXTERN coreapi_node *coreapi_link_security(const coreapi_node *link);

/* --- files (parameters only) -------------------------------------------------------- */

/* A readable stream for a file parameter. read fills buf with up to size
 * bytes and returns how many (0 at the end, (size_t)-1 on error); rewind goes
 * back to the start (0, or -1 when it cannot: the request then cannot be sent
 * twice, as a 307 redirect or an authentication's resend would need); free
 * releases userdata (optional). */
typedef struct coreapi_stream {
  size_t (*read)(void *userdata, char *buf, size_t size);
  int (*rewind)(void *userdata);
  void (*free)(void *userdata);
} coreapi_stream;

/* A File parameter read from path (copied; opened when the request is sent,
 * streamed from disk). name is the file name sent (NULL: the last component
 * of path); content_type may be NULL (guessed from the name where the
 * encoding needs one). Returns a new reference or NULL with err filled
 * (ERR_IO when path cannot be read). Files are parameter values; documents
 * and codecs never contain them. */
COREAPI_EXTERN coreapi_node *coreapi_file_new(const char *path, const char *name,
                                              const char *content_type, coreapi_error *err);

/* A File parameter read from a stream of size bytes (-1 when unknown). ops
 * must outlive the node; userdata is owned by the node from now on (ops->free
 * releases it, also on failure). name and content_type may be NULL. */
COREAPI_EXTERN coreapi_node *coreapi_file_new_stream(const coreapi_stream *ops, void *userdata,
                                                     int64_t size, const char *name,
                                                     const char *content_type,
                                                     coreapi_error *err);

/* A File's name, content type ("" when none), path (NULL for a stream) and
 * size (-1 when unknown). Borrowed. */
COREAPI_EXTERN const char *coreapi_file_name(const coreapi_node *file);
COREAPI_EXTERN const char *coreapi_file_content_type(const coreapi_node *file);
COREAPI_EXTERN const char *coreapi_file_path(const coreapi_node *file);
COREAPI_EXTERN int64_t coreapi_file_size(const coreapi_node *file);

/* --- lookup --------------------------------------------------------------------- */

/* One step of a path: a key of a map (name not NULL, NUL-terminated), or an
 * index into an array (name NULL). */
typedef struct coreapi_key {
  const char *name;
  size_t index;
} coreapi_key;

/* Follow keys from root. Returns the node reached (borrowed), or NULL with
 * err filled: ERR_NOT_FOUND with a message naming the key that was not found
 * (or the index out of range, or the step taken into a node that has no
 * content), ERR_INVALID_ARGUMENT for NULL arguments. n = 0 returns root. */
COREAPI_EXTERN coreapi_node *coreapi_node_lookup(const coreapi_node *root,
                                                 const coreapi_key *keys, size_t n,
                                                 coreapi_error *err);

/* A copy of root with the node at keys replaced by value (new reference; the
 * parts not on the path are shared, not copied). Every step but the last must
 * exist; the last may add a new key to a map. n = 0 returns value itself.
 * Documents keep their url, title and so on. NULL with err filled
 * (ERR_NOT_FOUND, ERR_INVALID_ARGUMENT) otherwise. root and value are
 * borrowed. */
COREAPI_EXTERN coreapi_node *coreapi_node_set_in(const coreapi_node *root,
                                                 const coreapi_key *keys, size_t n,
                                                 coreapi_node *value, coreapi_error *err);

/* A copy of root without the node at keys (new reference). n must be at
 * least 1 and the node must exist (ERR_NOT_FOUND otherwise). */
COREAPI_EXTERN coreapi_node *coreapi_node_delete_in(const coreapi_node *root,
                                                    const coreapi_key *keys, size_t n,
                                                    coreapi_error *err);

#ifdef __cplusplus
}
#endif
#endif /* COREAPI_DOCUMENT_H */
