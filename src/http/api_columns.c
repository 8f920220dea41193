/* api_columns: themed columns (专题专栏) in the API — create, edit, publish window, archive,
 * cover, and the ordered, featurable items. */
#include "http/api_columns.h"
#include "http/api_catalog.h"
#include "http/api_fields.h"
#include "db/db_column.h"
#include "db/db_video.h"

#include <errno.h>
#include <string.h>

#define COLUMN_LIST_ITEMS_DEFAULT 12
#define COLUMN_LIST_ITEMS_MAX 50

static bool slug_ok(const char *s)
{
  size_t n = strlen(s);
  if (n < 1 || n > 64 || s[0] == '-' || s[n - 1] == '-' || strstr(s, "--"))
    return false;
  for (const char *p = s; *p; p++)
    if (!g_ascii_islower(*p) && !g_ascii_isdigit(*p) && *p != '-')
      return false;
  return true;
}

static int field_slug(JsonObject *o, const char **out, HttpResponse *resp)
{
  int r = api_field_text(o, "slug", 1, 64, false, out, resp);
  if (r == 1 && !slug_ok(*out)) {
    http_response_error(resp, 400, "invalid_slug", "slug must be 1-64 of a-z, 0-9 and single "
                        "hyphens inside (e.g. health-talks)");
    return -1;
  }
  return r;
}

/* The column named by the URL's slug, or false after 404 (editors see every column;
 * others only published ones). */
static bool find_column(ApiContext *ctx, const ApiCall *call, gint64 *id, HttpResponse *resp)
{
  const char *slug = call->params[0];
  if (db_column_find(ctx->db, slug, id) == 0) {
    gint64 from, until;
    bool published = false;
    if (api_is_editor(call) ||
        (db_column_window(ctx->db, *id, &from, &until, &published) == 0 && published))
      return true;
  }
  http_response_error(resp, 404, "not_found", "no such column: %s", slug);
  return false;
}

static void reply_column(ApiContext *ctx, gint64 id, bool public_only, int limit, int offset,
                         int status, HttpResponse *resp)
{
  int rc = 0;
  JsonNode *c = db_column_json(ctx->db, id, public_only, limit, offset, &rc);
  if (!c) {
    http_response_error(resp, 500, "internal", "could not read the column");
    return;
  }
  api_reply_json(resp, status, c);
}

void api_columns_list(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  gint64 items;
  if (!api_query_int(call, "items", 0, COLUMN_LIST_ITEMS_MAX, COLUMN_LIST_ITEMS_DEFAULT, &items, resp))
    return;
  bool all = api_query_flag(call, "all");
  if (all && !api_is_editor(call)) {
    http_response_error(resp, 403, "forbidden", "only editors may list unpublished columns");
    return;
  }
  int rc = 0;
  JsonNode *arr = db_column_list_json(ctx->db, !all, (int)items, &rc);
  if (!arr) {
    http_response_error(resp, 500, "internal", "could not list columns");
    return;
  }
  JsonObject *o = json_object_new();
  json_object_set_member(o, "columns", arr);
  resp->last_modified = db_catalog_changed_at(ctx->db);
  api_reply_json(resp, 200, api_object_node(o));
}

void api_column_get(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  gint64 id, page, per_page;
  if (!api_query_page(call, resp, &page, &per_page) || !find_column(ctx, call, &id, resp))
    return;
  /* Editors see every item (drafts too) when they ask with ?all=true. */
  bool all = api_query_flag(call, "all") && api_is_editor(call);
  int rc = 0;
  JsonNode *c = db_column_json(ctx->db, id, !all, (int)per_page, (int)((page - 1) * per_page), &rc);
  if (!c) {
    http_response_error(resp, 500, "internal", "could not read the column");
    return;
  }
  json_object_set_int_member(json_node_get_object(c), "page", page);
  json_object_set_int_member(json_node_get_object(c), "per_page", per_page);
  resp->last_modified = db_catalog_changed_at(ctx->db);
  api_reply_json(resp, 200, c);
}

/* Validated column fields of a create or update request; false after 400. */
typedef struct {
  const char *slug, *title, *description;
  gint64 from, until;
  int has_from, has_until, has_archived;
  bool archived;
} ColumnFields;

static bool column_fields(JsonObject *o, ColumnFields *f, HttpResponse *resp)
{
  static const char *const allowed[] = {"slug", "title", "description", "publish_from",
                                        "publish_until", "archived", NULL};
  return api_only_known(o, allowed, resp) && field_slug(o, &f->slug, resp) >= 0 &&
         api_field_text(o, "title", 1, 200, false, &f->title, resp) >= 0 &&
         api_field_text(o, "description", 0, 2000, true, &f->description, resp) >= 0 &&
         (f->has_from = api_field_time(o, "publish_from", &f->from, resp)) >= 0 &&
         (f->has_until = api_field_time(o, "publish_until", &f->until, resp)) >= 0 &&
         (f->has_archived = api_field_bool(o, "archived", &f->archived, resp)) >= 0;
}

/* Applies F to column ID inside the caller's transaction. Returns 0 or -errno. */
static int apply_column_fields(Db *db, gint64 id, const ColumnFields *f)
{
  int rc = 0;
  if (rc == 0 && f->slug)
    rc = db_column_set_text(db, id, COLUMN_SLUG, f->slug);
  if (rc == 0 && f->title)
    rc = db_column_set_text(db, id, COLUMN_TITLE, f->title);
  if (rc == 0 && f->description)
    rc = db_column_set_text(db, id, COLUMN_DESCRIPTION, f->description);
  if (rc == 0 && f->has_from)
    rc = db_column_set_number(db, id, COLUMN_PUBLISH_FROM, f->from);
  if (rc == 0 && f->has_until)
    rc = db_column_set_number(db, id, COLUMN_PUBLISH_UNTIL, f->until);
  if (rc == 0 && f->has_archived)
    rc = db_column_set_number(db, id, COLUMN_ARCHIVED, f->archived);
  return rc;
}

/* The column's publish window after the change must not end before it starts. */
static bool window_ok(ApiContext *ctx, gint64 id, const ColumnFields *f, HttpResponse *resp)
{
  gint64 from = 0, until = 0;
  bool published;
  if (id)
    db_column_window(ctx->db, id, &from, &until, &published);
  if (f->has_from)
    from = f->from;
  if (f->has_until)
    until = f->until;
  if (from && until && until <= from) {
    http_response_error(resp, 400, "invalid_field", "publish_until must be after publish_from");
    return false;
  }
  return true;
}

void api_columns_create(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  JsonNode *node = api_parse_object(call->req, resp);
  if (!node)
    return;
  ColumnFields f = { 0 };
  gint64 id = 0;
  if (!column_fields(json_node_get_object(node), &f, resp) || !window_ok(ctx, 0, &f, resp))
    goto out;
  if (!f.slug || !f.title) {
    http_response_error(resp, 400, "invalid_field", "slug and title are required");
    goto out;
  }
  if (!api_begin(ctx, resp)) {
    goto out;
  }
  int rc = db_column_insert(ctx->db, f.slug, f.title, f.description, &id);
  f.slug = f.title = f.description = NULL; /* set already */
  if (rc == 0)
    rc = apply_column_fields(ctx->db, id, &f);
  if (rc < 0) {
    db_rollback(ctx->db);
    if (rc == -EEXIST)
      http_response_error(resp, 409, "exists", "a column with this slug exists");
    else
      http_response_error(resp, rc == -EINVAL ? 400 : 500, rc == -EINVAL ? "invalid_field" : "internal",
                          "could not create the column");
    goto out;
  }
  const char *slug = json_object_get_string_member(json_node_get_object(node), "slug");
  if (api_commit_audited(ctx, call, "column.create", "column", slug, node, resp) == 0)
    reply_column(ctx, id, false, DB_COLUMN_ITEMS_MAX, 0, 201, resp);
out:
  json_node_unref(node);
}

void api_column_update(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  gint64 id;
  if (!find_column(ctx, call, &id, resp))
    return;
  JsonNode *node = api_parse_object(call->req, resp);
  if (!node)
    return;
  ColumnFields f = { 0 };
  if (!column_fields(json_node_get_object(node), &f, resp) || !window_ok(ctx, id, &f, resp))
    goto out;
  if (!api_begin(ctx, resp)) {
    goto out;
  }
  int rc = apply_column_fields(ctx->db, id, &f);
  if (rc < 0) {
    db_rollback(ctx->db);
    if (rc == -EEXIST)
      http_response_error(resp, 409, "exists", "a column with this slug exists");
    else
      http_response_error(resp, rc == -EINVAL ? 400 : 500, rc == -EINVAL ? "invalid_field" : "internal",
                          "could not update the column");
    goto out;
  }
  if (api_commit_audited(ctx, call, "column.update", "column", call->params[0], node, resp) == 0)
    reply_column(ctx, id, false, DB_COLUMN_ITEMS_MAX, 0, 200, resp);
out:
  json_node_unref(node);
}

void api_column_cover(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  gint64 id;
  if (find_column(ctx, call, &id, resp) && api_put_image(ctx, call, NULL, id, resp) == 0)
    reply_column(ctx, id, false, DB_COLUMN_ITEMS_MAX, 0, 200, resp);
}

/* DELETE: the column shows no cover again (the image file stays: images are immutable and
 * may be referred to elsewhere). Removing a cover that is not there is not an error. */
void api_column_cover_delete(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  gint64 id;
  if (!find_column(ctx, call, &id, resp) || !api_begin(ctx, resp))
    return;
  if (db_column_set_text(ctx->db, id, COLUMN_COVER, NULL) < 0) {
    db_rollback(ctx->db);
    http_response_error(resp, 500, "internal", "could not remove the cover");
    return;
  }
  JsonObject *d = json_object_new();
  json_object_set_null_member(d, "cover_url");
  JsonNode *detail = api_object_node(d);
  int rc = api_commit_audited(ctx, call, "column.cover", "column", call->params[0], detail, resp);
  json_node_unref(detail);
  if (rc == 0)
    reply_column(ctx, id, false, DB_COLUMN_ITEMS_MAX, 0, 200, resp);
}

/* ---- column items ------------------------------------------------------------ */

/* Saves ITEMS as column ID's list in the caller's transaction, audits it as ACTION with
 * DETAIL, and answers with the column. */
static void save_items(ApiContext *ctx, const ApiCall *call, gint64 id, GArray *items,
                       const char *action, JsonNode *detail, HttpResponse *resp)
{
  int rc = db_column_set_items(ctx->db, id, (ColumnItem *)(void *)items->data, items->len);
  if (rc < 0) {
    db_rollback(ctx->db);
    if (rc == -E2BIG)
      http_response_error(resp, 400, "too_many_items", "a column holds at most %d videos", DB_COLUMN_ITEMS_MAX);
    else if (rc == -EINVAL)
      http_response_error(resp, 400, "duplicate_video", "a video can be in a column only once");
    else if (rc == -ENOENT)
      http_response_error(resp, 400, "unknown_video", "a video in the list does not exist");
    else
      http_response_error(resp, 500, "internal", "could not save the column's items");
    return;
  }
  if (api_commit_audited(ctx, call, action, "column", call->params[0], detail, resp) == 0)
    reply_column(ctx, id, false, DB_COLUMN_ITEMS_MAX, 0, 200, resp);
}

static int item_index(GArray *items, const char *video_id)
{
  for (guint i = 0; i < items->len; i++)
    if (!strcmp(g_array_index(items, ColumnItem, i).video_id, video_id))
      return (int)i;
  return -1;
}

typedef struct {
  ColumnItem item;
  gint64 position;
} PlacedItem;

static int placed_cmp(const void *a, const void *b)
{
  const PlacedItem *x = a, *y = b;
  return x->position < y->position ? -1 : x->position > y->position;
}

/* PUT: the whole ordered list, each item with its position (no two alike). */
void api_column_items_put(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  static const char *const allowed[] = {"items", NULL};
  static const char *const item_fields[] = {"video_id", "position", "featured", NULL};
  gint64 id;
  if (!find_column(ctx, call, &id, resp))
    return;
  JsonNode *node = api_parse_object(call->req, resp);
  if (!node)
    return;
  JsonObject *o = json_node_get_object(node);
  GArray *placed = g_array_new(FALSE, TRUE, sizeof(PlacedItem));
  GArray *old = NULL, *items = g_array_new(FALSE, TRUE, sizeof(ColumnItem));
  if (!api_only_known(o, allowed, resp))
    goto out;
  JsonNode *list = json_object_get_member(o, "items");
  if (!list || !JSON_NODE_HOLDS_ARRAY(list) ||
      json_array_get_length(json_node_get_array(list)) > DB_COLUMN_ITEMS_MAX) {
    http_response_error(resp, 400, "invalid_field", "items must be an array of at most %d "
                        "{\"video_id\", \"position\", \"featured\"}", DB_COLUMN_ITEMS_MAX);
    goto out;
  }
  if (db_column_items(ctx->db, id, &old) < 0) {
    http_response_error(resp, 500, "internal", "could not read the column");
    goto out;
  }
  JsonArray *a = json_node_get_array(list);
  for (guint i = 0; i < json_array_get_length(a); i++) {
    JsonNode *e = json_array_get_element(a, i);
    PlacedItem p = { 0 };
    bool featured = false;
    if (!JSON_NODE_HOLDS_OBJECT(e)) {
      http_response_error(resp, 400, "invalid_field", "item %u must be an object", i);
      goto out;
    }
    JsonObject *io = json_node_get_object(e);
    const char *vid = NULL;
    if (!api_only_known(io, item_fields, resp) ||
        api_field_text(io, "video_id", 1, 64, false, &vid, resp) < 0 ||
        api_field_int(io, "position", 0, 1000000, &p.position, resp) < 0 ||
        api_field_bool(io, "featured", &featured, resp) < 0)
      goto out;
    if (!vid || !json_object_has_member(io, "position")) {
      http_response_error(resp, 400, "invalid_field", "item %u needs video_id and position", i);
      goto out;
    }
    if (!api_video_exists(ctx, vid, resp)) {
      http_response_error(resp, 400, "unknown_video", "item %u: no such video: %s", i, vid);
      goto out;
    }
    for (guint j = 0; j < placed->len; j++) {
      PlacedItem *q = &g_array_index(placed, PlacedItem, j);
      if (q->position == p.position) {
        http_response_error(resp, 400, "duplicate_position", "position %" G_GINT64_FORMAT
                            " is given twice", p.position);
        goto out;
      }
      if (!strcmp(q->item.video_id, vid)) {
        http_response_error(resp, 400, "duplicate_video", "video %s is listed twice", vid);
        goto out;
      }
    }
    int at = item_index(old, vid);
    p.item = (ColumnItem){ (char *)vid, featured, at >= 0 ? g_array_index(old, ColumnItem, at).added_at : 0 };
    g_array_append_val(placed, p);
  }
  g_array_sort(placed, placed_cmp);
  for (guint i = 0; i < placed->len; i++)
    g_array_append_val(items, g_array_index(placed, PlacedItem, i).item);
  if (!api_begin(ctx, resp)) {
    goto out;
  }
  save_items(ctx, call, id, items, "column.items", node, resp);
out:
  if (old)
    g_array_unref(old);
  g_array_unref(items);
  g_array_unref(placed);
  json_node_unref(node);
}

/* Moves item AT of ITEMS to POSITION (clamped to the end), shifting those between. */
static void move_item(GArray *items, guint at, gint64 position)
{
  ColumnItem *v = (ColumnItem *)(void *)items->data, it = v[at];
  guint to = position >= (gint64)items->len ? items->len - 1 : (guint)position;
  if (to > at)
    memmove(v + at, v + at + 1, (to - at) * sizeof *v);
  else
    memmove(v + to + 1, v + to, (at - to) * sizeof *v);
  v[to] = it;
}

/* Opens the transaction of a change to column ID's items and reads them. With HOLDING, the
 * column must hold that video: its index goes to *AT (404 otherwise). Returns the items
 * (caller unrefs), or NULL after rolling back and answering. */
static GArray *items_for_change(ApiContext *ctx, gint64 id, const char *holding, int *at,
                                HttpResponse *resp)
{
  GArray *items = NULL;
  if (!api_begin(ctx, resp))
    return NULL;
  if (db_column_items(ctx->db, id, &items) < 0) {
    db_rollback(ctx->db);
    http_response_error(resp, 500, "internal", "could not read the column");
    return NULL;
  }
  if (holding && (*at = item_index(items, holding)) < 0) {
    db_rollback(ctx->db);
    http_response_error(resp, 404, "not_found", "video %s is not in this column", holding);
    g_array_unref(items);
    return NULL;
  }
  return items;
}

/* POST: one video into the column, at POSITION (default: the end). */
void api_column_items_add(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  static const char *const allowed[] = {"video_id", "position", "featured", NULL};
  gint64 id;
  if (!find_column(ctx, call, &id, resp))
    return;
  JsonNode *node = api_parse_object(call->req, resp);
  if (!node)
    return;
  JsonObject *o = json_node_get_object(node);
  GArray *items = NULL;
  const char *vid = NULL;
  gint64 position = G_MAXINT32;
  bool featured = false;
  if (!api_only_known(o, allowed, resp) || api_field_text(o, "video_id", 1, 64, false, &vid, resp) < 0 ||
      api_field_int(o, "position", 0, 1000000, &position, resp) < 0 ||
      api_field_bool(o, "featured", &featured, resp) < 0)
    goto out;
  if (!vid) {
    http_response_error(resp, 400, "invalid_field", "video_id is required");
    goto out;
  }
  if (!api_video_exists(ctx, vid, resp) || !(items = items_for_change(ctx, id, NULL, NULL, resp)))
    goto out;
  if (item_index(items, vid) >= 0) {
    db_rollback(ctx->db);
    http_response_error(resp, 409, "exists", "video %s is in this column already", vid);
    goto out;
  }
  ColumnItem it = { g_strdup(vid), featured, 0 };
  g_array_append_val(items, it);
  move_item(items, items->len - 1, position);
  save_items(ctx, call, id, items, "column.item_add", node, resp);
out:
  if (items)
    g_array_unref(items);
  json_node_unref(node);
}

/* PATCH: move one item and/or (un)feature it. */
void api_column_item_update(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  static const char *const allowed[] = {"position", "featured", NULL};
  gint64 id;
  if (!find_column(ctx, call, &id, resp))
    return;
  JsonNode *node = api_parse_object(call->req, resp);
  if (!node)
    return;
  JsonObject *o = json_node_get_object(node);
  GArray *items = NULL;
  gint64 position = 0;
  bool featured = false;
  int has_pos, has_feat, at = -1;
  if (!api_only_known(o, allowed, resp) ||
      (has_pos = api_field_int(o, "position", 0, 1000000, &position, resp)) < 0 ||
      (has_feat = api_field_bool(o, "featured", &featured, resp)) < 0 ||
      !(items = items_for_change(ctx, id, call->params[1], &at, resp)))
    goto out;
  if (has_feat)
    g_array_index(items, ColumnItem, at).featured = featured;
  if (has_pos)
    move_item(items, (guint)at, position);
  save_items(ctx, call, id, items, "column.item_update", node, resp);
out:
  if (items)
    g_array_unref(items);
  json_node_unref(node);
}

void api_column_item_delete(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  gint64 id;
  int at = -1;
  GArray *items = NULL;
  if (!find_column(ctx, call, &id, resp) ||
      !(items = items_for_change(ctx, id, call->params[1], &at, resp)))
    return;
  g_array_remove_index(items, (guint)at);
  JsonObject *d = json_object_new();
  json_object_set_string_member(d, "video_id", call->params[1]);
  JsonNode *detail = api_object_node(d);
  save_items(ctx, call, id, items, "column.item_remove", detail, resp);
  json_node_unref(detail);
  g_array_unref(items);
}
