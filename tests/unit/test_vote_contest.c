/* Tests for src/club/vote_contest.c: the rules' checks, items (videos, published articles, accepted submissions; each once, existing),
 * the life draft → open → closed and its refusals, days in the contest's zone. */
#include "db/db_article.h"
#include "testutil.h"
#include "vote_fixture.h"

#include <errno.h>
#include <string.h>

START_TEST(rules_checked)
{
  VoteContest c = { .title = "t", .time_zone = "Asia/Shanghai", .opens_at = base, .closes_at = base + 1,
                    .votes_per_day = 1, .tally = "live", .tally_interval = 3600 };
  const char *why = NULL;
  ck_assert_int_eq(vote_contest_check(&c, &why), 0);
  VoteContest bad[6];
  for (int i = 0; i < 6; i++)
    bad[i] = c;
  bad[0].title = "";
  bad[1].time_zone = "Mars/Olympus";
  bad[2].closes_at = base;
  bad[3].votes_per_day = 0;
  bad[4].tally = "sometimes";
  bad[5].tally_interval = 10;
  for (int i = 0; i < 6; i++) {
    ck_assert_msg(vote_contest_check(&bad[i], &why) == -EINVAL, "case %d", i);
    ck_assert_ptr_nonnull(why);
  }
}
END_TEST

START_TEST(contest_items)
{
  VoteContest *c = vf_contest("UTC", 1, "final");
  GPtrArray *got = NULL;
  ck_assert_int_eq(vote_contest_items(db, c->id, &got), 0);
  ck_assert_int_eq(got->len, 3);
  VoteItem *first = got->pdata[0];
  ck_assert_str_eq(first->id, videos[0]);
  ck_assert_str_eq(first->title, "作品 0");
  g_ptr_array_unref(got);
  GPtrArray *items = g_ptr_array_new_with_free_func((GDestroyNotify)vote_item_free);
  g_ptr_array_add(items, vote_item_new("video", videos[2]));
  g_ptr_array_add(items, vote_item_new("video", videos[2]));
  guint bad = 99;
  ck_assert_int_eq(vote_contest_set_items(db, c->id, items, &bad), -EINVAL);
  ck_assert_int_eq(bad, 1);
  g_ptr_array_remove_index(items, 1);
  g_ptr_array_add(items, vote_item_new("article", "a1"));
  ck_assert_int_eq(vote_contest_set_items(db, c->id, items, &bad), -EINVAL);
  g_ptr_array_remove_index(items, 1);
  g_ptr_array_add(items, vote_item_new("video", "no-such-video"));
  ck_assert_int_eq(vote_contest_set_items(db, c->id, items, &bad), -ENOENT);
  ck_assert_int_eq(bad, 1);
  g_ptr_array_remove_index(items, 1);
  ck_assert_int_eq(vote_contest_set_items(db, c->id, items, &bad), 0);
  ck_assert_int_eq(vote_contest_items(db, c->id, &got), 0);
  ck_assert_int_eq(got->len, 1);
  g_ptr_array_unref(got);
  /* Articles (published ones, by number) and accepted submissions are items too. */
  gint64 art = 0, draft = 0;
  ArticleInput pub = {.title = "劳模故事", .body_md = "# 故事", .publish = true};
  ArticleInput dr = {.title = "草稿", .body_md = "x"};
  ck_assert_int_eq(db_article_create(db, &pub, util_now(), &art), 0);
  ck_assert_int_eq(db_article_create(db, &dr, util_now(), &draft), 0);
  g_autofree char *art_id = g_strdup_printf("%" G_GINT64_FORMAT, art);
  g_autofree char *draft_id = g_strdup_printf("%" G_GINT64_FORMAT, draft);
  g_ptr_array_add(items, vote_item_new("article", draft_id));
  ck_assert_int_eq(vote_contest_set_items(db, c->id, items, &bad), -ENOENT); /* a draft */
  g_ptr_array_remove_index(items, 1);
  g_ptr_array_add(items, vote_item_new("submission", "no-such-submission"));
  ck_assert_int_eq(vote_contest_set_items(db, c->id, items, &bad), -ENOENT);
  g_ptr_array_remove_index(items, 1);
  g_ptr_array_add(items, vote_item_new("article", art_id));
  ck_assert_int_eq(vote_contest_set_items(db, c->id, items, &bad), 0);
  ck_assert_int_eq(vote_contest_items(db, c->id, &got), 0);
  ck_assert_int_eq(got->len, 2);
  VoteItem *second = got->pdata[1];
  ck_assert_str_eq(second->kind, "article");
  ck_assert_str_eq(second->title, "劳模故事");
  g_ptr_array_unref(got);
  g_ptr_array_unref(items);
  vote_contest_free(&c);
}
END_TEST

START_TEST(life)
{
  VoteContest *c = vf_contest("UTC", 1, "live");
  ck_assert_str_eq(c->state, "draft");
  ck_assert_int_eq(vote_contest_close(db, c, base), -EALREADY);
  ck_assert_int_eq(vote_contest_open(db, c, c->closes_at), -ERANGE);
  GPtrArray *none = g_ptr_array_new();
  guint bad = 0;
  ck_assert_int_eq(vote_contest_set_items(db, c->id, none, &bad), 0);
  g_ptr_array_unref(none);
  ck_assert_int_eq(vote_contest_open(db, c, base), -ENODATA);
  vote_contest_free(&c);

  ck_assert_str_eq(contest->state, "open");
  ck_assert(vote_contest_accepting(contest, base));
  ck_assert(!vote_contest_accepting(contest, contest->closes_at));
  ck_assert_int_eq(vote_contest_open(db, contest, base), -EALREADY);
  ck_assert_int_eq(vote_contest_close(db, contest, base), 0);
  ck_assert(!vote_contest_accepting(contest, base));
  ck_assert_int_eq(vote_contest_close(db, contest, base), -EALREADY);
  VoteContest *again = NULL;
  ck_assert_int_eq(vote_contest_get(db, contest->id, &again), 0);
  ck_assert_str_eq(again->state, "closed");
  ck_assert_int_eq(again->closed_at, base);
  ck_assert_ptr_nonnull(again->result_sha256);
  vote_contest_free(&again);
  GPtrArray *list = NULL;
  ck_assert_int_eq(vote_contest_list(db, false, &list), 0);
  ck_assert_int_eq(list->len, 1);  /* the draft left out */
  g_ptr_array_unref(list);
  ck_assert_int_eq(vote_contest_list(db, true, &list), 0);
  ck_assert_int_eq(list->len, 2);
  g_ptr_array_unref(list);
  ck_assert_int_eq(vote_contest_get(db, 9999, &again), -ENOENT);
}
END_TEST

START_TEST(days)
{
  VoteContest c = { .time_zone = "Asia/Shanghai" };
  /* 16:00 UTC is midnight in Shanghai. */
  gint64 midnight = base - 43200 + 16 * 3600;
  g_autofree char *before = vote_contest_day(&c, midnight - 1), *after = vote_contest_day(&c, midnight);
  ck_assert_str_ne(before, after);
  c.time_zone = "UTC";
  g_autofree char *u1 = vote_contest_day(&c, midnight - 1), *u2 = vote_contest_day(&c, midnight);
  ck_assert_str_eq(u1, u2);
}
END_TEST

static Suite *vote_contest_suite(void)
{
  Suite *s = suite_create("vote_contest");
  TCase *tc = tcase_create("core");
  tcase_add_checked_fixture(tc, vf_setup, vf_teardown);
  tcase_add_test(tc, rules_checked);
  tcase_add_test(tc, contest_items);
  tcase_add_test(tc, life);
  tcase_add_test(tc, days);
  suite_add_tcase(s, tc);
  return s;
}

TU_MAIN(vote_contest_suite)
