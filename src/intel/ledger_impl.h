/* Private to intel/ledger*.c: the ledger's types and the small helpers
 * its files share. Everyone else uses intel/ledger.h. The shape and the
 * invariants are described at the top of intel/ledger.c. */
#ifndef WT_INTEL_LEDGER_IMPL_H
#define WT_INTEL_LEDGER_IMPL_H

#include <math.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/intern.h"
#include "base/vec.h"
#include "intel/ledger.h"

__extension__ typedef unsigned __int128 u128;
__extension__ typedef __int128 i128;

#define LAMPORTS_PER_SOL 1000000000.0

/* One buy not yet sold, or a run of n identical ones (same qty, cost,
 * time and unknown flag, one after the other in the FIFO: a wallet that
 * repeats a buy). cost = quote lamports + the buy's fee share still
 * attached to qty, per lot. A sell consumes a run lot by lot, as it would
 * the separate lots (a whole lot costs its cost; a partial one, split off
 * the run's front first, muldiv of it), so the results are the same bit
 * for bit. Invariant: qty > 0 and n >= 1 while the lot is live (at or
 * after the position's head). */
struct lot {
    uint64_t qty;
    uint64_t cost;
    int64_t ts_ms;
    uint32_t unknown; /* the buy could not be valued: cost is only the fee */
    uint32_t n;       /* identical lots this one stands for */
};

/* The state of an open round trip of one (wallet, mint): its lots and
 * running sums. Kept apart from struct pos in a pool of slots, because few
 * positions are open at a time while closed ones pile up (a closed one
 * needs none of this). A slot and its lots buffer are reused by the next
 * trip that opens. Invariants: qty == sum of lots[head..len).qty;
 * head < len while the slot is in use (a trip stays open while it holds
 * lots); peak_qty >= qty. */
struct trip_state {
    u128 qty;
    u128 peak_qty;
    i128 trip_cost;
    i128 trip_proceeds;
    double trip_cost_usd;
    double trip_proceeds_usd;
    int64_t trip_open_ms;
    struct lot *lots;
    uint32_t head, len, cap;
    uint32_t next_free; /* free list link while unused */
    uint16_t n_buys, n_sells;
    uint8_t trip_usd, trip_unknown;
};

/* One (wallet, mint), open or closed: one cache line. Invariant: open ==
 * LEDGER_NONE exactly when no round trip is open (nothing held in lots). */
struct pos {
    u128 residual; /* dust left by a dust close; sold first at zero cost */
    int64_t first_buy_ms;
    double first_buy_price;
    double bought_sol; /* all buys of this mint, ever */
    uint32_t wallet, mint, next;
    uint32_t buy_rank;
    uint32_t open; /* index of its trip_state, or LEDGER_NONE */
};

/* A slot of the (wallet, mint) index: key (wallet << 32 | mint) + 1, 0 =
 * empty; key and value share a line so a lookup costs one miss. */
struct map_slot {
    uint64_t key;
    uint32_t val;
};

struct ledger {
    struct ledger_params p;
    struct intern wallet_ids;
    struct intern mint_ids;
    VEC(struct ledger_wallet) wallets;
    VEC(struct ledger_mint) mints;
    VEC(struct pos) pos;
    VEC(struct trip_state) open; /* slots of open trips; free ones chained */
    uint32_t open_free;          /* head of the free slots, LEDGER_NONE */
    uint32_t n_open;             /* slots in use */
    struct map_slot *map;
    uint32_t map_mask;
    struct pubkey wsol, usdc, usdt;
    char sources[LEDGER_SOURCE_MAX][EVENT_SOURCE_MAX];
    uint32_t n_sources;
    uint64_t n_applied;  /* swaps applied (debug builds count them) */
    uint64_t n_checked;  /* ledger_ok() runs asserted by debug_assert_ok */
    uint64_t n_parallel; /* batch flushes that ran on more than one thread */
    uint64_t n_direct;   /* ledger_apply calls (a batch's validation state is stale after one) */
};

static inline uint32_t map_hash(uint64_t k)
{
    return (uint32_t)((k * 0x9E3779B97F4A7C15ull) >> 32);
}

/* The first slot probed for (wallet, mint). */
static uint32_t map_slot_of(const struct ledger *l, uint32_t wallet, uint32_t mint)
{
    return map_hash(((uint64_t)wallet << 32 | mint) + 1) & l->map_mask;
}

static inline uint32_t map_find(const struct ledger *l, uint32_t wallet, uint32_t mint)
{
    uint64_t k = ((uint64_t)wallet << 32 | mint) + 1;
    for (uint32_t s = map_slot_of(l, wallet, mint);; s = (s + 1) & l->map_mask) {
        /* atomic: a parallel batch flush may be claiming other slots */
        uint64_t sk = __atomic_load_n(&l->map[s].key, __ATOMIC_RELAXED);
        if (sk == k)
            return l->map[s].val;
        if (!sk)
            return LEDGER_NONE;
    }
}

static inline double pow10_of(uint8_t d)
{
    static const double t[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9, 1e10,
                               1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20};
    return d <= 20 ? t[d] : pow(10.0, d);
}

static inline double ldsol(i128 lamports)
{
    return (double)((long double)lamports / 1e9L);
}

/* ---- shared by ledger.c (one swap at a time) and ledger_batch.c ---- */

/* Marks a position whose first buy waits for its rank (batch apply). */
#define LEDGER_PENDING (LEDGER_NONE - 1)

/* What a thread of a parallel batch flush allocates from (see
 * ledger_batch_flush): position and trip-state ids are taken from ranges
 * reserved before the threads start, the free trip-state slots are its
 * own list. NULL on the one-thread paths, which grow the vectors. */
struct worker {
    size_t *pos_len;  /* shared: next position id (atomic) */
    size_t *open_len; /* shared: next fresh trip_state id (atomic) */
    uint32_t open_free;
    int64_t n_open; /* slots taken minus slots returned */
};

/* A swap reduced to what the wallet's own part of an apply needs: ids,
 * lamports, the price and the flags that depend on the whole market (the
 * mint's launch slot, the source). norm_swap makes it in tape order;
 * apply_norm applies it to the wallet and its position. */
struct norm {
    int64_t ts_ms;
    uint64_t slot, qty, value, fee, sig8;
    double price, usd, rate;
    uint32_t wallet, mint;
    uint16_t flags; /* BONDING, FIRST_SLOT, USD_QUOTE, NO_VALUE */
    uint8_t side, source, decimals, leg;
};

/* Doubles the (wallet, mint) index. */
void ledger_map_grow(struct ledger *l);
/* Reduces ev (already validated) to its norm; called in tape order
 * (wid: the wallet's id, or LEDGER_NONE). */
void ledger_norm_swap(struct ledger *l, const struct swap_event *ev, uint32_t wid, struct norm *n);
/* Applies a norm to its wallet and position (see ledger.c). */
const struct ledger_fill *ledger_apply_norm(struct ledger *l, const struct norm *n,
                                            struct ledger_fill *scratch, uint32_t *defer_pos,
                                            struct worker *wk);
/* Debug builds: ledger_ok() each time the applied count passes a power of two. */
void ledger_debug_assert(struct ledger *l, uint64_t applied);

#endif
