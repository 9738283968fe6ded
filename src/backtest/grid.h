/* Grid search with walk-forward validation (FR66-FR67).
 *
 * A grid is one axis per setting (a list "a,b,c" or a range "lo:hi:step"),
 * every combination a point; each point's values are checked like a
 * scenario's. The search runs every point over the whole window once
 * (threads of bt_batch_run, summary mode) with checkpoints at the fold
 * boundaries, so the in-sample metrics of every fold come from that one
 * pass (bt_run_opts.checkpoints: exactly those of a run ending there).
 *
 * Walk-forward (the default): the window is cut into folds + 1 equal
 * parts at b_0 = from < b_1 < ... < b_folds+1 = to. Fold k (1..folds)
 * chooses the best point by the objective, among those meeting the
 * constraints, on [from, b_k) (in-sample, anchored) and reports it on
 * [b_k, b_k+1) (out-of-sample: a fresh account, warmed like any run).
 * The number shown is out-of-sample; the recommended point is the last
 * fold's choice (chosen on the most data). In-sample only when asked:
 * the best point over the whole window, labelled in-sample.
 *
 * Pure apart from the threads; results depend on the inputs only, never
 * on the number of threads. */
#ifndef WT_BACKTEST_GRID_H
#define WT_BACKTEST_GRID_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "backtest/batch.h"
#include "backtest/replay.h"
#include "backtest/scenario.h"

#define BT_AXIS_MAX  64 /* values per axis */
#define BT_AXES_MAX  6
#define BT_FOLDS_MAX 20

struct bt_axis {
    char name[BT_NAME_MAX];
    size_t n;
    char values[BT_AXIS_MAX][BT_VALUE_MAX];
};

/* Parses "name=a,b,c" or "name=lo:hi:step" (step > 0, lo <= hi) into an
 * axis, each value checked as a scenario setting. Returns 0, or an error
 * with err naming the problem. */
int bt_axis_parse(const char *arg, struct bt_axis *ax, char *err, size_t errsize);
/* The number of points of a grid (SIZE_MAX past 2^32). */
size_t bt_grid_points(const struct bt_axis *ax, size_t n);
/* Point i's values as overrides appended to sc (mixed radix: the first
 * axis varies fastest). */
void bt_grid_point(const struct bt_axis *ax, size_t n, size_t i, struct bt_scenario *sc);

enum bt_objective { BT_OBJ_RETURN, BT_OBJ_SHARPE, BT_OBJ_PROFIT_FACTOR, BT_OBJ_EXPECTANCY };
/* "return", "sharpe", "profit_factor", "expectancy"; parse returns 0 or
 * WT_EINVAL. */
const char *bt_objective_name(enum bt_objective o);
int bt_objective_parse(const char *s, enum bt_objective *o);
/* The objective's value (higher is better); an invalid Sharpe is -inf, an
 * infinite profit factor 1e9. */
double bt_objective_value(const struct bt_metrics *m, enum bt_objective o);

struct bt_constraints {
    uint64_t min_trades;
    double max_drawdown_pct; /* 0: none */
};
bool bt_constraints_met(const struct bt_metrics *m, const struct bt_constraints *c);

struct bt_fold {
    int64_t is_from, is_to, oos_from, oos_to;
    size_t chosen; /* point index, SIZE_MAX: no point met the constraints */
    struct bt_metrics is, oos;
    struct bt_result oos_result; /* the out-of-sample run (details) */
};

struct bt_grid_opts {
    unsigned folds; /* 1..BT_FOLDS_MAX */
    bool in_sample;
    enum bt_objective objective;
    struct bt_constraints constraints;
    unsigned threads;
    int64_t warm_ms; /* warm-up before each out-of-sample run */
    atomic_int *cancel;
    void (*progress)(void *ctx, size_t done, size_t total);
    void *progress_ctx;
};

/* Invariants: full[i] / is_at[i * folds + k] are point i's metrics over
 * the whole window / fold k's in-sample part; recommended < points or
 * SIZE_MAX. */
struct bt_grid_result {
    size_t points;
    unsigned folds;
    struct bt_metrics *full;
    struct bt_metrics *is_at;
    struct bt_fold *fold;
    size_t recommended;
    /* Out-of-sample over all folds: returns compounded, trades summed,
     * the worst drawdown, expectancy and win rate of all their trades. */
    struct bt_metrics oos;
    bool in_sample; /* the numbers are in-sample (asked for) */
};

void bt_grid_result_release(struct bt_grid_result *g);

/* Runs the search over the window [from, to) of tape t: base is the
 * run's settings without the grid (config + scenario + --set, as
 * bt_settings gives them, with cfg its configuration), axes the grid.
 * Returns 0, WT_ECLOSED (cancelled: g released), WT_EINVAL with err (a
 * point's settings refused, too short a window for the folds). */
int bt_grid_run(const struct bt_tape *t, const struct bt_watchlist *wl, const struct config *cfg,
                const struct bt_setup *base, const struct bt_axis *axes, size_t n_axes,
                int64_t from, int64_t to, const struct bt_grid_opts *o, struct bt_grid_result *g,
                char *err, size_t errsize);

#endif
