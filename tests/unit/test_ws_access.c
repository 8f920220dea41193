/* Tests for src/http/ws_access.txt (the /ws access matrix) and src/http/ws_services.c (the
 * services the server registers): with the services registered as the server does, every
 * type in the real route table has one row and every row (but "*", a type nobody took) a
 * type; every type sent as each role gets what its row says; docs/access.md shows the same
 * table. No socket: connections are opened without a wsi, as in test_ws.c. */
#include "db/db_qa.h"
#include "access_table.h"
#include "auth/auth.h"
#include "core/util.h"
#include "db/db_article.h"
#include "db_fixture.h"
#include "http/ws.h"
#include "http/ws_services.h"
#include "testutil.h"

#include <string.h>

#define TABLE "src/http/ws_access.txt"
#define UNREGISTERED "quiz.answer" /* what the "*" row is tried with */

enum { ANONYMOUS, GUEST, UNVERIFIED, VERIFIED, DISQUALIFIED, EDITOR, ADMIN, DISABLED, N_ROLES };
static const char *const role_names[N_ROLES] = {
  "anonymous", "guest", "unverified", "verified", "disqualified", "editor", "admin", "disabled",
};

static char *dir;
static Db *db;
static Config config;
static Ws *ws;
static char *vod, *live;
static char article[24]; /* a published article's id */
static char *token[N_ROLES]; /* NULL: anonymous and guest */
static GPtrArray *table;
static const guint8 key[TOKEN_SECRET_LEN] = { 5 };

/* A real message of each type a service takes, and the type that must come first on the
 * connection (a heartbeat belongs to a watch session). {video} is a published video. A type
 * registered without a sample here fails every_type_answers_every_role_as_its_row_says. */
static const struct { const char *type, *before, *message; } samples[] = {
  { "watch.start", NULL,
    "{\"type\":\"watch.start\",\"video\":\"{video}\",\"position\":0,\"playing\":true,\"visible\":true}" },
  { "heartbeat", "watch.start",
    "{\"type\":\"heartbeat\",\"seq\":1,\"video\":\"{video}\",\"position\":0,\"playing\":true,\"visible\":true}" },
  { "watch.stop", "watch.start", "{\"type\":\"watch.stop\",\"seq\":1,\"video\":\"{video}\",\"position\":0}" },
  /* {live}: a live on air (chat is open while a live is). */
  { "chat.join", NULL, "{\"type\":\"chat.join\",\"video\":\"{live}\"}" },
  { "chat.send", "chat.join", "{\"type\":\"chat.send\",\"video\":\"{live}\",\"text\":\"你好 <b>\"}" },
  { "chat.like", "chat.join", "{\"type\":\"chat.like\",\"video\":\"{live}\",\"count\":3}" },
  /* {article}: a published article (reading credit, docs/articles.md). */
  { "read.start", NULL, "{\"type\":\"read.start\",\"article\":{article},\"visible\":true}" },
  { "read.beat", "read.start", "{\"type\":\"read.beat\",\"seq\":1,\"article\":{article},\"visible\":true}" },
  { "read.stop", "read.start", "{\"type\":\"read.stop\",\"seq\":1,\"article\":{article}}" },
  /* Questions: question 1 is another member's open question on {live} (setup). */
  { "qa.join", NULL, "{\"type\":\"qa.join\",\"video\":\"{live}\"}" },
  { "qa.ask", "qa.join", "{\"type\":\"qa.ask\",\"video\":\"{live}\",\"text\":\"何时报名 <b>\"}" },
  { "qa.vote", "qa.join", "{\"type\":\"qa.vote\",\"video\":\"{live}\",\"question\":1}" },
  { UNREGISTERED, NULL, "{\"type\":\"" UNREGISTERED "\",\"video\":\"{video}\"}" },
};

static char *member(Role role, bool verified, int flag)
{
  Member *m = NULL;
  char *t = NULL;
  ck_assert_int_eq(auth_member_create(db, key, "访问 member", role, verified, &m, &t), 0);
  if (flag >= 0)
    ck_assert_int_eq(db_member_set_flag(db, m->id, (MemberFlag)flag, true), 0);
  member_free(&m);
  return t;
}

static void setup(void)
{
  db = tu_db_open(&dir);
  ck_assert_int_eq(config_init_defaults(&config), 0);
  tu_db_watchable(db, &vod, &live);
  ArticleInput in = { .title = "读一读", .body_md = "劳模精神，薪火相传。", .publish = true };
  gint64 aid = 0;
  ck_assert_int_eq(db_article_create(db, &in, util_now() - 60, &aid), 0);
  g_snprintf(article, sizeof article, "%" G_GINT64_FORMAT, aid);
  token[UNVERIFIED] = member(ROLE_VIEWER, false, -1);
  token[VERIFIED] = member(ROLE_VIEWER, true, -1);
  token[DISQUALIFIED] = member(ROLE_VIEWER, true, MEMBER_DISQUALIFIED);
  token[EDITOR] = member(ROLE_EDITOR, true, -1);
  token[ADMIN] = member(ROLE_ADMIN, true, -1);
  token[DISABLED] = member(ROLE_VIEWER, true, MEMBER_DISABLED);
  QaQuestion q = { .video = live, .member = (char *)"someone-else", .text = (char *)"问题",
                   .state = QA_OPEN, .created_at = 1 };
  ck_assert_int_eq(db_qa_question_insert(db, &q), 0);
  ck_assert_int_eq(q.id, 1);
  ws = ws_new(db, key, &config);
  ck_assert_int_eq(ws_services_register(ws, db, &config), 0);
  table = access_table_read(TABLE);
  char **header = table->pdata[0];
  ck_assert_msg(g_strv_length(header) == 1 + N_ROLES && !strcmp(header[0], "type"),
                "%s: the header must be: type <roles>", TABLE);
  for (int r = 0; r < N_ROLES; r++)
    ck_assert_int_eq(access_table_column(table, role_names[r]), 1 + r);
}

static void teardown(void)
{
  ws_free(&ws);
  g_ptr_array_unref(table);
  config_clear(&config);
  tu_db_close(&db, &dir);
  for (int r = 0; r < N_ROLES; r++)
    g_clear_pointer(&token[r], g_free);
  g_free(vod);
  g_free(live);
}

static char **row_for(const char *type)
{
  for (guint i = 1; i < table->len; i++)
    if (!strcmp(((char **)table->pdata[i])[0], type))
      return table->pdata[i];
  return NULL;
}

START_TEST(every_routed_type_has_one_row_and_every_row_a_type)
{
  char **types = ws_route_types(ws);
  ck_assert_uint_ge(g_strv_length(types), 4); /* hello and the watch service's three */
  GString *bad = g_string_new(NULL);
  for (int i = 0; types[i]; i++)
    if (!row_for(types[i]))
      g_string_append_printf(bad, "\n  /ws type %s has no row in " TABLE, types[i]);
  GHashTable *seen = g_hash_table_new(g_str_hash, g_str_equal);
  for (guint i = 1; i < table->len; i++) {
    const char *type = ((char **)table->pdata[i])[0];
    if (strcmp(type, "*") != 0 && !g_strv_contains((const char *const *)types, type))
      g_string_append_printf(bad, "\n  row %s names a type /ws does not route", type);
    if (!g_hash_table_add(seen, (gpointer)type))
      g_string_append_printf(bad, "\n  row %s appears twice", type);
  }
  ck_assert_msg(row_for("*"), TABLE " needs the row \"*\" (a type nobody registered)");
  ck_assert_msg(bad->len == 0, "%s", bad->str);
  g_hash_table_unref(seen);
  g_string_free(bad, TRUE);
  g_strfreev(types);
}
END_TEST

static void say(WsConn *c, const char *text)
{
  ws_conn_receive(c, text, strlen(text));
}

/* C's next message, waiting up to WAIT_MS on the main loop (heartbeats are acknowledged after
 * the commit timer); NULL when none came. */
static JsonNode *next(WsConn *c, int wait_ms)
{
  gint64 until = g_get_monotonic_time() + wait_ms * 1000;
  char *text;
  while (!(text = ws_conn_next_output(c)) && g_get_monotonic_time() < until)
    g_main_context_iteration(NULL, FALSE), g_usleep(2000);
  if (!text)
    return NULL;
  JsonNode *n = json_from_string(text, NULL);
  ck_assert_msg(n && JSON_NODE_HOLDS_OBJECT(n), "not a JSON object: %s", text);
  g_free(text);
  return n;
}

/* What the answer N means in the table's words ("ok", "earns", an error code, "closed"). */
static char *outcome(WsConn *c, JsonNode *n)
{
  if (!n)
    return g_strdup(ws_conn_closing(c) ? "closed" : "(no answer)");
  JsonObject *o = json_node_get_object(n);
  const char *type = json_object_get_string_member(o, "type");
  if (!strcmp(type, "error"))
    return g_strdup(json_object_get_string_member(o, "code"));
  if (!strcmp(type, "welcome") && json_object_get_boolean_member(o, "earns_points"))
    return g_strdup("earns");
  return g_strdup("ok");
}

/* A sample with {video} replaced by the published recording and {live} by the live. */
static char *with_video(const char *sample_text)
{
  char **parts = g_strsplit(sample_text, "{video}", -1);
  char *text = g_strjoinv(vod, parts);
  g_strfreev(parts);
  parts = g_strsplit(text, "{live}", -1);
  g_free(text);
  text = g_strjoinv(live, parts);
  g_strfreev(parts);
  parts = g_strsplit(text, "{article}", -1);
  g_free(text);
  text = g_strjoinv(article, parts);
  g_strfreev(parts);
  return text;
}

static const char *sample(const char *type, const char **before)
{
  for (unsigned i = 0; i < G_N_ELEMENTS(samples); i++)
    if (!strcmp(samples[i].type, type)) {
      *before = samples[i].before;
      return samples[i].message;
    }
  return NULL;
}

static char *hello_for(int role)
{
  return token[role] ? g_strdup_printf("{\"type\":\"hello\",\"token\":\"%s\"}", token[role])
                     : g_strdup("{\"type\":\"hello\"}");
}

/* TYPE as ROLE on a fresh connection: hello first (but for anonymous, and for hello itself),
 * then what must come before TYPE, then TYPE. Returns what TYPE got, in the table's words. */
static char *try(const char *type, int role, GString *bad)
{
  WsConn *c = ws_conn_open(ws, NULL);
  const char *before = NULL, *fmt = NULL;
  char *text;
  if (!strcmp(type, "hello")) {
    text = hello_for(role);
  } else {
    fmt = sample(!strcmp(type, "*") ? UNREGISTERED : type, &before);
    if (!fmt) {
      g_string_append_printf(bad, "\n  no sample message for %s in test_ws_access.c", type);
      ws_conn_close(c);
      return g_strdup("(untested)");
    }
    text = with_video(fmt);
    if (role != ANONYMOUS) {
      char *hello = hello_for(role);
      say(c, hello);
      g_free(hello);
      JsonNode *n = next(c, 0);
      if (n)
        json_node_unref(n); /* the hello row says what it was */
    }
  }
  if (before && role != ANONYMOUS && !ws_conn_closing(c)) {
    const char *bfmt = sample(before, &(const char *){ NULL });
    char *btext = with_video(bfmt);
    say(c, btext);
    g_free(btext);
    JsonNode *n = next(c, 2000);
    char *got = outcome(c, n);
    if (strcmp(got, "ok") != 0)
      g_string_append_printf(bad, "\n  %s as %s: %s, before it, got %s", type, role_names[role], before, got);
    g_free(got);
    if (n)
      json_node_unref(n);
  }
  say(c, text);
  g_free(text);
  JsonNode *n = next(c, ws_conn_closing(c) ? 0 : 2000);
  char *got = outcome(c, n);
  if (n)
    json_node_unref(n);
  ws_conn_close(c);
  return got;
}

START_TEST(every_type_answers_every_role_as_its_row_says)
{
  GString *bad = g_string_new(NULL);
  int tried = 0;
  for (guint i = 1; i < table->len; i++) {
    char **row = table->pdata[i];
    for (int r = 0; r < N_ROLES; r++) {
      char *got = try(row[0], r, bad);
      if (strcmp(got, row[1 + r]) != 0)
        g_string_append_printf(bad, "\n  %s as %s: %s, the table says %s", row[0], role_names[r], got,
                               row[1 + r]);
      g_free(got);
      tried++;
    }
  }
  ck_assert_int_eq(tried, (int)(table->len - 1) * N_ROLES);
  ck_assert_msg(bad->len == 0, "answers that differ from " TABLE ":%s", bad->str);
  g_string_free(bad, TRUE);
}
END_TEST

START_TEST(docs_show_the_table)
{
  GPtrArray *doc = access_table_from_doc(TABLE);
  access_table_assert_same(table, doc, TABLE);
  g_ptr_array_unref(doc);
}
END_TEST

static Suite *suite(void)
{
  Suite *s = suite_create("ws_access");
  TCase *tc = tcase_create("matrix");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, every_routed_type_has_one_row_and_every_row_a_type);
  tcase_add_test(tc, every_type_answers_every_role_as_its_row_says);
  tcase_add_test(tc, docs_show_the_table);
  suite_add_tcase(s, tc);
  return s;
}

TU_MAIN(suite)
