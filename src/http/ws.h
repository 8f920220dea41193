/* ws: the /ws transport — connections, framing, the hello step, per-connection output queues
 * and limits, and one table routing each message type to the service that registered it.
 * Services (http/ws_watch.c: watch time) plug in with a WsService; see docs/ws.md. */
#pragma once

#include "core/config.h"
#include "db/db.h"
#include "db/db_member.h"
#include "http/ws_msg.h"

#include <glib.h>
#include <json-glib/json-glib.h>
#include <libwebsockets.h>
#include <stdbool.h>

#define WS_PROTOCOL "lectern-watch" /* the lws protocol name (the vhost's default) */
#define WS_PATH "/ws"

typedef struct Ws Ws;
typedef struct WsConn WsConn;

/* What a service adds to the welcome message. */
typedef struct {
  JsonNode *points; /* the member's points object (the transport takes it); NULL: none */
} WsWelcome;

/* A service on /ws. Callbacks run on the main loop; USER is the service. */
typedef struct {
  const char *name;               /* for logs */
  const WsType *types;            /* the message types it takes */
  size_t n_types;
  /* A message of one of its types, decoded and checked against its schema, from a
   * connection past hello. Required. */
  void (*message)(void *user, WsConn *c, const WsMessage *m);
  /* Optional: C said hello (a member or a guest); fill what the service owns of the welcome. */
  void (*hello)(void *user, WsConn *c, WsWelcome *welcome);
  /* Optional: C read too slowly, had batches (group sends) dropped from its queue and has now
   * caught up: send it what it needs to be up to date again (a fresh snapshot), if it is in
   * one of the service's groups. */
  void (*resync)(void *user, WsConn *c);
  /* Optional: C is gone (nothing can be sent to it any more). */
  void (*closed)(void *user, WsConn *c);
  /* Optional: the transport is being freed, after every connection closed. */
  void (*free)(void *user);
} WsService;

/* The transport, checking members' credentials in DB with SECRET, limits from CONFIG
 * (watch_message_rate, watch_idle_timeout). Its idle sweep runs on the default main context. */
Ws *ws_new(Db *db, const guint8 *secret, const Config *config);

/* Routes SERVICE's types (SERVICE is copied; USER stays the caller's until service->free).
 * Returns 0, or -EEXIST when a type already has a service (nothing is registered then). */
int ws_register(Ws *ws, const WsService *service, void *user);

/* The message types WS routes (hello, the transport's own, and every type a service
 * registered), sorted: a NULL-terminated array (g_strfreev). */
char **ws_route_types(const Ws *ws);

/* The lws protocol entry for WS (its callback and per-connection size); WS is its user. */
struct lws_protocols ws_protocol(Ws *ws);

/* Closes what is still open (services hear closed), then calls each service's free and frees
 * WS; accepts NULL. Call after the lws context is destroyed. */
void ws_free(Ws **ws);

/* ---- what services use ---- */

guint64 ws_conn_id(const WsConn *c);
const char *ws_conn_member(const WsConn *c); /* NULL: a guest */
bool ws_conn_verified(const WsConn *c);      /* real-name verified and not disqualified */
const char *ws_conn_member_name(const WsConn *c); /* the member's display name; NULL: a guest */
Role ws_conn_role(const WsConn *c);          /* ROLE_VIEWER for guests */
/* The USER a service registered under NAME (its WsService.name), or NULL. */
void *ws_service_user(Ws *ws, const char *name);
WsConn *ws_conn_find(Ws *ws, guint64 id);    /* NULL once closed */

/* Queues TEXT (taken) for C. A reader with 64 messages unsent (batches aside) is closed. */
void ws_send(WsConn *c, char *text);
/* TEXT (taken) to the open connection ID; dropped when it is gone. */
void ws_send_to(Ws *ws, guint64 id, char *text);
/* TEXT (taken) to every connection of MEMBER. */
void ws_send_member(Ws *ws, const char *member, char *text);
/* TEXT (taken) to the N connections IDS (a group the service keeps: a live's players): one
 * shared frame, a batch a reader may lose when it falls behind (more than watch.queue_bytes
 * of batches unsent: its oldest are dropped, and services' resync follows once it caught up). */
void ws_send_group(Ws *ws, const guint64 *ids, guint n, char *text);
/* An error message (schemas/ws/error.schema.json); FATAL closes C once it is sent. */
void ws_send_error(WsConn *c, const char *code, const char *message, bool fatal, gint64 seq);
/* Whether MEMBER has a connection open. */
bool ws_member_online(Ws *ws, const char *member);
/* Closes every connection of MEMBER after an "unauthorized" error: the member may no longer be
 * here (erased, docs/privacy.md). Their watch sessions end as on any close. */
void ws_close_member(Ws *ws, const char *member);

/* ---- what the lws callback does, open for tests (no socket: WSI NULL) ---- */

/* A new connection on WSI. */
WsConn *ws_conn_open(Ws *ws, struct lws *wsi);
/* The browser session C's upgrade carried (its cookie's id); hello without a token then
 * signs C in as the session's member. */
void ws_conn_set_session(WsConn *c, const char *session_id);
/* A whole text message of LEN bytes from C: limits, decoding, hello, routing. */
void ws_conn_receive(WsConn *c, const char *text, size_t len);
/* The oldest message queued for C (caller frees), or NULL. */
char *ws_conn_next_output(WsConn *c);
/* The bytes of the messages queued for C. */
size_t ws_conn_queued_bytes(const WsConn *c);
/* Non-zero once C is to be closed (after its queue is sent): the lws close status. */
int ws_conn_closing(const WsConn *c);
/* C is gone: services hear closed, C is freed. */
void ws_conn_close(WsConn *c);
