/* api_catalog: the archive's API — videos, chapters, posters, categories, search, the audit log.
 * Handlers for the route table in api.c; public reads set resp->last_modified, editors'
 * changes commit together with an audit_log entry. */
#pragma once

#include "http/api_kit.h"

#include <stdbool.h>

/* True when video ID exists; otherwise answers 404. */
bool api_video_exists(ApiContext *ctx, const char *id, HttpResponse *resp);

/* Stores the request body as an image (JPEG, PNG or WebP; 415 otherwise) and makes it video
 * VIDEO_ID's poster or, VIDEO_ID NULL, column COLUMN_ID's cover, audited. Returns 0 when
 * committed; otherwise RESP says why. */
int api_put_image(ApiContext *ctx, const ApiCall *call, const char *video_id, gint64 column_id,
                  HttpResponse *resp);

/* The kind of image the request body is by its first bytes (JPEG, PNG, WebP: "jpg", "png",
 * "webp"), or NULL after answering 415 (naming LIMIT, the largest body the route takes). */
const char *api_image_check(const ApiCall *call, gint64 limit, HttpResponse *resp);
/* Stores the request body as an image (checked as api_image_check does) under
 * <data_dir>/images, named by its content: its URL path /images/<hash>.<ext> (caller frees), or
 * NULL after answering. Article pictures, covers, posters and members' pictures all use it. */
char *api_store_image(ApiContext *ctx, const ApiCall *call, gint64 limit, HttpResponse *resp);

void api_categories_list(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
void api_categories_create(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
void api_videos_list(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
void api_lives_now(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
void api_lives_upcoming(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
void api_video_get(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
void api_video_update(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
void api_video_chapters(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
void api_video_poster(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
/* DELETE /videos/{id}: soft delete (db_video_delete), files to the trash, audited. */
void api_video_delete(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
/* POST /videos/{id}/rekey: a new stream key for a live not on air yet, shown once, audited. */
void api_video_rekey(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
void api_audit_list(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
