/* ws_watch: the watch-time service on /ws. Only glue: WsMessage → watch_service calls, and
 * the service's WatchIo events → ws_msg encoders → the transport's send functions. */
#include "http/ws_watch.h"
#include "watch/watch_service.h"

#include <errno.h>

typedef struct {
  Ws *ws;
  WatchService *svc;
} WsWatch;

static const WsType watch_types[] = { WS_WATCH_START, WS_HEARTBEAT, WS_WATCH_STOP };

/* ---- the service speaks ---- */

static void io_started(void *user, guint64 conn, const char *session, const char *video, bool live,
                       double resume, gint64 credited, int viewers)
{
  WsWatch *w = user;
  ws_send_to(w->ws, conn, ws_msg_watch_started(session, video, live, resume, credited, viewers));
}

static void io_ack(void *user, guint64 conn, gint64 seq, const WatchOutcome *o)
{
  WsWatch *w = user;
  ws_send_to(w->ws, conn, ws_msg_ack(seq, o->new_seconds, o->video_credited, o->points));
}

static void io_error(void *user, guint64 conn, const char *code, const char *message, gint64 seq)
{
  WsWatch *w = user;
  WsConn *c = ws_conn_find(w->ws, conn);
  if (c)
    ws_send_error(c, code, message, false, seq);
}

static void io_ended(void *user, guint64 conn, const char *session, const char *reason)
{
  WsWatch *w = user;
  ws_send_to(w->ws, conn, ws_msg_watch_ended(session, reason));
}

static void io_points(void *user, const char *member, JsonNode *summary, gint64 earned)
{
  WsWatch *w = user;
  ws_send_member(w->ws, member, ws_msg_points_update(summary, earned));
}

static void io_viewers(void *user, const char *video, int viewers, const guint64 *conns, guint n)
{
  WsWatch *w = user;
  ws_send_group(w->ws, conns, n, ws_msg_live_viewers(video, viewers));
}

static bool io_member_online(void *user, const char *member)
{
  WsWatch *w = user;
  return ws_member_online(w->ws, member);
}

/* ---- the transport speaks ---- */

static void on_message(void *user, WsConn *c, const WsMessage *m)
{
  WsWatch *w = user;
  if (m->type == WS_WATCH_START)
    watch_service_start(w->svc, ws_conn_id(c), ws_conn_member(c), m->video, &m->report);
  else
    watch_service_report(w->svc, ws_conn_id(c), m->video, &m->report, m->type == WS_WATCH_STOP);
}

static void on_hello(void *user, WsConn *c, WsWelcome *welcome)
{
  WsWatch *w = user;
  if (ws_conn_member(c) && !welcome->points)
    welcome->points = watch_service_points_summary(w->svc, ws_conn_member(c));
}

static void on_closed(void *user, WsConn *c)
{
  WsWatch *w = user;
  watch_service_conn_closed(w->svc, ws_conn_id(c));
}

static void on_free(void *user)
{
  WsWatch *w = user;
  watch_service_free(&w->svc);
  g_free(w);
}

int ws_watch_register(Ws *ws, Db *db, const Config *config)
{
  WsWatch *w = g_new0(WsWatch, 1);
  w->ws = ws;
  WatchIo io = {
    .started = io_started, .ack = io_ack, .error = io_error, .ended = io_ended,
    .points = io_points, .viewers = io_viewers, .member_online = io_member_online, .user = w,
  };
  w->svc = watch_service_new(db, config, &io);
  WsService svc = {
    .name = "watch", .types = watch_types, .n_types = G_N_ELEMENTS(watch_types),
    .message = on_message, .hello = on_hello, .closed = on_closed, .free = on_free,
  };
  int ret = ws_register(ws, &svc, w);
  if (ret < 0)
    on_free(w);
  return ret;
}
