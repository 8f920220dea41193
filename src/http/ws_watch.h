/* ws_watch: the WebSocket watch-time service at /ws — sessions, heartbeats, group commit,
 * points and viewer counts pushed to players. Protocol: schemas/ws/, rules: docs/points.md. */
#pragma once

#include "core/config.h"
#include "db/db.h"

#include <glib.h>
#include <libwebsockets.h>

typedef struct WsWatch WsWatch;

#define WS_WATCH_PROTOCOL "lectern-watch"
#define WS_WATCH_PATH "/ws"

/* The service on DB (shared with the caller, who keeps it open until ws_watch_free).
 * SECRET checks members' credentials. Timers run on the default main context. */
WsWatch *ws_watch_new(Db *db, const guint8 *secret, const Config *config);

/* The lws protocol entry for W (its callback and per-connection size); W is its user. */
struct lws_protocols ws_watch_protocol(WsWatch *w);

/* Commits what is queued, ends every session and frees W; accepts NULL. Call after the
 * lws context is destroyed (its closing connections still report to W). */
void ws_watch_free(WsWatch **w);
