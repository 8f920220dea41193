/* api_chat_replay: a recording's chat replay by window of its media time. The recording's
 * dates come from its playlist on disk (read once per load, with the messages), so the
 * mapping needs nothing stored beyond what the live already wrote. */
#include "http/api_chat_replay.h"
#include "core/metrics.h"
#include "core/util.h"
#include "db/db_chat_replay.h"
#include "http/api_fields.h"
#include "media/hls_playlist.h"

#include <errno.h>
#include <string.h>

#define PLAYLIST_MAX (4 << 20)

static void replay_metrics(GString *out, void *user)
{
  ApiContext *ctx = user;
  ChatReplayStats s;
  chat_replay_cache_stats(ctx->replay, &s);
  g_string_append_printf(out,
      "# HELP lectern_chat_replay_reads_total Windows of a recording's chat replay served.\n"
      "# TYPE lectern_chat_replay_reads_total counter\nlectern_chat_replay_reads_total %" G_GUINT64_FORMAT "\n"
      "# HELP lectern_chat_replay_loads_total Replays read from the database (not in memory).\n"
      "# TYPE lectern_chat_replay_loads_total counter\nlectern_chat_replay_loads_total %" G_GUINT64_FORMAT "\n"
      "# HELP lectern_chat_replay_messages_total Replayed messages served in windows.\n"
      "# TYPE lectern_chat_replay_messages_total counter\nlectern_chat_replay_messages_total %" G_GUINT64_FORMAT "\n"
      "# HELP lectern_chat_replay_videos Recordings whose replay is in memory.\n"
      "# TYPE lectern_chat_replay_videos gauge\nlectern_chat_replay_videos %u\n",
      s.reads, s.loads, s.items, s.videos);
}

void api_chat_replay_start(ApiContext *ctx)
{
  ctx->replay = chat_replay_cache_new(CHAT_REPLAY_VIDEOS, CHAT_REPLAY_TTL);
  metrics_add_provider(replay_metrics, ctx);
}

void api_chat_replay_stop(ApiContext *ctx)
{
  if (!ctx->replay)
    return;
  metrics_remove_provider(replay_metrics, ctx);
  chat_replay_cache_free(&ctx->replay);
}

/* The map of VIDEO's recording from the dates in PLAYLIST (relative to its media directory). */
static int load_map(ApiContext *ctx, const char *video, const ChatReplayVideo *v, ChatReplayMap **out)
{
  g_autofree char *media = config_media_dir(ctx->config);
  g_autofree char *path = g_build_filename(media, video, v->playlist, NULL);
  g_autofree char *text = NULL;
  g_autofree char *err = NULL;
  gsize len = 0;
  if (strstr(v->playlist, "..") || !g_file_get_contents(path, &text, &len, NULL) || len > PLAYLIST_MAX)
    return -ENOENT;
  HlsPlaylist *pl = NULL;
  if (hls_playlist_parse(text, 1, &pl, &err) < 0)
    return -EBADMSG;
  guint n = hls_playlist_count(pl);
  ChatReplaySegment *segs = g_new(ChatReplaySegment, MAX(n, 1));
  for (guint i = 0; i < n; i++) {
    const HlsSegment *s = hls_playlist_segment(pl, i);
    segs[i] = (ChatReplaySegment){ s->pdt_ms, s->duration };
  }
  int rc = chat_replay_map_new(segs, n, v->live_started_at, out);
  g_free(segs);
  hls_playlist_free(&pl);
  return rc;
}

/* VIDEO's replay, from memory or loaded now. NULL after answering an error. */
static ChatReplay *replay_for(ApiContext *ctx, const char *video, const ChatReplayVideo *v, gint64 now,
                              HttpResponse *resp)
{
  ChatReplay *r = chat_replay_cache_get(ctx->replay, video, now);
  if (r)
    return r;
  ChatReplayMap *map = NULL;
  int rc = load_map(ctx, video, v, &map);
  if (rc < 0) {
    http_response_error(resp, 409, "not_ready", "the recording's playlist cannot be read yet");
    return NULL;
  }
  rc = chat_replay_load(ctx->db, video, map, &r);
  chat_replay_map_free(&map);
  if (rc < 0) {
    http_response_error(resp, 500, "internal", "could not read the chat");
    return NULL;
  }
  chat_replay_cache_put(ctx->replay, video, r, now);
  return r;
}

/* What a message and a question share: id, media and live time, who (as the live chat names
 * them) and the text. The caller has begun the object. */
static void add_said(JsonBuilder *b, const ChatReplayMessage *m)
{
  json_builder_set_member_name(b, "id");
  json_builder_add_int_value(b, m->id);
  json_builder_set_member_name(b, "media_time");
  json_builder_add_double_value(b, m->media_time);
  json_builder_set_member_name(b, "live_time");
  json_builder_add_double_value(b, m->live_time);
  json_builder_set_member_name(b, "member");
  json_builder_begin_object(b);
  json_builder_set_member_name(b, "id");
  json_builder_add_string_value(b, m->member);
  json_builder_set_member_name(b, "display_name");
  json_builder_add_string_value(b, m->name);
  json_builder_set_member_name(b, "moderator");
  json_builder_add_boolean_value(b, m->moderator);
  json_builder_end_object(b);
  json_builder_set_member_name(b, "text");
  json_builder_add_string_value(b, m->text);
}

void api_chat_replay(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  const char *video = call->params[0];
  gint64 from = 0, to = 0, after = 0, limit = 0;
  if (!api_query_int(call, "from", 0, 86400 * 7, 0, &from, resp) ||
      !api_query_int(call, "to", 0, 86400 * 7, from + 60, &to, resp) ||
      !api_query_int(call, "after", 0, G_MAXINT64, 0, &after, resp) ||
      !api_query_int(call, "limit", 1, 500, 200, &limit, resp))
    return;
  if (to < from || to - from > CHAT_REPLAY_WINDOW_MAX) {
    http_response_error(resp, 400, "invalid_parameter", "to must be from from to from + %d seconds",
                        CHAT_REPLAY_WINDOW_MAX);
    return;
  }
  gint64 now = util_now();
  ChatReplayVideo v;
  int rc = db_chat_replay_video(ctx->db, video, now, &v);
  if (rc < 0 || !v.was_live) {
    if (rc == 0 || rc == -ENOENT)
      http_response_error(resp, 404, "not_found", "no such recording of a live");
    else
      http_response_error(resp, 500, "internal", "could not read the video");
    chat_replay_video_clear(&v);
    return;
  }
  /* The live's chat mode says who reads its replay too. */
  bool moderator = api_is_editor(call);
  if (v.mode == CHAT_MODE_OFF && !moderator) {
    http_response_error(resp, 403, "chat_off", "this live's chat is off");
  } else if (v.mode == CHAT_MODE_MEMBERS && !call->member) {
    http_response_error(resp, 401, "sign_in_required", "this live's chat is for members: sign in");
  } else if (!v.ready || !v.playlist) {
    http_response_error(resp, 409, "not_ready", "the live has not become a recording yet");
  } else if (!ctx->replay) {
    http_response_error(resp, 503, "unavailable", "the chat replay is not served here");
  } else {
    ChatReplay *r = replay_for(ctx, video, &v, now, resp);
    guint first = 0, n = 0;
    bool more = false;
    if (r && chat_replay_window(r, (double)from, (double)to, after, (guint)limit, &first, &n, &more) < 0) {
      http_response_error(resp, 400, "invalid_parameter", "after must be a message of this window");
      r = NULL;
    }
    if (r) {
      JsonBuilder *b = json_builder_new();
      json_builder_begin_object(b);
      json_builder_set_member_name(b, "video");
      json_builder_add_string_value(b, video);
      json_builder_set_member_name(b, "from");
      json_builder_add_int_value(b, from);
      json_builder_set_member_name(b, "to");
      json_builder_add_int_value(b, to);
      json_builder_set_member_name(b, "messages");
      json_builder_begin_array(b);
      for (guint i = first; i < first + n; i++) {
        const ChatReplayMessage *m = chat_replay_message(r, i);
        json_builder_begin_object(b);
        add_said(b, m);
        json_builder_end_object(b);
      }
      json_builder_end_array(b);
      /* Questions and likes come with a window's first page only, so pages never repeat them. */
      json_builder_set_member_name(b, "questions");
      json_builder_begin_array(b);
      const ChatReplayQuestion *q = NULL;
      guint nq = 0;
      if (!after)
        chat_replay_questions_window(r, (double)from, (double)to, &q, &nq);
      for (guint i = 0; i < nq; i++) {
        json_builder_begin_object(b);
        add_said(b, &q[i].said);
        json_builder_set_member_name(b, "votes");
        json_builder_add_int_value(b, q[i].votes);
        json_builder_set_member_name(b, "answered_live");
        json_builder_add_boolean_value(b, q[i].answered_live);
        json_builder_set_member_name(b, "answer");
        if (q[i].answer)
          json_builder_add_string_value(b, q[i].answer);
        else
          json_builder_add_null_value(b);
        json_builder_end_object(b);
      }
      json_builder_end_array(b);
      /* Likes come with a window's first page only, so pages never count them twice. */
      json_builder_set_member_name(b, "likes");
      json_builder_begin_array(b);
      const ChatReplayLikes *l = NULL;
      guint nl = 0;
      if (!after)
        chat_replay_likes_window(r, (double)from, (double)to, &l, &nl);
      for (guint i = 0; i < nl; i++) {
        json_builder_begin_object(b);
        json_builder_set_member_name(b, "media_time");
        json_builder_add_double_value(b, l[i].media_time);
        json_builder_set_member_name(b, "count");
        json_builder_add_int_value(b, l[i].count);
        json_builder_end_object(b);
      }
      json_builder_end_array(b);
      json_builder_set_member_name(b, "likes_before");
      json_builder_add_int_value(b, chat_replay_likes_before(r, (double)from));
      json_builder_set_member_name(b, "likes_total");
      json_builder_add_int_value(b, chat_replay_likes_total(r));
      json_builder_set_member_name(b, "next_after");
      if (more)
        json_builder_add_int_value(b, chat_replay_message(r, first + n - 1)->id);
      else
        json_builder_add_null_value(b);
      json_builder_end_object(b);
      chat_replay_cache_count_read(ctx->replay, n);
      api_reply_json(resp, 200, json_builder_get_root(b));
      g_object_unref(b);
    }
  }
  chat_replay_video_clear(&v);
}
