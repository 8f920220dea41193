/* quiz_bank: questions in, versions stored, correct rates out. */
#include "club/quiz_bank.h"
#include "core/util.h"

#include <errno.h>
#include <string.h>

static const char *const kinds[] = { "single", "multiple", "truefalse", NULL };
static const char *const truefalse_options[] = { "正确", "错误", NULL };

void quiz_question_free(QuizQuestion *q)
{
  if (!q)
    return;
  g_free(q->key);
  g_free(q->kind);
  g_free(q->category);
  g_free(q->text);
  g_strfreev(q->options);
  g_free(q->explanation);
  g_free(q);
}

static bool known_kind(const char *k)
{
  return k && g_strv_contains(kinds, k);
}

static int fail(char **error, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
static int fail(char **error, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  g_free(*error);
  *error = g_strdup_vprintf(fmt, ap);
  va_end(ap);
  return -EINVAL;
}

/* Adds option index I to Q's answer (once). */
static int answer_add(QuizQuestion *q, gint64 i, char **error)
{
  if (i < 0 || (guint64)i >= q->n_options)
    return fail(error, "the answer names option %" G_GINT64_FORMAT ", which does not exist", i + 1);
  /* A CSV row splits into one option more than a question may have (question_finish refuses
   * it later); its answer must not name that one, or answer[] would overflow. */
  if (i >= QUIZ_MAX_OPTIONS)
    return fail(error, "a question has 2 to %d options", QUIZ_MAX_OPTIONS);
  for (guint k = 0; k < q->n_answer; k++)
    if (q->answer[k] == (guint)i)
      return 0;
  guint k = q->n_answer++;
  while (k > 0 && q->answer[k - 1] > (guint)i) {
    q->answer[k] = q->answer[k - 1];
    k--;
  }
  q->answer[k] = (guint)i;
  return 0;
}

/* One answer token: a letter (A = first option), a 1-based number, or true/false (对/错). */
static int answer_token(QuizQuestion *q, const char *tok, char **error)
{
  g_autofree char *t = g_strstrip(g_strdup(tok));
  if (!t[0])
    return 0;
  if (strcmp(q->kind, "truefalse") == 0) {
    if (!g_ascii_strcasecmp(t, "true") || !strcmp(t, "对") || !strcmp(t, "正确") || !g_ascii_strcasecmp(t, "T"))
      return answer_add(q, 0, error);
    if (!g_ascii_strcasecmp(t, "false") || !strcmp(t, "错") || !strcmp(t, "错误") || !g_ascii_strcasecmp(t, "F"))
      return answer_add(q, 1, error);
  }
  if (strlen(t) == 1 && g_ascii_isalpha(t[0]))
    return answer_add(q, g_ascii_toupper(t[0]) - 'A', error);
  gint64 n = 0;
  if (g_ascii_string_to_signed(t, 10, 1, QUIZ_MAX_OPTIONS, &n, NULL))
    return answer_add(q, n - 1, error);
  return fail(error, "the answer \"%s\" is not a letter, a number or true/false", t);
}

/* The checks every question passes, however it came in; fills the defaults. */
static int question_finish(QuizQuestion *q, char **error)
{
  if (!known_kind(q->kind))
    return fail(error, "kind must be single, multiple or truefalse");
  if (!q->text || !q->text[0] || g_utf8_strlen(q->text, -1) > 2000)
    return fail(error, "the question's text must be 1 to 2000 characters");
  if (!q->category)
    q->category = g_strdup("");
  if (!q->explanation)
    q->explanation = g_strdup("");
  if (g_utf8_strlen(q->category, -1) > 100 || g_utf8_strlen(q->explanation, -1) > 4000)
    return fail(error, "category (100) or explanation (4000 characters) too long");
  if (strcmp(q->kind, "truefalse") == 0 && q->n_options != 2)
    return fail(error, "a true/false question has two options (or none: 正确, 错误)");
  if (q->n_options < 2 || q->n_options > QUIZ_MAX_OPTIONS)
    return fail(error, "a question has 2 to %d options", QUIZ_MAX_OPTIONS);
  for (guint i = 0; i < q->n_options; i++)
    if (!q->options[i][0] || g_utf8_strlen(q->options[i], -1) > 500)
      return fail(error, "option %u must be 1 to 500 characters", i + 1);
  if (q->n_answer == 0)
    return fail(error, "the answer is missing");
  if (strcmp(q->kind, "multiple") != 0 && q->n_answer != 1)
    return fail(error, "a %s question has exactly one right option", q->kind);
  if (!q->key || !q->key[0]) {
    g_free(q->key);
    /* No key: the text names the question, so the same file imported twice adds nothing. */
    g_autofree char *h = g_compute_checksum_for_string(G_CHECKSUM_SHA256, q->text, -1);
    q->key = g_strdup_printf("text:%.32s", h);
  }
  if (g_utf8_strlen(q->key, -1) > 200)
    return fail(error, "key must be at most 200 characters");
  return 0;
}

static void options_default(QuizQuestion *q)
{
  if (q->n_options == 0 && strcmp(q->kind, "truefalse") == 0) {
    g_strfreev(q->options);
    q->options = g_strdupv((char **)truefalse_options);
    q->n_options = 2;
  }
}

/* ---- JSON --------------------------------------------------------------------------- */

static const char *member_text(JsonObject *o, const char *name)
{
  JsonNode *n = json_object_get_member(o, name);
  return n && JSON_NODE_HOLDS_VALUE(n) && json_node_get_value_type(n) == G_TYPE_STRING
             ? json_node_get_string(n) : NULL;
}

static int answer_node(QuizQuestion *q, JsonNode *n, char **error)
{
  if (JSON_NODE_HOLDS_ARRAY(n)) {
    JsonArray *a = json_node_get_array(n);
    for (guint i = 0; i < json_array_get_length(a); i++) {
      int r = answer_node(q, json_array_get_element(a, i), error);
      if (r < 0)
        return r;
    }
    return 0;
  }
  if (!JSON_NODE_HOLDS_VALUE(n))
    return fail(error, "answer must be indexes, letters or true/false");
  GType t = json_node_get_value_type(n);
  if (t == G_TYPE_BOOLEAN && strcmp(q->kind, "truefalse") == 0)
    return answer_add(q, json_node_get_boolean(n) ? 0 : 1, error);
  if (t == G_TYPE_INT64)
    return answer_add(q, json_node_get_int(n), error);  /* 0-based in JSON */
  if (t == G_TYPE_STRING)
    return answer_token(q, json_node_get_string(n), error);
  return fail(error, "answer must be indexes, letters or true/false");
}

int quiz_question_from_json(JsonObject *o, QuizQuestion **out, char **error)
{
  static const char *const allowed[] = { "key", "kind", "category", "text", "question", "options",
                                         "answer", "explanation", NULL };
  GList *names = json_object_get_members(o);
  for (GList *l = names; l; l = l->next)
    if (!g_strv_contains(allowed, l->data)) {
      int r = fail(error, "unknown field \"%s\"", (const char *)l->data);
      g_list_free(names);
      return r;
    }
  g_list_free(names);
  QuizQuestion *q = g_new0(QuizQuestion, 1);
  q->key = g_strdup(member_text(o, "key"));
  q->kind = g_strdup(member_text(o, "kind") ? member_text(o, "kind") : "single");
  q->category = g_strdup(member_text(o, "category"));
  q->text = g_strdup(member_text(o, "text") ? member_text(o, "text") : member_text(o, "question"));
  q->explanation = g_strdup(member_text(o, "explanation"));
  int r = known_kind(q->kind) ? 0 : fail(error, "kind must be single, multiple or truefalse");
  JsonNode *opts = json_object_get_member(o, "options");
  if (r == 0 && opts) {
    if (!JSON_NODE_HOLDS_ARRAY(opts) || json_array_get_length(json_node_get_array(opts)) > QUIZ_MAX_OPTIONS) {
      r = fail(error, "options must be an array of at most %d strings", QUIZ_MAX_OPTIONS);
    } else {
      JsonArray *a = json_node_get_array(opts);
      q->options = g_new0(char *, json_array_get_length(a) + 1);
      for (guint i = 0; r == 0 && i < json_array_get_length(a); i++) {
        JsonNode *e = json_array_get_element(a, i);
        if (!JSON_NODE_HOLDS_VALUE(e) || json_node_get_value_type(e) != G_TYPE_STRING)
          r = fail(error, "options must be strings");
        else
          q->options[q->n_options++] = g_strdup(json_node_get_string(e));
      }
    }
  }
  if (r == 0)
    options_default(q);
  JsonNode *ans = json_object_get_member(o, "answer");
  if (r == 0)
    r = ans ? answer_node(q, ans, error) : fail(error, "the answer is missing");
  if (r == 0)
    r = question_finish(q, error);
  if (r < 0) {
    quiz_question_free(q);
    return r;
  }
  *out = q;
  return 0;
}

/* ---- CSV (RFC 4180: quotes, doubled quotes, newlines inside quotes) --------------------- */

/* The next record of the CSV at *P (up to END) as fields; NULL at the end. */
static GPtrArray *csv_record(const char **p, const char *end, bool *bad)
{
  if (*p >= end)
    return NULL;
  GPtrArray *fields = g_ptr_array_new_with_free_func(g_free);
  GString *f = g_string_new(NULL);
  bool quoted = false, was_quoted = false;
  const char *s = *p;
  for (; s < end; s++) {
    char c = *s;
    if (quoted) {
      if (c == '"' && s + 1 < end && s[1] == '"') {
        g_string_append_c(f, '"');
        s++;
      } else if (c == '"') {
        quoted = false;
      } else {
        g_string_append_c(f, c);
      }
    } else if (c == '"' && f->len == 0 && !was_quoted) {
      quoted = was_quoted = true;
    } else if (c == ',') {
      g_ptr_array_add(fields, g_string_free(f, FALSE));
      f = g_string_new(NULL);
      was_quoted = false;
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && s + 1 < end && s[1] == '\n')
        s++;
      s++;
      break;
    } else {
      g_string_append_c(f, c);
    }
  }
  if (quoted)
    *bad = true;
  g_ptr_array_add(fields, g_string_free(f, FALSE));
  *p = s;
  return fields;
}

static const char *field_at(GPtrArray *rec, int col)
{
  return col >= 0 && (guint)col < rec->len ? g_ptr_array_index(rec, col) : NULL;
}

static int csv_parse(const char *data, gsize len, GPtrArray *out, char **error)
{
  const char *p = data, *end = data + len;
  if (len >= 3 && !memcmp(p, "\xEF\xBB\xBF", 3))  /* a spreadsheet's byte-order mark */
    p += 3;
  bool bad = false;
  GPtrArray *head = csv_record(&p, end, &bad);
  if (!head)
    return fail(error, "the CSV is empty");
  static const char *const cols[] = { "key", "kind", "category", "question", "options", "answer",
                                      "explanation", NULL };
  int at[7];
  for (int c = 0; c < 7; c++) {
    at[c] = -1;
    for (guint i = 0; i < head->len; i++) {
      g_autofree char *h = g_ascii_strdown(g_strstrip((char *)g_ptr_array_index(head, i)), -1);
      if (strcmp(h, cols[c]) == 0 || (c == 3 && strcmp(h, "text") == 0))
        at[c] = (int)i;
    }
  }
  g_ptr_array_unref(head);
  if (at[3] < 0 || at[5] < 0)
    return fail(error, "the CSV header must name at least the columns question, options and answer");
  int r = 0;
  GPtrArray *rec;
  for (int line = 2; r == 0 && (rec = csv_record(&p, end, &bad)); line++) {
    if (bad) {
      g_ptr_array_unref(rec);
      return fail(error, "row %d: a quote is not closed", line);
    }
    if (rec->len == 1 && !((char *)g_ptr_array_index(rec, 0))[0]) {  /* an empty line */
      g_ptr_array_unref(rec);
      continue;
    }
    QuizQuestion *q = g_new0(QuizQuestion, 1);
    q->key = g_strdup(field_at(rec, at[0]));
    const char *kind = field_at(rec, at[1]);
    q->kind = g_strstrip(g_strdup(kind && kind[0] ? kind : "single"));
    q->category = g_strdup(field_at(rec, at[2]));
    q->text = g_strdup(field_at(rec, at[3]));
    q->explanation = g_strdup(field_at(rec, at[6]));
    const char *opts = field_at(rec, at[4]);
    q->options = g_strsplit(opts ? opts : "", "|", QUIZ_MAX_OPTIONS + 1);
    for (char **o = q->options; *o; o++)
      g_strstrip(*o);
    q->n_options = g_strv_length(q->options);
    if (q->n_options == 1 && !q->options[0][0])
      q->n_options = 0, g_free(q->options[0]), q->options[0] = NULL;
    r = known_kind(q->kind) ? 0 : fail(error, "kind must be single, multiple or truefalse");
    if (r == 0)
      options_default(q);
    const char *ans = field_at(rec, at[5]);
    char **toks = g_strsplit_set(ans ? ans : "", "|,;", -1);
    for (char **t = toks; r == 0 && *t; t++)
      r = answer_token(q, *t, error);
    g_strfreev(toks);
    if (r == 0)
      r = question_finish(q, error);
    if (r < 0) {
      g_autofree char *why = *error;
      *error = NULL;
      fail(error, "row %d: %s", line, why);
      quiz_question_free(q);
    } else {
      g_ptr_array_add(out, q);
    }
    g_ptr_array_unref(rec);
    if (out->len > QUIZ_MAX_QUESTIONS)
      r = fail(error, "at most %d questions in one import", QUIZ_MAX_QUESTIONS);
  }
  return r;
}

int quiz_bank_parse(const char *data, gsize len, const char *format, GPtrArray **out, char **error)
{
  *error = NULL;
  if (!g_utf8_validate(data, (gssize)len, NULL))
    return fail(error, "the file is not UTF-8 text");
  const char *s = data;
  while (s < data + len && g_ascii_isspace(*s))
    s++;
  bool json = format ? strcmp(format, "json") == 0 : (s < data + len && (*s == '[' || *s == '{'));
  if (format && !json && strcmp(format, "csv") != 0)
    return fail(error, "format must be csv or json");
  GPtrArray *qs = g_ptr_array_new_with_free_func((GDestroyNotify)quiz_question_free);
  int r = 0;
  if (!json) {
    r = csv_parse(data, len, qs, error);
  } else {
    JsonParser *parser = json_parser_new();
    GError *e = NULL;
    if (!json_parser_load_from_data(parser, data, (gssize)len, &e)) {
      g_autofree char *where = util_json_error(e);
      r = fail(error, "not JSON: %s", where);
      g_error_free(e);
    } else {
      JsonNode *root = json_parser_get_root(parser);
      if (root && JSON_NODE_HOLDS_OBJECT(root) && json_object_has_member(json_node_get_object(root), "questions"))
        root = json_object_get_member(json_node_get_object(root), "questions");
      if (!util_json_utf8(root)) {
        r = fail(error, "not JSON: an escape makes a character that is not UTF-8");
      } else if (!root || !JSON_NODE_HOLDS_ARRAY(root)) {
        r = fail(error, "JSON must be an array of questions (or {\"questions\": [...]})");
      } else {
        JsonArray *a = json_node_get_array(root);
        if (json_array_get_length(a) > QUIZ_MAX_QUESTIONS)
          r = fail(error, "at most %d questions in one import", QUIZ_MAX_QUESTIONS);
        for (guint i = 0; r == 0 && i < json_array_get_length(a); i++) {
          JsonNode *n = json_array_get_element(a, i);
          QuizQuestion *q = NULL;
          r = JSON_NODE_HOLDS_OBJECT(n) ? quiz_question_from_json(json_node_get_object(n), &q, error)
                                        : fail(error, "not an object");
          if (r < 0) {
            g_autofree char *why = *error;
            *error = NULL;
            fail(error, "question %u: %s", i + 1, why);
          } else {
            g_ptr_array_add(qs, q);
          }
        }
      }
    }
    g_object_unref(parser);
  }
  if (r == 0 && qs->len == 0)
    r = fail(error, "no questions");
  if (r < 0) {
    g_ptr_array_unref(qs);
    return r;
  }
  *out = qs;
  return 0;
}

/* ---- storage ------------------------------------------------------------------------ */

static char *options_json(const QuizQuestion *q)
{
  JsonBuilder *b = json_builder_new();
  json_builder_begin_array(b);
  for (guint i = 0; i < q->n_options; i++)
    json_builder_add_string_value(b, q->options[i]);
  json_builder_end_array(b);
  JsonNode *n = json_builder_get_root(b);
  char *s = util_json_text(n, false);
  json_node_unref(n);
  g_object_unref(b);
  return s;
}

static char *answer_json(const QuizQuestion *q)
{
  GString *s = g_string_new("[");
  for (guint i = 0; i < q->n_answer; i++)
    g_string_append_printf(s, "%s%u", i ? "," : "", q->answer[i]);
  g_string_append_c(s, ']');
  return g_string_free(s, FALSE);
}

static int step_done(Db *db, sqlite3_stmt *st)
{
  int rc = sqlite3_step(st);
  sqlite3_reset(st);
  (void)db;
  return rc == SQLITE_DONE ? 0 : db_errno(rc);
}

static int import_one(Db *db, const QuizQuestion *q, gint64 now, QuizImportStats *stats)
{
  g_autofree char *opts = options_json(q), *ans = answer_json(q);
  sqlite3_stmt *st = db_cached(db,
      "SELECT q.id, v.version, v.kind = ?2 AND v.category = ?3 AND v.text = ?4 AND v.options = ?5 "
      "AND v.answer = ?6 AND v.explanation = ?7 FROM quiz_question q "
      "LEFT JOIN quiz_version v ON v.id = q.current_version WHERE q.key = ?1");
  if (!st)
    return -EIO;
  sqlite3_bind_text(st, 1, q->key, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, q->kind, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 3, q->category, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 4, q->text, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 5, opts, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 6, ans, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 7, q->explanation, -1, SQLITE_STATIC);
  int rc = sqlite3_step(st);
  gint64 id = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
  gint64 version = rc == SQLITE_ROW ? sqlite3_column_int64(st, 1) : 0;
  bool same = rc == SQLITE_ROW && sqlite3_column_int(st, 2) == 1;
  sqlite3_reset(st);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return db_errno(rc);
  if (same) {
    stats->unchanged++;
    return 0;
  }
  int ret;
  if (id == 0) {
    st = db_cached(db, "INSERT INTO quiz_question (key, created_at, updated_at) VALUES (?1, ?2, ?2)");
    if (!st)
      return -EIO;
    sqlite3_bind_text(st, 1, q->key, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, now);
    if ((ret = step_done(db, st)) < 0)
      return ret;
    id = sqlite3_last_insert_rowid(db->conn);
    stats->added++;
  } else {
    stats->changed++;
  }
  st = db_cached(db, "INSERT INTO quiz_version (question_id, version, kind, category, text, options, "
                     "answer, explanation, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
  if (!st)
    return -EIO;
  sqlite3_bind_int64(st, 1, id);
  sqlite3_bind_int64(st, 2, version + 1);
  sqlite3_bind_text(st, 3, q->kind, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 4, q->category, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 5, q->text, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 6, opts, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 7, ans, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 8, q->explanation, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 9, now);
  if ((ret = step_done(db, st)) < 0)
    return ret;
  gint64 vid = sqlite3_last_insert_rowid(db->conn);
  st = db_cached(db, "UPDATE quiz_question SET current_version = ?2, updated_at = ?3 WHERE id = ?1");
  if (!st)
    return -EIO;
  sqlite3_bind_int64(st, 1, id);
  sqlite3_bind_int64(st, 2, vid);
  sqlite3_bind_int64(st, 3, now);
  return step_done(db, st);
}

int quiz_bank_import(Db *db, GPtrArray *questions, gint64 now, QuizImportStats *stats)
{
  *stats = (QuizImportStats){ 0 };
  for (guint i = 0; i < questions->len; i++) {
    int r = import_one(db, g_ptr_array_index(questions, i), now, stats);
    if (r < 0)
      return r;
  }
  return 0;
}

static void add_json_text(JsonBuilder *b, const char *name, const char *json)
{
  json_builder_set_member_name(b, name);
  JsonNode *n = json_from_string(json, NULL);
  if (n)
    json_builder_add_value(b, n);
  else
    json_builder_add_null_value(b);
}

JsonNode *quiz_bank_list_json(Db *db, int *rc)
{
  sqlite3_stmt *st = db_prepare(db,
      "SELECT q.id, q.key, q.status, v.version, v.kind, v.category, v.text, v.options, v.answer, "
      "v.explanation, q.updated_at, "
      "(SELECT count(*) FROM quiz_item i WHERE i.question_id = q.id AND i.answered_at IS NOT NULL), "
      "(SELECT count(*) FROM quiz_item i WHERE i.question_id = q.id AND i.answered_at IS NOT NULL AND i.correct = 1) "
      "FROM quiz_question q JOIN quiz_version v ON v.id = q.current_version "
      "ORDER BY q.updated_at DESC, q.id DESC");
  if (!st) {
    *rc = -EIO;
    return NULL;
  }
  JsonBuilder *b = json_builder_new();
  json_builder_begin_array(b);
  int step;
  while ((step = sqlite3_step(st)) == SQLITE_ROW) {
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "id");
    json_builder_add_int_value(b, sqlite3_column_int64(st, 0));
    static const char *const text_cols[] = { NULL, "key", "status", NULL, "kind", "category", "text" };
    for (int c = 1; c <= 6; c++) {
      if (!text_cols[c])
        continue;
      json_builder_set_member_name(b, text_cols[c]);
      json_builder_add_string_value(b, db_col_text(st, c));
    }
    json_builder_set_member_name(b, "version");
    json_builder_add_int_value(b, sqlite3_column_int64(st, 3));
    add_json_text(b, "options", db_col_text(st, 7));
    add_json_text(b, "answer", db_col_text(st, 8));
    json_builder_set_member_name(b, "explanation");
    json_builder_add_string_value(b, db_col_text(st, 9));
    gint64 answered = sqlite3_column_int64(st, 11), correct = sqlite3_column_int64(st, 12);
    json_builder_set_member_name(b, "answered");
    json_builder_add_int_value(b, answered);
    json_builder_set_member_name(b, "correct");
    json_builder_add_int_value(b, correct);
    json_builder_set_member_name(b, "correct_rate");
    if (answered)
      json_builder_add_double_value(b, (double)correct / (double)answered);
    else
      json_builder_add_null_value(b);
    json_builder_end_object(b);
  }
  sqlite3_finalize(st);
  return db_json_array_done(b, step, rc);
}

int quiz_bank_set_retired(Db *db, gint64 id, bool retired, gint64 now)
{
  sqlite3_stmt *st = db_cached(db, "UPDATE quiz_question SET status = ?2, updated_at = ?3 WHERE id = ?1");
  if (!st)
    return -EIO;
  sqlite3_bind_int64(st, 1, id);
  sqlite3_bind_text(st, 2, retired ? "retired" : "active", -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 3, now);
  int rc = sqlite3_step(st);
  sqlite3_reset(st);
  if (rc != SQLITE_DONE)
    return db_errno(rc);
  return sqlite3_changes(db->conn) ? 0 : -ENOENT;
}
