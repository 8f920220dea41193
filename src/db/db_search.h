/* db_search: the full-text index over videos, tuned for Chinese as well as English. */
#pragma once

#include "db/db.h"

#include <glib.h>

/* Longest search query accepted, in bytes, and most terms used from it. */
#define DB_SEARCH_QUERY_MAX 200
#define DB_SEARCH_TERMS_MAX 16

/* TEXT split into space-separated index tokens: each run of Han, kana or Hangul
 * characters becomes its overlapping two-character pairs followed by its last
 * character alone (so one-character prefix queries still find every character);
 * runs of letters and digits stay words; everything else separates. Caller frees. */
char *db_search_tokens(const char *text);

/* The FTS5 query for what a user typed: every term must match; Chinese terms match
 * as a phrase of their pairs, words and single characters as prefixes. Returns NULL
 * when Q holds nothing searchable. Only letters, digits and CJK characters reach the
 * result, so it carries no FTS5 syntax from the user. Caller frees. */
char *db_search_query(const char *q);

/* Writes video ID's title, presenter, tags and description into the index (replacing
 * what was there). Call inside the transaction that changed them. Returns 0 or -errno. */
int db_search_index_video(Db *db, const char *id);

/* Rebuilds the index when it does not hold exactly the videos there are (a database
 * from before the index, or one edited by hand). Returns 0 or -errno. */
int db_search_sync(Db *db);
