/* api_chat_replay: the public read of a recording's chat replay (issue 19.5) — the shown
 * messages and likes of a finished live placed on the recording's media time, by window of
 * the player's time, paged, answered from a cache of replays in memory. Rules: docs/chat.md. */
#pragma once

#include "http/api_kit.h"

#define CHAT_REPLAY_VIDEOS 64        /* replays kept in memory */
#define CHAT_REPLAY_TTL 60           /* seconds one is kept (held messages still released) */
#define CHAT_REPLAY_WINDOW_MAX 3600  /* seconds one read may span */

/* Sets up CTX->replay and its /metrics counters; api_chat_replay_stop undoes it. */
void api_chat_replay_start(ApiContext *ctx);
void api_chat_replay_stop(ApiContext *ctx);

/* GET /api/v1/videos/{id}/chat/replay?from=&to=&after=&limit= */
void api_chat_replay(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
