/* Paper fills: constant-product impact, DEX fee, transaction fees, latency.
 *
 * Paper mode is the default, and its results are what the operator judges
 * the system by before going live, so the model must not flatter: every
 * fill pays the price impact of its size against the pool, the DEX fee and
 * the transaction fees (and the tip), some transactions fail and cost their
 * fees for nothing, and it fills at the price some seconds after the
 * signal rather than at the signal's. The arithmetic is the chain's own:
 * integers, 128-bit intermediates, outputs rounded down (see paper.h). */
#include "trade/paper.h"

#include <math.h>
#include <string.h>

#include "base/err.h"

void paper_params_default(struct paper_params *p)
{
    memset(p, 0, sizeof *p);
    p->dex_fee_bps = 25;
    p->network_fee_lamports = 5000;
    p->priority_fee_lamports = 100000;
    p->tip_lamports = 0;
    p->fail_rate = 0.05; /* chosen; paper.fail_rate */
    p->latency_ms = 2000;
    p->latency_max_ms = 0;
}

/* splitmix64's output for state x + step: a uniform 64-bit value. */
static uint64_t mix(uint64_t x)
{
    uint64_t z = x + 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

bool paper_fails(const struct paper_params *p, uint64_t order_id)
{
    if (!(p->fail_rate > 0))
        return false;
    double u = (double)(mix(order_id) >> 11) * 0x1.0p-53; /* [0, 1) */
    return u < p->fail_rate;
}

int64_t paper_order_latency_ms(const struct paper_params *p, uint64_t order_id)
{
    int64_t lo = p->latency_ms > 0 ? p->latency_ms : 0;
    if (p->latency_max_ms <= lo)
        return lo;
    uint64_t slots = (uint64_t)((p->latency_max_ms - lo) / PAPER_SLOT_MS) + 1;
    /* a second stream, scrambled apart from the failure draw's */
    uint64_t k = mix(~order_id * 0xd1b54a32d192ed03ULL) % slots;
    return lo + (int64_t)k * PAPER_SLOT_MS;
}

uint64_t paper_failed_fee(const struct paper_params *p)
{
    return p->network_fee_lamports + p->priority_fee_lamports;
}

int paper_pool_from_price(uint64_t sol_reserve_lamports, double price_sol, uint8_t decimals,
                          struct paper_pool *out)
{
    if (sol_reserve_lamports == 0 || !isfinite(price_sol) || price_sol <= 0 || decimals > 19)
        return WT_EINVAL;
    /* tokens (raw) = SOL / price * 10^decimals = lamports / 1e9 / price * 10^dec */
    double raw = floor((double)sol_reserve_lamports / 1e9 / price_sol * pow(10, decimals));
    if (!(raw >= 1) || raw >= 18446744073709551615.0)
        return WT_EINVAL;
    out->sol_reserve = sol_reserve_lamports;
    out->token_reserve = (uint64_t)raw;
    out->decimals = decimals;
    return 0;
}

int paper_pool_from_liquidity_usd(double liquidity_usd, double sol_usd, double price_sol,
                                  uint8_t decimals, struct paper_pool *out)
{
    if (!isfinite(liquidity_usd) || liquidity_usd <= 0 || !isfinite(sol_usd) || sol_usd <= 0)
        return WT_EINVAL;
    double lamports = floor(liquidity_usd / 2 / sol_usd * 1e9);
    if (!(lamports >= 1) || lamports >= 18446744073709551615.0)
        return WT_EINVAL;
    return paper_pool_from_price((uint64_t)lamports, price_sol, decimals, out);
}

/* floor(a * b / c) for a < c < 2^127 and b < 2^64: the product can take up
 * to 207 bits (an input of 2^64 raw units times the 10000 of the fee
 * scale times a reserve of 2^64), so it is formed in four 64-bit limbs and
 * divided by shift and subtract. */
static uint64_t mul_div_wide(unsigned __int128 a, uint64_t b, unsigned __int128 c)
{
    uint64_t a_lo = (uint64_t)a, a_hi = (uint64_t)(a >> 64);
    unsigned __int128 lo = (unsigned __int128)a_lo * b;
    unsigned __int128 mid = (unsigned __int128)a_hi * b;
    /* product = mid * 2^64 + lo, as hi:lo in 128-bit halves */
    unsigned __int128 plo = lo + (mid << 64);
    unsigned __int128 phi = (mid >> 64) + (plo < lo ? 1 : 0);
    unsigned __int128 rem = 0, q = 0;
    for (int i = 255; i >= 0; i--) {
        unsigned __int128 bit = i >= 128 ? (phi >> (i - 128)) & 1 : (plo >> i) & 1;
        rem = (rem << 1) | bit; /* rem < 2c < 2^128 */
        q <<= 1;
        if (rem >= c) {
            rem -= c;
            q |= 1;
        }
    }
    return q > UINT64_MAX ? UINT64_MAX : (uint64_t)q;
}

uint64_t paper_cp_out(uint64_t reserve_in, uint64_t reserve_out, uint64_t amount_in,
                      uint32_t fee_bps)
{
    if (!reserve_in || !reserve_out || !amount_in || fee_bps >= 10000)
        return 0;
    unsigned __int128 in_fee = (unsigned __int128)amount_in * (10000 - fee_bps);
    unsigned __int128 den = (unsigned __int128)reserve_in * 10000 + in_fee;
    return mul_div_wide(in_fee, reserve_out, den); /* < reserve_out since in_fee < den */
}

static double per_token(uint64_t lamports, uint64_t raw, uint8_t decimals)
{
    return raw ? ((double)lamports / 1e9) / ((double)raw / pow(10, decimals)) : 0;
}

/* What a buy and a sell share: the amounts of the swap (sol_lamports,
 * token_raw), the DEX fee on the input amount `in`, the transaction fees
 * and the spot and average prices; the rest of *out is zero. */
static void fill_common(const struct paper_params *p, const struct paper_pool *pool, uint64_t sol,
                        uint64_t token_raw, uint64_t in, struct paper_fill *out)
{
    memset(out, 0, sizeof *out);
    out->sol_lamports = sol;
    out->token_raw = token_raw;
    out->dex_fee = (uint64_t)((unsigned __int128)in * p->dex_fee_bps / 10000);
    out->tip_lamports = p->tip_lamports;
    out->tx_fee_lamports = p->network_fee_lamports + p->priority_fee_lamports + p->tip_lamports;
    out->spot_price = per_token(pool->sol_reserve, pool->token_reserve, pool->decimals);
    out->avg_price = per_token(sol, token_raw, pool->decimals);
}

int paper_buy(const struct paper_params *p, const struct paper_pool *pool, uint64_t size_lamports,
              struct paper_fill *out)
{
    if (!size_lamports || !pool->sol_reserve || !pool->token_reserve || p->dex_fee_bps >= 10000)
        return WT_EINVAL;
    uint64_t tokens =
        paper_cp_out(pool->sol_reserve, pool->token_reserve, size_lamports, p->dex_fee_bps);
    if (!tokens)
        return WT_EINVAL;
    fill_common(p, pool, size_lamports, tokens, size_lamports, out);
    out->cost_lamports = size_lamports + out->tx_fee_lamports;
    out->effective_price = per_token(out->cost_lamports, tokens, pool->decimals);
    out->slippage = out->avg_price / out->spot_price - 1;
    return 0;
}

int paper_sell(const struct paper_params *p, const struct paper_pool *pool, uint64_t token_raw,
               struct paper_fill *out)
{
    if (!token_raw || !pool->sol_reserve || !pool->token_reserve || p->dex_fee_bps >= 10000)
        return WT_EINVAL;
    uint64_t sol = paper_cp_out(pool->token_reserve, pool->sol_reserve, token_raw, p->dex_fee_bps);
    fill_common(p, pool, sol, token_raw, token_raw, out);
    out->proceeds_lamports = (int64_t)sol - (int64_t)out->tx_fee_lamports;
    double net = (double)out->proceeds_lamports / 1e9;
    out->effective_price = net / ((double)token_raw / pow(10, pool->decimals));
    out->slippage = 1 - out->avg_price / out->spot_price;
    return 0;
}

void paper_delay_start(struct paper_delay *d, const struct paper_params *p, int64_t signal_ts_ms,
                       double signal_price)
{
    d->due_ms = signal_ts_ms + (p->latency_ms > 0 ? p->latency_ms : 0);
    d->price = signal_price;
    d->ready = p->latency_ms <= 0 && signal_price > 0;
}

bool paper_delay_observe(struct paper_delay *d, double price, int64_t ts_ms)
{
    if (d->ready)
        return true;
    if (ts_ms <= d->due_ms && isfinite(price) && price > 0)
        d->price = price;
    if (ts_ms >= d->due_ms && d->price > 0)
        d->ready = true;
    return d->ready;
}

bool paper_delay_tick(struct paper_delay *d, int64_t ts_ms)
{
    if (!d->ready && ts_ms >= d->due_ms && d->price > 0)
        d->ready = true;
    return d->ready;
}
