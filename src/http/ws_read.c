/* ws_read: glue only — WsMessage → read_service calls, ReadIo events → ws_msg encoders →
 * the transport's send functions. */
#include "http/ws_read.h"
#include "http/ws_msg.h"
#include "watch/read_service.h"

#define SERVICE_NAME "read"

typedef struct {
  Ws *ws;
  ReadService *svc;
} WsRead;

static const WsType read_types[] = { WS_READ_START, WS_READ_BEAT, WS_READ_STOP };

static void io_started(void *user, guint64 conn, const ReadState *st)
{
  WsRead *w = user;
  ws_send_to(w->ws, conn, ws_msg_read_started(st));
}

static void io_ack(void *user, guint64 conn, gint64 seq, const ReadState *st, gint64 earned)
{
  WsRead *w = user;
  ws_send_to(w->ws, conn, ws_msg_read_ack(seq, st, earned));
}

static void io_error(void *user, guint64 conn, const char *code, const char *message, gint64 seq)
{
  WsRead *w = user;
  WsConn *c = ws_conn_find(w->ws, conn);
  if (c)
    ws_send_error(c, code, message, false, seq);
}

static void io_ended(void *user, guint64 conn, gint64 article, const char *reason)
{
  WsRead *w = user;
  ws_send_to(w->ws, conn, ws_msg_read_ended(article, reason));
}

static void io_points(void *user, const char *member, JsonNode *summary, gint64 earned)
{
  WsRead *w = user;
  ws_send_member(w->ws, member, ws_msg_points_update(summary, earned));
}

static void on_message(void *user, WsConn *c, const WsMessage *m)
{
  WsRead *w = user;
  guint64 id = ws_conn_id(c);
  if (m->type == WS_READ_START)
    read_service_start(w->svc, id, ws_conn_member(c), m->article, m->report.visible);
  else
    read_service_report(w->svc, id, m->article, m->report.seq, m->report.visible, m->type == WS_READ_STOP);
}

static void on_closed(void *user, WsConn *c)
{
  WsRead *w = user;
  read_service_conn_closed(w->svc, ws_conn_id(c));
}

static void on_free(void *user)
{
  WsRead *w = user;
  read_service_free(&w->svc);
  g_free(w);
}

int ws_read_register(Ws *ws, Db *db)
{
  WsRead *w = g_new0(WsRead, 1);
  w->ws = ws;
  ReadIo io = { .started = io_started, .ack = io_ack, .error = io_error, .ended = io_ended,
                .points = io_points, .user = w };
  w->svc = read_service_new(db, &io);
  WsService svc = {
    .name = SERVICE_NAME, .types = read_types, .n_types = G_N_ELEMENTS(read_types),
    .message = on_message, .closed = on_closed, .free = on_free,
  };
  int ret = ws_register(ws, &svc, w);
  if (ret < 0)
    on_free(w);
  return ret;
}
