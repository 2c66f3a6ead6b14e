/*
 * codecs/codecs.h - what the layers above may use of the codecs beyond the
 * public coreapi/codec.h: the Core JSON decoder's options and helpers, the
 * JSON writer, and the download codec's internals (see each header).
 */
#ifndef COREAPI_CODECS_H
#define COREAPI_CODECS_H

#include "corejson.h"
#include "download_internal.h"
#include "jsonout.h"

#endif /* COREAPI_CODECS_H */
