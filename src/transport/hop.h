/*
 * transport/hop.h - the hop planner: the pure decisions of a redirect chain
 * (see hop.c). Used by the client loop and by the hop suite's runner.
 */
#ifndef COREAPI_HOP_H
#define COREAPI_HOP_H

#include "transport.h"

/* Transport settings for the hosts a pattern covers (host_settings.c): a
 * coreapi_host_settings, copied; a string member NULL when unset. */
typedef struct coreapi__host_entry {
  coreapi__pattern pattern;
  long timeout_ms; /* 0: unset; COREAPI_TIMEOUT_NONE; > 0 */
  char *proxy, *cert, *key, *ca;
  int verify;      /* 0: unset; COREAPI_TLS_VERIFY; COREAPI_TLS_NO_VERIFY */
} coreapi__host_entry;

/* The transport settings one hop is sent with (strings borrowed from the
 * client, valid until its settings change). */
typedef struct coreapi__transport {
  long timeout_ms;        /* 0: no limit */
  const char *proxy;      /* NULL: libcurl's default (the environment); "": none */
  const char *cert, *key; /* the client certificate, or NULL for none */
  const char *ca;         /* CA file, or NULL for libcurl's own CAs */
  int verify;             /* 1: verify the peer and its name; 0: not */
} coreapi__transport;

/* What the planner reads of a client. */
typedef struct coreapi__hop_policy {
  coreapi_auth *const *auths;    /* in the order added */
  size_t auth_count;
  const coreapi__headers *extra; /* client-level extra headers */
  const char *user_agent;        /* never NULL */
  int explain;                   /* write the decision's sentence (plan.why) */
} coreapi__hop_policy;

/* What the planner reads of a client's transport settings. */
typedef struct coreapi__host_policy {
  const coreapi__host_entry *hosts; /* per-host settings, in the order added */
  size_t host_count;
  coreapi__transport wide;          /* the client's own; its cert has the pattern "*" */
} coreapi__host_policy;

/* The scope state of one chain of hops. */
typedef struct coreapi__chain {
  /* The first request's URL: the base request's own until a redirect
   * rewrites that request in place, then first_copy. */
  const coreapi__url *first;
  coreapi__url first_copy;
  int downgraded;           /* an https hop was followed by an http one */
  int origin_left;          /* a hop left the first origin */
  unsigned char *auth_left; /* per authentication: a hop was out of its scope */
  unsigned char auth_left_few[8]; /* auth_left when there are no more */
  size_t auth_count;
  const coreapi__host_policy *hp; /* NULL: the defaults of coreapi_client_new */
  /* Per host entry, then the client's own certificate (index host_count):
   * a hop was out of that certificate's scope. */
  unsigned char *cert_left;
  unsigned char cert_left_few[8];
  size_t cert_count;
  unsigned hop;             /* the hop about to be sent: 0, 1, ... */
} coreapi__chain;

/* One hop, decided. */
typedef struct coreapi__hop_plan {
  coreapi_request *req; /* the request to send before the authentication applies (new) */
  coreapi_auth *auth;   /* the authentication that applies (borrowed), or NULL */
  int cookies;          /* cookies may be stored and sent on this hop */
  coreapi__transport transport; /* the settings this hop is sent with */
  char why[384];        /* the decision, as --debug prints it ("" unless pol->explain) */
  /* The transport decision, as --debug prints it: "" unless pol->explain
   * and host settings or a client certificate are configured. */
  char settings_why[384];
} coreapi__hop_plan;

/* Start a chain whose first hop is base (a request as the caller made it:
 * hop 0), which must outlive the chain, as hp must (NULL: no transport
 * settings but the defaults). Returns OK or ERR_OUT_OF_MEMORY; free with
 * coreapi__chain_free. coreapi__chain_start is this with hp NULL. */
coreapi_code coreapi__chain_start_hosts(coreapi__chain *ch, const coreapi__hop_policy *pol,
                                        const coreapi__host_policy *hp,
                                        const coreapi_request *base, coreapi_error *err);
coreapi_code coreapi__chain_start(coreapi__chain *ch, const coreapi__hop_policy *pol,
                                  const coreapi_request *base, coreapi_error *err);
void coreapi__chain_free(coreapi__chain *ch);

/* Is a response with status and location (NULL: none) a redirect a client
 * with max_redirects follows (301, 302, 303, 307, 308 with a Location, and
 * max_redirects not 0)? */
int coreapi__redirect_followed(long status, const char *location, unsigned max_redirects);

/* What the response to the hop base was means for the chain: *follow 0
 * when it ends the chain (not a redirect this client follows: another
 * status, no Location, max_redirects 0), or 1 when base has become the next
 * hop's request (method and body per status, the target resolved against
 * base's URL) and the chain's scope state is updated; *redirects counts
 * them. base may be NULL when the response is not a redirect to follow. Returns
 * OK, ERR_TOO_MANY_REDIRECTS when *redirects reached max_redirects,
 * ERR_BAD_REDIRECT, ERR_OUT_OF_MEMORY. */
coreapi_code coreapi__chain_next(coreapi__chain *ch, const coreapi__hop_policy *pol,
                                 coreapi_request *base, long status, const char *location,
                                 unsigned max_redirects, unsigned *redirects, int *follow,
                                 coreapi_error *err);

/* The most specific authentication in scope for the chain's current hop, or
 * NULL; *cookies says whether a cookie-allowing one covers it. */
coreapi_auth *coreapi__hop_choose(const coreapi__chain *ch, const coreapi__hop_policy *pol,
                                  int *cookies);

/* Decide the current hop of the chain for base: the request to send (the
 * caller's headers filtered outside the first origin, the client's extra
 * headers inside it, User-Agent), the authentication, cookies, and the
 * sentence. Fills *plan; returns OK or ERR_OUT_OF_MEMORY. Free plan->req
 * with coreapi_request_free. */
coreapi_code coreapi__hop_plan_make(const coreapi__chain *ch, const coreapi__hop_policy *pol,
                                    const coreapi_request *base, coreapi__hop_plan *plan,
                                    coreapi_error *err);

/* host_settings.c: the transport settings for a hop to u in chain ch (the
 * rules of client.h's "Transport settings per host"), from ch->hp: each
 * setting from the most specific entry covering u's host that sets it,
 * else hp->wide; the certificate from the most specific entry whose
 * certificate scope the chain has not left (ch->cert_left), else the
 * client's own while in its scope, else none. When why is not NULL (size >
 * 0), the sentence saying so (when entries or a certificate are set). Pure. */
void coreapi__transport_choose(const coreapi__chain *ch, const coreapi__url *u,
                               coreapi__transport *out, char *why, size_t size);

#endif /* COREAPI_HOP_H */
