/*
 * codecs/budget.c - the decoders' count of the memory a document takes, and
 * its limit (ERR_TOO_LARGE): one rule for the JSON parser, the YAML parser
 * and the Core JSON decoder.
 */
#include <stdint.h>
#include <stdio.h>

#include "jsonparse.h"

size_t coreapi__alloc_cost(size_t size) {
  size_t cost;
  if (size > SIZE_MAX - 23)
    return SIZE_MAX;
  cost = (size + 8 + 15) & ~(size_t)15;
  return cost < 32 ? 32 : cost;
}

int coreapi__budget_spend(size_t *spent, size_t limit, size_t bytes, char *why, size_t size) {
  *spent = *spent + bytes < *spent ? SIZE_MAX : *spent + bytes;
  if (limit == 0 || *spent <= limit)
    return 1;
  snprintf(why, size, "the decoded document is larger than %zu bytes (the decoding limit)",
           limit);
  return 0;
}
