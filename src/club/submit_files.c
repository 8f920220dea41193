/* submit_files: a member's submission files to delete with their personal data. */
#include "club/submit_files.h"
#include "core/log.h"
#include "core/util.h"
#include "db/db_member_image.h"
#include "db/db_submission.h"

#include <errno.h>
#include <glib/gstdio.h>

char *submit_files_tus_path(const Config *cfg, const char *id)
{
  return g_build_filename(cfg->data_dir, "uploads", "tus", id, NULL);
}

int submit_files_of_member(Db *db, const Config *cfg, const char *member, char ***out)
{
  char **names = NULL, **uploads = NULL;
  int rc = db_member_image_unused(db, member, &names);
  if (rc == 0)
    rc = db_submission_upload_unfinished(db, member, 0, &uploads);
  if (rc < 0) {
    g_strfreev(names);
    return rc;
  }
  g_autofree char *dir = config_images_dir(cfg);
  GPtrArray *paths = g_ptr_array_new();
  for (char **n = names; *n; n++)
    g_ptr_array_add(paths, g_build_filename(dir, *n, NULL));
  for (char **u = uploads; *u; u++)
    g_ptr_array_add(paths, submit_files_tus_path(cfg, *u));
  g_ptr_array_add(paths, NULL);
  g_strfreev(names);
  g_strfreev(uploads);
  *out = (char **)g_ptr_array_free(paths, FALSE);
  return 0;
}

int submit_files_remove(char *const *paths, int *removed)
{
  int ret = 0, n = 0;
  for (char *const *p = paths; p && *p; p++) {
    if (g_unlink(*p) == 0) {
      n++;
    } else if (errno != ENOENT) {
      int e = errno;
      /* The path is a content hash under the data dir: nothing personal in the log. */
      log_warn("submit", "could not delete %s: %s", *p, g_strerror(e));
      if (ret == 0)
        ret = -e;
    }
  }
  if (removed)
    *removed = n;
  return ret;
}

int submit_files_sweep(Db *db, const Config *cfg, gint64 now, int *ended)
{
  char **ids = NULL;
  int rc = db_begin(db);
  if (rc < 0)
    return rc;
  if ((rc = db_submission_upload_unfinished(db, NULL, now - cfg->submit_upload_max_age, &ids)) < 0) {
    db_rollback(db);
    return rc;
  }
  for (char **id = ids; *id && rc == 0; id++)
    rc = db_submission_upload_delete(db, *id);
  if (rc == 0)
    rc = db_commit(db);
  else
    db_rollback(db);
  int n = 0;
  if (rc == 0) {
    GPtrArray *paths = g_ptr_array_new_with_free_func(g_free);
    for (char **id = ids; *id; id++)
      g_ptr_array_add(paths, submit_files_tus_path(cfg, *id));
    g_ptr_array_add(paths, NULL);
    submit_files_remove((char *const *)paths->pdata, NULL);
    g_ptr_array_unref(paths);
    n = (int)g_strv_length(ids);
    if (n)
      log_info("submit", "ended %d unfinished upload(s) idle for over %" G_GINT64_FORMAT " s", n,
               cfg->submit_upload_max_age);
  }
  g_strfreev(ids);
  if (ended)
    *ended = n;
  return rc;
}

typedef struct {
  Db *db;
  const Config *cfg;
} Sweep;

static gboolean sweep_tick(gpointer data)
{
  Sweep *s = data;
  submit_files_sweep(s->db, s->cfg, util_now(), NULL);
  return G_SOURCE_CONTINUE;
}

guint submit_files_watch(Db *db, const Config *cfg)
{
  submit_files_sweep(db, cfg, util_now(), NULL); /* what went stale while the server was down */
  Sweep *s = g_new0(Sweep, 1);
  s->db = db;
  s->cfg = cfg;
  gint64 every = MIN(600, cfg->submit_upload_max_age / 2);
  return g_timeout_add_seconds_full(G_PRIORITY_LOW, (guint)MAX(1, every), sweep_tick, s, g_free);
}
