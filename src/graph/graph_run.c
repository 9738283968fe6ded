/* The rebuild of the wallet graph from the store (graph_run) and its
 * schedule inside `serve` (graph_sched_*): read the stored swaps and
 * transfers of the window (graph.window_days), build the edges, run Leiden, carry the previous
 * clusters' ids (and blacklist flags) over by member overlap, and save it all in one transaction.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/clock.h"
#include "base/config.h"
#include "base/err.h"
#include "base/log.h"
#include "base/mem.h"
#include "base/sched.h"
#include "base/str.h"
#include "graph/graph.h"
#include "solana/base58.h"
#include "solana/pubkey.h"
#include "store/store.h"

struct load {
    struct graph *g;
    int64_t cutoff; /* graph_window_cutoff */
};

static int on_swap(void *ctx, const struct stored_swap *s)
{
    struct load *l = ctx;
    graph_add_swap(l->g, &s->swap); /* the scan starts at the cutoff */
    return 0;
}

static int on_transfer(void *ctx, const struct transfer_event *t)
{
    struct load *l = ctx;
    if (t->ts_ms >= l->cutoff)
        graph_add_transfer(l->g, t);
    return 0;
}

/* The previous clusters and their members as wallet-id sets. */
struct prev {
    VEC(struct cluster_row) rows;
    VEC(uint32_t *) mem;
    VEC(size_t) n;
    struct graph *g;
};

static long prev_index(const struct prev *p, int64_t id)
{
    for (size_t i = 0; i < p->rows.len; i++)
        if (p->rows.v[i].id == id)
            return (long)i;
    return -1;
}

static int on_member(void *ctx, int64_t cluster_id, const char *wallet)
{
    struct prev *p = ctx;
    long i = prev_index(p, cluster_id);
    struct pubkey k;
    if (i < 0 || pubkey_parse(wallet, &k) != 0)
        return 0;
    uint32_t id = intern_put(&p->g->wallets, k.b);
    size_t n = p->n.v[i];
    p->mem.v[i] = xrealloc(p->mem.v[i], (n + 1) * sizeof(uint32_t));
    p->mem.v[i][n] = id;
    p->n.v[i] = n + 1;
    return 0;
}

static int cmp_u32(const void *x, const void *y)
{
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    return a < b ? -1 : a > b;
}

static int load_prev(struct store *st, struct prev *p)
{
    struct cluster_filter f = {.sort = CLUSTER_SORT_UPDATED, .ascending = true, .limit = 1000};
    struct cluster_row *page = xmalloc(1000 * sizeof *page);
    int rc;
    for (f.page = 1;; f.page++) {
        size_t n = 0;
        int64_t total = 0;
        rc = store_clusters_query(st, &f, page, &n, &total);
        if (rc != 0)
            break;
        for (size_t i = 0; i < n; i++) {
            vec_push(&p->rows, page[i]);
            vec_push(&p->mem, NULL);
            vec_push(&p->n, 0);
        }
        if (n < f.limit)
            break;
    }
    free(page);
    if (rc == 0)
        rc = store_cluster_members_scan(st, false, on_member, p);
    for (size_t i = 0; i < p->rows.len; i++)
        if (p->n.v[i] > 0)
            qsort(p->mem.v[i], p->n.v[i], sizeof(uint32_t), cmp_u32);
    return rc;
}

static void prev_free(struct prev *p)
{
    for (size_t i = 0; i < p->mem.len; i++)
        free(p->mem.v[i]);
    vec_free(&p->mem);
    vec_free(&p->n);
    vec_free(&p->rows);
}

static void addr_of(const struct graph *g, uint32_t w, char *out)
{
    if (base58_encode(graph_wallet_key(g, w), 32, out, BASE58_KEY_MAX) < 0)
        out[0] = '\0';
}

/* The next free label number: labels are "cluster-<n>". */
static long next_label(const struct prev *p)
{
    long max = 0;
    for (size_t i = 0; i < p->rows.len; i++) {
        long v = 0;
        if (sscanf(p->rows.v[i].label, "cluster-%ld", &v) == 1 && v > max)
            max = v;
    }
    return max + 1;
}

static double seconds_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

int graph_run(struct store *st, const struct graph_params *p, int64_t now_ms,
              struct graph_report *rep)
{
    memset(rep, 0, sizeof *rep);
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    struct graph g;
    graph_init(&g);
    struct prev prev = {.g = &g};
    struct graph_clusters cl = {0};
    VEC(struct graph_edge_row) er = {0};
    VEC(struct cluster_row) cr = {0};
    VEC(struct cluster_member_row) mr = {0};
    long *match = NULL;
    struct graph_set *ps = NULL, *ns = NULL;
    struct load l = {&g, INT64_MIN};
    int64_t latest = INT64_MIN;
    int rc = store_swaps_latest_ts(st, &latest);
    if (rc == 0) {
        l.cutoff = graph_window_cutoff(p, latest);
        rc = store_swaps_scan(st, l.cutoff, INT64_MAX, on_swap, &l);
    }
    if (rc == 0)
        rc = store_transfers_scan(st, on_transfer, &l);
    if (rc != 0)
        goto out;
    rep->cutoff_ms = l.cutoff;
    rep->swaps = g.swaps_seen;
    rep->transfers = g.transfers.len;
    rep->wallets = g.wallets.count;
    if ((rc = graph_build_edges(&g, p)) != 0 || (rc = graph_cluster(&g, p, &cl)) != 0)
        goto out;
    for (uint32_t w = 0; w < g.hub.len; w++)
        rep->hubs += g.hub.v[w];
    for (size_t i = 0; i < g.edges.len; i++) {
        const struct graph_edge *e = &g.edges.v[i];
        rep->edges[e->kind]++;
        struct graph_edge_row *r = vec_push_zero(&er);
        addr_of(&g, e->a, r->src);
        addr_of(&g, e->b, r->dst);
        str_copy(r->kind, sizeof r->kind, graph_kind_name((enum graph_kind)e->kind));
        r->weight = e->weight;
        r->count = (int32_t)e->count;
        r->first_ms = e->first_ms;
        r->last_ms = e->last_ms;
    }
    rep->modularity = cl.modularity;

    /* Stable ids: match against the stored clusters. */
    if ((rc = load_prev(st, &prev)) != 0)
        goto out;
    ps = xcalloc(prev.rows.len + 1, sizeof *ps);
    ns = xcalloc(cl.v.len + 1, sizeof *ns);
    match = xcalloc(cl.v.len + 1, sizeof *match);
    for (size_t i = 0; i < prev.rows.len; i++)
        ps[i] = (struct graph_set){prev.mem.v[i], prev.n.v[i]};
    for (size_t i = 0; i < cl.v.len; i++)
        ns[i] = (struct graph_set){cl.v.v[i].members, cl.v.v[i].n};
    graph_match(ps, prev.rows.len, ns, cl.v.len, p->match_overlap, match);
    bool *kept = xcalloc(prev.rows.len + 1, sizeof *kept);
    long label = next_label(&prev);
    for (size_t i = 0; i < cl.v.len; i++) {
        const struct graph_cluster *c = &cl.v.v[i];
        struct cluster_row *r = vec_push_zero(&cr);
        if (match[i] >= 0) {
            const struct cluster_row *o = &prev.rows.v[match[i]];
            kept[match[i]] = true;
            str_copy(r->label, sizeof r->label, o->label);
            r->blacklisted = o->blacklisted;
            r->created_ms = o->created_ms;
            rep->kept_ids++;
        } else {
            snprintf(r->label, sizeof r->label, "cluster-%ld", label++);
            r->created_ms = now_ms;
            rep->new_ids++;
        }
        addr_of(&g, c->leader, r->leader);
        str_copy(r->leader_rule, sizeof r->leader_rule, graph_leader_rule_name(c->leader_rule));
        r->size = (int32_t)c->n;
        r->cohesion = c->cohesion;
        r->tokens = (int32_t)c->tokens;
        r->insider = c->insider;
        r->updated_ms = now_ms;
        for (size_t k = 0; k < c->n; k++) {
            struct cluster_member_row *m = vec_push_zero(&mr);
            m->cluster_id = (int64_t)cr.len; /* 1-based index, see store_graph_save */
            addr_of(&g, c->members[k], m->wallet);
            str_copy(m->role, sizeof m->role, c->members[k] == c->leader ? "leader" : "follower");
            m->weight = 1.0;
            m->joined_ms = now_ms;
            struct wallet w;
            if (store_wallet_get(st, m->wallet, &w) == 0)
                r->pnl_sol += w.total_pnl;
        }
        rep->clustered_wallets += c->n;
    }
    /* A blacklisted cluster that dissolved stays, with its last members:
     * the operator's decision outlives the rebuild. */
    for (size_t i = 0; i < prev.rows.len; i++) {
        if (kept[i])
            continue;
        if (!prev.rows.v[i].blacklisted) {
            rep->dropped++;
            continue;
        }
        struct cluster_row *r = vec_push_zero(&cr);
        *r = prev.rows.v[i];
        r->id = 0;
        for (size_t k = 0; k < prev.n.v[i]; k++) {
            struct cluster_member_row *m = vec_push_zero(&mr);
            m->cluster_id = (int64_t)cr.len;
            addr_of(&g, prev.mem.v[i][k], m->wallet);
            str_copy(m->role, sizeof m->role,
                     strcmp(m->wallet, r->leader) == 0 ? "leader" : "follower");
            m->weight = 1.0;
            m->joined_ms = r->created_ms;
        }
    }
    free(kept);
    rep->clusters = cl.v.len;
    rc = store_graph_save(st, er.v, er.len, cr.v, cr.len, mr.v, mr.len);
out:
    rep->seconds = seconds_since(&t0);
    free(ps);
    free(ns);
    free(match);
    vec_free(&er);
    vec_free(&cr);
    vec_free(&mr);
    prev_free(&prev);
    graph_clusters_release(&cl);
    graph_release(&g);
    return rc;
}

/* ------------------------------------------------------------ schedule */

struct graph_sched {
    struct store *st;
    struct graph_params p;
    char hubs[1024];
    void (*after_run)(void *ctx);
    void *ctx;
};

static void sched_job(void *arg)
{
    struct graph_sched *s = arg;
    struct graph_report rep;
    struct clock c;
    clock_init_real(&c);
    int rc = graph_run(s->st, &s->p, clock_now_ms(&c), &rep);
    char since[40] = "the first event";
    if (rc == 0 && rep.cutoff_ms != INT64_MIN)
        clock_format_iso(rep.cutoff_ms, since, sizeof since);
    if (rc != 0)
        log_error("graph", "scheduled rebuild failed: %s", wt_strerror(rc));
    else
        log_info("graph",
                 "scheduled rebuild: %zu swaps, %zu transfers (window from %s), %zu funded_by, %zu "
                 "sweep, %zu "
                 "synced_buy, %zu co_early edges; %zu clusters (%zu wallets, %zu ids kept, %zu "
                 "new, %zu dropped) in %.2f s",
                 rep.swaps, rep.transfers, since, rep.edges[GK_FUNDED_BY], rep.edges[GK_SWEEP],
                 rep.edges[GK_SYNCED_BUY], rep.edges[GK_CO_EARLY], rep.clusters,
                 rep.clustered_wallets, rep.kept_ids, rep.new_ids, rep.dropped, rep.seconds);
    if (rc == 0 && s->after_run)
        s->after_run(s->ctx);
}

int graph_sched_start(struct sched *sc, struct store *st, const struct config *cfg,
                      void (*after_run)(void *ctx), void *ctx, struct graph_sched **out)
{
    *out = NULL;
    int64_t minutes = config_int(cfg, CFG_GRAPH_INTERVAL_MIN);
    if (minutes <= 0)
        return 0;
    struct graph_sched *s = xcalloc(1, sizeof *s);
    s->st = st;
    s->after_run = after_run;
    s->ctx = ctx;
    graph_params_from_config(cfg, &s->p);
    str_copy(s->hubs, sizeof s->hubs, s->p.hubs ? s->p.hubs : "");
    s->p.hubs = s->hubs; /* the config may be released before the job runs */
    int64_t interval_ms = minutes * MS_PER_MINUTE;
    bool on_start = config_bool(cfg, CFG_GRAPH_ON_START);
    int rc =
        sched_add(sc, "graph", on_start ? 0 : interval_ms, interval_ms, SCHED_WORKER, sched_job, s);
    if (rc < 0) {
        free(s);
        return rc;
    }
    log_info("graph", "rebuild scheduled every %lld min%s", (long long)minutes,
             on_start ? ", first run now" : "");
    *out = s;
    return 0;
}

void graph_sched_free(struct graph_sched *s)
{
    free(s);
}
