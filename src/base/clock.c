/* Real and virtual clocks. See clock.h for why time is passed in. */
#include "base/clock.h"

#include <stdio.h>
#include <time.h>

void clock_init_real(struct clock *c)
{
    c->is_virtual = false;
    c->now_ms = 0;
}

void clock_init_virtual(struct clock *c, int64_t start_ms)
{
    c->is_virtual = true;
    c->now_ms = start_ms;
}

int64_t clock_wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * MS_PER_SECOND + ts.tv_nsec / NS_PER_MS;
}

int64_t clock_now_ms(const struct clock *c)
{
    if (c->is_virtual)
        return c->now_ms;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * MS_PER_SECOND + ts.tv_nsec / NS_PER_MS;
}

void clock_set_ms(struct clock *c, int64_t ms)
{
    if (c->is_virtual && ms > c->now_ms)
        c->now_ms = ms;
}

void clock_advance_ms(struct clock *c, int64_t delta_ms)
{
    if (c->is_virtual && delta_ms > 0)
        c->now_ms += delta_ms;
}

int64_t clock_mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * NS_PER_SECOND + ts.tv_nsec;
}

void clock_format_iso(int64_t ms, char *out, unsigned long outsize)
{
    time_t secs = (time_t)(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
    int frac = (int)(ms - (int64_t)secs * 1000);
    struct tm tm;
    gmtime_r(&secs, &tm);
    snprintf(out, outsize, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
}
