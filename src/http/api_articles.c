/* api_articles: thin handlers over db_article — field checks, the editor/public split, audit. */
#include "http/api_articles.h"
#include "http/api_catalog.h"
#include "http/api_fields.h"
#include "core/markdown.h"
#include "core/util.h"
#include "db/db_article.h"
#include "db/db_column.h"
#include "db/db_search.h"

#include <errno.h>
#include <string.h>

static bool article_id(const ApiCall *call, int i, gint64 *id, HttpResponse *resp)
{
  if (g_ascii_string_to_signed(call->params[i], 10, 1, G_MAXINT64, id, NULL))
    return true;
  http_response_error(resp, 404, "not_found", "no such article");
  return false;
}

/* The article as the caller may see it (editors: any not deleted; others: public ones), or
 * NULL after 404/500. */
static Article *find_article(ApiContext *ctx, const ApiCall *call, gint64 id, HttpResponse *resp)
{
  Article *a = NULL;
  int rc = db_article_get(ctx->db, id, util_now(), &a);
  if (rc == 0 && (a->is_public || api_is_editor(call)))
    return a;
  article_free(&a);
  if (rc == -EIO)
    http_response_error(resp, 500, "internal", "could not read the article");
  else
    http_response_error(resp, 404, "not_found", "no such article");
  return NULL;
}

static void reply_article(ApiContext *ctx, gint64 id, int status, HttpResponse *resp)
{
  Article *a = NULL;
  if (db_article_get(ctx->db, id, util_now(), &a) < 0) {
    http_response_error(resp, 500, "internal", "could not read the article");
    return;
  }
  api_reply_json(resp, status, article_json(a, true, true));
  article_free(&a);
}

/* Reads an editor's fields into IN (strings point into O). 0, or -1 after 400. */
static int read_fields(JsonObject *o, ArticleInput *in, bool create, HttpResponse *resp)
{
  static const char *const allowed[] = { "title", "summary", "body", "cover_url", "publish_from",
                                         "publish_until", "publish", "author", NULL };
  if (!api_only_known(o, allowed, resp))
    return -1;
  int r = api_field_text(o, "title", 1, DB_ARTICLE_TITLE_MAX, false, &in->title, resp);
  if (r < 0)
    return -1;
  if (r == 0 && create) {
    http_response_error(resp, 400, "invalid_field", "title is required");
    return -1;
  }
  if (api_field_text(o, "summary", 0, DB_ARTICLE_SUMMARY_MAX, true, &in->summary, resp) < 0 ||
      api_field_text(o, "author", 0, DB_ARTICLE_AUTHOR_MAX, false, &in->author, resp) < 0)
    return -1;
  JsonNode *body = json_object_get_member(o, "body");
  if (body) {
    if (!JSON_NODE_HOLDS_VALUE(body) || json_node_get_value_type(body) != G_TYPE_STRING ||
        strlen(json_node_get_string(body)) > DB_ARTICLE_BODY_MAX) {
      http_response_error(resp, 400, "invalid_field", "body must be Markdown text of at most %d bytes",
                          DB_ARTICLE_BODY_MAX);
      return -1;
    }
    in->body_md = json_node_get_string(body);
  }
  JsonNode *cover = json_object_get_member(o, "cover_url");
  if (cover) {
    if (JSON_NODE_HOLDS_NULL(cover)) {
      in->cover_url = "";
    } else if (api_field_text(o, "cover_url", 0, 200, false, &in->cover_url, resp) < 0) {
      return -1;
    } else if (*in->cover_url && !g_str_has_prefix(in->cover_url, "/images/")) {
      http_response_error(resp, 400, "invalid_field", "cover_url must be an image stored here (/images/…)");
      return -1;
    }
  }
  int f = api_field_time(o, "publish_from", &in->publish_from, resp);
  int u = f < 0 ? -1 : api_field_time(o, "publish_until", &in->publish_until, resp);
  if (f < 0 || u < 0)
    return -1;
  in->has_window = f == 1 || u == 1;
  if (in->publish_from && in->publish_until && in->publish_until <= in->publish_from) {
    http_response_error(resp, 400, "invalid_window", "publish_until must be after publish_from");
    return -1;
  }
  if (api_field_bool(o, "publish", &in->publish, resp) < 0)
    return -1;
  if (!create && json_object_has_member(o, "publish")) {
    http_response_error(resp, 400, "unknown_field", "publish with POST /api/v1/articles/<id>/publish");
    return -1;
  }
  return 0;
}

static void save_error(int rc, HttpResponse *resp)
{
  if (rc == -EINVAL)
    http_response_error(resp, 400, "invalid_field", "a field is out of its bounds (or the body is not UTF-8)");
  else if (rc == -ENOENT)
    http_response_error(resp, 404, "not_found", "no such article");
  else
    http_response_error(resp, 500, "internal", "could not save the article");
}

void api_articles_list(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  gint64 page, per_page;
  if (!api_query_page(call, resp, &page, &per_page))
    return;
  bool all = api_query_flag(call, "all");
  if (all && !api_is_editor(call)) {
    http_response_error(resp, 403, "forbidden", "only editors may list unpublished articles");
    return;
  }
  const char *q = g_hash_table_lookup(call->req->query, "q");
  if (q && strlen(q) > DB_SEARCH_QUERY_MAX) {
    http_response_error(resp, 400, "invalid_parameter", "q may have at most %d bytes", DB_SEARCH_QUERY_MAX);
    return;
  }
  ArticleQuery aq = { .public_only = !all, .now = util_now(), .q = q, .limit = per_page,
                      .offset = (page - 1) * per_page };
  const char *column = g_hash_table_lookup(call->req->query, "column");
  if (column && *column && db_column_find(ctx->db, column, &aq.column_id) < 0) {
    http_response_error(resp, 404, "not_found", "no such column: %s", column);
    return;
  }
  int rc = 0;
  JsonNode *n = db_article_list_json(ctx->db, &aq, &rc);
  if (!n) {
    http_response_error(resp, 500, "internal", "could not list articles");
    return;
  }
  json_object_set_int_member(json_node_get_object(n), "page", page);
  json_object_set_int_member(json_node_get_object(n), "per_page", per_page);
  api_reply_json(resp, 200, n);
}

void api_articles_create(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  JsonNode *node = api_parse_object(call->req, resp);
  if (!node)
    return;
  ArticleInput in = { .created_by = call->member->id };
  gint64 id = 0;
  if (read_fields(json_node_get_object(node), &in, true, resp) == 0 && api_begin(ctx, resp)) {
    int rc = db_article_create(ctx->db, &in, util_now(), &id);
    if (rc < 0) {
      db_rollback(ctx->db);
      save_error(rc, resp);
    } else {
      g_autofree char *target = g_strdup_printf("%" G_GINT64_FORMAT, id);
      json_object_remove_member(json_node_get_object(node), "body"); /* the audit keeps fields, not texts */
      if (api_commit_audited(ctx, call, "article.create", "article", target, node, resp) == 0)
        reply_article(ctx, id, 201, resp);
    }
  }
  json_node_unref(node);
}

/* POST {body}: the server's rendering of a body, for the console's preview (nothing stored). */
void api_articles_preview(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  (void)ctx;
  JsonNode *node = api_parse_object(call->req, resp);
  if (!node)
    return;
  JsonObject *o = json_node_get_object(node);
  static const char *const allowed[] = { "body", NULL };
  const char *body = NULL;
  if (api_only_known(o, allowed, resp) &&
      api_field_text(o, "body", 0, DB_ARTICLE_BODY_MAX, true, &body, resp) >= 0) {
    g_autofree char *html = NULL;
    gint64 seconds = 0;
    if (markdown_render(body ? body : "", body ? strlen(body) : 0, &html, &seconds) < 0) {
      http_response_error(resp, 400, "invalid_field", "body must be UTF-8 text");
    } else {
      JsonObject *r = json_object_new();
      json_object_set_string_member(r, "html", html);
      json_object_set_int_member(r, "read_seconds", seconds);
      api_reply_json(resp, 200, api_object_node(r));
    }
  }
  json_node_unref(node);
}

/* POST an image body: stored like covers and posters; answers its URL for the Markdown. */
void api_articles_image(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  g_autofree char *url = api_store_image(ctx, call, ctx->config->max_body_bytes, resp);
  if (!url)
    return;
  JsonObject *r = json_object_new();
  json_object_set_string_member(r, "url", url);
  api_reply_json(resp, 201, api_object_node(r));
}

void api_article_get(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  gint64 id;
  if (!article_id(call, 0, &id, resp))
    return;
  Article *a = find_article(ctx, call, id, resp);
  if (!a)
    return;
  api_reply_json(resp, 200, article_json(a, true, api_is_editor(call)));
  article_free(&a);
}

void api_article_update(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  gint64 id;
  if (!article_id(call, 0, &id, resp))
    return;
  JsonNode *node = api_parse_object(call->req, resp);
  if (!node)
    return;
  ArticleInput in = { 0 };
  if (read_fields(json_node_get_object(node), &in, false, resp) == 0 && api_begin(ctx, resp)) {
    int rc = db_article_update(ctx->db, id, &in, util_now());
    if (rc < 0) {
      db_rollback(ctx->db);
      save_error(rc, resp);
    } else {
      json_object_remove_member(json_node_get_object(node), "body");
      if (api_commit_audited(ctx, call, "article.update", "article", call->params[0], node, resp) == 0)
        reply_article(ctx, id, 200, resp);
    }
  }
  json_node_unref(node);
}

void api_article_delete(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  gint64 id;
  if (!article_id(call, 0, &id, resp) || !api_begin(ctx, resp))
    return;
  int rc = db_article_delete(ctx->db, id, util_now());
  if (rc < 0) {
    db_rollback(ctx->db);
    save_error(rc, resp);
    return;
  }
  if (api_commit_audited(ctx, call, "article.delete", "article", call->params[0], NULL, resp) == 0) {
    JsonObject *r = json_object_new();
    json_object_set_int_member(r, "id", id);
    json_object_set_boolean_member(r, "deleted", true);
    api_reply_json(resp, 200, api_object_node(r));
  }
}

/* POST {publish?: true|false}: publish (default) or take back to draft. */
void api_article_publish(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  gint64 id;
  if (!article_id(call, 0, &id, resp))
    return;
  bool publish = true;
  JsonNode *node = NULL;
  if (call->req->body_len > 0) {
    node = api_parse_object(call->req, resp);
    if (!node)
      return;
    static const char *const allowed[] = { "publish", NULL };
    if (!api_only_known(json_node_get_object(node), allowed, resp) ||
        api_field_bool(json_node_get_object(node), "publish", &publish, resp) < 0) {
      json_node_unref(node);
      return;
    }
  }
  if (api_begin(ctx, resp)) {
    int rc = db_article_publish(ctx->db, id, publish, util_now());
    if (rc < 0) {
      db_rollback(ctx->db);
      save_error(rc, resp);
    } else if (api_commit_audited(ctx, call, publish ? "article.publish" : "article.unpublish", "article",
                                  call->params[0], node, resp) == 0) {
      reply_article(ctx, id, 200, resp);
    }
  }
  if (node)
    json_node_unref(node);
}

/* The column named by the slug (public ones for others than editors), or false after 404. */
static bool find_column(ApiContext *ctx, const ApiCall *call, gint64 *id, HttpResponse *resp)
{
  gint64 from, until;
  bool published = false;
  if (db_column_find(ctx->db, call->params[0], id) == 0 &&
      (api_is_editor(call) || (db_column_window(ctx->db, *id, &from, &until, &published) == 0 && published)))
    return true;
  http_response_error(resp, 404, "not_found", "no such column: %s", call->params[0]);
  return false;
}

void api_column_articles(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  gint64 column;
  if (!find_column(ctx, call, &column, resp))
    return;
  bool all = api_query_flag(call, "all") && api_is_editor(call);
  ArticleQuery aq = { .public_only = !all, .now = util_now(), .column_id = column, .limit = 1000 };
  int rc = 0;
  JsonNode *n = db_article_list_json(ctx->db, &aq, &rc);
  if (!n) {
    http_response_error(resp, 500, "internal", "could not list the column's articles");
    return;
  }
  api_reply_json(resp, 200, n);
}

/* PUT {position?}: the article sits before the column's video at POSITION (default: after
 * the last video). */
void api_column_article_put(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  gint64 column, id;
  if (!find_column(ctx, call, &column, resp) || !article_id(call, 1, &id, resp))
    return;
  JsonNode *node = call->req->body_len ? api_parse_object(call->req, resp) : json_node_init_object(json_node_alloc(), json_object_new());
  if (!node)
    return;
  static const char *const allowed[] = { "position", NULL };
  gint64 position = DB_COLUMN_ITEMS_MAX;
  if (api_only_known(json_node_get_object(node), allowed, resp) &&
      api_field_int(json_node_get_object(node), "position", 0, DB_COLUMN_ITEMS_MAX, &position, resp) >= 0 &&
      api_begin(ctx, resp)) {
    int rc = db_article_place(ctx->db, column, id, position, util_now());
    if (rc < 0) {
      db_rollback(ctx->db);
      save_error(rc, resp);
    } else {
      json_object_set_int_member(json_node_get_object(node), "article", id);
      json_object_set_int_member(json_node_get_object(node), "position", position);
      if (api_commit_audited(ctx, call, "column.article_place", "column", call->params[0], node, resp) == 0)
        api_column_articles(ctx, call, resp);
    }
  }
  json_node_unref(node);
}

void api_column_article_delete(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  gint64 column, id;
  if (!find_column(ctx, call, &column, resp) || !article_id(call, 1, &id, resp) || !api_begin(ctx, resp))
    return;
  int rc = db_article_unplace(ctx->db, column, id);
  if (rc < 0) {
    db_rollback(ctx->db);
    if (rc == -ENOENT)
      http_response_error(resp, 404, "not_found", "the article is not in this column");
    else
      save_error(rc, resp);
    return;
  }
  JsonObject *d = json_object_new();
  json_object_set_int_member(d, "article", id);
  JsonNode *detail = api_object_node(d);
  if (api_commit_audited(ctx, call, "column.article_remove", "column", call->params[0], detail, resp) == 0)
    api_column_articles(ctx, call, resp);
  json_node_unref(detail);
}
