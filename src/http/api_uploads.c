/* api_uploads: an editor's upload as a new video (POST /api/v1/uploads) — the credential
 * check before the body is read, and the stored file turned into a video and a queued job.
 * http/http_upload.c streams the body to disk and calls these; it is not in the route table
 * (the body never passes through the router) but is documented in schemas/openapi.yaml. */
#include "http/api_uploads.h"
#include "auth/auth.h"
#include "core/util.h"
#include "db/db_job.h"
#include "db/db_video.h"
#include "media/jobs.h"

#include <errno.h>
#include <stdio.h>
#include <unistd.h>

/* The editor behind REQ (bearer, or session cookie with its CSRF token), or NULL with
 * 401/403 in RESP. Caller frees. */
static Member *upload_editor(ApiContext *ctx, const HttpRequest *req, HttpResponse *resp)
{
  Member *member = NULL;
  if (api_authorize_request(ctx, req, API_EDITOR, &member, NULL, resp) < 0)
    return NULL;
  return member;
}

int api_upload_allowed(ApiContext *ctx, const HttpRequest *req, HttpResponse *resp)
{
  Member *member = upload_editor(ctx, req, resp);
  int allowed = member ? 0 : -1;
  member_free(&member);
  return allowed;
}

void api_upload_complete(ApiContext *ctx, const HttpRequest *req, const char *tmp_path, HttpResponse *resp)
{
  Member *member = NULL;
  char *vid = NULL, *jid = NULL, *rel = NULL, *dest = NULL, *dir = NULL;
  if (!(member = upload_editor(ctx, req, resp)))
    goto out;
  const char *title = g_hash_table_lookup(req->query, "title");
  if (!title || !*title) {
    http_response_error(resp, 400, "invalid_field", "title is required (?title=…)");
    goto out;
  }
  int rc = db_video_create_upload(ctx->db, title, g_hash_table_lookup(req->query, "presenter"),
                                  g_hash_table_lookup(req->query, "kind"), member->id, &vid);
  if (rc == -EINVAL) {
    http_response_error(resp, 400, "invalid_field", "title must be 1-200 characters and kind one of "
                        "model-worker, volunteer, teacher, other");
    goto out;
  }
  if (rc < 0) {
    http_response_error(resp, 500, "internal", "could not create the video");
    goto out;
  }
  rel = jobs_upload_path(vid, g_hash_table_lookup(req->query, "filename"));
  dest = g_build_filename(ctx->config->data_dir, rel, NULL);
  dir = g_path_get_dirname(dest);
  if (g_mkdir_with_parents(dir, 0755) != 0 || rename(tmp_path, dest) != 0 ||
      db_job_create(ctx->db, vid, rel, &jid) < 0) {
    util_rmtree(dir);
    db_video_set_state(ctx->db, vid, "processing", "failed", "upload not stored", "the upload could not be stored");
    http_response_error(resp, 500, "internal", "could not store the upload");
    goto out;
  }
  JsonNode *node = db_video_json(ctx->db, vid, &rc);
  if (!node) {
    http_response_error(resp, 500, "internal", "the video is gone");
    goto out;
  }
  json_object_set_string_member(json_node_get_object(node), "job_id", jid);
  api_reply_json(resp, 202, node);
out:
  unlink(tmp_path); /* moved already, unless something failed */
  member_free(&member);
  g_free(vid);
  g_free(jid);
  g_free(rel);
  g_free(dest);
  g_free(dir);
}
