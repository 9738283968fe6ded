/* Group commit of event batches (see gcommit.h for the why).
 *
 * Submitters push a `struct sub` living on their own stack onto a list
 * under one mutex and sleep on a shared condition variable until their
 * `done` flag is set. The writer thread sleeps until the list is non-empty,
 * then (only when max_delay_ms > 0) waits for more until the first batch is
 * max_delay_ms old or max_rows events are pending, detaches the whole list,
 * commits it with
 * store_append_batches() without holding the mutex (so new submissions
 * queue up for the next transaction), and finally marks every detached
 * submission done with the shared result and wakes everyone.
 *
 * Invariants (under mu): `head..tail` holds the pending submissions in
 * arrival order; pending_rows is the sum of their n; a sub is never on the
 * list once done is true. */
#include "store/gcommit.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/clock.h"
#include "base/err.h"
#include "base/hist.h"
#include "base/log.h"
#include "base/mem.h"
#include "base/waiter.h"

struct sub {
    const struct event *ev;
    size_t n;
    const struct store_skip *skips;
    size_t n_skips;
    uint8_t *inserted; /* the submitter's, or NULL */
    struct store_append_stats stats;
    int rc;
    bool done;
    struct sub *next;
    struct timespec arrived;
};

struct gcommit {
    struct store *st;
    struct gcommit_opts opts;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t work; /* writer waits: new submission or stop */
    pthread_cond_t done; /* submitters wait: their transaction ended */
    struct sub *head, *tail;
    size_t pending_rows;
    bool stopping;
    struct gcommit_stats stats;
};

static void deadline_after(const struct timespec *t0, unsigned ms, struct timespec *out)
{
    *out = *t0;
    out->tv_sec += ms / 1000;
    out->tv_nsec += (long)(ms % 1000) * NS_PER_MS;
    if (out->tv_nsec >= NS_PER_SECOND) {
        out->tv_sec++;
        out->tv_nsec -= NS_PER_SECOND;
    }
}

static void *writer(void *arg)
{
    struct gcommit *g = arg;
    struct store_batch *b = NULL;
    size_t bcap = 0;
    uint8_t *flags = NULL;
    size_t fcap = 0;
    pthread_mutex_lock(&g->mu);
    for (;;) {
        while (g->head == NULL && !g->stopping)
            pthread_cond_wait(&g->work, &g->mu);
        if (g->head == NULL && g->stopping)
            break;
        struct timespec deadline;
        deadline_after(&g->head->arrived, g->opts.max_delay_ms, &deadline);
        while (g->opts.max_delay_ms && !g->stopping && g->pending_rows < g->opts.max_rows) {
            if (pthread_cond_timedwait(&g->work, &g->mu, &deadline) == ETIMEDOUT)
                break;
        }
        struct sub *list = g->head;
        g->head = g->tail = NULL;
        g->pending_rows = 0;
        pthread_mutex_unlock(&g->mu);

        size_t nb = 0;
        for (struct sub *s = list; s != NULL; s = s->next)
            nb++;
        if (nb > bcap) {
            bcap = nb * 2;
            b = xreallocarray(b, bcap, sizeof *b);
        }
        size_t i = 0, events = 0;
        for (struct sub *s = list; s != NULL; s = s->next, i++)
            events += s->n;
        if (g->opts.after_commit && events > fcap) {
            fcap = events * 2;
            flags = xrealloc(flags, fcap);
        }
        i = 0;
        size_t off = 0;
        for (struct sub *s = list; s != NULL; s = s->next, i++) {
            b[i] = (struct store_batch){
                .ev = s->ev, .n = s->n, .skips = s->skips, .n_skips = s->n_skips};
            if (s->inserted)
                b[i].inserted = s->inserted;
            else if (g->opts.after_commit)
                b[i].inserted = flags + off;
            off += s->n;
        }
        int64_t t0 = clock_mono_ns();
        int rc = store_append_batches(g->st, b, nb);
        hist_observe_ns(HIST_STORE_COMMIT, clock_mono_ns() - t0);
        if (rc != 0)
            log_error("store", "group commit of %zu batches (%zu events) failed: %s", nb, events,
                      wt_strerror(rc));
        else if (g->opts.after_commit)
            for (size_t k = 0; k < nb; k++)
                if (b[k].n)
                    g->opts.after_commit(g->opts.after_ctx, b[k].ev, b[k].n, b[k].inserted);

        pthread_mutex_lock(&g->mu);
        i = 0;
        for (struct sub *s = list, *next; s != NULL; s = next, i++) {
            next = s->next;
            s->stats = b[i].stats;
            s->rc = rc;
            s->next = NULL;
            s->done = true; /* s may vanish as soon as mu is released */
        }
        g->stats.commits++;
        g->stats.failed += rc != 0;
        g->stats.batches += nb;
        g->stats.events += events;
        if (nb > g->stats.max_batches_per_commit)
            g->stats.max_batches_per_commit = nb;
        pthread_cond_broadcast(&g->done);
    }
    pthread_mutex_unlock(&g->mu);
    free(b);
    free(flags);
    return NULL;
}

int gcommit_start(struct store *st, const struct gcommit_opts *opts, struct gcommit **out)
{
    struct gcommit *g = xcalloc(1, sizeof *g);
    g->st = st;
    if (opts != NULL)
        g->opts = *opts;
    if (g->opts.max_rows == 0)
        g->opts.max_rows = 10000;
    pthread_mutex_init(&g->mu, NULL);
    cond_init_monotonic(&g->work); /* deadlines on CLOCK_MONOTONIC (base/waiter.h) */
    cond_init_monotonic(&g->done);
    if (pthread_create(&g->thread, NULL, writer, g) != 0) {
        pthread_cond_destroy(&g->work);
        pthread_cond_destroy(&g->done);
        pthread_mutex_destroy(&g->mu);
        free(g);
        *out = NULL;
        return WT_EIO;
    }
    *out = g;
    return 0;
}

int gcommit_submit(struct gcommit *g, const struct event *ev, size_t n,
                   struct store_append_stats *stats)
{
    return gcommit_submit_ex(g, ev, n, NULL, 0, NULL, stats);
}

int gcommit_submit_ex(struct gcommit *g, const struct event *ev, size_t n,
                      const struct store_skip *skips, size_t n_skips, uint8_t *inserted,
                      struct store_append_stats *stats)
{
    /* Checked before joining: one invalid batch would otherwise fail the
     * shared transaction for every other submitter in it. */
    for (size_t i = 0; i < n; i++)
        if (!store_event_valid(&ev[i]))
            return WT_EINVAL;
    struct sub s = {.ev = ev, .n = n, .skips = skips, .n_skips = n_skips, .inserted = inserted};
    if (!store_batch_skips_valid(&(struct store_batch){.skips = skips, .n_skips = n_skips}))
        return WT_EINVAL;
    clock_gettime(CLOCK_MONOTONIC, &s.arrived);
    pthread_mutex_lock(&g->mu);
    if (g->stopping) {
        pthread_mutex_unlock(&g->mu);
        return WT_ECLOSED;
    }
    if (g->tail != NULL)
        g->tail->next = &s;
    else
        g->head = &s;
    g->tail = &s;
    g->pending_rows += n + n_skips;
    pthread_cond_signal(&g->work);
    while (!s.done)
        pthread_cond_wait(&g->done, &g->mu);
    pthread_mutex_unlock(&g->mu);
    if (stats != NULL)
        *stats = s.stats;
    return s.rc;
}

void gcommit_get_stats(struct gcommit *g, struct gcommit_stats *out)
{
    pthread_mutex_lock(&g->mu);
    *out = g->stats;
    pthread_mutex_unlock(&g->mu);
}

void gcommit_stop(struct gcommit *g)
{
    if (g == NULL)
        return;
    pthread_mutex_lock(&g->mu);
    g->stopping = true;
    pthread_cond_signal(&g->work);
    pthread_mutex_unlock(&g->mu);
    pthread_join(g->thread, NULL);
    pthread_cond_destroy(&g->work);
    pthread_cond_destroy(&g->done);
    pthread_mutex_destroy(&g->mu);
    free(g);
}
