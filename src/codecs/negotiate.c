/*
 * codecs/negotiate.c - content negotiation (RFC 9110 sections 12.5.1 and
 * 8.3): the Accept header a client sends, and which decoder takes a response
 * by its Content-Type.
 */
#include <stdio.h>
#include <string.h>

#include "../document/document.h"
#include "corejson.h"
#include "openapi.h"
#include "coreapi/codec.h"

typedef struct format_info {
  const char *name;
  const char *const *media_types;
} format_info;

static const char *const corejson_types[] = {"application/coreapi+json",
                                             "application/vnd.coreapi+json", NULL};
static const char *const openapi_types[] = {
    "application/vnd.oai.openapi+json", "application/vnd.oai.openapi",
    "application/openapi+json",         "application/openapi+yaml",
    "application/yaml",                 "application/x-yaml",
    "text/yaml",                        NULL};
static const char *const json_types[] = {"application/json", NULL};
static const char *const text_types[] = {"text/*", NULL};
static const char *const download_types[] = {"*/*", NULL};

static const format_info formats_known[] = {
    {"corejson", corejson_types},
    {"openapi", openapi_types},
    {"json", json_types},
    {"text", text_types},
    {"download", download_types},
};

static const char *const default_formats[] = {"corejson", "openapi", "json", "text",
                                              "download"};

static const format_info *find_format(const char *name) {
  for (size_t i = 0; name != NULL && i < sizeof(formats_known) / sizeof(formats_known[0]); i++)
    if (strcmp(formats_known[i].name, name) == 0)
      return &formats_known[i];
  return NULL;
}

const char *const *coreapi_codec_media_types(const char *format) {
  const format_info *f = find_format(format);
  return f ? f->media_types : NULL;
}

/* The list to use: the caller's, checked, or the default. */
static coreapi_code resolve_list(const char *const **formats, size_t *n, coreapi_error *err) {
  if (*formats == NULL || *n == 0) {
    *formats = default_formats;
    *n = sizeof(default_formats) / sizeof(default_formats[0]);
    return COREAPI_OK;
  }
  for (size_t i = 0; i < *n; i++)
    if (find_format((*formats)[i]) == NULL)
      return coreapi_error_set(err, COREAPI_ERR_INVALID_ARGUMENT, "unknown format '%.40s'",
                               (*formats)[i] ? (*formats)[i] : "(null)");
  return COREAPI_OK;
}

coreapi_code coreapi_codec_accept_header(const char *const *formats, size_t n, char *buf, size_t size,
                                   coreapi_error *err) {
  const format_info *first;
  size_t used = 0;
  int has_any = 0;
  coreapi_code rc;

  coreapi_error_clear(err);
  if (buf == NULL || size == 0)
    return coreapi_error_set(err, COREAPI_ERR_INVALID_ARGUMENT, "no buffer given");
  buf[0] = '\0';
  rc = resolve_list(&formats, &n, err);
  if (rc != COREAPI_OK)
    return rc;
  /* The first decoder's media types (the reference's rule), then, when the
   * list has it further on, OpenAPI's: what a client reads are Core API
   * schemas and OpenAPI descriptions. */
  first = find_format(formats[0]);
  for (size_t k = 0; k < n; k++) {
    const format_info *f = find_format(formats[k]);
    if (k > 0 && strcmp(f->name, "openapi") != 0)
      continue;
    for (const char *const *t = f->media_types; *t != NULL; t++) {
      int w = snprintf(buf + used, size - used, "%s%s", used ? ", " : "", *t);
      if (w < 0 || (size_t)w >= size - used)
        return coreapi_error_set(err, COREAPI_ERR_INVALID_ARGUMENT, "buffer too small");
      used += (size_t)w;
      if (strcmp(*t, "*/*") == 0)
        has_any = 1;
    }
    if (f == first && strcmp(f->name, "openapi") == 0)
      break;
  }
  if (!has_any) {
    int w = snprintf(buf + used, size - used, ", */*");
    if (w < 0 || (size_t)w >= size - used)
      return coreapi_error_set(err, COREAPI_ERR_INVALID_ARGUMENT, "buffer too small");
  }
  return COREAPI_OK;
}

const char *coreapi_codec_negotiate(const char *const *formats, size_t n,
                                      const char *content_type, coreapi_error *err) {
  char type[128], main_type[136];
  size_t len;
  const char *p, *semi;

  coreapi_error_clear(err);
  if (resolve_list(&formats, &n, err) != COREAPI_OK)
    return NULL;
  if (content_type == NULL)
    return find_format(formats[0])->name;
  /* "Text/HTML; charset=utf-8" -> "text/html" */
  p = content_type;
  while (*p == ' ' || *p == '\t')
    p++;
  semi = strchr(p, ';');
  len = semi ? (size_t)(semi - p) : strlen(p);
  while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t'))
    len--;
  if (len >= sizeof(type)) {
    coreapi_error_set(err, COREAPI_ERR_NO_CODEC, "Unsupported media in Content-Type header '%.100s'",
                      content_type);
    return NULL;
  }
  for (size_t i = 0; i < len; i++)
    type[i] = (char)((p[i] >= 'A' && p[i] <= 'Z') ? p[i] + 32 : p[i]);
  type[len] = '\0';
  {
    const char *slash = strchr(type, '/');
    size_t ml = slash ? (size_t)(slash - type) : len;
    snprintf(main_type, sizeof(main_type), "%.*s/*", (int)ml, type);
  }
  /* Exact type first, then a "+json" type as JSON (RFC 6839: what
   * application/problem+json, RFC 9457, and vnd.api+json are), then type/ *,
   * then * / * (each over the whole list). */
  {
    int plus_json = len > 5 && strcmp(type + len - 5, "+json") == 0;
    const char *wanted[4] = {type, plus_json ? "application/json" : type, main_type, "*/*"};
    for (int pass = 0; pass < 4; pass++)
      for (size_t i = 0; i < n; i++)
        for (const char *const *t = find_format(formats[i])->media_types; *t != NULL; t++)
          if (strcmp(*t, wanted[pass]) == 0)
            return find_format(formats[i])->name;
  }
  coreapi_error_set(err, COREAPI_ERR_NO_CODEC, "Unsupported media in Content-Type header '%s'",
                    type);
  return NULL;
}

coreapi_node *coreapi_codec_decode(const char *format, const char *data, size_t len,
                             const char *base_url, coreapi_error *err) {
  return coreapi__codec_decode_limited(format, data, len, base_url, COREAPI__DECODE_LIMIT, err);
}

coreapi_node *coreapi__codec_decode_limited(const char *format, const char *data, size_t len,
                                            const char *base_url, size_t max_decoded,
                                            coreapi_error *err) {
  coreapi_error_clear(err);
  if (format != NULL && strcmp(format, "corejson") == 0)
    return coreapi__corejson_decode_limited(data, len, base_url, max_decoded, err);
  if (format != NULL && strcmp(format, "openapi") == 0)
    return coreapi__openapi_decode_limited(data, len, base_url, max_decoded, err);
  if (format != NULL && strcmp(format, "json") == 0)
    return coreapi__json_or_openapi(data, len, base_url, max_decoded, err);
  if (format != NULL && strcmp(format, "text") == 0)
    return coreapi_text_decode(data, len, err);
  coreapi_error_set(err, COREAPI_ERR_INVALID_ARGUMENT,
                    find_format(format) ? "the download codec writes to a file, not to memory"
                                        : "unknown format '%.40s'",
                    format ? format : "(null)");
  return NULL;
}
