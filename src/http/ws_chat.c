/* ws_chat: the live-chat service on /ws. Only glue: WsMessage → chat_service calls, and the
 * service's ChatIo events → ws_msg encoders → the transport's send functions. A batch is
 * encoded once and one shared frame queued for every connection of its audience; a connection
 * that lost batches (too slow) gets a fresh joined message once it caught up. */
#include "http/ws_chat.h"

#include <errno.h>

#define SERVICE_NAME "chat"

typedef struct {
  Ws *ws;
  ChatService *svc;
} WsChat;

static const WsType chat_types[] = { WS_CHAT_JOIN, WS_CHAT_SEND, WS_CHAT_LIKE };

/* ---- the service speaks ---- */

static void io_joined(void *user, guint64 conn, const ChatJoined *j)
{
  WsChat *w = user;
  ws_send_to(w->ws, conn, ws_msg_chat_joined(j));
}

static void io_batch(void *user, const ChatBatch *b, const guint64 *conns, guint n)
{
  WsChat *w = user;
  ws_send_group(w->ws, conns, n, ws_msg_chat_batch(b));
}

static void io_error(void *user, guint64 conn, const char *code, const char *message)
{
  WsChat *w = user;
  WsConn *c = ws_conn_find(w->ws, conn);
  if (c)
    ws_send_error(c, code, message, false, 0);
}

/* ---- the transport speaks ---- */

static void on_message(void *user, WsConn *c, const WsMessage *m)
{
  WsChat *w = user;
  guint64 id = ws_conn_id(c);
  if (m->type == WS_CHAT_JOIN) {
    ChatWho who = { .member = ws_conn_member(c), .name = ws_conn_member_name(c),
                    .role = ws_conn_role(c), .verified = ws_conn_verified(c) };
    chat_service_join(w->svc, id, &who, m->video);
  } else if (m->type == WS_CHAT_SEND) {
    chat_service_send(w->svc, id, m->video, m->text);
  } else {
    chat_service_like(w->svc, id, m->video, m->count);
  }
}

static void on_resync(void *user, WsConn *c)
{
  WsChat *w = user;
  chat_service_resync(w->svc, ws_conn_id(c));
}

static void on_closed(void *user, WsConn *c)
{
  WsChat *w = user;
  chat_service_leave(w->svc, ws_conn_id(c));
}

static void on_free(void *user)
{
  WsChat *w = user;
  chat_service_free(&w->svc);
  g_free(w);
}

int ws_chat_register(Ws *ws, Db *db, const Config *config)
{
  WsChat *w = g_new0(WsChat, 1);
  w->ws = ws;
  ChatIo io = { .joined = io_joined, .batch = io_batch, .error = io_error, .user = w };
  w->svc = chat_service_new(db, config, &io);
  WsService svc = {
    .name = SERVICE_NAME, .types = chat_types, .n_types = G_N_ELEMENTS(chat_types),
    .message = on_message, .resync = on_resync, .closed = on_closed, .free = on_free,
  };
  int ret = ws_register(ws, &svc, w);
  if (ret < 0)
    on_free(w);
  return ret;
}

ChatService *ws_chat_service(Ws *ws)
{
  WsChat *w = ws_service_user(ws, SERVICE_NAME);
  return w ? w->svc : NULL;
}
