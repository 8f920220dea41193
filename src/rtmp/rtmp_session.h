/* rtmp_session: one RTMP connection's protocol state — handshake, control messages, commands, publish. No I/O. */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#define RTMP_MAX_COMMAND_BYTES (64 * 1024) /* one AMF0 command or data message */
#define RTMP_MAX_NAME_LEN 256              /* app and stream names */
#define RTMP_MAX_STREAMS 4                 /* createStream calls per connection */
#define RTMP_WINDOW_ACK_SIZE 2500000       /* what we ask the client to acknowledge */
#define RTMP_OUT_CHUNK_SIZE 4096           /* our Set Chunk Size */

/* What the session asks of the layer that owns streams (media/live). */
typedef struct {
  /* A publish request. Returns a publisher handle, or NULL with *code
   * ("NetStream.Publish.BadName", ...) and *reason (caller frees) set. */
  void *(*publish)(void *user, const char *app, const char *key, const char *peer,
                   const char **code, char **reason);
  /* One FLV tag body: TYPE 8 (audio), 9 (video), 18 (script: onMetaData). */
  void (*media)(void *user, void *publisher, uint8_t type, uint32_t timestamp,
                const uint8_t *data, size_t len);
  /* The publisher is gone: CLEAN when it unpublished (FCUnpublish,
   * deleteStream, closeStream), false when the connection dropped. */
  void (*unpublish)(void *user, void *publisher, bool clean);
  void *user;
  /* Optional: everything read from the socket in one go has been passed to media(); a
   * moment to hand it on in one piece. */
  void (*input_done)(void *user, void *publisher);
  /* Optional: would publish() take KEY now? The same checks, nothing changed: 0, or -EACCES
   * with *code and *reason (caller frees) as publish() sets them. For ingests that refuse
   * inside their handshake and accept the publisher later (SRT). */
  int (*check)(void *user, const char *key, const char **code, char **reason);
} RtmpPublishHandler;

typedef struct RtmpSession RtmpSession;

/* PEER names the connection in log lines ("127.0.0.1:50512"). APP is the
 * only application name accepted ("live"). */
RtmpSession *rtmp_session_new(const RtmpPublishHandler *handler, const char *peer,
                              const char *app);
/* Ends a publish still running (as a drop) and frees; accepts NULL. */
void rtmp_session_free(RtmpSession **s);

/* Feeds bytes from the socket. Bytes to send accumulate in
 * rtmp_session_output(). Returns 0 to keep going, or -errno when the
 * connection must close (after the output is flushed): -EPROTO bad
 * handshake, -EBADMSG malformed chunk or command, -E2BIG a limit, -EMFILE
 * too many chunk streams, -EACCES publish refused, -ENOTSUP codec refused,
 * -ECONNRESET the client finished. Every error is logged with the peer. */
int rtmp_session_feed(RtmpSession *s, const uint8_t *data, size_t len);

/* Pending output; the caller removes what it sent. */
GByteArray *rtmp_session_output(RtmpSession *s);

/* Bytes received so far (for ingest bitrate). */
uint64_t rtmp_session_bytes_in(const RtmpSession *s);
bool rtmp_session_publishing(const RtmpSession *s);
/* Tells the handler (input_done) that the bytes read in one go have all been fed. */
void rtmp_session_input_done(RtmpSession *s);
const char *rtmp_session_peer(const RtmpSession *s);
