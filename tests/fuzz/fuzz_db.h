/* fuzz_db: the database of the targets that go through handlers (ws, api, quiz_bank) — in
 * memory (no journal file, no fsync), and every input undone afterwards, so one input's
 * writes never meet the next one and a crash replays alone. The input runs inside one
 * transaction of the target's (db_begin: BEGIN IMMEDIATE); the handlers' own db_begin and
 * db_commit become a savepoint and its release inside it (db.c nests them so), with the
 * same SQL, constraints and triggers; afterwards the target rolls the whole input back.
 * Restoring a snapshot instead (sqlite3_deserialize) was tried: copying the 570 KB database
 * and parsing the schema again per input, under ASan, made the ws target slower than a file. */
#pragma once

#include "fuzz.h"
#include "db/db.h"

#include <sqlite3.h>

/* Opens a migrated database in memory into *DB. */
static inline void fuzz_db_open(Db **db)
{
  char *err = NULL;
  if (db_open(":memory:", 0, db, &err) < 0) {
    fprintf(stderr, "fuzz: %s\n", err);
    abort();
  }
}

/* Before an input: its transaction. */
static inline void fuzz_db_begin(Db *db)
{
  FUZZ_CHECK(db->depth == 0);
  FUZZ_CHECK(db_begin(db) == 0);
}

/* After it: everything undone. The input must have left its transactions as it found them
 * (a handler that kept one open would hold every later write of the server inside it) and
 * no statement stepping (it would pin a read transaction, and WAL checkpoints with it). */
static inline void fuzz_db_undo(Db *db)
{
  FUZZ_CHECK(db->depth == 1 && !sqlite3_get_autocommit(db->conn));
  for (sqlite3_stmt *st = sqlite3_next_stmt(db->conn, NULL); st; st = sqlite3_next_stmt(db->conn, st))
    FUZZ_CHECK(!sqlite3_stmt_busy(st));
  db_rollback(db);
  FUZZ_CHECK(db->depth == 0);
}
