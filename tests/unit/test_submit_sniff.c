/* Tests for src/club/submit_sniff.c: PDFs and the video containers a phone makes pass; a file
 * that says it is one but is another (a JPEG, HTML, a PDF sent as a video) is refused; too few
 * bytes ask for more. */
#include "testutil.h"
#include "club/submit_sniff.h"

#include <errno.h>
#include <string.h>

static int check(const char *kind, const char *bytes, size_t len)
{
  return submit_sniff_check(kind, (const guint8 *)bytes, len, 1000000);
}

START_TEST(pdfs)
{
  ck_assert_int_eq(check("pdf", "%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", 24), 0);
  ck_assert_int_eq(check("pdf", "%PDF-2.0\n%\xe2\xe3\xcf\xd3\n1 0 obj", 24), 0);
  ck_assert_int_eq(check("pdf", "\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01", 16), -EMEDIUMTYPE);
  ck_assert_int_eq(check("pdf", "<html><body>%PDF-1.4</body>", 27), -EMEDIUMTYPE);
  ck_assert_int_eq(check("pdf", "%PDF-9.9 not really a version", 29), -EMEDIUMTYPE);
  ck_assert_int_eq(check("pdf", "%PDF-1.", 7), -EAGAIN);
  /* A whole file shorter than the check's window is judged on what there is. */
  ck_assert_int_eq(submit_sniff_check("pdf", (const guint8 *)"%PDF-1.4", 8, 8), 0);
}
END_TEST

START_TEST(videos)
{
  ck_assert_int_eq(check("video", "\x00\x00\x00\x20" "ftypisom\x00\x00\x02\x00", 16), 0);
  ck_assert_int_eq(check("video", "\x00\x00\x00\x14" "ftypqt  \x00\x00\x00\x00", 16), 0);
  ck_assert_int_eq(check("video", "\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\xf7\x81\x01\x42\xf2\x81", 16), 0);
  ck_assert_int_eq(check("video", "RIFF\x10\x00\x00\x00" "AVI LIST\x00\x00", 16), 0);
  ck_assert_int_eq(check("video", "FLV\x01\x05\x00\x00\x00\x09\x00\x00\x00\x00\x12\x00\x00", 16), 0);
  ck_assert_int_eq(check("video", "\x47\x40\x00\x10\x00\x00\xb0\x0d\x00\x01\xc1\x00\x00\x00\x01\xf0", 16), 0);
  ck_assert_int_eq(check("video", "%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", 24), -EMEDIUMTYPE);
  ck_assert_int_eq(check("video", "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", 16), -EMEDIUMTYPE);
  ck_assert_int_eq(check("video", "GIF89a\x01\x00\x01\x00\x00\x00\x00\x00\x00\x00", 16), -EMEDIUMTYPE);
  ck_assert_int_eq(check("text", "anything at all..", 16), -EINVAL);
}
END_TEST

static Suite *submit_sniff_suite(void)
{
  Suite *s = suite_create("submit_sniff");
  TCase *tc = tcase_create("core");
  tcase_add_test(tc, pdfs);
  tcase_add_test(tc, videos);
  suite_add_tcase(s, tc);
  return s;
}

TU_MAIN(submit_sniff_suite)
