/* ws_services: the services /ws runs, registered in one place — the server and the tests
 * (tests/unit/test_ws_access.c walks every type registered here) call the same function,
 * so what the tests check is what the server routes. */
#pragma once

#include "core/config.h"
#include "db/db.h"
#include "http/ws.h"

/* Registers every /ws service on WS (watch time, http/ws_watch.c; live chat, http/ws_chat.c). A new service
 * (chat, Q&A, quiz, votes) is added here, and its types get rows in src/http/ws_access.txt.
 * Returns 0, or -errno from the first registration that failed (those before it stay). */
int ws_services_register(Ws *ws, Db *db, const Config *config);
