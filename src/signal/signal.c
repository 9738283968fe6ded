/* The multi-factor signal score (see signal.h; formulas in docs/engine.md).
 *
 * Every factor is a weighted mean of components in [0, 1], each a simple
 * piecewise-linear or Beta-prior function of one observable, so that the
 * stored components explain a decision to the operator and `walltrack
 * report` can show which of them separate winners from losers. Priors
 * (the wallet's own score, 0.5 for our context) keep a factor neutral
 * while there is no data instead of punishing it. */
#include "signal/signal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "base/clock.h"
#include "base/err.h"
#include "base/jw.h"

static const char *const factor_names[SF_COUNT] = {"wallet", "cluster", "token", "context"};

const char *signal_factor_name(enum signal_factor f)
{
    return (unsigned)f < SF_COUNT ? factor_names[f] : "unknown";
}

void signal_params_default(struct signal_params *p)
{
    memset(p, 0, sizeof *p);
    p->weight[SF_WALLET] = 0.30;
    p->weight[SF_CLUSTER] = 0.25;
    p->weight[SF_TOKEN] = 0.25;
    p->weight[SF_CONTEXT] = 0.20;
    p->cluster_available = true;
    p->cluster_window_ms = 30 * MS_PER_MINUTE;
    p->insider_penalty = false;
    p->insider_mult = 0.5;
    p->threshold = 0.70;
    p->prior_strength = 4;
    p->intel_trust_trips = 15;
    p->flagged_mult = 0.6;
    p->min_liquidity_sol = 5;
    p->max_move = 1.0;
    p->max_age_ms = 0;
}

int signal_params_validate(const struct signal_params *p, char *err, size_t errsize)
{
    const char *msg = NULL;
    double sum = 0;
    for (int i = 0; i < SF_COUNT; i++) {
        if (!(p->weight[i] >= 0 && p->weight[i] <= 1))
            msg = "every factor weight must be in [0, 1]";
        if (i != SF_CLUSTER || p->cluster_available)
            sum += p->weight[i];
    }
    if (!msg && !(sum > 0))
        msg = "the weights of the available factors must not all be 0";
    else if (!msg && !(p->threshold >= 0 && p->threshold <= 1))
        msg = "threshold must be a score in [0, 1]";
    else if (!msg && !(p->prior_strength >= 0 && p->intel_trust_trips >= 0))
        msg = "prior strengths must be >= 0";
    else if (!msg && !(p->flagged_mult >= 0 && p->flagged_mult <= 1))
        msg = "flagged_mult must be in [0, 1]";
    else if (!msg && !(p->min_liquidity_sol >= 0 && p->max_move >= 0 && p->max_age_ms >= 0))
        msg = "token gate bounds must be >= 0";
    else if (!msg && !(p->cluster_window_ms >= 0))
        msg = "the cluster window must be >= 0";
    else if (!msg && !(p->insider_mult >= 0 && p->insider_mult <= 1))
        msg = "insider_penalty must be in [0, 1]";
    return msg ? wt_set_err(err, errsize, WT_EINVAL, msg) : 0;
}

static double clamp01(double x)
{
    return x < 0 ? 0 : x > 1 ? 1 : isfinite(x) ? x : 0;
}

/* Linear from y0 at x0 to y1 at x1, flat outside. */
static double ramp(double x, double x0, double y0, double x1, double y1)
{
    if (x <= x0)
        return y0;
    if (x >= x1)
        return y1;
    return y0 + (y1 - y0) * (x - x0) / (x1 - x0);
}

/* Successes and trials shrunk towards `prior` with `strength` pseudo-trials. */
static double shrunk(uint32_t wins, uint32_t n, double prior, double strength)
{
    double d = (double)n + strength;
    return d > 0 ? ((double)wins + strength * prior) / d : prior;
}

#define MIN_HOLDERS 5

void signal_evaluate(const struct signal_params *p, const struct signal_inputs *in,
                     struct signal_factors *o)
{
    memset(o, 0, sizeof *o);
    double k = p->prior_strength;

    /* Wallet: the score, shrunk towards the stored prior (or 0.5) while
     * intel has seen few of its round trips. */
    double prior = in->prior_score >= 0 ? clamp01(in->prior_score) : 0.5;
    double t = p->intel_trust_trips, n = in->intel_trips;
    o->w_score = clamp01(n + t > 0 ? (n * clamp01(in->intel_score) + t * prior) / (n + t) : prior);
    o->w_form = shrunk(in->form_wins, in->form_n, o->w_score, k);
    o->w_copy = shrunk(in->copy_wins, in->copy_n, o->w_score, k);
    o->w_mult = in->flagged ? p->flagged_mult : 1.0;
    o->f[SF_WALLET] = clamp01(o->w_mult * (0.5 * o->w_score + 0.25 * o->w_form + 0.25 * o->w_copy));

    /* Token. */
    double age_min = (double)in->age_ms / (double)MS_PER_MINUTE;
    o->t_age = age_min < 1 ? 0.7 : ramp(age_min, 120, 1.0, 1440, 0.4);
    o->t_liquidity =
        in->liquidity_sol > 0 ? clamp01(log(in->liquidity_sol / 5) / log(200.0 / 5)) : 0.5;
    o->t_mcap = in->mcap_sol > 0 ? clamp01(1 - log10(fmax(in->mcap_sol, 100) / 100) / 2) : 0.5;
    o->t_concentration =
        in->holders >= MIN_HOLDERS ? ramp(in->concentration, 0.05, 1.0, 0.5, 0.0) : 0.5;
    o->t_move = ramp(in->move, 0.1, 1.0, 1.0, 0.0);
    o->f[SF_TOKEN] = clamp01(0.2 * o->t_age + 0.25 * o->t_liquidity + 0.15 * o->t_mcap +
                             0.2 * o->t_concentration + 0.2 * o->t_move);
    if (in->liquidity_sol > 0 && in->liquidity_sol < p->min_liquidity_sol)
        o->gate = SIGNAL_GATE_LIQUIDITY;
    else if (in->move > p->max_move)
        o->gate = SIGNAL_GATE_MOVE;
    else if (p->max_age_ms > 0 && in->age_ms > p->max_age_ms)
        o->gate = SIGNAL_GATE_AGE;

    /* Context. */
    o->c_hour = shrunk(in->hour_wins, in->hour_n, 0.5, k);
    o->c_recent = shrunk(in->recent_wins, in->recent_n, 0.5, k);
    o->c_exposure = clamp01(1 - in->exposure);
    o->f[SF_CONTEXT] = clamp01(0.35 * o->c_hour + 0.35 * o->c_recent + 0.3 * o->c_exposure);

    /* Cluster (FR12): independent owners moving together. One owner
     * alone is 0.3, three or more 1; a member following its cluster's
     * leader adds 0.3, other members of its cluster in the window 0.15. */
    uint32_t owners = in->cluster_owners ? in->cluster_owners : 1;
    o->k_owners = ramp((double)owners, 1, 0.3, 3, 1.0);
    o->k_follow = in->leader_followed ? 0.3 : in->members_together ? 0.15 : 0;
    o->k_insider_mult = 1;
    o->f[SF_CLUSTER] = p->cluster_available ? clamp01(o->k_owners + o->k_follow) : 0;
    if (p->cluster_available && in->insider_token) {
        if (!p->insider_penalty) {
            if (o->gate == SIGNAL_GATE_OK)
                o->gate = SIGNAL_GATE_INSIDER;
        } else {
            o->f[SF_CLUSTER] = 0;
            o->k_insider_mult = p->insider_mult;
        }
    }

    double sum = 0;
    for (int i = 0; i < SF_COUNT; i++)
        if (i != SF_CLUSTER || p->cluster_available)
            sum += p->weight[i];
    for (int i = 0; i < SF_COUNT; i++) {
        bool avail = i != SF_CLUSTER || p->cluster_available;
        o->weight_eff[i] = avail && sum > 0 ? p->weight[i] / sum : 0;
        o->score += o->weight_eff[i] * o->f[i];
    }
    o->score = clamp01(o->score * o->k_insider_mult);
}

const char *signal_gate_name(enum signal_gate g)
{
    switch (g) {
    case SIGNAL_GATE_OK:
        return "ok";
    case SIGNAL_GATE_LIQUIDITY:
        return "liquidity";
    case SIGNAL_GATE_MOVE:
        return "move";
    case SIGNAL_GATE_AGE:
        return "age";
    case SIGNAL_GATE_NO_PRICE:
        return "no_price";
    case SIGNAL_GATE_INSIDER:
        return "insider";
    }
    return "unknown";
}

/* Rounds to 6 decimals so stored factors read cleanly and compare equal
 * across runs that differ only in the last bits of a log(). */
static double r6(double x)
{
    return isfinite(x) ? round(x * 1e6) / 1e6 : 0;
}

void signal_factors_write(const struct signal_inputs *in, const struct signal_factors *f,
                          struct jw *w)
{
    jw_obj_begin(w);
    jw_kdouble(w, "score", r6(f->score));
    for (int i = 0; i < SF_COUNT; i++)
        jw_kdouble(w, factor_names[i], r6(f->f[i]));
    jw_kobj_begin(w, "weights");
    for (int i = 0; i < SF_COUNT; i++)
        jw_kdouble(w, factor_names[i], r6(f->weight_eff[i]));
    jw_obj_end(w);
    jw_kbool(w, "cluster_available", f->weight_eff[SF_CLUSTER] > 0);
    jw_kobj_begin(w, "wallet_detail");
    jw_kdouble(w, "score", r6(f->w_score));
    jw_kdouble(w, "form", r6(f->w_form));
    jw_kdouble(w, "copy", r6(f->w_copy));
    jw_kdouble(w, "mult", r6(f->w_mult));
    jw_kdouble(w, "intel_score", r6(in->intel_score));
    jw_ku64(w, "intel_trips", in->intel_trips);
    jw_kdouble(w, "prior_score", r6(in->prior_score));
    jw_ku64(w, "form_n", in->form_n);
    jw_ku64(w, "form_wins", in->form_wins);
    jw_ku64(w, "copy_n", in->copy_n);
    jw_ku64(w, "copy_wins", in->copy_wins);
    jw_kbool(w, "flagged", in->flagged);
    jw_obj_end(w);
    jw_kobj_begin(w, "token_detail");
    jw_kdouble(w, "age", r6(f->t_age));
    jw_kdouble(w, "liquidity", r6(f->t_liquidity));
    jw_kdouble(w, "mcap", r6(f->t_mcap));
    jw_kdouble(w, "concentration", r6(f->t_concentration));
    jw_kdouble(w, "move", r6(f->t_move));
    jw_ki64(w, "age_ms", in->age_ms);
    jw_kdouble(w, "liquidity_sol", r6(in->liquidity_sol));
    jw_kdouble(w, "mcap_sol", r6(in->mcap_sol));
    jw_kdouble(w, "hhi", r6(in->concentration));
    jw_ku64(w, "holders", in->holders);
    jw_kdouble(w, "price_move", r6(in->move));
    jw_kstr(w, "gate", signal_gate_name(f->gate));
    jw_kstr(w, "liquidity_source", in->liquidity_source ? in->liquidity_source : "none");
    jw_kstr(w, "age_source", in->age_reported ? "reported" : "observed");
    jw_ki64(w, "waited_ms", in->waited_ms);
    jw_obj_end(w);
    jw_kobj_begin(w, "cluster_detail");
    jw_kdouble(w, "owners", r6(f->k_owners));
    jw_kdouble(w, "follow", r6(f->k_follow));
    jw_kdouble(w, "insider_mult", r6(f->k_insider_mult));
    jw_ku64(w, "owner_count", in->cluster_owners);
    jw_kbool(w, "in_cluster", in->in_cluster);
    jw_kbool(w, "leader_followed", in->leader_followed);
    jw_kbool(w, "members_together", in->members_together);
    jw_kbool(w, "insider_token", in->insider_token);
    jw_obj_end(w);
    jw_kobj_begin(w, "context_detail");
    jw_kdouble(w, "hour", r6(f->c_hour));
    jw_kdouble(w, "recent", r6(f->c_recent));
    jw_kdouble(w, "exposure", r6(f->c_exposure));
    jw_ki64(w, "utc_hour", in->hour);
    jw_ku64(w, "hour_n", in->hour_n);
    jw_ku64(w, "hour_wins", in->hour_wins);
    jw_ku64(w, "recent_n", in->recent_n);
    jw_ku64(w, "recent_wins", in->recent_wins);
    jw_kdouble(w, "exposure_frac", r6(in->exposure));
    jw_obj_end(w);
    jw_obj_end(w);
}

static const char *const reason_names[SR_COUNT] = {
    [SR_TRADED] = "traded",
    [SR_BLACKLISTED_WALLET] = "blacklisted_wallet",
    [SR_BLACKLISTED_CLUSTER] = "blacklisted_cluster",
    [SR_NO_PRICE] = "no_price",
    [SR_TOKEN_GATE_FAILED] = "token_gate_failed",
    [SR_BELOW_THRESHOLD] = "below_threshold",
    [SR_BREAKER_ACTIVE] = "breaker_active",
    [SR_TOKEN_ALREADY_HELD] = "token_already_held",
    [SR_ORDER_PENDING] = "order_pending",
    [SR_MAX_POSITIONS] = "max_positions",
    [SR_EXPOSURE_CAP] = "exposure_cap",
    [SR_TOKEN_EXPOSURE_CAP] = "token_exposure_cap",
    [SR_NO_CAPITAL] = "no_capital",
    [SR_BELOW_MIN_ORDER] = "below_min_order",
    [SR_EXECUTOR_REFUSED] = "executor_refused",
};

const char *signal_reason_name(enum signal_reason r)
{
    return (unsigned)r < SR_COUNT ? reason_names[r] : "unknown";
}

const char *signal_decision_name(enum signal_reason r)
{
    switch (r) {
    case SR_TRADED:
        return "trade";
    case SR_BLACKLISTED_WALLET:
    case SR_BLACKLISTED_CLUSTER:
    case SR_BREAKER_ACTIVE:
        return "blocked";
    default:
        return "skip";
    }
}

int signal_reason_parse(const char *s, enum signal_reason *out)
{
    for (int i = 0; i < SR_COUNT; i++)
        if (s && strcmp(s, reason_names[i]) == 0) {
            *out = (enum signal_reason)i;
            return 0;
        }
    return WT_EINVAL;
}
