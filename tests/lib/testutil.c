/* testutil: temp dirs and the Check main shared by the unit tests. */
#include "testutil.h"
#include "lectern-build.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <unistd.h>

char *tu_tmpdir(void)
{
  GError *err = NULL;
  char *dir = g_dir_make_tmp("lectern-test-XXXXXX", &err);
  g_assert_no_error(err);
  return dir;
}

void tu_rmtree(const char *path)
{
  GDir *d = g_dir_open(path, 0, NULL);
  if (d) {
    const char *name;
    while ((name = g_dir_read_name(d))) {
      char *child = g_build_filename(path, name, NULL);
      if (g_file_test(child, G_FILE_TEST_IS_DIR) && !g_file_test(child, G_FILE_TEST_IS_SYMLINK))
        tu_rmtree(child);
      else
        g_remove(child);
      g_free(child);
    }
    g_dir_close(d);
  }
  g_rmdir(path);
}

char *tu_source_path(const char *rel)
{
  return g_build_filename(LECTERN_SOURCE_DIR, rel, NULL);
}

char *tu_write(const char *dir, const char *name, const char *text)
{
  char *path = g_build_filename(dir, name, NULL);
  g_assert(g_file_set_contents(path, text, -1, NULL));
  return path;
}

char *tu_day(int offset)
{
  GDateTime *now = g_date_time_new_now_utc();
  GDateTime *day = g_date_time_add_days(now, offset);
  char *text = g_date_time_format(day, "%Y-%m-%d");
  const char *interned = g_intern_string(text);
  g_free(text);
  g_date_time_unref(day);
  g_date_time_unref(now);
  return (char *)interned;
}

void tu_db_seed(const char *path)
{
  const char *tpl = g_getenv("LECTERN_TEST_DB_TEMPLATE");
  if (!tpl || !*tpl || g_file_test(path, G_FILE_TEST_EXISTS))
    return;
  char *data = NULL;
  gsize len = 0;
  GError *err = NULL;
  if (!g_file_get_contents(tpl, &data, &len, &err) || !g_file_set_contents(path, data, len, &err))
    g_error("template database %s -> %s: %s", tpl, path, err->message);
  g_free(data);
}

char *tu_read_available(int fd)
{
  char buf[16384];
  ssize_t n = read(fd, buf, sizeof buf - 1);
  buf[n < 0 ? 0 : n] = '\0';
  return g_strdup(buf);
}
