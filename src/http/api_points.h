/* api_points: members' points and watch history, campaigns, corrections, member flags and
 * per-video viewing statistics. Handlers for the route table in api.c. */
#pragma once

#include "http/api.h"

void api_me_points(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
void api_me_history(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
void api_campaigns_list(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
void api_campaigns_create(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
void api_campaign_update(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
void api_points_correction(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
void api_campaign_earners(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
void api_member_update(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
void api_video_stats(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);

/* Member M as editors see it: auth_member_json() plus, while disqualified, the reason given
 * (disqualified_reason, from the audit log; null when none was). */
JsonNode *api_member_json(ApiContext *ctx, const Member *m);
