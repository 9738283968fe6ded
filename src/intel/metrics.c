/* Performance metrics of a wallet, from its closed round trips.
 *
 * Why an accumulator: the engine applies swaps live and must keep every
 * wallet's metrics current at O(1) per closed trip, while the API and the
 * snapshots need the same numbers over time windows from stored trips. Both
 * go through metrics_acc_add, so the two can never disagree.
 *
 * The daily series: UTC days (close_ms / 86,400,000) from the day of the
 * first trip to the day of the last, days without trips counting as zero.
 * Finished days enter a Welford accumulator; a run of k empty days is
 * merged in one step (a group of k zeros has mean 0 and no spread). */
#include "intel/metrics.h"

#include <math.h>
#include <string.h>

#include "base/config.h"

void metrics_params_default(struct metrics_params *p)
{
    p->min_trades = 5;
    p->min_days = 7;
    p->prior_wins = 2;
    p->prior_losses = 2;
}

void metrics_params_from_config(const struct config *cfg, struct metrics_params *p)
{
    metrics_params_default(p);
    p->min_trades = (uint32_t)config_int(cfg, CFG_METRICS_MIN_TRADES);
    p->min_days = (uint32_t)config_int(cfg, CFG_METRICS_MIN_DAYS);
}

void metrics_acc_init(struct metrics_acc *a)
{
    memset(a, 0, sizeof *a);
    a->cur_day = INT64_MIN;
}

static int64_t day_of(int64_t ms)
{
    return ms >= 0 ? ms / MS_PER_DAY : -((-ms + MS_PER_DAY - 1) / MS_PER_DAY);
}

/* Adds k days of value x to the Welford state (Chan et al. merge). */
static void days_add(struct metrics_acc *a, double x, uint64_t k)
{
    if (k == 0)
        return;
    double n_a = a->days, n_b = (double)k, n = n_a + n_b;
    double delta = x - a->day_mean;
    a->day_mean += delta * n_b / n;
    a->day_m2 += delta * delta * n_a * n_b / n;
    a->days += (uint32_t)k;
    if (x < 0)
        a->day_down_sq += x * x * n_b;
}

void metrics_acc_add(struct metrics_acc *a, const struct ledger_trip *t)
{
    if (t->flags & LEDGER_TRIP_UNKNOWN_BASIS) {
        a->n_unknown++;
        return;
    }
    int64_t d = day_of(t->close_ms);
    if (a->cur_day == INT64_MIN) {
        a->cur_day = d;
        a->first_open_ms = t->open_ms;
        a->active_days = 1;
    } else if (d > a->cur_day) {
        days_add(a, a->cur_day_pnl, 1);
        if (a->cur_day_pnl > 0)
            a->positive_days++;
        days_add(a, 0, (uint64_t)(d - a->cur_day - 1));
        a->cur_day = d;
        a->cur_day_pnl = 0;
        a->active_days++;
    }
    if (t->open_ms < a->first_open_ms)
        a->first_open_ms = t->open_ms;
    a->cur_day_pnl += t->pnl_sol;
    a->n++;
    if (t->pnl_sol > 0) {
        a->wins++;
        a->sum_win += t->pnl_sol;
    } else {
        a->losses++;
        a->sum_loss += -t->pnl_sol;
    }
    a->pnl_sol += t->pnl_sol;
    a->cost_sol += t->cost_sol;
    if (t->flags & LEDGER_TRIP_USD) {
        a->pnl_usd += t->pnl_usd;
        a->cost_usd += t->cost_usd;
        a->n_usd++;
    }
    a->sum_hold_ms += (double)(t->close_ms - t->open_ms);
    a->cum_sol += t->pnl_sol;
    if (a->cum_sol > a->peak_cum_sol)
        a->peak_cum_sol = a->cum_sol;
    if (a->peak_cum_sol - a->cum_sol > a->max_dd_sol) {
        a->max_dd_sol = a->peak_cum_sol - a->cum_sol;
        a->max_dd_peak_sol = a->peak_cum_sol;
    }
    if (t->close_ms > a->last_close_ms || a->n == 1)
        a->last_close_ms = t->close_ms;
}

void metrics_acc_realize(struct metrics_acc *a, double realized_sol)
{
    a->n_real++;
    a->real_cum += realized_sol;
    if (a->real_cum > a->real_peak)
        a->real_peak = a->real_cum;
    if (a->real_peak - a->real_cum > a->real_dd_sol) {
        a->real_dd_sol = a->real_peak - a->real_cum;
        a->real_dd_peak = a->real_peak;
    }
}

void metrics_acc_finish(const struct metrics_acc *acc, const struct metrics_params *p,
                        struct metrics *m)
{
    struct metrics_acc a = *acc;
    memset(m, 0, sizeof *m);
    m->unknown_basis_trips = a.n_unknown;
    /* The drawdown: on the sell-by-sell realized curve when fed, else on
     * the trips' cumulative PnL. */
    m->max_drawdown_sol = a.n_real ? a.real_dd_sol : a.max_dd_sol;
    m->max_drawdown_peak_sol = a.n_real ? a.real_dd_peak : a.max_dd_peak_sol;
    m->max_drawdown_valid = m->max_drawdown_peak_sol > 0;
    m->max_drawdown = m->max_drawdown_valid ? m->max_drawdown_sol / m->max_drawdown_peak_sol : 0;
    if (a.n == 0)
        return;
    /* close the open day */
    days_add(&a, a.cur_day_pnl, 1);
    if (a.cur_day_pnl > 0)
        a.positive_days++;

    m->trades = a.n;
    m->wins = a.wins;
    m->losses = a.losses;
    m->total_pnl_sol = a.pnl_sol;
    m->total_pnl_usd = a.pnl_usd;
    m->usd_trades = a.n_usd;
    m->roi = a.cost_sol > 0 ? a.pnl_sol / a.cost_sol : 0;
    m->win_rate = (double)a.wins / a.n;
    m->win_rate_valid = a.n >= p->min_trades;
    m->win_rate_shrunk = (a.wins + p->prior_wins) / (a.n + p->prior_wins + p->prior_losses);
    m->avg_win_sol = a.wins ? a.sum_win / a.wins : 0;
    m->avg_loss_sol = a.losses ? a.sum_loss / a.losses : 0;
    m->profit_ratio_valid = a.wins > 0 && a.losses > 0 && m->avg_loss_sol > 0;
    m->profit_ratio = m->profit_ratio_valid ? m->avg_win_sol / m->avg_loss_sol : 0;
    m->days = a.days;
    m->daily_mean = a.day_mean;
    m->daily_sd = a.days >= 2 ? sqrt(a.day_m2 / (a.days - 1)) : 0;
    m->downside_dev = sqrt(a.day_down_sq / a.days);
    m->active_days = a.active_days;
    bool enough = a.days >= 2 && a.active_days >= p->min_days;
    m->sharpe_valid = enough && m->daily_sd > 0;
    m->sharpe = m->sharpe_valid ? m->daily_mean / m->daily_sd * sqrt(365.0) : 0;
    m->sortino_valid = enough && m->downside_dev > 0;
    m->sortino = m->sortino_valid ? m->daily_mean / m->downside_dev * sqrt(365.0) : 0;
    m->volatility_valid = enough;
    m->volatility = enough ? m->daily_sd : 0;
    m->consistency = a.active_days ? (double)a.positive_days / a.active_days : 0;
    m->avg_trade_sol = a.cost_sol / a.n;
    m->avg_hold_ms = a.sum_hold_ms / a.n;
    m->avg_hold_days = m->avg_hold_ms / (double)MS_PER_DAY;
    m->first_trade_ms = a.first_open_ms;
    m->last_trade_ms = a.last_close_ms;
}

void metrics_compute(const struct ledger_trip *trips, size_t n, int64_t from_ms, int64_t to_ms,
                     const struct metrics_params *p, struct metrics *out)
{
    struct metrics_acc a;
    metrics_acc_init(&a);
    for (size_t i = 0; i < n; i++)
        if (trips[i].close_ms >= from_ms && trips[i].close_ms < to_ms)
            metrics_acc_add(&a, &trips[i]);
    metrics_acc_finish(&a, p, out);
}

void metrics_timing_add(struct metrics_timing *out, uint32_t *n_peak,
                        const struct ledger_position *v, const struct ledger_mint *m)
{
    if (v->buy_rank == LEDGER_NONE)
        return;
    out->tokens++;
    out->percentile += (double)v->buy_rank / m->n_buyers;
    if (m->peak_price_sol > 0 && v->first_buy_price_sol > 0) {
        (*n_peak)++;
        out->entry_vs_peak += v->first_buy_price_sol / m->peak_price_sol;
        if (v->first_buy_ms < m->peak_ms)
            out->pre_peak_share += 1;
    }
}

void metrics_timing_finish(struct metrics_timing *out, uint32_t n_peak)
{
    if (out->tokens)
        out->percentile /= out->tokens;
    if (n_peak) {
        out->entry_vs_peak /= n_peak;
        out->pre_peak_share /= n_peak;
    }
}

void metrics_timing(const struct ledger *l, uint32_t wallet, struct metrics_timing *out)
{
    memset(out, 0, sizeof *out);
    struct ledger_position v;
    uint32_t n_peak = 0;
    for (uint32_t c = ledger_pos_next(l, wallet, LEDGER_NONE, &v); c != LEDGER_NONE;
         c = ledger_pos_next(l, wallet, c, &v))
        metrics_timing_add(out, &n_peak, &v, ledger_mint(l, v.mint));
    metrics_timing_finish(out, n_peak);
}
