/*
 * coreapi/coreapi.h - the one header to include for libcoreapi.
 */
#ifndef COREAPI_COREAPI_H
#define COREAPI_COREAPI_H

#include "version.h"
#include "error.h"
#include "domain.h"
#include "request.h"
#include "response.h"
#include "auth.h"
#include "client.h"
#include "batch.h"
#include "oauth2.h"
#include "document.h"
#include "file.h"
#include "codec.h"
#include "download.h"
#include "transitions.h"
#include "display.h"
#include "uritemplate.h"

#endif /* COREAPI_COREAPI_H */
