/* Tests for src/media/live.c without a socket: the publish handler the RTMP server calls,
 * driven directly with the FLV tags of a small file ffmpeg makes (skipped without ffmpeg) —
 * refusals; a publish that ends before a segment; publish → data → drop → reconnect within
 * the grace, which continues the same playlists after EXT-X-DISCONTINUITY; a deliberate stop
 * → processing → ready with VOD playlists, master and poster. */
#include "media/live.h"
#include "auth/token.h"
#include "db/db.h"
#include "db/db_video.h"
#include "media/flv.h"
#include "testutil.h"

#include <errno.h>
#include <gst/gst.h>
#include <string.h>

static const guint8 secret[TOKEN_SECRET_LEN] = {7, 7, 7};

typedef struct {
  char *dir;
  Config cfg;
  Db *db;
  Live *live;
  RtmpPublishHandler h;
  char *id;
  char *flv;
  gsize flv_len;
} Fix;

/* 4 s of 320x240 H.264 at 30 fps, a keyframe every second, with AAC. */
static bool make_flv(Fix *f)
{
  char *out = g_build_filename(f->dir, "in.flv", NULL);
  const char *argv[] = {"ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i",
                        "testsrc2=size=320x240:rate=30:duration=4", "-f", "lavfi", "-i", "sine=f=440:duration=4",
                        "-c:v", "libx264", "-preset", "ultrafast", "-g", "30", "-pix_fmt", "yuv420p",
                        "-c:a", "aac", "-f", "flv", out, NULL};
  int status = -1;
  bool ok = g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, &status, NULL) &&
            g_spawn_check_wait_status(status, NULL) && g_file_get_contents(out, &f->flv, &f->flv_len, NULL);
  g_free(out);
  return ok;
}

static bool setup(Fix *f)
{
  memset(f, 0, sizeof *f);
  f->dir = tu_tmpdir();
  if (!make_flv(f)) {
    fprintf(stderr, "ffmpeg is missing: skipped\n");
    return false;
  }
  config_init_defaults(&f->cfg);
  g_free(f->cfg.data_dir);
  f->cfg.data_dir = g_strdup(f->dir);
  g_free(f->cfg.live_ladder);
  f->cfg.live_ladder = g_strdup("copy,160x120@200");
  char *err = NULL;
  char *path = g_build_filename(f->dir, "lectern.db", NULL);
  tu_db_seed(path);
  ck_assert_msg(db_open(path, 0, &f->db, &err) == 0, "%s", err ? err : "");
  g_free(path);
  char *hash = token_hash(secret, "key-1");
  ck_assert_int_eq(db_video_create_live(f->db, "劳模讲堂", "王师傅", "model-worker", 0, hash, NULL, &f->id), 0);
  g_free(hash);
  ck_assert_msg(live_new(f->db, &f->cfg, secret, &f->live, &err) == 0, "%s", err ? err : "");
  f->h = live_rtmp_handler(f->live);
  return true;
}

static void teardown(Fix *f)
{
  live_free(&f->live, 10000);
  db_close(&f->db);
  config_clear(&f->cfg);
  g_free(f->id);
  g_free(f->flv);
  tu_rmtree(f->dir);
  g_free(f->dir);
}

static char *state_of(Fix *f)
{
  sqlite3_stmt *st = NULL;
  ck_assert_int_eq(sqlite3_prepare_v2(f->db->conn, "SELECT state FROM video WHERE id = ?", -1, &st, NULL), SQLITE_OK);
  sqlite3_bind_text(st, 1, f->id, -1, SQLITE_STATIC);
  ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
  char *s = g_strdup((const char *)sqlite3_column_text(st, 0));
  sqlite3_finalize(st);
  return s;
}

static bool state_is(Fix *f, const char *want)
{
  char *s = state_of(f);
  bool eq = !strcmp(s, want);
  g_free(s);
  return eq;
}

static void *publish(Fix *f, const char *key, char **reason)
{
  const char *code = NULL;
  *reason = NULL;
  return f->h.publish(f->h.user, "live", key, "127.0.0.1:50000", &code, reason);
}

/* Sends the file's first MAX tags (all when MAX < 0), a read of 10 tags at a time. */
static void send_tags(Fix *f, void *pub, int max)
{
  size_t off = 0;
  FlvTag t;
  int n = 0;
  while ((max < 0 || n < max) && flv_read_tag((const uint8_t *)f->flv, f->flv_len, &off, &t) == 0) {
    f->h.media(f->h.user, pub, t.type, t.ts, t.data, t.len);
    if (++n % 10 == 0)
      f->h.input_done(f->h.user, pub);
  }
  f->h.input_done(f->h.user, pub);
}

static char *read_rel(Fix *f, const char *rel)
{
  char *path = g_build_filename(f->dir, "media", f->id, rel, NULL);
  char *text = NULL;
  g_file_get_contents(path, &text, NULL, NULL);
  g_free(path);
  return text;
}

static int count_lines(const char *text, const char *prefix)
{
  int n = 0;
  for (const char *p = text; p && (p = strstr(p, prefix)); p += strlen(prefix))
    n += p == text || p[-1] == '\n';
  return n;
}

static int segments(Fix *f, const char *rel)
{
  char *text = read_rel(f, rel);
  int n = text ? count_lines(text, "#EXTINF") : -1;
  g_free(text);
  return n;
}

/* Runs the main context until COND holds or TIMEOUT_S passes. */
#define PUMP_UNTIL(cond, timeout_s)                                                     \
  do {                                                                                  \
    gint64 until_ = g_get_monotonic_time() + (timeout_s) * G_USEC_PER_SEC;              \
    while (!(cond) && g_get_monotonic_time() < until_)                                  \
      if (!g_main_context_iteration(NULL, FALSE))                                       \
        g_usleep(5000);                                                                 \
    ck_assert_msg((cond), "timed out waiting for " #cond);                              \
  } while (0)

START_TEST(refusals_and_a_publish_without_segments)
{
  Fix f;
  if (!setup(&f)) {
    tu_rmtree(f.dir);
    g_free(f.dir);
    return;
  }
  char *reason = NULL;
  ck_assert_ptr_null(publish(&f, "no-such-key", &reason));
  ck_assert_msg(strstr(reason, "unknown stream key"), "%s", reason);
  g_free(reason);

  void *pub = publish(&f, "key-1", &reason);
  ck_assert_msg(pub != NULL, "%s", reason ? reason : "");
  ck_assert(state_is(&f, "live"));
  ck_assert_int_eq(live_active(f.live), 1);
  ck_assert_ptr_null(publish(&f, "key-1", &reason));
  ck_assert_msg(strstr(reason, "already live from another encoder"), "%s", reason);
  g_free(reason);

  /* Headers and a few frames: the stream's shape is not known yet, nothing is recorded. */
  send_tags(&f, pub, 5);
  f.h.unpublish(f.h.user, pub, true);
  ck_assert_int_eq(live_active(f.live), 0);
  ck_assert(state_is(&f, "scheduled")); /* the lesson is still to come; its key works again */
  pub = publish(&f, "key-1", &reason);
  ck_assert_msg(pub != NULL, "%s", reason ? reason : "");
  f.h.unpublish(f.h.user, pub, true);
  teardown(&f);
}
END_TEST

START_TEST(reconnect_continues_then_finish_makes_it_ready)
{
  Fix f;
  if (!setup(&f)) {
    tu_rmtree(f.dir);
    g_free(f.dir);
    return;
  }
  char *reason = NULL;
  void *pub = publish(&f, "key-1", &reason);
  ck_assert_msg(pub != NULL, "%s", reason ? reason : "");
  send_tags(&f, pub, -1);
  /* The connection drops: the pipeline drains, the live waits for its presenter. */
  f.h.unpublish(f.h.user, pub, false);
  PUMP_UNTIL(segments(&f, "source/recording.m3u8") == 2 && segments(&f, "120p/recording.m3u8") == 2, 30);
  ck_assert(state_is(&f, "live"));
  char *index = read_rel(&f, "source/index.m3u8");
  ck_assert(!strstr(index, "#EXT-X-ENDLIST"));
  ck_assert(strstr(index, "#EXT-X-PROGRAM-DATE-TIME:"));
  g_free(index);
  char *master = read_rel(&f, "master.m3u8");
  ck_assert(master && strstr(master, "source/index.m3u8") && strstr(master, "120p/index.m3u8"));
  g_free(master);

  /* The presenter comes back within the grace: the same video, after a discontinuity. */
  pub = publish(&f, "key-1", &reason);
  ck_assert_msg(pub != NULL, "%s", reason ? reason : "");
  send_tags(&f, pub, -1);
  /* (Tags that arrive while the old pipeline still drains wait for it, then go to the new one.) */
  PUMP_UNTIL(segments(&f, "source/recording.m3u8") == 3 && segments(&f, "120p/recording.m3u8") == 3, 30);
  f.h.unpublish(f.h.user, pub, true); /* a deliberate stop: finished at once */
  PUMP_UNTIL(state_is(&f, "ready"), 60);

  const char *renditions[] = {"source", "120p"};
  for (size_t i = 0; i < G_N_ELEMENTS(renditions); i++) {
    char *rel = g_strdup_printf("%s/index.m3u8", renditions[i]);
    char *pl = read_rel(&f, rel);
    ck_assert_msg(pl != NULL, "%s", rel);
    ck_assert_msg(count_lines(pl, "#EXTINF") == 4, "%s:\n%s", rel, pl);
    ck_assert_int_eq(count_lines(pl, "#EXT-X-DISCONTINUITY\n"), 1);
    ck_assert(strstr(pl, "#EXT-X-ENDLIST"));
    ck_assert(strstr(pl, "#EXT-X-PLAYLIST-TYPE:VOD"));
    /* The media sequence goes on: the discontinuity stands right before the third segment. */
    ptrdiff_t d = strstr(pl, "#EXT-X-DISCONTINUITY\n") - pl;
    ck_assert(strstr(pl, "seg000001.ts") - pl < d);
    ck_assert(strstr(pl, "seg000002.ts") - pl > d);
    ck_assert_ptr_null(strstr(pl, "seg000004.ts"));
    g_free(pl);
    g_free(rel);
    rel = g_strdup_printf("%s/recording.m3u8", renditions[i]);
    char *rec = read_rel(&f, rel);
    ck_assert_msg(rec == NULL, "%s is left after the live", rel);
    g_free(rel);
  }
  char *poster = g_build_filename(f.dir, "media", f.id, "poster.jpg", NULL);
  ck_assert(g_file_test(poster, G_FILE_TEST_EXISTS));
  g_free(poster);
  /* The state log: scheduled → live → processing → ready, live once. */
  sqlite3_stmt *st = NULL;
  sqlite3_prepare_v2(f.db->conn, "SELECT group_concat(to_state, ',') FROM (SELECT to_state FROM video_state_log "
                                 "WHERE video_id = ? ORDER BY id)", -1, &st, NULL);
  sqlite3_bind_text(st, 1, f.id, -1, SQLITE_STATIC);
  ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
  ck_assert_str_eq((const char *)sqlite3_column_text(st, 0), "live,processing,ready");
  sqlite3_finalize(st);
  /* The key of a recorded lesson is refused. */
  ck_assert_ptr_null(publish(&f, "key-1", &reason));
  ck_assert_msg(strstr(reason, "expired"), "%s", reason);
  g_free(reason);
  teardown(&f);
}
END_TEST

static Suite *live_suite(void)
{
  gst_init(NULL, NULL);
  Suite *s = suite_create("live");
  TCase *tc = tcase_create("live");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, refusals_and_a_publish_without_segments);
  tcase_add_test(tc, reconnect_continues_then_finish_makes_it_ready);
  suite_add_tcase(s, tc);
  return s;
}

TU_MAIN(live_suite)
