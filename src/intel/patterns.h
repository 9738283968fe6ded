/* Trade patterns of one wallet: accumulation, distribution, rotation and
 * arbitrage (smart-money spec, table trade_patterns).
 *
 * patterns_detect scans a wallet's fills (ledger.h, apply order) and its
 * round trips, and appends one record per detected pattern with its
 * confidence, time range, trades, volume and outcome. The definitions are
 * in docs/metrics.md ("Trade patterns"). Pure function over caller-owned
 * data; any thread. */
#ifndef WT_INTEL_PATTERNS_H
#define WT_INTEL_PATTERNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "intel/ledger.h"

enum pattern_type {
    PATTERN_ACCUMULATION = 1,
    PATTERN_DISTRIBUTION,
    PATTERN_ROTATION,
    PATTERN_ARBITRAGE,
};

enum pattern_status {
    PATTERN_ACTIVE = 1, /* the position it belongs to is still open */
    PATTERN_COMPLETED,  /* outcome known */
};

/* One detected pattern. Plain data for the store's trade_patterns table.
 * Invariant: start_ms <= end_ms; trades >= 2; 0 < confidence <= 1. */
struct pattern {
    enum pattern_type type;
    enum pattern_status status;
    double confidence;
    int64_t start_ms, end_ms;
    uint32_t wallet;
    uint32_t mint;  /* the token; for rotation the token sold */
    uint32_t mint2; /* rotation: the token bought; else LEDGER_NONE */
    uint32_t trades;
    double volume_sol;
    double avg_size_sol;
    double realized_pnl_sol; /* outcome, when completed */
    double roi;
};

struct pattern_list {
    struct pattern *v;
    size_t len, cap;
};

struct patterns_params {
    uint32_t min_run;          /* buys (sells) in a row for accumulation (distribution): 3 */
    int64_t min_span_ms;       /* ... spread over at least this long: 5 min */
    int64_t rotation_gap_ms;   /* sell A then buy B within: 30 min */
    double rotation_min_ratio; /* min(value)/max(value) of the two legs: 0.5 */
    uint64_t arb_max_slots;    /* buy and sell at most this many slots apart: 1 */
    double arb_qty_tolerance;  /* |sell qty - buy qty| / buy qty at most: 0.05 */
};

void patterns_params_default(struct patterns_params *p);

/* Appends the wallet's patterns to out (caller frees out->v with free()).
 * fills: the wallet's fills in apply order; trips: its round trips (the
 * indices in fills[].trip). Returns the number appended. */
size_t patterns_detect(const struct patterns_params *p, const struct ledger_fill *fills, size_t n,
                       const struct ledger_trip *trips, size_t n_trips, struct pattern_list *out);

const char *patterns_type_name(enum pattern_type t);     /* "accumulation", ... */
const char *patterns_status_name(enum pattern_status s); /* "active", "completed" */

#endif
