/* Tests for src/core/uvloop.c: libuv work (timers, descriptors, wake-ups from another
 * thread) runs when a GLib main loop runs, and the bridge closes cleanly. */
#include "core/uvloop.h"
#include "testutil.h"

#include <unistd.h>

typedef struct {
  GMainLoop *loop;
  int fired;
  gint64 at;
} Probe;

static gboolean give_up(gpointer data)
{
  Probe *p = data;
  g_main_loop_quit(p->loop);
  return G_SOURCE_REMOVE;
}

/* Runs LOOP until a callback quits it or 5 s pass. */
static void run(Probe *p, GMainContext *context)
{
  GSource *t = g_timeout_source_new(5000);
  g_source_set_callback(t, give_up, p, NULL);
  g_source_attach(t, context);
  g_main_loop_run(p->loop);
  g_source_destroy(t);
  g_source_unref(t);
}

static void on_timer(uv_timer_t *timer)
{
  Probe *p = timer->data;
  p->fired++;
  p->at = g_get_monotonic_time();
  g_main_loop_quit(p->loop);
}

START_TEST(a_libuv_timer_fires_on_the_glib_loop)
{
  GMainContext *context = g_main_context_new();
  Probe p = { .loop = g_main_loop_new(context, FALSE) };
  UvLoop *l = NULL;
  ck_assert_int_eq(uvloop_new(context, &l), 0);

  uv_timer_t timer;
  uv_timer_init(uvloop_uv(l), &timer);
  timer.data = &p;
  /* libuv counts a timer from its loop's cached time, which was read when the loop was
   * made; read it again after START so the 80 ms are counted from no earlier than START
   * (under a loaded machine, ASan or faketime the gap was a few milliseconds). */
  gint64 start = g_get_monotonic_time();
  uv_update_time(uvloop_uv(l));
  uv_timer_start(&timer, on_timer, 80, 0);
  run(&p, context);
  ck_assert_int_eq(p.fired, 1);
  /* Not before its time (libuv rounds to the millisecond). */
  ck_assert_int_ge(p.at - start, 79 * 1000);

  uv_close((uv_handle_t *)&timer, NULL);
  uvloop_free(&l);
  ck_assert_ptr_null(l);
  g_main_loop_unref(p.loop);
  g_main_context_unref(context);
}
END_TEST

static void on_readable(uv_poll_t *poll, int status, int events)
{
  Probe *p = poll->data;
  if (status == 0 && (events & UV_READABLE)) {
    p->fired++;
    g_main_loop_quit(p->loop);
  }
}

START_TEST(a_readable_descriptor_wakes_the_glib_loop)
{
  GMainContext *context = g_main_context_new();
  Probe p = { .loop = g_main_loop_new(context, FALSE) };
  UvLoop *l = NULL;
  ck_assert_int_eq(uvloop_new(context, &l), 0);
  int fds[2];
  ck_assert_int_eq(pipe(fds), 0);

  uv_poll_t poll;
  ck_assert_int_eq(uv_poll_init(uvloop_uv(l), &poll, fds[0]), 0);
  poll.data = &p;
  uv_poll_start(&poll, UV_READABLE, on_readable);
  /* Nothing to read: iterations without blocking do not call it. */
  for (int i = 0; i < 5; i++)
    g_main_context_iteration(context, FALSE);
  ck_assert_int_eq(p.fired, 0);

  ck_assert_int_eq(write(fds[1], "x", 1), 1);
  run(&p, context);
  ck_assert_int_eq(p.fired, 1);

  uv_poll_stop(&poll);
  uv_close((uv_handle_t *)&poll, NULL);
  uvloop_free(&l);
  close(fds[0]);
  close(fds[1]);
  g_main_loop_unref(p.loop);
  g_main_context_unref(context);
}
END_TEST

static void on_async(uv_async_t *async)
{
  Probe *p = async->data;
  p->fired++;
  g_main_loop_quit(p->loop);
}

static gpointer send_later(gpointer data)
{
  g_usleep(100 * 1000);
  uv_async_send(data);
  return NULL;
}

START_TEST(a_wakeup_from_another_thread_reaches_a_sleeping_loop)
{
  GMainContext *context = g_main_context_new();
  Probe p = { .loop = g_main_loop_new(context, FALSE) };
  UvLoop *l = NULL;
  ck_assert_int_eq(uvloop_new(context, &l), 0);
  uv_async_t async;
  uv_async_init(uvloop_uv(l), &async, on_async);
  async.data = &p;

  GThread *t = g_thread_new("sender", send_later, &async);
  gint64 start = g_get_monotonic_time();
  run(&p, context); /* the GLib loop sleeps in poll() on uv's descriptor until then */
  g_thread_join(t);
  ck_assert_int_eq(p.fired, 1);
  ck_assert_int_lt(g_get_monotonic_time() - start, 4 * G_USEC_PER_SEC);

  uv_close((uv_handle_t *)&async, NULL);
  uvloop_free(&l);
  g_main_loop_unref(p.loop);
  g_main_context_unref(context);
}
END_TEST

static void on_closed(uv_handle_t *h)
{
  (*(int *)h->data)++;
}

START_TEST(drain_runs_pending_closes_and_free_detaches)
{
  GMainContext *context = g_main_context_new();
  UvLoop *l = NULL;
  ck_assert_int_eq(uvloop_new(context, &l), 0);
  int closed = 0;
  uv_timer_t timer;
  uv_timer_init(uvloop_uv(l), &timer);
  timer.data = &closed;
  uv_close((uv_handle_t *)&timer, on_closed);
  ck_assert_int_eq(closed, 0);
  uvloop_drain(l); /* without the GLib loop running */
  ck_assert_int_eq(closed, 1);

  uvloop_free(&l);
  uvloop_free(&l); /* NULL is accepted */
  /* The context no longer holds the bridge's source. */
  ck_assert(!g_main_context_iteration(context, FALSE));
  g_main_context_unref(context);
}
END_TEST

static Suite *uvloop_suite(void)
{
  Suite *s = suite_create("uvloop");
  TCase *tc = tcase_create("uvloop");
  tcase_add_test(tc, a_libuv_timer_fires_on_the_glib_loop);
  tcase_add_test(tc, a_readable_descriptor_wakes_the_glib_loop);
  tcase_add_test(tc, a_wakeup_from_another_thread_reaches_a_sleeping_loop);
  tcase_add_test(tc, drain_runs_pending_closes_and_free_detaches);
  suite_add_tcase(s, tc);
  return s;
}

TU_MAIN(uvloop_suite)
