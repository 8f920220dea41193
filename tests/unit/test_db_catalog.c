/* Tests for src/db/db_catalog.c: which commits move the catalog's generation (catalog
 * tables on this connection, anything from another), that a rollback does not, and the
 * next instant at which the clock changes the catalog. */
#include "db_fixture.h"
#include "db/db_catalog.h"
#include "db/db_column.h"
#include "db/db_job.h"
#include "db/db_member.h"

static char *dir;
static Db *db;
static DbCatalog *cat;

static void setup(void)
{
  db = tu_db_open(&dir);
  ck_assert_int_eq(db_catalog_new(db, &cat), 0);
}

static void teardown(void)
{
  db_catalog_free(&cat);
  db_catalog_free(&cat);
  tu_db_close(&db, &dir);
}

START_TEST(catalog_commits_move_the_generation)
{
  guint64 g = db_catalog_generation(cat);
  ck_assert_uint_eq(db_catalog_generation(cat), g);
  char *id = NULL;
  ck_assert_int_eq(db_video_create_upload(db, "一课", NULL, NULL, NULL, &id), 0);
  guint64 g1 = db_catalog_generation(cat);
  ck_assert_uint_gt(g1, g);
  ck_assert_int_eq(db_video_set_text(db, id, VIDEO_TITLE, "二课"), 0); /* autocommit */
  guint64 g2 = db_catalog_generation(cat);
  ck_assert_uint_gt(g2, g1);

  /* A job and its progress are not the catalog. */
  char *job = NULL;
  ck_assert_int_eq(db_job_create(db, id, "upload", &job), 0);
  ck_assert_uint_eq(db_catalog_generation(cat), g2);

  /* Rolled back: nothing changed. Inside the transaction nothing read may be kept. */
  ck_assert(!db_catalog_in_transaction(cat));
  ck_assert_int_eq(db_begin(db), 0);
  ck_assert(db_catalog_in_transaction(cat));
  ck_assert_int_eq(db_video_set_text(db, id, VIDEO_TITLE, "三课"), 0);
  db_rollback(db);
  ck_assert(!db_catalog_in_transaction(cat));
  ck_assert_uint_eq(db_catalog_generation(cat), g2);
  /* …and the rollback's mark does not leak into the next, unrelated commit. */
  ck_assert_int_eq(db_job_end(db, job, "cancelled", "test"), 0);
  ck_assert_uint_eq(db_catalog_generation(cat), g2);

  /* Another connection (a CLI command): its commit is seen, whatever it wrote. */
  Db *other = NULL;
  char *err = NULL;
  ck_assert_int_eq(db_open(db->path, 0, &other, &err), 0);
  ck_assert_int_eq(db_video_set_text(other, id, VIDEO_TITLE, "四课"), 0);
  db_close(&other);
  ck_assert_uint_gt(db_catalog_generation(cat), g2);
  g_free(job);
  g_free(id);
}
END_TEST

START_TEST(next_change_is_the_first_publish_time_ahead)
{
  gint64 now = util_now(), at = -1;
  ck_assert_int_eq(db_catalog_next_change(cat, now, &at), 0);
  ck_assert_int_eq(at, 0);
  char *a = NULL, *b = NULL;
  ck_assert_int_eq(db_video_create_upload(db, "a", NULL, NULL, NULL, &a), 0);
  ck_assert_int_eq(db_video_create_upload(db, "b", NULL, NULL, NULL, &b), 0);
  ck_assert_int_eq(db_video_set_time(db, a, VIDEO_PUBLISH_AT, now + 500), 0);
  ck_assert_int_eq(db_video_set_time(db, b, VIDEO_PUBLISH_AT, now - 500), 0); /* passed */
  ck_assert_int_eq(db_catalog_next_change(cat, now, &at), 0);
  ck_assert_int_eq(at, now + 500);
  gint64 col = 0;
  ck_assert_int_eq(db_column_insert(db, "c", "c", NULL, &col), 0);
  ck_assert_int_eq(db_column_set_number(db, col, COLUMN_PUBLISH_UNTIL, now + 300), 0);
  ck_assert_int_eq(db_catalog_next_change(cat, now, &at), 0);
  ck_assert_int_eq(at, now + 300);
  /* Once that instant is reached, the next one. */
  ck_assert_int_eq(db_catalog_next_change(cat, now + 300, &at), 0);
  ck_assert_int_eq(at, now + 500);
  ck_assert_int_eq(db_catalog_next_change(cat, now + 500, &at), 0);
  ck_assert_int_eq(at, 0);
  g_free(a);
  g_free(b);
}
END_TEST

static Suite *db_catalog_suite(void)
{
  Suite *s = suite_create("db_catalog");
  TCase *tc = tcase_create("db_catalog");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, catalog_commits_move_the_generation);
  tcase_add_test(tc, next_change_is_the_first_publish_time_ahead);
  suite_add_tcase(s, tc);
  return s;
}

TU_MAIN(db_catalog_suite)
