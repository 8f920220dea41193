/* log_bridge: routes GLib, GStreamer, libav*, SQLite and libwebsockets logs into the sink. */
#include "cli/log_bridge.h"
#include "core/log.h"

#include <gst/gst.h>
#include <libavutil/log.h>
#include <libwebsockets.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

static GLogWriterOutput glib_writer(GLogLevelFlags flags, const GLogField *fields,
                                    gsize n_fields, gpointer user_data)
{
  const char *domain = NULL, *message = NULL;
  for (gsize i = 0; i < n_fields; i++) {
    if (strcmp(fields[i].key, "GLIB_DOMAIN") == 0)
      domain = fields[i].value;
    else if (strcmp(fields[i].key, "MESSAGE") == 0)
      message = fields[i].value;
  }
  LogLevel level = LOG_DEBUG;
  if (flags & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL))
    level = LOG_ERROR;
  else if (flags & G_LOG_LEVEL_WARNING)
    level = LOG_WARN;
  else if (flags & (G_LOG_LEVEL_MESSAGE | G_LOG_LEVEL_INFO))
    level = LOG_INFO;
  char sub[64];
  snprintf(sub, sizeof sub, "glib:%s", domain ? domain : "app");
  log_msg(level, sub, "%s", message ? message : "");
  return G_LOG_WRITER_HANDLED;
}

static void gst_bridge(GstDebugCategory *category, GstDebugLevel level,
                       const gchar *file, const gchar *function, gint line,
                       GObject *object, GstDebugMessage *message, gpointer user_data)
{
  LogLevel l;
  if (level <= GST_LEVEL_ERROR)
    l = LOG_ERROR;
  else if (level == GST_LEVEL_WARNING || level == GST_LEVEL_FIXME)
    l = LOG_WARN;
  else if (level == GST_LEVEL_INFO)
    l = LOG_INFO;
  else
    l = LOG_DEBUG;
  if (!log_enabled(l))
    return;
  char sub[64];
  snprintf(sub, sizeof sub, "gst:%s", gst_debug_category_get_name(category));
  const char *obj = (object && GST_IS_OBJECT(object)) ? GST_OBJECT_NAME(object) : NULL;
  log_msg(l, sub, "%s%s%s (%s:%d)", obj ? obj : "", obj ? ": " : "",
          gst_debug_message_get(message), function, line);
}

static void av_bridge(void *avcl, int level, const char *fmt, va_list vl)
{
  if (level > av_log_get_level())
    return;
  LogLevel l = level <= AV_LOG_ERROR ? LOG_ERROR
             : level <= AV_LOG_WARNING ? LOG_WARN
             : level <= AV_LOG_INFO ? LOG_INFO : LOG_DEBUG;
  if (!log_enabled(l))
    return;
  char buf[1024];
  int print_prefix = 1;
  av_log_format_line2(avcl, level, fmt, vl, buf, sizeof buf, &print_prefix);
  size_t len = strlen(buf);
  while (len && (buf[len - 1] == '\n' || buf[len - 1] == ' '))
    buf[--len] = '\0';
  if (len)
    log_msg(l, "libav", "%s", buf);
}

static void sqlite_bridge(void *arg, int code, const char *msg)
{
  int primary = code & 0xff;
  LogLevel l = primary == SQLITE_NOTICE ? LOG_INFO : LOG_WARN;
  log_msg(l, "sqlite", "(%d) %s", code, msg);
}

static void lws_bridge(int level, const char *line)
{
  LogLevel l = (level & LLL_ERR) ? LOG_ERROR
             : (level & LLL_WARN) ? LOG_WARN
             : (level & (LLL_NOTICE | LLL_USER)) ? LOG_INFO : LOG_DEBUG;
  /* lws prefixes "[date time] LEVEL: "; the sink has its own. */
  const char *p = line;
  if (*p == '[') {
    const char *close = strchr(p, ']');
    if (close)
      p = close + 1;
    while (*p == ' ')
      p++;
    const char *colon = strchr(p, ':');
    if (colon && colon - p <= 6)
      p = colon + 1;
    while (*p == ' ')
      p++;
  }
  log_msg(l, "lws", "%s", p);
}

void log_bridge_install(void)
{
  static gboolean done;
  if (done)
    return;
  done = TRUE;

  g_log_set_writer_func(glib_writer, NULL, NULL);

  if (gst_is_initialized()) {
    gst_debug_remove_log_function(gst_debug_log_default);
    gst_debug_add_log_function(gst_bridge, NULL, NULL);
    if (!g_getenv("GST_DEBUG"))
      gst_debug_set_default_threshold(log_enabled(LOG_DEBUG) ? GST_LEVEL_INFO
                                                             : GST_LEVEL_WARNING);
  }

  av_log_set_level(log_enabled(LOG_DEBUG) ? AV_LOG_VERBOSE : AV_LOG_WARNING);
  av_log_set_callback(av_bridge);

  /* Must precede sqlite3_initialize(); harmless (SQLITE_MISUSE) if too late. */
  sqlite3_config(SQLITE_CONFIG_LOG, sqlite_bridge, NULL);

  int lws_levels = LLL_ERR | LLL_WARN | LLL_USER;
  if (log_enabled(LOG_DEBUG))
    lws_levels |= LLL_NOTICE | LLL_INFO;
  lws_set_log_level(lws_levels, lws_bridge);
}
