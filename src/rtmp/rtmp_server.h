/* rtmp_server: the RTMP listener — a GSocketService on the main loop, one RtmpSession per connection. */
#pragma once

#include "rtmp/rtmp_session.h"

#include <glib.h>

typedef struct RtmpServer RtmpServer;

typedef struct {
  const char *host;
  int port;
  const char *app;           /* "live" */
  int max_connections;       /* more are closed at once, with a log line */
  int max_connections_per_address; /* from one IP address; more are closed at once, logged */
  int handshake_timeout;     /* seconds from accept to a successful connect */
  int idle_timeout;          /* seconds without a byte from the client */
  int read_batch_ms;         /* while a client publishes, its socket is read at most this
                                often (what it sent meanwhile waits in the kernel), so its
                                media reaches the handler in batches; 0: as it arrives */
} RtmpServerOptions;

/* Listens on OPT->host:port. Returns 0 with *out, or -errno with *err
 * (-EADDRINUSE, -EACCES, ...). */
int rtmp_server_start(const RtmpServerOptions *opt, const RtmpPublishHandler *handler,
                      RtmpServer **out, char **err);

/* The bound port (useful when started on port 0). */
int rtmp_server_port(const RtmpServer *srv);

/* Closes every connection (publishers see a drop) and the listener; accepts NULL. */
void rtmp_server_free(RtmpServer **srv);

/* Connections open now. */
int rtmp_server_connections(const RtmpServer *srv);
