/* Tests for src/club/submit_state.c: every move of the graph is allowed to its actor only, and
 * every other pair of states is refused (final states refuse everything). */
#include "testutil.h"
#include "club/submit_state.h"

#include <errno.h>
#include <string.h>

static const char *const all[] = {SUBMIT_RECEIVED, SUBMIT_PROCESSING, SUBMIT_IN_REVIEW, SUBMIT_ACCEPTED,
  SUBMIT_REJECTED, SUBMIT_CHANGES, SUBMIT_FAILED};
#define N_STATES 7

typedef struct {
  const char *from, *to;
  SubmitActor actor;
} Legal;

static const Legal legal[] = {
  {SUBMIT_RECEIVED, SUBMIT_PROCESSING, SUBMIT_BY_SERVER},
  {SUBMIT_RECEIVED, SUBMIT_IN_REVIEW, SUBMIT_BY_MEMBER},
  {SUBMIT_PROCESSING, SUBMIT_IN_REVIEW, SUBMIT_BY_SERVER},
  {SUBMIT_PROCESSING, SUBMIT_FAILED, SUBMIT_BY_SERVER},
  {SUBMIT_IN_REVIEW, SUBMIT_ACCEPTED, SUBMIT_BY_EDITOR},
  {SUBMIT_IN_REVIEW, SUBMIT_REJECTED, SUBMIT_BY_EDITOR},
  {SUBMIT_IN_REVIEW, SUBMIT_CHANGES, SUBMIT_BY_EDITOR},
  {SUBMIT_CHANGES, SUBMIT_IN_REVIEW, SUBMIT_BY_MEMBER},
  {SUBMIT_CHANGES, SUBMIT_RECEIVED, SUBMIT_BY_MEMBER},
  {SUBMIT_FAILED, SUBMIT_RECEIVED, SUBMIT_BY_MEMBER},
};

static int legal_actor(const char *from, const char *to)
{
  for (size_t i = 0; i < G_N_ELEMENTS(legal); i++)
    if (strcmp(legal[i].from, from) == 0 && strcmp(legal[i].to, to) == 0)
      return (int)legal[i].actor;
  return -1;
}

START_TEST(every_pair)
{
  int allowed = 0;
  for (int i = 0; i < N_STATES; i++)
    for (int j = 0; j < N_STATES; j++)
      for (int a = SUBMIT_BY_SERVER; a <= SUBMIT_BY_EDITOR; a++) {
        int rc = submit_state_check(all[i], all[j], (SubmitActor)a);
        int who = legal_actor(all[i], all[j]);
        if (submit_state_final(all[i]))
          ck_assert_msg(rc == -EALREADY, "%s -> %s", all[i], all[j]);
        else if (who == a)
          ck_assert_msg(rc == 0, "%s -> %s by %d refused", all[i], all[j], a), allowed++;
        else if (who >= 0)
          ck_assert_msg(rc == -EPERM, "%s -> %s by %d: %d", all[i], all[j], a, rc);
        else
          ck_assert_msg(rc == -ENOTSUP, "%s -> %s by %d: %d", all[i], all[j], a, rc);
      }
  ck_assert_int_eq(allowed, G_N_ELEMENTS(legal));
}
END_TEST

START_TEST(editors_decide_only_in_review)
{
  ck_assert_int_eq(submit_state_check(SUBMIT_PROCESSING, SUBMIT_ACCEPTED, SUBMIT_BY_EDITOR), -ENOTSUP);
  ck_assert_int_eq(submit_state_check(SUBMIT_RECEIVED, SUBMIT_REJECTED, SUBMIT_BY_EDITOR), -ENOTSUP);
  ck_assert_int_eq(submit_state_check(SUBMIT_ACCEPTED, SUBMIT_REJECTED, SUBMIT_BY_EDITOR), -EALREADY);
  ck_assert_int_eq(submit_state_check(SUBMIT_IN_REVIEW, SUBMIT_ACCEPTED, SUBMIT_BY_MEMBER), -EPERM);
  ck_assert_int_eq(submit_state_check("approved", SUBMIT_ACCEPTED, SUBMIT_BY_EDITOR), -EINVAL);
  ck_assert_int_eq(submit_state_check(NULL, SUBMIT_ACCEPTED, SUBMIT_BY_EDITOR), -EINVAL);
  ck_assert_str_eq(submit_state_for_action("accept"), SUBMIT_ACCEPTED);
  ck_assert_str_eq(submit_state_for_action("reject"), SUBMIT_REJECTED);
  ck_assert_str_eq(submit_state_for_action("request_changes"), SUBMIT_CHANGES);
  ck_assert_ptr_null(submit_state_for_action("publish"));
  ck_assert(!submit_state_known("approved"));
}
END_TEST

static Suite *submit_state_suite(void)
{
  Suite *s = suite_create("submit_state");
  TCase *tc = tcase_create("core");
  tcase_add_test(tc, every_pair);
  tcase_add_test(tc, editors_decide_only_in_review);
  suite_add_tcase(s, tc);
  return s;
}

TU_MAIN(submit_state_suite)
