/* Tests for src/db/db_qa.c: questions stored and read back with their asker's name, state
 * updates, unpinning the others, upvotes once per member (the count follows), the Q&A
 * setting, and presenter links replaced by rotation. */
#include "auth/auth.h"
#include "db/db_qa.h"
#include "db_fixture.h"
#include "testutil.h"

#include <errno.h>
#include <string.h>

static char *dir;
static Db *db;
static char *vod, *live;
static Member *m;
static const guint8 key[TOKEN_SECRET_LEN] = { 6 };

static void setup(void)
{
  db = tu_db_open(&dir);
  tu_db_watchable(db, &vod, &live);
  char *t = NULL;
  ck_assert_int_eq(auth_member_create(db, key, "提问者", ROLE_VIEWER, true, &m, &t), 0);
  g_free(t);
}

static void teardown(void)
{
  member_free(&m);
  tu_db_close(&db, &dir);
  g_free(vod);
  g_free(live);
}

START_TEST(questions_and_votes)
{
  QaQuestion a = { .video = live, .member = m->id, .text = "第一", .live_time = 12.5, .created_at = 100,
                   .state = QA_PENDING };
  QaQuestion b = { .video = live, .member = m->id, .text = "第二", .live_time = 13, .created_at = 101,
                   .state = QA_OPEN };
  ck_assert_int_eq(db_qa_question_insert(db, &a), 0);
  ck_assert_int_eq(db_qa_question_insert(db, &b), 0);
  QaQuestion bad = { .video = live, .member = m->id, .text = "", .state = QA_OPEN };
  ck_assert_int_eq(db_qa_question_insert(db, &bad), -EINVAL);

  QaQuestion *q = NULL;
  ck_assert_int_eq(db_qa_question_get(db, a.id, &q), 0);
  ck_assert_str_eq(q->name, "提问者");
  ck_assert(q->state == QA_PENDING && q->live_time == 12.5 && !q->answer);
  q->state = QA_ANSWERED;
  q->answer = g_strdup("答");
  q->approved = true;
  q->pinned = true;
  ck_assert_int_eq(db_qa_question_update(db, q, "editor", 200), 0);
  qa_question_free(q);
  ck_assert_int_eq(db_qa_question_get(db, a.id, &q), 0);
  ck_assert(q->state == QA_ANSWERED && q->approved && q->pinned);
  ck_assert_str_eq(q->answer, "答");
  qa_question_free(q);
  ck_assert_int_eq(db_qa_question_get(db, 999, &q), -ENOENT);

  GArray *unpinned = g_array_new(FALSE, FALSE, sizeof(gint64));
  ck_assert_int_eq(db_qa_unpin_others(db, live, b.id, unpinned), 0);
  ck_assert_int_eq(unpinned->len, 1);
  ck_assert_int_eq(g_array_index(unpinned, gint64, 0), a.id);
  g_array_unref(unpinned);

  bool added = false;
  ck_assert_int_eq(db_qa_vote_add(db, b.id, "x", 1, &added), 0);
  ck_assert(added);
  ck_assert_int_eq(db_qa_vote_add(db, b.id, "x", 2, &added), 0);
  ck_assert(!added);
  ck_assert_int_eq(db_qa_vote_add(db, b.id, "y", 2, &added), 0);
  GPtrArray *all = NULL;
  ck_assert_int_eq(db_qa_questions(db, live, false, &all), 0);
  ck_assert_int_eq(all->len, 2);
  ck_assert_int_eq(((QaQuestion *)all->pdata[1])->votes, 2);
  g_ptr_array_unref(all);
  /* Dismissed ones only when asked for. */
  ck_assert_int_eq(db_qa_question_get(db, b.id, &q), 0);
  q->state = QA_DISMISSED;
  ck_assert_int_eq(db_qa_question_update(db, q, "editor", 300), 0);
  qa_question_free(q);
  ck_assert_int_eq(db_qa_questions(db, live, false, &all), 0);
  ck_assert_int_eq(all->len, 1);
  g_ptr_array_unref(all);
  ck_assert_int_eq(db_qa_questions(db, live, true, &all), 0);
  ck_assert_int_eq(all->len, 2);
  g_ptr_array_unref(all);
}
END_TEST

START_TEST(settings_and_links)
{
  bool premod = true;
  ck_assert_int_eq(db_qa_settings_get(db, live, &premod), 0);
  ck_assert(!premod);
  ck_assert_int_eq(db_qa_settings_put(db, live, true, "editor", 1), 0);
  ck_assert_int_eq(db_qa_settings_get(db, live, &premod), 0);
  ck_assert(premod);

  char *hash = NULL, *member = NULL;
  gint64 at = 0;
  ck_assert_int_eq(db_presenter_link_get(db, live, &hash, &member, &at), -ENOENT);
  ck_assert_int_eq(db_presenter_link_put(db, live, "h1", m->id, "editor", 10), 0);
  ck_assert_int_eq(db_presenter_link_put(db, live, "h2", NULL, "editor", 20), 0);
  ck_assert_int_eq(db_presenter_link_get(db, live, &hash, &member, &at), 0);
  ck_assert_str_eq(hash, "h2");
  ck_assert_ptr_null(member);
  ck_assert_int_eq(at, 20);
  g_free(hash);
  /* A hash is one live's only. */
  ck_assert_int_eq(db_presenter_link_put(db, vod, "h2", NULL, "editor", 30), -EEXIST);
}
END_TEST

static Suite *suite(void)
{
  Suite *su = suite_create("db_qa");
  TCase *tc = tcase_create("db_qa");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, questions_and_votes);
  tcase_add_test(tc, settings_and_links);
  suite_add_tcase(su, tc);
  return su;
}

TU_MAIN(suite)
