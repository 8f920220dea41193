/* db_audit: the append-only record of editorial changes — who changed what, when. */
#pragma once

#include "db/db.h"

#include <json-glib/json-glib.h>

/* Records that MEMBER_ID (shown as MEMBER_NAME) did ACTION ("column.create", …) to
 * TARGET_TYPE ("video", "column", "category") TARGET_ID, with DETAIL (a JSON object of
 * what was applied, or NULL; not consumed). Call inside the change's own transaction so
 * the change and its record commit together. Returns 0 or -errno. */
int db_audit_add(Db *db, const char *member_id, const char *member_name, const char *action,
                 const char *target_type, const char *target_id, JsonNode *detail);

/* Which entries to list; NULL or 0 members do not narrow. ACTION is one action
 * ("member.update") or, without a dot, every action of that kind ("member"). SINCE and
 * UNTIL bound the time: SINCE <= at < UNTIL. */
typedef struct {
  const char *target_type, *target_id;
  const char *member_id; /* who did it */
  const char *action;
  gint64 since, until;
  gint64 before_id;      /* entries older than this one */
  int limit;
} AuditFilter;

/* Entries matching F, newest first. A JSON array of
 * {"id","at","member_id","member_name","action","target_type","target_id","detail"};
 * NULL with -EIO in *RC. */
JsonNode *db_audit_list_json(Db *db, const AuditFilter *f, int *rc);

/* The reason given with the latest change of member MEMBER_ID's disqualified flag to ON,
 * in *REASON (NULL when there is none; caller frees). Returns 0 or -EIO. */
int db_audit_member_reason(Db *db, const char *member_id, char **reason);
