/* srt_server: the SRT listener — libsrt in live mode, one connection per publisher.
 *
 *   libsrt's threads ──listen callback──▶ the key is checked on the main loop (the live
 *        │                                handler's check()), before the caller is accepted
 *        ▼
 *   our reader thread: srt_epoll_uwait ▶ accept ▶ srt_recvmsg ▶ bytes queued per connection
 *        ▼ (every read_batch_ms)
 *   main loop: publish() once accepted ▶ ts_demux ▶ ts_flv ▶ media(), input_done()
 *
 * The key is checked inside the handshake (the listen callback), so a refused publisher is
 * never connected: libsrt answers with a rejection code (SRT_REJX_*) that the encoder shows
 * as "connection rejected", and our log says why, as for RTMP. The publish itself waits for
 * the accept: libsrt checks the passphrase after the callback, and a caller refused for it
 * must not have made the lesson live. SRT has no "unpublish": every
 * end of a connection is a drop, so the live waits out [live] reconnect_grace before its
 * recording is finished (a presenter coming back continues it after a discontinuity). */
#include "srt/srt_server.h"
#include "core/log.h"
#include "srt/ts_demux.h"
#include "srt/ts_flv.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <srt/access_control.h>
#include <srt/srt.h>
#include <string.h>
#include <sys/socket.h>

/* libsrt's headers bring <syslog.h>, whose LOG_INFO and LOG_DEBUG would replace core/log's
 * levels of the same names (and drop our info lines as too verbose). */
static const int srt_log_crit = LOG_CRIT;
#undef LOG_INFO
#undef LOG_DEBUG

#define SUB "srt"
#define MAX_PENDING_IN (64u << 20)   /* bytes read but not yet taken by the main loop */
#define CHECK_WAIT_US (5 * G_USEC_PER_SEC)
#define PENDING_TIMEOUT_US (10 * G_USEC_PER_SEC)
#define MIN_TICK_MS 20

typedef struct {
  SRTSOCKET sock;
  char *peer;
  char key_hint[8];
  char *key;               /* until publish() took it */
  void *publisher;
  gint64 created;
  /* Shared with the reader thread, under srv->lock. */
  GByteArray *in;
  bool closed;
  char *why;
  /* Main loop only. */
  TsDemux *demux;
  TsFlv flv;
  bool checked;            /* the PMT was looked at */
  bool refused;
  SrtServer *srv;
} Conn;

struct SrtServer {
  SrtServerOptions opt;
  char *host, *passphrase;
  RtmpPublishHandler handler;
  SRTSOCKET lsn;
  int eid;
  int port;
  GThread *thread;
  gint stop, closing;
  GMutex lock;
  GHashTable *conns;       /* SRTSOCKET -> Conn*, accepted */
  GHashTable *pending;     /* SRTSOCKET -> Conn*, key accepted, handshake not yet done */
  guint tick;
  guint64 refused;
};

/* A key check asked of the main loop from libsrt's thread (the listen callback). */
typedef struct {
  RtmpPublishHandler handler;
  char *key;
  GMutex m;
  GCond c;
  int state;               /* 0 asked, 1 answered, 2 the asker gave up */
  int refs;
  int rc;
  const char *code;
  char *reason;
} Ask;

static void ask_unref(Ask *a)
{
  g_mutex_lock(&a->m);
  bool last = --a->refs == 0;
  g_mutex_unlock(&a->m);
  if (!last)
    return;
  g_mutex_clear(&a->m);
  g_cond_clear(&a->c);
  g_free(a->key);
  g_free(a->reason);
  g_free(a);
}

static gboolean ask_on_loop(gpointer user)
{
  Ask *a = user;
  const char *code = "NetStream.Publish.BadName";
  char *reason = NULL;
  int rc = a->handler.check(a->handler.user, a->key, &code, &reason);
  g_mutex_lock(&a->m);
  if (a->state == 0) {
    a->rc = rc;
    a->code = code;
    a->reason = g_steal_pointer(&reason);
    a->state = 1;
    g_cond_signal(&a->c);
  }
  g_mutex_unlock(&a->m);
  g_free(reason);
  ask_unref(a);
  return G_SOURCE_REMOVE;
}

int srt_streamid_key(const char *sid, char **key)
{
  *key = NULL;
  if (!sid || !*sid || strlen(sid) > 512)
    return -EINVAL;
  g_autofree char *r = NULL;
  if (g_str_has_prefix(sid, "#!::")) {
    g_auto(GStrv) pairs = g_strsplit(sid + 4, ",", 16);
    for (int i = 0; pairs[i]; i++) {
      char *eq = strchr(pairs[i], '=');
      if (!eq)
        return -EINVAL;
      *eq = 0;
      if (!strcmp(pairs[i], "r")) {
        g_free(r);
        r = g_strdup(eq + 1);
      } else if (!strcmp(pairs[i], "m") && strcmp(eq + 1, "publish") != 0) {
        return -EPERM;
      }
    }
    if (!r)
      return -EINVAL;
  } else {
    r = g_strdup(sid);
  }
  /* "live/KEY" as SRS and others write it: the key is the last path element. */
  const char *k = strrchr(r, '/') ? strrchr(r, '/') + 1 : r;
  if (!*k)
    return -EINVAL;
  for (const char *c = k; *c; c++)
    if ((unsigned char)*c <= 0x20 || *c == 0x7f)
      return -EINVAL;
  *key = g_strdup(k);
  return 0;
}

static void conn_free(Conn *c)
{
  g_byte_array_unref(c->in);
  ts_demux_free(&c->demux);
  ts_flv_clear(&c->flv);
  g_free(c->why);
  g_free(c->key);
  g_free(c->peer);
  g_free(c);
}

static char *peer_text(const struct sockaddr *sa)
{
  char ip[INET6_ADDRSTRLEN] = "?";
  int port = 0;
  if (sa && sa->sa_family == AF_INET) {
    const struct sockaddr_in *in = (const void *)sa;
    inet_ntop(AF_INET, &in->sin_addr, ip, sizeof ip);
    port = ntohs(in->sin_port);
  } else if (sa && sa->sa_family == AF_INET6) {
    const struct sockaddr_in6 *in = (const void *)sa;
    inet_ntop(AF_INET6, &in->sin6_addr, ip, sizeof ip);
    port = ntohs(in->sin6_port);
  }
  return g_strdup_printf("%s:%d (srt)", ip, port);
}

/* libsrt's thread, inside the handshake: 0 accepts the caller, -1 refuses it (the reason
 * code set on NS goes back to the caller). */
static int on_listen(void *opaque, SRTSOCKET ns, int hsversion, const struct sockaddr *peeraddr,
                     const char *streamid)
{
  SrtServer *srv = opaque;
  g_autofree char *peer = peer_text(peeraddr);
  g_autofree char *key = NULL;
  int reject = 0;
  const char *why = NULL;
  if (g_atomic_int_get(&srv->closing)) {
    reject = SRT_REJX_DOWN;
    why = "the server is shutting down";
  } else if (hsversion < 5) {
    reject = SRT_REJX_VERSION;
    why = "SRT version too old to send a stream key (streamid)";
  } else {
    int rc = srt_streamid_key(streamid, &key);
    if (rc == -EPERM) {
      reject = SRT_REJX_BAD_MODE;
      why = "only m=publish is accepted (viewers use HLS)";
    } else if (rc < 0) {
      reject = SRT_REJX_BAD_REQUEST;
      why = "no stream key: publish to srt://HOST:PORT?streamid=<stream key>";
    }
  }
  if (!reject) {
    g_mutex_lock(&srv->lock);
    guint n = g_hash_table_size(srv->conns) + g_hash_table_size(srv->pending);
    g_mutex_unlock(&srv->lock);
    if ((int)n >= srv->opt.max_connections) {
      reject = SRT_REJX_OVERLOAD;
      why = "too many SRT publishers ([srt] max_connections)";
    }
  }
  if (reject) {
    g_atomic_int_inc((gint *)&srv->refused);
    log_warn(SUB, "%s: refused: %s", peer, why);
    srt_setrejectreason(ns, reject);
    return -1;
  }
  char hint[8];
  g_strlcpy(hint, key, 5);
  int rc = 0;
  const char *code = NULL;
  g_autofree char *reason = NULL;
  if (srv->handler.check) {
    Ask *a = g_new0(Ask, 1);
    a->handler = srv->handler;
    a->key = g_strdup(key);
    a->refs = 2;
    g_mutex_init(&a->m);
    g_cond_init(&a->c);
    g_main_context_invoke(NULL, ask_on_loop, a);
    gint64 deadline = g_get_monotonic_time() + CHECK_WAIT_US;
    g_mutex_lock(&a->m);
    while (a->state == 0 && g_get_monotonic_time() < deadline && !g_atomic_int_get(&srv->closing))
      g_cond_wait_until(&a->c, &a->m, MIN(deadline, g_get_monotonic_time() + G_USEC_PER_SEC / 10));
    if (a->state == 0) {
      a->state = 2;
      rc = -ETIMEDOUT;
      reason = g_strdup("the server did not answer in time");
    } else {
      rc = a->rc;
      code = a->code;
      reason = g_steal_pointer(&a->reason);
    }
    g_mutex_unlock(&a->m);
    ask_unref(a);
  }
  if (rc < 0) {
    g_atomic_int_inc((gint *)&srv->refused);
    log_warn(SUB, "%s: publish with key %s… refused: %s", peer, hint, reason ? reason : "unknown key");
    bool server_side = rc != -EACCES || (code && strcmp(code, "NetStream.Publish.BadName") != 0);
    srt_setrejectreason(ns, server_side ? SRT_REJX_ISE : SRT_REJX_FORBIDDEN);
    return -1;
  }
  Conn *c = g_new0(Conn, 1);
  c->sock = ns;
  c->peer = g_steal_pointer(&peer);
  g_strlcpy(c->key_hint, hint, sizeof c->key_hint);
  c->key = g_steal_pointer(&key);
  c->created = g_get_monotonic_time();
  c->in = g_byte_array_new();
  c->srv = srv;
  g_mutex_lock(&srv->lock);
  g_hash_table_insert(srv->pending, GINT_TO_POINTER(ns), c);
  g_mutex_unlock(&srv->lock);
  return 0;
}

/* ---- the reader thread ----------------------------------------------------------- */

static void reader_accept(SrtServer *srv)
{
  for (;;) {
    struct sockaddr_storage ss;
    int sl = sizeof ss;
    SRTSOCKET ns = srt_accept(srv->lsn, (struct sockaddr *)&ss, &sl);
    if (ns == SRT_INVALID_SOCK)
      return;
    g_mutex_lock(&srv->lock);
    Conn *c = NULL;
    gpointer k = GINT_TO_POINTER(ns);
    if (g_hash_table_steal_extended(srv->pending, k, NULL, (gpointer *)&c))
      g_hash_table_insert(srv->conns, k, c);
    g_mutex_unlock(&srv->lock);
    if (!c) {
      srt_close(ns);
      continue;
    }
    int ev = SRT_EPOLL_IN | SRT_EPOLL_ERR;
    srt_epoll_add_usock(srv->eid, ns, &ev);
  }
}

static void reader_close(SrtServer *srv, SRTSOCKET s, Conn *c, const char *why)
{
  srt_epoll_remove_usock(srv->eid, s);
  if (c && !c->closed) {
    c->closed = true;
    c->why = g_strdup(why);
  }
}

static void reader_read(SrtServer *srv, SRTSOCKET s, int events, GByteArray *got)
{
  char buf[1500];
  const char *why = NULL;
  g_byte_array_set_size(got, 0);
  if (events & SRT_EPOLL_ERR) {
    why = "connection lost while publishing";
  } else {
    for (;;) {
      int n = srt_recvmsg(s, buf, sizeof buf);
      if (n > 0) {
        g_byte_array_append(got, (const guint8 *)buf, (guint)n);
        if (got->len >= (1u << 20))
          break;
        continue;
      }
      if (n < 0 && srt_getlasterror(NULL) == SRT_EASYNCRCV)
        break;
      why = "connection lost while publishing";
      break;
    }
  }
  g_mutex_lock(&srv->lock);
  Conn *c = g_hash_table_lookup(srv->conns, GINT_TO_POINTER(s));
  if (c && !c->closed) {
    g_byte_array_append(c->in, got->data, got->len);
    if (c->in->len > MAX_PENDING_IN)
      why = "the server is not keeping up with this publisher";
  }
  if (why)
    reader_close(srv, s, c, why);
  g_mutex_unlock(&srv->lock);
}

static gpointer reader_main(gpointer user)
{
  SrtServer *srv = user;
  SRT_EPOLL_EVENT ev[32];
  GByteArray *got = g_byte_array_new();
  while (!g_atomic_int_get(&srv->stop)) {
    int n = srt_epoll_uwait(srv->eid, ev, G_N_ELEMENTS(ev), 100);
    for (int i = 0; i < n; i++) {
      if (ev[i].fd == srv->lsn)
        reader_accept(srv);
      else
        reader_read(srv, ev[i].fd, ev[i].events, got);
    }
  }
  g_byte_array_unref(got);
  return NULL;
}

/* ---- the main loop: TS to FLV tags to the handler --------------------------------- */

static void on_tag(void *user, uint8_t type, uint32_t ts, const uint8_t *data, size_t len)
{
  Conn *c = user;
  SrtServer *srv = c->srv;
  if (!c->refused && srv->handler.media)
    srv->handler.media(srv->handler.user, c->publisher, type, ts, data, len);
}

static void on_unit(void *user, const TsUnit *u)
{
  Conn *c = user;
  if (!c->refused)
    ts_flv_unit(&c->flv, u);
}

static const char *video_name(uint8_t t)
{
  switch (t) {
  case 0x24: return "H.265/HEVC";
  case 0x33: return "H.266/VVC";
  case 0x01: case 0x02: return "MPEG-2 video";
  case 0x10: return "MPEG-4 part 2";
  default: return "a video codec other than H.264";
  }
}

/* The connection is accepted: the publish proper (the key was checked in the handshake, but
 * another encoder may have taken it since). Returns the reason to close it, or NULL. */
static char *conn_publish(SrtServer *srv, Conn *c)
{
  const char *code = "NetStream.Publish.BadName";
  char *reason = NULL;
  c->publisher = srv->handler.publish(srv->handler.user, "srt", c->key, c->peer, &code, &reason);
  g_clear_pointer(&c->key, g_free);
  if (c->publisher)
    return NULL;
  log_warn(SUB, "%s: publish with key %s… refused: %s", c->peer, c->key_hint, reason ? reason : "unknown key");
  c->refused = true;
  return reason ? reason : g_strdup("refused");
}

/* Hands on what the reader queued for C. Returns the reason to close it, or NULL. */
static char *conn_take(SrtServer *srv, Conn *c, GByteArray *data)
{
  if (!c->demux) {
    c->demux = ts_demux_new(on_unit, c);
    ts_flv_init(&c->flv, on_tag, c);
  }
  if (ts_demux_feed(c->demux, data->data, data->len) < 0)
    return g_strdup("not MPEG-TS (no sync byte in 64 KiB); publish with -f mpegts");
  const TsProgram *pr = ts_demux_program(c->demux);
  if (pr->have_pmt && !c->checked) {
    c->checked = true;
    if (!pr->h264_pid) {
      char *d = g_strdup_printf("lectern accepts H.264 video only; this stream sends %s. "
                                "Set the encoder to x264 or another H.264 encoder.",
                                pr->other_video ? video_name(pr->other_video) : "no video");
      log_warn(SUB, "%s: publish with key %s… refused: %s", c->peer, c->key_hint, d);
      c->refused = true;
      return d;
    }
    if (!pr->aac_pid && pr->other_audio)
      log_warn(SUB, "%s: audio other than AAC (stream type 0x%02x) is left out; set the encoder to AAC",
               c->peer, pr->other_audio);
  }
  if (srv->handler.input_done && data->len)
    srv->handler.input_done(srv->handler.user, c->publisher);
  return NULL;
}

static void conn_end(SrtServer *srv, Conn *c, const char *why)
{
  if (c->publisher)
    log_info(SUB, "%s: publish of %s… ended (%s)", c->peer, c->key_hint, why);
  if (c->demux && c->publisher && !c->refused) {
    ts_demux_flush(c->demux);
    if (srv->handler.input_done)
      srv->handler.input_done(srv->handler.user, c->publisher);
  }
  if (c->publisher && srv->handler.unpublish)
    srv->handler.unpublish(srv->handler.user, c->publisher, false);
  srt_close(c->sock);
  conn_free(c);
}

static gboolean on_tick(gpointer user)
{
  SrtServer *srv = user;
  GPtrArray *ended = g_ptr_array_new();
  GHashTableIter it;
  gpointer k, v;
  gint64 now = g_get_monotonic_time();
  g_mutex_lock(&srv->lock);
  /* Handshakes accepted by the callback that never completed. */
  g_hash_table_iter_init(&it, srv->pending);
  while (g_hash_table_iter_next(&it, &k, &v)) {
    Conn *c = v;
    if (now - c->created > PENDING_TIMEOUT_US) {
      g_hash_table_iter_steal(&it);
      c->why = g_strdup("the handshake did not complete");
      g_ptr_array_add(ended, c);
    }
  }
  g_mutex_unlock(&srv->lock);
  GList *all = NULL;
  g_mutex_lock(&srv->lock);
  all = g_hash_table_get_values(srv->conns);
  g_mutex_unlock(&srv->lock);
  GByteArray *data = g_byte_array_new();
  for (GList *l = all; l; l = l->next) {
    Conn *c = l->data;
    g_mutex_lock(&srv->lock);
    bool closed = c->closed;
    g_byte_array_set_size(data, 0);
    g_byte_array_append(data, c->in->data, c->in->len);
    g_byte_array_set_size(c->in, 0);
    g_mutex_unlock(&srv->lock);
    char *why = c->publisher || c->refused || (closed && !data->len) ? NULL : conn_publish(srv, c);
    if (!why && data->len && !c->refused)
      why = conn_take(srv, c, data);
    if (why || closed) {
      g_mutex_lock(&srv->lock);
      srt_epoll_remove_usock(srv->eid, c->sock);
      g_hash_table_remove(srv->conns, GINT_TO_POINTER(c->sock));
      if (why) {
        g_free(c->why);
        c->why = why;
      }
      g_mutex_unlock(&srv->lock);
      g_ptr_array_add(ended, c);
    }
  }
  g_list_free(all);
  g_byte_array_unref(data);
  for (guint i = 0; i < ended->len; i++) {
    Conn *c = ended->pdata[i];
    conn_end(srv, c, c->why ? c->why : "closed");
  }
  g_ptr_array_unref(ended);
  return G_SOURCE_CONTINUE;
}

/* ---- public ------------------------------------------------------------------------ */

static gint started; /* srt_startup() calls not yet matched by srt_cleanup() */

static int fail(SrtServer *srv, char **err, int rc, char *msg)
{
  *err = msg;
  srt_server_free(&srv);
  return rc;
}

int srt_server_start(const SrtServerOptions *opt, const RtmpPublishHandler *handler,
                     SrtServer **out, char **err)
{
  if (g_atomic_int_add(&started, 1) == 0) {
    srt_startup();
    srt_setloglevel(srt_log_crit); /* refusals are logged by us, with the reason */
  }
  SrtServer *srv = g_new0(SrtServer, 1);
  srv->opt = *opt;
  srv->host = g_strdup(opt->host);
  srv->passphrase = g_strdup(opt->passphrase ? opt->passphrase : "");
  srv->opt.host = srv->host;
  srv->opt.passphrase = srv->passphrase;
  srv->handler = *handler;
  srv->lsn = SRT_INVALID_SOCK;
  srv->eid = -1;
  g_mutex_init(&srv->lock);
  srv->conns = g_hash_table_new(NULL, NULL);
  srv->pending = g_hash_table_new(NULL, NULL);

  struct sockaddr_storage ss = {0};
  int sl;
  struct sockaddr_in *in4 = (void *)&ss;
  struct sockaddr_in6 *in6 = (void *)&ss;
  if (inet_pton(AF_INET, opt->host, &in4->sin_addr) == 1) {
    in4->sin_family = AF_INET;
    in4->sin_port = htons((uint16_t)opt->port);
    sl = sizeof *in4;
  } else if (inet_pton(AF_INET6, opt->host, &in6->sin6_addr) == 1) {
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons((uint16_t)opt->port);
    sl = sizeof *in6;
  } else {
    return fail(srv, err, -EINVAL, g_strdup_printf("[srt] host '%s' is not an IP address", opt->host));
  }
  size_t plen = strlen(srv->passphrase);
  if (plen && (plen < 10 || plen > 79))
    return fail(srv, err, -EINVAL, g_strdup("[srt] passphrase must be 10 to 79 characters (or empty)"));

  srv->lsn = srt_create_socket();
  int no = 0, yes = 1, latency = opt->latency_ms;
  srt_setsockflag(srv->lsn, SRTO_RCVSYN, &no, sizeof no);
  srt_setsockflag(srv->lsn, SRTO_SNDSYN, &no, sizeof no);
  srt_setsockflag(srv->lsn, SRTO_RCVLATENCY, &latency, sizeof latency);
  srt_setsockflag(srv->lsn, SRTO_REUSEADDR, &yes, sizeof yes);
  if (plen) {
    srt_setsockflag(srv->lsn, SRTO_PASSPHRASE, srv->passphrase, (int)plen);
    srt_setsockflag(srv->lsn, SRTO_ENFORCEDENCRYPTION, &yes, sizeof yes);
  }
  if (srt_bind(srv->lsn, (struct sockaddr *)&ss, sl) == SRT_ERROR) {
    int sys = 0;
    int code = srt_getlasterror(&sys);
    return fail(srv, err, code == SRT_EDUPLISTEN || sys == EADDRINUSE ? -EADDRINUSE : -EACCES,
                g_strdup_printf("cannot listen for SRT on %s:%d (udp): %s", opt->host, opt->port,
                                srt_getlasterror_str()));
  }
  srt_listen_callback(srv->lsn, on_listen, srv);
  if (srt_listen(srv->lsn, 16) == SRT_ERROR)
    return fail(srv, err, -EACCES, g_strdup_printf("cannot listen for SRT: %s", srt_getlasterror_str()));
  struct sockaddr_storage bound;
  int bl = sizeof bound;
  srt_getsockname(srv->lsn, (struct sockaddr *)&bound, &bl);
  srv->port = bound.ss_family == AF_INET6 ? ntohs(((struct sockaddr_in6 *)&bound)->sin6_port)
                                          : ntohs(((struct sockaddr_in *)&bound)->sin_port);
  srv->eid = srt_epoll_create();
  int ev = SRT_EPOLL_IN | SRT_EPOLL_ERR;
  srt_epoll_add_usock(srv->eid, srv->lsn, &ev);
  /* An empty set is not an error to wait on: the reader waits for the first publisher. */
  srt_epoll_set(srv->eid, SRT_EPOLL_ENABLE_EMPTY);
  srv->thread = g_thread_new("srt-reader", reader_main, srv);
  int ms = opt->read_batch_ms > MIN_TICK_MS ? opt->read_batch_ms : MIN_TICK_MS;
  srv->tick = g_timeout_add((guint)ms, on_tick, srv);
  *out = srv;
  return 0;
}

int srt_server_port(const SrtServer *srv) { return srv->port; }

int srt_server_connections(const SrtServer *srv)
{
  g_mutex_lock((GMutex *)&srv->lock);
  int n = (int)g_hash_table_size(srv->conns);
  g_mutex_unlock((GMutex *)&srv->lock);
  return n;
}

guint64 srt_server_refused(const SrtServer *srv) { return (guint64)g_atomic_int_get((gint *)&srv->refused); }

void srt_server_free(SrtServer **sp)
{
  if (!sp || !*sp)
    return;
  SrtServer *srv = *sp;
  g_atomic_int_set(&srv->closing, 1);
  g_atomic_int_set(&srv->stop, 1);
  if (srv->thread)
    g_thread_join(srv->thread);
  if (srv->tick)
    g_source_remove(srv->tick);
  if (srv->lsn != SRT_INVALID_SOCK)
    srt_close(srv->lsn);
  /* Every publisher sees a drop, as RTMP's do at shutdown. */
  GList *all = g_list_concat(g_hash_table_get_values(srv->conns), g_hash_table_get_values(srv->pending));
  g_hash_table_steal_all(srv->conns);
  g_hash_table_steal_all(srv->pending);
  for (GList *l = all; l; l = l->next)
    conn_end(srv, l->data, "the server is shutting down");
  g_list_free(all);
  if (srv->eid >= 0)
    srt_epoll_release(srv->eid);
  /* The last server stops libsrt's threads: none can be inside on_listen after this. */
  if (g_atomic_int_dec_and_test(&started))
    srt_cleanup();
  g_hash_table_unref(srv->conns);
  g_hash_table_unref(srv->pending);
  g_mutex_clear(&srv->lock);
  g_free(srv->host);
  g_free(srv->passphrase);
  g_clear_pointer(sp, g_free);
}
