/* Logging: levels, subsystems, timestamps, and redaction of secrets.
 *
 * One log sink per process, set up by main() with log_open() before any
 * thread starts; it is the one process-wide object in walltrack (DESIGN §2
 * keeps engines free of globals; a log sink is output, not state). Every
 * function here is thread-safe: lines are written whole, under a mutex.
 *
 * Redaction: every value registered with log_add_secret() (API token,
 * webhook secret, API keys) is replaced by "[REDACTED]" in every line,
 * wherever it appears, before the line is written. Register secrets as
 * soon as they are read.
 *
 * base/ itself never logs (STYLE.md): callers log once, with context. */
#ifndef WT_BASE_LOG_H
#define WT_BASE_LOG_H

#include <stdio.h>

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR, LOG_OFF };

/* Sends log lines at or above `level` to `path` (appended), or to stderr
 * when path is NULL or "-". Returns 0 or WT_EIO. May be called again to
 * reopen (log rotation). */
int log_open(const char *path, enum log_level level);
/* Flushes and closes the file, forgets every registered secret. */
void log_close(void);
void log_set_level(enum log_level level);
enum log_level log_get_level(void);
/* Parses "debug", "info", "warn", "error", "off". Returns 0 or WT_EINVAL. */
int log_level_parse(const char *s, enum log_level *out);
const char *log_level_name(enum log_level level);

/* Registers a secret value to redact (copied; values shorter than 4 bytes
 * are ignored because redacting them would mangle ordinary text). */
void log_add_secret(const char *value);

/* Writes "2026-11-21T12:00:00.000Z INFO  http: message\n". */
void log_msg(enum log_level level, const char *subsys, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Applies the redaction to s in place and returns s, for text that leaves
 * the process by another way than the log (error bodies). */
char *log_redact(char *s, size_t size);

#define log_debug(sub, ...) log_msg(LOG_DEBUG, sub, __VA_ARGS__)
#define log_info(sub, ...)  log_msg(LOG_INFO, sub, __VA_ARGS__)
#define log_warn(sub, ...)  log_msg(LOG_WARN, sub, __VA_ARGS__)
#define log_error(sub, ...) log_msg(LOG_ERROR, sub, __VA_ARGS__)

#endif
