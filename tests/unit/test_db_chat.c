/* Tests for src/db/db_chat.c: settings defaults and upsert, messages (insert, release,
 * delete once, history without deleted or held ones, the replay read by live time), likes per
 * bucket, sanctions in force and their expiry, the word list's uniqueness on the folded form. */
#include "auth/auth.h"
#include "db/db_chat.h"
#include "db_fixture.h"
#include "testutil.h"

#include <errno.h>
#include <string.h>

static char *dir;
static Db *db;
static char *vod, *live;

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

static gint64 add(const char *text, double t, bool held)
{
  ChatMessage m = { .video = live, .member = "m1", .text = (char *)text, .live_time = t, .created_at = 1,
                    .held = held };
  ck_assert_int_eq(db_chat_message_insert(db, &m), 0);
  return m.id;
}

START_TEST(settings)
{
  ChatSettings st;
  ck_assert_int_eq(db_chat_settings_get(db, live, &st), 0);
  ck_assert_int_eq(st.mode, CHAT_MODE_OPEN);
  ck_assert_int_eq(st.slow_seconds, 0);
  st = (ChatSettings){ .mode = CHAT_MODE_MEMBERS, .slow_seconds = 30, .hold_seconds = 5, .max_messages = 9, .replay = true };
  ck_assert_int_eq(db_chat_settings_put(db, live, &st, "e1", 1), 0);
  st.slow_seconds = 31;
  ck_assert_int_eq(db_chat_settings_put(db, live, &st, "e1", 2), 0);
  ChatSettings back;
  ck_assert_int_eq(db_chat_settings_get(db, live, &back), 0);
  ck_assert_int_eq(back.mode, CHAT_MODE_MEMBERS);
  ck_assert_int_eq(back.slow_seconds, 31);
  ck_assert_int_eq(back.hold_seconds, 5);
  ck_assert(back.replay);
  st.slow_seconds = 99999; /* the table's CHECK holds */
  ck_assert_int_eq(db_chat_settings_put(db, live, &st, "e1", 3), -EINVAL);
  ChatMode m;
  ck_assert_int_eq(chat_mode_parse("off", &m), 0);
  ck_assert_int_eq(m, CHAT_MODE_OFF);
  ck_assert_int_eq(chat_mode_parse("closed", &m), -EINVAL);
  ck_assert_int_eq(db_chat_video_exists(db, live), 0);
  ck_assert_int_eq(db_chat_video_exists(db, "nope"), -ENOENT);
}
END_TEST

START_TEST(messages)
{
  gint64 a = add("a", 1.5, false), b = add("b", 12, true), c = add("c", 30, false);
  GPtrArray *recent = NULL;
  ck_assert_int_eq(db_chat_recent(db, live, 10, &recent), 0);
  ck_assert_uint_eq(recent->len, 2); /* held b is not shown yet */
  ck_assert_str_eq(((ChatMessage *)recent->pdata[0])->text, "a");
  g_ptr_array_unref(recent);
  ck_assert_int_eq(db_chat_message_release(db, b), 0);
  ck_assert_int_eq(db_chat_message_delete(db, live, a, "e1", 5), 0);
  ck_assert_int_eq(db_chat_message_delete(db, live, a, "e1", 5), -ENOENT);   /* once */
  ck_assert_int_eq(db_chat_message_delete(db, vod, c, "e1", 5), -ENOENT);    /* another live's */
  ck_assert_int_eq(db_chat_recent(db, live, 1, &recent), 0);
  ck_assert_uint_eq(recent->len, 1);
  ck_assert_int_eq(((ChatMessage *)recent->pdata[0])->id, c);
  g_ptr_array_unref(recent);
  gint64 all = 0, mine = 0;
  ck_assert_int_eq(db_chat_counts(db, live, "m1", &all, &mine), 0);
  ck_assert_int_eq(all, 3);
  ck_assert_int_eq(mine, 3);
  int rc = 0;
  JsonNode *replay = db_chat_messages_json(db, live, 10, 40, 100, &rc);
  ck_assert_ptr_nonnull(replay);
  JsonArray *arr = json_node_get_array(replay);
  ck_assert_uint_eq(json_array_get_length(arr), 2); /* b and c, in live-time order; a deleted */
  ck_assert_str_eq(json_object_get_string_member(json_array_get_object_element(arr, 0), "text"), "b");
  ck_assert_double_eq(json_object_get_double_member(json_array_get_object_element(arr, 1), "live_time"), 30);
  json_node_unref(replay);
}
END_TEST

START_TEST(likes)
{
  ck_assert_int_eq(db_chat_likes_add(db, live, 0, 5), 0);
  ck_assert_int_eq(db_chat_likes_add(db, live, 0, 7), 0);
  ck_assert_int_eq(db_chat_likes_add(db, live, 3, 1), 0);
  ck_assert_int_eq(db_chat_liker_add(db, live, "m1"), 0);
  ck_assert_int_eq(db_chat_liker_add(db, live, "m1"), 0);
  gint64 total = 0;
  ck_assert_int_eq(db_chat_likes_total(db, live, &total), 0);
  ck_assert_int_eq(total, 13);
}
END_TEST

START_TEST(sanctions)
{
  gint64 id = 0, mu = 0, ban = 0;
  ck_assert_int_eq(db_chat_sanction_add(db, "m1", live, "mute", "spam", "e1", 100, 160, &id), 0);
  ck_assert_int_eq(db_chat_sanction_state(db, "m1", live, 120, &mu, &ban), 0);
  ck_assert_int_eq(mu, 160);
  ck_assert_int_eq(ban, 0);
  ck_assert_int_eq(db_chat_sanction_state(db, "m1", vod, 120, &mu, &ban), 0);
  ck_assert_int_eq(mu, 0); /* that mute was for one live */
  ck_assert_int_eq(db_chat_sanction_state(db, "m1", live, 160, &mu, &ban), 0);
  ck_assert_int_eq(mu, 0); /* expired */
  gint64 b = 0;
  ck_assert_int_eq(db_chat_sanction_add(db, "m2", NULL, "ban", NULL, "e1", 100, 0, &b), 0);
  ck_assert_int_eq(db_chat_sanction_state(db, "m2", vod, 1000000, &mu, &ban), 0);
  ck_assert_int_eq(ban, G_MAXINT64);
  ck_assert_int_eq(mu, G_MAXINT64); /* a ban mutes too */
  int rc = 0;
  JsonNode *list = db_chat_sanctions_json(db, 120, &rc);
  ck_assert_uint_eq(json_array_get_length(json_node_get_array(list)), 2);
  json_node_unref(list);
  char *who = NULL;
  ck_assert_int_eq(db_chat_sanction_lift(db, b, 200, &who), 0);
  ck_assert_str_eq(who, "m2");
  g_free(who);
  ck_assert_int_eq(db_chat_sanction_lift(db, b, 200, &who), -ENOENT);
  ck_assert_int_eq(db_chat_sanction_state(db, "m2", vod, 300, &mu, &ban), 0);
  ck_assert_int_eq(ban, 0);
  ck_assert_int_eq(db_chat_sanction_add(db, "m1", live, "kick", NULL, "e1", 1, 0, &id), -EINVAL);
}
END_TEST

START_TEST(words)
{
  gint64 id = 0, id2 = 0;
  ck_assert_int_eq(db_chat_word_add(db, "广告", "广告", "e1", 1, &id), 0);
  ck_assert_int_eq(db_chat_word_add(db, "广 告", "广告", "e1", 1, &id2), -EEXIST);
  GPtrArray *w = NULL;
  ck_assert_int_eq(db_chat_words(db, &w), 0);
  ck_assert_uint_eq(w->len, 1);
  g_ptr_array_unref(w);
  char *word = NULL;
  ck_assert_int_eq(db_chat_word_delete(db, id, &word), 0);
  ck_assert_str_eq(word, "广告");
  g_free(word);
  ck_assert_int_eq(db_chat_word_delete(db, id, &word), -ENOENT);
}
END_TEST

static Suite *suite(void)
{
  Suite *s = suite_create("db_chat");
  TCase *tc = tcase_create("db_chat");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, settings);
  tcase_add_test(tc, messages);
  tcase_add_test(tc, likes);
  tcase_add_test(tc, sanctions);
  tcase_add_test(tc, words);
  suite_add_tcase(s, tc);
  return s;
}

TU_MAIN(suite)
