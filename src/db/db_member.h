/* db_member: members and their roles; credentials only as hashes. */
#pragma once

#include "db/db.h"

#include <glib.h>
#include <stdbool.h>

typedef enum { ROLE_VIEWER = 0, ROLE_EDITOR = 1, ROLE_ADMIN = 2 } Role;

typedef struct {
  char *id;
  char *display_name;
  Role role;
  bool real_name_verified;
  bool disabled;
  bool disqualified;
  gint64 created_at;
} Member;

/* "viewer" / "editor" / "admin" <-> Role. role_parse returns 0 or -EINVAL. */
int role_parse(const char *name, Role *out);
const char *role_name(Role role);

/* Inserts a member with id ID. Returns 0, -EEXIST (id taken), -EINVAL
 * (a CHECK failed: empty or over-long name), or -EIO. */
int db_member_insert(Db *db, const char *id, const char *display_name, Role role,
                     bool real_name_verified, const char *token_hash);

/* Loads member ID; *token_hash (optional) receives the stored hash.
 * Returns 0, -ENOENT, or -EIO. */
int db_member_get(Db *db, const char *id, Member **out, char **token_hash);

/* All members, oldest first, as a GPtrArray of Member* (free with
 * g_ptr_array_unref). Returns 0 or -EIO. */
int db_member_list(Db *db, GPtrArray **out);

/* Members whose display name contains Q or whose id starts with Q (case-insensitive for
 * ASCII; Q NULL or empty: everyone), oldest first: at most LIMIT from OFFSET, as a GPtrArray
 * of Member* in *OUT, and how many match in all in *TOTAL. Returns 0 or -EIO. */
int db_member_search(Db *db, const char *q, gint64 limit, gint64 offset, GPtrArray **out,
                     gint64 *total);

void member_free(Member **m);

typedef enum { MEMBER_REAL_NAME_VERIFIED, MEMBER_DISABLED, MEMBER_DISQUALIFIED } MemberFlag;

/* Sets FLAG of member ID to ON. Returns 0, -ENOENT, or -EIO. */
int db_member_set_flag(Db *db, const char *id, MemberFlag flag, bool on);
