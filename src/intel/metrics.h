/* Per-wallet performance metrics over closed round trips.
 *
 * Every formula is in docs/metrics.md with a worked example that
 * tests/unit/test_metrics.c checks. Metrics are computed by an accumulator
 * fed round trips in close order: the engine keeps one per wallet and feeds
 * each trip as it closes (O(1) per trip), and metrics_compute runs the same
 * accumulator over a stored trip list restricted to a time window. Nothing
 * here reads the system time: the window is an argument.
 *
 * Pure functions over caller-owned data; any thread. */
#ifndef WT_INTEL_METRICS_H
#define WT_INTEL_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/clock.h"
#include "intel/ledger.h"

struct metrics_params {
    uint32_t min_trades; /* win rate is "valid" from this many round trips */
    double prior_wins;   /* Beta prior alpha for the shrunk win rate */
    double prior_losses; /* Beta prior beta */
    uint32_t min_days;   /* Sharpe, Sortino, volatility: from this many active days */
};

/* min_trades 5, min_days 7, Beta(2, 2) prior. */
void metrics_params_default(struct metrics_params *p);

struct config;
/* The defaults with the minimums of the settings metrics.min_trades and
 * metrics.min_days. */
void metrics_params_from_config(const struct config *cfg, struct metrics_params *p);

/* Running state. Invariants: wins + losses == n; days counts finished
 * days only (the day `cur_day` is still open); max_dd_sol >= 0;
 * peak_cum_sol >= 0 and >= cum_sol - max_dd_sol. Plain data (a store can
 * persist it). */
struct metrics_acc {
    uint32_t n, wins, losses, n_unknown;
    uint32_t days, active_days, positive_days;
    int64_t first_open_ms, last_close_ms, cur_day;
    double pnl_sol, cost_sol, sum_win, sum_loss, sum_hold_ms;
    double pnl_usd, cost_usd;
    uint32_t n_usd;
    double cum_sol, peak_cum_sol, max_dd_sol, max_dd_peak_sol;
    /* The realized PnL curve fed sell by sell (metrics_acc_realize); when
     * it has points the drawdown comes from it instead of the trips'. */
    uint32_t n_real;
    double real_cum, real_peak, real_dd_sol, real_dd_peak;
    double cur_day_pnl;
    double day_mean, day_m2, day_down_sq; /* Welford over finished days */
};

struct metrics {
    uint32_t trades; /* closed round trips with known basis */
    uint32_t wins, losses;
    uint32_t unknown_basis_trips; /* excluded from everything below */
    double total_pnl_sol;         /* realized, over the trips */
    double total_pnl_usd;         /* over trips with USD values (see usd_trades) */
    uint32_t usd_trades;
    double roi;                       /* total_pnl_sol / total cost */
    double win_rate;                  /* wins / trades; 0 when no trades */
    bool win_rate_valid;              /* trades >= min_trades */
    double win_rate_shrunk;           /* (wins + a) / (trades + a + b) */
    double avg_win_sol, avg_loss_sol; /* avg_loss is positive */
    double profit_ratio;              /* avg_win / avg_loss */
    bool profit_ratio_valid;          /* wins > 0 and losses > 0 */
    uint32_t days;                    /* length of the daily series */
    double daily_mean, daily_sd, downside_dev;
    double sharpe, sortino; /* annualised by sqrt(365) */
    /* valid: days >= 2, active_days >= min_days and a nonzero spread
     * (Sortino: a nonzero downside, i.e. at least one losing day) */
    bool sharpe_valid, sortino_valid;
    uint32_t active_days;         /* days with at least one closed round trip */
    double volatility;            /* daily_sd, SOL/day, not annualised */
    bool volatility_valid;        /* days >= 2 and active_days >= min_days */
    double max_drawdown_sol;      /* largest fall of the cumulative realized PnL from a peak */
    double max_drawdown_peak_sol; /* the peak that fall started from */
    double max_drawdown;          /* max_drawdown_sol / max_drawdown_peak_sol */
    bool max_drawdown_valid;      /* that peak > 0 */
    double consistency;           /* positive days / active days */
    double avg_trade_sol;         /* mean cost basis of a round trip */
    double avg_hold_ms;           /* mean close - open */
    double avg_hold_days;
    int64_t first_trade_ms, last_trade_ms; /* first open, last close; 0 when none */
};

void metrics_acc_init(struct metrics_acc *a);
/* Feeds one closed round trip. Trips must come in close_ms order. */
void metrics_acc_add(struct metrics_acc *a, const struct ledger_trip *t);
/* Feeds the realized PnL of one sell (ledger_fill.realized_sol, partial
 * sells and leftover-token sales included), in time order: the points of
 * the wallet's cumulative realized PnL curve the drawdown is measured on. */
void metrics_acc_realize(struct metrics_acc *a, double realized_sol);
/* Computes the metrics of what was fed; a is unchanged. */
void metrics_acc_finish(const struct metrics_acc *a, const struct metrics_params *p,
                        struct metrics *out);

/* Metrics of the trips whose close_ms is in [from_ms, to_ms), in the
 * order given (close order). Pass INT64_MIN / INT64_MAX for all time. */
void metrics_compute(const struct ledger_trip *trips, size_t n, int64_t from_ms, int64_t to_ms,
                     const struct metrics_params *p, struct metrics *out);

/* Entry timing of a wallet over every mint it bought.
 * percentile: mean of rank / buyers (0 = first buyer, towards 1 = last);
 * entry_vs_peak: mean of first-buy price / the mint's peak price seen;
 * pre_peak_share: share of its mints first bought before the peak time. */
struct metrics_timing {
    uint32_t tokens;
    double percentile;
    double entry_vs_peak;
    double pre_peak_share;
};
void metrics_timing(const struct ledger *l, uint32_t wallet, struct metrics_timing *out);
/* The same one position at a time (for a caller already walking them):
 * zero out and n_peak, add every position in ledger_pos_next order, then
 * finish. metrics_timing is exactly this. */
void metrics_timing_add(struct metrics_timing *out, uint32_t *n_peak,
                        const struct ledger_position *v, const struct ledger_mint *m);
void metrics_timing_finish(struct metrics_timing *out, uint32_t n_peak);

#endif
