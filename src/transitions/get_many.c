/*
 * transitions/get_many.c - coreapi_client_get of many URLs at once: one
 * batch (coreapi/batch.h) of GETs, each received and decoded as
 * coreapi_client_get does (receive.c), decoded as soon as it completes so
 * that no more bodies are held than there are requests in flight.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "coreapi/batch.h"
#include "receive.h"

typedef struct getter {
  coreapi_client *client;
  size_t *url_of;              /* the URL index of each batch index */
  coreapi_request **reqs;      /* by URL index, until done */
  coreapi__receiver *recv;     /* by URL index */
  coreapi_result *results;
  coreapi_error *errors;
} getter;

static void got(void *userdata, coreapi_batch *b, size_t index, const coreapi_response *resp,
                const coreapi_error *why) {
  getter *g = userdata;
  size_t i = g->url_of[index];
  coreapi_response *r = resp != NULL ? coreapi_batch_take(b, index, &g->errors[i]) : NULL;
  if (r != NULL) {
    coreapi_code rc = coreapi__receive_result(g->client, &g->recv[i], r, &g->results[i],
                                              &g->errors[i]);
    if (rc != COREAPI_OK && rc != COREAPI_ERR_ERROR_RESPONSE)
      coreapi_result_clear(&g->results[i]);
    coreapi_response_free(r);
  } else if (resp == NULL) {
    g->errors[i] = *why;
  }
  coreapi__receiver_free(&g->recv[i]);
  coreapi_request_free(g->reqs[i]);
  g->reqs[i] = NULL;
}

/* Make each GET and add it to the batch; a URL that is not one gets its
 * error at once. OK, or ERR_OUT_OF_MEMORY. */
static coreapi_code add_all(getter *g, coreapi_batch *b, const char *const *urls, size_t n,
                            const char *format, coreapi_error *err) {
  for (size_t i = 0; i < n; i++) {
    size_t index = 0;
    coreapi_error *e = &g->errors[i];
    coreapi__receiver_init(&g->recv[i], g->client, format);
    if ((g->reqs[i] = coreapi_request_new("GET", urls[i], e)) == NULL)
      continue;
    if (coreapi__accept_set(g->client, g->reqs[i], e) == COREAPI_OK &&
        coreapi_batch_add(b, g->reqs[i], &coreapi__receiver_sink, &g->recv[i], &index, e) ==
            COREAPI_OK) {
      g->url_of[index] = i;
      continue;
    }
    coreapi_request_free(g->reqs[i]);
    g->reqs[i] = NULL;
    if (e->code == COREAPI_ERR_OUT_OF_MEMORY)
      return COREAPI__OOM(err);
  }
  return COREAPI_OK;
}

/* Send the GETs of g (n URLs) through a batch of the client's. */
static coreapi_code run(getter *g, const char *const *urls, size_t n, const char *format,
                        unsigned max_in_flight, coreapi_error *err) {
  coreapi_batch *b = coreapi_batch_new(g->client, err);
  coreapi_code rc = b != NULL ? COREAPI_OK : err->code;
  if (rc == COREAPI_OK)
    rc = coreapi_batch_set_max_in_flight(b, max_in_flight, err);
  if (rc == COREAPI_OK)
    rc = coreapi_batch_set_done(b, got, g, err);
  if (rc == COREAPI_OK)
    rc = add_all(g, b, urls, n, format, err);
  if (rc == COREAPI_OK)
    rc = coreapi_batch_run(b, err);
  coreapi_batch_free(b);
  for (size_t i = 0; i < n; i++) { /* left by a failure: nothing was sent for them */
    coreapi__receiver_free(&g->recv[i]);
    coreapi_request_free(g->reqs[i]);
  }
  return rc;
}

/* The code of the first GET that failed (err set to its error, with its
 * URL), or OK. */
static coreapi_code first_failure(const char *const *urls, const coreapi_error *errors, size_t n,
                                  coreapi_error *err) {
  for (size_t i = 0; i < n; i++)
    if (errors[i].code != COREAPI_OK) {
      coreapi_error_set(err, errors[i].code, "GET %zu of %zu (%.200s): %s", i + 1, n, urls[i],
                        errors[i].text);
      if (err != NULL)
        err->http_status = errors[i].http_status;
      return errors[i].code;
    }
  return COREAPI_OK;
}

coreapi_code coreapi_client_get_many(coreapi_client *client, const char *const *urls, size_t n,
                                     const char *format, unsigned max_in_flight,
                                     coreapi_result *results, coreapi_error *errors,
                                     coreapi_error *err) {
  getter g;
  coreapi_code rc;
  coreapi_error_clear(err);
  if (n > SIZE_MAX / sizeof(coreapi_error)) /* the largest of the arrays of n */
    return coreapi_error_set(err, COREAPI_ERR_INVALID_ARGUMENT, "too many URLs: %zu", n);
  if (results != NULL)
    memset(results, 0, n * sizeof(*results));
  if (client == NULL || (n > 0 && (urls == NULL || results == NULL)))
    return coreapi_error_set(err, COREAPI_ERR_INVALID_ARGUMENT,
                             "client, URLs and results must not be NULL");
  for (size_t i = 0; i < n; i++)
    if (urls[i] == NULL)
      return coreapi_error_set(err, COREAPI_ERR_INVALID_ARGUMENT, "URL %zu is NULL", i);
  if (format != NULL && coreapi_codec_media_types(format) == NULL)
    return coreapi_error_set(err, COREAPI_ERR_INVALID_ARGUMENT,
                             "No decoder available with format='%.40s'", format);
  if (n == 0)
    return COREAPI_OK;
  memset(&g, 0, sizeof(g));
  g.client = client;
  g.results = results;
  g.url_of = calloc(n, sizeof(*g.url_of));
  g.reqs = calloc(n, sizeof(*g.reqs));
  g.recv = calloc(n, sizeof(*g.recv));
  g.errors = errors != NULL ? errors : calloc(n, sizeof(*g.errors));
  if (g.url_of == NULL || g.reqs == NULL || g.recv == NULL || g.errors == NULL)
    rc = COREAPI__OOM(err);
  else {
    memset(g.errors, 0, n * sizeof(*g.errors));
    rc = run(&g, urls, n, format, max_in_flight, err);
  }
  if (rc == COREAPI_OK)
    rc = first_failure(urls, g.errors, n, err);
  if (errors == NULL)
    free(g.errors);
  free(g.url_of);
  free(g.reqs);
  free(g.recv);
  return rc;
}
