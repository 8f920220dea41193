/* live: lifecycle of every live lesson — publish → pipeline → HLS ladder → recording → ready. */
#pragma once

#include "core/config.h"
#include "db/db.h"
#include "rtmp/rtmp_session.h"

#include <glib.h>

typedef struct Live Live;

/* Creates the live manager. SECRET hashes stream keys (TOKEN_SECRET_LEN
 * bytes). Videos left in state `live` by an earlier run are finished from
 * their recordings on disk. Returns 0 with *out, or -EINVAL with *err (a
 * ladder the config gets wrong, a pipeline file that does not parse). */
int live_new(Db *db, const Config *config, const guint8 *secret, Live **out, char **err);

/* Ends every live as if its publisher dropped and the grace ran out, and
 * waits (running the main context) until recordings are finished or
 * TIMEOUT_MS passes. Frees; accepts NULL. */
void live_free(Live **live, int timeout_ms);

/* The callbacks the RTMP server calls. */
RtmpPublishHandler live_rtmp_handler(Live *live);

/* Streams with a publisher now. */
int live_active(const Live *live);
