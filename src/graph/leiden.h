/* Leiden community detection (Traag, Waltman & van Eck 2019, "From
 * Louvain to Leiden: guaranteeing well-connected communities") on a
 * compact undirected graph: 4-byte node ids, 4-byte float weights, CSR
 * adjacency. The wallet graph clusters with it (graph.c); igraph's Leiden
 * is the reference its tests compare with (docs/performance.md, "Wallet
 * graph": igraph needed 53.5 bytes an edge and 20.7-21.1 s of CPU for
 * 1M wallets / 10M edges, above the 64 B and 15 s once our own
 * records were added).
 *
 * Quality: modularity with a resolution gamma, as igraph's Leiden computes
 * it when given the node strengths as node weights and gamma / 2W as its
 * resolution (2W the sum of the strengths):
 *
 *     Q = 1/2W * sum_c [ in_c - gamma * K_c^2 / 2W ]
 *
 * in_c the weight inside community c counted from both ends (a self loop
 * twice), K_c its members' total strength.
 *
 * The algorithm: fast local moving of nodes with a queue; refinement of
 * each community into well-connected subcommunities (randomised merges,
 * randomness theta); aggregation on the refined partition with the
 * non-refined one as the aggregate's initial partition; repeated until
 * each community is one aggregate node (one iteration). Whole iterations
 * repeat, each starting from the last partition, max_iterations times
 * (2, leidenalg's default) or until the partition no longer changes.
 * Each further iteration still gains a little on large noisy graphs
 * (1M wallets: +2.4e-4 modularity from the 2nd, +9e-5 from the 3rd, 40
 * iterations to a fixed point), and igraph 0.10.2's "until stable"
 * (n_iterations -1, what walltrack called) measured as one iteration.
 * Deterministic for a seed: the node orders and the refinement's draws
 * come from one seeded generator.
 *
 * Memory: the graph 8 bytes per adjacency entry (two per edge) plus 16
 * bytes per node; a run about 90 bytes per node of work arrays and one
 * aggregate graph at a time beside the input. Nothing is allocated per
 * node. Everything here is owned by one thread. */
#ifndef WT_GRAPH_LEIDEN_H
#define WT_GRAPH_LEIDEN_H

#include <stddef.h>
#include <stdint.h>

/* One weighted undirected edge, 12 bytes. */
struct leiden_edge {
    uint32_t a, b;
    float w;
};

/* Orients every edge (a <= b), sorts e[0..m) in place by (a, b) without
 * extra memory, sums the weights of equal pairs and drops pairs whose
 * weight is not positive. Returns the number of pairs left at the front
 * of e. */
size_t leiden_fold(struct leiden_edge *e, size_t m);

struct leiden_adj {
    uint32_t v;
    float w;
};

/* A CSR graph. Invariants: node i's neighbours are adj[off[i] ..
 * off[i+1]), no self loop and no repeat (ascending when built by
 * leiden_graph_build); k[i] is the node's
 * strength (its edges' weights, a self loop's twice); self[i] the weight
 * of its self loop (NULL when there is none); total = sum of k. */
struct leiden_graph {
    uint32_t n;
    uint64_t *off;
    struct leiden_adj *adj;
    double *k;
    double *self;
    double total;
};

/* Builds g over nodes [0, n) from folded edges (leiden_fold's output: a <=
 * b < n, sorted, distinct, weights > 0). e is not kept. Returns 0 or
 * WT_EINVAL (an endpoint >= n or input not folded). */
int leiden_graph_build(struct leiden_graph *g, uint32_t n, const struct leiden_edge *e, size_t m);
void leiden_graph_release(struct leiden_graph *g);

struct leiden_params {
    double resolution; /* gamma, > 0 */
    double randomness; /* theta of the refinement; 0.01 as igraph's default */
    uint64_t seed;
    int max_iterations; /* whole iterations; <= 0: until unchanged (at most 1,000) */
};

/* The defaults: resolution 1, randomness 0.01, seed 20260101, 2
 * iterations. */
void leiden_params_default(struct leiden_params *p);

/* Leiden on g: memb[i] the community of node i, numbered 0.. in the order
 * of their smallest node. Returns the number of communities (0 for an
 * empty graph); *quality (may be NULL) gets the modularity. A graph
 * without edges leaves every node alone. */
uint32_t leiden_run(const struct leiden_graph *g, const struct leiden_params *p, uint32_t *memb,
                    double *quality);

/* The modularity of partition memb (ids < g->n) at resolution gamma; 0 for
 * a graph without edges. */
double leiden_modularity(const struct leiden_graph *g, const uint32_t *memb, double gamma);

#endif
