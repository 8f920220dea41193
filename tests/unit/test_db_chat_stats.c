/* Tests for src/db/db_chat_stats.c: interacting members (posting, liking, asking: each member
 * once), messages with the deleted ones, likes, questions (Q&A) and their askers and upvoters. */
#include "db/db_chat.h"
#include "db/db_chat_stats.h"
#include "db/db_qa.h"
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
  ck_assert_int_eq(s.questions, 0);
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
  ck_assert_int_eq(json_object_get_int_member(o, "questions"), 0);
  json_node_unref(n);
  ck_assert_int_eq(db_chat_stats(db, vod, &s), 0);
  ck_assert_int_eq(s.members + s.messages + s.likes, 0);

  /* Questions: m1 (already counted) and m4 ask, m5 only upvotes; another video's stays out. */
  QaQuestion q1 = { .video = live, .member = "m1", .text = "q1", .live_time = 1, .created_at = 1 };
  QaQuestion q2 = { .video = live, .member = "m4", .text = "q2", .live_time = 2, .created_at = 2 };
  QaQuestion q3 = { .video = vod, .member = "m6", .text = "q3", .live_time = 1, .created_at = 1 };
  ck_assert_int_eq(db_qa_question_insert(db, &q1), 0);
  ck_assert_int_eq(db_qa_question_insert(db, &q2), 0);
  ck_assert_int_eq(db_qa_question_insert(db, &q3), 0);
  bool added = false;
  ck_assert_int_eq(db_qa_vote_add(db, q1.id, "m5", 3, &added), 0);
  ck_assert(added);
  ck_assert_int_eq(db_chat_stats(db, live, &s), 0);
  ck_assert_int_eq(s.questions, 2);
  ck_assert_int_eq(s.members, 5);   /* m1–m5 */
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
