/*
 * paginate.h - `coreapi action PATH... --all`: the pages after an action's
 * result, followed and merged (cli/paginate.c).
 */
#ifndef COREAPI_CLI_PAGINATE_H
#define COREAPI_CLI_PAGINATE_H

#include "cli.h"

/* --max-pages when not given, and the most pages it may ask for. */
#define CLI_PAGES_DEFAULT 100
#define CLI_PAGES_MAX 1000000L

/* Follow the pages after first (the successful result of an action) with
 * client, at most max_pages pages in all (first included, max_pages >= 1),
 * each fetched with coreapi_client_get, so under the client's credential
 * rules like any other URL:
 *   - a page is an Object with a "results" Array (Django REST framework's
 *     page-number, limit-offset and cursor pages) or an Array (a plain list,
 *     GitHub style);
 *   - its next page: the Object's "next" member when it has one (a URL,
 *     relative ones resolved against the page's URL; null: the last page),
 *     else the Link header's rel="next" (coreapi_result.next_link);
 *   - every later page must have the first one's shape.
 * On CLI_OK, *merged is a new Array of the items of every page in order
 * (results arrays, or the arrays, concatenated), or NULL when first is not
 * a page (print it as it is). When the first page foretells the URLs of
 * the others (cli_page_urls), up to max_pages of them are fetched at once,
 * at most jobs in flight (1: one at a time), and taken in order while each
 * page links the next one foretold; the walk goes on one page at a time
 * from the first that does not. Pages left after max_pages: what was
 * gathered, and a warning on stderr. Otherwise an exit code, said (a page
 * that fails is reported as a failed action is, with cli_report; a next
 * page already fetched is a loop) and *merged NULL. */
int cli_paginate(const cli_options *opts, coreapi_client *client, const coreapi_result *first,
                 long max_pages, unsigned jobs, coreapi_node **merged);

/* --parallel when not given, and the most it may ask for. */
#define CLI_PARALLEL_DEFAULT 4
#define CLI_PARALLEL_MAX 64

/* page_urls.c: when first (a page: an Object with "count" and a non-empty
 * "results" Array) and next_url (its next page's URL, resolved) number the
 * pages by a query parameter (limit-offset's "offset"; else "page", else
 * the one parameter whose value is 2), the URLs of the pages from next_url
 * on, at most max, in *urls (*n of them, new strings in a new array the
 * caller frees); none (*n 0) otherwise. 0, or -1 out of memory (then too
 * the caller frees *urls). A guess: the caller checks each page links the
 * next one foretold. */
int cli_page_urls(const coreapi_node *first, const char *next_url, size_t max, char ***urls,
                  size_t *n);

#endif /* COREAPI_CLI_PAGINATE_H */
