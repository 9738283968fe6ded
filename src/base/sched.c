/* The scheduler: periodic jobs on one thread and the monotonic clock. See
 * sched.h. */
#include "base/sched.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/err.h"
#include "base/mem.h"
#include "base/waiter.h"

struct job {
    struct sched *s;
    const char *name;
    int64_t first_ms, period_ms;
    enum sched_where where;
    void (*fn)(void *ctx);
    void *ctx;
    bool (*open)(void *ctx); /* sched_gate; NULL: always open */
    void *open_ctx;
    int64_t due_ms;
    /* SCHED_WORKER only */
    pthread_t thread;
    pthread_cond_t go; /* under s->w.mu */
    bool started, pending, running;
    struct sched_job_stats st;
};

struct sched {
    struct sched_clock clk;
    struct waiter w;     /* its mutex guards everything below */
    pthread_cond_t idle; /* a pass ended, or a worker's run ended */
    struct job *jobs;
    size_t n, cap;
    pthread_t thread;
    bool started, joined;
    uint64_t asked, passed; /* sched_sync's requests, and the one a pass has served */
};

int64_t sched_mono_ms(void *ctx)
{
    (void)ctx;
    return clock_mono_ns() / NS_PER_MS;
}

struct sched *sched_new(const struct sched_clock *clk)
{
    struct sched *s = xcalloc(1, sizeof *s);
    s->clk = clk ? *clk : (struct sched_clock){sched_mono_ms, NULL};
    if (waiter_init(&s->w) != 0 || pthread_cond_init(&s->idle, NULL) != 0)
        abort(); /* out of resources at start-up, like xmalloc */
    return s;
}

int sched_add(struct sched *s, const char *name, int64_t first_ms, int64_t period_ms,
              enum sched_where where, void (*fn)(void *ctx), void *ctx)
{
    if (s->started || period_ms <= 0 || first_ms < 0 || !fn)
        return WT_EINVAL;
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 8;
        s->jobs = xreallocarray(s->jobs, s->cap, sizeof *s->jobs);
    }
    struct job *j = &s->jobs[s->n];
    *j = (struct job){.name = name,
                      .first_ms = first_ms,
                      .period_ms = period_ms,
                      .where = where,
                      .fn = fn,
                      .ctx = ctx};
    return (int)s->n++;
}

int sched_gate(struct sched *s, const char *name, bool (*open)(void *ctx), void *ctx)
{
    if (s->started || !open)
        return WT_EINVAL;
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->jobs[i].name, name) == 0) {
            s->jobs[i].open = open;
            s->jobs[i].open_ctx = ctx;
            return 0;
        }
    return WT_ENOTFOUND;
}

static void *worker_main(void *arg)
{
    struct job *j = arg;
    struct sched *s = j->s;
    pthread_mutex_lock(&s->w.mu);
    while (!s->w.stop) {
        if (!j->pending) {
            pthread_cond_wait(&j->go, &s->w.mu);
            continue;
        }
        j->pending = false;
        j->running = true;
        pthread_mutex_unlock(&s->w.mu);
        j->fn(j->ctx);
        pthread_mutex_lock(&s->w.mu);
        j->running = false;
        j->st.runs++;
        pthread_cond_broadcast(&s->idle);
    }
    pthread_mutex_unlock(&s->w.mu);
    return NULL;
}

/* Runs or hands over job j, due at or before now (under the mutex, which
 * an inline job's run drops). Moves its due time on. */
static void fire(struct sched *s, struct job *j, int64_t now)
{
    j->due_ms += j->period_ms;
    if (j->due_ms <= now) { /* fell behind: once now, the next a period on */
        j->st.skipped += (uint64_t)((now - j->due_ms) / j->period_ms) + 1;
        j->due_ms = now + j->period_ms;
    }
    if (j->open && !j->open(j->open_ctx)) {
        j->st.gated++;
        return;
    }
    if (j->where == SCHED_INLINE) {
        pthread_mutex_unlock(&s->w.mu);
        j->fn(j->ctx);
        pthread_mutex_lock(&s->w.mu);
        j->st.runs++;
    } else if (j->pending || j->running) {
        j->st.skipped++;
    } else {
        j->pending = true;
        pthread_cond_signal(&j->go);
    }
}

static void *sched_main(void *arg)
{
    struct sched *s = arg;
    pthread_mutex_lock(&s->w.mu);
    while (!s->w.stop) {
        uint64_t serving = s->asked;
        int64_t now = s->clk.now_ms(s->clk.ctx);
        bool ran = false;
        for (size_t i = 0; i < s->n && !s->w.stop; i++) {
            struct job *j = &s->jobs[i];
            if (j->due_ms <= now) {
                fire(s, j, now);
                ran = true;
                now = s->clk.now_ms(s->clk.ctx); /* an inline job took time */
            }
        }
        if (ran)
            continue; /* read the clock again before sleeping */
        s->passed = serving;
        pthread_cond_broadcast(&s->idle);
        int64_t wait = -1;
        for (size_t i = 0; i < s->n; i++) {
            int64_t left = s->jobs[i].due_ms - now;
            if (wait < 0 || left < wait)
                wait = left;
        }
        waiter_wait_locked_ms(&s->w, wait);
    }
    pthread_mutex_unlock(&s->w.mu);
    return NULL;
}

static void stop_threads(struct sched *s)
{
    waiter_lock(&s->w);
    s->w.stop = true;
    pthread_cond_broadcast(&s->w.cv);
    pthread_cond_broadcast(&s->idle);
    for (size_t i = 0; i < s->n; i++)
        if (s->jobs[i].where == SCHED_WORKER)
            pthread_cond_signal(&s->jobs[i].go);
    waiter_unlock(&s->w);
}

/* Stops and joins the workers started so far (a failed start, or the
 * end); the scheduler cannot start again. */
static void join_workers(struct sched *s)
{
    stop_threads(s);
    for (size_t i = 0; i < s->n; i++)
        if (s->jobs[i].started) {
            pthread_join(s->jobs[i].thread, NULL);
            pthread_cond_destroy(&s->jobs[i].go);
            s->jobs[i].started = false;
        }
}

int sched_start(struct sched *s)
{
    if (s->started || s->w.stop) /* running, or a failed start */
        return WT_EINVAL;
    int64_t now = s->clk.now_ms(s->clk.ctx);
    for (size_t i = 0; i < s->n; i++) {
        struct job *j = &s->jobs[i];
        j->s = s;
        j->due_ms = now + j->first_ms;
        if (j->where != SCHED_WORKER)
            continue;
        pthread_cond_init(&j->go, NULL);
        if (pthread_create(&j->thread, NULL, worker_main, j) != 0) {
            pthread_cond_destroy(&j->go);
            join_workers(s);
            return WT_EIO;
        }
        j->started = true;
    }
    if (pthread_create(&s->thread, NULL, sched_main, s) != 0) {
        join_workers(s);
        return WT_EIO;
    }
    s->started = true;
    return 0;
}

void sched_sync(struct sched *s)
{
    waiter_lock(&s->w);
    if (!s->started) {
        waiter_unlock(&s->w);
        return;
    }
    uint64_t want = ++s->asked;
    s->w.woken = true;
    pthread_cond_signal(&s->w.cv);
    while (!s->w.stop && s->passed < want)
        pthread_cond_wait(&s->idle, &s->w.mu);
    waiter_unlock(&s->w);
}

void sched_job_stats(struct sched *s, int job, struct sched_job_stats *out)
{
    waiter_lock(&s->w);
    *out = job >= 0 && (size_t)job < s->n ? s->jobs[job].st : (struct sched_job_stats){0};
    waiter_unlock(&s->w);
}

size_t sched_jobs(struct sched *s)
{
    waiter_lock(&s->w);
    size_t n = s->started ? s->n : 0; /* jobs may still be added before */
    waiter_unlock(&s->w);
    return n;
}

const char *sched_job_name(struct sched *s, int job)
{
    waiter_lock(&s->w);
    const char *name = job >= 0 && (size_t)job < s->n ? s->jobs[job].name : NULL;
    waiter_unlock(&s->w);
    return name;
}

void sched_stop(struct sched *s)
{
    if (!s)
        return;
    stop_threads(s);
    if (s->started && !s->joined) {
        pthread_join(s->thread, NULL);
        s->joined = true;
    }
    join_workers(s);
}

void sched_free(struct sched *s)
{
    if (!s)
        return;
    sched_stop(s);
    pthread_cond_destroy(&s->idle);
    waiter_release(&s->w);
    free(s->jobs);
    free(s);
}
