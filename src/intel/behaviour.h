/* Behavioural profile of a wallet: when it trades, how it sizes, what it
 * buys, how long it holds, how much risk it takes and how bot-like it is.
 *
 * An accumulator is fed the wallet's fills (ledger.h) as they are applied,
 * O(1) each; behaviour_classify turns it, the wallet's metrics and its
 * round trips into traits. Every threshold is a field of behaviour_params
 * and documented in docs/metrics.md ("Behaviour"). Pure functions over
 * caller-owned data; any thread. */
#ifndef WT_INTEL_BEHAVIOUR_H
#define WT_INTEL_BEHAVIOUR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "intel/ledger.h"
#include "intel/metrics.h"

enum behaviour_style {
    BEHAVIOUR_STYLE_UNKNOWN = 0,
    BEHAVIOUR_STYLE_SCALP,
    BEHAVIOUR_STYLE_DAY,
    BEHAVIOUR_STYLE_SWING,
    BEHAVIOUR_STYLE_POSITION,
};

enum behaviour_risk {
    BEHAVIOUR_RISK_UNKNOWN = 0,
    BEHAVIOUR_RISK_CONSERVATIVE,
    BEHAVIOUR_RISK_MODERATE,
    BEHAVIOUR_RISK_AGGRESSIVE,
};

enum behaviour_sizing {
    BEHAVIOUR_SIZING_UNKNOWN = 0,
    BEHAVIOUR_SIZING_FIXED,
    BEHAVIOUR_SIZING_VARIABLE,
};

struct behaviour_params {
    int64_t scalp_max_ms;     /* median hold below: scalp (1 h) */
    int64_t day_max_ms;       /* below: day (24 h) */
    int64_t swing_max_ms;     /* below: swing (7 d); else position */
    double fixed_max_cv;      /* buy-size CV at most this: fixed sizing (0.25) */
    uint32_t min_buys;        /* buys needed for sizing and bot amounts (5) */
    int64_t fast_react_ms;    /* first buy this soon after launch is "fast" (3 s) */
    double uniform_cv;        /* CV at or below which amounts are fully uniform (0.02) */
    double uniform_cv_zero;   /* CV at or above which uniformity is 0 (0.25) */
    uint32_t min_hours_swaps; /* swaps needed to judge round-the-clock activity (48) */
};

void behaviour_params_default(struct behaviour_params *p);

/* Running state over a wallet's fills. Invariant: sum(hours) == swaps. */
struct behaviour_acc {
    uint32_t hours[24]; /* UTC hour of each swap */
    uint32_t swaps;
    uint32_t buys;
    double size_mean, size_m2; /* Welford over valued buy sizes (SOL) */
    uint32_t sized_buys;
    uint32_t first_buys;      /* distinct mints bought */
    uint32_t bonding_buys;    /* first buys on PUMP_FUN */
    uint32_t first_slot_buys; /* first buys in the mint's launch slot */
    uint32_t fast_buys;       /* first buys within fast_react_ms of launch */
    uint32_t aged_buys;       /* first buys with a known launch time */
    double sum_age_ms;        /* token age at entry, summed over aged_buys */
    uint32_t mcap_buys;       /* first buys with a known market cap */
    double sum_log_mcap;      /* ln(mcap USD) at entry */
    uint32_t source_buys[LEDGER_SOURCE_MAX];
};

struct behaviour {
    uint32_t hours[24];
    uint8_t peak_hour;    /* busiest UTC hour */
    uint8_t active_hours; /* hours with at least one swap */
    double hour_entropy;  /* normalised Shannon entropy of hours, 0..1 */
    enum behaviour_sizing sizing;
    double size_cv; /* coefficient of variation of buy sizes */
    double avg_buy_sol;
    double bonding_share;    /* share of first buys on the bonding curve */
    double avg_entry_age_ms; /* mean token age at first buy; -1 unknown */
    double entry_mcap_usd;   /* geometric mean market cap at first buy; 0 unknown */
    enum behaviour_style style;
    int64_t median_hold_ms; /* -1 when no round trips */
    enum behaviour_risk risk;
    uint32_t risk_points;                                    /* see docs/metrics.md */
    double bot_score;                                        /* 0..1 */
    double bot_fast, bot_first_slot, bot_uniform, bot_clock; /* its components */
    uint8_t top_source;                                      /* most used source for first buys */
};

void behaviour_acc_init(struct behaviour_acc *a);
/* Feeds one fill of the wallet. mint: the fill's mint facts at apply time
 * (for launch time, slot and market cap); may be NULL. */
void behaviour_acc_add(struct behaviour_acc *a, const struct behaviour_params *p,
                       const struct ledger_fill *f, const struct ledger_mint *mint);
/* Classifies. trips: the wallet's round trips (for the median hold time;
 * a temporary copy of the hold times is allocated); m: its metrics. */
void behaviour_classify(const struct behaviour_acc *a, const struct behaviour_params *p,
                        const struct ledger_trip *trips, size_t n_trips, const struct metrics *m,
                        struct behaviour *out);
/* The same classification from the hold times (close - open) of the
 * wallet's known-basis round trips, sorted ascending (k of them): no copy,
 * no selection (intel_score_holds keeps them sorted as trips close). */
void behaviour_classify_sorted(const struct behaviour_acc *a, const struct behaviour_params *p,
                               const int64_t *holds, size_t k, const struct metrics *m,
                               struct behaviour *out);

const char *behaviour_style_name(enum behaviour_style s); /* "scalp", ... "unknown" */
const char *behaviour_risk_name(enum behaviour_risk r);   /* "conservative", ... */
const char *behaviour_sizing_name(enum behaviour_sizing s);

#endif
