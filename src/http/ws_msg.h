/* ws_msg: the watch-time protocol's messages (schemas/ws/, one schema per type) — decoding what
 * players send, encoding what the server sends. No I/O here. */
#pragma once

#include "auth/token.h"
#include "chat/chat_service.h"
#include "chat/qa_service.h"
#include "points/seconds_map.h"
#include "points/watch_clock.h"
#include "watch/read_service.h"

#include <glib.h>
#include <json-glib/json-glib.h>
#include <stdbool.h>

/* The largest message a player may send, in bytes. */
#define WS_MSG_MAX 2048
#define WS_VIDEO_ID_MAX 32

typedef enum {
  WS_HELLO,
  WS_WATCH_START,
  WS_HEARTBEAT,
  WS_WATCH_STOP,
  WS_CHAT_JOIN,
  WS_CHAT_SEND,
  WS_CHAT_LIKE,
  WS_READ_START,
  WS_READ_BEAT,
  WS_READ_STOP,
  WS_QA_JOIN,
  WS_QA_ASK,
  WS_QA_VOTE,
} WsType;

typedef struct {
  WsType type;
  char token[TOKEN_MAX_LEN + 1]; /* hello: empty for a guest */
  char video[WS_VIDEO_ID_MAX + 1];
  WatchReport report;            /* watch.start (seq 0), heartbeat, watch.stop */
  double rate;                   /* playback rate as the player reports it (1 when absent) */
  gint64 question;               /* qa.vote: the question's id */
  char text[WS_MSG_MAX];         /* chat.send: the message as sent (the chat service checks it) */
  int count;                     /* chat.like: taps (1..CHAT_LIKES_MAX; 1 when absent) */
  gint64 article;                /* read.*: the article's id */
} WsMessage;

/* Decodes one text message of LEN bytes. Returns 0 with *M, or -EINVAL with *CODE (a
 * static error code from schemas/ws/error.schema.json: malformed_json, invalid_message,
 * unknown_type, invalid_field) and *WHY (a sentence, caller frees). */
int ws_msg_decode(const char *text, size_t len, WsMessage *m, const char **code, char **why);

/* The type's name on the wire ("watch.start", …). */
const char *ws_msg_type_name(WsType t);

/* Server messages as JSON text (caller frees). */
char *ws_msg_error(const char *code, const char *message, bool fatal, gint64 seq);
char *ws_msg_welcome(const char *member_id, const char *display_name, bool verified, bool earns,
                     JsonNode *points /* consumed; NULL for guests */);
char *ws_msg_watch_started(const char *session, const char *video, bool live, double resume,
                           gint64 credited, int viewers);
char *ws_msg_ack(gint64 seq, unsigned credited, gint64 video_credited, gint64 points);
char *ws_msg_watch_ended(const char *session, const char *reason);
char *ws_msg_points_update(JsonNode *summary /* consumed */, gint64 earned);
char *ws_msg_live_viewers(const char *video, int viewers);
char *ws_msg_chat_joined(const ChatJoined *j);
char *ws_msg_chat_batch(const ChatBatch *b);
char *ws_msg_read_started(const ReadState *st);
char *ws_msg_read_ack(gint64 seq, const ReadState *st, gint64 earned);
char *ws_msg_read_ended(gint64 article, const char *reason);
char *ws_msg_qa_joined(const QaJoined *j);
char *ws_msg_qa_batch(const QaBatch *b);
