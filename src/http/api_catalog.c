/* api_catalog: the archive's API — videos, columns (专题专栏), categories, search, the audit log. */
#include "http/api_catalog.h"
#include "auth/auth.h"
#include "core/log.h"
#include "core/util.h"
#include "db/db_audit.h"
#include "db/db_category.h"
#include "db/db_column.h"
#include "db/db_search.h"
#include "db/db_video.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PER_PAGE_DEFAULT 20
#define PER_PAGE_MAX 100
#define COLUMN_LIST_ITEMS_DEFAULT 12
#define COLUMN_LIST_ITEMS_MAX 50
#define CHAPTERS_MAX 100
#define TAGS_MAX 20
#define TAG_CHARS_MAX 32
#define DESCRIPTION_CHARS_MAX 5000

static const char *const kinds[] = {"model-worker", "volunteer", "teacher", "other", NULL};
static const char *const visibilities[] = {"draft", "published", "unlisted", NULL};

static bool is_editor(const ApiCall *call)
{
  return call->member && auth_role_at_least(call->member, ROLE_EDITOR);
}

static bool in_list(const char *s, const char *const *list)
{
  for (; *list; list++)
    if (!strcmp(s, *list))
      return true;
  return false;
}

static JsonNode *object_node(JsonObject *o)
{
  JsonNode *n = json_node_new(JSON_NODE_OBJECT);
  json_node_take_object(n, o);
  return n;
}

/* ---- request fields -------------------------------------------------------- */

bool api_text_ok(const char *s, glong min, glong max, bool multiline)
{
  if (!s || !g_utf8_validate(s, -1, NULL))
    return false;
  glong n = g_utf8_strlen(s, -1);
  if (n < min || n > max)
    return false;
  bool blank = true;
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    if (*p < 0x20 || *p == 0x7f) {
      if (!multiline || (*p != '\n' && *p != '\t' && *p != '\r'))
        return false;
    } else if (*p != ' ') {
      blank = false;
    }
  }
  return min == 0 || !blank;
}

/* Refuses members of O not in ALLOWED (a typo should not pass silently). */
static bool only_known(JsonObject *o, const char *const *allowed, HttpResponse *resp)
{
  GList *names = json_object_get_members(o);
  bool ok = true;
  for (GList *l = names; l && ok; l = l->next) {
    if (!in_list(l->data, allowed)) {
      http_response_error(resp, 400, "unknown_field", "unknown field: %s", (const char *)l->data);
      ok = false;
    }
  }
  g_list_free(names);
  return ok;
}

/* Field NAME of O as text of MIN..MAX characters. Returns 1 with *OUT when present, 0 when
 * absent, -1 after answering 400. */
static int field_text(JsonObject *o, const char *name, glong min, glong max, bool multiline,
                      const char **out, HttpResponse *resp)
{
  JsonNode *n = json_object_get_member(o, name);
  if (!n)
    return 0;
  if (!JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_STRING) {
    http_response_error(resp, 400, "invalid_field", "%s must be a string", name);
    return -1;
  }
  const char *s = json_node_get_string(n);
  if (!api_text_ok(s, min, max, multiline)) {
    http_response_error(resp, 400, "invalid_field",
                        "%s must be %ld to %ld characters%s", name, min, max,
                        multiline ? " without control characters" :
                                    " on one line, without control characters");
    return -1;
  }
  *out = s;
  return 1;
}

/* Field NAME as one of LIST. Returns 1, 0 or -1 as field_text(). */
static int field_enum(JsonObject *o, const char *name, const char *const *list, const char **out,
                      HttpResponse *resp)
{
  int r = field_text(o, name, 1, 64, false, out, resp);
  if (r == 1 && !in_list(*out, list)) {
    g_autofree char *all = g_strjoinv(", ", (char **)list);
    http_response_error(resp, 400, "invalid_field", "%s must be one of %s", name, all);
    return -1;
  }
  return r;
}

/* Field NAME as an ISO 8601 time with a zone, or null (*OUT = 0). Returns 1, 0 or -1. */
static int field_time(JsonObject *o, const char *name, gint64 *out, HttpResponse *resp)
{
  JsonNode *n = json_object_get_member(o, name);
  if (!n)
    return 0;
  if (JSON_NODE_HOLDS_NULL(n)) {
    *out = 0;
    return 1;
  }
  GDateTime *dt = NULL;
  if (JSON_NODE_HOLDS_VALUE(n) && json_node_get_value_type(n) == G_TYPE_STRING &&
      strlen(json_node_get_string(n)) <= 64)
    dt = g_date_time_new_from_iso8601(json_node_get_string(n), NULL);
  if (!dt || g_date_time_to_unix(dt) <= 0) {
    if (dt)
      g_date_time_unref(dt);
    http_response_error(resp, 400, "invalid_field",
                        "%s must be an ISO 8601 time with a zone (e.g. 2026-11-22T19:00:00+08:00) or null",
                        name);
    return -1;
  }
  *out = g_date_time_to_unix(dt);
  g_date_time_unref(dt);
  return 1;
}

static int field_bool(JsonObject *o, const char *name, bool *out, HttpResponse *resp)
{
  JsonNode *n = json_object_get_member(o, name);
  if (!n)
    return 0;
  if (!JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_BOOLEAN) {
    http_response_error(resp, 400, "invalid_field", "%s must be true or false", name);
    return -1;
  }
  *out = json_node_get_boolean(n);
  return 1;
}

/* Field NAME as an integer in MIN..MAX. Returns 1, 0 or -1. */
static int field_int(JsonObject *o, const char *name, gint64 min, gint64 max, gint64 *out,
                     HttpResponse *resp)
{
  JsonNode *n = json_object_get_member(o, name);
  if (!n)
    return 0;
  if (!JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_INT64 ||
      json_node_get_int(n) < min || json_node_get_int(n) > max) {
    http_response_error(resp, 400, "invalid_field", "%s must be an integer from %" G_GINT64_FORMAT
                        " to %" G_GINT64_FORMAT, name, min, max);
    return -1;
  }
  *out = json_node_get_int(n);
  return 1;
}

/* Field "tags": an array of at most TAGS_MAX distinct one-line strings of 1..TAG_CHARS_MAX
 * characters. Returns 1 with the array as JSON text in *OUT (caller frees), 0 or -1. */
static int field_tags(JsonObject *o, char **out, HttpResponse *resp)
{
  JsonNode *n = json_object_get_member(o, "tags");
  if (!n)
    return 0;
  if (!JSON_NODE_HOLDS_ARRAY(n) || json_array_get_length(json_node_get_array(n)) > TAGS_MAX) {
    http_response_error(resp, 400, "invalid_field", "tags must be an array of at most %d strings", TAGS_MAX);
    return -1;
  }
  JsonArray *a = json_node_get_array(n);
  for (guint i = 0; i < json_array_get_length(a); i++) {
    JsonNode *e = json_array_get_element(a, i);
    const char *t = JSON_NODE_HOLDS_VALUE(e) && json_node_get_value_type(e) == G_TYPE_STRING
                        ? json_node_get_string(e) : NULL;
    if (!t || !api_text_ok(t, 1, TAG_CHARS_MAX, false)) {
      http_response_error(resp, 400, "invalid_field", "each tag must be a string of 1 to %d characters",
                          TAG_CHARS_MAX);
      return -1;
    }
    for (guint j = 0; j < i; j++)
      if (!strcmp(t, json_array_get_string_element(a, j))) {
        http_response_error(resp, 400, "invalid_field", "tag repeated: %s", t);
        return -1;
      }
  }
  *out = json_to_string(n, FALSE);
  return 1;
}

/* ---- query parameters ------------------------------------------------------ */

/* Query parameter NAME as an integer in MIN..MAX (DEF when absent). False after 400. */
static bool query_int(const ApiCall *call, const char *name, gint64 min, gint64 max, gint64 def,
                      gint64 *out, HttpResponse *resp)
{
  const char *v = g_hash_table_lookup(call->req->query, name);
  *out = def;
  if (!v)
    return true;
  char *end = NULL;
  errno = 0;
  gint64 x = g_ascii_strtoll(v, &end, 10);
  if (!*v || *end || errno || x < min || x > max) {
    http_response_error(resp, 400, "invalid_parameter", "%s must be an integer from %" G_GINT64_FORMAT
                        " to %" G_GINT64_FORMAT, name, min, max);
    return false;
  }
  *out = x;
  return true;
}

/* page and per_page: LIMIT and OFFSET for the page asked for. False after 400. */
static bool query_page(const ApiCall *call, HttpResponse *resp, gint64 *page, gint64 *per_page)
{
  return query_int(call, "page", 1, 100000, 1, page, resp) &&
         query_int(call, "per_page", 1, PER_PAGE_MAX, PER_PAGE_DEFAULT, per_page, resp);
}

static bool query_flag(const ApiCall *call, const char *name)
{
  const char *v = g_hash_table_lookup(call->req->query, name);
  return v && (!strcmp(v, "true") || !strcmp(v, "1"));
}

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
  api_reply_json(resp, 200, object_node(o));
}

/* Commits the transaction of an editor's change with its audit entry, or rolls it back
 * and answers 500. Returns 0 when committed. */
static int commit_audited(ApiContext *ctx, const ApiCall *call, const char *action,
                          const char *type, const char *target, JsonNode *detail,
                          HttpResponse *resp)
{
  int rc = db_audit_add(ctx->db, call->member->id, call->member->display_name, action, type,
                        target, detail);
  if (rc == 0)
    rc = db_commit(ctx->db);
  if (rc < 0) {
    db_rollback(ctx->db);
    http_response_error(resp, 500, "internal", "could not save the change");
    return rc;
  }
  log_info("api", "%s %s %s by %s", action, type, target, call->member->id);
  return 0;
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
  if (!only_known(o, allowed, resp) || (r = field_text(o, "name", 1, 32, false, &name, resp)) < 0 ||
      field_int(o, "position", 0, 1000000, &position, resp) < 0)
    goto out;
  if (r == 0) {
    http_response_error(resp, 400, "invalid_field", "name is required");
    goto out;
  }
  if (db_begin(ctx->db) < 0) {
    http_response_error(resp, 503, "busy", "the database is busy; try again");
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
  if (commit_audited(ctx, call, "category.create", "category", name, node, resp) == 0) {
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

/* Answers a list of videos: the filter from the query (FIXED_STATE and FIXED_SORT, when
 * given, are the route's own). */
static void videos_list(ApiContext *ctx, const ApiCall *call, HttpResponse *resp,
                        const char *fixed_state, int fixed_sort)
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
  if (!query_page(call, resp, &page, &per_page))
    return;
  if (text && strlen(text) > DB_SEARCH_QUERY_MAX) {
    http_response_error(resp, 400, "invalid_parameter", "q must be at most %d bytes", DB_SEARCH_QUERY_MAX);
    return;
  }
  if (text && *text && !(match = db_search_query(text))) {
    /* Only punctuation or spaces: nothing can match. */
    JsonObject *o = json_object_new();
    json_object_set_array_member(o, "videos", json_array_new());
    json_object_set_int_member(o, "total", 0);
    json_object_set_int_member(o, "page", page);
    json_object_set_int_member(o, "per_page", per_page);
    api_reply_json(resp, 200, object_node(o));
    return;
  }
  f.match = match;
  int sort = fixed_sort >= 0 ? fixed_sort : query_sort(call, match ? VIDEO_SORT_RELEVANCE : VIDEO_SORT_NEWEST, resp);
  if (sort < 0)
    return;
  if (sort == VIDEO_SORT_RELEVANCE && !match)
    sort = VIDEO_SORT_NEWEST;
  f.sort = (VideoSort)sort;
  if (f.kind && !in_list(f.kind, kinds)) {
    http_response_error(resp, 400, "invalid_parameter", "kind must be model-worker, volunteer, teacher or other");
    return;
  }
  static const char *const states[] = {"scheduled", "live", "processing", "ready", "failed", NULL};
  if (f.state && !in_list(f.state, states)) {
    http_response_error(resp, 400, "invalid_parameter", "state must be scheduled, live, processing, ready or failed");
    return;
  }
  if (f.category && *f.category && !db_category_exists(ctx->db, f.category)) {
    http_response_error(resp, 400, "unknown_category", "no such category: %s", f.category);
    return;
  }
  if (f.visibility) {
    static const char *const vis[] = {"draft", "published", "unlisted", "any", NULL};
    if (!is_editor(call)) {
      http_response_error(resp, 403, "forbidden", "only editors may list by visibility");
      return;
    }
    if (!in_list(f.visibility, vis)) {
      http_response_error(resp, 400, "invalid_parameter", "visibility must be draft, published, unlisted or any");
      return;
    }
  }
  f.limit = (int)per_page;
  f.offset = (int)((page - 1) * per_page);
  gint64 total = 0;
  int rc = 0;
  JsonNode *arr = db_video_list_json(ctx->db, &f, &total, &rc);
  if (!arr) {
    http_response_error(resp, 500, "internal", "could not list videos");
    return;
  }
  JsonObject *o = json_object_new();
  json_object_set_member(o, "videos", arr);
  json_object_set_int_member(o, "total", total);
  json_object_set_int_member(o, "page", page);
  json_object_set_int_member(o, "per_page", per_page);
  resp->last_modified = db_catalog_changed_at(ctx->db);
  api_reply_json(resp, 200, object_node(o));
}

void api_videos_list(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  videos_list(ctx, call, resp, NULL, -1);
}

void api_lives_now(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  videos_list(ctx, call, resp, "live", VIDEO_SORT_UPCOMING);
}

void api_lives_upcoming(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  videos_list(ctx, call, resp, "scheduled", VIDEO_SORT_UPCOMING);
}

void api_video_get(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  const char *id = call->params[0];
  /* Drafts (and videos whose publish time is still ahead) are for editors. */
  if (!is_editor(call) && !db_video_is_viewable(ctx->db, id)) {
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
static bool video_exists(ApiContext *ctx, const char *id, HttpResponse *resp)
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
  if (!video_exists(ctx, id, resp))
    return;
  JsonNode *node = api_parse_object(call->req, resp);
  if (!node)
    return;
  JsonObject *o = json_node_get_object(node);
  const char *text[VIDEO_POSTER] = { 0 };
  g_autofree char *tags = NULL;
  gint64 publish_at = 0, starts = 0;
  int has_publish = 0, has_starts = 0;
  if (!only_known(o, allowed, resp) ||
      field_text(o, "title", 1, 200, false, &text[VIDEO_TITLE], resp) < 0 ||
      field_text(o, "presenter", 0, 100, false, &text[VIDEO_PRESENTER], resp) < 0 ||
      field_enum(o, "presenter_kind", kinds, &text[VIDEO_KIND], resp) < 0 ||
      field_text(o, "category", 0, 32, false, &text[VIDEO_CATEGORY], resp) < 0 ||
      field_tags(o, &tags, resp) < 0 ||
      field_text(o, "description", 0, DESCRIPTION_CHARS_MAX, true, &text[VIDEO_DESCRIPTION], resp) < 0 ||
      field_enum(o, "visibility", visibilities, &text[VIDEO_VISIBILITY], resp) < 0 ||
      (has_publish = field_time(o, "publish_at", &publish_at, resp)) < 0 ||
      (has_starts = field_time(o, "scheduled_start", &starts, resp)) < 0)
    goto out;
  if (text[VIDEO_CATEGORY] && *text[VIDEO_CATEGORY] &&
      !db_category_exists(ctx->db, text[VIDEO_CATEGORY])) {
    http_response_error(resp, 400, "unknown_category",
                        "no such category: %s (editors add categories with POST /api/v1/categories)",
                        text[VIDEO_CATEGORY]);
    goto out;
  }
  text[VIDEO_TAGS] = tags;
  if (db_begin(ctx->db) < 0) {
    http_response_error(resp, 503, "busy", "the database is busy; try again");
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
  if (commit_audited(ctx, call, "video.update", "video", id, node, resp) == 0)
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
  if (!video_exists(ctx, id, resp))
    return;
  JsonNode *node = api_parse_object(call->req, resp);
  if (!node)
    return;
  JsonObject *o = json_node_get_object(node);
  GArray *rows = g_array_new(FALSE, TRUE, sizeof(ChapterRow));
  if (!only_known(o, allowed, resp))
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
    if (!only_known(c, chapter_fields, resp))
      goto out;
    if (!start || !JSON_NODE_HOLDS_VALUE(start) ||
        (json_node_get_value_type(start) != G_TYPE_INT64 && json_node_get_value_type(start) != G_TYPE_DOUBLE) ||
        json_node_get_double(start) < 0 || json_node_get_double(start) > 86400 * 7) {
      http_response_error(resp, 400, "invalid_field", "chapter %u: start must be seconds from 0", i);
      goto out;
    }
    double s = json_node_get_value_type(start) == G_TYPE_INT64 ? (double)json_node_get_int(start)
                                                                : json_node_get_double(start);
    if (duration > 0 && s >= duration) {
      http_response_error(resp, 400, "invalid_field", "chapter %u: start %.3f s is past the end "
                          "of the video (%.3f s)", i, s, duration);
      goto out;
    }
    row.start_ms = (gint64)(s * 1000 + 0.5);
    if (field_text(c, "title", 1, 200, false, &row.title, resp) <= 0) {
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
  if (db_begin(ctx->db) < 0) {
    http_response_error(resp, 503, "busy", "the database is busy; try again");
    goto out;
  }
  rc = db_video_set_chapters(ctx->db, id, (ChapterRow *)(void *)rows->data, rows->len);
  if (rc < 0) {
    db_rollback(ctx->db);
    http_response_error(resp, 500, "internal", "could not save the chapters");
    goto out;
  }
  if (commit_audited(ctx, call, "video.chapters", "video", id, node, resp) == 0)
    reply_video(ctx, id, 200, resp);
out:
  g_array_unref(rows);
  json_node_unref(node);
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

/* Stores the request body as an image under <data_dir>/images, named by its content, and
 * returns its URL path (/images/<hash>.<ext>; caller frees), or NULL after answering. */
static char *store_image(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  const HttpRequest *req = call->req;
  const char *ext = req->body ? image_ext((const guint8 *)req->body, req->body_len) : NULL;
  if (!ext) {
    http_response_error(resp, 415, "unsupported_media_type",
                        "send a JPEG, PNG or WebP image as the body (at most %" G_GINT64_FORMAT " bytes)",
                        ctx->config->max_body_bytes);
    return NULL;
  }
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
static int put_image(ApiContext *ctx, const ApiCall *call, const char *video_id, gint64 column_id,
                     HttpResponse *resp)
{
  g_autofree char *url = store_image(ctx, call, resp);
  if (!url)
    return -EINVAL;
  if (db_begin(ctx->db) < 0) {
    http_response_error(resp, 503, "busy", "the database is busy; try again");
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
  JsonNode *detail = object_node(d);
  rc = commit_audited(ctx, call, video_id ? "video.poster" : "column.cover", video_id ? "video" : "column",
                      video_id ? video_id : call->params[0], detail, resp);
  json_node_unref(detail);
  return rc;
}

void api_video_poster(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  const char *id = call->params[0];
  if (video_exists(ctx, id, resp) && put_image(ctx, call, id, 0, resp) == 0)
    reply_video(ctx, id, 200, resp);
}

/* ---- columns ----------------------------------------------------------------- */

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
  int r = field_text(o, "slug", 1, 64, false, out, resp);
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
    if (is_editor(call))
      return true;
    int rc = 0;
    JsonNode *c = db_column_json(ctx->db, *id, true, 0, 0, &rc);
    bool published = c && json_object_get_boolean_member(json_node_get_object(c), "published");
    if (c)
      json_node_unref(c);
    if (published)
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
  if (!query_int(call, "items", 0, COLUMN_LIST_ITEMS_MAX, COLUMN_LIST_ITEMS_DEFAULT, &items, resp))
    return;
  bool all = query_flag(call, "all");
  if (all && !is_editor(call)) {
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
  api_reply_json(resp, 200, object_node(o));
}

void api_column_get(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  gint64 id, page, per_page;
  if (!query_page(call, resp, &page, &per_page) || !find_column(ctx, call, &id, resp))
    return;
  /* Editors see every item (drafts too) when they ask with ?all=true. */
  bool all = query_flag(call, "all") && is_editor(call);
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
  return only_known(o, allowed, resp) && field_slug(o, &f->slug, resp) >= 0 &&
         field_text(o, "title", 1, 200, false, &f->title, resp) >= 0 &&
         field_text(o, "description", 0, 2000, true, &f->description, resp) >= 0 &&
         (f->has_from = field_time(o, "publish_from", &f->from, resp)) >= 0 &&
         (f->has_until = field_time(o, "publish_until", &f->until, resp)) >= 0 &&
         (f->has_archived = field_bool(o, "archived", &f->archived, resp)) >= 0;
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
  gint64 from = f->has_from ? f->from : 0, until = f->has_until ? f->until : 0;
  if (id && (!f->has_from || !f->has_until)) {
    int rc = 0;
    JsonNode *c = db_column_json(ctx->db, id, false, 0, 0, &rc);
    if (c) {
      JsonObject *o = json_node_get_object(c);
      const char *names[] = {"publish_from", "publish_until"};
      gint64 *slots[] = {&from, &until};
      int has[] = {f->has_from, f->has_until};
      for (int i = 0; i < 2; i++) {
        const char *t = json_object_get_null_member(o, names[i]) ? NULL
                                                                  : json_object_get_string_member(o, names[i]);
        GDateTime *dt = !has[i] && t ? g_date_time_new_from_iso8601(t, NULL) : NULL;
        if (dt) {
          *slots[i] = g_date_time_to_unix(dt);
          g_date_time_unref(dt);
        }
      }
      json_node_unref(c);
    }
  }
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
  if (db_begin(ctx->db) < 0) {
    http_response_error(resp, 503, "busy", "the database is busy; try again");
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
  if (commit_audited(ctx, call, "column.create", "column", slug, node, resp) == 0)
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
  if (db_begin(ctx->db) < 0) {
    http_response_error(resp, 503, "busy", "the database is busy; try again");
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
  if (commit_audited(ctx, call, "column.update", "column", call->params[0], node, resp) == 0)
    reply_column(ctx, id, false, DB_COLUMN_ITEMS_MAX, 0, 200, resp);
out:
  json_node_unref(node);
}

void api_column_cover(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  gint64 id;
  if (find_column(ctx, call, &id, resp) && put_image(ctx, call, NULL, id, resp) == 0)
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
  if (commit_audited(ctx, call, action, "column", call->params[0], detail, resp) == 0)
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
  if (!only_known(o, allowed, resp))
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
    if (!only_known(io, item_fields, resp) ||
        field_text(io, "video_id", 1, 64, false, &vid, resp) < 0 ||
        field_int(io, "position", 0, 1000000, &p.position, resp) < 0 ||
        field_bool(io, "featured", &featured, resp) < 0)
      goto out;
    if (!vid || !json_object_has_member(io, "position")) {
      http_response_error(resp, 400, "invalid_field", "item %u needs video_id and position", i);
      goto out;
    }
    if (!video_exists(ctx, vid, resp)) {
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
  if (db_begin(ctx->db) < 0) {
    http_response_error(resp, 503, "busy", "the database is busy; try again");
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

/* Moves item AT of ITEMS to POSITION (clamped to the end). */
static void move_item(GArray *items, guint at, gint64 position)
{
  ColumnItem it = g_array_index(items, ColumnItem, at);
  g_array_set_clear_func(items, NULL);
  g_array_remove_index(items, at);
  guint to = position > (gint64)items->len ? items->len : (guint)position;
  g_array_insert_val(items, to, it);
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
  if (!only_known(o, allowed, resp) || field_text(o, "video_id", 1, 64, false, &vid, resp) < 0 ||
      field_int(o, "position", 0, 1000000, &position, resp) < 0 ||
      field_bool(o, "featured", &featured, resp) < 0)
    goto out;
  if (!vid) {
    http_response_error(resp, 400, "invalid_field", "video_id is required");
    goto out;
  }
  if (!video_exists(ctx, vid, resp))
    goto out;
  if (db_begin(ctx->db) < 0) {
    http_response_error(resp, 503, "busy", "the database is busy; try again");
    goto out;
  }
  if (db_column_items(ctx->db, id, &items) < 0) {
    db_rollback(ctx->db);
    http_response_error(resp, 500, "internal", "could not read the column");
    goto out;
  }
  if (item_index(items, vid) >= 0) {
    db_rollback(ctx->db);
    http_response_error(resp, 409, "exists", "video %s is in this column already", vid);
    goto out;
  }
  ColumnItem it = { g_strdup(vid), featured, 0 };
  g_array_append_val(items, it);
  move_item(items, items->len - 1, position);
  g_array_set_clear_func(items, NULL);
  save_items(ctx, call, id, items, "column.item_add", node, resp);
  for (guint i = 0; i < items->len; i++)
    g_free(g_array_index(items, ColumnItem, i).video_id);
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
  int has_pos, has_feat;
  if (!only_known(o, allowed, resp) ||
      (has_pos = field_int(o, "position", 0, 1000000, &position, resp)) < 0 ||
      (has_feat = field_bool(o, "featured", &featured, resp)) < 0)
    goto out;
  if (db_begin(ctx->db) < 0) {
    http_response_error(resp, 503, "busy", "the database is busy; try again");
    goto out;
  }
  int at = -1;
  if (db_column_items(ctx->db, id, &items) < 0 || (at = item_index(items, call->params[1])) < 0) {
    db_rollback(ctx->db);
    http_response_error(resp, 404, "not_found", "video %s is not in this column", call->params[1]);
    goto out;
  }
  if (has_feat)
    g_array_index(items, ColumnItem, at).featured = featured;
  if (has_pos)
    move_item(items, (guint)at, position);
  g_array_set_clear_func(items, NULL);
  save_items(ctx, call, id, items, "column.item_update", node, resp);
  for (guint i = 0; i < items->len; i++)
    g_free(g_array_index(items, ColumnItem, i).video_id);
out:
  if (items)
    g_array_unref(items);
  json_node_unref(node);
}

void api_column_item_delete(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  gint64 id;
  if (!find_column(ctx, call, &id, resp))
    return;
  GArray *items = NULL;
  if (db_begin(ctx->db) < 0) {
    http_response_error(resp, 503, "busy", "the database is busy; try again");
    return;
  }
  int at = -1;
  if (db_column_items(ctx->db, id, &items) < 0 || (at = item_index(items, call->params[1])) < 0) {
    db_rollback(ctx->db);
    http_response_error(resp, 404, "not_found", "video %s is not in this column", call->params[1]);
    if (items)
      g_array_unref(items);
    return;
  }
  g_array_remove_index(items, (guint)at);
  JsonObject *d = json_object_new();
  json_object_set_string_member(d, "video_id", call->params[1]);
  JsonNode *detail = object_node(d);
  save_items(ctx, call, id, items, "column.item_remove", detail, resp);
  json_node_unref(detail);
  g_array_unref(items);
}

/* ---- audit log ----------------------------------------------------------------- */

void api_audit_list(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  gint64 before, limit;
  if (!query_int(call, "before", 0, G_MAXINT64, 0, &before, resp) ||
      !query_int(call, "limit", 1, 500, 50, &limit, resp))
    return;
  int rc = 0;
  JsonNode *arr = db_audit_list_json(ctx->db, g_hash_table_lookup(call->req->query, "target_type"),
                                     g_hash_table_lookup(call->req->query, "target_id"), before,
                                     (int)limit, &rc);
  if (!arr) {
    http_response_error(resp, 500, "internal", "could not read the audit log");
    return;
  }
  JsonObject *o = json_object_new();
  json_object_set_member(o, "entries", arr);
  api_reply_json(resp, 200, object_node(o));
}
