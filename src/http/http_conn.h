/* http_conn: the books kept on every accepted HTTP/WebSocket socket — open connections for
 * /metrics, and the ones closed before they sent a whole request within [http]
 * header_timeout (slow or idle clients: slowloris), counted and logged at most every 10 s.
 * No lws here: http_server.c keeps an HttpConn per socket as its opaque user data. */
#pragma once

#include <glib.h>
#include <stdbool.h>

typedef struct {
  gint64 opened_us;      /* monotonic */
  bool requested;        /* a whole request header arrived on it */
  char peer[64];         /* the peer's address, asked of the socket once (every request of a
                          * keep-alive connection has the same); "" until then */
} HttpConn;

typedef struct {
  gint64 header_timeout_us;
  guint64 header_timeouts;  /* in all */
  guint64 unreported;       /* counted since the last log line */
  gint64 reported_us;       /* when the last log line was written; 0: never */
} HttpConnBook;

#define HTTP_CONN_LOG_EVERY_US (10 * G_USEC_PER_SEC)

void http_conn_book_init(HttpConnBook *b, int header_timeout_s);

/* A socket accepted at NOW_US (counted in lectern_connections_open). Free with http_conn_close. */
HttpConn *http_conn_open(HttpConnBook *b, gint64 now_us);

/* A whole request header (or a WebSocket upgrade) arrived on C. */
void http_conn_request(HttpConn *c);

/* The socket of *C is gone at NOW_US; frees it and clears the pointer (NULL is fine).
 * Returns true when it was held without a whole request for the header timeout: counted,
 * and logged unless a line was written less than 10 s ago (that line's count then
 * includes it). */
bool http_conn_close(HttpConnBook *b, HttpConn **c, gint64 now_us);
