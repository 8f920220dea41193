/* trash: a deleted video's files — out of /hls's reach at once, removed after the grace. */
#include "media/trash.h"
#include "core/log.h"
#include "core/util.h"
#include "db/db_video.h"

#include <errno.h>
#include <stdio.h>

#define SUB "trash"

/* <media>/<ID> and <media>/.deleted/<ID>. */
static void paths(const Config *cfg, const char *id, char **live, char **trashed)
{
  g_autofree char *media = config_media_dir(cfg);
  *live = g_build_filename(media, id, NULL);
  *trashed = g_build_filename(media, TRASH_DIR, id, NULL);
}

int trash_move_video(const Config *cfg, const char *id)
{
  g_autofree char *from = NULL, *to = NULL;
  paths(cfg, id, &from, &to);
  if (!g_file_test(from, G_FILE_TEST_EXISTS))
    return 0;
  g_autofree char *dir = g_path_get_dirname(to);
  if (g_mkdir_with_parents(dir, 0755) != 0 || rename(from, to) != 0) {
    int err = errno;
    log_error(SUB, "%s: could not move %s to %s: %s", id, from, to, g_strerror(err));
    return -err;
  }
  return 0;
}

int trash_restore_video(const Config *cfg, const char *id)
{
  g_autofree char *live = NULL, *trashed = NULL;
  paths(cfg, id, &live, &trashed);
  if (g_file_test(trashed, G_FILE_TEST_EXISTS) && rename(trashed, live) != 0) {
    int err = errno;
    log_error(SUB, "%s: could not move %s back: %s", id, trashed, g_strerror(err));
    return -err;
  }
  return 0;
}

/* Removes everything deleted video ID left on disk. Returns 0 or -errno. */
static int purge_files(const Config *cfg, const char *id)
{
  g_autofree char *live = NULL, *trashed = NULL;
  paths(cfg, id, &live, &trashed);
  g_autofree char *upload = g_build_filename(cfg->data_dir, "uploads", id, NULL);
  int ret = util_rmtree(trashed);
  int r = util_rmtree(live);
  if (ret == 0)
    ret = r;
  r = util_rmtree(upload);
  return ret ? ret : r;
}

int trash_sweep(Db *db, const Config *cfg, gint64 now, int *purged)
{
  GArray *due = NULL;
  int ret = db_video_deleted_unpurged(db, &due);
  int n = 0;
  if (ret < 0)
    goto out;
  for (guint i = 0; i < due->len; i++) {
    const VideoDeleted *d = &g_array_index(due, VideoDeleted, i);
    int r;
    if (now - d->deleted_at < cfg->deleted_grace) {
      /* Still kept; but nothing of it may be served meanwhile. */
      g_autofree char *live = NULL, *trashed = NULL;
      paths(cfg, d->id, &live, &trashed);
      if (!g_file_test(live, G_FILE_TEST_EXISTS))
        continue;
      r = g_file_test(trashed, G_FILE_TEST_EXISTS) ? util_rmtree(live) : trash_move_video(cfg, d->id);
    } else if ((r = purge_files(cfg, d->id)) == 0 && (r = db_video_mark_purged(db, d->id, now)) == 0) {
      log_info(SUB, "%s: files of the deleted video removed", d->id);
      n++;
    }
    if (r < 0 && ret == 0) {
      log_warn(SUB, "%s: could not remove the deleted video's files: %s", d->id, g_strerror(-r));
      ret = r;
    }
  }
out:
  if (due)
    g_array_unref(due);
  if (purged)
    *purged = n;
  return ret;
}

typedef struct {
  Db *db;
  const Config *cfg;
} Sweeper;

static gboolean on_sweep(gpointer user)
{
  Sweeper *s = user;
  trash_sweep(s->db, s->cfg, util_now(), NULL);
  return G_SOURCE_CONTINUE;
}

guint trash_watch(Db *db, const Config *cfg)
{
  Sweeper *s = g_new0(Sweeper, 1);
  s->db = db;
  s->cfg = cfg;
  trash_sweep(db, cfg, util_now(), NULL);
  guint interval = (guint)CLAMP(cfg->deleted_grace / 2, 1, 60);
  return g_timeout_add_seconds_full(G_PRIORITY_LOW, interval, on_sweep, s, g_free);
}
