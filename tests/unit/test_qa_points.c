/* Tests for src/club/qa_points.c: an approved question pays the open campaign's `question`
 * rate once (a second award of the same question pays nothing), cut to the activity's daily
 * cap and per-live item cap and the campaign's total; no row, no campaign, an unverified or
 * disqualified member: nothing. Chat never pays (test_chat_service's no-points check). */
#include "auth/auth.h"
#include "club/qa_points.h"
#include "db/db_points.h"
#include "db_fixture.h"
#include "points/points.h"
#include "testutil.h"

#include <errno.h>
#include <string.h>

static char *dir;
static Db *db;
static char *vod, *live;
static Member *verified, *unverified, *disqualified;
static const guint8 key[TOKEN_SECRET_LEN] = { 4 };

static Member *member(const char *name, bool verified_, bool disq)
{
  Member *m = NULL;
  char *t = NULL;
  ck_assert_int_eq(auth_member_create(db, key, name, ROLE_VIEWER, verified_, &m, &t), 0);
  if (disq)
    ck_assert_int_eq(db_member_set_flag(db, m->id, MEMBER_DISQUALIFIED, true), 0);
  g_free(t);
  return m;
}

/* A campaign open for years around now whose question row pays RATE, at most CAP a day and
 * ITEM a live (-1: none), TOTAL a day in all (-1: none); ON false: no question row. */
static void campaign(bool on, gint64 rate, gint64 cap, gint64 item, gint64 total)
{
  Campaign c = { .name = "问答", .starts_on = tu_day(-400), .ends_on = tu_day(400), .time_zone = "Asia/Shanghai" };
  campaign_defaults(&c);
  c.daily_total_cap = total;
  c.act[ACT_QUESTION] = (CampaignActivity){ .on = on, .rate = rate, .daily_cap = cap, .item_cap = item,
                                            .minutes = 30, .questions = 5, .seconds = 30 };
  ck_assert_int_eq(points_window(c.time_zone, c.starts_on, c.ends_on, &c.starts_at, &c.ends_at), 0);
  ck_assert_int_eq(db_campaign_save(db, &c), 0);
}

static gint64 award(gint64 question, const Member *m, const char *video)
{
  gint64 amount = -1;
  ck_assert_int_eq(qa_points_award(db, question, m->id, video, g_get_real_time() / G_USEC_PER_SEC, &amount), 0);
  return amount;
}

static void setup(void)
{
  db = tu_db_open(&dir);
  tu_db_watchable(db, &vod, &live);
  verified = member("甲", true, false);
  unverified = member("乙", false, false);
  disqualified = member("丙", true, true);
}

static void teardown(void)
{
  member_free(&verified);
  member_free(&unverified);
  member_free(&disqualified);
  tu_db_close(&db, &dir);
  g_free(vod);
  g_free(live);
}

START_TEST(no_campaign_no_row)
{
  ck_assert_int_eq(award(1, verified, live), 0);
  campaign(false, 5, -1, -1, -1);
  ck_assert_int_eq(award(1, verified, live), 0);
}
END_TEST

START_TEST(once_per_question_and_capped)
{
  campaign(true, 5, 12, -1, -1);
  ck_assert_int_eq(award(1, verified, live), 5);
  ck_assert_int_eq(award(1, verified, live), 0); /* once per question */
  ck_assert_int_eq(award(2, verified, live), 5);
  ck_assert_int_eq(award(3, verified, live), 2); /* the daily cap of 12 cuts it */
  ck_assert_int_eq(award(4, verified, live), 0);
  gint64 sum = 0;
  ck_assert_int_eq(db_ledger_sum(db, verified->id, NULL, 0, NULL, "question", &sum), 0);
  ck_assert_int_eq(sum, 12);
  /* Not verified, disqualified: nothing. */
  ck_assert_int_eq(award(5, unverified, live), 0);
  ck_assert_int_eq(award(6, disqualified, live), 0);
}
END_TEST

START_TEST(item_and_total_caps)
{
  campaign(true, 5, -1, 8, 9);
  ck_assert_int_eq(award(1, verified, live), 5);
  ck_assert_int_eq(award(2, verified, live), 3); /* at most 8 on one live */
  ck_assert_int_eq(award(3, verified, live), 0);
  ck_assert_int_eq(award(4, verified, vod), 1);  /* another live: the total of 9 a day cuts it */
}
END_TEST

static Suite *suite(void)
{
  Suite *su = suite_create("qa_points");
  TCase *tc = tcase_create("qa_points");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, no_campaign_no_row);
  tcase_add_test(tc, once_per_question_and_capped);
  tcase_add_test(tc, item_and_total_caps);
  suite_add_tcase(su, tc);
  return su;
}

TU_MAIN(suite)
