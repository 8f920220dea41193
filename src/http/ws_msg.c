/* ws_msg: the watch-time protocol's messages — decoding what players send, encoding what
 * the server sends. */
#include "http/ws_msg.h"
#include "core/util.h"

#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <string.h>

const char *ws_msg_type_name(WsType t)
{
  static const char *names[] = { "hello", "watch.start", "heartbeat", "watch.stop", "chat.join",
                                 "chat.send", "chat.like", "read.start", "read.beat", "read.stop",
                                 "qa.join", "qa.ask", "qa.vote" };
  return names[t];
}

/* What each type takes: R = required, O = optional. Unknown fields are refused. */
typedef struct {
  const char *name;
  GType type;        /* G_TYPE_STRING, G_TYPE_BOOLEAN, G_TYPE_DOUBLE (any number), G_TYPE_INT64 */
  bool required;
} Field;

static const Field hello_fields[] = {
  { "token", G_TYPE_STRING, false }, { "client", G_TYPE_STRING, false }, { NULL, 0, false } };
static const Field start_fields[] = {
  { "video", G_TYPE_STRING, true }, { "position", G_TYPE_DOUBLE, true },
  { "playing", G_TYPE_BOOLEAN, true }, { "visible", G_TYPE_BOOLEAN, true },
  { "rate", G_TYPE_DOUBLE, false }, { NULL, 0, false } };
static const Field beat_fields[] = {
  { "seq", G_TYPE_INT64, true }, { "video", G_TYPE_STRING, true },
  { "position", G_TYPE_DOUBLE, true }, { "playing", G_TYPE_BOOLEAN, true },
  { "visible", G_TYPE_BOOLEAN, true }, { "rate", G_TYPE_DOUBLE, false }, { NULL, 0, false } };
static const Field stop_fields[] = {
  { "seq", G_TYPE_INT64, true }, { "video", G_TYPE_STRING, true },
  { "position", G_TYPE_DOUBLE, true }, { NULL, 0, false } };
static const Field chat_join_fields[] = { { "video", G_TYPE_STRING, true }, { NULL, 0, false } };
static const Field chat_send_fields[] = {
  { "video", G_TYPE_STRING, true }, { "text", G_TYPE_STRING, true }, { NULL, 0, false } };
static const Field chat_like_fields[] = {
  { "video", G_TYPE_STRING, true }, { "count", G_TYPE_INT64, false }, { NULL, 0, false } };

static const Field read_start_fields[] = {
  { "article", G_TYPE_INT64, true }, { "visible", G_TYPE_BOOLEAN, true }, { NULL, 0, false } };
static const Field read_beat_fields[] = {
  { "seq", G_TYPE_INT64, true }, { "article", G_TYPE_INT64, true },
  { "visible", G_TYPE_BOOLEAN, true }, { NULL, 0, false } };
static const Field read_stop_fields[] = {
  { "seq", G_TYPE_INT64, true }, { "article", G_TYPE_INT64, true }, { NULL, 0, false } };
static const Field qa_join_fields[] = { { "video", G_TYPE_STRING, true }, { NULL, 0, false } };
static const Field qa_ask_fields[] = {
  { "video", G_TYPE_STRING, true }, { "text", G_TYPE_STRING, true }, { NULL, 0, false } };
static const Field qa_vote_fields[] = {
  { "video", G_TYPE_STRING, true }, { "question", G_TYPE_INT64, true }, { NULL, 0, false } };

static const struct {
  const char *name;
  WsType type;
  const Field *fields;
} types[] = {
  { "hello", WS_HELLO, hello_fields },
  { "watch.start", WS_WATCH_START, start_fields },
  { "heartbeat", WS_HEARTBEAT, beat_fields },
  { "watch.stop", WS_WATCH_STOP, stop_fields },
  { "chat.join", WS_CHAT_JOIN, chat_join_fields },
  { "chat.send", WS_CHAT_SEND, chat_send_fields },
  { "chat.like", WS_CHAT_LIKE, chat_like_fields },
  { "read.start", WS_READ_START, read_start_fields },
  { "read.beat", WS_READ_BEAT, read_beat_fields },
  { "read.stop", WS_READ_STOP, read_stop_fields },
  { "qa.join", WS_QA_JOIN, qa_join_fields },
  { "qa.ask", WS_QA_ASK, qa_ask_fields },
  { "qa.vote", WS_QA_VOTE, qa_vote_fields },
};

static bool is_number(JsonNode *n)
{
  if (!JSON_NODE_HOLDS_VALUE(n))
    return false;
  GType t = json_node_get_value_type(n);
  return t == G_TYPE_INT64 || t == G_TYPE_DOUBLE;
}

static bool id_ok(const char *s)
{
  size_t n = strlen(s);
  if (n == 0 || n > WS_VIDEO_ID_MAX)
    return false;
  for (; *s; s++)
    if (!g_ascii_isalnum(*s) && *s != '-' && *s != '_')
      return false;
  return true;
}

/* Sets an invalid_field error: the code, and the reason from a format. */
#define FIELD_ERROR(...) (*code = "invalid_field", *why = g_strdup_printf(__VA_ARGS__), -EINVAL)

int ws_msg_decode(const char *text, size_t len, WsMessage *m, const char **code, char **why)
{
  memset(m, 0, offsetof(WsMessage, text));
  m->article = 0;
  m->text[0] = '\0';
  m->rate = 1;
  m->count = 1;
  *why = NULL;
  if (len > WS_MSG_MAX) {
    *code = "too_large";
    *why = g_strdup_printf("a message may have at most %d bytes", WS_MSG_MAX);
    return -EINVAL;
  }
  JsonParser *parser = json_parser_new_immutable();
  GError *err = NULL;
  int ret = -EINVAL;
  if (!g_utf8_validate(text, (gssize)len, NULL) || !json_parser_load_from_data(parser, text, (gssize)len, &err)) {
    *code = "malformed_json";
    g_autofree char *where = err ? util_json_error(err) : NULL;
    *why = g_strdup_printf("not valid JSON: %s", where ? where : "not UTF-8");
    g_clear_error(&err);
    goto out;
  }
  JsonNode *root = json_parser_get_root(parser);
  /* Without a backslash every string is a piece of the text, which is UTF-8 (checked above):
   * the walk is for escapes only, not paid by every heartbeat. */
  if (memchr(text, '\\', len) && !util_json_utf8(root)) {
    *code = "malformed_json";
    *why = g_strdup("not valid JSON: an escape makes a character that is not UTF-8");
    goto out;
  }
  if (!root || !JSON_NODE_HOLDS_OBJECT(root)) {
    *code = "invalid_message";
    *why = g_strdup("a message is a JSON object with a \"type\"");
    goto out;
  }
  JsonObject *o = json_node_get_object(root);
  JsonNode *tn = json_object_get_member(o, "type");
  if (!tn || !JSON_NODE_HOLDS_VALUE(tn) || json_node_get_value_type(tn) != G_TYPE_STRING) {
    *code = "invalid_message";
    *why = g_strdup("a message needs \"type\" (a string)");
    goto out;
  }
  const char *tname = json_node_get_string(tn);
  const Field *fields = NULL;
  for (size_t i = 0; i < G_N_ELEMENTS(types); i++)
    if (strcmp(tname, types[i].name) == 0) {
      m->type = types[i].type;
      fields = types[i].fields;
    }
  if (!fields) {
    *code = "unknown_type";
    *why = g_strdup_printf("unknown message type \"%.40s\"", tname);
    goto out;
  }

  /* Every member must be known, of its type; every required one present. */
  GList *names = json_object_get_members(o);
  for (GList *l = names; l; l = l->next) {
    const char *name = l->data;
    if (strcmp(name, "type") == 0)
      continue;
    const Field *f = fields;
    while (f->name && strcmp(f->name, name) != 0)
      f++;
    if (!f->name) {
      g_list_free(names);
      ret = FIELD_ERROR("unknown field \"%.40s\"", name);
      goto out;
    }
  }
  g_list_free(names);

  for (const Field *f = fields; f->name; f++) {
    JsonNode *n = json_object_get_member(o, f->name);
    if (!n) {
      if (f->required) {
        ret = FIELD_ERROR("\"%s\" is required", f->name);
        goto out;
      }
      continue;
    }
    if (f->type == G_TYPE_STRING) {
      if (!JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_STRING) {
        ret = FIELD_ERROR("\"%s\" must be a string", f->name);
        goto out;
      }
      const char *s = json_node_get_string(n);
      if (strcmp(f->name, "video") == 0) {
        if (!id_ok(s)) {
          ret = FIELD_ERROR("\"%s\" must be a video id (1-32 of A-Z a-z 0-9 - _)", f->name);
          goto out;
        }
        g_strlcpy(m->video, s, sizeof m->video);
      } else if (strcmp(f->name, "token") == 0) {
        if (strlen(s) > TOKEN_MAX_LEN) {
          ret = FIELD_ERROR("\"%s\" is too long", f->name);
          goto out;
        }
        g_strlcpy(m->token, s, sizeof m->token);
      } else if (strcmp(f->name, "text") == 0) {
        if (!*s) {
          ret = FIELD_ERROR("\"%s\" may not be empty", f->name);
          goto out;
        }
        /* The whole message is at most WS_MSG_MAX bytes, so the text fits; its length in
         * characters is the chat service's rule. */
        g_strlcpy(m->text, s, sizeof m->text);
      } else if (strlen(s) > 100) {
        ret = FIELD_ERROR("\"%s\" may have at most 100 bytes", f->name);
        goto out;
      }
    } else if (f->type == G_TYPE_BOOLEAN) {
      if (!JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_BOOLEAN) {
        ret = FIELD_ERROR("\"%s\" must be true or false", f->name);
        goto out;
      }
      bool v = json_node_get_boolean(n);
      if (strcmp(f->name, "playing") == 0)
        m->report.playing = v;
      else
        m->report.visible = v;
    } else if (f->type == G_TYPE_INT64 && strcmp(f->name, "count") == 0) {
      if (!JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_INT64 ||
          json_node_get_int(n) < 1 || json_node_get_int(n) > CHAT_LIKES_MAX) {
        ret = FIELD_ERROR("\"%s\" must be a whole number from 1 to %d", f->name, CHAT_LIKES_MAX);
        goto out;
      }
      m->count = (int)json_node_get_int(n);
    } else if (f->type == G_TYPE_INT64 && strcmp(f->name, "article") == 0) {
      if (!JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_INT64 ||
          json_node_get_int(n) < 1 || json_node_get_int(n) > ((gint64)1 << 53)) {
        ret = FIELD_ERROR("\"%s\" must be an article id (a whole number from 1)", f->name);
        goto out;
      }
      m->article = json_node_get_int(n);
    } else if (f->type == G_TYPE_INT64) {
      if (!JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_INT64 ||
          json_node_get_int(n) < 1 || json_node_get_int(n) > ((gint64)1 << 53)) {
        ret = FIELD_ERROR("\"%s\" must be a whole number from 1", f->name);
        goto out;
      }
      if (strcmp(f->name, "question") == 0)
        m->question = json_node_get_int(n);
      else
        m->report.seq = json_node_get_int(n);
    } else {
      if (!is_number(n)) {
        ret = FIELD_ERROR("\"%s\" must be a number", f->name);
        goto out;
      }
      double v = json_node_get_double(n);
      if (strcmp(f->name, "position") == 0) {
        if (!isfinite(v) || v < 0 || v > SECONDS_MAP_MAX_SECONDS) {
          ret = FIELD_ERROR("\"%s\" must be seconds from 0 to 86400", f->name);
          goto out;
        }
        m->report.position = v;
      } else {
        if (!isfinite(v) || v <= 0 || v > 16) {
          ret = FIELD_ERROR("\"%s\" must be above 0 and at most 16", f->name);
          goto out;
        }
        m->rate = v;
      }
    }
  }
  if (m->type == WS_READ_STOP)
    m->report.visible = false;
  if (m->type == WS_WATCH_STOP)
    m->report.playing = m->report.visible = false;
  ret = 0;
  *code = NULL;
out:
  g_object_unref(parser);
  return ret;
}

/* ---- server messages ------------------------------------------------------- */

static char *finish(JsonBuilder *b)
{
  json_builder_end_object(b);
  JsonNode *node = json_builder_get_root(b);
  char *text = util_json_text(node, false);
  json_node_unref(node);
  g_object_unref(b);
  return text;
}

static JsonBuilder *begin(const char *type)
{
  JsonBuilder *b = json_builder_new();
  json_builder_begin_object(b);
  json_builder_set_member_name(b, "type");
  json_builder_add_string_value(b, type);
  return b;
}

char *ws_msg_error(const char *code, const char *message, bool fatal, gint64 seq)
{
  JsonBuilder *b = begin("error");
  json_builder_set_member_name(b, "code");
  json_builder_add_string_value(b, code);
  /* Messages quote what the player sent, cut at a byte count ("%.40s"): possibly inside a
   * character, which would make the frame invalid UTF-8 (found by fuzz_ws). */
  g_autofree char *valid = g_utf8_make_valid(message, -1);
  json_builder_set_member_name(b, "message");
  json_builder_add_string_value(b, valid);
  json_builder_set_member_name(b, "fatal");
  json_builder_add_boolean_value(b, fatal);
  if (seq > 0) {
    json_builder_set_member_name(b, "seq");
    json_builder_add_int_value(b, seq);
  }
  return finish(b);
}

char *ws_msg_welcome(const char *member_id, const char *display_name, bool verified, bool earns,
                     JsonNode *points)
{
  JsonBuilder *b = begin("welcome");
  json_builder_set_member_name(b, "member");
  if (member_id) {
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "id");
    json_builder_add_string_value(b, member_id);
    json_builder_set_member_name(b, "display_name");
    json_builder_add_string_value(b, display_name);
    json_builder_set_member_name(b, "real_name_verified");
    json_builder_add_boolean_value(b, verified);
    json_builder_end_object(b);
  } else {
    json_builder_add_null_value(b);
  }
  json_builder_set_member_name(b, "earns_points");
  json_builder_add_boolean_value(b, earns);
  json_builder_set_member_name(b, "heartbeat_interval");
  json_builder_add_int_value(b, 10);
  json_builder_set_member_name(b, "session_timeout");
  json_builder_add_int_value(b, WATCH_SILENCE_SECONDS);
  json_builder_set_member_name(b, "points");
  if (points)
    json_builder_add_value(b, points);
  else
    json_builder_add_null_value(b);
  return finish(b);
}

char *ws_msg_watch_started(const char *session, const char *video, bool live, double resume,
                           gint64 credited, int viewers)
{
  JsonBuilder *b = begin("watch.started");
  json_builder_set_member_name(b, "session");
  json_builder_add_string_value(b, session);
  json_builder_set_member_name(b, "video");
  json_builder_add_string_value(b, video);
  json_builder_set_member_name(b, "live");
  json_builder_add_boolean_value(b, live);
  json_builder_set_member_name(b, "resume_position");
  if (resume >= 0)
    json_builder_add_double_value(b, round(resume * 10) / 10);
  else
    json_builder_add_null_value(b);
  json_builder_set_member_name(b, "credited_seconds");
  json_builder_add_int_value(b, credited);
  json_builder_set_member_name(b, "viewers");
  json_builder_add_int_value(b, viewers);
  return finish(b);
}

char *ws_msg_ack(gint64 seq, unsigned credited, gint64 video_credited, gint64 points)
{
  return g_strdup_printf("{\"type\":\"heartbeat.ack\",\"seq\":%" G_GINT64_FORMAT ",\"credited\":%u,"
                         "\"video_credited\":%" G_GINT64_FORMAT ",\"points\":%" G_GINT64_FORMAT "}",
                         seq, credited, video_credited, points);
}

char *ws_msg_watch_ended(const char *session, const char *reason)
{
  JsonBuilder *b = begin("watch.ended");
  json_builder_set_member_name(b, "session");
  json_builder_add_string_value(b, session);
  json_builder_set_member_name(b, "reason");
  json_builder_add_string_value(b, reason);
  return finish(b);
}

char *ws_msg_points_update(JsonNode *summary, gint64 earned)
{
  JsonObject *o = json_node_get_object(summary);
  json_object_set_string_member(o, "type", "points.update");
  json_object_set_int_member(o, "earned", earned);
  char *text = util_json_text(summary, false);
  json_node_unref(summary);
  return text;
}

char *ws_msg_live_viewers(const char *video, int viewers)
{
  return g_strdup_printf("{\"type\":\"live.viewers\",\"video\":\"%s\",\"viewers\":%d}", video, viewers);
}

/* ---- chat ---------------------------------------------------------------------- */

static void add_settings(JsonBuilder *b, const ChatSettings *st)
{
  json_builder_set_member_name(b, "settings");
  json_builder_add_value(b, db_chat_settings_json(st));
}

/* A message as shown: text is text (the page sets textContent; nothing is markup). */
static void add_message(JsonBuilder *b, const ChatMessage *m)
{
  json_builder_begin_object(b);
  json_builder_set_member_name(b, "id");
  json_builder_add_int_value(b, m->id);
  json_builder_set_member_name(b, "member");
  json_builder_begin_object(b);
  json_builder_set_member_name(b, "id");
  json_builder_add_string_value(b, m->member);
  json_builder_set_member_name(b, "display_name");
  json_builder_add_string_value(b, m->name ? m->name : "");
  json_builder_set_member_name(b, "moderator");
  json_builder_add_boolean_value(b, m->role == ROLE_EDITOR || m->role == ROLE_ADMIN);
  if (m->presenter) {
    json_builder_set_member_name(b, "presenter");
    json_builder_add_boolean_value(b, true);
  }
  json_builder_end_object(b);
  json_builder_set_member_name(b, "text");
  json_builder_add_string_value(b, m->text);
  json_builder_set_member_name(b, "live_time");
  json_builder_add_double_value(b, m->live_time);
  if (m->held) {
    json_builder_set_member_name(b, "held");
    json_builder_add_boolean_value(b, true);
  }
  json_builder_end_object(b);
}

char *ws_msg_chat_joined(const ChatJoined *j)
{
  JsonBuilder *b = begin("chat.joined");
  json_builder_set_member_name(b, "video");
  json_builder_add_string_value(b, j->video);
  json_builder_set_member_name(b, "live");
  json_builder_add_boolean_value(b, j->live);
  add_settings(b, &j->settings);
  json_builder_set_member_name(b, "can_post");
  json_builder_add_boolean_value(b, j->can_post == NULL);
  json_builder_set_member_name(b, "why_not");
  if (j->can_post)
    json_builder_add_string_value(b, j->can_post);
  else
    json_builder_add_null_value(b);
  json_builder_set_member_name(b, "moderator");
  json_builder_add_boolean_value(b, j->moderator);
  json_builder_set_member_name(b, "max_length");
  json_builder_add_int_value(b, j->max_length);
  json_builder_set_member_name(b, "likes");
  json_builder_add_int_value(b, j->likes);
  json_builder_set_member_name(b, "messages");
  json_builder_begin_array(b);
  for (guint i = 0; j->recent && i < j->recent->len; i++)
    add_message(b, j->recent->pdata[i]);
  json_builder_end_array(b);
  return finish(b);
}

char *ws_msg_chat_batch(const ChatBatch *cb)
{
  JsonBuilder *b = begin("chat.batch");
  json_builder_set_member_name(b, "video");
  json_builder_add_string_value(b, cb->video);
  json_builder_set_member_name(b, "messages");
  json_builder_begin_array(b);
  for (guint i = 0; cb->messages && i < cb->messages->len; i++)
    add_message(b, cb->messages->pdata[i]);
  json_builder_end_array(b);
  json_builder_set_member_name(b, "deleted");
  json_builder_begin_array(b);
  for (guint i = 0; cb->deleted && i < cb->deleted->len; i++)
    json_builder_add_int_value(b, g_array_index(cb->deleted, gint64, i));
  json_builder_end_array(b);
  if (cb->likes >= 0) {
    json_builder_set_member_name(b, "likes");
    json_builder_add_int_value(b, cb->likes);
  }
  if (cb->settings)
    add_settings(b, cb->settings);
  return finish(b);
}

/* ---- reading ------------------------------------------------------------------- */

static void add_read_state(JsonBuilder *b, const ReadState *st)
{
  json_builder_set_member_name(b, "article");
  json_builder_add_int_value(b, st->article);
  json_builder_set_member_name(b, "earns");
  json_builder_add_boolean_value(b, st->earns);
  json_builder_set_member_name(b, "read_seconds");
  json_builder_add_int_value(b, st->read_seconds);
  json_builder_set_member_name(b, "need_seconds");
  json_builder_add_int_value(b, st->need);
  json_builder_set_member_name(b, "credited_seconds");
  json_builder_add_int_value(b, st->credited);
  json_builder_set_member_name(b, "done");
  json_builder_add_boolean_value(b, st->done);
  json_builder_set_member_name(b, "points");
  json_builder_add_int_value(b, st->points);
}

char *ws_msg_read_started(const ReadState *st)
{
  JsonBuilder *b = begin("read.started");
  add_read_state(b, st);
  json_builder_set_member_name(b, "report_interval");
  json_builder_add_int_value(b, READ_REPORT_SECONDS);
  return finish(b);
}

char *ws_msg_read_ack(gint64 seq, const ReadState *st, gint64 earned)
{
  JsonBuilder *b = begin("read.ack");
  json_builder_set_member_name(b, "seq");
  json_builder_add_int_value(b, seq);
  add_read_state(b, st);
  json_builder_set_member_name(b, "earned");
  json_builder_add_int_value(b, earned);
  return finish(b);
}

char *ws_msg_read_ended(gint64 article, const char *reason)
{
  JsonBuilder *b = begin("read.ended");
  json_builder_set_member_name(b, "article");
  json_builder_add_int_value(b, article);
  json_builder_set_member_name(b, "reason");
  json_builder_add_string_value(b, reason);
  return finish(b);
}

/* A question as viewers see it (schemas/ws/qa.joined.schema.json). */
static void add_question(JsonBuilder *b, const QaQuestion *q)
{
  json_builder_begin_object(b);
  json_builder_set_member_name(b, "id");
  json_builder_add_int_value(b, q->id);
  json_builder_set_member_name(b, "member");
  json_builder_begin_object(b);
  json_builder_set_member_name(b, "id");
  json_builder_add_string_value(b, q->member);
  json_builder_set_member_name(b, "display_name");
  json_builder_add_string_value(b, q->name ? q->name : "");
  json_builder_end_object(b);
  json_builder_set_member_name(b, "text");
  json_builder_add_string_value(b, q->text);
  json_builder_set_member_name(b, "live_time");
  json_builder_add_double_value(b, q->live_time);
  json_builder_set_member_name(b, "state");
  json_builder_add_string_value(b, qa_state_name(q->state));
  json_builder_set_member_name(b, "votes");
  json_builder_add_int_value(b, q->votes);
  json_builder_set_member_name(b, "pinned");
  json_builder_add_boolean_value(b, q->pinned);
  json_builder_set_member_name(b, "answer");
  if (q->answer)
    json_builder_add_string_value(b, q->answer);
  else
    json_builder_add_null_value(b);
  json_builder_end_object(b);
}

char *ws_msg_qa_joined(const QaJoined *j)
{
  JsonBuilder *b = begin("qa.joined");
  json_builder_set_member_name(b, "video");
  json_builder_add_string_value(b, j->video);
  json_builder_set_member_name(b, "live");
  json_builder_add_boolean_value(b, j->live);
  json_builder_set_member_name(b, "premoderate");
  json_builder_add_boolean_value(b, j->premoderate);
  json_builder_set_member_name(b, "can_ask");
  json_builder_add_boolean_value(b, j->can_ask == NULL);
  json_builder_set_member_name(b, "why_not");
  if (j->can_ask)
    json_builder_add_string_value(b, j->can_ask);
  else
    json_builder_add_null_value(b);
  json_builder_set_member_name(b, "moderator");
  json_builder_add_boolean_value(b, j->moderator);
  json_builder_set_member_name(b, "max_length");
  json_builder_add_int_value(b, j->max_length);
  json_builder_set_member_name(b, "questions");
  json_builder_begin_array(b);
  for (guint i = 0; j->questions && i < j->questions->len; i++)
    add_question(b, j->questions->pdata[i]);
  json_builder_end_array(b);
  json_builder_set_member_name(b, "voted");
  json_builder_begin_array(b);
  for (guint i = 0; j->voted && i < j->voted->len; i++)
    json_builder_add_int_value(b, *(const gint64 *)j->voted->pdata[i]);
  json_builder_end_array(b);
  return finish(b);
}

char *ws_msg_qa_batch(const QaBatch *qb)
{
  JsonBuilder *b = begin("qa.batch");
  json_builder_set_member_name(b, "video");
  json_builder_add_string_value(b, qb->video);
  json_builder_set_member_name(b, "questions");
  json_builder_begin_array(b);
  for (guint i = 0; qb->questions && i < qb->questions->len; i++)
    add_question(b, qb->questions->pdata[i]);
  json_builder_end_array(b);
  json_builder_set_member_name(b, "removed");
  json_builder_begin_array(b);
  for (guint i = 0; qb->removed && i < qb->removed->len; i++)
    json_builder_add_int_value(b, g_array_index(qb->removed, gint64, i));
  json_builder_end_array(b);
  if (qb->premoderate >= 0) {
    json_builder_set_member_name(b, "premoderate");
    json_builder_add_boolean_value(b, qb->premoderate != 0);
  }
  return finish(b);
}
