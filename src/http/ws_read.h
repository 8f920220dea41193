/* ws_read: the reading service (watch/read_service) on the /ws transport — read.start,
 * read.beat and read.stop in; read.started, read.ack, read.ended and points.update out.
 * Rules: docs/articles.md. */
#pragma once

#include "db/db.h"
#include "http/ws.h"

/* Creates the reading service on DB and registers it with WS, which frees it in ws_free.
 * Returns 0 or -errno from ws_register. */
int ws_read_register(Ws *ws, Db *db);
