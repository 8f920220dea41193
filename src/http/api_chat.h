/* api_chat: the moderators' API of the live chat — read a live's messages, delete one, mute
 * or ban a member for a time, per-live settings, the sensitive-word list. Every change is
 * audited and reaches the chat in memory (ApiContext.chat) at once. Rules: docs/chat.md. */
#pragma once

#include "http/api_kit.h"

void api_chat_messages(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
void api_chat_message_delete(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
void api_chat_settings_get(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
void api_chat_settings_update(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
void api_chat_sanctions_list(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
void api_chat_sanctions_create(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
void api_chat_sanction_lift(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
void api_chat_words_list(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
void api_chat_words_add(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
void api_chat_word_delete(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
