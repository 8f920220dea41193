/* db_chat: chat messages, likes, sanctions (mutes, bans), the sensitive-word list and the
 * per-live chat settings (migration 0014). Rules: docs/chat.md. */
#pragma once

#include "db/db.h"
#include "db/db_member.h"

#include <glib.h>
#include <json-glib/json-glib.h>
#include <stdbool.h>

/* A live's chat mode: everyone reads (open), only signed-in members read (members), no chat (off). */
typedef enum { CHAT_MODE_OPEN = 0, CHAT_MODE_MEMBERS = 1, CHAT_MODE_OFF = 2 } ChatMode;

const char *chat_mode_name(ChatMode m);
int chat_mode_parse(const char *name, ChatMode *out); /* 0 or -EINVAL */

typedef struct {
  ChatMode mode;
  int slow_seconds;  /* a member posts at most once per this many seconds (0: no slow mode) */
  int hold_seconds;  /* moderation delay: messages are shown this long after posting (0: at once) */
  int max_messages;  /* messages a live takes in all (0: no cap) */
  bool replay;       /* chat replayed with the recording */
} ChatSettings;

/* A stored message (also the chat service's message in memory). */
typedef struct {
  gint64 id;
  char *video;
  char *member;
  char *name;        /* the member's display name */
  Role role;
  char *text;
  double live_time;  /* seconds since the live went on air */
  gint64 created_at; /* Unix seconds */
  bool held;         /* waiting out the moderation delay */
  bool presenter;    /* posted by the live's presenter (the presenter link's member) */
  gint64 release_us; /* held: when it is shown (the service's clock, µs) */
} ChatMessage;

void chat_message_free(ChatMessage *m);

/* VIDEO's settings (the defaults when it has no row). Returns 0 or -EIO. */
int db_chat_settings_get(Db *db, const char *video, ChatSettings *out);
/* Stores VIDEO's settings S, changed by MEMBER at NOW. Returns 0 or -errno. */
int db_chat_settings_put(Db *db, const char *video, const ChatSettings *s, const char *member, gint64 now);
/* S as a JSON object {mode, slow_seconds, hold_seconds, max_messages, replay}. */
JsonNode *db_chat_settings_json(const ChatSettings *s);

/* Stores M (held or shown) and sets M->id. Call inside a transaction. Returns 0 or -errno. */
int db_chat_message_insert(Db *db, ChatMessage *m);
/* A held message ID is shown now. Returns 0 or -errno. */
int db_chat_message_release(Db *db, gint64 id);
/* Message ID of VIDEO deleted by MEMBER at NOW. Returns 0, -ENOENT (no such message of that
 * video, or deleted already) or -EIO. */
int db_chat_message_delete(Db *db, const char *video, gint64 id, const char *member, gint64 now);
/* The LIMIT latest shown messages of VIDEO, oldest first (GPtrArray of ChatMessage*, freeing
 * them), in *OUT. Returns 0 or -EIO. */
int db_chat_recent(Db *db, const char *video, int limit, GPtrArray **out);
/* Messages VIDEO took (any state) in *ALL, and of those MEMBER's in *MINE (MEMBER NULL: 0). */
int db_chat_counts(Db *db, const char *video, const char *member, gint64 *all, gint64 *mine);
/* VIDEO's shown messages with live_time in [FROM, TO), oldest first, at most LIMIT: a JSON
 * array of {id, member: {id, display_name}, text, live_time, created_at}. For the replay and
 * editors. NULL with *RC on failure. */
JsonNode *db_chat_messages_json(Db *db, const char *video, double from, double to, int limit, int *rc);

/* Adds N likes to VIDEO's bucket BUCKET (10 s of live time). Returns 0 or -errno. */
int db_chat_likes_add(Db *db, const char *video, gint64 bucket, gint64 n);
/* MEMBER liked VIDEO (once is enough). Returns 0 or -errno. */
int db_chat_liker_add(Db *db, const char *video, const char *member);
/* VIDEO's likes in all. Returns 0 or -EIO. */
int db_chat_likes_total(Db *db, const char *video, gint64 *out);

/* A sanction: KIND "mute" or "ban" of MEMBER on VIDEO ("" or NULL: every live) by BY at
 * NOW until EXPIRES (0: until lifted), with REASON. *ID the new sanction's. Returns 0 or -errno. */
int db_chat_sanction_add(Db *db, const char *member, const char *video, const char *kind,
                         const char *reason, const char *by, gint64 now, gint64 expires, gint64 *id);
/* Lifts sanction ID at NOW; *MEMBER (caller frees) is whose it was. Returns 0, -ENOENT (no
 * such sanction, or lifted already) or -EIO. */
int db_chat_sanction_lift(Db *db, gint64 id, gint64 now, char **member);
/* Until when MEMBER is muted / banned on VIDEO at NOW: 0 not, G_MAXINT64 until lifted, else
 * Unix seconds. A ban also mutes. Returns 0 or -EIO. */
int db_chat_sanction_state(Db *db, const char *member, const char *video, gint64 now,
                           gint64 *muted_until, gint64 *banned_until);
/* Sanctions in force at NOW, newest first: a JSON array of {id, member: {id, display_name},
 * video, kind, reason, created_by, created_at, expires_at}. NULL with *RC on failure. */
JsonNode *db_chat_sanctions_json(Db *db, gint64 now, int *rc);

/* Adds WORD (folded: NORMALIZED) to the sensitive-word list. Returns 0, -EEXIST (that folded
 * word is listed), -EINVAL or -EIO; *ID the new word's. */
int db_chat_word_add(Db *db, const char *word, const char *normalized, const char *by, gint64 now,
                     gint64 *id);
/* Removes word ID; *WORD (caller frees) the word it was. Returns 0, -ENOENT or -EIO. */
int db_chat_word_delete(Db *db, gint64 id, char **word);
/* Every listed word (as entered), oldest first, in *OUT (GPtrArray of char*). 0 or -EIO. */
int db_chat_words(Db *db, GPtrArray **out);
/* The list as a JSON array of {id, word, created_at}. NULL with *RC on failure. */
JsonNode *db_chat_words_json(Db *db, int *rc);

/* Whether VIDEO exists and is not deleted (chat settings may be set before a live airs).
 * Returns 0, -ENOENT or -EIO. */
int db_chat_video_exists(Db *db, const char *video);
