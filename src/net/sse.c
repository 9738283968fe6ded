/* The server-sent events hub (see sse.h).
 *
 * One mutex guards the subscriber list and every backlog. A publish formats
 * the message once and appends it to each backlog, then wakes the parked
 * connections; a read copies what fits from its backlog. Wakes happen under
 * the mutex that stream_free also takes, so a waker is never used after its
 * connection is gone (httpd.h's rule). A small thread sends keepalives.
 *
 * Invariants (under mu): every sub in the list is attached to a live
 * stream; a sub's backlog holds whole messages only (trimming drops whole
 * messages from the front). */
#include "net/sse.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/buf.h"
#include "base/mem.h"
#include "base/waiter.h"

struct sub {
    struct sse_hub *h;
    struct buf q; /* pending bytes */
    size_t off;   /* bytes of q already sent */
    struct httpd_waker *w;
    bool parked; /* the last read returned 0 */
    bool lagged; /* messages were dropped: tell the client */
    struct sub *next, *prev;
};

struct sse_hub {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct sub *head;
    size_t n;
    size_t max_backlog;
    unsigned keepalive_ms;
    bool closed;
    pthread_t ka;
};

static void wake_locked(struct sub *s)
{
    if (s->w && s->parked) {
        s->parked = false;
        httpd_stream_wake(s->w);
    }
}

static void *keepalive(void *arg)
{
    struct sse_hub *h = arg;
    pthread_mutex_lock(&h->mu);
    while (!h->closed) {
        struct timespec t;
        deadline_after_ms(&t, h->keepalive_ms);
        if (pthread_cond_timedwait(&h->cv, &h->mu, &t) != ETIMEDOUT)
            continue;
        for (struct sub *s = h->head; s; s = s->next)
            if (s->q.len == s->off) {
                buf_puts(&s->q, ": keepalive\n\n");
                wake_locked(s);
            }
    }
    pthread_mutex_unlock(&h->mu);
    return NULL;
}

struct sse_hub *sse_hub_new(size_t max_backlog, unsigned keepalive_ms)
{
    struct sse_hub *h = xcalloc(1, sizeof *h);
    pthread_mutex_init(&h->mu, NULL);
    cond_init_monotonic(&h->cv); /* on CLOCK_MONOTONIC: for the keepalive's deadline */
    h->max_backlog = max_backlog ? max_backlog : (size_t)1 << 20;
    h->keepalive_ms = keepalive_ms ? keepalive_ms : 15000;
    if (pthread_create(&h->ka, NULL, keepalive, h) != 0)
        h->closed = true; /* no keepalives; streams still work */
    return h;
}

void sse_hub_close(struct sse_hub *h)
{
    if (!h)
        return;
    pthread_mutex_lock(&h->mu);
    bool was = h->closed;
    h->closed = true;
    pthread_cond_broadcast(&h->cv);
    for (struct sub *s = h->head; s; s = s->next) {
        s->parked = true; /* force the wake: the stream must see the end */
        wake_locked(s);
    }
    pthread_mutex_unlock(&h->mu);
    if (!was)
        pthread_join(h->ka, NULL);
}

void sse_hub_free(struct sse_hub *h)
{
    if (!h)
        return;
    sse_hub_close(h);
    pthread_mutex_lock(&h->mu);
    /* Subscribers still here belong to a server that was not stopped;
     * detach them so their stream_free does not touch the hub. */
    for (struct sub *s = h->head; s; s = s->next)
        s->h = NULL;
    pthread_mutex_unlock(&h->mu);
    pthread_cond_destroy(&h->cv);
    pthread_mutex_destroy(&h->mu);
    free(h);
}

/* Drops whole messages from the front until the backlog fits. */
static void trim(struct sub *s, size_t max)
{
    if (s->off) {
        memmove(s->q.data, s->q.data + s->off, s->q.len - s->off);
        buf_truncate(&s->q, s->q.len - s->off);
        s->off = 0;
    }
    while (s->q.len > max) {
        char *end = strstr(s->q.data, "\n\n");
        size_t cut = end ? (size_t)(end - s->q.data) + 2 : s->q.len;
        memmove(s->q.data, s->q.data + cut, s->q.len - cut);
        buf_truncate(&s->q, s->q.len - cut);
        s->lagged = true;
    }
}

void sse_hub_publish(struct sse_hub *h, const char *event, const char *data, size_t len)
{
    struct buf m;
    buf_init(&m, 0);
    buf_printf(&m, "event: %s\ndata: ", event);
    buf_append(&m, data, len);
    buf_puts(&m, "\n\n");
    pthread_mutex_lock(&h->mu);
    if (!h->closed) {
        for (struct sub *s = h->head; s; s = s->next) {
            if (s->q.len + m.len > h->max_backlog)
                trim(s, h->max_backlog > m.len ? h->max_backlog - m.len : 0);
            if (s->lagged) {
                buf_puts(&s->q, "event: lagged\ndata: {\"lagged\":true}\n\n");
                s->lagged = false;
            }
            buf_append(&s->q, m.data, m.len);
            wake_locked(s);
        }
    }
    pthread_mutex_unlock(&h->mu);
    buf_release(&m);
}

size_t sse_hub_subscribers(struct sse_hub *h)
{
    pthread_mutex_lock(&h->mu);
    size_t n = h->n;
    pthread_mutex_unlock(&h->mu);
    return n;
}

static long sub_read(void *arg, char *out, size_t max)
{
    struct sub *s = arg;
    struct sse_hub *h = s->h;
    if (!h)
        return -1;
    pthread_mutex_lock(&h->mu);
    long n;
    if (s->q.len > s->off) {
        size_t k = s->q.len - s->off;
        if (k > max)
            k = max;
        memcpy(out, s->q.data + s->off, k);
        s->off += k;
        if (s->off == s->q.len) {
            buf_reset(&s->q);
            s->off = 0;
        }
        n = (long)k;
    } else if (h->closed) {
        n = -1;
    } else {
        s->parked = true; /* woken by the next publish or keepalive */
        n = 0;
    }
    pthread_mutex_unlock(&h->mu);
    return n;
}

static void sub_bind(void *arg, struct httpd_waker *w)
{
    struct sub *s = arg;
    if (!s->h)
        return;
    pthread_mutex_lock(&s->h->mu);
    s->w = w;
    pthread_mutex_unlock(&s->h->mu);
}

static void sub_free(void *arg)
{
    struct sub *s = arg;
    struct sse_hub *h = s->h;
    if (h) {
        pthread_mutex_lock(&h->mu);
        if (s->prev)
            s->prev->next = s->next;
        else if (h->head == s)
            h->head = s->next;
        if (s->next)
            s->next->prev = s->prev;
        h->n--;
        s->w = NULL;
        pthread_mutex_unlock(&h->mu);
    }
    buf_release(&s->q);
    free(s);
}

void sse_hub_attach(struct sse_hub *h, struct httpd_resp *resp)
{
    struct sub *s = xcalloc(1, sizeof *s);
    s->h = h;
    buf_init(&s->q, 0);
    buf_puts(&s->q, ": connected\nretry: 2000\n\n");
    pthread_mutex_lock(&h->mu);
    s->next = h->head;
    if (h->head)
        h->head->prev = s;
    h->head = s;
    h->n++;
    pthread_mutex_unlock(&h->mu);
    resp->status = 200;
    resp->content_type = "text/event-stream";
    resp->stream = sub_read;
    resp->stream_bind = sub_bind;
    resp->stream_free = sub_free;
    resp->stream_arg = s;
    httpd_resp_header(resp, "X-Accel-Buffering", "no");
}
