/* Profiles from the store: every stored swap replayed into a fresh intel
 * state, and every wallet's profile (metrics, behaviour, score, decay)
 * written back as a wallets row, a performance snapshot and its trade
 * patterns.
 *
 * This is the batch path of wallet intelligence: `walltrack discover`, the
 * scheduled discovery run inside `serve`, and `walltrack sim evaluate` all
 * start here. `now` is always an argument (the latest event time when the
 * caller has nothing better), never the system clock, so a simulated
 * market of any date profiles the same way. The field mapping (which
 * metric goes to which column, the snapshot windows, top holdings) is in
 * docs/intelligence.md.
 *
 * A struct profile_state belongs to one thread; the store is thread-safe. */
#ifndef WT_INTEL_PROFILE_H
#define WT_INTEL_PROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/vec.h"
#include "intel/copier.h"
#include "intel/intel.h"
#include "store/store.h"

struct config;

struct profile_params {
    struct intel_params intel;
    struct copier_params copier; /* copier expectancy of every wallet */
    double whale_sol;            /* average trade size (SOL) from which the type is "whale" */
    bool snapshots;              /* append one wallet_performance_snapshots row per wallet */
    bool patterns;               /* replace trade_patterns with the detected patterns */
};

/* Intel defaults, whale_sol 10, snapshots and patterns on. */
void profile_params_default(struct profile_params *p);
/* The defaults with the metric minimums of the settings
 * (metrics_params_from_config). */
void profile_params_from_config(const struct config *cfg, struct profile_params *p);

/* The replayed market: the intel state plus what the ledger does not keep.
 * Plain data; read it, do not change it. */
struct profile_state {
    struct intel *in;
    struct intel_params params; /* what `in` was built with */
    VEC(double) launch_price;   /* by mint id: SOL price of its first swap seen */
    VEC(double) supply;         /* by mint id: whole tokens (tokens table), 0 unknown */
    size_t swaps;               /* applied */
    size_t rejected;            /* refused by the ledger (see ledger_apply) */
    int64_t first_ms, last_ms;  /* times of the first and last swap; 0 when none */
};

/* Replays every stored swap in (ts_ms, id) order into a new state. Swaps
 * the ledger refuses are counted, not fatal. Returns 0 and *out (free with
 * profile_state_free), or WT_ESTORE. Any thread; reads only. */
int profile_load(struct store *st, const struct intel_params *p, struct profile_state **out);
void profile_state_free(struct profile_state *ps);

/* The wallets row of a profile (address, metrics, behaviour, score; chain
 * "solana", type "trader" or "whale", status candidate, discovery ""). The
 * operator's fields are not the profile's business: store them with
 * store_wallet_upsert_profiles, which keeps them. */
void profile_wallet_row(const struct profile_state *ps, const struct intel_profile *pr,
                        const struct profile_params *p, int64_t now_ms, struct wallet *out);

/* The performance snapshot of a wallet at now_ms (PnL and trade counts over
 * round trips closed in the last 24 h / 7 d / 30 d, risk ratios, open
 * positions at last prices, the five largest as top_holdings JSON). */
void profile_snapshot_row(const struct profile_state *ps, const struct intel_profile *pr,
                          int64_t now_ms, struct wallet_snapshot_row *out);

struct profile_stats {
    size_t wallets;   /* rows written to wallets */
    size_t snapshots; /* rows appended to wallet_performance_snapshots */
    size_t patterns;  /* rows now in trade_patterns */
};

/* Computes every wallet's rows as of now_ms: rows[w] and, when snaps is
 * not NULL, snaps[w] for every wallet id w (arrays of
 * ledger_wallet_count), and appends the patterns to pl in wallet order.
 * The wallets are split over ps->params.ledger.batch_threads threads (0:
 * one per core; intel_wallet_parts); the rows are the same for any count. */
void profile_rows(const struct profile_state *ps, const struct profile_params *p, int64_t now_ms,
                  struct wallet *rows, struct wallet_snapshot_row *snaps, struct pattern_list *pl);

/* Computes every wallet's profile as of now_ms (profile_rows) and writes it: wallets
 * (upserted, operator fields kept), a snapshot per wallet and the trade
 * patterns (replaced whole), each table in one transaction. Returns 0,
 * WT_EINVAL, WT_ESTORE. */
int profile_write(struct store *st, const struct profile_state *ps, const struct profile_params *p,
                  int64_t now_ms, struct profile_stats *out);

/* One wallet's own history: its stored swaps replayed into an intel state
 * of its own (for the API's detail, trades and open positions). fills of
 * the wallet's ledger entry and swaps[] correspond one to one. The mints'
 * last prices are the wallet's own trades' until the caller looks up the
 * market's (store_swap_last_of_mint). */
struct wallet_history {
    struct intel *in;
    uint32_t wallet;               /* ledger id, LEDGER_NONE when no swap */
    VEC(struct stored_swap) swaps; /* applied swaps, in order */
};

/* Loads and replays every stored swap of `wallet`. Returns 0 (release *out
 * with wallet_history_release) or WT_ESTORE. Any thread. */
int profile_wallet_history(struct store *st, const struct pubkey *wallet,
                           struct wallet_history *out);
void wallet_history_release(struct wallet_history *h);

#endif
