/* db_search: the full-text index over videos, tuned for Chinese as well as English. */
#include "db/db_search.h"
#include "core/log.h"

#include <errno.h>
#include <json-glib/json-glib.h>
#include <stdbool.h>
#include <string.h>

typedef enum { CH_SEP, CH_WORD, CH_CJK } CharClass;

static CharClass char_class(gunichar c)
{
  switch (g_unichar_get_script(c)) {
  case G_UNICODE_SCRIPT_HAN:
  case G_UNICODE_SCRIPT_HIRAGANA:
  case G_UNICODE_SCRIPT_KATAKANA:
  case G_UNICODE_SCRIPT_HANGUL:
  case G_UNICODE_SCRIPT_BOPOMOFO:
    if (g_unichar_isalnum(c))
      return CH_CJK;
    break;
  default:
    break;
  }
  return g_unichar_isalnum(c) || g_unichar_ismark(c) ? CH_WORD : CH_SEP;
}

/* Calls EMIT for every run of one class in TEXT (separators skipped): the run's
 * characters, their count and the class. Stops after MAX runs (0 = no limit). */
typedef void (*RunFn)(const gunichar *chars, size_t n, CharClass cls, void *user);

static void each_run(const char *text, size_t max, RunFn emit, void *user)
{
  if (!text || !g_utf8_validate(text, -1, NULL))
    return;
  glong n = 0;
  gunichar *u = g_utf8_to_ucs4_fast(text, -1, &n);
  size_t runs = 0;
  for (glong i = 0; i < n && (!max || runs < max);) {
    CharClass cls = char_class(u[i]);
    if (cls == CH_SEP) {
      i++;
      continue;
    }
    glong j = i + 1;
    while (j < n && char_class(u[j]) == cls)
      j++;
    emit(u + i, (size_t)(j - i), cls, user);
    runs++;
    i = j;
  }
  g_free(u);
}

static void append_chars(GString *s, const gunichar *c, size_t n)
{
  for (size_t i = 0; i < n; i++)
    g_string_append_unichar(s, c[i]);
}

static void token_run(const gunichar *c, size_t n, CharClass cls, void *user)
{
  GString *s = user;
  if (cls == CH_WORD) {
    if (s->len)
      g_string_append_c(s, ' ');
    append_chars(s, c, n);
    return;
  }
  for (size_t i = 0; i + 1 < n; i++) {
    if (s->len)
      g_string_append_c(s, ' ');
    append_chars(s, c + i, 2);
  }
  if (s->len)
    g_string_append_c(s, ' ');
  append_chars(s, c + n - 1, 1);
}

char *db_search_tokens(const char *text)
{
  GString *s = g_string_new(NULL);
  each_run(text, 0, token_run, s);
  return g_string_free(s, FALSE);
}

static void query_run(const gunichar *c, size_t n, CharClass cls, void *user)
{
  GString *s = user;
  if (s->len)
    g_string_append_c(s, ' ');
  g_string_append_c(s, '"');
  if (cls == CH_WORD || n == 1) {
    append_chars(s, c, n);
    g_string_append(s, "\"*");
    return;
  }
  for (size_t i = 0; i + 1 < n; i++) {
    if (i)
      g_string_append_c(s, ' ');
    append_chars(s, c + i, 2);
  }
  g_string_append_c(s, '"');
}

char *db_search_query(const char *q)
{
  if (!q || strlen(q) > DB_SEARCH_QUERY_MAX)
    return NULL;
  GString *s = g_string_new(NULL);
  each_run(q, DB_SEARCH_TERMS_MAX, query_run, s);
  if (s->len == 0) {
    g_string_free(s, TRUE);
    return NULL;
  }
  return g_string_free(s, FALSE);
}

/* The tags column (a JSON array of strings) as one space-separated text. */
static char *tags_text(const char *json)
{
  GString *s = g_string_new(NULL);
  JsonNode *n = json ? json_from_string(json, NULL) : NULL;
  if (n && JSON_NODE_HOLDS_ARRAY(n)) {
    JsonArray *a = json_node_get_array(n);
    for (guint i = 0; i < json_array_get_length(a); i++) {
      JsonNode *e = json_array_get_element(a, i);
      if (JSON_NODE_HOLDS_VALUE(e) && json_node_get_value_type(e) == G_TYPE_STRING)
        g_string_append_printf(s, "%s%s", s->len ? " " : "", json_node_get_string(e));
    }
  }
  if (n)
    json_node_unref(n);
  return g_string_free(s, FALSE);
}

int db_search_index_video(Db *db, const char *id)
{
  sqlite3_stmt *st = db_prepare(db, "DELETE FROM video_search WHERE video_id = ?1");
  if (!st)
    return -EIO;
  sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
  int rc = sqlite3_step(st);
  sqlite3_finalize(st);
  if (rc != SQLITE_DONE)
    return db_errno(rc);

  st = db_prepare(db, "SELECT title, presenter, tags, description, rowid FROM video WHERE id = ?1 "
                      "AND deleted_at IS NULL");
  if (!st)
    return -EIO;
  sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step(st);
  if (rc != SQLITE_ROW) {
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : db_errno(rc); /* gone or deleted: nothing to index */
  }
  g_autofree char *tags = tags_text(db_col_text(st, 2));
  gint64 rowid = sqlite3_column_int64(st, 4);
  char *cols[4] = {
    db_search_tokens(db_col_text(st, 0)), db_search_tokens(db_col_text(st, 1)),
    db_search_tokens(tags), db_search_tokens(db_col_text(st, 3)),
  };
  sqlite3_finalize(st);

  /* The index row takes the video's rowid: a search ranks its newest matches (ORDER BY
   * rowid DESC in db_video.c), so a common word costs no more than a rare one. */
  st = db_prepare(db, "INSERT INTO video_search (video_id, title, presenter, tags, description, rowid) "
                      "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
  int ret = -EIO;
  if (st) {
    sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
    for (int i = 0; i < 4; i++)
      sqlite3_bind_text(st, 2 + i, cols[i], -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 6, rowid);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    ret = rc == SQLITE_DONE ? 0 : db_errno(rc);
  }
  for (int i = 0; i < 4; i++)
    g_free(cols[i]);
  return ret;
}

int db_search_sync(Db *db)
{
  /* The index is right when every video not deleted has exactly one row, under the video's
   * rowid (a database from before migration 0008, or after a VACUUM, gets it rebuilt), and
   * nothing else has one. */
  sqlite3_stmt *st = db_prepare(db,
      "SELECT (SELECT count(*) FROM video WHERE deleted_at IS NULL) = (SELECT count(*) FROM video_search) "
      "AND NOT EXISTS (SELECT 1 FROM video_search s LEFT JOIN video v ON v.id = s.video_id "
      "AND v.rowid = s.rowid AND v.deleted_at IS NULL WHERE v.id IS NULL)");
  if (!st)
    return -EIO;
  int rc = sqlite3_step(st);
  bool ok = rc == SQLITE_ROW && sqlite3_column_int(st, 0);
  sqlite3_finalize(st);
  if (rc != SQLITE_ROW)
    return db_errno(rc);
  if (ok)
    return 0;

  int ret = db_begin(db);
  if (ret < 0)
    return ret;
  st = db_prepare(db, "DELETE FROM video_search");
  rc = st ? sqlite3_step(st) : SQLITE_ERROR;
  sqlite3_finalize(st);
  if (rc != SQLITE_DONE) {
    db_rollback(db);
    return db_errno(rc);
  }
  GPtrArray *ids = g_ptr_array_new_with_free_func(g_free);
  st = db_prepare(db, "SELECT id FROM video WHERE deleted_at IS NULL");
  while (st && sqlite3_step(st) == SQLITE_ROW)
    g_ptr_array_add(ids, g_strdup(db_col_text(st, 0)));
  sqlite3_finalize(st);
  for (guint i = 0; i < ids->len && ret == 0; i++)
    ret = db_search_index_video(db, ids->pdata[i]);
  if (ret == 0)
    ret = db_commit(db);
  if (ret < 0)
    db_rollback(db);
  else
    log_info("db", "search index rebuilt for %u videos", ids->len);
  g_ptr_array_unref(ids);
  return ret;
}
