/* The smart-money score and the decay rules.
 *
 * Why one module: the score is what discovery ranks and what the signal
 * weighs, and decay is what lowers it when a wallet stops performing, so
 * both read the same inputs and are tuned together. Each component maps
 * one metric into [0, 1] with a monotonic function (so the score can only
 * move in the obvious direction when a metric improves); the weighted sum
 * is then multiplied by the bot-likeness penalty and the decay downgrade.
 * docs/metrics.md gives the formula and a worked example. */
#include "intel/score.h"

#include <assert.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "base/clock.h"

void score_params_default(struct score_params *p)
{
    static const double w[SCORE_C_COUNT] = {0.25, 0.20, 0.15, 0.15, 0.10, 0.10, 0.05};
    memcpy(p->weight, w, sizeof w);
    p->bot_penalty = 0.8;
    p->sample_full = 50;
    p->medium_trades = 15;
    p->high_trades = 50;
    p->decay_window = 20;
    p->decay_min_win_rate = 0.40;
    p->decay_max_losses = 3;
    p->downgrade_factor = 0.5;
    p->downgrade_ms = 7 * MS_PER_DAY;
}

void score_decay_init(struct score_decay *d)
{
    memset(d, 0, sizeof *d);
}

static uint32_t window_mask(uint32_t w)
{
    return w >= 32 ? UINT32_MAX : (1u << w) - 1;
}

uint32_t score_decay_wins(const struct score_decay *d)
{
    uint32_t bits = d->ring & window_mask(d->n), c = 0;
    for (; bits; bits &= bits - 1)
        c++;
    return c;
}

void score_decay_add(struct score_decay *d, const struct score_params *p,
                     const struct ledger_trip *t)
{
    assert(p->decay_window >= 1 && p->decay_window <= 32);
    if (t->flags & LEDGER_TRIP_UNKNOWN_BASIS)
        return;
    bool win = t->pnl_sol > 0;
    d->ring = ((d->ring << 1) | (win ? 1u : 0u)) & window_mask(p->decay_window);
    if (d->n < p->decay_window)
        d->n++;
    if (win) {
        d->consec_losses = 0;
        d->downgraded = false;
    } else {
        d->consec_losses++;
        d->last_loss_ms = t->close_ms;
        if (d->consec_losses >= p->decay_max_losses) {
            d->downgraded = true;
            d->downgrade_until_ms = t->close_ms + p->downgrade_ms;
        }
    }
    bool low = d->n == p->decay_window &&
               (double)score_decay_wins(d) / (double)d->n < p->decay_min_win_rate;
    if (low && !d->flagged)
        d->flagged_ms = t->close_ms;
    d->flagged = low;
}

bool score_decay_downgraded(const struct score_decay *d, int64_t now_ms)
{
    return d->downgraded && now_ms < d->downgrade_until_ms;
}

int score_decay_reason(const struct score_decay *d, const struct score_params *p, int64_t now_ms,
                       char *out, size_t n)
{
    int k = 0;
    size_t used = 0;
    if (n)
        out[0] = 0;
    if (d->flagged) {
        uint32_t w = score_decay_wins(d);
        int r = snprintf(out, n,
                         "flagged for review: win rate %.0f%% (%" PRIu32 "/%" PRIu32
                         ") over the last %" PRIu32 " round trips is below %.0f%%",
                         100.0 * w / d->n, w, d->n, d->n, 100.0 * p->decay_min_win_rate);
        used = r > 0 ? (size_t)r : 0;
        k++;
    }
    if (score_decay_downgraded(d, now_ms)) {
        char until[32];
        clock_format_iso(d->downgrade_until_ms, until, sizeof until);
        int r = snprintf(out + (used < n ? used : n), used < n ? n - used : 0,
                         "%sscore downgraded x%.2f: %" PRIu32
                         " consecutive losing round trips; ends at the next win or at %s",
                         k ? "; " : "", p->downgrade_factor, d->consec_losses, until);
        (void)r;
        k++;
    }
    return k;
}

static double clamp01(double x)
{
    return x < 0 ? 0 : x > 1 ? 1 : x;
}

void score_compute(const struct score_params *p, const struct metrics *m,
                   const struct metrics_timing *timing, const struct behaviour *b,
                   const struct score_decay *d, int64_t now_ms, struct score *out)
{
    memset(out, 0, sizeof *out);
    out->bot_mult = 1;
    out->decay_mult = 1;
    if (m->trades == 0)
        return;
    double *c = out->component;
    c[SCORE_C_WIN_RATE] = clamp01((m->win_rate_shrunk - 0.3) / 0.5);
    c[SCORE_C_ROI] = 0.5 + 0.5 * tanh(m->roi);
    if (m->profit_ratio_valid)
        c[SCORE_C_PROFIT_RATIO] = m->profit_ratio / (1 + m->profit_ratio);
    else
        c[SCORE_C_PROFIT_RATIO] = m->wins > 0 ? 1 : 0; /* no losses: best; no wins: worst */
    c[SCORE_C_SHARPE] = m->sharpe_valid ? 0.5 + 0.5 * tanh(m->sharpe / 3) : 0.5;
    c[SCORE_C_CONSISTENCY] = m->consistency;
    c[SCORE_C_TIMING] = timing && timing->tokens ? 1 - timing->percentile : 0.5;
    c[SCORE_C_SAMPLE] = p->sample_full ? clamp01((double)m->trades / p->sample_full) : 1;
    double s = 0;
    for (int i = 0; i < SCORE_C_COUNT; i++)
        s += p->weight[i] * c[i];
    out->raw = 100 * s;
    if (b)
        out->bot_mult = 1 - p->bot_penalty * clamp01(b->bot_score);
    if (d && score_decay_downgraded(d, now_ms))
        out->decay_mult = p->downgrade_factor;
    out->score = out->raw * out->bot_mult * out->decay_mult;
    if (out->score > 100)
        out->score = 100;
    out->confidence = m->trades >= p->high_trades     ? SCORE_CONF_HIGH
                      : m->trades >= p->medium_trades ? SCORE_CONF_MEDIUM
                                                      : SCORE_CONF_LOW;
}

const char *score_confidence_name(enum score_confidence c)
{
    switch (c) {
    case SCORE_CONF_HIGH:
        return "high";
    case SCORE_CONF_MEDIUM:
        return "medium";
    case SCORE_CONF_LOW:
        break;
    }
    return "low";
}
