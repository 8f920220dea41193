/* Tests for src/club/submit_files.c: an erasure's files are the member's unused pictures (as
 * paths in the image store) and the partial files of their unfinished uploads, and removing them
 * deletes those files and no other; the sweep ends uploads idle for [submit] upload_max_age and
 * no other. */
#include "club/submit_files.h"
#include "db/db_article.h"
#include "db/db_member_image.h"
#include "db/db_submission.h"
#include "db_fixture.h"

#include <errno.h>
#include <string.h>

static char *dir;
static Db *db;
static Config cfg;

static void setup(void)
{
  db = tu_db_open(&dir);
  memset(&cfg, 0, sizeof cfg);
  cfg.data_dir = dir;
}

static void teardown(void)
{
  tu_db_close(&db, &dir);
}

static char *image(const char *name)
{
  char *images = g_build_filename(dir, "images", NULL);
  g_mkdir_with_parents(images, 0755);
  char *path = tu_write(images, name, "\x89PNG\r\n\x1a\n");
  g_free(images);
  return path;
}

START_TEST(unused_pictures_are_deleted_used_ones_kept)
{
  gint64 now = util_now(), id = 0;
  char *used = image("used.png"), *mine = image("mine.png"), *other = image("other.png");
  ck_assert_int_eq(db_member_image_add(db, "m1", "used.png", 8, now, NULL), 0);
  ck_assert_int_eq(db_member_image_add(db, "m1", "mine.png", 8, now, NULL), 0);
  ck_assert_int_eq(db_member_image_add(db, "m1", "gone.png", 8, now, NULL), 0); /* no file */
  ck_assert_int_eq(db_member_image_add(db, "m2", "other.png", 8, now, NULL), 0);
  ArticleInput a = { .title = "采用", .body_md = "![](/images/used.png)", .publish = true };
  ck_assert_int_eq(db_article_create(db, &a, now, &id), 0);

  char **paths = NULL;
  ck_assert_int_eq(submit_files_of_member(db, &cfg, "m1", &paths), 0);
  ck_assert_int_eq(g_strv_length(paths), 2);
  ck_assert(g_str_has_suffix(paths[0], "/images/gone.png"));
  ck_assert_str_eq(paths[1], mine);
  int removed = -1;
  ck_assert_int_eq(submit_files_remove(paths, &removed), 0);
  ck_assert_int_eq(removed, 1); /* a file already gone is fine */
  ck_assert(!g_file_test(mine, G_FILE_TEST_EXISTS));
  ck_assert(g_file_test(used, G_FILE_TEST_EXISTS));
  ck_assert(g_file_test(other, G_FILE_TEST_EXISTS));
  g_strfreev(paths);
  g_free(used);
  g_free(mine);
  g_free(other);
}
END_TEST

/* An unfinished upload of MEMBER last touched at AT, with a partial file; its id (caller frees). */
static char *partial_upload(const char *member, gint64 at)
{
  SubmitCall c = {.title = "征集", .description = "", .kinds = "[\"pdf\"]", .opens_at = at - 60,
                  .closes_at = at + 3600, .fields = "[]", .max_bytes = 1000, .max_seconds = 60,
                  .created_by = "ed"};
  ck_assert_int_eq(db_submission_call_save(db, &c, at), 0);
  Submission s = {.call_id = c.id, .member_id = (char *)member, .kind = "pdf", .title = "案例",
                  .state = "received"};
  ck_assert_int_eq(db_submission_create(db, &s, at), 0);
  SubmitUpload u = {.submission_id = s.id, .member_id = (char *)member, .length = 100};
  ck_assert_int_eq(db_submission_upload_create(db, &u, at), 0);
  ck_assert_int_eq(db_submission_upload_advance(db, u.id, 0, 10, at), 0);
  char *tus = g_build_filename(dir, "uploads", "tus", NULL);
  g_mkdir_with_parents(tus, 0755);
  g_free(tu_write(tus, u.id, "%PDF-1.4 12"));
  g_free(tus);
  g_free(s.id);
  return u.id;
}

static bool partial_exists(const char *id)
{
  char *p = submit_files_tus_path(&cfg, id);
  bool there = g_file_test(p, G_FILE_TEST_EXISTS);
  g_free(p);
  return there;
}

START_TEST(an_erasure_takes_partial_uploads_too)
{
  char *mine = partial_upload("m1", util_now()), *theirs = partial_upload("m2", util_now());
  char **paths = NULL;
  ck_assert_int_eq(submit_files_of_member(db, &cfg, "m1", &paths), 0);
  ck_assert_int_eq(g_strv_length(paths), 1);
  ck_assert(g_str_has_suffix(paths[0], mine));
  ck_assert_int_eq(submit_files_remove(paths, NULL), 0);
  ck_assert(!partial_exists(mine));
  ck_assert(partial_exists(theirs));
  g_strfreev(paths);
  g_free(mine);
  g_free(theirs);
}
END_TEST

START_TEST(the_sweep_ends_idle_uploads_only)
{
  gint64 now = util_now();
  cfg.submit_upload_max_age = 3600;
  char *idle = partial_upload("m1", now - 3601), *busy = partial_upload("m1", now - 3599);
  int ended = -1;
  ck_assert_int_eq(submit_files_sweep(db, &cfg, now, &ended), 0);
  ck_assert_int_eq(ended, 1);
  SubmitUpload *u = NULL;
  ck_assert_int_eq(db_submission_upload_get(db, idle, &u), -ENOENT);
  ck_assert(!partial_exists(idle));
  ck_assert_int_eq(db_submission_upload_get(db, busy, &u), 0);
  submit_upload_free(&u);
  ck_assert(partial_exists(busy));
  /* Nothing left to end: a second sweep changes nothing. */
  ck_assert_int_eq(submit_files_sweep(db, &cfg, now, &ended), 0);
  ck_assert_int_eq(ended, 0);
  g_free(idle);
  g_free(busy);
}
END_TEST

static Suite *submit_files_suite(void)
{
  Suite *s = suite_create("submit_files");
  TCase *tc = tcase_create("core");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, unused_pictures_are_deleted_used_ones_kept);
  tcase_add_test(tc, an_erasure_takes_partial_uploads_too);
  tcase_add_test(tc, the_sweep_ends_idle_uploads_only);
  suite_add_tcase(s, tc);
  return s;
}

TU_MAIN(submit_files_suite)
