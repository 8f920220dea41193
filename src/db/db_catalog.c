/* db_catalog: the catalog's generation (bumped by commits that wrote catalog tables) and the
 * next instant the clock changes it; see db_catalog.h. */
#include "db/db_catalog.h"
#include "core/log.h"

#include <errno.h>
#include <string.h>

struct DbCatalog {
  Db *db;
  guint64 generation;
  bool dirty;               /* the open transaction wrote a catalog table */
  gint64 data_version;      /* last PRAGMA data_version seen (other connections' commits) */
  guint64 next_generation;  /* the generation next_at was computed at */
  gint64 next_from, next_at; /* the first instant after next_from (0: none) */
  bool next_known;
};

/* Tables whose rows public answers read. Changes anywhere else (watch progress, ledger,
 * jobs' progress, members, audit) leave the catalog as it was. */
static const char *const catalog_tables[] = {
  "video", "rendition", "chapter", "topic_column", "topic_column_item", "category",
  "video_state_log", NULL,
};

static bool is_catalog_table(const char *table)
{
  for (int i = 0; catalog_tables[i]; i++)
    if (strcmp(table, catalog_tables[i]) == 0)
      return true;
  /* The FTS5 index writes its shadow tables (video_search_data, …). */
  return strncmp(table, "video_search", 12) == 0;
}

static void on_update(void *user, int op, const char *dbname, const char *table, sqlite3_int64 rowid)
{
  (void)op;
  (void)dbname;
  (void)rowid;
  DbCatalog *w = user;
  if (!w->dirty && is_catalog_table(table))
    w->dirty = true;
}

/* Runs just before the commit is made; nothing else runs on this thread in between, and a
 * commit that then fails only costs a needless refill. */
static int on_commit(void *user)
{
  DbCatalog *w = user;
  if (w->dirty) {
    w->generation++;
    w->dirty = false;
  }
  return 0;
}

static void on_rollback(void *user)
{
  DbCatalog *w = user;
  w->dirty = false;
}

static int read_data_version(DbCatalog *w, gint64 *out)
{
  sqlite3_stmt *st = db_cached(w->db, "PRAGMA data_version");
  if (!st)
    return -EIO;
  int rc = sqlite3_step(st);
  if (rc == SQLITE_ROW)
    *out = sqlite3_column_int64(st, 0);
  sqlite3_reset(st);
  return rc == SQLITE_ROW ? 0 : db_errno(rc);
}

int db_catalog_new(Db *db, DbCatalog **out)
{
  DbCatalog *w = g_new0(DbCatalog, 1);
  w->db = db;
  w->generation = 1;
  if (read_data_version(w, &w->data_version) < 0) {
    g_free(w);
    return -EIO;
  }
  sqlite3_update_hook(db->conn, on_update, w);
  sqlite3_commit_hook(db->conn, on_commit, w);
  sqlite3_rollback_hook(db->conn, on_rollback, w);
  *out = w;
  return 0;
}

void db_catalog_free(DbCatalog **pw)
{
  DbCatalog *w = *pw;
  if (!w)
    return;
  sqlite3_update_hook(w->db->conn, NULL, NULL);
  sqlite3_commit_hook(w->db->conn, NULL, NULL);
  sqlite3_rollback_hook(w->db->conn, NULL, NULL);
  g_free(w);
  *pw = NULL;
}

guint64 db_catalog_generation(DbCatalog *w)
{
  gint64 v = 0;
  /* Inside a transaction the version is this connection's snapshot; it is read again after. */
  if (sqlite3_get_autocommit(w->db->conn) && read_data_version(w, &v) == 0 && v != w->data_version) {
    w->data_version = v;
    w->generation++;
  }
  return w->generation;
}

bool db_catalog_in_transaction(DbCatalog *w)
{
  return !sqlite3_get_autocommit(w->db->conn);
}

int db_catalog_next_change(DbCatalog *w, gint64 now, gint64 *at)
{
  guint64 gen = db_catalog_generation(w);
  if (w->next_known && w->next_generation == gen && now >= w->next_from &&
      (w->next_at == 0 || now < w->next_at)) {
    *at = w->next_at;
    return 0;
  }
  sqlite3_stmt *st = db_cached(w->db,
      "SELECT min(t) FROM ("
      "SELECT min(publish_at) AS t FROM video WHERE publish_at > ?1 "
      "UNION ALL SELECT min(publish_from) FROM topic_column WHERE publish_from > ?1 "
      "UNION ALL SELECT min(publish_until) FROM topic_column WHERE publish_until > ?1)");
  if (!st)
    return -EIO;
  sqlite3_bind_int64(st, 1, now);
  int rc = sqlite3_step(st);
  gint64 t = rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL ? sqlite3_column_int64(st, 0) : 0;
  sqlite3_reset(st);
  if (rc != SQLITE_ROW) {
    log_warn("db", "could not read the catalog's next publish time: %s", sqlite3_errmsg(w->db->conn));
    return db_errno(rc);
  }
  w->next_known = true;
  w->next_generation = gen;
  w->next_from = now;
  w->next_at = t;
  *at = t;
  return 0;
}
