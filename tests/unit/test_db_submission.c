/* Tests for src/db/db_submission.c: calls saved and read, submissions moved only from the
 * state they are in (a second editor's move is stale) with every move logged, upload offsets
 * that only move forward from where they are, and video submissions following their video. */
#include "db/db_submission.h"
#include "db/db_video.h"
#include "db_fixture.h"
#include "testutil.h"

#include <errno.h>
#include <string.h>

static char *dir;
static Db *db;
static gint64 now;

static void setup(void)
{
  db = tu_db_open(&dir);
  now = g_get_real_time() / G_USEC_PER_SEC;
}

static void teardown(void)
{
  tu_db_close(&db, &dir);
}

static gint64 new_call(gint64 max_seconds)
{
  SubmitCall c = {.title = "微视频征集", .description = "", .kinds = "[\"video\",\"pdf\"]",
                  .opens_at = now - 60, .closes_at = now + 3600, .real_name_only = true,
                  .fields = "[]", .max_bytes = 1000, .max_seconds = max_seconds, .created_by = "ed"};
  ck_assert_int_eq(db_submission_call_save(db, &c, now), 0);
  ck_assert_int_gt(c.id, 0);
  return c.id;
}

static char *new_submission(gint64 call, const char *kind)
{
  Submission s = {.call_id = call, .member_id = "m1", .kind = (char *)kind, .title = "我的作品",
                  .state = "received"};
  ck_assert_int_eq(db_submission_create(db, &s, now), 0);
  return s.id;
}

START_TEST(calls)
{
  gint64 id = new_call(600);
  SubmitCall *c = NULL;
  ck_assert_int_eq(db_submission_call_get(db, id, &c), 0);
  ck_assert_str_eq(c->title, "微视频征集");
  ck_assert(db_submission_call_takes(c, "video"));
  ck_assert(db_submission_call_takes(c, "pdf"));
  ck_assert(!db_submission_call_takes(c, "text"));
  c->closes_at = c->opens_at; /* the schema wants a window */
  ck_assert_int_lt(db_submission_call_save(db, c, now), 0);
  submit_call_free(&c);
}
END_TEST

START_TEST(moves_are_checked_against_the_current_state)
{
  char *id = new_submission(new_call(600), "pdf");
  ck_assert_int_eq(db_submission_move(db, id, "received", "processing", NULL, NULL, now), 0);
  ck_assert_int_eq(db_submission_move(db, id, "processing", "in_review", NULL, NULL, now), 0);
  ck_assert_int_eq(db_submission_move(db, id, "in_review", "rejected", "ed", "off topic", now), 0);
  /* A second editor who read it "in review" is too late. */
  ck_assert_int_eq(db_submission_move(db, id, "in_review", "accepted", "ed2", NULL, now), -ESTALE);
  Submission *s = NULL;
  ck_assert_int_eq(db_submission_get(db, id, &s), 0);
  ck_assert_str_eq(s->state, "rejected");
  ck_assert_str_eq(s->reason, "off topic");
  submission_free(&s);
  int rc = 0;
  JsonNode *ev = db_submission_events_json(db, id, &rc);
  ck_assert_ptr_nonnull(ev);
  JsonArray *a = json_node_get_array(ev);
  ck_assert_int_eq(json_array_get_length(a), 4);
  ck_assert(json_object_get_null_member(json_array_get_object_element(a, 0), "from"));
  ck_assert_str_eq(json_object_get_string_member(json_array_get_object_element(a, 3), "to"), "rejected");
  ck_assert_str_eq(json_object_get_string_member(json_array_get_object_element(a, 3), "by"), "ed");
  json_node_unref(ev);
  /* The log is append-only. */
  ck_assert_int_ne(sqlite3_exec(db->conn, "DELETE FROM submission_event", NULL, NULL, NULL), SQLITE_OK);
  g_free(id);
}
END_TEST

START_TEST(upload_offsets)
{
  char *sid = new_submission(new_call(600), "pdf");
  SubmitUpload u = {.submission_id = sid, .member_id = "m1", .length = 100};
  ck_assert_int_eq(db_submission_upload_create(db, &u, now), 0);
  gint64 n = -1;
  ck_assert_int_eq(db_submission_upload_open_count(db, "m1", &n), 0);
  ck_assert_int_eq(n, 1);
  ck_assert_int_eq(db_submission_upload_advance(db, u.id, 0, 40, now), 0);
  ck_assert_int_eq(db_submission_upload_advance(db, u.id, 0, 40, now), -ESTALE); /* sent twice */
  ck_assert_int_lt(db_submission_upload_advance(db, u.id, 40, 101, now), 0); /* past the length */
  ck_assert_int_eq(db_submission_upload_advance(db, u.id, 40, 100, now), 0);
  SubmitUpload *got = NULL;
  ck_assert_int_eq(db_submission_upload_get(db, u.id, &got), 0);
  ck_assert_int_eq(got->offset, 100);
  ck_assert_int_gt(got->finished_at, 0);
  submit_upload_free(&got);
  ck_assert_int_eq(db_submission_upload_open_count(db, "m1", &n), 0);
  ck_assert_int_eq(n, 0);
  ck_assert_int_eq(db_submission_upload_advance(db, u.id, 100, 100, now), -ESTALE); /* finished */
  g_free(u.id);
  g_free(sid);
}
END_TEST

START_TEST(videos_move_with_their_video)
{
  gint64 call = new_call(60);
  char *ok = new_submission(call, "video"), *lng = new_submission(call, "video"), *bad = new_submission(call, "video");
  char *vids[3];
  char *subs[3] = {ok, lng, bad};
  for (int i = 0; i < 3; i++) {
    ck_assert_int_eq(db_video_create_upload(db, "v", NULL, NULL, NULL, &vids[i]), 0);
    ck_assert_int_eq(db_submission_set_file(db, subs[i], "uploads/x", 10, vids[i], now), 0);
    ck_assert_int_eq(db_submission_move(db, subs[i], "received", "processing", NULL, NULL, now), 0);
  }
  ck_assert_int_eq(db_submission_sync_videos(db, now), 0); /* nothing ready yet */
  ck_assert_int_eq(db_video_set_media(db, vids[0], 30000, NULL), 0);
  ck_assert_int_eq(db_video_set_media(db, vids[1], 61000, NULL), 0);
  ck_assert_int_eq(db_video_set_state(db, vids[0], "processing", "ready", NULL, NULL), 0);
  ck_assert_int_eq(db_video_set_state(db, vids[1], "processing", "ready", NULL, NULL), 0);
  ck_assert_int_eq(db_video_set_state(db, vids[2], "processing", "failed", "bad", "the file is not a video"), 0);
  ck_assert_int_eq(db_submission_sync_videos(db, now), 3);
  const char *want[3] = {"in_review", "failed", "failed"};
  for (int i = 0; i < 3; i++) {
    Submission *s = NULL;
    ck_assert_int_eq(db_submission_get(db, subs[i], &s), 0);
    ck_assert_msg(strcmp(s->state, want[i]) == 0, "%d: %s", i, s->state);
    if (i == 1)
      ck_assert_ptr_nonnull(strstr(s->reason, "60 s"));
    submission_free(&s);
    g_free(vids[i]);
    g_free(subs[i]);
  }
  ck_assert_int_eq(db_submission_sync_videos(db, now), 0);
}
END_TEST

START_TEST(queue_filters)
{
  gint64 call = new_call(600);
  char *a = new_submission(call, "video"), *b = new_submission(call, "pdf");
  ck_assert_int_eq(db_submission_move(db, b, "received", "processing", NULL, NULL, now), 0);
  int rc = 0;
  SubmitFilter f = {.kind = "pdf"};
  JsonNode *n = db_submission_list_json(db, &f, &rc);
  ck_assert_int_eq(json_array_get_length(json_node_get_array(n)), 1);
  json_node_unref(n);
  SubmitFilter g = {.state = "received", .call_id = call};
  n = db_submission_list_json(db, &g, &rc);
  ck_assert_int_eq(json_array_get_length(json_node_get_array(n)), 1);
  ck_assert_str_eq(json_object_get_string_member(json_array_get_object_element(json_node_get_array(n), 0), "id"), a);
  json_node_unref(n);
  SubmitFilter h = {.call_id = call + 1};
  n = db_submission_list_json(db, &h, &rc);
  ck_assert_int_eq(json_array_get_length(json_node_get_array(n)), 0);
  json_node_unref(n);
  g_free(a);
  g_free(b);
}
END_TEST

static Suite *db_submission_suite(void)
{
  Suite *s = suite_create("db_submission");
  TCase *tc = tcase_create("core");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, calls);
  tcase_add_test(tc, moves_are_checked_against_the_current_state);
  tcase_add_test(tc, upload_offsets);
  tcase_add_test(tc, videos_move_with_their_video);
  tcase_add_test(tc, queue_filters);
  suite_add_tcase(s, tc);
  return s;
}

TU_MAIN(db_submission_suite)
