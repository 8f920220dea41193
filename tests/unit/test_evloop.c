/* Tests for src/core/evloop.c: with libev as a GLib context's poller, libev's work (timers,
 * descriptors) and GLib's (timeouts, descriptor sources, wake-ups from another thread) both
 * run when the GLib loop runs — a descriptor closed and its number reused between two turns
 * included — a write watcher told its descriptor is writable runs within the turn, and freeing
 * gives the context back its own poll function. */
#include "core/evloop.h"
#include "testutil.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <glib-unix.h>
#include <unistd.h>

typedef struct {
  GMainLoop *loop;
  int fired;
  GIOCondition condition;
  gint64 at;
} Probe;

static gboolean give_up(gpointer data)
{
  Probe *p = data;
  g_main_loop_quit(p->loop);
  return G_SOURCE_REMOVE;
}

/* A GLib context with its loop, a probe and an EvLoop polling it. */
typedef struct {
  GMainContext *context;
  Probe p;
  EvLoop *l;
} Fx;

static void fx_open(Fx *f)
{
  f->context = g_main_context_new();
  f->p = (Probe){ .loop = g_main_loop_new(f->context, FALSE) };
  f->l = NULL;
  ck_assert_int_eq(evloop_new(f->context, &f->l), 0);
}

static void fx_close(Fx *f)
{
  evloop_free(&f->l);
  ck_assert_ptr_null(f->l);
  g_main_loop_unref(f->p.loop);
  g_main_context_unref(f->context);
}

/* Runs F's loop until a callback quits it or 5 s pass. */
static void run(Fx *f)
{
  GSource *t = g_timeout_source_new(5000);
  g_source_set_callback(t, give_up, &f->p, NULL);
  g_source_attach(t, f->context);
  g_main_loop_run(f->p.loop);
  g_source_destroy(t);
  g_source_unref(t);
}

/* Nothing to read: iterations without blocking call nothing; a byte written to WRITE_FD then
 * wakes the loop and the watcher fires once. */
static void quiet_until_written(Fx *f, int write_fd)
{
  for (int i = 0; i < 5; i++)
    g_main_context_iteration(f->context, FALSE);
  ck_assert_int_eq(f->p.fired, 0);
  ck_assert_int_eq(write(write_fd, "x", 1), 1);
  run(f);
  ck_assert_int_eq(f->p.fired, 1);
}

static void on_ev_timer(struct ev_loop *ev, ev_timer *t, int revents)
{
  (void)ev;
  (void)revents;
  Probe *p = t->data;
  p->fired++;
  p->at = g_get_monotonic_time();
  g_main_loop_quit(p->loop);
}

START_TEST(a_libev_timer_fires_on_the_glib_loop)
{
  Fx f;
  fx_open(&f);

  ev_timer timer;
  ev_timer_init(&timer, on_ev_timer, 0.08, 0.);
  timer.data = &f.p;
  gint64 start = g_get_monotonic_time();
  ev_now_update(evloop_ev(f.l));
  ev_timer_start(evloop_ev(f.l), &timer);
  run(&f);
  ck_assert_int_eq(f.p.fired, 1);
  ck_assert_int_ge(f.p.at - start, 79 * 1000); /* not before its time */

  fx_close(&f);
}
END_TEST

static gboolean on_glib_timeout(gpointer data)
{
  Probe *p = data;
  p->fired++;
  p->at = g_get_monotonic_time();
  g_main_loop_quit(p->loop);
  return G_SOURCE_REMOVE;
}

START_TEST(a_glib_timeout_fires_on_time_and_not_before)
{
  Fx f;
  fx_open(&f);

  gint64 start = g_get_monotonic_time();
  GSource *t = g_timeout_source_new(120);
  g_source_set_callback(t, on_glib_timeout, &f.p, NULL);
  g_source_attach(t, f.context);
  g_source_unref(t);
  run(&f);
  ck_assert_int_eq(f.p.fired, 1);
  ck_assert_int_ge(f.p.at - start, 119 * 1000);
  ck_assert_int_lt(f.p.at - start, 4 * G_USEC_PER_SEC);

  fx_close(&f);
}
END_TEST

static void on_ev_readable(struct ev_loop *ev, ev_io *io, int revents)
{
  Probe *p = io->data;
  if (revents & EV_READ) {
    p->fired++;
    ev_io_stop(ev, io);
    g_main_loop_quit(p->loop);
  }
}

START_TEST(a_readable_libev_descriptor_wakes_the_glib_loop)
{
  Fx f;
  fx_open(&f);
  int fds[2];
  ck_assert_int_eq(pipe(fds), 0);

  ev_io io;
  ev_io_init(&io, on_ev_readable, fds[0], EV_READ);
  io.data = &f.p;
  ev_io_start(evloop_ev(f.l), &io);
  quiet_until_written(&f, fds[1]);

  fx_close(&f);
  close(fds[0]);
  close(fds[1]);
}
END_TEST

/* evloop_writable_now: a write watcher started from a read watcher's callback (inside a turn,
 * as lws asks for writability at the end of a request) runs in that same turn when told the
 * descriptor is writable; outside a turn the call does nothing. */
typedef struct {
  EvLoop *l;
  ev_io w;
  int read_fired, write_fired;
} Writable;

static void on_writable(struct ev_loop *ev, ev_io *io, int revents)
{
  Writable *x = io->data;
  if (revents & EV_WRITE)
    x->write_fired++;
  ev_io_stop(ev, io);
}

static void on_readable_then_write(struct ev_loop *ev, ev_io *io, int revents)
{
  Writable *x = io->data;
  char c;
  (void)revents;
  ck_assert_int_eq(read(io->fd, &c, 1), 1);
  x->read_fired++;
  ev_io_stop(ev, io);
  ev_io_start(ev, &x->w);
  evloop_writable_now(x->l, x->w.fd);
}

START_TEST(writable_now_runs_the_write_watcher_in_the_same_turn)
{
  Fx f;
  fx_open(&f);
  int s[2];
  ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, s), 0);
  Writable x = { .l = f.l };
  ev_io r;
  ev_io_init(&r, on_readable_then_write, s[0], EV_READ);
  r.data = &x;
  ev_io_init(&x.w, on_writable, s[0], EV_WRITE);
  x.w.data = &x;
  ev_io_start(evloop_ev(f.l), &r);
  ck_assert_int_eq(write(s[1], "x", 1), 1);

  /* One turn: readable, and the write watcher started there has run too. */
  while (x.read_fired == 0)
    g_main_context_iteration(f.context, TRUE);
  ck_assert_int_eq(x.write_fired, 1);
  ck_assert(!ev_is_active(&x.w));

  fx_close(&f);
  close(s[0]);
  close(s[1]);
}
END_TEST

START_TEST(writable_now_outside_a_turn_does_nothing)
{
  Fx f;
  fx_open(&f);
  int fds[2];
  ck_assert_int_eq(pipe(fds), 0);
  ck_assert_int_eq(fcntl(fds[1], F_SETFL, O_NONBLOCK), 0);
  char block[4096] = { 0 };
  while (write(fds[1], block, sizeof block) > 0) /* full: not writable */
    ;
  ck_assert_int_eq(errno, EAGAIN);
  Writable x = { .l = f.l };
  ev_io_init(&x.w, on_writable, fds[1], EV_WRITE);
  x.w.data = &x;
  ev_io_start(evloop_ev(f.l), &x.w);
  evloop_writable_now(f.l, fds[1]);
  for (int i = 0; i < 3; i++)
    g_main_context_iteration(f.context, FALSE);
  ck_assert_int_eq(x.write_fired, 0);
  ev_io_stop(evloop_ev(f.l), &x.w);

  fx_close(&f);
  close(fds[0]);
  close(fds[1]);
}
END_TEST

static gboolean on_glib_fd(gint fd, GIOCondition condition, gpointer data)
{
  (void)fd;
  Probe *p = data;
  p->fired++;
  p->condition = condition;
  g_main_loop_quit(p->loop);
  return G_SOURCE_REMOVE;
}

static guint add_fd_source(GMainContext *context, int fd, GIOCondition condition, Probe *p)
{
  GSource *s = g_unix_fd_source_new(fd, condition);
  g_source_set_callback(s, (GSourceFunc)(void (*)(void))on_glib_fd, p, NULL);
  guint id = g_source_attach(s, context);
  g_source_unref(s);
  return id;
}

START_TEST(a_glib_descriptor_source_is_dispatched_with_its_exact_condition)
{
  Fx f;
  fx_open(&f);
  int fds[2];
  ck_assert_int_eq(pipe(fds), 0);

  add_fd_source(f.context, fds[0], G_IO_IN, &f.p);
  quiet_until_written(&f, fds[1]);
  ck_assert_int_eq(f.p.condition & G_IO_IN, G_IO_IN);

  /* The writer gone: G_IO_HUP, as GLib's own poll says it. */
  char c;
  ck_assert_int_eq(read(fds[0], &c, 1), 1);
  close(fds[1]);
  add_fd_source(f.context, fds[0], G_IO_IN | G_IO_HUP, &f.p);
  run(&f);
  ck_assert_int_eq(f.p.fired, 2);
  ck_assert_int_eq(f.p.condition & G_IO_HUP, G_IO_HUP);

  fx_close(&f);
  close(fds[0]);
}
END_TEST

static gpointer write_later(gpointer data)
{
  g_usleep(100 * 1000);
  ck_assert_int_eq(write(GPOINTER_TO_INT(data), "x", 1), 1);
  return NULL;
}

/* A GLib source's descriptor closed and its number given to a new one, with the same
 * condition, between two turns of the loop (an RTMP publisher leaving as another arrives):
 * epoll forgot the closed one, and the new one must still wake the loop. */
START_TEST(a_descriptor_number_reused_between_two_turns_still_wakes_the_loop)
{
  Fx f;
  fx_open(&f);
  int a[2], b[2];
  ck_assert_int_eq(pipe(a), 0);
  guint id = add_fd_source(f.context, a[0], G_IO_IN, &f.p);
  for (int i = 0; i < 3; i++) /* libev now watches a[0] */
    g_main_context_iteration(f.context, FALSE);

  int number = a[0];
  g_source_destroy(g_main_context_find_source_by_id(f.context, id));
  close(a[0]);
  close(a[1]);
  ck_assert_int_eq(pipe(b), 0);
  if (b[0] != number) { /* the lowest free number: only if something else took it */
    int moved = dup2(b[0], number);
    ck_assert_int_eq(moved, number);
    close(b[0]);
    b[0] = number;
  }
  add_fd_source(f.context, b[0], G_IO_IN, &f.p);
  for (int i = 0; i < 3; i++) /* the attach's wake-up consumed: nothing else will wake it */
    g_main_context_iteration(f.context, FALSE);
  ck_assert_int_eq(f.p.fired, 0);
  /* Written while the loop sleeps: only the new descriptor can wake it. */
  GThread *t = g_thread_new("writer", write_later, GINT_TO_POINTER(b[1]));
  gint64 start = g_get_monotonic_time();
  run(&f);
  g_thread_join(t);
  ck_assert_int_eq(f.p.fired, 1);
  ck_assert_int_lt(g_get_monotonic_time() - start, 4 * G_USEC_PER_SEC);

  fx_close(&f);
  close(b[0]);
  close(b[1]);
}
END_TEST

static gboolean quit_from_idle(gpointer data)
{
  Probe *p = data;
  p->fired++;
  g_main_loop_quit(p->loop);
  return G_SOURCE_REMOVE;
}

typedef struct {
  GMainContext *context;
  Probe *p;
} Later;

static gpointer add_idle_later(gpointer data)
{
  Later *later = data;
  g_usleep(100 * 1000);
  GSource *s = g_idle_source_new();
  g_source_set_callback(s, quit_from_idle, later->p, NULL);
  g_source_attach(s, later->context); /* wakes the context: GLib's wake-up descriptor */
  g_source_unref(s);
  return NULL;
}

START_TEST(a_source_added_from_another_thread_wakes_a_sleeping_loop)
{
  Fx f;
  fx_open(&f);
  Later later = { f.context, &f.p };
  GThread *t = g_thread_new("sender", add_idle_later, &later);
  gint64 start = g_get_monotonic_time();
  run(&f); /* sleeps in libev's epoll_wait until then */
  g_thread_join(t);
  ck_assert_int_eq(f.p.fired, 1);
  ck_assert_int_lt(g_get_monotonic_time() - start, 4 * G_USEC_PER_SEC);

  fx_close(&f);
}
END_TEST

START_TEST(one_at_a_time_and_free_gives_back_the_poll_function)
{
  GMainContext *context = g_main_context_new();
  GPollFunc own = g_main_context_get_poll_func(context);
  EvLoop *l = NULL, *second = NULL;
  ck_assert_int_eq(evloop_new(context, &l), 0);
  ck_assert_ptr_ne(g_main_context_get_poll_func(context), own);
  ck_assert_int_eq(evloop_new(context, &second), -EBUSY);
  ck_assert_ptr_null(second);
  evloop_free(&l);
  evloop_free(&l); /* NULL is accepted */
  ck_assert_ptr_eq(g_main_context_get_poll_func(context), own);
  ck_assert_int_eq(evloop_new(context, &l), 0); /* and a new one can be made */
  evloop_free(&l);
  g_main_context_unref(context);
}
END_TEST

static Suite *evloop_suite(void)
{
  Suite *s = suite_create("evloop");
  TCase *tc = tcase_create("evloop");
  tcase_add_test(tc, a_libev_timer_fires_on_the_glib_loop);
  tcase_add_test(tc, a_glib_timeout_fires_on_time_and_not_before);
  tcase_add_test(tc, a_readable_libev_descriptor_wakes_the_glib_loop);
  tcase_add_test(tc, a_glib_descriptor_source_is_dispatched_with_its_exact_condition);
  tcase_add_test(tc, a_descriptor_number_reused_between_two_turns_still_wakes_the_loop);
  tcase_add_test(tc, a_source_added_from_another_thread_wakes_a_sleeping_loop);
  tcase_add_test(tc, writable_now_runs_the_write_watcher_in_the_same_turn);
  tcase_add_test(tc, writable_now_outside_a_turn_does_nothing);
  tcase_add_test(tc, one_at_a_time_and_free_gives_back_the_poll_function);
  suite_add_tcase(s, tc);
  return s;
}

TU_MAIN(evloop_suite)
