/* Replaying a simulated market into a webhook in simulated real time.
 *
 * sim_stream_run() walks a struct sim from where it stands and POSTs each
 * transaction's Helius body to a webhook URL (walltrack's own
 * /webhooks/helius, or any receiver), `speed` times faster than simulated
 * time. Transactions that fall due together are sent together in one body,
 * as Helius batches them. Transactions before `live_from_ms` are not sent
 * but handed to the `history` callback as fast as they come, so a caller
 * can load the past directly (the demo's warm-up) and stream the rest.
 *
 * Threads: runs on the caller's thread until the market ends, stop is
 * stopped (waiter_stop, any thread), or a delivery fails for good. */
#ifndef WT_SIM_STREAM_H
#define WT_SIM_STREAM_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/waiter.h"
#include "sim/sim.h"

struct sim_stream_opts {
    const char *url;      /* full webhook URL */
    const char *secret;   /* sent as the Authorization header; may be "" */
    double speed;         /* simulated seconds per wall second; <= 0: no waiting */
    size_t max_batch;     /* most transactions in one body (0: 100) */
    int64_t live_from_ms; /* earlier transactions go to history(), not the URL */
    /* Called for each transaction before live_from_ms with its webhook body;
     * returns 0 to continue. May be NULL (they are then dropped). */
    int (*history)(void *ctx, const struct sim_tx *tx, const char *json, size_t len);
    void *ctx;
    struct waiter *stop; /* the pacing sleeps on it; waiter_stop ends the run; may be NULL */
};

struct sim_stream_stats {
    uint64_t history_txs; /* handed to history() */
    uint64_t posted_txs;  /* delivered and answered 2xx */
    uint64_t bodies;      /* POSTs answered 2xx */
    uint64_t retried;     /* POSTs that needed a retry */
    int64_t last_ts_ms;   /* simulated time of the last transaction handled */
};

/* Runs the stream. Returns 0 when the market ended or stop was stopped;
 * WT_EREMOTE / WT_ENET when a delivery was refused or failed after
 * retries (err says which, secrets redacted); the history callback's
 * nonzero value. stats may be NULL. */
int sim_stream_run(struct sim *s, const struct sim_stream_opts *o, struct sim_stream_stats *stats,
                   char *err, size_t errsize);

#endif
