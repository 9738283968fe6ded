/* Price mechanics of the simulated market: a pump.fun-style bonding curve
 * and, after graduation, a constant-product pool.
 *
 * The curve is the constant product of virtual reserves (30 SOL and
 * 1,073,000,000 tokens of 6 decimals at launch). Of the tokens, 793,100,000
 * are sold on the curve; when they are gone the curve has about 85 SOL of
 * real reserves and the token graduates: the real SOL (less a migration
 * fee) and the 206,900,000 remaining tokens seed a pool. Every amount is an
 * integer in base units (lamports, raw token units) and every division
 * rounds in favour of the reserves, so virtual_sol * virtual_tokens never
 * decreases and no reserve goes negative.
 *
 * Pure functions on caller-owned structs; any thread. */
#ifndef WT_SIM_CURVE_H
#define WT_SIM_CURVE_H

#include <stdbool.h>
#include <stdint.h>

#define CURVE_TOKEN_DECIMALS  6
#define CURVE_VIRTUAL_SOL0    30000000000ULL      /* 30 SOL */
#define CURVE_VIRTUAL_TOKENS0 1073000000000000ULL /* 1,073,000,000 tokens */
#define CURVE_REAL_TOKENS0    793100000000000ULL  /* sold on the curve */
#define CURVE_TOTAL_SUPPLY    1000000000000000ULL /* 1,000,000,000 tokens */
#define CURVE_FEE_BPS         100                 /* 1% on the SOL side */
#define CURVE_MIGRATION_FEE   6000000000ULL       /* 6 SOL kept at graduation */
#define POOL_FEE_BPS          25                  /* 0.25% on the input */

/* Bonding curve. Invariants: real_sol == virtual_sol - CURVE_VIRTUAL_SOL0
 * + (rounding surplus, >= 0); real_tokens <= CURVE_REAL_TOKENS0;
 * complete once real_tokens == 0, after which it accepts no trades. */
struct curve {
    uint64_t virtual_sol;    /* lamports */
    uint64_t virtual_tokens; /* raw units */
    uint64_t real_sol;       /* lamports actually held by the curve account */
    uint64_t real_tokens;    /* raw units still for sale */
    bool complete;
};

/* Constant-product pool. Invariant: both reserves > 0. */
struct pool {
    uint64_t sol;    /* lamports */
    uint64_t tokens; /* raw units */
};

/* The result of one trade. For a buy, sol_in is what the trader paid in
 * total (gross, fee included) and tokens_out what it received; for a sell,
 * tokens_in what it gave and sol_out what it received (net of the fee).
 * fee is the protocol fee in lamports (curve) or the LP fee in the input
 * asset's units (pool). */
struct trade {
    uint64_t sol;    /* buy: gross lamports paid; sell: net lamports received */
    uint64_t tokens; /* buy: tokens received; sell: tokens given */
    uint64_t fee;
};

void curve_init(struct curve *c);
/* Price in SOL per whole token (virtual_sol / virtual_tokens scaled). */
double curve_price(const struct curve *c);
/* Buys with at most `gross` lamports (fee included). When the purchase
 * would take more than the remaining real tokens it buys exactly those and
 * charges only what they cost; the curve is then complete. Returns 0, or
 * WT_ESTATE when the curve is complete, WT_EINVAL when the amount buys
 * nothing. */
int curve_buy(struct curve *c, uint64_t gross, struct trade *out);
/* Sells `tokens` raw units. Returns 0, WT_ESTATE (complete), WT_EINVAL (the
 * proceeds round to nothing or would exceed the real reserves). */
int curve_sell(struct curve *c, uint64_t tokens, struct trade *out);

/* Seeds a pool from a completed curve (real SOL less the migration fee,
 * the tokens not sold on the curve). */
void pool_from_curve(struct pool *p, const struct curve *c);
double pool_price(const struct pool *p);
/* Buys with `gross` lamports (LP fee taken from the input). Returns 0 or
 * WT_EINVAL when the amount buys nothing. */
int pool_buy(struct pool *p, uint64_t gross, struct trade *out);
/* Sells `tokens` (LP fee taken from the input). Returns 0 or WT_EINVAL. */
int pool_sell(struct pool *p, uint64_t tokens, struct trade *out);

#endif
