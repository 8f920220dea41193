/* http_upload: an editor's upload body streamed to a temporary file in uploads/ (never whole
 * in memory), checked and made durable, then handed to the API (api_uploads.c). The server
 * feeds it the body as lws delivers it; nothing here touches a socket. */
#pragma once

#include "http/api_kit.h"

#include <stdbool.h>
#include <stddef.h>

typedef struct {
  int fd;          /* the temporary, -1 when closed */
  char *tmp_path;  /* removed by http_upload_clear unless the API took it */
  guint64 bytes;   /* body bytes received */
  gint64 max_bytes;
  int error;       /* errno of the first failed write, 0 */
  bool too_large;  /* over max_bytes: the temporary is gone, the rest is dropped */
} HttpUpload;

void http_upload_init(HttpUpload *u);

/* Starts the upload of REQ whose body has LENGTH bytes when HAVE_LENGTH (chunked
 * otherwise). The credential (bearer, or session cookie with its CSRF token) is checked
 * before a byte is read.
 * Returns 0 with the temporary open; -EACCES with 401/403 in RESP; -EFBIG when the
 * declared length is over vod_max_file_size (RESP untouched: the caller answers 413);
 * -EIO with 500 in RESP when the temporary cannot be made. */
int http_upload_start(HttpUpload *u, ApiContext *api, const HttpRequest *req, bool have_length,
                      guint64 length, HttpResponse *resp);

/* Appends a piece of the body. Over the limit the file goes at once and too_large is set;
 * a failed write is kept in error, and the rest is counted but not written. */
void http_upload_append(HttpUpload *u, const void *in, size_t len);

/* The whole body has arrived: makes it durable and hands it to api_upload_complete with
 * REQ (its query names the video). RESP gets 202, 400 (empty body), 500 (storage) or the
 * API's refusal. */
void http_upload_finish(HttpUpload *u, ApiContext *api, const HttpRequest *req, HttpResponse *resp);

/* Closes and removes what is left (a body that never completed, or was refused). */
void http_upload_clear(HttpUpload *u);

/* Removes the temporaries uploads/.incoming-* under DATA_DIR that a server killed mid-upload
 * left (their clients were never answered: nothing refers to them). For the server's start,
 * before it takes uploads. Returns how many were removed (0 when there is no uploads/). */
int http_upload_sweep(const char *data_dir);
