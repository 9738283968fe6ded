/* Batches: many scenarios over the same tape, plan and watchlist, on
 * several threads (FR64). Each job is one whole run (bt_replay) with its
 * own engine; the threads share only the read-only tape, plan and
 * watchlist, and take the next job from an atomic counter, so the result
 * of every job is the same whatever the number of threads (a test checks
 * it byte for byte).
 *
 * bt_batch_run blocks until every job ran or the cancel flag was raised;
 * any thread may call it. */
#ifndef WT_BACKTEST_BATCH_H
#define WT_BACKTEST_BATCH_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "backtest/replay.h"
#include "backtest/scenario.h"

struct bt_job {
    struct bt_setup setup;            /* in */
    const int64_t *checkpoints;       /* in, optional (bt_run_opts) */
    size_t n_checkpoints;             /* in */
    struct bt_metrics *at_checkpoint; /* out, n_checkpoints of them */
    struct bt_result result;          /* out (bt_result_release it) */
    int rc;                           /* out: bt_replay's */
    char err[256];                    /* out */
};

/* Runs jobs[0..n) on `threads` threads (0: one per online core; never more
 * than n). Every job's result is initialised here, run or not. summary: as bt_run_opts.summary.
 * progress (may be NULL) is called from the worker threads, under a lock, with jobs done so far.
 * Returns 0 when every job ran (each job's rc says how), WT_ECLOSED when
 * cancelled (results then incomplete: throw them away). */
int bt_batch_run(const struct bt_tape *t, const struct bt_plan *p, const struct bt_watchlist *wl,
                 struct bt_job *jobs, size_t n, unsigned threads, bool summary, atomic_int *cancel,
                 void (*progress)(void *ctx, size_t done, size_t total), void *ctx);

/* The number of online cores (at least 1). */
unsigned bt_cores(void);

#endif
