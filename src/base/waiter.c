/* Waiter: monotonic waits with a stop flag. See waiter.h. */
#include "base/waiter.h"

#include "base/clock.h"
#include "base/err.h"

int cond_init_monotonic(pthread_cond_t *cv)
{
    pthread_condattr_t ca;
    int rc = pthread_condattr_init(&ca);
    if (rc)
        return rc;
    rc = pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    if (rc == 0)
        rc = pthread_cond_init(cv, &ca);
    pthread_condattr_destroy(&ca);
    return rc;
}

void deadline_after_ms(struct timespec *ts, int64_t ms)
{
    clock_gettime(CLOCK_MONOTONIC, ts);
    if (ms < 0)
        ms = 0;
    int64_t ns = (int64_t)ts->tv_nsec + (ms % MS_PER_SECOND) * NS_PER_MS;
    ts->tv_sec += (time_t)(ms / MS_PER_SECOND + ns / NS_PER_SECOND);
    ts->tv_nsec = (long)(ns % NS_PER_SECOND);
}

int waiter_init(struct waiter *w)
{
    w->stop = false;
    w->woken = false;
    if (pthread_mutex_init(&w->mu, NULL) != 0)
        return WT_EIO;
    if (cond_init_monotonic(&w->cv) != 0) {
        pthread_mutex_destroy(&w->mu);
        return WT_EIO;
    }
    return 0;
}

void waiter_release(struct waiter *w)
{
    pthread_cond_destroy(&w->cv);
    pthread_mutex_destroy(&w->mu);
}

bool waiter_wait_locked_ms(struct waiter *w, int64_t ms)
{
    if (ms >= 0) {
        struct timespec dl;
        deadline_after_ms(&dl, ms);
        while (!w->stop && !w->woken)
            if (pthread_cond_timedwait(&w->cv, &w->mu, &dl) != 0)
                break; /* ETIMEDOUT */
    } else {
        while (!w->stop && !w->woken)
            pthread_cond_wait(&w->cv, &w->mu);
    }
    w->woken = false;
    return w->stop;
}

bool waiter_wait_ms(struct waiter *w, int64_t ms)
{
    pthread_mutex_lock(&w->mu);
    bool stop = waiter_wait_locked_ms(w, ms);
    pthread_mutex_unlock(&w->mu);
    return stop;
}

void waiter_stop(struct waiter *w)
{
    pthread_mutex_lock(&w->mu);
    w->stop = true;
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->mu);
}

void waiter_wake(struct waiter *w)
{
    pthread_mutex_lock(&w->mu);
    w->woken = true;
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
}

bool waiter_stopping(struct waiter *w)
{
    pthread_mutex_lock(&w->mu);
    bool stop = w->stop;
    pthread_mutex_unlock(&w->mu);
    return stop;
}

void waiter_lock(struct waiter *w)
{
    pthread_mutex_lock(&w->mu);
}

void waiter_unlock(struct waiter *w)
{
    pthread_mutex_unlock(&w->mu);
}
