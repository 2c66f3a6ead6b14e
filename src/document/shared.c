/*
 * document/shared.c - shared nodes for the values a decoded body is made of
 * most: null, true, false, "", [], {} and small integers. One node stands for
 * every occurrence, so that an array of a million zeros costs its pointers
 * only. They are immutable like every node, and immortal: their reference
 * count starts at COREAPI__IMMORTAL, which coreapi_node_ref and
 * coreapi_node_free leave alone, so threads share them without writing.
 */
#include <stddef.h>

#include "document.h"

#define IMMORTAL_HEADER(t) {COREAPI__IMMORTAL, (t), 0, 0}

static number_node null_node = {IMMORTAL_HEADER(COREAPI_NODE_NULL), {.i = 0}};
static number_node false_node = {IMMORTAL_HEADER(COREAPI_NODE_BOOLEAN), {.b = 0}};
static number_node true_node = {IMMORTAL_HEADER(COREAPI_NODE_BOOLEAN), {.b = 1}};
static array_node empty_array = {IMMORTAL_HEADER(COREAPI_NODE_ARRAY), 0};
static map_node empty_object = {IMMORTAL_HEADER(COREAPI_NODE_OBJECT), 0, 0, 0,
                                COREAPI__MAP_CLEAN, NULL};
/* A string_node's layout, with room for its NUL. */
typedef struct empty_string_node {
  coreapi_node base;
  size_t len;
  char data[1];
} empty_string_node;

static empty_string_node empty_string = {IMMORTAL_HEADER(COREAPI_NODE_STRING), 0, ""};

_Static_assert(offsetof(string_node, data) == offsetof(empty_string_node, data),
               "the empty string has a string node's layout");

/* The integers, written out by the preprocessor: 4,352 of them. */
#define INT1(k) {IMMORTAL_HEADER(COREAPI_NODE_INTEGER), {.i = (k)}},
#define INT4(k) INT1(k) INT1((k) + 1) INT1((k) + 2) INT1((k) + 3)
#define INT16(k) INT4(k) INT4((k) + 4) INT4((k) + 8) INT4((k) + 12)
#define INT64(k) INT16(k) INT16((k) + 16) INT16((k) + 32) INT16((k) + 48)
#define INT256(k) INT64(k) INT64((k) + 64) INT64((k) + 128) INT64((k) + 192)
#define INT1024(k) INT256(k) INT256((k) + 256) INT256((k) + 512) INT256((k) + 768)

static number_node integers[COREAPI__SHARED_MAX - COREAPI__SHARED_MIN + 1] = {
    INT256(COREAPI__SHARED_MIN) INT1024(0) INT1024(1024) INT1024(2048) INT1024(3072)};

_Static_assert(sizeof(integers) / sizeof(integers[0]) == 256 + 4096,
               "the table covers COREAPI__SHARED_MIN to COREAPI__SHARED_MAX");

coreapi_node *coreapi__shared_null(void) { return &null_node.base; }

coreapi_node *coreapi__shared_boolean(int value) {
  return value ? &true_node.base : &false_node.base;
}

coreapi_node *coreapi__shared_integer(int64_t value) {
  if (value < COREAPI__SHARED_MIN || value > COREAPI__SHARED_MAX)
    return NULL;
  return &integers[value - COREAPI__SHARED_MIN].base;
}

coreapi_node *coreapi__shared_empty_string(void) { return &empty_string.base; }

coreapi_node *coreapi__shared_empty_array(void) { return &empty_array.base; }

coreapi_node *coreapi__shared_empty_object(void) { return &empty_object.base; }
