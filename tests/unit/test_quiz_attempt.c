/* Tests for src/club/quiz_attempt.c with a real database and a clock of the test's own
 * (milliseconds passed in): what a member is sent before and after each answer is locked,
 * one attempt a day, one answer a question, late answers, points once within the caps, days
 * in Asia/Shanghai, retired questions never served. */
#include "auth/auth.h"
#include "club/quiz_attempt.h"
#include "club/quiz_bank.h"
#include "db/db_points.h"
#include "points/points.h"
#include "testutil.h"

#include <errno.h>
#include <string.h>

static char *dir;
static Db *db;
static const guint8 key[TOKEN_SECRET_LEN] = { 1 };
static char *member_id;
static GRand *rng;

/* 2030-06-01 23:59:00 in Asia/Shanghai (15:59:00 UTC): a minute before the zone's midnight,
 * while UTC is mid-afternoon. A fixed instant: nothing here depends on today's date. */
#define T0 ((gint64)1906559940 * 1000)

static void setup(void)
{
  dir = tu_tmpdir();
  char *path = g_build_filename(dir, "t.db", NULL);
  char *err = NULL;
  tu_db_seed(path);
  ck_assert_int_eq(db_open(path, 0, &db, &err), 0);
  g_free(path);
  Member *m = NULL;
  char *token = NULL;
  ck_assert_int_eq(auth_member_create(db, key, "学员", ROLE_VIEWER, true, &m, &token), 0);
  member_id = g_strdup(m->id);
  member_free(&m);
  g_free(token);
  rng = g_rand_new_with_seed(42);
  GString *json = g_string_new("[");
  for (int i = 0; i < 6; i++)
    g_string_append_printf(json, "%s{\"key\": \"k%d\", \"text\": \"题目 %d\", \"options\": [\"right\", \"wrong1\", "
                           "\"wrong2\"], \"answer\": 0, \"explanation\": \"because %d\"}", i ? "," : "", i, i, i);
  g_string_append_c(json, ']');
  GPtrArray *qs = NULL;
  char *why = NULL;
  ck_assert_int_eq(quiz_bank_parse(json->str, json->len, NULL, &qs, &why), 0);
  QuizImportStats st;
  ck_assert_int_eq(quiz_bank_import(db, qs, 0, &st), 0);
  g_ptr_array_unref(qs);
  g_string_free(json, TRUE);
}

static void teardown(void)
{
  g_rand_free(rng);
  g_free(member_id);
  db_close(&db);
  tu_rmtree(dir);
  g_free(dir);
}

/* A campaign with a quiz row: RATE a correct answer, CAP a day (-1 none), TOTAL across
 * activities (-1 none), 3 questions of 10 s. */
static Campaign *campaign(gint64 rate, gint64 cap, gint64 total)
{
  Campaign c = { .name = "冬季", .starts_on = tu_day(-400), .ends_on = tu_day(400), .time_zone = "Asia/Shanghai" };
  campaign_defaults(&c);
  c.daily_total_cap = total;
  c.act[ACT_QUIZ] = (CampaignActivity){ .on = true, .rate = rate, .daily_cap = cap, .item_cap = -1, .minutes = 30,
                                        .questions = 3, .seconds = 10 };
  ck_assert_int_eq(points_window(c.time_zone, c.starts_on, c.ends_on, &c.starts_at, &c.ends_at), 0);
  ck_assert_int_eq(db_campaign_save(db, &c), 0);
  Campaign *k = NULL;
  ck_assert_int_eq(db_campaign_get(db, c.id, &k), 0);
  return k;
}

static JsonNode *today(const Campaign *k, gint64 now)
{
  int rc = 0;
  JsonNode *n = quiz_attempt_today_json(db, k, member_id, now, &rc);
  ck_assert_int_eq(rc, 0);
  return n;
}

static JsonObject *item(JsonNode *n, guint pos)
{
  JsonObject *a = json_object_get_object_member(json_node_get_object(n), "attempt");
  return json_array_get_object_element(json_object_get_array_member(a, "items"), pos);
}

/* The shown position of option TEXT in question POS as sent at NOW. */
static gint64 shown(const Campaign *k, guint pos, const char *text, gint64 now)
{
  JsonNode *n = today(k, now);
  JsonArray *opts = json_object_get_array_member(item(n, pos), "options");
  gint64 at = -1;
  for (guint i = 0; i < json_array_get_length(opts); i++)
    if (strcmp(json_array_get_string_element(opts, i), text) == 0)
      at = i;
  json_node_unref(n);
  ck_assert_int_ge(at, 0);
  return at;
}

static int answer(const Campaign *k, guint pos, const char *text, gint64 now)
{
  gint64 c = shown(k, pos, text, now);
  return quiz_attempt_answer(db, k, member_id, pos, &c, 1, now);
}

static gint64 balance(void)
{
  gint64 b = -1;
  ck_assert_int_eq(db_points_balance(db, member_id, &b), 0);
  return b;
}

START_TEST(answers_are_sent_only_once_locked)
{
  Campaign *k = campaign(2, 5, -1);
  ck_assert_int_eq(quiz_attempt_start(db, k, member_id, T0, rng), 0);
  JsonNode *n = today(k, T0 + 1000);
  g_autofree char *wire = json_to_string(n, FALSE);
  ck_assert_msg(!strstr(wire, "\"answer\"") && !strstr(wire, "because") && !strstr(wire, "\"choices\""), "%s", wire);
  ck_assert_str_eq(json_object_get_string_member(item(n, 0), "state"), "open");
  ck_assert_int_eq(json_object_get_int_member(item(n, 0), "remaining_ms"), 9000);
  ck_assert_str_eq(json_object_get_string_member(item(n, 1), "state"), "pending");
  ck_assert(!json_object_has_member(item(n, 1), "text"));     /* not even the question */
  ck_assert_str_eq(json_object_get_string_member(json_node_get_object(n), "date"), "2030-06-01");
  ck_assert_int_eq(json_object_get_int_member(json_node_get_object(n), "next_day_in"), 60 - 1);
  json_node_unref(n);

  ck_assert_int_eq(answer(k, 0, "right", T0 + 2000), 0);
  gint64 c = 0;
  ck_assert_int_eq(quiz_attempt_answer(db, k, member_id, 0, &c, 1, T0 + 2100), -EEXIST);  /* once */
  ck_assert_int_eq(quiz_attempt_answer(db, k, member_id, 1, &c, 1, T0 + 2100), -ESRCH);   /* not shown */
  n = today(k, T0 + 3000);
  JsonObject *i0 = item(n, 0);
  ck_assert_str_eq(json_object_get_string_member(i0, "state"), "locked");
  ck_assert(json_object_get_boolean_member(i0, "correct"));
  ck_assert_int_eq(json_array_get_int_element(json_object_get_array_member(i0, "answer"), 0),
                   json_array_get_int_element(json_object_get_array_member(i0, "choices"), 0));
  ck_assert(g_str_has_prefix(json_object_get_string_member(i0, "explanation"), "because"));
  /* The next question is still not sent, nor its answer. */
  ck_assert_str_eq(json_object_get_string_member(item(n, 1), "state"), "pending");
  json_node_unref(n);

  ck_assert_int_eq(quiz_attempt_next(db, k, member_id, T0 + 4000), 0);
  ck_assert_int_eq(quiz_attempt_next(db, k, member_id, T0 + 9000), 0);  /* its clock does not restart */
  n = today(k, T0 + 9000);
  ck_assert_int_eq(json_object_get_int_member(item(n, 1), "remaining_ms"), 5000);
  json_node_unref(n);
  ck_assert_int_eq(answer(k, 1, "right", T0 + 14001), 0);             /* 10.001 s: late */
  n = today(k, T0 + 14001);
  ck_assert(!json_object_get_boolean_member(item(n, 1), "correct"));
  ck_assert(json_object_get_boolean_member(item(n, 1), "late"));
  json_node_unref(n);
  ck_assert_int_eq(balance(), 0);                                      /* paid only at the end */

  ck_assert_int_eq(quiz_attempt_next(db, k, member_id, T0 + 15000), 0);
  gint64 bad = 7;
  ck_assert_int_eq(quiz_attempt_answer(db, k, member_id, 2, &bad, 1, T0 + 16000), -EINVAL);
  ck_assert_int_eq(answer(k, 2, "right", T0 + 25000), 0);             /* 10.000 s: in time */
  ck_assert_int_eq(quiz_attempt_next(db, k, member_id, T0 + 26000), -EALREADY);
  ck_assert_int_eq(balance(), 4);                                      /* 2 correct × 2 */
  n = today(k, T0 + 26000);
  JsonObject *a = json_object_get_object_member(json_node_get_object(n), "attempt");
  ck_assert(json_object_get_boolean_member(a, "finished"));
  ck_assert_int_eq(json_object_get_int_member(a, "correct"), 2);
  ck_assert_int_eq(json_object_get_int_member(a, "points"), 4);
  json_node_unref(n);
  g_autofree char *day = quiz_attempt_day(k, T0);
  gint64 quiz = 0;
  ck_assert_int_eq(db_points_day_reason(db, member_id, k->id, day, "quiz", &quiz), 0);
  ck_assert_int_eq(quiz, 4);

  /* A second attempt the same day is refused by the database's UNIQUE. */
  ck_assert_int_eq(quiz_attempt_start(db, k, member_id, T0 + 30000, rng), -EEXIST);
  campaign_free(&k);
}
END_TEST

/* Answers every question of today's attempt right, one after the other. */
static void take(const Campaign *k, gint64 t)
{
  ck_assert_int_eq(quiz_attempt_start(db, k, member_id, t, rng), 0);
  for (guint p = 0; p < 3; p++) {
    if (p)
      ck_assert_int_eq(quiz_attempt_next(db, k, member_id, t + p * 100), 0);
    ck_assert_int_eq(answer(k, p, "right", t + p * 100 + 50), 0);
  }
}

START_TEST(caps_per_activity_and_in_total_across_days)
{
  Campaign *k = campaign(2, 5, 8);
  take(k, T0);                                /* 2030-06-01: 3 right × 2 = 6, quiz cap 5 */
  ck_assert_int_eq(balance(), 5);
  /* Two minutes later it is 2030-06-02 in Shanghai (still 06-01 in UTC): a new day, a new
   * attempt, the caps again from zero — but watching already earned 4 of the total 8. */
  gint64 t1 = T0 + 120 * 1000;
  g_autofree char *day2 = quiz_attempt_day(k, t1);
  ck_assert_str_eq(day2, "2030-06-02");
  LedgerEntry w = { .member_id = member_id, .amount = 4, .reason = "watch", .video_id = "v",
                    .campaign_id = k->id, .local_day = day2, .key = "watch:x:v:1", .at = t1 / 1000 };
  ck_assert_int_eq(db_ledger_add(db, &w), 0);
  take(k, t1);
  ck_assert_int_eq(balance(), 5 + 4 + 4);     /* total cap 8 left 4 for the quiz */
  campaign_free(&k);
}
END_TEST

START_TEST(retired_questions_are_never_served)
{
  Campaign *k = campaign(1, -1, -1);
  sqlite3_stmt *st = db_prepare(db, "SELECT id FROM quiz_question WHERE key NOT IN ('k1', 'k4')");
  while (sqlite3_step(st) == SQLITE_ROW)
    ck_assert_int_eq(quiz_bank_set_retired(db, sqlite3_column_int64(st, 0), true, 1), 0);
  sqlite3_finalize(st);
  for (int day = 0; day < 5; day++) {
    gint64 t = T0 + (gint64)day * 86400 * 1000;
    ck_assert_int_eq(quiz_attempt_start(db, k, member_id, t, rng), 0);
    for (guint p = 0; p < 2; p++) {
      if (p)
        ck_assert_int_eq(quiz_attempt_next(db, k, member_id, t + 100), 0);
      JsonNode *n = today(k, t + 200);
      const char *text = json_object_get_string_member(item(n, p), "text");
      ck_assert_msg(text && (!strcmp(text, "题目 1") || !strcmp(text, "题目 4")), "served %s", text);
      json_node_unref(n);
      ck_assert_int_eq(answer(k, p, "wrong1", t + 50), 0);
    }
  }
  /* With every question retired there is no quiz to start. */
  ck_assert_int_eq(sqlite3_exec(db->conn, "UPDATE quiz_question SET status = 'retired'", NULL, NULL, NULL), SQLITE_OK);
  ck_assert_int_eq(quiz_attempt_start(db, k, member_id, T0 + 10LL * 86400 * 1000, rng), -ENOENT);
  campaign_free(&k);
}
END_TEST

START_TEST(an_unfinished_attempt_pays_for_its_day_when_the_member_returns)
{
  Campaign *k = campaign(3, -1, -1);
  ck_assert_int_eq(quiz_attempt_start(db, k, member_id, T0, rng), 0);
  ck_assert_int_eq(answer(k, 0, "right", T0 + 100), 0);          /* then the member leaves */
  ck_assert_int_eq(balance(), 0);
  JsonNode *n = today(k, T0 + 86400 * 1000);                      /* tomorrow */
  ck_assert(json_node_is_null(json_object_get_member(json_node_get_object(n), "attempt")));
  json_node_unref(n);
  ck_assert_int_eq(balance(), 3);
  g_autofree char *day1 = quiz_attempt_day(k, T0);
  gint64 q = 0;
  ck_assert_int_eq(db_points_day_reason(db, member_id, k->id, day1, "quiz", &q), 0);
  ck_assert_int_eq(q, 3);                                          /* on its own day */
  campaign_free(&k);
}
END_TEST

START_TEST(without_a_campaign_the_quiz_earns_nothing)
{
  ck_assert_int_eq(quiz_attempt_start(db, NULL, member_id, T0, rng), 0);
  JsonNode *n = today(NULL, T0);
  JsonArray *items = json_object_get_array_member(json_object_get_object_member(json_node_get_object(n), "attempt"), "items");
  ck_assert_uint_eq(json_array_get_length(items), QUIZ_DEFAULT_QUESTIONS);
  json_node_unref(n);
  for (guint p = 0; p < QUIZ_DEFAULT_QUESTIONS; p++) {
    if (p)
      ck_assert_int_eq(quiz_attempt_next(db, NULL, member_id, T0 + p * 100), 0);
    ck_assert_int_eq(answer(NULL, p, "right", T0 + p * 100 + 10), 0);
  }
  ck_assert_int_eq(balance(), 0);
}
END_TEST

static Suite *quiz_attempt_suite(void)
{
  Suite *s = suite_create("quiz_attempt");
  TCase *tc = tcase_create("quiz_attempt");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, answers_are_sent_only_once_locked);
  tcase_add_test(tc, caps_per_activity_and_in_total_across_days);
  tcase_add_test(tc, retired_questions_are_never_served);
  tcase_add_test(tc, an_unfinished_attempt_pays_for_its_day_when_the_member_returns);
  tcase_add_test(tc, without_a_campaign_the_quiz_earns_nothing);
  suite_add_tcase(s, tc);
  return s;
}

TU_MAIN(quiz_attempt_suite)
