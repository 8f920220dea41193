/* Tests for src/media/pdf_preview.c: a real (small) PDF gets a PNG preview in the image store;
 * a file that only starts like a PDF is refused by poppler; a missing tool is skipped. */
#include "testutil.h"
#include "media/pdf_preview.h"

#include <errno.h>
#include <string.h>

/* One page with a line of text; pdftoppm rebuilds the cross-reference table it lacks. */
static const char pdf[] =
    "%PDF-1.4\n"
    "1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
    "2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n"
    "3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 200 100] /Contents 4 0 R "
    "/Resources << /Font << /F1 5 0 R >> >> >> endobj\n"
    "4 0 obj << /Length 44 >> stream\nBT /F1 18 Tf 20 40 Td (lectern) Tj ET\nendstream endobj\n"
    "5 0 obj << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> endobj\n"
    "trailer << /Root 1 0 R >>\n%%EOF\n";

typedef struct {
  GMainLoop *loop;
  int status;
  char *url, *why;
} Result;

static void done(int status, const char *url, const char *why, void *user)
{
  Result *r = user;
  r->status = status;
  r->url = g_strdup(url);
  r->why = g_strdup(why);
  g_main_loop_quit(r->loop);
}

static Result run(const char *dir, const char *body, size_t len)
{
  g_autofree char *path = g_build_filename(dir, "in.pdf", NULL);
  g_autofree char *images = g_build_filename(dir, "images", NULL);
  ck_assert(g_file_set_contents(path, body, (gssize)len, NULL));
  Result r = {.loop = g_main_loop_new(NULL, FALSE), .status = 1};
  ck_assert_int_eq(pdf_preview_start(path, images, done, &r), 0);
  g_main_loop_run(r.loop);
  g_main_loop_unref(r.loop);
  return r;
}

START_TEST(preview_of_a_pdf)
{
  g_autofree char *tool = g_find_program_in_path("pdftoppm");
  if (!tool)
    return; /* poppler-utils not installed: nothing to check here */
  char *dir = tu_tmpdir();
  Result r = run(dir, pdf, sizeof pdf - 1);
  ck_assert_msg(r.status == 0, "%s", r.why ? r.why : "");
  ck_assert(g_str_has_prefix(r.url, "/images/") && g_str_has_suffix(r.url, ".png"));
  g_autofree char *file = g_build_filename(dir, r.url + 1, NULL);
  g_autofree char *png = NULL;
  gsize n = 0;
  ck_assert(g_file_get_contents(file, &png, &n, NULL));
  ck_assert(n > 100 && memcmp(png, "\x89PNG", 4) == 0);
  g_free(r.url);
  g_free(r.why);
  tu_rmtree(dir);
  g_free(dir);
}
END_TEST

START_TEST(a_liar_is_refused)
{
  g_autofree char *tool = g_find_program_in_path("pdftoppm");
  if (!tool)
    return;
  char *dir = tu_tmpdir();
  static const char liar[] = "%PDF-1.4\nthis is a JPEG, honest\n\xff\xd8\xff\xe0 and nothing else";
  Result r = run(dir, liar, sizeof liar - 1);
  ck_assert_int_eq(r.status, -EINVAL);
  ck_assert_ptr_null(r.url);
  ck_assert_ptr_nonnull(r.why);
  g_free(r.why);
  tu_rmtree(dir);
  g_free(dir);
}
END_TEST

static Suite *pdf_preview_suite(void)
{
  Suite *s = suite_create("pdf_preview");
  TCase *tc = tcase_create("core");
  tcase_add_test(tc, preview_of_a_pdf);
  tcase_add_test(tc, a_liar_is_refused);
  suite_add_tcase(s, tc);
  return s;
}

TU_MAIN(pdf_preview_suite)
