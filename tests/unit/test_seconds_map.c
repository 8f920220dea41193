/* Tests for src/points/seconds_map.c: unique seconds, the per-call limit, new buckets. */
#include "points/seconds_map.h"
#include "testutil.h"

START_TEST(sets_only_new_seconds_up_to_the_limit)
{
  SecondsMap m = { 0 };
  ck_assert_uint_eq(seconds_map_set(&m, 0, 10, 100, 0, NULL), 10);
  ck_assert_uint_eq(seconds_map_set(&m, 5, 15, 100, 0, NULL), 5);   /* 10..14 are new */
  ck_assert_uint_eq(seconds_map_set(&m, 0, 15, 100, 0, NULL), 0);   /* seen already */
  ck_assert_uint_eq(seconds_map_set(&m, 20, 40, 3, 0, NULL), 3);    /* the limit: 20, 21, 22 */
  ck_assert(seconds_map_has(&m, 22) && !seconds_map_has(&m, 23));
  ck_assert_uint_eq(seconds_map_set(&m, 30, 20, 100, 0, NULL), 0);  /* empty range */
  ck_assert_uint_eq(seconds_map_count(&m), 18);
  seconds_map_clear(&m);
}
END_TEST

START_TEST(reports_buckets_touched_for_the_first_time)
{
  SecondsMap m = { 0 };
  GArray *b = g_array_new(FALSE, FALSE, sizeof(guint));
  seconds_map_set(&m, 5, 25, 100, 10, b);                          /* buckets 0, 1, 2 */
  ck_assert_uint_eq(b->len, 3);
  ck_assert_uint_eq(g_array_index(b, guint, 2), 2);
  g_array_set_size(b, 0);
  seconds_map_set(&m, 0, 5, 100, 10, b);                           /* bucket 0 had seconds */
  ck_assert_uint_eq(b->len, 0);
  seconds_map_set(&m, 95, 96, 100, 10, b);
  ck_assert_uint_eq(b->len, 1);
  ck_assert_uint_eq(g_array_index(b, guint, 0), 9);
  g_array_unref(b);
  seconds_map_clear(&m);
}
END_TEST

START_TEST(loads_stored_maps_and_refuses_oversize)
{
  SecondsMap m = { 0 };
  guint8 stored[2] = { 0x81, 0x01 };                               /* seconds 0, 7, 8 */
  ck_assert_int_eq(seconds_map_load(&m, stored, 2), 0);
  ck_assert_uint_eq(seconds_map_count(&m), 3);
  ck_assert(seconds_map_has(&m, 7) && seconds_map_has(&m, 8) && !seconds_map_has(&m, 9));
  guint8 *big = g_malloc0(SECONDS_MAP_MAX_SECONDS / 8 + 1);
  ck_assert_int_eq(seconds_map_load(&m, big, SECONDS_MAP_MAX_SECONDS / 8 + 1), -EINVAL);
  ck_assert_uint_eq(m.len, 0);
  g_free(big);
  /* Seconds past the maximum are ignored, not stored. */
  ck_assert_uint_eq(seconds_map_set(&m, SECONDS_MAP_MAX_SECONDS - 2, SECONDS_MAP_MAX_SECONDS + 50, 100, 0, NULL), 2);
  ck_assert_uint_le(m.len, SECONDS_MAP_MAX_SECONDS / 8);
  seconds_map_clear(&m);
}
END_TEST

static Suite *seconds_map_suite(void)
{
  Suite *s = suite_create("seconds_map");
  TCase *tc = tcase_create("seconds_map");
  tcase_add_test(tc, sets_only_new_seconds_up_to_the_limit);
  tcase_add_test(tc, reports_buckets_touched_for_the_first_time);
  tcase_add_test(tc, loads_stored_maps_and_refuses_oversize);
  suite_add_tcase(s, tc);
  return s;
}

TU_MAIN(seconds_map_suite)
