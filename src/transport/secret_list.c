/*
 * transport/secret_list.c - freeing libcurl string lists that hold secrets
 * (header lines with credentials, cookie lines): each string is wiped first.
 */
#include <string.h>

#include <curl/curl.h>

#include "transport.h"

void coreapi__slist_free_secret(struct curl_slist *list) {
  for (struct curl_slist *l = list; l != NULL; l = l->next)
    if (l->data != NULL)
      coreapi__wipe(l->data, strlen(l->data));
  curl_slist_free_all(list);
}
