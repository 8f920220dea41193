/* vote_fixture: a database with three published videos, members of each kind and an open
 * contest on the videos, for the tests of src/club/vote_*.c. Times are relative to now: BASE
 * is noon (UTC) of today, and the contest runs from five days before it to five days after. */
#pragma once

#include "club/vote_ballot.h"
#include "club/vote_contest.h"
#include "club/vote_signal.h"
#include "club/vote_tally.h"
#include "core/util.h"
#include "db/db_member.h"
#include "db_fixture.h"

static char *dir;
static Db *db;
static gint64 base;
static char *videos[3];
static Member *verified, *verified2, *unverified, *disqualified;
static VoteContest *contest;
static const guint8 key[TOKEN_SECRET_LEN] = { 42 };
static const VoteLimits lim = { 1000, 1000, 60, 259200 };

static Member *vf_member(const char *id, bool real_name, bool disq, gint64 created_at)
{
  ck_assert_int_eq(db_member_insert(db, id, "投票人", ROLE_VIEWER, real_name, "hash"), 0);
  if (disq)
    ck_assert_int_eq(db_member_set_flag(db, id, MEMBER_DISQUALIFIED, true), 0);
  sqlite3_stmt *st = db_prepare(db, "UPDATE member SET created_at = ?2 WHERE id = ?1");
  sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 2, created_at);
  ck_assert_int_eq(sqlite3_step(st), SQLITE_DONE);
  sqlite3_finalize(st);
  Member *m = NULL;
  ck_assert_int_eq(db_member_get(db, id, &m, NULL), 0);
  return m;
}

/* A new contest (draft) on the three videos, in ZONE, VOTES a day, TALLY mode. */
static VoteContest *vf_contest(const char *zone, gint64 votes, const char *tally)
{
  VoteContest *c = g_new0(VoteContest, 1);
  c->title = g_strdup("最美微视频");
  c->time_zone = g_strdup(zone);
  c->opens_at = base - 5 * 86400;
  c->closes_at = base + 5 * 86400;
  c->votes_per_day = votes;
  c->tally = g_strdup(tally);
  c->tally_interval = 3600;
  c->created_by = g_strdup("editor");
  const char *why = NULL;
  ck_assert_int_eq(vote_contest_check(c, &why), 0);
  ck_assert_int_eq(vote_contest_save(db, c, base - 6 * 86400), 0);
  GPtrArray *items = g_ptr_array_new_with_free_func((GDestroyNotify)vote_item_free);
  for (int i = 0; i < 3; i++)
    g_ptr_array_add(items, vote_item_new("video", videos[i]));
  guint bad = 0;
  ck_assert_int_eq(vote_contest_set_items(db, c->id, items, &bad), 0);
  g_ptr_array_unref(items);
  return c;
}

static void vf_setup(void)
{
  db = tu_db_open(&dir);
  base = util_now() / 86400 * 86400 + 43200;
  for (int i = 0; i < 3; i++) {
    g_autofree char *t = g_strdup_printf("作品 %d", i);
    ck_assert_int_eq(db_video_create_upload(db, t, NULL, NULL, NULL, &videos[i]), 0);
    ck_assert_int_eq(db_video_set_state(db, videos[i], NULL, "ready", "test", NULL), 0);
    ck_assert_int_eq(db_video_set_text(db, videos[i], VIDEO_VISIBILITY, "published"), 0);
  }
  verified = vf_member("m-verified", true, false, base - 100 * 86400);
  verified2 = vf_member("m-verified2", true, false, base - 100 * 86400);
  unverified = vf_member("m-unverified", false, false, base - 100 * 86400);
  disqualified = vf_member("m-disq", true, true, base - 100 * 86400);
  contest = vf_contest("UTC", 2, "live");
  ck_assert_int_eq(vote_contest_open(db, contest, base - 5 * 86400), 0);
}

static void vf_teardown(void)
{
  vote_contest_free(&contest);
  member_free(&verified);
  member_free(&verified2);
  member_free(&unverified);
  member_free(&disqualified);
  for (int i = 0; i < 3; i++)
    g_clear_pointer(&videos[i], g_free);
  tu_db_close(&db, &dir);
}

/* Casts M's vote for video I at T from ADDRESS; returns the refusal (VOTE_OK: cast). */
G_GNUC_UNUSED static VoteRefusal vf_cast_on(Db *d, const VoteContest *c, const Member *m, int i, gint64 t,
                              const char *address, gint64 *ballot)
{
  VoteCast v = { .contest = c, .member = m, .kind = "video", .item = videos[i], .address = address,
                 .now = t };
  VoteRefusal why = VOTE_OK;
  gint64 b = 0, retry = 0;
  ck_assert_int_eq(vote_ballot_cast(d, key, &lim, &v, &why, &b, &retry), 0);
  if (ballot)
    *ballot = b;
  return why;
}

G_GNUC_UNUSED static VoteRefusal vf_cast(const Member *m, int i, gint64 t)
{
  return vf_cast_on(db, contest, m, i, t, "10.0.0.1", NULL);
}
