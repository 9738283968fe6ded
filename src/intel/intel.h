/* Wallet intelligence: the ledger plus every wallet's running metrics,
 * behaviour and decay state, and the profile built from them.
 *
 * This is what the engine holds. intel_apply is the one incremental entry
 * point (O(1) amortised per swap); intel_profile builds a wallet's full
 * profile (metrics, timing, behaviour, score, decay reasons) on demand in
 * O(its positions + round trips). A store persists the plain structs
 * (ledger fills and trips, struct intel_profile); an API prints them.
 *
 * Not thread-safe: owned by the engine thread. */
#ifndef WT_INTEL_INTEL_H
#define WT_INTEL_INTEL_H

#include <stdint.h>

#include "intel/behaviour.h"
#include "intel/ledger.h"
#include "intel/metrics.h"
#include "intel/patterns.h"
#include "intel/score.h"

struct intel_params {
    struct ledger_params ledger;
    struct metrics_params metrics;
    struct behaviour_params behaviour;
    struct score_params score;
    struct patterns_params patterns;
};

void intel_params_default(struct intel_params *p);

/* Running state of one wallet besides its ledger. Plain data. */
struct intel_wallet {
    struct metrics_acc metrics;
    struct behaviour_acc behaviour;
    struct score_decay decay;
};

#define INTEL_TOP_TOKENS 3
#define INTEL_REASON_MAX 320

struct intel_profile {
    uint32_t wallet;
    struct metrics metrics; /* all time */
    struct metrics_timing timing;
    struct behaviour behaviour;
    struct score score;
    struct score_decay decay;
    double realized_sol;         /* ledger: every known-basis sell, partial and leftover */
    double unrealized_sol;       /* open positions (known cost) at their mints' last prices */
    int64_t unrealized_as_of_ms; /* oldest of those last prices' times; 0 when none open */
    uint32_t open_positions;     /* open positions marked (known cost, tokens held) */
    double total_pnl_sol;        /* realized + unrealized */
    double spent_sol;            /* SOL paid for valued buys (quote legs, fees excluded) */
    double roi;                  /* total_pnl_sol / spent_sol; 0 when nothing spent */
    uint32_t swaps;
    uint32_t unknown_basis_sells;
    int64_t first_seen_ms, last_trade_ms;
    uint32_t top_tokens[INTEL_TOP_TOKENS]; /* by SOL bought; LEDGER_NONE pads */
    const char *top_source;                /* most used DEX for first buys */
    char decay_reason[INTEL_REASON_MAX];   /* "" when not flagged nor downgraded */
};

struct intel;

/* Creates an empty instance. Never NULL; free with intel_free. */
struct intel *intel_new(const struct intel_params *p, uint32_t wallets);
void intel_free(struct intel *in);

/* Applies one swap (see ledger_apply for order and errors) and updates the
 * wallet's running state. Returns 0 or the ledger's error. */
int intel_apply(struct intel *in, const struct swap_event *ev);

/* The market-wide part of a swap only (ledger_observe, see there), for a
 * wallet whose profile is never read from this instance: its running
 * state is not kept. Returns 0 or the ledger's error. */
int intel_observe(struct intel *in, const struct swap_event *ev, bool first_buy);

/* Batch apply for a full recompute: the same state as intel_apply on each
 * swap in the order added, bit for bit, computed wallet by wallet (see
 * ledger_batch_*). intel_batch_add returns what intel_apply would and,
 * when price is not NULL, the fill's price_sol; pending swaps are applied
 * every so many adds, by intel_batch_flush, and by intel_batch_free (so a
 * batch must be freed or flushed before the state is read, and before
 * intel_apply or price and launch notes on the same ledger). Never NULL.
 * Same thread as the intel state. */
struct intel_batch;
struct intel_batch *intel_batch_new(struct intel *in);
int intel_batch_add(struct intel_batch *b, const struct swap_event *ev, double *price);
void intel_batch_flush(struct intel_batch *b);
/* Flushes every `swaps` adds (default 1 M; tests use small chunks). Each
 * such flush runs in the background while the next swaps are added. */
void intel_batch_set_chunk(struct intel_batch *b, size_t swaps);
void intel_batch_free(struct intel_batch *b);

/* Applies n swaps through a batch; returns how many were refused. */
size_t intel_recompute(struct intel *in, const struct swap_event *ev, size_t n);

struct ledger *intel_ledger(struct intel *in);
const struct intel_wallet *intel_wallet(const struct intel *in, uint32_t wallet);

/* Builds the profile of a wallet as of now_ms (decay downgrades expire by
 * now_ms). */
void intel_profile(const struct intel *in, uint32_t wallet, int64_t now_ms,
                   struct intel_profile *out);
/* intel_profile without what scoring does not need (top_tokens stay
 * LEDGER_NONE, decay_reason ""): the same score, metrics, timing, decay
 * and marks, cheaper (the engine rebuilds its watched wallets' scores on
 * their buys). */
void intel_score(const struct intel *in, uint32_t wallet, int64_t now_ms,
                 struct intel_profile *out);
/* The hold times of one wallet's known-basis round trips, sorted, as of
 * its first `trips` round trips: what intel_score_holds keeps between the
 * rebuilds of that wallet's score instead of a selection over all its
 * round trips each time. Start zeroed; free with intel_holds_free. */
struct intel_holds {
    VEC(int64_t) sorted;
    size_t trips;
};
/* intel_score, the median hold taken from *h, which first takes in the
 * round trips closed since the last call (one wallet per h). */
void intel_score_holds(const struct intel *in, uint32_t wallet, int64_t now_ms,
                       struct intel_holds *h, struct intel_profile *out);
void intel_holds_free(struct intel_holds *h);

/* Detects the wallet's patterns (needs keep_fills); appends to out. */
size_t intel_patterns(const struct intel *in, uint32_t wallet, struct pattern_list *out);

/* Splits the wallets [0, ledger_wallet_count) into `parts` ranges of whole
 * wallets with about equal swaps each (parts clamped to [1, PAR_MAX]) and
 * calls fn(ctx, part, w0, w1) for each part on a thread of its own
 * (base/par.h; part 0 on the caller's). fn may read the intel state
 * (profiles, patterns: they only read) and write its own part's output;
 * nothing may change the state meanwhile. For full profile runs. */
void intel_wallet_parts(const struct intel *in, unsigned parts,
                        void (*fn)(void *ctx, unsigned part, uint32_t w0, uint32_t w1), void *ctx);

#endif
