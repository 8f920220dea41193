/* db_video: videos (lives and recordings), their renditions and their state history. */
#pragma once

#include "db/db.h"

#include <glib.h>
#include <json-glib/json-glib.h>
#include <stdbool.h>

typedef struct {
  char *id;
  char *title;
  char *state;
  gint64 scheduled_start;  /* 0 = none */
} VideoKeyMatch;

/* Inserts a live video in state `scheduled`. KEY_HASH is the stream key's
 * hash. Returns 0 with *id (caller frees), -EINVAL for a value the schema
 * refuses, -EEXIST when the key hash is taken, -EIO. */
int db_video_create_live(Db *db, const char *title, const char *presenter, const char *kind,
                         gint64 scheduled_start, const char *key_hash, const char *created_by,
                         char **id);

/* Inserts an imported video in state `processing` (its transcode job follows).
 * Returns 0 with *id (caller frees), -EINVAL for a value the schema refuses, -EIO. */
int db_video_create_upload(Db *db, const char *title, const char *presenter, const char *kind,
                           const char *created_by, char **id);

/* The video whose stream key hashes to KEY_HASH. Returns 0 with *out
 * (free with db_video_key_match_clear), -ENOENT, -EIO. */
int db_video_find_by_key(Db *db, const char *key_hash, VideoKeyMatch *out);
void db_video_key_match_clear(VideoKeyMatch *m);

/* Moves video ID to state TO (from FROM, or from any state when FROM is
 * NULL), records the change in video_state_log with DETAIL, in one
 * transaction. REASON sets failure_reason (NULL clears it). Returns 0,
 * -ENOENT (no such video, or not in FROM), -EIO. */
int db_video_set_state(Db *db, const char *id, const char *from, const char *to,
                       const char *detail, const char *reason);

/* Records the finished recording: duration and poster path (relative to
 * the video's media directory, or NULL). */
int db_video_set_media(Db *db, const char *id, gint64 duration_ms, const char *poster);

typedef struct {
  const char *name;
  int width, height;
  gint64 bandwidth, average_bandwidth;
  const char *codecs;
  double frame_rate;
  const char *playlist;  /* relative to the video's media directory */
} RenditionRow;

/* Inserts or replaces the rendition (VIDEO_ID, R->name). Returns 0 or -EIO. */
int db_rendition_put(Db *db, const char *video_id, const RenditionRow *r);

/* The stored rendition (VIDEO_ID, NAME): size, CODECS (caller frees) and
 * frame rate (0 when unknown). Returns 0, -ENOENT or -EIO. */
int db_rendition_get(Db *db, const char *video_id, const char *name, int *width, int *height,
                     char **codecs, double *frame_rate);

/* Ids of videos in STATE (caller frees the array). Returns 0 or -EIO. */
int db_video_ids_in_state(Db *db, const char *state, GPtrArray **ids);

/* When video v first went live (unix seconds, NULL before): a subquery for SELECTs on "video v". */
#define DB_VIDEO_LIVE_STARTED \
  "(SELECT min(at) FROM video_state_log l WHERE l.video_id = v.id AND l.to_state = 'live')"

/* The columns of a video row that db_video_build() reads, for "SELECT " DB_VIDEO_COLS
 * " FROM video v ...", and their count. */
#define DB_VIDEO_COLS \
  "v.id, v.title, v.presenter, v.presenter_kind, v.category, v.description, v.tags, " \
  "v.source, v.state, v.failure_reason, v.visibility, v.duration_ms, v.scheduled_start, " \
  "v.publish_at, v.poster, v.created_at, v.updated_at"
#define DB_VIDEO_NCOLS 17

/* SQL conditions (bind :now to the current Unix time): a video anyone may find in lists
 * and search — published, its publish time reached, scheduled, live or ready; a column
 * anyone may see — not archived and inside its publish window. */
#define DB_VIDEO_PUBLIC \
  "(v.visibility = 'published' AND coalesce(v.publish_at, 0) <= :now AND v.deleted_at IS NULL " \
  "AND v.state IN ('scheduled', 'live', 'ready'))"
#define DB_COLUMN_PUBLIC \
  "(c.archived = 0 AND coalesce(c.publish_from, 0) <= :now " \
  "AND (c.publish_until IS NULL OR c.publish_until > :now))"

/* Adds the members of a video (id, title, …, hls_url, playable) to the object B is
 * building, from the row of ST whose DB_VIDEO_COLS start at column COL0. */
void db_video_build(JsonBuilder *b, sqlite3_stmt *st, int col0);

/* The video as the API shows it: its fields, renditions, chapters and the published
 * columns it is in; or NULL (-ENOENT in *rc when missing, -EIO). */
JsonNode *db_video_json(Db *db, const char *id, int *rc);

/* May someone who is not an editor see video ID by its id? Published ones whose publish
 * time has come, and unlisted ones, yes; drafts and missing videos, no. */
bool db_video_is_viewable(Db *db, const char *id);

typedef enum {
  VIDEO_SORT_NEWEST,     /* publish time (or creation) newest first */
  VIDEO_SORT_OLDEST,
  VIDEO_SORT_UPCOMING,   /* scheduled start, soonest first */
  VIDEO_SORT_RELEVANCE,  /* search rank (needs match), then newest */
} VideoSort;

/* Where a page of a list starts: after the row with sort key KEY and rowid ROW (newest,
 * oldest, upcoming), or, for a search, at place KEY of its ranked (bounded) hits: ranks
 * change as videos are added, so a search has no key to page by, and needs none. */
typedef struct {
  bool set;
  gint64 key, row;
} VideoCursor;

typedef struct {
  const char *match;       /* an FTS5 query from db_search_query(), or NULL */
  const char *category;    /* each filter NULL for any */
  const char *kind;
  const char *column_slug;
  const char *state;
  const char *visibility;  /* NULL: only what DB_VIDEO_PUBLIC lets anyone see;
                              "draft"/"published"/"unlisted"; "any" */
  VideoSort sort;
  int limit, offset;
  VideoCursor after;       /* keyset paging: the page after this (offset then 0) */
} VideoFilter;

typedef struct {
  gint64 total;            /* matches, counted up to 1000 */
  bool total_is_estimate;  /* there are more than total (or, searching, more matches than
                              the 500 newest that are ranked) */
  char *next;              /* the cursor of the next page, or NULL at the end (caller frees) */
} VideoListInfo;

/* The videos F selects, as a JSON array of db_video_build() objects; *INFO gets the total
 * and the next page's cursor. Every shape is served by an index of migration 0008 (a
 * search ranks the 500 newest matches, a column's items are at most 1000). Returns NULL
 * with -errno in *RC. */
JsonNode *db_video_list_json(Db *db, const VideoFilter *f, VideoListInfo *info, int *rc);

/* The SQL db_video_list_json() runs for F: the page, or (COUNT) the capped total (a search
 * has one statement for both). Exposed so a test can check its plan. Caller frees. */
char *db_video_list_sql(const VideoFilter *f, bool count);

/* The cursor text of C in a list sorted by SORT ("n<key>.<rowid>", opaque to clients), and
 * back: -EINVAL when TEXT is not a cursor of that sort (SEARCH: of a search). */
char *db_video_cursor_format(VideoSort sort, const VideoCursor *c);
int db_video_cursor_parse(const char *text, VideoSort sort, bool search, VideoCursor *out);

/* Editable fields of a video. */
typedef enum {
  VIDEO_TITLE, VIDEO_PRESENTER, VIDEO_KIND, VIDEO_CATEGORY, VIDEO_DESCRIPTION, VIDEO_TAGS,
  VIDEO_VISIBILITY, VIDEO_POSTER,                 /* text */
  VIDEO_PUBLISH_AT, VIDEO_SCHEDULED_START,        /* times */
} VideoField;

/* Sets text field F of video ID to VALUE (VIDEO_TAGS: a JSON array text; VIDEO_POSTER: a
 * path in the video's directory or an absolute URL path) or time field F to T (0 clears
 * it), updates updated_at and the search index. Returns 0, -ENOENT (no video), -EINVAL (the
 * schema refuses the value), -EIO. */
int db_video_set_text(Db *db, const char *id, VideoField f, const char *value);
int db_video_set_time(Db *db, const char *id, VideoField f, gint64 t);

typedef struct {
  gint64 start_ms;
  const char *title;
} ChapterRow;

/* Replaces the chapters of video ID with the N in ROWS. Returns 0, -ENOENT, -EINVAL (a
 * start repeated, a title the schema refuses), -EIO. */
int db_video_set_chapters(Db *db, const char *id, const ChapterRow *rows, size_t n);

/* Last change of video ID (updated_at), or 0 when there is none (or it was deleted). */
gint64 db_video_updated_at(Db *db, const char *id);

/* When anything a public list shows last changed: the newest update of a video, column or
 * category, or a publish time or window edge that has since passed. */
gint64 db_catalog_changed_at(Db *db);


/* Soft-deletes video ID on behalf of member BY (NULL: the command line): marks it deleted
 * (every lookup, list, search and watch session then ignores it), drops its stream key,
 * takes it out of every column (positions renumbered), cancels its queued or running
 * transcode and removes it from the search index — all in one transaction (a savepoint
 * inside the caller's). The row stays: the audit log, the points ledger and watch progress
 * refer to it. Returns 0 with the slugs of the columns it left in *COLUMNS (caller frees;
 * may be NULL), -ENOENT (no such video, or deleted already), -EBUSY (a live on air: stop it
 * first), -EIO. */
int db_video_delete(Db *db, const char *id, const char *by, GPtrArray **columns);

typedef struct {
  char *id;
  gint64 deleted_at;
} VideoDeleted;

/* Deleted videos whose files have not been purged yet, oldest deletion first: an array of
 * VideoDeleted that frees its ids. Returns 0 or -EIO. */
int db_video_deleted_unpurged(Db *db, GArray **out);

/* Records that the files of deleted video ID were removed at AT. Returns 0, -ENOENT (not a
 * deleted video), -EIO. */
int db_video_mark_purged(Db *db, const char *id, gint64 at);

/* Replaces the stream key hash of live ID with KEY_HASH: the old key is refused from now on.
 * Only a live that has not gone on air (state `scheduled`) gets a new key. Returns 0,
 * -ENOENT (no such video), -EBUSY (it is on air), -EINVAL (not a live, or its live is
 * over), -EEXIST (the hash is taken), -EIO. */
int db_video_set_key(Db *db, const char *id, const char *key_hash);
