/* Tests of parallel parts (base/par.h): every part runs exactly once, part
 * 0 on the caller's thread and the others on threads of their own, all at
 * the same time (a part waits until every part has started, so running
 * them one after another would never finish the barrier); the thread
 * count a caller asks for is clamped. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdbool.h>
#include <time.h>

#include "base/par.h"

struct run {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    unsigned parts, arrived;
    unsigned calls[PAR_MAX];
    pthread_t who[PAR_MAX];
    bool timed_out;
};

/* Records the call, then waits (at most 10 s) until all parts arrived. */
static void part(void *ctx, unsigned i)
{
    struct run *r = ctx;
    pthread_mutex_lock(&r->mu);
    r->calls[i]++;
    r->who[i] = pthread_self();
    r->arrived++;
    pthread_cond_broadcast(&r->cv);
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += 10;
    while (r->arrived < r->parts && !r->timed_out)
        if (pthread_cond_timedwait(&r->cv, &r->mu, &until) != 0)
            r->timed_out = true;
    pthread_mutex_unlock(&r->mu);
}

static void test_parts_run_once_each_at_once(void **state)
{
    (void)state;
    for (unsigned parts = 1; parts <= 4; parts++) {
        struct run r = {.parts = parts};
        pthread_mutex_init(&r.mu, NULL);
        pthread_cond_init(&r.cv, NULL);
        par_run(parts, part, &r);
        assert_false(r.timed_out);
        assert_int_equal(r.arrived, parts);
        for (unsigned i = 0; i < parts; i++)
            assert_int_equal(r.calls[i], 1);
        assert_true(pthread_equal(r.who[0], pthread_self()));
        for (unsigned i = 1; i < parts; i++)
            assert_false(pthread_equal(r.who[i], pthread_self()));
        pthread_cond_destroy(&r.cv);
        pthread_mutex_destroy(&r.mu);
    }
}

static void test_threads_clamped(void **state)
{
    (void)state;
    assert_int_equal(par_threads(1), 1);
    assert_int_equal(par_threads(3), 3);
    assert_int_equal(par_threads(1000), PAR_MAX);
    unsigned cores = par_threads(0);
    assert_true(cores >= 1 && cores <= PAR_MAX);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parts_run_once_each_at_once),
        cmocka_unit_test(test_threads_clamped),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
