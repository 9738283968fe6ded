/* The scheduler: one thread that runs the periodic jobs of `serve`
 * (discovery, backups, the token refresh, the store-health watch) on the
 * monotonic clock (DESIGN §2). Nothing else sleeps on its own deadline
 * code: a job is a function and a period.
 *
 * A job runs first first_ms after sched_start, then every period_ms after
 * its previous due time (a fixed rate, not drifting by the job's length).
 * A due time that has already passed again when it comes round (the
 * machine slept, an inline job overran) is not run twice: the job runs once
 * and its next due time is a period from now; the missed runs are counted.
 *
 * Where a job runs:
 *   SCHED_INLINE  on the scheduler's thread. For short jobs (a health
 *                 check, handing work to its owner's thread): while one
 *                 runs the others wait, so keep them to milliseconds.
 *   SCHED_WORKER  on a worker thread of its own, which the scheduler
 *                 hands each run to. For long jobs (discovery, a backup):
 *                 they never delay another job's timing. A run that is due
 *                 while the previous one still runs is skipped (counted),
 *                 never queued, so a slow job cannot pile up.
 *
 * The clock is injectable (struct sched_clock) so a test can move time
 * itself; by default it is CLOCK_MONOTONIC, which no wall-clock change
 * moves.
 *
 * Threads: sched_add before sched_start, from the owner; sched_sync,
 * sched_job_stats from any thread; sched_free from the owner, which waits
 * for the running jobs to return. base/ code: no logging. */
#ifndef WT_BASE_SCHED_H
#define WT_BASE_SCHED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Monotonic milliseconds; now_ms(ctx) must never go backwards. */
struct sched_clock {
    int64_t (*now_ms)(void *ctx);
    void *ctx;
};

enum sched_where { SCHED_INLINE, SCHED_WORKER };

struct sched_job_stats {
    uint64_t runs;    /* runs finished */
    uint64_t skipped; /* due times not run (still running, or fell behind) */
    uint64_t gated;   /* due times not run because the job's gate was closed */
};

struct sched;

/* A stopped scheduler. clk NULL: CLOCK_MONOTONIC. Never NULL. */
struct sched *sched_new(const struct sched_clock *clk);
/* Adds a job (name kept by pointer: a literal). Returns the job's index
 * (>= 0), or WT_EINVAL (period_ms <= 0, first_ms < 0, fn NULL, or the
 * scheduler already started). */
int sched_add(struct sched *s, const char *name, int64_t first_ms, int64_t period_ms,
              enum sched_where where, void (*fn)(void *ctx), void *ctx);
/* Gives the job named name (sched_add's name) a gate: at each due time
 * open(ctx) is asked, on the scheduler's thread under its lock (so it
 * must be quick and take no lock of a job), and a closed gate skips that
 * run (counted in gated; the next comes a period later). For jobs that
 * only one of several nodes should run. Before sched_start. Returns 0,
 * WT_ENOTFOUND (no such job) or WT_EINVAL (started already, open NULL). */
int sched_gate(struct sched *s, const char *name, bool (*open)(void *ctx), void *ctx);
/* Starts the scheduler's thread and the workers. Returns 0, WT_EINVAL
 * (started already, or a start failed before) or WT_EIO. */
int sched_start(struct sched *s);
/* Makes the scheduler read its clock now and waits until it has run every
 * inline job due at that reading and handed every due worker job to its
 * worker (or skipped it). For a test that moved an injected clock. */
void sched_sync(struct sched *s);
/* The counts of job `job` (an index from sched_add). */
void sched_job_stats(struct sched *s, int job, struct sched_job_stats *out);
/* The number of jobs (0 before sched_start), and the name of job `job`
 * (NULL past the end). Any thread until sched_free. */
size_t sched_jobs(struct sched *s);
const char *sched_job_name(struct sched *s, int job);
/* Stops the threads (a running job finishes first); the counts stay
 * readable until sched_free. NULL is fine. */
void sched_stop(struct sched *s);
/* Stops the threads if needed and frees. NULL is fine. */
void sched_free(struct sched *s);

/* CLOCK_MONOTONIC in milliseconds (the default clock). */
int64_t sched_mono_ms(void *ctx);

#endif
