/* Position sizing (see sizing.h for the table and the order of checks).
 *
 * Sizes are lamports computed with integer arithmetic: the risk fraction
 * and the multipliers are applied in parts per million (trade/amount.h), so
 * the same inputs give the same lamport everywhere, and the score tiers are
 * compared with >= on the score exactly as configured (0.70 trades, 0.6999
 * does not). */
#include "trade/sizing.h"

#include <math.h>
#include <stdio.h>

#include "base/err.h"
#include "trade/amount.h"

void sizing_params_default(struct sizing_params *p)
{
    *p = (struct sizing_params){
        .risk_per_trade = 0.02,
        .threshold = 0.70,
        .high_score = 0.85,
        .high_multiplier = 1.5,
        .reduced_factor = 0.5,
        .max_positions = 10,
        .max_token_exposure_lamports = 500000000,
        .min_order_lamports = 1000000,
    };
}

int sizing_params_validate(const struct sizing_params *p, char *err, size_t errsize)
{
    const char *msg = NULL;
    if (!(p->risk_per_trade > 0 && p->risk_per_trade <= 1))
        msg = "risk_per_trade must be a fraction in (0, 1]";
    else if (!(p->threshold >= 0 && p->threshold <= 1))
        msg = "threshold must be a score in [0, 1]";
    else if (!(p->high_score >= p->threshold && p->high_score <= 1))
        msg = "high_score must be a score in [threshold, 1]";
    else if (!(p->high_multiplier >= 1 && p->high_multiplier <= 100))
        msg = "high_multiplier must be in [1, 100]";
    else if (!(p->reduced_factor > 0 && p->reduced_factor <= 1))
        msg = "reduced_factor must be a fraction in (0, 1]";
    else if (p->max_positions < 1)
        msg = "max_positions must be at least 1";
    return msg ? wt_set_err(err, errsize, WT_EINVAL, msg) : 0;
}

const char *sizing_reason_name(enum sizing_reason r)
{
    switch (r) {
    case SIZING_OK:
        return "ok";
    case SIZING_INVALID_SCORE:
        return "invalid_score";
    case SIZING_BELOW_THRESHOLD:
        return "below_threshold";
    case SIZING_MAX_POSITIONS:
        return "max_positions";
    case SIZING_TOKEN_CAP:
        return "token_exposure_cap";
    case SIZING_NO_CAPITAL:
        return "no_capital";
    case SIZING_BELOW_MIN_ORDER:
        return "below_min_order";
    }
    return "unknown";
}

static void refuse(struct sizing_result *out, enum sizing_reason r)
{
    out->reason = r;
    out->size_lamports = 0;
}

void sizing_compute(const struct sizing_params *p, const struct sizing_input *in,
                    struct sizing_result *out)
{
    *out = (struct sizing_result){0};
    out->base_lamports = amount_frac(in->capital_lamports, p->risk_per_trade);
    if (!isfinite(in->score) || in->score < 0 || in->score > 1)
        return refuse(out, SIZING_INVALID_SCORE);
    if (in->score < p->threshold)
        return refuse(out, SIZING_BELOW_THRESHOLD);
    double mult = in->score >= p->high_score ? p->high_multiplier : 1.0;
    uint64_t size = amount_mul_div(out->base_lamports, amount_ppm(mult), AMOUNT_PPM);
    if (in->size_reduced) {
        mult *= p->reduced_factor;
        size = amount_mul_div(size, amount_ppm(p->reduced_factor), AMOUNT_PPM);
    }
    out->multiplier = mult;
    if (in->open_positions >= p->max_positions)
        return refuse(out, SIZING_MAX_POSITIONS);
    if (p->max_token_exposure_lamports) {
        if (in->token_exposure_lamports >= p->max_token_exposure_lamports)
            return refuse(out, SIZING_TOKEN_CAP);
        uint64_t room = p->max_token_exposure_lamports - in->token_exposure_lamports;
        if (size > room) {
            size = room;
            out->capped = true;
        }
    }
    if (in->available_lamports == 0)
        return refuse(out, SIZING_NO_CAPITAL);
    if (size > in->available_lamports) {
        size = in->available_lamports;
        out->capped = true;
    }
    if (size == 0 || size < p->min_order_lamports)
        return refuse(out, SIZING_BELOW_MIN_ORDER);
    out->reason = SIZING_OK;
    out->size_lamports = size;
}
