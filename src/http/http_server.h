/* http_server: libwebsockets on the GLib main loop — static web/, /hls, /api/v1, /metrics, /healthz, /ws. */
#pragma once

#include "core/config.h"
#include "db/db.h"

#include <glib.h>

typedef struct HttpServer HttpServer;

/* Starts listening on config http_host:http_port, driven by LOOP. DB and
 * SECRET stay owned by the caller and must outlive the server. Returns 0,
 * -EADDRINUSE (port taken), or another -errno; *err says which. */
int http_server_start(const Config *config, Db *db, const guint8 *secret, GMainLoop *loop,
                      HttpServer **out, char **err);

/* Stops taking new requests: new ones get 503 and the connection closes. */
void http_server_drain(HttpServer *s);

/* Requests being answered now. */
int http_server_in_flight(HttpServer *s);

/* The port actually bound (useful with http_port = 0 in tests). */
int http_server_port(HttpServer *s);

/* Closes every connection and frees S; accepts NULL. */
void http_server_free(HttpServer **s);
