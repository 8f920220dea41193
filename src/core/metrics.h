/* metrics: process-wide counters and gauges rendered in Prometheus text format. */
#pragma once

#include <glib.h>

/* Marks the process start (for lectern_uptime_seconds). */
void metrics_init(void);

/* Counts one HTTP response with STATUS (100..599; others count as 0). */
void metrics_http_response(int status);

/* Tracks open client connections (HTTP and WebSocket). */
void metrics_connection_opened(void);
void metrics_connection_closed(void);
gint64 metrics_connections_open(void);

/* A subsystem appends its own families (# HELP, # TYPE, samples) to OUT. */
typedef void (*MetricsProvider)(GString *out, void *user);
void metrics_add_provider(MetricsProvider fn, void *user);
void metrics_remove_provider(MetricsProvider fn, void *user);

/* The whole exposition. Caller frees. */
char *metrics_render(void);
