/* vote_contest: a members' vote — rules, window, items, and its life draft → open → closed. */
#include "club/vote_contest.h"
#include "club/vote_tally.h"
#include "core/util.h"
#include "points/points.h"

#include <errno.h>
#include <string.h>

#define CONTEST_COLS                                                                          \
  "id, title, description, time_zone, opens_at, closes_at, votes_per_day, tally, "           \
  "tally_interval, state, result, result_sha256, closed_at, created_by, created_at, updated_at"

static VoteContest *from_row(sqlite3_stmt *st)
{
  VoteContest *c = g_new0(VoteContest, 1);
  c->id = sqlite3_column_int64(st, 0);
  c->title = g_strdup(db_col_text(st, 1));
  c->description = g_strdup(db_col_text(st, 2));
  c->time_zone = g_strdup(db_col_text(st, 3));
  c->opens_at = sqlite3_column_int64(st, 4);
  c->closes_at = sqlite3_column_int64(st, 5);
  c->votes_per_day = sqlite3_column_int64(st, 6);
  c->tally = g_strdup(db_col_text(st, 7));
  c->tally_interval = sqlite3_column_int64(st, 8);
  c->state = g_strdup(db_col_text(st, 9));
  c->result = g_strdup(db_col_text(st, 10));
  c->result_sha256 = g_strdup(db_col_text(st, 11));
  c->closed_at = sqlite3_column_int64(st, 12);
  c->created_by = g_strdup(db_col_text(st, 13));
  c->created_at = sqlite3_column_int64(st, 14);
  c->updated_at = sqlite3_column_int64(st, 15);
  return c;
}

int vote_contest_check(const VoteContest *c, const char **why)
{
  static const char *const modes[] = {"live", "delayed", "final", NULL};
  *why = NULL;
  GTimeZone *tz = c->time_zone ? g_time_zone_new_identifier(c->time_zone) : NULL;
  if (!c->title || !c->title[0])
    *why = "a title is required";
  else if (!tz)
    *why = "time_zone must be a known zone such as Asia/Shanghai";
  else if (c->opens_at <= 0 || c->closes_at <= c->opens_at)
    *why = "closes_at must come after opens_at";
  else if (c->votes_per_day < 1 || c->votes_per_day > 1000)
    *why = "votes_per_day must be 1..1000";
  else if (!c->tally || !g_strv_contains(modes, c->tally))
    *why = "tally must be live, delayed or final";
  else if (c->tally_interval < 60 || c->tally_interval > 86400)
    *why = "tally_interval must be 60..86400 seconds";
  if (tz)
    g_time_zone_unref(tz);
  return *why ? -EINVAL : 0;
}

int vote_contest_save(Db *db, VoteContest *c, gint64 now)
{
  bool create = c->id == 0;
  sqlite3_stmt *st = db_prepare(db, create
      ? "INSERT INTO vote_contest (title, description, time_zone, opens_at, closes_at, "
        "votes_per_day, tally, tally_interval, created_by, created_at, updated_at) "
        "VALUES (?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11)"
      : "UPDATE vote_contest SET title = ?2, description = ?3, time_zone = ?4, opens_at = ?5, "
        "closes_at = ?6, votes_per_day = ?7, tally = ?8, tally_interval = ?9, updated_at = ?11 "
        "WHERE id = ?1");
  if (!st)
    return -EIO;
  if (!create)
    sqlite3_bind_int64(st, 1, c->id);
  sqlite3_bind_text(st, 2, c->title, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 3, c->description ? c->description : "", -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 4, c->time_zone, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 5, c->opens_at);
  sqlite3_bind_int64(st, 6, c->closes_at);
  sqlite3_bind_int64(st, 7, c->votes_per_day);
  sqlite3_bind_text(st, 8, c->tally, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 9, c->tally_interval);
  if (create)
    sqlite3_bind_text(st, 10, c->created_by ? c->created_by : "", -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 11, now);
  int rc = sqlite3_step(st);
  sqlite3_finalize(st);
  if (rc != SQLITE_DONE)
    return db_errno(rc);
  if (create) {
    c->id = sqlite3_last_insert_rowid(db->conn);
    c->created_at = now;
    g_free(c->state);
    c->state = g_strdup("draft");
  } else if (sqlite3_changes(db->conn) == 0) {
    return -ENOENT;
  }
  c->updated_at = now;
  return 0;
}

int vote_contest_get(Db *db, gint64 id, VoteContest **out)
{
  sqlite3_stmt *st = db_cached(db, "SELECT " CONTEST_COLS " FROM vote_contest WHERE id = ?1");
  if (!st)
    return -EIO;
  sqlite3_bind_int64(st, 1, id);
  int rc = sqlite3_step(st);
  int ret = rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? -ENOENT : db_errno(rc);
  if (ret == 0)
    *out = from_row(st);
  sqlite3_reset(st);
  return ret;
}

static void contest_free1(gpointer p)
{
  VoteContest *c = p;
  vote_contest_free(&c);
}

int vote_contest_list(Db *db, bool all, GPtrArray **out)
{
  sqlite3_stmt *st = db_prepare(db, "SELECT " CONTEST_COLS " FROM vote_contest "
                                "WHERE ?1 OR state != 'draft' ORDER BY opens_at DESC, id DESC");
  if (!st)
    return -EIO;
  sqlite3_bind_int(st, 1, all);
  GPtrArray *a = g_ptr_array_new_with_free_func(contest_free1);
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW)
    g_ptr_array_add(a, from_row(st));
  sqlite3_finalize(st);
  if (rc != SQLITE_DONE) {
    g_ptr_array_unref(a);
    return db_errno(rc);
  }
  *out = a;
  return 0;
}

int vote_contest_items(Db *db, gint64 id, GPtrArray **out)
{
  sqlite3_stmt *st = db_cached(db, "SELECT i.item_kind, i.item_id, i.position, "
                               "coalesce(v.title, a.title, s.title), coalesce(v.poster, a.cover_url, s.preview_url) "
                               "FROM vote_item i LEFT JOIN video v ON i.item_kind = 'video' AND v.id = i.item_id "
                               "LEFT JOIN article a ON i.item_kind = 'article' AND a.id = CAST(i.item_id AS INTEGER) "
                               "LEFT JOIN submission s ON i.item_kind = 'submission' AND s.id = i.item_id "
                               "WHERE i.contest_id = ?1 ORDER BY i.position");
  if (!st)
    return -EIO;
  sqlite3_bind_int64(st, 1, id);
  GPtrArray *a = g_ptr_array_new_with_free_func((GDestroyNotify)vote_item_free);
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    VoteItem *it = vote_item_new(db_col_text(st, 0), db_col_text(st, 1));
    it->position = sqlite3_column_int64(st, 2);
    it->title = g_strdup(db_col_text(st, 3));
    const char *poster = db_col_text(st, 4);
    /* As the catalog shows it: a replaced poster is under /images/, a generated one beside
     * the video's HLS files. */
    if (poster)
      it->poster_url = poster[0] == '/' ? g_strdup(poster) : g_strdup_printf("/hls/%s/%s", it->id, poster);
    g_ptr_array_add(a, it);
  }
  sqlite3_reset(st);
  if (rc != SQLITE_DONE) {
    g_ptr_array_unref(a);
    return db_errno(rc);
  }
  *out = a;
  return 0;
}

int vote_contest_set_items(Db *db, gint64 id, GPtrArray *items, guint *bad)
{
  *bad = 0;
  GHashTable *seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  int ret = 0;
  for (guint i = 0; ret == 0 && i < items->len; i++) {
    VoteItem *it = items->pdata[i];
    char *key = g_strconcat(it->kind, ":", it->id, NULL);
    /* A video, a published article (its number) or an accepted submission, each once. */
    bool article = strcmp(it->kind, "article") == 0;
    bool known = strcmp(it->kind, "video") == 0 || strcmp(it->kind, "submission") == 0 ||
                 (article && it->id[0] && strspn(it->id, "0123456789") == strlen(it->id) && strlen(it->id) <= 18);
    if (!known || g_hash_table_contains(seen, key)) {
      *bad = i;
      ret = -EINVAL;
    }
    g_hash_table_add(seen, key);
  }
  g_hash_table_unref(seen);
  if (ret < 0)
    return ret;
  sqlite3_stmt *exists = db_prepare(db,
      "SELECT 1 FROM video WHERE ?2 = 'video' AND id = ?1 AND deleted_at IS NULL "
      "UNION ALL SELECT 1 FROM article WHERE ?2 = 'article' AND id = CAST(?1 AS INTEGER) "
      "AND deleted_at IS NULL AND status = 'published' "
      "UNION ALL SELECT 1 FROM submission WHERE ?2 = 'submission' AND id = ?1 AND state = 'accepted'");
  sqlite3_stmt *del = db_prepare(db, "DELETE FROM vote_item WHERE contest_id = ?1");
  sqlite3_stmt *ins = db_prepare(db, "INSERT INTO vote_item (contest_id, item_kind, item_id, position) "
                                 "VALUES (?1, ?2, ?3, ?4)");
  if (!exists || !del || !ins) {
    ret = -EIO;
    goto out;
  }
  for (guint i = 0; ret == 0 && i < items->len; i++) {
    VoteItem *it = items->pdata[i];
    sqlite3_reset(exists);
    sqlite3_bind_text(exists, 1, it->id, -1, SQLITE_STATIC);
    sqlite3_bind_text(exists, 2, it->kind, -1, SQLITE_STATIC);
    int rc = sqlite3_step(exists);
    if (rc == SQLITE_DONE) {
      *bad = i;
      ret = -ENOENT;
    } else if (rc != SQLITE_ROW) {
      ret = db_errno(rc);
    }
  }
  if (ret < 0)
    goto out;
  sqlite3_bind_int64(del, 1, id);
  int rc = sqlite3_step(del);
  if (rc != SQLITE_DONE) {
    ret = db_errno(rc);
    goto out;
  }
  for (guint i = 0; ret == 0 && i < items->len; i++) {
    VoteItem *it = items->pdata[i];
    it->position = i;
    sqlite3_reset(ins);
    sqlite3_bind_int64(ins, 1, id);
    sqlite3_bind_text(ins, 2, it->kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(ins, 3, it->id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(ins, 4, i);
    rc = sqlite3_step(ins);
    if (rc != SQLITE_DONE)
      ret = db_errno(rc);
  }
out:
  sqlite3_finalize(exists);
  sqlite3_finalize(del);
  sqlite3_finalize(ins);
  return ret;
}

/* Moves C to STATE (from FROM) at NOW, with the result when closing. */
static int set_state(Db *db, VoteContest *c, const char *from, const char *state, gint64 now,
                     const char *result, const char *sha)
{
  sqlite3_stmt *st = db_prepare(db, "UPDATE vote_contest SET state = ?2, updated_at = ?4, "
                                "result = coalesce(?5, result), result_sha256 = coalesce(?6, result_sha256), "
                                "closed_at = CASE WHEN ?2 = 'closed' THEN ?4 ELSE closed_at END "
                                "WHERE id = ?1 AND state = ?3");
  if (!st)
    return -EIO;
  sqlite3_bind_int64(st, 1, c->id);
  sqlite3_bind_text(st, 2, state, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 3, from, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 4, now);
  sqlite3_bind_text(st, 5, result, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 6, sha, -1, SQLITE_STATIC);
  int rc = sqlite3_step(st);
  sqlite3_finalize(st);
  if (rc != SQLITE_DONE)
    return db_errno(rc);
  if (sqlite3_changes(db->conn) == 0)
    return -EALREADY;
  g_free(c->state);
  c->state = g_strdup(state);
  c->updated_at = now;
  return 0;
}

int vote_contest_open(Db *db, VoteContest *c, gint64 now)
{
  if (strcmp(c->state, "draft") != 0)
    return -EALREADY;
  if (c->closes_at <= now)
    return -ERANGE;
  GPtrArray *items = NULL;
  int ret = vote_contest_items(db, c->id, &items);
  if (ret < 0)
    return ret;
  guint n = items->len;
  g_ptr_array_unref(items);
  if (n == 0)
    return -ENODATA;
  return set_state(db, c, "draft", "open", now, NULL, NULL);
}

int vote_contest_close(Db *db, VoteContest *c, gint64 now)
{
  if (strcmp(c->state, "open") != 0)
    return -EALREADY;
  /* Counted inside the caller's transaction: no vote can land between the count and the
   * state change, so the published hash is the log's as it stands closed. */
  VoteTally *t = NULL;
  int ret = vote_tally_count(db, c->id, 0, &t);
  if (ret < 0)
    return ret;
  char *text = vote_tally_canonical(t);
  char *sha = vote_tally_sha256(text);
  vote_tally_free(&t);
  ret = set_state(db, c, "open", "closed", now, text, sha);
  if (ret == 0) {
    g_free(c->result);
    g_free(c->result_sha256);
    c->result = text;
    c->result_sha256 = sha;
    c->closed_at = now;
    text = sha = NULL;
  }
  g_free(text);
  g_free(sha);
  return ret;
}

bool vote_contest_accepting(const VoteContest *c, gint64 now)
{
  return strcmp(c->state, "open") == 0 && now >= c->opens_at && now < c->closes_at;
}

char *vote_contest_day(const VoteContest *c, gint64 t)
{
  GTimeZone *tz = g_time_zone_new_identifier(c->time_zone);
  if (!tz)
    tz = g_time_zone_new_utc();
  char *day = points_zone_day(tz, t);
  g_time_zone_unref(tz);
  return day;
}

static void add_time(JsonObject *o, const char *name, gint64 t)
{
  if (t) {
    char *s = util_iso8601(t);
    json_object_set_string_member(o, name, s);
    g_free(s);
  } else {
    json_object_set_null_member(o, name);
  }
}

JsonNode *vote_contest_json(const VoteContest *c)
{
  JsonObject *o = json_object_new();
  json_object_set_int_member(o, "id", c->id);
  json_object_set_string_member(o, "title", c->title);
  json_object_set_string_member(o, "description", c->description ? c->description : "");
  json_object_set_string_member(o, "time_zone", c->time_zone);
  add_time(o, "opens_at", c->opens_at);
  add_time(o, "closes_at", c->closes_at);
  json_object_set_int_member(o, "votes_per_day", c->votes_per_day);
  json_object_set_string_member(o, "tally", c->tally);
  json_object_set_int_member(o, "tally_interval", c->tally_interval);
  json_object_set_string_member(o, "state", c->state);
  add_time(o, "closed_at", c->closed_at);
  JsonNode *n = json_node_new(JSON_NODE_OBJECT);
  json_node_take_object(n, o);
  return n;
}

void vote_contest_free(VoteContest **c)
{
  if (!c || !*c)
    return;
  VoteContest *x = *c;
  g_free(x->title);
  g_free(x->description);
  g_free(x->time_zone);
  g_free(x->tally);
  g_free(x->state);
  g_free(x->result);
  g_free(x->result_sha256);
  g_free(x->created_by);
  g_free(x);
  *c = NULL;
}

VoteItem *vote_item_new(const char *kind, const char *id)
{
  VoteItem *it = g_new0(VoteItem, 1);
  it->kind = g_strdup(kind);
  it->id = g_strdup(id);
  return it;
}

void vote_item_free(VoteItem *it)
{
  if (!it)
    return;
  g_free(it->kind);
  g_free(it->id);
  g_free(it->title);
  g_free(it->poster_url);
  g_free(it);
}
