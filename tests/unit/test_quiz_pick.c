/* Tests for src/club/quiz_pick.c: the least-seen questions first and at random among equals,
 * shuffles that are permutations and vary, exact-set scoring, the time limit's edge, points
 * within what the caps leave. */
#include "club/quiz_pick.h"
#include "testutil.h"

#include <string.h>

START_TEST(select_prefers_the_least_seen_and_never_repeats)
{
  QuizCandidate c[6];
  for (int i = 0; i < 6; i++)
    c[i] = (QuizCandidate){ .question_id = i + 1, .version_id = 10 + i, .seen = i < 3 ? 1 : 0 };
  GRand *rng = g_rand_new_with_seed(7);
  for (int round = 0; round < 50; round++) {
    guint out[4];
    guint n = quiz_pick_select(c, 6, 4, rng, out);
    ck_assert_uint_eq(n, 4);
    int unseen = 0;
    for (guint i = 0; i < n; i++) {
      for (guint j = 0; j < i; j++)
        ck_assert_uint_ne(out[i], out[j]);               /* no question twice */
      unseen += c[out[i]].seen == 0;
    }
    ck_assert_int_eq(unseen, 3);                         /* every unseen one, then one seen */
  }
  guint out[10];
  ck_assert_uint_eq(quiz_pick_select(c, 6, 10, rng, out), 6);  /* fewer than asked */
  ck_assert_uint_eq(quiz_pick_select(c, 0, 3, rng, out), 0);
  g_rand_free(rng);
}
END_TEST

START_TEST(select_is_random_among_equals)
{
  QuizCandidate c[8] = { 0 };
  int first[8] = { 0 };
  GRand *rng = g_rand_new_with_seed(11);
  for (int round = 0; round < 800; round++) {
    guint out[3];
    quiz_pick_select(c, 8, 3, rng, out);
    first[out[0]]++;
  }
  for (int i = 0; i < 8; i++)
    ck_assert_msg(first[i] > 50 && first[i] < 150, "candidate %d first %d times of 800", i, first[i]);
  g_rand_free(rng);
}
END_TEST

START_TEST(shuffle_is_a_permutation_and_varies)
{
  GRand *rng = g_rand_new_with_seed(3);
  int moved = 0;
  for (int round = 0; round < 100; round++) {
    guint perm[5];
    quiz_pick_shuffle(5, rng, perm);
    guint seen = 0;
    for (int i = 0; i < 5; i++) {
      ck_assert_uint_lt(perm[i], 5);
      seen |= 1u << perm[i];
    }
    ck_assert_uint_eq(seen, 0x1f);
    moved += perm[0] != 0;
  }
  ck_assert_int_gt(moved, 60);  /* the right option is not always first (about 80 of 100) */
  ck_assert_int_lt(moved, 95);
  g_rand_free(rng);
}
END_TEST

START_TEST(an_answer_is_right_only_as_the_exact_set)
{
  guint one[] = { 2 }, two[] = { 0, 3 };
  ck_assert(quiz_pick_correct(one, 1, (guint[]){ 2 }, 1));
  ck_assert(!quiz_pick_correct(one, 1, (guint[]){ 1 }, 1));
  ck_assert(!quiz_pick_correct(one, 1, (guint[]){ 2, 1 }, 2));  /* ticking everything is wrong */
  ck_assert(!quiz_pick_correct(one, 1, NULL, 0));                 /* no answer */
  ck_assert(quiz_pick_correct(two, 2, (guint[]){ 3, 0 }, 2));     /* any order */
  ck_assert(quiz_pick_correct(two, 2, (guint[]){ 3, 0, 3 }, 3));  /* repeats count once */
  ck_assert(!quiz_pick_correct(two, 2, (guint[]){ 3 }, 1));       /* half is wrong */
  ck_assert(!quiz_pick_correct(two, 2, (guint[]){ 70 }, 1));
}
END_TEST

START_TEST(late_is_past_the_limit_on_the_servers_clock)
{
  ck_assert(!quiz_pick_late(1000, 1000 + 30000, 30));  /* the limit itself is in time */
  ck_assert(quiz_pick_late(1000, 1000 + 30001, 30));
  ck_assert(!quiz_pick_late(1000, 1500, 30));
}
END_TEST

START_TEST(points_within_what_the_caps_leave)
{
  ck_assert_int_eq(quiz_pick_points(4, 2, -1), 8);
  ck_assert_int_eq(quiz_pick_points(4, 2, 5), 5);
  ck_assert_int_eq(quiz_pick_points(4, 2, 0), 0);
  ck_assert_int_eq(quiz_pick_points(0, 2, -1), 0);
}
END_TEST

static Suite *quiz_pick_suite(void)
{
  Suite *s = suite_create("quiz_pick");
  TCase *tc = tcase_create("quiz_pick");
  tcase_add_test(tc, select_prefers_the_least_seen_and_never_repeats);
  tcase_add_test(tc, select_is_random_among_equals);
  tcase_add_test(tc, shuffle_is_a_permutation_and_varies);
  tcase_add_test(tc, an_answer_is_right_only_as_the_exact_set);
  tcase_add_test(tc, late_is_past_the_limit_on_the_servers_clock);
  tcase_add_test(tc, points_within_what_the_caps_leave);
  suite_add_tcase(s, tc);
  return s;
}

TU_MAIN(quiz_pick_suite)
