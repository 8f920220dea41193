/* qa_service: questions to the presenter during a live (Q&A), apart from the chat — a room
 * per live; real-name members ask (the chat's rate limit, word filter, mutes and bans apply),
 * members upvote others' questions once each; a question may wait for approval
 * (pre-moderation, per live); and the batched fan-out: every QA_BATCH_MS a room with news
 * sends each connection ONE qa.batch with the questions that changed. Moderators' and the
 * presenter's decisions are stored by the API (http/api_qa.c) and handed here with
 * qa_service_changed. No sockets: it speaks through a QaIo table (http/ws_qa.c).
 * Rules: docs/chat.md. */
#pragma once

#include "chat/chat_service.h"
#include "chat/qa_rules.h"
#include "core/config.h"
#include "db/db.h"
#include "db/db_qa.h"

#include <glib.h>
#include <stdbool.h>

#define QA_BATCH_MS 150   /* one frame per connection and room at most this often */
#define QA_MEMBER_CAP 20  /* questions one member may ask on one live */
#define QA_VOTE_RATE 2.0  /* upvotes a second a member may give on average … */
#define QA_VOTE_BURST 10.0 /* … with bursts of this many */

typedef struct QaService QaService;

/* What a joining connection is told. */
typedef struct {
  const char *video;
  bool live;                   /* on air: asking possible */
  bool premoderate;            /* questions wait for approval */
  const char *can_ask;         /* NULL: may ask; else why not (an error code) */
  bool moderator;              /* sees pending questions (editors and admins) */
  const GPtrArray *questions;  /* QaQuestion*, in qa_order */
  const GPtrArray *voted;      /* gint64* ids of questions this member upvoted (may be empty) */
  int max_length;              /* characters a question may have */
} QaJoined;

/* One frame's worth of news for a room. */
typedef struct {
  const char *video;
  const GPtrArray *questions; /* QaQuestion* changed (pending and dismissed ones only to moderators) */
  const GArray *removed;      /* gint64 ids no longer shown (dismissed), for viewers */
  int premoderate;            /* -1: unchanged, else the new setting */
} QaBatch;

typedef struct {
  void (*joined)(void *user, guint64 conn, const QaJoined *j);
  void (*batch)(void *user, const QaBatch *b, const guint64 *conns, guint n);
  void (*error)(void *user, guint64 conn, const char *code, const char *message);
  void *user;
} QaIo;

QaService *qa_service_new(Db *db, const Config *config, const QaIo *io);
/* Stores queued upvotes, frees S; accepts NULL and clears *S. */
void qa_service_free(QaService **s);
void qa_service_set_clock(QaService *s, gint64 (*now_us)(void *user), void *user);
void qa_service_stop_timer(QaService *s);

/* CONN (WHO) joins VIDEO's questions, leaving any other; joined() or error(not_found). */
void qa_service_join(QaService *s, guint64 conn, const ChatWho *who, const char *video);
/* CONN asks TEXT on VIDEO: stored at once (pending under pre-moderation), shown at the next
 * tick; refused with error() (the chat's codes, docs/chat.md). */
void qa_service_ask(QaService *s, guint64 conn, const char *video, const char *text);
/* CONN upvotes QUESTION of VIDEO (once per member; not their own). */
void qa_service_vote(QaService *s, guint64 conn, const char *video, gint64 question);
/* CONN fell behind and lost batches (the transport dropped them): its joined message again,
 * as of now, so it is up to date. Nothing when CONN is in no room. */
void qa_service_resync(QaService *s, guint64 conn);
void qa_service_leave(QaService *s, guint64 conn);

/* Stores queued upvotes in one transaction, then sends each room with news one batch. */
void qa_service_tick(QaService *s);

/* Q (as stored after a decision) replaces the room's copy; sent at the next tick. */
void qa_service_changed(QaService *s, const QaQuestion *q);
/* VIDEO's pre-moderation setting changed: re-read and pushed. */
void qa_service_settings_changed(QaService *s, const char *video);
/* MEMBER's sanctions changed: re-read at their next question or upvote. */
void qa_service_sanctions_changed(QaService *s, const char *member);
/* The sensitive-word list changed: re-read. */
void qa_service_words_changed(QaService *s);
/* Connections on VIDEO's questions. */
guint qa_service_room_size(QaService *s, const char *video);
