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
};

/* min_trades 5, Beta(2, 2) prior. */
void metrics_params_default(struct metrics_params *p);

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
    double cum_sol, peak_cum_sol, max_dd_sol;
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
    bool sharpe_valid, sortino_valid;
    double volatility;       /* daily_sd, SOL/day, not annualised */
    double max_drawdown_sol; /* largest fall of cumulative realized PnL from a peak */
    double max_drawdown;     /* max_drawdown_sol / total cost */
    double consistency;      /* positive days / active days */
    double avg_trade_sol;    /* mean cost basis of a round trip */
    double avg_hold_ms;      /* mean close - open */
    double avg_hold_days;
    int64_t first_trade_ms, last_trade_ms; /* first open, last close; 0 when none */
};

void metrics_acc_init(struct metrics_acc *a);
/* Feeds one closed round trip. Trips must come in close_ms order. */
void metrics_acc_add(struct metrics_acc *a, const struct ledger_trip *t);
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

#endif
