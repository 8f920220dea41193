/* api_privacy: members' data under China's PIPL — a member's own export, and an admin's export
 * and erasure of one member (docs/privacy.md). Handlers for the route table in api.c. */
#pragma once

#include "http/api_kit.h"

void api_me_data(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
void api_member_data(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
void api_member_erase(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
