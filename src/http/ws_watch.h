/* ws_watch: the watch-time service (watch/watch_service) on the /ws transport — its message
 * types routed in, what it says encoded per schemas/ws/ and sent out. Rules: docs/points.md. */
#pragma once

#include "core/config.h"
#include "db/db.h"
#include "http/ws.h"

/* Creates the watch service on DB and registers it with WS, which frees it in ws_free
 * (committing what is queued). Returns 0 or -errno from ws_register. */
int ws_watch_register(Ws *ws, Db *db, const Config *config);
