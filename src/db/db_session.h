/* db_session: browser sessions, stored by the hash of their id (never the id itself). */
#pragma once

#include "db/db.h"

#include <glib.h>

typedef struct {
  char *member_id;
  char *method;       /* how the member signed in: token, password, link, oidc */
  gint64 created_at;
  gint64 last_seen_at;
  gint64 expires_at;  /* absolute end */
} DbSession;

/* Stores a session. Returns 0, -EEXIST (the hash is taken), -EINVAL (no such member, or a
 * CHECK failed), or -EIO. */
int db_session_insert(Db *db, const char *id_hash, const char *member_id, const char *method,
                      gint64 created_at, gint64 expires_at);

/* Loads the session ID_HASH into *OUT (free with db_session_clear). Returns 0, -ENOENT or -EIO. */
int db_session_get(Db *db, const char *id_hash, DbSession *out);

/* Sets last_seen_at of ID_HASH to NOW. Returns 0, -ENOENT or -EIO. */
int db_session_touch(Db *db, const char *id_hash, gint64 now);

/* Ends session ID_HASH. Returns 0, -ENOENT or -EIO. */
int db_session_delete(Db *db, const char *id_hash);

/* Ends every session of MEMBER_ID; *N (optional) says how many. Returns 0 or -EIO. */
int db_session_delete_member(Db *db, const char *member_id, int *n);

/* Removes sessions past their absolute end at NOW, or idle since NOW - IDLE; *N (optional)
 * says how many. Returns 0 or -EIO. */
int db_session_purge(Db *db, gint64 now, gint64 idle, int *n);

void db_session_clear(DbSession *s);
