/* ws_qa: the Q&A service on /ws. Only glue: WsMessage → qa_service calls, and the service's
 * QaIo events → ws_msg encoders → the transport's send functions. A batch is encoded once
 * and one shared frame queued for every connection of its audience; a connection that lost
 * batches (too slow) gets a fresh joined message once it caught up. */
#include "http/ws_qa.h"

#include <errno.h>

#define SERVICE_NAME "qa"

typedef struct {
  Ws *ws;
  QaService *svc;
} WsQa;

static const WsType qa_types[] = { WS_QA_JOIN, WS_QA_ASK, WS_QA_VOTE };

static void io_joined(void *user, guint64 conn, const QaJoined *j)
{
  WsQa *w = user;
  ws_send_to(w->ws, conn, ws_msg_qa_joined(j));
}

static void io_batch(void *user, const QaBatch *b, const guint64 *conns, guint n)
{
  WsQa *w = user;
  ws_send_group(w->ws, conns, n, ws_msg_qa_batch(b));
}

static void io_error(void *user, guint64 conn, const char *code, const char *message)
{
  WsQa *w = user;
  WsConn *c = ws_conn_find(w->ws, conn);
  if (c)
    ws_send_error(c, code, message, false, 0);
}

static void on_message(void *user, WsConn *c, const WsMessage *m)
{
  WsQa *w = user;
  guint64 id = ws_conn_id(c);
  if (m->type == WS_QA_JOIN) {
    ChatWho who = { .member = ws_conn_member(c), .name = ws_conn_member_name(c),
                    .role = ws_conn_role(c), .verified = ws_conn_verified(c) };
    qa_service_join(w->svc, id, &who, m->video);
  } else if (m->type == WS_QA_ASK) {
    qa_service_ask(w->svc, id, m->video, m->text);
  } else {
    qa_service_vote(w->svc, id, m->video, m->question);
  }
}

static void on_resync(void *user, WsConn *c)
{
  WsQa *w = user;
  qa_service_resync(w->svc, ws_conn_id(c));
}

static void on_closed(void *user, WsConn *c)
{
  WsQa *w = user;
  qa_service_leave(w->svc, ws_conn_id(c));
}

static void on_free(void *user)
{
  WsQa *w = user;
  qa_service_free(&w->svc);
  g_free(w);
}

int ws_qa_register(Ws *ws, Db *db, const Config *config)
{
  WsQa *w = g_new0(WsQa, 1);
  w->ws = ws;
  QaIo io = { .joined = io_joined, .batch = io_batch, .error = io_error, .user = w };
  w->svc = qa_service_new(db, config, &io);
  WsService svc = {
    .name = SERVICE_NAME, .types = qa_types, .n_types = G_N_ELEMENTS(qa_types),
    .message = on_message, .resync = on_resync, .closed = on_closed, .free = on_free,
  };
  int ret = ws_register(ws, &svc, w);
  if (ret < 0)
    on_free(w);
  return ret;
}

QaService *ws_qa_service(Ws *ws)
{
  WsQa *w = ws_service_user(ws, SERVICE_NAME);
  return w ? w->svc : NULL;
}
