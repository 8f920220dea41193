/* srt_server: the SRT listener (libsrt) — presenters publish MPEG-TS with the stream key as
 * the SRT streamid; handed to the same callbacks as RTMP publishers (rtmp/rtmp_session.h). */
#pragma once

#include "rtmp/rtmp_session.h"

#include <glib.h>

typedef struct SrtServer SrtServer;

typedef struct {
  const char *host;
  int port;                  /* 0: any free port (tests) */
  const char *passphrase;    /* NULL or "": unencrypted; else 10–79 characters, and callers
                                without it are refused */
  int latency_ms;            /* SRT receive latency (the retransmission window) */
  int max_connections;       /* publishers at once; more are refused in the handshake */
  int read_batch_ms;         /* what arrived is handed on at most this often ([live]
                                ingest_batch_ms), as RTMP does; 0: every 20 ms */
} SrtServerOptions;

/* Listens on OPT->host:port (UDP). Returns 0 with *out, or -errno with *err. */
int srt_server_start(const SrtServerOptions *opt, const RtmpPublishHandler *handler,
                     SrtServer **out, char **err);

/* The bound port (useful when started on port 0). */
int srt_server_port(const SrtServer *srv);

/* Publishers connected now. */
int srt_server_connections(const SrtServer *srv);

/* Publishers refused in the handshake so far (bad streamid, refused key, too many). */
guint64 srt_server_refused(const SrtServer *srv);

/* Closes every connection (publishers see a drop) and the listener; accepts NULL. */
void srt_server_free(SrtServer **srv);

/* The stream key in an SRT streamid: the whole of it, or the resource (r=) of the SRT
 * access-control form "#!::r=KEY,m=publish" (an "APP/" prefix is dropped). Returns 0 with
 * *key (caller frees), -EINVAL for an empty or malformed one, -EPERM for a mode other than
 * publish (viewers use HLS). */
int srt_streamid_key(const char *streamid, char **key);
