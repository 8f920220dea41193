/* Tests for src/db/db_article.c: create (rendered and estimated on save, bounds refused),
 * update, the publish window, lists and search (Chinese and English, drafts and deleted
 * articles never public), places in a column, and members' reading rows. */
#include "db/db_article.h"
#include "db/db_column.h"
#include "testutil.h"

#include <errno.h>
#include <string.h>

static char *dir;
static Db *db;
#define NOW ((gint64)1906559940)

static void setup(void)
{
  dir = tu_tmpdir();
  char *path = g_build_filename(dir, "t.db", NULL);
  char *err = NULL;
  ck_assert_int_eq(db_open(path, 0, &db, &err), 0);
  g_free(path);
}

static void teardown(void)
{
  db_close(&db);
  tu_rmtree(dir);
  g_free(dir);
}

static gint64 total(const ArticleQuery *q)
{
  int rc = 0;
  JsonNode *n = db_article_list_json(db, q, &rc);
  ck_assert_ptr_nonnull(n);
  gint64 t = json_object_get_int_member(json_node_get_object(n), "total");
  json_node_unref(n);
  return t;
}

START_TEST(create_renders_and_refuses_bad_fields)
{
  gint64 id = 0;
  ArticleInput in = { .title = "劳模故事", .summary = "一位焊工", .body_md = "**王师傅** <script>x</script>",
                      .publish = true };
  ck_assert_int_eq(db_article_create(db, &in, NOW, &id), 0);
  Article *a = NULL;
  ck_assert_int_eq(db_article_get(db, id, NOW, &a), 0);
  ck_assert_ptr_nonnull(strstr(a->body_html, "<strong>王师傅</strong>"));
  ck_assert_ptr_null(strstr(a->body_html, "<script"));
  ck_assert_int_eq(a->read_seconds, 10);
  ck_assert(a->is_public);
  article_free(&a);
  ArticleInput bad[] = {
    { .title = "" }, { .title = "two\nlines" }, { .title = "x", .cover_url = "http://evil/x.png" },
    { .title = "x", .body_md = "\xff" }, { .title = "x", .has_window = true, .publish_from = NOW, .publish_until = NOW - 1 },
  };
  for (unsigned i = 0; i < G_N_ELEMENTS(bad); i++)
    ck_assert_int_eq(db_article_create(db, &bad[i], NOW, &id), -EINVAL);
  ck_assert_int_eq(db_article_update(db, 999, &in, NOW), -ENOENT);
}
END_TEST

/* The name an article is credited to: stored, changed only when given, shown in lists. */
START_TEST(author_is_kept_changed_and_listed)
{
  gint64 id = 0;
  ArticleInput in = { .title = "我的岗位", .body_md = "文字", .publish = true, .author = "张三" };
  ck_assert_int_eq(db_article_create(db, &in, NOW, &id), 0);
  Article *a = NULL;
  ck_assert_int_eq(db_article_get(db, id, NOW, &a), 0);
  ck_assert_str_eq(a->author, "张三");
  article_free(&a);
  ArticleInput title_only = { .title = "我的岗位（修改）" };
  ck_assert_int_eq(db_article_update(db, id, &title_only, NOW), 0);
  ck_assert_int_eq(db_article_get(db, id, NOW, &a), 0);
  ck_assert_str_eq(a->author, "张三");
  article_free(&a);
  ArticleInput rename = { .author = "李四" };
  ck_assert_int_eq(db_article_update(db, id, &rename, NOW), 0);
  ArticleInput bad = { .author = "two\nlines" };
  ck_assert_int_eq(db_article_update(db, id, &bad, NOW), -EINVAL);
  ArticleQuery q = { .public_only = true, .now = NOW, .limit = 10 };
  int rc = -1;
  JsonNode *list = db_article_list_json(db, &q, &rc);
  ck_assert_int_eq(rc, 0);
  JsonObject *first = json_array_get_object_element(
      json_object_get_array_member(json_node_get_object(list), "articles"), 0);
  ck_assert_str_eq(json_object_get_string_member(first, "author"), "李四");
  ck_assert_int_eq(json_object_get_int_member(json_node_get_object(list), "total"), 1);
  json_node_unref(list);
  /* Without an author: "" (nothing shown). */
  ArticleInput none = { .title = "通知", .publish = true };
  ck_assert_int_eq(db_article_create(db, &none, NOW, &id), 0);
  ck_assert_int_eq(db_article_get(db, id, NOW, &a), 0);
  ck_assert_str_eq(a->author, "");
  article_free(&a);
}
END_TEST

START_TEST(the_window_drafts_and_search)
{
  gint64 a = 0, b = 0, c = 0;
  ArticleInput pa = { .title = "劳模精神", .body_md = "welding lessons", .publish = true };
  ArticleInput pb = { .title = "劳模草稿", .body_md = "draft" };
  ArticleInput pc = { .title = "劳模预告", .publish = true, .has_window = true, .publish_from = NOW + 3600 };
  ck_assert_int_eq(db_article_create(db, &pa, NOW, &a), 0);
  ck_assert_int_eq(db_article_create(db, &pb, NOW, &b), 0);
  ck_assert_int_eq(db_article_create(db, &pc, NOW, &c), 0);
  ArticleQuery q = { .public_only = true, .now = NOW, .q = "劳模", .limit = 20 };
  ck_assert_int_eq(total(&q), 1);
  q.now = NOW + 3600;
  ck_assert_int_eq(total(&q), 2);        /* the window opened */
  q.public_only = false;
  ck_assert_int_eq(total(&q), 3);        /* editors */
  q.q = "lesson";
  ck_assert_int_eq(total(&q), 1);        /* stemmed English */
  q.q = "足球";
  ck_assert_int_eq(total(&q), 0);
  ArticleInput upd = { .body_md = "football now" };
  ck_assert_int_eq(db_article_update(db, a, &upd, NOW), 0);
  q.q = "football";
  ck_assert_int_eq(total(&q), 1);        /* the index follows the change */
  q.q = "lesson";
  ck_assert_int_eq(total(&q), 0);
  ck_assert_int_eq(db_article_publish(db, b, true, NOW), 0);
  ck_assert_int_eq(db_article_delete(db, b, NOW), 0);
  q.q = "劳模";
  ck_assert_int_eq(total(&q), 2);        /* deleted: gone for editors too */
  Article *x = NULL;
  ck_assert_int_eq(db_article_get(db, b, NOW, &x), -ENOENT);
  ck_assert_int_eq(db_article_search_sync(db), 0);
  ck_assert_int_eq(total(&q), 2);
}
END_TEST

/* The ids of column COL's articles in order, "1 3 2". */
static char *order(gint64 col)
{
  ArticleQuery q = { .public_only = false, .now = NOW, .column_id = col, .limit = 100 };
  int rc = 0;
  JsonNode *n = db_article_list_json(db, &q, &rc);
  ck_assert_ptr_nonnull(n);
  JsonArray *arr = json_object_get_array_member(json_node_get_object(n), "articles");
  GString *s = g_string_new(NULL);
  for (guint i = 0; i < json_array_get_length(arr); i++)
    g_string_append_printf(s, "%s%" G_GINT64_FORMAT ":%" G_GINT64_FORMAT, i ? " " : "",
                           json_object_get_int_member(json_array_get_object_element(arr, i), "id"),
                           json_object_get_int_member(json_array_get_object_element(arr, i), "position"));
  json_node_unref(n);
  return g_string_free(s, FALSE);
}

START_TEST(places_in_a_column_and_readings)
{
  gint64 col = 0, a = 0, b = 0, c = 0;
  ck_assert_int_eq(db_column_insert(db, "craft", "工匠", NULL, &col), 0);
  ArticleInput in = { .title = "文", .body_md = "正文", .publish = true };
  ck_assert_int_eq(db_article_create(db, &in, NOW, &a), 0);
  ck_assert_int_eq(db_article_create(db, &in, NOW, &b), 0);
  ck_assert_int_eq(db_article_create(db, &in, NOW, &c), 0);
  ck_assert_int_eq(db_article_place(db, col, a, 2, NOW), 0);
  ck_assert_int_eq(db_article_place(db, col, b, 0, NOW), 0);
  ck_assert_int_eq(db_article_place(db, col, c, 2, NOW), 0);
  g_autofree char *want = g_strdup_printf("%" G_GINT64_FORMAT ":0 %" G_GINT64_FORMAT ":2 %" G_GINT64_FORMAT ":2", b, a, c);
  g_autofree char *got = order(col);
  ck_assert_str_eq(got, want);           /* same place: in the order they were put there */
  ck_assert_int_eq(db_article_place(db, col, b, 5, NOW), 0);   /* moved, not added twice */
  g_autofree char *want2 = g_strdup_printf("%" G_GINT64_FORMAT ":2 %" G_GINT64_FORMAT ":2 %" G_GINT64_FORMAT ":5", a, c, b);
  g_autofree char *got2 = order(col);
  ck_assert_str_eq(got2, want2);
  ck_assert_int_eq(db_article_unplace(db, col, c), 0);
  ck_assert_int_eq(db_article_unplace(db, col, c), -ENOENT);
  ck_assert_int_eq(db_article_place(db, col, 999, 0, NOW), -ENOENT);
  ck_assert_int_eq(db_article_delete(db, a, NOW), 0);
  g_autofree char *want3 = g_strdup_printf("%" G_GINT64_FORMAT ":5", b);
  g_autofree char *got3 = order(col);
  ck_assert_str_eq(got3, want3);         /* a deleted article leaves its columns */

  ArticleRead r;
  ck_assert_int_eq(db_article_read_get(db, "m1", b, &r), 0);
  ck_assert_int_eq(r.need, 0);
  r = (ArticleRead){ .credited = 4, .need = 5 };
  ck_assert_int_eq(db_article_read_save(db, "m1", b, &r, NOW), 0);
  r = (ArticleRead){ .credited = 6, .need = 5, .completed = true, .points = 3 };
  ck_assert_int_eq(db_article_read_save(db, "m1", b, &r, NOW + 1), 0);
  r = (ArticleRead){ .credited = 9, .need = 5, .completed = false, .points = 3 };
  ck_assert_int_eq(db_article_read_save(db, "m1", b, &r, NOW + 2), 0);
  ck_assert_int_eq(db_article_read_get(db, "m1", b, &r), 0);
  ck_assert_int_eq(r.credited, 9);
  ck_assert(r.completed);                /* once completed, never undone */
  ck_assert_int_eq(r.points, 3);
}
END_TEST

static Suite *db_article_suite(void)
{
  Suite *s = suite_create("db_article");
  TCase *tc = tcase_create("db_article");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, create_renders_and_refuses_bad_fields);
  tcase_add_test(tc, author_is_kept_changed_and_listed);
  tcase_add_test(tc, the_window_drafts_and_search);
  tcase_add_test(tc, places_in_a_column_and_readings);
  suite_add_tcase(s, tc);
  return s;
}

TU_MAIN(db_article_suite)
