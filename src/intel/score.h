/* Smart-money score (0-100, with a confidence level) and decay detection.
 *
 * score_compute is a pure function of a wallet's metrics, entry timing,
 * behaviour and decay state; the formula and its weights are in
 * docs/metrics.md ("Smart-money score"). Decay (PRD "Decay Detection
 * Logic") keeps a rolling window of the last round-trip outcomes: a win
 * rate below the threshold over a full window flags the wallet for review;
 * a run of consecutive losses downgrades its score for a while. Both carry
 * a human-readable reason. Nothing reads the system time: `now` is passed.
 * Any thread, caller-owned data. */
#ifndef WT_INTEL_SCORE_H
#define WT_INTEL_SCORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "intel/behaviour.h"
#include "intel/ledger.h"
#include "intel/metrics.h"

enum score_confidence {
    SCORE_CONF_LOW = 0,
    SCORE_CONF_MEDIUM,
    SCORE_CONF_HIGH,
};

enum score_component {
    SCORE_C_WIN_RATE = 0,
    SCORE_C_ROI,
    SCORE_C_PROFIT_RATIO,
    SCORE_C_SHARPE,
    SCORE_C_CONSISTENCY,
    SCORE_C_TIMING,
    SCORE_C_SAMPLE,
    SCORE_C_COUNT,
};

struct score_params {
    double weight[SCORE_C_COUNT]; /* sum to 1 */
    double bot_penalty;           /* score *= 1 - bot_penalty * bot_score */
    uint32_t sample_full;         /* trips at which the sample component is 1 */
    uint32_t medium_trades;       /* confidence medium from this many trips */
    uint32_t high_trades;         /* confidence high from this many trips */
    /* Decay. */
    uint32_t decay_window;     /* rolling window of round trips (<= 32) */
    double decay_min_win_rate; /* flag when the full window's win rate is below */
    uint32_t decay_max_losses; /* downgrade at this many consecutive losses */
    double downgrade_factor;   /* score *= this while downgraded */
    int64_t downgrade_ms;      /* a downgrade ends this long after the last loss */
};

/* Weights 0.25 win rate, 0.20 ROI, 0.15 profit ratio, 0.15 Sharpe,
 * 0.10 consistency, 0.10 timing, 0.05 sample; bot_penalty 0.8;
 * sample_full 50; medium 15, high 50; window 20, 40 %, 3 losses, factor
 * 0.5, 7 days. */
void score_params_default(struct score_params *p);

/* Decay state of one wallet. Invariants: n <= window; only the low n bits
 * of ring are meaningful (bit 0 = most recent, 1 = win); downgraded implies
 * consec_losses >= max_losses at the time it started. Plain data. */
struct score_decay {
    uint32_t ring;
    uint32_t n;
    uint32_t consec_losses;
    bool flagged;
    bool downgraded;
    int64_t flagged_ms;   /* when the current flag was raised */
    int64_t last_loss_ms; /* close time of the last loss */
    int64_t downgrade_until_ms;
};

void score_decay_init(struct score_decay *d);
/* Feeds one closed round trip (unknown-basis trips are ignored). Trips in
 * close order. */
void score_decay_add(struct score_decay *d, const struct score_params *p,
                     const struct ledger_trip *t);
/* Wins among the last n (<= window) trips. */
uint32_t score_decay_wins(const struct score_decay *d);
/* True while a downgrade is in force at now_ms. */
bool score_decay_downgraded(const struct score_decay *d, int64_t now_ms);
/* Writes the reasons ("" when neither applies) into out (NUL-terminated,
 * truncated to n). Returns the number of reasons (0, 1 or 2). */
int score_decay_reason(const struct score_decay *d, const struct score_params *p, int64_t now_ms,
                       char *out, size_t n);

struct score {
    double score; /* 0..100 */
    enum score_confidence confidence;
    double raw; /* before bot and decay multipliers */
    double component[SCORE_C_COUNT];
    double bot_mult, decay_mult;
};

/* Computes the score. timing, b and d may be NULL (neutral timing, no bot
 * penalty, no decay). */
void score_compute(const struct score_params *p, const struct metrics *m,
                   const struct metrics_timing *timing, const struct behaviour *b,
                   const struct score_decay *d, int64_t now_ms, struct score *out);

const char *score_confidence_name(enum score_confidence c); /* "high" ... */

#endif
