/* db_catalog: what tells a reader of the public catalog (lists, search, columns, lives, a
 * video) that what it read may have changed — a generation counter bumped when a
 * transaction that wrote a catalog table commits, and the next instant at which the clock
 * alone changes what the catalog shows (a publish time or a column's window reached). */
#pragma once

#include "db/db.h"

#include <stdbool.h>

typedef struct DbCatalog DbCatalog;

/* Starts watching DB's connection for catalog writes (it takes the connection's update,
 * commit and rollback hooks: one watcher per connection). Returns 0 with *OUT. */
int db_catalog_new(Db *db, DbCatalog **out);

/* Stops watching and frees W; accepts NULL. */
void db_catalog_free(DbCatalog **w);

/* The catalog's generation: it moves when a transaction that wrote video, rendition,
 * chapter, topic_column(_item), category or the search index commits on the watched
 * connection, and when another connection (a CLI command in another process) commits
 * anything (PRAGMA data_version cannot say which tables; such writes are rare). Answers
 * read at one generation are what a fresh read would say as long as it has not moved
 * (and, for the clock, until db_catalog_next_change). */
guint64 db_catalog_generation(DbCatalog *w);

/* Is a transaction open on the watched connection? Nothing read then may be kept: it
 * could still be rolled back. */
bool db_catalog_in_transaction(DbCatalog *w);

/* The first Unix second after NOW at which the clock alone changes the catalog: a video's
 * publish_at, a column's publish_from or publish_until (0 when none is ahead). Kept per
 * generation, so the query runs once per write or per instant passed. Returns 0 or -EIO. */
int db_catalog_next_change(DbCatalog *w, gint64 now, gint64 *at);
