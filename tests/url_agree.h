/*
 * tests/url_agree.h - the rule of src/http/url_plain.c, checked on one URL:
 * whatever coreapi__url_parse_plain accepts, libcurl's parser
 * (coreapi__url_parse_libcurl) accepts too, with the same URL, scheme,
 * host, port and IP flag, and the handle the plain path built writes back
 * the URL text itself, with the same host and port. Shared by
 * tests/unit/test_url.c and the fuzz target fuzz_url.
 */
#ifndef COREAPI_TESTS_URL_AGREE_H
#define COREAPI_TESTS_URL_AGREE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "../src/http/http.h"

/* Returns -1 when plain and libcurl disagree (why says how), 1 when the plain
 * path took url and they agree, 0 when it left url to libcurl. */
static int url_agree(const char *url, char *why, size_t size) {
  coreapi__url p, l;
  coreapi_error err;
  char *text = NULL, *host = NULL, *port = NULL;
  int rc = coreapi__url_parse_plain(&p, url);
  why[0] = '\0';
  if (rc != 0)
    return rc == 1 ? 0 : -1;
  if (coreapi__url_parse_libcurl(&l, url, NULL, &err) != COREAPI_OK) {
    snprintf(why, size, "libcurl refuses it: %s", err.text);
    coreapi__url_free(&p);
    return -1;
  }
  if (strcmp(p.url, l.url) != 0 || strcmp(p.scheme, l.scheme) != 0 ||
      strcmp(p.host, l.host) != 0 || p.port != l.port || p.is_ip != l.is_ip)
    snprintf(why, size, "plain %s %s %s %d %d, libcurl %s %s %s %d %d", p.url, p.scheme, p.host,
             p.port, p.is_ip, l.url, l.scheme, l.host, l.port, l.is_ip);
  else if (curl_url_get(p.handle, CURLUPART_URL, &text, 0) != CURLUE_OK ||
           curl_url_get(p.handle, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
           curl_url_get(p.handle, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) != CURLUE_OK)
    snprintf(why, size, "the plain handle cannot be read back");
  else if (strcmp(text, url) != 0 || strcmp(host, p.host) != 0 || atoi(port) != p.port)
    snprintf(why, size, "the plain handle writes %s (host %s, port %s)", text, host, port);
  curl_free(text);
  curl_free(host);
  curl_free(port);
  coreapi__url_free(&p);
  coreapi__url_free(&l);
  return why[0] ? -1 : 1;
}

#endif /* COREAPI_TESTS_URL_AGREE_H */
