/* Signal scoring: four factors, a weighted score, the token gate, and the
 * vocabulary of decisions and reasons every stored signal carries.
 *
 * A buy by a watched wallet becomes a signal. Its score is the weighted
 * mean of four factors, each in [0, 1]:
 *
 *   wallet  - the wallet's smart-money score (intel, or the stored score as
 *             a prior while intel knows few of its trades), its recent form
 *             (wins in its decay window) and our own results copying it
 *             (the feedback loop), times a penalty while it is flagged;
 *   cluster - how many independent owners (a cluster of wallets that act
 *             as one, src/graph, counts once: one owner, one vote) bought
 *             the token within the window, and whether a cluster's leader
 *             was followed by its members (FR12); a buy by the cluster
 *             that created the token is an insider signal, gated or
 *             penalised (signal.cluster_insider). When unavailable
 *             (cluster_available false) its weight is shared out among the
 *             other three in proportion to theirs;
 *   token   - age, liquidity, market cap, holder concentration and how far
 *             the price already moved since the wallet's own entry;
 *   context - our win rate at this hour of day, our recent win rate, and
 *             how much of our equity is already exposed.
 *
 * The weights are the operator's (default 30/25/25/20) and are normalised
 * by their sum over the available factors. Every formula, constant and
 * prior is in docs/engine.md ("Signal factors"). Pure functions of their
 * inputs; any thread. */
#ifndef WT_SIGNAL_SIGNAL_H
#define WT_SIGNAL_SIGNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct jw;

enum signal_factor {
    SF_WALLET = 0,
    SF_CLUSTER,
    SF_TOKEN,
    SF_CONTEXT,
    SF_COUNT,
};

/* "wallet", "cluster", "token", "context". */
const char *signal_factor_name(enum signal_factor f);

/* Invariants (signal_params_validate): weights >= 0 with a positive sum
 * over the available factors; 0 <= threshold <= 1; the token gate bounds
 * are >= 0. */
struct signal_params {
    double weight[SF_COUNT];   /* 0.30, 0.25, 0.25, 0.20 */
    bool cluster_available;    /* true: the graph module provides it */
    int64_t cluster_window_ms; /* buys of the token this recent count as moving together (30 min) */
    bool insider_penalty;      /* false: an insider signal fails the gate; true: it is penalised */
    double insider_mult;       /* the penalty: the score times this (0.5) */
    double threshold;          /* minimum score to trade (0.70); sizing applies it */
    double prior_strength;     /* pseudo-trades of the priors (4) */
    double intel_trust_trips;  /* trips at which intel's score outweighs the stored one (15) */
    double flagged_mult;       /* wallet factor multiplier while flagged for review (0.6) */
    /* Token gate: a signal failing it is not traded whatever its score. */
    double min_liquidity_sol; /* 5 */
    double max_move;    /* price already up more than this since the wallet's entry (1.0 = 2x) */
    int64_t max_age_ms; /* token older than this (0 = no limit) */
};

void signal_params_default(struct signal_params *p);
/* Returns 0 or WT_EINVAL with a message in err. */
int signal_params_validate(const struct signal_params *p, char *err, size_t errsize);

/* Everything the factors are computed from. The engine fills it from
 * intel, the market and its own records. */
struct signal_inputs {
    /* wallet */
    double intel_score;         /* 0..1 from intel's profile */
    uint32_t intel_trips;       /* closed round trips behind it */
    double prior_score;         /* 0..1 stored score (discovery), < 0 when unknown */
    uint32_t form_n, form_wins; /* decay window */
    uint32_t copy_n, copy_wins; /* our closed trades copying this wallet */
    bool flagged;               /* intel's decay flag */
    /* token */
    int64_t age_ms;
    double liquidity_sol; /* <= 0 unknown */
    double mcap_sol;      /* <= 0 unknown */
    double concentration; /* Herfindahl 0..1 */
    uint32_t holders;     /* observed holders; concentration is ignored below 5 */
    double move;          /* price now / the wallet's first entry - 1 */
    /* where the token facts came from, for the operator (not scored):
     * liquidity "reported" (a feed), "curve", "pool", "default" or "none";
     * age reported (a feed's pool creation) or observed (first swap seen);
     * how long the signal waited for a feed's answer (0: scored at once) */
    const char *liquidity_source;
    bool age_reported;
    int64_t waited_ms;
    /* context */
    int hour; /* 0..23, UTC */
    uint32_t hour_n, hour_wins;
    uint32_t recent_n, recent_wins;
    double exposure; /* cost of open positions / equity, >= 0 */
    /* cluster */
    uint32_t cluster_owners; /* distinct owners among the watched wallets' buys of the token
                                within the window, this one included (a cluster counts once;
                                0 is taken as 1) */
    bool in_cluster;         /* the wallet belongs to a cluster */
    bool leader_followed;    /* its cluster's leader bought the token first in the window and
                                this member follows */
    bool members_together;   /* another member of its cluster bought it in the window */
    bool insider_token;      /* its cluster made the token's first trade (created it) */
};

enum signal_gate {
    SIGNAL_GATE_OK = 0,
    SIGNAL_GATE_LIQUIDITY, /* liquidity below min_liquidity_sol */
    SIGNAL_GATE_MOVE,      /* already up more than max_move */
    SIGNAL_GATE_AGE,       /* older than max_age_ms */
    SIGNAL_GATE_NO_PRICE,  /* nothing priced the token */
    SIGNAL_GATE_INSIDER,   /* the wallet's own cluster created the token (gate mode) */
};

/* The factors with their components. f[SF_CLUSTER] and
 * weight_eff[SF_CLUSTER] are 0 while the cluster factor is unavailable;
 * sum(weight_eff) == 1. */
struct signal_factors {
    double f[SF_COUNT];
    double weight_eff[SF_COUNT];
    double score; /* sum(weight_eff * f), in [0, 1] */
    /* wallet */
    double w_score, w_form, w_copy, w_mult;
    /* token */
    double t_age, t_liquidity, t_mcap, t_concentration, t_move;
    /* context */
    double c_hour, c_recent, c_exposure;
    /* cluster */
    double k_owners, k_follow, k_insider_mult;
    enum signal_gate gate;
};

/* Computes every factor and the score. Never fails. */
void signal_evaluate(const struct signal_params *p, const struct signal_inputs *in,
                     struct signal_factors *out);
/* "ok", "liquidity", "move", "age", "no_price", "insider". */
const char *signal_gate_name(enum signal_gate g);

/* Writes the factors, components and the inputs behind them as one JSON
 * object value (the `factors` column of a stored signal). */
void signal_factors_write(const struct signal_inputs *in, const struct signal_factors *f,
                          struct jw *w);

/* Why a signal was or was not traded. The first that applies, in this
 * order, is the reason (docs/engine.md, "Decisions and reasons"). */
enum signal_reason {
    SR_TRADED = 0,
    SR_BLACKLISTED_WALLET,
    SR_BLACKLISTED_CLUSTER,
    SR_NO_PRICE,
    SR_TOKEN_GATE_FAILED,
    SR_BELOW_THRESHOLD,
    SR_BREAKER_ACTIVE,
    SR_TOKEN_ALREADY_HELD,
    SR_ORDER_PENDING, /* a buy of this token is already in flight */
    SR_MAX_POSITIONS,
    SR_EXPOSURE_CAP,       /* total open exposure cap */
    SR_TOKEN_EXPOSURE_CAP, /* per-token cap */
    SR_NO_CAPITAL,
    SR_BELOW_MIN_ORDER,
    SR_EXECUTOR_REFUSED, /* the executor could not even queue the order */
    SR_COUNT,
};

/* "traded", "blacklisted_wallet", ... */
const char *signal_reason_name(enum signal_reason r);
/* The decision of a reason: "trade" (traded), "blocked" (blacklists,
 * breakers: the operator's or the system's protection said no) or "skip"
 * (the signal or the token did not qualify, or a limit was reached). */
const char *signal_decision_name(enum signal_reason r);
/* Parses a reason name. Returns 0 or WT_EINVAL. */
int signal_reason_parse(const char *s, enum signal_reason *out);

#endif
