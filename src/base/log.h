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
 * soon as they are read. Secret URLs (log_add_secret_url) are redacted
 * whole and by their key-like parts; callers name them with
 * log_url_origin(), never in full.
 *
 * Escaping: a line is one line. Newlines, other control characters and
 * invalid UTF-8 in a message are written escaped (see log_msg), so a value
 * from outside cannot forge a line or drive a terminal.
 *
 * base/ itself never logs (STYLE.md): callers log once, with context. */
#ifndef WT_BASE_LOG_H
#define WT_BASE_LOG_H

#include <stddef.h>
#include <stdio.h>

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR, LOG_OFF };

/* Sends log lines at or above `level` to `path` (appended; created with
 * mode 0600), or to stderr when path is NULL or "-". Returns 0 or WT_EIO. May be called again to
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
/* Registers secret URLs (a list separated by commas or blanks, as in
 * rpc.urls): each whole URL (unless it is only scheme and host, which is
 * what lines may show), its user:password, and every path segment or
 * query value that looks like a key (8+ bytes with a digit, or 16+ bytes:
 * QuickNode's /<key>/, Alchemy's /v2/<key>, a hook's token), so a line
 * holding the URL whole, extended or in pieces still shows no key. Text
 * that is not a URL is registered whole. Any thread. */
void log_add_secret_url(const char *urls);
/* The one way to name a secret URL in a log line or a message: writes its
 * scheme and host (and port) only, "https://x.quiknode.pro", dropping
 * user:password, path, query and fragment; "(not a URL)" for text with no
 * scheme, "" for "". Cut to fit size. Returns out. Any thread. */
char *log_url_origin(const char *url, char *out, size_t size);

/* Writes "2026-11-21T12:00:00.000Z INFO  http: message\n". Control
 * characters and invalid UTF-8 in the message are escaped (\n, \r, \t,
 * \xNN, \u2028), so one call is always exactly one line; a backslash is
 * written as it is. */
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
