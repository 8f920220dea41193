/* api_articles: articles in the API — editors write, preview, publish and place them in
 * columns; everyone reads the published ones (docs/articles.md). */
#pragma once

#include "http/api_kit.h"

void api_articles_list(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
void api_articles_create(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
void api_articles_preview(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
void api_articles_image(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
void api_article_get(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
void api_article_update(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
void api_article_delete(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
void api_article_publish(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
void api_column_articles(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
void api_column_article_put(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
void api_column_article_delete(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
