/* submit_files: members' submission files that must not outlive their purpose — when a member's
 * data is erased, the pictures they uploaded for their texts that no published work (nor
 * anything else) uses and the partial files of their unfinished uploads; and unfinished uploads
 * idle for [submit] upload_max_age, ended by a periodic sweep. Files are listed inside the
 * transaction that ends their rows and removed after its commit, so a rolled-back change loses
 * no file. See docs/submissions.md. */
#pragma once

#include "core/config.h"
#include "db/db.h"

/* The partial file of unfinished upload ID: <data_dir>/uploads/tus/<id> (caller frees). */
char *submit_files_tus_path(const Config *cfg, const char *id);

/* The paths of MEMBER's files an erasure deletes (unused pictures, partial uploads), as a
 * NULL-terminated list in *OUT (caller g_strfreev). Returns 0 or -EIO. */
int submit_files_of_member(Db *db, const Config *cfg, const char *member, char ***out);

/* Deletes PATHS (a file already gone is fine). *REMOVED (optional) counts the files deleted.
 * Returns 0, or -errno of the first failure (the others are still tried). */
int submit_files_remove(char *const *paths, int *removed);

/* Ends the unfinished uploads idle since before NOW - [submit] upload_max_age (their rows go in
 * one transaction, then their partial files). *ENDED (optional) counts them. Returns 0 or -errno
 * (nothing ended). */
int submit_files_sweep(Db *db, const Config *cfg, gint64 now, int *ended);

/* Sweeps at once, then now and then — every min(600 s, upload_max_age / 2), at least every second — on the
 * default main context. Returns the timeout's source id (g_source_remove() it to stop). */
guint submit_files_watch(Db *db, const Config *cfg);
