/* chat_service: the live-chat service core — a room per live, posting rules (real-name
 * members only, rate limit, slow mode, mode open/members/off, moderation delay, sensitive
 * words, duplicates, caps, mutes and bans), likes counted in memory, and the batched fan-out:
 * every CHAT_BATCH_MS a room with news sends its connections ONE batch (new messages,
 * deletions, the like count) instead of one message each. No sockets and no message
 * encoding: it speaks through a ChatIo table (http/ws_chat.c puts it on /ws). Rules and
 * choices: docs/chat.md. */
#pragma once

#include "chat/chat_filter.h"
#include "core/config.h"
#include "db/db.h"
#include "db/db_chat.h"
#include "db/db_member.h"

#include <glib.h>
#include <stdbool.h>

#define CHAT_BATCH_MS 150          /* one frame per connection and room at most this often */
#define CHAT_HISTORY 50            /* messages a joining viewer is shown */
#define CHAT_RATE 1.0              /* messages a second a member may post on average … */
#define CHAT_BURST 3.0             /* … with bursts of this many (moderators: no limit) */
#define CHAT_MEMBER_CAP 300        /* messages one member may post on one live */
#define CHAT_DUPLICATE_SECONDS 60  /* the same (folded) text again within this long is refused */
#define CHAT_AUTO_MUTE_STRIKES 10  /* refusals for flooding (rate, duplicate) within … */
#define CHAT_AUTO_MUTE_WINDOW 60   /* … this many seconds mute a member automatically … */
#define CHAT_AUTO_MUTE_SECONDS 600 /* … for this long (audited as chat.auto_mute) */
#define CHAT_LIKES_MAX 50          /* likes one chat.like message may carry (taps gathered by the page) */

typedef struct ChatService ChatService;

/* What a joining connection is told. */
typedef struct {
  const char *video;
  bool live;                /* on air: posting possible */
  ChatSettings settings;
  const char *can_post;     /* NULL: may post; else why not (an error code: sign_in_required, ...) */
  bool moderator;           /* may delete and sanction (editors and admins) */
  const GPtrArray *recent;  /* ChatMessage*: the last CHAT_HISTORY shown, oldest first */
  gint64 likes;
  int max_length;           /* characters a message may have */
} ChatJoined;

/* One frame's worth of news for a room. */
typedef struct {
  const char *video;
  const GPtrArray *messages; /* ChatMessage*, in order (held ones only in the moderators' frame) */
  const GArray *deleted;     /* gint64 message ids */
  gint64 likes;              /* the live's likes, -1: unchanged */
  const ChatSettings *settings; /* changed settings, or NULL */
} ChatBatch;

typedef struct {
  /* CONN joined a room. */
  void (*joined)(void *user, guint64 conn, const ChatJoined *j);
  /* News B for the N connections CONNS (the room's, or its moderators'). */
  void (*batch)(void *user, const ChatBatch *b, const guint64 *conns, guint n);
  /* A request of CONN refused: CODE (schemas/ws/error.schema.json), never fatal. */
  void (*error)(void *user, guint64 conn, const char *code, const char *message);
  void *user;
} ChatIo;

/* Who is on a connection, as the transport knows it. */
typedef struct {
  const char *member;  /* NULL: a guest */
  const char *name;    /* display name */
  Role role;
  bool verified;       /* real-name verified (and not disqualified) */
} ChatWho;

/* The service on DB (kept open by the caller), speaking through IO (copied), limits from
 * CONFIG (chat_max_length). Its batch timer runs on the default main context. */
ChatService *chat_service_new(Db *db, const Config *config, const ChatIo *io);
/* Stores what is pending, frees S; accepts NULL and clears *S. */
void chat_service_free(ChatService **s);

/* The wall clock in µs the service reads (g_get_real_time by default): tests move it. */
void chat_service_set_clock(ChatService *s, gint64 (*now_us)(void *user), void *user);
/* Turns the batch timer off (tests call chat_service_tick themselves). */
void chat_service_stop_timer(ChatService *s);

/* CONN (WHO) joins VIDEO's room, leaving any other; joined() or error() (not_found, chat_off). */
void chat_service_join(ChatService *s, guint64 conn, const ChatWho *who, const char *video);
/* CONN posts TEXT in VIDEO's room; refused with error() (see docs/chat.md for the codes),
 * else stored and fanned out at the next tick. */
void chat_service_send(ChatService *s, guint64 conn, const char *video, const char *text);
/* CONN likes VIDEO COUNT times (1..CHAT_LIKES_MAX). */
void chat_service_like(ChatService *s, guint64 conn, const char *video, int count);
/* CONN is gone. */
/* CONN fell behind and lost batches (the transport dropped them): its joined message again,
 * as of now, so it is up to date. Nothing when CONN is in no room. */
void chat_service_resync(ChatService *s, guint64 conn);
void chat_service_leave(ChatService *s, guint64 conn);

/* Stores pending messages and likes in one transaction, releases held messages that are due,
 * then sends each room with news one batch. The timer calls this every CHAT_BATCH_MS. */
void chat_service_tick(ChatService *s);

/* ---- what moderators did (through the API, which stores and audits it) ---- */

/* Message ID of VIDEO was deleted: it leaves the room's history and every screen (next tick). */
void chat_service_deleted(ChatService *s, const char *video, gint64 id);
/* MEMBER's sanctions changed: re-read at their next post. */
void chat_service_sanctions_changed(ChatService *s, const char *member);
/* VIDEO's settings changed: re-read and pushed to its room. */
void chat_service_settings_changed(ChatService *s, const char *video);
/* The word list changed: re-read. */
void chat_service_words_changed(ChatService *s);
/* VIDEO's presenter link changed (its member may differ): re-read who is marked presenter. */
void chat_service_presenter_changed(ChatService *s, const char *video);

/* Connections in VIDEO's room (0: none). */
guint chat_service_room_size(ChatService *s, const char *video);
