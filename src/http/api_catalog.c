/* api_catalog: the archive's API — videos, chapters, posters, categories, search, the audit log. */
#include "http/api_catalog.h"
#include "http/api_fields.h"
#include "auth/auth.h"
#include "core/log.h"
#include "core/util.h"
#include "db/db_audit.h"
#include "db/db_category.h"
#include "db/db_column.h"
#include "db/db_search.h"
#include "db/db_video.h"
#include "db/db_watch.h"
#include "points/watch_clock.h"
#include "media/event.h"
#include "media/trash.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CHAPTERS_MAX 100
#define CHAPTER_START_MAX (86400 * 7)
#define DESCRIPTION_CHARS_MAX 5000

static const char *const kinds[] = {"model-worker", "volunteer", "teacher", "other", NULL};
static const char *const visibilities[] = {"draft", "published", "unlisted", NULL};

/* ---- categories ------------------------------------------------------------ */

void api_categories_list(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  int rc = 0;
  JsonNode *arr = db_category_list_json(ctx->db, &rc);
  if (!arr) {
    http_response_error(resp, 500, "internal", "could not read categories");
    return;
  }
  JsonObject *o = json_object_new();
  json_object_set_member(o, "categories", arr);
  resp->last_modified = db_catalog_changed_at(ctx->db);
  api_reply_json(resp, 200, api_object_node(o));
}

void api_categories_create(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  static const char *const allowed[] = {"name", "position", NULL};
  JsonNode *node = api_parse_object(call->req, resp);
  if (!node)
    return;
  JsonObject *o = json_node_get_object(node);
  const char *name = NULL;
  gint64 position = 100;
  int r;
  if (!api_only_known(o, allowed, resp) || (r = api_field_text(o, "name", 1, 32, false, &name, resp)) < 0 ||
      api_field_int(o, "position", 0, 1000000, &position, resp) < 0)
    goto out;
  if (r == 0) {
    http_response_error(resp, 400, "invalid_field", "name is required");
    goto out;
  }
  if (!api_begin(ctx, resp)) {
    goto out;
  }
  int rc = db_category_insert(ctx->db, name, position);
  if (rc < 0) {
    db_rollback(ctx->db);
    if (rc == -EEXIST)
      http_response_error(resp, 409, "exists", "category exists: %s", name);
    else
      http_response_error(resp, 500, "internal", "could not add the category");
    goto out;
  }
  if (api_commit_audited(ctx, call, "category.create", "category", name, node, resp) == 0) {
    api_categories_list(ctx, call, resp);
    resp->status = 201;
  }
out:
  json_node_unref(node);
}

/* ---- videos ------------------------------------------------------------------ */

/* The sort named by ?sort=, or -1 after 400. */
static int query_sort(const ApiCall *call, VideoSort def, HttpResponse *resp)
{
  static const char *const names[] = {"newest", "oldest", "upcoming", "relevance", NULL};
  const char *v = g_hash_table_lookup(call->req->query, "sort");
  if (!v)
    return (int)def;
  for (int i = 0; names[i]; i++)
    if (!strcmp(v, names[i]))
      return i;
  http_response_error(resp, 400, "invalid_parameter", "sort must be newest, oldest, upcoming or relevance");
  return -1;
}

/* Adds to each live of ARR how many watch it now: sessions that reported within the watch
 * service's silence limit (the home page shows it; players get live.viewers on /ws). */
static void add_viewers(ApiContext *ctx, JsonNode *arr)
{
  JsonArray *a = json_node_get_array(arr);
  gint64 since = util_now() - WATCH_SILENCE_SECONDS;
  for (guint i = 0; i < json_array_get_length(a); i++) {
    JsonObject *v = json_array_get_object_element(a, i);
    int n = 0;
    if (db_watch_viewers_now(ctx->db, json_object_get_string_member(v, "id"), since, &n) == 0)
      json_object_set_int_member(v, "viewers", n);
  }
}

/* Answers a list of videos: the filter from the query (FIXED_STATE and FIXED_SORT, when
 * given, are the route's own; VIEWERS adds the lives' viewer counts). */
static void videos_list(ApiContext *ctx, const ApiCall *call, HttpResponse *resp,
                        const char *fixed_state, int fixed_sort, bool viewers)
{
  GHashTable *q = call->req->query;
  VideoFilter f = {
    .category = g_hash_table_lookup(q, "category"),
    .kind = g_hash_table_lookup(q, "kind"),
    .column_slug = g_hash_table_lookup(q, "column"),
    .state = fixed_state ? fixed_state : g_hash_table_lookup(q, "state"),
    .visibility = g_hash_table_lookup(q, "visibility"),
  };
  const char *text = g_hash_table_lookup(q, "q");
  g_autofree char *match = NULL;
  gint64 page, per_page;
  if (!api_query_page(call, resp, &page, &per_page))
    return;
  if (text && strlen(text) > DB_SEARCH_QUERY_MAX) {
    /* The query's words are the searcher's own: its length is logged, never its text. */
    log_info("api", "refused a search query of %zu bytes (400, at most %d)", strlen(text), DB_SEARCH_QUERY_MAX);
    http_response_error(resp, 400, "invalid_parameter", "q must be at most %d bytes", DB_SEARCH_QUERY_MAX);
    return;
  }
  if (text && *text && !(match = db_search_query(text))) {
    /* Only punctuation or spaces: nothing can match. */
    JsonObject *o = json_object_new();
    json_object_set_array_member(o, "videos", json_array_new());
    json_object_set_int_member(o, "total", 0);
    json_object_set_boolean_member(o, "total_is_estimate", false);
    json_object_set_int_member(o, "page", page);
    json_object_set_int_member(o, "per_page", per_page);
    json_object_set_null_member(o, "next");
    api_reply_json(resp, 200, api_object_node(o));
    return;
  }
  f.match = match;
  int sort = fixed_sort >= 0 ? fixed_sort : query_sort(call, match ? VIDEO_SORT_RELEVANCE : VIDEO_SORT_NEWEST, resp);
  if (sort < 0)
    return;
  if (sort == VIDEO_SORT_RELEVANCE && !match)
    sort = VIDEO_SORT_NEWEST;
  f.sort = (VideoSort)sort;
  if (f.kind && !api_in_list(f.kind, kinds)) {
    http_response_error(resp, 400, "invalid_parameter", "kind must be model-worker, volunteer, teacher or other");
    return;
  }
  static const char *const states[] = {"scheduled", "live", "processing", "ready", "failed", NULL};
  if (f.state && !api_in_list(f.state, states)) {
    http_response_error(resp, 400, "invalid_parameter", "state must be scheduled, live, processing, ready or failed");
    return;
  }
  if (f.category && *f.category && !db_category_exists(ctx->db, f.category)) {
    http_response_error(resp, 400, "unknown_category", "no such category: %s", f.category);
    return;
  }
  if (f.visibility) {
    static const char *const vis[] = {"draft", "published", "unlisted", "any", NULL};
    if (!api_is_editor(call)) {
      http_response_error(resp, 403, "forbidden", "only editors may list by visibility");
      return;
    }
    if (!api_in_list(f.visibility, vis)) {
      http_response_error(resp, 400, "invalid_parameter", "visibility must be draft, published, unlisted or any");
      return;
    }
  }
  /* ?after= (the `next` of the page before) pages by key; ?page= still works, by offset. */
  const char *after = g_hash_table_lookup(q, "after");
  if (after && g_hash_table_lookup(q, "page")) {
    http_response_error(resp, 400, "invalid_parameter", "give after or page, not both");
    return;
  }
  if (after && db_video_cursor_parse(after, f.sort, match != NULL, &f.after) < 0) {
    http_response_error(resp, 400, "invalid_parameter",
                        "after must be the next of a page of this list (the same sort)");
    return;
  }
  f.limit = (int)per_page;
  f.offset = (int)((page - 1) * per_page);
  VideoListInfo info = { 0 };
  int rc = 0;
  JsonNode *arr = db_video_list_json(ctx->db, &f, &info, &rc);
  if (!arr) {
    http_response_error(resp, 500, "internal", "could not list videos");
    return;
  }
  if (viewers) {
    add_viewers(ctx, arr);
    resp->fresh_until = util_now() + API_VIEWERS_FRESH_SECONDS;
  }
  JsonObject *o = json_object_new();
  json_object_set_member(o, "videos", arr);
  json_object_set_int_member(o, "total", info.total);
  json_object_set_boolean_member(o, "total_is_estimate", info.total_is_estimate);
  json_object_set_int_member(o, "page", page);
  json_object_set_int_member(o, "per_page", per_page);
  if (info.next)
    json_object_set_string_member(o, "next", info.next);
  else
    json_object_set_null_member(o, "next");
  g_free(info.next);
  /* Viewer counts change without the catalog: then the ETag alone revalidates. */
  resp->last_modified = viewers ? 0 : db_catalog_changed_at(ctx->db);
  api_reply_json(resp, 200, api_object_node(o));
}

void api_videos_list(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  videos_list(ctx, call, resp, NULL, -1, false);
}

void api_lives_now(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  videos_list(ctx, call, resp, "live", VIDEO_SORT_UPCOMING, true);
}

void api_lives_upcoming(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  videos_list(ctx, call, resp, "scheduled", VIDEO_SORT_UPCOMING, false);
}

void api_video_get(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  const char *id = call->params[0];
  /* Drafts (and videos whose publish time is still ahead) are for editors. */
  if (!api_is_editor(call) && !db_video_is_viewable(ctx->db, id)) {
    http_response_error(resp, 404, "not_found", "no such video: %s", id);
    return;
  }
  int rc = 0;
  JsonNode *node = db_video_json(ctx->db, id, &rc);
  if (!node) {
    http_response_error(resp, rc == -ENOENT ? 404 : 500, rc == -ENOENT ? "not_found" : "internal",
                        "could not read video %s", id);
    return;
  }
  /* Imports have a storyboard (thumbnails for the scrub bar); lives do not. */
  g_autofree char *media = config_media_dir(ctx->config);
  g_autofree char *vtt = g_build_filename(media, id, "storyboard.vtt", NULL);
  JsonObject *o = json_node_get_object(node);
  if (g_file_test(vtt, G_FILE_TEST_IS_REGULAR)) {
    g_autofree char *url = g_strdup_printf("/hls/%s/storyboard.vtt", id);
    json_object_set_string_member(o, "storyboard_url", url);
  } else {
    json_object_set_null_member(o, "storyboard_url");
  }
  resp->last_modified = db_catalog_changed_at(ctx->db);
  api_reply_json(resp, 200, node);
}

/* Answers 404 unless video ID exists. */
bool api_video_exists(ApiContext *ctx, const char *id, HttpResponse *resp)
{
  if (db_video_updated_at(ctx->db, id) > 0)
    return true;
  http_response_error(resp, 404, "not_found", "no such video: %s", id);
  return false;
}

/* Answers with the video after an editor's change (status STATUS). */
static void reply_video(ApiContext *ctx, const char *id, int status, HttpResponse *resp)
{
  int rc = 0;
  JsonNode *node = db_video_json(ctx->db, id, &rc);
  if (!node) {
    http_response_error(resp, 500, "internal", "could not read video %s", id);
    return;
  }
  api_reply_json(resp, status, node);
}

void api_video_update(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  static const char *const allowed[] = {"title", "presenter", "presenter_kind", "category", "tags",
                                        "description", "visibility", "publish_at",
                                        "scheduled_start", NULL};
  const char *id = call->params[0];
  if (!api_video_exists(ctx, id, resp))
    return;
  JsonNode *node = api_parse_object(call->req, resp);
  if (!node)
    return;
  JsonObject *o = json_node_get_object(node);
  const char *text[VIDEO_POSTER] = { 0 };
  g_autofree char *tags = NULL;
  gint64 publish_at = 0, starts = 0;
  int has_publish = 0, has_starts = 0;
  if (!api_only_known(o, allowed, resp) ||
      api_field_text(o, "title", 1, 200, false, &text[VIDEO_TITLE], resp) < 0 ||
      api_field_text(o, "presenter", 0, 100, false, &text[VIDEO_PRESENTER], resp) < 0 ||
      api_field_enum(o, "presenter_kind", kinds, &text[VIDEO_KIND], resp) < 0 ||
      api_field_text(o, "category", 0, 32, false, &text[VIDEO_CATEGORY], resp) < 0 ||
      api_field_tags(o, &tags, resp) < 0 ||
      api_field_text(o, "description", 0, DESCRIPTION_CHARS_MAX, true, &text[VIDEO_DESCRIPTION], resp) < 0 ||
      api_field_enum(o, "visibility", visibilities, &text[VIDEO_VISIBILITY], resp) < 0 ||
      (has_publish = api_field_time(o, "publish_at", &publish_at, resp)) < 0 ||
      (has_starts = api_field_time(o, "scheduled_start", &starts, resp)) < 0)
    goto out;
  if (text[VIDEO_CATEGORY] && *text[VIDEO_CATEGORY] &&
      !db_category_exists(ctx->db, text[VIDEO_CATEGORY])) {
    http_response_error(resp, 400, "unknown_category",
                        "no such category: %s (editors add categories with POST /api/v1/categories)",
                        text[VIDEO_CATEGORY]);
    goto out;
  }
  text[VIDEO_TAGS] = tags;
  if (!api_begin(ctx, resp)) {
    goto out;
  }
  int rc = 0;
  for (int f = 0; f < VIDEO_POSTER && rc == 0; f++)
    if (text[f])
      rc = db_video_set_text(ctx->db, id, (VideoField)f, text[f]);
  if (rc == 0 && has_publish)
    rc = db_video_set_time(ctx->db, id, VIDEO_PUBLISH_AT, publish_at);
  if (rc == 0 && has_starts)
    rc = db_video_set_time(ctx->db, id, VIDEO_SCHEDULED_START, starts);
  if (rc < 0) {
    db_rollback(ctx->db);
    http_response_error(resp, rc == -EINVAL ? 400 : 500, rc == -EINVAL ? "invalid_field" : "internal",
                        "could not update video %s", id);
    goto out;
  }
  if (api_commit_audited(ctx, call, "video.update", "video", id, node, resp) == 0)
    reply_video(ctx, id, 200, resp);
out:
  json_node_unref(node);
}

static int chapter_cmp(const void *a, const void *b)
{
  const ChapterRow *x = a, *y = b;
  return x->start_ms < y->start_ms ? -1 : x->start_ms > y->start_ms;
}

void api_video_chapters(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  static const char *const allowed[] = {"chapters", NULL};
  static const char *const chapter_fields[] = {"start", "title", NULL};
  const char *id = call->params[0];
  if (!api_video_exists(ctx, id, resp))
    return;
  JsonNode *node = api_parse_object(call->req, resp);
  if (!node)
    return;
  JsonObject *o = json_node_get_object(node);
  GArray *rows = g_array_new(FALSE, TRUE, sizeof(ChapterRow));
  if (!api_only_known(o, allowed, resp))
    goto out;
  JsonNode *list = json_object_get_member(o, "chapters");
  if (!list || !JSON_NODE_HOLDS_ARRAY(list) ||
      json_array_get_length(json_node_get_array(list)) > CHAPTERS_MAX) {
    http_response_error(resp, 400, "invalid_field", "chapters must be an array of at most %d "
                        "{\"start\": seconds, \"title\": text}", CHAPTERS_MAX);
    goto out;
  }
  int rc = 0;
  JsonNode *video = db_video_json(ctx->db, id, &rc);
  JsonObject *vo = video ? json_node_get_object(video) : NULL;
  double duration = vo && !json_object_get_null_member(vo, "duration")
                        ? json_object_get_double_member(vo, "duration") : 0;
  if (video)
    json_node_unref(video);
  JsonArray *a = json_node_get_array(list);
  for (guint i = 0; i < json_array_get_length(a); i++) {
    JsonNode *e = json_array_get_element(a, i);
    if (!JSON_NODE_HOLDS_OBJECT(e)) {
      http_response_error(resp, 400, "invalid_field", "chapter %u must be an object", i);
      goto out;
    }
    JsonObject *c = json_node_get_object(e);
    JsonNode *start = json_object_get_member(c, "start");
    ChapterRow row = { 0 };
    if (!api_only_known(c, chapter_fields, resp))
      goto out;
    double s = -1;
    GType type = start && JSON_NODE_HOLDS_VALUE(start) ? json_node_get_value_type(start) : G_TYPE_INVALID;
    if (type == G_TYPE_INT64)
      s = (double)json_node_get_int(start);
    else if (type == G_TYPE_DOUBLE)
      s = json_node_get_double(start);
    else if (type == G_TYPE_STRING && api_parse_clock(json_node_get_string(start), &s) < 0)
      s = -1;
    if (!(s >= 0 && s <= CHAPTER_START_MAX)) {
      http_response_error(resp, 400, "invalid_field", "chapter %u: start must be seconds from 0 "
                          "(a number, or text as seconds, m:ss or h:mm:ss with minutes and seconds "
                          "below 60)", i);
      goto out;
    }
    if (duration > 0 && s >= duration) {
      http_response_error(resp, 400, "invalid_field", "chapter %u: start %.3f s is past the end "
                          "of the video (%.3f s)", i, s, duration);
      goto out;
    }
    row.start_ms = (gint64)(s * 1000 + 0.5);
    if (api_field_text(c, "title", 1, 200, false, &row.title, resp) <= 0) {
      if (resp->status < 400)
        http_response_error(resp, 400, "invalid_field", "chapter %u: title is required", i);
      goto out;
    }
    g_array_append_val(rows, row);
  }
  g_array_sort(rows, chapter_cmp);
  for (guint i = 1; i < rows->len; i++)
    if (g_array_index(rows, ChapterRow, i).start_ms == g_array_index(rows, ChapterRow, i - 1).start_ms) {
      http_response_error(resp, 400, "duplicate_start", "two chapters start at %.3f s",
                          g_array_index(rows, ChapterRow, i).start_ms / 1000.0);
      goto out;
    }
  if (!api_begin(ctx, resp)) {
    goto out;
  }
  rc = db_video_set_chapters(ctx->db, id, (ChapterRow *)(void *)rows->data, rows->len);
  if (rc < 0) {
    db_rollback(ctx->db);
    http_response_error(resp, 500, "internal", "could not save the chapters");
    goto out;
  }
  if (api_commit_audited(ctx, call, "video.chapters", "video", id, node, resp) == 0)
    reply_video(ctx, id, 200, resp);
out:
  g_array_unref(rows);
  json_node_unref(node);
}

/* ---- removing a video, replacing a live's key ------------------------------------ */

void api_video_delete(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  const char *id = call->params[0];
  if (!api_video_exists(ctx, id, resp))
    return;
  /* What it was, for the audit log: the row stays, but nobody can read it by id any more. */
  int rc = 0;
  JsonNode *before = db_video_json(ctx->db, id, &rc);
  if (!before) {
    http_response_error(resp, 500, "internal", "could not read video %s", id);
    return;
  }
  JsonObject *bo = json_node_get_object(before);
  JsonObject *d = json_object_new();
  static const char *const kept[] = {"title", "source", "state", "visibility"};
  for (size_t i = 0; i < G_N_ELEMENTS(kept); i++)
    json_object_set_string_member(d, kept[i], json_object_get_string_member(bo, kept[i]));
  json_node_unref(before);
  JsonNode *detail = api_object_node(d);
  GPtrArray *columns = NULL;
  if (!api_begin(ctx, resp))
    goto out;
  rc = db_video_delete(ctx->db, id, call->member->id, &columns);
  if (rc == 0 && (rc = trash_move_video(ctx->config, id)) < 0)
    rc = -EIO;
  if (rc < 0) {
    db_rollback(ctx->db);
    if (rc == -EBUSY)
      http_response_error(resp, 409, "on_air", "video %s is live on air: stop the stream first, "
                          "then delete the recording", id);
    else if (rc == -ENOENT)
      http_response_error(resp, 404, "not_found", "no such video: %s", id);
    else
      http_response_error(resp, 500, "internal", "could not delete video %s", id);
    goto out;
  }
  JsonArray *left = json_array_new();
  for (guint i = 0; i < columns->len; i++)
    json_array_add_string_element(left, columns->pdata[i]);
  json_object_set_array_member(d, "columns", left);
  if (api_commit_audited(ctx, call, "video.delete", "video", id, detail, resp) < 0) {
    trash_restore_video(ctx->config, id); /* nothing was deleted after all */
    goto out;
  }
  gint64 now = util_now();
  JsonObject *o = json_object_new();
  json_object_set_string_member(o, "id", id);
  char *at = util_iso8601(now);
  json_object_set_string_member(o, "deleted_at", at);
  g_free(at);
  at = util_iso8601(now + ctx->config->deleted_grace);
  json_object_set_string_member(o, "files_removed_after", at);
  g_free(at);
  json_object_set_array_member(o, "columns", json_array_ref(left));
  api_reply_json(resp, 200, api_object_node(o));
out:
  if (columns)
    g_ptr_array_unref(columns);
  json_node_unref(detail);
}

void api_video_rekey(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  const char *id = call->params[0];
  if (!api_video_exists(ctx, id, resp) || !api_begin(ctx, resp))
    return;
  JsonNode *result = NULL;
  int rc = event_rekey(ctx->db, ctx->config, ctx->secret, id, &result);
  if (rc < 0) {
    db_rollback(ctx->db);
    if (rc == -EBUSY)
      http_response_error(resp, 409, "on_air", "the live %s is on air: its key cannot change "
                          "until the stream stops", id);
    else if (rc == -EINVAL)
      http_response_error(resp, 409, "not_scheduled", "only a live that has not gone on air gets "
                          "a new key; %s is not one", id);
    else
      http_response_error(resp, 500, "internal", "could not replace the key of %s", id);
    return;
  }
  /* The audit says that the key changed, never the key. */
  if (api_commit_audited(ctx, call, "video.rekey", "video", id, NULL, resp) == 0)
    api_reply_json(resp, 200, result);
  else
    json_node_unref(result);
}

/* ---- images (column covers, replaced posters) -------------------------------- */

/* The kind of image in DATA by its first bytes: its extension, or NULL. */
static const char *image_ext(const guint8 *d, size_t n)
{
  if (n >= 3 && d[0] == 0xff && d[1] == 0xd8 && d[2] == 0xff)
    return "jpg";
  if (n >= 8 && !memcmp(d, "\x89PNG\r\n\x1a\n", 8))
    return "png";
  if (n >= 12 && !memcmp(d, "RIFF", 4) && !memcmp(d + 8, "WEBP", 4))
    return "webp";
  return NULL;
}

const char *api_image_check(const ApiCall *call, gint64 limit, HttpResponse *resp)
{
  const HttpRequest *req = call->req;
  const char *ext = req->body ? image_ext((const guint8 *)req->body, req->body_len) : NULL;
  if (!ext)
    http_response_error(resp, 415, "unsupported_media_type",
                        "send a JPEG, PNG or WebP image as the body (at most %" G_GINT64_FORMAT " bytes)",
                        limit);
  return ext;
}

/* Stores the request body as an image under <data_dir>/images, named by its content, and
 * returns its URL path (/images/<hash>.<ext>; caller frees), or NULL after answering. */
char *api_store_image(ApiContext *ctx, const ApiCall *call, gint64 limit, HttpResponse *resp)
{
  const HttpRequest *req = call->req;
  const char *ext = api_image_check(call, limit, resp);
  if (!ext)
    return NULL;
  g_autofree char *hash = g_compute_checksum_for_data(G_CHECKSUM_SHA256, (const guchar *)req->body,
                                                      req->body_len);
  g_autofree char *dir = config_images_dir(ctx->config);
  g_autofree char *name = g_strdup_printf("%.32s.%s", hash, ext);
  g_autofree char *path = g_build_filename(dir, name, NULL);
  GError *err = NULL;
  if (g_mkdir_with_parents(dir, 0755) != 0 ||
      (!g_file_test(path, G_FILE_TEST_EXISTS) &&
       !g_file_set_contents_full(path, req->body, (gssize)req->body_len,
                                 G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE, 0644, &err))) {
    log_error("api", "could not store image %s: %s", path, err ? err->message : g_strerror(errno));
    g_clear_error(&err);
    http_response_error(resp, 500, "internal", "could not store the image");
    return NULL;
  }
  return g_strdup_printf("/images/%s", name);
}

/* Stores the body as an image and makes it video VIDEO_ID's poster, or (VIDEO_ID NULL)
 * column COLUMN_ID's cover, audited. Returns 0 when committed; otherwise RESP says why. */
int api_put_image(ApiContext *ctx, const ApiCall *call, const char *video_id, gint64 column_id,
                     HttpResponse *resp)
{
  g_autofree char *url = api_store_image(ctx, call, ctx->config->max_body_bytes, resp);
  if (!url)
    return -EINVAL;
  if (!api_begin(ctx, resp)) {
    return -EBUSY;
  }
  int rc = video_id ? db_video_set_text(ctx->db, video_id, VIDEO_POSTER, url)
                    : db_column_set_text(ctx->db, column_id, COLUMN_COVER, url);
  if (rc < 0) {
    db_rollback(ctx->db);
    http_response_error(resp, 500, "internal", "could not set the image");
    return rc;
  }
  JsonObject *d = json_object_new();
  json_object_set_string_member(d, video_id ? "poster_url" : "cover_url", url);
  JsonNode *detail = api_object_node(d);
  rc = api_commit_audited(ctx, call, video_id ? "video.poster" : "column.cover", video_id ? "video" : "column",
                      video_id ? video_id : call->params[0], detail, resp);
  json_node_unref(detail);
  return rc;
}

void api_video_poster(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  const char *id = call->params[0];
  if (api_video_exists(ctx, id, resp) && api_put_image(ctx, call, id, 0, resp) == 0)
    reply_video(ctx, id, 200, resp);
}

/* ---- audit log ----------------------------------------------------------------- */

/* Query parameter NAME as an ISO 8601 time with a zone, in *OUT (0 when absent). False
 * after 400. */
static bool query_time(const ApiCall *call, const char *name, gint64 *out, HttpResponse *resp)
{
  const char *v = g_hash_table_lookup(call->req->query, name);
  *out = 0;
  if (!v || !*v)
    return true;
  GDateTime *dt = strlen(v) <= 64 ? g_date_time_new_from_iso8601(v, NULL) : NULL;
  if (dt)
    *out = g_date_time_to_unix(dt);
  if (dt)
    g_date_time_unref(dt);
  if (*out <= 0) {
    http_response_error(resp, 400, "invalid_parameter",
                        "%s must be an ISO 8601 time with a zone (e.g. 2026-11-22T19:00:00+08:00)", name);
    return false;
  }
  return true;
}

void api_audit_list(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  static const char *const types[] = {"video", "column", "category", "campaign", "member", "quiz_question",
                                      "vote", "lottery", "call", "submission", "article", NULL};
  GHashTable *q = call->req->query;
  gint64 limit = 50;
  /* An empty parameter (a blank filter field in a form) does not narrow. */
  const char *given[4];
  static const char *const names[] = {"target_type", "target_id", "member", "action"};
  for (int i = 0; i < 4; i++) {
    given[i] = g_hash_table_lookup(q, names[i]);
    if (given[i] && !*given[i])
      given[i] = NULL;
  }
  AuditFilter f = { .target_type = given[0], .target_id = given[1], .member_id = given[2],
                    .action = given[3] };
  if (!api_query_int(call, "before", 0, G_MAXINT64, 0, &f.before_id, resp) ||
      !api_query_int(call, "limit", 1, 500, 50, &limit, resp) ||
      !query_time(call, "since", &f.since, resp) || !query_time(call, "until", &f.until, resp))
    return;
  if (f.target_type && !api_in_list(f.target_type, types)) {
    http_response_error(resp, 400, "invalid_parameter",
                        "target_type must be video, column, category, campaign, member, quiz_question, vote, "
                        "lottery, call, submission or article");
    return;
  }
  f.limit = (int)limit;
  int rc = 0;
  JsonNode *arr = db_audit_list_json(ctx->db, &f, &rc);
  if (!arr) {
    http_response_error(resp, 500, "internal", "could not read the audit log");
    return;
  }
  JsonObject *o = json_object_new();
  json_object_set_member(o, "entries", arr);
  api_reply_json(resp, 200, api_object_node(o));
}
