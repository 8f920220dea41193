/* event: scheduling a live lesson — the video row, its stream key (shown once) and its URLs. */
#pragma once

#include "core/config.h"
#include "db/db.h"

#include <glib.h>
#include <json-glib/json-glib.h>

typedef struct {
  const char *title;      /* 1-200 characters */
  const char *presenter;  /* 0-100 characters */
  const char *kind;       /* model-worker | volunteer | teacher | other */
  const char *starts;     /* ISO 8601 with a zone, or NULL */
} EventRequest;

/* Creates the video in state `scheduled` with a new stream key stored as
 * its hash. Returns 0 with *out: the video JSON plus stream_key, rtmp_url,
 * hls_url. -EINVAL with *field and *msg (static strings) for bad input;
 * -EIO otherwise. */
int event_create(Db *db, const Config *cfg, const guint8 *secret, const EventRequest *req,
                 const char *created_by, JsonNode **out, const char **field, const char **msg);

/* Gives live ID a new stream key (stored as its hash; the old key is refused from then
 * on) and returns 0 with *out as event_create's: the video plus stream_key, rtmp_url,
 * rtmp_server. Only a live not on air yet gets one: -EBUSY while it is on air, -EINVAL when
 * ID is not a live or its live is over, -ENOENT when there is no such video; -EIO. */
int event_rekey(Db *db, const Config *cfg, const guint8 *secret, const char *id, JsonNode **out);

/* The RTMP URL presenters publish to, without the key. Caller frees. */
char *event_rtmp_base(const Config *cfg);

/* The SRT publish URL for KEY, srt://HOST:PORT?streamid=KEY, or NULL when [srt] port is 0
 * (off). KEY NULL gives the URL without the streamid. */
char *event_srt_url(const Config *cfg, const char *key);
