/* db_chat_replay: the reads behind a recording's chat replay (issue 19.5) — which recording,
 * its shown messages and its likes, in live time. Rules: docs/chat.md. */
#pragma once

#include "db/db.h"
#include "db/db_chat.h"

#include <glib.h>
#include <stdbool.h>

/* What the replay needs to know of a video a guest may see. */
typedef struct {
  bool ready;              /* a finished recording (not live, not processing) */
  bool was_live;           /* it went on air (an upload has no chat) */
  gint64 live_started_at;  /* Unix seconds: live time 0 */
  ChatMode mode;           /* the live's chat mode (who may read) */
  char *playlist;          /* a rendition's playlist, relative to the video's media directory; NULL: none */
} ChatReplayVideo;

void chat_replay_video_clear(ChatReplayVideo *v);

/* VIDEO as a guest may see it at NOW (published and due, or unlisted; not deleted). Returns 0,
 * -ENOENT (no such video, or not visible) or -EIO. */
int db_chat_replay_video(Db *db, const char *video, gint64 now, ChatReplayVideo *out);

/* One stored, shown message. */
typedef struct {
  gint64 id;
  double live_time;
  char *member;
  char *name;
  Role role;
  char *text;
} ChatReplayRow;

/* Calls FN for each of VIDEO's shown messages (state 'shown': deleted ones and held ones never
 * released are left out), by live time then id. Returns 0 or -EIO. */
int db_chat_replay_messages(Db *db, const char *video, void (*fn)(void *user, const ChatReplayRow *row),
                            void *user);

/* One question as the replay shows it: asked and let through (open, answered live or in
 * text); pending ones never approved and dismissed ones are left out. */
typedef struct {
  ChatReplayRow said;  /* who asked what, when */
  gint64 votes;
  bool answered_live;
  char *answer;  /* NULL: not answered in text */
} ChatReplayQuestionRow;

/* Calls FN for each of VIDEO's shown questions, by live time then id. 0 or -EIO. */
int db_chat_replay_questions(Db *db, const char *video,
                             void (*fn)(void *user, const ChatReplayQuestionRow *row), void *user);

/* Calls FN for each of VIDEO's like buckets (10 s of live time each), in order. 0 or -EIO. */
int db_chat_replay_likes(Db *db, const char *video, void (*fn)(void *user, gint64 bucket, gint64 count),
                         void *user);
