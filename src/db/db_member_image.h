/* db_member_image: who uploaded which picture of the image store for a text submission
 * (members' uploads are personal data: exported, and erased with the member). See
 * docs/submissions.md, "Pictures in texts". */
#pragma once

#include "db/db.h"

#include <glib.h>
#include <stdbool.h>

/* Records that MEMBER uploaded image NAME ("<hash>.<ext>", BYTES long) at NOW. The same
 * member sending the same picture again keeps the first row: *ADDED (optional) says whether a
 * row was added. Returns 0, -EINVAL (an empty name, bytes not positive) or -EIO. */
int db_member_image_add(Db *db, const char *member, const char *name, gint64 bytes, gint64 now,
                        bool *added);

/* How many images MEMBER uploaded at SINCE or later, in *N. Returns 0 or -EIO. */
int db_member_image_count_since(Db *db, const char *member, gint64 since, gint64 *n);

/* MEMBER's images that nothing else uses — no other member uploaded the same picture, and no
 * article (its Markdown or cover), video poster, column cover, PDF preview or other member's text submission names it — as a
 * NULL-terminated list of names in *OUT (caller g_strfreev). These are the files an erasure of
 * MEMBER may delete. Returns 0 or -EIO. */
int db_member_image_unused(Db *db, const char *member, char ***out);
