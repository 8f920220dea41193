/* Tests for src/chat/qa_rules.c: what each action does to a question in each state, and
 * the listing order (pinned, still to answer, most votes, oldest). */
#include "chat/qa_rules.h"
#include "testutil.h"

#include <errno.h>
#include <string.h>

static QaQuestion q0(QaState st)
{
  return (QaQuestion){ .id = 1, .state = st };
}

START_TEST(transitions)
{
  const char *why = NULL;
  bool newly = false;
  QaQuestion q = q0(QA_PENDING);
  /* Pending: pin refused until approved; approve opens it and approves it once. */
  ck_assert_int_eq(qa_apply(&q, QA_PIN, NULL, &newly, &why), -EINVAL);
  ck_assert_int_eq(qa_apply(&q, QA_APPROVE, NULL, &newly, &why), 0);
  ck_assert(q.state == QA_OPEN && q.approved && newly);
  ck_assert_int_eq(qa_apply(&q, QA_APPROVE, NULL, &newly, &why), -EINVAL);
  /* Answered live: pinned; approved before, so not newly. */
  ck_assert_int_eq(qa_apply(&q, QA_ANSWER_LIVE, NULL, &newly, &why), 0);
  ck_assert(q.state == QA_ANSWERED_LIVE && q.pinned && !newly);
  ck_assert_int_eq(qa_apply(&q, QA_UNPIN, NULL, &newly, &why), 0);
  ck_assert(!q.pinned);
  /* Answered in text: the answer is required, 1..1000 characters, trimmed. */
  ck_assert_int_eq(qa_apply(&q, QA_ANSWER, NULL, &newly, &why), -EINVAL);
  ck_assert_int_eq(qa_apply(&q, QA_ANSWER, "   ", &newly, &why), -EINVAL);
  char *big = g_strnfill(1001, 'x');
  ck_assert_int_eq(qa_apply(&q, QA_ANSWER, big, &newly, &why), -EINVAL);
  g_free(big);
  ck_assert_int_eq(qa_apply(&q, QA_ANSWER, "  下周三  ", &newly, &why), 0);
  ck_assert_str_eq(q.answer, "下周三");
  ck_assert(q.state == QA_ANSWERED && !q.pinned);
  /* Dismissed: final. */
  ck_assert_int_eq(qa_apply(&q, QA_DISMISS, NULL, &newly, &why), 0);
  ck_assert(q.state == QA_DISMISSED && !qa_visible(&q));
  for (int a = QA_APPROVE; a <= QA_DISMISS; a++)
    ck_assert_int_eq(qa_apply(&q, (QaAction)a, "x", &newly, &why), -EINVAL);
  g_free(q.answer);

  /* An open question (no pre-moderation) answered directly is newly approved; dismissing an
   * open one never approves it. */
  QaQuestion o = q0(QA_OPEN);
  ck_assert_int_eq(qa_apply(&o, QA_ANSWER_LIVE, NULL, &newly, &why), 0);
  ck_assert(newly && o.approved);
  QaQuestion d = q0(QA_OPEN);
  ck_assert_int_eq(qa_apply(&d, QA_DISMISS, NULL, &newly, &why), 0);
  ck_assert(!newly && !d.approved);
  QaQuestion p = q0(QA_PENDING);
  ck_assert(!qa_visible(&p));
  ck_assert(qa_visible(&o));
}
END_TEST

START_TEST(names)
{
  QaAction a;
  ck_assert_int_eq(qa_action_parse("answer_live", &a), 0);
  ck_assert_int_eq(a, QA_ANSWER_LIVE);
  ck_assert_str_eq(qa_action_name(QA_DISMISS), "dismiss");
  ck_assert_int_eq(qa_action_parse("delete", &a), -EINVAL);
  ck_assert_int_eq(qa_action_parse(NULL, &a), -EINVAL);
}
END_TEST

START_TEST(order)
{
  QaQuestion qs[] = {
    { .id = 1, .state = QA_OPEN, .votes = 2 },
    { .id = 2, .state = QA_OPEN, .votes = 5 },
    { .id = 3, .state = QA_ANSWERED, .votes = 9 },
    { .id = 4, .state = QA_OPEN, .votes = 2 },
    { .id = 5, .state = QA_ANSWERED_LIVE, .votes = 0, .pinned = true },
    { .id = 6, .state = QA_PENDING, .votes = 0 },
  };
  GPtrArray *a = g_ptr_array_new();
  for (guint i = 0; i < G_N_ELEMENTS(qs); i++)
    g_ptr_array_add(a, &qs[i]);
  g_ptr_array_sort(a, qa_order);
  gint64 want[] = { 5, 2, 1, 4, 6, 3 };
  for (guint i = 0; i < G_N_ELEMENTS(want); i++)
    ck_assert_int_eq(((QaQuestion *)a->pdata[i])->id, want[i]);
  g_ptr_array_unref(a);
}
END_TEST

static Suite *suite(void)
{
  Suite *su = suite_create("qa_rules");
  TCase *tc = tcase_create("qa_rules");
  tcase_add_test(tc, transitions);
  tcase_add_test(tc, names);
  tcase_add_test(tc, order);
  suite_add_tcase(su, tc);
  return su;
}

TU_MAIN(suite)
