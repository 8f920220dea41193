/* trash: a deleted video's files — out of /hls's reach at once, removed after the grace. */
#pragma once

#include "core/config.h"
#include "db/db.h"

#include <glib.h>

/* Under the media directory; /hls never serves a hidden name, so nothing in it is reachable. */
#define TRASH_DIR ".deleted"

/* Moves <media>/<ID> to <media>/.deleted/<ID> (a video without files is fine). Returns 0 or
 * -errno of the rename. */
int trash_move_video(const Config *cfg, const char *id);

/* Moves <media>/.deleted/<ID> back to <media>/<ID> (a deletion that could not be committed).
 * Returns 0 or -errno. */
int trash_restore_video(const Config *cfg, const char *id);

/* One sweep at NOW over the deleted videos whose files are still kept: files that appeared
 * at <media>/<id> after the deletion (a transcode finishing just then) go to the trash too;
 * once [storage] deleted_grace has passed since the deletion, the video's trash, media
 * directory and stored upload (uploads/<id>) are removed and the video marked purged.
 * *PURGED (may be NULL) counts the videos purged. Returns 0, or -errno of the first failure
 * (the others are still tried; a failed one is tried again at the next sweep). */
int trash_sweep(Db *db, const Config *cfg, gint64 now, int *purged);

/* Sweeps now and then every min(60 s, grace / 2) (at least every second) on the default
 * main context. Returns the timeout's source id (g_source_remove() it to stop). */
guint trash_watch(Db *db, const Config *cfg);
