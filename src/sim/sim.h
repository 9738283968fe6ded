/* A deterministic simulator of a Solana memecoin market, with ground truth.
 *
 * Tokens launch on a pump.fun-style bonding curve (sim/curve.h) and the
 * best of them graduate to a constant-product pool on RAYDIUM or PUMP_AMM.
 * Each token has a hidden fate (rug, fizzle, runner, insider pump-and-dump)
 * that shapes the crowd's demand; wallets of hidden types (insider
 * clusters with their funders, skilled traders, fading wallets, snipers,
 * copy-traders, baiters, creators, retail) trade it with their own rules.
 * Every trade moves the price, every wallet is funded by SOL transfers
 * before it trades, and fees are paid. The output is what Helius would
 * deliver: enhanced-transaction JSON (one webhook body per transaction),
 * plus a truth file that says who is who and what each token really was.
 * docs/simulator.md describes the model and the formats.
 *
 * A run is a pure function of its scenario (seed included): the same
 * scenario gives the same bytes. A struct sim belongs to one thread.
 *
 * Streaming:
 *     struct sim *s; sim_new(&scenario, &s);
 *     struct sim_tx tx; struct buf json; buf_init(&json, 0);
 *     while (sim_next(s, &tx) == 1) {
 *         buf_reset(&json); sim_tx_json(s, &tx, &json);   // "[{...}]"
 *         post(json.data, tx.ts_ms);
 *     }
 *     sim_free(s);
 * Or all at once into a folder: sim_generate(). */
#ifndef WT_SIM_SIM_H
#define WT_SIM_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "event/event.h"
#include "sim/scenario.h"

enum sim_wallet_type {
    SIM_EXCHANGE, /* hot wallet that funds everyone; huge opening balance */
    SIM_FUNDER,   /* funds one insider cluster */
    SIM_INSIDER,
    SIM_SKILLED,
    SIM_FADING,
    SIM_SNIPER,
    SIM_COPY,
    SIM_BAITER,
    SIM_CREATOR,
    SIM_RETAIL,
    SIM_NTYPES
};

enum sim_fate { SIM_RUG, SIM_FIZZLE, SIM_RUNNER, SIM_PUMP_DUMP, SIM_NFATES };

enum sim_venue { SIM_PUMP_FUN, SIM_RAYDIUM, SIM_PUMP_AMM };

enum sim_tx_kind { SIM_TX_SWAP = 1, SIM_TX_TRANSFER = 2 };

/* Why a wallet traded (hidden; for tests and analysis). */
enum sim_reason {
    SIM_R_FUND,   /* a funding transfer */
    SIM_R_LAUNCH, /* the creator's buy at launch */
    SIM_R_SNIPE,
    SIM_R_INSIDER,
    SIM_R_ENTRY, /* a skilled or fading wallet's chosen entry */
    SIM_R_BAIT,
    SIM_R_COPY,
    SIM_R_CROWD, /* retail flow */
    SIM_R_EXIT,  /* a planned or managed exit */
    SIM_R_SWEEP, /* insider profits swept back to the funder */
};

/* One simulated transaction, as the market recorded it. All amounts are
 * base units. For a buy, sol is what the wallet paid in total (protocol
 * fee included, network fee not); for a sell, what it received. The
 * wallet's native balance changed by -(sol) - fee on a buy and +sol - fee
 * on a sell; by -(sol) - fee for the sender of a transfer. */
struct sim_tx {
    enum sim_tx_kind kind;
    struct signature sig;
    int64_t ts_ms;
    uint64_t slot;
    uint64_t fee;    /* network + priority fee, lamports, paid by `wallet` */
    uint32_t wallet; /* fee payer: the trader, or the sender of a transfer */
    uint32_t to;     /* transfer: the recipient */
    uint32_t token;  /* swap: the token */
    enum side side;
    enum sim_venue venue;
    enum sim_reason reason;
    uint64_t sol;            /* lamports (see above); transfer: amount */
    uint64_t tokens;         /* raw units (6 decimals) */
    uint64_t dex_fee;        /* curve: lamports to the fee account; pool: LP fee in input units */
    uint64_t reserve_sol;    /* after the trade: curve virtual SOL or pool SOL */
    uint64_t reserve_tokens; /* after the trade: curve virtual tokens or pool tokens */
    double price;            /* SOL per whole token after the trade */
    bool graduated;          /* this buy completed the curve */
};

struct sim_stats {
    uint64_t swaps;
    uint64_t transfers;
    uint64_t tokens; /* launched */
    uint64_t graduated;
    uint64_t skipped; /* intended trades that could not happen (no SOL, no liquidity) */
};

struct sim;

/* Checks the scenario and builds the market (wallets, clusters, launch
 * schedule). Returns 0 and *out, or WT_EINVAL with a message in err. */
int sim_new(const struct scenario *sc, struct sim **out, char *err, size_t errsize);
void sim_free(struct sim *s);

/* Advances to the next transaction in time order. Returns 1 and fills
 * *tx, or 0 when the simulated period is over. */
int sim_next(struct sim *s, struct sim_tx *tx);

/* Appends the Helius enhanced-transaction webhook body of tx ("[{...}]",
 * no newline) to out. Returns 0, or WT_EFULL when it would pass out's cap
 * (out's contents are then unchanged). Reserves about 16 KB in out. */
int sim_tx_json(const struct sim *s, const struct sim_tx *tx, struct buf *out);

/* Appends truth.json (see docs/simulator.md) as of now to out. Complete
 * once sim_next has returned 0. Returns 0 or WT_EFULL. */
int sim_truth_json(const struct sim *s, struct buf *out);

void sim_stats(const struct sim *s, struct sim_stats *out);
const struct scenario *sim_scenario(const struct sim *s);

/* Wallets and tokens by index; the strings live as long as s. */
uint32_t sim_wallet_count(const struct sim *s);
const char *sim_wallet_address(const struct sim *s, uint32_t w);
enum sim_wallet_type sim_wallet_type(const struct sim *s, uint32_t w);
uint32_t sim_token_count(const struct sim *s);
const char *sim_token_mint(const struct sim *s, uint32_t t);
enum sim_fate sim_token_fate(const struct sim *s, uint32_t t);

const char *sim_wallet_type_name(enum sim_wallet_type t);
const char *sim_fate_name(enum sim_fate f);
const char *sim_venue_name(enum sim_venue v);

/* Generates the whole scenario into dir (created if missing):
 * dir/transactions.ndjson (one webhook body per line, time order) and
 * dir/truth.json. Returns 0, WT_EINVAL (scenario), WT_EIO (files); on error
 * err holds the message. stats may be NULL. */
int sim_generate(const struct scenario *sc, const char *dir, struct sim_stats *stats, char *err,
                 size_t errsize);

#endif
