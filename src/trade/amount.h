/* Exact integer arithmetic on amounts (lamports, raw token units).
 *
 * Amounts are u64 and must never pass through a double where exactness
 * matters (DESIGN §4). Fractions configured as doubles (a take-profit
 * selling 0.5 of the position, a risk of 0.02 of capital) are applied at a
 * resolution of one part per million: the fraction is rounded once to an
 * integer number of ppm and the product is computed in 128-bit integers.
 * Header-only because every trade module needs these three lines; pure,
 * any thread. */
#ifndef WT_TRADE_AMOUNT_H
#define WT_TRADE_AMOUNT_H

#include <math.h>
#include <stdint.h>

#define AMOUNT_PPM 1000000u

/* floor(a * b / c), saturating at UINT64_MAX; c must not be 0. */
static inline uint64_t amount_mul_div(uint64_t a, uint64_t b, uint64_t c)
{
    unsigned __int128 r = (unsigned __int128)a * b / c;
    return r > UINT64_MAX ? UINT64_MAX : (uint64_t)r;
}

/* A fraction in [0, 1] (or a multiplier) rounded to parts per million. */
static inline uint64_t amount_ppm(double fraction)
{
    if (!(fraction > 0))
        return 0;
    return (uint64_t)llround(fraction * AMOUNT_PPM);
}

/* floor(a * fraction) with the fraction taken in ppm. */
static inline uint64_t amount_frac(uint64_t a, double fraction)
{
    return amount_mul_div(a, amount_ppm(fraction), AMOUNT_PPM);
}

#endif
