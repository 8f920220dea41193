/* event: scheduling a live lesson — the video row, its stream key (shown once) and its URLs. */
#include "media/event.h"
#include "auth/token.h"
#include "core/log.h"
#include "core/util.h"
#include "db/db_video.h"

#include <errno.h>
#include <string.h>

char *event_rtmp_base(const Config *cfg)
{
  const char *host = cfg->rtmp_host;
  if (!strcmp(host, "0.0.0.0") || !strcmp(host, "::"))
    host = g_get_host_name();
  if (strchr(host, ':'))
    return g_strdup_printf("rtmp://[%s]:%" G_GINT64_FORMAT "/%s", host, cfg->rtmp_port, cfg->rtmp_app);
  return g_strdup_printf("rtmp://%s:%" G_GINT64_FORMAT "/%s", host, cfg->rtmp_port, cfg->rtmp_app);
}

char *event_srt_url(const Config *cfg, const char *key)
{
  if (cfg->srt_port <= 0)
    return NULL;
  const char *host = cfg->srt_host;
  if (!strcmp(host, "0.0.0.0") || !strcmp(host, "::"))
    host = g_get_host_name();
  g_autofree char *base = strchr(host, ':')
    ? g_strdup_printf("srt://[%s]:%" G_GINT64_FORMAT, host, cfg->srt_port)
    : g_strdup_printf("srt://%s:%" G_GINT64_FORMAT, host, cfg->srt_port);
  return key ? g_strdup_printf("%s?streamid=%s", base, key) : g_steal_pointer(&base);
}

/* Video ID as JSON with its new stream KEY, the RTMP server and the full publish URL. */
static JsonNode *with_key(Db *db, const Config *cfg, const char *id, const char *key)
{
  int rc = 0;
  JsonNode *node = db_video_json(db, id, &rc);
  if (!node)
    return NULL;
  JsonObject *o = json_node_get_object(node);
  g_autofree char *base = event_rtmp_base(cfg);
  g_autofree char *url = g_strdup_printf("%s/%s", base, key);
  json_object_set_string_member(o, "stream_key", key);
  json_object_set_string_member(o, "rtmp_url", url);
  json_object_set_string_member(o, "rtmp_server", base);
  g_autofree char *srt = event_srt_url(cfg, key);
  if (srt)
    json_object_set_string_member(o, "srt_url", srt); /* with [srt] port only */
  return node;
}

static bool valid_text(const char *s, glong min, glong max)
{
  if (!s || !g_utf8_validate(s, -1, NULL))
    return false;
  glong n = g_utf8_strlen(s, -1);
  if (n < min || n > max)
    return false;
  for (const char *p = s; *p; p++)
    if ((unsigned char)*p < 0x20)
      return false;
  return true;
}

int event_create(Db *db, const Config *cfg, const guint8 *secret, const EventRequest *req,
                 const char *created_by, JsonNode **out, const char **field, const char **msg)
{
  static const char *kinds[] = {"model-worker", "volunteer", "teacher", "other"};
  gint64 starts = 0;
  if (!valid_text(req->title, 1, 200) || strspn(req->title, " ") == strlen(req->title)) {
    *field = "title";
    *msg = "title must be 1 to 200 characters of text";
    return -EINVAL;
  }
  if (req->presenter && !valid_text(req->presenter, 0, 100)) {
    *field = "presenter";
    *msg = "presenter must be at most 100 characters of text";
    return -EINVAL;
  }
  const char *kind = req->kind ? req->kind : "other";
  bool kind_ok = false;
  for (size_t i = 0; i < G_N_ELEMENTS(kinds); i++)
    kind_ok |= !strcmp(kind, kinds[i]);
  if (!kind_ok) {
    *field = "kind";
    *msg = "kind must be model-worker, volunteer, teacher or other";
    return -EINVAL;
  }
  if (req->starts && *req->starts) {
    GDateTime *dt = g_date_time_new_from_iso8601(req->starts, NULL);
    if (!dt) {
      *field = "starts";
      *msg = "starts must be an ISO 8601 time with a zone, e.g. 2026-11-22T19:00:00+08:00";
      return -EINVAL;
    }
    starts = g_date_time_to_unix(dt);
    g_date_time_unref(dt);
  }
  g_autofree char *key = util_random_id(24);
  g_autofree char *hash = token_hash(secret, key);
  g_autofree char *id = NULL;
  int rc = db_video_create_live(db, req->title, req->presenter, kind, starts, hash, created_by, &id);
  if (rc == -EINVAL) {
    *field = "title";
    *msg = "a value was refused by the database";
    return rc;
  }
  if (rc < 0)
    return -EIO;
  if (!(*out = with_key(db, cfg, id, key)))
    return -EIO;
  log_info("live", "%s: lesson '%s' scheduled%s%s", id, req->title, created_by ? " by " : "",
           created_by ? created_by : "");
  return 0;
}

int event_rekey(Db *db, const Config *cfg, const guint8 *secret, const char *id, JsonNode **out)
{
  g_autofree char *key = util_random_id(24);
  g_autofree char *hash = token_hash(secret, key);
  int rc = db_video_set_key(db, id, hash);
  if (rc < 0)
    return rc;
  if (!(*out = with_key(db, cfg, id, key)))
    return -EIO;
  log_info("live", "%s: stream key replaced; the old one is refused from now on", id);
  return 0;
}
