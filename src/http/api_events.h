/* api_events: scheduling a live lesson (POST /api/v1/events). Handler for the route table
 * in api.c. */
#pragma once

#include "http/api_kit.h"

void api_events_create(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
