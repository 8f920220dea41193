/* evloop: libev as the GLib main context's poller (see evloop.h for why).
 *
 * GLib iterates as usual (prepare, query, poll, check, dispatch); only its poll step is ours:
 * one turn of the libev loop (ev_run EVRUN_ONCE, or EVRUN_NOWAIT for a zero timeout) waits in
 * one epoll_wait for lws's sockets, lws's timers, GLib's timeout (a libev timer) and GLib's
 * descriptors, and runs lws's work directly. GLib's descriptors are kept in an epoll set of
 * our own, which libev watches as one descriptor; when it woke the turn, a poll() of GLib's
 * few descriptors gives GLib exactly what its own poll would have said (G_IO_HUP, G_IO_ERR,
 * G_IO_NVAL included).
 *
 * That set is made to match GLib's descriptors every turn: each is added again (EEXIST when
 * it is still there, one epoll_ctl) because GLib does not say when one of its descriptors was
 * closed and the number reused by a new one between two turns (an RTMP publisher leaving and
 * another arriving) and epoll forgets a closed descriptor; one GLib no longer waits on is
 * removed; one already closed (a source not yet destroyed) is left to poll() to report as
 * G_IO_NVAL. GLib has a handful of descriptors (its wake-up, the RTMP listener and
 * connections, GStreamer bus watches); lws's hundreds or thousands of sockets are libev's
 * alone and change only when lws changes them. */
#include "core/evloop.h"

#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

struct EvLoop {
  struct ev_loop *ev;
  GMainContext *context;
  GPollFunc previous;
  ev_timer timeout;     /* GLib's timeout for this turn */
  ev_io glib_io;        /* GLib's epoll set, readable when one of GLib's descriptors is ready */
  int glib_epoll;
  GArray *added;        /* int: descriptors in GLib's set, as of the last turn */
  GArray *next;         /* int: this turn's */
  guint32 *turn_of;     /* by descriptor: the last turn it was added in */
  guint32 *events_of;   /* by descriptor: the epoll events it was added with */
  gsize n_by_fd;
  guint32 turn;
  gboolean woken;       /* a GLib descriptor woke this turn */
  int depth;            /* > 0 while a turn runs */
};

static EvLoop *current; /* GPollFunc has no user data */

static void on_glib_ready(struct ev_loop *ev, ev_io *io, int revents)
{
  (void)ev;
  (void)revents;
  ((EvLoop *)io->data)->woken = TRUE;
}

static void on_timeout(struct ev_loop *ev, ev_timer *t, int revents)
{
  (void)ev;
  (void)t;
  (void)revents;
}

static guint32 glib_to_epoll(gushort events)
{
  /* epoll reports errors and hang-ups whatever is asked: a descriptor GLib waits on only for
   * G_IO_HUP/G_IO_ERR is added with no events. */
  return ((events & (G_IO_IN | G_IO_PRI)) ? EPOLLIN : 0) | ((events & G_IO_OUT) ? EPOLLOUT : 0);
}

/* Makes GLib's epoll set hold FDS; returns TRUE when one of them could not be added (closed:
 * poll() reports it). */
static gboolean sync_glib_fds(EvLoop *l, GPollFD *fds, guint nfds)
{
  gboolean unwatched = FALSE;
  if (++l->turn == 0) /* 0 is "never" */
    l->turn = 1;
  g_array_set_size(l->next, 0);
  for (guint i = 0; i < nfds; i++) {
    int fd = fds[i].fd;
    fds[i].revents = 0;
    if (fd < 0) /* poll() ignores it too */
      continue;
    if ((gsize)fd >= l->n_by_fd) {
      gsize n = MAX((gsize)fd + 1, l->n_by_fd * 2);
      l->turn_of = g_renew(guint32, l->turn_of, n);
      l->events_of = g_renew(guint32, l->events_of, n);
      memset(l->turn_of + l->n_by_fd, 0, (n - l->n_by_fd) * sizeof *l->turn_of);
      l->n_by_fd = n;
    }
    guint32 events = glib_to_epoll(fds[i].events);
    struct epoll_event ev = { .events = events, .data.fd = fd };
    if (l->turn_of[fd] == l->turn) { /* twice in GLib's array: both conditions */
      ev.events |= l->events_of[fd];
      if (ev.events != l->events_of[fd] && epoll_ctl(l->glib_epoll, EPOLL_CTL_MOD, fd, &ev) == 0)
        l->events_of[fd] = ev.events;
      continue;
    }
    if (epoll_ctl(l->glib_epoll, EPOLL_CTL_ADD, fd, &ev) < 0) {
      if (errno != EEXIST) {
        unwatched = TRUE;
        continue;
      }
      if (l->events_of[fd] != events && epoll_ctl(l->glib_epoll, EPOLL_CTL_MOD, fd, &ev) < 0) {
        unwatched = TRUE;
        continue;
      }
    }
    l->turn_of[fd] = l->turn;
    l->events_of[fd] = events;
    g_array_append_val(l->next, fd);
  }
  for (guint i = 0; i < l->added->len; i++) {
    int fd = g_array_index(l->added, int, i);
    if (l->turn_of[fd] != l->turn) /* no longer GLib's (ENOENT/EBADF when it was closed) */
      epoll_ctl(l->glib_epoll, EPOLL_CTL_DEL, fd, NULL);
  }
  GArray *t = l->added;
  l->added = l->next;
  l->next = t;
  return unwatched;
}

static gint evloop_poll(GPollFD *fds, guint nfds, gint timeout)
{
  EvLoop *l = current;
  /* A GLib loop iterated from inside lws's work (a nested main loop) waits as GLib would:
   * the turn under way owns the watchers. */
  if (!l || l->depth > 0)
    return g_poll(fds, nfds, timeout);
  l->depth++;

  gboolean unwatched = sync_glib_fds(l, fds, nfds);
  l->woken = FALSE;
  if (timeout > 0) {
    ev_now_update(l->ev);
    ev_timer_set(&l->timeout, timeout / 1000.0, 0.);
    ev_timer_start(l->ev, &l->timeout);
  }
  ev_run(l->ev, timeout == 0 || unwatched ? EVRUN_NOWAIT : EVRUN_ONCE);
  if (timeout > 0)
    ev_timer_stop(l->ev, &l->timeout);

  gint ready = 0;
  if (l->woken || unwatched) {
    ready = g_poll(fds, nfds, 0);
    if (ready < 0)
      ready = 0;
  }
  l->depth--;
  return ready;
}

int evloop_new(GMainContext *context, EvLoop **out)
{
  if (current)
    return -EBUSY;
  struct ev_loop *ev = ev_loop_new(EVBACKEND_EPOLL | EVFLAG_NOENV | EVFLAG_NOSIGMASK);
  if (!ev)
    return -EIO;
  int glib_epoll = epoll_create1(EPOLL_CLOEXEC);
  if (glib_epoll < 0) {
    ev_loop_destroy(ev);
    return -EIO;
  }
  EvLoop *l = g_new0(EvLoop, 1);
  l->ev = ev;
  l->glib_epoll = glib_epoll;
  l->added = g_array_new(FALSE, FALSE, sizeof(int));
  l->next = g_array_new(FALSE, FALSE, sizeof(int));
  l->context = g_main_context_ref(context ? context : g_main_context_default());
  ev_timer_init(&l->timeout, on_timeout, 0., 0.);
  ev_io_init(&l->glib_io, on_glib_ready, glib_epoll, EV_READ);
  l->glib_io.data = l;
  ev_io_start(ev, &l->glib_io);
  l->previous = g_main_context_get_poll_func(l->context);
  current = l;
  g_main_context_set_poll_func(l->context, evloop_poll);
  *out = l;
  return 0;
}

struct ev_loop *evloop_ev(EvLoop *l)
{
  return l->ev;
}

void evloop_writable_now(EvLoop *l, int fd)
{
  if (l && l->depth > 0 && fd >= 0)
    ev_feed_fd_event(l->ev, fd, EV_WRITE);
}

void evloop_free(EvLoop **pl)
{
  EvLoop *l = *pl;
  if (!l)
    return;
  g_main_context_set_poll_func(l->context, l->previous);
  ev_io_stop(l->ev, &l->glib_io);
  ev_loop_destroy(l->ev);
  close(l->glib_epoll);
  g_main_context_unref(l->context);
  g_array_unref(l->added);
  g_array_unref(l->next);
  g_free(l->turn_of);
  g_free(l->events_of);
  if (current == l)
    current = NULL;
  g_free(l);
  *pl = NULL;
}
