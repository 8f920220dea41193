/* http_upload: an editor's upload body streamed to a temporary file in uploads/, then handed
 * to the API. */
#include "http/http_upload.h"
#include "core/log.h"
#include "core/util.h"
#include "http/api_uploads.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

void http_upload_init(HttpUpload *u)
{
  *u = (HttpUpload){ .fd = -1 };
}

int http_upload_start(HttpUpload *u, ApiContext *api, const HttpRequest *req, bool have_length,
                      guint64 length, HttpResponse *resp)
{
  if (api_upload_allowed(api, req, resp) < 0)
    return -EACCES; /* refused before a byte of the body is read */
  u->max_bytes = api->config->vod_max_file_size;
  if (have_length && length > (guint64)u->max_bytes) {
    u->too_large = true;
    return -EFBIG;
  }
  g_autofree char *dir = g_build_filename(api->config->data_dir, "uploads", NULL);
  g_autofree char *name = util_random_id(12);
  u->tmp_path = g_strdup_printf("%s/.incoming-%s", dir, name);
  if (g_mkdir_with_parents(dir, 0755) != 0 ||
      (u->fd = open(u->tmp_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0) {
    log_error("http", "cannot create %s: %s", u->tmp_path, g_strerror(errno));
    g_clear_pointer(&u->tmp_path, g_free);
    http_response_error(resp, 500, "storage", "the upload cannot be stored now");
    return -EIO;
  }
  return 0;
}

void http_upload_append(HttpUpload *u, const void *in, size_t len)
{
  if (u->too_large || u->fd < 0)
    return;
  if (u->bytes + len > (guint64)u->max_bytes) {
    u->too_large = true;
    close(u->fd);
    u->fd = -1;
    unlink(u->tmp_path);
    return;
  }
  u->bytes += len;
  if (u->error)
    return;
  const char *p = in;
  while (len > 0) {
    ssize_t n = write(u->fd, p, len);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      u->error = n < 0 ? errno : EIO;
      return;
    }
    p += n;
    len -= (size_t)n;
  }
}

void http_upload_finish(HttpUpload *u, ApiContext *api, const HttpRequest *req, HttpResponse *resp)
{
  if (!u->error && fdatasync(u->fd) != 0)
    u->error = errno;
  if (close(u->fd) != 0 && !u->error)
    u->error = errno;
  u->fd = -1;
  if (u->error) {
    log_error("http", "upload to %s failed: %s", u->tmp_path, g_strerror(u->error));
    http_response_error(resp, 500, "storage", "the upload could not be stored: %s",
                        g_strerror(u->error));
  } else if (u->bytes == 0) {
    http_response_error(resp, 400, "empty_upload", "the request body (the file) is empty");
  } else {
    api_upload_complete(api, req, u->tmp_path, resp);
  }
}

void http_upload_clear(HttpUpload *u)
{
  if (u->fd >= 0)
    close(u->fd);
  if (u->tmp_path)
    unlink(u->tmp_path);
  g_free(u->tmp_path);
  http_upload_init(u);
}

int http_upload_sweep(const char *data_dir)
{
  g_autofree char *dir = g_build_filename(data_dir, "uploads", NULL);
  GDir *d = g_dir_open(dir, 0, NULL);
  if (!d)
    return 0;
  int n = 0;
  const char *name;
  while ((name = g_dir_read_name(d))) {
    if (!g_str_has_prefix(name, ".incoming-"))
      continue;
    g_autofree char *path = g_build_filename(dir, name, NULL);
    if (unlink(path) == 0)
      n++;
    else
      log_warn("http", "cannot remove the unfinished upload %s: %s", path, g_strerror(errno));
  }
  g_dir_close(d);
  if (n)
    log_info("http", "removed %d unfinished upload(s) an earlier run left", n);
  return n;
}
