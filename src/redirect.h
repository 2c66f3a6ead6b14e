/* redirect.h - redirect rules shared by client.c (see redirect.c). */
#ifndef COREAPI_REDIRECT_H
#define COREAPI_REDIRECT_H

#include "internal.h"

/* Is status one the client follows (301, 302, 303, 307, 308)? */
int coreapi__is_redirect(long status);

/* Is hop of the first request's origin, or its http:80 to https:443 upgrade? */
int coreapi__same_origin(const coreapi__url *first, const coreapi__url *hop);

/* Does pattern p cover hop, in a chain that started at first? ("*" covers the
 * first origin only; see redirect.c.) The chain rules (downgrade, once out
 * always out) are the caller's. */
int coreapi__pattern_covers_hop(const coreapi__pattern *p, const coreapi__url *first,
                                const coreapi__url *hop);

/* Turn req (the request that got status) into the request for location,
 * resolved against req's URL: method and body changed per status, hop
 * incremented. Returns OK, or ERR_BAD_REDIRECT for a Location that is not an
 * http or https URL (req unchanged then). */
coreapi_code coreapi__redirect_next(coreapi_request *req, long status, const char *location,
                                    coreapi_error *err);

#endif
