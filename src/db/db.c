/* db: the SQLite database — open, pragmas, migrations compiled from schemas/sql. */
#include "db/db.h"
#include "core/log.h"
#include "core/util.h"

#include <errno.h>
#include <gio/gio.h>
#include <stdlib.h>
#include <string.h>

#define MIGRATIONS_PATH "/lectern/sql"
#define BUSY_TIMEOUT_MS 5000

typedef struct {
  int number;
  char *name;
} Migration;

static int migration_cmp(const void *a, const void *b)
{
  return ((const Migration *)a)->number - ((const Migration *)b)->number;
}

/* Lists the compiled-in migrations sorted by number. Returns the count. */
static int list_migrations(Migration **out)
{
  char **names = g_resources_enumerate_children(MIGRATIONS_PATH, 0, NULL);
  int n = names ? (int)g_strv_length(names) : 0;
  Migration *m = g_new0(Migration, n > 0 ? n : 1);
  int count = 0;
  for (int i = 0; i < n; i++) {
    int num = atoi(names[i]);
    if (num <= 0 || !g_str_has_suffix(names[i], ".sql"))
      continue;
    m[count].number = num;
    m[count].name = g_strdup(names[i]);
    count++;
  }
  g_strfreev(names);
  qsort(m, (size_t)count, sizeof *m, migration_cmp);
  /* Numbers are handed out to pieces of work in parallel, so a later number can land before
   * an earlier one: a missing number is an empty step (name NULL), which keeps position i
   * as version i + 1. A number given twice is a build error. */
  int latest = count ? m[count - 1].number : 0;
  Migration *full = g_new0(Migration, latest > 0 ? latest : 1);
  for (int i = 0; i < count; i++) {
    g_assert(!full[m[i].number - 1].name);
    full[m[i].number - 1] = m[i];
  }
  for (int i = 0; i < latest; i++)
    full[i].number = i + 1;
  g_free(m);
  *out = full;
  return latest;
}

static void free_migrations(Migration *m, int count)
{
  for (int i = 0; i < count; i++)
    g_free(m[i].name);
  g_free(m);
}

int db_schema_latest(void)
{
  Migration *m;
  int n = list_migrations(&m);
  free_migrations(m, n);
  return n;
}

int db_errno(int rc)
{
  switch (rc & 0xff) {
  case SQLITE_OK:
  case SQLITE_DONE:
  case SQLITE_ROW:
    return 0;
  case SQLITE_CONSTRAINT:
    return -EEXIST;
  case SQLITE_BUSY:
  case SQLITE_LOCKED:
    return -EBUSY;
  case SQLITE_NOTADB:
    return -ENOTSUP;
  case SQLITE_FULL:
    return -ENOSPC;
  default:
    return -EIO;
  }
}

int db_constraint_errno(Db *db, int rc, int fk_errno, int other_errno)
{
  if ((rc & 0xff) != SQLITE_CONSTRAINT)
    return db_errno(rc);
  switch (sqlite3_extended_errcode(db->conn)) {
  case SQLITE_CONSTRAINT_UNIQUE:
  case SQLITE_CONSTRAINT_PRIMARYKEY:
    return -EEXIST;
  case SQLITE_CONSTRAINT_CHECK:
  case SQLITE_CONSTRAINT_NOTNULL:
    return -EINVAL;
  case SQLITE_CONSTRAINT_FOREIGNKEY:
    return fk_errno;
  default:
    return other_errno;
  }
}

int db_step_done(Db *db, sqlite3_stmt *st, int fk_errno, int other_errno)
{
  int rc = sqlite3_step(st);
  int ret = rc == SQLITE_DONE ? 0 : db_constraint_errno(db, rc, fk_errno, other_errno);
  sqlite3_reset(st);
  return ret;
}

sqlite3_stmt *db_prepare(Db *db, const char *sql)
{
  sqlite3_stmt *st = NULL;
  int rc = sqlite3_prepare_v2(db->conn, sql, -1, &st, NULL);
  if (rc != SQLITE_OK) {
    log_error("db", "prepare failed: %s: %s", sqlite3_errmsg(db->conn), sql);
    return NULL;
  }
  return st;
}

static void finalize_stmt(gpointer st)
{
  sqlite3_finalize(st);
}

sqlite3_stmt *db_cached(Db *db, const char *sql)
{
  if (!db->cached)
    db->cached = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, finalize_stmt);
  sqlite3_stmt *st = g_hash_table_lookup(db->cached, sql);
  if (st) {
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return st;
  }
  int rc = sqlite3_prepare_v3(db->conn, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL);
  if (rc != SQLITE_OK) {
    log_error("db", "prepare failed: %s: %s", sqlite3_errmsg(db->conn), sql);
    return NULL;
  }
  g_hash_table_insert(db->cached, (gpointer)sql, st);
  return st;
}

int db_schema_version(Db *db)
{
  sqlite3_stmt *st = NULL;
  int rc = sqlite3_prepare_v2(db->conn, "PRAGMA user_version", -1, &st, NULL);
  if (rc != SQLITE_OK)
    return db_errno(rc);
  rc = sqlite3_step(st);
  int v = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : db_errno(rc);
  sqlite3_finalize(st);
  return v;
}

static int exec(Db *db, const char *sql, char **err)
{
  char *msg = NULL;
  int rc = sqlite3_exec(db->conn, sql, NULL, NULL, &msg);
  if (rc != SQLITE_OK) {
    if (err)
      *err = g_strdup_printf("%s: %s", db->path, msg ? msg : sqlite3_errstr(rc));
    sqlite3_free(msg);
    return db_errno(rc);
  }
  return 0;
}

/* Transactions nest: the outermost is BEGIN IMMEDIATE, inner ones are savepoints, so a
 * function that needs atomicity can open one whether or not its caller already has. */
int db_begin(Db *db)
{
  db->commit_failed = false;
  int ret = exec(db, db->depth ? "SAVEPOINT nested" : "BEGIN IMMEDIATE", NULL);
  if (ret == 0)
    db->depth++;
  return ret;
}

/* Rolls back the innermost open transaction. When SQLite has already rolled the whole
 * transaction back itself (it may, after SQLITE_FULL or an I/O error), none is left open. */
static void rollback_level(Db *db)
{
  if (sqlite3_get_autocommit(db->conn)) {
    db->depth = 0;
    return;
  }
  if (db->depth > 1) {
    exec(db, "ROLLBACK TO nested", NULL);
    exec(db, "RELEASE nested", NULL);
    db->depth--;
  } else if (db->depth == 1) {
    exec(db, "ROLLBACK", NULL);
    db->depth = 0;
  }
  if (sqlite3_get_autocommit(db->conn))
    db->depth = 0;
}

int db_commit(Db *db)
{
  char *err = NULL;
  int ret = exec(db, db->depth > 1 ? "RELEASE nested" : "COMMIT", &err);
  if (ret == 0) {
    if (db->depth > 0)
      db->depth--;
    db->commit_failed = false;
    return 0;
  }
  /* A refused commit (a full disk) must not leave its transaction open: every later one would
   * nest inside it as a savepoint, "commit" and be acknowledged, and never reach the disk. */
  if (ret != -ENOSPC) {
    log_error("db", "commit failed, rolled back: %s", err);
  } else {
    /* While the disk stays full every commit fails: said once a minute, with the count. */
    static gint64 said_at;
    static guint since;
    gint64 now = g_get_monotonic_time();
    since++;
    if (!said_at || now - said_at >= 60 * G_USEC_PER_SEC) {
      log_error("db", "the disk is full: %u commit(s) refused and rolled back%s (%s)", since,
                said_at ? " in the last minute" : "", err);
      said_at = now;
      since = 0;
    }
  }
  g_free(err);
  rollback_level(db);
  db->commit_failed = true;
  return ret;
}

void db_rollback(Db *db)
{
  if (db->commit_failed) {
    db->commit_failed = false; /* db_commit rolled back already */
    return;
  }
  if (db->depth == 0) {
    exec(db, "ROLLBACK", NULL); /* a transaction opened by SQL text, if any */
    return;
  }
  rollback_level(db);
}

int db_migrate(Db *db, int target, char **err)
{
  Migration *m;
  int count = list_migrations(&m);
  int ret = 0;
  if (target <= 0 || target > count)
    target = count;

  int current = db_schema_version(db);
  if (current < 0) {
    ret = current;
    if (err)
      *err = g_strdup_printf("%s: cannot read schema version: %s", db->path,
                             sqlite3_errmsg(db->conn));
    goto out;
  }
  for (int i = current; i < target; i++) {
    char *sql = g_strdup("");
    if (m[i].name) {
      char *rpath = g_strdup_printf(MIGRATIONS_PATH "/%s", m[i].name);
      GBytes *bytes = g_resources_lookup_data(rpath, 0, NULL);
      g_free(rpath);
      g_assert(bytes);
      g_free(sql);
      sql = g_strndup(g_bytes_get_data(bytes, NULL), g_bytes_get_size(bytes));
      g_bytes_unref(bytes);
    }
    /* PRAGMA takes no bound parameters; the number is our own migration's. */
    char *bump = g_strdup_printf("PRAGMA user_version = %d", m[i].number);

    ret = db_begin(db);
    if (ret == 0)
      ret = exec(db, sql, err);
    if (ret == 0)
      ret = exec(db, bump, err);
    if (ret == 0)
      ret = db_commit(db);
    g_free(sql);
    g_free(bump);
    if (ret < 0) {
      db_rollback(db);
      if (err && !*err)
        *err = g_strdup_printf("%s: migration %d failed", db->path, m[i].number);
      log_error("db", "migration %d failed; database left at version %d", m[i].number, i);
      goto out;
    }
    log_info("db", "applied migration %s", m[i].name ? m[i].name : "(number not taken yet)");
  }
out:
  free_migrations(m, count);
  return ret;
}

int db_open(const char *path, int target, Db **out, char **err)
{
  Db *db = g_new0(Db, 1);
  db->path = g_strdup(path);
  int ret = 0;

  int rc = sqlite3_open_v2(path, &db->conn,
                           SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
  if (rc != SQLITE_OK) {
    *err = g_strdup_printf("%s: cannot open database: %s", path,
                           db->conn ? sqlite3_errmsg(db->conn) : sqlite3_errstr(rc));
    ret = -EIO;
    goto fail;
  }
  sqlite3_extended_result_codes(db->conn, 1);
  sqlite3_busy_timeout(db->conn, BUSY_TIMEOUT_MS);

  /* Read-only checks first: nothing is written to a file we will refuse. */
  int version = db_schema_version(db);
  if (version == -ENOTSUP) {
    *err = g_strdup_printf("%s: file is not an SQLite database; refusing to touch it", path);
    ret = -ENOTSUP;
    goto fail;
  }
  if (version < 0) {
    *err = g_strdup_printf("%s: cannot read database: %s", path, sqlite3_errmsg(db->conn));
    ret = version;
    goto fail;
  }
  int latest = db_schema_latest();
  if (version > latest) {
    *err = g_strdup_printf("%s: database schema version %d is newer than this lectern "
                           "understands (%d); upgrade lectern — the file was not changed",
                           path, version, latest);
    ret = -EPROTO;
    goto fail;
  }

  if ((ret = exec(db, "PRAGMA journal_mode = WAL", err)) < 0 ||
      (ret = exec(db, "PRAGMA foreign_keys = ON", err)) < 0 ||
      (ret = exec(db, "PRAGMA synchronous = FULL", err)) < 0 ||
      (ret = exec(db, "PRAGMA journal_size_limit = " G_STRINGIFY(DB_WAL_LIMIT), err)) < 0)
    goto fail;

  if ((ret = db_migrate(db, target, err)) < 0)
    goto fail;

  *out = db;
  return 0;
fail:
  db_close(&db);
  return ret;
}

void db_close(Db **pdb)
{
  if (!pdb || !*pdb)
    return;
  Db *db = *pdb;
  if (db->cached)
    g_hash_table_destroy(db->cached);
  if (db->conn) {
    int rc = sqlite3_close(db->conn);
    if (rc != SQLITE_OK)
      log_error("db", "close: %s (an unfinalized statement?)", sqlite3_errstr(rc));
  }
  g_free(db->path);
  g_free(db);
  *pdb = NULL;
}

const char *db_col_text(sqlite3_stmt *st, int i)
{
  const unsigned char *t = sqlite3_column_text(st, i);
  return t ? (const char *)t : NULL;
}

int db_strv(sqlite3_stmt *st, gboolean (*keep)(const char *text), char ***out)
{
  GPtrArray *a = g_ptr_array_new();
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW)
    if (!keep || keep(db_col_text(st, 0)))
      g_ptr_array_add(a, g_strdup(db_col_text(st, 0)));
  sqlite3_finalize(st);
  g_ptr_array_add(a, NULL);
  char **list = (char **)g_ptr_array_free(a, FALSE);
  if (rc != SQLITE_DONE) {
    g_strfreev(list);
    return db_errno(rc);
  }
  *out = list;
  return 0;
}

void db_json_text(JsonBuilder *b, const char *name, sqlite3_stmt *st, int col)
{
  json_builder_set_member_name(b, name);
  const char *t = db_col_text(st, col);
  if (t)
    json_builder_add_string_value(b, t);
  else
    json_builder_add_null_value(b);
}

void db_json_time(JsonBuilder *b, const char *name, sqlite3_stmt *st, int col)
{
  json_builder_set_member_name(b, name);
  if (sqlite3_column_type(st, col) == SQLITE_NULL) {
    json_builder_add_null_value(b);
  } else {
    g_autofree char *t = util_iso8601(sqlite3_column_int64(st, col));
    json_builder_add_string_value(b, t);
  }
}

JsonNode *db_json_array_done(JsonBuilder *b, int step, int *rc)
{
  json_builder_end_array(b);
  return db_json_done(b, step, rc);
}

JsonNode *db_json_done(JsonBuilder *b, int step, int *rc)
{
  JsonNode *node = json_builder_get_root(b);
  g_object_unref(b);
  if (step != SQLITE_DONE) {
    json_node_unref(node);
    *rc = db_errno(step);
    return NULL;
  }
  *rc = 0;
  return node;
}
