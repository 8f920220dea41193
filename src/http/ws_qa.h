/* ws_qa: the Q&A service (chat/qa_service) on the /ws transport — qa.join, qa.ask and
 * qa.vote routed in; qa.joined and qa.batch encoded per schemas/ws/ and sent out.
 * Rules: docs/chat.md. */
#pragma once

#include "chat/qa_service.h"
#include "core/config.h"
#include "db/db.h"
#include "http/ws.h"

/* Creates the Q&A service on DB and registers it with WS, which frees it in ws_free
 * (storing queued upvotes). Returns 0 or -errno from ws_register. */
int ws_qa_register(Ws *ws, Db *db, const Config *config);

/* The Q&A service registered on WS (for the API), or NULL. */
QaService *ws_qa_service(Ws *ws);
