/* Tests for src/http/og_page.c: the lesson page's OpenGraph meta — values escaped, URLs
 * absolute, <title> set, nothing for drafts or unknown ids, hosts checked. */
#include "db/db_video.h"
#include "http/og_page.h"
#include "testutil.h"

#include <errno.h>
#include <string.h>

static char *dir;
static Db *db;

static void setup(void)
{
  dir = tu_tmpdir();
  g_autofree char *p = g_build_filename(dir, "t.db", NULL);
  char *err = NULL;
  tu_db_seed(p);
  g_assert(db_open(p, 0, &db, &err) == 0);
}

static void teardown(void)
{
  db_close(&db);
  tu_rmtree(dir);
  g_free(dir);
}

static const char *const page =
    "<html><head>\n  <title>课程</title>\n  <!--og-->\n  <link rel=\"icon\" href=\"/f.svg\">\n</head></html>";

/* A published, ready video with TITLE and DESCRIPTION (and a poster when POSTER). */
static char *lesson(const char *title, const char *description, const char *poster)
{
  char *id = NULL;
  g_assert(db_video_create_upload(db, title, "王师傅", "model-worker", NULL, &id) == 0);
  g_assert(db_video_set_state(db, id, NULL, "ready", NULL, NULL) == 0);
  g_assert(db_video_set_media(db, id, 60000, poster) == 0);
  g_assert(db_video_set_text(db, id, VIDEO_DESCRIPTION, description) == 0);
  g_assert(db_video_set_text(db, id, VIDEO_VISIBILITY, "published") == 0);
  return id;
}

START_TEST(meta_are_escaped_and_absolute)
{
  g_autofree char *id = lesson("匠心 \"课\" <b>&</b>", "用焊枪<script>alert(1)</script>", "poster.jpg");
  g_autofree char *out = NULL;
  ck_assert_int_eq(og_page_render(db, page, id, "http://example.org:8080", &out), 0);
  ck_assert_ptr_nonnull(strstr(out, "<title>匠心 &quot;课&quot; &lt;b&gt;&amp;&lt;/b&gt; · 工会公益课堂</title>"));
  ck_assert_ptr_nonnull(strstr(out, "<meta property=\"og:title\" content=\"匠心 &quot;课&quot; &lt;b&gt;&amp;&lt;/b&gt;\">"));
  ck_assert_ptr_nonnull(strstr(out, "content=\"用焊枪&lt;script&gt;alert(1)&lt;/script&gt;\""));
  ck_assert_ptr_null(strstr(out, "<script>"));
  ck_assert_ptr_null(strstr(out, OG_PAGE_MARKER));
  ck_assert_ptr_nonnull(strstr(out, "<meta property=\"og:type\" content=\"video.other\">"));
  g_autofree char *img = g_strdup_printf("<meta property=\"og:image\" content=\"http://example.org:8080/hls/%s/poster.jpg\">", id);
  ck_assert_ptr_nonnull(strstr(out, img));
  g_autofree char *url = g_strdup_printf("<meta property=\"og:url\" content=\"http://example.org:8080/watch.html?v=%s\">", id);
  ck_assert_ptr_nonnull(strstr(out, url));
  /* the rest of the page is untouched */
  ck_assert_ptr_nonnull(strstr(out, "\">\n  <link rel=\"icon\" href=\"/f.svg\">\n</head></html>"));
}
END_TEST

START_TEST(long_descriptions_are_cut_and_missing_ones_name_the_presenter)
{
  GString *d = g_string_new(NULL);
  for (int i = 0; i < 300; i++)
    g_string_append(d, "字");
  g_autofree char *a = lesson("长", d->str, NULL);
  g_autofree char *b = lesson("短", "", NULL);
  g_string_free(d, TRUE);
  g_autofree char *out = NULL;
  ck_assert_int_eq(og_page_render(db, page, a, "", &out), 0);
  const char *desc = strstr(out, "og:description\" content=\"");
  ck_assert_ptr_nonnull(desc);
  desc += strlen("og:description\" content=\"");
  g_autofree char *value = g_strndup(desc, strchr(desc, '"') - desc);
  ck_assert_int_eq(g_utf8_strlen(value, -1), 201); /* 200 and "…" */
  ck_assert_ptr_null(strstr(out, "og:image")); /* no poster: no image */
  g_free(out);
  out = NULL;
  ck_assert_int_eq(og_page_render(db, page, b, "", &out), 0);
  ck_assert_ptr_nonnull(strstr(out, "og:description\" content=\"王师傅\""));
}
END_TEST

START_TEST(drafts_unknown_ids_and_pages_without_the_marker_get_nothing)
{
  g_autofree char *id = lesson("内部", "", NULL);
  g_assert(db_video_set_text(db, id, VIDEO_VISIBILITY, "draft") == 0);
  char *out = (char *)"x";
  ck_assert_int_eq(og_page_render(db, page, id, "", &out), -ENOENT);
  ck_assert_ptr_null(out);
  ck_assert_int_eq(og_page_render(db, page, "nosuch", "", &out), -ENOENT);
  g_assert(db_video_set_text(db, id, VIDEO_VISIBILITY, "published") == 0);
  ck_assert_int_eq(og_page_render(db, "<html><head></head></html>", id, "", &out), -ENOENT);
  ck_assert_int_eq(og_page_render(db, page, id, "", &out), 0);
  g_free(out);
}
END_TEST

START_TEST(only_plain_hosts_make_urls)
{
  ck_assert(og_page_host_ok("127.0.0.1:8080"));
  ck_assert(og_page_host_ok("lessons.example.org"));
  ck_assert(og_page_host_ok("[::1]:8080"));
  ck_assert(!og_page_host_ok(""));
  ck_assert(!og_page_host_ok(NULL));
  ck_assert(!og_page_host_ok("evil.org/\"><script>"));
  ck_assert(!og_page_host_ok("a b"));
  ck_assert(!og_page_host_ok("user@host"));
}
END_TEST

static Suite *og_page_suite(void)
{
  Suite *s = suite_create("og_page");
  TCase *tc = tcase_create("og_page");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, meta_are_escaped_and_absolute);
  tcase_add_test(tc, long_descriptions_are_cut_and_missing_ones_name_the_presenter);
  tcase_add_test(tc, drafts_unknown_ids_and_pages_without_the_marker_get_nothing);
  tcase_add_test(tc, only_plain_hosts_make_urls);
  suite_add_tcase(s, tc);
  return s;
}

TU_MAIN(og_page_suite)
