/* JSON views of the engine's published snapshot (trade/runner.h
 * runner_snap): the only place its data becomes JSON. The shapes are
 * documented in docs/api.md (GET /v1/status "engine", GET /v1/positions,
 * GET /v1/watchlist and /v1/blacklist).
 *
 * Functions write one JSON value into a jw (base/jw.h). Any thread. */
#ifndef WT_API_SNAP_JSON_H
#define WT_API_SNAP_JSON_H

#include "base/jw.h"
#include "trade/runner.h"

/* {"mode","state","entries_allowed",...,"breakers":{...},"counters":{...}} */
void snap_json_status(struct jw *w, const struct runner_snap *s);
/* The array of open positions (engine_position_write each). */
void snap_json_positions(struct jw *w, const struct runner_snap *s);
/* One watchlist entry as the watchlist routes list it:
 * {"wallet","prior_score","copy_trades","copy_wins"}. */
void snap_json_watch_entry(struct jw *w, const struct engine_watch *x);

#endif
