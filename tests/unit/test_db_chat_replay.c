/* Tests for src/db/db_chat_replay.c: which video has a replay (a live that went on air, its
 * state, who sees it, its chat mode, a rendition's playlist), the shown messages only, in
 * live-time order, and the like buckets. */
#include "db/db_chat.h"
#include "db/db_chat_replay.h"
#include "db_fixture.h"
#include "testutil.h"

#include <errno.h>

static char *dir, *vod, *live;
static Db *db;

static void setup(void)
{
  db = tu_db_open(&dir);
  tu_db_watchable(db, &vod, &live);
}

static void teardown(void)
{
  tu_db_close(&db, &dir);
  g_free(vod);
  g_free(live);
}

START_TEST(video)
{
  gint64 now = util_now();
  ChatReplayVideo v;
  ck_assert_int_eq(db_chat_replay_video(db, "nope", now, &v), -ENOENT);
  ck_assert_int_eq(db_chat_replay_video(db, vod, now, &v), 0);
  ck_assert(!v.was_live); /* an upload: no live, no chat */
  chat_replay_video_clear(&v);
  ck_assert_int_eq(db_chat_replay_video(db, live, now, &v), 0);
  ck_assert(v.was_live);
  ck_assert(!v.ready);
  ck_assert_int_eq(v.mode, CHAT_MODE_OPEN);
  ck_assert_ptr_null(v.playlist);
  ck_assert(v.live_started_at >= now - 5 && v.live_started_at <= now + 1);
  chat_replay_video_clear(&v);

  ck_assert_int_eq(db_video_set_state(db, live, NULL, "ready", "test", NULL), 0);
  RenditionRow lo = { "360p", 640, 360, 800000, 0, "avc1.4d401e", 30, "360p/index.m3u8" };
  RenditionRow hi = { "720p", 1280, 720, 2800000, 0, "avc1.64001f", 30, "720p/index.m3u8" };
  ck_assert_int_eq(db_rendition_put(db, live, &lo), 0);
  ck_assert_int_eq(db_rendition_put(db, live, &hi), 0);
  ChatSettings st = { .mode = CHAT_MODE_MEMBERS };
  ck_assert_int_eq(db_chat_settings_put(db, live, &st, "e1", now), 0);
  ck_assert_int_eq(db_chat_replay_video(db, live, now, &v), 0);
  ck_assert(v.ready);
  ck_assert_str_eq(v.playlist, "720p/index.m3u8");
  ck_assert_int_eq(v.mode, CHAT_MODE_MEMBERS);
  chat_replay_video_clear(&v);
  ck_assert_ptr_null(v.playlist);

  /* A draft is nobody's replay. */
  ck_assert_int_eq(db_video_set_text(db, live, VIDEO_VISIBILITY, "draft"), 0);
  ck_assert_int_eq(db_chat_replay_video(db, live, now, &v), -ENOENT);
}
END_TEST

static void collect(void *user, const ChatReplayRow *row)
{
  g_string_append_printf(user, "%s@%.1f ", row->text, row->live_time);
}

static void collect_likes(void *user, gint64 bucket, gint64 count)
{
  g_string_append_printf(user, "%" G_GINT64_FORMAT ":%" G_GINT64_FORMAT " ", bucket, count);
}

static gint64 post(const char *text, double t, bool held)
{
  ChatMessage m = { .video = live, .member = "m1", .text = (char *)text, .live_time = t, .created_at = 1,
                    .held = held };
  ck_assert_int_eq(db_chat_message_insert(db, &m), 0);
  return m.id;
}

START_TEST(messages_and_likes)
{
  post("b", 9, false);
  gint64 gone = post("gone", 3, false);
  post("held", 4, true);
  post("a", 2.5, false);
  post("c", 9, false);
  ck_assert_int_eq(db_chat_message_delete(db, live, gone, "e1", 9), 0);
  GString *out = g_string_new(NULL);
  ck_assert_int_eq(db_chat_replay_messages(db, live, collect, out), 0);
  ck_assert_str_eq(out->str, "a@2.5 b@9.0 c@9.0 ");
  g_string_truncate(out, 0);
  ck_assert_int_eq(db_chat_replay_messages(db, vod, collect, out), 0);
  ck_assert_str_eq(out->str, "");
  ck_assert_int_eq(db_chat_likes_add(db, live, 4, 2), 0);
  ck_assert_int_eq(db_chat_likes_add(db, live, 1, 3), 0);
  ck_assert_int_eq(db_chat_likes_add(db, live, 4, 1), 0);
  ck_assert_int_eq(db_chat_replay_likes(db, live, collect_likes, out), 0);
  ck_assert_str_eq(out->str, "1:3 4:3 ");
  g_string_free(out, TRUE);
}
END_TEST

static Suite *suite(void)
{
  Suite *s = suite_create("db_chat_replay");
  TCase *tc = tcase_create("db_chat_replay");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, video);
  tcase_add_test(tc, messages_and_likes);
  suite_add_tcase(s, tc);
  return s;
}

TU_MAIN(suite)
