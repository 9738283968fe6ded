/* A wall clock the test can move, for the tests of waits that must not
 * follow it (issue 14 item 4).
 *
 * The test executable defines clock_gettime itself; every caller linked
 * into it (the code under test comes from the static wtcore) gets this one.
 * CLOCK_REALTIME reads the real wall clock plus wallshift_ms; every other
 * clock passes through. A wait on a CLOCK_REALTIME deadline computed while
 * the shift is +1 h is an hour late by the kernel's clock: exactly what a
 * wall clock set back by an hour does to such a wait. Waits on
 * CLOCK_MONOTONIC are untouched.
 *
 * Include it in one test file only, before anything else. */
#ifndef WT_TEST_WALLSHIFT_H
#define WT_TEST_WALLSHIFT_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* RTLD_NEXT */
#endif
#include <dlfcn.h>
#include <stdatomic.h>
#include <stdint.h>
#include <time.h>

static _Atomic int64_t wallshift_ms;

int clock_gettime(clockid_t id, struct timespec *ts);
int clock_gettime(clockid_t id, struct timespec *ts)
{
    static int (*real)(clockid_t, struct timespec *);
    if (!real)
        *(void **)&real = dlsym(RTLD_NEXT, "clock_gettime");
    int rc = real(id, ts);
    int64_t shift = atomic_load(&wallshift_ms);
    if (rc == 0 && id == CLOCK_REALTIME && shift) {
        int64_t ns = (int64_t)ts->tv_sec * 1000000000 + ts->tv_nsec + shift * 1000000;
        ts->tv_sec = (time_t)(ns / 1000000000);
        ts->tv_nsec = (long)(ns % 1000000000);
    }
    return rc;
}

#endif
