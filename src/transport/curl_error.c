/*
 * transport/curl_error.c - what a failed libcurl transfer means to the
 * caller: a CURLcode (libcurl-errors(3)) becomes a coreapi_code, as data.
 *
 * The transfers this table judges are always HTTP or HTTPS, on a handle that
 * follows no redirect, uses none of libcurl's own authentication, sets no
 * FAILONERROR, resume, interface or chunk callback, and whose
 * progress, write and header callbacks are the backend's (backend.c: a
 * progress abort and a sink's or the body limit's refusal are told apart
 * before this table is asked). So codes of other protocols (FTP, TFTP, SSH,
 * LDAP, RTSP) are what the server's side did: network errors, like every code
 * the table does not name. Codes that can only come from a misconfigured
 * handle are internal errors.
 *
 * CURLE_OUT_OF_MEMORY is not always memory. libcurl keeps one response header
 * line in a buffer of at most CURL_MAX_HTTP_HEADER (100 KiB) bytes; a longer
 * line makes the buffer refuse to grow, and libcurl 7.71 to 8.5 report that
 * as CURLE_OUT_OF_MEMORY with an empty error buffer (checked against
 * 7.88.1: lib/dynbuf.c, Curl_dyn_addn, called from
 * Curl_http_readwrite_headers; up to 7.70 the buffer said "Rejected N bytes
 * header (max is 102400)!", from 8.6 the code is CURLE_TOO_LARGE, 100). The
 * error buffer alone cannot tell it from a failed malloc, so the backend
 * also says whether libcurl stopped while reading the response header (it
 * had begun to receive the response, and no body byte had come); out of
 * memory there is the header limit, a protocol error the server caused.
 * A genuine allocation failure in that short window would be reported as
 * that protocol error too: the lesser mistake, as a server can provoke the
 * limit at will and a real shortage of memory shows up elsewhere as well.
 * Allocation failures of the backend's own callbacks are counted by the
 * backend itself (header_error) and are always out of memory.
 */
#include <string.h>

#include "client_impl.h"

/* libcurl 8.6.0 and later: "a value/data met its maximum", the header line
 * limit among them. Not in 7.88.1's headers, so named here by its number. */
#define CURL_CODE_TOO_LARGE 100

struct curl_code_row {
  int cc;            /* a CURLcode, or a newer libcurl's number */
  coreapi_code code; /* what it means to the caller */
};

/* Every code with a meaning of its own; the rest are COREAPI_ERR_NETWORK. */
static const struct curl_code_row curl_codes[] = {
    {CURLE_OK, COREAPI_OK},
    /* Not ours to see: our URL parser admits http and https only, so this is
     * the server's reply in a protocol libcurl will not speak (HTTP/0.9, an
     * unknown version). A libcurl without https: see curl_code_refine. */
    {CURLE_UNSUPPORTED_PROTOCOL, COREAPI_ERR_NETWORK},
    {CURLE_FAILED_INIT, COREAPI_ERR_INTERNAL},
    {CURLE_URL_MALFORMAT, COREAPI_ERR_BAD_URL},
    {CURLE_NOT_BUILT_IN, COREAPI_ERR_INTERNAL},
    {CURLE_COULDNT_RESOLVE_PROXY, COREAPI_ERR_RESOLVE},
    {CURLE_COULDNT_RESOLVE_HOST, COREAPI_ERR_RESOLVE},
    {CURLE_COULDNT_CONNECT, COREAPI_ERR_CONNECT},
    /* Denied access / login by libcurl's own authentication or the URL's
     * user name (CURLUE_USER_NOT_ALLOWED); neither is used, but that is
     * what they mean. HTTP servers deny with a status instead. */
    {CURLE_REMOTE_ACCESS_DENIED, COREAPI_ERR_AUTH},
    {CURLE_LOGIN_DENIED, COREAPI_ERR_AUTH},
    {CURLE_AUTH_ERROR, COREAPI_ERR_AUTH},
    {CURLE_HTTP_RETURNED_ERROR, COREAPI_ERR_INTERNAL}, /* FAILONERROR is never set */
    /* A write or header callback refused the data. The backend's own
     * refusals are told apart before; what is left is local output. */
    {CURLE_WRITE_ERROR, COREAPI_ERR_IO},
    /* The request body could not be read (a read callback aborted, which
     * ours do only when the file or the caller's source failed) or sent
     * again (the seek callback could not rewind it). */
    {CURLE_READ_ERROR, COREAPI_ERR_IO},
    {CURLE_ABORTED_BY_CALLBACK, COREAPI_ERR_IO},
    {CURLE_SEND_FAIL_REWIND, COREAPI_ERR_IO},
    {CURLE_FILE_COULDNT_READ_FILE, COREAPI_ERR_IO},
    {CURLE_OUT_OF_MEMORY, COREAPI_ERR_OUT_OF_MEMORY}, /* see curl_code_refine */
    {CURLE_OPERATION_TIMEDOUT, COREAPI_ERR_TIMEOUT},
    {CURLE_HTTP_POST_ERROR, COREAPI_ERR_INTERNAL}, /* "internal confusion" */
    {CURLE_BAD_DOWNLOAD_RESUME, COREAPI_ERR_INTERNAL}, /* no resume is set */
    {CURLE_FUNCTION_NOT_FOUND, COREAPI_ERR_INTERNAL},
    {CURLE_BAD_FUNCTION_ARGUMENT, COREAPI_ERR_INTERNAL},
    {CURLE_INTERFACE_FAILED, COREAPI_ERR_CONNECT},
    /* libcurl follows no redirect here; the client counts its own. */
    {CURLE_TOO_MANY_REDIRECTS, COREAPI_ERR_TOO_MANY_REDIRECTS},
    {CURLE_UNKNOWN_OPTION, COREAPI_ERR_INTERNAL},
    {CURLE_SETOPT_OPTION_SYNTAX, COREAPI_ERR_INTERNAL},
    {CURLE_FILESIZE_EXCEEDED, COREAPI_ERR_TOO_LARGE}, /* CURLOPT_MAXFILESIZE */
    {CURLE_AGAIN, COREAPI_ERR_INTERNAL}, /* curl_easy_recv and _send only */
    {CURLE_CHUNK_FAILED, COREAPI_ERR_INTERNAL},
    {CURLE_NO_CONNECTION_AVAILABLE, COREAPI_ERR_INTERNAL}, /* internal use */
    {CURLE_RECURSIVE_API_CALL, COREAPI_ERR_INTERNAL},
    {CURLE_PROXY, COREAPI_ERR_CONNECT}, /* the proxy handshake failed */
    {CURLE_UNRECOVERABLE_POLL, COREAPI_ERR_INTERNAL},
    /* TLS: the handshake, the peer's certificate, our certificates, CA
     * files, engines, ciphers, pinning, OCSP, shutdown. */
    {CURLE_SSL_CONNECT_ERROR, COREAPI_ERR_TLS},
    {CURLE_SSL_ENGINE_NOTFOUND, COREAPI_ERR_TLS},
    {CURLE_SSL_ENGINE_SETFAILED, COREAPI_ERR_TLS},
    {CURLE_SSL_CERTPROBLEM, COREAPI_ERR_TLS},
    {CURLE_SSL_CIPHER, COREAPI_ERR_TLS},
    {CURLE_PEER_FAILED_VERIFICATION, COREAPI_ERR_TLS},
    {CURLE_USE_SSL_FAILED, COREAPI_ERR_TLS},
    {CURLE_SSL_ENGINE_INITFAILED, COREAPI_ERR_TLS},
    {CURLE_SSL_CACERT_BADFILE, COREAPI_ERR_TLS},
    {CURLE_SSL_SHUTDOWN_FAILED, COREAPI_ERR_TLS},
    {CURLE_SSL_CRL_BADFILE, COREAPI_ERR_TLS},
    {CURLE_SSL_ISSUER_ERROR, COREAPI_ERR_TLS},
    {CURLE_SSL_PINNEDPUBKEYNOTMATCH, COREAPI_ERR_TLS},
    {CURLE_SSL_INVALIDCERTSTATUS, COREAPI_ERR_TLS},
    {CURLE_SSL_CLIENTCERT, COREAPI_ERR_TLS},
    /* Named for the record: what the server sent or did not send. */
    {CURLE_WEIRD_SERVER_REPLY, COREAPI_ERR_NETWORK},
    {CURLE_HTTP2, COREAPI_ERR_NETWORK},
    {CURLE_PARTIAL_FILE, COREAPI_ERR_NETWORK},
    {CURLE_GOT_NOTHING, COREAPI_ERR_NETWORK},
    {CURLE_SEND_ERROR, COREAPI_ERR_NETWORK},
    {CURLE_RECV_ERROR, COREAPI_ERR_NETWORK}, /* also "Too large response headers" */
    {CURLE_BAD_CONTENT_ENCODING, COREAPI_ERR_NETWORK},
    {CURLE_HTTP2_STREAM, COREAPI_ERR_NETWORK},
    {CURLE_HTTP3, COREAPI_ERR_NETWORK},
    {CURLE_QUIC_CONNECT_ERROR, COREAPI_ERR_NETWORK},
    {CURL_CODE_TOO_LARGE, COREAPI_ERR_NETWORK},
};

_Static_assert(CURL_MAX_HTTP_HEADER == 102400, "the sentence below names the limit");
static const char header_limit[] =
    "the server sent a response header line longer than libcurl's limit of "
    "102400 bytes (CURL_MAX_HTTP_HEADER)";

/* The table's answer, refined where the same code has two causes. */
static coreapi_code curl_code_refine(int cc, coreapi_code code, const char *errbuf,
                                     int in_header) {
  if (cc == CURLE_OUT_OF_MEMORY &&
      (in_header || strstr(errbuf, "bytes header (max is ") != NULL))
    return COREAPI_ERR_NETWORK;
  /* url.c: "Protocol \"https\" not supported or disabled in libcurl". */
  if (cc == CURLE_UNSUPPORTED_PROTOCOL && strncmp(errbuf, "Protocol \"", 10) == 0)
    return COREAPI_ERR_UNSUPPORTED_SCHEME;
  return code;
}

coreapi_code coreapi__curl_code_map(CURLcode cc, const char *errbuf, int in_header,
                                    const char **detail) {
  coreapi_code code = COREAPI_ERR_NETWORK;
  const char *why;
  if (errbuf == NULL)
    errbuf = "";
  for (size_t i = 0; i < sizeof(curl_codes) / sizeof(curl_codes[0]); i++) {
    if (curl_codes[i].cc == (int)cc) {
      code = curl_codes[i].code;
      break;
    }
  }
  code = curl_code_refine((int)cc, code, errbuf, in_header);
  why = errbuf[0] ? errbuf : curl_easy_strerror(cc);
  if (code == COREAPI_ERR_NETWORK && in_header &&
      ((int)cc == CURLE_OUT_OF_MEMORY || ((int)cc == CURL_CODE_TOO_LARGE && !errbuf[0])))
    why = header_limit;
  if (detail != NULL)
    *detail = why;
  return code;
}
