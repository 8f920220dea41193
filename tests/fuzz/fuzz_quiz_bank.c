/* Fuzz target: the quiz's question bank import (src/club/quiz_bank.c) — quiz_bank_parse on a
 * whole file, CSV or JSON, as POST /api/v1/quiz/questions/import hands it over, then
 * quiz_bank_import of what parsed into a real (in-memory) database inside a transaction that
 * is rolled back. A first byte 0x01 names the format csv, 0x02 json (the request's "format");
 * otherwise the parser tells by the first character, as when the request names none. Every
 * question that parses must be one the checks promise and the database's CHECKs take; every
 * refusal must say why. */
#include "fuzz.h"
#include "fuzz_db.h"
#include "club/quiz_bank.h"

#include <errno.h>

static Db *db;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
  fuzz_quiet();
  fuzz_db_open(&db);
  return 0;
}

static void check_question(const QuizQuestion *q)
{
  FUZZ_CHECK(!strcmp(q->kind, "single") || !strcmp(q->kind, "multiple") || !strcmp(q->kind, "truefalse"));
  FUZZ_CHECK(q->key && q->key[0] && g_utf8_strlen(q->key, -1) <= 200);
  FUZZ_CHECK(q->text && q->text[0] && g_utf8_strlen(q->text, -1) <= 2000);
  FUZZ_CHECK(q->category && q->explanation);
  FUZZ_CHECK(q->n_options >= 2 && q->n_options <= QUIZ_MAX_OPTIONS);
  FUZZ_CHECK(g_strv_length(q->options) == q->n_options);
  for (guint i = 0; i < q->n_options; i++)
    FUZZ_CHECK(q->options[i][0] && g_utf8_validate(q->options[i], -1, NULL));
  FUZZ_CHECK(q->n_answer >= 1 && q->n_answer <= q->n_options);
  FUZZ_CHECK(q->n_answer == 1 || !strcmp(q->kind, "multiple"));
  for (guint i = 0; i < q->n_answer; i++)
    FUZZ_CHECK(q->answer[i] < q->n_options && (i == 0 || q->answer[i - 1] < q->answer[i]));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  const char *format = NULL;
  if (size > 0 && (data[0] == 1 || data[0] == 2)) {
    format = data[0] == 1 ? "csv" : "json";
    data++, size--;
  }
  /* The request's text is a JSON string: no NUL inside, one after it. */
  char *text = g_strndup((const char *)data, size);
  GPtrArray *qs = NULL;
  char *error = NULL;
  int rc = quiz_bank_parse(text, strlen(text), format, &qs, &error);
  FUZZ_CHECK(rc == 0 || rc == -EINVAL);
  if (rc < 0) {
    FUZZ_CHECK(error && error[0] && !qs);
  } else {
    FUZZ_CHECK(!error && qs && qs->len >= 1 && qs->len <= QUIZ_MAX_QUESTIONS);
    for (guint i = 0; i < qs->len; i++)
      check_question(qs->pdata[i]);
    QuizImportStats st;
    fuzz_db_begin(db);
    FUZZ_CHECK(quiz_bank_import(db, qs, 1800000000, &st) == 0);
    FUZZ_CHECK(st.added + st.changed + st.unchanged == (gint64)qs->len);
    fuzz_db_undo(db);
    g_ptr_array_unref(qs);
  }
  g_free(error);
  g_free(text);
  return 0;
}
