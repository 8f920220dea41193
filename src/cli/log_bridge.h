/* log_bridge: routes the logs of the libraries lectern uses into core/log's one sink.
 * It lives at the top (cli/) because it is the one file that knows every library. */
#pragma once

/* Routes the logs of GLib, GStreamer, libav*, SQLite and libwebsockets into
 * the sink. Call once, before sqlite3 is first used. */
void log_bridge_install(void);
