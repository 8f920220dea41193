/* ws_frame: a reference-counted outgoing message with lws's headroom in front (ws_frame.h).
 *
 *   [ LWS_PRE headroom | text … | NUL ]   one allocation; refs = queues holding it
 *
 * lws_write (4.1.6, server side, no extensions) writes the 2–10 header bytes into the
 * headroom and keeps no pointer to the buffer: what the socket does not take it copies into
 * the connection's own buflist. The header depends only on the length and the opcode, so
 * every write of one frame puts the same bytes there, one write at a time on the main loop:
 * the shared frame is written from directly (docs/chat.md). */
#include "http/ws_frame.h"

#include <libwebsockets.h>
#include <string.h>

struct WsFrame {
  guint refs;
  bool droppable;
  size_t len;
  unsigned char buf[]; /* LWS_PRE + len + 1 */
};

static guint64 alive;

WsFrame *ws_frame_new(char *text, bool droppable)
{
  size_t n = text ? strlen(text) : 0;
  WsFrame *f = g_malloc(sizeof *f + LWS_PRE + n + 1);
  f->refs = 1;
  f->droppable = droppable;
  f->len = n;
  if (n)
    memcpy(f->buf + LWS_PRE, text, n);
  f->buf[LWS_PRE + n] = '\0';
  g_free(text);
  alive++;
  return f;
}

WsFrame *ws_frame_ref(WsFrame *f)
{
  g_assert(f->refs > 0);
  f->refs++;
  return f;
}

void ws_frame_unref(WsFrame *f)
{
  if (!f)
    return;
  g_assert(f->refs > 0);
  if (--f->refs == 0) {
    alive--;
    g_free(f);
  }
}

unsigned char *ws_frame_text(WsFrame *f) { return f->buf + LWS_PRE; }
size_t ws_frame_len(const WsFrame *f) { return f->len; }
bool ws_frame_droppable(const WsFrame *f) { return f->droppable; }
guint64 ws_frame_alive(void) { return alive; }

const unsigned char *ws_frame_wire(WsFrame *f, size_t *len)
{
  size_t n = f->len, h = n < 126 ? 2 : n <= 0xffff ? 4 : 10;
  G_STATIC_ASSERT(LWS_PRE >= 10);
  unsigned char *p = f->buf + LWS_PRE - h;
  p[0] = 0x81; /* FIN, text */
  if (h == 2) {
    p[1] = (unsigned char)n;
  } else if (h == 4) {
    p[1] = 126;
    p[2] = (unsigned char)(n >> 8);
    p[3] = (unsigned char)n;
  } else {
    p[1] = 127;
    for (int i = 0; i < 8; i++)
      p[2 + i] = (unsigned char)((guint64)n >> (56 - 8 * i));
  }
  *len = h + n;
  return p;
}
