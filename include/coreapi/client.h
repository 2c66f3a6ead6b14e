/*
 * coreapi/client.h - the client: sends requests through libcurl and applies
 * authentication to every hop.
 *
 * A client owns one libcurl easy handle and reuses it, so connections are kept
 * alive across requests (many requests at once: coreapi/batch.h, under the
 * same rules). It follows redirects itself (libcurl's own following
 * is off) so that authentication is decided afresh for every hop:
 *
 *   - 301, 302: POST becomes GET without a body; 303: every method but HEAD
 *     becomes GET without a body; 307, 308 keep method and body.
 *   - Only http and https, for the first URL and for every redirect target: a
 *     redirect elsewhere (file:, ftp:, ...) fails with ERR_BAD_REDIRECT.
 *   - An authentication with an explicit pattern applies to a hop whose host it
 *     covers on the first request's port (a redirect to another port is
 *     another service, as curl decided for CVE-2022-27776). One with "*"
 *     applies to a hop with the first request's scheme, host and port. Both
 *     allow the upgrade of the same host from http on port 80 to https on 443. None applies after a downgrade from https to http.
 *     Once a hop, the first one included, is outside an authentication's scope,
 *     it stays out for the rest of the chain, even if the chain comes back: a
 *     host that is not trusted cannot redirect a request, with its method and
 *     body, into an authenticated one.
 *   - When several authentications are in scope, the most specific wins: the
 *     exact host, then the longest wildcard, then "*"; on a tie the one added
 *     first.
 *   - Cookies are stored and sent only on hops that an authentication allowing
 *     cookies covers (so without Session authentication, no cookie at all).
 *   - Headers that authentication sets, client-level extra headers and the
 *     caller's own request headers are rebuilt for every hop; on a hop outside
 *     the first request's origin (the "*" rule above) only Accept,
 *     Accept-Language, Content-Type (when the body is kept) and User-Agent of
 *     the caller's headers remain.
 *
 * Codings (libcurl 7.88.1; the client never asks for any, sending neither
 * TE nor Accept-Encoding of its own):
 *   - Transfer codings (Transfer-Encoding) are framing, not content, and are
 *     removed: chunked, and the gzip, x-gzip, deflate, br, zstd and identity
 *     that libcurl decodes whether asked or not. An unknown transfer coding,
 *     or more than five codings stacked, fails the request (libcurl's
 *     CURLE_BAD_CONTENT_ENCODING). Other libcurl versions differ: 8.1 to
 *     8.13 leave a transfer coding they were not asked for undecoded, 8.14
 *     and later refuse it; the limits hold either way.
 *   - Content codings (Content-Encoding) are part of the content and are
 *     kept: the body, in memory or in a file, is the bytes the server sent,
 *     still gzip'ed say, and the response's Content-Encoding header says so.
 *     An Accept-Encoding header the caller adds does not change that.
 *   - Both size limits (coreapi_client_set_max_body, _set_max_filesize)
 *     count the bytes after that decoding: what is kept or written.
 *
 * One client is used by one thread at a time; different clients may run in
 * parallel threads. No global state is kept. Callbacks that run during a
 * request (authentication, debug, body sink) may not reconfigure the client
 * or send with it: those calls fail with ERR_INVALID_ARGUMENT.
 */
#ifndef COREAPI_CLIENT_H
#define COREAPI_CLIENT_H

#include <stddef.h>
#include <stdint.h>
#include "error.h"
#include "request.h"
#include "response.h"
#include "auth.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct coreapi_client coreapi_client;

/* What a debug callback is told. */
typedef enum coreapi_debug_type {
  COREAPI_DEBUG_INFO = 0,       /* a decision: which credential applied and why */
  COREAPI_DEBUG_HEADER_OUT = 1, /* request line and headers, secrets redacted */
  COREAPI_DEBUG_HEADER_IN = 2,  /* status line and headers, secrets redacted */
  COREAPI_DEBUG_BODY_SIZE = 3   /* one line: bytes sent and received */
} coreapi_debug_type;

/* text is len bytes, not NUL-terminated, valid only during the call. The values
 * of Authorization, Proxy-Authorization, Cookie, Set-Cookie, of every
 * client-level extra header (coreapi_client_add_header: API keys live there)
 * and of every header an authentication set (except Origin and Referer) read
 * "[redacted]". */
typedef void (*coreapi_debug_fn)(void *userdata, coreapi_debug_type type, const char *text,
                                 size_t len);

/* A new client with no authentication, a 30 s timeout per hop, 20 redirects at
 * most and TLS verification on. Returns a new client (free with
 * coreapi_client_free) or NULL with err filled. */
COREAPI_EXTERN coreapi_client *coreapi_client_new(coreapi_error *err);

/* Free client: its libcurl handle, cookies (not saved unless asked), the
 * references it holds to authentication objects; the secrets this library
 * holds are wiped (libcurl's own cookie jar and request buffers are freed by
 * libcurl, which does not wipe them). NULL does nothing. */
COREAPI_EXTERN void coreapi_client_free(coreapi_client *client);

/* Total time one hop may take, in milliseconds; 0 means no limit. (Per
 * host: coreapi_client_add_host_settings, below, for this and the TLS and
 * proxy settings that follow.) */
COREAPI_EXTERN coreapi_code coreapi_client_set_timeout_ms(coreapi_client *client, long ms,
                                                          coreapi_error *err);

/* The User-Agent header ("coreapi" by default, as the reference). NULL restores
 * the default. Copied. */
COREAPI_EXTERN coreapi_code coreapi_client_set_user_agent(coreapi_client *client,
                                                          const char *user_agent,
                                                          coreapi_error *err);

/* A header sent with every request (replacing one of the same name added
 * before), subject to the redirect rules above. Copied. */
COREAPI_EXTERN coreapi_code coreapi_client_add_header(coreapi_client *client, const char *name,
                                                      const char *value, coreapi_error *err);

/* Stop sending the extra header name. Returns the number removed. */
COREAPI_EXTERN size_t coreapi_client_remove_header(coreapi_client *client, const char *name);

/* A file of CA certificates (PEM) to verify servers with, instead of the
 * system's: only these CAs are trusted (libcurl's CA directory is not used
 * meanwhile). NULL restores libcurl's own CA bundle and directory. Copied. */
COREAPI_EXTERN coreapi_code coreapi_client_set_ca_bundle(coreapi_client *client,
                                                         const char *path,
                                                         coreapi_error *err);

/* Verify TLS peers and host names (1, the default) or not (0). */
COREAPI_EXTERN coreapi_code coreapi_client_set_verify_tls(coreapi_client *client, int verify,
                                                          coreapi_error *err);

/* The proxy every request goes through: a URL with scheme http, https,
 * socks4, socks4a, socks5 or socks5h ("http://proxy.example:3128"; user
 * information in it is a secret: it never reaches debug output). NULL:
 * libcurl's default, which reads the environment (http_proxy, https_proxy,
 * all_proxy and no_proxy, or their upper-case forms but HTTP_PROXY, as
 * curl(1) documents); "": no proxy whatever the environment. Credentials
 * are applied as without a proxy: they go to the hosts they are scoped to,
 * through the tunnel or the proxy's forwarding. Copied. ERR_INVALID_ARGUMENT
 * for another scheme or a control character. */
COREAPI_EXTERN coreapi_code coreapi_client_set_proxy(coreapi_client *client, const char *url,
                                                     coreapi_error *err);

/* A client certificate for mutual TLS: the PEM certificate file and its
 * PEM private key file (key_file NULL: the key is in cert_file). NULL
 * cert_file: none (the default). The files must be readable now
 * (ERR_IO otherwise); they are read by libcurl at each connection. Copied.
 * It is a credential with the pattern "*": presented within the first
 * request's origin only, never after a redirect elsewhere (see "Transport
 * settings per host" below for certificates scoped to other hosts). */
COREAPI_EXTERN coreapi_code coreapi_client_set_client_cert(coreapi_client *client,
                                                           const char *cert_file,
                                                           const char *key_file,
                                                           coreapi_error *err);

/* --- Transport settings per host ------------------------------------------
 *
 * The settings above are the client's for every host. Settings for some hosts
 * only are added with coreapi_client_add_host_settings, each scoped by a
 * domain pattern as authentications are ("*", "api.example.com",
 * "*.example.com"; see coreapi/domain.h). They are decided afresh for every
 * hop of a redirect chain, by the hop's host:
 *
 *   - Each setting (timeout, proxy, client certificate with its key, CA
 *     file, TLS verification) comes from the most specific entry covering
 *     the hop that sets it: the exact host, then the longest wildcard, then
 *     "*"; a setting no covering entry sets is the client's. So an entry for
 *     api.example.com needs to say only what differs from *.example.com's.
 *   - Timeout, proxy, CA file and TLS verification go by the hop's host
 *     alone (any port, any scheme): TLS verification turned off for
 *     test.example.com is on again for the hop a redirect sends to another
 *     host.
 *   - A client certificate is a credential: it is scoped exactly as an
 *     authentication is (client.h's first rules). An entry's certificate is
 *     presented on a hop whose host its pattern covers on the first
 *     request's port; the client's own (coreapi_client_set_client_cert) is
 *     the "*" pattern: the first request's origin only. Once a hop is out of
 *     a certificate's scope it stays out for the rest of the chain. Where
 *     none applies, none is presented.
 *   - libcurl keeps connections alive and reuses them for the same host and
 *     port only. Once the client's TLS settings (certificate, key, CA, TLS
 *     verification, proxy, or these entries) change after a request, it
 *     starts afresh with no open connection and no TLS session, so that a
 *     connection made under the old settings is never reused under the new
 *     ones (libcurl's own check compares some of them only).
 */

/* The explicit "unset" values: a zero-initialised coreapi_host_settings sets
 * nothing. */
#define COREAPI_TIMEOUT_NONE (-1L) /* timeout_ms: no time limit */
#define COREAPI_TLS_VERIFY 1       /* verify_tls: verify peers and host names */
#define COREAPI_TLS_NO_VERIFY (-1) /* verify_tls: do not (the exception) */

/* Settings for the hosts a pattern covers; every member is optional. Strings
 * are copied by coreapi_client_add_host_settings. Members may be added at
 * the end in later versions: initialise the struct with {0}. */
typedef struct coreapi_host_settings {
  long timeout_ms;       /* 0: unset; > 0: milliseconds per hop; COREAPI_TIMEOUT_NONE */
  const char *proxy;     /* NULL: unset; "": no proxy; else as coreapi_client_set_proxy */
  const char *cert_file; /* NULL: unset; "": no client certificate; else a PEM file */
  const char *key_file;  /* its PEM key (NULL: in cert_file); only with a cert_file */
  const char *ca_file;   /* NULL: unset; "": libcurl's own CAs; else as _set_ca_bundle */
  int verify_tls;        /* 0: unset; COREAPI_TLS_VERIFY or COREAPI_TLS_NO_VERIFY */
} coreapi_host_settings;

/* Add settings for the hosts domain covers (NULL is "*"), replacing those
 * added before for the same (normalised) pattern. Files named must be
 * readable now (ERR_IO otherwise). ERR_BAD_DOMAIN for a bad pattern;
 * ERR_INVALID_ARGUMENT for a NULL client or settings, a timeout below
 * COREAPI_TIMEOUT_NONE, a verify_tls other than the three values, a proxy
 * coreapi_client_set_proxy refuses, a key_file without a cert_file, or
 * during a request. */
COREAPI_EXTERN coreapi_code coreapi_client_add_host_settings(coreapi_client *client,
                                                             const char *domain,
                                                             const coreapi_host_settings *settings,
                                                             coreapi_error *err);

/* A host resolve override in curl's "HOST:PORT:ADDRESS" form (as curl
 * --resolve; ADDRESS may be an IPv6 literal in brackets). Copied. */
COREAPI_EXTERN coreapi_code coreapi_client_add_resolve(coreapi_client *client,
                                                       const char *entry,
                                                       coreapi_error *err);

/* Redirects followed at most for one request (default 20; 0 follows none and
 * returns the redirect response itself). */
COREAPI_EXTERN coreapi_code coreapi_client_set_max_redirects(coreapi_client *client,
                                                             unsigned max,
                                                             coreapi_error *err);

/* The largest response body kept in memory, in bytes (default 64 MiB; 0 for
 * no limit): the body of every response that does not go to a sink (that of
 * coreapi_client_send, and of a redirect the client follows). Counted on the
 * bytes received after libcurl removed the transfer codings (see "Codings"
 * at the top), so a small compressed body cannot grow past it. A larger body, or
 * one whose Content-Length announces more, fails the request with
 * ERR_TOO_LARGE. Fails with ERR_INVALID_ARGUMENT for a NULL client or during
 * a request. */
COREAPI_EXTERN coreapi_code coreapi_client_set_max_body(coreapi_client *client, size_t bytes,
                                                        coreapi_error *err);

/* The largest response body streamed to a sink, in bytes (default 1 GiB,
 * 1073741824; 0 for no limit): downloads (coreapi_client_download, the
 * "download" codec of coreapi_client_get and _action) and any body given to
 * coreapi_client_send_to. Counted as max_body is, on the decoded bytes the
 * sink would receive; the sink never receives more than bytes. A body over
 * it fails the request with ERR_TOO_LARGE, at once when its Content-Length
 * announces more, and a download then leaves no file, partial or temporary.
 * Fails with ERR_INVALID_ARGUMENT for a NULL client, bytes < 0 or during a
 * request. (A body the transitions keep in memory to decode is held to the
 * smaller of the two limits.) */
COREAPI_EXTERN coreapi_code coreapi_client_set_max_filesize(coreapi_client *client,
                                                            int64_t bytes, coreapi_error *err);

/* The largest document a JSON or Core JSON body may decode to, in bytes of
 * memory (default 512 MiB, 536870912; 0 for no limit), for the documents
 * coreapi_client_get and _action decode. Besides it, a document never takes
 * more than 32 times its body's size (1 MiB at least), whatever the body's
 * shape; common shapes take under 10 (see the README). A body whose document
 * would be larger fails with ERR_TOO_LARGE. (coreapi_json_decode and coreapi_corejson_decode, called
 * directly, use the default.) Fails with ERR_INVALID_ARGUMENT for a NULL
 * client or during a request. */
COREAPI_EXTERN coreapi_code coreapi_client_set_max_decoded(coreapi_client *client, size_t bytes,
                                                           coreapi_error *err);

/* Add an authentication. The client takes its own reference: the caller keeps
 * (and eventually frees) its own. Several may be added, each with its own
 * domain pattern. */
COREAPI_EXTERN coreapi_code coreapi_client_add_auth(coreapi_client *client, coreapi_auth *auth,
                                                    coreapi_error *err);

/* Which authentication would apply to the first hop of a request to url
 * (borrowed, or NULL for none). When why is not NULL, a sentence saying why is
 * written there (size bytes, NUL-terminated): "api.example.com: token
 * (Bearer)" or "none: no credential matches evil.test". Returns NULL with
 * err filled for an invalid URL. */
COREAPI_EXTERN const coreapi_auth *coreapi_client_auth_for(const coreapi_client *client,
                                                           const char *url, char *why,
                                                           size_t size, coreapi_error *err);

/* Progress of a transfer: bytes to download and downloaded, to upload and
 * uploaded (a total is 0 while unknown). Return 0 to go on, non-zero to abort
 * the request (it fails with ERR_ABORTED). Called often; keep it cheap. */
typedef int (*coreapi_progress_fn)(void *userdata, int64_t download_total,
                                   int64_t downloaded, int64_t upload_total, int64_t uploaded);

/* Call fn with the progress of every following transfer (NULL turns it
 * off). userdata is passed along and must outlive its use. */
COREAPI_EXTERN coreapi_code coreapi_client_set_progress(coreapi_client *client,
                                                        coreapi_progress_fn fn, void *userdata,
                                                        coreapi_error *err);

/* Call fn for debug output of every following request (NULL turns it off).
 * userdata is passed along and must outlive its use. */
COREAPI_EXTERN coreapi_code coreapi_client_set_debug(coreapi_client *client,
                                                     coreapi_debug_fn fn, void *userdata,
                                                     coreapi_error *err);

/* Send req (which is not modified; each hop works on a copy), following
 * redirects, and store the final response in *out (a new object the caller
 * frees). Any HTTP status is a success here: a 404 is a response, not an
 * error. Returns OK, or an error code with err filled and *out NULL. */
COREAPI_EXTERN coreapi_code coreapi_client_send(coreapi_client *client,
                                                const coreapi_request *req,
                                                coreapi_response **out, coreapi_error *err);

/* Where the body of a final response goes when it is not kept in memory
 * (a download streamed to a file, say). */
typedef struct coreapi_body_sink {
  /* Called when the status and headers of the response that ends the chain
   * have arrived (redirects the client follows never reach the sink). resp
   * has its status, reason, headers, cookies and URL, and an empty body; it
   * is borrowed for the call. Return OK to receive the body, or an error
   * code (err filled) to stop: the request then fails with that error. When
   * an authentication asks for the request to be sent again, begin is called
   * again for the new response: the body starts afresh. */
  coreapi_code (*begin)(void *userdata, const coreapi_response *resp, coreapi_error *err);
  /* Called with each piece of the body, in order. Return OK, or an error
   * code (err filled) to stop the transfer. */
  coreapi_code (*write)(void *userdata, const void *data, size_t len, coreapi_error *err);
} coreapi_body_sink;

/* As coreapi_client_send, but the final response's body goes to sink (both
 * functions required) and the response in *out has an empty body. sink NULL
 * is coreapi_client_send. sink and userdata must outlive the call. */
COREAPI_EXTERN coreapi_code coreapi_client_send_to(coreapi_client *client,
                                                   const coreapi_request *req,
                                                   const coreapi_body_sink *sink,
                                                   void *userdata, coreapi_response **out,
                                                   coreapi_error *err);

/* Shorthand: a request with method and url, and when body is not NULL that
 * body (len bytes, copied) with Content-Type content_type (may be NULL). */
COREAPI_EXTERN coreapi_code coreapi_client_request(coreapi_client *client, const char *method,
                                                   const char *url, const char *content_type,
                                                   const void *body, size_t len,
                                                   coreapi_response **out,
                                                   coreapi_error *err);

/* The client's decoders, by format, in order of preference (see codec.h) for the Core API
 * operations (coreapi_client_get, _reload, _action in transitions.h);
 * NULL restores the default: corejson, openapi, json, text, download. The list and its
 * strings are copied. */
COREAPI_EXTERN coreapi_code coreapi_client_set_decoders(coreapi_client *client,
                                                        const char *const *formats, size_t n,
                                                        coreapi_error *err);

/* Where downloads are saved (copied); NULL: the system's temporary directory
 * ($TMPDIR, else /tmp). */
COREAPI_EXTERN coreapi_code coreapi_client_set_download_dir(coreapi_client *client,
                                                            const char *dir, coreapi_error *err);

/* GET url with client (a Core API download: see coreapi/download.h), stream the final response's body into directory dir
 * and publish it. Clears err first. On OK: for a 2xx status *path is the new
 * file's path (free() it); for any other status (a 404, or a redirect not
 * followed) nothing is written or left in dir and *path is NULL; in both
 * cases, when resp is not NULL, *resp is the response (with an empty body;
 * free it). On failure (transport error, timeout, a write error, a body over
 * coreapi_client_set_max_filesize: ERR_TOO_LARGE, an invalid argument:
 * client, url, dir or path NULL) the error code, err filled, *path and *resp
 * NULL, and no file, partial or temporary, is left. The file holds the body
 * with its content coding kept (see "Codings" at the top). */
COREAPI_EXTERN coreapi_code coreapi_client_download(coreapi_client *client, const char *url,
                                                 const char *dir, char **path,
                                                 coreapi_response **resp, coreapi_error *err);

/* Write the client's cookies to path in the Netscape cookie file format, the
 * way every file of this library is written: to a temporary file in the same
 * directory with mode 0600, flushed to disk, then renamed into place. */
COREAPI_EXTERN coreapi_code coreapi_client_save_cookies(coreapi_client *client,
                                                        const char *path, coreapi_error *err);

/* Read cookies from a file written by coreapi_client_save_cookies (or curl).
 * A missing file is an error (ERR_IO). */
COREAPI_EXTERN coreapi_code coreapi_client_load_cookies(coreapi_client *client,
                                                        const char *path, coreapi_error *err);

#ifdef __cplusplus
}
#endif
#endif /* COREAPI_CLIENT_H */
