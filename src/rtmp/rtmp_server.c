/* rtmp_server: the RTMP listener — a GSocketService on the main loop, one RtmpSession per connection.
 *
 * Reads are non-blocking from a socket source; everything the session
 * produces is written at once when the socket takes it, otherwise when it
 * becomes writable. A client that stops reading while we have more than
 * RTMP_MAX_PENDING_OUT bytes for it is closed. */
#include "rtmp/rtmp_server.h"
#include "core/log.h"

#include <errno.h>
#include <gio/gio.h>
#include <string.h>

#define SUB "rtmp"
#define RTMP_READ_SIZE (64 * 1024)
/* A publisher's socket is not left unread (read_batch_ms) after a read this large: the
 * stream is heavy enough to fill the kernel's receive buffer (Linux starts it at 128 KiB)
 * before the next read, which would only stall the encoder. */
#define RTMP_PAUSE_MAX_BYTES (96 * 1024)
#define RTMP_MAX_PENDING_OUT (1 << 20)

typedef struct Conn Conn;

struct RtmpServer {
  RtmpServerOptions opt;
  char *host;
  char *app;
  RtmpPublishHandler handler;
  GSocketService *service;
  int port;
  GList *conns;
  int count;
  GHashTable *per_address; /* IP address text -> connections open from it (GINT_TO_POINTER) */
  guint64 accepted, refused;
};

struct Conn {
  RtmpServer *srv;
  GSocketConnection *gconn;
  GSocket *sock;
  GSource *in_src, *out_src, *timer;
  GSource *pause_src;  /* publishing: reading resumes when it fires (read_batch_ms) */
  RtmpSession *session;
  char *peer;
  char *address;       /* the peer's IP address, its key in per_address */
  gint64 last_rx;      /* monotonic µs */
  gint64 started;
  bool connected;      /* past connect (handshake timeout no longer applies) */
  gint64 linger_until; /* refused: input is discarded until then, so the client reads why */
  char *linger_why;
};

#define RTMP_LINGER_US (2 * G_USEC_PER_SEC)

static void drop_source(GSource **src)
{
  if (*src) {
    g_source_destroy(*src);
    g_clear_pointer(src, g_source_unref);
  }
}

static void conn_close(Conn *c, const char *why)
{
  RtmpServer *srv = c->srv;
  if (why)
    log_info(SUB, "%s: closed: %s", c->peer, why);
  srv->conns = g_list_remove(srv->conns, c);
  srv->count--;
  int from = GPOINTER_TO_INT(g_hash_table_lookup(srv->per_address, c->address)) - 1;
  if (from > 0)
    g_hash_table_insert(srv->per_address, g_strdup(c->address), GINT_TO_POINTER(from));
  else
    g_hash_table_remove(srv->per_address, c->address);
  rtmp_session_free(&c->session);
  drop_source(&c->in_src);
  drop_source(&c->pause_src);
  drop_source(&c->out_src);
  drop_source(&c->timer);
  g_io_stream_close(G_IO_STREAM(c->gconn), NULL, NULL);
  g_object_unref(c->gconn);
  g_free(c->linger_why);
  g_free(c->peer);
  g_free(c->address);
  g_free(c);
}

static gboolean on_writable(GSocket *sock, GIOCondition cond, gpointer user);

/* Writes what the session has. Returns false when the connection failed. */
static bool conn_flush(Conn *c)
{
  GByteArray *out = rtmp_session_output(c->session);
  while (out->len) {
    GError *e = NULL;
    gssize n = g_socket_send(c->sock, (const gchar *)out->data, out->len, NULL, &e);
    if (n < 0) {
      bool again = g_error_matches(e, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK);
      if (!again)
        log_info(SUB, "%s: send failed: %s", c->peer, e->message);
      g_error_free(e);
      if (!again)
        return false;
      if (out->len > RTMP_MAX_PENDING_OUT) {
        log_warn(SUB, "%s: client is not reading (%u bytes pending)", c->peer, out->len);
        return false;
      }
      if (!c->out_src) {
        c->out_src = g_socket_create_source(c->sock, G_IO_OUT, NULL);
        g_source_set_callback(c->out_src, G_SOURCE_FUNC(on_writable), c, NULL);
        g_source_attach(c->out_src, NULL);
      }
      return true;
    }
    g_byte_array_remove_range(out, 0, (guint)n);
  }
  drop_source(&c->out_src);
  return true;
}

static gboolean on_writable(GSocket *sock, GIOCondition cond, gpointer user)
{
  (void)sock;
  (void)cond;
  Conn *c = user;
  drop_source(&c->out_src);
  if (!conn_flush(c))
    conn_close(c, "write failed");
  return G_SOURCE_REMOVE;
}

static gboolean on_readable(GSocket *sock, GIOCondition cond, gpointer user);

static void watch_input(Conn *c)
{
  c->in_src = g_socket_create_source(c->sock, G_IO_IN | G_IO_HUP | G_IO_ERR, NULL);
  g_source_set_callback(c->in_src, G_SOURCE_FUNC(on_readable), c, NULL);
  g_source_attach(c->in_src, NULL);
}

static gboolean on_pause_over(gpointer user)
{
  Conn *c = user;
  g_clear_pointer(&c->pause_src, g_source_unref); /* returning REMOVE destroys it */
  watch_input(c);
  return G_SOURCE_REMOVE;
}

static gboolean on_readable(GSocket *sock, GIOCondition cond, gpointer user)
{
  Conn *c = user;
  uint8_t buf[RTMP_READ_SIZE];
  (void)cond;
  bool drained = false; /* the socket had nothing more to give */
  gsize total = 0;
  for (int rounds = 0; rounds < 16; rounds++) {
    GError *e = NULL;
    gssize n = g_socket_receive(sock, (gchar *)buf, sizeof buf, NULL, &e);
    if (n < 0) {
      bool again = g_error_matches(e, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK);
      char *msg = again ? NULL : g_strdup(e->message);
      g_error_free(e);
      if (again) {
        drained = true;
        break;
      }
      conn_close(c, msg);
      g_free(msg);
      return G_SOURCE_REMOVE;
    }
    if (n == 0) {
      /* conn_close frees the session; a publisher still running sees a drop. */
      conn_close(c, rtmp_session_publishing(c->session) ? "connection lost while publishing"
                                                        : NULL);
      return G_SOURCE_REMOVE;
    }
    c->last_rx = g_get_monotonic_time();
    total += (gsize)n;
    if (c->linger_until)
      continue; /* refused: what the client still sends is dropped */
    int rc = rtmp_session_feed(c->session, buf, (size_t)n);
    if (rc < 0) {
      /* A refusal carries a status message the encoder shows its user.
       * Encoders read it between writes, so the connection stays open a
       * moment, discarding input; protocol errors close at once. */
      bool explain = rc == -EACCES || rc == -ENOTSUP;
      if (conn_flush(c) && explain) {
        c->linger_until = g_get_monotonic_time() + RTMP_LINGER_US;
        c->linger_why = g_strdup(g_strerror(-rc));
        continue;
      }
      conn_close(c, g_strerror(-rc));
      return G_SOURCE_REMOVE;
    }
    if (rtmp_session_publishing(c->session))
      c->connected = true;
    if (!conn_flush(c)) {
      conn_close(c, "write failed");
      return G_SOURCE_REMOVE;
    }
    if ((size_t)n < sizeof buf) {
      drained = true;
      break;
    }
  }
  if (!c->session || c->linger_until || !rtmp_session_publishing(c->session))
    return G_SOURCE_CONTINUE;
  rtmp_session_input_done(c->session);
  /* A publisher's media comes in steadily: read it in batches, one wake-up per batch
   * (here and in every thread downstream) instead of one per frame. */
  int ms = c->srv->opt.read_batch_ms;
  if (ms <= 0 || !drained || total >= RTMP_PAUSE_MAX_BYTES)
    return G_SOURCE_CONTINUE;
  g_clear_pointer(&c->in_src, g_source_unref); /* returning REMOVE destroys it */
  c->pause_src = g_timeout_source_new((guint)ms);
  g_source_set_callback(c->pause_src, on_pause_over, c, NULL);
  g_source_attach(c->pause_src, NULL);
  return G_SOURCE_REMOVE;
}

static gboolean on_timer(gpointer user)
{
  Conn *c = user;
  gint64 now = g_get_monotonic_time();
  RtmpServer *srv = c->srv;
  if (c->linger_until) {
    if (now >= c->linger_until) {
      conn_close(c, c->linger_why);
      return G_SOURCE_REMOVE;
    }
    return G_SOURCE_CONTINUE;
  }
  if (!c->connected && now - c->started > (gint64)srv->opt.handshake_timeout * G_USEC_PER_SEC) {
    conn_close(c, "no publish within the handshake timeout");
    return G_SOURCE_REMOVE;
  }
  if (now - c->last_rx > (gint64)srv->opt.idle_timeout * G_USEC_PER_SEC) {
    conn_close(c, "idle timeout");
    return G_SOURCE_REMOVE;
  }
  return G_SOURCE_CONTINUE;
}

static gboolean on_incoming(GSocketService *service, GSocketConnection *gconn, GObject *src,
                            gpointer user)
{
  (void)service;
  (void)src;
  RtmpServer *srv = user;
  g_autofree char *peer = NULL;
  g_autofree char *ip = NULL;
  GSocketAddress *addr = g_socket_connection_get_remote_address(gconn, NULL);
  if (addr && G_IS_INET_SOCKET_ADDRESS(addr)) {
    ip = g_inet_address_to_string(g_inet_socket_address_get_address(G_INET_SOCKET_ADDRESS(addr)));
    peer = g_strdup_printf("%s:%u", ip, g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(addr)));
  } else {
    ip = g_strdup("?");
    peer = g_strdup("?");
  }
  g_clear_object(&addr);
  if (srv->count >= srv->opt.max_connections) {
    srv->refused++;
    log_warn(SUB, "%s: refused: %d RTMP connections open (rtmp max_connections)", peer,
             srv->count);
    g_io_stream_close(G_IO_STREAM(gconn), NULL, NULL);
    return TRUE;
  }
  /* One address holding many handshakes (each waits up to handshake_timeout) would keep
   * every presenter out: it gets its share, not the whole of max_connections. */
  int from = GPOINTER_TO_INT(g_hash_table_lookup(srv->per_address, ip));
  if (srv->opt.max_connections_per_address > 0 && from >= srv->opt.max_connections_per_address) {
    srv->refused++;
    log_warn(SUB, "%s: refused: %d RTMP connections open from this address "
             "(rtmp max_connections_per_address)", peer, from);
    g_io_stream_close(G_IO_STREAM(gconn), NULL, NULL);
    return TRUE;
  }
  g_hash_table_insert(srv->per_address, g_strdup(ip), GINT_TO_POINTER(from + 1));
  Conn *c = g_new0(Conn, 1);
  c->srv = srv;
  c->gconn = g_object_ref(gconn);
  c->sock = g_socket_connection_get_socket(gconn);
  g_socket_set_blocking(c->sock, FALSE);
  c->peer = g_steal_pointer(&peer);
  c->address = g_steal_pointer(&ip);
  c->session = rtmp_session_new(&srv->handler, c->peer, srv->app);
  c->started = c->last_rx = g_get_monotonic_time();
  watch_input(c);
  c->timer = g_timeout_source_new_seconds(1);
  g_source_set_callback(c->timer, on_timer, c, NULL);
  g_source_attach(c->timer, NULL);
  srv->conns = g_list_prepend(srv->conns, c);
  srv->count++;
  srv->accepted++;
  log_debug(SUB, "%s: accepted", c->peer);
  return TRUE;
}

int rtmp_server_start(const RtmpServerOptions *opt, const RtmpPublishHandler *handler,
                      RtmpServer **out, char **err)
{
  RtmpServer *srv = g_new0(RtmpServer, 1);
  srv->opt = *opt;
  srv->host = g_strdup(opt->host);
  srv->app = g_strdup(opt->app);
  srv->opt.host = srv->host;
  srv->opt.app = srv->app;
  srv->handler = *handler;
  srv->per_address = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  srv->service = g_socket_service_new();
  GError *e = NULL;
  GInetAddress *ia = g_inet_address_new_from_string(opt->host);
  if (!ia) {
    *err = g_strdup_printf("rtmp_host '%s' is not an IP address", opt->host);
    rtmp_server_free(&srv);
    return -EINVAL;
  }
  GSocketAddress *sa = g_inet_socket_address_new(ia, (guint16)opt->port);
  g_object_unref(ia);
  GSocketAddress *effective = NULL;
  gboolean ok = g_socket_listener_add_address(G_SOCKET_LISTENER(srv->service), sa,
                                              G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL,
                                              &effective, &e);
  g_object_unref(sa);
  if (!ok) {
    int rc = g_error_matches(e, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE) ? -EADDRINUSE : -EACCES;
    *err = g_strdup_printf("cannot listen for RTMP on %s:%d: %s", opt->host, opt->port,
                           e->message);
    g_error_free(e);
    rtmp_server_free(&srv);
    return rc;
  }
  srv->port = g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(effective));
  g_object_unref(effective);
  g_signal_connect(srv->service, "incoming", G_CALLBACK(on_incoming), srv);
  g_socket_service_start(srv->service);
  *out = srv;
  return 0;
}

int rtmp_server_port(const RtmpServer *srv) { return srv->port; }
int rtmp_server_connections(const RtmpServer *srv) { return srv->count; }

void rtmp_server_free(RtmpServer **sp)
{
  if (!sp || !*sp)
    return;
  RtmpServer *srv = *sp;
  while (srv->conns)
    conn_close(srv->conns->data, NULL);
  if (srv->service) {
    g_socket_service_stop(srv->service);
    g_socket_listener_close(G_SOCKET_LISTENER(srv->service));
    g_object_unref(srv->service);
  }
  g_hash_table_unref(srv->per_address);
  g_free(srv->host);
  g_free(srv->app);
  g_clear_pointer(sp, g_free);
}
