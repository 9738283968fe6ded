/* Keeping the running engine's watchlist in step with the store.
 *
 * The wallets table is where discovery (intel/discovery) and curation (the
 * smart-money API, `walltrack wallets`) record their decisions; the engine
 * loads it at start and otherwise learns of changes only through commands.
 * watchsync_run() compares the store's watched and blacklisted wallets
 * with the engine's published watchlist and posts the differences as
 * commands (watch / unwatch / blacklist / unblacklist), which the engine
 * applies in order like any other event.
 *
 * Threads: any thread (the discovery scheduler, an API handler). */
#ifndef WT_TRADE_WATCHSYNC_H
#define WT_TRADE_WATCHSYNC_H

#include <stddef.h>

#include "store/store.h"
#include "trade/runner.h"

struct watchsync_stats {
    size_t watched, unwatched, blacklisted, unblacklisted; /* commands posted */
};

/* Returns 0, WT_ESTORE (reading the wallets), or the runner's error when a command could not be
 * queued. */
int watchsync_run(struct runner *r, struct store *st, struct watchsync_stats *out);

#endif
