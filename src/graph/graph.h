/* The wallet graph: relationships between wallets found in stored swaps and
 * transfers, clusters of wallets that act as one owner (Leiden, leiden.h),
 * their leaders and what they look like (docs/intelligence.md, "Wallet
 * graph and clusters").
 *
 * Edges (struct graph_edge), every threshold a field of graph_params and a
 * setting graph.*:
 *
 *   FUNDED_BY  B -> A: A sent B SOL (>= fund_min_lamports) or tokens before
 *              B's first trade, or within fund_window_ms before a buy of B.
 *              A is never a hub: a known exchange (graph.hubs) or a wallet
 *              that sent to more than hub_fanout distinct wallets.
 *   SWEEP      B -> A: B sent SOL (>= sweep_min_lamports) back to A after B
 *              had traded, and A had sent to B before. A is never a hub.
 *   SYNCED_BUY A -- B: both bought the same mint within sync_ms of each
 *              other (first buys; |dt| <= sync_ms), on at least sync_min
 *              mints, and those mints are at least sync_jaccard of the
 *              union of the mints either bought.
 *   CO_EARLY   A -- B: both among the first early_n distinct buyers of at
 *              least early_min common mints, with the Jaccard index of
 *              their early-mint sets >= early_jaccard.
 *
 * FUNDED_BY and SWEEP have weight 1; SYNCED_BUY and CO_EARLY their Jaccard
 * index. Clustering runs Leiden (modularity, resolution `resolution`) on
 * the undirected graph whose pair weight is sum(kind_weight[k] * weight).
 *
 * A struct graph is owned by one thread. graph_build_edges and
 * graph_cluster are deterministic (Leiden's generator is seeded with a
 * constant before each run). */
#ifndef WT_GRAPH_GRAPH_H
#define WT_GRAPH_GRAPH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/intern.h"
#include "base/vec.h"
#include "event/event.h"

struct config;
struct store;

enum graph_kind {
    GK_FUNDED_BY = 0,
    GK_SWEEP,
    GK_SYNCED_BUY,
    GK_CO_EARLY,
    GK_COUNT,
};

/* "FUNDED_BY", "SWEEP", "SYNCED_BUY", "CO_EARLY"; parse returns 0 or
 * WT_EINVAL. */
const char *graph_kind_name(enum graph_kind k);
int graph_kind_parse(const char *s, enum graph_kind *out);

struct graph_params {
    uint64_t fund_min_lamports;
    int64_t fund_window_ms;
    uint32_t hub_fanout;
    const char *hubs; /* comma-separated base58 addresses, may be NULL */
    uint64_t sweep_min_lamports;
    int64_t sync_ms;
    uint32_t sync_min;
    double sync_jaccard;
    uint32_t early_n;
    uint32_t early_min;
    double early_jaccard;
    double kind_weight[GK_COUNT];
    double resolution;
    uint32_t min_size;    /* smallest cluster kept */
    double match_overlap; /* Jaccard of member sets for an id to carry over */
    int64_t window_ms;    /* history the edges come from (graph_window_cutoff); 0: all */
};

/* The documented defaults (the graph.* rows of `walltrack config`). */
void graph_params_default(struct graph_params *p);
void graph_params_from_config(const struct config *cfg, struct graph_params *p);

/* The first event time the edges use when the latest stored swap is at
 * latest_ms: midnight UTC window_ms before that swap's day, so that the
 * window moves once a day; INT64_MIN (every event) when window_ms is 0 or
 * there is no swap (latest_ms INT64_MIN). graph_run and graph_livesync use
 * it alike, so both build over the same events. */
int64_t graph_window_cutoff(const struct graph_params *p, int64_t latest_ms);

/* One edge between wallet ids (graph_wallet_key gives their keys). */
struct graph_edge {
    uint32_t a, b;  /* FUNDED_BY/SWEEP: a the funded (sender of the sweep), b the funder */
    uint8_t kind;   /* enum graph_kind */
    uint32_t count; /* evidence: transfers, synced mints, common early mints */
    double weight;
    int64_t first_ms, last_ms;
};

/* A buy kept for the graph: the first buy of a mint by a wallet. */
struct graph_buy {
    uint32_t wallet, mint;
    int64_t ts_ms;
};

struct graph_transfer {
    uint32_t from, to;
    bool sol;
    uint64_t amount;
    int64_t ts_ms;
};

struct graph {
    struct intern wallets, mints;
    VEC(int64_t) first_trade_ms; /* per wallet, INT64_MAX when it never swapped */
    VEC(struct graph_buy) buys;  /* every buy (first buys are picked at build time) */
    VEC(struct graph_transfer) transfers;
    VEC(struct graph_edge) edges; /* graph_build_edges' result */
    VEC(bool) hub;                /* per wallet, set by graph_build_edges */
    size_t swaps_seen;
};

void graph_init(struct graph *g);
void graph_release(struct graph *g);
/* Adds one observed swap / transfer (any order; times are the events'). */
void graph_add_swap(struct graph *g, const struct swap_event *s);
void graph_add_transfer(struct graph *g, const struct transfer_event *t);
/* The 32-byte key of wallet id w. */
const uint8_t *graph_wallet_key(const struct graph *g, uint32_t w);

/* Computes every edge from what was added into g->edges (replacing them),
 * in a deterministic order (kind, a, b). Returns 0 or WT_EINVAL (a hubs
 * entry is not an address). */
int graph_build_edges(struct graph *g, const struct graph_params *p);

/* A detected cluster: member wallet ids and what describes it. */
enum graph_leader_rule { GL_FUNDING_ROOT = 0, GL_FIRST_BUYER, GL_DEGREE };
const char *graph_leader_rule_name(enum graph_leader_rule r);

struct graph_cluster {
    uint32_t *members; /* wallet ids, ascending */
    size_t n;
    uint32_t leader;
    enum graph_leader_rule leader_rule;
    double cohesion; /* internal weight / the members' total strength */
    uint32_t tokens; /* mints bought by >= 2 members */
    double insider;  /* 0..1 */
    /* the parts of insider */
    double launch_share, created_share, sweep_share;
};

struct graph_clusters {
    VEC(struct graph_cluster) v;
    double modularity; /* of the whole partition (all communities, any size) */
};

/* Leiden (leiden.h, modularity at p->resolution) on g->edges, each
 * weighing kind_weight[kind] * weight, summed per wallet pair. Clusters
 * smaller than p->min_size are dropped; the rest are ordered by their
 * smallest member id. Returns 0. */
int graph_cluster(const struct graph *g, const struct graph_params *p, struct graph_clusters *out);

/* The same on clustering weights given directly: e[0..m) (malloc'd,
 * taken and freed here) between wallet ids of g, already weighted;
 * repeats are summed, self loops ignored. g->edges supplies only the
 * funding roots and sweeps of the leaders and insider likelihood. What
 * graph_cluster does after making these 12-byte records from g->edges;
 * the synthetic bench calls it without 40-byte edges. Returns 0 or
 * WT_EINVAL (an endpoint not a wallet of g). */
struct leiden_edge;
int graph_cluster_edges(const struct graph *g, const struct graph_params *p, struct leiden_edge *e,
                        size_t m, struct graph_clusters *out);
void graph_clusters_release(struct graph_clusters *c);

/* Matching a new partition to the previous one for stable ids: for each new
 * cluster the previous one (index into prev) with the largest Jaccard
 * overlap of member sets, if that is >= min_overlap and no better new
 * cluster claims it (greedy by overlap, ties by index). match[i] is the
 * previous index or -1. Member sets are sorted arrays of any integer ids. */
struct graph_set {
    const uint32_t *v;
    size_t n;
};
void graph_match(const struct graph_set *prev, size_t nprev, const struct graph_set *next,
                 size_t nnext, double min_overlap, long *match);

/* What one rebuild did. */
struct graph_report {
    int64_t cutoff_ms; /* the first event time used (graph_window_cutoff); INT64_MIN: all */
    size_t swaps, transfers, wallets;
    size_t edges[GK_COUNT];
    size_t hubs;
    size_t clusters, clustered_wallets, kept_ids, new_ids, dropped;
    double modularity;
    double seconds;
};

/* The whole rebuild from the store: the stored swaps and transfers since
 * graph_window_cutoff (every one when p->window_ms is 0), the edges, Leiden, stable ids against the
 * stored clusters (a blacklisted cluster keeps its flag, and stays with its last members when it
 * dissolves), combined PnL from the wallets table, all saved in one
 * transaction (store_graph_save). now_ms stamps created/updated. Returns
 * 0 or a WT_E code. */
int graph_run(struct store *st, const struct graph_params *p, int64_t now_ms,
              struct graph_report *rep);

/* The scheduled rebuild inside `serve` (graph.interval_min; 0: off), a
 * job of the scheduler on a worker of its own; after_run (may be NULL) is
 * called on that worker after each successful rebuild. *out is NULL when
 * the schedule is off. Returns 0 or WT_EINVAL (sc already started). */
struct sched;
struct graph_sched;
int graph_sched_start(struct sched *sc, struct store *st, const struct config *cfg,
                      void (*after_run)(void *ctx), void *ctx, struct graph_sched **out);
void graph_sched_free(struct graph_sched *s);

#endif
