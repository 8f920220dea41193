/* http_conn: the books kept on every accepted HTTP/WebSocket socket (open count, header
 * timeouts). */
#include "http/http_conn.h"
#include "core/log.h"
#include "core/metrics.h"

/* lws fires its header timeout on a timer of its own; a close this close to the deadline is it. */
#define DEADLINE_SLACK_US (G_USEC_PER_SEC / 2)

void http_conn_book_init(HttpConnBook *b, int header_timeout_s)
{
  *b = (HttpConnBook){ .header_timeout_us = (gint64)header_timeout_s * G_USEC_PER_SEC };
}

HttpConn *http_conn_open(HttpConnBook *b, gint64 now_us)
{
  (void)b;
  HttpConn *c = g_new0(HttpConn, 1);
  c->opened_us = now_us;
  metrics_connection_opened();
  return c;
}

void http_conn_request(HttpConn *c)
{
  if (c)
    c->requested = true;
}

bool http_conn_close(HttpConnBook *b, HttpConn **pc, gint64 now_us)
{
  HttpConn *c = *pc;
  if (!c)
    return false;
  metrics_connection_closed();
  bool timed_out = !c->requested && now_us - c->opened_us >= b->header_timeout_us - DEADLINE_SLACK_US;
  g_free(c);
  *pc = NULL;
  if (!timed_out)
    return false;
  b->header_timeouts++;
  b->unreported++;
  /* Thousands of slow clients make thousands of closes: one line per 10 s says how many. */
  if (!b->reported_us || now_us - b->reported_us >= HTTP_CONN_LOG_EVERY_US) {
    log_warn("http", "closed %" G_GUINT64_FORMAT " connection(s) that sent no whole request within "
             "%" G_GINT64_FORMAT " s ([http] header_timeout; %" G_GUINT64_FORMAT " in all)",
             b->unreported, b->header_timeout_us / G_USEC_PER_SEC, b->header_timeouts);
    b->unreported = 0;
    b->reported_us = now_us;
  }
  return true;
}
