/* Tests for src/db/db_member_image.c: who uploaded which picture, counted per member over a
 * window (the same picture twice counts once), and which of a member's pictures nothing else
 * uses (what an erasure may delete). */
#include "db/db_article.h"
#include "db/db_member_image.h"
#include "db/db_video.h"
#include "db_fixture.h"

#include <errno.h>
#include <string.h>

static char *dir;
static Db *db;
static gint64 now;

static void setup(void)
{
  db = tu_db_open(&dir);
  now = util_now();
}

static void teardown(void)
{
  tu_db_close(&db, &dir);
}

START_TEST(added_once_and_counted_in_the_window)
{
  bool added = false;
  ck_assert_int_eq(db_member_image_add(db, "m1", "aa.png", 10, now - 90000, &added), 0);
  ck_assert(added);
  ck_assert_int_eq(db_member_image_add(db, "m1", "bb.jpg", 10, now - 60, &added), 0);
  ck_assert(added);
  /* The same picture again: one row, not counted twice. */
  ck_assert_int_eq(db_member_image_add(db, "m1", "bb.jpg", 10, now, &added), 0);
  ck_assert(!added);
  ck_assert_int_eq(db_member_image_add(db, "m2", "bb.jpg", 10, now, &added), 0);
  ck_assert(added);
  ck_assert_int_eq(db_member_image_add(db, "m1", "", 10, now, NULL), -EINVAL);
  ck_assert_int_eq(db_member_image_add(db, "m1", "cc.png", 0, now, NULL), -EINVAL);
  gint64 n = -1;
  ck_assert_int_eq(db_member_image_count_since(db, "m1", now - 86400, &n), 0);
  ck_assert_int_eq(n, 1);  /* aa.png is older than a day */
  ck_assert_int_eq(db_member_image_count_since(db, "m1", 0, &n), 0);
  ck_assert_int_eq(n, 2);
  ck_assert_int_eq(db_member_image_count_since(db, "nobody", 0, &n), 0);
  ck_assert_int_eq(n, 0);
}
END_TEST

START_TEST(unused_are_those_nothing_else_names)
{
  const char *names[] = { "in-article.png", "shared.png", "poster.jpg", "cover.webp", "alone.png",
                          "alone2.jpg", NULL };
  for (int i = 0; names[i]; i++)
    ck_assert_int_eq(db_member_image_add(db, "m1", names[i], 100, now, NULL), 0);
  ck_assert_int_eq(db_member_image_add(db, "m2", "shared.png", 100, now, NULL), 0);
  gint64 id = 0;
  ArticleInput a = { .title = "采用的文章", .body_md = "看图：\n\n![](/images/in-article.png)\n",
                     .publish = true };
  ck_assert_int_eq(db_article_create(db, &a, now, &id), 0);
  ArticleInput b = { .title = "封面", .cover_url = "/images/cover.webp" };
  ck_assert_int_eq(db_article_create(db, &b, now, &id), 0);
  char *vid = NULL;
  ck_assert_int_eq(db_video_create_upload(db, "微视频", NULL, NULL, NULL, &vid), 0);
  ck_assert_int_eq(db_video_set_text(db, vid, VIDEO_POSTER, "/images/poster.jpg"), 0);
  g_free(vid);

  char **unused = NULL;
  ck_assert_int_eq(db_member_image_unused(db, "m1", &unused), 0);
  ck_assert_int_eq(g_strv_length(unused), 2);
  ck_assert_str_eq(unused[0], "alone.png");
  ck_assert_str_eq(unused[1], "alone2.jpg");
  g_strfreev(unused);
  /* m2's one picture is m1's too: m1 still has it, so it is not m2's to delete. */
  ck_assert_int_eq(db_member_image_unused(db, "m2", &unused), 0);
  ck_assert_int_eq(g_strv_length(unused), 0);
  g_strfreev(unused);
}
END_TEST

static Suite *db_member_image_suite(void)
{
  Suite *s = suite_create("db_member_image");
  TCase *tc = tcase_create("core");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, added_once_and_counted_in_the_window);
  tcase_add_test(tc, unused_are_those_nothing_else_names);
  suite_add_tcase(s, tc);
  return s;
}

TU_MAIN(db_member_image_suite)
