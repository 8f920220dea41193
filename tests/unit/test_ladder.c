/* Tests for src/media/ladder.c: parsing the config, fitting to sources without upscaling. */
#include "media/ladder.h"
#include "testutil.h"

#include <errno.h>
#include <string.h>

#define DEFAULT "copy,1280x720@2800,854x480@1200,640x360@700"

START_TEST(default_ladder_parses)
{
  Ladder l;
  char *err = NULL;
  ck_assert_int_eq(ladder_parse(DEFAULT, &l, &err), 0);
  ck_assert_int_eq(l.n, 4);
  ck_assert(l.rungs[0].copy);
  ck_assert_str_eq(l.rungs[0].name, "source");
  ck_assert_str_eq(l.rungs[1].name, "720p");
  ck_assert_int_eq(l.rungs[3].kbps, 700);
}
END_TEST

START_TEST(bad_ladders_say_why)
{
  static const char *bad[] = {"", "copy,copy", "1280x720", "1280x720@", "1281x720@100",
                              "1280x720@99", "1280x720@2800,1000x720@100", "8000x720@100",
                              "copy,1,2", "a,b,c,d,e,f,g,h,i"};
  for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
    Ladder l;
    char *err = NULL;
    ck_assert_msg(ladder_parse(bad[i], &l, &err) == -EINVAL, "accepted '%s'", bad[i]);
    ck_assert(g_str_has_prefix(err, "ladder: "));
    g_free(err);
  }
}
END_TEST

START_TEST(fit_skips_rungs_at_or_above_source)
{
  Ladder spec, l;
  char *err = NULL;
  ladder_parse(DEFAULT, &spec, &err);
  ladder_fit(&spec, 1280, 720, true, 0, &l);
  ck_assert_int_eq(l.n, 3); /* source (copy), 480p, 360p */
  ck_assert(l.rungs[0].copy);
  ck_assert_int_eq(l.rungs[0].width, 1280);
  ck_assert_str_eq(l.rungs[1].name, "480p");
  ck_assert_int_eq(l.rungs[1].width, 854);
  ck_assert_str_eq(l.rungs[2].name, "360p");

  ladder_fit(&spec, 1920, 1080, true, 0, &l);
  ck_assert_int_eq(l.n, 4);
  ladder_fit(&spec, 640, 360, true, 0, &l);
  ck_assert_int_eq(l.n, 1);
  ladder_fit(&spec, 480, 270, true, 0, &l);
  ck_assert_int_eq(l.n, 1);
  ck_assert_int_eq(l.rungs[0].height, 270);
}
END_TEST

START_TEST(fit_keeps_source_shape)
{
  Ladder spec, l;
  char *err = NULL;
  ladder_parse(DEFAULT, &spec, &err);
  ladder_fit(&spec, 1440, 1080, true, 0, &l); /* 4:3 */
  ck_assert_int_eq(l.rungs[1].height, 720);
  ck_assert_int_eq(l.rungs[1].width, 960);
  ladder_fit(&spec, 720, 1280, true, 0, &l); /* a phone held upright */
  ck_assert_int_eq(l.n, 4);
  ck_assert_int_eq(l.rungs[1].width, 406);
  for (int i = 0; i < l.n; i++)
    ck_assert_int_eq(l.rungs[i].width % 2, 0);
}
END_TEST

START_TEST(long_keyframe_interval_encodes_the_source_rung)
{
  Ladder spec, l;
  char *err = NULL;
  ladder_parse(DEFAULT, &spec, &err);
  ladder_fit(&spec, 1280, 720, false, 2765, &l);
  ck_assert(!l.rungs[0].copy);
  ck_assert_str_eq(l.rungs[0].name, "source");
  ck_assert_int_eq(l.rungs[0].kbps, 2765);
  ck_assert_int_eq(l.rungs[0].height, 720);
  /* No copy rung configured: a rung as tall as the source is kept. */
  ladder_parse("1280x720@2800,640x360@700", &spec, &err);
  ladder_fit(&spec, 1280, 720, true, 0, &l);
  ck_assert_int_eq(l.n, 2);
  ck_assert_str_eq(l.rungs[0].name, "720p");
}
END_TEST

static Suite *ladder_suite(void)
{
  Suite *s = suite_create("ladder");
  TCase *tc = tcase_create("ladder");
  tcase_add_test(tc, default_ladder_parses);
  tcase_add_test(tc, bad_ladders_say_why);
  tcase_add_test(tc, fit_skips_rungs_at_or_above_source);
  tcase_add_test(tc, fit_keeps_source_shape);
  tcase_add_test(tc, long_keyframe_interval_encodes_the_source_rung);
  suite_add_tcase(s, tc);
  return s;
}

TU_MAIN(ladder_suite)
