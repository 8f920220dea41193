/* Fuzz target: the JSON API's request reading (src/http/api.c's routing, api_fields.c's typed
 * body fields and query parameters, api_kit.c's body parsing, and every handler behind them)
 * on a real database, without a socket. One input is a small HTTP-like request:
 *
 *   METHOD /api/v1/path?name=value&…     (query values percent-decoded, as lws does)
 *   authorization: @EDITOR@              (any of: authorization, content-type,
 *   content-type: application/json        if-none-match, if-modified-since)
 *
 *   {"body": …}
 *
 * "@ADMIN@", "@EDITOR@", "@VIEWER@" stand for those members' "Bearer …" credentials, "@VOD@"
 * and "@LIVE@" for a published recording and a live, "@VIEWER_ID@" for the viewer's id.
 * Every answer must have a status, and a JSON answer must be JSON, strictly, as a browser reads
 * it (json_check.h). Handlers change the database as in the server (their own transactions,
 * inside the target's one); it is in memory and every input is undone after it (fuzz_db.h),
 * and stored images are removed, so each input meets the same fixture and a crash replays
 * alone. */
#include "fuzz.h"
#include "fuzz_db.h"
#include "json_check.h"
#include "auth/auth.h"
#include "db/db_video.h"
#include "http/api.h"

#include <json-glib/json-glib.h>

static Db *db;
static Config config;
static ApiContext ctx;
static const guint8 secret[TOKEN_SECRET_LEN] = { 9 };
static char *images;
static char *pairs[15];

static char *bearer(Role role, char **id)
{
  Member *m = NULL;
  char *token = NULL;
  FUZZ_CHECK(auth_member_create(db, secret, "测试 member", role, true, &m, &token) == 0);
  if (id)
    *id = g_strdup(m->id);
  member_free(&m);
  char *h = g_strconcat("Bearer ", token, NULL);
  g_free(token);
  return h;
}

/* Back to the database as LLVMFuzzerInitialize left it, and no stored images. */
static void reset(void)
{
  fuzz_db_undo(db);
  if (g_file_test(images, G_FILE_TEST_EXISTS)) {
    char *cmd = g_strdup_printf("rm -rf '%s'", images);
    FUZZ_CHECK(system(cmd) == 0);
    g_free(cmd);
  }
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
  fuzz_quiet();
  config_init_defaults(&config);
  g_free(config.data_dir);
  config.data_dir = g_build_filename(fuzz_scratch(), "api", NULL);
  FUZZ_CHECK(g_mkdir_with_parents(config.data_dir, 0700) == 0);
  images = g_build_filename(config.data_dir, "images", NULL);
  fuzz_db_open(&db);
  ctx = (ApiContext){ .db = db, .secret = secret, .config = &config };
  char *vod = NULL, *live = NULL, *viewer_id = NULL;
  FUZZ_CHECK(db_video_create_upload(db, "第一课", "王老师", NULL, NULL, &vod) == 0);
  FUZZ_CHECK(db_video_set_media(db, vod, 600000, NULL) == 0);
  FUZZ_CHECK(db_video_set_state(db, vod, NULL, "ready", "fuzz", NULL) == 0);
  FUZZ_CHECK(db_video_set_text(db, vod, VIDEO_VISIBILITY, "published") == 0);
  FUZZ_CHECK(db_video_create_live(db, "直播", NULL, NULL, util_now() + 3600, "hash", NULL, &live) == 0);
  FUZZ_CHECK(db_video_set_text(db, live, VIDEO_VISIBILITY, "published") == 0);
  char *admin = bearer(ROLE_ADMIN, NULL), *editor = bearer(ROLE_EDITOR, NULL);
  char *viewer = bearer(ROLE_VIEWER, &viewer_id);
  const char *p[] = { "@ADMIN@", admin, "@EDITOR@", editor, "@VIEWER_ID@", viewer_id,
                      "@VIEWER@", viewer, "@VOD@", vod, "@LIVE@", live, NULL };
  memcpy(pairs, p, sizeof p);
  return 0;
}

static void add_query(GHashTable *q, const char *s)
{
  char **args = g_strsplit(s, "&", 64);
  for (int i = 0; args[i]; i++) {
    char *eq = strchr(args[i], '=');
    if (eq)
      *eq = '\0';
    const char *raw = eq ? eq + 1 : "";
    char *v = g_uri_unescape_string(raw, NULL);
    g_hash_table_replace(q, g_strdup(args[i]), v ? v : g_strdup(raw));
  }
  g_strfreev(args);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  GString *in = fuzz_subst(data, size, (const char *const *)pairs);
  fuzz_db_begin(db);
  /* The head ends at the first empty line; the body is the rest (a copy of its own, so a
   * read past its end is caught). */
  char *blank = strstr(in->str, "\n\n");
  size_t head_len = blank ? (size_t)(blank - in->str) : in->len;
  size_t body_off = blank ? head_len + 2 : in->len;
  char *head = g_strndup(in->str, head_len);
  char *body = blank ? g_memdup2(in->str + body_off, in->len - body_off + 1) : NULL;
  size_t body_len = blank ? in->len - body_off : 0;

  char **lines = g_strsplit(head, "\n", 16);
  HttpRequest req = { .method = "GET", .path = "/api/v1" };
  GHashTable *q = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
  req.query = q;
  char *path = NULL;
  if (lines[0]) {
    char *sp = strchr(lines[0], ' ');
    if (sp) {
      *sp = '\0';
      req.method = lines[0];
      char *qm = strchr(sp + 1, '?');
      if (qm) {
        *qm = '\0';
        add_query(q, qm + 1);
      }
      path = g_strdup(sp + 1);
    } else {
      path = g_strdup(lines[0]);
    }
  }
  /* The router is reached for paths under /api/ (http_server.c sends the rest elsewhere). */
  if (!path || !g_str_has_prefix(path, "/api/")) {
    char *p = g_strconcat("/api/v1/", path ? path : "", NULL);
    g_free(path);
    path = p;
  }
  req.path = path;
  for (int i = 1; lines[0] && lines[i]; i++) {
    char *colon = strchr(lines[i], ':');
    if (!colon)
      continue;
    *colon = '\0';
    const char *v = colon + 1;
    while (*v == ' ')
      v++;
    if (!g_ascii_strcasecmp(lines[i], "authorization"))
      req.authorization = v;
    else if (!g_ascii_strcasecmp(lines[i], "content-type"))
      req.content_type = v;
    else if (!g_ascii_strcasecmp(lines[i], "if-none-match"))
      req.if_none_match = v;
    else if (!g_ascii_strcasecmp(lines[i], "if-modified-since"))
      req.if_modified_since = v;
  }
  req.body = body;
  req.body_len = body_len;

  HttpResponse resp;
  http_response_init(&resp);
  api_handle(&ctx, &req, &resp);
  FUZZ_CHECK(resp.status >= 200 && resp.status <= 599);
  if (resp.body && resp.content_type && g_str_has_prefix(resp.content_type, "application/json") &&
      resp.body->len > 0) {
    if (!json_check_text(resp.body->str, resp.body->len))
      fprintf(stderr, "fuzz_api: the server answered: %s\n", resp.body->str);
    FUZZ_CHECK(json_check_text(resp.body->str, resp.body->len));
  }
  http_response_clear(&resp);
  g_hash_table_unref(q);
  g_strfreev(lines);
  g_free(path);
  g_free(head);
  g_free(body);
  g_string_free(in, TRUE);
  reset();
  return 0;
}
