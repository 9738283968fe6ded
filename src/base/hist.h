/* Latency histograms for /metrics, in the Prometheus text format: a fixed
 * set of process-wide histograms (one per hist_id), each with the same
 * bucket bounds in seconds, observed from any thread with atomic counters
 * (no lock on the hot path: an observation is three atomic adds).
 *
 * Why a fixed set in base/: the code that observes (the webhook route in
 * api/, the group commit in store/, the engine's bridge in alert/) and the
 * code that writes /metrics (api/) sit in different layers; the registry
 * must be below all of them. base/: no logging. */
#ifndef WT_BASE_HIST_H
#define WT_BASE_HIST_H

#include <stdint.h>

#include "base/buf.h"

enum hist_id {
    HIST_WEBHOOK_ACK,     /* a Helius delivery: request handled to acknowledgement */
    HIST_STORE_COMMIT,    /* one group commit of the inbox */
    HIST_SIGNAL_TO_ORDER, /* the copied wallet's swap to our order */
    HIST_N,
};

/* Adds one observation of ns nanoseconds (negative counts as 0). Any
 * thread. */
void hist_observe_ns(enum hist_id h, int64_t ns);
/* Appends every histogram (# HELP, # TYPE, _bucket{le=...}, _sum, _count)
 * to out. Returns 0 or the buf error. Any thread. */
int hist_write_all(struct buf *out);
/* The count of observations of h (tests). */
uint64_t hist_count(enum hist_id h);

#endif
