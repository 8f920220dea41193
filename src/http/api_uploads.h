/* api_uploads: an editor's upload as a new video (POST /api/v1/uploads).
 * The HTTP server (http_upload.c) writes the body straight to a temporary file, never
 * whole in memory. Before it accepts the body it asks api_upload_allowed(): 0 for an
 * editor credential, otherwise -1 with 401/403 in RESP. When the body is complete it calls
 * api_upload_complete() with the temporary's path: the query names the video (title,
 * presenter, kind, filename); the file moves to uploads/<video>/, a video in `processing`
 * and a queued job are created, and RESP gets 202 with the video and its job_id. The probe
 * and transcode follow in the job. On any failure RESP says why and TMP_PATH is removed. */
#pragma once

#include "http/api_kit.h"

#define API_UPLOAD_PATH "/api/v1/uploads"

int api_upload_allowed(ApiContext *ctx, const HttpRequest *req, HttpResponse *resp);
void api_upload_complete(ApiContext *ctx, const HttpRequest *req, const char *tmp_path, HttpResponse *resp);
