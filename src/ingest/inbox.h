/* The durable inbox: webhook bodies in, acknowledged only once stored.
 *
 * inbox_submit() decodes a Helius body (ingest/helius.h) with a decoder
 * from a small pool, hands the events to the group commit (store/gcommit.h)
 * and returns only after the transaction holding them has committed, so
 * the webhook answers 200 only for durable data (DESIGN §1, §9). Duplicates
 * (the same signature and leg) are stored once and counted. Optionally
 * every accepted body is also appended, zstd-compressed, to a daily archive
 * file for re-decoding later.
 *
 * Threads: inbox_submit() may be called from any number of threads at once
 * (the HTTP pool); everything else from the owner. */
#ifndef WT_INGEST_INBOX_H
#define WT_INGEST_INBOX_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "store/store.h"

struct inbox;

struct inbox_opts {
    unsigned commit_delay_ms; /* group commit window (0: the gcommit default) */
    size_t commit_max_rows;   /* commit early past this many events (0: default) */
    const char *archive_dir;  /* NULL or "": no archive; else bodies go to
                                 <dir>/helius-YYYYMMDD.jsonl.zst */
    int64_t max_future_ms;    /* block times allowed past the wall clock
                                 (0: HELIUS_MAX_FUTURE_MS_DEFAULT) */
    /* Optional: committed events, in commit order, on the commit thread
     * (store/gcommit.h, after_commit): the engine's feed. */
    void (*after_commit)(void *ctx, const struct event *ev, size_t n, const uint8_t *inserted);
    void *after_ctx;
};

/* What one submitted body became. */
struct inbox_result {
    size_t txs;           /* transactions in the body */
    size_t events;        /* swap + transfer events decoded */
    size_t inserted;      /* events newly stored */
    size_t duplicates;    /* events already stored (retried deliveries) */
    size_t skipped;       /* transactions that yielded no event (each kept in skipped_txs) */
    size_t txs_stored;    /* transactions with at least one event newly stored */
    size_t txs_duplicate; /* transactions whose events were all stored before */
};

/* Skip records are kept this long, and at most this many (the inbox prunes
 * them at most once an hour). */
#define INBOX_SKIP_KEEP_DAYS 30
#define INBOX_SKIP_KEEP_MAX  1000000

/* Starts the inbox on st (which must outlive it). Returns 0 and *out, or
 * WT_EIO when the commit thread or the archive folder cannot be set up. */
int inbox_start(struct store *st, const struct inbox_opts *opts, struct inbox **out);
/* Commits what is pending and frees everything. NULL is allowed. */
void inbox_stop(struct inbox *ib);

/* Decodes body[0..len) (parsed in place when cap >= len + JSON_PADDING)
 * and makes its events durable. Returns 0 with *res filled; WT_EPARSE when
 * the body is not a Helius payload (err says why; nothing is stored); a
 * store error (WT_ESTORE, ...) when the commit failed (nothing of this body
 * is stored); WT_ECLOSED while stopping. err may be NULL. */
int inbox_submit(struct inbox *ib, const char *body, size_t len, size_t cap,
                 struct inbox_result *res, char *err, size_t errsize);

/* The same for bodies fetched by polling (ingest/rpcpoll.h): stored the
 * same way, but not counted as webhook deliveries, so the poller can tell
 * whether the webhook itself is silent. */
int inbox_submit_polled(struct inbox *ib, const char *body, size_t len, size_t cap,
                        struct inbox_result *res, char *err, size_t errsize);

/* Makes already decoded events durable (a market-data feed's price
 * events, market/tokenfeed.h) through the same group commit, so they reach
 * the engine by after_commit like every other event; not a webhook
 * delivery. Returns 0 with *st filled (may be NULL), a store error, or
 * WT_ECLOSED while stopping. Any thread. */
int inbox_submit_events(struct inbox *ib, const struct event *ev, size_t n,
                        struct store_append_stats *st);

/* Monotonic time (clock_mono_ns() / 1e6, ms) of the last webhook body
 * accepted, or of the start when none was: for the RPC-polling fallback to
 * measure the webhook's silence, which a wall clock set back or forward
 * must not stretch or cut. Any thread. */
int64_t inbox_last_delivery_ms(struct inbox *ib);

/* Appends the counters (decoder reasons, commits, bodies) in Prometheus
 * text format. Any thread. */
int inbox_metrics(struct inbox *ib, struct buf *out);

#endif
