/* Tests for src/auth/presenter_link.c: the shape of a link secret, the video it names, and
 * that it is checked by its hash (token_hash/token_verify) like members' credentials. */
#include "auth/presenter_link.h"
#include "auth/token.h"
#include "testutil.h"

#include <errno.h>
#include <string.h>

START_TEST(new_and_parse)
{
  static const guint8 key[TOKEN_SECRET_LEN] = { 3 };
  char *a = presenter_link_new("live-1");
  char *b = presenter_link_new("live-1");
  ck_assert(g_str_has_prefix(a, "lcp1.live-1."));
  ck_assert_str_ne(a, b);
  char *video = NULL;
  ck_assert_int_eq(presenter_link_parse(a, &video), 0);
  ck_assert_str_eq(video, "live-1");
  g_free(video);
  char *hash = token_hash(key, a);
  ck_assert(token_verify(key, a, hash));
  ck_assert(!token_verify(key, b, hash));
  g_free(hash);
  /* Not a member credential, and not something else. */
  char *member = NULL;
  ck_assert_int_eq(token_parse(a, &member), -EINVAL);
  const char *bad[] = { NULL, "", "lct1.live-1.abcdefghijklmnopqrstuvwxyzabcdefghijklmnopq", "lcp1.live-1.short",
                        "lcp1..abcdefghijklmnopqrstuvwxyzabcdefghijklmnopq",
                        "lcp1.li ve.abcdefghijklmnopqrstuvwxyzabcdefghijklmnopq", "lcp1.nodot" };
  for (size_t i = 0; i < G_N_ELEMENTS(bad); i++)
    ck_assert_int_eq(presenter_link_parse(bad[i], &video), -EINVAL);
  g_free(a);
  g_free(b);
}
END_TEST

static Suite *suite(void)
{
  Suite *su = suite_create("presenter_link");
  TCase *tc = tcase_create("presenter_link");
  tcase_add_test(tc, new_and_parse);
  suite_add_tcase(su, tc);
  return su;
}

TU_MAIN(suite)
