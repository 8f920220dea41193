/* Tests for src/cli/log_bridge.c: each library's log reaches the one sink with its prefix. */
#include "core/log.h"
#include "cli/log_bridge.h"
#include "testutil.h"

#include <fcntl.h>
#include <gst/gst.h>
#include <libavutil/log.h>
#include <libwebsockets.h>
#include <sqlite3.h>
#include <string.h>
#include <unistd.h>

static int fds[2];

START_TEST(every_library_logs_through_the_sink)
{
  ck_assert_int_eq(pipe(fds), 0);
  fcntl(fds[0], F_SETFL, O_NONBLOCK);
  log_set_fd(fds[1]);
  log_set_level(LOG_INFO);
  gst_init(NULL, NULL);
  log_bridge_install();

  g_warning("glib says %d", 1);
  GST_ERROR("gst says %d", 2);
  av_log(NULL, AV_LOG_ERROR, "libav says %d\n", 3);
  sqlite3_log(SQLITE_WARNING, "sqlite says %d", 4);
  lwsl_err("lws says %d\n", 5);

  char *out = tu_read_available(fds[0]);
  ck_assert_msg(strstr(out, "WARN  [glib:") && strstr(out, "glib says 1"), "%s", out);
  ck_assert_msg(strstr(out, "ERROR [gst:") && strstr(out, "gst says 2"), "%s", out);
  ck_assert_msg(strstr(out, "ERROR [libav] libav says 3\n"), "%s", out);
  ck_assert_msg(strstr(out, "WARN  [sqlite]") && strstr(out, "sqlite says 4"), "%s", out);
  ck_assert_msg(strstr(out, "ERROR [lws]") && strstr(out, "lws says 5\n"), "%s", out);
  g_free(out);
  log_set_fd(2);
  close(fds[0]);
  close(fds[1]);
}
END_TEST

static Suite *log_bridge_suite(void)
{
  Suite *s = suite_create("log_bridge");
  TCase *tc = tcase_create("log_bridge");
  tcase_add_test(tc, every_library_logs_through_the_sink);
  suite_add_tcase(s, tc);
  return s;
}

TU_MAIN(log_bridge_suite)
