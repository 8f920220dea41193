/* Tests for src/http/api_catalog.c: columns and their items, video metadata, chapters,
 * categories, search in Chinese and English, visibility, images, the audit log, and how
 * each kind of bad input is answered. */
#include "api_fixture.h"
#include "db/db_points.h"
#include "db/db_video.h"
#include "core/util.h"
#include "http/api_fields.h"
#include "media/trash.h"

#include <string.h>

/* A ready video made directly in the database (as an import would leave it). */
static char *ready_video(const char *title, const char *presenter, const char *kind)
{
  char *id = NULL;
  g_assert(db_video_create_upload(db, title, presenter, kind, NULL, &id) == 0);
  g_assert(db_video_set_state(db, id, NULL, "ready", NULL, NULL) == 0);
  g_assert(db_video_set_media(db, id, 600000, NULL) == 0);
  return id;
}

/* Sends METHOD PATH with BODY as the editor and asserts STATUS; returns the parsed body. */
static JsonNode *edit(const char *method, const char *path, const char *body, int status)
{
  char *out = NULL;
  int got = call(method, path, editor_auth, body, &out);
  ck_assert_msg(got == status, "%s %s %s: %d, wanted %d: %s", method, path, body ? body : "", got,
                status, out);
  JsonNode *n = json_from_string(out, NULL);
  g_free(out);
  return n;
}

static void edit_ok(const char *method, const char *path, const char *body)
{
  JsonNode *n = edit(method, path, body, 200);
  json_node_unref(n);
}

/* GET PATH?QUERY as a guest; returns the parsed body after asserting 200. */
static JsonNode *get_public(const char *path, const char *query)
{
  ApiReq r = { .method = "GET", .path = path, .query = query };
  ck_assert_msg(api_send(&r) == 200, "GET %s?%s: %d %s", path, query ? query : "", r.status, r.out);
  JsonNode *n = json_from_string(r.out, NULL);
  api_req_clear(&r);
  return n;
}

/* Titles of the videos a list answer holds, joined with ",". */
static char *titles(JsonNode *n, const char *member)
{
  JsonArray *a = json_object_get_array_member(json_node_get_object(n), member);
  GString *s = g_string_new(NULL);
  for (guint i = 0; i < json_array_get_length(a); i++) {
    JsonObject *o = json_array_get_object_element(a, i);
    if (json_object_has_member(o, "video"))
      o = json_object_get_object_member(o, "video");
    g_string_append_printf(s, "%s%s", i ? "," : "", json_object_get_string_member(o, "title"));
  }
  return g_string_free(s, FALSE);
}

static char *search(const char *query)
{
  JsonNode *n = get_public("/api/v1/videos", query);
  char *t = titles(n, "videos");
  json_node_unref(n);
  return t;
}

START_TEST(editor_builds_a_column_and_the_public_sees_it)
{
  char *a = ready_video("劳模讲堂：焊接的学问", "王师傅", "model-worker");
  char *b = ready_video("健康大讲坛：护眼", "李医生", "volunteer");
  JsonNode *n = edit("POST", "/api/v1/columns", "{\"slug\":\"craft\",\"title\":\"工匠课堂\","
                     "\"description\":\"劳模工匠走进课堂\"}", 201);
  ck_assert_str_eq(json_object_get_string_member(json_node_get_object(n), "slug"), "craft");
  json_node_unref(n);

  char *path = g_strdup_printf("{\"video_id\":\"%s\"}", a);
  edit_ok("POST", "/api/v1/columns/craft/items", path);
  g_free(path);
  path = g_strdup_printf("{\"video_id\":\"%s\",\"position\":0,\"featured\":true}", b);
  edit_ok("POST", "/api/v1/columns/craft/items", path);
  g_free(path);

  /* Both are drafts: the column is public, its items not yet. */
  n = get_public("/api/v1/columns/craft", NULL);
  ck_assert_int_eq(json_object_get_int_member(json_node_get_object(n), "item_count"), 0);
  json_node_unref(n);

  char *vpath = g_strdup_printf("/api/v1/videos/%s", a);
  ck_assert_int_eq(call("GET", vpath, NULL, NULL, NULL), 404);      /* a draft */
  edit_ok("PATCH", vpath, "{\"visibility\":\"published\"}");
  ck_assert_int_eq(call("GET", vpath, NULL, NULL, NULL), 200);
  g_free(vpath);
  vpath = g_strdup_printf("/api/v1/videos/%s", b);
  edit_ok("PATCH", vpath, "{\"visibility\":\"published\"}");

  n = get_public("/api/v1/columns/craft", NULL);
  char *t = titles(n, "items");
  ck_assert_str_eq(t, "健康大讲坛：护眼,劳模讲堂：焊接的学问");
  JsonObject *first = json_array_get_object_element(
      json_object_get_array_member(json_node_get_object(n), "items"), 0);
  ck_assert(json_object_get_boolean_member(first, "featured"));
  g_free(t);
  json_node_unref(n);

  /* Move the first to the end, unfeature it, then take the other out. */
  char *ipath = g_strdup_printf("/api/v1/columns/craft/items/%s", b);
  edit_ok("PATCH", ipath, "{\"position\":5,\"featured\":false}");
  n = get_public("/api/v1/columns", NULL);
  JsonObject *col = json_array_get_object_element(json_object_get_array_member(json_node_get_object(n), "columns"), 0);
  JsonArray *items = json_object_get_array_member(col, "items");
  ck_assert_int_eq(json_array_get_length(items), 2);
  ck_assert_str_eq(json_object_get_string_member(
      json_object_get_object_member(json_array_get_object_element(items, 1), "video"), "id"), b);
  ck_assert(!json_object_get_boolean_member(json_array_get_object_element(items, 1), "featured"));
  json_node_unref(n);
  g_free(ipath);
  ipath = g_strdup_printf("/api/v1/columns/craft/items/%s", a);
  edit_ok("DELETE", ipath, NULL);
  ck_assert_int_eq(call("DELETE", ipath, editor_auth, NULL, NULL), 404);

  /* A video can sit in several columns; its page lists them. */
  json_node_unref(edit("POST", "/api/v1/columns", "{\"slug\":\"health\",\"title\":\"健康\"}", 201));
  char *body = g_strdup_printf("{\"video_id\":\"%s\"}", b);
  edit_ok("POST", "/api/v1/columns/health/items", body);
  g_free(body);
  n = get_public(vpath, NULL);
  JsonArray *cols = json_object_get_array_member(json_node_get_object(n), "columns");
  ck_assert_int_eq(json_array_get_length(cols), 2);
  ck_assert_str_eq(json_object_get_string_member(json_array_get_object_element(cols, 0), "slug"), "craft");
  ck_assert_str_eq(json_object_get_string_member(json_array_get_object_element(cols, 1), "slug"), "health");
  json_node_unref(n);

  /* Archived: gone for the public, still there for editors. */
  edit_ok("PATCH", "/api/v1/columns/craft", "{\"archived\":true}");
  ck_assert_int_eq(call("GET", "/api/v1/columns/craft", NULL, NULL, NULL), 404);
  ck_assert_int_eq(call("GET", "/api/v1/columns/craft", editor_auth, NULL, NULL), 200);
  n = get_public("/api/v1/columns", NULL);
  cols = json_object_get_array_member(json_node_get_object(n), "columns");
  ck_assert_int_eq(json_array_get_length(cols), 1);
  ck_assert_str_eq(json_object_get_string_member(json_array_get_object_element(cols, 0), "slug"), "health");
  json_node_unref(n);
  g_free(ipath);
  g_free(vpath);
  g_free(a);
  g_free(b);
}
END_TEST

START_TEST(items_put_orders_by_position_and_refuses_duplicates)
{
  char *v[3] = { ready_video("一", NULL, NULL), ready_video("二", NULL, NULL), ready_video("三", NULL, NULL) };
  json_node_unref(edit("POST", "/api/v1/columns", "{\"slug\":\"order\",\"title\":\"顺序\"}", 201));
  char *body = g_strdup_printf("{\"items\":[{\"video_id\":\"%s\",\"position\":20},"
                               "{\"video_id\":\"%s\",\"position\":10},{\"video_id\":\"%s\",\"position\":30}]}",
                               v[0], v[1], v[2]);
  JsonNode *n = edit("PUT", "/api/v1/columns/order/items", body, 200);
  char *t = titles(n, "items");
  ck_assert_str_eq(t, "二,一,三");
  g_free(t);
  json_node_unref(n);
  g_free(body);

  char *out = NULL;
  body = g_strdup_printf("{\"items\":[{\"video_id\":\"%s\",\"position\":1},{\"video_id\":\"%s\",\"position\":1}]}",
                         v[0], v[1]);
  ck_assert_int_eq(call("PUT", "/api/v1/columns/order/items", editor_auth, body, &out), 400);
  assert_error_shape(out, "duplicate_position");
  g_free(out);
  g_free(body);
  body = g_strdup_printf("{\"items\":[{\"video_id\":\"%s\",\"position\":1},{\"video_id\":\"%s\",\"position\":2}]}",
                         v[0], v[0]);
  ck_assert_int_eq(call("PUT", "/api/v1/columns/order/items", editor_auth, body, &out), 400);
  assert_error_shape(out, "duplicate_video");
  g_free(out);
  g_free(body);
  ck_assert_int_eq(call("PUT", "/api/v1/columns/order/items", editor_auth,
                        "{\"items\":[{\"video_id\":\"nope\",\"position\":1}]}", &out), 400);
  assert_error_shape(out, "unknown_video");
  g_free(out);
  body = g_strdup_printf("{\"video_id\":\"%s\"}", v[0]);
  ck_assert_int_eq(call("POST", "/api/v1/columns/order/items", editor_auth, body, &out), 409);
  g_free(out);
  g_free(body);
  /* Nothing of the refused requests was applied. */
  n = edit("GET", "/api/v1/columns/order", NULL, 200);
  t = titles(n, "items");
  ck_assert_str_eq(t, "");  /* drafts: not in the default (public) view, even for editors */
  g_free(t);
  json_node_unref(n);
  ApiReq r = { .method = "GET", .path = "/api/v1/columns/order", .query = "all=true", .auth = editor_auth };
  ck_assert_int_eq(api_send(&r), 200);
  n = json_from_string(r.out, NULL);
  t = titles(n, "items");
  ck_assert_str_eq(t, "二,一,三");
  g_free(t);
  json_node_unref(n);
  api_req_clear(&r);
  for (int i = 0; i < 3; i++)
    g_free(v[i]);
}
END_TEST

START_TEST(search_works_in_chinese_and_english_with_filters)
{
  const struct { const char *title, *presenter, *kind, *patch; } videos[] = {
    { "劳模精神进课堂", "王师傅", "model-worker", "{\"category\":\"思想引领\",\"tags\":[\"劳模\",\"工匠\"]}" },
    { "健康大讲坛：科学运动", "李医生", "volunteer", "{\"category\":\"体育艺术\",\"description\":\"Healthy habits for students\"}" },
    { "双减之下的课后服务", "张老师", "teacher", "{\"category\":\"科学普及\",\"tags\":[\"双减\"],\"description\":\"After-school lessons\"}" },
    { "Welding basics 焊接入门", "Wang", "model-worker", "{\"description\":\"A lesson from a model worker\"}" },
  };
  char *ids[G_N_ELEMENTS(videos)];
  for (unsigned i = 0; i < G_N_ELEMENTS(videos); i++) {
    ids[i] = ready_video(videos[i].title, videos[i].presenter, videos[i].kind);
    char *p = g_strdup_printf("/api/v1/videos/%s", ids[i]);
    edit_ok("PATCH", p, videos[i].patch);
    edit_ok("PATCH", p, "{\"visibility\":\"published\"}");
    g_free(p);
  }
  struct { const char *query, *titles; } cases[] = {
    { "q=劳模", "劳模精神进课堂" },
    { "q=健康", "健康大讲坛：科学运动" },
    { "q=双减", "双减之下的课后服务" },
    { "q=课堂", "劳模精神进课堂" },
    { "q=lesson", NULL },                         /* two: checked by count below */
    { "q=welding", "Welding basics 焊接入门" },
    { "q=王", "劳模精神进课堂" },                  /* presenter, one character */
    { "q=课后 服务", "双减之下的课后服务" },
    { "q=劳模 健康", "" },
    { "q=!!!", "" },
    { "category=体育艺术", "健康大讲坛：科学运动" },
    { "kind=teacher", "双减之下的课后服务" },
    { "q=lesson&kind=teacher", "双减之下的课后服务" },
  };
  for (unsigned i = 0; i < G_N_ELEMENTS(cases); i++) {
    char *t = search(cases[i].query);
    if (cases[i].titles)
      ck_assert_msg(!strcmp(t, cases[i].titles), "%s: got [%s], wanted [%s]", cases[i].query, t, cases[i].titles);
    else
      ck_assert_msg(strstr(t, "双减之下的课后服务") && strstr(t, "Welding"), "%s: got [%s]", cases[i].query, t);
    g_free(t);
  }
  /* Column filter and pagination. */
  json_node_unref(edit("POST", "/api/v1/columns", "{\"slug\":\"sj\",\"title\":\"双减\"}", 201));
  char *body = g_strdup_printf("{\"video_id\":\"%s\"}", ids[2]);
  edit_ok("POST", "/api/v1/columns/sj/items", body);
  g_free(body);
  char *t = search("column=sj");
  ck_assert_str_eq(t, "双减之下的课后服务");
  g_free(t);
  JsonNode *n = get_public("/api/v1/videos", "per_page=3&page=2");
  ck_assert_int_eq(json_object_get_int_member(json_node_get_object(n), "total"), 4);
  ck_assert_int_eq(json_array_get_length(json_object_get_array_member(json_node_get_object(n), "videos")), 1);
  json_node_unref(n);
  /* Drafts are not found by guests. */
  char *p = g_strdup_printf("/api/v1/videos/%s", ids[0]);
  edit_ok("PATCH", p, "{\"visibility\":\"draft\"}");
  g_free(p);
  t = search("q=劳模");
  ck_assert_str_eq(t, "");
  g_free(t);
  ApiReq r = { .method = "GET", .path = "/api/v1/videos", .query = "q=劳模&visibility=any", .auth = editor_auth };
  ck_assert_int_eq(api_send(&r), 200);
  ck_assert_ptr_nonnull(strstr(r.out, "劳模精神进课堂"));
  r.auth = viewer_auth;
  ck_assert_int_eq(api_send(&r), 403);
  api_req_clear(&r);
  for (unsigned i = 0; i < G_N_ELEMENTS(videos); i++)
    g_free(ids[i]);
}
END_TEST

START_TEST(lives_now_and_upcoming)
{
  /* Tomorrow, whatever today is. */
  g_autofree char *starts = util_iso8601(util_now() + 86400);
  g_autofree char *body = g_strdup_printf("{\"title\":\"明晚直播\",\"starts\":\"%s\",\"visibility\":\"published\"}",
                                          starts);
  JsonNode *ev = edit("POST", "/api/v1/events", body, 201);
  const char *id = json_object_get_string_member(json_node_get_object(ev), "id");
  json_node_unref(edit("POST", "/api/v1/events", "{\"title\":\"草稿直播\"}", 201));
  JsonNode *n = get_public("/api/v1/lives/upcoming", NULL);
  char *t = titles(n, "videos");
  ck_assert_str_eq(t, "明晚直播");
  g_free(t);
  json_node_unref(n);
  ck_assert_int_eq(db_video_set_state(db, id, "scheduled", "live", NULL, NULL), 0);
  n = get_public("/api/v1/lives/now", NULL);
  t = titles(n, "videos");
  ck_assert_str_eq(t, "明晚直播");
  g_free(t);
  json_node_unref(n);
  json_node_unref(ev);
}
END_TEST

START_TEST(chapters_are_sorted_and_checked)
{
  char *id = ready_video("有章节的课", NULL, NULL);
  char *p = g_strdup_printf("/api/v1/videos/%s/chapters", id);
  JsonNode *n = edit("PUT", p, "{\"chapters\":[{\"start\":120.5,\"title\":\"第二部分\"},"
                     "{\"start\":0,\"title\":\"开场\"}]}", 200);
  JsonArray *ch = json_object_get_array_member(json_node_get_object(n), "chapters");
  ck_assert_int_eq(json_array_get_length(ch), 2);
  ck_assert_str_eq(json_object_get_string_member(json_array_get_object_element(ch, 0), "title"), "开场");
  ck_assert(json_object_get_double_member(json_array_get_object_element(ch, 1), "start") == 120.5);
  json_node_unref(n);
  char *out = NULL;
  ck_assert_int_eq(call("PUT", p, editor_auth, "{\"chapters\":[{\"start\":5,\"title\":\"a\"},{\"start\":5,\"title\":\"b\"}]}", &out), 400);
  assert_error_shape(out, "duplicate_start");
  g_free(out);
  ck_assert_int_eq(call("PUT", p, editor_auth, "{\"chapters\":[{\"start\":601,\"title\":\"after the end\"}]}", &out), 400);
  assert_error_shape(out, "invalid_field");
  g_free(out);
  ck_assert_int_eq(call("PUT", p, editor_auth, "{\"chapters\":[{\"start\":-1,\"title\":\"x\"}]}", &out), 400);
  g_free(out);
  ck_assert_int_eq(call("PUT", p, editor_auth, "{\"chapters\":[{\"start\":1}]}", &out), 400);
  g_free(out);
  /* Unchanged by the refusals. */
  n = edit("GET", p + 0, NULL, 405);
  json_node_unref(n);
  int rc = 0;
  n = db_video_json(db, id, &rc);
  ck_assert_int_eq(json_array_get_length(json_object_get_array_member(json_node_get_object(n), "chapters")), 2);
  json_node_unref(n);
  g_free(p);
  g_free(id);
}
END_TEST

START_TEST(images_are_checked_and_stored_by_content)
{
  static const guint8 png[] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R' };
  json_node_unref(edit("POST", "/api/v1/columns", "{\"slug\":\"pics\",\"title\":\"图\"}", 201));
  ApiReq r = { .method = "PUT", .path = "/api/v1/columns/pics/cover", .auth = editor_auth,
               .body = (const char *)png, .body_len = sizeof png, .content_type = "image/png" };
  ck_assert_int_eq(api_send(&r), 200);
  JsonNode *n = json_from_string(r.out, NULL);
  const char *url = json_object_get_string_member(json_node_get_object(n), "cover_url");
  ck_assert(g_str_has_prefix(url, "/images/") && g_str_has_suffix(url, ".png"));
  char *file = g_build_filename(dir, "images", url + 8, NULL);
  ck_assert(g_file_test(file, G_FILE_TEST_IS_REGULAR));
  g_free(file);
  json_node_unref(n);

  r.body = "<svg onload=alert(1)>";
  r.body_len = 0;
  r.content_type = "image/svg+xml";
  ck_assert_int_eq(api_send(&r), 415);
  assert_error_shape(r.out, "unsupported_media_type");

  char *id = ready_video("换封面", NULL, NULL);
  char *p = g_strdup_printf("/api/v1/videos/%s/poster", id);
  r.path = p;
  r.body = (const char *)png;
  r.body_len = sizeof png;
  r.content_type = "image/png";
  ck_assert_int_eq(api_send(&r), 200);
  ck_assert_ptr_nonnull(strstr(r.out, "\"poster_url\":\"/images/"));
  api_req_clear(&r);
  g_free(p);
  g_free(id);
}
END_TEST

START_TEST(every_change_is_in_the_audit_log)
{
  char *id = ready_video("审计", NULL, NULL);
  char *p = g_strdup_printf("/api/v1/videos/%s", id);
  edit_ok("PATCH", p, "{\"title\":\"审计课\"}");
  json_node_unref(edit("POST", "/api/v1/categories", "{\"name\":\"劳动教育\"}", 201));
  json_node_unref(edit("POST", "/api/v1/columns", "{\"slug\":\"audit\",\"title\":\"审\"}", 201));
  ApiReq r = { .method = "GET", .path = "/api/v1/audit", .auth = editor_auth };
  ck_assert_int_eq(api_send(&r), 200);
  JsonNode *n = json_from_string(r.out, NULL);
  JsonArray *e = json_object_get_array_member(json_node_get_object(n), "entries");
  ck_assert_int_eq(json_array_get_length(e), 3);
  JsonObject *last = json_array_get_object_element(e, 2);  /* newest first */
  ck_assert_str_eq(json_object_get_string_member(last, "action"), "video.update");
  ck_assert_str_eq(json_object_get_string_member(last, "target_id"), id);
  ck_assert_str_eq(json_object_get_string_member(last, "member_name"), "测试 member");
  ck_assert_str_eq(json_object_get_string_member(json_object_get_object_member(last, "detail"), "title"), "审计课");
  json_node_unref(n);
  r.query = "target_type=column";
  ck_assert_int_eq(api_send(&r), 200);
  ck_assert_ptr_nonnull(strstr(r.out, "column.create"));
  ck_assert_ptr_null(strstr(r.out, "video.update"));
  /* Append-only, even to someone with the database in hand. */
  ck_assert_int_ne(sqlite3_exec(db->conn, "UPDATE audit_log SET member_name = 'x'", NULL, NULL, NULL), SQLITE_OK);
  ck_assert_int_ne(sqlite3_exec(db->conn, "DELETE FROM audit_log", NULL, NULL, NULL), SQLITE_OK);
  /* Viewers do not read it. */
  r.auth = viewer_auth;
  ck_assert_int_eq(api_send(&r), 403);
  api_req_clear(&r);
  g_free(p);
  g_free(id);
}
END_TEST

/* Bad input: each request, the status and error code it gets. VIDEO in a path or body
 * stands for a real video id. */
static const struct { const char *method, *path, *body, *code; int status; bool viewer; } bad[] = {
  { "POST", "/api/v1/columns", "{\"slug\":\"Bad Slug\",\"title\":\"x\"}", "invalid_slug", 400, false },
  { "POST", "/api/v1/columns", "{\"slug\":\"-edge\",\"title\":\"x\"}", "invalid_slug", 400, false },
  { "POST", "/api/v1/columns", "{\"slug\":\"a--b\",\"title\":\"x\"}", "invalid_slug", 400, false },
  { "POST", "/api/v1/columns", "{\"slug\":\"x'; DROP TABLE video;--\",\"title\":\"x\"}", "invalid_slug", 400, false },
  { "POST", "/api/v1/columns", "{\"slug\":\"ok\"}", "invalid_field", 400, false },
  { "POST", "/api/v1/columns", "{\"slug\":\"ok\",\"title\":\"   \"}", "invalid_field", 400, false },
  { "POST", "/api/v1/columns", "{\"slug\":\"ok\",\"title\":\"x\",\"colour\":\"red\"}", "unknown_field", 400, false },
  { "POST", "/api/v1/columns", "{\"slug\":\"ok\",\"title\":\"x\",\"publish_from\":\"tomorrow\"}", "invalid_field", 400, false },
  { "POST", "/api/v1/columns", "{\"slug\":\"ok\",\"title\":\"x\",\"publish_from\":\"2030-01-02T00:00:00Z\","
    "\"publish_until\":\"2030-01-01T00:00:00Z\"}", "invalid_field", 400, false },
  { "POST", "/api/v1/columns", "{\"slug\":\"taken\",\"title\":\"x\"}", "exists", 409, false },
  { "POST", "/api/v1/columns", "{\"slug\":\"ok\",\"title\":\"x\"}", "forbidden", 403, true },
  { "POST", "/api/v1/columns", "{\"slug\":\"ok\",", "malformed_json", 400, false },
  { "PATCH", "/api/v1/videos/VIDEO", "{\"category\":\"不存在的分类\"}", "unknown_category", 400, false },
  { "PATCH", "/api/v1/videos/VIDEO", "{\"title\":\"LONG201\"}", "invalid_field", 400, false },
  { "PATCH", "/api/v1/videos/VIDEO", "{\"title\":\"\"}", "invalid_field", 400, false },
  { "PATCH", "/api/v1/videos/VIDEO", "{\"title\":\"line\\nbreak\"}", "invalid_field", 400, false },
  { "PATCH", "/api/v1/videos/VIDEO", "{\"title\":42}", "invalid_field", 400, false },
  { "PATCH", "/api/v1/videos/VIDEO", "{\"visibility\":\"secret\"}", "invalid_field", 400, false },
  { "PATCH", "/api/v1/videos/VIDEO", "{\"presenter_kind\":\"astronaut\"}", "invalid_field", 400, false },
  { "PATCH", "/api/v1/videos/VIDEO", "{\"tags\":\"劳模\"}", "invalid_field", 400, false },
  { "PATCH", "/api/v1/videos/VIDEO", "{\"tags\":[\"a\",\"a\"]}", "invalid_field", 400, false },
  { "PATCH", "/api/v1/videos/VIDEO", "{\"tags\":[\"TAG33\"]}", "invalid_field", 400, false },
  { "PATCH", "/api/v1/videos/VIDEO", "{\"publish_at\":\"2026-13-40\"}", "invalid_field", 400, false },
  { "PATCH", "/api/v1/videos/VIDEO", "{\"title\":\"x\"}", "forbidden", 403, true },
  { "PATCH", "/api/v1/videos/nope", "{\"title\":\"x\"}", "not_found", 404, false },
  { "PUT", "/api/v1/videos/VIDEO/chapters", "{\"chapters\":{}}", "invalid_field", 400, false },
  { "POST", "/api/v1/categories", "{\"name\":\"思想引领\"}", "exists", 409, false },
  { "POST", "/api/v1/categories", "{\"name\":\"\"}", "invalid_field", 400, false },
  { "POST", "/api/v1/categories", "{\"name\":\"x\"}", "unauthorized", 401, false },  /* no credential: see below */
  { "GET", "/api/v1/videos?per_page=1000", NULL, "invalid_parameter", 400, false },
  { "GET", "/api/v1/videos?category=nope", NULL, "unknown_category", 400, false },
  { "GET", "/api/v1/videos?kind=x", NULL, "invalid_parameter", 400, false },
  { "GET", "/api/v1/videos?sort=random", NULL, "invalid_parameter", 400, false },
  { "GET", "/api/v1/videos?after=garbage", NULL, "invalid_parameter", 400, false },
  { "GET", "/api/v1/videos?after=n5.5&page=2", NULL, "invalid_parameter", 400, false },
  { "GET", "/api/v1/videos?sort=oldest&after=n5.5", NULL, "invalid_parameter", 400, false },
  { "GET", "/api/v1/videos?q=lesson&after=r5000.0", NULL, "invalid_parameter", 400, false },
  { "GET", "/api/v1/columns?all=true", NULL, "forbidden", 403, true },
  { "GET", "/api/v1/columns/nope", NULL, "not_found", 404, false },
};

START_TEST(bad_input_gets_a_clear_4xx)
{
  char *vid = ready_video("目标", NULL, NULL);
  json_node_unref(edit("POST", "/api/v1/columns", "{\"slug\":\"taken\",\"title\":\"已有\"}", 201));
  GString *path = g_string_new(bad[_i].path), *body = g_string_new(bad[_i].body);
  g_autofree char *long_title = g_strnfill(201, 'x');
  g_autofree char *long_tag = g_strnfill(33, 't');
  char *q = strchr(path->str, '?');
  g_autofree char *query = q ? g_strdup(q + 1) : NULL;
  if (q)
    g_string_truncate(path, (gsize)(q - path->str));
  g_string_replace(path, "VIDEO", vid, 0);
  g_string_replace(body, "LONG201", long_title, 0);
  g_string_replace(body, "TAG33", long_tag, 0);
  const char *auth = bad[_i].viewer ? viewer_auth : bad[_i].status == 401 ? NULL : editor_auth;
  ApiReq r = { .method = bad[_i].method, .path = path->str, .query = query, .auth = auth,
               .body = bad[_i].body ? body->str : NULL };
  ck_assert_msg(api_send(&r) == bad[_i].status, "%s %s %s: %d %s", bad[_i].method, bad[_i].path,
                bad[_i].body ? bad[_i].body : "", r.status, r.out);
  assert_error_shape(r.out, bad[_i].code);
  api_req_clear(&r);
  /* Nothing changed, and the server still answers. */
  int rc = 0;
  JsonNode *n = db_video_json(db, vid, &rc);
  ck_assert_str_eq(json_object_get_string_member(json_node_get_object(n), "title"), "目标");
  ck_assert_str_eq(json_object_get_string_member(json_node_get_object(n), "category"), "");
  json_node_unref(n);
  ck_assert_int_eq(call("GET", "/api/v1/columns", NULL, NULL, NULL), 200);
  g_string_free(path, TRUE);
  g_string_free(body, TRUE);
  g_free(vid);
}
END_TEST

START_TEST(markup_and_sql_text_is_stored_verbatim)
{
  char *vid = ready_video("原题", NULL, NULL);
  char *p = g_strdup_printf("/api/v1/videos/%s", vid);
  const char *title = "<script>alert('x')</script> '; DROP TABLE video; -- \"quoted\"";
  JsonObject *o = json_object_new();
  json_object_set_string_member(o, "title", title);
  json_object_set_string_member(o, "description", "<img src=x onerror=alert(1)>\n第二行 & more");
  JsonNode *node = json_node_new(JSON_NODE_OBJECT);
  json_node_take_object(node, o);
  char *body = json_to_string(node, FALSE);
  json_node_unref(node);
  char *out = NULL;
  ck_assert_int_eq(call("PATCH", p, editor_auth, body, &out), 200);
  ck_assert_ptr_null(strchr(out, '<'));  /* escaped on output */
  JsonNode *n = json_from_string(out, NULL);
  ck_assert_str_eq(json_object_get_string_member(json_node_get_object(n), "title"), title);
  json_node_unref(n);
  /* Stored as sent, and the video table is still there. */
  sqlite3_stmt *st = db_prepare(db, "SELECT title FROM video WHERE id = ?1");
  sqlite3_bind_text(st, 1, vid, -1, SQLITE_TRANSIENT);
  ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
  ck_assert_str_eq(db_col_text(st, 0), title);
  sqlite3_finalize(st);
  char *t = search("q=script alert");
  ck_assert_str_eq(t, "");  /* a draft: not found */
  g_free(t);
  g_free(out);
  g_free(body);
  g_free(p);
  g_free(vid);
}
END_TEST

/* Times are in seconds, so videos made in the same second are told apart by the order they
 * were made in: "newest" and "oldest" page through them in that order, each exactly once. */
START_TEST(lists_keep_the_order_videos_were_made_in)
{
  for (int i = 1; i <= 12; i++) {
    g_autofree char *title = g_strdup_printf("v%02d", i);
    g_autofree char *id = ready_video(title, "p", "other");
    g_autofree char *path = g_strdup_printf("/api/v1/videos/%s", id);
    edit_ok("PATCH", path, "{\"visibility\":\"published\"}");
  }
  const char *want[] = {"v12,v11,v10,v09,v08,v07,v06,v05,v04,v03,v02,v01",
                        "v01,v02,v03,v04,v05,v06,v07,v08,v09,v10,v11,v12"};
  const char *sort[] = {"newest", "oldest"};
  for (int k = 0; k < 2; k++) {
    GString *got = g_string_new(NULL);
    for (int page = 1; page <= 3; page++) {
      g_autofree char *q = g_strdup_printf("sort=%s&per_page=5&page=%d", sort[k], page);
      g_autofree char *t = search(q);
      g_string_append_printf(got, "%s%s", page > 1 && *t ? "," : "", t);
    }
    ck_assert_str_eq(got->str, want[k]);
    g_string_free(got, TRUE);
    /* The same pages by key: each answer's next is the following page's after. */
    got = g_string_new(NULL);
    g_autofree char *after = NULL;
    for (int page = 1; page <= 4; page++) {
      g_autofree char *q = after ? g_strdup_printf("sort=%s&per_page=5&after=%s", sort[k], after)
                                 : g_strdup_printf("sort=%s&per_page=5", sort[k]);
      JsonNode *n = get_public("/api/v1/videos", q);
      JsonObject *o = json_node_get_object(n);
      g_autofree char *t = titles(n, "videos");
      g_string_append_printf(got, "%s%s", page > 1 && *t ? "," : "", t);
      ck_assert_int_eq(json_object_get_int_member(o, "total"), 12);
      ck_assert(!json_object_get_boolean_member(o, "total_is_estimate"));
      g_free(after);
      after = json_object_get_null_member(o, "next") ? NULL : g_strdup(json_object_get_string_member(o, "next"));
      json_node_unref(n);
      if (!after)
        break;
    }
    ck_assert_str_eq(got->str, want[k]);
    g_string_free(got, TRUE);
  }
}
END_TEST


/* Chapter starts as text: seconds, m:ss, h:mm:ss — and nothing that only looks like them. */
static const struct { const char *text; double seconds; } clocks[] = {
  { "0", 0 }, { "75", 75 }, { "75.5", 75.5 }, { "1:05", 65 }, { "0:00", 0 }, { "75:00", 4500 },
  { "1:01:05", 3665 }, { "1:01:05.25", 3665.25 }, { "10:00:00", 36000 }, { "0:59.999", 59.999 },
  /* refused (-1) */
  { "9:99", -1 }, { "1:60", -1 }, { "1:5", -1 }, { "1:005", -1 }, { "1:00:60", -1 }, { "1:60:00", -1 },
  { "1:00:00:00", -1 }, { "", -1 }, { ":30", -1 }, { "1:", -1 }, { "-5", -1 }, { "+5", -1 },
  { " 5", -1 }, { "5 ", -1 }, { "5.", -1 }, { "5.1234", -1 }, { "1e3", -1 }, { "0x10", -1 },
  { "一:二", -1 }, { "1234567890", -1 },
};

START_TEST(chapter_times_parse_strictly)
{
  double s = -2;
  int rc = api_parse_clock(clocks[_i].text, &s);
  if (clocks[_i].seconds < 0)
    ck_assert_msg(rc == -EINVAL, "\"%s\" read as %f", clocks[_i].text, s);
  else
    ck_assert_msg(rc == 0 && s == clocks[_i].seconds, "\"%s\": rc %d, %f", clocks[_i].text, rc, s);
}
END_TEST

START_TEST(chapter_starts_may_be_written_as_clock_times)
{
  char *id = ready_video("钟点章节", NULL, NULL);
  g_autofree char *p = g_strdup_printf("/api/v1/videos/%s/chapters", id);
  JsonNode *n = edit("PUT", p, "{\"chapters\":[{\"start\":\"0:00\",\"title\":\"开场\"},"
                     "{\"start\":\"1:05\",\"title\":\"第二部分\"},{\"start\":\"0:09:30.5\",\"title\":\"第三部分\"}]}", 200);
  JsonArray *ch = json_object_get_array_member(json_node_get_object(n), "chapters");
  ck_assert_int_eq(json_array_get_length(ch), 3);
  ck_assert(json_object_get_double_member(json_array_get_object_element(ch, 1), "start") == 65);
  ck_assert(json_object_get_double_member(json_array_get_object_element(ch, 2), "start") == 570.5);
  json_node_unref(n);
  /* 9:99 is not 639 s: refused, and nothing changes. */
  char *out = NULL;
  ck_assert_int_eq(call("PUT", p, editor_auth, "{\"chapters\":[{\"start\":\"9:99\",\"title\":\"x\"}]}", &out), 400);
  assert_error_shape(out, "invalid_field");
  ck_assert_ptr_nonnull(strstr(out, "chapter 0"));
  g_free(out);
  ck_assert_int_eq(call("PUT", p, editor_auth, "{\"chapters\":[{\"start\":true,\"title\":\"x\"}]}", &out), 400);
  g_free(out);
  /* A clock time past the end (600 s) is refused like a number. */
  ck_assert_int_eq(call("PUT", p, editor_auth, "{\"chapters\":[{\"start\":\"10:00\",\"title\":\"x\"}]}", &out), 400);
  g_free(out);
  int rc = 0;
  n = db_video_json(db, id, &rc);
  ck_assert_int_eq(json_array_get_length(json_object_get_array_member(json_node_get_object(n), "chapters")), 3);
  json_node_unref(n);
  g_free(id);
}
END_TEST

/* The newest audit entry: its action and target, detail as JSON text in *DETAIL. */
static char *newest_audit(char **detail)
{
  JsonNode *n = edit("GET", "/api/v1/audit", NULL, 200);
  JsonObject *e = json_array_get_object_element(json_object_get_array_member(json_node_get_object(n), "entries"), 0);
  char *what = g_strdup_printf("%s %s", json_object_get_string_member(e, "action"),
                               json_object_get_string_member(e, "target_id"));
  JsonNode *d = json_object_get_member(e, "detail");
  *detail = json_to_string(d, FALSE);
  json_node_unref(n);
  return what;
}

static bool exists_in(const char *sub, const char *id, const char *file)
{
  g_autofree char *media = config_media_dir(&config);
  g_autofree char *path = sub ? g_build_filename(media, sub, id, file, NULL) : g_build_filename(media, id, file, NULL);
  return g_file_test(path, G_FILE_TEST_EXISTS);
}

START_TEST(a_deleted_video_is_gone_and_its_files_follow_after_the_grace)
{
  char *a = ready_video("要删除的课", "王老师", "teacher"), *b = ready_video("留下的课", NULL, NULL);
  g_autofree char *pa = g_strdup_printf("/api/v1/videos/%s", a);
  g_autofree char *pb = g_strdup_printf("/api/v1/videos/%s", b);
  edit_ok("PATCH", pa, "{\"visibility\":\"published\"}");
  edit_ok("PATCH", pb, "{\"visibility\":\"published\"}");
  json_node_unref(edit("POST", "/api/v1/columns", "{\"slug\":\"gone\",\"title\":\"删\"}", 201));
  g_autofree char *body = g_strdup_printf("{\"items\":[{\"video_id\":\"%s\",\"position\":0},"
                                          "{\"video_id\":\"%s\",\"position\":1}]}", a, b);
  edit_ok("PUT", "/api/v1/columns/gone/items", body);
  /* Its files on disk, and an upload. */
  g_autofree char *media = config_media_dir(&config);
  g_autofree char *vdir = g_build_filename(media, a, "v0", NULL);
  g_assert(g_mkdir_with_parents(vdir, 0755) == 0);
  g_free(tu_write(vdir, "../master.m3u8", "#EXTM3U\n"));
  g_autofree char *updir = g_build_filename(dir, "uploads", a, NULL);
  g_assert(g_mkdir_with_parents(updir, 0755) == 0);
  g_free(tu_write(updir, "source.mp4", "x"));
  /* Points earned on it. */
  LedgerEntry e = { .member_id = "m-1", .amount = 5, .reason = "watch", .video_id = a,
                    .key = "watch:m-1:del:1", .note = "", .at = util_now() };
  ck_assert_int_eq(db_ledger_add(db, &e), 0);

  ck_assert_int_eq(call("DELETE", pa, viewer_auth, NULL, NULL), 403);
  ck_assert_int_eq(call("DELETE", pa, NULL, NULL, NULL), 401);
  JsonNode *n = edit("DELETE", pa, NULL, 200);
  JsonObject *o = json_node_get_object(n);
  ck_assert_str_eq(json_object_get_string_member(o, "id"), a);
  ck_assert_str_eq(json_array_get_string_element(json_object_get_array_member(o, "columns"), 0), "gone");
  ck_assert_ptr_nonnull(json_object_get_string_member(o, "files_removed_after"));
  json_node_unref(n);

  /* 404 by id for everyone, every editor route included; gone from every list. */
  ck_assert_int_eq(call("GET", pa, NULL, NULL, NULL), 404);
  ck_assert_int_eq(call("GET", pa, editor_auth, NULL, NULL), 404);
  ck_assert_int_eq(call("PATCH", pa, editor_auth, "{\"title\":\"复活\"}", NULL), 404);
  ck_assert_int_eq(call("DELETE", pa, editor_auth, NULL, NULL), 404);
  g_autofree char *stats = g_strdup_printf("%s/stats", pa);
  ck_assert_int_eq(call("GET", stats, editor_auth, NULL, NULL), 404);
  char *t = search("q=删除");
  ck_assert_str_eq(t, "");
  g_free(t);
  t = search(NULL);
  ck_assert_str_eq(t, "留下的课");
  g_free(t);
  ApiReq r = { .method = "GET", .path = "/api/v1/videos", .query = "visibility=any", .auth = editor_auth };
  ck_assert_int_eq(api_send(&r), 200);
  ck_assert_ptr_null(strstr(r.out, a));
  r.path = "/api/v1/columns/gone";
  r.query = "all=true";
  ck_assert_int_eq(api_send(&r), 200);
  ck_assert_ptr_null(strstr(r.out, a));
  ck_assert_ptr_nonnull(strstr(r.out, "\"position\":0,"));
  api_req_clear(&r);
  g_autofree char *add = g_strdup_printf("{\"video_id\":\"%s\"}", a);
  ck_assert_int_eq(call("POST", "/api/v1/columns/gone/items", editor_auth, add, NULL), 404);

  /* Audited, with what it was and the columns it left. */
  char *detail = NULL, *what = newest_audit(&detail);
  g_autofree char *want = g_strdup_printf("video.delete %s", a);
  ck_assert_str_eq(what, want);
  ck_assert_ptr_nonnull(strstr(detail, "\"title\":\"要删除的课\""));
  ck_assert_ptr_nonnull(strstr(detail, "\"columns\":[\"gone\"]"));
  g_free(what);
  g_free(detail);

  /* Its files are out of /hls's reach at once, kept until the grace has passed. */
  ck_assert(!exists_in(NULL, a, "master.m3u8"));
  ck_assert(exists_in(TRASH_DIR, a, "master.m3u8"));
  int purged = -1;
  ck_assert_int_eq(trash_sweep(db, &config, util_now(), &purged), 0);
  ck_assert_int_eq(purged, 0);
  ck_assert(exists_in(TRASH_DIR, a, "master.m3u8"));
  /* Files that show up at the old place meanwhile (a transcode finishing) go too. */
  g_assert(g_mkdir_with_parents(vdir, 0755) == 0);
  ck_assert_int_eq(trash_sweep(db, &config, util_now(), &purged), 0);
  ck_assert(!exists_in(NULL, a, NULL));
  ck_assert_int_eq(trash_sweep(db, &config, util_now() + config.deleted_grace + 1, &purged), 0);
  ck_assert_int_eq(purged, 1);
  ck_assert(!exists_in(TRASH_DIR, a, NULL));
  ck_assert(!g_file_test(updir, G_FILE_TEST_EXISTS));
  ck_assert_int_eq(trash_sweep(db, &config, util_now() + config.deleted_grace + 1, &purged), 0);
  ck_assert_int_eq(purged, 0);

  /* The points stay. */
  gint64 sum = 0;
  ck_assert_int_eq(db_ledger_sum(db, "m-1", NULL, 0, NULL, NULL, &sum), 0);
  ck_assert_int_eq(sum, 5);
  g_free(a);
  g_free(b);
}
END_TEST

START_TEST(a_live_on_air_is_not_deleted)
{
  JsonNode *ev = edit("POST", "/api/v1/events", "{\"title\":\"正在直播\"}", 201);
  g_autofree char *id = g_strdup(json_object_get_string_member(json_node_get_object(ev), "id"));
  json_node_unref(ev);
  ck_assert_int_eq(db_video_set_state(db, id, "scheduled", "live", NULL, NULL), 0);
  g_autofree char *p = g_strdup_printf("/api/v1/videos/%s", id);
  char *out = NULL;
  ck_assert_int_eq(call("DELETE", p, editor_auth, NULL, &out), 409);
  assert_error_shape(out, "on_air");
  g_free(out);
  ck_assert_int_eq(call("GET", p, editor_auth, NULL, NULL), 200);
}
END_TEST

START_TEST(a_live_gets_a_new_key_and_the_old_one_stops_working)
{
  JsonNode *ev = edit("POST", "/api/v1/events", "{\"title\":\"换推流码\"}", 201);
  JsonObject *eo = json_node_get_object(ev);
  g_autofree char *id = g_strdup(json_object_get_string_member(eo, "id"));
  g_autofree char *old_key = g_strdup(json_object_get_string_member(eo, "stream_key"));
  json_node_unref(ev);
  g_autofree char *p = g_strdup_printf("/api/v1/videos/%s/rekey", id);
  ck_assert_int_eq(call("POST", p, viewer_auth, NULL, NULL), 403);
  JsonNode *n = edit("POST", p, NULL, 200);
  JsonObject *o = json_node_get_object(n);
  const char *new_key = json_object_get_string_member(o, "stream_key");
  ck_assert_str_ne(new_key, old_key);
  ck_assert_uint_ge(strlen(new_key), 20);
  ck_assert(g_str_has_suffix(json_object_get_string_member(o, "rtmp_url"), new_key));
  ck_assert_str_eq(json_object_get_string_member(o, "id"), id);
  /* Only the new key finds the live. */
  VideoKeyMatch m;
  g_autofree char *old_hash = token_hash(secret, old_key);
  g_autofree char *new_hash = token_hash(secret, new_key);
  ck_assert_int_eq(db_video_find_by_key(db, old_hash, &m), -ENOENT);
  ck_assert_int_eq(db_video_find_by_key(db, new_hash, &m), 0);
  ck_assert_str_eq(m.id, id);
  db_video_key_match_clear(&m);
  /* Audited, without the key. */
  char *detail = NULL, *what = newest_audit(&detail);
  g_autofree char *want = g_strdup_printf("video.rekey %s", id);
  ck_assert_str_eq(what, want);
  ck_assert_ptr_null(strstr(detail, new_key));
  g_free(what);
  g_free(detail);
  ApiReq r = { .method = "GET", .path = "/api/v1/audit", .auth = editor_auth };
  ck_assert_int_eq(api_send(&r), 200);
  ck_assert_ptr_null(strstr(r.out, new_key));
  ck_assert_ptr_null(strstr(r.out, old_key));
  api_req_clear(&r);
  json_node_unref(n);

  /* On air: refused, the key stays; an upload has no key to replace; no such video. */
  ck_assert_int_eq(db_video_set_state(db, id, "scheduled", "live", NULL, NULL), 0);
  char *out = NULL;
  ck_assert_int_eq(call("POST", p, editor_auth, NULL, &out), 409);
  assert_error_shape(out, "on_air");
  g_free(out);
  ck_assert_int_eq(db_video_find_by_key(db, new_hash, &m), 0);
  db_video_key_match_clear(&m);
  char *up = ready_video("录播课", NULL, NULL);
  g_autofree char *pu = g_strdup_printf("/api/v1/videos/%s/rekey", up);
  ck_assert_int_eq(call("POST", pu, editor_auth, NULL, &out), 409);
  assert_error_shape(out, "not_scheduled");
  g_free(out);
  ck_assert_int_eq(call("POST", "/api/v1/videos/nope/rekey", editor_auth, NULL, NULL), 404);
  g_free(up);
}
END_TEST

static Suite *api_catalog_suite(void)
{
  Suite *s = suite_create("api_catalog");
  TCase *tc = tcase_create("api_catalog");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, editor_builds_a_column_and_the_public_sees_it);
  tcase_add_test(tc, items_put_orders_by_position_and_refuses_duplicates);
  tcase_add_test(tc, search_works_in_chinese_and_english_with_filters);
  tcase_add_test(tc, lives_now_and_upcoming);
  tcase_add_test(tc, chapters_are_sorted_and_checked);
  tcase_add_test(tc, images_are_checked_and_stored_by_content);
  tcase_add_test(tc, every_change_is_in_the_audit_log);
  tcase_add_loop_test(tc, bad_input_gets_a_clear_4xx, 0, G_N_ELEMENTS(bad));
  tcase_add_test(tc, markup_and_sql_text_is_stored_verbatim);
  tcase_add_test(tc, lists_keep_the_order_videos_were_made_in);
  tcase_add_loop_test(tc, chapter_times_parse_strictly, 0, G_N_ELEMENTS(clocks));
  tcase_add_test(tc, chapter_starts_may_be_written_as_clock_times);
  tcase_add_test(tc, a_deleted_video_is_gone_and_its_files_follow_after_the_grace);
  tcase_add_test(tc, a_live_on_air_is_not_deleted);
  tcase_add_test(tc, a_live_gets_a_new_key_and_the_old_one_stops_working);
  suite_add_tcase(s, tc);
  return s;
}

TU_MAIN(api_catalog_suite)
