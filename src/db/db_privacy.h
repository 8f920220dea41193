/* db_privacy: the one list of where the database keeps each member's personal data, and the
 * export and the erasure (China's PIPL) that walk it. A new table with a member_id column gets a
 * row in db_privacy_tables (or, when it holds nothing personal, in db_privacy_not_personal):
 * tests/unit/test_db_privacy.c fails until it has one. Rules: docs/privacy.md. */
#pragma once

#include "db/db.h"

#include <json-glib/json-glib.h>
#include <stdbool.h>

/* The display name an erased member keeps. */
#define DB_PRIVACY_PSEUDONYM "已注销会员"

/* One table that holds data about a member. Statements take ?1 = the member id; ERASE also
 * ?2 = now (Unix seconds) and ?3 = the pseudonym. */
typedef struct {
  const char *table;      /* as in the schema */
  const char *key;        /* its member in the export */
  bool single;            /* one row at most: exported as an object (or null), else an array */
  const char *export_sql; /* its rows about the member: never a hash or a secret. Columns named
                           * *_at are exported as ISO 8601 times, "detail" as parsed JSON. */
  const char *erase_sql;  /* removes or replaces the personal data; NULL: kept as it is */
  const char *kept;       /* with ERASE_SQL NULL: why the rows stay after an erasure */
} DbPrivacyTable;

/* Ends with a row whose table is NULL. */
extern const DbPrivacyTable db_privacy_tables[];

/* Tables with a member_id column that hold nothing to export or erase, and why. */
typedef struct {
  const char *table;
  const char *why;
} DbPrivacyExempt;
extern const DbPrivacyExempt db_privacy_not_personal[];

/* Every column of `member`, and whether an erasure replaces it (the others are kept: they
 * say nothing about the person once the name and the credentials are gone). */
typedef struct {
  const char *column;
  bool erased;
} DbPrivacyColumn;
extern const DbPrivacyColumn db_privacy_member_columns[];

/* Everything the database holds about member ID: {"member_id", "exported_at",
 * "schema_version", and one member per row of db_privacy_tables}. NOW is the export's time.
 * Returns 0 with *OUT (caller unrefs), -ENOENT (no such member) or -EIO. */
int db_privacy_export(Db *db, const char *id, gint64 now, JsonNode **out);

/* Erases member ID's personal data in one transaction (a savepoint inside the caller's): the
 * erase statement of every row of db_privacy_tables. Idempotent: a member erased already is
 * left as it is. *REPORT (optional; caller unrefs) gets {"member", "already_erased",
 * "erased_at", "changed": {table: rows}} — counts only, no personal data. Returns 0,
 * -ENOENT (no such member), -EBUSY, -ENOSPC or -EIO (nothing changed). */
int db_privacy_erase(Db *db, const char *id, gint64 now, JsonNode **report);

/* When member ID was erased in *AT (0: never). Returns 0, -ENOENT or -EIO. */
int db_privacy_erased_at(Db *db, const char *id, gint64 *at);

/* Tables of the database with a column named member_id or ending in _member_id that are in
 * neither db_privacy_tables nor db_privacy_not_personal, as a NULL-terminated list in *OUT
 * (caller g_strfreev; empty when all are covered). Returns 0 or -EIO. */
int db_privacy_uncovered(Db *db, char ***out);
