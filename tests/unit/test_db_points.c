/* Tests for src/db/db_points.c's aggregates (migration 0008): the balance and the day's
 * totals kept with every ledger entry, computed for a database from before them, and the
 * check that recomputes them from the ledger and reports a ledger changed behind the
 * server's back. */
#include "core/util.h"
#include "db/db_points.h"
#include "db_fixture.h"
#include "testutil.h"

#include <errno.h>
#include <string.h>

static char *dir;
static Db *db;

static void setup(void)
{
  db = tu_db_open(&dir);
}

static void teardown(void)
{
  tu_db_close(&db, &dir);
}

static void add(Db *d, const char *member, gint64 amount, const char *reason, gint64 campaign,
                const char *day, const char *key)
{
  LedgerEntry e = { .member_id = member, .amount = amount, .reason = reason,
                    .campaign_id = campaign, .local_day = day, .key = key, .at = util_now() };
  ck_assert_int_eq(db_ledger_add(d, &e), 0);
}

static void exec_sql(Db *d, const char *sql)
{
  char *msg = NULL;
  ck_assert_msg(sqlite3_exec(d->conn, sql, NULL, NULL, &msg) == SQLITE_OK, "%s", msg ? msg : "");
}

/* Runs the check; returns the number of differences, *OUT the listed ones (caller unrefs). */
static gint64 check(Db *d, JsonNode **out)
{
  JsonNode *diff = NULL;
  gint64 n = -1, members = 0, days = 0;
  ck_assert_int_eq(db_points_check(d, 100, &diff, &n, &members, &days), 0);
  ck_assert_ptr_nonnull(diff);
  ck_assert_int_eq(json_array_get_length(json_node_get_array(diff)), n);
  if (out)
    *out = diff;
  else
    json_node_unref(diff);
  return n;
}

START_TEST(aggregates_follow_every_entry)
{
  add(db, "m1", 3, "watch", 1, "2026-03-01", "k1");
  add(db, "m1", 2, "watch", 1, "2026-03-01", "k2");
  add(db, "m1", 10, "live_bonus", 1, "2026-03-01", "k3");
  add(db, "m1", 4, "watch", 1, "2026-03-02", "k4");
  add(db, "m1", -5, "correction", 0, NULL, "k5");   /* no campaign, no day: balance only */
  add(db, "m2", 7, "watch", 1, "2026-03-01", "k6");
  /* A key used twice adds nothing, to the ledger or the aggregates. */
  LedgerEntry dup = { .member_id = "m1", .amount = 100, .reason = "watch", .campaign_id = 1,
                      .local_day = "2026-03-01", .key = "k1", .at = util_now() };
  ck_assert_int_eq(db_ledger_add(db, &dup), -EEXIST);

  gint64 b = -1, p = -1, w = -1;
  ck_assert_int_eq(db_points_balance(db, "m1", &b), 0);
  ck_assert_int_eq(b, 14);
  gint64 sum = 0;
  ck_assert_int_eq(db_ledger_sum(db, "m1", NULL, 0, NULL, NULL, &sum), 0);
  ck_assert_int_eq(b, sum);
  ck_assert_int_eq(db_points_day(db, "m1", 1, "2026-03-01", &p, &w), 0);
  ck_assert_int_eq(p, 15);
  ck_assert_int_eq(w, 5);
  ck_assert_int_eq(db_points_day(db, "m1", 1, "2026-03-02", &p, &w), 0);
  ck_assert_int_eq(p, 4);
  ck_assert_int_eq(db_points_day(db, "m1", 2, "2026-03-01", &p, &w), 0);
  ck_assert_int_eq(p, 0);
  ck_assert_int_eq(db_points_balance(db, "nobody", &b), 0);
  ck_assert_int_eq(b, 0);
  ck_assert_int_eq(check(db, NULL), 0);
}
END_TEST

/* A ledger row edited by hand (its append-only trigger dropped first) is reported, with
 * the member, the field and both figures. */
START_TEST(an_edited_ledger_is_reported)
{
  add(db, "m1", 3, "watch", 1, "2026-03-01", "k1");
  add(db, "m2", 5, "watch", 1, "2026-03-01", "k2");
  ck_assert_int_eq(check(db, NULL), 0);
  exec_sql(db, "DROP TRIGGER points_ledger_no_update");
  exec_sql(db, "UPDATE points_ledger SET amount = 300 WHERE idempotency_key = 'k1'");
  JsonNode *diff = NULL;
  ck_assert_int_eq(check(db, &diff), 3);  /* the balance, the day's points and watch points */
  JsonArray *a = json_node_get_array(diff);
  bool balance = false;
  for (guint i = 0; i < json_array_get_length(a); i++) {
    JsonObject *o = json_array_get_object_element(a, i);
    ck_assert_str_eq(json_object_get_string_member(o, "member_id"), "m1");
    if (!strcmp(json_object_get_string_member(o, "table"), "points_balance")) {
      ck_assert_str_eq(json_object_get_string_member(o, "field"), "balance");
      ck_assert_int_eq(json_object_get_int_member(o, "ledger"), 300 + 0);
      ck_assert_int_eq(json_object_get_int_member(o, "aggregate"), 3);
      balance = true;
    } else {
      ck_assert_str_eq(json_object_get_string_member(o, "day"), "2026-03-01");
    }
  }
  ck_assert(balance);
  json_node_unref(diff);
}
END_TEST

/* Rows deleted from the ledger, and aggregate rows with no ledger behind them, too. */
START_TEST(missing_and_extra_rows_are_reported)
{
  add(db, "m1", 3, "watch", 1, "2026-03-01", "k1");
  add(db, "m2", 4, "correction", 0, NULL, "k2");
  exec_sql(db, "DROP TRIGGER points_ledger_no_delete");
  exec_sql(db, "DELETE FROM points_ledger WHERE idempotency_key = 'k2'");
  ck_assert_int_eq(check(db, NULL), 2);  /* m2's balance and entry count */
  exec_sql(db, "DELETE FROM points_balance WHERE member_id = 'm2'");
  ck_assert_int_eq(check(db, NULL), 0);
  exec_sql(db, "DELETE FROM points_day");
  ck_assert_int_eq(check(db, NULL), 3);
}
END_TEST

/* A database from before migration 0008 gets the aggregates computed from its ledger. */
START_TEST(migration_computes_the_aggregates)
{
  char *d7 = tu_tmpdir();
  char *path = g_build_filename(d7, "v7.db", NULL);
  Db *old = NULL;
  char *err = NULL;
  ck_assert_int_eq(db_open(path, 7, &old, &err), 0);
  add(old, "m1", 3, "watch", 1, "2026-03-01", "k1");
  add(old, "m1", 6, "live_bonus", 1, "2026-03-01", "k2");
  add(old, "m1", -1, "correction", 0, NULL, "k3");
  db_close(&old);
  ck_assert_int_eq(db_open(path, 0, &old, &err), 0);
  gint64 b = 0, p = 0, w = 0;
  ck_assert_int_eq(db_points_balance(old, "m1", &b), 0);
  ck_assert_int_eq(b, 8);
  ck_assert_int_eq(db_points_day(old, "m1", 1, "2026-03-01", &p, &w), 0);
  ck_assert_int_eq(p, 9);
  ck_assert_int_eq(w, 3);
  ck_assert_int_eq(check(old, NULL), 0);
  add(old, "m1", 2, "watch", 1, "2026-03-01", "k4");
  ck_assert_int_eq(db_points_balance(old, "m1", &b), 0);
  ck_assert_int_eq(b, 10);
  ck_assert_int_eq(check(old, NULL), 0);
  db_close(&old);
  g_free(path);
  tu_rmtree(d7);
  g_free(d7);
}
END_TEST


/* /me/points pages its history by key: from the newest, and from an id, each an index range
 * of the member's entries (never a walk over the newer ones, never a sort). */
START_TEST(history_pages_are_index_ranges)
{
  for (int b = 0; b < 2; b++) {
    g_autofree char *sql = g_strconcat("EXPLAIN QUERY PLAN ", db_ledger_history_sql(b), NULL);
    sqlite3_stmt *st = db_prepare(db, sql);
    ck_assert_ptr_nonnull(st);
    GString *p = g_string_new(NULL);
    while (sqlite3_step(st) == SQLITE_ROW)
      g_string_append_printf(p, "%s; ", (const char *)sqlite3_column_text(st, 3));
    sqlite3_finalize(st);
    ck_assert_msg(strstr(p->str, b ? "SEARCH l USING INDEX points_ledger_by_member (member_id=? AND id<?)"
                                   : "SEARCH l USING INDEX points_ledger_by_member (member_id=?)"), "%s", p->str);
    ck_assert_msg(!strstr(p->str, "TEMP B-TREE"), "%s", p->str);
    g_string_free(p, TRUE);
  }
  for (int i = 0; i < 7; i++) {
    g_autofree char *key = g_strdup_printf("h%d", i);
    add(db, "m1", i + 1, "watch", 1, "2026-03-01", key);
  }
  int rc = 0;
  JsonNode *page = db_ledger_history_json(db, "m1", 3, 0, &rc);
  JsonArray *a = json_node_get_array(page);
  ck_assert_int_eq(json_array_get_length(a), 3);
  ck_assert_int_eq(json_object_get_int_member(json_array_get_object_element(a, 0), "amount"), 7);
  gint64 last = json_object_get_int_member(json_array_get_object_element(a, 2), "id");
  json_node_unref(page);
  page = db_ledger_history_json(db, "m1", 3, last, &rc);
  a = json_node_get_array(page);
  ck_assert_int_eq(json_object_get_int_member(json_array_get_object_element(a, 0), "amount"), 4);
  json_node_unref(page);
}
END_TEST

static Suite *db_points_suite(void)
{
  Suite *s = suite_create("db_points");
  TCase *tc = tcase_create("aggregates");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, aggregates_follow_every_entry);
  tcase_add_test(tc, an_edited_ledger_is_reported);
  tcase_add_test(tc, missing_and_extra_rows_are_reported);
  tcase_add_test(tc, migration_computes_the_aggregates);
  tcase_add_test(tc, history_pages_are_index_ranges);
  suite_add_tcase(s, tc);
  return s;
}

TU_MAIN(db_points_suite)
