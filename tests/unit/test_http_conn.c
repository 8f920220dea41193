/* Tests for src/http/http_conn.c: open connections counted, header timeouts told apart from
 * ordinary closes, and their log lines at most one per 10 s. */
#include "core/log.h"
#include "core/metrics.h"
#include "http/http_conn.h"
#include "testutil.h"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#define S G_USEC_PER_SEC

static int fds[2];

static void setup(void)
{
  g_assert(pipe(fds) == 0);
  fcntl(fds[0], F_SETFL, O_NONBLOCK);
  log_set_fd(fds[1]);
  log_set_level(LOG_INFO);
}

static void teardown(void)
{
  log_set_fd(2);
  close(fds[0]);
  close(fds[1]);
}

/* The log lines written since the last call. */
static char *drain(void)
{
  GString *s = g_string_new(NULL);
  char buf[4096];
  ssize_t n;
  while ((n = read(fds[0], buf, sizeof buf)) > 0)
    g_string_append_len(s, buf, n);
  return g_string_free(s, FALSE);
}

static gint64 open_now(void) { return metrics_connections_open(); }

START_TEST(counts_open_connections)
{
  HttpConnBook b;
  http_conn_book_init(&b, 10);
  gint64 before = open_now();
  HttpConn *a = http_conn_open(&b, 1 * S), *c = http_conn_open(&b, 1 * S);
  ck_assert_int_eq(open_now(), before + 2);
  http_conn_request(a);
  ck_assert(!http_conn_close(&b, &a, 100 * S)); /* it sent a request: an ordinary close */
  ck_assert_ptr_null(a);
  ck_assert_int_eq(open_now(), before + 1);
  ck_assert(!http_conn_close(&b, &c, 3 * S));   /* gone before the deadline: the client left */
  ck_assert_int_eq(open_now(), before);
  HttpConn *none = NULL;
  ck_assert(!http_conn_close(&b, &none, 3 * S));
  ck_assert_int_eq(open_now(), before);
  http_conn_request(NULL);
  ck_assert_uint_eq(b.header_timeouts, 0);
  g_free(drain());
}
END_TEST

START_TEST(header_timeouts_are_counted_and_logged_sparingly)
{
  HttpConnBook b;
  http_conn_book_init(&b, 10);
  HttpConn *c[5];
  for (int i = 0; i < 5; i++)
    c[i] = http_conn_open(&b, 0);
  /* lws closes on its own timer: a close within half a second of the deadline is it. */
  ck_assert(http_conn_close(&b, &c[0], 10 * S - S / 4));
  char *log = drain();
  ck_assert_ptr_nonnull(strstr(log, "closed 1 connection(s) that sent no whole request within 10 s"));
  ck_assert_ptr_nonnull(strstr(log, "WARN"));
  g_free(log);
  /* Three more within 10 s: counted, not logged. */
  for (int i = 1; i < 4; i++)
    ck_assert(http_conn_close(&b, &c[i], 12 * S));
  log = drain();
  ck_assert_str_eq(log, "");
  g_free(log);
  ck_assert_uint_eq(b.header_timeouts, 4);
  /* The next one after 10 s writes one line with all of them. */
  ck_assert(http_conn_close(&b, &c[4], 21 * S));
  log = drain();
  ck_assert_ptr_nonnull(strstr(log, "closed 4 connection(s)"));
  ck_assert_ptr_nonnull(strstr(log, "5 in all"));
  g_free(log);
  ck_assert_uint_eq(b.unreported, 0);
}
END_TEST

static Suite *http_conn_suite(void)
{
  Suite *s = suite_create("http_conn");
  TCase *tc = tcase_create("http_conn");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, counts_open_connections);
  tcase_add_test(tc, header_timeouts_are_counted_and_logged_sparingly);
  suite_add_tcase(s, tc);
  return s;
}

TU_MAIN(http_conn_suite)
