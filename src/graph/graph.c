/* The wallet graph: edge rules and Leiden clusters (see graph.h; the rules,
 * defaults and their reasons are in docs/intelligence.md, "Wallet graph
 * and clusters"). The store-facing rebuild is in graph_run.c. */
#include "graph/graph.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/config.h"
#include "base/err.h"
#include "base/mem.h"
#include "graph/graph_impl.h"
#include "graph/leiden.h"
#include "graph/pairmap.h"
#include "solana/pubkey.h"

static const char *const kind_names[GK_COUNT] = {"FUNDED_BY", "SWEEP", "SYNCED_BUY", "CO_EARLY"};

const char *graph_kind_name(enum graph_kind k)
{
    return (unsigned)k < GK_COUNT ? kind_names[k] : "UNKNOWN";
}

int graph_kind_parse(const char *s, enum graph_kind *out)
{
    for (int k = 0; k < GK_COUNT; k++)
        if (s && strcmp(s, kind_names[k]) == 0) {
            *out = (enum graph_kind)k;
            return 0;
        }
    return WT_EINVAL;
}

const char *graph_leader_rule_name(enum graph_leader_rule r)
{
    switch (r) {
    case GL_FUNDING_ROOT:
        return "funding_root";
    case GL_FIRST_BUYER:
        return "first_buyer";
    case GL_DEGREE:
        return "degree";
    }
    return "unknown";
}

void graph_params_default(struct graph_params *p)
{
    memset(p, 0, sizeof *p);
    p->fund_min_lamports = 100000000ULL; /* 0.1 SOL */
    p->fund_window_ms = 60 * MS_PER_MINUTE;
    p->hub_fanout = 25;
    p->hubs = NULL;
    p->sweep_min_lamports = 100000000ULL;
    p->sync_ms = 5 * MS_PER_SECOND;
    p->sync_min = 2;
    p->sync_jaccard = 0.3;
    p->early_n = 10;
    p->early_min = 2;
    p->early_jaccard = 0.5;
    for (int k = 0; k < GK_COUNT; k++)
        p->kind_weight[k] = 1.0;
    p->resolution = 1.0;
    p->min_size = 2;
    p->match_overlap = 0.5;
}

static uint64_t lamports_of(double sol)
{
    return sol <= 0 ? 0 : (uint64_t)llround(sol * 1e9);
}

void graph_params_from_config(const struct config *cfg, struct graph_params *p)
{
    graph_params_default(p);
    p->fund_min_lamports = lamports_of(config_double(cfg, CFG_GRAPH_FUND_MIN_SOL));
    p->fund_window_ms = config_int(cfg, CFG_GRAPH_FUND_WINDOW_MIN) * MS_PER_MINUTE;
    p->hub_fanout = (uint32_t)config_int(cfg, CFG_GRAPH_HUB_FANOUT);
    p->hubs = config_str(cfg, CFG_GRAPH_HUBS);
    p->sweep_min_lamports = lamports_of(config_double(cfg, CFG_GRAPH_SWEEP_MIN_SOL));
    p->sync_ms = (int64_t)llround(config_double(cfg, CFG_GRAPH_SYNC_SECONDS) * 1000.0);
    p->sync_min = (uint32_t)config_int(cfg, CFG_GRAPH_SYNC_MIN);
    p->sync_jaccard = config_double(cfg, CFG_GRAPH_SYNC_JACCARD);
    p->early_n = (uint32_t)config_int(cfg, CFG_GRAPH_EARLY_BUYERS);
    p->early_min = (uint32_t)config_int(cfg, CFG_GRAPH_EARLY_MIN);
    p->early_jaccard = config_double(cfg, CFG_GRAPH_EARLY_JACCARD);
    p->kind_weight[GK_FUNDED_BY] = config_double(cfg, CFG_GRAPH_W_FUNDED);
    p->kind_weight[GK_SWEEP] = config_double(cfg, CFG_GRAPH_W_SWEEP);
    p->kind_weight[GK_SYNCED_BUY] = config_double(cfg, CFG_GRAPH_W_SYNCED);
    p->kind_weight[GK_CO_EARLY] = config_double(cfg, CFG_GRAPH_W_EARLY);
    p->resolution = config_double(cfg, CFG_GRAPH_RESOLUTION);
    p->min_size = (uint32_t)config_int(cfg, CFG_GRAPH_MIN_SIZE);
    p->match_overlap = config_double(cfg, CFG_GRAPH_MATCH_OVERLAP);
    p->window_ms = config_int(cfg, CFG_GRAPH_WINDOW_DAYS) * MS_PER_DAY;
}

int64_t graph_window_cutoff(const struct graph_params *p, int64_t latest_ms)
{
    if (p->window_ms <= 0 || latest_ms == INT64_MIN)
        return INT64_MIN;
    int64_t day = latest_ms / MS_PER_DAY - (latest_ms % MS_PER_DAY < 0);
    return day * MS_PER_DAY - p->window_ms;
}

/* ------------------------------------------------------------ input */

void graph_init(struct graph *g)
{
    memset(g, 0, sizeof *g);
    intern_init(&g->wallets, 1024);
    intern_init(&g->mints, 1024);
}

void graph_release(struct graph *g)
{
    intern_release(&g->wallets);
    intern_release(&g->mints);
    vec_free(&g->first_trade_ms);
    vec_free(&g->buys);
    vec_free(&g->transfers);
    vec_free(&g->edges);
    vec_free(&g->hub);
}

static uint32_t wallet_id(struct graph *g, const struct pubkey *k)
{
    uint32_t id = intern_put(&g->wallets, k->b);
    while (g->first_trade_ms.len <= id)
        vec_push(&g->first_trade_ms, INT64_MAX);
    return id;
}

const uint8_t *graph_wallet_key(const struct graph *g, uint32_t w)
{
    return intern_key(&g->wallets, w);
}

void graph_add_swap(struct graph *g, const struct swap_event *s)
{
    uint32_t w = wallet_id(g, &s->wallet);
    g->swaps_seen++;
    if (s->ts_ms < g->first_trade_ms.v[w])
        g->first_trade_ms.v[w] = s->ts_ms;
    if (s->side != SIDE_BUY)
        return;
    struct graph_buy b = {w, intern_put(&g->mints, s->mint.b), s->ts_ms};
    vec_push(&g->buys, b);
}

void graph_add_transfer(struct graph *g, const struct transfer_event *t)
{
    static const uint8_t zero[32];
    if (t->amount == 0 || memcmp(t->from.b, t->to.b, 32) == 0)
        return;
    struct graph_transfer x = {
        .from = wallet_id(g, &t->from),
        .to = wallet_id(g, &t->to),
        .sol = memcmp(t->mint.b, zero, 32) == 0,
        .amount = t->amount,
        .ts_ms = t->ts_ms,
    };
    vec_push(&g->transfers, x);
}

/* ------------------------------------------------------------ edges */

static int cmp_u64(const void *x, const void *y)
{
    uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
    return a < b ? -1 : a > b;
}

static int cmp_buy_wallet_mint_ts(const void *x, const void *y)
{
    const struct graph_buy *a = x, *b = y;
    if (a->wallet != b->wallet)
        return a->wallet < b->wallet ? -1 : 1;
    if (a->mint != b->mint)
        return a->mint < b->mint ? -1 : 1;
    return a->ts_ms < b->ts_ms ? -1 : a->ts_ms > b->ts_ms;
}

/* The wallets whose keys break ties of cmp_buy_mint_ts (qsort has no
 * context argument; one per thread). */
static _Thread_local const struct intern *tie_keys;

/* By mint, time, then wallet KEY: who is among the first early_n buyers
 * of a mint must not depend on the order wallets were first seen in (the
 * incremental build, graph_live.c, sees them in another order). */
static int cmp_buy_mint_ts(const void *x, const void *y)
{
    const struct graph_buy *a = x, *b = y;
    if (a->mint != b->mint)
        return a->mint < b->mint ? -1 : 1;
    if (a->ts_ms != b->ts_ms)
        return a->ts_ms < b->ts_ms ? -1 : 1;
    if (a->wallet == b->wallet)
        return 0;
    return graph_key_cmp(intern_key(tie_keys, a->wallet), intern_key(tie_keys, b->wallet));
}

static int cmp_edge(const void *x, const void *y)
{
    const struct graph_edge *a = x, *b = y;
    if (a->kind != b->kind)
        return a->kind < b->kind ? -1 : 1;
    if (a->a != b->a)
        return a->a < b->a ? -1 : 1;
    return a->b < b->b ? -1 : a->b > b->b;
}

static int cmp_i64(const void *x, const void *y)
{
    int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
    return a < b ? -1 : a > b;
}

int graph_hubs_parse(const char *hubs, struct pubkey **out, size_t *n)
{
    VEC(struct pubkey) v = {0};
    const char *s = hubs ? hubs : "";
    while (*s) {
        while (*s == ',' || *s == ' ')
            s++;
        size_t len = strcspn(s, ", ");
        if (len == 0)
            break;
        struct pubkey k;
        if (pubkey_parse_n(s, len, &k) != 0) {
            vec_free(&v);
            *out = NULL;
            *n = 0;
            return WT_EINVAL;
        }
        vec_push(&v, k);
        s += len;
    }
    *out = v.v;
    *n = v.len;
    return 0;
}

/* Marks the hubs: listed addresses and wallets sending to more than
 * hub_fanout distinct wallets. */
static int mark_hubs(struct graph *g, const struct graph_params *p)
{
    uint32_t nw = g->wallets.count;
    vec_clear(&g->hub);
    vec_reserve(&g->hub, nw);
    for (uint32_t i = 0; i < nw; i++)
        vec_push(&g->hub, false);
    struct pubkey *listed;
    size_t nlisted;
    if (graph_hubs_parse(p->hubs, &listed, &nlisted) != 0)
        return WT_EINVAL;
    for (size_t i = 0; i < nlisted; i++) {
        uint32_t id = intern_find(&g->wallets, listed[i].b);
        if (id != INTERN_NONE)
            g->hub.v[id] = true;
    }
    free(listed);
    size_t n = g->transfers.len;
    uint64_t *pairs = xmalloc((n ? n : 1) * sizeof *pairs);
    for (size_t i = 0; i < n; i++)
        pairs[i] = (uint64_t)g->transfers.v[i].from << 32 | g->transfers.v[i].to;
    qsort(pairs, n, sizeof *pairs, cmp_u64);
    for (size_t i = 0; i < n;) {
        uint32_t from = (uint32_t)(pairs[i] >> 32);
        uint32_t fan = 0;
        size_t j = i;
        while (j < n && (uint32_t)(pairs[j] >> 32) == from) {
            if (j == i || pairs[j] != pairs[j - 1])
                fan++;
            j++;
        }
        if (fan > p->hub_fanout)
            g->hub.v[from] = true;
        i = j;
    }
    free(pairs);
    return 0;
}

static void push_edge(struct graph *g, enum graph_kind k, uint32_t a, uint32_t b,
                      const struct pair_val *v, double weight)
{
    struct graph_edge e = {a, b, (uint8_t)k, v->count, weight, v->first_ms, v->last_ms};
    vec_push(&g->edges, e);
}

/* Per wallet: the sorted times of its buys (offsets into one array). */
struct buy_times {
    size_t *off; /* nw + 1 */
    int64_t *t;
};

static void buy_times_build(const struct graph *g, struct buy_times *bt)
{
    uint32_t nw = g->wallets.count;
    bt->off = xcalloc((size_t)nw + 1, sizeof *bt->off);
    bt->t = xmalloc((g->buys.len ? g->buys.len : 1) * sizeof *bt->t);
    for (size_t i = 0; i < g->buys.len; i++)
        bt->off[g->buys.v[i].wallet + 1]++;
    for (uint32_t w = 0; w < nw; w++)
        bt->off[w + 1] += bt->off[w];
    size_t *fill = xmalloc(((size_t)nw + 1) * sizeof *fill);
    memcpy(fill, bt->off, ((size_t)nw + 1) * sizeof *fill);
    for (size_t i = 0; i < g->buys.len; i++)
        bt->t[fill[g->buys.v[i].wallet]++] = g->buys.v[i].ts_ms;
    free(fill);
    for (uint32_t w = 0; w < nw; w++)
        qsort(bt->t + bt->off[w], bt->off[w + 1] - bt->off[w], sizeof *bt->t, cmp_i64);
}

/* Whether wallet w bought within [t, t + window]. */
static bool buy_within(const struct buy_times *bt, uint32_t w, int64_t t, int64_t window)
{
    size_t lo = bt->off[w], hi = bt->off[w + 1];
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (bt->t[mid] < t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < bt->off[w + 1] && bt->t[lo] - t <= window;
}

static void funding_edges(struct graph *g, const struct graph_params *p, const struct buy_times *bt)
{
    struct pair_map fund, sweep, sent;
    pm_init(&fund, 256);
    pm_init(&sweep, 64);
    pm_init(&sent, g->transfers.len);
    /* Transfers arrive in any order: process them by time so that "A had
     * sent to B before" looks at the past only. */
    size_t n = g->transfers.len;
    size_t *ord = xmalloc((n ? n : 1) * sizeof *ord);
    int64_t *key = xmalloc((n ? n : 1) * 2 * sizeof *key);
    for (size_t i = 0; i < n; i++) {
        key[2 * i] = g->transfers.v[i].ts_ms;
        key[2 * i + 1] = (int64_t)i;
    }
    qsort(key, n, 2 * sizeof *key, cmp_i64); /* by time, then index */
    for (size_t i = 0; i < n; i++)
        ord[i] = (size_t)key[2 * i + 1];
    free(key);
    for (size_t i = 0; i < n; i++) {
        const struct graph_transfer *t = &g->transfers.v[ord[i]];
        int64_t first = g->first_trade_ms.v[t->to];
        bool big = !t->sol || t->amount >= p->fund_min_lamports;
        /* A wallet that never traded (yet) was funded before its first
         * trade too: an armed cluster waiting for its launch. Money going
         * back to a wallet that sent to this one first is a return (a
         * sweep), never funding. */
        bool back = pm_get(&sent, (uint64_t)t->to << 32 | t->from, false) != NULL;
        if (!g->hub.v[t->from] && big && !back &&
            (t->ts_ms <= first || buy_within(bt, t->to, t->ts_ms, p->fund_window_ms)))
            pm_hit(&fund, t->to, t->from, t->ts_ms);
        int64_t bfirst = g->first_trade_ms.v[t->from];
        if (t->sol && !g->hub.v[t->to] && t->amount >= p->sweep_min_lamports && bfirst < t->ts_ms &&
            back)
            pm_hit(&sweep, t->from, t->to, t->ts_ms);
        pm_hit(&sent, t->from, t->to, t->ts_ms);
    }
    free(ord);
    for (size_t i = 0; i < fund.cap; i++)
        if (fund.keys[i] != PM_EMPTY)
            push_edge(g, GK_FUNDED_BY, (uint32_t)(fund.keys[i] >> 32), (uint32_t)fund.keys[i],
                      &fund.vals[i], 1.0);
    for (size_t i = 0; i < sweep.cap; i++)
        if (sweep.keys[i] != PM_EMPTY)
            push_edge(g, GK_SWEEP, (uint32_t)(sweep.keys[i] >> 32), (uint32_t)sweep.keys[i],
                      &sweep.vals[i], 1.0);
    pm_free(&fund);
    pm_free(&sweep);
    pm_free(&sent);
}

/* First buys only: one row per (wallet, mint), its earliest. Returns the
 * count; fb is sorted by (mint, ts, wallet). nm_of[w] = distinct mints. */
static size_t first_buys(const struct graph *g, struct graph_buy **out, uint32_t *nm_of)
{
    size_t n = g->buys.len;
    struct graph_buy *b = xmalloc((n ? n : 1) * sizeof *b);
    if (n > 0)
        memcpy(b, g->buys.v, n * sizeof *b);
    qsort(b, n, sizeof *b, cmp_buy_wallet_mint_ts);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (k == 0 || b[i].wallet != b[k - 1].wallet || b[i].mint != b[k - 1].mint) {
            b[k++] = b[i];
            nm_of[b[i].wallet]++;
        }
    tie_keys = &g->wallets;
    qsort(b, k, sizeof *b, cmp_buy_mint_ts);
    tie_keys = NULL;
    *out = b;
    return k;
}

static void pair_edges(struct graph *g, enum graph_kind kind, struct pair_map *m,
                       const uint32_t *size_of, uint32_t min_count, double min_jaccard)
{
    for (size_t i = 0; i < m->cap; i++) {
        if (m->keys[i] == PM_EMPTY)
            continue;
        uint32_t a = (uint32_t)(m->keys[i] >> 32), b = (uint32_t)m->keys[i];
        const struct pair_val *v = &m->vals[i];
        double uni = (double)size_of[a] + (double)size_of[b] - (double)v->count;
        double jac = uni > 0 ? (double)v->count / uni : 0;
        if (v->count < min_count || jac < min_jaccard)
            continue;
        /* Undirected: stored with the smaller key first, whatever the ids. */
        if (graph_key_cmp(intern_key(&g->wallets, a), intern_key(&g->wallets, b)) > 0)
            push_edge(g, kind, b, a, v, jac);
        else
            push_edge(g, kind, a, b, v, jac);
    }
}

static void buy_edges(struct graph *g, const struct graph_params *p)
{
    uint32_t nw = g->wallets.count;
    uint32_t *nm_of = xcalloc((size_t)nw + 1, sizeof *nm_of);
    uint32_t *ne_of = xcalloc((size_t)nw + 1, sizeof *ne_of);
    struct graph_buy *fb;
    size_t n = first_buys(g, &fb, nm_of);
    struct pair_map sync, early;
    pm_init(&sync, 1024);
    pm_init(&early, 1024);
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && fb[j].mint == fb[i].mint)
            j++;
        /* [i, j): one mint's first buys by time. */
        for (size_t x = i; x < j; x++) {
            for (size_t y = x + 1; y < j && fb[y].ts_ms - fb[x].ts_ms <= p->sync_ms; y++) {
                uint32_t a = fb[x].wallet, b = fb[y].wallet;
                pm_hit(&sync, a < b ? a : b, a < b ? b : a, fb[y].ts_ms);
            }
        }
        const struct graph_buy *m = fb + i; /* this mint's first buys */
        size_t ne = j - i < p->early_n ? j - i : p->early_n;
        for (size_t x = 0; x < ne; x++) {
            ne_of[m[x].wallet]++;
            for (size_t y = x + 1; y < ne; y++) {
                uint32_t a = m[x].wallet, b = m[y].wallet;
                pm_hit(&early, a < b ? a : b, a < b ? b : a, m[y].ts_ms);
            }
        }
        i = j;
    }
    pair_edges(g, GK_SYNCED_BUY, &sync, nm_of, p->sync_min, p->sync_jaccard);
    pair_edges(g, GK_CO_EARLY, &early, ne_of, p->early_min, p->early_jaccard);
    pm_free(&sync);
    pm_free(&early);
    free(fb);
    free(nm_of);
    free(ne_of);
}

int graph_build_edges(struct graph *g, const struct graph_params *p)
{
    vec_clear(&g->edges);
    int rc = mark_hubs(g, p);
    if (rc != 0)
        return rc;
    struct buy_times bt;
    buy_times_build(g, &bt);
    funding_edges(g, p, &bt);
    free(bt.off);
    free(bt.t);
    buy_edges(g, p);
    if (g->edges.len > 1)
        qsort(g->edges.v, g->edges.len, sizeof *g->edges.v, cmp_edge);
    return 0;
}

/* ------------------------------------------------------------ clusters */

void graph_clusters_release(struct graph_clusters *c)
{
    for (size_t i = 0; i < c->v.len; i++)
        free(c->v.v[i].members);
    vec_free(&c->v);
}

static int cmp_u32(const void *x, const void *y)
{
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    return a < b ? -1 : a > b;
}

/* Clusters by their smallest member (members sorted, distinct across
 * clusters). */
static int cmp_cluster_first(const void *x, const void *y)
{
    uint32_t a = ((const struct graph_cluster *)x)->members[0];
    uint32_t b = ((const struct graph_cluster *)y)->members[0];
    return a < b ? -1 : a > b;
}

/* Leaders, cohesion, tokens and insider likelihood of every cluster, in
 * one pass over the edges, the clustering graph lg (node i is wallet
 * wallet_of[i]) and the first buys (in_c[w] is the cluster's index + 1
 * for members, else 0). */
static void describe_all(const struct graph *g, const struct graph_params *p,
                         struct graph_clusters *out, const uint32_t *in_c,
                         const struct leiden_graph *lg, const uint32_t *wallet_of,
                         const struct graph_buy *fb, size_t nfb)
{
    size_t nw = g->wallets.count, nc = out->v.len;
    uint32_t *funded = xcalloc(nw + 1, sizeof *funded);       /* members this one funds */
    uint32_t *funded_in = xcalloc(nw + 1, sizeof *funded_in); /* its funders inside */
    uint32_t *first = xcalloc(nw + 1, sizeof *first);         /* mints it bought first */
    double *deg = xcalloc(nw + 1, sizeof *deg);
    bool *swept = xcalloc(nw + 1, sizeof *swept);
    double *internal = xcalloc(nc + 1, sizeof *internal), *total = xcalloc(nc + 1, sizeof *total);
    uint32_t *together = xcalloc(nc + 1, sizeof *together);
    uint32_t *launches = xcalloc(nc + 1, sizeof *launches);
    uint32_t *created = xcalloc(nc + 1, sizeof *created);
    for (size_t i = 0; i < g->edges.len; i++) {
        const struct graph_edge *e = &g->edges.v[i];
        if (!in_c[e->a] || in_c[e->a] != in_c[e->b])
            continue;
        if (e->kind == GK_FUNDED_BY) {
            funded[e->b]++;
            funded_in[e->a]++;
        } else if (e->kind == GK_SWEEP) {
            swept[e->a] = true;
        }
    }
    /* Each pair once (from its smaller node). */
    for (uint32_t v = 0; v < lg->n; v++)
        for (uint64_t j = lg->off[v]; j < lg->off[v + 1]; j++) {
            if (lg->adj[j].v < v)
                continue;
            uint32_t a = wallet_of[v], b = wallet_of[lg->adj[j].v];
            double x = lg->adj[j].w;
            uint32_t ca = in_c[a], cb = in_c[b];
            if (ca)
                total[ca] += x, deg[a] += x;
            if (cb)
                total[cb] += x, deg[b] += x;
            if (ca && ca == cb)
                internal[ca] += 2 * x;
        }
    /* Per mint: how many members of each cluster bought it, how many of
     * them early, who first; the touched clusters are reset after. */
    uint32_t *cnt = xcalloc(nc + 1, sizeof *cnt), *early = xcalloc(nc + 1, sizeof *early);
    uint32_t *firstw = xcalloc(nc + 1, sizeof *firstw);
    uint32_t *touched = xmalloc((nfb + 1) * sizeof *touched);
    for (size_t i = 0; i < nfb;) {
        size_t j = i, nt = 0;
        while (j < nfb && fb[j].mint == fb[i].mint)
            j++;
        for (size_t x = i; x < j; x++) {
            uint32_t c = in_c[fb[x].wallet];
            if (!c)
                continue;
            if (cnt[c]++ == 0) {
                touched[nt++] = c;
                firstw[c] = fb[x].wallet;
            }
            if (x - i < p->early_n)
                early[c]++;
        }
        for (size_t k = 0; k < nt; k++) {
            uint32_t c = touched[k];
            if (cnt[c] >= 2) {
                together[c]++;
                first[firstw[c]]++;
                launches[c] += early[c] >= 2;
                created[c] += in_c[fb[i].wallet] == c;
            }
            cnt[c] = early[c] = 0;
        }
        i = j;
    }
    for (size_t ci = 0; ci < nc; ci++) {
        struct graph_cluster *c = &out->v.v[ci];
        uint32_t id = (uint32_t)ci + 1;
        c->cohesion = total[id] > 0 ? internal[id] / total[id] : 0;
        c->tokens = together[id];
        /* Leader: the funding root, else the most frequent first buyer,
         * else the highest weighted degree. */
        size_t best = SIZE_MAX;
        for (size_t k = 0; k < c->n; k++) {
            uint32_t w = c->members[k];
            if (funded[w] > 0 && funded_in[w] == 0 &&
                (best == SIZE_MAX || funded[w] > funded[c->members[best]]))
                best = k;
        }
        if (best != SIZE_MAX) {
            c->leader_rule = GL_FUNDING_ROOT;
        } else {
            for (size_t k = 0; k < c->n; k++)
                if (first[c->members[k]] > 0 &&
                    (best == SIZE_MAX || first[c->members[k]] > first[c->members[best]]))
                    best = k;
            if (best != SIZE_MAX) {
                c->leader_rule = GL_FIRST_BUYER;
            } else {
                best = 0;
                for (size_t k = 1; k < c->n; k++)
                    if (deg[c->members[k]] > deg[c->members[best]])
                        best = k;
                c->leader_rule = GL_DEGREE;
            }
        }
        c->leader = c->members[best];
        uint32_t nswept = 0;
        for (size_t k = 0; k < c->n; k++)
            nswept += swept[c->members[k]];
        c->launch_share = together[id] ? (double)launches[id] / together[id] : 0;
        c->created_share = together[id] ? (double)created[id] / together[id] : 0;
        c->sweep_share = c->n ? (double)nswept / (double)c->n : 0;
        double x =
            0.4 * c->launch_share + 0.3 * c->created_share + 0.3 * fmin(1.0, 2 * c->sweep_share);
        c->insider = x < 0 ? 0 : x > 1 ? 1 : x;
    }
    free(funded);
    free(funded_in);
    free(first);
    free(deg);
    free(swept);
    free(internal);
    free(total);
    free(together);
    free(launches);
    free(created);
    free(cnt);
    free(early);
    free(firstw);
    free(touched);
}

/* The clusters of partition memb over lg's nodes (wallet_of[i] the
 * wallet of node i): communities of at least min_size (and 2) members. */
static void clusters_of(const uint32_t *memb, uint32_t nc, uint32_t nn, const uint32_t *wallet_of,
                        const struct graph_params *p, struct graph_clusters *out)
{
    size_t *cnt = xcalloc((size_t)nc + 1, sizeof *cnt);
    for (uint32_t i = 0; i < nn; i++)
        cnt[memb[i]]++;
    long *slot = xmalloc(((size_t)nc + 1) * sizeof *slot);
    for (uint32_t c = 0; c < nc; c++) {
        slot[c] = -1;
        if (cnt[c] >= p->min_size && cnt[c] >= 2) {
            struct graph_cluster *gc = vec_push_zero(&out->v);
            gc->members = xmalloc(cnt[c] * sizeof *gc->members);
            slot[c] = (long)out->v.len - 1;
        }
    }
    for (uint32_t i = 0; i < nn; i++) {
        long sl = slot[memb[i]];
        if (sl >= 0) {
            struct graph_cluster *gc = &out->v.v[sl];
            gc->members[gc->n++] = wallet_of[i];
        }
    }
    free(cnt);
    free(slot);
}

int graph_cluster_edges(const struct graph *g, const struct graph_params *p, struct leiden_edge *e,
                        size_t m, struct graph_clusters *out)
{
    memset(out, 0, sizeof *out);
    uint32_t nw = g->wallets.count;
    for (size_t i = 0; i < m; i++)
        if (e[i].a >= nw || e[i].b >= nw) {
            free(e);
            return WT_EINVAL;
        }
    m = leiden_fold(e, m);
    /* Nodes: the wallets with an edge other than a self loop, renumbered
     * densely in wallet order (which keeps the folded edges sorted). */
    uint32_t *node_of = xmalloc(((size_t)nw + 1) * sizeof *node_of);
    for (uint32_t i = 0; i < nw; i++)
        node_of[i] = UINT32_MAX;
    size_t k = 0;
    for (size_t i = 0; i < m; i++)
        if (e[i].a != e[i].b) {
            node_of[e[i].a] = 0;
            node_of[e[i].b] = 0;
            e[k++] = e[i];
        }
    m = k;
    uint32_t nn = 0;
    uint32_t *wallet_of = xmalloc(((size_t)nw + 1) * sizeof *wallet_of);
    for (uint32_t i = 0; i < nw; i++)
        if (node_of[i] != UINT32_MAX) {
            wallet_of[nn] = i;
            node_of[i] = nn++;
        }
    for (size_t i = 0; i < m; i++) {
        e[i].a = node_of[e[i].a];
        e[i].b = node_of[e[i].b];
    }
    free(node_of);
    struct leiden_graph lg;
    int rc = leiden_graph_build(&lg, nn, e, m);
    free(e); /* the CSR holds it all now */
    if (rc != 0) {
        free(wallet_of);
        return rc;
    }
    uint32_t *memb = xmalloc(((size_t)nn + 1) * sizeof *memb);
    struct leiden_params lp;
    leiden_params_default(&lp);
    lp.resolution = p->resolution;
    uint32_t nc = leiden_run(&lg, &lp, memb, &out->modularity);
    clusters_of(memb, nc, nn, wallet_of, p, out);
    free(memb);
    /* Deterministic order: by the smallest member. */
    for (size_t i = 0; i < out->v.len; i++)
        qsort(out->v.v[i].members, out->v.v[i].n, sizeof(uint32_t), cmp_u32);
    if (out->v.len > 1)
        qsort(out->v.v, out->v.len, sizeof *out->v.v, cmp_cluster_first);
    if (out->v.len > 0) {
        uint32_t *in_c = xcalloc((size_t)nw + 1, sizeof *in_c);
        for (size_t i = 0; i < out->v.len; i++)
            for (size_t j = 0; j < out->v.v[i].n; j++)
                in_c[out->v.v[i].members[j]] = (uint32_t)i + 1;
        uint32_t *nm = xcalloc((size_t)nw + 1, sizeof *nm);
        struct graph_buy *fb;
        size_t nfb = first_buys(g, &fb, nm);
        describe_all(g, p, out, in_c, &lg, wallet_of, fb, nfb);
        free(fb);
        free(nm);
        free(in_c);
    }
    leiden_graph_release(&lg);
    free(wallet_of);
    return 0;
}

int graph_cluster(const struct graph *g, const struct graph_params *p, struct graph_clusters *out)
{
    /* The clustering weight of each edge in a 12-byte record; pairs are
     * folded (summed over kinds and repeats) by graph_cluster_edges. */
    size_t n = g->edges.len, k = 0;
    struct leiden_edge *e = xmalloc((n ? n : 1) * sizeof *e);
    for (size_t i = 0; i < n; i++) {
        const struct graph_edge *x = &g->edges.v[i];
        double w = p->kind_weight[x->kind] * x->weight;
        if (!(w > 0) || x->a == x->b)
            continue;
        e[k++] = (struct leiden_edge){x->a, x->b, (float)w};
    }
    return graph_cluster_edges(g, p, e, k, out);
}

/* ------------------------------------------------------------ matching */

static size_t overlap(const struct graph_set *a, const struct graph_set *b)
{
    size_t i = 0, j = 0, k = 0;
    while (i < a->n && j < b->n) {
        if (a->v[i] == b->v[j])
            k++, i++, j++;
        else if (a->v[i] < b->v[j])
            i++;
        else
            j++;
    }
    return k;
}

struct cand {
    double jac;
    size_t next, prev;
};

static int cmp_cand(const void *x, const void *y)
{
    const struct cand *a = x, *b = y;
    if (a->jac != b->jac)
        return a->jac > b->jac ? -1 : 1;
    if (a->next != b->next)
        return a->next < b->next ? -1 : 1;
    return a->prev < b->prev ? -1 : a->prev > b->prev;
}

void graph_match(const struct graph_set *prev, size_t nprev, const struct graph_set *next,
                 size_t nnext, double min_overlap, long *match)
{
    VEC(struct cand) c = {0};
    for (size_t i = 0; i < nnext; i++) {
        match[i] = -1;
        for (size_t j = 0; j < nprev; j++) {
            size_t k = overlap(&next[i], &prev[j]);
            if (k == 0)
                continue;
            double jac = (double)k / (double)(next[i].n + prev[j].n - k);
            if (jac >= min_overlap) {
                struct cand x = {jac, i, j};
                vec_push(&c, x);
            }
        }
    }
    if (c.len > 1)
        qsort(c.v, c.len, sizeof *c.v, cmp_cand);
    bool *taken = xcalloc(nprev ? nprev : 1, sizeof *taken);
    for (size_t i = 0; i < c.len; i++)
        if (match[c.v[i].next] < 0 && !taken[c.v[i].prev]) {
            match[c.v[i].next] = (long)c.v[i].prev;
            taken[c.v[i].prev] = true;
        }
    free(taken);
    vec_free(&c);
}
