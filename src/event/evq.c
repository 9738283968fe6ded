/* The engine's event queue (see evq.h): a ring buffer under one mutex with
 * two condition variables, "not empty" for the consumer and "not full" for
 * producers that wait.
 *
 * Why a mutex and not a lock-free ring: events arrive in batches (a commit
 * holds up to thousands) and the consumer takes them in batches, so the
 * lock is taken once per batch, not per event; the copies dominate.
 *
 * Invariants (under mu): count <= cap; the events are ring[head ..
 * head + count) modulo cap, oldest first. */
#include "event/evq.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/mem.h"
#include "base/waiter.h"

struct evq {
    pthread_mutex_t mu;
    pthread_cond_t not_empty, not_full;
    struct event *ring;
    size_t cap, head, count, high;
    bool closed;
};

struct evq *evq_new(size_t cap)
{
    struct evq *q = xcalloc(1, sizeof *q);
    q->cap = cap ? cap : 1;
    q->ring = xcalloc(q->cap, sizeof *q->ring);
    pthread_mutex_init(&q->mu, NULL);
    cond_init_monotonic(&q->not_empty); /* deadlines on CLOCK_MONOTONIC (base/waiter.h) */
    cond_init_monotonic(&q->not_full);
    return q;
}

void evq_free(struct evq *q)
{
    if (!q)
        return;
    pthread_cond_destroy(&q->not_empty);
    pthread_cond_destroy(&q->not_full);
    pthread_mutex_destroy(&q->mu);
    free(q->ring);
    free(q);
}

size_t evq_push(struct evq *q, const struct event *ev, size_t n, bool wait)
{
    size_t done = 0;
    pthread_mutex_lock(&q->mu);
    while (done < n && !q->closed) {
        if (q->count == q->cap) {
            if (!wait)
                break;
            pthread_cond_wait(&q->not_full, &q->mu);
            continue;
        }
        size_t room = q->cap - q->count;
        size_t k = n - done < room ? n - done : room;
        for (size_t i = 0; i < k; i++)
            q->ring[(q->head + q->count + i) % q->cap] = ev[done + i];
        q->count += k;
        done += k;
        if (q->count > q->high)
            q->high = q->count;
        pthread_cond_signal(&q->not_empty);
    }
    pthread_mutex_unlock(&q->mu);
    return done;
}

size_t evq_pop(struct evq *q, struct event *out, size_t max, int timeout_ms)
{
    pthread_mutex_lock(&q->mu);
    if (q->count == 0 && !q->closed && timeout_ms != 0) {
        struct timespec dl;
        deadline_after_ms(&dl, timeout_ms > 0 ? timeout_ms : 0);
        while (q->count == 0 && !q->closed) {
            int r = timeout_ms < 0 ? pthread_cond_wait(&q->not_empty, &q->mu)
                                   : pthread_cond_timedwait(&q->not_empty, &q->mu, &dl);
            if (r == ETIMEDOUT)
                break;
        }
    }
    size_t k = q->count < max ? q->count : max;
    for (size_t i = 0; i < k; i++)
        out[i] = q->ring[(q->head + i) % q->cap];
    q->head = (q->head + k) % q->cap;
    q->count -= k;
    if (k)
        pthread_cond_broadcast(&q->not_full);
    pthread_mutex_unlock(&q->mu);
    return k;
}

void evq_close(struct evq *q)
{
    pthread_mutex_lock(&q->mu);
    q->closed = true;
    pthread_cond_broadcast(&q->not_empty);
    pthread_cond_broadcast(&q->not_full);
    pthread_mutex_unlock(&q->mu);
}

void evq_reopen(struct evq *q)
{
    pthread_mutex_lock(&q->mu);
    q->closed = false;
    q->head = q->count = 0;
    pthread_cond_broadcast(&q->not_full);
    pthread_mutex_unlock(&q->mu);
}

size_t evq_len(struct evq *q, size_t *high_water)
{
    pthread_mutex_lock(&q->mu);
    size_t n = q->count;
    if (high_water)
        *high_water = q->high;
    pthread_mutex_unlock(&q->mu);
    return n;
}
