/*
 * tests/unit/test_curl_errors.c - coreapi__curl_code_map (transport/
 * curl_error.c) as data: every CURLcode from 0 to CURL_LAST - 1 (and the
 * newer libcurl's CURLE_TOO_LARGE) gets the coreapi code this table expects,
 * the codes it does not list COREAPI_ERR_NETWORK; then the two causes of
 * CURLE_OUT_OF_MEMORY (libcurl's response header line limit and a real
 * allocation failure) and the other refinements, with the message each gives.
 */
#include <string.h>

#include "../../src/transport/client_impl.h"
#include "check.h"

struct expect {
  int cc;
  coreapi_code code;
};

/* What each named code means (curl_error.c gives the reasons). */
static const struct expect expected[] = {
    {CURLE_OK, COREAPI_OK},
    {CURLE_FAILED_INIT, COREAPI_ERR_INTERNAL},
    {CURLE_URL_MALFORMAT, COREAPI_ERR_BAD_URL},
    {CURLE_NOT_BUILT_IN, COREAPI_ERR_INTERNAL},
    {CURLE_COULDNT_RESOLVE_PROXY, COREAPI_ERR_RESOLVE},
    {CURLE_COULDNT_RESOLVE_HOST, COREAPI_ERR_RESOLVE},
    {CURLE_COULDNT_CONNECT, COREAPI_ERR_CONNECT},
    {CURLE_REMOTE_ACCESS_DENIED, COREAPI_ERR_AUTH},
    {CURLE_HTTP_RETURNED_ERROR, COREAPI_ERR_INTERNAL},
    {CURLE_WRITE_ERROR, COREAPI_ERR_IO},
    {CURLE_READ_ERROR, COREAPI_ERR_IO},
    {CURLE_OUT_OF_MEMORY, COREAPI_ERR_OUT_OF_MEMORY},
    {CURLE_OPERATION_TIMEDOUT, COREAPI_ERR_TIMEOUT},
    {CURLE_HTTP_POST_ERROR, COREAPI_ERR_INTERNAL},
    {CURLE_SSL_CONNECT_ERROR, COREAPI_ERR_TLS},
    {CURLE_BAD_DOWNLOAD_RESUME, COREAPI_ERR_INTERNAL},
    {CURLE_FILE_COULDNT_READ_FILE, COREAPI_ERR_IO},
    {CURLE_FUNCTION_NOT_FOUND, COREAPI_ERR_INTERNAL},
    {CURLE_ABORTED_BY_CALLBACK, COREAPI_ERR_IO},
    {CURLE_BAD_FUNCTION_ARGUMENT, COREAPI_ERR_INTERNAL},
    {CURLE_INTERFACE_FAILED, COREAPI_ERR_CONNECT},
    {CURLE_TOO_MANY_REDIRECTS, COREAPI_ERR_TOO_MANY_REDIRECTS},
    {CURLE_UNKNOWN_OPTION, COREAPI_ERR_INTERNAL},
    {CURLE_SETOPT_OPTION_SYNTAX, COREAPI_ERR_INTERNAL},
    {CURLE_SSL_ENGINE_NOTFOUND, COREAPI_ERR_TLS},
    {CURLE_SSL_ENGINE_SETFAILED, COREAPI_ERR_TLS},
    {CURLE_SSL_CERTPROBLEM, COREAPI_ERR_TLS},
    {CURLE_SSL_CIPHER, COREAPI_ERR_TLS},
    {CURLE_PEER_FAILED_VERIFICATION, COREAPI_ERR_TLS},
    {CURLE_FILESIZE_EXCEEDED, COREAPI_ERR_TOO_LARGE},
    {CURLE_USE_SSL_FAILED, COREAPI_ERR_TLS},
    {CURLE_SEND_FAIL_REWIND, COREAPI_ERR_IO},
    {CURLE_SSL_ENGINE_INITFAILED, COREAPI_ERR_TLS},
    {CURLE_LOGIN_DENIED, COREAPI_ERR_AUTH},
    {CURLE_SSL_CACERT_BADFILE, COREAPI_ERR_TLS},
    {CURLE_SSL_SHUTDOWN_FAILED, COREAPI_ERR_TLS},
    {CURLE_AGAIN, COREAPI_ERR_INTERNAL},
    {CURLE_SSL_CRL_BADFILE, COREAPI_ERR_TLS},
    {CURLE_SSL_ISSUER_ERROR, COREAPI_ERR_TLS},
    {CURLE_CHUNK_FAILED, COREAPI_ERR_INTERNAL},
    {CURLE_NO_CONNECTION_AVAILABLE, COREAPI_ERR_INTERNAL},
    {CURLE_SSL_PINNEDPUBKEYNOTMATCH, COREAPI_ERR_TLS},
    {CURLE_SSL_INVALIDCERTSTATUS, COREAPI_ERR_TLS},
    {CURLE_RECURSIVE_API_CALL, COREAPI_ERR_INTERNAL},
    {CURLE_AUTH_ERROR, COREAPI_ERR_AUTH},
    {CURLE_PROXY, COREAPI_ERR_CONNECT},
    {CURLE_SSL_CLIENTCERT, COREAPI_ERR_TLS},
    {CURLE_UNRECOVERABLE_POLL, COREAPI_ERR_INTERNAL},
};

/* The rest, COREAPI_ERR_NETWORK; a few the issue asked about by name, to
 * keep them from drifting into the table by accident. */
static const int network[] = {
    CURLE_UNSUPPORTED_PROTOCOL, CURLE_WEIRD_SERVER_REPLY, CURLE_HTTP2,
    CURLE_PARTIAL_FILE,         CURLE_GOT_NOTHING,        CURLE_SEND_ERROR,
    CURLE_RECV_ERROR,           CURLE_BAD_CONTENT_ENCODING, CURLE_HTTP2_STREAM,
    CURLE_HTTP3,                CURLE_QUIC_CONNECT_ERROR, CURLE_FTP_WEIRD_PASV_REPLY,
    CURLE_REMOTE_FILE_NOT_FOUND, CURLE_SSH,               100 /* CURLE_TOO_LARGE, 8.6 */,
};

static coreapi_code expected_code(int cc) {
  for (size_t i = 0; i < sizeof(expected) / sizeof(expected[0]); i++)
    if (expected[i].cc == cc)
      return expected[i].code;
  return COREAPI_ERR_NETWORK;
}

static void test_every_code(void) {
  for (int cc = 0; cc <= CURL_LAST + 1; cc++) {
    const char *detail = NULL;
    coreapi_code got = coreapi__curl_code_map((CURLcode)cc, "", 0, &detail);
    if (got != expected_code(cc))
      fprintf(stderr, "CURLcode %d (%s): %s, expected %s\n", cc, curl_easy_strerror((CURLcode)cc),
              coreapi_code_name(got), coreapi_code_name(expected_code(cc)));
    CHECK_INT(got, expected_code(cc));
    /* Without libcurl's message, its static text for the code. */
    CHECK(detail != NULL && strcmp(detail, curl_easy_strerror((CURLcode)cc)) == 0);
    /* Reading the header changes nothing but out of memory (and 100). */
    if (cc != CURLE_OUT_OF_MEMORY)
      CHECK_INT(coreapi__curl_code_map((CURLcode)cc, NULL, 1, NULL), expected_code(cc));
  }
  for (size_t i = 0; i < sizeof(network) / sizeof(network[0]); i++)
    CHECK_INT(coreapi__curl_code_map((CURLcode)network[i], "", 0, NULL), COREAPI_ERR_NETWORK);
  /* Every table row is a real code of 7.88 (or 100). */
  for (size_t i = 0; i < sizeof(expected) / sizeof(expected[0]); i++)
    CHECK(expected[i].cc < CURL_LAST || expected[i].cc == 100);
}

static void test_out_of_memory(void) {
  const char *detail = NULL;
  /* libcurl 7.71 to 8.5 (7.88.1 here): a 200 KB header line is
   * CURLE_OUT_OF_MEMORY with an empty error buffer while the header is read. */
  CHECK_INT(coreapi__curl_code_map(CURLE_OUT_OF_MEMORY, "", 1, &detail), COREAPI_ERR_NETWORK);
  CHECK_STR(detail, "the server sent a response header line longer than libcurl's limit of "
                    "102400 bytes (CURL_MAX_HTTP_HEADER)");
  /* libcurl up to 7.70 said so in the error buffer. */
  detail = NULL;
  CHECK_INT(coreapi__curl_code_map(CURLE_OUT_OF_MEMORY,
                                   "Rejected 204800 bytes header (max is 102400)!", 0, &detail),
            COREAPI_ERR_NETWORK);
  CHECK_STR(detail, "Rejected 204800 bytes header (max is 102400)!");
  /* From 8.6 the code is CURLE_TOO_LARGE (100). */
  detail = NULL;
  CHECK_INT(coreapi__curl_code_map((CURLcode)100, "", 1, &detail), COREAPI_ERR_NETWORK);
  CHECK(detail != NULL && strstr(detail, "header line longer") != NULL);
  /* A genuine allocation failure: before the response or in the body. */
  CHECK_INT(coreapi__curl_code_map(CURLE_OUT_OF_MEMORY, "", 0, NULL), COREAPI_ERR_OUT_OF_MEMORY);
  CHECK_INT(coreapi__curl_code_map(CURLE_OUT_OF_MEMORY, NULL, 0, NULL),
            COREAPI_ERR_OUT_OF_MEMORY);
  CHECK_INT(coreapi__curl_code_map(CURLE_OUT_OF_MEMORY, "Out of memory", 0, NULL),
            COREAPI_ERR_OUT_OF_MEMORY);
  /* The total-size limit of the security-patched 7.88.1 is already a
   * receive error, with libcurl's message. */
  detail = NULL;
  CHECK_INT(coreapi__curl_code_map(CURLE_RECV_ERROR, "Too large response headers: 307957 > 307200",
                                   1, &detail),
            COREAPI_ERR_NETWORK);
  CHECK_STR(detail, "Too large response headers: 307957 > 307200");
}

static void test_unsupported_protocol(void) {
  /* The server's reply in a protocol libcurl refuses: a network error. */
  CHECK_INT(coreapi__curl_code_map(CURLE_UNSUPPORTED_PROTOCOL,
                                   "Received HTTP/0.9 when not allowed", 1, NULL),
            COREAPI_ERR_NETWORK);
  CHECK_INT(coreapi__curl_code_map(CURLE_UNSUPPORTED_PROTOCOL,
                                   "Unsupported HTTP version in response", 1, NULL),
            COREAPI_ERR_NETWORK);
  /* This libcurl cannot do the URL's scheme (built without TLS). */
  CHECK_INT(coreapi__curl_code_map(CURLE_UNSUPPORTED_PROTOCOL,
                                   "Protocol \"https\" not supported or disabled in libcurl", 0,
                                   NULL),
            COREAPI_ERR_UNSUPPORTED_SCHEME);
}

int main(void) {
  test_every_code();
  test_out_of_memory();
  test_unsupported_protocol();
  return check_done("test_curl_errors");
}
