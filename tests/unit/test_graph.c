/* The wallet graph (src/graph): each edge rule on hand-made transfers and
 * swaps (hub exclusion, the sync boundary, the Jaccard filters), Leiden on
 * a planted partition, the id matching, and the rebuild through the store
 * (ids and blacklists carried over; later members of a blacklisted cluster
 * join it). The store part runs on SQLite and, as unit/graph_pg, on a
 * throwaway PostgreSQL (WALLTRACK_TEST_PG_URL). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/err.h"
#include "base/log.h"
#include <igraph/igraph.h>

#include "graph/graph.h"
#include "graph/graph_export.h"
#include "graph/leiden.h"
#include "solana/base58.h"
#include "store/store.h"

#include "../support/store_fixture.c"

#include "../support/graph_events.c"

/* The edges of kind k as "a>b" pairs of the test's wallet numbers. */
static size_t count_kind(const struct graph *g, enum graph_kind k)
{
    size_t n = 0;
    for (size_t i = 0; i < g->edges.len; i++)
        n += g->edges.v[i].kind == k;
    return n;
}

static uint32_t num(const struct graph *g, uint32_t id)
{
    uint32_t v;
    memcpy(&v, graph_wallet_key(g, id), sizeof v);
    return v;
}

static const struct graph_edge *find(const struct graph *g, enum graph_kind k, uint32_t a,
                                     uint32_t b)
{
    for (size_t i = 0; i < g->edges.len; i++) {
        const struct graph_edge *e = &g->edges.v[i];
        if (e->kind == k && num(g, e->a) == a && num(g, e->b) == b)
            return e;
    }
    return NULL;
}

static void add_buy(struct graph *g, uint32_t w, uint32_t mint, int64_t t)
{
    struct swap_event s = buy(w, mint, t);
    graph_add_swap(g, &s);
}

static void add_sol(struct graph *g, uint32_t from, uint32_t to, uint64_t lamports, int64_t t)
{
    struct transfer_event x = sol(from, to, lamports, t);
    graph_add_transfer(g, &x);
}

static void test_funded_by(void **state)
{
    (void)state;
    struct graph_params p;
    graph_params_default(&p);
    struct graph g;
    graph_init(&g);
    add_sol(&g, 1, 2, SOL, 0);      /* before 2's first trade: funding */
    add_buy(&g, 2, 1, 100 * SEC);   /* 2's first trade */
    add_sol(&g, 1, 3, SOL / 20, 0); /* below fund_min (0.05 < 0.1 SOL) */
    add_buy(&g, 3, 1, 100 * SEC);
    add_sol(&g, 1, 4, SOL, 200 * SEC); /* after 4's first trade, no buy after: no */
    add_buy(&g, 4, 2, 100 * SEC);
    add_sol(&g, 1, 5, SOL, 200 * SEC); /* after, but 5 buys 30 min later: yes */
    add_buy(&g, 5, 2, 100 * SEC);
    add_buy(&g, 5, 3, 200 * SEC + 30 * 60 * SEC);
    add_sol(&g, 1, 6, SOL, 0); /* 6 never traded (yet): armed, yes */
    assert_int_equal(graph_build_edges(&g, &p), 0);
    assert_non_null(find(&g, GK_FUNDED_BY, 2, 1));
    assert_null(find(&g, GK_FUNDED_BY, 3, 1));
    assert_null(find(&g, GK_FUNDED_BY, 4, 1));
    assert_non_null(find(&g, GK_FUNDED_BY, 5, 1));
    assert_non_null(find(&g, GK_FUNDED_BY, 6, 1));
    assert_int_equal(count_kind(&g, GK_FUNDED_BY), 3);
    const struct graph_edge *e = find(&g, GK_FUNDED_BY, 2, 1);
    assert_int_equal(e->count, 1);
    assert_int_equal(e->first_ms, 0);
    assert_true(e->weight == 1.0);
    /* a window of 10 minutes no longer takes 5's funding */
    p.fund_window_ms = 10 * 60 * SEC;
    assert_int_equal(graph_build_edges(&g, &p), 0);
    assert_null(find(&g, GK_FUNDED_BY, 5, 1));
    assert_non_null(find(&g, GK_FUNDED_BY, 2, 1));
    graph_release(&g);
}

static void test_hub_exclusion(void **state)
{
    (void)state;
    struct graph_params p;
    graph_params_default(&p);
    p.hub_fanout = 25;
    struct graph g;
    graph_init(&g);
    /* 1 sends to 26 distinct wallets (one hub), 7 to 25 (not one). */
    for (uint32_t i = 0; i < 26; i++) {
        add_sol(&g, 1, 100 + i, SOL, 0);
        add_buy(&g, 100 + i, i, 10 * SEC);
    }
    for (uint32_t i = 0; i < 25; i++) {
        add_sol(&g, 7, 200 + i, SOL, 0);
        add_buy(&g, 200 + i, 100 + i, 10 * SEC);
    }
    assert_int_equal(graph_build_edges(&g, &p), 0);
    assert_null(find(&g, GK_FUNDED_BY, 100, 1));
    assert_non_null(find(&g, GK_FUNDED_BY, 200, 7));
    assert_int_equal(count_kind(&g, GK_FUNDED_BY), 25);
    /* a known hub by address: 7 listed */
    char addr[BASE58_KEY_MAX], list[2 * BASE58_KEY_MAX + 8];
    struct pubkey k7 = key(7), k1 = key(1);
    char a1[BASE58_KEY_MAX];
    assert_true(base58_encode(k7.b, 32, addr, sizeof addr) > 0);
    assert_true(base58_encode(k1.b, 32, a1, sizeof a1) > 0);
    snprintf(list, sizeof list, "%s, %s", a1, addr);
    p.hubs = list;
    assert_int_equal(graph_build_edges(&g, &p), 0);
    assert_int_equal(count_kind(&g, GK_FUNDED_BY), 0);
    /* a bad entry is refused */
    p.hubs = "not-an-address";
    assert_int_equal(graph_build_edges(&g, &p), WT_EINVAL);
    /* a hub is never a sweep target either */
    p.hubs = a1;
    graph_release(&g);
    graph_init(&g);
    add_sol(&g, 1, 2, SOL, 0);
    add_buy(&g, 2, 1, 10 * SEC);
    add_sol(&g, 2, 1, 5 * SOL, 60 * SEC);
    assert_int_equal(graph_build_edges(&g, &p), 0);
    assert_int_equal(g.edges.len, 0);
    p.hubs = NULL;
    assert_int_equal(graph_build_edges(&g, &p), 0);
    assert_non_null(find(&g, GK_SWEEP, 2, 1));
    graph_release(&g);
}

static void test_sweep(void **state)
{
    (void)state;
    struct graph_params p;
    graph_params_default(&p);
    struct graph g;
    graph_init(&g);
    add_sol(&g, 1, 2, SOL, 0);
    add_buy(&g, 2, 1, 10 * SEC);
    add_sol(&g, 2, 1, 3 * SOL, 600 * SEC); /* back to its funder after trading: SWEEP */
    add_sol(&g, 2, 9, 3 * SOL, 600 * SEC); /* to a wallet that never sent to 2: no */
    add_sol(&g, 3, 4, SOL, 0);
    add_sol(&g, 4, 3, 3 * SOL, 5 * SEC); /* before 4 traded: no */
    add_buy(&g, 4, 2, 10 * SEC);
    add_sol(&g, 2, 1, SOL / 20, 700 * SEC); /* small: not counted */
    assert_int_equal(graph_build_edges(&g, &p), 0);
    const struct graph_edge *e = find(&g, GK_SWEEP, 2, 1);
    assert_non_null(e);
    assert_int_equal(e->count, 1);
    assert_int_equal(count_kind(&g, GK_SWEEP), 1);
    /* 1 never trades, but the sweep it received is a return, not funding */
    assert_null(find(&g, GK_FUNDED_BY, 1, 2));
    assert_non_null(find(&g, GK_FUNDED_BY, 2, 1));
    graph_release(&g);
}

static void test_synced_buy_boundary(void **state)
{
    (void)state;
    struct graph_params p;
    graph_params_default(&p);
    p.sync_ms = 5 * SEC;
    p.sync_min = 2;
    struct graph g;
    graph_init(&g);
    /* 1 and 2: two mints exactly 5 s apart (inside: |dt| <= sync) */
    add_buy(&g, 1, 1, 1000 * SEC);
    add_buy(&g, 2, 1, 1005 * SEC);
    add_buy(&g, 2, 2, 2000 * SEC);
    add_buy(&g, 1, 2, 2005 * SEC);
    /* 3 and 4: one at 5 s, one at 5.001 s: only one synced mint */
    add_buy(&g, 3, 3, 1000 * SEC);
    add_buy(&g, 4, 3, 1005 * SEC);
    add_buy(&g, 3, 4, 2000 * SEC);
    add_buy(&g, 4, 4, 2005 * SEC + 1);
    assert_int_equal(graph_build_edges(&g, &p), 0);
    const struct graph_edge *e = find(&g, GK_SYNCED_BUY, 1, 2);
    assert_non_null(e);
    assert_int_equal(e->count, 2);
    assert_true(e->weight == 1.0); /* 2 synced of 2 mints each */
    assert_null(find(&g, GK_SYNCED_BUY, 3, 4));
    /* a later buy of the same mint is not a first buy: 3 buying mint 4
     * again 1 s before 4 does is no new evidence */
    add_buy(&g, 3, 4, 2004 * SEC);
    assert_int_equal(graph_build_edges(&g, &p), 0);
    assert_null(find(&g, GK_SYNCED_BUY, 3, 4));
    /* Jaccard: 1 also buys 8 other mints alone: 2 / 10 < 0.3 */
    for (uint32_t m = 10; m < 18; m++)
        add_buy(&g, 1, m, 5000 * SEC + m * 100 * SEC);
    assert_int_equal(graph_build_edges(&g, &p), 0);
    assert_null(find(&g, GK_SYNCED_BUY, 1, 2));
    p.sync_jaccard = 0.2;
    assert_int_equal(graph_build_edges(&g, &p), 0);
    e = find(&g, GK_SYNCED_BUY, 1, 2);
    assert_non_null(e);
    assert_float_equal(e->weight, 0.2, 1e-12);
    graph_release(&g);
}

static void test_co_early(void **state)
{
    (void)state;
    struct graph_params p;
    graph_params_default(&p);
    p.early_n = 3;
    p.early_min = 2;
    p.early_jaccard = 0.5;
    p.sync_ms = 0; /* keep SYNCED_BUY out of the way (different times) */
    struct graph g;
    graph_init(&g);
    /* mints 1 and 2: 1, 2, 3 are the first three buyers; 4 is fourth */
    for (uint32_t m = 1; m <= 2; m++) {
        add_buy(&g, 1, m, m * 10000 * SEC + 1 * SEC);
        add_buy(&g, 2, m, m * 10000 * SEC + 2 * SEC);
        add_buy(&g, 3, m, m * 10000 * SEC + (m == 1 ? 3 : 60) * SEC);
        add_buy(&g, 4, m, m * 10000 * SEC + (m == 1 ? 4 : 30) * SEC);
    }
    assert_int_equal(graph_build_edges(&g, &p), 0);
    const struct graph_edge *e = find(&g, GK_CO_EARLY, 1, 2);
    assert_non_null(e);
    assert_int_equal(e->count, 2);
    /* 3 was early on mint 1 only (4 beat it on mint 2): one common mint */
    assert_null(find(&g, GK_CO_EARLY, 1, 3));
    assert_null(find(&g, GK_CO_EARLY, 1, 4));
    assert_int_equal(count_kind(&g, GK_CO_EARLY), 1);
    assert_int_equal(count_kind(&g, GK_SYNCED_BUY), 0);
    graph_release(&g);
}

/* Leiden on a planted partition: 5 groups of 6 wallets, every pair inside a
 * group synced (weight 1), a ring of weak links between groups. */
static void test_leiden_planted(void **state)
{
    (void)state;
    struct graph_params p;
    graph_params_default(&p);
    struct graph g;
    graph_init(&g);
    const uint32_t groups = 5, size = 6;
    for (uint32_t i = 0; i < groups * size; i++) {
        struct pubkey k = key(1000 + i);
        intern_put(&g.wallets, k.b);
    }
    for (uint32_t c = 0; c < groups; c++) {
        for (uint32_t x = 0; x < size; x++)
            for (uint32_t y = x + 1; y < size; y++) {
                struct graph_edge e = {c * size + x, c * size + y, GK_SYNCED_BUY, 3, 1.0, 0, 0};
                vec_push(&g.edges, e);
            }
        struct graph_edge weak = {c * size, ((c + 1) % groups) * size + 1, GK_CO_EARLY, 2, 0.5, 0,
                                  0};
        vec_push(&g.edges, weak);
    }
    struct graph_clusters cl;
    assert_int_equal(graph_cluster(&g, &p, &cl), 0);
    assert_int_equal(cl.v.len, groups);
    for (uint32_t c = 0; c < groups; c++) {
        assert_int_equal(cl.v.v[c].n, size);
        for (uint32_t x = 0; x < size; x++)
            assert_int_equal(cl.v.v[c].members[x], c * size + x);
        assert_true(cl.v.v[c].cohesion > 0.9 && cl.v.v[c].cohesion < 1.0);
        assert_int_equal(cl.v.v[c].leader_rule, GL_DEGREE);
    }
    assert_true(cl.modularity > 0.6);
    /* the same input gives the same partition */
    struct graph_clusters again;
    assert_int_equal(graph_cluster(&g, &p, &again), 0);
    assert_int_equal(again.v.len, cl.v.len);
    for (size_t i = 0; i < cl.v.len; i++)
        assert_memory_equal(again.v.v[i].members, cl.v.v[i].members,
                            cl.v.v[i].n * sizeof(uint32_t));
    graph_clusters_release(&again);
    /* the same pairs as 12-byte records, reversed and split in two
     * halves of the weight: the same clusters and modularity */
    struct leiden_edge *le = malloc(2 * g.edges.len * sizeof *le);
    for (size_t i = 0; i < g.edges.len; i++) {
        const struct graph_edge *e = &g.edges.v[i];
        float w = (float)(p.kind_weight[e->kind] * e->weight / 2);
        le[2 * i] = (struct leiden_edge){e->b, e->a, w};
        le[2 * i + 1] = (struct leiden_edge){e->a, e->b, w};
    }
    assert_int_equal(graph_cluster_edges(&g, &p, le, 2 * g.edges.len, &again), 0);
    assert_int_equal(again.v.len, cl.v.len);
    for (size_t i = 0; i < cl.v.len; i++)
        assert_memory_equal(again.v.v[i].members, cl.v.v[i].members,
                            cl.v.v[i].n * sizeof(uint32_t));
    assert_true(fabs(again.modularity - cl.modularity) < 1e-6);
    graph_clusters_release(&again);
    /* an endpoint that is not a wallet of g */
    le = malloc(sizeof *le);
    le[0] = (struct leiden_edge){0, groups * size, 1};
    assert_int_equal(graph_cluster_edges(&g, &p, le, 1, &again), WT_EINVAL);
    graph_clusters_release(&cl);
    /* min_size above the groups' drops them all */
    p.min_size = 7;
    assert_int_equal(graph_cluster(&g, &p, &cl), 0);
    assert_int_equal(cl.v.len, 0);
    graph_clusters_release(&cl);
    graph_release(&g);
}

static void test_leader_and_insider(void **state)
{
    (void)state;
    struct graph_params p;
    graph_params_default(&p);
    struct graph g;
    graph_init(&g);
    /* funder 1 arms 2, 3, 4; they buy mints 1..3 together at launch (2
     * first each time: the creator's own first buy); 3 sweeps back. */
    for (uint32_t w = 2; w <= 4; w++)
        add_sol(&g, 1, w, 2 * SOL, 0);
    for (uint32_t m = 1; m <= 3; m++)
        for (uint32_t w = 2; w <= 4; w++)
            add_buy(&g, w, m, m * 100000 * SEC + w * SEC);
    add_sol(&g, 3, 1, 5 * SOL, 900000 * SEC);
    assert_int_equal(graph_build_edges(&g, &p), 0);
    struct graph_clusters cl;
    assert_int_equal(graph_cluster(&g, &p, &cl), 0);
    assert_int_equal(cl.v.len, 1);
    const struct graph_cluster *c = &cl.v.v[0];
    assert_int_equal(c->n, 4);
    assert_int_equal(num(&g, c->leader), 1);
    assert_int_equal(c->leader_rule, GL_FUNDING_ROOT);
    assert_int_equal(c->tokens, 3);
    assert_float_equal(c->launch_share, 1.0, 1e-12);
    assert_float_equal(c->created_share, 1.0, 1e-12);
    assert_float_equal(c->sweep_share, 0.25, 1e-12);
    assert_float_equal(c->insider, 0.4 + 0.3 + 0.3 * 0.5, 1e-12);
    graph_clusters_release(&cl);
    graph_release(&g);
}

static void test_match(void **state)
{
    (void)state;
    uint32_t a[] = {1, 2, 3, 4}, b[] = {10, 11, 12}, c[] = {20, 21};
    uint32_t x[] = {1, 2, 3, 4, 5}, y[] = {10, 11, 30, 31, 32}, z[] = {2, 3};
    struct graph_set prev[] = {{a, 4}, {b, 3}, {c, 2}};
    struct graph_set next[] = {{y, 5}, {x, 5}, {z, 2}};
    long m[3];
    graph_match(prev, 3, next, 3, 0.5, m);
    assert_int_equal(m[1], 0);  /* 4/5 of x */
    assert_int_equal(m[0], -1); /* 2/6 of b: below 0.5 */
    assert_int_equal(m[2], -1); /* a is taken by the better x */
    graph_match(prev, 3, next, 3, 0.3, m);
    assert_int_equal(m[0], 1);
}

/* ---- through the store ---- */

static char tmpdir[] = "/tmp/wt-graph-XXXXXX";
static struct store *st;

static int setup(void **state)
{
    (void)state;
    log_set_level(LOG_WARN);
    return store_fixture_open(tmpdir, &st);
}

static int teardown(void **state)
{
    (void)state;
    return store_fixture_close(tmpdir, st);
}

static void append_swap(struct swap_event s)
{
    struct event e = {.kind = EVENT_SWAP};
    e.u.swap = s;
    assert_int_equal(store_append_events(st, &e, 1, NULL), 0);
}

static void append_sol(struct transfer_event t)
{
    struct event e = {.kind = EVENT_TRANSFER};
    e.u.transfer = t;
    assert_int_equal(store_append_events(st, &e, 1, NULL), 0);
}

/* A cluster: funder f arms members m0..m0+n-1, who buy mints k0.. together. */
static void plant(uint32_t f, uint32_t m0, uint32_t n, uint32_t k0, uint32_t nk, int64_t t0)
{
    for (uint32_t i = 0; i < n; i++)
        append_sol(sol(f, m0 + i, 2 * SOL, t0));
    for (uint32_t k = 0; k < nk; k++)
        for (uint32_t i = 0; i < n; i++)
            append_swap(buy(m0 + i, k0 + k, t0 + (k + 1) * 3600 * SEC + i * SEC));
}

struct members {
    char w[64][BASE58_KEY_MAX];
    int64_t c[64];
    size_t n;
};

static int collect(void *ctx, int64_t cluster_id, const char *wallet)
{
    struct members *m = ctx;
    if (m->n < 64) {
        m->c[m->n] = cluster_id;
        snprintf(m->w[m->n], BASE58_KEY_MAX, "%s", wallet);
        m->n++;
    }
    return 0;
}

static int64_t cluster_of(const struct members *m, uint32_t w)
{
    struct pubkey k = key(w);
    char a[BASE58_KEY_MAX];
    base58_encode(k.b, 32, a, sizeof a);
    for (size_t i = 0; i < m->n; i++)
        if (strcmp(m->w[i], a) == 0)
            return m->c[i];
    return 0;
}

static void test_rebuild_keeps_ids(void **state)
{
    (void)state;
    struct graph_params p;
    graph_params_default(&p);
    plant(1, 10, 4, 1, 3, 1000 * SEC);
    plant(2, 20, 5, 10, 3, 2000 * SEC);
    struct graph_report r;
    assert_int_equal(graph_run(st, &p, 1000, &r), 0);
    assert_int_equal(r.clusters, 2);
    assert_int_equal(r.new_ids, 2);
    assert_int_equal(r.edges[GK_FUNDED_BY], 9);
    struct members m1 = {0};
    assert_int_equal(store_cluster_members_scan(st, false, collect, &m1), 0);
    assert_int_equal(m1.n, 5 + 6);
    int64_t c1 = cluster_of(&m1, 10), c2 = cluster_of(&m1, 20);
    assert_true(c1 > 0 && c2 > 0 && c1 != c2);
    assert_int_equal(cluster_of(&m1, 1), c1);
    struct cluster_row row;
    assert_int_equal(store_cluster_get(st, c1, &row), 0);
    assert_string_equal(row.leader_rule, "funding_root");
    assert_int_equal(row.size, 5);
    assert_int_equal(row.tokens, 3);
    assert_int_equal(row.created_ms, 1000);
    char label1[64];
    snprintf(label1, sizeof label1, "%s", row.label);

    /* Rebuild: same ids. Blacklist cluster 1, then a new member joins it. */
    assert_int_equal(graph_run(st, &p, 2000, &r), 0);
    assert_int_equal(r.kept_ids, 2);
    assert_int_equal(r.new_ids, 0);
    assert_int_equal(store_cluster_blacklist(st, c1, true, 2000), 0);
    assert_int_equal(store_cluster_blacklist(st, 999999, true, 2000), WT_ENOTFOUND);
    append_sol(sol(1, 14, 2 * SOL, 1000 * SEC));
    for (uint32_t k = 0; k < 3; k++)
        append_swap(buy(14, 1 + k, 1000 * SEC + (k + 1) * 3600 * SEC + 4 * SEC));
    assert_int_equal(graph_run(st, &p, 3000, &r), 0);
    assert_int_equal(r.kept_ids, 2);
    struct members m2 = {0};
    assert_int_equal(store_cluster_members_scan(st, true, collect, &m2), 0);
    assert_int_equal(m2.n, 6); /* the funder, 4 members and the new one */
    assert_int_equal(cluster_of(&m2, 14), c1);
    assert_int_equal(store_cluster_get(st, c1, &row), 0);
    assert_true(row.blacklisted);
    assert_string_equal(row.label, label1);
    assert_int_equal(row.created_ms, 1000);
    assert_int_equal(row.updated_ms, 3000);
    assert_int_equal(cluster_of(&m2, 20), 0); /* cluster 2 is not blacklisted */
}

/* The export of what test_rebuild_keeps_ids stored: GraphML that igraph
 * reads back with every node and edge, and the neo4j CSV files with their
 * import headers and one row per node or relationship. */
static size_t lines_of(const char *path, char *first, size_t firstsize)
{
    FILE *fp = fopen(path, "r");
    assert_non_null(fp);
    char line[1024];
    size_t n = 0;
    while (fgets(line, sizeof line, fp)) {
        if (n == 0)
            snprintf(first, firstsize, "%s", line);
        n++;
    }
    fclose(fp);
    return n;
}

static void test_export(void **state)
{
    (void)state;
    char path[512];
    snprintf(path, sizeof path, "%s/g.graphml", tmpdir);
    struct graph_export_stats es;
    assert_int_equal(graph_export(st, GRAPH_EXPORT_GRAPHML, path, &es), 0);
    assert_int_equal(es.clusters, 2);
    assert_true(es.edges > 0);
    FILE *fp = fopen(path, "r");
    assert_non_null(fp);
    igraph_t g;
    assert_int_equal(igraph_read_graph_graphml(&g, fp, 0), IGRAPH_SUCCESS);
    fclose(fp);
    assert_int_equal(igraph_vcount(&g), (igraph_integer_t)es.wallets);
    assert_int_equal(igraph_ecount(&g), (igraph_integer_t)es.edges);
    igraph_destroy(&g);

    snprintf(path, sizeof path, "%s/neo", tmpdir);
    assert_int_equal(graph_export(st, GRAPH_EXPORT_NEO4J_CSV, path, &es), 0);
    assert_int_equal(es.files, 4);
    char file[600], head[1024];
    snprintf(file, sizeof file, "%s/wallets.csv", path);
    assert_int_equal(lines_of(file, head, sizeof head), es.wallets + 1);
    assert_string_equal(head, "address:ID(Wallet),:LABEL\n");
    snprintf(file, sizeof file, "%s/relationships.csv", path);
    assert_int_equal(lines_of(file, head, sizeof head), es.edges + 1);
    assert_non_null(strstr(head, ":START_ID(Wallet),:END_ID(Wallet),:TYPE"));
    snprintf(file, sizeof file, "%s/clusters.csv", path);
    assert_int_equal(lines_of(file, head, sizeof head), es.clusters + 1);
    snprintf(file, sizeof file, "%s/members.csv", path);
    assert_int_equal(lines_of(file, head, sizeof head), es.members + 1);
    enum graph_export_format f;
    assert_int_equal(graph_export_format_parse("csv", &f), WT_EINVAL);
    /* a path that cannot be written */
    assert_int_equal(graph_export(st, GRAPH_EXPORT_GRAPHML, "/nonexistent/dir/g.graphml", &es),
                     WT_EIO);
}

int main(void)
{
    const struct CMUnitTest pure[] = {
        cmocka_unit_test(test_funded_by),
        cmocka_unit_test(test_hub_exclusion),
        cmocka_unit_test(test_sweep),
        cmocka_unit_test(test_synced_buy_boundary),
        cmocka_unit_test(test_co_early),
        cmocka_unit_test(test_leiden_planted),
        cmocka_unit_test(test_leader_and_insider),
        cmocka_unit_test(test_match),
    };
    const struct CMUnitTest stored[] = {
        cmocka_unit_test(test_rebuild_keeps_ids),
        cmocka_unit_test(test_export),
    };
    int rc = getenv("WALLTRACK_TEST_PG_URL") ? 0 : cmocka_run_group_tests(pure, NULL, NULL);
    return rc | cmocka_run_group_tests(stored, setup, teardown);
}
