/* config: one table of keys (type, bounds, default, doc) read from an INI file. */
#pragma once

#include <glib.h>
#include <stdbool.h>

typedef struct {
  /* [server] */
  char *http_host;
  gint64 http_port;
  char *rtmp_host;
  gint64 rtmp_port;
  /* [storage] */
  char *data_dir;
  gint64 deleted_grace;
  /* [http] */
  char *web_dir;
  gint64 max_body_bytes;
  gint64 max_header_bytes;
  gint64 idle_timeout;
  gint64 header_timeout;
  gint64 keepalive_timeout;
  gint64 send_stall_timeout;
  gint64 max_connections;
  char *cors_origin;
  char *public_url;
  char *trusted_proxy;
  gint64 hls_live_playlist_max_age;
  gint64 hls_vod_playlist_max_age;
  gint64 hls_segment_max_age;
  gint64 hls_block_max;          /* LL-HLS blocking playlist requests held at once (issue 22) */
  gint64 api_max_age;
  gint64 api_cache_size; /* MiB */
  /* [rtmp] */
  char *rtmp_app;
  gint64 rtmp_max_connections;
  gint64 rtmp_max_connections_per_address;
  gint64 rtmp_handshake_timeout;
  gint64 rtmp_idle_timeout;
  /* [srt] (issue 22) */
  char *srt_host;
  gint64 srt_port;
  char *srt_passphrase;
  gint64 srt_latency;
  gint64 srt_max_connections;
  /* [live] */
  gint64 live_segment_duration;
  gint64 live_window;
  gint64 live_part_ms;           /* LL-HLS part length; 0: no parts (issue 22) */
  gint64 live_reconnect_grace;
  gint64 live_key_valid_hours;
  char *live_ladder;
  char *x264_preset;
  char *x264_tune;
  gint64 x264_threads;
  gint64 decode_threads;
  gint64 ingest_batch_ms;
  gint64 vod_segment_duration;
  gint64 vod_storyboard_interval;
  gint64 vod_max_file_size;
  gint64 vod_max_duration;
  gint64 vod_max_width;
  gint64 vod_max_height;
  gint64 vod_jobs;
  gint64 audio_bitrate;
  gint64 watch_commit_interval_ms;
  gint64 watch_message_rate;
  gint64 watch_idle_timeout;
  gint64 watch_queue_bytes;
  gint64 watch_fanout_threads;
  gint64 watch_fanout_parallel_from;
  gint64 watch_viewers_interval;
  /* [chat] */
  gint64 chat_max_length;
  /* [auth] */
  gint64 session_idle_timeout;
  gint64 session_lifetime;
  gint64 signin_failures_per_account;
  gint64 signin_failures_per_address;
  gint64 signin_failure_window;
  gint64 link_valid;
  /* [vote] (issue 21) */
  gint64 vote_member_rate;
  gint64 vote_address_rate;
  gint64 vote_rate_window;
  gint64 vote_address_keep;
  /* [submit] (issue 21.2) */
  gint64 submit_chunk_bytes;
  gint64 submit_open_uploads;
  gint64 submit_image_bytes;
  gint64 submit_images_per_day;
  gint64 submit_upload_max_age;
  /* [oidc] */
  char *oidc_issuer;
  char *oidc_client_id;
  char *oidc_client_secret;
  char *oidc_scopes;
  char *oidc_userinfo;
  char *oidc_claim_name;
  char *oidc_claim_member_number;
  char *oidc_claim_unit;
  char *oidc_verified_claim;
  char *oidc_verified_value;
  gint64 oidc_login_timeout;
  gint64 oidc_http_timeout;
  gint64 oidc_clock_skew;
  /* [log] */
  char *log_level;
} Config;

typedef enum { CONF_STRING, CONF_INT, CONF_SIZE, CONF_ENUM } ConfType;

typedef struct {
  const char *group;
  const char *key;
  ConfType type;
  gint64 min, max;        /* CONF_INT, CONF_SIZE: inclusive bounds */
  const char *choices;    /* CONF_ENUM: "a|b|c" */
  const char *def;        /* default, as it would be written in the file */
  size_t offset;          /* where the value lives in Config */
  const char *doc;        /* one or more sentences for the sample file */
} ConfKey;

/* The table; terminated by an entry with key == NULL. */
extern const ConfKey config_keys[];

/* Fills C with every default. Returns 0. */
int config_init_defaults(Config *c);

/* Reads PATH over C. Unknown group or key, wrong type or out-of-range value:
 * returns -EINVAL and sets *err to "PATH: [group] key: what is allowed".
 * A missing or unreadable file: -ENOENT / -EIO with *err set. */
int config_load_file(Config *c, const char *path, char **err);

/* Sets one key from text (a command-line override); SOURCE names where the
 * value came from in the error message. Returns 0 or -EINVAL with *err. */
int config_set(Config *c, const char *source, const char *group, const char *key,
               const char *value, char **err);

/* Releases every string; C may be reused after config_init_defaults(). */
void config_clear(Config *c);

/* The sample file: every key, its doc and its default. Caller frees. */
char *config_render_sample(void);

/* Derived paths under data_dir. Caller frees. */
char *config_db_path(const Config *c);
char *config_media_dir(const Config *c);
/* <data_dir>/images: column covers and replaced posters, named by content. Caller frees. */
char *config_images_dir(const Config *c);
char *config_secret_path(const Config *c);
/* web_dir, or the web/ of the source tree when empty. Caller frees. */
char *config_web_dir(const Config *c);
