/* api_lottery: the points lottery over HTTP — public rules, prizes, commitments, masked
 * results and draw records; members' tickets and prizes; editors' lotteries, draws, tiers,
 * codes, freeze, draw and disqualification. Handlers for the route table in api.c. */
#pragma once

#include "http/api_kit.h"

void api_lotteries_list(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
void api_lottery_get(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
void api_lottery_draw_entries(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
void api_lottery_draw_record(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
void api_lottery_mine(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
void api_lottery_buy(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
void api_lottery_prize_claim(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
void api_lotteries_create(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
void api_lottery_update(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
void api_lottery_draw_add(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
void api_lottery_tier_add(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
void api_lottery_codes_import(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
void api_lottery_freeze(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
void api_lottery_run_draw(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
void api_lottery_prizes(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
void api_lottery_disqualify(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
