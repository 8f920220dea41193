/* uvloop: the libuv<->GLib loop bridge — a libuv loop driven by a GLib main context through
 * one descriptor (uv's epoll backend), so libuv users (libwebsockets) share the one loop. */
#pragma once

#include <glib.h>
#include <uv.h>

typedef struct UvLoop UvLoop;

/* A new libuv loop whose work runs when CONTEXT's loop iterates (NULL: the default
 * context). Returns 0, or -EIO when libuv cannot make a loop. */
int uvloop_new(GMainContext *context, UvLoop **out);

/* The libuv loop, for libuv users (lws's foreign_loops). Owned by L. */
uv_loop_t *uvloop_uv(UvLoop *l);

/* Runs the libuv loop by itself until nothing is pending — what a libuv user that closes
 * its handles asynchronously (lws_context_destroy) needs before its second step. */
void uvloop_drain(UvLoop *l);

/* Drains, closes the libuv loop (a warning if handles are still open) and detaches it from
 * the GLib context; accepts NULL and clears the pointer. */
void uvloop_free(UvLoop **l);
