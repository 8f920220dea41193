/* ws_frame: one outgoing /ws message, built once and shared by reference. A batch for 20,000
 * viewers is one WsFrame whose reference count is the number of queues holding it, not
 * 20,000 copies. The text sits after LWS_PRE bytes of headroom, so lws_write can put the
 * WebSocket header in front of it in place (docs/chat.md, "At size"). Main loop only: the
 * count is not atomic. */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct WsFrame WsFrame;

/* A frame holding TEXT (taken: freed here; NULL is an empty text), one reference. DROPPABLE:
 * a batch a later one can stand in for (group sends), which a slow reader's queue may drop. */
WsFrame *ws_frame_new(char *text, bool droppable);
WsFrame *ws_frame_ref(WsFrame *f);
/* Drops one reference; the last frees the frame. Accepts NULL. */
void ws_frame_unref(WsFrame *f);

/* The text (not NUL-terminated on the wire; a NUL follows it here) and its length. LWS_PRE
 * writable bytes precede ws_frame_text: what lws_write needs. */
unsigned char *ws_frame_text(WsFrame *f);
size_t ws_frame_len(const WsFrame *f);
bool ws_frame_droppable(const WsFrame *f);
/* The whole frame as a server sends it on the wire — the RFC 6455 header (FIN, text,
 * unmasked, the length in 7, 16 or 64 bits), written into the headroom just before the
 * text, then the text — and its length in *LEN: for a write to the socket without lws
 * (ws.c's parallel fan-out). The header bytes are the ones lws_write puts there too. */
const unsigned char *ws_frame_wire(WsFrame *f, size_t *len);
/* Frames alive in this process (tests: every reference was dropped). */
guint64 ws_frame_alive(void);
