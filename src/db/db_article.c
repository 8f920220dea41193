/* db_article: articles, their places in columns, their search rows and members' reading. The
 * body is rendered once, when it is saved (core/markdown.c), and readers get the stored HTML. */
#include "db/db_article.h"
#include "core/log.h"
#include "core/markdown.h"
#include "db/db_search.h"

#include <errno.h>
#include <string.h>

#define ARTICLE_COLS "id, title, summary, body_md, body_html, read_seconds, cover_url, status, " \
                     "publish_from, publish_until, published_at, created_at, updated_at, author"
/* Public at :now: published, not deleted, inside its window. */
#define ARTICLE_PUBLIC "(a.status = 'published' AND a.deleted_at IS NULL AND " \
                       "(a.publish_from IS NULL OR a.publish_from <= :now) AND " \
                       "(a.publish_until IS NULL OR :now < a.publish_until))"

static bool text_ok(const char *s, glong max, bool multiline)
{
  if (!s || !g_utf8_validate(s, -1, NULL) || g_utf8_strlen(s, -1) > max)
    return false;
  for (const char *p = s; *p; p++)
    if ((unsigned char)*p < 0x20 && (!multiline || (*p != '\n' && *p != '\r' && *p != '\t')))
      return false;
  return true;
}

static int check_input(const ArticleInput *in, bool create)
{
  if ((create || in->title) && (!text_ok(in->title, DB_ARTICLE_TITLE_MAX, false) || !*in->title))
    return -EINVAL;
  if (in->summary && !text_ok(in->summary, DB_ARTICLE_SUMMARY_MAX, true))
    return -EINVAL;
  if (in->author && !text_ok(in->author, DB_ARTICLE_AUTHOR_MAX, false))
    return -EINVAL;
  if (in->body_md && (strlen(in->body_md) > DB_ARTICLE_BODY_MAX || !g_utf8_validate(in->body_md, -1, NULL)))
    return -EINVAL;
  if (in->cover_url && *in->cover_url && !g_str_has_prefix(in->cover_url, "/images/"))
    return -EINVAL;  /* only pictures this server stored: no tracking pixels from elsewhere */
  if (in->has_window && in->publish_from && in->publish_until && in->publish_until <= in->publish_from)
    return -EINVAL;
  return 0;
}

static int step_done(sqlite3_stmt *st)
{
  int rc = sqlite3_step(st);
  sqlite3_finalize(st);
  if ((rc & 0xff) == SQLITE_CONSTRAINT)  /* extended result codes are on */
    return -EINVAL;
  return rc == SQLITE_DONE ? 0 : db_errno(rc);
}

static void bind_time(sqlite3_stmt *st, int i, gint64 t)
{
  if (t > 0)
    sqlite3_bind_int64(st, i, t);
  else
    sqlite3_bind_null(st, i);
}

/* Writes article ID's search row (none when it is deleted). */
static int index_article(Db *db, gint64 id)
{
  sqlite3_stmt *st = db_prepare(db, "DELETE FROM article_search WHERE rowid = ?1");
  if (!st)
    return -EIO;
  sqlite3_bind_int64(st, 1, id);
  int ret = step_done(st);
  if (ret < 0)
    return ret;
  st = db_prepare(db, "SELECT title, summary, body_md FROM article WHERE id = ?1 AND deleted_at IS NULL");
  if (!st)
    return -EIO;
  sqlite3_bind_int64(st, 1, id);
  int rc = sqlite3_step(st);
  if (rc != SQLITE_ROW) {
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : db_errno(rc);
  }
  char *cols[3];
  for (int i = 0; i < 3; i++)
    cols[i] = db_search_tokens(db_col_text(st, i));
  sqlite3_finalize(st);
  /* The row takes the article's id as rowid: newest matches first, as for videos. */
  st = db_prepare(db, "INSERT INTO article_search (rowid, article_id, title, summary, body) "
                      "VALUES (?1, ?1, ?2, ?3, ?4)");
  ret = -EIO;
  if (st) {
    sqlite3_bind_int64(st, 1, id);
    for (int i = 0; i < 3; i++)
      sqlite3_bind_text(st, 2 + i, cols[i], -1, SQLITE_TRANSIENT);
    ret = step_done(st);
  }
  for (int i = 0; i < 3; i++)
    g_free(cols[i]);
  return ret;
}

int db_article_create(Db *db, const ArticleInput *in, gint64 now, gint64 *id)
{
  int ret = check_input(in, true);
  if (ret < 0)
    return ret;
  g_autofree char *html = NULL;
  gint64 seconds = 0;
  const char *md = in->body_md ? in->body_md : "";
  ret = markdown_render(md, strlen(md), &html, &seconds);
  if (ret < 0)
    return ret;
  sqlite3_stmt *st = db_prepare(db,
      "INSERT INTO article (title, summary, body_md, body_html, read_seconds, cover_url, status, "
      "publish_from, publish_until, published_at, created_by, created_at, updated_at, author) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?12, ?13) RETURNING id");
  if (!st)
    return -EIO;
  sqlite3_bind_text(st, 1, in->title, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, in->summary ? in->summary : "", -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 3, md, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 4, html, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 5, seconds);
  if (in->cover_url && *in->cover_url)
    sqlite3_bind_text(st, 6, in->cover_url, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 7, in->publish ? "published" : "draft", -1, SQLITE_STATIC);
  bind_time(st, 8, in->has_window ? in->publish_from : 0);
  bind_time(st, 9, in->has_window ? in->publish_until : 0);
  bind_time(st, 10, in->publish ? now : 0);
  if (in->created_by)
    sqlite3_bind_text(st, 11, in->created_by, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 12, now);
  sqlite3_bind_text(st, 13, in->author ? in->author : "", -1, SQLITE_STATIC);
  int rc = sqlite3_step(st);
  if (rc == SQLITE_ROW)
    *id = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  if (rc != SQLITE_ROW)
    return (rc & 0xff) == SQLITE_CONSTRAINT ? -EINVAL : db_errno(rc);
  return index_article(db, *id);
}

static int exists(Db *db, gint64 id)
{
  sqlite3_stmt *st = db_prepare(db, "SELECT 1 FROM article WHERE id = ?1 AND deleted_at IS NULL");
  if (!st)
    return -EIO;
  sqlite3_bind_int64(st, 1, id);
  int rc = sqlite3_step(st);
  sqlite3_finalize(st);
  return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? -ENOENT : db_errno(rc);
}

int db_article_update(Db *db, gint64 id, const ArticleInput *in, gint64 now)
{
  int ret = check_input(in, false);
  if (ret == 0)
    ret = exists(db, id);
  if (ret < 0)
    return ret;
  g_autofree char *html = NULL;
  gint64 seconds = 0;
  if (in->body_md && (ret = markdown_render(in->body_md, strlen(in->body_md), &html, &seconds)) < 0)
    return ret;
  sqlite3_stmt *st = db_prepare(db,
      "UPDATE article SET title = coalesce(?2, title), summary = coalesce(?3, summary), "
      "body_md = coalesce(?4, body_md), body_html = coalesce(?5, body_html), "
      "read_seconds = CASE WHEN ?4 IS NULL THEN read_seconds ELSE ?6 END, "
      "cover_url = CASE WHEN ?7 IS NULL THEN cover_url WHEN ?7 = '' THEN NULL ELSE ?7 END, "
      "publish_from = CASE WHEN ?8 THEN ?9 ELSE publish_from END, "
      "publish_until = CASE WHEN ?8 THEN ?10 ELSE publish_until END, updated_at = ?11, "
      "author = coalesce(?12, author) WHERE id = ?1");
  if (!st)
    return -EIO;
  sqlite3_bind_int64(st, 1, id);
  if (in->title)
    sqlite3_bind_text(st, 2, in->title, -1, SQLITE_STATIC);
  if (in->summary)
    sqlite3_bind_text(st, 3, in->summary, -1, SQLITE_STATIC);
  if (in->body_md) {
    sqlite3_bind_text(st, 4, in->body_md, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, html, -1, SQLITE_STATIC);
  }
  sqlite3_bind_int64(st, 6, seconds);
  if (in->cover_url)
    sqlite3_bind_text(st, 7, in->cover_url, -1, SQLITE_STATIC);
  sqlite3_bind_int(st, 8, in->has_window);
  bind_time(st, 9, in->publish_from);
  bind_time(st, 10, in->publish_until);
  sqlite3_bind_int64(st, 11, now);
  if (in->author)
    sqlite3_bind_text(st, 12, in->author, -1, SQLITE_STATIC);
  ret = step_done(st);
  return ret < 0 ? ret : index_article(db, id);
}

int db_article_publish(Db *db, gint64 id, bool publish, gint64 now)
{
  int ret = exists(db, id);
  if (ret < 0)
    return ret;
  sqlite3_stmt *st = db_prepare(db,
      "UPDATE article SET status = ?2, updated_at = ?3, "
      "published_at = CASE WHEN ?2 = 'published' THEN coalesce(published_at, ?3) ELSE published_at END "
      "WHERE id = ?1");
  if (!st)
    return -EIO;
  sqlite3_bind_int64(st, 1, id);
  sqlite3_bind_text(st, 2, publish ? "published" : "draft", -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 3, now);
  return step_done(st);
}

int db_article_delete(Db *db, gint64 id, gint64 now)
{
  int ret = exists(db, id);
  if (ret < 0)
    return ret;
  sqlite3_stmt *st = db_prepare(db, "UPDATE article SET deleted_at = ?2, updated_at = ?2 WHERE id = ?1");
  if (!st)
    return -EIO;
  sqlite3_bind_int64(st, 1, id);
  sqlite3_bind_int64(st, 2, now);
  if ((ret = step_done(st)) < 0)
    return ret;
  st = db_prepare(db, "DELETE FROM topic_column_article WHERE article_id = ?1");
  if (!st)
    return -EIO;
  sqlite3_bind_int64(st, 1, id);
  if ((ret = step_done(st)) < 0)
    return ret;
  return index_article(db, id);
}

static gint64 col_time(sqlite3_stmt *st, int i)
{
  return sqlite3_column_type(st, i) == SQLITE_NULL ? 0 : sqlite3_column_int64(st, i);
}

static Article *article_from_row(sqlite3_stmt *st, gint64 now)
{
  Article *a = g_new0(Article, 1);
  a->id = sqlite3_column_int64(st, 0);
  a->title = g_strdup(db_col_text(st, 1));
  a->summary = g_strdup(db_col_text(st, 2));
  a->body_md = g_strdup(db_col_text(st, 3));
  a->body_html = g_strdup(db_col_text(st, 4));
  a->read_seconds = sqlite3_column_int64(st, 5);
  a->cover_url = sqlite3_column_type(st, 6) == SQLITE_NULL ? NULL : g_strdup(db_col_text(st, 6));
  a->published = !strcmp(db_col_text(st, 7), "published");
  a->publish_from = col_time(st, 8);
  a->publish_until = col_time(st, 9);
  a->published_at = col_time(st, 10);
  a->created_at = col_time(st, 11);
  a->updated_at = col_time(st, 12);
  a->author = g_strdup(db_col_text(st, 13));
  a->is_public = a->published && (!a->publish_from || a->publish_from <= now) &&
                 (!a->publish_until || now < a->publish_until);
  return a;
}

int db_article_get(Db *db, gint64 id, gint64 now, Article **out)
{
  *out = NULL;
  sqlite3_stmt *st = db_prepare(db, "SELECT " ARTICLE_COLS " FROM article WHERE id = ?1 AND deleted_at IS NULL");
  if (!st)
    return -EIO;
  sqlite3_bind_int64(st, 1, id);
  int rc = sqlite3_step(st);
  if (rc == SQLITE_ROW)
    *out = article_from_row(st, now);
  sqlite3_finalize(st);
  return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? -ENOENT : db_errno(rc);
}

void article_free(Article **a)
{
  if (!*a)
    return;
  g_free((*a)->title);
  g_free((*a)->summary);
  g_free((*a)->body_md);
  g_free((*a)->body_html);
  g_free((*a)->cover_url);
  g_free((*a)->author);
  g_clear_pointer(a, g_free);
}

/* json-glib has no _take setter: a small one. */
#define json_object_set_string_member_take(o, name, s) \
  do { char *s_ = (s); json_object_set_string_member((o), (name), s_); g_free(s_); } while (0)

static void add_time(JsonObject *o, const char *name, gint64 t)
{
  if (!t) {
    json_object_set_null_member(o, name);
    return;
  }
  GDateTime *dt = g_date_time_new_from_unix_utc(t);
  json_object_set_string_member_take(o, name, g_date_time_format_iso8601(dt));
  g_date_time_unref(dt);
}

JsonNode *article_json(const Article *a, bool with_body, bool editor)
{
  JsonObject *o = json_object_new();
  json_object_set_int_member(o, "id", a->id);
  json_object_set_string_member(o, "title", a->title);
  json_object_set_string_member(o, "summary", a->summary);
  if (a->cover_url)
    json_object_set_string_member(o, "cover_url", a->cover_url);
  else
    json_object_set_null_member(o, "cover_url");
  json_object_set_string_member(o, "author", a->author);
  json_object_set_int_member(o, "read_seconds", a->read_seconds);
  add_time(o, "published_at", a->published_at);
  add_time(o, "updated_at", a->updated_at);
  if (editor) {
    json_object_set_string_member(o, "status", a->published ? "published" : "draft");
    json_object_set_boolean_member(o, "public", a->is_public);
    add_time(o, "publish_from", a->publish_from);
    add_time(o, "publish_until", a->publish_until);
    add_time(o, "created_at", a->created_at);
  }
  if (with_body)
    json_object_set_string_member(o, "html", a->body_html);
  if (with_body && editor)
    json_object_set_string_member(o, "body", a->body_md);
  JsonNode *n = json_node_new(JSON_NODE_OBJECT);
  json_node_take_object(n, o);
  return n;
}

JsonNode *db_article_list_json(Db *db, const ArticleQuery *q, int *rc)
{
  g_autofree char *match = q->q && *q->q ? db_search_query(q->q) : NULL;
  if (q->q && *q->q && !match) {
    /* Nothing searchable in the text: no article matches. */
    JsonObject *o = json_object_new();
    json_object_set_array_member(o, "articles", json_array_new());
    json_object_set_int_member(o, "total", 0);
    JsonNode *n = json_node_new(JSON_NODE_OBJECT);
    json_node_take_object(n, o);
    *rc = 0;
    return n;
  }
  GString *sql = g_string_new("SELECT a.id, a.title, a.summary, '', '', a.read_seconds, a.cover_url, "
                              "a.status, a.publish_from, a.publish_until, a.published_at, a.created_at, "
                              "a.updated_at, a.author, ");
  g_string_append(sql, q->column_id > 0 ? "ca.position" : "NULL");
  g_string_append(sql, ", count(*) OVER () FROM article a ");
  if (q->column_id > 0)
    g_string_append(sql, "JOIN topic_column_article ca ON ca.article_id = a.id AND ca.column_id = :column ");
  g_string_append(sql, "WHERE a.deleted_at IS NULL AND (NOT :public OR " ARTICLE_PUBLIC ") ");
  if (match)
    g_string_append(sql, "AND a.id IN (SELECT rowid FROM article_search WHERE article_search MATCH :match "
                         "ORDER BY rowid DESC LIMIT 500) ");
  g_string_append(sql, q->column_id > 0 ? "ORDER BY ca.position, ca.seq, a.id "
                                        : "ORDER BY coalesce(a.published_at, a.created_at) DESC, a.id DESC ");
  g_string_append(sql, "LIMIT :limit OFFSET :offset");
  sqlite3_stmt *st = db_prepare(db, sql->str);
  g_string_free(sql, TRUE);
  if (!st) {
    *rc = -EIO;
    return NULL;
  }
#define BIND(name) sqlite3_bind_parameter_index(st, name)
  sqlite3_bind_int64(st, BIND(":now"), q->now);
  sqlite3_bind_int(st, BIND(":public"), q->public_only);
  if (q->column_id > 0)
    sqlite3_bind_int64(st, BIND(":column"), q->column_id);
  if (match)
    sqlite3_bind_text(st, BIND(":match"), match, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, BIND(":limit"), q->limit > 0 ? q->limit : 20);
  sqlite3_bind_int64(st, BIND(":offset"), q->offset);
#undef BIND
  JsonArray *arr = json_array_new();
  gint64 total = 0;
  int r;
  while ((r = sqlite3_step(st)) == SQLITE_ROW) {
    Article *a = article_from_row(st, q->now);
    JsonNode *n = article_json(a, false, !q->public_only);
    if (q->column_id > 0)
      json_object_set_int_member(json_node_get_object(n), "position", sqlite3_column_int64(st, 14));
    json_array_add_element(arr, n);
    total = sqlite3_column_int64(st, 15);
    article_free(&a);
  }
  sqlite3_finalize(st);
  if (r != SQLITE_DONE) {
    json_array_unref(arr);
    *rc = db_errno(r);
    return NULL;
  }
  if (total == 0 && q->offset > 0)
    total = -1; /* past the end: the window function saw no row; say so rather than 0 */
  JsonObject *o = json_object_new();
  json_object_set_array_member(o, "articles", arr);
  if (total >= 0)
    json_object_set_int_member(o, "total", total);
  else
    json_object_set_null_member(o, "total");
  JsonNode *n = json_node_new(JSON_NODE_OBJECT);
  json_node_take_object(n, o);
  *rc = 0;
  return n;
}

int db_article_place(Db *db, gint64 column, gint64 article, gint64 position, gint64 now)
{
  int ret = exists(db, article);
  if (ret < 0)
    return ret;
  /* Articles put at the same place keep the order they were put there in (seq). */
  sqlite3_stmt *st = db_prepare(db,
      "INSERT INTO topic_column_article (column_id, article_id, position, seq, added_at) "
      "VALUES (?1, ?2, ?3, (SELECT coalesce(max(seq), 0) + 1 FROM topic_column_article "
      "WHERE column_id = ?1 AND position = ?3), ?4) "
      "ON CONFLICT (column_id, article_id) DO UPDATE SET position = excluded.position, seq = excluded.seq");
  if (!st)
    return -EIO;
  sqlite3_bind_int64(st, 1, column);
  sqlite3_bind_int64(st, 2, article);
  sqlite3_bind_int64(st, 3, position < 0 ? 0 : position);
  sqlite3_bind_int64(st, 4, now);
  if ((ret = step_done(st)) < 0)
    return ret;
  st = db_prepare(db, "UPDATE topic_column SET updated_at = ?2 WHERE id = ?1");
  if (!st)
    return -EIO;
  sqlite3_bind_int64(st, 1, column);
  sqlite3_bind_int64(st, 2, now);
  return step_done(st);
}

int db_article_unplace(Db *db, gint64 column, gint64 article)
{
  sqlite3_stmt *st = db_prepare(db, "DELETE FROM topic_column_article WHERE column_id = ?1 AND article_id = ?2");
  if (!st)
    return -EIO;
  sqlite3_bind_int64(st, 1, column);
  sqlite3_bind_int64(st, 2, article);
  int ret = step_done(st);
  if (ret == 0 && sqlite3_changes(db->conn) == 0)
    ret = -ENOENT;
  return ret;
}

int db_article_read_get(Db *db, const char *member, gint64 article, ArticleRead *out)
{
  memset(out, 0, sizeof *out);
  sqlite3_stmt *st = db_cached(db, "SELECT credited, need, completed_at IS NOT NULL, points FROM article_read "
                                   "WHERE member_id = ?1 AND article_id = ?2");
  if (!st)
    return -EIO;
  sqlite3_bind_text(st, 1, member, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 2, article);
  int rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) {
    out->credited = sqlite3_column_int64(st, 0);
    out->need = sqlite3_column_int64(st, 1);
    out->completed = sqlite3_column_int(st, 2) != 0;
    out->points = sqlite3_column_int64(st, 3);
  }
  sqlite3_reset(st);
  return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : db_errno(rc);
}

int db_article_read_save(Db *db, const char *member, gint64 article, const ArticleRead *r, gint64 now)
{
  /* completed_at is set once: a later save never moves it or unsets it. */
  sqlite3_stmt *st = db_cached(db,
      "INSERT INTO article_read (member_id, article_id, credited, need, completed_at, points, updated_at) "
      "VALUES (?1, ?2, ?3, ?4, CASE WHEN ?5 THEN ?7 END, ?6, ?7) "
      "ON CONFLICT (member_id, article_id) DO UPDATE SET credited = excluded.credited, "
      "completed_at = coalesce(completed_at, excluded.completed_at), points = excluded.points, "
      "updated_at = excluded.updated_at");
  if (!st)
    return -EIO;
  sqlite3_bind_text(st, 1, member, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 2, article);
  sqlite3_bind_int64(st, 3, r->credited);
  sqlite3_bind_int64(st, 4, r->need);
  sqlite3_bind_int(st, 5, r->completed);
  sqlite3_bind_int64(st, 6, r->points);
  sqlite3_bind_int64(st, 7, now);
  int rc = sqlite3_step(st);
  sqlite3_reset(st);
  return rc == SQLITE_DONE ? 0 : db_errno(rc);
}

int db_article_search_sync(Db *db)
{
  sqlite3_stmt *st = db_prepare(db,
      "SELECT (SELECT count(*) FROM article WHERE deleted_at IS NULL) = (SELECT count(*) FROM article_search) "
      "AND NOT EXISTS (SELECT 1 FROM article_search s LEFT JOIN article a ON a.id = s.rowid "
      "AND a.deleted_at IS NULL WHERE a.id IS NULL)");
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
  st = db_prepare(db, "DELETE FROM article_search");
  ret = st ? step_done(st) : -EIO;
  GArray *ids = g_array_new(FALSE, FALSE, sizeof(gint64));
  st = ret == 0 ? db_prepare(db, "SELECT id FROM article WHERE deleted_at IS NULL") : NULL;
  while (st && sqlite3_step(st) == SQLITE_ROW) {
    gint64 id = sqlite3_column_int64(st, 0);
    g_array_append_val(ids, id);
  }
  sqlite3_finalize(st);
  for (guint i = 0; i < ids->len && ret == 0; i++)
    ret = index_article(db, g_array_index(ids, gint64, i));
  if (ret == 0)
    ret = db_commit(db);
  if (ret < 0)
    db_rollback(db);
  else
    log_info("db", "article search index rebuilt for %u articles", ids->len);
  g_array_unref(ids);
  return ret;
}
