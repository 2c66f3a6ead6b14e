/*
 * document/document.h - the document layer's private header: the layout of
 * document nodes, shared by the files of src/document/ and the codecs that
 * build nodes quickly, and reading File nodes that are streams.
 */
#ifndef COREAPI_DOCUMENT_NODE_H
#define COREAPI_DOCUMENT_NODE_H

#include <stdatomic.h>
#include <stdint.h>
#include <string.h>

#include "../text/text.h"
#include "coreapi/document.h"
#include "coreapi/file.h"

struct coreapi_node {
  atomic_uint refs;
  uint8_t type;        /* a coreapi_node_type */
  uint8_t flags;       /* COREAPI__NODE_* */
  uint16_t slab_slot;  /* in a slab chunk (slab.c): its offset there, in 8-byte units */
};

#define COREAPI__NODE_SLAB 1u /* allocated in a slab chunk, not by malloc */
#define COREAPI__NODE_ARENA 4u /* allocated in an arena (slab.c): immortal till it goes */

typedef struct string_node {
  coreapi_node base;
  size_t len;
  char data[]; /* len bytes and a NUL */
} string_node;

typedef struct number_node {
  coreapi_node base;
  union {
    int64_t i;
    double r;
    int b;
  } v;
} number_node;

typedef struct map_entry {
  const char *key; /* in the node's blob */
  coreapi_node *value;
  uint32_t key_len;
  uint32_t is_link;
} map_entry;

/* The attributes of a Document or an Error; security_schemes (a
 * Document's, owned) may be NULL. */
typedef struct map_attrs {
  const char *url, *title, *description, *media_type;
  coreapi_node *security_schemes;
} map_attrs;

/* A map is one allocation: the node, cap entries in insertion order, then
 * (when cap > 1) two permutations of them, iteration order and by key (for
 * binary search), then the keys; a Document's or Error's attributes at the
 * end. A small Object costs little: {"a": 1} is 58 bytes. */
typedef struct map_node {
  coreapi_node base;
  uint32_t count;         /* entries in use */
  uint32_t data_count;    /* entries that are not links */
  uint32_t cap;           /* entries allocated */
  uint32_t flags;         /* COREAPI__MAP_* */
  const map_attrs *attrs; /* NULL: every attribute is "" */
  map_entry entries[];
} map_node;

#define COREAPI__MAP_ATTRS_OWNED 1u /* attrs is a block of its own, freed with the node */
/* Left by the JSON parser (codecs/jsonparse.c): not sorted yet, so no
 * lookup or iteration order until coreapi__map_seal (an object the Core JSON
 * decoder is about to change); never seen outside a decode. */
#define COREAPI__MAP_UNSEALED 2u
/* Set by the JSON parser: nothing in the map that Core JSON decoding
 * changes (no key starting with '_' in it or below). */
#define COREAPI__MAP_CLEAN 4u

static inline uint32_t *coreapi__map_order(const map_node *m) {
  return (uint32_t *)(m->entries + m->cap);
}
static inline uint32_t *coreapi__map_by_key(const map_node *m) {
  return coreapi__map_order(m) + m->cap;
}
/* The index in entries of the i-th entry in iteration order, and by key. */
static inline uint32_t coreapi__map_order_at(const map_node *m, size_t i) {
  return m->cap > 1 ? coreapi__map_order(m)[i] : 0;
}
static inline uint32_t coreapi__map_by_key_at(const map_node *m, size_t i) {
  return m->cap > 1 ? coreapi__map_by_key(m)[i] : 0;
}
static inline const char *coreapi__map_url(const map_node *m) {
  return m->attrs ? m->attrs->url : "";
}
static inline const char *coreapi__map_title(const map_node *m) {
  return m->attrs ? m->attrs->title : "";
}
static inline const char *coreapi__map_description(const map_node *m) {
  return m->attrs ? m->attrs->description : "";
}
static inline const char *coreapi__map_media_type(const map_node *m) {
  return m->attrs ? m->attrs->media_type : "";
}

/* An Array: its count and items; or, with COREAPI__NODE_ARRAY1 in its
 * flags, exactly one item right after the header, no count (a chain of
 * one-child arrays costs 16 bytes a level). Read them with
 * coreapi__array_count and coreapi__array_items; make them with
 * coreapi__array_alloc. */
typedef struct array_node {
  coreapi_node base;
  size_t count;
  coreapi_node *items[];
} array_node;

#define COREAPI__NODE_ARRAY1 2u

static inline size_t coreapi__array_count(const coreapi_node *a) {
  return (a->flags & COREAPI__NODE_ARRAY1) ? 1 : ((const array_node *)a)->count;
}
static inline coreapi_node **coreapi__array_items(const coreapi_node *a) {
  return (a->flags & COREAPI__NODE_ARRAY1) ? (coreapi_node **)((coreapi_node *)a + 1)
                                           : ((array_node *)a)->items;
}

struct coreapi_field {
  const char *name, *location, *schema_type, *schema_title, *schema_description;
  int required;
  coreapi_node *schema_enum;
};

typedef struct link_node {
  coreapi_node base;
  const char *url, *action, *encoding, *transform, *title, *description;
  size_t field_count;
  struct coreapi_field *fields;
  coreapi_node *security; /* owned, or NULL */
} link_node;

typedef struct file_node {
  coreapi_node base;
  char *path;          /* NULL for a stream */
  const coreapi_stream *ops;
  void *userdata;
  int64_t size;
  const char *name;    /* in the allocation */
  const char *content_type;
} file_node;

#define AS_FILE(n) ((file_node *)(n))
#define AS_STRING(n) ((string_node *)(n))
#define AS_NUMBER(n) ((number_node *)(n))
#define AS_MAP(n) ((map_node *)(n))
#define AS_ARRAY(n) ((array_node *)(n))
#define AS_LINK(n) ((link_node *)(n))

static inline int coreapi__is_map(const coreapi_node *n) {
  return n != NULL && (n->type == COREAPI_NODE_DOCUMENT || n->type == COREAPI_NODE_OBJECT ||
                       n->type == COREAPI_NODE_ERROR);
}

/* Allocate a node of size bytes with type and one reference (not zeroed
 * beyond the header): in the current slab (slab.c) when one is open on
 * this thread and the node is small, else with malloc. Release its memory
 * with coreapi__node_dealloc (node_destroy does). */
coreapi_node *coreapi__node_alloc(size_t size, coreapi_node_type type);
void coreapi__node_dealloc(coreapi_node *n);

/* Slabs (slab.c): while one is open on a thread, the small nodes it
 * allocates are cut from shared 64 KiB chunks instead of one malloc each,
 * so that a decoded document costs its bytes, not malloc's rounding and
 * headers ([[[[1]]]] is 4 arrays of 24 bytes, not of 48). A chunk is
 * freed when its last node is; one node kept alive keeps its chunk.
 * Open and close nest; a decoder opens one around its parse. */
void coreapi__slab_open(void);
void coreapi__slab_close(void);
/* size bytes from the open slab (8-aligned, *slot set), or NULL: none
 * open, too big for a chunk, or out of memory. */
void *coreapi__slab_alloc(size_t size, uint16_t *slot);
void coreapi__slab_free(void *p, uint16_t slot);

/* Arenas (slab.c), for a tree made to be read and dropped whole (an
 * OpenAPI description's, while its Document is made): while one is open
 * on a thread (it takes precedence over slabs; opens nest), every node
 * made there is cut from it, COREAPI__NODE_ARENA in its flags, its count
 * COREAPI__IMMORTAL (coreapi_node_ref and coreapi_node_free do nothing;
 * coreapi__node_copy copies it). coreapi__arena_close stops making nodes
 * there; coreapi__arena_free (closing it first if open) drops every node
 * at once: nothing may hold one after (copy what is kept). NULL on
 * ENOMEM (then nodes are made as usual), and a NULL arena does nothing. */
typedef struct coreapi__arena coreapi__arena;
coreapi__arena *coreapi__arena_open(void);
void coreapi__arena_close(coreapi__arena *a);
void coreapi__arena_free(coreapi__arena *a);
/* size bytes (8-aligned) from the arena open on this thread, *arena set
 * to 1; or NULL: *arena 0, none open; *arena 1, out of memory. */
void *coreapi__arena_alloc(size_t size, int *arena);

/* A reference count at or above this marks a shared node (shared.c): never
 * counted, never freed. */
#define COREAPI__IMMORTAL 0x40000000u
/* A bit of refs beside the count (below COREAPI__IMMORTAL, never on a shared
 * node): the node holds a secret and is wiped when freed (node.c). Set
 * with an atomic or, so that marking a node others read is no race; the
 * count is refs & ~COREAPI__SECRET. */
#define COREAPI__SECRET 0x20000000u

/* Mark n and every node it holds (shared nodes aside) COREAPI__SECRET
 * (node.c: such a node is wiped when freed); a node found marked already is
 * not walked again (its children were marked with it). */
void coreapi__node_mark_secret(coreapi_node *n);
/* Memory that may hold secrets: wiped whole when freed, and never left
 * behind by a moving realloc (coreapi__wiped_realloc allocates, copies,
 * wipes and frees the old block; NULL on ENOMEM, the old block kept).
 * Blocks of one go only to the others; coreapi__wiped_free(NULL) does
 * nothing. */
void *coreapi__wiped_malloc(size_t n);
void *coreapi__wiped_realloc(void *p, size_t n);
void coreapi__wiped_free(void *p);

/* Shared, immutable nodes for the values decoders meet most (shared.c):
 * null, true, false, "", [], {} and the integers from COREAPI__SHARED_MIN
 * to COREAPI__SHARED_MAX. Each call returns the same node; coreapi_node_ref
 * and coreapi_node_free do nothing to it. */
#define COREAPI__SHARED_MIN (-256)
#define COREAPI__SHARED_MAX 4095
coreapi_node *coreapi__shared_null(void);
coreapi_node *coreapi__shared_boolean(int value);
coreapi_node *coreapi__shared_integer(int64_t value); /* NULL outside the range */
coreapi_node *coreapi__shared_empty_string(void);
coreapi_node *coreapi__shared_empty_array(void);
coreapi_node *coreapi__shared_empty_object(void);

/* Building maps without a builder (for decoders, whose keys are valid
 * UTF-8): a map of type with room for n entries and key_bytes bytes of keys
 * (each key_len + 1), attributes "", count 0 (NULL on ENOMEM or too many).
 * Add entries in insertion order with coreapi__map_push (the key is copied
 * to *blob, which starts at coreapi__map_blob; value owned), then
 * coreapi__map_seal: iteration order and lookup; -1 on ENOMEM (the map is
 * still a valid, unsorted one to free). After sealing,
 * coreapi__map_duplicate gives a key present twice, or NULL. */
map_node *coreapi__map_alloc(coreapi_node_type type, size_t n, size_t key_bytes);
char *coreapi__map_blob(const map_node *m);
void coreapi__map_push(map_node *m, char **blob, const char *key, size_t key_len,
                       coreapi_node *value);
int coreapi__map_seal(map_node *m);
/* coreapi__map_push of plain data (a value that is no Link), inline, the
 * value not read (its node may be far away in memory). */
static inline void coreapi__map_push_data(map_node *m, char **blob, const char *key,
                                          size_t key_len, coreapi_node *value) {
  map_entry *e = &m->entries[m->count++];
  if (key_len > 0)
    memcpy(*blob, key, key_len);
  (*blob)[key_len] = '\0';
  e->key = *blob;
  e->key_len = (uint32_t)key_len;
  e->value = value;
  e->is_link = 0;
  *blob += key_len + 1;
}
const map_entry *coreapi__map_duplicate(const map_node *m);
/* Set a map's attributes (copied into one owned block; NULL counts as "")
 * and a Document's security schemes (owned, may be NULL; released on
 * failure). Returns 0 or -1 on ENOMEM (unchanged). */
int coreapi__map_set_attributes(map_node *m, const char *url, const char *title,
                                const char *description, const char *media_type,
                                coreapi_node *security_schemes);

/* Do these nodes have the shapes security data must have (link.c)? A
 * Document's schemes: an Object of Objects. A Link's requirements: an Array
 * of Objects whose values are Arrays of Strings. */
int coreapi__security_schemes_valid(const coreapi_node *schemes);
int coreapi__security_valid(const coreapi_node *security);

/* A new Array of n items (array.c), to be filled in with
 * coreapi__array_items: the bytes it takes are *size when size is not
 * NULL. NULL on ENOMEM. */
coreapi_node *coreapi__array_alloc(size_t n, size_t *size);
/* The bytes coreapi__array_alloc takes for n items. */
size_t coreapi__array_bytes(size_t n);

/* A deep copy of plain data (copy.c; new reference), or NULL on ENOMEM.
 * Shared nodes and nodes that are not plain data come back as themselves. */
coreapi_node *coreapi__node_copy(const coreapi_node *n);

/* coreapi_link_new for decoders, whose strings were checked when parsed:
 * only the URL (which holds the caller's base URL) is checked to be UTF-8;
 * the rest as coreapi_link_new does (the same errors). */
coreapi_node *coreapi__link_new_trusted(const coreapi_link_spec *spec, coreapi_error *err);

/* Are a and b plain data that coreapi__node_copy copies alike: the same
 * types, values bit for bit (1 is not 1.0), Objects' keys in the same
 * insertion order? Other nodes only when a == b. */
int coreapi__node_same(const coreapi_node *a, const coreapi_node *b);

/* A String node without checking UTF-8 (the caller guarantees it). */
coreapi_node *coreapi__string_new_trusted(const char *s, size_t len);

/* Map builder entry point for decoders that know their keys are unique and
 * valid UTF-8: appends without looking for a previous equal key. Takes
 * ownership of value. Returns 0, or -1 on ENOMEM (value released). */
int coreapi__map_builder_add_unique(coreapi_map_builder *b, const char *key, size_t key_len,
                                    coreapi_node *value);

/* Link priority of an action in iteration order (get 0 ... delete 4, else 5). */
int coreapi__action_priority(const char *action);

/* Read up to n bytes of a stream File; (size_t)-1 on error. */
size_t coreapi__file_read(const coreapi_node *file, char *buf, size_t n);
/* Rewind a stream File: 0, or -1 when it cannot. */
int coreapi__file_rewind(const coreapi_node *file);

#endif
