/* Deterministic pseudo-random numbers for the simulator.
 *
 * xoshiro256** (Blackman and Vigna) seeded through splitmix64, so a run is
 * a pure function of its seed on every platform: no rand(), no time, no
 * global state. The distributions below are built only from rng_next and
 * libm (log, exp, cos, sqrt), so the same seed gives the same bytes on
 * the same platform and C library.
 *
 * A struct rng belongs to one thread. Functions are inline because the
 * generator is on the simulator's hot path. */
#ifndef WT_SIM_RNG_H
#define WT_SIM_RNG_H

#include <math.h>
#include <stdint.h>

struct rng {
    uint64_t s[4]; /* never all zero (splitmix64 seeding guarantees it) */
};

/* One step of splitmix64: advances *state and returns a well-mixed word.
 * Also used on its own to derive addresses from (seed, domain, index). */
static inline uint64_t rng_splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static inline void rng_seed(struct rng *r, uint64_t seed)
{
    uint64_t st = seed;
    for (int i = 0; i < 4; i++)
        r->s[i] = rng_splitmix64(&st);
}

static inline uint64_t rng_rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

/* The next 64 random bits. */
static inline uint64_t rng_next(struct rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rng_rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rng_rotl(s[3], 45);
    return result;
}

/* Uniform in [0, 1) with 53 random bits. */
static inline double rng_unit(struct rng *r)
{
    return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

/* Uniform in [lo, hi). */
static inline double rng_range(struct rng *r, double lo, double hi)
{
    return lo + (hi - lo) * rng_unit(r);
}

/* Uniform integer in [0, n); n > 0. Lemire's multiply-shift (the tiny bias
 * for huge n does not matter here and keeps it branch-free). */
static inline uint64_t rng_below(struct rng *r, uint64_t n)
{
    return (uint64_t)(((unsigned __int128)rng_next(r) * n) >> 64);
}

/* True with probability p. */
static inline int rng_chance(struct rng *r, double p)
{
    return rng_unit(r) < p;
}

/* Exponential with the given mean. */
static inline double rng_exp(struct rng *r, double mean)
{
    return -mean * log(1.0 - rng_unit(r));
}

/* Standard normal (Box-Muller, one value per call). */
static inline double rng_normal(struct rng *r)
{
    double u1 = 1.0 - rng_unit(r), u2 = rng_unit(r);
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

/* Log-normal with the given median and log-space spread sigma. */
static inline double rng_lognormal(struct rng *r, double median, double sigma)
{
    return median * exp(sigma * rng_normal(r));
}

#endif
