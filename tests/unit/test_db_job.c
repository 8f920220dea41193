/* Tests for src/db/db_job.c: the queue's order, claims, progress, ends, orphans, JSON. */
#include "db/db_job.h"
#include "db/db_video.h"
#include "db_fixture.h"
#include "testutil.h"

#include <errno.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static char *dir;
static Db *db;

static void setup(void)
{
  db = tu_db_open(&dir);
}

static void teardown(void)
{
  tu_db_close(&db, &dir);
}

static char *new_job(const char *title)
{
  char *vid = NULL, *jid = NULL;
  ck_assert_int_eq(db_video_create_upload(db, title, NULL, NULL, NULL, &vid), 0);
  ck_assert_int_eq(db_job_create(db, vid, "uploads/x/source.mp4", &jid), 0);
  g_free(vid);
  g_usleep(1000);
  return jid;
}

START_TEST(claims_in_order_and_by_id)
{
  char *a = new_job("a"), *b = new_job("b"), *c = new_job("c");
  JobRow r;
  ck_assert_int_eq(db_job_claim(db, c, 4242, &r), 0); /* by id, out of turn */
  ck_assert_str_eq(r.id, c);
  ck_assert_str_eq(r.state, "running");
  ck_assert_int_eq(r.attempts, 1);
  db_job_row_clear(&r);
  ck_assert_int_eq(db_job_claim(db, c, 4242, &r), -ENOENT); /* taken already */
  ck_assert_int_eq(db_job_claim(db, NULL, 4242, &r), 0);
  ck_assert_str_eq(r.id, a); /* then the oldest */
  db_job_row_clear(&r);
  ck_assert_int_eq(db_job_claim(db, NULL, 4242, &r), 0);
  ck_assert_str_eq(r.id, b);
  db_job_row_clear(&r);
  ck_assert_int_eq(db_job_claim(db, NULL, 4242, &r), -ENOENT); /* empty queue */
  g_free(a);
  g_free(b);
  g_free(c);
}
END_TEST

START_TEST(progress_end_and_json)
{
  char *a = new_job("a");
  JobRow r;
  ck_assert_int_eq(db_job_progress(db, a, 0.5, 10), -ENOENT); /* not running yet */
  ck_assert_int_eq(db_job_claim(db, a, (int)getpid(), &r), 0);
  db_job_row_clear(&r);
  ck_assert_int_eq(db_job_progress(db, a, 0.25, 30), 0);
  int rc = -1;
  JsonNode *node = db_job_json(db, a, &rc);
  ck_assert_int_eq(rc, 0);
  char *json = json_to_string(node, FALSE);
  json_node_unref(node);
  ck_assert_msg(strstr(json, "\"state\":\"running\"") && strstr(json, "\"progress\":0.25") &&
                strstr(json, "\"eta_seconds\":30"), "%s", json);
  g_free(json);
  ck_assert_int_eq(db_job_end(db, a, "sideways", NULL), -EINVAL);
  ck_assert_int_eq(db_job_end(db, a, "failed", "no video stream"), 0);
  ck_assert_int_eq(db_job_end(db, a, "done", NULL), -ENOENT); /* ended already */
  ck_assert_int_eq(db_job_get(db, a, &r), 0);
  ck_assert_str_eq(r.state, "failed");
  ck_assert_str_eq(r.error, "no video stream");
  db_job_row_clear(&r);
  ck_assert_ptr_null(db_job_json(db, "nope", &rc));
  ck_assert_int_eq(rc, -ENOENT);
  g_free(a);
}
END_TEST

/* A job left running by a process that is gone goes back to the queue; one whose process
 * lives (this one) stays. */
START_TEST(orphans_are_queued_again)
{
  char *mine = new_job("mine"), *lost = new_job("lost");
  JobRow r;
  ck_assert_int_eq(db_job_claim(db, mine, (int)getpid(), &r), 0);
  db_job_row_clear(&r);
  pid_t child = fork();
  if (child == 0)
    _exit(0);
  waitpid(child, NULL, 0); /* a pid that is surely gone */
  ck_assert_int_eq(db_job_claim(db, lost, (int)child, &r), 0);
  db_job_row_clear(&r);
  ck_assert_int_eq(db_job_requeue_orphans(db), 1);
  ck_assert_int_eq(db_job_get(db, lost, &r), 0);
  ck_assert_str_eq(r.state, "queued");
  db_job_row_clear(&r);
  ck_assert_int_eq(db_job_get(db, mine, &r), 0);
  ck_assert_str_eq(r.state, "running");
  db_job_row_clear(&r);
  ck_assert_int_eq(db_job_claim(db, NULL, (int)getpid(), &r), 0);
  ck_assert_str_eq(r.id, lost);
  ck_assert_int_eq(r.attempts, 2);
  db_job_row_clear(&r);
  g_free(mine);
  g_free(lost);
}
END_TEST

static Suite *db_job_suite(void)
{
  Suite *s = suite_create("db_job");
  TCase *tc = tcase_create("db_job");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, claims_in_order_and_by_id);
  tcase_add_test(tc, progress_end_and_json);
  tcase_add_test(tc, orphans_are_queued_again);
  suite_add_tcase(s, tc);
  return s;
}

TU_MAIN(db_job_suite)
