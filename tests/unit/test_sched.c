/* Tests of the scheduler (base/sched.h).
 *
 * On an injected clock that only the test moves: each job runs exactly at
 * its first due time and then every period, a due time that passed twice
 * runs once and counts the miss, a long worker job neither delays the
 * other jobs nor piles up (its due runs while it works are skipped).
 *
 * On the real clock with the wall clock moved (wallshift.h): with the wall
 * clock an hour fast and then set back an hour, the jobs keep running
 * every period. */
#include "wallshift.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdbool.h>
#include <stdatomic.h>
#include <time.h>

#include "base/err.h"
#include "base/sched.h"

static _Atomic int64_t fake_now;

static int64_t fake_ms(void *ctx)
{
    (void)ctx;
    return atomic_load(&fake_now);
}

static void count(void *ctx)
{
    atomic_fetch_add((_Atomic int *)ctx, 1);
}

/* A long job: runs until the test opens its gate. */
struct gate {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool open, inside;
    int runs;
};

static void long_job(void *ctx)
{
    struct gate *g = ctx;
    pthread_mutex_lock(&g->mu);
    g->inside = true;
    g->runs++;
    pthread_cond_broadcast(&g->cv);
    while (!g->open)
        pthread_cond_wait(&g->cv, &g->mu);
    g->open = false;
    g->inside = false;
    pthread_mutex_unlock(&g->mu);
}

static void set_now(struct sched *s, int64_t ms)
{
    atomic_store(&fake_now, ms);
    sched_sync(s);
}

static void test_timing_on_injected_clock(void **state)
{
    (void)state;
    atomic_store(&fake_now, 1000);
    struct sched_clock clk = {fake_ms, NULL};
    struct sched *s = sched_new(&clk);
    _Atomic int a = 0, b = 0;
    assert_int_equal(sched_add(s, "bad", 0, 0, SCHED_INLINE, count, &a), WT_EINVAL);
    assert_int_equal(sched_add(s, "bad", -1, 10, SCHED_INLINE, count, &a), WT_EINVAL);
    assert_int_equal(sched_add(s, "bad", 0, 10, SCHED_INLINE, NULL, &a), WT_EINVAL);
    int ja = sched_add(s, "a", 0, 100, SCHED_INLINE, count, &a);    /* at 1000, 1100, ... */
    int jb = sched_add(s, "b", 250, 1000, SCHED_INLINE, count, &b); /* at 1250, 2250, ... */
    assert_int_equal(ja, 0);
    assert_int_equal(jb, 1);
    assert_int_equal(sched_start(s), 0);
    assert_int_equal(sched_start(s), WT_EINVAL);
    assert_int_equal(sched_add(s, "late", 0, 10, SCHED_INLINE, count, &a), WT_EINVAL);
    set_now(s, 1000);
    assert_int_equal(a, 1); /* first_ms 0: at the start */
    assert_int_equal(b, 0);
    set_now(s, 1099);
    assert_int_equal(a, 1);
    set_now(s, 1100);
    assert_int_equal(a, 2);
    set_now(s, 1249);
    assert_int_equal(b, 0);
    set_now(s, 1250);
    assert_int_equal(a, 3); /* 1200 */
    assert_int_equal(b, 1);
    /* 1300 and 1400 both passed: one run, one miss; next at 1550. */
    set_now(s, 1450);
    assert_int_equal(a, 4);
    struct sched_job_stats st;
    sched_job_stats(s, ja, &st);
    assert_int_equal(st.runs, 4);
    assert_int_equal(st.skipped, 1);
    set_now(s, 1549);
    assert_int_equal(a, 4);
    set_now(s, 1550);
    assert_int_equal(a, 5);
    sched_job_stats(s, jb, &st);
    assert_int_equal(st.runs, 1);
    assert_int_equal(st.skipped, 0);
    sched_free(s);
}

static bool gate_open(void *ctx)
{
    return atomic_load((_Atomic bool *)ctx);
}

/* A gated job (sched_gate): skipped and counted while its gate is closed,
 * on its schedule again once it opens; other jobs are not gated; a gate
 * names an existing job and is set before the start. */
static void test_gate(void **state)
{
    (void)state;
    atomic_store(&fake_now, 0);
    struct sched_clock clk = {fake_ms, NULL};
    struct sched *s = sched_new(&clk);
    _Atomic int a = 0, w = 0, free_runs = 0;
    _Atomic bool leads = false;
    int ja = sched_add(s, "inline", 0, 100, SCHED_INLINE, count, &a);
    int jw = sched_add(s, "worker", 0, 100, SCHED_WORKER, count, &w);
    (void)sched_add(s, "free", 0, 100, SCHED_INLINE, count, &free_runs);
    assert_int_equal(sched_gate(s, "inline", gate_open, &leads), 0);
    assert_int_equal(sched_gate(s, "worker", gate_open, &leads), 0);
    assert_int_equal(sched_gate(s, "none", gate_open, &leads), WT_ENOTFOUND);
    assert_int_equal(sched_gate(s, "free", NULL, NULL), WT_EINVAL);
    assert_int_equal(sched_start(s), 0);
    assert_int_equal(sched_gate(s, "free", gate_open, &leads), WT_EINVAL);
    assert_int_equal(sched_jobs(s), 3);
    assert_string_equal(sched_job_name(s, jw), "worker");
    assert_null(sched_job_name(s, 3));
    for (int64_t t = 0; t <= 200; t += 100)
        set_now(s, t);
    assert_int_equal(a, 0);
    assert_int_equal(free_runs, 3);
    struct sched_job_stats st;
    sched_job_stats(s, ja, &st);
    assert_int_equal(st.gated, 3);
    assert_int_equal(st.runs, 0);
    sched_job_stats(s, jw, &st);
    assert_int_equal(st.gated, 3);
    atomic_store(&leads, true);
    set_now(s, 250);
    assert_int_equal(a, 0); /* not due: the next run is at 300 */
    set_now(s, 300);
    assert_int_equal(a, 1);
    /* The worker's run was handed over at 300: wait for it to finish. */
    for (int i = 0; i < 5000; i++) {
        sched_job_stats(s, jw, &st);
        if (st.runs == 1)
            break;
        nanosleep(&(struct timespec){0, 1000000}, NULL);
    }
    assert_int_equal(st.runs, 1);
    assert_int_equal(w, 1);
    sched_free(s);
}

static void test_long_worker_job(void **state)
{
    (void)state;
    atomic_store(&fake_now, 0);
    struct sched_clock clk = {fake_ms, NULL};
    struct sched *s = sched_new(&clk);
    struct gate g = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};
    _Atomic int quick = 0;
    int jl = sched_add(s, "long", 0, 100, SCHED_WORKER, long_job, &g);
    (void)sched_add(s, "quick", 10, 10, SCHED_INLINE, count, &quick);
    assert_int_equal(sched_start(s), 0);
    atomic_store(&fake_now, 0);
    /* The long job starts on its worker and stays inside. */
    pthread_mutex_lock(&g.mu);
    while (!g.inside)
        pthread_cond_wait(&g.cv, &g.mu);
    pthread_mutex_unlock(&g.mu);
    /* Meanwhile the quick job keeps its times, tick by tick. */
    for (int64_t t = 10; t <= 250; t += 10) {
        set_now(s, t);
        assert_int_equal(atomic_load(&quick), (int)(t / 10));
    }
    /* 100 and 200 came while the long run went on: skipped, not queued. */
    pthread_mutex_lock(&g.mu);
    g.open = true;
    pthread_cond_broadcast(&g.cv);
    pthread_mutex_unlock(&g.mu);
    struct sched_job_stats st;
    do { /* the worker counts the run once the job returns */
        struct timespec ts = {0, 1000000};
        nanosleep(&ts, NULL);
        sched_job_stats(s, jl, &st);
    } while (st.runs < 1);
    assert_int_equal(st.runs, 1);
    assert_int_equal(st.skipped, 2);
    assert_int_equal(g.runs, 1);
    sched_free(s);
}

/* The real monotonic clock, the wall clock an hour fast and then set back
 * an hour: a job every 20 ms still runs, 5 times within at most 10 s. */
static void test_wall_clock_jump_back(void **state)
{
    (void)state;
    atomic_store(&wallshift_ms, 3600000);
    struct sched *s = sched_new(NULL);
    _Atomic int n = 0;
    int j = sched_add(s, "tick", 20, 20, SCHED_INLINE, count, &n);
    assert_int_equal(sched_start(s), 0);
    struct timespec ts = {0, 10 * 1000000L};
    nanosleep(&ts, NULL);
    atomic_store(&wallshift_ms, 0);
    for (int i = 0; i < 1000 && atomic_load(&n) < 5; i++)
        nanosleep(&ts, NULL);
    struct sched_job_stats st;
    sched_job_stats(s, j, &st);
    sched_free(s);
    assert_true(atomic_load(&n) >= 5);
    assert_true(st.runs >= 5);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_timing_on_injected_clock),
        cmocka_unit_test(test_long_worker_job),
        cmocka_unit_test(test_gate),
        cmocka_unit_test(test_wall_clock_jump_back),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
