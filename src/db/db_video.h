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

/* The video as the API shows it, renditions and URLs included, or NULL
 * (-ENOENT in *rc when missing, -EIO). HLS_BASE is "/hls". */
JsonNode *db_video_json(Db *db, const char *id, int *rc);

/* Visibility of ID ("draft", ...), or NULL. Caller frees. */
char *db_video_visibility(Db *db, const char *id);
