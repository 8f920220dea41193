/* quiz_attempt: today's quiz of one member, from the first question to the points. */
#include "club/quiz_attempt.h"
#include "club/quiz_pick.h"
#include "club/quiz_bank.h"
#include "points/points.h"
#include "core/util.h"

#include <errno.h>
#include <string.h>

typedef struct {
  gint64 id;
  gint64 campaign_id;  /* 0: none */
  gint64 seconds;
  gint64 finished_at;  /* 0: not yet */
  gint64 correct, points;
  char *day;
} Attempt;

static void attempt_clear(Attempt *a)
{
  g_free(a->day);
  *a = (Attempt){ 0 };
}

static const Campaign *zone_of(const Campaign *k, Campaign *fallback)
{
  *fallback = (Campaign){ .time_zone = (char *)"Asia/Shanghai" };
  return k ? k : fallback;
}

char *quiz_attempt_day(const Campaign *k, gint64 now_ms)
{
  Campaign z;
  return points_local_day(zone_of(k, &z), now_ms / 1000);
}

/* The quiz's rules under K: its quiz row, else the defaults (earning nothing). */
static void rules(const Campaign *k, gint64 *questions, gint64 *seconds, gint64 *rate, gint64 *cap)
{
  const CampaignActivity *q = k && k->act[ACT_QUIZ].on ? &k->act[ACT_QUIZ] : NULL;
  *questions = q ? q->questions : QUIZ_DEFAULT_QUESTIONS;
  *seconds = q ? q->seconds : QUIZ_DEFAULT_SECONDS;
  *rate = q ? q->rate : 0;
  *cap = q ? q->daily_cap : -1;
}

static int attempt_get(Db *db, const char *member, const char *day, Attempt *a)
{
  sqlite3_stmt *st = db_cached(db, "SELECT id, coalesce(campaign_id, 0), seconds, coalesce(finished_at, 0), "
                                   "correct, points, local_day FROM quiz_attempt WHERE member_id = ?1 AND local_day = ?2");
  if (!st)
    return -EIO;
  sqlite3_bind_text(st, 1, member, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, day, -1, SQLITE_STATIC);
  int rc = sqlite3_step(st);
  if (rc == SQLITE_ROW)
    *a = (Attempt){ .id = sqlite3_column_int64(st, 0), .campaign_id = sqlite3_column_int64(st, 1),
                    .seconds = sqlite3_column_int64(st, 2), .finished_at = sqlite3_column_int64(st, 3),
                    .correct = sqlite3_column_int64(st, 4), .points = sqlite3_column_int64(st, 5),
                    .day = g_strdup(db_col_text(st, 6)) };
  sqlite3_reset(st);
  return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? -ENOENT : db_errno(rc);
}

/* Finishes attempt A of MEMBER (once: a second call finds it finished) and pays its correct
 * answers under its campaign's quiz row and caps on the attempt's day. */
static int attempt_finish(Db *db, const char *member, Attempt *a, gint64 now_ms)
{
  sqlite3_stmt *st = db_cached(db,
      "UPDATE quiz_attempt SET finished_at = ?2, correct = (SELECT count(*) FROM quiz_item "
      "WHERE attempt_id = ?1 AND correct = 1) WHERE id = ?1 AND finished_at IS NULL RETURNING correct");
  if (!st)
    return -EIO;
  sqlite3_bind_int64(st, 1, a->id);
  sqlite3_bind_int64(st, 2, now_ms / 1000);
  int rc = sqlite3_step(st);
  gint64 correct = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
  if (rc == SQLITE_ROW)
    rc = sqlite3_step(st);
  sqlite3_reset(st);
  if (rc != SQLITE_DONE)
    return db_errno(rc);
  if (sqlite3_changes(db->conn) == 0)
    return 0;  /* finished already */
  a->finished_at = now_ms / 1000;
  a->correct = correct;
  if (!a->campaign_id || correct == 0)
    return 0;
  Campaign *k = NULL;
  int ret = db_campaign_get(db, a->campaign_id, &k);
  if (ret == -ENOENT)
    return 0;
  bool may = false;
  gint64 allowed = 0;
  if (ret == 0)
    ret = points_may_earn(db, member, &may);
  if (ret == 0 && may && k->act[ACT_QUIZ].on)
    ret = points_allowed(db, k, ACT_QUIZ, member, a->day, correct * k->act[ACT_QUIZ].rate, &allowed);
  gint64 amount = may ? quiz_pick_points(correct, k->act[ACT_QUIZ].rate, allowed) : 0;
  if (ret == 0 && amount > 0) {
    g_autofree char *key = g_strdup_printf("quiz:%s:%s", member, a->day);
    g_autofree char *note = g_strdup_printf("%" G_GINT64_FORMAT " correct", correct);
    LedgerEntry e = { .member_id = member, .amount = amount, .reason = "quiz", .campaign_id = k->id,
                      .local_day = a->day, .key = key, .note = note, .at = now_ms / 1000 };
    ret = db_ledger_add(db, &e);
    if (ret == -EEXIST)
      ret = 0, amount = 0;
  }
  if (ret == 0 && amount > 0) {
    st = db_cached(db, "UPDATE quiz_attempt SET points = ?2 WHERE id = ?1");
    if (!st) {
      ret = -EIO;
    } else {
      sqlite3_bind_int64(st, 1, a->id);
      sqlite3_bind_int64(st, 2, amount);
      rc = sqlite3_step(st);
      sqlite3_reset(st);
      ret = rc == SQLITE_DONE ? 0 : db_errno(rc);
      a->points = amount;
    }
  }
  campaign_free(&k);
  return ret;
}

/* Attempts of days before DAY left unfinished: finished now (the questions not answered count
 * as wrong), each paying for its own day. */
static int finish_earlier(Db *db, const char *member, const char *day, gint64 now_ms)
{
  sqlite3_stmt *st = db_prepare(db, "SELECT local_day FROM quiz_attempt WHERE member_id = ?1 "
                                    "AND finished_at IS NULL AND local_day < ?2");
  if (!st)
    return -EIO;
  sqlite3_bind_text(st, 1, member, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, day, -1, SQLITE_STATIC);
  GPtrArray *days = g_ptr_array_new_with_free_func(g_free);
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW)
    g_ptr_array_add(days, g_strdup(db_col_text(st, 0)));
  sqlite3_finalize(st);
  int ret = rc == SQLITE_DONE ? 0 : db_errno(rc);
  for (guint i = 0; ret == 0 && i < days->len; i++) {
    Attempt a = { 0 };
    if ((ret = attempt_get(db, member, g_ptr_array_index(days, i), &a)) == 0)
      ret = attempt_finish(db, member, &a, now_ms);
    attempt_clear(&a);
  }
  g_ptr_array_unref(days);
  return ret;
}

static guint json_array_len_of(const char *text)
{
  JsonNode *n = json_from_string(text, NULL);
  guint len = n && JSON_NODE_HOLDS_ARRAY(n) ? json_array_get_length(json_node_get_array(n)) : 0;
  if (n)
    json_node_unref(n);
  return len;
}

int quiz_attempt_start(Db *db, const Campaign *k, const char *member, gint64 now_ms, GRand *rng)
{
  g_autofree char *day = quiz_attempt_day(k, now_ms);
  int ret = finish_earlier(db, member, day, now_ms);
  if (ret < 0)
    return ret;
  gint64 questions, seconds, rate, cap;
  rules(k, &questions, &seconds, &rate, &cap);
  sqlite3_stmt *st = db_cached(db, "INSERT INTO quiz_attempt (member_id, local_day, campaign_id, seconds, "
                                   "started_at) VALUES (?1, ?2, ?3, ?4, ?5)");
  if (!st)
    return -EIO;
  sqlite3_bind_text(st, 1, member, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, day, -1, SQLITE_STATIC);
  if (k)
    sqlite3_bind_int64(st, 3, k->id);
  else
    sqlite3_bind_null(st, 3);
  sqlite3_bind_int64(st, 4, seconds);
  sqlite3_bind_int64(st, 5, now_ms / 1000);
  int rc = sqlite3_step(st);
  sqlite3_reset(st);
  if (rc != SQLITE_DONE)
    return db_errno(rc);  /* the UNIQUE (member, day): -EEXIST */
  gint64 attempt = sqlite3_last_insert_rowid(db->conn);

  /* The candidates: every active question's current version, with how often this member
   * was served the question before. */
  st = db_prepare(db, "SELECT q.id, q.current_version, v.options, (SELECT count(*) FROM quiz_item i "
                      "JOIN quiz_attempt a ON a.id = i.attempt_id WHERE a.member_id = ?1 AND i.question_id = q.id) "
                      "FROM quiz_question q JOIN quiz_version v ON v.id = q.current_version "
                      "WHERE q.status = 'active'");
  if (!st)
    return -EIO;
  sqlite3_bind_text(st, 1, member, -1, SQLITE_STATIC);
  GArray *cands = g_array_new(FALSE, FALSE, sizeof(QuizCandidate));
  GArray *nopts = g_array_new(FALSE, FALSE, sizeof(guint));
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    QuizCandidate c = { .question_id = sqlite3_column_int64(st, 0), .version_id = sqlite3_column_int64(st, 1),
                        .seen = sqlite3_column_int64(st, 3) };
    guint n = json_array_len_of(db_col_text(st, 2));
    g_array_append_val(cands, c);
    g_array_append_val(nopts, n);
  }
  sqlite3_finalize(st);
  ret = rc == SQLITE_DONE ? 0 : db_errno(rc);
  if (ret == 0 && cands->len == 0)
    ret = -ENOENT;
  guint *picked = g_new0(guint, (gsize)questions);
  guint n = ret == 0 ? quiz_pick_select((QuizCandidate *)(void *)cands->data, cands->len, (guint)questions, rng, picked) : 0;
  for (guint i = 0; ret == 0 && i < n; i++) {
    const QuizCandidate *c = &g_array_index(cands, QuizCandidate, picked[i]);
    guint no = g_array_index(nopts, guint, picked[i]);
    guint perm[QUIZ_MAX_OPTIONS];
    quiz_pick_shuffle(MIN(no, QUIZ_MAX_OPTIONS), rng, perm);
    GString *order = g_string_new("[");
    for (guint j = 0; j < MIN(no, QUIZ_MAX_OPTIONS); j++)
      g_string_append_printf(order, "%s%u", j ? "," : "", perm[j]);
    g_string_append_c(order, ']');
    st = db_cached(db, "INSERT INTO quiz_item (attempt_id, position, question_id, version_id, option_order, "
                       "served_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
    if (!st) {
      ret = -EIO;
    } else {
      sqlite3_bind_int64(st, 1, attempt);
      sqlite3_bind_int64(st, 2, i);
      sqlite3_bind_int64(st, 3, c->question_id);
      sqlite3_bind_int64(st, 4, c->version_id);
      sqlite3_bind_text(st, 5, order->str, -1, SQLITE_TRANSIENT);
      if (i == 0)
        sqlite3_bind_int64(st, 6, now_ms);  /* the first question is shown at once */
      else
        sqlite3_bind_null(st, 6);
      rc = sqlite3_step(st);
      sqlite3_reset(st);
      ret = rc == SQLITE_DONE ? 0 : db_errno(rc);
    }
    g_string_free(order, TRUE);
  }
  g_free(picked);
  g_array_unref(cands);
  g_array_unref(nopts);
  return ret;
}

int quiz_attempt_next(Db *db, const Campaign *k, const char *member, gint64 now_ms)
{
  g_autofree char *day = quiz_attempt_day(k, now_ms);
  Attempt a = { 0 };
  int ret = attempt_get(db, member, day, &a);
  if (ret < 0)
    return ret;
  sqlite3_stmt *st = db_cached(db, "SELECT position, served_at IS NOT NULL FROM quiz_item "
                                   "WHERE attempt_id = ?1 AND answered_at IS NULL ORDER BY position LIMIT 1");
  if (!st) {
    attempt_clear(&a);
    return -EIO;
  }
  sqlite3_bind_int64(st, 1, a.id);
  int rc = sqlite3_step(st);
  gint64 pos = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
  bool shown = rc == SQLITE_ROW && sqlite3_column_int(st, 1);
  sqlite3_reset(st);
  if (rc != SQLITE_ROW)
    ret = rc == SQLITE_DONE ? -EALREADY : db_errno(rc);
  if (ret == 0 && !shown) {
    st = db_cached(db, "UPDATE quiz_item SET served_at = ?3 WHERE attempt_id = ?1 AND position = ?2 "
                       "AND served_at IS NULL");
    if (!st) {
      ret = -EIO;
    } else {
      sqlite3_bind_int64(st, 1, a.id);
      sqlite3_bind_int64(st, 2, pos);
      sqlite3_bind_int64(st, 3, now_ms);
      rc = sqlite3_step(st);
      sqlite3_reset(st);
      ret = rc == SQLITE_DONE ? 0 : db_errno(rc);
    }
  }
  attempt_clear(&a);
  return ret;
}

/* A JSON array of integers in TEXT into OUT (up to MAX); returns how many. */
static guint int_array(const char *text, guint *out, guint max)
{
  JsonNode *n = json_from_string(text ? text : "[]", NULL);
  guint k = 0;
  if (n && JSON_NODE_HOLDS_ARRAY(n)) {
    JsonArray *arr = json_node_get_array(n);
    for (guint i = 0; i < json_array_get_length(arr) && k < max; i++)
      out[k++] = (guint)json_array_get_int_element(arr, i);
  }
  if (n)
    json_node_unref(n);
  return k;
}

int quiz_attempt_answer(Db *db, const Campaign *k, const char *member, gint64 position,
                        const gint64 *choices, guint n_choices, gint64 now_ms)
{
  g_autofree char *day = quiz_attempt_day(k, now_ms);
  Attempt a = { 0 };
  int ret = attempt_get(db, member, day, &a);
  if (ret < 0)
    return ret;
  sqlite3_stmt *st = db_cached(db, "SELECT i.option_order, i.served_at, i.answered_at IS NOT NULL, v.answer "
                                   "FROM quiz_item i JOIN quiz_version v ON v.id = i.version_id "
                                   "WHERE i.attempt_id = ?1 AND i.position = ?2");
  if (!st) {
    attempt_clear(&a);
    return -EIO;
  }
  sqlite3_bind_int64(st, 1, a.id);
  sqlite3_bind_int64(st, 2, position);
  int rc = sqlite3_step(st);
  guint order[QUIZ_MAX_OPTIONS], answer[QUIZ_MAX_OPTIONS], n_order = 0, n_answer = 0;
  gint64 served = 0;
  bool answered = false, was_served = false;
  if (rc == SQLITE_ROW) {
    n_order = int_array(db_col_text(st, 0), order, QUIZ_MAX_OPTIONS);
    was_served = sqlite3_column_type(st, 1) != SQLITE_NULL;
    served = sqlite3_column_int64(st, 1);
    answered = sqlite3_column_int(st, 2);
    n_answer = int_array(db_col_text(st, 3), answer, QUIZ_MAX_OPTIONS);
  }
  sqlite3_reset(st);
  if (rc != SQLITE_ROW)
    ret = rc == SQLITE_DONE ? -ENOENT : db_errno(rc);
  else if (answered)
    ret = -EEXIST;
  else if (!was_served)
    ret = -ESRCH;
  guint picked[QUIZ_MAX_OPTIONS];
  for (guint i = 0; ret == 0 && i < n_choices; i++) {
    if (i >= QUIZ_MAX_OPTIONS || choices[i] < 0 || choices[i] >= n_order)
      ret = -EINVAL;
    else
      picked[i] = order[choices[i]];  /* shown position -> the version's option */
  }
  if (ret == 0) {
    bool late = quiz_pick_late(served, now_ms, a.seconds);
    bool correct = !late && quiz_pick_correct(answer, n_answer, picked, n_choices);
    GString *ch = g_string_new("[");
    for (guint i = 0; i < n_choices; i++)
      g_string_append_printf(ch, "%s%u", i ? "," : "", picked[i]);
    g_string_append_c(ch, ']');
    /* answered_at IS NULL: of two submissions racing for one question, one locks it. */
    st = db_cached(db, "UPDATE quiz_item SET answered_at = ?3, choices = ?4, correct = ?5, late = ?6 "
                       "WHERE attempt_id = ?1 AND position = ?2 AND answered_at IS NULL");
    if (!st) {
      ret = -EIO;
    } else {
      sqlite3_bind_int64(st, 1, a.id);
      sqlite3_bind_int64(st, 2, position);
      sqlite3_bind_int64(st, 3, now_ms);
      sqlite3_bind_text(st, 4, ch->str, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int(st, 5, correct);
      sqlite3_bind_int(st, 6, late);
      rc = sqlite3_step(st);
      sqlite3_reset(st);
      ret = rc != SQLITE_DONE ? db_errno(rc) : sqlite3_changes(db->conn) ? 0 : -EEXIST;
    }
    g_string_free(ch, TRUE);
  }
  if (ret == 0) {
    st = db_cached(db, "SELECT count(*) FROM quiz_item WHERE attempt_id = ?1 AND answered_at IS NULL");
    if (!st) {
      ret = -EIO;
    } else {
      sqlite3_bind_int64(st, 1, a.id);
      rc = sqlite3_step(st);
      gint64 open = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
      sqlite3_reset(st);
      if (rc != SQLITE_ROW)
        ret = db_errno(rc);
      else if (open == 0)
        ret = attempt_finish(db, member, &a, now_ms);
    }
  }
  attempt_clear(&a);
  return ret;
}

/* ---- what the member is sent ------------------------------------------------------------ */

static void add_shown_indexes(JsonBuilder *b, const char *name, const guint *orig, guint n,
                              const guint *order, guint n_order)
{
  json_builder_set_member_name(b, name);
  json_builder_begin_array(b);
  for (guint s = 0; s < n_order; s++)
    for (guint i = 0; i < n; i++)
      if (order[s] == orig[i])
        json_builder_add_int_value(b, s);
  json_builder_end_array(b);
}

static int items_json(Db *db, const Attempt *a, gint64 now_ms, JsonBuilder *b)
{
  sqlite3_stmt *st = db_cached(db,
      "SELECT i.position, i.option_order, i.served_at, i.answered_at, i.choices, i.correct, i.late, "
      "v.kind, v.category, v.text, v.options, v.answer, v.explanation "
      "FROM quiz_item i JOIN quiz_version v ON v.id = i.version_id WHERE i.attempt_id = ?1 ORDER BY i.position");
  if (!st)
    return -EIO;
  sqlite3_bind_int64(st, 1, a->id);
  json_builder_set_member_name(b, "items");
  json_builder_begin_array(b);
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    bool served = sqlite3_column_type(st, 2) != SQLITE_NULL;
    bool locked = sqlite3_column_type(st, 3) != SQLITE_NULL;
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "position");
    json_builder_add_int_value(b, sqlite3_column_int64(st, 0));
    json_builder_set_member_name(b, "state");
    json_builder_add_string_value(b, locked ? "locked" : served ? "open" : "pending");
    if (served || locked) {
      guint order[QUIZ_MAX_OPTIONS];
      guint n_order = int_array(db_col_text(st, 1), order, QUIZ_MAX_OPTIONS);
      json_builder_set_member_name(b, "kind");
      json_builder_add_string_value(b, db_col_text(st, 7));
      json_builder_set_member_name(b, "category");
      json_builder_add_string_value(b, db_col_text(st, 8));
      json_builder_set_member_name(b, "text");
      json_builder_add_string_value(b, db_col_text(st, 9));
      /* The options in the order this member sees them; never their right/wrong. */
      JsonNode *opts = json_from_string(db_col_text(st, 10), NULL);
      JsonArray *oa = opts && JSON_NODE_HOLDS_ARRAY(opts) ? json_node_get_array(opts) : NULL;
      json_builder_set_member_name(b, "options");
      json_builder_begin_array(b);
      for (guint s = 0; oa && s < n_order; s++)
        json_builder_add_string_value(b, order[s] < json_array_get_length(oa)
                                             ? json_array_get_string_element(oa, order[s]) : "");
      json_builder_end_array(b);
      if (opts)
        json_node_unref(opts);
      if (!locked) {
        gint64 left = sqlite3_column_int64(st, 2) + a->seconds * 1000 - now_ms;
        json_builder_set_member_name(b, "remaining_ms");
        json_builder_add_int_value(b, MAX(left, 0));
      } else {
        guint ch[QUIZ_MAX_OPTIONS], ans[QUIZ_MAX_OPTIONS];
        guint n_ch = int_array(db_col_text(st, 4), ch, QUIZ_MAX_OPTIONS);
        guint n_ans = int_array(db_col_text(st, 11), ans, QUIZ_MAX_OPTIONS);
        add_shown_indexes(b, "choices", ch, n_ch, order, n_order);
        add_shown_indexes(b, "answer", ans, n_ans, order, n_order);
        json_builder_set_member_name(b, "correct");
        json_builder_add_boolean_value(b, sqlite3_column_int(st, 5));
        json_builder_set_member_name(b, "late");
        json_builder_add_boolean_value(b, sqlite3_column_int(st, 6));
        json_builder_set_member_name(b, "explanation");
        json_builder_add_string_value(b, db_col_text(st, 12));
      }
    }
    json_builder_end_object(b);
  }
  sqlite3_reset(st);
  json_builder_end_array(b);
  return rc == SQLITE_DONE ? 0 : db_errno(rc);
}

/* The start of the day after the one holding NOW_MS in K's zone, Unix seconds. */
static gint64 next_day_at(const Campaign *k, gint64 now_ms)
{
  Campaign z;
  const Campaign *c = zone_of(k, &z);
  GTimeZone *tz = g_time_zone_new_identifier(c->time_zone && c->time_zone[0] ? c->time_zone : "Asia/Shanghai");
  if (!tz)
    tz = g_time_zone_new_utc();
  GDateTime *now = g_date_time_new_from_unix_utc(now_ms / 1000);
  GDateTime *local = g_date_time_to_timezone(now, tz);
  GDateTime *midnight = g_date_time_new(tz, g_date_time_get_year(local), g_date_time_get_month(local),
                                        g_date_time_get_day_of_month(local), 0, 0, 0);
  GDateTime *next = g_date_time_add_days(midnight, 1);
  gint64 t = g_date_time_to_unix(next);
  g_date_time_unref(next);
  g_date_time_unref(midnight);
  g_date_time_unref(local);
  g_date_time_unref(now);
  g_time_zone_unref(tz);
  return t;
}

JsonNode *quiz_attempt_today_json(Db *db, const Campaign *k, const char *member, gint64 now_ms, int *rc)
{
  g_autofree char *day = quiz_attempt_day(k, now_ms);
  if ((*rc = finish_earlier(db, member, day, now_ms)) < 0)
    return NULL;
  gint64 questions, seconds, rate, cap;
  rules(k, &questions, &seconds, &rate, &cap);
  Attempt a = { 0 };
  int got = attempt_get(db, member, day, &a);
  if (got < 0 && got != -ENOENT) {
    *rc = got;
    return NULL;
  }
  JsonBuilder *b = json_builder_new();
  json_builder_begin_object(b);
  json_builder_set_member_name(b, "date");
  json_builder_add_string_value(b, day);
  json_builder_set_member_name(b, "questions");
  json_builder_add_int_value(b, questions);
  json_builder_set_member_name(b, "seconds");
  json_builder_add_int_value(b, got == 0 ? a.seconds : seconds);
  json_builder_set_member_name(b, "rate");
  json_builder_add_int_value(b, rate);
  json_builder_set_member_name(b, "cap");
  if (cap >= 0)
    json_builder_add_int_value(b, cap);
  else
    json_builder_add_null_value(b);
  gint64 next = next_day_at(k, now_ms);
  g_autofree char *next_iso = util_iso8601(next);
  json_builder_set_member_name(b, "next_day_at");
  json_builder_add_string_value(b, next_iso);
  json_builder_set_member_name(b, "next_day_in");
  json_builder_add_int_value(b, next - now_ms / 1000);
  json_builder_set_member_name(b, "attempt");
  *rc = 0;
  if (got == -ENOENT) {
    json_builder_add_null_value(b);
  } else {
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "id");
    json_builder_add_int_value(b, a.id);
    json_builder_set_member_name(b, "finished");
    json_builder_add_boolean_value(b, a.finished_at != 0);
    json_builder_set_member_name(b, "correct");
    json_builder_add_int_value(b, a.correct);
    json_builder_set_member_name(b, "points");
    json_builder_add_int_value(b, a.points);
    *rc = items_json(db, &a, now_ms, b);
    json_builder_end_object(b);
  }
  json_builder_end_object(b);
  JsonNode *node = json_builder_get_root(b);
  g_object_unref(b);
  attempt_clear(&a);
  if (*rc < 0) {
    json_node_unref(node);
    return NULL;
  }
  return node;
}
