/* api_jobs: following and cancelling an import's job (/api/v1/jobs/{id}). Handlers for the
 * route table in api.c. */
#pragma once

#include "http/api_kit.h"

void api_job_get(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
void api_job_cancel(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
