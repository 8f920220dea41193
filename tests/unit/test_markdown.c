/* Tests for src/core/markdown.c: hostile Markdown comes out inert (no raw HTML, no script, no
 * event attributes, no javascript:/vbscript:/data: targets), ordinary Markdown renders, and
 * the reading-time estimate follows its written rule (docs/articles.md). */
#include "core/markdown.h"
#include "testutil.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

static char *render(const char *md, gint64 *seconds)
{
  char *html = NULL;
  gint64 s = 0;
  ck_assert_int_eq(markdown_render(md, strlen(md), &html, &s), 0);
  if (seconds)
    *seconds = s;
  return html;
}

/* Nothing in HTML that a browser would run or that carries markup the editor typed as HTML. */
static void assert_inert(const char *md)
{
  char *html = render(md, NULL);
  char *lower = g_ascii_strdown(html, -1);
  ck_assert_msg(!strstr(lower, "<script"), "script survived %s -> %s", md, html);
  /* Targets: never an unsafe scheme (as text between tags they are only words). */
  ck_assert_msg(!strstr(lower, "=\"javascript:") && !strstr(lower, "=\" javascript:"), "javascript: survived %s -> %s", md, html);
  ck_assert_msg(!strstr(lower, "=\"vbscript:"), "vbscript: survived %s -> %s", md, html);
  ck_assert_msg(!strstr(lower, "=\"data:text"), "data: survived %s -> %s", md, html);
  ck_assert_msg(!strstr(lower, "<iframe") && !strstr(lower, "<svg") && !strstr(lower, "<img src=x") &&
                !strstr(lower, "<style") && !strstr(lower, "<object") && !strstr(lower, "<a href=\"http://evil"),
                "raw HTML survived %s -> %s", md, html);
  /* No attribute named on…: inside each tag, outside quoted values (where cmark escapes
   * quotes), no whitespace followed by "on". */
  for (const char *p = strchr(lower, '<'); p; p = strchr(p + 1, '<')) {
    bool quoted = false;
    for (const char *q = p + 1; *q && (*q != '>' || quoted); q++) {
      if (*q == '"')
        quoted = !quoted;
      else if (!quoted && g_ascii_isspace(*q))
        ck_assert_msg(strncmp(q + 1, "on", 2) != 0, "an event attribute: %s -> %s", md, html);
    }
  }
  g_free(lower);
  g_free(html);
}

START_TEST(hostile_input_comes_out_inert)
{
  static const char *const hostile[] = {
    "<script>alert(1)</script>",
    "before <script>alert(1)</script> after",
    "<SCRIPT SRC=//evil/x.js></SCRIPT>",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](  javascript:alert(1) )",
    "[click](vbscript:msgbox(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![x](javascript:alert(1))",
    "<img src=x onerror=alert(1)>",
    "![a\" onerror=\"alert(1)](/images/a.png)",
    "<a href=\"http://evil\" onclick=\"alert(1)\">x</a>",
    "<div><p>unclosed <b>tags <i>everywhere",
    "</p></div><iframe src=//evil></iframe>",
    "<svg onload=alert(1)>",
    "<style>body{display:none}</style>",
    "<!-- --><script>alert(1)</script><!-- -->",
    "`<script>` in code stays text",
    "```html\n<script>alert(1)</script>\n```",
    "<object data=x></object>",
    "[ref]\n\n[ref]: javascript:alert(1)",
    "<http://example.com/\"onmouseover=alert(1)>",
    "<javascript:alert(1)>",
  };
  for (unsigned i = 0; i < G_N_ELEMENTS(hostile); i++)
    assert_inert(hostile[i]);
}
END_TEST

START_TEST(script_in_text_is_escaped_not_dropped)
{
  char *html = render("`<script>alert(1)</script>`", NULL);
  ck_assert_ptr_nonnull(strstr(html, "&lt;script&gt;"));
  g_free(html);
  html = render("[ok](javascript:alert(1))", NULL);
  ck_assert_ptr_nonnull(strstr(html, "<a href=\"\">ok</a>"));
  g_free(html);
}
END_TEST

START_TEST(ordinary_markdown_renders)
{
  char *html = render("# 劳模故事\n\n**王师傅**在车间工作了*三十年*。\n\n- 一\n- 二\n\n"
                      "![车间](/images/abc.jpg)\n\n[规则](https://example.com/rules)", NULL);
  ck_assert_ptr_nonnull(strstr(html, "<h1>劳模故事</h1>"));
  ck_assert_ptr_nonnull(strstr(html, "<strong>王师傅</strong>"));
  ck_assert_ptr_nonnull(strstr(html, "<li>一</li>"));
  ck_assert_ptr_nonnull(strstr(html, "<img src=\"/images/abc.jpg\" alt=\"车间\" />"));
  ck_assert_ptr_nonnull(strstr(html, "<a href=\"https://example.com/rules\">规则</a>"));
  g_free(html);
}
END_TEST

START_TEST(reading_time_follows_the_rule)
{
  /* 400 CJK characters a minute: 200 characters are 30 s. */
  GString *s = g_string_new(NULL);
  for (int i = 0; i < 200; i++)
    g_string_append(s, "劳");
  ck_assert_int_eq(markdown_estimate_seconds(s->str, 0), 30);
  /* 200 words a minute: 100 words are 30 s; pictures 5 s each. */
  g_string_truncate(s, 0);
  for (int i = 0; i < 100; i++)
    g_string_append(s, "word ");
  ck_assert_int_eq(markdown_estimate_seconds(s->str, 0), 30);
  ck_assert_int_eq(markdown_estimate_seconds(s->str, 2), 40);
  ck_assert_int_eq(markdown_estimate_seconds("don't well-known", 0), 1); /* 2 words: 0.6 s, rounded up */
  g_string_free(s, TRUE);
  /* Bounds: a short text reads 10 s at least; nothing at all is 0 (cannot earn). */
  gint64 sec = -1;
  g_free(render("短文。", &sec));
  ck_assert_int_eq(sec, MARKDOWN_READ_MIN_SECONDS);
  g_free(render("", &sec));
  ck_assert_int_eq(sec, 0);
  g_free(render("<p>only raw html is not text</p>", &sec));
  ck_assert_int_eq(sec, 0);
  GString *big = g_string_new(NULL);
  for (int i = 0; i < 20000; i++)
    g_string_append(big, "劳模");
  g_free(render(big->str, &sec));
  ck_assert_int_eq(sec, MARKDOWN_READ_MAX_SECONDS);
  g_string_free(big, TRUE);
}
END_TEST

START_TEST(invalid_utf8_is_refused)
{
  char *html = NULL;
  gint64 s = 0;
  ck_assert_int_eq(markdown_render("a\xff" "b", 3, &html, &s), -EINVAL);
  ck_assert_ptr_null(html);
}
END_TEST

static Suite *markdown_suite(void)
{
  Suite *s = suite_create("markdown");
  TCase *tc = tcase_create("markdown");
  tcase_add_test(tc, hostile_input_comes_out_inert);
  tcase_add_test(tc, script_in_text_is_escaped_not_dropped);
  tcase_add_test(tc, ordinary_markdown_renders);
  tcase_add_test(tc, reading_time_follows_the_rule);
  tcase_add_test(tc, invalid_utf8_is_refused);
  suite_add_tcase(s, tc);
  return s;
}

TU_MAIN(markdown_suite)
