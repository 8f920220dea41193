/* db_column: themed columns (专题专栏) and their ordered items. */
#pragma once

#include "db/db.h"

#include <glib.h>

/* Inserts a column. Returns 0 with *id, -EEXIST (slug taken), -EINVAL (a
 * CHECK failed: slug not [a-z0-9-]{1,64}, title empty or too long), -EIO. */
int db_column_insert(Db *db, const char *slug, const char *title, const char *description,
                     gint64 *id);
