/* chat_replay: a finished live's chat and likes on its recording's timeline. The interactions
 * were stored with their live time (seconds since the live first went on air); the recording
 * is the live's segments, each dated with the wall-clock time of its first frame (the
 * playlist's PROGRAM-DATE-TIME). A ChatReplayMap turns a live time into the recording's media
 * time through those dates, so a message is shown when the frames it was typed over play,
 * whatever the delay before the first segment and however long a reconnect's gap. A ChatReplay
 * is one recording's replay in memory (shown messages and likes, sorted by media time) that
 * windows of the player's time are cut from; a ChatReplayCache keeps the recent ones. No
 * sockets, no files: http/api_chat_replay.c reads the playlist and answers the route.
 * Rules and choices: docs/chat.md. */
#pragma once

#include "db/db.h"
#include "db/db_member.h"

#include <glib.h>
#include <stdbool.h>

/* One segment of the recording, in playlist order. */
typedef struct {
  gint64 wall_ms;   /* wall-clock time of its first frame, ms since the epoch; 0 = unknown */
  double duration;  /* seconds */
} ChatReplaySegment;

typedef struct ChatReplayMap ChatReplayMap;

/* The map of a recording made of the N segments SEGS, of a live that went on air at
 * LIVE_STARTED_AT (Unix seconds: live time 0). Segments without a date, or a recording with
 * none, fall back on media time = live time (a recording of a live with no reconnect starts
 * within a second of going on air). Returns 0 with *OUT, or -EINVAL (N 0 or a negative
 * duration). */
int chat_replay_map_new(const ChatReplaySegment *segs, guint n, gint64 live_started_at, ChatReplayMap **out);
void chat_replay_map_free(ChatReplayMap **m);

/* The recording's length in seconds. */
double chat_replay_map_duration(const ChatReplayMap *m);

/* The media time at which live time LIVE_TIME plays: inside a segment, its place in it;
 * before the first frame, 0; in a reconnect's gap, the first frame after it; after the last
 * frame, the end. Never decreasing as LIVE_TIME grows. */
double chat_replay_media_time(const ChatReplayMap *m, double live_time);

/* A message of the replay. */
typedef struct {
  gint64 id;
  double media_time;  /* seconds into the recording */
  double live_time;
  char *member;
  char *name;         /* the author's display name */
  bool moderator;     /* editor or admin when it was read */
  char *text;
} ChatReplayMessage;

/* A question of the replay (one let through: open or answered). */
typedef struct {
  ChatReplayMessage said;  /* who asked what, placed like a message */
  gint64 votes;
  bool answered_live;
  char *answer;            /* the text answer, or NULL */
} ChatReplayQuestion;

/* Likes tapped in one 10 s bucket of live time, placed at the bucket's start. */
typedef struct {
  double media_time;
  gint64 count;
} ChatReplayLikes;

typedef struct ChatReplay ChatReplay;

/* VIDEO's replay on the map M: its shown messages (never the deleted ones, never those a
 * moderation delay held and never released), its questions let through (never pending nor
 * dismissed ones) and its likes, read from DB and sorted by
 * media time, then id. Returns 0 with *OUT, or -EIO. */
int chat_replay_load(Db *db, const char *video, const ChatReplayMap *m, ChatReplay **out);
void chat_replay_free(ChatReplay *r);

guint chat_replay_count(const ChatReplay *r);
const ChatReplayMessage *chat_replay_message(const ChatReplay *r, guint i);
gint64 chat_replay_likes_total(const ChatReplay *r);

/* A page of the media-time window [FROM, TO): the messages come from index *FIRST on, *N of
 * them (at most LIMIT); AFTER > 0 starts after the message with that id (the previous page's
 * last) instead of at FROM. *MORE says the window holds more after this page. Returns 0, or
 * -ENOENT when AFTER is not a message of this window. */
int chat_replay_window(const ChatReplay *r, double from, double to, gint64 after, guint limit,
                       guint *first, guint *n, bool *more);

/* The questions placed in [FROM, TO): from *FIRST, *N of them. */
void chat_replay_questions_window(const ChatReplay *r, double from, double to, const ChatReplayQuestion **first,
                                  guint *n);

/* The like buckets placed in [FROM, TO): from index *FIRST, *N of them. */
void chat_replay_likes_window(const ChatReplay *r, double from, double to, const ChatReplayLikes **first, guint *n);
/* The likes placed before media time AT: with a window's buckets, the count at any moment of
 * it (a player shows the likes as they were at that moment of the live, not its total). */
gint64 chat_replay_likes_before(const ChatReplay *r, double at);

/* Recent replays in memory, at most MAX_VIDEOS, each for at most TTL seconds (messages a
 * moderation delay still releases, an erased member's words: a bound on staleness besides
 * the forgetting below). */
typedef struct ChatReplayCache ChatReplayCache;

ChatReplayCache *chat_replay_cache_new(guint max_videos, gint64 ttl);
void chat_replay_cache_free(ChatReplayCache **c);
/* VIDEO's replay kept at NOW, or NULL. The cache keeps it: valid until the next call of any
 * function here on C. */
ChatReplay *chat_replay_cache_get(ChatReplayCache *c, const char *video, gint64 now);
/* Keeps R (the cache owns it from here) as VIDEO's at NOW; evicts the oldest when full. */
void chat_replay_cache_put(ChatReplayCache *c, const char *video, ChatReplay *r, gint64 now);
/* Drops VIDEO's replay (a message deleted), or every replay (VIDEO NULL: a member erased). */
void chat_replay_cache_forget(ChatReplayCache *c, const char *video);

/* Counters for /metrics. */
typedef struct {
  guint64 reads;   /* windows served */
  guint64 loads;   /* replays read from the database (cache misses) */
  guint64 hits;
  guint64 items;   /* messages served in windows */
  guint videos;    /* replays in memory */
} ChatReplayStats;

void chat_replay_cache_count_read(ChatReplayCache *c, guint items);
void chat_replay_cache_stats(const ChatReplayCache *c, ChatReplayStats *out);
