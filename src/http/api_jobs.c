/* api_jobs: following and cancelling an import's job (/api/v1/jobs/{id}). Handlers for the
 * route table in api.c. */
#include "http/api_jobs.h"
#include "db/db_job.h"
#include "media/jobs.h"

#include <errno.h>

void api_job_get(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  int rc = 0;
  JsonNode *node = db_job_json(ctx->db, call->params[0], &rc);
  if (!node) {
    http_response_error(resp, rc == -ENOENT ? 404 : 500, rc == -ENOENT ? "not_found" : "internal",
                        "no such job: %s", call->params[0]);
    return;
  }
  api_reply_json(resp, 200, node);
}

void api_job_cancel(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  int rc = jobs_cancel(ctx->db, call->params[0]);
  if (rc == -ENOENT) {
    http_response_error(resp, 409, "not_cancellable", "job %s does not exist or has ended", call->params[0]);
    return;
  }
  if (rc < 0) {
    http_response_error(resp, 500, "internal", "could not cancel job %s", call->params[0]);
    return;
  }
  api_job_get(ctx, call, resp);
}
