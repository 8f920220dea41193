/* api_submissions: calls for submissions, members' submissions with their resumable (tus)
 * uploads, and the editors' review queue over HTTP (issue 21.1–3, docs/submissions.md). */
#pragma once

#include "http/api_kit.h"

/* Where the tus server answers: POST here creates, /<id> is an upload (HEAD, PATCH, DELETE). */
#define API_TUS_PATH "/api/v1/tus"
/* Members' pictures for text submissions: bodies up to [submit] image_bytes. */
#define API_SUBMISSION_IMAGES_PATH "/api/v1/submissions/images"

void api_calls_list(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
void api_calls_create(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
void api_call_get(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
void api_call_update(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);

void api_submissions_create(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
void api_submissions_list(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
void api_me_submissions(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
/* POST API_SUBMISSION_IMAGES_PATH: a real-name member's picture (JPEG, PNG, WebP body) for the
 * Markdown of a text submission, stored like article pictures and recorded as theirs:
 * 201 {url}; 415, 403 not_verified, 429 too_many_images ([submit] images_per_day). */
void api_submission_image(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
void api_submission_get(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
void api_submission_update(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
void api_submission_review(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
void api_documents_list(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);

void api_tus_create(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
void api_tus_head(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
void api_tus_patch(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
void api_tus_delete(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);

/* The answer to OPTIONS under API_TUS_PATH: 204 with Tus-Version, Tus-Extension, Tus-Max-Size. */
void api_tus_options(ApiContext *ctx, HttpResponse *resp);
