/* Keeping the engine's view of the wallet graph in step with the store.
 *
 * The clusters (src/graph, rebuilt by `walltrack graph build` and the
 * scheduled job in `serve`) reach the engine as commands, like every other
 * change of its state, so a recorded stream replays them: a reset, one
 * CMD_CLUSTER_MEMBER per member (its cluster id, leader or follower), and
 * one CMD_CLUSTER_BLACKLIST per member of a blacklisted cluster, so that
 * a wallet that joined a blacklisted cluster at the last rebuild is
 * blocked with it.
 *
 * Threads: any thread (the graph's scheduler job, the engine's load). */
#ifndef WT_TRADE_CLUSTERSYNC_H
#define WT_TRADE_CLUSTERSYNC_H

#include <stdbool.h>
#include <stddef.h>

#include "event/event.h"
#include "store/store.h"
#include "trade/runner.h"

struct clustersync_stats {
    size_t members, blacklisted; /* commands emitted of each kind */
};

/* Emits the commands above (with the reset first when with_reset) through
 * emit, which returns 0 or an error that stops the run (returned).
 * Returns 0, WT_ESTORE, or emit's error. */
int clustersync_commands(struct store *st, bool with_reset,
                         int (*emit)(void *ctx, const struct command_event *c), void *ctx,
                         struct clustersync_stats *out);
/* The same, posted to the running engine. */
int clustersync_run(struct runner *r, struct store *st, struct clustersync_stats *out);

#endif
