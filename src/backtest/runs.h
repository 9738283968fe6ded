/* Stored backtest runs: a run's row in backtest_runs (its scenario, the
 * exact settings, the data range and the metrics) with its details in
 * backtest_run_items (signals, closed trades, the equity curve, trade/perf's
 * JSON, the settings and the overrides), all written in one transaction
 * (store_backtest_put): a cancelled or failed run leaves nothing behind.
 *
 * The JSON shapes are in docs/backtest.md; `walltrack backtest show
 * --json` and the API print them as built here. Any thread with its own
 * store handle. */
#ifndef WT_BACKTEST_RUNS_H
#define WT_BACKTEST_RUNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "backtest/replay.h"
#include "backtest/scenario.h"
#include "backtest/tape.h"
#include "base/buf.h"
#include "base/config.h"
#include "store/store.h"

/* What a run was, besides its result. sample: "full" for a plain run,
 * "in-sample" / "out-of-sample" for a walk-forward fold's two halves. */
struct bt_run_info {
    const struct bt_scenario *scenario;
    const struct bt_scenario *sets; /* the command line's --set (may be NULL) */
    const struct config *settings;  /* the run's whole configuration */
    int64_t from_ms, to_ms;
    int64_t started_ms, finished_ms;
    const char *sample;
    int64_t batch_id; /* 0: none; else the id shared by a batch's runs */
    bool orders;      /* save the result's orders (as-recorded runs) */
};

/* Saves a run. Returns 0 with *id, or a store error. */
int bt_run_save(struct store *st, const struct bt_run_info *info, const struct bt_tape *t,
                const struct bt_result *r, int64_t *id);

/* The whole of a run as JSON (appended to out): the row's fields, the
 * scenario's name, the settings, overrides, metrics, and with details
 * also signals, trades, curve and perf. Returns 0, WT_ENOTFOUND,
 * WT_ESTORE, WT_EPARSE (a damaged row). */
int bt_run_json(struct store *st, int64_t id, bool details, struct buf *out);

/* Calls fn for each stored run, oldest first, with its row. Returns 0,
 * fn's nonzero return, or a store error. */
int bt_run_each(struct store *st, int (*fn)(void *ctx, const struct backtest_run_row *r),
                void *ctx);

/* The headline of a stored run, for the lists: its scenario's name and
 * what the row's results say of its window, sample, batch and return;
 * what the results lack stays 0 (the sample "full"). */
struct bt_run_headline {
    char scenario[BT_NAME_MAX];
    int64_t from_ms, to_ms, batch_id;
    char sample[48];
    double return_pct;
};
void bt_run_headline_of(struct store *st, const struct backtest_run_row *r,
                        struct bt_run_headline *h);

/* Every stored run, oldest first, as the JSON array of `backtest list
 * --json` and GET /v1/backtest/runs: id, scenario, window, sample,
 * batch_id and the headline metrics. Returns 0 or a store error. */
int bt_runs_list_json(struct store *st, struct buf *out);
/* Every scenario (the presets first) as a JSON array of {name, builtin,
 * params}. Returns 0 or a store error. */
int bt_scenarios_list_json(struct store *st, struct buf *out);

/* The name of a stored scenario by row id into out ("?" if gone). */
void bt_scenario_name_of(struct store *st, int64_t id, char *out, size_t n);

#endif
