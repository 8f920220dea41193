/* Tests for src/club/quiz_bank.c: CSV and JSON banks (quotes, letters, true/false, defaults),
 * refusals naming the row, versions on change (none on the same content), correct rates,
 * retiring. */
#include "club/quiz_bank.h"
#include "testutil.h"

#include <errno.h>
#include <string.h>

static char *dir;
static Db *db;

static void setup(void)
{
  dir = tu_tmpdir();
  char *path = g_build_filename(dir, "t.db", NULL);
  char *err = NULL;
  tu_db_seed(path);
  ck_assert_int_eq(db_open(path, 0, &db, &err), 0);
  g_free(path);
}

static void teardown(void)
{
  db_close(&db);
  tu_rmtree(dir);
  g_free(dir);
}

static const char *CSV =
    "key,kind,category,question,options,answer,explanation\r\n"
    "q1,single,安全,\"劳模精神的核心是什么？\",\"爱岗敬业|争创一流|\"\"其他\"\"\",A,\"爱岗敬业, 争创一流\"\r\n"
    "q2,multiple,,Which are primes?,2|4|5|9,A|C,\n"
    "q3,truefalse,常识,水在 100 ℃ 沸腾（标准大气压）,,对,\n"
    "\n";

START_TEST(csv_with_quotes_letters_and_true_false)
{
  GPtrArray *qs = NULL;
  char *why = NULL;
  ck_assert_int_eq(quiz_bank_parse(CSV, strlen(CSV), NULL, &qs, &why), 0);
  ck_assert_uint_eq(qs->len, 3);
  QuizQuestion *q = g_ptr_array_index(qs, 0);
  ck_assert_str_eq(q->key, "q1");
  ck_assert_str_eq(q->category, "安全");
  ck_assert_uint_eq(q->n_options, 3);
  ck_assert_str_eq(q->options[2], "\"其他\"");
  ck_assert_str_eq(q->explanation, "爱岗敬业, 争创一流");
  ck_assert_uint_eq(q->n_answer, 1);
  ck_assert_uint_eq(q->answer[0], 0);
  q = g_ptr_array_index(qs, 1);
  ck_assert_uint_eq(q->n_answer, 2);
  ck_assert_uint_eq(q->answer[1], 2);
  q = g_ptr_array_index(qs, 2);
  ck_assert_str_eq(q->kind, "truefalse");
  ck_assert_str_eq(q->options[0], "正确");
  ck_assert_uint_eq(q->answer[0], 0);
  g_ptr_array_unref(qs);
}
END_TEST

START_TEST(json_banks_and_refusals)
{
  const char *json = "{\"questions\": [{\"text\": \"2+2?\", \"options\": [\"3\", \"4\"], \"answer\": 1},"
                     " {\"kind\": \"truefalse\", \"question\": \"地球是圆的\", \"answer\": true},"
                     " {\"kind\": \"multiple\", \"text\": \"pick\", \"options\": [\"a\",\"b\",\"c\"], \"answer\": [\"A\", \"C\"]}]}";
  GPtrArray *qs = NULL;
  char *why = NULL;
  ck_assert_int_eq(quiz_bank_parse(json, strlen(json), NULL, &qs, &why), 0);
  ck_assert_uint_eq(qs->len, 3);
  QuizQuestion *q = g_ptr_array_index(qs, 0);
  ck_assert(g_str_has_prefix(q->key, "text:"));  /* no key: named by its text */
  ck_assert_uint_eq(q->answer[0], 1);
  g_ptr_array_unref(qs);

  static const struct { const char *data, *why; } bad[] = {
    { "[{\"text\": \"x\", \"options\": [\"a\", \"b\"], \"answer\": 5}]", "question 1: the answer names option 6" },
    { "[{\"text\": \"x\", \"options\": [\"a\", \"b\"], \"answer\": [0, 1]}]", "exactly one" },
    { "[{\"text\": \"x\", \"options\": [\"a\"], \"answer\": 0}]", "2 to 8 options" },
    { "[{\"text\": \"x\", \"options\": [\"a\", \"b\"]}]", "answer is missing" },
    { "[{\"text\": \"x\", \"options\": [\"a\", \"b\"], \"answer\": 0, \"evil\": 1}]", "unknown field" },
    { "[{\"kind\": \"essay\", \"text\": \"x\", \"options\": [\"a\", \"b\"], \"answer\": 0}]", "kind must be" },
    { "question,options,answer\nok,a|b,A\nbad,a|b,Z\n", "row 3:" },
    { "question,options,answer\n\"open,a|b,A\n", "quote is not closed" },
    { "name,answer\nx,A\n", "header" },
    /* nine options, each named in the answer (found by the quiz_bank fuzz target: answer[] overflowed) */
    { "question,options,answer\nx,a|b|c|d|e|f|g|h|i,A|B|C|D|E|F|G|H|I\n", "row 2: a question has 2 to 8 options" },
    { "[]", "no questions" },
    { "\xff\xfe", "UTF-8" },
  };
  for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
    qs = NULL;
    why = NULL;
    ck_assert_int_eq(quiz_bank_parse(bad[i].data, strlen(bad[i].data), NULL, &qs, &why), -EINVAL);
    ck_assert_ptr_null(qs);
    ck_assert_msg(why && strstr(why, bad[i].why), "case %zu: %s", i, why);
    g_free(why);
  }
}
END_TEST

static QuizImportStats import(const char *data)
{
  GPtrArray *qs = NULL;
  char *why = NULL;
  ck_assert_int_eq(quiz_bank_parse(data, strlen(data), NULL, &qs, &why), 0);
  QuizImportStats st;
  ck_assert_int_eq(db_begin(db), 0);
  ck_assert_int_eq(quiz_bank_import(db, qs, 100, &st), 0);
  ck_assert_int_eq(db_commit(db), 0);
  g_ptr_array_unref(qs);
  return st;
}

static gint64 count(const char *sql)
{
  sqlite3_stmt *st = db_prepare(db, sql);
  ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
  gint64 n = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  return n;
}

START_TEST(a_changed_question_is_a_new_version)
{
  QuizImportStats st = import(CSV);
  ck_assert_int_eq(st.added, 3);
  st = import(CSV);
  ck_assert_int_eq(st.unchanged, 3);
  ck_assert_int_eq(count("SELECT count(*) FROM quiz_version"), 3);
  st = import("key,question,options,answer\nq1,劳模精神的核心是什么？,爱岗敬业|争创一流|其他,B\n");
  ck_assert_int_eq(st.changed, 1);
  ck_assert_int_eq(count("SELECT count(*) FROM quiz_version"), 4);
  ck_assert_int_eq(count("SELECT v.version FROM quiz_question q JOIN quiz_version v ON v.id = q.current_version "
                         "WHERE q.key = 'q1'"), 2);
  /* The first version is still there, unchanged (attempts point at it). */
  ck_assert_int_eq(count("SELECT answer = '[0]' FROM quiz_version v JOIN quiz_question q ON q.id = v.question_id "
                         "WHERE q.key = 'q1' AND v.version = 1"), 1);
  ck_assert_int_ne(sqlite3_exec(db->conn, "UPDATE quiz_version SET text = 'x'", NULL, NULL, NULL), SQLITE_OK);
}
END_TEST

START_TEST(list_shows_correct_rates_and_retire_works)
{
  import(CSV);
  ck_assert_int_eq(sqlite3_exec(db->conn,
      "INSERT INTO quiz_attempt (id, member_id, local_day, seconds, started_at) VALUES (1, 'm', '2026-01-01', 30, 0), "
      "(2, 'n', '2026-01-01', 30, 0);"
      "INSERT INTO quiz_item (attempt_id, position, question_id, version_id, option_order, served_at, answered_at, correct) "
      "SELECT 1, 0, id, current_version, '[0,1,2]', 1, 2, 1 FROM quiz_question WHERE key = 'q1';"
      "INSERT INTO quiz_item (attempt_id, position, question_id, version_id, option_order, served_at, answered_at, correct) "
      "SELECT 2, 0, id, current_version, '[0,1,2]', 1, 2, 0 FROM quiz_question WHERE key = 'q1';",
      NULL, NULL, NULL), SQLITE_OK);
  gint64 id = count("SELECT id FROM quiz_question WHERE key = 'q1'");
  ck_assert_int_eq(quiz_bank_set_retired(db, id, true, 200), 0);
  ck_assert_int_eq(quiz_bank_set_retired(db, 999, true, 200), -ENOENT);
  int rc = 0;
  JsonNode *n = quiz_bank_list_json(db, &rc);
  ck_assert_ptr_nonnull(n);
  JsonArray *a = json_node_get_array(n);
  ck_assert_uint_eq(json_array_get_length(a), 3);
  JsonObject *first = json_array_get_object_element(a, 0);  /* the last changed */
  ck_assert_str_eq(json_object_get_string_member(first, "key"), "q1");
  ck_assert_str_eq(json_object_get_string_member(first, "status"), "retired");
  ck_assert_int_eq(json_object_get_int_member(first, "answered"), 2);
  ck_assert_double_eq(json_object_get_double_member(first, "correct_rate"), 0.5);
  ck_assert(json_node_is_null(json_object_get_member(json_array_get_object_element(a, 1), "correct_rate")));
  json_node_unref(n);
}
END_TEST

static Suite *quiz_bank_suite(void)
{
  Suite *s = suite_create("quiz_bank");
  TCase *tc = tcase_create("quiz_bank");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, csv_with_quotes_letters_and_true_false);
  tcase_add_test(tc, json_banks_and_refusals);
  tcase_add_test(tc, a_changed_question_is_a_new_version);
  tcase_add_test(tc, list_shows_correct_rates_and_retire_works);
  suite_add_tcase(s, tc);
  return s;
}

TU_MAIN(quiz_bank_suite)
