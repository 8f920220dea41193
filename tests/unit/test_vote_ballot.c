/* Tests for src/club/vote_ballot.c: who may vote, once per item and day, the daily limit (also
 * when the same member votes twice at once on two connections), the rate limits, addresses
 * kept only as keyed hashes and only for a while, and invalidations that leave the log whole. */
#include "testutil.h"
#include "vote_fixture.h"

#include <errno.h>
#include <string.h>

static gint64 count(const char *sql)
{
  sqlite3_stmt *st = db_prepare(db, sql);
  ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
  gint64 n = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  return n;
}

START_TEST(one_vote_per_item_and_day)
{
  ck_assert_int_eq(vf_cast(verified, 0, base), VOTE_OK);
  ck_assert_int_eq(vf_cast(verified, 0, base + 60), VOTE_ALREADY);
  /* Another member may; the same member may the next day. */
  ck_assert_int_eq(vf_cast(verified2, 0, base + 60), VOTE_OK);
  ck_assert_int_eq(vf_cast(verified, 0, base + 86400), VOTE_OK);
  ck_assert_int_eq(count("SELECT count(*) FROM vote_ballot"), 3);
}
END_TEST

/* The unique key is the last word: a ballot another writer stored after the count was read
 * (here a trigger stores it just before our insert) makes this vote "already", not an error. */
START_TEST(unique_key_is_the_last_word)
{
  ck_assert_int_eq(sqlite3_exec(db->conn,
                                "CREATE TEMP TRIGGER other_writer BEFORE INSERT ON vote_ballot "
                                "WHEN NOT EXISTS (SELECT 1 FROM vote_ballot WHERE member_id = NEW.member_id) "
                                "BEGIN INSERT INTO vote_ballot (contest_id, member_id, item_kind, item_id, "
                                "local_day, at) VALUES (NEW.contest_id, NEW.member_id, NEW.item_kind, "
                                "NEW.item_id, NEW.local_day, NEW.at); END",
                                NULL, NULL, NULL),
                   SQLITE_OK);
  ck_assert_int_eq(vf_cast(verified, 0, base), VOTE_ALREADY);  /* not -EEXIST */
}
END_TEST

START_TEST(daily_limit)
{
  ck_assert_int_eq(vf_cast(verified, 0, base), VOTE_OK);
  ck_assert_int_eq(vf_cast(verified, 1, base + 1), VOTE_OK);
  ck_assert_int_eq(vf_cast(verified, 2, base + 2), VOTE_DAILY_LIMIT);
  gint64 used = 0;
  GPtrArray *items = NULL;
  ck_assert_int_eq(vote_ballot_today(db, contest, verified->id, base + 3, &used, &items), 0);
  ck_assert_int_eq(used, 2);
  g_autofree char *first = g_strconcat("video:", videos[0], NULL);
  ck_assert_str_eq(items->pdata[0], first);
  g_ptr_array_unref(items);
  /* An invalidated ballot was still cast: it counts against the day. */
  gint64 id = count("SELECT min(id) FROM vote_ballot"), marked = 0, bad = 0;
  ck_assert_int_eq(vote_ballot_invalidate(db, contest, &id, 1, "test", "editor", base + 4, &marked, &bad), 0);
  ck_assert_int_eq(vf_cast(verified, 2, base + 5), VOTE_DAILY_LIMIT);
  ck_assert_int_eq(vf_cast(verified, 2, base + 86400), VOTE_OK);
}
END_TEST

/* "A day" is the contest's: 23:30 and 00:30 in Shanghai are two days, one UTC day. */
START_TEST(days_in_the_contest_zone)
{
  VoteContest *sh = vf_contest("Asia/Shanghai", 1, "live");
  ck_assert_int_eq(vote_contest_open(db, sh, base - 5 * 86400), 0);
  gint64 t = base - 43200 + 15 * 3600 + 1800; /* 15:30 UTC = 23:30 +08 */
  ck_assert_int_eq(vf_cast_on(db, sh, verified, 0, t, NULL, NULL), VOTE_OK);
  ck_assert_int_eq(vf_cast_on(db, sh, verified, 1, t + 1200, NULL, NULL), VOTE_DAILY_LIMIT);
  ck_assert_int_eq(vf_cast_on(db, sh, verified, 1, t + 3600, NULL, NULL), VOTE_OK);
  g_autofree char *d1 = vote_contest_day(sh, t), *d2 = vote_contest_day(sh, t + 3600);
  ck_assert_str_ne(d1, d2);
  vote_contest_free(&sh);
}
END_TEST

START_TEST(who_may_vote)
{
  ck_assert_int_eq(vf_cast(unverified, 0, base), VOTE_NOT_VERIFIED);
  ck_assert_int_eq(vf_cast(disqualified, 0, base), VOTE_DISQUALIFIED);
  /* Outside the window, and before the contest is opened. */
  ck_assert_int_eq(vf_cast(verified, 0, base - 6 * 86400), VOTE_NOT_OPEN);
  ck_assert_int_eq(vf_cast(verified, 0, base + 5 * 86400), VOTE_NOT_OPEN);
  VoteContest *draft = vf_contest("UTC", 1, "live");
  ck_assert_int_eq(vf_cast_on(db, draft, verified, 0, base, NULL, NULL), VOTE_NOT_OPEN);
  vote_contest_free(&draft);
  /* Something not in the contest. */
  VoteCast v = { .contest = contest, .member = verified, .kind = "video", .item = "nope", .now = base };
  VoteRefusal why = VOTE_OK;
  gint64 b = 0, retry = 0;
  ck_assert_int_eq(vote_ballot_cast(db, key, &lim, &v, &why, &b, &retry), 0);
  ck_assert_int_eq(why, VOTE_NO_ITEM);
  ck_assert_int_eq(count("SELECT count(*) FROM vote_ballot"), 0);
  ck_assert_str_eq(vote_refusal_code(VOTE_ALREADY), "already_voted");
}
END_TEST

typedef struct {
  const char *path;
  int item;
  VoteRefusal why;
} Racer;

static gpointer racer(gpointer p)
{
  Racer *r = p;
  Db *d = NULL;
  char *err = NULL;
  g_assert(db_open(r->path, 0, &d, &err) == 0);
  VoteCast v = { .contest = contest, .member = verified, .kind = "video", .item = videos[r->item],
                 .now = base };
  gint64 b = 0, retry = 0;
  g_assert(vote_ballot_cast(d, key, &lim, &v, &r->why, &b, &retry) == 0);
  db_close(&d);
  return NULL;
}

/* The same vote twice at once, on two connections (two threads): exactly one is cast. Then,
 * with one vote left today, two different items at once: exactly one, the limit held. */
START_TEST(twice_at_once)
{
  g_autofree char *path = g_build_filename(dir, "t.db", NULL);
  Racer a = { path, 0, VOTE_OK }, b = { path, 0, VOTE_OK };
  GThread *ta = g_thread_new("a", racer, &a), *tb = g_thread_new("b", racer, &b);
  g_thread_join(ta);
  g_thread_join(tb);
  ck_assert_msg((a.why == VOTE_OK) != (b.why == VOTE_OK), "%d %d", a.why, b.why);
  ck_assert_int_eq(a.why == VOTE_OK ? b.why : a.why, VOTE_ALREADY);

  Racer c = { path, 1, VOTE_OK }, d = { path, 2, VOTE_OK };
  ta = g_thread_new("c", racer, &c);
  tb = g_thread_new("d", racer, &d);
  g_thread_join(ta);
  g_thread_join(tb);
  ck_assert_msg((c.why == VOTE_OK) != (d.why == VOTE_OK), "%d %d", c.why, d.why);
  ck_assert_int_eq(c.why == VOTE_OK ? d.why : c.why, VOTE_DAILY_LIMIT);
  ck_assert_int_eq(count("SELECT count(*) FROM vote_ballot WHERE member_id = 'm-verified'"), 2);
}
END_TEST

START_TEST(rate_limits)
{
  VoteLimits tight = { 3, 5, 60, 259200 };
  VoteRefusal why = VOTE_OK;
  gint64 b = 0, retry = 0;
  /* A member: three requests a minute, refused or not. */
  for (int i = 0; i < 4; i++) {
    VoteCast v = { .contest = contest, .member = verified, .kind = "video", .item = videos[0],
                   .address = "10.0.0.9", .now = base + i };
    ck_assert_int_eq(vote_ballot_cast(db, key, &tight, &v, &why, &b, &retry), 0);
    ck_assert_int_eq(why, i == 0 ? VOTE_OK : i < 3 ? VOTE_ALREADY : VOTE_RATE_LIMITED);
  }
  ck_assert_int_eq(retry, 60 - 3);
  /* A minute later the member may again. */
  VoteCast later = { .contest = contest, .member = verified, .kind = "video", .item = videos[1],
                     .address = "10.0.0.9", .now = base + 61 };
  ck_assert_int_eq(vote_ballot_cast(db, key, &tight, &later, &why, &b, &retry), 0);
  ck_assert_int_eq(why, VOTE_OK);
  /* An address: five requests a minute, whoever sends them. */
  Member *ms[6];
  for (int i = 0; i < 6; i++) {
    g_autofree char *id = g_strdup_printf("m-nat-%d", i);
    ms[i] = vf_member(id, true, false, base - 86400 * 30);
    VoteCast v = { .contest = contest, .member = ms[i], .kind = "video", .item = videos[2],
                   .address = "192.0.2.7", .now = base + 100 };
    ck_assert_int_eq(vote_ballot_cast(db, key, &tight, &v, &why, &b, &retry), 0);
    ck_assert_int_eq(why, i < 5 ? VOTE_OK : VOTE_RATE_LIMITED);
  }
  for (int i = 0; i < 6; i++)
    member_free(&ms[i]);
}
END_TEST

/* Addresses: keyed hashes only, gone after address_keep. */
START_TEST(addresses_hashed_and_forgotten)
{
  ck_assert_int_eq(vf_cast_on(db, contest, verified, 0, base, "203.0.113.5", NULL), VOTE_OK);
  ck_assert_int_eq(count("SELECT count(*) FROM vote_address"), 1);
  ck_assert_int_eq(count("SELECT count(*) FROM vote_address WHERE address_hash LIKE '%203.0.113%' "
                         "OR length(address_hash) != 64"), 0);
  ck_assert_int_eq(count("SELECT count(*) FROM vote_attempt WHERE subject LIKE '%203.0%' "
                         "OR subject LIKE '%m-verified%'"), 0);
  /* The next vote after the keep period removes it (and the stale attempts). */
  ck_assert_int_eq(vf_cast_on(db, contest, verified2, 0, base + lim.address_keep + 1, NULL, NULL), VOTE_OK);
  ck_assert_int_eq(count("SELECT count(*) FROM vote_address"), 0);
  ck_assert_int_eq(count("SELECT count(*) FROM vote_attempt"), 1);
}
END_TEST

START_TEST(invalidation_marks_and_keeps)
{
  gint64 b1 = 0, b2 = 0, marked = 0, bad = 0;
  ck_assert_int_eq(vf_cast_on(db, contest, verified, 0, base, NULL, &b1), VOTE_OK);
  ck_assert_int_eq(vf_cast_on(db, contest, verified2, 0, base, NULL, &b2), VOTE_OK);
  gint64 ids[] = { b1, b1 };
  ck_assert_int_eq(vote_ballot_invalidate(db, contest, ids, 2, "同一地址批量投票", "editor", base, &marked, &bad), 0);
  ck_assert_int_eq(marked, 1);
  ck_assert_int_eq(vote_ballot_invalidate(db, contest, ids, 1, "again", "editor", base, &marked, &bad), 0);
  ck_assert_int_eq(marked, 0);
  gint64 unknown = b2 + 100;
  ck_assert_int_eq(vote_ballot_invalidate(db, contest, &unknown, 1, "x", "editor", base, &marked, &bad), -ENOENT);
  ck_assert_int_eq(bad, unknown);
  ck_assert_int_eq(count("SELECT count(*) FROM vote_ballot"), 2);
  ck_assert_int_eq(count("SELECT count(*) FROM vote_invalidation"), 1);
  /* The logs refuse to be rewritten. */
  ck_assert_int_ne(sqlite3_exec(db->conn, "UPDATE vote_ballot SET item_id = 'x'", NULL, NULL, NULL), SQLITE_OK);
  ck_assert_int_ne(sqlite3_exec(db->conn, "DELETE FROM vote_ballot", NULL, NULL, NULL), SQLITE_OK);
  ck_assert_int_ne(sqlite3_exec(db->conn, "DELETE FROM vote_invalidation", NULL, NULL, NULL), SQLITE_OK);
  ck_assert_int_ne(sqlite3_exec(db->conn, "UPDATE vote_invalidation SET reason = 'y'", NULL, NULL, NULL), SQLITE_OK);
  /* Once closed, the result is published: no more judgements. */
  ck_assert_int_eq(vote_contest_close(db, contest, base + 10), 0);
  ck_assert_int_eq(vote_ballot_invalidate(db, contest, &b2, 1, "late", "editor", base, &marked, &bad), -EALREADY);
}
END_TEST

static Suite *vote_ballot_suite(void)
{
  Suite *s = suite_create("vote_ballot");
  TCase *tc = tcase_create("core");
  tcase_add_checked_fixture(tc, vf_setup, vf_teardown);
  tcase_add_test(tc, one_vote_per_item_and_day);
  tcase_add_test(tc, unique_key_is_the_last_word);
  tcase_add_test(tc, daily_limit);
  tcase_add_test(tc, days_in_the_contest_zone);
  tcase_add_test(tc, who_may_vote);
  tcase_add_test(tc, twice_at_once);
  tcase_add_test(tc, rate_limits);
  tcase_add_test(tc, addresses_hashed_and_forgotten);
  tcase_add_test(tc, invalidation_marks_and_keeps);
  suite_add_tcase(s, tc);
  return s;
}

TU_MAIN(vote_ballot_suite)
