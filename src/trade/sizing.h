/* Position sizing: how much SOL one signal may spend, or why none.
 *
 * The table of the product (seeds, "Position Sizing Logic"): base size =
 * capital x risk per trade; a score >= high_score (0.85) buys 1.5x base, a
 * score >= threshold (0.70) buys 1x, below the threshold there is no trade.
 * The size is halved while the size-reduction breaker is active, then
 * capped by the room left under the per-token exposure cap and by the
 * available capital. The checks run in a fixed order, so the reason given
 * for "no trade" is deterministic: invalid score, below threshold, maximum
 * concurrent positions, token exposure cap, no capital, below the minimum
 * order. Pure functions, any thread. */
#ifndef WT_TRADE_SIZING_H
#define WT_TRADE_SIZING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Invariants (sizing_params_validate): 0 < risk_per_trade <= 1;
 * 0 <= threshold <= high_score <= 1; high_multiplier >= 1;
 * 0 < reduced_factor <= 1; max_positions >= 1. */
struct sizing_params {
    double risk_per_trade;                /* fraction of capital for a 1x trade (0.02) */
    double threshold;                     /* minimum score to trade (0.70) */
    double high_score;                    /* score from which high_multiplier applies (0.85) */
    double high_multiplier;               /* 1.5 */
    double reduced_factor;                /* applied while the size-reduction breaker is on (0.5) */
    uint32_t max_positions;               /* concurrent open positions (10) */
    uint64_t max_token_exposure_lamports; /* per token, 0 = no cap (0.5 SOL) */
    uint64_t min_order_lamports;          /* smaller orders are refused (0.001 SOL) */
};

/* The defaults in the comments above. */
void sizing_params_default(struct sizing_params *p);
/* Returns 0 or WT_EINVAL with a message naming the parameter in err. */
int sizing_params_validate(const struct sizing_params *p, char *err, size_t errsize);

/* What the engine knows when a signal arrives. */
struct sizing_input {
    double score;                     /* in [0, 1] */
    uint64_t capital_lamports;        /* equity the risk fraction applies to */
    uint64_t available_lamports;      /* free SOL (capital not in positions, minus fee reserve) */
    uint32_t open_positions;          /* currently open, this mode */
    uint64_t token_exposure_lamports; /* cost of open positions in this token */
    bool size_reduced;                /* the consecutive-loss breaker is active */
};

enum sizing_reason {
    SIZING_OK = 0,
    SIZING_INVALID_SCORE,
    SIZING_BELOW_THRESHOLD,
    SIZING_MAX_POSITIONS,
    SIZING_TOKEN_CAP,
    SIZING_NO_CAPITAL,
    SIZING_BELOW_MIN_ORDER,
};

/* Result: size_lamports > 0 iff reason == SIZING_OK. multiplier is the
 * score tier (0, 1 or high_multiplier) times reduced_factor when reduced;
 * capped says the size was cut by the token cap or the available capital. */
struct sizing_result {
    enum sizing_reason reason;
    uint64_t size_lamports;
    uint64_t base_lamports;
    double multiplier;
    bool capped;
};

/* Computes the size. Never fails: a refusal is a reason, not an error. */
void sizing_compute(const struct sizing_params *p, const struct sizing_input *in,
                    struct sizing_result *out);
/* "ok", "below_threshold", ... (the reason codes stored with signals). */
const char *sizing_reason_name(enum sizing_reason r);

#endif
