/* api_qa: the HTTP side of questions to the presenter — moderators list and decide
 * questions and set pre-moderation; editors make (rotate) a live's presenter link; the
 * presenter view, holding only that link, reads its live's questions, audience and state
 * and decides its questions. Every decision is audited, pays an approved question's points
 * once (club/qa_points) and reaches the viewers through the Q&A service (ApiContext.qa).
 * Rules: docs/chat.md. */
#pragma once

#include "http/api_kit.h"

void api_qa_questions(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
void api_qa_decide(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
void api_qa_settings_get(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
void api_qa_settings_update(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
void api_presenter_link_get(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
void api_presenter_link_rotate(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
void api_presenter_view(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
void api_presenter_decide(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
