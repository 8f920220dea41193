/* db: the SQLite database — open, pragmas, migrations compiled from schemas/sql. */
#pragma once

#include <json-glib/json-glib.h>
#include <glib.h>
#include <stdbool.h>
#include <sqlite3.h>

typedef struct Db {
  sqlite3 *conn;
  char *path;
  int depth;  /* open transactions: 1 = BEGIN, more = savepoints inside it */
  bool commit_failed; /* the last db_commit failed and rolled back: db_rollback has nothing to do */
  GHashTable *cached; /* SQL text (by address) -> prepared statement, for hot paths */
} Db;

/* The schema version this binary brings (the highest migration number). */
int db_schema_latest(void);

/* The write-ahead log's size after a checkpoint (PRAGMA journal_size_limit, bytes): SQLite
 * otherwise keeps the WAL file at the largest size one burst of writes between two
 * checkpoints ever gave it (the soak saw it climb from 4 to 8 MiB over 30 minutes, docs/soak.md);
 * with the limit it is cut back to this when the log starts over. About the automatic
 * checkpoint's 1,000 pages. */
#define DB_WAL_LIMIT 4194304

/* Opens PATH (creating it when missing), refuses a file that is not an SQLite
 * database or whose schema is newer than this binary — in both cases before
 * anything is written — then sets WAL, foreign keys and a busy timeout and
 * migrates up to TARGET (0 for latest). Returns 0 with *out, or -errno with
 * *err: -ENOTSUP (not a database), -EPROTO (newer schema), -EIO. */
int db_open(const char *path, int target, Db **out, char **err);

/* Applies migrations after the current version up to TARGET. Each migration
 * runs in one transaction together with the user_version bump. */
int db_migrate(Db *db, int target, char **err);

/* PRAGMA user_version, or -errno. */
int db_schema_version(Db *db);

/* Closes the connection (checkpointing WAL) and frees DB; accepts NULL. */
void db_close(Db **db);

/* Prepares SQL on DB; on failure logs and returns NULL. */
sqlite3_stmt *db_prepare(Db *db, const char *sql);

/* A statement for SQL (a string literal: it is cached by address) prepared once per
 * connection and kept, reset and cleared of bindings; NULL after logging on failure. The
 * caller must not finalize it, and calls sqlite3_reset() when done so no read stays open. */
sqlite3_stmt *db_cached(Db *db, const char *sql);

/* Column I of the current row as text, or NULL for SQL NULL (valid until the next step). */
const char *db_col_text(sqlite3_stmt *st, int i);

/* Steps ST (prepared and bound by the caller) to its end and finalizes it: column 0 of every
 * row KEEP accepts (NULL: all) as a NULL-terminated list in *OUT (g_strfreev). 0 or -errno. */
int db_strv(sqlite3_stmt *st, gboolean (*keep)(const char *text), char ***out);

/* Adds member NAME to the object B is building: column COL of ST's row as a string
 * (db_json_text) or as an ISO 8601 time from Unix seconds (db_json_time); null for NULL. */
void db_json_text(JsonBuilder *b, const char *name, sqlite3_stmt *st, int col);
void db_json_time(JsonBuilder *b, const char *name, sqlite3_stmt *st, int col);

/* Ends the array B built from a statement whose last sqlite3_step() returned STEP, and
 * frees B: the array, or NULL with -errno in *RC when the rows did not end cleanly. */
JsonNode *db_json_array_done(JsonBuilder *b, int step, int *rc);

/* The same for a builder whose outermost value the caller has ended already. */
JsonNode *db_json_done(JsonBuilder *b, int step, int *rc);

/* Maps an SQLite result code to -errno: SQLITE_CONSTRAINT -> -EEXIST,
 * SQLITE_BUSY/LOCKED -> -EBUSY, SQLITE_FULL (the disk is full) -> -ENOSPC,
 * others -> -EIO. */
int db_errno(int rc);

/* Maps the result RC of a failed step to -errno, telling the constraints apart (read from
 * DB's extended code, so call it before the statement is finalized): a UNIQUE or PRIMARY
 * KEY clash is -EEXIST, a CHECK or NOT NULL failing -EINVAL, a FOREIGN KEY failing
 * FK_ERRNO and any other constraint (a trigger's RAISE) OTHER_ERRNO; tables differ in
 * what those two mean to their callers. Not a constraint: db_errno(RC). */
int db_constraint_errno(Db *db, int rc, int fk_errno, int other_errno);

/* Steps ST (bound by the caller, from db_cached) to its end and resets it: 0, or the
 * failure mapped by db_constraint_errno. */
int db_step_done(Db *db, sqlite3_stmt *st, int fk_errno, int other_errno);

/* BEGIN IMMEDIATE / COMMIT / ROLLBACK; inside an open transaction they make, release
 * or roll back a savepoint instead. Return 0 or -errno. A db_commit that fails (-ENOSPC:
 * the disk is full) has rolled its level back already, and a db_rollback right after it
 * does nothing; the transaction is never left open. */
int db_begin(Db *db);
int db_commit(Db *db);
void db_rollback(Db *db);
