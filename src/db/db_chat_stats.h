/* db_chat_stats: a live's interactions as figures for the per-video statistics (issue 19.5):
 * interacting members, messages (and how many a moderator deleted), likes, and questions. Rules: docs/chat.md. */
#pragma once

#include "db/db.h"

#include <glib.h>
#include <json-glib/json-glib.h>

typedef struct {
  gint64 members;   /* distinct members who posted, liked, asked or upvoted a question */
  gint64 messages;  /* messages posted (any state: a deleted one was still an interaction) */
  gint64 deleted;   /* of those, deleted by a moderator or an erasure */
  gint64 likes;     /* taps */
  gint64 questions; /* questions asked (Q&A, any state) */
} ChatStats;

/* VIDEO's interactions. Returns 0 or -EIO. */
int db_chat_stats(Db *db, const char *video, ChatStats *out);

/* S as {members, messages, deleted_messages, likes, questions}. */
JsonNode *db_chat_stats_json(const ChatStats *s);
