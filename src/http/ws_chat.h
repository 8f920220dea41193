/* ws_chat: the live-chat service (chat/chat_service) on the /ws transport — chat.join,
 * chat.send and chat.like routed in; chat.joined and chat.batch encoded per schemas/ws/ and
 * sent out. Rules: docs/chat.md. */
#pragma once

#include "chat/chat_service.h"
#include "core/config.h"
#include "db/db.h"
#include "http/ws.h"

/* Creates the chat service on DB and registers it with WS, which frees it in ws_free
 * (storing what is queued). Returns 0 or -errno from ws_register. */
int ws_chat_register(Ws *ws, Db *db, const Config *config);

/* The chat service registered on WS (for the moderators' API), or NULL. */
ChatService *ws_chat_service(Ws *ws);
