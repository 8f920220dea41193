/* Tests for src/db/db_privacy.c: a member's export holds everything about them and no
 * secret; an erasure removes the personal data, keeps points and statistics, is idempotent;
 * every table with a member id is covered by the list. */
#include "db/db_audit.h"
#include "db/db_member.h"
#include "db/db_member_image.h"
#include "db/db_points.h"
#include "db/db_privacy.h"
#include "db/db_session.h"
#include "db/db_signin.h"
#include "db/db_watch.h"
#include "db_fixture.h"

#include <errno.h>
#include <string.h>

static char *dir;
static Db *db;
static char *vod, *live;

static void add_entry(const char *member, gint64 amount, const char *key)
{
  LedgerEntry e = { .member_id = member, .amount = amount, .reason = "correction", .key = key,
                    .note = "", .at = util_now() };
  ck_assert_int_eq(db_ledger_add(db, &e), 0);
}

/* m1 (甲) has a bit of everything; m2 (乙) has some too, to show nothing of theirs leaks. */
static void setup(void)
{
  db = tu_db_open(&dir);
  tu_db_watchable(db, &vod, &live);
  gint64 now = util_now();
  ck_assert_int_eq(db_member_insert(db, "m1", "张三", ROLE_VIEWER, true, "tokenhash-m1"), 0);
  ck_assert_int_eq(db_member_insert(db, "m2", "李四", ROLE_EDITOR, true, "tokenhash-m2"), 0);
  ck_assert_int_eq(db_signin_set_login(db, "m1", "zhangsan", "$argon2id$secret-m1", now), 0);
  ck_assert_int_eq(db_signin_set_login(db, "m2", "lisi", "$argon2id$secret-m2", now), 0);
  ck_assert_int_eq(db_session_insert(db, "sessionhash-m1", "m1", "password", now, now + 600), 0);
  ck_assert_int_eq(db_session_insert(db, "sessionhash-m2", "m2", "password", now, now + 600), 0);
  ck_assert_int_eq(db_signin_link_insert(db, "linkhash-m1", "m1", now, now + 600), 0);
  WatchProgress p = { .credited = 120, .earned_seconds = 120, .played_seconds = 130.5, .position = 125 };
  ck_assert_int_eq(db_watch_progress_put(db, "m1", vod, &p, now), 0);
  ck_assert_int_eq(db_watch_progress_put(db, "m2", vod, &p, now), 0);
  WatchSessionRow s = { .id = "ws1", .video_id = vod, .member_id = "m1", .started_at = now - 200,
                        .last_seen_at = now - 70, .credited_seconds = 120, .counted_view = true };
  ck_assert_int_eq(db_watch_session_put(db, &s), 0);
  add_entry("m1", 5, "k1");
  add_entry("m1", 2, "k2");
  add_entry("m2", 9, "k3");
  JsonNode *detail = json_from_string("{\"disqualified\":false,\"reason\":\"核实\"}", NULL);
  ck_assert_int_eq(db_audit_add(db, "m2", "李四", "member.update", "member", "m1", detail), 0);
  json_node_unref(detail);
  ck_assert_int_eq(db_audit_add(db, "m2", "李四", "member.sign_in", "member", "m2", NULL), 0);
  ck_assert_int_eq(db_member_image_add(db, "m1", "m1pic.png", 321, now, NULL), 0);
  ck_assert_int_eq(db_member_image_add(db, "m2", "m2pic.png", 5, now, NULL), 0);
}

static void teardown(void)
{
  g_clear_pointer(&vod, g_free);
  g_clear_pointer(&live, g_free);
  tu_db_close(&db, &dir);
}

static char *export_text(const char *id)
{
  JsonNode *node = NULL;
  ck_assert_int_eq(db_privacy_export(db, id, util_now(), &node), 0);
  char *text = json_to_string(node, FALSE);
  json_node_unref(node);
  return text;
}

static gint64 count(const char *sql, const char *id)
{
  sqlite3_stmt *st = db_prepare(db, sql);
  ck_assert_ptr_nonnull(st);
  sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
  ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
  gint64 n = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  return n;
}

START_TEST(export_holds_everything_and_no_secret)
{
  JsonNode *node = NULL;
  ck_assert_int_eq(db_privacy_export(db, "nobody", util_now(), &node), -ENOENT);
  ck_assert_int_eq(db_privacy_export(db, "m1", util_now(), &node), 0);
  JsonObject *o = json_node_get_object(node);
  ck_assert_str_eq(json_object_get_string_member(o, "member_id"), "m1");
  /* Every row of the list is in the export. */
  for (const DbPrivacyTable *t = db_privacy_tables; t->table; t++)
    ck_assert_msg(json_object_has_member(o, t->key), "export lacks %s", t->key);
  JsonObject *profile = json_object_get_object_member(o, "profile");
  ck_assert_str_eq(json_object_get_string_member(profile, "display_name"), "张三");
  ck_assert(json_object_get_null_member(profile, "erased_at"));
  ck_assert_int_eq(json_array_get_length(json_object_get_array_member(o, "sign_in_names")), 1);
  ck_assert_int_eq(json_array_get_length(json_object_get_array_member(o, "browser_sessions")), 1);
  ck_assert_int_eq(json_array_get_length(json_object_get_array_member(o, "sign_in_links")), 1);
  JsonArray *history = json_object_get_array_member(o, "watch_history");
  ck_assert_int_eq(json_array_get_length(history), 1);
  JsonObject *h = json_array_get_object_element(history, 0);
  ck_assert_str_eq(json_object_get_string_member(h, "video_title"), "第一课");
  ck_assert_int_eq(json_object_get_int_member(h, "credited_seconds"), 120);
  ck_assert(g_str_has_suffix(json_object_get_string_member(h, "last_watched_at"), "Z"));
  ck_assert_int_eq(json_array_get_length(json_object_get_array_member(o, "watch_sessions")), 1);
  ck_assert_int_eq(json_array_get_length(json_object_get_array_member(o, "points_ledger")), 2);
  ck_assert_int_eq(json_object_get_int_member(json_object_get_object_member(o, "points_balance"), "balance"), 7);
  JsonArray *pics = json_object_get_array_member(o, "uploaded_images");
  ck_assert_int_eq(json_array_get_length(pics), 1);
  ck_assert_str_eq(json_object_get_string_member(json_array_get_object_element(pics, 0), "url"),
                   "/images/m1pic.png");
  ck_assert_int_eq(json_object_get_int_member(json_array_get_object_element(pics, 0), "bytes"), 321);
  JsonArray *audit = json_object_get_array_member(o, "audit_entries");
  ck_assert_int_eq(json_array_get_length(audit), 1);
  JsonObject *a = json_array_get_object_element(audit, 0);
  ck_assert_str_eq(json_object_get_string_member(a, "role"), "subject");
  ck_assert_str_eq(json_object_get_string_member(json_object_get_object_member(a, "detail"), "reason"), "核实");
  json_node_unref(node);

  char *text = export_text("m1");
  static const char *const never[] = { "tokenhash", "$argon2id", "sessionhash", "linkhash",
                                       "李四", "lisi", "k1", "m2pic", NULL };
  for (int i = 0; never[i]; i++)
    ck_assert_msg(!strstr(text, never[i]), "export holds %s: %s", never[i], text);
  g_free(text);
  /* m2 acted (the audit entry about m1 is theirs too), so theirs names it as actor. */
  text = export_text("m2");
  ck_assert(strstr(text, "\"actor\"") && strstr(text, "lisi") && !strstr(text, "zhangsan"));
  g_free(text);
}
END_TEST

START_TEST(erase_removes_personal_data_and_keeps_points)
{
  gint64 before = 0, after = 0, at = -1;
  ck_assert_int_eq(db_points_balance(db, "m1", &before), 0);
  JsonNode *report = NULL;
  ck_assert_int_eq(db_privacy_erase(db, "nobody", util_now(), &report), -ENOENT);
  ck_assert_ptr_null(report);
  ck_assert_int_eq(db_privacy_erase(db, "m1", util_now(), &report), 0);
  JsonObject *r = json_node_get_object(report);
  ck_assert(!json_object_get_boolean_member(r, "already_erased"));
  JsonObject *changed = json_object_get_object_member(r, "changed");
  ck_assert_int_eq(json_object_get_int_member(changed, "member"), 1);
  ck_assert_int_eq(json_object_get_int_member(changed, "member_login"), 1);
  ck_assert_int_eq(json_object_get_int_member(changed, "session"), 1);
  ck_assert_int_eq(json_object_get_int_member(changed, "signin_link"), 1);
  json_node_unref(report);

  Member *m = NULL;
  char *hash = NULL;
  ck_assert_int_eq(db_member_get(db, "m1", &m, &hash), 0);
  ck_assert_str_eq(m->display_name, DB_PRIVACY_PSEUDONYM);
  ck_assert(m->disabled);
  ck_assert_str_ne(hash, "tokenhash-m1");
  member_free(&m);
  g_free(hash);
  ck_assert_int_eq(db_privacy_erased_at(db, "m1", &at), 0);
  ck_assert_int_gt(at, 0);
  char *text = export_text("m1");
  ck_assert_msg(!strstr(text, "张三") && !strstr(text, "zhangsan"), "%s", text);
  g_free(text);
  ck_assert_int_eq(count("SELECT count(*) FROM session WHERE member_id = ?1", "m1"), 0);
  ck_assert_int_eq(count("SELECT count(*) FROM signin_link WHERE member_id = ?1", "m1"), 0);
  ck_assert_int_eq(count("SELECT count(*) FROM member_image WHERE member_id = ?1", "m1"), 0);
  ck_assert_int_eq(count("SELECT count(*) FROM member_image WHERE member_id = ?1", "m2"), 1);

  /* Points, their aggregates and the statistics stay with the anonymised id. */
  ck_assert_int_eq(db_points_balance(db, "m1", &after), 0);
  ck_assert_int_eq(after, before);
  ck_assert_int_eq(count("SELECT count(*) FROM points_ledger WHERE member_id = ?1", "m1"), 2);
  ck_assert_int_eq(count("SELECT count(*) FROM watch_session WHERE member_id = ?1", "m1"), 1);
  JsonNode *diff = NULL;
  gint64 n = -1, members = 0, days = 0;
  ck_assert_int_eq(db_points_check(db, 10, &diff, &n, &members, &days), 0);
  ck_assert_int_eq(n, 0);
  json_node_unref(diff);

  /* Nobody else was touched. */
  ck_assert_int_eq(count("SELECT count(*) FROM member_login WHERE member_id = ?1", "m2"), 1);
  ck_assert_int_eq(count("SELECT count(*) FROM session WHERE member_id = ?1", "m2"), 1);
  ck_assert_int_eq(db_member_get(db, "m2", &m, NULL), 0);
  ck_assert_str_eq(m->display_name, "李四");
  member_free(&m);
}
END_TEST

START_TEST(erase_twice_changes_nothing)
{
  gint64 first = 0, second = 0;
  ck_assert_int_eq(db_privacy_erase(db, "m1", 1000, NULL), 0);
  ck_assert_int_eq(db_privacy_erased_at(db, "m1", &first), 0);
  JsonNode *report = NULL;
  ck_assert_int_eq(db_privacy_erase(db, "m1", 2000, &report), 0);
  JsonObject *r = json_node_get_object(report);
  ck_assert(json_object_get_boolean_member(r, "already_erased"));
  ck_assert_int_eq(json_object_get_size(json_object_get_object_member(r, "changed")), 0);
  json_node_unref(report);
  ck_assert_int_eq(db_privacy_erased_at(db, "m1", &second), 0);
  ck_assert_int_eq(first, 1000);
  ck_assert_int_eq(second, 1000);
}
END_TEST

/* Inside the caller's transaction the erasure is a savepoint: rolled back with it. */
START_TEST(erase_rolls_back_with_its_caller)
{
  gint64 at = -1;
  ck_assert_int_eq(db_begin(db), 0);
  ck_assert_int_eq(db_privacy_erase(db, "m1", util_now(), NULL), 0);
  db_rollback(db);
  ck_assert_int_eq(db_privacy_erased_at(db, "m1", &at), 0);
  ck_assert_int_eq(at, 0);
  ck_assert_int_eq(count("SELECT count(*) FROM member_login WHERE member_id = ?1", "m1"), 1);
}
END_TEST

START_TEST(every_member_table_is_covered)
{
  char **left = NULL;
  ck_assert_int_eq(db_privacy_uncovered(db, &left), 0);
  ck_assert_msg(g_strv_length(left) == 0,
                "table %s has a member id but no row in db_privacy_tables or db_privacy_not_personal "
                "(src/db/db_privacy.c, docs/privacy.md)", left[0]);
  g_strfreev(left);
  /* Every listed statement is valid SQL against today's schema. */
  for (const DbPrivacyTable *t = db_privacy_tables; t->table; t++) {
    sqlite3_stmt *st = db_prepare(db, t->export_sql);
    ck_assert_msg(st, "%s: export", t->table);
    sqlite3_finalize(st);
    if (t->erase_sql) {
      ck_assert_msg((st = db_prepare(db, t->erase_sql)), "%s: erase", t->table);
      sqlite3_finalize(st);
    } else {
      ck_assert_msg(t->kept && *t->kept, "%s: kept without a reason", t->table);
    }
  }
  /* The check sees what a later feature would add. */
  ck_assert_int_eq(sqlite3_exec(db->conn, "CREATE TABLE future_poll (id INTEGER PRIMARY KEY, voter_member_id TEXT);"
                                "CREATE TABLE future_entry (member_id TEXT)", NULL, NULL, NULL), SQLITE_OK);
  ck_assert_int_eq(db_privacy_uncovered(db, &left), 0);
  ck_assert_int_eq(g_strv_length(left), 2);
  ck_assert_str_eq(left[0], "future_entry");
  ck_assert_str_eq(left[1], "future_poll");
  g_strfreev(left);
}
END_TEST

/* Every column of member is classified; an erased one is set by the erase statement. */
START_TEST(every_member_column_is_classified)
{
  const char *erase = db_privacy_tables[0].erase_sql;
  ck_assert_str_eq(db_privacy_tables[0].table, "member");
  sqlite3_stmt *st = db_prepare(db, "SELECT name FROM pragma_table_info('member')");
  ck_assert_ptr_nonnull(st);
  int columns = 0;
  while (sqlite3_step(st) == SQLITE_ROW) {
    const char *name = db_col_text(st, 0);
    const DbPrivacyColumn *c = db_privacy_member_columns;
    while (c->column && strcmp(c->column, name) != 0)
      c++;
    ck_assert_msg(c->column, "member.%s is not in db_privacy_member_columns (src/db/db_privacy.c)", name);
    g_autofree char *set = g_strdup_printf(" %s = ", name);
    ck_assert_msg(!c->erased || strstr(erase, set), "member.%s is erased but the statement leaves it", name);
    columns++;
  }
  sqlite3_finalize(st);
  int listed = 0;
  while (db_privacy_member_columns[listed].column)
    listed++;
  ck_assert_int_eq(columns, listed);
}
END_TEST

/* The audit log is append-only: an erased member's name stays stored but is no longer shown. */
START_TEST(audit_reads_show_the_pseudonym)
{
  ck_assert_int_eq(db_privacy_erase(db, "m2", util_now(), NULL), 0);
  AuditFilter f = { .member_id = "m2", .limit = 10 };
  int rc = -1;
  JsonNode *list = db_audit_list_json(db, &f, &rc);
  ck_assert_int_eq(rc, 0);
  JsonArray *a = json_node_get_array(list);
  ck_assert_int_eq(json_array_get_length(a), 2);
  for (guint i = 0; i < 2; i++)
    ck_assert_str_eq(json_object_get_string_member(json_array_get_object_element(a, i), "member_name"),
                     DB_PRIVACY_PSEUDONYM);
  json_node_unref(list);
  ck_assert_int_eq(count("SELECT count(*) FROM audit_log WHERE member_name = ?1", "李四"), 2);
}
END_TEST

static Suite *suite(void)
{
  Suite *s = suite_create("db_privacy");
  TCase *tc = tcase_create("core");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, export_holds_everything_and_no_secret);
  tcase_add_test(tc, erase_removes_personal_data_and_keeps_points);
  tcase_add_test(tc, erase_twice_changes_nothing);
  tcase_add_test(tc, erase_rolls_back_with_its_caller);
  tcase_add_test(tc, every_member_table_is_covered);
  tcase_add_test(tc, every_member_column_is_classified);
  tcase_add_test(tc, audit_reads_show_the_pseudonym);
  suite_add_tcase(s, tc);
  return s;
}

TU_MAIN(suite)
