/* Tests for src/auth/roster.c: the roster CSV — good lines, malformed and duplicate ones with
 * their reasons, the keyed hash of phone and ID numbers, and an import that says what changed
 * (the same file twice changes nothing). */
#include "auth/roster.h"
#include "db/db_roster.h"
#include "db_fixture.h"

#include <errno.h>
#include <string.h>

static char *dir;
static Db *db;
static const guint8 key[TOKEN_SECRET_LEN] = { 7 };
static const guint8 other_key[TOKEN_SECRET_LEN] = { 8 };

static void setup(void) { db = tu_db_open(&dir); }
static void teardown(void) { tu_db_close(&db, &dir); }

/* Parses TEXT; the good rows in *ROWS, the refusals in *REFUSED. */
static int parse(const char *text, GPtrArray **rows, GPtrArray **refused, char **err)
{
  *err = NULL;
  return roster_parse(text, strlen(text), key, rows, refused, err);
}

static const char *reason_of(GPtrArray *refused, int line)
{
  for (guint i = 0; i < refused->len; i++) {
    RosterRefusal *r = refused->pdata[i];
    if (r->line == line)
      return r->reason;
  }
  return "";
}

START_TEST(good_lines_with_quotes_bom_and_crlf)
{
  GPtrArray *rows = NULL, *refused = NULL;
  char *err = NULL;
  const char *text = "\xEF\xBB\xBF" "name,Member_Number,unit,phone\r\n"
                     "张三,1001,\"市总工会, 机关\",+86 138-0013-8000\r\n"
                     "\"李\"\"四\",1002,,\r\n"
                     "\r\n"
                     "王五,1003,\"第一行\n第二行\",\n";
  ck_assert_int_eq(parse(text, &rows, &refused, &err), 0);
  ck_assert_uint_eq(rows->len, 3);
  ck_assert_uint_eq(refused->len, 0);
  RosterRow *a = rows->pdata[0], *b = rows->pdata[1], *c = rows->pdata[2];
  ck_assert_str_eq(a->entry.member_number, "1001");
  ck_assert_str_eq(a->entry.name, "张三");
  ck_assert_str_eq(a->entry.unit, "市总工会, 机关");
  ck_assert_int_eq(a->line, 2);
  ck_assert_int_eq(strlen(a->entry.contact_hash), 64);
  ck_assert_ptr_null(strstr(a->entry.contact_hash, "138"));
  ck_assert_str_eq(b->entry.name, "李\"四");
  ck_assert_str_eq(b->entry.contact_hash, "");
  ck_assert_str_eq(c->entry.unit, "第一行\n第二行");
  ck_assert_int_eq(c->line, 5); /* after the empty line 4 */
  g_ptr_array_unref(rows);
  g_ptr_array_unref(refused);
}
END_TEST

START_TEST(malformed_and_duplicate_lines_are_refused_with_reasons)
{
  GPtrArray *rows = NULL, *refused = NULL;
  char *err = NULL;
  const char *text = "member_number,name,unit,phone,id_number\n"
                     "1001,张三,,13800138000,\n"          /* 2 good */
                     "1001,张三丰,,,\n"                   /* 3 duplicate */
                     ",无编号,,,\n"                       /* 4 no number */
                     "10 01,空格,,,\n"                    /* 5 bad number */
                     "1004,,,,\n"                         /* 6 no name */
                     "1005,赵六\n"                        /* 7 short */
                     "1006,钱七,,12ab,\n"                 /* 8 bad phone */
                     "1007,孙八,,13800138000,110105194912310021\n" /* 9 both */
                     "1008,周\"九,,,\n"                   /* 10 stray quote */
                     "1009,吴十,,,11010519491231002X\n"   /* 11 good, ID ends in X */
                     "1011,\"冯\"x,,,\n"                 /* 12 text after the closing quote */
                     "1010,\"郑,,,\n";                    /* 13 unclosed */
  ck_assert_int_eq(parse(text, &rows, &refused, &err), 0);
  ck_assert_uint_eq(rows->len, 2);
  ck_assert_uint_eq(refused->len, 10);
  ck_assert_str_eq(reason_of(refused, 3), "member_number 1001 is already on line 2");
  ck_assert_str_eq(reason_of(refused, 4), "member_number is empty");
  ck_assert_ptr_nonnull(strstr(reason_of(refused, 5), "only letters, digits"));
  ck_assert_ptr_nonnull(strstr(reason_of(refused, 6), "name must be"));
  ck_assert_str_eq(reason_of(refused, 7), "2 fields where the header has 5");
  ck_assert_str_eq(reason_of(refused, 8), "phone is not a number of 5 to 32 digits");
  ck_assert_ptr_nonnull(strstr(reason_of(refused, 9), "not both"));
  ck_assert_ptr_nonnull(strstr(reason_of(refused, 10), "quote"));
  ck_assert_ptr_nonnull(strstr(reason_of(refused, 12), "closing quote"));
  ck_assert_ptr_nonnull(strstr(reason_of(refused, 13), "not closed"));
  /* No reason repeats a phone or ID number. */
  for (guint i = 0; i < refused->len; i++)
    ck_assert_ptr_null(strstr(((RosterRefusal *)refused->pdata[i])->reason, "12ab"));
  g_ptr_array_unref(rows);
  g_ptr_array_unref(refused);
}
END_TEST

START_TEST(bad_files_are_refused_whole)
{
  GPtrArray *rows = NULL, *refused = NULL;
  char *err = NULL;
  static const char *const bad[] = { "", "1001,张三\n", "member_number,name,mobile\n",
                                     "member_number,name,name\n", "member_number,unit\n",
                                     "member_number,name\n1001,\xff\xfe\n" };
  for (unsigned i = 0; i < G_N_ELEMENTS(bad); i++) {
    ck_assert_msg(parse(bad[i], &rows, &refused, &err) == -EINVAL, "case %u", i);
    ck_assert_ptr_nonnull(err);
    g_clear_pointer(&err, g_free);
  }
}
END_TEST

START_TEST(contact_hash_is_keyed_and_normalised)
{
  char *a = NULL, *b = NULL, *c = NULL, *d = NULL;
  ck_assert_int_eq(roster_contact_hash(key, "138-0013-8000", &a), 0);
  ck_assert_int_eq(roster_contact_hash(key, "+13800138000", &b), 0);
  ck_assert_int_eq(roster_contact_hash(other_key, "13800138000", &c), 0);
  ck_assert_str_eq(a, b);              /* the same number however written */
  ck_assert_str_ne(a, c);              /* another secret: another hash */
  ck_assert_int_eq(roster_contact_hash(key, "11010519491231002x", &d), 0);
  g_free(c);
  ck_assert_int_eq(roster_contact_hash(key, "11010519491231002X", &c), 0);
  ck_assert_str_eq(c, d);              /* the X of an ID number in either case */
  char *x = NULL;
  ck_assert_int_eq(roster_contact_hash(key, "1234", &x), -EINVAL);
  ck_assert_int_eq(roster_contact_hash(key, "12X34", &x), -EINVAL);
  ck_assert_int_eq(roster_contact_hash(key, "abcdefg", &x), -EINVAL);
  ck_assert_ptr_null(x);
  g_free(a), g_free(b), g_free(c), g_free(d);
}
END_TEST

static int import(const char *text, RosterReport *r)
{
  char *err = NULL;
  int ret = roster_import(db, key, text, strlen(text), "cli", "lectern", r, &err);
  g_free(err);
  return ret;
}

START_TEST(import_reports_and_the_same_file_changes_nothing)
{
  const char *v1 = "member_number,name,unit,phone\n1001,张三,一部,13800138000\n1002,李四,二部,\n1001,重复,,\n";
  const char *v2 = "member_number,name,unit,phone\n1001,张三,一部,13800138001\n1002,李四,二部,\n1003,王五,,\n";
  RosterReport r = { 0 };
  ck_assert_int_eq(import(v1, &r), 0);
  ck_assert_int_eq(r.added, 2);
  ck_assert_int_eq(r.updated + r.unchanged, 0);
  ck_assert_uint_eq(r.refused->len, 1);
  roster_report_clear(&r);
  ck_assert_int_eq(import(v1, &r), 0);
  ck_assert_int_eq(r.added + r.updated, 0);
  ck_assert_int_eq(r.unchanged, 2);
  JsonNode *j = roster_report_json(&r);
  g_autofree char *s = json_to_string(j, FALSE);
  ck_assert_str_eq(s, "{\"added\":0,\"updated\":0,\"unchanged\":2,\"refused\":[{\"line\":4,"
                      "\"reason\":\"member_number 1001 is already on line 2\"}]}");
  json_node_unref(j);
  roster_report_clear(&r);
  ck_assert_int_eq(import(v2, &r), 0); /* another phone for 1001, a new 1003 */
  ck_assert_int_eq(r.added, 1);
  ck_assert_int_eq(r.updated, 1);
  ck_assert_int_eq(r.unchanged, 1);
  roster_report_clear(&r);
  gint64 n = 0;
  ck_assert_int_eq(db_roster_count(db, &n), 0);
  ck_assert_int_eq(n, 3);
  RosterEntry e = { 0 };
  ck_assert_int_eq(db_roster_get(db, "1002", &e), 0);
  ck_assert_str_eq(e.unit, "二部");
  roster_entry_clear(&e);
  ck_assert_int_eq(db_roster_get(db, "9999", &e), -ENOENT);
  /* Every import is in the audit log. */
  sqlite3_stmt *st = db_prepare(db, "SELECT count(*) FROM audit_log WHERE action = 'roster.import'");
  ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
  ck_assert_int_eq(sqlite3_column_int(st, 0), 3);
  sqlite3_finalize(st);
}
END_TEST

static Suite *roster_suite(void)
{
  Suite *s = suite_create("roster");
  TCase *tc = tcase_create("roster");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, good_lines_with_quotes_bom_and_crlf);
  tcase_add_test(tc, malformed_and_duplicate_lines_are_refused_with_reasons);
  tcase_add_test(tc, bad_files_are_refused_whole);
  tcase_add_test(tc, contact_hash_is_keyed_and_normalised);
  tcase_add_test(tc, import_reports_and_the_same_file_changes_nothing);
  suite_add_tcase(s, tc);
  return s;
}

TU_MAIN(roster_suite)
