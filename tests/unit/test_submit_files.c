/* Tests for src/club/submit_files.c: an erasure's files are the member's unused pictures, as
 * paths in the image store, and removing them deletes those files and no other. */
#include "club/submit_files.h"
#include "db/db_article.h"
#include "db/db_member_image.h"
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

static Suite *submit_files_suite(void)
{
  Suite *s = suite_create("submit_files");
  TCase *tc = tcase_create("core");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, unused_pictures_are_deleted_used_ones_kept);
  suite_add_tcase(s, tc);
  return s;
}

TU_MAIN(submit_files_suite)
