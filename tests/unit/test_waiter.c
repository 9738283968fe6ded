/* Tests of the waiter (base/waiter.h): a wait ends at its deadline, at a
 * wake (also one given before the wait), and at a stop, which is for good;
 * the deadline is on the monotonic clock, so a wall clock set back an hour
 * does not stretch it (the clock is moved by wallshift.h). */
#include "wallshift.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <pthread.h>
#include <time.h>

#include "base/clock.h"
#include "base/waiter.h"

static void test_deadline_wake_stop(void **state)
{
    (void)state;
    struct waiter w;
    assert_int_equal(waiter_init(&w), 0);
    assert_false(waiter_stopping(&w));
    /* The deadline passes: not a stop. */
    int64_t t0 = clock_mono_ns();
    assert_false(waiter_wait_ms(&w, 30));
    assert_true(clock_mono_ns() - t0 >= 30 * 1000000LL);
    assert_false(waiter_wait_ms(&w, 0));
    /* A wake given before the wait is kept for it, once. */
    waiter_wake(&w);
    assert_false(waiter_wait_ms(&w, -1)); /* would block for ever without it */
    /* A stop ends every later wait at once, even one with no deadline. */
    waiter_stop(&w);
    assert_true(waiter_wait_ms(&w, -1));
    assert_true(waiter_wait_ms(&w, 3600000));
    assert_true(waiter_stopping(&w));
    waiter_release(&w);
}

static void *stopper(void *arg)
{
    struct timespec ts = {0, 20 * 1000000L};
    nanosleep(&ts, NULL);
    waiter_stop(arg);
    return NULL;
}

static void test_stop_from_another_thread(void **state)
{
    (void)state;
    struct waiter w;
    assert_int_equal(waiter_init(&w), 0);
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, stopper, &w), 0);
    waiter_lock(&w);
    bool stop = waiter_wait_locked_ms(&w, 3600000); /* an hour unless stopped */
    assert_true(w.stop);
    waiter_unlock(&w);
    assert_true(stop);
    pthread_join(t, NULL);
    waiter_release(&w);
}

/* The wall clock is an hour fast while the deadline is taken and set back
 * right after: a wait of 50 ms still ends (on CLOCK_REALTIME it would last
 * an hour). The same for a plain condition made by cond_init_monotonic. */
static void test_wall_clock_jump_back(void **state)
{
    (void)state;
    struct waiter w;
    assert_int_equal(waiter_init(&w), 0);
    atomic_store(&wallshift_ms, 3600000);
    int64_t t0 = clock_mono_ns();
    assert_false(waiter_wait_ms(&w, 50));
    atomic_store(&wallshift_ms, 0);
    assert_true(clock_mono_ns() - t0 < 600LL * 1000000000); /* not an hour */
    waiter_release(&w);

    pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
    pthread_cond_t cv;
    assert_int_equal(cond_init_monotonic(&cv), 0);
    atomic_store(&wallshift_ms, 3600000);
    struct timespec dl;
    deadline_after_ms(&dl, 50);
    pthread_mutex_lock(&mu);
    int rc = 0;
    while (rc == 0)
        rc = pthread_cond_timedwait(&cv, &mu, &dl);
    pthread_mutex_unlock(&mu);
    atomic_store(&wallshift_ms, 0);
    assert_int_equal(rc, ETIMEDOUT);
    pthread_cond_destroy(&cv);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_deadline_wake_stop),
        cmocka_unit_test(test_stop_from_another_thread),
        cmocka_unit_test(test_wall_clock_jump_back),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
