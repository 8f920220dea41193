/* Tests for src/http/http_upload.c without a socket: the credential is checked before a
 * byte is stored, the body streams to a temporary in uploads/ and becomes a video with a
 * job, and every refusal or failure (too large, empty, a failed write, an abandoned body)
 * leaves nothing behind. */
#include "http/http_upload.h"
#include "auth/auth.h"
#include "db/db_job.h"
#include "testutil.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

static char *dir, *uploads;
static Db *db;
static Config config;
static guint8 secret[TOKEN_SECRET_LEN] = { 5 };
static ApiContext ctx;
static char *editor, *viewer;
static GHashTable *query;
static HttpRequest req;

static char *bearer(Role role)
{
  Member *m = NULL;
  char *token = NULL;
  ck_assert_int_eq(auth_member_create(db, secret, "编辑", role, true, &m, &token), 0);
  member_free(&m);
  char *h = g_strconcat("Bearer ", token, NULL);
  g_free(token);
  return h;
}

static void setup(void)
{
  dir = tu_tmpdir();
  char *p = g_build_filename(dir, "t.db", NULL), *err = NULL;
  tu_db_seed(p);
  ck_assert_int_eq(db_open(p, 0, &db, &err), 0);
  g_free(p);
  config_init_defaults(&config);
  g_free(config.data_dir);
  config.data_dir = g_strdup(dir);
  config.vod_max_file_size = 1000;
  uploads = g_build_filename(dir, "uploads", NULL);
  ctx = (ApiContext){ .db = db, .secret = secret, .config = &config };
  editor = bearer(ROLE_EDITOR);
  viewer = bearer(ROLE_VIEWER);
  query = g_hash_table_new(g_str_hash, g_str_equal);
  g_hash_table_insert(query, "title", "一堂课");
  g_hash_table_insert(query, "filename", "lesson.mp4");
  req = (HttpRequest){ .method = "POST", .path = "/api/v1/uploads", .query = query,
                       .authorization = editor, .content_type = "video/mp4" };
}

static void teardown(void)
{
  g_hash_table_unref(query);
  g_free(editor);
  g_free(viewer);
  db_close(&db);
  config_clear(&config);
  tu_rmtree(dir);
  g_free(dir);
  g_free(uploads);
}

/* Temporaries (.incoming-*) now in uploads/. */
static int incoming(void)
{
  int n = 0;
  GDir *d = g_dir_open(uploads, 0, NULL);
  if (!d)
    return 0;
  const char *name;
  while ((name = g_dir_read_name(d)))
    n += g_str_has_prefix(name, ".incoming-");
  g_dir_close(d);
  return n;
}

static char *error_code(const HttpResponse *r)
{
  JsonNode *n = json_from_string(r->body->str, NULL);
  ck_assert_ptr_nonnull(n);
  char *code = g_strdup(json_object_get_string_member(
      json_object_get_object_member(json_node_get_object(n), "error"), "code"));
  json_node_unref(n);
  return code;
}

/* An upload request with AUTH as its Authorization header. */
#define UPLOAD_REQ(auth) (&(HttpRequest){ .method = "POST", .path = "/api/v1/uploads", .authorization = (auth) })

START_TEST(credential_checked_before_anything_is_stored)
{
  const char *auths[] = { NULL, "Bearer nope", viewer };
  const int statuses[] = { 401, 401, 403 };
  for (int i = 0; i < 3; i++) {
    HttpUpload u;
    HttpResponse r;
    http_upload_init(&u);
    http_response_init(&r);
    ck_assert_int_eq(http_upload_start(&u, &ctx, UPLOAD_REQ(auths[i]), true, 10, &r), -EACCES);
    ck_assert_int_eq(r.status, statuses[i]);
    ck_assert_int_eq(u.fd, -1);
    ck_assert_ptr_null(u.tmp_path);
    ck_assert_int_eq(incoming(), 0);
    http_upload_clear(&u);
    http_response_clear(&r);
  }
}
END_TEST

START_TEST(declared_length_over_the_limit_is_refused_unread)
{
  HttpUpload u;
  HttpResponse r;
  http_upload_init(&u);
  http_response_init(&r);
  ck_assert_int_eq(http_upload_start(&u, &ctx, UPLOAD_REQ(editor), true, 1001, &r), -EFBIG);
  ck_assert(u.too_large);
  ck_assert_ptr_null(r.body); /* the caller answers 413 */
  ck_assert_int_eq(incoming(), 0);
  http_upload_clear(&u);
  http_response_clear(&r);
}
END_TEST

START_TEST(body_streams_to_disk_and_becomes_a_video_with_a_job)
{
  HttpUpload u;
  HttpResponse r;
  http_upload_init(&u);
  http_response_init(&r);
  ck_assert_int_eq(http_upload_start(&u, &ctx, UPLOAD_REQ(editor), false, 0, &r), 0); /* chunked */
  ck_assert_int_ge(u.fd, 0);
  ck_assert_int_eq(incoming(), 1);
  for (int i = 0; i < 10; i++)
    http_upload_append(&u, "0123456789", 10);
  ck_assert_uint_eq(u.bytes, 100);
  ck_assert(!u.too_large);
  char *tmp = g_strdup(u.tmp_path);
  http_upload_finish(&u, &ctx, &req, &r);
  ck_assert_msg(r.status == 202, "%d %s", r.status, r.body->str);
  ck_assert(!g_file_test(tmp, G_FILE_TEST_EXISTS)); /* moved */

  JsonNode *n = json_from_string(r.body->str, NULL);
  JsonObject *o = json_node_get_object(n);
  ck_assert_str_eq(json_object_get_string_member(o, "title"), "一堂课");
  const char *jid = json_object_get_string_member(o, "job_id");
  JobRow job = { 0 };
  ck_assert_int_eq(db_job_get(db, jid, &job), 0);
  ck_assert_str_eq(job.state, "queued");
  ck_assert_str_eq(job.video_id, json_object_get_string_member(o, "id"));
  ck_assert(g_str_has_suffix(job.source, "/source.mp4"));
  char *stored = g_build_filename(dir, job.source, NULL);
  char *data = NULL;
  gsize len = 0;
  ck_assert(g_file_get_contents(stored, &data, &len, NULL));
  ck_assert_uint_eq(len, 100);
  ck_assert(!memcmp(data, "0123456789", 10));
  g_free(data);
  g_free(stored);
  db_job_row_clear(&job);
  json_node_unref(n);

  http_upload_clear(&u);
  ck_assert_int_eq(incoming(), 0);
  g_free(tmp);
  http_response_clear(&r);
}
END_TEST

START_TEST(streamed_body_over_the_limit_is_dropped_at_once)
{
  HttpUpload u;
  HttpResponse r;
  http_upload_init(&u);
  http_response_init(&r);
  ck_assert_int_eq(http_upload_start(&u, &ctx, UPLOAD_REQ(editor), false, 0, &r), 0);
  char chunk[400] = { 0 };
  http_upload_append(&u, chunk, sizeof chunk);
  http_upload_append(&u, chunk, sizeof chunk);
  ck_assert(!u.too_large);
  http_upload_append(&u, chunk, sizeof chunk); /* 1200 > 1000 */
  ck_assert(u.too_large);
  ck_assert_int_eq(u.fd, -1);
  ck_assert_int_eq(incoming(), 0);
  http_upload_append(&u, chunk, sizeof chunk); /* the rest is ignored */
  ck_assert_uint_eq(u.bytes, 800);
  http_upload_clear(&u);
  http_response_clear(&r);
}
END_TEST

START_TEST(empty_body_is_refused)
{
  HttpUpload u;
  HttpResponse r;
  http_upload_init(&u);
  http_response_init(&r);
  ck_assert_int_eq(http_upload_start(&u, &ctx, UPLOAD_REQ(editor), true, 0, &r), 0);
  http_upload_finish(&u, &ctx, &req, &r);
  ck_assert_int_eq(r.status, 400);
  char *code = error_code(&r);
  ck_assert_str_eq(code, "empty_upload");
  g_free(code);
  http_upload_clear(&u);
  ck_assert_int_eq(incoming(), 0);
  http_response_clear(&r);
}
END_TEST

START_TEST(failed_write_answers_500_and_removes_the_file)
{
  HttpUpload u;
  HttpResponse r;
  http_upload_init(&u);
  http_response_init(&r);
  ck_assert_int_eq(http_upload_start(&u, &ctx, UPLOAD_REQ(editor), true, 20, &r), 0);
  /* The disk fills up under the upload. */
  int full = open("/dev/full", O_WRONLY);
  if (full < 0) {
    http_upload_clear(&u);
    http_response_clear(&r);
    return; /* no /dev/full here: nothing to simulate with */
  }
  ck_assert_int_ge(dup2(full, u.fd), 0);
  close(full);
  http_upload_append(&u, "0123456789", 10);
  ck_assert_int_eq(u.error, ENOSPC);
  http_upload_append(&u, "0123456789", 10);
  ck_assert_uint_eq(u.bytes, 20);
  http_upload_finish(&u, &ctx, &req, &r);
  ck_assert_int_eq(r.status, 500);
  char *code = error_code(&r);
  ck_assert_str_eq(code, "storage");
  g_free(code);
  http_upload_clear(&u);
  ck_assert_int_eq(incoming(), 0);
  http_response_clear(&r);
}
END_TEST

START_TEST(abandoned_body_leaves_nothing)
{
  HttpUpload u;
  HttpResponse r;
  http_upload_init(&u);
  http_response_init(&r);
  ck_assert_int_eq(http_upload_start(&u, &ctx, UPLOAD_REQ(editor), true, 500, &r), 0);
  http_upload_append(&u, "abc", 3);
  ck_assert_int_eq(incoming(), 1);
  http_upload_clear(&u); /* the connection closed mid-body */
  ck_assert_int_eq(incoming(), 0);
  ck_assert_int_eq(u.fd, -1);
  ck_assert_ptr_null(u.tmp_path);
  http_response_clear(&r);
}
END_TEST

/* A server killed mid-upload leaves its temporary; the next start removes it, and only it. */
START_TEST(sweep_removes_what_a_killed_server_left)
{
  char *up = g_build_filename(config.data_dir, "uploads", NULL);
  char *left = g_build_filename(up, ".incoming-abc", NULL);
  char *kept = g_build_filename(up, "v1", NULL);
  ck_assert_int_eq(http_upload_sweep(config.data_dir), 0); /* no uploads/ yet */
  ck_assert_int_eq(g_mkdir_with_parents(kept, 0755), 0);
  ck_assert(g_file_set_contents(left, "half a video", -1, NULL));
  ck_assert_int_eq(http_upload_sweep(config.data_dir), 1);
  ck_assert(!g_file_test(left, G_FILE_TEST_EXISTS));
  ck_assert(g_file_test(kept, G_FILE_TEST_IS_DIR));
  ck_assert_int_eq(http_upload_sweep(config.data_dir), 0);
  g_free(up);
  g_free(left);
  g_free(kept);
}
END_TEST

static Suite *http_upload_suite(void)
{
  Suite *s = suite_create("http_upload");
  TCase *tc = tcase_create("http_upload");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, credential_checked_before_anything_is_stored);
  tcase_add_test(tc, declared_length_over_the_limit_is_refused_unread);
  tcase_add_test(tc, body_streams_to_disk_and_becomes_a_video_with_a_job);
  tcase_add_test(tc, streamed_body_over_the_limit_is_dropped_at_once);
  tcase_add_test(tc, empty_body_is_refused);
  tcase_add_test(tc, failed_write_answers_500_and_removes_the_file);
  tcase_add_test(tc, abandoned_body_leaves_nothing);
  tcase_add_test(tc, sweep_removes_what_a_killed_server_left);
  suite_add_tcase(s, tc);
  return s;
}

TU_MAIN(http_upload_suite)
