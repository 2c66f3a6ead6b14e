/*
 * coreapi/download.h - the Download codec: a response body streamed into a
 * file, named as the reference client's DownloadCodec names it.
 *
 * The body never sits in memory whole: a download is a coreapi_body_sink that
 * writes each piece to a temporary file (".coreapi-download-XXXXXX", mode
 * 0600, made with mkstemp) in the directory the caller chose. Publishing
 * fsyncs it and gives it its final name with link() (or renameat2 with
 * RENAME_NOREPLACE where link() is not supported), so an existing file is
 * never replaced, not even by a concurrent download: "name.ext" is taken,
 * then "name (1).ext", "name (2).ext", ... The final file keeps mode 0600.
 * Until it is published under its final name nothing but the temporary file
 * exists, and a download that fails or is freed unpublished removes that too.
 *
 * The name: Content-Disposition's filename* (RFC 6266, RFC 8187/5987), else
 * its filename, else the last segment of the final URL's path plus an
 * extension for the media type; sanitised as the reference's _safe_filename
 * (letters and digits, Unicode ones too, and ' ', '.', '_', '-'; no directory
 * part; spaces and dots stripped at both ends); "download" (plus extension)
 * when nothing is left.
 */
#ifndef COREAPI_DOWNLOAD_H
#define COREAPI_DOWNLOAD_H

#include <stddef.h>
#include "error.h"
#include "response.h"
#include "client.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct coreapi_download coreapi_download;

/* The file name a Content-Disposition header value carries: value is len
 * untrusted bytes (NULs allowed, no terminator needed). Grammar: RFC 6266
 * (disposition-type, then ";"-separated parameters, quoted strings with
 * backslash escapes, names case-insensitive); filename* is an RFC 8187
 * ext-value charset'language'pct-encoded, with charset UTF-8 or ISO-8859-1
 * (converted to UTF-8; US-ASCII too). filename* wins over filename; a
 * filename* that cannot be decoded (unknown charset, bad escape, not UTF-8)
 * gives way to filename. Of a parameter given twice, the last valid one
 * counts (as the reference). A filename without filename* is taken as UTF-8
 * when it is valid UTF-8, else as ISO-8859-1.
 *
 * Returns: on success a new NUL-terminated UTF-8 string (free() it) holding
 * the name exactly as sent, NOT sanitised (it may be "", contain "/", "..",
 * control characters); NULL with err untouched when there is no usable
 * filename parameter. A parameter is not usable when it is malformed: an
 * unterminated quoted string (partial input: the rest of the value is
 * ignored), bytes other than spaces between a closing quote and the next ";",
 * a NUL byte (raw or as %00), an empty unquoted value. NULL with err filled
 * on error: ERR_INVALID_ARGUMENT (value NULL with len > 0),
 * ERR_OUT_OF_MEMORY. No state is kept between calls. */
COREAPI_EXTERN char *coreapi_content_disposition_filename(const char *value, size_t len,
                                                          coreapi_error *err);

/* The sanitised base name to save a download under, as the reference's
 * _get_filename decides it: from content_disposition (the header value, may
 * be NULL), else from the last path segment of url (the final URL, may be
 * NULL) with an extension for content_type (the Content-Type value, may be
 * NULL; parameters and case are ignored) when the segment has no '.'. Names
 * longer than 200 bytes are cut (at a character boundary, keeping a short
 * extension). Returns a new string (free() it) that is never empty, never
 * "." or "..", and has no '/' and no control character; "download" (plus
 * the extension) when nothing else is left. NULL with err filled only for
 * ERR_OUT_OF_MEMORY. */
COREAPI_EXTERN char *coreapi_download_filename(const char *content_disposition,
                                               const char *url, const char *content_type,
                                               coreapi_error *err);

/* A new download into directory dir (copied; it must exist). Use it as the
 * userdata of coreapi_download_sink() with coreapi_client_send_to, then
 * publish with coreapi_download_finish. Returns a new object (free with
 * coreapi_download_free) or NULL with err filled: ERR_INVALID_ARGUMENT for
 * NULL or "", ERR_IO when dir is not a directory, ERR_OUT_OF_MEMORY. */
COREAPI_EXTERN coreapi_download *coreapi_download_new(const char *dir, coreapi_error *err);

/* The body sink of downloads (static, never NULL); its userdata is a
 * coreapi_download *. begin records the response's URL, Content-Type and
 * Content-Disposition and creates the temporary file (a second begin drops
 * the first file and starts afresh); write appends to it. They fail with
 * ERR_INVALID_ARGUMENT for a NULL userdata or response, ERR_IO when the file
 * cannot be created or written (disk full, say). */
COREAPI_EXTERN const coreapi_body_sink *coreapi_download_sink(void);

/* Publish the body received: fsync the temporary file and give it its unique
 * final name in the directory (see above). On success *path is a new string
 * (free() it), the directory, "/" and the name, and d is empty again (a new
 * begin may start another download). On failure *path is NULL, err is filled
 * and the temporary file is removed: ERR_INVALID_ARGUMENT (d or path NULL, or
 * nothing to publish: no begin since the last finish, or a write failed),
 * ERR_IO, ERR_OUT_OF_MEMORY. The status of the response is not looked at:
 * that is the caller's decision (coreapi_client_download makes it). */
COREAPI_EXTERN coreapi_code coreapi_download_finish(coreapi_download *d, char **path,
                                                    coreapi_error *err);

/* Free d, removing its temporary file if one is left (an unpublished download
 * leaves nothing behind). NULL does nothing. */
COREAPI_EXTERN void coreapi_download_free(coreapi_download *d);

#ifdef __cplusplus
}
#endif
#endif /* COREAPI_DOWNLOAD_H */
