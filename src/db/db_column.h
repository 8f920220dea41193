/* db_column: themed columns (专题专栏) and their ordered items. */
#pragma once

#include "db/db.h"

#include <glib.h>
#include <json-glib/json-glib.h>
#include <stdbool.h>

/* Most items one column holds. */
#define DB_COLUMN_ITEMS_MAX 1000

/* Inserts a column. Returns 0 with *id, -EEXIST (slug taken), -EINVAL (a
 * CHECK failed: slug not [a-z0-9-]{1,64}, title empty or too long), -EIO. */
int db_column_insert(Db *db, const char *slug, const char *title, const char *description,
                     gint64 *id);

/* The id of the column with SLUG. Returns 0, -ENOENT or -EIO. */
int db_column_find(Db *db, const char *slug, gint64 *id);

/* Column ID's publish window (0 for an open end) and whether anyone may see it now
 * (DB_COLUMN_PUBLIC). Returns 0, -ENOENT or -EIO. */
int db_column_window(Db *db, gint64 id, gint64 *from, gint64 *until, bool *published);

typedef enum {
  COLUMN_SLUG, COLUMN_TITLE, COLUMN_DESCRIPTION, COLUMN_COVER,  /* text */
  COLUMN_PUBLISH_FROM, COLUMN_PUBLISH_UNTIL,                    /* times, 0 clears */
  COLUMN_ARCHIVED,                                              /* 0 or 1 */
} ColumnField;

/* Sets a field of column ID and its updated_at. Returns 0, -ENOENT, -EEXIST (the slug is
 * taken), -EINVAL (the schema refuses the value), -EIO. */
int db_column_set_text(Db *db, gint64 id, ColumnField f, const char *value);
int db_column_set_number(Db *db, gint64 id, ColumnField f, gint64 value);

typedef struct {
  char *video_id;
  bool featured;
  gint64 added_at;  /* 0 = now */
} ColumnItem;

/* The items of column ID in order (an array of ColumnItem that frees its strings).
 * Returns 0 or -EIO. */
int db_column_items(Db *db, gint64 id, GArray **items);

/* Replaces the items of column ID with the N in ITEMS, in that order (positions 0..N-1),
 * and bumps updated_at of the column and of every video that joined or left it.
 * Returns 0, -ENOENT (a video does not exist), -EINVAL (a video twice), -EIO. */
int db_column_set_items(Db *db, gint64 id, const ColumnItem *items, size_t n);

/* Column ID as the API shows it, with ITEM_LIMIT of its items from ITEM_OFFSET and
 * item_count. PUBLIC_ONLY leaves out videos that are not public (DB_VIDEO_PUBLIC).
 * Returns NULL with -ENOENT or -EIO in *RC. */
JsonNode *db_column_json(Db *db, gint64 id, bool public_only, int item_limit, int item_offset,
                         int *rc);

/* Every column (PUBLIC_ONLY: the published ones, with their public items), oldest first,
 * each with its first ITEMS items, as a JSON array. NULL with -EIO in *RC. */
JsonNode *db_column_list_json(Db *db, bool public_only, int items, int *rc);
