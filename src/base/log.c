/* The process's log sink with secret redaction. See log.h.
 *
 * Every line passes three steps under the sink's lock before it is
 * written: registered secrets are replaced, a secret cut in two by the
 * line's end is blanked, and control characters and invalid UTF-8 are
 * escaped, so that no value a caller formats into a line (a setting, a
 * header, a remote error) can end the line and forge another, or drive
 * the operator's terminal. */
#include "base/log.h"

#include <ctype.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
        /* 0600: log lines name wallets, amounts and hosts; they are the
         * operator's, whatever the process's umask. */
        int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
        if (fd < 0)
            return WT_EIO;
        fp = fdopen(fd, "a");
        if (!fp) {
            close(fd);
            return WT_EIO;
        }
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

/* Length of the valid UTF-8 sequence at s (1-4), or 0 when the bytes there
 * are not one: a stray continuation byte, an overlong form, a surrogate,
 * a code point past U+10FFFF, or a sequence cut short. */
static size_t utf8_seq(const unsigned char *s)
{
    unsigned char c = s[0];
    if (c < 0x80)
        return 1;
    if (c < 0xc2 || c > 0xf4)
        return 0;
    size_t n = c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
    unsigned char lo = 0x80, hi = 0xbf;
    if (c == 0xe0)
        lo = 0xa0; /* overlong */
    else if (c == 0xed)
        hi = 0x9f; /* surrogates */
    else if (c == 0xf0)
        lo = 0x90; /* overlong */
    else if (c == 0xf4)
        hi = 0x8f; /* past U+10FFFF */
    if (s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < n; i++)
        if (s[i] < 0x80 || s[i] > 0xbf)
            return 0;
    return n;
}

/* Copies src to dst escaping what could forge or hide a line: \n, \r, \t
 * by name; other C0 controls, DEL, C1 controls (U+0080-U+009F) and every
 * byte that is not part of valid UTF-8 as \xNN per byte; U+2028 and
 * U+2029 (line breaks to some viewers) as \u2028, \u2029. A backslash
 * stays as it is. dst holds at least 4 * strlen(src) + 1 bytes. */
static void escape_line(const char *src, char *dst)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *s = (const unsigned char *)src;
    char *o = dst;
    while (*s) {
        unsigned char c = *s;
        size_t n = utf8_seq(s);
        if (n == 1 && c >= 0x20 && c != 0x7f) {
            *o++ = (char)c;
        } else if (c == '\n' || c == '\r' || c == '\t') {
            *o++ = '\\';
            *o++ = c == '\n' ? 'n' : c == '\r' ? 'r' : 't';
        } else if (n == 0 || n == 1 || (c == 0xc2 && s[1] < 0xa0)) {
            /* a control (C0, DEL, or C1 as its two bytes) or a bad byte */
            size_t k = n == 2 ? 2 : 1;
            for (size_t i = 0; i < k; i++) {
                *o++ = '\\';
                *o++ = 'x';
                *o++ = hex[s[i] >> 4];
                *o++ = hex[s[i] & 15];
            }
            s += k;
            continue;
        } else if (c == 0xe2 && s[1] == 0x80 && (s[2] == 0xa8 || s[2] == 0xa9)) {
            memcpy(o, s[2] == 0xa8 ? "\\u2028" : "\\u2029", 6);
            o += 6;
        } else {
            memcpy(o, s, n);
            o += n;
        }
        s += n;
    }
    *o = '\0';
}

char *log_url_origin(const char *url, char *out, size_t size)
{
    if (!size)
        return out;
    if (!url[0]) {
        out[0] = '\0';
        return out;
    }
    /* scheme "://" authority, the authority ending at / ? # */
    size_t i = 0;
    if (isalpha((unsigned char)url[0]))
        while (isalnum((unsigned char)url[i]) || url[i] == '+' || url[i] == '-' || url[i] == '.')
            i++;
    if (i == 0 || strncmp(url + i, "://", 3) != 0) {
        snprintf(out, size, "(not a URL)");
        return out;
    }
    const char *auth = url + i + 3;
    size_t alen = strcspn(auth, "/?#");
    /* Drop user:password@ (the last @ of the authority ends it). */
    for (size_t k = alen; k-- > 0;)
        if (auth[k] == '@') {
            alen -= k + 1;
            auth += k + 1;
            break;
        }
    snprintf(out, size, "%.*s://%.*s", (int)i, url, (int)alen, auth);
    return out;
}

/* Whether a piece of a secret URL looks like a key: long enough, and with
 * a digit unless it is very long ("v2", "services", "webhooks" are not). */
static bool key_like(const char *p, size_t n)
{
    if (n < 8)
        return false;
    if (n >= 16)
        return true;
    for (size_t i = 0; i < n; i++)
        if (isdigit((unsigned char)p[i]))
            return true;
    return false;
}

static void add_secret_n(const char *p, size_t n)
{
    char tmp[4097];
    if (n >= sizeof tmp)
        n = sizeof tmp - 1;
    memcpy(tmp, p, n);
    tmp[n] = '\0';
    log_add_secret(tmp);
    mem_wipe(tmp, n);
}

void log_add_secret_url(const char *urls)
{
    if (!urls)
        return;
    const char *p = urls;
    while (*p) {
        p += strspn(p, ", \t\r\n");
        size_t len = strcspn(p, ", \t\r\n");
        if (!len)
            break;
        const char *u = p;
        p += len;
        const char *sep = memchr(u, ':', len);
        if (!sep || (size_t)(sep - u) + 3 > len || strncmp(sep, "://", 3) != 0) {
            add_secret_n(u, len); /* not a URL: the whole of it is the secret */
            continue;
        }
        const char *auth = sep + 3, *end = u + len;
        const char *rest = auth;
        while (rest < end && !strchr("/?#", *rest))
            rest++;
        /* The whole URL, unless it is only scheme and host: that much is
         * what log lines name it by. */
        if (rest < end || memchr(auth, '@', (size_t)(rest - auth)))
            add_secret_n(u, len);
        /* user:password@host */
        for (const char *at = rest; at-- > auth;)
            if (*at == '@') {
                const char *colon = memchr(auth, ':', (size_t)(at - auth));
                if (colon && at - colon - 1 >= 4)
                    add_secret_n(colon + 1, (size_t)(at - colon - 1));
                add_secret_n(auth, (size_t)(at - auth));
                break;
            }
        /* Path segments and query values that look like keys: QuickNode's
         * /<key>/, Alchemy's /v2/<key>, hook tokens, ?api-key=<key>. */
        for (const char *q = rest; q < end;) {
            q += strspn(q, "/?#&=");
            size_t n = 0;
            while (q + n < end && !strchr("/?#&=", q[n]))
                n++;
            if (key_like(q, n))
                add_secret_n(q, n);
            q += n;
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
        static char esc[4 * sizeof line + 1]; /* under the lock */
        escape_line(line, esc);
        FILE *fp = sink.fp ? sink.fp : stderr;
        fputs(esc, fp);
        fputc('\n', fp);
        fflush(fp);
    }
    pthread_mutex_unlock(&sink.lock);
}
