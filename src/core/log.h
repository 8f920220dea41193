/* log: the one log sink; every line carries a level and a subsystem. */
#pragma once

#include <stdarg.h>
#include <stdbool.h>

typedef enum {
  LOG_ERROR = 0,
  LOG_WARN = 1,
  LOG_INFO = 2,
  LOG_DEBUG = 3,
} LogLevel;

/* Parses "error", "warn", "info", "debug". Returns 0, or -EINVAL. */
int log_level_parse(const char *name, LogLevel *out);
const char *log_level_name(LogLevel level);

void log_set_level(LogLevel level);
LogLevel log_get_level(void);
bool log_enabled(LogLevel level);

/* Redirects output to FD (default 2). Used by tests to capture lines. */
void log_set_fd(int fd);

/* Writes one line: "2026-11-22T05:23:00.123Z INFO  [sub] message". Trailing
 * newlines in the message are dropped; embedded ones are kept on one line as
 * "\n". Thread-safe: GStreamer streaming threads log here too. */
void log_msg(LogLevel level, const char *subsystem, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void log_msgv(LogLevel level, const char *subsystem, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

#define log_error(sub, ...) log_msg(LOG_ERROR, sub, __VA_ARGS__)
#define log_warn(sub, ...) log_msg(LOG_WARN, sub, __VA_ARGS__)
#define log_info(sub, ...) log_msg(LOG_INFO, sub, __VA_ARGS__)
#define log_debug(sub, ...) \
  do { if (log_enabled(LOG_DEBUG)) log_msg(LOG_DEBUG, sub, __VA_ARGS__); } while (0)

