/* api_columns: themed columns (专题专栏) in the API — create, edit, publish window, archive,
 * cover, and the ordered, featurable items. Handlers for the route table in api.c. */
#pragma once

#include "http/api_kit.h"

void api_columns_list(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
void api_column_get(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
void api_columns_create(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
void api_column_update(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
void api_column_cover(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
void api_column_cover_delete(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
void api_column_items_put(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
void api_column_items_add(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
void api_column_item_update(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
void api_column_item_delete(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
