/*
 * paginate.c - `coreapi action PATH... --all`: follow the next pages of the
 * action's result and print one merged result (cli/paginate.h).
 *
 * Two ways a server says where the next page is:
 *   - a "next" member of the page (Django REST framework's page-number,
 *     limit-offset and cursor paginations: {"count": .., "next": URL|null,
 *     "previous": .., "results": [...]}, cursor pages without "count");
 *   - an RFC 8288 Link header, `Link: <URL>; rel="next"`, with a plain
 *     array as the body (GitHub); the library reads it into
 *     coreapi_result.next_link.
 * Pages after the first are fetched with coreapi_client_get on the action's
 * client, so each goes under the same credential rules as any URL: a next
 * page on another host gets only the credentials scoped to that host. When
 * the first page foretells the URLs of the others (page_urls.c), they are
 * fetched at once with coreapi_client_get_many, and taken while each page
 * links the next one foretold.
 */
#include <stdlib.h>
#include <string.h>

#include "paginate.h"

/* The URLs fetched so far (the pages asked for, and where they came from). */
typedef struct visited {
  char **urls;
  size_t count, cap;
} visited;

static int visited_has(const visited *v, const char *url) {
  for (size_t i = 0; i < v->count; i++)
    if (strcmp(v->urls[i], url) == 0)
      return 1;
  return 0;
}

/* Add a copy of url (nothing for NULL or one already there). 0, or -1 out
 * of memory (said). */
static int visited_add(visited *v, const char *url) {
  if (url == NULL || visited_has(v, url))
    return 0;
  if (v->count == v->cap) {
    size_t cap = v->cap ? v->cap * 2 : 16;
    char **urls = realloc(v->urls, cap * sizeof(*urls));
    if (urls == NULL)
      return cli_error("out of memory"), -1;
    v->urls = urls;
    v->cap = cap;
  }
  if ((v->urls[v->count] = strdup(url)) == NULL)
    return cli_error("out of memory"), -1;
  v->count++;
  return 0;
}

static void visited_free(visited *v) {
  for (size_t i = 0; i < v->count; i++)
    free(v->urls[i]);
  free(v->urls);
}

/* The items of a page: the "results" Array of an Object (*is_object 1), or
 * the Array itself (*is_object 0); NULL when r is not a page. Borrowed from
 * r. */
static const coreapi_node *page_items(const coreapi_result *r, int *is_object) {
  const coreapi_node *items;
  if (r->file != NULL)
    return NULL;
  switch (coreapi_node_type_of(r->node)) {
  case COREAPI_NODE_ARRAY:
    *is_object = 0;
    return r->node;
  case COREAPI_NODE_OBJECT:
    items = coreapi_map_get(r->node, "results", 7);
    *is_object = 1;
    return coreapi_node_type_of(items) == COREAPI_NODE_ARRAY ? items : NULL;
  default:
    return NULL;
  }
}

/* The URL of the page after r (page number page, for messages) into *next:
 * a new string, or NULL when r is the last page. The Object's "next"
 * decides when it has one, else the Link header. CLI_OK, or CLI_OTHER
 * (said). */
static int next_page(const coreapi_result *r, size_t page, char **next) {
  const coreapi_node *member = NULL;
  coreapi_error err;
  *next = NULL;
  if (coreapi_node_type_of(r->node) == COREAPI_NODE_OBJECT)
    member = coreapi_map_get(r->node, "next", 4);
  if (member == NULL) {
    if (r->next_link != NULL && (*next = strdup(r->next_link)) == NULL) {
      cli_error("out of memory");
      return CLI_OTHER;
    }
    return CLI_OK;
  }
  if (coreapi_node_type_of(member) == COREAPI_NODE_NULL)
    return CLI_OK;
  if (coreapi_node_type_of(member) != COREAPI_NODE_STRING) {
    cli_error("page %zu: its \"next\" is neither a URL nor null", page);
    return CLI_OTHER;
  }
  *next = coreapi_result_resolve(r, coreapi_string_value(member, NULL), &err);
  if (*next == NULL) {
    cli_error("page %zu: its \"next\" is not a URL: %s", page, err.text);
    return CLI_OTHER;
  }
  return CLI_OK;
}

/* Append a new reference to each item of items to b. CLI_OK or CLI_OTHER
 * (said). */
static int append_items(coreapi_array_builder *b, const coreapi_node *items) {
  coreapi_error err;
  for (size_t i = 0, n = coreapi_array_size(items); i < n; i++)
    if (coreapi_array_builder_append(b, coreapi_node_ref(coreapi_array_get(items, i)), &err) !=
        COREAPI_OK) {
      cli_error("%s", err.text);
      return CLI_OTHER;
    }
  return CLI_OK;
}

/* What a walk through the pages holds. */
typedef struct walk {
  const cli_options *opts;
  coreapi_client *client;
  int is_object; /* the first page's shape */
  size_t pages;  /* fetched so far */
  visited seen;
  coreapi_array_builder *items;
} walk;

/* Take page number w->pages (its result, fetched), add its items, and set
 * *next to the page after it (see next_page). An exit code (said). */
static int take_page(walk *w, const coreapi_result *page, char **next) {
  const coreapi_node *items;
  int is_object = 0, code;
  *next = NULL;
  items = page_items(page, &is_object);
  if (items == NULL || is_object != w->is_object) {
    cli_error("page %zu is not a page like the first (%s)", w->pages,
              w->is_object ? "an object with a \"results\" array" : "an array");
    code = CLI_OTHER;
  } else if ((code = visited_add(&w->seen, page->url) ? CLI_OTHER : CLI_OK) == CLI_OK &&
             (code = append_items(w->items, items)) == CLI_OK) {
    code = next_page(page, w->pages, next);
  }
  return code;
}

/* Fetch page w->pages + 1 at url, add its items, and set *next to the page
 * after it (see next_page). An exit code (said). */
static int fetch_page(walk *w, const char *url, char **next) {
  coreapi_result page;
  coreapi_error err;
  int code;
  ++w->pages;
  *next = NULL;
  if (coreapi_client_get(w->client, url, NULL, &page, &err) != COREAPI_OK)
    code = cli_report(w->opts, &page, &err);
  else
    code = take_page(w, &page, next);
  coreapi_result_clear(&page);
  return code;
}

/* url is about to be fetched as page w->pages + 1: CLI_OK, or CLI_OTHER
 * (said) when it was fetched before (the pages loop) or out of memory. */
static int visit(walk *w, const char *url) {
  if (visited_has(&w->seen, url)) {
    cli_error("page %zu: %s was fetched before: the pages loop", w->pages + 1, url);
    return CLI_OTHER;
  }
  return visited_add(&w->seen, url) != 0 ? CLI_OTHER : CLI_OK;
}

/* Release what fetch_ahead holds. */
static void ahead_free(char **urls, coreapi_result *results, coreapi_error *errors, size_t n) {
  for (size_t i = 0; i < n; i++) {
    free(urls[i]);
    if (results != NULL)
      coreapi_result_clear(&results[i]);
  }
  free(urls);
  free(results);
  free(errors);
}

/* Take the pages fetched ahead in order, while each is the page the one
 * before links (*next; replaced by the page after the last taken, NULL at
 * the end). An exit code (said). */
static int take_ahead(walk *w, char **urls, coreapi_result *results, coreapi_error *errors,
                      size_t n, char **next) {
  int code = CLI_OK;
  for (size_t i = 0; i < n && code == CLI_OK && *next != NULL; i++) {
    char *after = NULL;
    if (strcmp(urls[i], *next) != 0 || (results[i].url == NULL && errors[i].code == COREAPI_OK))
      break; /* not the page linked, or not fetched: walk on from *next */
    if ((code = visit(w, *next)) != CLI_OK)
      return code;
    w->pages++;
    if (errors[i].code != COREAPI_OK)
      code = cli_report(w->opts, &results[i], &errors[i]);
    else
      code = take_page(w, &results[i], &after);
    free(*next);
    *next = after;
  }
  return code;
}

/* When the first page foretells the URLs of the pages after it
 * (cli_page_urls: counted page-number and limit-offset pages), fetch them
 * at once, at most jobs in flight, and take those the pages really link;
 * *next is then where the walk goes on one page at a time. An exit code
 * (said). */
static int fetch_ahead(walk *w, const coreapi_node *first, char **next, long max_pages,
                       unsigned jobs) {
  char **urls = NULL;
  size_t n = 0;
  coreapi_result *results = NULL;
  coreapi_error *errors = NULL, err;
  int code = CLI_OK;
  if (jobs <= 1 || *next == NULL || (size_t)max_pages <= w->pages)
    return CLI_OK;
  if (cli_page_urls(first, *next, (size_t)max_pages - w->pages, &urls, &n) != 0 ||
      (n > 0 && ((results = calloc(n, sizeof(*results))) == NULL ||
                 (errors = calloc(n, sizeof(*errors))) == NULL))) {
    cli_error("out of memory");
    code = CLI_OTHER;
  } else if (n > 0) {
    /* Each page's own error is in errors; taken in order below. */
    (void)coreapi_client_get_many(w->client, (const char *const *)urls, n, NULL, jobs, results,
                                  errors, &err);
    code = take_ahead(w, urls, results, errors, n, next);
  }
  ahead_free(urls, results, errors, n);
  return code;
}

/* Follow next (taken over) and the pages after it. An exit code. */
static int follow(walk *w, char *next, long max_pages) {
  int code = CLI_OK;
  while (code == CLI_OK && next != NULL) {
    char *url = next;
    next = NULL;
    if (w->pages >= (size_t)max_pages) {
      cli_error("stopped after %zu pages; more remain (--max-pages)", w->pages);
    } else if ((code = visit(w, url)) == CLI_OK) {
      code = fetch_page(w, url, &next);
    }
    free(url);
  }
  free(next);
  return code;
}

int cli_paginate(const cli_options *opts, coreapi_client *client, const coreapi_result *first,
                 long max_pages, unsigned jobs, coreapi_node **merged) {
  walk w;
  coreapi_error err;
  char *next = NULL;
  const coreapi_node *items;
  int code;
  *merged = NULL;
  memset(&w, 0, sizeof(w));
  if ((items = page_items(first, &w.is_object)) == NULL)
    return CLI_OK; /* not a page: printed as it is */
  w.opts = opts;
  w.client = client;
  w.pages = 1;
  if ((w.items = coreapi_array_builder_new()) == NULL) {
    cli_error("out of memory");
    return CLI_OTHER;
  }
  code = visited_add(&w.seen, first->url) ? CLI_OTHER : append_items(w.items, items);
  if (code == CLI_OK)
    code = next_page(first, 1, &next);
  if (code == CLI_OK)
    code = fetch_ahead(&w, first->node, &next, max_pages, jobs);
  if (code == CLI_OK)
    code = follow(&w, next, max_pages);
  else
    free(next);
  visited_free(&w.seen);
  if (code != CLI_OK) {
    coreapi_array_builder_free(w.items);
    return code;
  }
  if ((*merged = coreapi_array_builder_finish(w.items, &err)) == NULL) {
    cli_error("%s", err.text);
    return CLI_OTHER;
  }
  return CLI_OK;
}
