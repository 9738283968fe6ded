/* Group commit: many submitters, one writer thread, one transaction.
 *
 * The webhook handlers must not answer before their events are durable,
 * and a transaction per request would cost a commit per request. So each
 * submitter hands its batch to gcommit_submit() and blocks; one writer
 * thread takes everything pending (everything that arrived while the
 * previous commit ran, or, with max_delay_ms, within that long of the
 * first pending batch, up to max_rows), appends it all with
 * store_append_batches() in ONE transaction, and then wakes every submitter
 * of that transaction with the same result. A submitter therefore learns of
 * success only after the commit, and a failed commit fails every batch in
 * it, none of which is visible (DESIGN §2, issue 3 item 4). */
#ifndef WT_STORE_GCOMMIT_H
#define WT_STORE_GCOMMIT_H

#include <stddef.h>
#include <stdint.h>

#include "event/event.h"
#include "store/store.h"

struct gcommit;

struct gcommit_opts {
    /* 0: commit as soon as the writer is free; batches that arrive during a
     * commit form the next one (no added latency). > 0: also wait up to
     * this long after the first pending batch for more to join. */
    unsigned max_delay_ms;
    size_t max_rows; /* commit as soon as this many events are pending (0: 10000) */
    /* Optional: called on the writer thread after each successful commit,
     * once per batch of that transaction in submission order, before the
     * submitters are woken, with the batch's events and which of them were
     * newly stored (1) or duplicates (0). This is how committed events
     * reach the engine in commit order (DESIGN §2); it may block (back
     * pressure on the webhook) but must not call gcommit_submit. */
    void (*after_commit)(void *ctx, const struct event *ev, size_t n, const uint8_t *inserted);
    void *after_ctx;
};

/* Counters since start, for the status page and the tests. */
struct gcommit_stats {
    uint64_t commits; /* transactions attempted */
    uint64_t failed;  /* transactions that failed */
    uint64_t batches; /* submitted batches committed or failed */
    uint64_t events;
    uint64_t max_batches_per_commit;
};

/* Starts the writer thread on `st` (which must outlive the gcommit). opts
 * may be NULL. Returns 0 and *out, or WT_EIO when the thread cannot start. */
int gcommit_start(struct store *st, const struct gcommit_opts *opts, struct gcommit **out);

/* Hands over ev[0..n) and blocks until the transaction that holds them has
 * committed or failed. The events are read by the writer thread while the
 * caller waits, so they must stay valid and unchanged until this returns.
 * stats (may be NULL) receives this batch's inserted/duplicate counts.
 * A batch with an event the store would refuse (store_event_valid) is
 * refused at once with WT_EINVAL and joins no transaction, so it cannot
 * fail the others. Returns 0 (durable), WT_EINVAL, the store's error for
 * the whole transaction (WT_ESTORE), or WT_ECLOSED after gcommit_stop.
 * Any thread. */
int gcommit_submit(struct gcommit *g, const struct event *ev, size_t n,
                   struct store_append_stats *stats);
/* The same, with skip records written in the same transaction (skips may
 * be NULL with n_skips 0; a record that is not printable text refuses the
 * batch with WT_EINVAL), and the per-event outcome: inserted (may be NULL,
 * else n entries) gets 1 for each event newly stored, 0 for a duplicate. */
int gcommit_submit_ex(struct gcommit *g, const struct event *ev, size_t n,
                      const struct store_skip *skips, size_t n_skips, uint8_t *inserted,
                      struct store_append_stats *stats);

/* Copies the counters. Any thread. */
void gcommit_get_stats(struct gcommit *g, struct gcommit_stats *out);

/* Commits whatever is pending, stops the thread and frees g. Submitters
 * still blocked get their result first; later submits are refused. Call
 * once, from the owner. NULL is allowed. */
void gcommit_stop(struct gcommit *g);

#endif
