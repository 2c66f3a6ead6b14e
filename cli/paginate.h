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
 * a page (print it as it is). Pages left after max_pages: what was
 * gathered, and a warning on stderr. Otherwise an exit code, said (a page
 * that fails is reported as a failed action is, with cli_report; a next
 * page already fetched is a loop) and *merged NULL. */
int cli_paginate(const cli_options *opts, coreapi_client *client, const coreapi_result *first,
                 long max_pages, coreapi_node **merged);

#endif /* COREAPI_CLI_PAGINATE_H */
