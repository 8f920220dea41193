/* Tests for src/core/log.c: one line per event, level filter, subsystem prefix. */
#include "core/log.h"
#include "testutil.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

static int fds[2];
static void setup(void) { g_assert(pipe(fds) == 0); log_set_fd(fds[1]); log_set_level(LOG_INFO); }
static void teardown(void) { log_set_fd(2); close(fds[0]); close(fds[1]); }

START_TEST(line_has_level_and_subsystem)
{
  log_info("rtmp", "stream %s published", "abc");
  char *out = tu_read_available(fds[0]);
  ck_assert_msg(strstr(out, " INFO  [rtmp] stream abc published\n") != NULL, "got: %s", out);
  ck_assert_int_eq(out[4], '-');                /* ISO date first */
  ck_assert_int_eq(strchr(out, '\n') - out, (long)strlen(out) - 1); /* exactly one line */
  g_free(out);
}
END_TEST

START_TEST(below_level_is_dropped)
{
  log_debug("http", "noise");
  log_warn("http", "kept");
  char *out = tu_read_available(fds[0]);
  ck_assert_ptr_null(strstr(out, "noise"));
  ck_assert_ptr_nonnull(strstr(out, "WARN  [http] kept"));
  g_free(out);
}
END_TEST

START_TEST(embedded_newlines_stay_on_one_line)
{
  log_error("db", "first\nsecond\n\n");
  char *out = tu_read_available(fds[0]);
  ck_assert_ptr_nonnull(strstr(out, "first\\nsecond\n"));
  ck_assert_int_eq(strchr(out, '\n') - out, (long)strlen(out) - 1);
  g_free(out);
}
END_TEST

START_TEST(levels_parse)
{
  LogLevel l;
  ck_assert_int_eq(log_level_parse("debug", &l), 0);
  ck_assert_int_eq(l, LOG_DEBUG);
  ck_assert_int_eq(log_level_parse("WARN", &l), 0);
  ck_assert_int_eq(l, LOG_WARN);
  ck_assert_int_eq(log_level_parse("loud", &l), -EINVAL);
}
END_TEST

static Suite *log_suite(void)
{
  Suite *s = suite_create("log");
  TCase *tc = tcase_create("log");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, line_has_level_and_subsystem);
  tcase_add_test(tc, below_level_is_dropped);
  tcase_add_test(tc, embedded_newlines_stay_on_one_line);
  tcase_add_test(tc, levels_parse);
  suite_add_tcase(s, tc);
  return s;
}

TU_MAIN(log_suite)
