/* api_catalog: the archive's API — videos, columns (专题专栏), categories, search, the audit log.
 * Handlers for the route table in api.c; public reads set resp->last_modified, editors'
 * changes commit together with an audit_log entry. */
#pragma once

#include "http/api.h"

#include <stdbool.h>

/* Is S valid UTF-8 text of MIN..MAX characters without control characters (MULTILINE
 * allows newlines and tabs), and not only spaces when MIN > 0? */
bool api_text_ok(const char *s, glong min, glong max, bool multiline);

void api_categories_list(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
void api_categories_create(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
void api_videos_list(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
void api_lives_now(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
void api_lives_upcoming(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
void api_video_get(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
void api_video_update(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
void api_video_chapters(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
void api_video_poster(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
void api_columns_list(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
void api_column_get(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
void api_columns_create(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
void api_column_update(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
void api_column_cover(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
void api_column_items_put(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
void api_column_items_add(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
void api_column_item_update(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
void api_column_item_delete(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
void api_audit_list(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
