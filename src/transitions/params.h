/*
 * transitions/params.h - parameters of an action, checked and sorted by
 * location as the reference client's _get_params does, then turned into the
 * parts of a request (URL, query, body).
 */
#ifndef COREAPI_TRANSITIONS_PARAMS_H
#define COREAPI_TRANSITIONS_PARAMS_H

#include "../transport/transport.h"
#include "coreapi/codec.h"
#include "coreapi/download.h"
#include "coreapi/transitions.h"
#include "coreapi/uritemplate.h"

/* A form or query value after validation: one string, a list of strings
 * (query and form lists repeat their key), or a file (multipart only). */
typedef struct coreapi__value {
  char *name;
  char **strings; /* count strings */
  size_t count;
  int is_list;
  coreapi_node *file; /* a reference, or NULL */
} coreapi__value;

typedef struct coreapi__params {
  coreapi_map_builder *path; /* name -> String, for the URI template */
  size_t path_count;
  coreapi__value *query;
  size_t query_count;
  coreapi__value *form; /* urlencoded and multipart form fields */
  size_t form_count;
  coreapi_map_builder *json; /* JSON form data: name -> value */
  size_t json_count;
  coreapi_node *body; /* the body parameter's value, or NULL */
  coreapi__value *headers; /* fields with location "header" */
  size_t header_count;
  coreapi__value *cookies; /* fields with location "cookie" */
  size_t cookie_count;
  coreapi_map_builder *errors; /* name -> message */
  size_t error_count;
} coreapi__params;

/* Sort params (an Object or NULL) for a link with fields, method and
 * encoding. Problems with values go to p->errors (ERR_PARAMETER is the
 * caller's to raise); an encoding that cannot carry a body is
 * ERR_PARAMETER at once. Returns OK or an error with err filled. */
coreapi_code coreapi__params_sort(coreapi__params *p, const coreapi_node *params,
                                  const coreapi_node *fields_link,
                                  const coreapi_field_spec *override_fields,
                                  size_t override_count, int use_override, const char *method,
                                  const char *encoding, coreapi_error *err);
/* The header and cookie parameters of p onto req (header_params.c): OK,
 * ERR_PARAMETER for a header or cookie a request may not carry, or
 * ERR_OUT_OF_MEMORY. */
coreapi_code coreapi__params_apply(coreapi_request *req, const coreapi__params *p,
                                   coreapi_error *err);

void coreapi__params_free(coreapi__params *p);

/* Append "k=v" pairs to b as Python's urlencode(doseq=True) writes them
 * (quote_plus: space as "+", "_.-~" and alphanumerics kept). */
int coreapi__urlencode(coreapi__buf *b, const coreapi__value *values, size_t count);

/* Python's str() of a number, as the reference formats form values. */
int coreapi__number_text(coreapi__buf *b, const coreapi_node *n);

/* The text of a scalar as the reference's _validate_form_field makes it,
 * for form and query values and URI template variables: a String's own
 * bytes (*s points into the node), "true"/"false", "" for Null, str() of a
 * number (those written into tmp, empty on entry; *s is tmp->data). Returns
 * 0 with *s and *n set, 1 for a node that is not a scalar (Array, Object,
 * File, ...), -1 on ENOMEM. The caller frees tmp in every case. */
int coreapi__scalar_text(const coreapi_node *v, coreapi__buf *tmp, const char **s, size_t *n);

/* Is value truthy as Python sees it (None, False, 0, "", [], {} are not)? */
int coreapi__truthy(const coreapi_node *value);

/* upload.c: the File node file as a transport-level source (a path, or a
 * stream read through a reference to the node). New, or NULL on ENOMEM. */
coreapi__source *coreapi__file_source(const coreapi_node *file);

#endif
