/*
 * document/slab.c - small nodes of one decode cut from shared chunks.
 *
 * malloc gives each node a header and rounds it up (a one-item array of 24
 * bytes takes 48): for a body of small containers the rounding costs more
 * than the nodes. While a slab is open on a thread (a decoder opens one
 * around its parse), coreapi__node_alloc cuts small nodes from 64 KiB
 * chunks instead, 8-byte aligned, end to end. Each node records its offset
 * in its chunk (the header's slab_slot, in 8-byte units), so freeing a node
 * finds its chunk without a lookup; a chunk counts its live nodes, plus one
 * while it is the chunk being cut, and is freed when the count reaches
 * zero. Counts are atomic: a document's nodes may be freed by any thread.
 *
 * An arena (coreapi__arena_open) is for a tree that is dropped whole: while
 * one is open on a thread every node it allocates, of any size, is cut
 * from the arena's blocks, immortal (its count at COREAPI__IMMORTAL, so
 * that references cost no atomic and freeing it does nothing), until
 * coreapi__arena_free releases all the blocks at once.
 *
 * Under AddressSanitizer each node carries its size before it, and a freed
 * node is poisoned, so that a use after free is still reported; an
 * arena's blocks are poisoned but for the nodes cut, and freed whole.
 */
#include <stdatomic.h>
#include <stdlib.h>

#include "document.h"

#if defined(__SANITIZE_ADDRESS__)
#define SLAB_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SLAB_ASAN 1
#endif
#endif

#ifdef SLAB_ASAN
#include <sanitizer/asan_interface.h>
#define SLAB_PREFIX 8 /* the node's size, before it */
#else
#define ASAN_POISON_MEMORY_REGION(p, n) ((void)(p), (void)(n))
#define ASAN_UNPOISON_MEMORY_REGION(p, n) ((void)(p), (void)(n))
#define SLAB_PREFIX 0
#endif

#define CHUNK_SIZE ((size_t)64 * 1024) /* offsets in 8-byte units fit 16 bits */
#define MAX_NODE 2048                   /* bigger nodes: malloc */

typedef struct chunk {
  atomic_size_t live; /* nodes alive, + 1 while being cut */
  size_t used;        /* bytes cut, this header included */
  _Alignas(8) char data[];
} chunk;

/* A block of an arena: a chunk's size, or one big node's. */
typedef struct block {
  struct block *next;
  size_t used, size; /* bytes cut and allocated, this header included */
  _Alignas(8) char data[];
} block;

struct coreapi__arena {
  block *blocks; /* all of them */
  block *cur;    /* the chunk being cut */
  coreapi__arena *outer; /* the arena open before this one, or NULL */
};

static _Thread_local struct {
  unsigned depth; /* opens not closed yet */
  chunk *cur;
  coreapi__arena *arena; /* the open arena, or NULL */
} slab;

static void chunk_release(chunk *c) {
  if (atomic_fetch_sub_explicit(&c->live, 1, memory_order_acq_rel) == 1) {
    ASAN_UNPOISON_MEMORY_REGION(c, CHUNK_SIZE);
    free(c);
  }
}

void coreapi__slab_open(void) { slab.depth++; }

void coreapi__slab_close(void) {
  if (slab.depth == 0 || --slab.depth > 0)
    return;
  if (slab.cur != NULL)
    chunk_release(slab.cur);
  slab.cur = NULL;
}

static chunk *chunk_new(void) {
  chunk *c = malloc(CHUNK_SIZE);
  if (c == NULL)
    return NULL;
  atomic_init(&c->live, 1);
  c->used = sizeof(chunk);
  ASAN_POISON_MEMORY_REGION(c->data, CHUNK_SIZE - sizeof(chunk));
  return c;
}

void *coreapi__slab_alloc(size_t size, uint16_t *slot) {
  size_t need = ((size + 7) & ~(size_t)7) + SLAB_PREFIX;
  char *p;
  if (slab.depth == 0 || size > MAX_NODE)
    return NULL;
  if (slab.cur == NULL || slab.cur->used + need > CHUNK_SIZE) {
    chunk *c = chunk_new();
    if (c == NULL)
      return NULL; /* malloc may still find the bytes */
    if (slab.cur != NULL)
      chunk_release(slab.cur);
    slab.cur = c;
  }
  p = (char *)slab.cur + slab.cur->used;
  slab.cur->used += need;
  atomic_fetch_add_explicit(&slab.cur->live, 1, memory_order_relaxed);
  ASAN_UNPOISON_MEMORY_REGION(p, need);
#ifdef SLAB_ASAN
  *(size_t *)p = need;
  p += SLAB_PREFIX;
#endif
  *slot = (uint16_t)((size_t)(p - (char *)slab.cur) / 8);
  return p;
}

void coreapi__slab_free(void *p, uint16_t slot) {
  chunk *c = (chunk *)((char *)p - (size_t)slot * 8);
#ifdef SLAB_ASAN
  char *start = (char *)p - SLAB_PREFIX;
  ASAN_POISON_MEMORY_REGION(start, *(size_t *)start);
#endif
  chunk_release(c);
}

/* --- arenas --------------------------------------------------------------- */

coreapi__arena *coreapi__arena_open(void) {
  coreapi__arena *a = calloc(1, sizeof(*a));
  if (a != NULL) {
    a->outer = slab.arena;
    slab.arena = a;
  }
  return a;
}

void coreapi__arena_close(coreapi__arena *a) {
  if (a != NULL && slab.arena == a)
    slab.arena = a->outer;
}

void coreapi__arena_free(coreapi__arena *a) {
  if (a == NULL)
    return;
  coreapi__arena_close(a);
  for (block *b = a->blocks, *next; b != NULL; b = next) {
    next = b->next;
    ASAN_UNPOISON_MEMORY_REGION(b, b->size);
    free(b);
  }
  free(a);
}

/* A new block of a, of size bytes (a chunk's, or a big node's). */
static block *block_new(coreapi__arena *a, size_t size) {
  block *b = malloc(size);
  if (b == NULL)
    return NULL;
  b->used = sizeof(block);
  b->size = size;
  b->next = a->blocks;
  a->blocks = b;
  ASAN_POISON_MEMORY_REGION(b->data, size - sizeof(block));
  return b;
}

void *coreapi__arena_alloc(size_t size, int *arena) {
  coreapi__arena *a = slab.arena;
  size_t need = (size + 7) & ~(size_t)7;
  block *b;
  char *p;
  *arena = a != NULL;
  if (a == NULL || size > SIZE_MAX - sizeof(block) - 8)
    return NULL;
  b = a->cur;
  if (need > CHUNK_SIZE / 4)
    b = block_new(a, sizeof(block) + need);
  else if (b == NULL || b->used + need > CHUNK_SIZE)
    b = a->cur = block_new(a, CHUNK_SIZE);
  if (b == NULL)
    return NULL;
  p = (char *)b + b->used;
  b->used += need;
  ASAN_UNPOISON_MEMORY_REGION(p, need);
  return p;
}
