/* db_fixture: a fresh, migrated database in a temporary directory of its own, and the two
 * videos the watch-time tests share. Header-only (testutil does not link lectern). */
#pragma once

#include "core/util.h"
#include "db/db.h"
#include "db/db_video.h"
#include "testutil.h"

#include <check.h>

/* Opens a new database in a new temporary directory (*DIR, caller frees via tu_db_close). */
static inline Db *tu_db_open(char **dir)
{
  Db *db = NULL;
  char *err = NULL;
  *dir = tu_tmpdir();
  char *path = g_build_filename(*dir, "t.db", NULL);
  tu_db_seed(path);
  ck_assert_msg(db_open(path, 0, &db, &err) == 0, "%s", err ? err : "");
  g_free(path);
  return db;
}

/* Closes *DB and removes *DIR with everything in it; both are cleared. */
static inline void tu_db_close(Db **db, char **dir)
{
  db_close(db);
  if (*dir)
    tu_rmtree(*dir);
  g_clear_pointer(dir, g_free);
}

/* A published ten-minute recording (*VOD) and a published live on air (*LIVE); caller frees. */
static inline void tu_db_watchable(Db *db, char **vod, char **live)
{
  ck_assert_int_eq(db_video_create_upload(db, "第一课", NULL, NULL, NULL, vod), 0);
  ck_assert_int_eq(db_video_set_media(db, *vod, 600000, NULL), 0);
  ck_assert_int_eq(db_video_set_state(db, *vod, NULL, "ready", "test", NULL), 0);
  ck_assert_int_eq(db_video_set_text(db, *vod, VIDEO_VISIBILITY, "published"), 0);
  ck_assert_int_eq(db_video_create_live(db, "直播", NULL, NULL, util_now(), "hash", NULL, live), 0);
  ck_assert_int_eq(db_video_set_state(db, *live, NULL, "live", "test", NULL), 0);
  ck_assert_int_eq(db_video_set_text(db, *live, VIDEO_VISIBILITY, "published"), 0);
}
