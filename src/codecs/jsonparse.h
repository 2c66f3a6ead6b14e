/*
 * codecs/jsonparse.h - JSON text (RFC 8259) into document nodes, for the
 * codecs. YAJL tokenises and validates.
 */
#ifndef COREAPI_CODECS_JSONPARSE_H
#define COREAPI_CODECS_JSONPARSE_H

#include <stddef.h>
#include <stdint.h>

#include "../document/document.h"

/* Parse len bytes of JSON at data (any top-level value) into document
 * nodes: objects become Objects (entries in the text's order), arrays
 * Arrays, numbers Integers (int64) or Reals, strings Strings. Duplicate keys
 * in an object, nesting deeper than 512, integers outside int64, reals
 * beyond the range of a double, and malformed or non-UTF-8 text are
 * ERR_PARSE, "Malformed JSON. <why> (line L, column C)", where the parser
 * stopped: just after the token it could not take, or the end of a text
 * that stops inside a value. Nodes of more than max_bytes in all (0: no
 * limit; counted as malloc rounds them) are ERR_TOO_LARGE. Numbers are read
 * independently of the process locale. Equal values may be one node
 * (jsonintern.c); core (Core JSON) keeps every object with a key starting
 * with '_', and every container holding one, unshared, with one reference,
 * for the decoder to change in place; such an object of up to 16 keys is
 * also left unsealed (COREAPI__MAP_UNSEALED: no lookup, no iteration order)
 * for the decoder to seal once, and every other object is marked
 * COREAPI__MAP_CLEAN. *spent (when not NULL): the bytes counted against
 * max_bytes. Returns a new reference, or NULL with err set. */
coreapi_node *coreapi__json_parse(const char *data, size_t len, size_t max_bytes, int core,
                                  size_t *spent, coreapi_error *err);
/* The same parse (plain JSON) for text that holds secrets: every node made
 * is marked COREAPI__SECRET (wiped when freed, document.h), no value is
 * interned (no table of them), no slab is used, and the parser's scratch
 * memory and YAJL's (keys, strings with escapes, stacks) is wiped when
 * freed and never moved by realloc; nodes dropped by a failed parse are
 * wiped too. A little slower: for small texts such as a credentials file. */
coreapi_node *coreapi__json_parse_secret(const char *data, size_t len, size_t max_bytes,
                                         coreapi_error *err);

/* --- yamlparse.c: YAML text (libyaml's event parser) into the same nodes -- */

/* Parse len bytes of YAML at data (one document; for OpenAPI descriptions)
 * into the plain nodes coreapi__json_parse makes of JSON: mappings become
 * Objects in document order (keys are scalars, taken as their text),
 * sequences Arrays, scalars resolved by the YAML 1.2 core schema (null,
 * booleans, int64 Integers, Reals, else Strings; !!str, !!null, !!bool,
 * !!int, !!float honoured, other tags ignored); aliases are the anchored
 * node once more, merge keys (<<) merged. Errors are ERR_PARSE, "Malformed
 * YAML. <why> (line L, column C)" (1-based): libyaml's, or a duplicate key,
 * a key that is not a scalar, an alias to no anchor, nesting deeper than
 * 512, a number beyond int64 or a double, invalid UTF-8, a second
 * document, an empty stream.
 * Nodes of more than max_bytes in all (counted as malloc rounds them, each
 * alias counting what it names, expanded) are ERR_TOO_LARGE; 0 is no limit,
 * which a caller handing the tree on should not give: aliases keep the tree
 * small while a walk of it may not be ("billion laughs"). Every map is
 * sealed. Returns a new reference, or NULL with err set. See yamlparse.c. */
coreapi_node *coreapi__yaml_parse(const char *data, size_t len, size_t max_bytes,
                                  coreapi_error *err);

/* --- budget.c: the memory a decoded document takes, and its limit ------- */

/* The bytes malloc takes for an allocation of size bytes (its rounding). */
size_t coreapi__alloc_cost(size_t size);
/* Add bytes to *spent (saturating): 1 while *spent is within limit (0: no
 * limit), else 0 with why (size bytes) set to the ERR_TOO_LARGE message. */
int coreapi__budget_spend(size_t *spent, size_t limit, size_t bytes, char *why, size_t size);

/* --- jsonintern.c: values met before, during one parse ------------------ */

#define INTERN_MAX_ITEMS 8 /* the largest container shared */

typedef struct coreapi__intern coreapi__intern;
coreapi__intern *coreapi__intern_new(void); /* NULL on ENOMEM */
void coreapi__intern_free(coreapi__intern *t);
/* An equal value made before, with one more reference, or NULL. */
coreapi_node *coreapi__intern_string(coreapi__intern *t, const char *s, size_t len);
coreapi_node *coreapi__intern_number(coreapi__intern *t, coreapi_node_type type, int64_t i,
                                     double r);
/* A container of type with the n children items (and for an Object the
 * keys, in order) made before, with one more reference, or NULL. */
coreapi_node *coreapi__intern_container(coreapi__intern *t, coreapi_node_type type, size_t n,
                                        coreapi_node *const *items, const char *const *keys,
                                        const size_t *key_lens);
/* Remember v (a String, Integer, Real, or a container that may be shared). */
void coreapi__intern_keep(coreapi__intern *t, coreapi_node *v);

#endif
