/* The process's log sink with secret redaction. See log.h. */
#include "base/log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/err.h"
#include "base/mem.h"
#include "base/str.h"

#define REDACTED "[REDACTED]"

static struct {
    pthread_mutex_t lock;
    FILE *fp; /* NULL: stderr */
    enum log_level level;
    char **secrets; /* nsecrets copies, each at least 4 bytes long */
    size_t nsecrets;
    size_t cap;
} sink = {PTHREAD_MUTEX_INITIALIZER, NULL, LOG_INFO, NULL, 0, 0};

int log_open(const char *path, enum log_level level)
{
    FILE *fp = NULL;
    if (path && strcmp(path, "-") != 0) {
        fp = fopen(path, "a");
        if (!fp)
            return WT_EIO;
    }
    pthread_mutex_lock(&sink.lock);
    if (sink.fp)
        fclose(sink.fp);
    sink.fp = fp;
    sink.level = level;
    pthread_mutex_unlock(&sink.lock);
    return 0;
}

void log_close(void)
{
    pthread_mutex_lock(&sink.lock);
    if (sink.fp)
        fclose(sink.fp);
    sink.fp = NULL;
    for (size_t i = 0; i < sink.nsecrets; i++) {
        mem_wipe(sink.secrets[i], strlen(sink.secrets[i]));
        free(sink.secrets[i]);
    }
    free(sink.secrets);
    sink.secrets = NULL;
    sink.nsecrets = 0;
    sink.cap = 0;
    pthread_mutex_unlock(&sink.lock);
}

void log_set_level(enum log_level level)
{
    pthread_mutex_lock(&sink.lock);
    sink.level = level;
    pthread_mutex_unlock(&sink.lock);
}

enum log_level log_get_level(void)
{
    pthread_mutex_lock(&sink.lock);
    enum log_level l = sink.level;
    pthread_mutex_unlock(&sink.lock);
    return l;
}

static const char *const names[] = {"debug", "info", "warn", "error", "off"};

int log_level_parse(const char *s, enum log_level *out)
{
    for (int i = 0; i <= LOG_OFF; i++) {
        if (str_ieq(s, names[i])) {
            *out = (enum log_level)i;
            return 0;
        }
    }
    return WT_EINVAL;
}

const char *log_level_name(enum log_level level)
{
    return level <= LOG_OFF ? names[level] : "?";
}

void log_add_secret(const char *value)
{
    if (!value || strlen(value) < 4)
        return;
    pthread_mutex_lock(&sink.lock);
    bool known = false;
    for (size_t i = 0; i < sink.nsecrets; i++)
        known |= strcmp(sink.secrets[i], value) == 0;
    if (!known) {
        /* No fixed limit: a secret dropped here would leak into the log. */
        if (sink.nsecrets == sink.cap) {
            sink.cap = sink.cap ? sink.cap * 2 : 8;
            sink.secrets = xreallocarray(sink.secrets, sink.cap, sizeof *sink.secrets);
        }
        /* Keep the longest secrets first, so a secret that is a prefix of
         * another cannot cut the longer one in two and leave its tail. */
        size_t len = strlen(value), at = sink.nsecrets;
        while (at > 0 && strlen(sink.secrets[at - 1]) < len) {
            sink.secrets[at] = sink.secrets[at - 1];
            at--;
        }
        sink.secrets[at] = xstrdup(value);
        sink.nsecrets++;
    }
    pthread_mutex_unlock(&sink.lock);
}

/* Replaces every occurrence of each secret; caller holds the lock. */
static void redact_locked(char *s, size_t size)
{
    size_t rlen = strlen(REDACTED);
    for (size_t i = 0; i < sink.nsecrets; i++) {
        const char *sec = sink.secrets[i];
        size_t slen = strlen(sec);
        char *p = s;
        while ((p = strstr(p, sec)) != NULL) {
            size_t tail = strlen(p + slen);
            size_t off = (size_t)(p - s);
            if (off + rlen + tail + 1 > size) {
                /* No room to grow: blank the secret in place instead. */
                memset(p, '*', slen);
                p += slen;
                continue;
            }
            memmove(p + rlen, p + slen, tail + 1);
            memcpy(p, REDACTED, rlen);
            p += rlen;
        }
    }
}

/* For a line cut short: blanks a tail that is the start of a secret, which
 * the full-match pass cannot see. Caller holds the lock. */
static void redact_cut_tail_locked(char *s)
{
    size_t n = strlen(s);
    for (size_t i = 0; i < sink.nsecrets; i++) {
        const char *sec = sink.secrets[i];
        size_t slen = strlen(sec);
        for (size_t k = slen - 1; k > 0; k--) {
            if (k <= n && memcmp(s + n - k, sec, k) == 0) {
                memset(s + n - k, '*', k);
                break;
            }
        }
    }
}

char *log_redact(char *s, size_t size)
{
    pthread_mutex_lock(&sink.lock);
    redact_locked(s, size);
    pthread_mutex_unlock(&sink.lock);
    return s;
}

void log_msg(enum log_level level, const char *subsys, const char *fmt, ...)
{
    if (level < LOG_DEBUG || level >= LOG_OFF)
        return;
    char line[4096];
    struct clock c;
    clock_init_real(&c);
    char ts[32];
    clock_format_iso(clock_now_ms(&c), ts, sizeof ts);
    static const char *const tags[] = {"DEBUG", "INFO ", "WARN ", "ERROR"};
    int n = snprintf(line, sizeof line, "%s %s %s: ", ts, tags[level], subsys ? subsys : "-");
    if (n < 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    int m = vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
    va_end(ap);
    bool cut = m >= 0 && (size_t)m >= sizeof line - (size_t)n;

    pthread_mutex_lock(&sink.lock);
    if (level >= sink.level) {
        redact_locked(line, sizeof line);
        if (cut)
            redact_cut_tail_locked(line);
        FILE *fp = sink.fp ? sink.fp : stderr;
        fputs(line, fp);
        fputc('\n', fp);
        fflush(fp);
    }
    pthread_mutex_unlock(&sink.lock);
}
