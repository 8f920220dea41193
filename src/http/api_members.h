/* api_members: who is asking and who is there — the caller's own record (/me), the member
 * list, new members. Handlers for the route table in api.c. */
#pragma once

#include "http/api_kit.h"

void api_me(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
void api_members_list(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
void api_members_create(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
