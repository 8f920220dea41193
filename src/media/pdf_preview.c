/* pdf_preview: pdftoppm in a limited child for the first page of a submitted PDF. */
#include "media/pdf_preview.h"
#include "core/log.h"

#include <errno.h>
#include <gio/gio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

typedef struct {
  GSubprocess *proc;
  char *tmp_dir, *images_dir;
  guint timer;
  bool timed_out;
  PdfPreviewDone done;
  void *user;
} Preview;

/* Runs in the child between fork and exec: only async-signal-safe calls. */
static void child_limits(gpointer unused)
{
  (void)unused;
  struct rlimit cpu = {PDF_PREVIEW_CPU_SECONDS, PDF_PREVIEW_CPU_SECONDS};
  struct rlimit mem = {PDF_PREVIEW_MEMORY_BYTES, PDF_PREVIEW_MEMORY_BYTES};
  struct rlimit fsize = {64LL * 1024 * 1024, 64LL * 1024 * 1024};
  setrlimit(RLIMIT_CPU, &cpu);
  setrlimit(RLIMIT_AS, &mem);
  setrlimit(RLIMIT_FSIZE, &fsize);
}

static gboolean on_timeout(gpointer data)
{
  Preview *p = data;
  p->timer = 0;
  p->timed_out = true;
  g_subprocess_force_exit(p->proc);
  return G_SOURCE_REMOVE;
}

/* Moves the drawn page into the image store, named by its content. */
static int store(Preview *p, char **url)
{
  g_autofree char *png = g_build_filename(p->tmp_dir, "page.png", NULL);
  g_autofree char *data = NULL;
  gsize len = 0;
  if (!g_file_get_contents(png, &data, &len, NULL) || len < 8 || memcmp(data, "\x89PNG", 4) != 0)
    return -EIO;
  g_autofree char *hash = g_compute_checksum_for_data(G_CHECKSUM_SHA256, (const guchar *)data, len);
  g_autofree char *name = g_strdup_printf("%.32s.png", hash);
  g_autofree char *dest = g_build_filename(p->images_dir, name, NULL);
  if (g_mkdir_with_parents(p->images_dir, 0755) != 0 ||
      (!g_file_test(dest, G_FILE_TEST_EXISTS) &&
       !g_file_set_contents_full(dest, data, (gssize)len,
                                 G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE, 0644, NULL)))
    return -EIO;
  *url = g_strdup_printf("/images/%s", name);
  return 0;
}

static void preview_free(Preview *p)
{
  if (p->timer)
    g_source_remove(p->timer);
  g_clear_object(&p->proc);
  if (p->tmp_dir) {
    g_autofree char *png = g_build_filename(p->tmp_dir, "page.png", NULL);
    unlink(png);
    rmdir(p->tmp_dir);
  }
  g_free(p->tmp_dir);
  g_free(p->images_dir);
  g_free(p);
}

static void on_exit_cb(GObject *src, GAsyncResult *res, gpointer data)
{
  Preview *p = data;
  GError *err = NULL;
  g_autofree char *out = NULL, *errs = NULL;
  g_subprocess_communicate_utf8_finish(G_SUBPROCESS(src), res, &out, &errs, &err);
  g_autofree char *url = NULL;
  int status = 0;
  const char *why = NULL;
  if (err) {
    status = -EIO;
    why = "the PDF checker could not run";
    log_warn("submit", "pdftoppm: %s", err->message);
    g_clear_error(&err);
  } else if (p->timed_out) {
    status = -ETIMEDOUT;
    why = "the PDF took too long to read";
  } else if (!g_subprocess_get_if_exited(p->proc) || g_subprocess_get_exit_status(p->proc) != 0) {
    status = -EINVAL;
    why = "the file cannot be read as a PDF";
  } else if (store(p, &url) < 0) {
    status = -EIO;
    why = "the preview could not be stored";
  }
  p->done(status, url, why, p->user);
  preview_free(p);
}

int pdf_preview_start(const char *pdf_path, const char *images_dir, PdfPreviewDone done, void *user)
{
  GError *err = NULL;
  g_autofree char *tmp = g_dir_make_tmp("lectern-pdf-XXXXXX", &err);
  if (!tmp) {
    log_warn("submit", "no temporary directory for a PDF preview: %s", err->message);
    g_clear_error(&err);
    return -EIO;
  }
  Preview *p = g_new0(Preview, 1);
  p->tmp_dir = g_steal_pointer(&tmp);
  p->images_dir = g_strdup(images_dir);
  p->done = done;
  p->user = user;
  g_autofree char *prefix = g_build_filename(p->tmp_dir, "page", NULL);
  g_autofree char *size = g_strdup_printf("%d", PDF_PREVIEW_SIZE);
  GSubprocessLauncher *l = g_subprocess_launcher_new(G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                                     G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_set_child_setup(l, child_limits, NULL, NULL);
  /* PDF_PATH is ours (uploads/tus/<random id>), never an option. */
  p->proc = g_subprocess_launcher_spawn(l, &err, "pdftoppm", "-f", "1", "-l", "1", "-singlefile", "-png",
                                        "-scale-to", size, pdf_path, prefix, NULL);
  g_object_unref(l);
  if (!p->proc) {
    log_warn("submit", "cannot run pdftoppm: %s", err->message);
    g_clear_error(&err);
    preview_free(p);
    return -ENOENT;
  }
  p->timer = g_timeout_add_seconds(PDF_PREVIEW_TIMEOUT_SECONDS, on_timeout, p);
  g_subprocess_communicate_utf8_async(p->proc, NULL, NULL, on_exit_cb, p);
  return 0;
}
