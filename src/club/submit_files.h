/* submit_files: the files of a member's submissions that go when the member's data is erased —
 * pictures they uploaded for their texts that no published work (nor anything else) uses.
 * Collected inside the erasure's transaction, before its rows go; removed after its commit, so
 * a rolled-back erasure loses no file. See docs/submissions.md, "Pictures in texts". */
#pragma once

#include "core/config.h"
#include "db/db.h"

/* The paths (under CFG's image store) of MEMBER's files an erasure deletes, as a
 * NULL-terminated list in *OUT (caller g_strfreev). Returns 0 or -EIO. */
int submit_files_of_member(Db *db, const Config *cfg, const char *member, char ***out);

/* Deletes PATHS (a file already gone is fine). *REMOVED (optional) counts the files deleted.
 * Returns 0, or -errno of the first failure (the others are still tried). */
int submit_files_remove(char *const *paths, int *removed);
