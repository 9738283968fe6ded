/* Clocks, passed in, never global.
 *
 * The engine never reads the system time: it is handed a struct clock,
 * real in `serve`, virtual in backtests and tests, so the same events give
 * the same decisions. A virtual clock only moves when told to. The owner
 * of a virtual clock sets it from one thread; reading a real clock is safe
 * from any thread. */
#ifndef WT_BASE_CLOCK_H
#define WT_BASE_CLOCK_H

#include <stdbool.h>
#include <stdint.h>

/* Time units: the one set of conversion constants (int64_t arithmetic).
 * Write MS_PER_HOUR, not 3600000; no file defines its own. */
#define MS_PER_SECOND INT64_C(1000)
#define MS_PER_MINUTE INT64_C(60000)
#define MS_PER_HOUR   INT64_C(3600000)
#define MS_PER_DAY    INT64_C(86400000)
#define NS_PER_MS     INT64_C(1000000)
#define NS_PER_SECOND INT64_C(1000000000)

struct clock {
    bool is_virtual;
    int64_t now_ms; /* current time of a virtual clock, Unix ms */
};

/* A clock that reads CLOCK_REALTIME. */
void clock_init_real(struct clock *c);
/* A virtual clock that starts at start_ms (Unix milliseconds). */
void clock_init_virtual(struct clock *c, int64_t start_ms);
/* Current time in Unix milliseconds. */
int64_t clock_now_ms(const struct clock *c);
/* The wall clock (CLOCK_REALTIME) in Unix milliseconds, for code that has
 * no struct clock passed in: timestamps of records, not engine logic. */
int64_t clock_wall_ms(void);
/* Moves a virtual clock to ms; it never goes backwards (an earlier value is
 * ignored). No effect on a real clock. */
void clock_set_ms(struct clock *c, int64_t ms);
void clock_advance_ms(struct clock *c, int64_t delta_ms);

/* Monotonic nanoseconds for durations and uptime (not for engine logic). */
int64_t clock_mono_ns(void);

/* Writes ms as an ISO 8601 UTC timestamp ("2026-11-21T12:00:00.123Z") into
 * out (at least 25 bytes). */
void clock_format_iso(int64_t ms, char *out, unsigned long outsize);

#endif
