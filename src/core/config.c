/* config: one table of keys (type, bounds, default, doc) read from an INI file. */
#include "core/config.h"
#include "lectern-build.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>

#define OFF(field) offsetof(Config, field)
#define KIB 1024LL
#define MIB (1024LL * 1024LL)
#define GIB (1024LL * 1024LL * 1024LL)

const ConfKey config_keys[] = {
  { "server", "http_host", CONF_STRING, 0, 0, NULL, "127.0.0.1", OFF(http_host),
    "Address the HTTP and WebSocket listener binds to. Use 0.0.0.0 to listen on every interface." },
  { "server", "http_port", CONF_INT, 1, 65535, NULL, "8080", OFF(http_port),
    "TCP port for HTTP (web pages, /hls, /api/v1, /metrics, /healthz) and WebSocket (/ws)." },
  { "server", "rtmp_host", CONF_STRING, 0, 0, NULL, "127.0.0.1", OFF(rtmp_host),
    "Address the RTMP ingest listener binds to (presenters publish here)." },
  { "server", "rtmp_port", CONF_INT, 1, 65535, NULL, "1935", OFF(rtmp_port),
    "TCP port for RTMP ingest." },

  { "storage", "data_dir", CONF_STRING, 0, 0, NULL, "data", OFF(data_dir),
    "Directory holding the database (lectern.db), the server secret (secret.key) and "
    "media (media/<video-id>/...). Relative paths are relative to the working directory. "
    "Created if missing." },
  { "storage", "deleted_grace", CONF_INT, 0, 31536000, NULL, "604800", OFF(deleted_grace),
    "Seconds a deleted video's files (its HLS, posters and upload) are kept, moved out of "
    "reach under media/.deleted/, before they are removed for good. Until then an "
    "administrator can still recover them by hand; 0 removes them at the next sweep "
    "(the server sweeps every minute, or sooner when the grace is shorter)." },

  { "http", "web_dir", CONF_STRING, 0, 0, NULL, "", OFF(web_dir),
    "Directory of the web pages served at /. Empty means the web/ folder of the source tree "
    "lectern was built from." },
  { "http", "max_body_bytes", CONF_SIZE, 1 * KIB, 64 * MIB, NULL, "1M", OFF(max_body_bytes),
    "Largest request body accepted by the JSON API; larger requests get 413. Suffixes K, M, G." },
  { "http", "max_header_bytes", CONF_SIZE, 1 * KIB, 32 * KIB, NULL, "8K", OFF(max_header_bytes),
    "Largest request header block (request line, URL and headers): larger requests are "
    "answered 431 with a JSON error; one over twice this size (at most 64 KiB) is closed "
    "without an answer, as the header store is full." },
  { "http", "header_timeout", CONF_INT, 1, 600, NULL, "10", OFF(header_timeout),
    "Seconds a client has to send a whole request header, from the moment it connects (or "
    "starts its next request on a kept-alive connection); slower ones (slowloris) are closed, "
    "counted in the log and in /metrics." },
  { "http", "idle_timeout", CONF_INT, 1, 3600, NULL, "30", OFF(idle_timeout),
    "Seconds a connection may stay silent mid-request (a body arriving, an answer being "
    "worked out) before it is closed." },
  { "http", "keepalive_timeout", CONF_INT, 1, 3600, NULL, "5", OFF(keepalive_timeout),
    "Seconds an idle keep-alive HTTP connection is kept open between requests." },
  { "http", "send_stall_timeout", CONF_INT, 1, 3600, NULL, "60", OFF(send_stall_timeout),
    "Seconds a client downloading a file (a segment, a recording, a page's script) or a "
    "large answer may take nothing before its connection is closed." },
  { "http", "max_connections", CONF_INT, 16, 1000000, NULL, "30000", OFF(max_connections),
    "Most simultaneous HTTP and WebSocket connections; beyond it new connections are refused." },
  { "http", "cors_origin", CONF_STRING, 0, 0, NULL, "", OFF(cors_origin),
    "Origin allowed to call the API and fetch HLS from other sites (Access-Control-Allow-Origin). "
    "Empty turns CORS off." },
  { "http", "public_url", CONF_STRING, 0, 0, NULL, "", OFF(public_url),
    "The address members open, e.g. https://lecture.example.org (no path). When it starts "
    "with https:// the session cookie is marked Secure (lectern itself speaks plain HTTP: "
    "HTTPS ends at the proxy in front, so the proxy's scheme is told here rather than "
    "trusted from a request header). Empty: a plain-HTTP site (development, the demo)." },
  { "http", "trusted_proxy", CONF_STRING, 0, 0, NULL, "", OFF(trusted_proxy),
    "Address of the reverse proxy in front (e.g. 127.0.0.1). Requests from it are taken to come "
    "from the last address in their X-Forwarded-For header (sign-in rate limits count per "
    "client address); from anyone else that header is ignored. Empty: none." },
  { "http", "hls_live_playlist_max_age", CONF_INT, 0, 60, NULL, "1", OFF(hls_live_playlist_max_age),
    "Cache-Control max-age, in seconds, for playlists that are still changing (live)." },
  { "http", "hls_block_max", CONF_INT, 0, 1000000, NULL, "4096", OFF(hls_block_max),
    "LL-HLS blocking playlist requests (_HLS_msn) held at once; more are answered 503 at once. "
    "Each is held until its part exists, at most three target durations." },
  { "http", "hls_vod_playlist_max_age", CONF_INT, 0, 31536000, NULL, "3600", OFF(hls_vod_playlist_max_age),
    "Cache-Control max-age, in seconds, for finished playlists (those with #EXT-X-ENDLIST)." },
  { "http", "hls_segment_max_age", CONF_INT, 0, 31536000, NULL, "31536000", OFF(hls_segment_max_age),
    "Cache-Control max-age, in seconds, for segments, posters and storyboards; they are never "
    "rewritten, so they are also marked immutable." },
  { "http", "api_max_age", CONF_INT, 0, 3600, NULL, "10", OFF(api_max_age),
    "Cache-Control max-age, in seconds, of public API reads answered to guests: an HTTP cache "
    "in front may serve them this long, then revalidates with ETag / Last-Modified. Answers to "
    "signed-in members are private and always revalidated." },
  { "http", "api_cache_size", CONF_INT, 0, 4096, NULL, "64", OFF(api_cache_size),
    "Memory, in MiB, for public API reads kept to answer guests without the database (lists, "
    "search, columns, lives, a video); each is dropped when the catalog changes or a publish "
    "time it depends on comes, the least recently used first beyond this size. 0 keeps none." },

  { "rtmp", "app", CONF_STRING, 0, 0, NULL, "live", OFF(rtmp_app),
    "Application name in the publish URL: presenters publish to rtmp://HOST:PORT/<app>/<stream key>." },
  { "rtmp", "max_connections", CONF_INT, 1, 10000, NULL, "64", OFF(rtmp_max_connections),
    "Most simultaneous RTMP connections (publishing or still handshaking); more are closed at once." },
  { "rtmp", "max_connections_per_address", CONF_INT, 1, 10000, NULL, "8", OFF(rtmp_max_connections_per_address),
    "Most simultaneous RTMP connections from one IP address; more from it are closed at once "
    "(a presenter needs one; a studio running several lives behind one address needs one each)." },
  { "rtmp", "handshake_timeout", CONF_INT, 1, 600, NULL, "10", OFF(rtmp_handshake_timeout),
    "Seconds a new RTMP connection has to finish the handshake and start publishing." },
  { "rtmp", "idle_timeout", CONF_INT, 1, 3600, NULL, "30", OFF(rtmp_idle_timeout),
    "Seconds without a byte from a publisher before its connection is treated as lost." },

  { "srt", "host", CONF_STRING, 0, 0, NULL, "127.0.0.1", OFF(srt_host),
    "Address the SRT ingest listener binds to (UDP)." },
  { "srt", "port", CONF_INT, 0, 65535, NULL, "0", OFF(srt_port),
    "UDP port for SRT ingest; 0 turns it off. Presenters publish MPEG-TS (H.264, AAC) to "
    "srt://HOST:PORT?streamid=<stream key>." },
  { "srt", "passphrase", CONF_STRING, 0, 0, NULL, "", OFF(srt_passphrase),
    "SRT encryption passphrase (10 to 79 characters); when set, publishers without it are "
    "refused in the handshake. Empty: unencrypted." },
  { "srt", "latency", CONF_INT, 20, 8000, NULL, "120", OFF(srt_latency),
    "SRT receive latency in milliseconds: how long a lost packet may be retransmitted before "
    "it is given up (raise it for long or lossy links; the encoder's own setting counts too)." },
  { "srt", "max_connections", CONF_INT, 1, 10000, NULL, "64", OFF(srt_max_connections),
    "Most SRT publishers at once; more are refused in the handshake." },

  { "live", "segment_duration", CONF_INT, 1, 10, NULL, "2", OFF(live_segment_duration),
    "HLS segment length in seconds for lives; also the keyframe interval of every encoded "
    "rendition and the EXT-X-TARGETDURATION of live playlists. Presenters should set their "
    "keyframe interval to this value (or a divisor of it) so the source rendition can be copied." },
  { "live", "window", CONF_INT, 3, 100, NULL, "6", OFF(live_window),
    "Segments listed in a live playlist. Only the listing is trimmed: every segment stays on "
    "disk and is part of the recording." },
  { "live", "part_duration", CONF_INT, 0, 1000, NULL, "333", OFF(live_part_ms),
    "Low-Latency HLS: milliseconds between part boundaries of live segments (EXT-X-PART; "
    "PART-TARGET is 10 % more, for frame timing). Parts are aligned across renditions; regular "
    "HLS players ignore them. 0 turns LL-HLS off. At least 200 when set." },
  { "live", "reconnect_grace", CONF_INT, 0, 3600, NULL, "60", OFF(live_reconnect_grace),
    "Seconds a live waits for its presenter to come back after the connection drops. A "
    "reconnect within it continues the same video after an EXT-X-DISCONTINUITY; after it the "
    "recording is finished. A deliberate unpublish (Stop Streaming) finishes at once." },
  { "live", "key_valid_hours", CONF_INT, 1, 8760, NULL, "24", OFF(live_key_valid_hours),
    "A stream key stops working this many hours after the lesson's scheduled start (keys of "
    "lessons without a start time work until the recording is finished)." },
  { "live", "ladder", CONF_STRING, 0, 0, NULL, "copy,1280x720@2800,854x480@1200,640x360@700",
    OFF(live_ladder),
    "Renditions, comma-separated: 'copy' passes the presenter's H.264 through untouched; "
    "WIDTHxHEIGHT@KBPS encodes with x264. Rungs as tall as the source or taller are skipped "
    "(no upscaling)." },
  { "live", "x264_preset", CONF_ENUM, 0, 0,
    "ultrafast|superfast|veryfast|faster|fast|medium", "veryfast", OFF(x264_preset),
    "x264 speed preset for encoded renditions (the same name as ffmpeg's -preset)." },
  { "live", "x264_tune", CONF_ENUM, 0, 0, "zerolatency|none", "zerolatency", OFF(x264_tune),
    "x264 tuning; zerolatency means no B-frames and no lookahead, so a frame leaves the encoder "
    "as soon as it is coded." },
  { "live", "x264_threads", CONF_INT, 0, 64, NULL, "0", OFF(x264_threads),
    "x264 threads per encoded rendition; 0 shares the cores among the encoders of a live "
    "(cores / encoded renditions, at least 1), so renditions run side by side instead of "
    "each one's threads waiting on the others." },
  { "live", "decode_threads", CONF_INT, 0, 64, NULL, "1", OFF(decode_threads),
    "Threads decoding the presenter's video for the encoded renditions; 0 lets libav choose "
    "(frame threads: each adds a frame of delay and a hand-off per frame). One thread decodes "
    "1080p30 H.264 well within real time." },
  { "live", "ingest_batch_ms", CONF_INT, 0, 1000, NULL, "250", OFF(ingest_batch_ms),
    "A presenter's connection is read at most this often, in milliseconds, and what was read "
    "goes to the live pipeline in one piece (0: as it arrives, frame by frame). Every hand-off "
    "wakes the server and the pipeline's threads one after another; a batch of several frames "
    "wakes them once, for at most this much more latency." },
  { "live", "audio_bitrate", CONF_INT, 32, 512, NULL, "128", OFF(audio_bitrate),
    "AAC bitrate in kbit/s when the presenter's audio is not AAC and must be transcoded "
    "(AAC audio is copied)." },

  { "vod", "segment_duration", CONF_INT, 1, 20, NULL, "4", OFF(vod_segment_duration),
    "HLS segment length in seconds for imported recordings (and their keyframe interval). "
    "Imports use the [live] ladder, x264 and audio settings; the source size is re-encoded." },
  { "vod", "storyboard_interval", CONF_INT, 1, 60, NULL, "5", OFF(vod_storyboard_interval),
    "Seconds between the thumbnails of an import's storyboard (scrub previews, listed in "
    "storyboard.vtt)." },
  { "vod", "max_file_size", CONF_SIZE, 1 * MIB, 1024 * GIB, NULL, "8G", OFF(vod_max_file_size),
    "Largest file an import accepts." },
  { "vod", "max_duration", CONF_INT, 1, 86400, NULL, "14400", OFF(vod_max_duration),
    "Longest recording an import accepts, in seconds." },
  { "vod", "max_width", CONF_INT, 64, 16384, NULL, "4096", OFF(vod_max_width),
    "Widest picture an import accepts (as shown, after rotation)." },
  { "vod", "max_height", CONF_INT, 64, 16384, NULL, "4096", OFF(vod_max_height),
    "Tallest picture an import accepts (as shown, after rotation)." },
  { "vod", "jobs", CONF_INT, 1, 16, NULL, "1", OFF(vod_jobs),
    "Transcode jobs the server runs at once; the rest wait in the queue." },

  { "watch", "commit_interval_ms", CONF_INT, 1, 1000, NULL, "20", OFF(watch_commit_interval_ms),
    "Heartbeats are stored in one transaction per this many milliseconds (group commit); "
    "a player is acknowledged only after its heartbeat is committed." },
  { "watch", "message_rate", CONF_INT, 1, 100, NULL, "2", OFF(watch_message_rate),
    "Messages per second a WebSocket connection may send on average (bursts of ten times "
    "as many); more are answered with a rate_limited error and dropped." },
  { "watch", "idle_timeout", CONF_INT, 15, 3600, NULL, "120", OFF(watch_idle_timeout),
    "A WebSocket connection that sends nothing for this many seconds is closed. (A watch "
    "session ends after 30 s without a heartbeat either way.)" },
  { "watch", "queue_bytes", CONF_INT, 4096, 16777216, NULL, "32768", OFF(watch_queue_bytes),
    "Bytes of batches (chat, questions, viewer counts) a WebSocket connection may have waiting "
    "to be sent; past it its oldest batches are dropped, and once it has caught up it gets "
    "a fresh chat.joined / qa.joined (docs/chat.md)." },
  { "watch", "fanout_threads", CONF_INT, 1, 16, NULL, "2", OFF(watch_fanout_threads),
    "Threads that write one batch to many WebSocket connections at once (the main loop's "
    "and fanout_threads - 1 more, for the time of that write); 1: the main loop alone." },
  { "watch", "fanout_parallel_from", CONF_INT, 1, 1000000, NULL, "1000", OFF(watch_fanout_parallel_from),
    "A batch goes to this many connections or more before it is written by fanout_threads "
    "threads; to fewer, the main loop writes it alone." },
  { "watch", "viewers_interval", CONF_INT, 1, 600, NULL, "5", OFF(watch_viewers_interval),
    "Seconds between live.viewers updates pushed to the players of a live (three times as "
    "long above 5,000 viewers)." },

  { "chat", "max_length", CONF_INT, 1, 500, NULL, "200", OFF(chat_max_length),
    "Characters a live-chat message may have (docs/chat.md)." },

  { "auth", "session_idle_timeout", CONF_INT, 1, 31536000, NULL, "1209600", OFF(session_idle_timeout),
    "A browser session that makes no request for this many seconds ends (default 14 days); "
    "the member signs in again." },
  { "auth", "session_lifetime", CONF_INT, 1, 31536000, NULL, "2592000", OFF(session_lifetime),
    "A browser session ends this many seconds after sign-in whatever its use (default 30 "
    "days); the cookie's Max-Age is the same." },
  { "auth", "signin_failures_per_account", CONF_INT, 1, 1000, NULL, "5", OFF(signin_failures_per_account),
    "Failed password sign-ins an account may have within signin_failure_window; more attempts "
    "on it are answered 429 until the oldest failure leaves the window." },
  { "auth", "signin_failures_per_address", CONF_INT, 1, 100000, NULL, "30", OFF(signin_failures_per_address),
    "Failed sign-ins (password, credential or link) one client address may have within "
    "signin_failure_window before it is answered 429." },
  { "auth", "signin_failure_window", CONF_INT, 1, 86400, NULL, "900", OFF(signin_failure_window),
    "Seconds a failed sign-in counts against its account and address (stored only as keyed "
    "hashes, and only this long)." },
  { "auth", "link_valid", CONF_INT, 60, 2592000, NULL, "86400", OFF(link_valid),
    "Seconds a one-time sign-in link (lectern member link) stays usable when --valid is not given." },

  { "vote", "member_rate", CONF_INT, 1, 10000, NULL, "20", OFF(vote_member_rate),
    "Voting requests one member may make within rate_window (refused or not); more are "
    "answered 429 until the oldest leaves the window." },
  { "vote", "address_rate", CONF_INT, 1, 1000000, NULL, "120", OFF(vote_address_rate),
    "Voting requests one client address may make within rate_window, whoever sends them "
    "(set it above the members one office or school shares behind one address)." },
  { "vote", "rate_window", CONF_INT, 1, 86400, NULL, "60", OFF(vote_rate_window),
    "Seconds a voting request counts against its member and address (both kept only as "
    "keyed hashes, and only this long)." },
  { "vote", "address_keep", CONF_INT, 3600, 2592000, NULL, "259200", OFF(vote_address_keep),
    "Seconds the keyed hash of the address a vote came from is kept for the editors' signal "
    "report (many members from one address); then it is removed." },

  { "submit", "chunk_bytes", CONF_INT, 65536, 67108864, NULL, "8388608", OFF(submit_chunk_bytes),
    "Largest body of one PATCH of a resumable submission upload (tus): the server holds a piece "
    "in memory before it appends it, so the phone's page sends 4 MiB pieces and an interrupted "
    "upload resumes after the last whole piece." },
  { "submit", "open_uploads", CONF_INT, 1, 100, NULL, "3", OFF(submit_open_uploads),
    "Unfinished resumable uploads one member may have at once (a new one is refused with 429 "
    "until one finishes or is cancelled)." },
  { "submit", "image_bytes", CONF_SIZE, 16 * KIB, 64 * MIB, NULL, "8M", OFF(submit_image_bytes),
    "Largest picture a member may upload for a text submission (POST /api/v1/submissions/images; "
    "a phone's photo is a few MiB). Editors' article pictures keep [http] max_body_bytes." },
  { "submit", "images_per_day", CONF_INT, 1, 10000, NULL, "30", OFF(submit_images_per_day),
    "Pictures one member may upload for text submissions within 24 hours (then 429 "
    "too_many_images until the oldest is a day old)." },
  { "submit", "upload_max_age", CONF_INT, 1, 2592000, NULL, "86400", OFF(submit_upload_max_age),
    "Seconds an unfinished resumable upload may go without a new piece: then a sweep ends it and "
    "deletes its partial file (the member may start again)." },

  { "oidc", "issuer", CONF_STRING, 0, 0, NULL, "", OFF(oidc_issuer),
    "The union's OpenID Connect provider (its issuer URL, e.g. https://id.example.org); lectern "
    "reads <issuer>/.well-known/openid-configuration. Empty: no single sign-on (members sign in "
    "with a name and password or a link). Needs [http] public_url and client_id." },
  { "oidc", "client_id", CONF_STRING, 0, 0, NULL, "", OFF(oidc_client_id),
    "lectern's client id at the provider. Register <public_url>/api/v1/oidc/callback as its "
    "redirect URI and <public_url>/signin.html as its post-logout redirect URI." },
  { "oidc", "client_secret", CONF_STRING, 0, 0, NULL, "", OFF(oidc_client_secret),
    "lectern's client secret (sent as HTTP Basic credentials to the token endpoint); empty for "
    "a public client, which PKCE alone protects." },
  { "oidc", "scopes", CONF_STRING, 0, 0, NULL, "openid profile", OFF(oidc_scopes),
    "Scopes asked for (space-separated; openid is needed)." },
  { "oidc", "userinfo", CONF_ENUM, 0, 0, "no|yes", "no", OFF(oidc_userinfo),
    "yes: also read the provider's userinfo endpoint after sign-in and take the claims the ID "
    "token lacks from it." },
  { "oidc", "claim_name", CONF_STRING, 0, 0, NULL, "name", OFF(oidc_claim_name),
    "Claim holding the member's display name (\"a.b\" reads member b of claim a); falls back "
    "to preferred_username." },
  { "oidc", "claim_member_number", CONF_STRING, 0, 0, NULL, "member_number", OFF(oidc_claim_member_number),
    "Claim holding the union member number; a member whose number is on the roster (lectern "
    "member import) is real-name verified." },
  { "oidc", "claim_unit", CONF_STRING, 0, 0, NULL, "unit", OFF(oidc_claim_unit),
    "Claim holding the member's union unit." },
  { "oidc", "verified_claim", CONF_STRING, 0, 0, NULL, "", OFF(oidc_verified_claim),
    "Claim that says the provider has verified the member's real name (e.g. real_name_verified); "
    "empty: only the roster verifies." },
  { "oidc", "verified_value", CONF_STRING, 0, 0, NULL, "true", OFF(oidc_verified_value),
    "The value of verified_claim that means verified (compared as text: true, 1, yes …)." },
  { "oidc", "login_timeout", CONF_INT, 30, 3600, NULL, "600", OFF(oidc_login_timeout),
    "Seconds a member has at the provider's page before the sign-in must start again." },
  { "oidc", "http_timeout", CONF_INT, 1, 120, NULL, "10", OFF(oidc_http_timeout),
    "Seconds each call to the provider (discovery, token, key set, userinfo) may take." },
  { "oidc", "clock_skew", CONF_INT, 0, 600, NULL, "60", OFF(oidc_clock_skew),
    "Seconds of clock difference with the provider forgiven on the ID token's exp and iat." },

  { "log", "level", CONF_ENUM, 0, 0, "error|warn|info|debug", "info", OFF(log_level),
    "Lowest level written to the log (standard error)." },

  { NULL, NULL, 0, 0, 0, NULL, NULL, 0, NULL },
};

static const ConfKey *find_key(const char *group, const char *key)
{
  for (const ConfKey *k = config_keys; k->key; k++)
    if (strcmp(k->group, group) == 0 && strcmp(k->key, key) == 0)
      return k;
  return NULL;
}

static bool group_known(const char *group)
{
  for (const ConfKey *k = config_keys; k->key; k++)
    if (strcmp(k->group, group) == 0)
      return true;
  return false;
}

static bool enum_has(const char *choices, const char *value)
{
  bool found = false;
  char **opts = g_strsplit(choices, "|", -1);
  for (char **o = opts; *o; o++)
    if (strcmp(*o, value) == 0)
      found = true;
  g_strfreev(opts);
  return found;
}

/* Parses "123", "64K", "1M", "2G". Returns 0 or -EINVAL. */
static int parse_size(const char *text, gint64 *out)
{
  char *end = NULL;
  if (!g_ascii_isdigit(text[0]))
    return -EINVAL;
  errno = 0;
  guint64 v = g_ascii_strtoull(text, &end, 10);
  if (errno)
    return -EINVAL;
  guint64 mult = 1;
  if (*end == 'K' || *end == 'k')
    mult = KIB, end++;
  else if (*end == 'M' || *end == 'm')
    mult = MIB, end++;
  else if (*end == 'G' || *end == 'g')
    mult = GIB, end++;
  if (*end != '\0' || v > (guint64)G_MAXINT64 / mult)
    return -EINVAL;
  *out = (gint64)(v * mult);
  return 0;
}

static char *describe_allowed(const ConfKey *k)
{
  switch (k->type) {
  case CONF_INT:
    return g_strdup_printf("an integer from %" G_GINT64_FORMAT " to %" G_GINT64_FORMAT,
                           k->min, k->max);
  case CONF_SIZE:
    return g_strdup_printf("a size in bytes (suffix K, M or G allowed) from %" G_GINT64_FORMAT
                           " to %" G_GINT64_FORMAT, k->min, k->max);
  case CONF_ENUM:
    return g_strdup_printf("one of %s", k->choices);
  case CONF_STRING:
  default:
    return g_strdup("a string");
  }
}

static int apply(Config *c, const ConfKey *k, const char *source, const char *value, char **err)
{
  void *slot = (char *)c + k->offset;
  gint64 n = 0;
  int ret = 0;

  switch (k->type) {
  case CONF_STRING:
    g_free(*(char **)slot);
    *(char **)slot = g_strdup(value);
    return 0;
  case CONF_ENUM:
    if (!enum_has(k->choices, value)) {
      ret = -EINVAL;
      break;
    }
    g_free(*(char **)slot);
    *(char **)slot = g_strdup(value);
    return 0;
  case CONF_INT: {
    GError *gerr = NULL;
    if (!g_ascii_string_to_signed(value, 10, k->min, k->max, &n, &gerr)) {
      g_clear_error(&gerr);
      ret = -EINVAL;
      break;
    }
    *(gint64 *)slot = n;
    return 0;
  }
  case CONF_SIZE:
    if (parse_size(value, &n) < 0 || n < k->min || n > k->max) {
      ret = -EINVAL;
      break;
    }
    *(gint64 *)slot = n;
    return 0;
  }

  char *allowed = describe_allowed(k);
  if (err)
    *err = g_strdup_printf("%s: [%s] %s = '%s' is not allowed: expected %s", source, k->group,
                           k->key, value, allowed);
  g_free(allowed);
  return ret;
}

int config_init_defaults(Config *c)
{
  memset(c, 0, sizeof *c);
  for (const ConfKey *k = config_keys; k->key; k++) {
    char *err = NULL;
    int ret = apply(c, k, "built-in default", k->def, &err);
    g_assert(ret == 0); /* a bad default is a programming error */
    g_free(err);
  }
  return 0;
}

int config_set(Config *c, const char *source, const char *group, const char *key,
               const char *value, char **err)
{
  const ConfKey *k = find_key(group, key);
  if (!k) {
    if (err)
      *err = g_strdup_printf("%s: unknown key [%s] %s", source, group, key);
    return -EINVAL;
  }
  return apply(c, k, source, value, err);
}

int config_load_file(Config *c, const char *path, char **err)
{
  GKeyFile *kf = g_key_file_new();
  GError *gerr = NULL;
  char **groups = NULL;
  int ret = 0;

  if (!g_key_file_load_from_file(kf, path, G_KEY_FILE_NONE, &gerr)) {
    if (g_error_matches(gerr, G_FILE_ERROR, G_FILE_ERROR_NOENT))
      ret = -ENOENT;
    else if (gerr->domain == G_KEY_FILE_ERROR)
      ret = -EINVAL;
    else
      ret = -EIO;
    if (err)
      *err = g_strdup_printf("%s: %s", path, gerr->message);
    goto out;
  }

  groups = g_key_file_get_groups(kf, NULL);
  for (char **g = groups; *g; g++) {
    if (!group_known(*g)) {
      if (err)
        *err = g_strdup_printf("%s: unknown section [%s]", path, *g);
      ret = -EINVAL;
      goto out;
    }
    char **keys = g_key_file_get_keys(kf, *g, NULL, NULL);
    for (char **k = keys; k && *k; k++) {
      char *value = g_key_file_get_value(kf, *g, *k, NULL);
      char *trimmed = g_strstrip(g_strdup(value ? value : ""));
      ret = config_set(c, path, *g, *k, trimmed, err);
      g_free(trimmed);
      g_free(value);
      if (ret < 0) {
        g_strfreev(keys);
        goto out;
      }
    }
    g_strfreev(keys);
  }
  /* Single sign-on needs all of its parts: the redirect URI is built from public_url. */
  if (c->oidc_issuer[0] && !(g_str_has_prefix(c->oidc_issuer, "https://") ||
                             g_str_has_prefix(c->oidc_issuer, "http://"))) {
    if (err)
      *err = g_strdup_printf("%s: [oidc] issuer must be an http(s) URL", path);
    ret = -EINVAL;
  } else if (c->oidc_issuer[0] && (!c->oidc_client_id[0] || !c->public_url[0])) {
    if (err)
      *err = g_strdup_printf("%s: [oidc] issuer needs [oidc] client_id and [http] public_url", path);
    ret = -EINVAL;
  } else if (c->live_part_ms && (c->live_part_ms < 200 || c->live_part_ms * 2 > c->live_segment_duration * 1000)) {
    if (err)
      *err = g_strdup_printf("%s: [live] part_duration must be 0 or from 200 ms to half the segment duration",
                             path);
    ret = -EINVAL;
  }

out:
  g_strfreev(groups);
  g_clear_error(&gerr);
  g_key_file_free(kf);
  return ret;
}

void config_clear(Config *c)
{
  for (const ConfKey *k = config_keys; k->key; k++) {
    if (k->type == CONF_STRING || k->type == CONF_ENUM) {
      char **slot = (char **)((char *)c + k->offset);
      g_clear_pointer(slot, g_free);
    }
  }
}

static void append_wrapped(GString *out, const char *text)
{
  /* Wraps DOC at about 78 columns as "# ..." lines. */
  char **words = g_strsplit(text, " ", -1);
  size_t col = 0;
  for (char **w = words; *w; w++) {
    size_t len = strlen(*w);
    if (col == 0) {
      g_string_append(out, "#");
      col = 1;
    }
    if (col > 1 && col + 1 + len > 78) {
      g_string_append(out, "\n#");
      col = 1;
    }
    g_string_append_printf(out, " %s", *w);
    col += 1 + len;
  }
  g_string_append(out, "\n");
  g_strfreev(words);
}

char *config_render_sample(void)
{
  GString *out = g_string_new(
      "# lectern configuration.\n"
      "#\n"
      "# Every key lectern reads is listed here with its default; a line left\n"
      "# commented out keeps the default. Unknown keys and out-of-range values are\n"
      "# refused at start-up with a message naming the key.\n"
      "#\n"
      "# This file is generated by `lectern config sample`; tests check it is current.\n");
  const char *group = NULL;
  for (const ConfKey *k = config_keys; k->key; k++) {
    if (!group || strcmp(group, k->group) != 0) {
      group = k->group;
      g_string_append_printf(out, "\n[%s]\n", group);
    }
    g_string_append(out, "\n");
    append_wrapped(out, k->doc);
    char *allowed = describe_allowed(k);
    g_string_append_printf(out, "# Allowed: %s.\n", allowed);
    g_free(allowed);
    g_string_append_printf(out, "#%s = %s\n", k->key, k->def);
  }
  return g_string_free(out, FALSE);
}

char *config_db_path(const Config *c) { return g_build_filename(c->data_dir, "lectern.db", NULL); }
char *config_media_dir(const Config *c) { return g_build_filename(c->data_dir, "media", NULL); }
char *config_images_dir(const Config *c) { return g_build_filename(c->data_dir, "images", NULL); }
char *config_secret_path(const Config *c) { return g_build_filename(c->data_dir, "secret.key", NULL); }

char *config_web_dir(const Config *c)
{
  if (c->web_dir && c->web_dir[0])
    return g_strdup(c->web_dir);
  return g_strdup(LECTERN_WEB_DIR);
}
