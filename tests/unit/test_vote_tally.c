/* Tests for src/club/vote_tally.c: counts and shared ranks from the log, invalidated ballots
 * counted apart, the canonical text and its SHA-256 (checked against sha256sum's), reading it
 * back, what the public may see when, and a recount that equals the published result — and
 * notices when it does not. */
#include "testutil.h"
#include "vote_fixture.h"

#include <errno.h>
#include <string.h>

static const char *const known =
    "lectern-vote-result 1\n"
    "contest 7\n"
    "ballots 3\n"
    "valid 2\n"
    "invalidated 1\n"
    "item video:abc votes 2 invalidated 0 rank 1\n"
    "item video:x-y_z votes 0 invalidated 1 rank 2\n";

START_TEST(canonical_text_and_hash)
{
  VoteTally *t = NULL;
  ck_assert_int_eq(vote_tally_parse(known, &t), 0);
  ck_assert_int_eq(t->contest_id, 7);
  ck_assert_int_eq(t->items->len, 2);
  g_autofree char *again = vote_tally_canonical(t);
  ck_assert_str_eq(again, known);
  g_autofree char *sha = vote_tally_sha256(known);
  /* printf '…' | sha256sum */
  ck_assert_str_eq(sha, "2a76ee53337f91716e11b34e12881754743fd9c6deb0bb9a8b7626d0c73b74d9");
  vote_tally_free(&t);
  const char *bad[] = {
    "", "lectern-vote-result 2\ncontest 7\nballots 0\nvalid 0\ninvalidated 0\n",
    "lectern-vote-result 1\ncontest 7\nballots 0\nvalid 0\ninvalidated 0",           /* no final newline */
    "lectern-vote-result 1\ncontest 7\nballots 0\nvalid 0\ninvalidated 0\nitem video:a votes 1\n",
    "lectern-vote-result 1\ncontest 7\nballots 0\nvalid 0\ninvalidated 0\nitem video:a b votes 1 invalidated 0 rank 1\n",
    "lectern-vote-result 1\ncontest x\nballots 0\nvalid 0\ninvalidated 0\n",
  };
  for (guint i = 0; i < G_N_ELEMENTS(bad); i++)
    ck_assert_msg(vote_tally_parse(bad[i], &t) == -EINVAL, "case %u", i);
}
END_TEST

START_TEST(counts_and_ranks)
{
  /* video 1: 2 votes; video 2: 2 votes (one more invalidated); video 0: 1. */
  gint64 bad_id = 0, marked = 0, bad = 0;
  Member *m3 = vf_member("m3", true, false, base - 86400 * 90);
  ck_assert_int_eq(vf_cast(verified, 1, base), VOTE_OK);
  ck_assert_int_eq(vf_cast(verified2, 1, base), VOTE_OK);
  ck_assert_int_eq(vf_cast(verified, 2, base), VOTE_OK);
  ck_assert_int_eq(vf_cast(verified2, 2, base), VOTE_OK);
  ck_assert_int_eq(vf_cast_on(db, contest, m3, 2, base, NULL, &bad_id), VOTE_OK);
  ck_assert_int_eq(vf_cast(m3, 0, base + 10), VOTE_OK);
  ck_assert_int_eq(vote_ballot_invalidate(db, contest, &bad_id, 1, "刷票", "editor", base, &marked, &bad), 0);
  VoteTally *t = NULL;
  ck_assert_int_eq(vote_tally_count(db, contest->id, 0, &t), 0);
  ck_assert_int_eq(t->ballots, 6);
  ck_assert_int_eq(t->valid, 5);
  ck_assert_int_eq(t->invalidated, 1);
  VoteCount *c0 = t->items->pdata[0], *c1 = t->items->pdata[1], *c2 = t->items->pdata[2];
  /* Equal votes share a rank; the contest's order breaks the tie for display. */
  ck_assert_str_eq(c0->id, videos[1]);
  ck_assert_str_eq(c1->id, videos[2]);
  ck_assert_str_eq(c2->id, videos[0]);
  ck_assert_int_eq(c0->rank, 1);
  ck_assert_int_eq(c1->rank, 1);
  ck_assert_int_eq(c2->rank, 3);
  ck_assert_int_eq(c1->invalidated, 1);
  vote_tally_free(&t);
  /* Before a moment: only ballots cast before it. */
  ck_assert_int_eq(vote_tally_count(db, contest->id, base + 10, &t), 0);
  ck_assert_int_eq(t->ballots, 5);
  vote_tally_free(&t);
  member_free(&m3);
}
END_TEST

START_TEST(what_the_public_sees)
{
  gint64 as_of = 0;
  ck_assert(vote_tally_public_as_of(contest, base, &as_of));
  ck_assert_int_eq(as_of, base);
  g_free(contest->tally);
  contest->tally = g_strdup("delayed");
  /* Hourly snapshots from the opening: base - 5 days is a whole number of hours before base. */
  ck_assert(vote_tally_public_as_of(contest, base + 3599, &as_of));
  ck_assert_int_eq(as_of, base);
  ck_assert(vote_tally_public_as_of(contest, base + 3600, &as_of));
  ck_assert_int_eq(as_of, base + 3600);
  /* Past the window the snapshot stops at its end. */
  ck_assert(vote_tally_public_as_of(contest, contest->closes_at + 7200, &as_of));
  ck_assert_int_eq(as_of, contest->closes_at);
  g_free(contest->tally);
  contest->tally = g_strdup("final");
  ck_assert(!vote_tally_public_as_of(contest, base, &as_of));
  VoteContest *draft = vf_contest("UTC", 1, "live");
  ck_assert(!vote_tally_public_as_of(draft, base, &as_of));
  vote_contest_free(&draft);
}
END_TEST

START_TEST(recount_equals_published)
{
  gint64 b = 0, marked = 0, bad = 0;
  ck_assert_int_eq(vf_cast(verified, 0, base), VOTE_OK);
  ck_assert_int_eq(vf_cast_on(db, contest, verified2, 0, base, NULL, &b), VOTE_OK);
  ck_assert_int_eq(vote_ballot_invalidate(db, contest, &b, 1, "x", "editor", base, &marked, &bad), 0);
  char *text = NULL, *sha = NULL;
  bool match = true;
  ck_assert_int_eq(vote_tally_recount(db, contest, &text, &sha, &match), 0);
  ck_assert(!match); /* not closed: nothing published yet */
  g_free(text);
  g_free(sha);
  ck_assert_int_eq(vote_contest_close(db, contest, base + 100), 0);
  ck_assert_str_eq(contest->state, "closed");
  g_autofree char *expect = vote_tally_sha256(contest->result);
  ck_assert_str_eq(contest->result_sha256, expect);
  ck_assert_ptr_nonnull(strstr(contest->result, "ballots 2\nvalid 1\ninvalidated 1\n"));
  /* What is stored is what was published. */
  VoteContest *again = NULL;
  ck_assert_int_eq(vote_contest_get(db, contest->id, &again), 0);
  ck_assert_str_eq(again->result, contest->result);
  ck_assert_int_eq(vote_tally_recount(db, again, &text, &sha, &match), 0);
  ck_assert(match);
  ck_assert_str_eq(sha, again->result_sha256);
  g_free(text);
  g_free(sha);
  vote_contest_free(&again);
  /* A result changed behind the server's back (hash made to suit) no longer matches. */
  ck_assert_int_eq(sqlite3_exec(db->conn, "UPDATE vote_contest SET result = replace(result, 'valid 1', 'valid 9')",
                                NULL, NULL, NULL), SQLITE_OK);
  ck_assert_int_eq(vote_contest_get(db, contest->id, &again), 0);
  g_free(again->result_sha256);
  again->result_sha256 = vote_tally_sha256(again->result);
  ck_assert_int_eq(vote_tally_recount(db, again, &text, &sha, &match), 0);
  ck_assert(!match);
  g_free(text);
  g_free(sha);
  vote_contest_free(&again);
}
END_TEST

static Suite *vote_tally_suite(void)
{
  Suite *s = suite_create("vote_tally");
  TCase *tc = tcase_create("core");
  tcase_add_checked_fixture(tc, vf_setup, vf_teardown);
  tcase_add_test(tc, canonical_text_and_hash);
  tcase_add_test(tc, counts_and_ranks);
  tcase_add_test(tc, what_the_public_sees);
  tcase_add_test(tc, recount_equals_published);
  suite_add_tcase(s, tc);
  return s;
}

TU_MAIN(vote_tally_suite)
