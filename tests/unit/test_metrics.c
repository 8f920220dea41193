/* Tests for src/core/metrics.c: Prometheus text with uptime, statuses, connections, providers. */
#include "core/metrics.h"
#include "testutil.h"

#include <string.h>

static void extra(GString *out, void *user)
{
  g_string_append_printf(out, "# TYPE lectern_test_gauge gauge\nlectern_test_gauge %d\n", *(int *)user);
}

START_TEST(renders_families)
{
  metrics_init();
  metrics_http_response(200);
  metrics_http_response(200);
  metrics_http_response(404);
  metrics_http_response(9999);
  metrics_connection_opened();
  metrics_connection_opened();
  metrics_connection_closed();
  int v = 7;
  metrics_add_provider(extra, &v);
  char *text = metrics_render();
  ck_assert_ptr_nonnull(strstr(text, "# TYPE lectern_uptime_seconds gauge\nlectern_uptime_seconds "));
  ck_assert_ptr_nonnull(strstr(text, "lectern_http_requests_total{status=\"200\"} 2\n"));
  ck_assert_ptr_nonnull(strstr(text, "lectern_http_requests_total{status=\"404\"} 1\n"));
  ck_assert_ptr_nonnull(strstr(text, "lectern_http_requests_total{status=\"0\"} 1\n"));
  ck_assert_ptr_nonnull(strstr(text, "lectern_connections_open 1\n"));
  ck_assert_ptr_nonnull(strstr(text, "lectern_test_gauge 7\n"));
  g_free(text);
  metrics_remove_provider(extra, &v);
  text = metrics_render();
  ck_assert_ptr_null(strstr(text, "lectern_test_gauge"));
  g_free(text);
}
END_TEST

static Suite *metrics_suite(void)
{
  Suite *s = suite_create("metrics");
  TCase *tc = tcase_create("metrics");
  tcase_add_test(tc, renders_families);
  suite_add_tcase(s, tc);
  return s;
}

TU_MAIN(metrics_suite)
