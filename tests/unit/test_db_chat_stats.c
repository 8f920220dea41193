/* Tests for src/db/db_chat_stats.c: interacting members (posting, liking, asking: each member
 * once), messages with the deleted ones, likes, and questions only where the Q&A table exists. */
#include "db/db_chat.h"
#include "db/db_chat_stats.h"
#include "db_fixture.h"
#include "testutil.h"

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

static gint64 post(const char *member, const char *text)
{
  ChatMessage m = { .video = live, .member = (char *)member, .text = (char *)text, .live_time = 1, .created_at = 1 };
  ck_assert_int_eq(db_chat_message_insert(db, &m), 0);
  return m.id;
}

START_TEST(counts)
{
  ChatStats s;
  ck_assert_int_eq(db_chat_stats(db, live, &s), 0);
  ck_assert_int_eq(s.members, 0);
  ck_assert_int_eq(s.messages, 0);
  ck_assert_int_eq(s.questions, -1);
  post("m1", "a");
  post("m1", "b");
  gint64 c = post("m2", "c");
  ck_assert_int_eq(db_chat_message_delete(db, live, c, "e1", 2), 0);
  ck_assert_int_eq(db_chat_liker_add(db, live, "m2"), 0);
  ck_assert_int_eq(db_chat_liker_add(db, live, "m3"), 0);
  ck_assert_int_eq(db_chat_likes_add(db, live, 0, 40), 0);
  ck_assert_int_eq(db_chat_likes_add(db, live, 3, 2), 0);
  ck_assert_int_eq(db_chat_stats(db, live, &s), 0);
  ck_assert_int_eq(s.members, 3);   /* m1, m2 (posted and liked), m3 */
  ck_assert_int_eq(s.messages, 3);
  ck_assert_int_eq(s.deleted, 1);
  ck_assert_int_eq(s.likes, 42);
  JsonNode *n = db_chat_stats_json(&s);
  JsonObject *o = json_node_get_object(n);
  ck_assert_int_eq(json_object_get_int_member(o, "likes"), 42);
  ck_assert(!json_object_has_member(o, "questions"));
  json_node_unref(n);
  ck_assert_int_eq(db_chat_stats(db, vod, &s), 0);
  ck_assert_int_eq(s.members + s.messages + s.likes, 0);

  /* With a Q&A table (the shape issue 19.2 gives it): its askers and questions count. */
  ck_assert_int_eq(sqlite3_exec(db->conn, "CREATE TABLE chat_question (id INTEGER PRIMARY KEY, "
                                "video_id TEXT NOT NULL, member_id TEXT NOT NULL)", NULL, NULL, NULL), SQLITE_OK);
  g_autofree char *sql = g_strdup_printf("INSERT INTO chat_question (video_id, member_id) VALUES "
                                         "('%s', 'm1'), ('%s', 'm4')", live, live);
  ck_assert_int_eq(sqlite3_exec(db->conn, sql, NULL, NULL, NULL), SQLITE_OK);
  ck_assert_int_eq(db_chat_stats(db, live, &s), 0);
  ck_assert_int_eq(s.questions, 2);
  ck_assert_int_eq(s.members, 4);
  n = db_chat_stats_json(&s);
  ck_assert_int_eq(json_object_get_int_member(json_node_get_object(n), "questions"), 2);
  json_node_unref(n);
}
END_TEST

static Suite *suite(void)
{
  Suite *s = suite_create("db_chat_stats");
  TCase *tc = tcase_create("db_chat_stats");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, counts);
  suite_add_tcase(s, tc);
  return s;
}

TU_MAIN(suite)
