/* Tests for src/http/api_submissions.c through the real dispatcher: calls (checked fields),
 * submissions (who may, required fields), the tus resumable upload (412, 413, 409 with the
 * offset, 415 for the wrong type and for a file that lies, 404 for someone else's upload, 429
 * over the open uploads), a finished video becoming a draft video with its job, and the review's
 * legal and illegal moves. */
#include "api_fixture.h"
#include "core/util.h"
#include "db/db_submission.h"

#include <string.h>

static char *unverified_auth;

static gint64 make_call(const char *kinds)
{
  g_autofree char *from = util_iso8601(util_now() - 3600), *until = util_iso8601(util_now() + 86400);
  g_autofree char *body = g_strdup_printf(
      "{\"title\":\"征集\",\"kinds\":%s,\"opens_at\":\"%s\",\"closes_at\":\"%s\",\"max_bytes\":1000,"
      "\"fields\":[{\"name\":\"unit\",\"label\":\"单位\",\"required\":true}]}", kinds, from, until);
  char *out = NULL;
  int st = call("POST", "/api/v1/calls", editor_auth, body, &out);
  ck_assert_msg(st == 201, "%d %s", st, out);
  g_autoptr(JsonNode) n = json_from_string(out, NULL);
  g_free(out);
  return json_object_get_int_member(json_node_get_object(n), "id");
}

/* A submission by AUTH; returns its id (status checked against WANT). */
static char *submit(const char *auth, gint64 call_id, const char *kind, const char *extra, int want)
{
  g_autofree char *body = g_strdup_printf("{\"call_id\":%" G_GINT64_FORMAT ",\"kind\":\"%s\",\"title\":\"作品\","
                                          "\"fields\":{\"unit\":\"厂\"}%s}", call_id, kind, extra ? extra : "");
  char *out = NULL;
  int st = call("POST", "/api/v1/submissions", auth, body, &out);
  ck_assert_msg(st == want, "%d %s", st, out);
  char *id = NULL;
  if (st == 201) {
    g_autoptr(JsonNode) n = json_from_string(out, NULL);
    id = g_strdup(json_object_get_string_member(json_node_get_object(n), "id"));
  }
  g_free(out);
  return id;
}

typedef struct {
  int status;
  char *location, *offset, *out;
} Tus;

static void tus_clear(Tus *t)
{
  g_free(t->location);
  g_free(t->offset);
  g_free(t->out);
  memset(t, 0, sizeof *t);
}

static Tus tus(const char *method, const char *path, const char *auth, const char *version, const char *length,
               const char *metadata, const char *offset, const char *ctype, const char *body, size_t len)
{
  GHashTable *q = g_hash_table_new(g_str_hash, g_str_equal);
  HttpRequest req = {.method = method, .path = path, .query = q, .authorization = auth, .peer = "127.0.0.1",
                     .tus_resumable = version, .upload_length = length, .upload_metadata = metadata,
                     .upload_offset = offset, .content_type = ctype, .body = body, .body_len = len};
  HttpResponse resp;
  http_response_init(&resp);
  api_handle(&ctx, &req, &resp);
  Tus t = {.status = resp.status, .out = g_strdup(resp.body ? resp.body->str : "")};
  for (guint i = 0; i + 1 < resp.headers->len; i += 2) {
    if (!strcmp(resp.headers->pdata[i], "location:"))
      t.location = g_strdup(resp.headers->pdata[i + 1]);
    if (!strcmp(resp.headers->pdata[i], "upload-offset:"))
      t.offset = g_strdup(resp.headers->pdata[i + 1]);
  }
  http_response_clear(&resp);
  g_hash_table_unref(q);
  return t;
}

static char *meta(const char *submission)
{
  g_autofree char *b = g_base64_encode((const guchar *)submission, strlen(submission));
  return g_strdup_printf("submission %s,filename dmlkZW8ubXA0", b);
}

#define OCT "application/offset+octet-stream"

START_TEST(calls_and_who_submits)
{
  char *out = NULL;
  ck_assert_int_eq(call("POST", "/api/v1/calls", editor_auth, "{\"title\":\"x\",\"kinds\":[\"audio\"],"
                        "\"opens_at\":\"2026-01-01T00:00:00Z\",\"closes_at\":\"2026-02-01T00:00:00Z\"}", &out), 400);
  assert_error_shape(out, "invalid_field");
  g_free(out);
  ck_assert_int_eq(call("POST", "/api/v1/calls", editor_auth, "{\"title\":\"x\",\"kinds\":[\"pdf\"],"
                        "\"opens_at\":\"2026-02-01T00:00:00Z\",\"closes_at\":\"2026-01-01T00:00:00Z\"}", &out), 400);
  g_free(out);
  ck_assert_int_eq(call("POST", "/api/v1/calls", viewer_auth, "{}", NULL), 403);
  gint64 c = make_call("[\"text\",\"video\"]");
  g_free(submit(unverified_auth, c, "text", ",\"body\":\"b\"", 403));
  g_free(submit(viewer_auth, c, "pdf", NULL, 400));                 /* not a kind it takes */
  g_free(submit(viewer_auth, c, "video", ",\"body\":\"b\"", 400));  /* a video has no body */
  g_autofree char *t = submit(viewer_auth, c, "text", ",\"body\":\"# 标题\"", 201);
  Submission *s = NULL;
  ck_assert_int_eq(db_submission_get(db, t, &s), 0);
  ck_assert_str_eq(s->state, "in_review");
  submission_free(&s);
  g_autofree char *path = g_strdup_printf("/api/v1/submissions/%s/review", t);
  ck_assert_int_eq(call("POST", path, editor_auth, "{\"action\":\"reject\"}", &out), 400);
  assert_error_shape(out, "missing_field");
  g_free(out);
  ck_assert_int_eq(call("POST", path, viewer_auth, "{\"action\":\"accept\"}", NULL), 403);
  ck_assert_int_eq(call("POST", path, editor_auth, "{\"action\":\"request_changes\",\"reason\":\"改\"}", NULL), 200);
  ck_assert_int_eq(call("POST", path, editor_auth, "{\"action\":\"accept\"}", &out), 409);
  assert_error_shape(out, "illegal_transition");
  g_free(out);
  g_autofree char *sp = g_strdup_printf("/api/v1/submissions/%s", t);
  ck_assert_int_eq(call("PATCH", sp, viewer_auth, "{\"body\":\"# 新\"}", NULL), 200);
  ck_assert_int_eq(call("POST", path, editor_auth, "{\"action\":\"accept\",\"column\":\"nope\"}", &out), 400);
  assert_error_shape(out, "unknown_column");
  g_free(out);
  ck_assert_int_eq(call("POST", path, editor_auth, "{\"action\":\"accept\"}", NULL), 200);
  ck_assert_int_eq(call("POST", path, editor_auth, "{\"action\":\"reject\",\"reason\":\"x\"}", NULL), 409);
  /* An accepted text is a published article with the member's Markdown rendered, not a document. */
  ck_assert_int_eq(db_submission_get(db, t, &s), 0);
  ck_assert_str_eq(s->result_kind, "article");
  g_autofree char *ap = g_strdup_printf("/api/v1/articles/%s", s->result_id);
  submission_free(&s);
  ck_assert_int_eq(call("GET", ap, NULL, NULL, &out), 200);
  ck_assert_ptr_nonnull(strstr(out, "\"html\":\"\\u003ch1\\u003e新\\u003c/h1\\u003e"));
  g_free(out);
  ck_assert_int_eq(call("GET", "/api/v1/documents", NULL, NULL, &out), 200);
  ck_assert_ptr_null(strstr(out, t));
  g_free(out);
}
END_TEST

START_TEST(tus_upload)
{
  gint64 c = make_call("[\"video\",\"pdf\"]");
  g_autofree char *v = submit(viewer_auth, c, "video", NULL, 201);
  g_autofree char *m = meta(v);
  static const char file[] = "\x00\x00\x00\x18" "ftypisom\x00\x00\x02\x00isomiso2 and the rest of a video";
  size_t len = sizeof file - 1;
  g_autofree char *lens = g_strdup_printf("%zu", len);
  Tus t = tus("POST", "/api/v1/tus", viewer_auth, NULL, lens, m, NULL, NULL, NULL, 0);
  ck_assert_int_eq(t.status, 412);
  tus_clear(&t);
  t = tus("POST", "/api/v1/tus", viewer_auth, "1.0.0", "1001", m, NULL, NULL, NULL, 0);
  ck_assert_int_eq(t.status, 413); /* the call takes 1000 bytes */
  tus_clear(&t);
  t = tus("POST", "/api/v1/tus", viewer_auth, "1.0.0", lens, m, NULL, NULL, NULL, 0);
  ck_assert_int_eq(t.status, 201);
  g_autofree char *up = g_strdup(t.location);
  ck_assert(g_str_has_prefix(up, "/api/v1/tus/"));
  tus_clear(&t);
  t = tus("PATCH", up, viewer_auth, "1.0.0", NULL, NULL, "5", OCT, file, 20);
  ck_assert_int_eq(t.status, 409);
  ck_assert_str_eq(t.offset, "0");
  tus_clear(&t);
  t = tus("PATCH", up, viewer_auth, "1.0.0", NULL, NULL, "0", "application/octet-stream", file, 20);
  ck_assert_int_eq(t.status, 415);
  tus_clear(&t);
  t = tus("PATCH", up, viewer_auth, "1.0.0", NULL, NULL, "0", OCT, file, 20);
  ck_assert_int_eq(t.status, 204);
  ck_assert_str_eq(t.offset, "20");
  tus_clear(&t);
  /* Another member does not see it. */
  g_autofree char *other = make_member(ROLE_VIEWER);
  t = tus("GET", up, other, "1.0.0", NULL, NULL, NULL, NULL, NULL, 0);
  ck_assert_int_eq(t.status, 404);
  tus_clear(&t);
  t = tus("GET", up, viewer_auth, "1.0.0", NULL, NULL, NULL, NULL, NULL, 0);
  ck_assert_int_eq(t.status, 200);
  ck_assert_str_eq(t.offset, "20");
  tus_clear(&t);
  t = tus("PATCH", up, viewer_auth, "1.0.0", NULL, NULL, "20", OCT, file + 20, len - 20 + 1);
  ck_assert_int_eq(t.status, 413); /* a byte past the length */
  tus_clear(&t);
  t = tus("PATCH", up, viewer_auth, "1.0.0", NULL, NULL, "20", OCT, file + 20, len - 20);
  ck_assert_int_eq(t.status, 204);
  tus_clear(&t);
  Submission *s = NULL;
  ck_assert_int_eq(db_submission_get(db, v, &s), 0);
  ck_assert_str_eq(s->state, "processing");
  ck_assert_ptr_nonnull(s->video_id);
  g_autofree char *stored = g_build_filename(dir, s->file_path, NULL);
  g_autofree char *got = NULL;
  gsize n = 0;
  ck_assert(g_file_get_contents(stored, &got, &n, NULL));
  ck_assert(n == len && memcmp(got, file, len) == 0);
  /* A draft until accepted. */
  g_autofree char *vp = g_strdup_printf("/api/v1/videos/%s", s->video_id);
  ck_assert_int_eq(call("GET", vp, NULL, NULL, NULL), 404);
  g_autofree char *rp = g_strdup_printf("/api/v1/submissions/%s/review", v);
  ck_assert_int_eq(call("POST", rp, editor_auth, "{\"action\":\"accept\"}", NULL), 409); /* processing */
  submission_free(&s);
}
END_TEST

START_TEST(liars_and_limits)
{
  gint64 c = make_call("[\"video\",\"pdf\"]");
  g_autofree char *p = submit(viewer_auth, c, "pdf", NULL, 201);
  g_autofree char *m = meta(p);
  static const char png[] = "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01";
  Tus t = tus("POST", "/api/v1/tus", viewer_auth, "1.0.0", "100", m, NULL, NULL, NULL, 0);
  ck_assert_int_eq(t.status, 201);
  g_autofree char *up = g_strdup(t.location);
  tus_clear(&t);
  t = tus("PATCH", up, viewer_auth, "1.0.0", NULL, NULL, "0", OCT, png, sizeof png - 1);
  ck_assert_int_eq(t.status, 415);
  ck_assert_ptr_nonnull(strstr(t.out, "file_type_mismatch"));
  tus_clear(&t);
  t = tus("GET", up, viewer_auth, "1.0.0", NULL, NULL, NULL, NULL, NULL, 0);
  ck_assert_int_eq(t.status, 404); /* the upload is ended */
  tus_clear(&t);
  /* [submit] open_uploads (3) unfinished at once. */
  for (int i = 0; i < 4; i++) {
    g_autofree char *s = submit(viewer_auth, c, "pdf", NULL, 201);
    g_autofree char *ms = meta(s);
    t = tus("POST", "/api/v1/tus", viewer_auth, "1.0.0", "100", ms, NULL, NULL, NULL, 0);
    ck_assert_int_eq(t.status, i < 3 ? 201 : 429);
    tus_clear(&t);
  }
  /* A submission that is not the caller's cannot take an upload. */
  g_autofree char *other = make_member(ROLE_VIEWER);
  t = tus("POST", "/api/v1/tus", other, "1.0.0", "100", m, NULL, NULL, NULL, 0);
  ck_assert_int_eq(t.status, 400);
  tus_clear(&t);
}
END_TEST

static void setup_all(void)
{
  setup();
  Member *mm = NULL;
  char *token = NULL;
  g_assert(auth_member_create(db, secret, "未认证", ROLE_VIEWER, false, &mm, &token) == 0);
  member_free(&mm);
  unverified_auth = g_strconcat("Bearer ", token, NULL);
  g_free(token);
}

static void teardown_all(void)
{
  g_clear_pointer(&unverified_auth, g_free);
  teardown();
}

static Suite *api_submissions_suite(void)
{
  Suite *s = suite_create("api_submissions");
  TCase *tc = tcase_create("core");
  tcase_add_checked_fixture(tc, setup_all, teardown_all);
  tcase_add_test(tc, calls_and_who_submits);
  tcase_add_test(tc, tus_upload);
  tcase_add_test(tc, liars_and_limits);
  suite_add_tcase(s, tc);
  return s;
}

TU_MAIN(api_submissions_suite)
