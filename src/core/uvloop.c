/* uvloop: the libuv<->GLib loop bridge. libwebsockets runs on a libuv loop that the
 * GMainLoop drives through one descriptor: uv's epoll backend. (On the GLib evlib every
 * main-loop iteration polled every socket: at 6,000 WebSocket connections the loop spent
 * all its time in poll(); see docs/points.md.) */
#include "core/uvloop.h"
#include "core/log.h"

#include <errno.h>

/* The GSource that runs the libuv loop: ready when uv's backend descriptor is readable or
 * a libuv timer is due; its timeout is the next libuv timer. */
typedef struct {
  GSource source;
  uv_loop_t *loop;
  gpointer tag;
} UvSource;

struct UvLoop {
  uv_loop_t uv;
  GSource *source;
};

static gboolean uv_prepare(GSource *source, gint *timeout)
{
  UvSource *u = (UvSource *)source;
  uv_update_time(u->loop);
  *timeout = uv_backend_timeout(u->loop);
  return *timeout == 0;
}

static gboolean uv_check(GSource *source)
{
  UvSource *u = (UvSource *)source;
  return (g_source_query_unix_fd(source, u->tag) & G_IO_IN) || uv_backend_timeout(u->loop) == 0;
}

static gboolean uv_dispatch(GSource *source, GSourceFunc cb, gpointer data)
{
  UvSource *u = (UvSource *)source;
  uv_run(u->loop, UV_RUN_NOWAIT);
  return G_SOURCE_CONTINUE;
}

static GSourceFuncs uv_source_funcs = { uv_prepare, uv_check, uv_dispatch, NULL, NULL, NULL };

int uvloop_new(GMainContext *context, UvLoop **out)
{
  UvLoop *l = g_new0(UvLoop, 1);
  if (uv_loop_init(&l->uv) != 0) {
    g_free(l);
    return -EIO;
  }
  GSource *source = g_source_new(&uv_source_funcs, sizeof(UvSource));
  UvSource *u = (UvSource *)source;
  u->loop = &l->uv;
  u->tag = g_source_add_unix_fd(source, uv_backend_fd(&l->uv), G_IO_IN);
  g_source_set_name(source, "libuv (libwebsockets)");
  g_source_attach(source, context);
  l->source = source;
  *out = l;
  return 0;
}

uv_loop_t *uvloop_uv(UvLoop *l)
{
  return &l->uv;
}

void uvloop_drain(UvLoop *l)
{
  uv_run(&l->uv, UV_RUN_DEFAULT);
}

void uvloop_free(UvLoop **pl)
{
  UvLoop *l = *pl;
  if (!l)
    return;
  uv_run(&l->uv, UV_RUN_DEFAULT);
  if (uv_loop_close(&l->uv) != 0)
    log_warn("uvloop", "the libuv loop still had handles at exit");
  g_source_destroy(l->source);
  g_source_unref(l->source);
  g_free(l);
  *pl = NULL;
}
