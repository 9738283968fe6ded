/* Batches of backtest runs on a pool of threads (see batch.h). */
#include "backtest/batch.h"

#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include "base/err.h"
#include "base/mem.h"

struct pool {
    const struct bt_tape *t;
    const struct bt_plan *p;
    const struct bt_watchlist *wl;
    struct bt_job *jobs;
    size_t n;
    bool summary;
    atomic_int *cancel;
    atomic_size_t next;
    pthread_mutex_t mu; /* guards done and the progress callback */
    size_t done;
    void (*progress)(void *ctx, size_t done, size_t total);
    void *ctx;
};

static void *worker(void *arg)
{
    struct pool *pl = arg;
    for (;;) {
        if (pl->cancel && atomic_load(pl->cancel))
            break;
        size_t i = atomic_fetch_add(&pl->next, 1);
        if (i >= pl->n)
            break;
        struct bt_job *j = &pl->jobs[i];
        struct bt_run_opts o = {.cancel = pl->cancel,
                                .summary = pl->summary,
                                .checkpoints = j->checkpoints,
                                .n_checkpoints = j->n_checkpoints,
                                .at_checkpoint = j->at_checkpoint};
        j->rc = bt_replay(pl->t, pl->p, &j->setup, pl->wl, &o, &j->result, j->err, sizeof j->err);
        pthread_mutex_lock(&pl->mu);
        pl->done++;
        if (pl->progress)
            pl->progress(pl->ctx, pl->done, pl->n);
        pthread_mutex_unlock(&pl->mu);
    }
    return NULL;
}

unsigned bt_cores(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (unsigned)n : 1;
}

int bt_batch_run(const struct bt_tape *t, const struct bt_plan *p, const struct bt_watchlist *wl,
                 struct bt_job *jobs, size_t n, unsigned threads, bool summary, atomic_int *cancel,
                 void (*progress)(void *ctx, size_t done, size_t total), void *ctx)
{
    if (threads == 0)
        threads = bt_cores();
    if (threads > n)
        threads = n ? (unsigned)n : 1;
    struct pool pl = {.t = t,
                      .p = p,
                      .wl = wl,
                      .jobs = jobs,
                      .n = n,
                      .summary = summary,
                      .cancel = cancel,
                      .progress = progress,
                      .ctx = ctx};
    atomic_init(&pl.next, 0);
    pthread_mutex_init(&pl.mu, NULL);
    for (size_t i = 0; i < n; i++) {
        jobs[i].rc = WT_ECLOSED; /* until it ran */
        bt_result_init(&jobs[i].result);
    }
    pthread_t *th = xcalloc(threads, sizeof *th);
    unsigned started = 0;
    for (unsigned i = 1; i < threads; i++)
        if (pthread_create(&th[i], NULL, worker, &pl) == 0)
            started = i;
        else
            break;
    worker(&pl); /* the caller's thread is one of them */
    for (unsigned i = 1; i <= started; i++)
        pthread_join(th[i], NULL);
    free(th);
    pthread_mutex_destroy(&pl.mu);
    if (cancel && atomic_load(cancel))
        return WT_ECLOSED;
    return 0;
}
