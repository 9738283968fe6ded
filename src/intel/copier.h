/* Copier expectancy (issue 19, item 2): what a follower would have made
 * copying a wallet's buys and sells with our latency, our size, our fees
 * and slippage against a pool, from the wallet's own history.
 *
 * The model (docs/metrics.md, "Copier expectancy"):
 *   * each buy of the wallet is copied with size_sol, at the market price
 *     latency_ms after it (the last swap of the mint at or before then, any
 *     wallet's), through a constant-product pool of pool_sol SOL at that
 *     price, dex_fee_bps on the input, tx_fee_sol per transaction;
 *   * each sell is copied as the same fraction of our tokens as it sold of
 *     its own holding (all of ours when its holding is unknown: tokens it
 *     never bought here), the same way;
 *   * what is still held at the end is sold the same way at the mint's
 *     last price (unrealized).
 * copier PnL = realized + unrealized; copier EV = copier PnL / copied buys
 * (SOL per copied buy). No performance figure of the wallet itself enters.
 *
 * The market's prices come from every wallet's kept fills (ledger
 * keep_fills): 16 bytes per swap. Pure functions over caller-owned data;
 * one thread per scratch. */
#ifndef WT_INTEL_COPIER_H
#define WT_INTEL_COPIER_H

#include <stddef.h>
#include <stdint.h>

#include "base/config.h"
#include "intel/ledger.h"

struct copier_params {
    double size_sol;      /* our buy size */
    int64_t latency_ms;   /* its swap to our fill */
    double pool_sol;      /* SOL reserve of the pool we trade against */
    uint32_t dex_fee_bps; /* on each swap's input */
    double tx_fee_sol;    /* network + priority fee per transaction */
};

/* size 0.2 SOL (10 SOL x 2 %), latency 2,000 ms, pool 30 SOL, fee 25 bps,
 * tx fee 0.000105 SOL: the defaults of the settings below. */
void copier_params_default(struct copier_params *p);
/* size = trade.paper_capital_sol x trade.risk_per_trade; latency
 * paper.latency_ms; fees paper.dex_fee_bps, paper.network_fee_lamports +
 * paper.priority_fee_lamports; pool copier.pool_sol. */
void copier_params_from_config(const struct config *cfg, struct copier_params *p);

/* Per-mint price timelines of a ledger's kept fills. */
struct copier_market;
struct copier_market *copier_market_build(const struct ledger *l);
void copier_market_free(struct copier_market *m);
/* The last price of mint at or before ts_ms; 0 when none. */
double copier_market_price(const struct copier_market *m, uint32_t mint, int64_t ts_ms);

struct copier_result {
    uint32_t buys;         /* copied buys (with a price) */
    uint32_t sells;        /* copied sells (with tokens to sell) */
    double spent_sol;      /* SOL paid for the copied buys, fees included */
    double realized_sol;   /* from the copied sells */
    double unrealized_sol; /* what is held, sold at the last price */
    double pnl_sol;        /* realized + unrealized */
    double ev_sol;         /* pnl / buys; 0 without buys */
};

/* Scratch sized for a ledger's mints, reusable across wallets. */
struct copier_scratch;
struct copier_scratch *copier_scratch_new(const struct ledger *l);
void copier_scratch_free(struct copier_scratch *s);

/* Copies one wallet's kept fills. */
void copier_wallet(const struct copier_params *p, const struct copier_market *m,
                   const struct ledger *l, uint32_t wallet, struct copier_scratch *s,
                   struct copier_result *out);

/* The same, copying only the buys at or after from_ms (the wallet's
 * earlier fills still count for the share of its holding a sell is): the
 * label of the learned score (copier expectancy after a time t). */
void copier_wallet_since(const struct copier_params *p, const struct copier_market *m,
                         const struct ledger *l, uint32_t wallet, int64_t from_ms,
                         struct copier_scratch *s, struct copier_result *out);

#endif
