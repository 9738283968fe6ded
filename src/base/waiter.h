/* A waiter: what a thread loop sleeps on. A mutex, a condition variable on
 * CLOCK_MONOTONIC (a wall clock set back or forward never stretches or cuts
 * a wait) and a stop flag, so no thread carries its own deadline code.
 *
 *     while (!waiter_wait_ms(&w, period_ms))
 *         do_the_work();
 *
 * A wake (waiter_wake) is kept until the next wait consumes it, so one
 * given while the thread is busy is not lost. A stop is for good: every
 * later wait returns true at once.
 *
 * An owner that keeps its own state under the waiter's mutex (so a wake
 * and the state it announces cannot cross) uses waiter_lock/_unlock and
 * the _locked forms; w->stop may then be read directly.
 *
 * Threads: any thread may wake or stop; one thread waits (several may, but
 * a wake then reaches only one of them). base/ code: no logging. */
#ifndef WT_BASE_WAITER_H
#define WT_BASE_WAITER_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

struct waiter {
    pthread_mutex_t mu;
    pthread_cond_t cv; /* on CLOCK_MONOTONIC */
    bool stop;         /* under mu */
    bool woken;        /* under mu: a wake not yet consumed */
};

/* Returns 0 or WT_EIO (the mutex or condition could not be made). */
int waiter_init(struct waiter *w);
void waiter_release(struct waiter *w);

/* Waits ms milliseconds (ms < 0: with no deadline), or until a wake or a
 * stop. Returns true when stop was requested. Takes the mutex itself. */
bool waiter_wait_ms(struct waiter *w, int64_t ms);
/* The same, called with the mutex held (it is held again on return). */
bool waiter_wait_locked_ms(struct waiter *w, int64_t ms);
/* Sets the stop flag and wakes every waiting thread. */
void waiter_stop(struct waiter *w);
/* Ends the current (or the next) wait early. */
void waiter_wake(struct waiter *w);
/* Whether stop was requested. */
bool waiter_stopping(struct waiter *w);
void waiter_lock(struct waiter *w);
void waiter_unlock(struct waiter *w);

/* For a condition variable that is not a waiter's (one that shares its
 * owner's mutex with other conditions): initialises cv on CLOCK_MONOTONIC
 * (returns pthread_cond_init's result), and writes the CLOCK_MONOTONIC
 * deadline ms milliseconds from now for pthread_cond_timedwait. */
int cond_init_monotonic(pthread_cond_t *cv);
void deadline_after_ms(struct timespec *ts, int64_t ms);

#endif
