/* db_category: the categories videos are filed under (思想引领, 科学普及, …). */
#pragma once

#include "db/db.h"

#include <json-glib/json-glib.h>
#include <stdbool.h>

/* Adds category NAME at POSITION. Returns 0, -EEXIST, -EINVAL (empty or over 32
 * characters), -EIO. */
int db_category_insert(Db *db, const char *name, gint64 position);

/* Is NAME a category? */
bool db_category_exists(Db *db, const char *name);

/* Every category in order with the number of public videos in it, as a JSON array of
 * {"name","position","video_count"}; NULL with -EIO in *RC. */
JsonNode *db_category_list_json(Db *db, int *rc);
