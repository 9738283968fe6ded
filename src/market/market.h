/* What the engine knows about each token from the market it observes.
 *
 * The token factor of a signal (signal/signal.h) and the paper fill model
 * (trade/paper.h) need a token's age, price, liquidity, market cap and how
 * concentrated its holders are. When a price feed (DexScreener, Jupiter)
 * sends price events, those carry liquidity and market cap; without one
 * everything is implied from the swaps the engine observes:
 *
 *   * age: time since the pool was created when a feed reported it
 *     (price_event.pair_created_ms), else since the first swap (or price)
 *     seen of the mint;
 *   * price: the SOL price of the last swap or price event;
 *   * liquidity (SOL side of the pool): on a constant-product pool whose
 *     invariant k is known, the SOL reserve is sqrt(price * k). pump.fun's
 *     bonding curve starts from 30 SOL x 1,073,000,000 tokens of virtual
 *     reserves, so for PUMP_FUN swaps this is exact; a graduated pump.fun
 *     pool starts near 79 SOL x 206,900,000 tokens; other venues fall back
 *     to a configured reserve;
 *   * market cap: price x an assumed supply (1,000,000,000 whole tokens,
 *     the pump.fun standard) unless a feed reported one;
 *   * holder concentration: the Herfindahl index of the holdings of the
 *     wallets observed trading the mint (sum of squared shares: 1 when one
 *     wallet holds everything, 1/n for n equal holders), kept exactly
 *     incremental in 128-bit integers of raw units;
 *   * each wallet's first buy price of the mint ("move since the wallet's
 *     entry").
 *
 * Mints and wallets are dense ids given by the caller (the engine's intern
 * tables). Deterministic; not thread-safe: owned by the engine thread. */
#ifndef WT_MARKET_MARKET_H
#define WT_MARKET_MARKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "event/event.h"

struct market_params {
    double sol_usd;          /* converts USD liquidity and market caps (150) */
    double supply_tokens;    /* assumed supply in whole tokens (1e9) */
    double curve_k;          /* pump.fun curve invariant, SOL x whole tokens (30 x 1.073e9) */
    double pool_k;           /* graduated pump.fun pool invariant (79 x 2.069e8) */
    double default_pool_sol; /* SOL reserve when nothing better is known (30) */
};

void market_params_default(struct market_params *p);

enum market_liq_source {
    MARKET_LIQ_NONE = 0, /* no price yet */
    MARKET_LIQ_DEFAULT,  /* default_pool_sol */
    MARKET_LIQ_CURVE,    /* sqrt(price * curve_k): PUMP_FUN swaps */
    MARKET_LIQ_POOL,     /* sqrt(price * pool_k): RAYDIUM, PUMP_AMM swaps */
    MARKET_LIQ_REPORTED, /* a price event's liquidity_usd */
};

/* The state of one mint. Invariants: hold_sum >= 0; holders counts the
 * wallets with a positive holding; last_price_sol > 0 once anything priced
 * was seen. */
struct market_mint {
    bool seen;
    int64_t first_seen_ms;
    int64_t last_ts_ms;
    double first_price_sol;
    double last_price_sol;
    double peak_price_sol;
    double liquidity_sol; /* SOL side of the pool */
    enum market_liq_source liq_source;
    double reported_liq_usd; /* from the last price event that had one */
    double reported_mcap_usd;
    int64_t reported_ms; /* time of the newest price event with liquidity or market cap, 0 none */
    int64_t created_ms;  /* pool creation a feed reported, 0 unknown */
    uint8_t decimals;
    bool decimals_known;
    uint32_t holders;
    uint32_t buyers; /* wallets that bought it at least once */
    uint64_t swaps;
    unsigned __int128 hold_sum; /* raw units held by observed wallets */
    unsigned __int128 hold_sq;  /* sum of their squares (exact) */
};

struct market;

/* A market sized for about `mints` mints. Never NULL. */
struct market *market_new(const struct market_params *p, uint32_t mints);
void market_free(struct market *m);

/* Records a swap of mint `mint` by wallet `wallet` (dense ids). */
void market_on_swap(struct market *m, uint32_t mint, uint32_t wallet, const struct swap_event *ev);
/* A wallet's holding of a mint as the market keeps it. */
struct market_holding {
    uint64_t raw;
    double entry_price; /* its first buy price, 0 = none */
};
/* Applies one swap (its side, token amount and price) to a holding: the
 * rule market_on_swap uses. Returns whether the swap made the wallet one
 * of the mint's buyers (its first buy at a known price). */
bool market_holding_step(struct market_holding *h, enum side side, uint64_t token_amount,
                         double price_sol);
/* market_on_swap for a wallet whose holding the caller keeps (a backtest
 * plan, for wallets whose own holding is never read): before is its raw
 * holding before the swap and new_buyer what market_holding_step said.
 * The mint's state (prices, liquidity, holders, buyers, concentration) is
 * exactly market_on_swap's; the holding itself is not stored (that
 * wallet's market_entry_price and market_holding read 0). */
void market_on_swap_held(struct market *m, uint32_t mint, const struct swap_event *ev,
                         uint64_t before, bool new_buyer);
/* Records a price event (a feed's price, liquidity, market cap, pool
 * creation). A price event older than the last price known of the mint
 * (a feed's cached answer arriving after newer swaps) leaves the price
 * alone, and one older than the last report leaves liquidity and market
 * cap alone. Returns whether its price became the mint's last price. */
bool market_on_price(struct market *m, uint32_t mint, const struct price_event *ev);

/* The state of a mint, or NULL when it was never seen. Valid until the
 * next call that records something. */
const struct market_mint *market_mint(const struct market *m, uint32_t mint);
/* Age of the mint at now_ms: since the reported pool creation, else since
 * first seen. Sets *reported (may be NULL) to whether a feed gave it. */
int64_t market_age_ms(const struct market_mint *mm, int64_t now_ms, bool *reported);
/* Market cap in SOL: the reported one, else price x assumed supply. */
double market_mcap_sol(const struct market *m, const struct market_mint *mm);
/* Herfindahl index of the observed holdings in [0, 1]; 0 with no holder. */
double market_concentration(const struct market_mint *mm);
/* The first buy price (SOL per whole token) of wallet in mint, or 0 when
 * the wallet never bought it while observed. */
double market_entry_price(const struct market *m, uint32_t mint, uint32_t wallet);
/* The tokens (whole) wallet holds of mint as observed. */
double market_holding(const struct market *m, uint32_t mint, uint32_t wallet);

/* "none", "default", "curve", "pool", "reported". */
const char *market_liq_source_name(enum market_liq_source s);

#endif
