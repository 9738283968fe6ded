/* As-recorded backtests (docs/backtest.md "Fidelity"): a window of a past
 * `serve` run replayed from the engine journal (trade/journal.h) instead
 * of a scenario: the settings, exit book and restored state the run
 * started with, then every input in the order the daemon's engine took
 * it: its ticks, its commands (watchlist, blacklists, clusters, each live
 * setting change from PUT /v1/config or `backtest apply`, pauses, exit
 * strategies, manual closes) and the stored events as handed on. The same
 * engine code on the same inputs: the signals, orders and closed trades
 * are those the daemon made.
 *
 * A run is replayed from its start (the engine's state at a window's
 * start comes from everything before it); the decisions of [from, to) are
 * kept. The window must lie inside one recorded run: across a restart
 * the next run restored from a database that may have changed in between
 * (planned: chaining runs). Live runs are refused (live fills depend on
 * the chain). Checks: each run of stored events must match its recorded
 * count and key hash, so events stored by another writer, or removed
 * since, stop the replay with a message instead of a silent difference. */
#ifndef WT_BACKTEST_RECORDED_H
#define WT_BACKTEST_RECORDED_H

#include <stddef.h>
#include <stdint.h>

#include "backtest/replay.h"
#include "backtest/tape.h"
#include "base/config.h"
#include "store/store.h"

struct bt_recorded_info {
    int64_t start_row;  /* journal id of the run's start row */
    int64_t started_ms; /* the engine's creation time (wall clock) */
    int64_t last_ms;    /* engine time of the last recorded input */
    size_t ticks, commands, settings, events, runs;
    /* Stored events handed on with a time before an earlier one's: where
     * the daemon's order (arrival) and a replay by time would differ. */
    size_t out_of_order;
};

/* Replays the window [from_ms, to_ms) as recorded. keys: an empty tape
 * whose keys get every wallet and mint the run names (the result's ids);
 * settings: the run's starting configuration (a new config: release
 * it). o: cancel and progress (may be NULL). Returns 0; WT_ENOTFOUND (no
 * recorded run in the window), WT_EINVAL (the window spans a restart, a
 * live run, an empty or inverted window), WT_EPARSE (a damaged journal),
 * WT_ESTATE (the stored events differ from the journal), WT_ECLOSED
 * (cancelled), or a store error; each with err. */
int bt_recorded_run(struct store *st, int64_t from_ms, int64_t to_ms, const struct bt_run_opts *o,
                    struct bt_tape *keys, struct bt_result *r, struct config *settings,
                    struct bt_recorded_info *info, char *err, size_t errsize);

#endif
