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

/* Entries newest first: those for TARGET_TYPE/TARGET_ID when given (either may be NULL),
 * older than entry BEFORE_ID when it is > 0, at most LIMIT. A JSON array of
 * {"id","at","member_id","member_name","action","target_type","target_id","detail"};
 * NULL with -EIO in *RC. */
JsonNode *db_audit_list_json(Db *db, const char *target_type, const char *target_id,
                             gint64 before_id, int limit, int *rc);
