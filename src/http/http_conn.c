/* http_conn: the books kept on every accepted HTTP/WebSocket socket (open count, header
 * timeouts, keep-alive waits). */
#include "http/http_conn.h"
#include "core/log.h"
#include "core/metrics.h"

/* lws fires its header timeout on a timer of its own; a close this close to the deadline is it. */
#define DEADLINE_SLACK_US (G_USEC_PER_SEC / 2)

void http_conn_book_init(HttpConnBook *b, int header_timeout_s, int keepalive_timeout_s)
{
  *b = (HttpConnBook){ .header_timeout_us = (gint64)header_timeout_s * G_USEC_PER_SEC,
                       .keepalive_us = (gint64)keepalive_timeout_s * G_USEC_PER_SEC };
  g_queue_init(&b->idle);
}

HttpConn *http_conn_open(HttpConnBook *b, void *owner, gint64 now_us)
{
  HttpConn *c = g_new0(HttpConn, 1);
  c->book = b;
  c->owner = owner;
  c->opened_us = now_us;
  c->idle_link.data = c;
  metrics_connection_opened();
  return c;
}

static void leave_idle(HttpConn *c)
{
  if (c->idle) {
    g_queue_unlink(&c->book->idle, &c->idle_link);
    c->idle = false;
  }
}

void http_conn_request(HttpConn *c)
{
  if (!c)
    return;
  c->requested = true;
  leave_idle(c);
}

void http_conn_idle(HttpConn *c, gint64 now_us)
{
  if (!c)
    return;
  leave_idle(c);
  c->idle_since_us = now_us;
  c->idle = true;
  /* Every connection waits the same time: the queue stays in order of its deadlines. */
  g_queue_push_tail_link(&c->book->idle, &c->idle_link);
}

HttpConn *http_conn_expired(HttpConnBook *b, gint64 now_us)
{
  GList *head = b->idle.head;
  if (!head)
    return NULL;
  HttpConn *c = head->data;
  if (now_us - c->idle_since_us < b->keepalive_us)
    return NULL;
  leave_idle(c);
  return c;
}

bool http_conn_close(HttpConnBook *b, HttpConn **pc, gint64 now_us)
{
  HttpConn *c = *pc;
  if (!c)
    return false;
  metrics_connection_closed();
  leave_idle(c);
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
