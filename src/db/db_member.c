/* db_member: members and their roles; credentials only as hashes. */
#include "db/db_member.h"
#include "core/log.h"
#include "core/util.h"

#include <errno.h>
#include <string.h>

static const char *const role_names[] = { "viewer", "editor", "admin" };

int role_parse(const char *name, Role *out)
{
  for (unsigned i = 0; i < G_N_ELEMENTS(role_names); i++)
    if (name && strcmp(name, role_names[i]) == 0) {
      *out = (Role)i;
      return 0;
    }
  return -EINVAL;
}

const char *role_name(Role role)
{
  return (unsigned)role < G_N_ELEMENTS(role_names) ? role_names[role] : "viewer";
}

int db_member_insert(Db *db, const char *id, const char *display_name, Role role,
                     bool real_name_verified, const char *token_hash)
{
  sqlite3_stmt *st = db_prepare(db,
      "INSERT INTO member (id, display_name, role, real_name_verified, token_hash, "
      "created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)");
  if (!st)
    return -EIO;
  gint64 now = util_now();
  sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 2, display_name, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 3, role_name(role), -1, SQLITE_STATIC);
  sqlite3_bind_int(st, 4, real_name_verified ? 1 : 0);
  sqlite3_bind_text(st, 5, token_hash, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(st, 6, now);
  int rc = sqlite3_step(st);
  int ext = sqlite3_extended_errcode(db->conn);
  sqlite3_finalize(st);
  if (rc == SQLITE_DONE)
    return 0;
  if (ext == SQLITE_CONSTRAINT_CHECK || ext == SQLITE_CONSTRAINT_NOTNULL)
    return -EINVAL;
  return db_errno(rc);
}

static Member *member_from_row(sqlite3_stmt *st)
{
  Member *m = g_new0(Member, 1);
  m->id = g_strdup((const char *)sqlite3_column_text(st, 0));
  m->display_name = g_strdup((const char *)sqlite3_column_text(st, 1));
  if (role_parse((const char *)sqlite3_column_text(st, 2), &m->role) < 0)
    m->role = ROLE_VIEWER;
  m->real_name_verified = sqlite3_column_int(st, 3) != 0;
  m->disabled = sqlite3_column_int(st, 4) != 0;
  m->disqualified = sqlite3_column_int(st, 5) != 0;
  m->created_at = sqlite3_column_int64(st, 6);
  return m;
}

#define MEMBER_COLUMNS \
  "id, display_name, role, real_name_verified, disabled, disqualified, created_at, token_hash"

int db_member_get(Db *db, const char *id, Member **out, char **token_hash)
{
  sqlite3_stmt *st = db_cached(db, "SELECT " MEMBER_COLUMNS " FROM member WHERE id = ?1");
  if (!st)
    return -EIO;
  sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
  int rc = sqlite3_step(st);
  int ret;
  if (rc == SQLITE_ROW) {
    *out = member_from_row(st);
    if (token_hash)
      *token_hash = g_strdup((const char *)sqlite3_column_text(st, 7));
    ret = 0;
  } else {
    ret = rc == SQLITE_DONE ? -ENOENT : db_errno(rc);
  }
  sqlite3_reset(st);
  return ret;
}

static void member_free_ptr(gpointer p)
{
  Member *m = p;
  member_free(&m);
}

int db_member_list(Db *db, GPtrArray **out)
{
  sqlite3_stmt *st = db_prepare(db, "SELECT " MEMBER_COLUMNS " FROM member ORDER BY created_at, id");
  if (!st)
    return -EIO;
  GPtrArray *arr = g_ptr_array_new_with_free_func(member_free_ptr);
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW)
    g_ptr_array_add(arr, member_from_row(st));
  sqlite3_finalize(st);
  if (rc != SQLITE_DONE) {
    g_ptr_array_unref(arr);
    return db_errno(rc);
  }
  *out = arr;
  return 0;
}

/* Q as a LIKE pattern that matches it literally (a backslash escapes %, _ and itself). */
static char *like_literal(const char *q)
{
  GString *out = g_string_new(NULL);
  for (const char *p = q; *p; p++) {
    if (*p == '%' || *p == '_' || *p == '\\')
      g_string_append_c(out, '\\');
    g_string_append_c(out, *p);
  }
  return g_string_free(out, FALSE);
}

#define MEMBER_MATCH \
  " FROM member WHERE ?1 = '' OR display_name LIKE ?2 ESCAPE '\\' OR id LIKE ?3 ESCAPE '\\'"

static void bind_match(sqlite3_stmt *st, const char *q, const char *contains, const char *prefix)
{
  sqlite3_bind_text(st, 1, q, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 2, contains, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 3, prefix, -1, SQLITE_TRANSIENT);
}

int db_member_search(Db *db, const char *q, gint64 limit, gint64 offset, GPtrArray **out,
                     gint64 *total)
{
  q = q ? q : "";
  g_autofree char *lit = like_literal(q);
  g_autofree char *contains = g_strdup_printf("%%%s%%", lit);
  g_autofree char *prefix = g_strdup_printf("%s%%", lit);
  sqlite3_stmt *st = db_prepare(db, "SELECT count(*)" MEMBER_MATCH);
  if (!st)
    return -EIO;
  bind_match(st, q, contains, prefix);
  int rc = sqlite3_step(st);
  if (rc == SQLITE_ROW)
    *total = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  if (rc != SQLITE_ROW)
    return db_errno(rc);

  st = db_prepare(db, "SELECT " MEMBER_COLUMNS MEMBER_MATCH " ORDER BY created_at, id LIMIT ?4 OFFSET ?5");
  if (!st)
    return -EIO;
  bind_match(st, q, contains, prefix);
  sqlite3_bind_int64(st, 4, limit);
  sqlite3_bind_int64(st, 5, offset);
  GPtrArray *arr = g_ptr_array_new_with_free_func(member_free_ptr);
  while ((rc = sqlite3_step(st)) == SQLITE_ROW)
    g_ptr_array_add(arr, member_from_row(st));
  sqlite3_finalize(st);
  if (rc != SQLITE_DONE) {
    g_ptr_array_unref(arr);
    return db_errno(rc);
  }
  *out = arr;
  return 0;
}

void member_free(Member **pm)
{
  if (!pm || !*pm)
    return;
  g_free((*pm)->id);
  g_free((*pm)->display_name);
  g_free(*pm);
  *pm = NULL;
}

int db_member_set_flag(Db *db, const char *id, MemberFlag flag, bool on)
{
  static const char *const sql[] = {
    [MEMBER_REAL_NAME_VERIFIED] = "UPDATE member SET real_name_verified = ?2, updated_at = ?3 WHERE id = ?1",
    [MEMBER_DISABLED] = "UPDATE member SET disabled = ?2, updated_at = ?3 WHERE id = ?1",
    [MEMBER_DISQUALIFIED] = "UPDATE member SET disqualified = ?2, updated_at = ?3 WHERE id = ?1",
  };
  sqlite3_stmt *st = db_prepare(db, sql[flag]);
  if (!st)
    return -EIO;
  sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int(st, 2, on ? 1 : 0);
  sqlite3_bind_int64(st, 3, util_now());
  int rc = sqlite3_step(st);
  sqlite3_finalize(st);
  if (rc != SQLITE_DONE)
    return db_errno(rc);
  return sqlite3_changes(db->conn) ? 0 : -ENOENT;
}
