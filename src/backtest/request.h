/* What a replay command checks and loads before it runs, shared by
 * `walltrack backtest run|batch|grid` and POST /v1/backtests (the same
 * parameters, the same checks, the same messages): the window, the
 * scenario and the settings (bt_prep_validate), a grid's axes, objective,
 * constraints and folds (bt_grid_req_parse), then the data (bt_prep_load).
 * And what a finished replay leaves: the runs saved (bt_save_*) and a
 * grid's JSON (bt_grid_json, the shape of `backtest grid --json`).
 *
 * Nothing here starts anything: every check comes before the first read
 * of the events. Any thread, on data the caller owns, with a store handle
 * that may be used from it. */
#ifndef WT_BACKTEST_REQUEST_H
#define WT_BACKTEST_REQUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "backtest/batch.h"
#include "backtest/grid.h"
#include "backtest/replay.h"
#include "backtest/scenario.h"
#include "backtest/tape.h"
#include "base/buf.h"
#include "base/config.h"
#include "store/store.h"

/* One scenario's validated request and, after bt_prep_load, its data. */
struct bt_prep {
    int64_t from, to;
    const char *from_s, *to_s; /* the caller's text (kept for messages) */
    struct bt_scenario sc, sets;
    struct bt_setup setup;
    struct config cfg; /* the run's whole configuration */
    bool have_cfg;
    struct bt_tape tape;
    struct bt_watchlist wl;
    int64_t warm;    /* warm-up before from, ms */
    int64_t started; /* wall clock when the data was loaded */
};

/* Checks the window (from_s, to_s: ISO 8601 or Unix ms), loads the
 * scenario (NULL: default) and builds the settings: base, then the
 * scenario, then sets (may be NULL). flag is how the caller names its
 * parameters in messages ("--" for the command line, "" for the API).
 * Returns 0, or an error with err naming the problem; p is then to be
 * released all the same. */
int bt_prep_validate(struct store *st, const struct config *base, const char *flag,
                     const char *from_s, const char *to_s, const char *scenario,
                     const struct bt_scenario *sets, struct bt_prep *p, char *err, size_t errsize);
/* The watchlist and the tape (through its cache in data.dir, named after
 * the database); *how says whether the tape was built, extended or read.
 * Returns 0 or a store error. */
int bt_prep_load(struct store *st, struct bt_prep *p, const char **how);
void bt_prep_release(struct bt_prep *p);

/* A grid search's validated parameters. */
struct bt_grid_req {
    struct bt_axis *axes; /* n_axes of them (owned) */
    size_t n_axes;
    size_t points;
    struct bt_grid_opts o; /* without cancel and progress */
};

/* Parses axes[0..n) ("NAME=a,b,c" or "NAME=lo:hi:step"), the objective
 * (NULL: return), the constraints, folds (<= 0: backtest.folds of cfg)
 * against cfg (backtest.max_grid_points, backtest.threads,
 * backtest.warmup_days). Returns 0, or an error with err naming the
 * problem (flag as in bt_prep_validate); g is then to be released all the
 * same. */
int bt_grid_req_parse(const char *const *axes, size_t n, const char *objective, double min_trades,
                      double max_drawdown_pct, double folds, bool in_sample,
                      const struct config *cfg, const char *flag, struct bt_grid_req *g, char *err,
                      size_t errsize);
void bt_grid_req_release(struct bt_grid_req *g);

/* Saves one run of p's scenario (sample "full") whose result r came from
 * tape t (a batch loads one tape for all). Returns 0 with *id or a store
 * error. */
int bt_save_run(struct store *st, const struct bt_prep *p, const struct bt_tape *t,
                const struct bt_result *r, int64_t batch_id, int64_t *id);
/* Saves each fold's out-of-sample run with the values it chose, as
 * "out-of-sample K/N" of batch batch_id; fold_ids[k] gets its id (0: no
 * point met the constraints). Returns 0 or a store error. */
int bt_save_grid(struct store *st, const struct bt_prep *p, const struct bt_grid_req *gr,
                 const struct bt_grid_result *g, int64_t batch_id, int64_t *fold_ids);
/* The JSON of a grid search (docs/backtest.md): sample, objective, points,
 * batch_id, axes, recommended, the out-of-sample (or in-sample) metrics,
 * the folds and every point's whole-window metrics (the heatmap). */
void bt_grid_json(const struct bt_grid_req *gr, const struct bt_grid_result *g, int64_t batch_id,
                  const int64_t *fold_ids, struct buf *out);

#endif
