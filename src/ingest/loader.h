/* Bulk loading of Helius bodies into the store: decode, batch, append,
 * count. Used by `walltrack import`, `walltrack backfill` and the demo's
 * warm-up; the webhook uses the inbox instead (it must answer per body
 * after a group commit).
 *
 * Each flush is one store transaction, so an interrupted load leaves whole
 * batches, and loading the same data again only adds duplicates counts.
 * Threads: one loader per thread. */
#ifndef WT_INGEST_LOADER_H
#define WT_INGEST_LOADER_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "ingest/helius.h"
#include "store/store.h"

struct loader {
    struct store *st;
    struct helius_decoder *dec;
    struct helius_out out;
    struct helius_counters counters; /* everything decoded so far */
    struct store_append_stats totals;
    size_t bad_bodies;   /* bodies that were not Helius payloads */
    size_t batch_events; /* flush past this many pending events */
};

/* Prepares a loader on st (which must outlive it). batch_events 0: 5000. */
void loader_init(struct loader *l, struct store *st, size_t batch_events);
void loader_release(struct loader *l);

/* Decodes one body (array, object or JSON-RPC response) and appends its
 * events once enough are pending. A body that is not a payload is counted
 * in bad_bodies and its reason written to err (errsize bytes); that is not
 * an error of the load: returns 0. Returns a store error when a flush
 * failed (nothing of that batch is stored). */
int loader_add(struct loader *l, const char *body, size_t len, size_t cap, char *err,
               size_t errsize);
/* Appends whatever is pending. Returns 0 or the store's error. */
int loader_flush(struct loader *l);
/* Appends what is pending in the opposite order of its transactions, each
 * one's events in their own order: a page listed newest first (Helius'
 * history, getSignaturesForAddress) is stored oldest first, so the store's
 * order (block time, then insertion) replays the transactions of one
 * block time as the chain ran them (a launch slot's first buy first). Call
 * it once per such page. Returns 0 or the store's error. */
int loader_flush_reversed(struct loader *l);
/* One-line summary: transactions, events stored, duplicates, skips by
 * reason, bad bodies. */
int loader_summary(const struct loader *l, struct buf *out);

#endif
