/* metrics: process-wide counters and gauges rendered in Prometheus text format. */
#include "core/metrics.h"
#include "lectern-build.h"

#include <stdint.h>

#define STATUS_MIN 100
#define STATUS_MAX 599

static gint64 start_monotonic;
static uint64_t http_by_status[STATUS_MAX + 1];
static int64_t connections_open;

typedef struct {
  MetricsProvider fn;
  void *user;
} Provider;
static GArray *providers;

void metrics_init(void)
{
  start_monotonic = g_get_monotonic_time();
}

void metrics_http_response(int status)
{
  if (status < STATUS_MIN || status > STATUS_MAX)
    status = 0;
  __atomic_fetch_add(&http_by_status[status], 1, __ATOMIC_RELAXED);
}

void metrics_connection_opened(void) { __atomic_fetch_add(&connections_open, 1, __ATOMIC_RELAXED); }
void metrics_connection_closed(void) { __atomic_fetch_sub(&connections_open, 1, __ATOMIC_RELAXED); }
gint64 metrics_connections_open(void) { return __atomic_load_n(&connections_open, __ATOMIC_RELAXED); }

void metrics_add_provider(MetricsProvider fn, void *user)
{
  if (!providers)
    providers = g_array_new(FALSE, FALSE, sizeof(Provider));
  Provider p = { fn, user };
  g_array_append_val(providers, p);
}

void metrics_remove_provider(MetricsProvider fn, void *user)
{
  for (guint i = 0; providers && i < providers->len; i++) {
    Provider *p = &g_array_index(providers, Provider, i);
    if (p->fn == fn && p->user == user) {
      g_array_remove_index(providers, i);
      return;
    }
  }
}

char *metrics_render(void)
{
  GString *out = g_string_new(NULL);
  double uptime = (double)(g_get_monotonic_time() - start_monotonic) / 1e6;

  g_string_append(out, "# HELP lectern_build_info Build information.\n"
                       "# TYPE lectern_build_info gauge\n");
  g_string_append_printf(out, "lectern_build_info{version=\"%s\"} 1\n", LECTERN_VERSION);
  g_string_append(out, "# HELP lectern_uptime_seconds Seconds since the server started.\n"
                       "# TYPE lectern_uptime_seconds gauge\n");
  g_string_append_printf(out, "lectern_uptime_seconds %.3f\n", uptime);

  g_string_append(out, "# HELP lectern_http_requests_total HTTP responses sent, by status code.\n"
                       "# TYPE lectern_http_requests_total counter\n");
  for (int s = 0; s <= STATUS_MAX; s++) {
    uint64_t n = __atomic_load_n(&http_by_status[s], __ATOMIC_RELAXED);
    if (n)
      g_string_append_printf(out, "lectern_http_requests_total{status=\"%d\"} %" G_GUINT64_FORMAT "\n",
                             s, (guint64)n);
  }
  g_string_append(out, "# HELP lectern_connections_open Client connections open now (HTTP and WebSocket).\n"
                       "# TYPE lectern_connections_open gauge\n");
  g_string_append_printf(out, "lectern_connections_open %" G_GINT64_FORMAT "\n",
                         metrics_connections_open());

  for (guint i = 0; providers && i < providers->len; i++) {
    Provider *p = &g_array_index(providers, Provider, i);
    p->fn(out, p->user);
  }
  return g_string_free(out, FALSE);
}
