/* api_quiz: the daily quiz over HTTP — a member's quiz of today (start, next question,
 * answers) and the editors' question bank (import, list with correct rates, retire) — and
 * the public rules page's table of activities. Handlers for the route table in api.c. */
#pragma once

#include "http/api_kit.h"

void api_me_quiz(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
void api_me_quiz_start(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
void api_me_quiz_next(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
void api_me_quiz_answer(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
void api_quiz_questions_list(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
void api_quiz_questions_import(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
void api_quiz_question_update(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
void api_rules(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
