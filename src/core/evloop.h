/* evloop: libev as the GLib main context's poller. libwebsockets runs on a libev loop (epoll),
 * and the GMainContext waits through it: the context's poll function runs one turn of the
 * libev loop with GLib's descriptors and timeout added, so one epoll_wait sleeps for both.
 * Why libev and not libuv (the bridge before it): lws changes a socket's events two or three
 * times per HTTP request; libuv 1.44 applies each change as an epoll DEL and ADD, libev once
 * per loop turn and only when the events really changed (docs/delivery.md). */
#pragma once

#include <ev.h>
#include <glib.h>

typedef struct EvLoop EvLoop;

/* A new libev loop (epoll backend) that CONTEXT (NULL: the default context) now polls with.
 * One at a time per process (a GLib poll function has no user data). Returns 0, -EBUSY
 * when another EvLoop exists, or -EIO when libev cannot make an epoll loop. */
int evloop_new(GMainContext *context, EvLoop **out);

/* The libev loop, for libev users (lws's foreign_loops). Owned by L. */
struct ev_loop *evloop_ev(EvLoop *l);

/* Says FD is writable now, to its write watcher, within the turn under way: lws, told so
 * right after it asked for writability at the end of a keep-alive request (it always asks, to
 * leave its "deferring" state), handles it in the same turn, so the write interest it set is
 * cleared again before libev applies the turn's changes and epoll is not touched at all (two
 * epoll_ctl a request fewer). Only for a socket lws has nothing buffered for (lws writes
 * nothing in that state, and buffers what a full socket refuses anyway); does nothing outside
 * a turn, where a fed event could wait for the next wake-up. */
void evloop_writable_now(EvLoop *l, int fd);

/* Gives the context back its own poll function and frees the loop (its users stop their
 * watchers first: lws_context_destroy does); accepts NULL and clears the pointer. */
void evloop_free(EvLoop **l);
