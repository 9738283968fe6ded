/* Per-wallet, per-token ledgers: FIFO lots, round trips and PnL.
 *
 * The ledger turns the ordered stream of observed swaps (event/event.h)
 * into positions made of FIFO lots, realized PnL on every sell, round trips
 * (a position opened from flat and closed back to flat or dust) and the
 * unknown-cost-basis bucket for tokens sold that were bought before our
 * history began. Wallets and mints are interned to dense u32 ids; all state
 * lives in arrays indexed by those ids. docs/metrics.md states every rule.
 *
 * Amounts: token quantities stay raw integers (128-bit inside positions so
 * sums of u64 amounts never overflow); SOL values are lamports in 128-bit
 * integers inside the ledger and doubles of SOL in the records it hands
 * out (fills, trips), which is what the metrics work on.
 *
 * Not thread-safe: one ledger belongs to one thread (the engine). */
#ifndef WT_INTEL_LEDGER_H
#define WT_INTEL_LEDGER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/vec.h"
#include "event/event.h"

#define LEDGER_NONE       UINT32_MAX
#define LEDGER_SOURCE_MAX 16 /* distinct DEX sources tracked by id; more share id 15 */

struct ledger_params {
    /* A round trip closes when, after a sell, the remaining quantity is 0,
     * or at most dust_frac of the largest quantity held during the trip,
     * or worth at most dust_lamports at that sell's price. */
    double dust_frac;
    uint64_t dust_lamports;
    /* SOL/USD rate used for stablecoin legs when the event itself carries
     * no price_usd/price_sol pair; 0 = unknown (such legs are unvalued). */
    double sol_usd;
    bool keep_fills; /* keep every fill per wallet (patterns need them) */
    /* Keep every lot apart instead of one per run of identical buys
     * (struct lot): the same results, more memory; for tests. */
    bool separate_lots;
    /* Threads of a batch flush (ledger_batch_flush): wallets are
     * independent, so their parts run on this many threads (at most 16,
     * and one per 256 pending swaps; 0 = one per online core, 1 = the
     * caller's thread only). Same state, bit for bit, for any value. */
    unsigned batch_threads;
};

/* Defaults: dust_frac 0.001, dust_lamports 1,000,000 (0.001 SOL), sol_usd 0,
 * keep_fills true, batch_threads 0 (one per core). */
void ledger_params_default(struct ledger_params *p);

enum ledger_fill_flag {
    LEDGER_FILL_UNKNOWN_BASIS = 1 << 0, /* part of this sell had no lots */
    LEDGER_FILL_FIRST_BUY = 1 << 1,     /* the wallet's first buy of this mint */
    LEDGER_FILL_FIRST_SLOT = 1 << 2,    /* in the mint's launch (first seen) slot */
    LEDGER_FILL_BONDING = 1 << 3,       /* source is PUMP_FUN (bonding curve) */
    LEDGER_FILL_USD_QUOTE = 1 << 4,     /* quote leg was USDC or USDT */
    LEDGER_FILL_NO_VALUE = 1 << 5,      /* quote leg could not be valued in SOL */
    LEDGER_FILL_CLOSED = 1 << 6,        /* this sell closed a round trip (see trip) */
    LEDGER_FILL_FEE_SHARED = 1 << 7,    /* second leg of a tx: its fee was charged once */
    LEDGER_FILL_OPENED = 1 << 8,        /* this buy opened a round trip */
};

/* One applied swap, normalised to ids and SOL. Plain data: a store can
 * persist it and an API can print it. `trip` indexes the wallet's trips
 * when LEDGER_FILL_CLOSED is set, else LEDGER_NONE. */
struct ledger_fill {
    int64_t ts_ms;
    uint64_t slot;
    uint64_t qty;        /* raw token units */
    double value_sol;    /* quote leg in SOL (0 when unknown) */
    double fee_sol;      /* fee charged to this leg */
    double price_sol;    /* SOL per whole token (value / tokens when not given) */
    double realized_sol; /* sells: net proceeds - FIFO cost of the known-basis part */
    double basis_sol;    /* sells: FIFO cost consumed (incl. dust written off) */
    uint32_t wallet;
    uint32_t mint;
    uint32_t trip;
    uint32_t buy_rank; /* first buys: 0-based rank among the mint's buyers */
    uint16_t flags;
    uint8_t side; /* enum side */
    uint8_t source;
};

enum ledger_trip_flag {
    LEDGER_TRIP_USD = 1 << 0,           /* every leg had a USD value */
    LEDGER_TRIP_UNKNOWN_BASIS = 1 << 1, /* consumed lots of unknown cost: no stats */
    LEDGER_TRIP_DUST = 1 << 2,          /* closed by the dust rule, remainder written off */
};

/* A closed round trip: one trade for statistics. pnl_sol = proceeds_sol -
 * cost_sol; cost includes the buys' fees and proceeds are net of the
 * sells' fees. Invariant: open_ms <= close_ms; n_buys, n_sells >= 1. */
struct ledger_trip {
    int64_t open_ms;
    int64_t close_ms;
    double cost_sol;
    double proceeds_sol;
    double pnl_sol;
    double cost_usd; /* valid with LEDGER_TRIP_USD */
    double pnl_usd;
    uint32_t wallet;
    uint32_t mint;
    uint16_t n_buys;
    uint16_t n_sells;
    uint32_t flags;
};

/* Per-wallet totals. Read-only for callers; valid until the next apply. */
struct ledger_wallet {
    uint32_t first_pos; /* head of the wallet's position list, LEDGER_NONE if none */
    uint32_t n_pos;
    uint32_t n_swaps;
    uint32_t n_buys;
    uint32_t n_sells;
    uint32_t n_unknown_sells; /* sells (partly) without lots */
    int64_t first_ms;
    int64_t last_ms;
    uint64_t last_sig;           /* first 8 bytes of the last signature (fee dedupe) */
    double realized_sol;         /* every known-basis sell, dust write-offs, residual sells */
    double unknown_proceeds_sol; /* proceeds of the unknown-basis parts */
    double buy_volume_sol;
    double sell_volume_sol;
    double fees_sol;
    VEC(struct ledger_trip) trips; /* in close order */
    VEC(struct ledger_fill) fills; /* in apply order, when keep_fills */
    VEC(uint32_t) pos_ids;         /* its positions in creation order (ledger_pos_at) */
};

/* Per-mint market facts seen by the ledger (all wallets). */
struct ledger_mint {
    int64_t launch_ms; /* first swap seen, or set by ledger_set_launch */
    uint64_t launch_slot;
    int64_t peak_ms; /* time of the highest price seen */
    double peak_price_sol;
    double last_price_sol;
    int64_t last_price_ms; /* when last_price_sol was seen (swap or price event) */
    double last_price_usd;
    double mcap_usd;   /* last known market cap (price events), 0 unknown */
    uint32_t n_buyers; /* distinct wallets that bought it */
    uint8_t decimals;
};

/* An open position as callers see it. */
struct ledger_position {
    uint32_t mint;
    double qty_tokens; /* whole tokens held (lots only, dust residue excluded) */
    double cost_sol;   /* remaining FIFO cost of the held lots */
    double value_sol;  /* at the mint's last price */
    double unrealized_sol;
    int64_t first_buy_ms;
    double first_buy_price_sol;
    uint32_t buy_rank;
    double bought_sol; /* all buys of this mint, ever (SOL) */
    bool open;
    bool unknown_cost; /* some held lots have no known cost */
};

struct ledger;

/* Creates an empty ledger sized for about `wallets` wallets. Never NULL.
 * Free with ledger_free. */
struct ledger *ledger_new(const struct ledger_params *p, uint32_t wallets);
void ledger_free(struct ledger *l);

/* Applies one swap. Events of one wallet must come in time order; an
 * earlier timestamp than that wallet's last gives WT_ESTATE. Returns 0,
 * WT_EINVAL (zero amount, bad side) or WT_ESTATE; on error nothing changes.
 * When out is not NULL it receives the normalised fill. */
int ledger_apply(struct ledger *l, const struct swap_event *ev, struct ledger_fill *out);

/* The market-wide part of ledger_apply only, for a wallet whose own
 * profile is never read from this ledger (a backtest's unwatched wallets)
 * and whose swaps the caller follows itself: first_buy says whether this
 * is the wallet's first buy of the mint (a backtest plan computes it once
 * over the tape). The mint's facts (launch, decimals, last and peak
 * prices, sources) and its buyer count are exactly what ledger_apply
 * would leave, so every other wallet's view (buy ranks, percentiles,
 * peaks, marks) is the same; the wallet itself is not kept at all (not
 * interned, no fills, positions or round trips) and must not be applied
 * in the same ledger. The caller feeds swaps in time order. Returns 0 or
 * WT_EINVAL (zero amount, bad side; nothing changes). */
int ledger_observe(struct ledger *l, const struct swap_event *ev, bool first_buy);

/* Sets the SOL/USD rate for stablecoin legs without a price pair. */
void ledger_set_sol_usd(struct ledger *l, double sol_usd);
/* Records a price observation (mark price, market cap). */
void ledger_note_price(struct ledger *l, const struct price_event *ev);
/* Overrides a mint's launch time and slot (from token info). The mint is
 * interned if new. */
void ledger_set_launch(struct ledger *l, const struct pubkey *mint, int64_t ts_ms, uint64_t slot);

/* Counts and lookups. Ids are dense in [0, count). */
uint32_t ledger_wallet_count(const struct ledger *l);
uint32_t ledger_mint_count(const struct ledger *l);
uint32_t ledger_wallet_id(const struct ledger *l, const struct pubkey *wallet); /* or NONE */
uint32_t ledger_mint_id(const struct ledger *l, const struct pubkey *mint);     /* or NONE */
const uint8_t *ledger_wallet_key(const struct ledger *l, uint32_t wallet);
const uint8_t *ledger_mint_key(const struct ledger *l, uint32_t mint);
const struct ledger_wallet *ledger_wallet(const struct ledger *l, uint32_t wallet);
const struct ledger_mint *ledger_mint(const struct ledger *l, uint32_t mint);
/* Name of a source id ("PUMP_FUN", ...); "" when unknown. */
const char *ledger_source_name(const struct ledger *l, uint8_t source);

/* Iterates a wallet's positions (open and closed): pass LEDGER_NONE first,
 * then the returned cursor; returns LEDGER_NONE at the end. */
uint32_t ledger_pos_next(const struct ledger *l, uint32_t wallet, uint32_t cursor,
                         struct ledger_position *out);
/* The wallet's i-th position in ledger_pos_next's order (0 = the newest,
 * i < ledger_wallet(l, wallet)->n_pos), the same view. For a walk over all
 * of them, in order of i: it reads ahead (positions and their mints),
 * where ledger_pos_next waits for each position's line in turn. */
void ledger_pos_at(const struct ledger *l, uint32_t wallet, uint32_t i,
                   struct ledger_position *out);
/* Sum of unrealized PnL (SOL) over the wallet's open positions at each
 * mint's last price. */
double ledger_unrealized_sol(const struct ledger *l, uint32_t wallet);

/* Batch apply: the same result as ledger_apply on every swap in the order
 * added, computed wallet by wallet so each wallet's state stays in cache
 * (a full recompute from a stored tape). ledger_batch_add does the
 * market-wide part at once (validation, interning, the mint's launch and
 * prices) and keeps the rest; ledger_batch_flush applies what is pending
 * grouped by wallet, in tape order within each. Until the flush returns,
 * the pending swaps are missing from wallets, positions and fills, and
 * their first buys have no rank; flush before ledger_apply,
 * ledger_note_price or ledger_set_launch on the same ledger. Engine
 * thread, like the ledger. */
struct ledger_batch;

/* Never NULL; free with ledger_batch_free (pending swaps are dropped). */
struct ledger_batch *ledger_batch_new(struct ledger *l);
void ledger_batch_free(struct ledger_batch *b);
/* Accepts one swap; returns what ledger_apply would (0, WT_EINVAL,
 * WT_ESTATE; on error nothing changes). *price, when not NULL, receives
 * the fill's price_sol. */
int ledger_batch_add(struct ledger_batch *b, const struct swap_event *ev, double *price);
size_t ledger_batch_pending(const struct ledger_batch *b);
/* Applies the pending swaps. on_fill, when not NULL, is called with each
 * fill wallet by wallet, in order within a wallet, as ledger_apply hands
 * it out except that first buys carry buy_rank LEDGER_NONE (the ranks are
 * set in the position and the kept fill before the flush returns); the
 * mint facts it may read are those after every pending swap (see
 * ledger_batch_flush_start for one that runs while swaps are added). With
 * batch_threads > 1 the wallets are split into ranges applied on that many
 * threads at once: on_fill is then called concurrently for fills of
 * different wallets (never two of one wallet), so it may only write state
 * of the fill's wallet, and must not grow what other calls read; the
 * ledger's own state is the same as on one thread. */
void ledger_batch_flush(struct ledger_batch *b,
                        void (*on_fill)(void *ctx, const struct ledger_fill *f), void *ctx);

/* Starts applying the pending swaps on a thread of its own and returns at
 * once (after waiting for one started before): the caller goes on adding
 * swaps while they are applied. Until ledger_batch_wait (or a flush, or
 * ledger_batch_free) returns, on_fill runs on that thread (and its
 * helpers, see batch_threads) and may read of the mints only launch_ms;
 * nothing but ledger_batch_add may touch the ledger, and nothing the
 * callback writes may be read or moved by the adding thread. Same result
 * as ledger_batch_flush, which it is when batch_threads resolves to 1. */
void ledger_batch_flush_start(struct ledger_batch *b,
                              void (*on_fill)(void *ctx, const struct ledger_fill *f), void *ctx);
/* Waits for a flush started by ledger_batch_flush_start; no-op when none
 * runs. */
void ledger_batch_wait(struct ledger_batch *b);

/* Bytes used: fixed per-wallet state, positions (without lots), lots,
 * trips and fills. For the memory budget in docs/performance.md. */
struct ledger_mem {
    size_t wallet_bytes;
    size_t pos_bytes;
    size_t lot_bytes;
    size_t trip_bytes;
    size_t fill_bytes;
    size_t mint_bytes;
};
void ledger_mem_usage(const struct ledger *l, struct ledger_mem *out);

/* Verifies the invariants (every position's quantity equals the sum of its
 * lots, lot costs, the hash index). For assert(); O(size). Returns true when
 * they hold. Debug builds assert it as swaps are applied (below). */
bool ledger_ok(const struct ledger *l);
/* How many times ledger_apply and ledger_batch_flush asserted ledger_ok
 * (debug builds: each time the applied-swap count passes a power of two;
 * always 0 under NDEBUG). */
uint64_t ledger_debug_checks(const struct ledger *l);
/* How many batch flushes ran on more than one thread (tests check that the
 * parallel path ran). */
uint64_t ledger_parallel_flushes(const struct ledger *l);

#endif
