/* Tests for src/chat/chat_filter.c: folding (full-width to half-width, case, spaces and
 * punctuation between characters, zero-width characters) and matching the word list. */
#include "chat/chat_filter.h"
#include "testutil.h"

#include <errno.h>
#include <string.h>

static void folds(const char *in, const char *want)
{
  char *out = NULL;
  ck_assert_int_eq(chat_filter_normalize(in, &out), 0);
  ck_assert_msg(strcmp(out, want) == 0, "\"%s\" folds to \"%s\", not \"%s\"", in, out, want);
  g_free(out);
}

START_TEST(folding)
{
  folds("ABC", "abc");
  folds("ＡＢＣ１２３", "abc123");               /* full-width letters and digits */
  folds("法 轮-功", "法轮功");                     /* spaces and dashes between characters */
  folds("法，轮。功！", "法轮功");                 /* full-width punctuation */
  folds("法\u200b轮\u200d功", "法轮功");           /* zero-width space and joiner */
  folds("f.r.e.e  m_o_n_e_y", "freemoney");
  folds("　全角空格　", "全角空格");               /* ideographic space */
  folds("★★法★轮★功★★", "法轮功");               /* symbols */
  folds("Straße", "strasse");                       /* case folding, not only lowering */
  folds("㈱", "株");                                /* compatibility forms (NFKC) */
  folds("", "");
  char *out = NULL;
  ck_assert_int_eq(chat_filter_normalize("\xff\xfe", &out), -EINVAL);
  ck_assert_ptr_null(out);
}
END_TEST

START_TEST(matching)
{
  ChatFilter *f = chat_filter_new();
  ck_assert_int_eq(chat_filter_add(f, "法轮功"), 0);
  ck_assert_int_eq(chat_filter_add(f, "Free Money"), 0);
  ck_assert_int_eq(chat_filter_add(f, " ,.!"), -EINVAL); /* folds to nothing: would match everything */
  ck_assert_uint_eq(chat_filter_size(f), 2);
  const char *texts[] = { "大家好 法 轮 功 来了", "ＦＲＥＥ－ＭＯＮＥＹ here", "get f r e e money" };
  for (size_t i = 0; i < G_N_ELEMENTS(texts); i++) {
    char *n = NULL;
    const char *word = NULL;
    ck_assert_int_eq(chat_filter_normalize(texts[i], &n), 0);
    ck_assert_msg(chat_filter_match(f, n, &word), "\"%s\" passes", texts[i]);
    ck_assert_ptr_nonnull(word);
    g_free(n);
  }
  const char *fine[] = { "老师讲得真好", "free lunch", "法律功课" };
  for (size_t i = 0; i < G_N_ELEMENTS(fine); i++) {
    char *n = NULL;
    ck_assert_int_eq(chat_filter_normalize(fine[i], &n), 0);
    ck_assert_msg(!chat_filter_match(f, n, NULL), "\"%s\" is refused", fine[i]);
    g_free(n);
  }
  chat_filter_free(&f);
  ck_assert_ptr_null(f);
  chat_filter_free(&f);
}
END_TEST

static Suite *suite(void)
{
  Suite *s = suite_create("chat_filter");
  TCase *tc = tcase_create("chat_filter");
  tcase_add_test(tc, folding);
  tcase_add_test(tc, matching);
  suite_add_tcase(s, tc);
  return s;
}

TU_MAIN(suite)
