/* Keeping the Helius webhook's account addresses in line with the
 * watchlist.
 *
 * The wallets table is where discovery, curation and the operator record
 * which wallets are watched; Helius only delivers the swaps of the
 * addresses registered on the webhook. hooksync_run() brings the two in
 * line: it reads the watched wallets from the store, lists this API key's
 * webhooks (GET /v0/webhooks), finds ours by its delivery URL
 * (helius.webhook_url), and when its accountAddresses differ from the
 * watchlist replaces them in one request (PUT /v0/webhooks/{id}; POST when
 * there is no webhook yet, DELETE when the watchlist is empty), then lists
 * again to verify that Helius holds exactly the watched set. When the two
 * already agree it sends nothing but the list: running it again is
 * harmless (idempotent).
 *
 * hooksync_notify() is called after every watchlist change; the sync
 * thread waits until no change has come for `debounce_ms` (at most ten
 * times that after the first), so a burst of changes (a discovery run
 * that watches fifty wallets, an operator curating a page) costs one
 * update carrying all of them. The thread also re-checks every
 * `interval_s` (catching changes made by another process, such as
 * `walltrack wallets`), and retries a failed sync after `retry_s`.
 *
 * on_state is called whenever the outcome flips (in sync <-> failing), on
 * the sync thread: the daemon raises an alert and turns the RPC-polling
 * fallback on for the watched wallets while it fails.
 *
 * Several daemons on one PostgreSQL share one webhook: with `may_run` set
 * (the daemon passes "this node holds the trading lock"), the thread's
 * runs happen only while it answers yes. A run that falls due on a node
 * that may not run is put off, the status says `standby`, and the thread
 * asks again every second, so a standby that takes the lock runs the sync
 * it put off within a second (a standby has one put off from its start).
 * A standby's watchlist changes reach Helius at the leader's next periodic
 * check (`interval_s`). hooksync_run called directly (the CLI) is not
 * gated.
 *
 * Threads: hooksync_run may be called from any thread (runs are
 * serialised); hooksync_notify and hooksync_status from any thread. */
#ifndef WT_INGEST_HOOKSYNC_H
#define WT_INGEST_HOOKSYNC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/httpc.h"
#include "store/store.h"

struct hooksync;

struct hooksync_status {
    bool in_sync;      /* the last run verified registered == watched */
    bool ran;          /* at least one run finished */
    size_t watched;    /* watched wallets at the last run */
    size_t registered; /* addresses Helius held at the last read-back */
    char webhook_id[128];
    int64_t last_run_ms; /* wall time of the last run's end, 0 if none */
    int64_t last_ok_ms;  /* wall time of the last successful run, 0 if none */
    bool standby;        /* a run is due and may_run says this node may not sync */
    uint64_t runs, failures;
    uint64_t updates;  /* creates, updates and deletes sent */
    uint64_t requests; /* HTTP requests sent to Helius, in all */
    char error[256];   /* why the last run failed ("" when it did not) */
};

struct hooksync_opts {
    const char *api_url;           /* helius.api_url */
    const char *api_key;           /* non-empty */
    const char *webhook_url;       /* where Helius delivers; identifies our webhook */
    const char *auth_header;       /* helius.webhook_secret, may be "" */
    const struct httpc_opts *http; /* NULL: httpc's defaults */
    unsigned debounce_ms;          /* quiet time after a change (0: 2000) */
    unsigned interval_s;           /* periodic re-check; 0: only on change */
    unsigned retry_s;              /* after a failure (0: 30) */
    void (*on_state)(void *ctx, const struct hooksync_status *s);
    void *ctx;
    /* NULL: the thread always runs; else it runs only while this answers
     * true (called on the sync thread, must be cheap). */
    bool (*may_run)(void *gate_ctx);
    void *gate_ctx;
};

/* st must outlive it. The strings are copied. Never NULL. */
struct hooksync *hooksync_new(struct store *st, const struct hooksync_opts *o);
void hooksync_free(struct hooksync *h);

/* One sync now, on the caller's thread. Returns 0 when Helius was verified
 * to hold exactly the watched wallets, else WT_ESTORE, WT_EREMOTE (Helius
 * refused, or the read-back differs), WT_EPARSE or httpc's codes; the
 * status (hooksync_status) says more. on_state is called if the outcome
 * flipped. */
int hooksync_run(struct hooksync *h);

/* Starts / stops the sync thread (a first sync is due debounce_ms after
 * the start). */
int hooksync_start(struct hooksync *h);
void hooksync_stop(struct hooksync *h);

/* The watchlist changed: sync after the debounce. h may be NULL (no-op). */
void hooksync_notify(struct hooksync *h);
/* New credentials (a reload): the Helius API key and the Authorization
 * value registered with the webhook, each copied; NULL keeps the current
 * one. The next run uses them (a run in progress finishes with the old
 * ones); a changed secret is registered with Helius by that run, since
 * the webhook's authHeader then differs. Any thread; NULL h is a no-op. */
void hooksync_set_keys(struct hooksync *h, const char *api_key, const char *auth_header);

void hooksync_status(struct hooksync *h, struct hooksync_status *out);

#endif
