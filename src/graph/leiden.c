/* Leiden on a compact CSR graph (leiden.h). It exists because igraph's
 * Leiden, which the wallet graph used before, holds an edge in 8-byte
 * integers (about 54 bytes an edge at 1M wallets / 10M edges) and spent
 * 20.7-21.1 s of CPU there: above the 64 B and 15 s goals once
 * the caller's records are added (docs/performance.md, "Wallet graph").
 *
 * The three phases follow the paper's pseudocode (Traag et al. 2019,
 * Algorithms A.1-A.2) and igraph's implementation choices where the paper
 * leaves one open (the empty community as a move target, the refinement
 * considering only well-connected clusters with a non-negative gain,
 * aggregating on the non-refined partition when refinement merged
 * nothing). All work arrays are allocated once per run at the input's
 * node count and reused by every level. */
#include "graph/leiden.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/mem.h"

/* ------------------------------------------------------------ folding */

static inline uint64_t ekey(const struct leiden_edge *e)
{
    return (uint64_t)e->a << 32 | e->b;
}

static void eswap(struct leiden_edge *x, struct leiden_edge *y)
{
    struct leiden_edge t = *x;
    *x = *y;
    *y = t;
}

/* In-place three-way quicksort by ekey (many equal keys: repeated pairs),
 * recursing into the smaller side so the stack stays O(log m); insertion
 * sort below 16. */
static void esort(struct leiden_edge *e, size_t n)
{
    while (n > 16) {
        uint64_t x = ekey(&e[0]), y = ekey(&e[n / 2]), z = ekey(&e[n - 1]);
        uint64_t piv = x < y ? (y < z ? y : (x < z ? z : x)) : (x < z ? x : (y < z ? z : y));
        size_t lt = 0, i = 0, gt = n;
        while (i < gt) {
            uint64_t k = ekey(&e[i]);
            if (k < piv)
                eswap(&e[lt++], &e[i++]);
            else if (k > piv)
                eswap(&e[i], &e[--gt]);
            else
                i++;
        }
        size_t nl = lt, nr = n - gt;
        if (nl < nr) {
            esort(e, nl);
            e += gt;
            n = nr;
        } else {
            esort(e + gt, nr);
            n = nl;
        }
    }
    for (size_t i = 1; i < n; i++) {
        struct leiden_edge t = e[i];
        uint64_t k = ekey(&t);
        size_t j = i;
        while (j > 0 && ekey(&e[j - 1]) > k) {
            e[j] = e[j - 1];
            j--;
        }
        e[j] = t;
    }
}

size_t leiden_fold(struct leiden_edge *e, size_t m)
{
    for (size_t i = 0; i < m; i++)
        if (e[i].a > e[i].b) {
            uint32_t t = e[i].a;
            e[i].a = e[i].b;
            e[i].b = t;
        }
    esort(e, m);
    size_t k = 0;
    for (size_t i = 0; i < m;) {
        size_t j = i;
        double w = 0; /* summed in double: thousands of float repeats */
        while (j < m && e[j].a == e[i].a && e[j].b == e[i].b)
            w += e[j++].w;
        if (w > 0) {
            e[k] = e[i];
            e[k].w = (float)w;
            k++;
        }
        i = j;
    }
    return k;
}

/* ------------------------------------------------------------ graph */

int leiden_graph_build(struct leiden_graph *g, uint32_t n, const struct leiden_edge *e, size_t m)
{
    memset(g, 0, sizeof *g);
    for (size_t i = 0; i < m; i++)
        if (e[i].a > e[i].b || e[i].b >= n || !(e[i].w > 0) ||
            (i > 0 && ekey(&e[i - 1]) >= ekey(&e[i])))
            return WT_EINVAL;
    g->n = n;
    g->off = xcalloc((size_t)n + 1, sizeof *g->off);
    g->k = xcalloc(n ? n : 1, sizeof *g->k);
    for (size_t i = 0; i < m; i++)
        if (e[i].a != e[i].b) {
            g->off[e[i].a + 1]++;
            g->off[e[i].b + 1]++;
        } else if (!g->self) {
            g->self = xcalloc(n, sizeof *g->self);
        }
    for (uint32_t i = 0; i < n; i++)
        g->off[i + 1] += g->off[i];
    g->adj = xmalloc((g->off[n] ? g->off[n] : 1) * sizeof *g->adj);
    /* A fill cursor per node, kept in k (then overwritten by strengths):
     * the edges are sorted by (a, b), so each list comes out ascending. */
    uint64_t *pos = xmalloc(((size_t)n + 1) * sizeof *pos);
    memcpy(pos, g->off, ((size_t)n + 1) * sizeof *pos);
    for (size_t i = 0; i < m; i++) {
        uint32_t a = e[i].a, b = e[i].b;
        double w = e[i].w;
        g->k[a] += w;
        g->k[b] += w;
        g->total += 2 * w;
        if (a == b) {
            g->self[a] += w;
            continue;
        }
        g->adj[pos[a]++] = (struct leiden_adj){b, e[i].w};
        g->adj[pos[b]++] = (struct leiden_adj){a, e[i].w};
    }
    free(pos);
    return 0;
}

void leiden_graph_release(struct leiden_graph *g)
{
    free(g->off);
    free(g->adj);
    free(g->k);
    free(g->self);
    memset(g, 0, sizeof *g);
}

void leiden_params_default(struct leiden_params *p)
{
    p->resolution = 1;
    p->randomness = 0.01;
    p->seed = 20260101;
    p->max_iterations = 2;
}

double leiden_modularity(const struct leiden_graph *g, const uint32_t *memb, double gamma)
{
    if (!(g->total > 0))
        return 0;
    double *kc = xcalloc(g->n ? g->n : 1, sizeof *kc);
    double in = 0;
    for (uint32_t v = 0; v < g->n; v++) {
        kc[memb[v]] += g->k[v];
        if (g->self)
            in += 2 * g->self[v];
        for (uint64_t j = g->off[v]; j < g->off[v + 1]; j++)
            if (memb[g->adj[j].v] == memb[v])
                in += g->adj[j].w;
    }
    double sq = 0;
    for (uint32_t c = 0; c < g->n; c++)
        sq += kc[c] * kc[c];
    free(kc);
    return (in - gamma * sq / g->total) / g->total;
}

/* ------------------------------------------------------------ the run */

/* PCG32 (O'Neill 2014, XSH RR): small, seeded, the same sequence on
 * every platform. */
static uint32_t rng_next(uint64_t *s)
{
    uint64_t old = *s;
    *s = old * 6364136223846793005ULL + 1442695040888963407ULL;
    uint32_t x = (uint32_t)(((old >> 18) ^ old) >> 27), rot = (uint32_t)(old >> 59);
    return (x >> rot) | (x << ((32 - rot) & 31));
}

/* Uniform in [0, 1) with 53 bits. */
static double rng_unit(uint64_t *s)
{
    uint64_t hi = rng_next(s) >> 5, lo = rng_next(s) >> 6;
    return (double)(hi << 26 | lo) * (1.0 / 9007199254740992.0);
}

static void shuffle(uint32_t *v, uint32_t n, uint64_t *s)
{
    for (uint32_t i = 0; i < n; i++)
        v[i] = i;
    for (uint32_t i = n; i > 1; i--) {
        uint32_t j = rng_next(s) % i;
        uint32_t t = v[i - 1];
        v[i - 1] = v[j];
        v[j] = t;
    }
}

/* The work arrays of one run, sized for the input's n nodes; every level
 * (at most n nodes) uses a prefix. nw is all zeros between uses. */
struct work {
    double *ck;      /* community strength */
    uint32_t *cn;    /* community size */
    double *nw;      /* weight from the current node to each community */
    uint32_t *touch; /* communities with nw != 0 (or the node's own) */
    uint32_t *queue; /* move queue / random order */
    uint8_t *flag;   /* in the queue / refined cluster not a singleton */
    uint32_t *empty; /* empty communities (stack) */
    double *ins;     /* weight to the rest of the node's community */
    double *rk;      /* refined cluster strength */
    double *rext;    /* refined cluster's weight to the rest of its community */
    uint32_t *ref;   /* refined cluster */
    double *cand;    /* refinement: a candidate's gain */
    uint32_t *map;   /* renumbering */
    uint32_t *memb;  /* the level's partition */
    uint32_t *top;   /* input node -> the level's node */
    uint64_t rng;
    double gamma; /* resolution / 2W */
    double theta;
};

/* Renumbers ids v[0..n) (each < n) densely in order of first appearance.
 * Returns how many distinct. */
static uint32_t renumber(uint32_t *v, uint32_t n, uint32_t *map)
{
    for (uint32_t i = 0; i < n; i++)
        map[i] = UINT32_MAX;
    uint32_t k = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (map[v[i]] == UINT32_MAX)
            map[v[i]] = k++;
        v[i] = map[v[i]];
    }
    return k;
}

/* Fast local moving (Algorithm A.2, MoveNodesFast): every node once in a
 * random order, then the neighbours (outside its new community) of every
 * node that moved, until the queue is empty. A node goes to the
 * community of largest gain, an empty one if every gain is negative, and
 * stays on ties. Returns whether any node moved. */
static bool move_nodes(const struct leiden_graph *g, struct work *w)
{
    uint32_t n = g->n, *memb = w->memb;
    memset(w->ck, 0, n * sizeof *w->ck);
    memset(w->cn, 0, n * sizeof *w->cn);
    for (uint32_t v = 0; v < n; v++) {
        w->ck[memb[v]] += g->k[v];
        w->cn[memb[v]]++;
    }
    uint32_t ne = 0;
    for (uint32_t c = n; c-- > 0;)
        if (w->cn[c] == 0)
            w->empty[ne++] = c;
    shuffle(w->queue, n, &w->rng);
    memset(w->flag, 1, n);
    uint32_t head = 0, len = n;
    bool moved = false;
    while (len > 0) {
        uint32_t v = w->queue[head];
        head = head + 1 == n ? 0 : head + 1;
        len--;
        w->flag[v] = 0;
        uint32_t cur = memb[v];
        double kv = g->k[v];
        w->ck[cur] -= kv;
        w->cn[cur]--;
        uint32_t nt = 1;
        w->touch[0] = cur;
        for (uint64_t j = g->off[v]; j < g->off[v + 1]; j++) {
            uint32_t c = memb[g->adj[j].v];
            if (w->nw[c] == 0 && c != cur)
                w->touch[nt++] = c;
            w->nw[c] += g->adj[j].w;
        }
        uint32_t best = cur;
        double best_gain = w->nw[cur] - w->gamma * kv * w->ck[cur];
        for (uint32_t t = 1; t < nt; t++) {
            uint32_t c = w->touch[t];
            double gain = w->nw[c] - w->gamma * kv * w->ck[c];
            if (gain > best_gain) {
                best_gain = gain;
                best = c;
            }
        }
        for (uint32_t t = 0; t < nt; t++)
            w->nw[w->touch[t]] = 0;
        if (best_gain < 0 && w->cn[cur] > 0 && ne > 0)
            best = w->empty[--ne]; /* alone is better than anywhere */
        else if (best_gain < 0)
            best = cur; /* cur is empty now: alone already */
        w->ck[best] += kv;
        w->cn[best]++;
        memb[v] = best;
        if (best == cur)
            continue;
        moved = true;
        if (w->cn[cur] == 0)
            w->empty[ne++] = cur;
        for (uint64_t j = g->off[v]; j < g->off[v + 1]; j++) {
            uint32_t u = g->adj[j].v;
            if (!w->flag[u] && memb[u] != best) {
                uint32_t tail = head + len >= n ? head + len - n : head + len;
                w->queue[tail] = u;
                len++;
                w->flag[u] = 1;
            }
        }
    }
    return moved;
}

/* Refinement (Algorithm A.2, RefinePartition / MergeNodesSubset) of the
 * partition in w->memb (community strengths in w->ck) into w->ref: every
 * node starts alone; in a random order, a node still alone and
 * well-connected to its community joins a well-connected refined cluster
 * of that community, drawn with probability proportional to
 * exp(gain / theta) among those with a gain >= 0 (its own included). */
static void refine(const struct leiden_graph *g, struct work *w)
{
    uint32_t n = g->n, *memb = w->memb;
    memset(w->ck, 0, n * sizeof *w->ck); /* memb was renumbered since moving */
    for (uint32_t v = 0; v < n; v++)
        w->ck[memb[v]] += g->k[v];
    for (uint32_t v = 0; v < n; v++) {
        double s = 0;
        for (uint64_t j = g->off[v]; j < g->off[v + 1]; j++)
            if (memb[g->adj[j].v] == memb[v])
                s += g->adj[j].w;
        w->ins[v] = s;
        w->ref[v] = v;
        w->rk[v] = g->k[v];
        w->rext[v] = s;
    }
    memset(w->flag, 0, n);
    shuffle(w->queue, n, &w->rng);
    for (uint32_t i = 0; i < n; i++) {
        uint32_t v = w->queue[i];
        if (w->flag[v]) /* its cluster has been joined: not alone */
            continue;
        double kv = g->k[v], ks = w->ck[memb[v]];
        if (!(w->ins[v] >= w->gamma * kv * (ks - kv)) || w->ins[v] <= 0)
            continue;
        w->rk[v] = 0;
        w->rext[v] = 0;
        uint32_t nt = 1;
        w->touch[0] = v;
        for (uint64_t j = g->off[v]; j < g->off[v + 1]; j++) {
            uint32_t u = g->adj[j].v;
            if (memb[u] != memb[v])
                continue;
            uint32_t c = w->ref[u];
            if (w->nw[c] == 0)
                w->touch[nt++] = c;
            w->nw[c] += g->adj[j].w;
        }
        double max_gain = 0;
        uint32_t chosen = v;
        for (uint32_t t = 0; t < nt; t++) {
            uint32_t c = w->touch[t];
            double gain = -1;
            if (w->rext[c] >= w->gamma * w->rk[c] * (ks - w->rk[c]))
                gain = w->nw[c] - w->gamma * kv * w->rk[c];
            w->cand[t] = gain;
            if (gain > max_gain) {
                max_gain = gain;
                chosen = c;
            }
        }
        if (w->theta > 0) {
            double sum = 0;
            for (uint32_t t = 0; t < nt; t++)
                if (w->cand[t] >= 0)
                    sum += exp((w->cand[t] - max_gain) / w->theta);
            double r = rng_unit(&w->rng) * sum, acc = 0;
            for (uint32_t t = 0; t < nt; t++) {
                if (w->cand[t] < 0)
                    continue;
                acc += exp((w->cand[t] - max_gain) / w->theta);
                if (r < acc) {
                    chosen = w->touch[t];
                    break;
                }
            }
        }
        w->rk[chosen] += kv;
        w->rext[chosen] += w->ins[v] - 2 * w->nw[chosen];
        for (uint32_t t = 0; t < nt; t++)
            w->nw[w->touch[t]] = 0;
        if (chosen != v) {
            w->ref[v] = chosen;
            w->flag[chosen] = 1;
        }
    }
}

/* The aggregate of g whose node c is the cluster c of part[0..g->n)
 * (dense ids < nc): strengths summed, edges between clusters summed,
 * edges inside dropped (moves never need them; modularity is computed on
 * the input graph). Two passes over g (count, then fill), so the result
 * is allocated at its size. */
static void aggregate(const struct leiden_graph *g, const uint32_t *part, uint32_t nc,
                      struct work *w, struct leiden_graph *out)
{
    uint32_t n = g->n;
    memset(out, 0, sizeof *out);
    out->n = nc;
    out->total = g->total;
    out->off = xcalloc((size_t)nc + 1, sizeof *out->off);
    out->k = xcalloc(nc ? nc : 1, sizeof *out->k);
    /* Nodes by cluster (counting sort into queue; map holds the starts). */
    uint32_t *start = w->map, *order = w->queue;
    memset(start, 0, ((size_t)nc) * sizeof *start);
    for (uint32_t v = 0; v < n; v++)
        start[part[v]]++;
    uint32_t acc = 0;
    for (uint32_t c = 0; c < nc; c++) {
        uint32_t x = start[c];
        start[c] = acc;
        acc += x;
    }
    for (uint32_t v = 0; v < n; v++)
        order[start[part[v]]++] = v;
    /* start[c] is now the end of cluster c. */
    for (int pass = 0; pass < 2; pass++) {
        uint32_t i = 0;
        for (uint32_t c = 0; c < nc; c++) {
            uint32_t nt = 0;
            for (; i < start[c]; i++) {
                uint32_t v = order[i];
                if (pass == 0)
                    out->k[c] += g->k[v];
                for (uint64_t j = g->off[v]; j < g->off[v + 1]; j++) {
                    uint32_t d = part[g->adj[j].v];
                    if (d == c)
                        continue;
                    if (w->nw[d] == 0)
                        w->touch[nt++] = d;
                    w->nw[d] += g->adj[j].w;
                }
            }
            if (pass == 0) {
                out->off[c + 1] = out->off[c] + nt;
            } else {
                struct leiden_adj *a = out->adj + out->off[c];
                for (uint32_t t = 0; t < nt; t++)
                    a[t] = (struct leiden_adj){w->touch[t], (float)w->nw[w->touch[t]]};
            }
            for (uint32_t t = 0; t < nt; t++)
                w->nw[w->touch[t]] = 0;
        }
        if (pass == 0)
            out->adj = xmalloc((out->off[nc] ? out->off[nc] : 1) * sizeof *out->adj);
    }
}

/* One Leiden iteration (Algorithm A.1) from the partition w->memb of the
 * input graph g0 (left there, on g0's nodes). Levels until the moving
 * phase leaves every aggregate node alone. */
static void iterate(const struct leiden_graph *g0, struct work *w)
{
    const struct leiden_graph *g = g0;
    struct leiden_graph agg = {0};
    for (uint32_t v = 0; v < g0->n; v++)
        w->top[v] = v;
    for (;;) {
        move_nodes(g, w);
        uint32_t nc = renumber(w->memb, g->n, w->map);
        if (nc >= g->n)
            break;
        refine(g, w);
        uint32_t nr = renumber(w->ref, g->n, w->map);
        const uint32_t *part = w->ref;
        if (nr >= g->n) { /* refinement merged nothing: aggregate P itself */
            part = w->memb;
            nr = nc;
        }
        struct leiden_graph next;
        aggregate(g, part, nr, w, &next);
        /* The aggregate's initial partition: its nodes' non-refined
         * communities (a refined cluster lies inside one). */
        for (uint32_t v = 0; v < g0->n; v++)
            w->top[v] = part[w->top[v]];
        /* part may be memb itself: read it whole before overwriting */
        for (uint32_t v = 0; v < g->n; v++)
            w->map[part[v]] = w->memb[v];
        memcpy(w->memb, w->map, nr * sizeof *w->memb);
        if (g != g0)
            leiden_graph_release(&agg);
        agg = next;
        g = &agg;
    }
    /* Back to the input's nodes (memb holds the last level's partition). */
    if (g != g0) {
        for (uint32_t v = 0; v < g0->n; v++)
            w->ref[v] = w->memb[w->top[v]];
        memcpy(w->memb, w->ref, g0->n * sizeof *w->memb);
        leiden_graph_release(&agg);
    }
}

uint32_t leiden_run(const struct leiden_graph *g, const struct leiden_params *p, uint32_t *memb,
                    double *quality)
{
    uint32_t n = g->n;
    for (uint32_t v = 0; v < n; v++)
        memb[v] = v;
    if (quality)
        *quality = 0;
    if (n == 0)
        return 0;
    if (!(g->total > 0))
        return n;
    struct work w = {0};
    w.ck = xmalloc(n * sizeof *w.ck);
    w.cn = xmalloc(n * sizeof *w.cn);
    w.nw = xcalloc(n, sizeof *w.nw);
    w.touch = xmalloc(n * sizeof *w.touch);
    w.queue = xmalloc(n * sizeof *w.queue);
    w.flag = xmalloc(n);
    w.empty = xmalloc(n * sizeof *w.empty);
    w.ins = xmalloc(n * sizeof *w.ins);
    w.rk = xmalloc(n * sizeof *w.rk);
    w.rext = xmalloc(n * sizeof *w.rext);
    w.ref = xmalloc(n * sizeof *w.ref);
    w.cand = xmalloc(n * sizeof *w.cand);
    w.map = xmalloc(n * sizeof *w.map);
    w.memb = xmalloc(n * sizeof *w.memb);
    w.top = xmalloc(n * sizeof *w.top);
    w.rng = p->seed;
    w.gamma = p->resolution / g->total;
    w.theta = p->randomness;
    for (uint32_t v = 0; v < n; v++)
        w.memb[v] = v;
    int max_it = p->max_iterations > 0 ? p->max_iterations : 1000;
    uint32_t nc = n;
    for (int it = 0; it < max_it; it++) {
        iterate(g, &w);
        nc = renumber(w.memb, n, w.map);
        bool same = memcmp(w.memb, memb, n * sizeof *memb) == 0;
        memcpy(memb, w.memb, n * sizeof *memb);
        if (same)
            break;
    }
    if (quality)
        *quality = leiden_modularity(g, memb, p->resolution);
    free(w.ck);
    free(w.cn);
    free(w.nw);
    free(w.touch);
    free(w.queue);
    free(w.flag);
    free(w.empty);
    free(w.ins);
    free(w.rk);
    free(w.rext);
    free(w.ref);
    free(w.cand);
    free(w.map);
    free(w.memb);
    free(w.top);
    return nc;
}
