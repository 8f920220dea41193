/* log: the one log sink; every line carries a level and a subsystem. */
#include "core/log.h"

#include <errno.h>
#include <glib.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define LOG_LINE_MAX 4096

static LogLevel current_level = LOG_INFO;
static int log_fd = 2;
static GMutex log_lock;

static const char *const level_names[] = { "error", "warn", "info", "debug" };
static const char *const level_tags[] = { "ERROR", "WARN ", "INFO ", "DEBUG" };

int log_level_parse(const char *name, LogLevel *out)
{
  for (unsigned i = 0; i < G_N_ELEMENTS(level_names); i++) {
    if (g_ascii_strcasecmp(name, level_names[i]) == 0) {
      *out = (LogLevel)i;
      return 0;
    }
  }
  return -EINVAL;
}

const char *log_level_name(LogLevel level)
{
  if ((unsigned)level >= G_N_ELEMENTS(level_names))
    return "?";
  return level_names[level];
}

void log_set_level(LogLevel level) { current_level = level; }
LogLevel log_get_level(void) { return current_level; }
bool log_enabled(LogLevel level) { return level <= current_level; }
void log_set_fd(int fd) { log_fd = fd; }

void log_msgv(LogLevel level, const char *subsystem, const char *fmt, va_list ap)
{
  if (!log_enabled(level))
    return;

  char line[LOG_LINE_MAX];
  struct timeval tv;
  struct tm tm;
  gettimeofday(&tv, NULL);
  gmtime_r(&tv.tv_sec, &tm);
  int n = snprintf(line, sizeof line, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ %s [%s] ",
                   tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                   tm.tm_min, tm.tm_sec, (long)(tv.tv_usec / 1000),
                   level_tags[level], subsystem ? subsystem : "-");
  if (n < 0)
    return;
  char msg[LOG_LINE_MAX];
  vsnprintf(msg, sizeof msg, fmt, ap);

  /* Keep one event on one line: escape embedded newlines, drop trailing ones. */
  size_t len = strlen(msg);
  while (len > 0 && (msg[len - 1] == '\n' || msg[len - 1] == '\r'))
    msg[--len] = '\0';
  size_t pos = (size_t)n;
  for (size_t i = 0; i < len && pos + 3 < sizeof line; i++) {
    if (msg[i] == '\n') {
      line[pos++] = '\\';
      line[pos++] = 'n';
    } else if (msg[i] != '\r') {
      line[pos++] = msg[i];
    }
  }
  line[pos++] = '\n';

  g_mutex_lock(&log_lock);
  size_t off = 0;
  while (off < pos) {
    ssize_t w = write(log_fd, line + off, pos - off);
    if (w < 0 && errno == EINTR)
      continue;
    if (w <= 0)
      break;
    off += (size_t)w;
  }
  g_mutex_unlock(&log_lock);
}

void log_msg(LogLevel level, const char *subsystem, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  log_msgv(level, subsystem, fmt, ap);
  va_end(ap);
}
