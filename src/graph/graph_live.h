/* The wallet graph's edges kept current from the event stream between
 * rebuilds (issue 17 item 2; docs/intelligence.md, "Incremental edges").
 *
 * A struct graph_live holds what the edge rules of graph.h need (every
 * swap and transfer seen since its cutoff, compactly, and the evidence of
 * every pair) and
 * applies each new event at once: a transfer can make a FUNDED_BY or
 * SWEEP edge, a buy a FUNDED_BY edge (a transfer within fund_window before
 * it), SYNCED_BUY and CO_EARLY evidence, and a wallet's new mint changes
 * the Jaccard weight of its pair edges. graph_live_changes then gives the
 * edges that changed since its last call, for the store.
 *
 * The result is the same edge set as graph_build_edges over the same
 * events, whatever their order: an event that arrives out of order in a
 * way the incremental rules cannot absorb (a swap before the first trade
 * of a wallet that already has later transfers, an earlier first buy of a
 * (wallet, mint), an earlier buyer entering a mint's first early_n, a
 * transfer before a later one going the other way) makes the next
 * graph_live_changes replay every event in time order (counted in
 * replays). Cluster membership is not changed here: a new wallet joins a
 * cluster at the next rebuild (graph_run).
 *
 * Owned by one thread. */
#ifndef WT_GRAPH_GRAPH_LIVE_H
#define WT_GRAPH_GRAPH_LIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/vec.h"
#include "event/event.h"
#include "graph/graph.h"

struct graph_live;

/* p is copied (its hubs string too). Returns NULL with WT_EINVAL in *rc
 * when graph.hubs has an entry that is not an address. */
struct graph_live *graph_live_new(const struct graph_params *p, int *rc);
void graph_live_free(struct graph_live *gl);

void graph_live_add_swap(struct graph_live *gl, const struct swap_event *s);
void graph_live_add_transfer(struct graph_live *gl, const struct transfer_event *t);

/* One changed edge: its new state, or removed. a, b are ids for
 * graph_live_key; undirected kinds have the smaller key first. */
struct graph_live_change {
    struct graph_edge e;
    bool removed;
};

struct graph_live_change_vec {
    struct graph_live_change *v;
    size_t len, cap;
};
struct graph_edge_vec {
    struct graph_edge *v;
    size_t len, cap;
};

/* Appends to *out every edge that appeared, changed (count, weight, first
 * or last seen) or disappeared since the previous call (the first call:
 * every edge), and takes them as written. */
void graph_live_changes(struct graph_live *gl, struct graph_live_change_vec *out);

/* Every current edge, sorted by (kind, a's key, b's key), into *out
 * (replacing it). For tests and checks. */
void graph_live_edges(struct graph_live *gl, struct graph_edge_vec *out);

const uint8_t *graph_live_key(const struct graph_live *gl, uint32_t w);

/* The window (graph.window_days, graph_window_cutoff): events before
 * cutoff_ms are forgotten, and those given later are ignored (counted in
 * too_old). Raising the cutoff rebuilds gl from the events it keeps, so
 * that what no kept event refers to (wallets, mints, pair evidence) is
 * freed; wallet ids change with it, so the caller rewrites every stored
 * edge from graph_live_edges (the next graph_live_changes call reports
 * every current edge, and none of those that disappeared). The result is
 * the edge set graph_build_edges gives over the events at or after the
 * cutoff. A cutoff at or below the current one does nothing. */
void graph_live_set_cutoff(struct graph_live *gl, int64_t cutoff_ms);
int64_t graph_live_cutoff(const struct graph_live *gl); /* INT64_MIN: none */
/* The latest swap time given (kept or not), INT64_MIN before any. */
int64_t graph_live_latest(const struct graph_live *gl);

struct graph_live_stats {
    size_t swaps, transfers;           /* given, repeats included */
    size_t swaps_kept, transfers_kept; /* distinct records held (see graph_live.c, "repeats") */
    size_t wallets, replays;
    size_t too_old;     /* given before the cutoff: not kept */
    size_t compactions; /* graph_live_set_cutoff calls that moved the cutoff */
    size_t bytes;       /* memory held, approximately */
};
void graph_live_stats(const struct graph_live *gl, struct graph_live_stats *out);

/* ---- inside `serve`: the edges of graph_edges kept current ----
 *
 * graph_livesync_new takes the fences (the largest stored swap and
 * transfer ids) and loads what they cover into a graph_live on a thread of
 * its own (call it before events flow: what the inbox's after_commit
 * queues must come after the fences); until the load is done the queue
 * waits and the scheduled flush does nothing (graph_livesync_loaded);
 * graph_livesync_flush waits for it. graph_livesync_after_commit queues newly
 * stored swaps and transfers (any thread, cheap); every graph.live_s
 * seconds a scheduler worker applies the queue and writes the changed
 * edges in one transaction (graph_livesync_flush; the first flush, the
 * one after a full rebuild rewrote graph_edges, and the one that moves the
 * window (graph.window_days, graph_live_set_cutoff) rewrite every edge).
 * Only the window's events are loaded and kept.
 * *out is NULL when graph.live_s is 0. */
struct sched;
struct store;
struct config;
struct graph_livesync;
struct graph_livesync_report {
    size_t applied;  /* events applied */
    size_t upserted; /* edge rows written */
    size_t deleted;  /* edge rows removed */
    bool replaced;   /* every edge was rewritten */
    bool compacted;  /* the window moved: older events were forgotten */
    struct graph_live_stats stats;
};
int graph_livesync_new(struct store *st, const struct config *cfg, struct graph_livesync **out);
int graph_livesync_schedule(struct graph_livesync *s, struct sched *sc);
void graph_livesync_after_commit(struct graph_livesync *s, const struct event *ev, size_t n,
                                 const uint8_t *inserted);
/* A full rebuild (graph_run) rewrote graph_edges: the next flush writes
 * every edge again. Any thread. */
void graph_livesync_rebuilt(struct graph_livesync *s);
int graph_livesync_flush(struct graph_livesync *s, struct graph_livesync_report *rep);
/* Whether the background load is over (true for NULL). Any thread. */
bool graph_livesync_loaded(struct graph_livesync *s);
void graph_livesync_free(struct graph_livesync *s);

#endif
