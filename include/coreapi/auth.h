/*
 * coreapi/auth.h - authentication: Basic, Token, Session and custom schemes.
 *
 * An authentication object is handed to a client (coreapi_client_add_auth),
 * which applies it to every outgoing request, redirect hops included, whose
 * host its domain pattern covers (see coreapi/domain.h and the client's
 * redirect rules). All schemes, built-in or custom, go through one interface,
 * coreapi_auth_ops.
 *
 * Objects are reference counted; the count is atomic, and the built-in schemes
 * keep no mutable state in the object (a Session reads the CSRF token from each
 * client's own cookie jar; custom schemes keep what they learn per client
 * through coreapi_request_memo_*), so one
 * object may be shared by clients running in several threads. Secrets are wiped
 * from memory when the object is freed.
 */
#ifndef COREAPI_AUTH_H
#define COREAPI_AUTH_H

#include <stddef.h>
#include "error.h"
#include "request.h"
#include "response.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct coreapi_auth coreapi_auth;

/* The operations of an authentication scheme. The table must outlive every
 * object made with it (a static const table is usual). */
typedef struct coreapi_auth_ops {
  /* Short name of the scheme for people and debug output ("token"). Required. */
  const char *name;

  /* Non-zero if this scheme needs cookies (a session login). A client stores
   * and sends cookies only on hops that an authentication allowing cookies
   * covers. */
  int allow_cookies;

  /* Required. Called for each request (and each redirect hop) in this
   * authentication's scope, just before it is sent. May set or remove headers
   * with coreapi_request_set_header() and friends. Return OK to send, or an
   * error code (err filled, coreapi_error_set() helps) to fail the request:
   * nothing is sent, and the client returns that code. */
  coreapi_code (*apply)(void *state, coreapi_request *req, coreapi_error *err);

  /* Optional. Called with each response to a request this authentication
   * applied to, before redirects are followed. Setting *resend to 1 asks the
   * client to send the same request once more (apply is called again, the body
   * is replayed), as a token refresh after a 401 would; a request is resent at
   * most once. Return OK, or an error code to fail the request. */
  coreapi_code (*on_response)(void *state, const coreapi_request *req,
                              const coreapi_response *resp, int *resend,
                              coreapi_error *err);

  /* Optional. Write a description without secrets into buf (size bytes, always
   * NUL-terminated), such as "token (Bearer)". Without it, name is used. */
  void (*describe)(void *state, char *buf, size_t size);

  /* Optional. Free state; wipe any secret it holds. */
  void (*free)(void *state);
} coreapi_auth_ops;

/* A custom authentication with the operations ops, its state (passed to each
 * operation; may be NULL) and a domain pattern (NULL means "*").
 * Takes ownership of state: on failure ops->free(state) has been called.
 * Callbacks may run in several threads at once when the object is shared by
 * clients in several threads; the state must then be safe for that.
 * Returns a new object (release with coreapi_auth_free), or NULL with err
 * filled (ERR_INVALID_ARGUMENT, ERR_BAD_DOMAIN, ERR_OUT_OF_MEMORY). */
COREAPI_EXTERN coreapi_auth *coreapi_auth_new(const coreapi_auth_ops *ops, void *state,
                                              const char *domain, coreapi_error *err);

/* HTTP Basic authentication (RFC 7617): Authorization: Basic base64(user:pass),
 * the credentials taken as UTF-8. username and password are required (the
 * password may be empty); NULL for either, a username containing ':', a
 * control character (U+0000 to U+001F, U+007F) in either, or text that is not
 * valid UTF-8 is refused with ERR_BAD_CREDENTIALS.
 * domain NULL means "*". The strings are copied. */
COREAPI_EXTERN coreapi_auth *coreapi_auth_basic_new(const char *username, const char *password,
                                                    const char *domain, coreapi_error *err);

/* Token authentication: Authorization: <scheme> <token>. scheme NULL means
 * "Bearer" and must be an RFC 9110 token ("Token", "JWT"); token must be
 * non-empty visible ASCII (no whitespace, no control characters). Anything else,
 * a NULL token included, is refused with ERR_BAD_CREDENTIALS. domain NULL means "*". */
COREAPI_EXTERN coreapi_auth *coreapi_auth_token_new(const char *token, const char *scheme,
                                                    const char *domain, coreapi_error *err);

/* Where an API key goes (OpenAPI's apiKey security scheme, "in"). */
typedef enum coreapi_apikey_location {
  COREAPI_APIKEY_HEADER, /* a request header: name: value */
  COREAPI_APIKEY_QUERY,  /* a query parameter appended to the URL, percent-encoded */
  COREAPI_APIKEY_COOKIE  /* a cookie on the request only (never stored in the jar) */
} coreapi_apikey_location;

/* API-key authentication: the key value sent as name in location, on every
 * hop in scope. name must be an RFC 9110 token, and for a header not one the
 * library sets itself (Host, Content-Length, ...: see
 * coreapi_request_set_header); for a cookie, a token too. value must be
 * non-empty visible ASCII (no whitespace, no control characters). Anything
 * else, NULLs included, is ERR_BAD_CREDENTIALS. The value is a secret: debug
 * output shows "[redacted]" for the header, the cookie and the query
 * parameter, and a query key never appears in a response's URL, a document's
 * URLs or an error message. domain NULL means "*". The strings are copied. */
COREAPI_EXTERN coreapi_auth *coreapi_auth_apikey_new(const char *name, const char *value,
                                                     coreapi_apikey_location location,
                                                     const char *domain, coreapi_error *err);

/* Session authentication: allows cookies. When csrf_cookie_name and
 * csrf_header_name are given, unsafe requests in scope (anything but GET,
 * HEAD, OPTIONS, TRACE) carry in that header the value of the CSRF cookie
 * that the client's jar attaches to the same request (so the rotation Django
 * does at login is followed, and a Secure cookie's token never goes over
 * http); no header when the jar attaches none. Over https, unsafe
 * requests in scope also carry Origin and Referer for the request's own origin
 * unless the caller set them (Django refuses https POSTs without a Referer).
 * NULL names disable the CSRF handling, as in the reference client (Django's
 * names are "csrftoken" and "X-CSRFToken"). Names must be RFC 9110 tokens,
 * else ERR_INVALID_ARGUMENT. domain NULL means "*". */
COREAPI_EXTERN coreapi_auth *coreapi_auth_session_new(const char *csrf_cookie_name,
                                                      const char *csrf_header_name,
                                                      const char *domain, coreapi_error *err);

/* HTTP Digest authentication (RFC 7616), carried out by libcurl: on every
 * hop in scope libcurl answers the server's 401 challenge itself within the
 * same transfer (algorithms MD5 and SHA-256, their -sess variants, qop
 * "auth" or none, userhash: whatever the challenge asks; SHA-512-256 only
 * with libcurl 8.7.0 or later, earlier versions compute it wrong; a request
 * body is sent again with the answer), and the final response is the hop's
 * response. A wrong password gives that final 401 (ERR_ERROR_RESPONSE from
 * the Core API calls). Nothing is sent to a server before it has asked
 * (libcurl answers unasked, with the server's last nonce, only on the next
 * transfer that goes to the same origin with the same credentials), and
 * never Basic: a server that offers only Basic gets no credentials. The
 * credentials are handed to libcurl only for the hops the domain covers
 * (never in a URL), so a redirect out of scope, to another host, port or
 * from https to http, carries none; debug output shows the Authorization
 * header of every request libcurl sends, the answer included, as
 * "[redacted]", and the description is "digest (alice)".
 * username (not empty) and password (may be empty) are required and taken
 * as UTF-8; the username may contain ':' (RFC 7616 quotes it). NULL, an
 * empty username, a control character (U+0000 to U+001F, U+007F) in
 * either, or text that is not valid UTF-8 is refused with
 * ERR_BAD_CREDENTIALS. domain NULL means "*". The strings are copied, and
 * wiped when the object is freed (the copies libcurl makes for a transfer
 * are freed, not wiped, by libcurl). A Digest or NTLM authentication on a hop
 * replaces an Authorization header the caller set. If the libcurl in use
 * was built without Digest, a request in scope fails with ERR_INTERNAL. */
COREAPI_EXTERN coreapi_auth *coreapi_auth_digest_new(const char *username, const char *password,
                                                     const char *domain, coreapi_error *err);

/* NTLM authentication, carried out by libcurl (CURLAUTH_NTLM) exactly as
 * Digest above is: the same rules for the strings, the scope, debug output
 * and libcurl without the feature; the description is "ntlm (alice)". The
 * username may be "DOMAIN\user". libcurl starts the handshake on the first
 * request of a hop in scope, and NTLM authenticates the connection: libcurl
 * never reuses such a connection for a transfer without these credentials.
 * NTLM is weak (MD4 and DES based): prefer anything else where the server
 * allows it. */
COREAPI_EXTERN coreapi_auth *coreapi_auth_ntlm_new(const char *username, const char *password,
                                                   const char *domain, coreapi_error *err);

/* Take another reference to auth; returns auth. NULL gives NULL. */
COREAPI_EXTERN coreapi_auth *coreapi_auth_ref(coreapi_auth *auth);

/* Release a reference; the last one frees the object (ops->free on the state,
 * secrets wiped). NULL does nothing. */
COREAPI_EXTERN void coreapi_auth_free(coreapi_auth *auth);

/* The normalised domain pattern ("*" for NULL). Borrowed, valid while auth
 * lives. */
COREAPI_EXTERN const char *coreapi_auth_domain(const coreapi_auth *auth);

/* The scheme's name (ops->name). Borrowed. */
COREAPI_EXTERN const char *coreapi_auth_name(const coreapi_auth *auth);

/* Non-zero if the scheme allows cookies. */
COREAPI_EXTERN int coreapi_auth_allows_cookies(const coreapi_auth *auth);

/* A description without secrets ("basic (user alice)", "token (Bearer)",
 * "session (csrf csrftoken -> X-CSRFToken)") into buf, NUL-terminated.
 * Returns buf. */
COREAPI_EXTERN char *coreapi_auth_describe(const coreapi_auth *auth, char *buf, size_t size);

/* Apply auth to req by hand, as a client would to the first hop of a request:
 * if the domain pattern covers req's host, ops->apply runs and *applied (when
 * not NULL) becomes 1; otherwise req is left alone and *applied is 0. Outside
 * a client there is no cookie jar, so a Session authentication adds no CSRF
 * header here. Returns OK or the error apply returned. */
COREAPI_EXTERN coreapi_code coreapi_auth_apply(const coreapi_auth *auth, coreapi_request *req,
                                               int *applied, coreapi_error *err);

/* The state given to coreapi_auth_new (borrowed), for custom schemes. The
 * built-in schemes' state is private: do not touch what this returns. */
COREAPI_EXTERN void *coreapi_auth_state(const coreapi_auth *auth);

/* --- netrc ----------------------------------------------------------------- */

/* Flags of coreapi_auth_netrc_new. */
#define COREAPI_NETRC_DEFAULT 1u /* use the file's `default` entry for other hosts */

/* HTTP Basic authentication (RFC 7617) with the logins and passwords of a
 * netrc file, each `machine NAME` entry's sent only to the host NAME.
 *
 * path is the file; NULL means $NETRC when that is set and not empty, else
 * ~/.netrc ($HOME, else the user's home directory in the password
 * database). The file is read once, here: later changes to it are not seen.
 * The format is that of curl and the ftp clients (netrc(5)): tokens
 * separated by spaces, tabs and line breaks; `machine NAME`, `default`,
 * `login L`, `password P`, `account A` (ignored), `macdef NAME` (its body
 * up to the next empty line is skipped); lines starting with '#' are
 * comments; a value may be quoted ("two words", with \", \\, \n, \r, \t).
 *
 * For each request and redirect hop the authentication applies to, the
 * first entry of the file that names the hop's host (compared as the
 * request's host is normalised: any case, one trailing dot, punycode, IPv6
 * in brackets or not) gives `Authorization: Basic base64(login:password)`;
 * a host no entry names gets nothing, so one machine's password never goes
 * to another host. netrc names no port: an entry covers its host on any
 * port. The first entry for a host decides even when it has no password:
 * then nothing is sent (there is no prompt, and no later entry or default
 * is tried). An entry with a password and no login sends an empty login
 * (as curl does). With COREAPI_NETRC_DEFAULT in flags, a `default` entry
 * acts as a machine entry naming every host (in file order, as curl
 * reads it: it belongs after the machine entries); without it, `default`
 * entries are ignored.
 *
 * The domain pattern is "*": a client applies the authentication to the
 * first request's origin and the hops of its redirect chain that stay in
 * it (see coreapi/client.h), and an authentication with an explicit
 * pattern added to the same client wins on the hosts it covers. By hand
 * (coreapi_auth_apply) it applies to any host, the rule above deciding.
 *
 * Refused, with err naming the file: a missing file (ERR_IO, also when the
 * file was found through $NETRC or ~), a file that is not a regular file,
 * that group or others can access in any way (ERR_IO: `chmod 600 FILE`
 * fixes it, since other users could read the passwords) or that is larger
 * than 1 MiB (ERR_IO); a NUL byte or a quoted string not closed (ERR_PARSE,
 * with the line); a login or password, in any entry, that is not valid
 * UTF-8 or holds a control character (CR and LF included), or a login with
 * ':' (RFC 7617 cannot carry it) (ERR_BAD_CREDENTIALS, with the line). A
 * flag other than COREAPI_NETRC_DEFAULT, or an empty path, is
 * ERR_INVALID_ARGUMENT. Messages never hold a login or password, and the
 * description is "netrc (3 machines)" (with ", default" when a default
 * entry is used). Logins and passwords are wiped from memory when the
 * object is freed; the object holds no mutable state and may be shared by
 * clients in several threads.
 * Returns a new object (release with coreapi_auth_free), or NULL with err
 * filled. */
COREAPI_EXTERN coreapi_auth *coreapi_auth_netrc_new(const char *path, unsigned flags,
                                                    coreapi_error *err);

#ifdef __cplusplus
}
#endif
#endif /* COREAPI_AUTH_H */
