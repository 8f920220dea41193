/* Tests for src/club/vote_points.c through vote_ballot_cast and vote_ballot_invalidate: a ballot
 * earns the campaign's `vote` rate once, within the activity's daily cap; a refused vote earns
 * nothing; no campaign or no `vote` row, nothing; an invalidated ballot's points are taken back
 * by one correction entry (the ledger stays append-only), never twice. */
#include "club/vote_points.h"
#include "db/db_points.h"
#include "points/points.h"
#include "testutil.h"
#include "vote_fixture.h"

#include <errno.h>

static void setup(void)
{
  vf_setup();
}

static void teardown(void)
{
  vf_teardown();
}

/* A campaign paying RATE a ballot, CAP a day (-1 none); ON false: no `vote` row. */
static void campaign(bool on, gint64 rate, gint64 cap)
{
  Campaign c = { .name = "冬季", .starts_on = tu_day(-400), .ends_on = tu_day(400), .time_zone = "Asia/Shanghai" };
  campaign_defaults(&c);
  c.act[ACT_VOTE] = (CampaignActivity){ .on = on, .rate = rate, .daily_cap = cap, .item_cap = -1, .minutes = 30,
                                        .questions = 5, .seconds = 30 };
  ck_assert_int_eq(points_window(c.time_zone, c.starts_on, c.ends_on, &c.starts_at, &c.ends_at), 0);
  ck_assert_int_eq(db_campaign_save(db, &c), 0);
}

static gint64 sum(const char *member, const char *reason)
{
  gint64 s = 0;
  ck_assert_int_eq(db_ledger_sum(db, member, NULL, 0, NULL, reason, &s), 0);
  return s;
}

static gint64 entries(void)
{
  sqlite3_stmt *st = db_prepare(db, "SELECT count(*) FROM points_ledger");
  ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
  gint64 n = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  return n;
}

static gint64 cast(Member *m, int item, gint64 t, VoteRefusal want)
{
  VoteCast v = { .contest = contest, .member = m, .kind = "video", .item = videos[item], .now = t };
  VoteRefusal why = VOTE_OK;
  gint64 b = 0, retry = 0;
  ck_assert_int_eq(vote_ballot_cast(db, key, &lim, &v, &why, &b, &retry), 0);
  ck_assert_int_eq(why, want);
  return b;
}

START_TEST(a_ballot_pays_once_within_the_cap)
{
  campaign(true, 2, 3);
  gint64 b1 = cast(verified, 0, base, VOTE_OK);
  ck_assert_int_eq(sum(verified->id, "vote"), 2);
  cast(verified, 0, base + 1, VOTE_ALREADY);        /* refused: nothing */
  ck_assert_int_eq(sum(verified->id, "vote"), 2);
  cast(verified, 1, base + 2, VOTE_OK);             /* the cap leaves 1 */
  ck_assert_int_eq(sum(verified->id, "vote"), 3);
  cast(verified, 2, base + 3, VOTE_DAILY_LIMIT);
  cast(verified, 2, base + 86400, VOTE_OK);         /* the next day: the full rate */
  ck_assert_int_eq(sum(verified->id, "vote"), 5);
  ck_assert_int_eq(entries(), 3);
  /* The same ballot cannot be paid twice (its idempotency key). */
  gint64 paid = -1;
  ck_assert_int_eq(db_begin(db), 0);
  ck_assert_int_eq(vote_points_pay(db, verified->id, b1, base + 86400 * 2, &paid), 0);
  ck_assert_int_eq(db_commit(db), 0);
  ck_assert_int_eq(paid, 0);
  ck_assert_int_eq(sum(verified->id, "vote"), 5);
  /* Not verified or disqualified: refused, so nothing. */
  cast(unverified, 0, base, VOTE_NOT_VERIFIED);
  cast(disqualified, 0, base, VOTE_DISQUALIFIED);
  ck_assert_int_eq(entries(), 3);
}
END_TEST

START_TEST(no_campaign_or_no_vote_row_pays_nothing)
{
  cast(verified, 0, base, VOTE_OK);
  ck_assert_int_eq(entries(), 0);
  campaign(false, 2, -1);
  cast(verified, 1, base, VOTE_OK);
  ck_assert_int_eq(entries(), 0);
}
END_TEST

START_TEST(invalidation_takes_the_point_back_once)
{
  campaign(true, 2, -1);
  gint64 b1 = cast(verified, 0, base, VOTE_OK);
  gint64 b2 = cast(verified2, 0, base, VOTE_OK);
  gint64 marked = 0, bad = 0, ids[2] = { b1, b2 };
  ck_assert_int_eq(db_begin(db), 0);
  ck_assert_int_eq(vote_ballot_invalidate(db, contest, ids, 1, "刷票", "editor", base + 10, &marked, &bad), 0);
  ck_assert_int_eq(db_commit(db), 0);
  ck_assert_int_eq(marked, 1);
  ck_assert_int_eq(sum(verified->id, NULL), 0);          /* 2 paid, 2 taken back */
  ck_assert_int_eq(sum(verified->id, "correction"), -2);
  ck_assert_int_eq(sum(verified->id, "vote"), 2);         /* the payment stays in the ledger */
  ck_assert_int_eq(sum(verified2->id, NULL), 2);
  /* Marking b1 again (with b2) takes nothing more from its voter. */
  ck_assert_int_eq(db_begin(db), 0);
  ck_assert_int_eq(vote_ballot_invalidate(db, contest, ids, 2, "刷票", "editor", base + 20, &marked, &bad), 0);
  ck_assert_int_eq(db_commit(db), 0);
  ck_assert_int_eq(marked, 1);
  ck_assert_int_eq(sum(verified->id, NULL), 0);
  ck_assert_int_eq(sum(verified2->id, NULL), 0);
  ck_assert_int_eq(entries(), 4);
  /* A ballot that earned nothing: nothing to take back. */
  gint64 taken = -1;
  ck_assert_int_eq(db_begin(db), 0);
  ck_assert_int_eq(vote_points_withdraw(db, 999999, "editor", base, &taken), 0);
  ck_assert_int_eq(db_commit(db), 0);
  ck_assert_int_eq(taken, 0);
}
END_TEST

static Suite *suite(void)
{
  Suite *s = suite_create("vote_points");
  TCase *tc = tcase_create("vote_points");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, a_ballot_pays_once_within_the_cap);
  tcase_add_test(tc, no_campaign_or_no_vote_row_pays_nothing);
  tcase_add_test(tc, invalidation_takes_the_point_back_once);
  suite_add_tcase(s, tc);
  return s;
}

TU_MAIN(suite)
