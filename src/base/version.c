/* version.c - the version of the loaded library. */
#include "base.h"

const char *coreapi_version(void) { return COREAPI_VERSION; }

unsigned int coreapi_version_num(void) { return COREAPI_VERSION_NUM; }
