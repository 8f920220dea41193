/* api_votes: the API of members' votes (docs/votes.md) — editors set contests up, open, close,
 * invalidate and read the signal report; members vote and see their day; everyone reads a
 * contest and its results as its rules allow. */
#pragma once

#include "http/api_kit.h"

void api_votes_list(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
void api_votes_create(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
void api_vote_get(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
void api_vote_update(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
void api_vote_open(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
void api_vote_close(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
void api_vote_results(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
void api_vote_cast(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
void api_vote_me(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
void api_vote_invalidate(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
void api_vote_report(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
