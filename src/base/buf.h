/* Growable byte buffer with a hard cap (curl dynbuf, git strbuf).
 *
 * Invariants: data is NULL when cap is 0; otherwise data[len] == '\0' so
 * the contents can be used as a C string; len < cap <= max + 1.
 * A buffer never grows past `max` bytes of content: an append that would
 * returns WT_EFULL and leaves the buffer unchanged. Not thread-safe: one
 * owner at a time. */
#ifndef WT_BASE_BUF_H
#define WT_BASE_BUF_H

#include <stdarg.h>
#include <stddef.h>

#define BUF_DEFAULT_MAX ((size_t)1 << 30) /* 1 GiB */

struct buf {
    char *data;
    size_t len;
    size_t cap;
    size_t max;
};

/* Initialises an empty buffer that may hold at most max bytes (0 means
 * BUF_DEFAULT_MAX). Allocates nothing. */
void buf_init(struct buf *b, size_t max);
/* Frees the storage and leaves an empty buffer with the same max. */
void buf_release(struct buf *b);
/* Sets len to 0, keeping the storage. */
void buf_reset(struct buf *b);
/* Ensures room for `extra` more bytes plus the terminating NUL (and, for
 * parsers that need it, callers may ask for padding this way). Returns 0 or
 * WT_EFULL. */
int buf_reserve(struct buf *b, size_t extra);
int buf_append(struct buf *b, const void *p, size_t n);
int buf_puts(struct buf *b, const char *s);
int buf_putc(struct buf *b, char c);
int buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int buf_vprintf(struct buf *b, const char *fmt, va_list ap);
/* Shortens the content to len bytes (len <= b->len). */
void buf_truncate(struct buf *b, size_t len);
/* Hands the storage to the caller (free() it) and leaves the buffer empty.
 * Never returns NULL: an empty buffer gives an empty string. */
char *buf_detach(struct buf *b, size_t *len);

#endif
