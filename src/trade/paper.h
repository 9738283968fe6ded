/* The paper fill model: what a swap would have given, without sending it.
 *
 * The pool is modelled as constant product (x * y = k) around the current
 * price: given the SOL reserve (from the pair's liquidity) and the price,
 * the token reserve follows, and a trade of size dx gets
 *
 *     dy = y * dx * (10000 - fee_bps) / (x * 10000 + dx * (10000 - fee_bps))
 *
 * in integers (the DEX fee is taken from the input, as on Raydium AMM v4 and
 * Uniswap v2), rounded down like the chain does. Network and priority fees
 * are lamports added to a buy's cost and taken from a sale's proceeds; so
 * is the Jito tip, charged only on a transaction that succeeds (the tip is a
 * transfer inside the transaction, reverted with the rest when it fails).
 * Latency: the fill uses the price prevailing latency_ms after the signal
 * (paper_delay below), never the signal's own price.
 * Failures: a fraction fail_rate of transactions fail on chain (slippage
 * exceeded, stale state, expired blockhash). A failed transaction still pays
 * its base and priority fees (Solana charges them whether the transaction
 * succeeds or fails; solana.com/docs/core/fees/fee-structure) and moves no
 * tokens. Which ones fail is drawn from the order id (paper_fails), so a
 * replay fails the same orders.
 *
 * Pure functions; any thread. */
#ifndef WT_TRADE_PAPER_H
#define WT_TRADE_PAPER_H

#include <stdbool.h>
#include <stdint.h>

/* Invariants: dex_fee_bps < 10000; latency_ms >= 0; 0 <= fail_rate <= 1. */
struct paper_params {
    uint32_t dex_fee_bps;           /* 25 = 0.25% (Raydium AMM v4) */
    uint64_t network_fee_lamports;  /* base signature fee, 5000 */
    uint64_t priority_fee_lamports; /* compute-unit price x limit, 100000 */
    uint64_t tip_lamports;          /* Jito tip per successful transaction, 0 */
    double fail_rate;               /* fraction of transactions that fail, 0.05 */
    int64_t latency_ms;             /* signal to fill, 2000 */
    int64_t latency_max_ms;         /* > latency_ms: a range (below); else 0 */
};

/* One slot of the chain, the unit of a latency range. */
#define PAPER_SLOT_MS 400

void paper_params_default(struct paper_params *p);

/* Whether the transaction of order `order_id` fails: a hash of the id
 * (splitmix64) mapped to [0, 1) and compared with fail_rate. Same answer
 * for the same id and rate on every run; no clock, no rand(). */
bool paper_fails(const struct paper_params *p, uint64_t order_id);
/* What a failed transaction costs: base + priority fee (no tip). */
uint64_t paper_failed_fee(const struct paper_params *p);
/* The latency of order `order_id`: latency_ms, or when latency_max_ms is
 * larger, latency_ms plus a whole number of 400 ms slots drawn uniformly
 * from the order id so that it stays <= latency_max_ms (e.g. 400..1200:
 * 1, 2 or 3 slots). Same answer for the same id on every run. */
int64_t paper_order_latency_ms(const struct paper_params *p, uint64_t order_id);

/* A constant-product pool. Invariant: both reserves > 0. */
struct paper_pool {
    uint64_t sol_reserve;   /* lamports */
    uint64_t token_reserve; /* raw units */
    uint8_t decimals;
};

/* The pool whose spot price is price_sol (SOL per whole token) with this
 * SOL reserve: token_reserve = sol_reserve / price, in raw units. The
 * price is a double, so this one step rounds; every amount after it is
 * exact. Returns 0 or WT_EINVAL (price not positive, reserve 0, or a token
 * reserve that rounds to 0 or past u64). */
int paper_pool_from_price(uint64_t sol_reserve_lamports, double price_sol, uint8_t decimals,
                          struct paper_pool *out);
/* Same from DexScreener's two-sided liquidity in USD: the SOL side is half
 * of it at sol_usd. */
int paper_pool_from_liquidity_usd(double liquidity_usd, double sol_usd, double price_sol,
                                  uint8_t decimals, struct paper_pool *out);

/* Exact constant-product output for amount_in against (reserve_in,
 * reserve_out) with the fee on the input, rounded down. 0 when any
 * argument is 0. */
uint64_t paper_cp_out(uint64_t reserve_in, uint64_t reserve_out, uint64_t amount_in,
                      uint32_t fee_bps);

/* One simulated fill.
 * Buy: sol_lamports went into the pool, token_raw came out, cost_lamports =
 * sol + network + priority fees + tip (tx_fee_lamports is the three; the
 * tip is also given apart in tip_lamports). Sell: token_raw went in, sol_lamports came
 * out, proceeds_lamports = sol - fees (negative when the fees exceed it).
 * avg_price is SOL per whole token of the swap itself (DEX fee and impact
 * included); effective_price also includes the network and priority fees;
 * slippage is how much worse avg_price is than the spot price, as a
 * fraction (>= 0). */
struct paper_fill {
    uint64_t sol_lamports;
    uint64_t token_raw;
    uint64_t dex_fee;          /* in input units: lamports for a buy, raw tokens for a sell */
    uint64_t tx_fee_lamports;  /* network + priority + tip */
    uint64_t tip_lamports;     /* the tip's part of tx_fee_lamports */
    uint64_t cost_lamports;    /* buy only */
    int64_t proceeds_lamports; /* sell only */
    double spot_price, avg_price, effective_price, slippage;
};

/* Buys with size_lamports. Returns 0, or WT_EINVAL (size 0, empty pool, or
 * an output of 0 tokens). */
int paper_buy(const struct paper_params *p, const struct paper_pool *pool, uint64_t size_lamports,
              struct paper_fill *out);
/* Sells token_raw. Returns 0 or WT_EINVAL (amount 0, empty pool). */
int paper_sell(const struct paper_params *p, const struct paper_pool *pool, uint64_t token_raw,
               struct paper_fill *out);

/* The latency model. The engine starts one per paper order at the signal,
 * feeds it the prices it observes for that mint and its timer ticks; once
 * ready, `price` is the last price observed at or before due_ms (the
 * signal's price if none came), whatever time the ready event carries.
 * Invariant: ready implies price > 0. */
struct paper_delay {
    int64_t due_ms;
    double price;
    bool ready;
};

void paper_delay_start(struct paper_delay *d, const struct paper_params *p, int64_t signal_ts_ms,
                       double signal_price);
/* A price observation at ts_ms (non-decreasing). Returns true once ready. */
bool paper_delay_observe(struct paper_delay *d, double price, int64_t ts_ms);
/* A timer tick at ts_ms. Returns true once ready. */
bool paper_delay_tick(struct paper_delay *d, int64_t ts_ms);

#endif
