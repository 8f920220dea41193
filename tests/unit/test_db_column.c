/* Tests for src/db/db_column.c: columns, ordered items, publish windows. */
#include "db/db_column.h"
#include "db/db_video.h"
#include "core/util.h"
#include "testutil.h"

#include <errno.h>
#include <string.h>

static char *dir;
static Db *db;
static char *vids[3];

static void setup(void)
{
  dir = tu_tmpdir();
  char *p = g_build_filename(dir, "t.db", NULL), *err = NULL;
  g_assert(db_open(p, 0, &db, &err) == 0);
  g_free(p);
  const char *titles[] = {"第一课", "第二课", "第三课"};
  for (int i = 0; i < 3; i++) {
    g_assert(db_video_create_upload(db, titles[i], NULL, NULL, NULL, &vids[i]) == 0);
    g_assert(db_video_set_state(db, vids[i], NULL, "ready", NULL, NULL) == 0);
  }
}

static void teardown(void)
{
  db_close(&db);
  for (int i = 0; i < 3; i++)
    g_clear_pointer(&vids[i], g_free);
  tu_rmtree(dir);
  g_free(dir);
}

/* The column's items as "title,title,…" (PUBLIC_ONLY as the API's public view). */
static char *item_titles(gint64 id, bool public_only)
{
  int rc = 0;
  JsonNode *n = db_column_json(db, id, public_only, 100, 0, &rc);
  ck_assert_ptr_nonnull(n);
  JsonArray *items = json_object_get_array_member(json_node_get_object(n), "items");
  GString *s = g_string_new(NULL);
  for (guint i = 0; i < json_array_get_length(items); i++) {
    JsonObject *it = json_array_get_object_element(items, i);
    if (!public_only)
      ck_assert_int_eq(json_object_get_int_member(it, "position"), i);
    JsonObject *v = json_object_get_object_member(it, "video");
    g_string_append_printf(s, "%s%s", i ? "," : "", json_object_get_string_member(v, "title"));
  }
  json_node_unref(n);
  return g_string_free(s, FALSE);
}

START_TEST(insert_refuses_bad_and_taken_slugs)
{
  gint64 id;
  ck_assert_int_eq(db_column_insert(db, "health", "健康大讲坛", NULL, &id), 0);
  ck_assert_int_eq(db_column_insert(db, "health", "again", NULL, &id), -EEXIST);
  ck_assert_int_eq(db_column_insert(db, "Bad Slug", "x", NULL, &id), -EINVAL);
  ck_assert_int_eq(db_column_insert(db, "ok", "", NULL, &id), -EINVAL);
  gint64 found = 0;
  ck_assert_int_eq(db_column_find(db, "health", &found), 0);
  ck_assert_int_eq(found, id);
  ck_assert_int_eq(db_column_find(db, "nope", &found), -ENOENT);
}
END_TEST

START_TEST(items_keep_order_and_public_view_hides_drafts)
{
  gint64 id;
  ck_assert_int_eq(db_column_insert(db, "masters", "名师空中课堂", NULL, &id), 0);
  ColumnItem items[] = { { vids[2], true, 0 }, { vids[0], false, 0 }, { vids[1], false, 0 } };
  ck_assert_int_eq(db_column_set_items(db, id, items, 3), 0);
  char *t = item_titles(id, false);
  ck_assert_str_eq(t, "第三课,第一课,第二课");
  g_free(t);
  /* Drafts are not public: the public view has none until one is published. */
  t = item_titles(id, true);
  ck_assert_str_eq(t, "");
  g_free(t);
  ck_assert_int_eq(db_video_set_text(db, vids[0], VIDEO_VISIBILITY, "published"), 0);
  ck_assert_int_eq(db_video_set_text(db, vids[1], VIDEO_VISIBILITY, "published"), 0);
  /* A publish time ahead keeps it hidden until then. */
  ck_assert_int_eq(db_video_set_time(db, vids[1], VIDEO_PUBLISH_AT, util_now() + 3600), 0);
  t = item_titles(id, true);
  ck_assert_str_eq(t, "第一课");
  g_free(t);

  /* The same video twice, or one that does not exist, changes nothing. */
  ColumnItem twice[] = { { vids[0], false, 0 }, { vids[0], false, 0 } };
  ck_assert_int_eq(db_column_set_items(db, id, twice, 2), -EINVAL);
  ColumnItem ghost[] = { { (char *)"no-such-video", false, 0 } };
  ck_assert_int_eq(db_column_set_items(db, id, ghost, 1), -ENOENT);
  t = item_titles(id, false);
  ck_assert_str_eq(t, "第三课,第一课,第二课");
  g_free(t);
}
END_TEST

START_TEST(publish_window_and_archive_hide_a_column)
{
  gint64 a, b, c;
  ck_assert_int_eq(db_column_insert(db, "open", "开放", NULL, &a), 0);
  ck_assert_int_eq(db_column_insert(db, "later", "以后", NULL, &b), 0);
  ck_assert_int_eq(db_column_insert(db, "old", "旧", NULL, &c), 0);
  ck_assert_int_eq(db_column_set_number(db, b, COLUMN_PUBLISH_FROM, util_now() + 3600), 0);
  ck_assert_int_eq(db_column_set_number(db, c, COLUMN_ARCHIVED, 1), 0);
  int rc = 0;
  JsonNode *pub = db_column_list_json(db, true, 0, &rc);
  ck_assert_int_eq(json_array_get_length(json_node_get_array(pub)), 1);
  JsonNode *all = db_column_list_json(db, false, 0, &rc);
  ck_assert_int_eq(json_array_get_length(json_node_get_array(all)), 3);
  json_node_unref(pub);
  json_node_unref(all);
  ck_assert_int_eq(db_column_set_text(db, a, COLUMN_SLUG, "later"), -EEXIST);
  ck_assert_int_eq(db_column_set_text(db, 999, COLUMN_TITLE, "x"), -ENOENT);
}
END_TEST

static Suite *db_column_suite(void)
{
  Suite *s = suite_create("db_column");
  TCase *tc = tcase_create("db_column");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, insert_refuses_bad_and_taken_slugs);
  tcase_add_test(tc, items_keep_order_and_public_view_hides_drafts);
  tcase_add_test(tc, publish_window_and_archive_hide_a_column);
  suite_add_tcase(s, tc);
  return s;
}

TU_MAIN(db_column_suite)
