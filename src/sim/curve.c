/* Bonding-curve and constant-product pool arithmetic for the simulator.
 *
 * Kept apart from the market model so that the formulas a test replays are
 * in one short file: 128-bit intermediate products, floors that favour the
 * reserves, and the graduation cap. See curve.h for the invariants. */
#include "sim/curve.h"

#include "base/err.h"

typedef unsigned __int128 u128;

void curve_init(struct curve *c)
{
    c->virtual_sol = CURVE_VIRTUAL_SOL0;
    c->virtual_tokens = CURVE_VIRTUAL_TOKENS0;
    c->real_sol = 0;
    c->real_tokens = CURVE_REAL_TOKENS0;
    c->complete = false;
}

double curve_price(const struct curve *c)
{
    /* lamports per raw unit * 1e6 / 1e9 = SOL per whole token */
    return (double)c->virtual_sol / (double)c->virtual_tokens * 1e-3;
}

static uint64_t fee_of(uint64_t amount, uint64_t bps)
{
    return (uint64_t)((u128)amount * bps / 10000);
}

int curve_buy(struct curve *c, uint64_t gross, struct trade *out)
{
    if (c->complete)
        return WT_ESTATE;
    uint64_t fee = fee_of(gross, CURVE_FEE_BPS);
    uint64_t net = gross - fee;
    uint64_t tokens = (uint64_t)((u128)c->virtual_tokens * net / ((u128)c->virtual_sol + net));
    if (tokens == 0)
        return WT_EINVAL;
    if (tokens >= c->real_tokens) {
        /* The last tokens: charge only what they cost, rounded up, and
         * gross up for the fee so that fee_of(gross) leaves at least that. */
        tokens = c->real_tokens;
        u128 need = ((u128)c->virtual_sol * tokens + (c->virtual_tokens - tokens) - 1) /
                    (c->virtual_tokens - tokens);
        gross = (uint64_t)((need * 10000 + (10000 - CURVE_FEE_BPS) - 1) / (10000 - CURVE_FEE_BPS));
        fee = fee_of(gross, CURVE_FEE_BPS);
        net = gross - fee;
    }
    c->virtual_sol += net;
    c->virtual_tokens -= tokens;
    c->real_sol += net;
    c->real_tokens -= tokens;
    if (c->real_tokens == 0)
        c->complete = true;
    out->sol = gross;
    out->tokens = tokens;
    out->fee = fee;
    return 0;
}

int curve_sell(struct curve *c, uint64_t tokens, struct trade *out)
{
    if (c->complete)
        return WT_ESTATE;
    if (tokens == 0 || c->real_tokens + tokens > CURVE_REAL_TOKENS0)
        return WT_EINVAL;
    uint64_t sol = (uint64_t)((u128)c->virtual_sol * tokens / ((u128)c->virtual_tokens + tokens));
    uint64_t fee = fee_of(sol, CURVE_FEE_BPS);
    if (sol == 0 || sol == fee || sol > c->real_sol)
        return WT_EINVAL;
    c->virtual_sol -= sol;
    c->virtual_tokens += tokens;
    c->real_sol -= sol;
    c->real_tokens += tokens;
    out->sol = sol - fee;
    out->tokens = tokens;
    out->fee = fee;
    return 0;
}

void pool_from_curve(struct pool *p, const struct curve *c)
{
    p->sol = c->real_sol > CURVE_MIGRATION_FEE ? c->real_sol - CURVE_MIGRATION_FEE : c->real_sol;
    p->tokens = CURVE_TOTAL_SUPPLY - CURVE_REAL_TOKENS0;
}

double pool_price(const struct pool *p)
{
    return (double)p->sol / (double)p->tokens * 1e-3;
}

/* The constant-product swap of amount into a pool holding reserve_in and
 * reserve_out, the fee kept in the pool: *fee of amount and *out paid
 * from reserve_out. WT_EINVAL when it pays nothing or would drain it. */
static int pool_swap(uint64_t amount, uint64_t reserve_in, uint64_t reserve_out, uint64_t *fee,
                     uint64_t *out)
{
    *fee = fee_of(amount, POOL_FEE_BPS);
    uint64_t in = amount - *fee;
    *out = (uint64_t)((u128)reserve_out * in / ((u128)reserve_in + in));
    return *out == 0 || *out >= reserve_out ? WT_EINVAL : 0;
}

int pool_buy(struct pool *p, uint64_t gross, struct trade *out)
{
    uint64_t fee, tokens;
    if (pool_swap(gross, p->sol, p->tokens, &fee, &tokens) != 0)
        return WT_EINVAL;
    p->sol += gross;
    p->tokens -= tokens;
    out->sol = gross;
    out->tokens = tokens;
    out->fee = fee;
    return 0;
}

int pool_sell(struct pool *p, uint64_t tokens, struct trade *out)
{
    uint64_t fee, sol;
    if (pool_swap(tokens, p->tokens, p->sol, &fee, &sol) != 0)
        return WT_EINVAL;
    p->sol -= sol;
    p->tokens += tokens;
    out->sol = sol;
    out->tokens = tokens;
    out->fee = fee;
    return 0;
}
