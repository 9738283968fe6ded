/* Incremental edges (src/graph/graph_live.c): after a base, events applied
 * one by one with their changes taken in batches give the same edge set
 * (kind, ends, count, weight, first and last seen) as graph_build_edges
 * over every event, on hand-made events that exercise every rule (a
 * funding found by a later buy, a funder turning hub, a Jaccard weight
 * diluted by a new mint, an edge that disappears) and on a simulated
 * market, in order and shuffled. The store part (graph_livesync: the
 * changes written into graph_edges) compares graph_edges with a full
 * rebuild's; it runs on SQLite and, as unit/graph_live_pg, on a
 * throwaway PostgreSQL (WALLTRACK_TEST_PG_URL). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <math.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/config.h"
#include "base/err.h"
#include "base/log.h"
#include "graph/graph.h"
#include "graph/graph_live.h"
#include "ingest/helius.h"
#include "sim/sim.h"
#include "solana/base58.h"
#include "solana/pubkey.h"
#include "store/store.h"

#include "../support/store_fixture.c"

#include "../support/graph_events.c"
#include "../support/soak_events.c"

static struct event ev_buy(uint32_t w, uint32_t mint, int64_t t)
{
    struct event e = {.kind = EVENT_SWAP};
    e.u.swap = buy(w, mint, t);
    return e;
}

static struct event ev_sell(uint32_t w, uint32_t mint, int64_t t)
{
    struct event e = ev_buy(w, mint, t);
    e.u.swap.side = SIDE_SELL;
    return e;
}

static struct event ev_sol(uint32_t from, uint32_t to, uint64_t lamports, int64_t t)
{
    struct event e = {.kind = EVENT_TRANSFER};
    e.u.transfer = sol(from, to, lamports, t);
    return e;
}

/* ---- edges as comparable rows ---- */

struct erow {
    uint8_t kind;
    uint8_t a[32], b[32];
    uint32_t count;
    double weight;
    int64_t first_ms, last_ms;
};

static int cmp_erow(const void *x, const void *y)
{
    const struct erow *a = x, *b = y;
    if (a->kind != b->kind)
        return a->kind < b->kind ? -1 : 1;
    int c = memcmp(a->a, b->a, 32);
    return c != 0 ? c : memcmp(a->b, b->b, 32);
}

struct eset {
    struct erow *v;
    size_t len, cap;
};

static void eset_sort(struct eset *s)
{
    if (s->len > 1)
        qsort(s->v, s->len, sizeof *s->v, cmp_erow);
}

/* The full build over every event. */
static void full_edges(const struct event *ev, size_t n, const struct graph_params *p,
                       struct eset *out)
{
    struct graph g;
    graph_init(&g);
    for (size_t i = 0; i < n; i++)
        if (ev[i].kind == EVENT_SWAP)
            graph_add_swap(&g, &ev[i].u.swap);
        else if (ev[i].kind == EVENT_TRANSFER)
            graph_add_transfer(&g, &ev[i].u.transfer);
    assert_int_equal(graph_build_edges(&g, p), 0);
    out->len = 0;
    for (size_t i = 0; i < g.edges.len; i++) {
        const struct graph_edge *e = &g.edges.v[i];
        struct erow *r = vec_push_zero(out);
        r->kind = e->kind;
        memcpy(r->a, graph_wallet_key(&g, e->a), 32);
        memcpy(r->b, graph_wallet_key(&g, e->b), 32);
        r->count = e->count;
        r->weight = e->weight;
        r->first_ms = e->first_ms;
        r->last_ms = e->last_ms;
    }
    eset_sort(out);
    graph_release(&g);
}

static void feed(struct graph_live *gl, const struct event *e)
{
    if (e->kind == EVENT_SWAP)
        graph_live_add_swap(gl, &e->u.swap);
    else if (e->kind == EVENT_TRANSFER)
        graph_live_add_transfer(gl, &e->u.transfer);
}

/* The store's view, kept from the changes alone (an upsert or a delete
 * each): what graph_edges holds after the batches. */
static size_t mirror_apply(struct graph_live *gl, struct eset *m)
{
    struct graph_live_change_vec ch = {0};
    graph_live_changes(gl, &ch);
    for (size_t i = 0; i < ch.len; i++) {
        const struct graph_edge *e = &ch.v[i].e;
        struct erow r = {.kind = e->kind,
                         .count = e->count,
                         .weight = e->weight,
                         .first_ms = e->first_ms,
                         .last_ms = e->last_ms};
        memcpy(r.a, graph_live_key(gl, e->a), 32);
        memcpy(r.b, graph_live_key(gl, e->b), 32);
        size_t j = 0;
        while (j < m->len && cmp_erow(&m->v[j], &r) != 0)
            j++;
        if (ch.v[i].removed) {
            assert_true(j < m->len); /* only what was written is removed */
            m->v[j] = m->v[--m->len];
        } else if (j < m->len) {
            m->v[j] = r;
        } else {
            vec_push(m, r);
        }
    }
    size_t n = ch.len;
    vec_free(&ch);
    eset_sort(m);
    return n;
}

static void assert_same(const struct eset *a, const struct eset *b)
{
    assert_int_equal(a->len, b->len);
    for (size_t i = 0; i < a->len; i++) {
        const struct erow *x = &a->v[i], *y = &b->v[i];
        assert_int_equal(x->kind, y->kind);
        assert_memory_equal(x->a, y->a, 32);
        assert_memory_equal(x->b, y->b, 32);
        assert_int_equal(x->count, y->count);
        assert_true(x->weight == y->weight);
        assert_int_equal(x->first_ms, y->first_ms);
        assert_int_equal(x->last_ms, y->last_ms);
    }
}

static size_t count_kind(const struct eset *s, int k)
{
    size_t n = 0;
    for (size_t i = 0; i < s->len; i++)
        n += s->v[i].kind == k;
    return n;
}

static struct graph_live_stats last_run; /* the stats of run's graph_live */

/* Base of `base` events, then the rest one by one, changes every `batch`
 * events; at each batch the mirror equals the full build over the
 * events so far. Returns the replays. */
static size_t run(const struct event *ev, size_t n, size_t base, size_t batch,
                  const struct graph_params *p, size_t *changes_after_base)
{
    int rc;
    struct graph_live *gl = graph_live_new(p, &rc);
    assert_non_null(gl);
    struct eset mirror = {0}, full = {0};
    for (size_t i = 0; i < base; i++)
        feed(gl, &ev[i]);
    mirror_apply(gl, &mirror);
    full_edges(ev, base, p, &full);
    assert_same(&mirror, &full);
    *changes_after_base = 0;
    for (size_t i = base; i < n; i++) {
        feed(gl, &ev[i]);
        if ((i + 1 - base) % batch == 0 || i + 1 == n) {
            *changes_after_base += mirror_apply(gl, &mirror);
            full_edges(ev, i + 1, p, &full);
            assert_same(&mirror, &full);
        }
    }
    struct graph_edge_vec all = {0};
    graph_live_edges(gl, &all);
    assert_int_equal(all.len, full.len);
    vec_free(&all);
    struct graph_live_stats s;
    graph_live_stats(gl, &s);
    last_run = s;
    graph_live_free(gl);
    vec_free(&mirror);
    vec_free(&full);
    return s.replays;
}

struct evs {
    struct event *v;
    size_t len, cap;
};

/* Hand-made: every rule, in time order. */
static void hand_events(struct evs *e)
{
    int64_t t = 1700000000000;
    /* 1 funds 2 and 3 before they trade (FUNDED_BY at once). */
    vec_push(e, ev_sol(1, 2, 2 * SOL, t));
    vec_push(e, ev_sol(1, 3, 2 * SOL, t + 1 * SEC));
    /* 2, 3, 4 buy mints 1..3 within 2 s (SYNCED_BUY, CO_EARLY). */
    for (uint32_t m = 1; m <= 3; m++)
        for (uint32_t w = 2; w <= 4; w++)
            vec_push(e, ev_buy(w, m, t + m * 3600 * SEC + w * SEC));
    /* 4 traded already: 1 funds it now, and it buys 10 min later (a
     * funding found by the later buy). */
    vec_push(e, ev_sol(1, 4, 3 * SOL, t + 4 * 3600 * SEC));
    vec_push(e, ev_buy(4, 9, t + 4 * 3600 * SEC + 600 * SEC));
    /* A transfer too small, and one after the window: no funding. */
    vec_push(e, ev_sol(5, 4, SOL / 100, t + 5 * 3600 * SEC));
    vec_push(e, ev_sol(6, 3, SOL, t + 5 * 3600 * SEC));
    vec_push(e, ev_buy(3, 8, t + 7 * 3600 * SEC));
    /* 2 sells and sweeps back to 1 (SWEEP), 1 sends 2 more: no funding. */
    vec_push(e, ev_sell(2, 1, t + 8 * 3600 * SEC));
    vec_push(e, ev_sol(2, 1, 5 * SOL, t + 8 * 3600 * SEC + SEC));
    vec_push(e, ev_sol(1, 2, 1 * SOL, t + 9 * 3600 * SEC));
    /* 4 buys alone: its SYNCED_BUY Jaccard with 2 and 3 falls. */
    for (uint32_t m = 20; m < 24; m++)
        vec_push(e, ev_buy(4, m, t + 10 * 3600 * SEC + m * SEC));
    /* Exactly sync_ms apart (in), and sync_ms + 1 (out). */
    vec_push(e, ev_buy(7, 30, t + 11 * 3600 * SEC));
    vec_push(e, ev_buy(8, 30, t + 11 * 3600 * SEC + 5 * SEC));
    vec_push(e, ev_buy(7, 31, t + 12 * 3600 * SEC));
    vec_push(e, ev_buy(8, 31, t + 12 * 3600 * SEC + 5 * SEC + 1));
    vec_push(e, ev_buy(7, 32, t + 13 * 3600 * SEC));
    vec_push(e, ev_buy(8, 32, t + 13 * 3600 * SEC + 2 * SEC));
    /* 9 funds 11 (before its first trade), then fans out past hub_fanout
     * (5 here): every FUNDED_BY from 9 goes, 11's too. */
    vec_push(e, ev_sol(9, 11, 2 * SOL, t + 14 * 3600 * SEC));
    vec_push(e, ev_buy(11, 1, t + 14 * 3600 * SEC + SEC));
    for (uint32_t w = 40; w < 46; w++)
        vec_push(e, ev_sol(9, w, 2 * SOL, t + 15 * 3600 * SEC + w * SEC));
    /* Ten-plus buyers of mint 50 at one time: the first early_n by key. */
    for (uint32_t w = 60; w < 66; w++) {
        vec_push(e, ev_buy(w, 50, t + 16 * 3600 * SEC));
        vec_push(e, ev_buy(w, 51, t + 17 * 3600 * SEC));
    }
}

static void params(struct graph_params *p)
{
    graph_params_default(p);
    p->hub_fanout = 5;
    p->early_n = 4;
    p->sync_jaccard = 0.3;
}

static void test_hand_in_order(void **state)
{
    (void)state;
    struct evs e = {0};
    hand_events(&e);
    struct graph_params p;
    params(&p);
    struct eset full = {0};
    full_edges(e.v, e.len, &p, &full);
    /* The scenario has every kind, and the hub removed 9's edges. */
    for (int k = 0; k < GK_COUNT; k++)
        assert_true(count_kind(&full, k) > 0);
    size_t changes = 0;
    for (size_t base = 0; base <= 12; base += 6) {
        size_t replays = run(e.v, e.len, base, 1, &p, &changes);
        assert_int_equal(replays, 0); /* in order: no replay needed */
        assert_true(changes > 0);
    }
    assert_int_equal(run(e.v, e.len, 3, 4, &p, &changes), 0);
    vec_free(&full);
    vec_free(&e);
}

/* Out of order: every event swapped with a neighbour, or the last half
 * reversed; the changes must still give the full build, through replays. */
static void test_hand_out_of_order(void **state)
{
    (void)state;
    struct evs e = {0};
    hand_events(&e);
    struct graph_params p;
    params(&p);
    for (size_t i = 1; i + 1 < e.len; i += 3) {
        struct event x = e.v[i];
        e.v[i] = e.v[i + 1];
        e.v[i + 1] = x;
    }
    size_t changes = 0;
    (void)run(e.v, e.len, 4, 1, &p, &changes); /* the rules absorb most of these */
    for (size_t i = e.len / 2, j = e.len - 1; i < j; i++, j--) {
        struct event x = e.v[i];
        e.v[i] = e.v[j];
        e.v[j] = x;
    }
    assert_true(run(e.v, e.len, e.len / 2, 3, &p, &changes) > 0);
    vec_free(&e);
}

/* A small simulated market (its insider clusters' funding, sweeps and
 * synchronized launches), decoded by the real Helius decoder. */
static void sim_events(struct evs *out, uint64_t seed)
{
    struct scenario sc;
    scenario_default(&sc);
    sc.seed = seed;
    sc.days = 1;
    sc.tokens_per_day = 120;
    scenario_scale_wallets(&sc, 600);
    struct sim *s;
    char err[256];
    assert_int_equal(sim_new(&sc, &s, err, sizeof err), 0);
    struct helius_decoder *d = helius_decoder_new();
    struct helius_out ho = {0};
    struct buf json;
    buf_init(&json, 0);
    struct sim_tx tx;
    while (sim_next(s, &tx) == 1) {
        buf_reset(&json);
        sim_tx_json(s, &tx, &json);
        helius_out_clear(&ho);
        if (helius_decode(d, json.data, json.len, 0, &ho, NULL) != 0)
            continue;
        for (size_t i = 0; i < ho.events.len; i++)
            if (ho.events.v[i].kind == EVENT_SWAP || ho.events.v[i].kind == EVENT_TRANSFER)
                vec_push(out, ho.events.v[i]);
    }
    buf_release(&json);
    helius_out_release(&ho);
    helius_decoder_free(d);
    sim_free(s);
}

static void test_sim_market(void **state)
{
    (void)state;
    struct evs e = {0};
    sim_events(&e, 17017);
    assert_true(e.len > 5000);
    struct graph_params p;
    graph_params_default(&p);
    struct eset full = {0};
    full_edges(e.v, e.len, &p, &full);
    print_message("sim: %zu events, %zu edges (%zu funded_by, %zu sweep, %zu synced, %zu early)\n",
                  e.len, full.len, count_kind(&full, GK_FUNDED_BY), count_kind(&full, GK_SWEEP),
                  count_kind(&full, GK_SYNCED_BUY), count_kind(&full, GK_CO_EARLY));
    for (int k = 0; k < GK_COUNT; k++)
        assert_true(count_kind(&full, k) > 0);
    size_t changes = 0;
    size_t replays = run(e.v, e.len, e.len / 2, 997, &p, &changes);
    print_message("sim in order: %zu changes after the base, %zu replays\n", changes, replays);
    assert_true(changes > 0);
    /* Shuffled within blocks of 50 events: out of order by minutes. */
    for (size_t b = e.len / 2; b + 50 <= e.len; b += 50)
        for (size_t i = 0; i < 50; i += 2) {
            size_t j = b + (i * 7 + 13) % 50;
            struct event x = e.v[b + i];
            e.v[b + i] = e.v[j];
            e.v[j] = x;
        }
    replays = run(e.v, e.len, e.len / 2, 4999, &p, &changes);
    print_message("sim shuffled: %zu changes after the base, %zu replays\n", changes, replays);
    assert_true(replays > 0);
    vec_free(&full);
    vec_free(&e);
}

/* Repeated evidence (graph_live.c, "repeats"): the same swaps and
 * transfers delivered again and again, as the soak campaign's load does
 * (two transactions, new signatures), interleaved with other events and
 * out of order: the edges equal the full build's over every copy, and
 * the records kept (and the memory) follow the distinct events, not the
 * copies. */
static void repeated(const struct evs *src, size_t block, size_t copies, struct evs *out)
{
    out->len = 0;
    for (size_t b = 0; b < src->len; b += block)
        for (size_t c = 0; c < copies; c++)
            for (size_t i = b; i < b + block && i < src->len; i++)
                vec_push(out, src->v[i]);
}

static void test_repeats(void **state)
{
    (void)state;
    struct graph_params p;
    params(&p);
    struct evs hand = {0}, rep = {0};
    hand_events(&hand);
    size_t changes;
    /* Each event three times in a row, then blocks of 20 three times. */
    repeated(&hand, 1, 3, &rep);
    (void)run(rep.v, rep.len, 6, 1, &p, &changes);
    print_message("hand x3: %zu transfers, %zu kept; %zu swaps, %zu kept\n", last_run.transfers,
                  last_run.transfers_kept, last_run.swaps, last_run.swaps_kept);
    assert_true(last_run.transfers_kept < last_run.transfers);
    assert_true(last_run.swaps_kept < last_run.swaps);
    repeated(&hand, 20, 3, &rep);
    (void)run(rep.v, rep.len, rep.len / 3, 1, &p, &changes);
    /* Out of order too: blocks reversed. */
    for (size_t i = 0; i < rep.len / 2; i++) {
        struct event x = rep.v[i];
        rep.v[i] = rep.v[rep.len - 1 - i];
        rep.v[rep.len - 1 - i] = x;
    }
    (void)run(rep.v, rep.len, rep.len / 3, 7, &p, &changes);

    struct evs sim = {0};
    sim_events(&sim, 17017);
    sim.len = 4000;
    graph_params_default(&p);
    repeated(&sim, 20, 3, &rep);
    (void)run(rep.v, rep.len, rep.len / 2, 60, &p, &changes);
    print_message("sim blocks x3: %zu transfers, %zu kept; %zu swaps, %zu kept; %zu replays\n",
                  last_run.transfers, last_run.transfers_kept, last_run.swaps, last_run.swaps_kept,
                  last_run.replays);
    assert_true(last_run.transfers_kept < last_run.transfers);

    /* Memory: the soak campaign's load, the two real Jupiter swaps
     * delivered again and again (new signatures, same content), the
     * changes taken every 100 deliveries as serve does every
     * graph.live_s: the records kept stop growing. */
    struct evs one = {0};
    soak_events(&one);
    assert_true(one.len > 0);
    int rc;
    struct graph_live *gl = graph_live_new(&p, &rc);
    assert_non_null(gl);
    struct graph_live_stats at100 = {0}, at2000;
    rep.len = 0;
    for (int n = 1; n <= 2000; n++) {
        for (size_t i = 0; i < one.len; i++) {
            feed(gl, &one.v[i]);
            vec_push(&rep, one.v[i]);
        }
        if (n % 100 == 0) {
            struct graph_live_change_vec ch = {0};
            graph_live_changes(gl, &ch);
            vec_free(&ch);
        }
        if (n == 100)
            graph_live_stats(gl, &at100);
    }
    graph_live_stats(gl, &at2000);
    struct graph_edge_vec all = {0};
    graph_live_edges(gl, &all);
    struct eset full = {0};
    full_edges(rep.v, rep.len, &p, &full);
    assert_int_equal(all.len, full.len);
    vec_free(&all);
    vec_free(&full);
    graph_live_free(gl);
    print_message("soak load: %zu events a delivery pair; after 100 pairs %zu swaps + %zu "
                  "transfers kept, %zu bytes; after 2000 pairs (%zu events) %zu + %zu kept, %zu "
                  "bytes (%.2f bytes per event)\n",
                  one.len, at100.swaps_kept, at100.transfers_kept, at100.bytes, rep.len,
                  at2000.swaps_kept, at2000.transfers_kept, at2000.bytes,
                  (double)at2000.bytes / (double)rep.len);
    assert_int_equal(at2000.swaps + at2000.transfers, rep.len);
    assert_int_equal(at2000.swaps_kept, at100.swaps_kept);
    assert_int_equal(at2000.transfers_kept, at100.transfers_kept);
    assert_int_equal(at2000.bytes, at100.bytes);
    vec_free(&one);
    vec_free(&hand);
    vec_free(&rep);
    vec_free(&sim);
}

/* ---- the window (graph.window_days) ---- */

/* hand_events moved to start at t0 + d days for d < days, the wallets of
 * odd days made other wallets (one key byte changed), so that from day to
 * day some evidence repeats and some is new; first is a funding of wallet
 * 201 by 200 on day 0, whose first trade comes on the last day (a
 * FUNDED_BY over the whole history, none within a short window). */
static void days_events(struct evs *out, int days, int64_t t0)
{
    struct evs one = {0};
    hand_events(&one);
    const int64_t h0 = 1700000000000; /* hand_events' start */
    vec_push(out, ev_sol(200, 201, 3 * SOL, t0));
    for (int d = 0; d < days; d++)
        for (size_t i = 0; i < one.len; i++) {
            struct event x = one.v[i];
            int64_t dt = t0 - h0 + d * MS_PER_DAY + SEC;
            if (x.kind == EVENT_SWAP) {
                x.u.swap.sig = next_sig(); /* each copy its own transaction */
                x.u.swap.ts_ms += dt;
                x.u.swap.wallet.b[30] = (uint8_t)(d % 2);
            } else {
                x.u.transfer.sig = next_sig();
                x.u.transfer.ts_ms += dt;
                x.u.transfer.from.b[30] = (uint8_t)(d % 2);
                x.u.transfer.to.b[30] = (uint8_t)(d % 2);
            }
            vec_push(out, x);
        }
    vec_push(out, ev_buy(201, 70, t0 + (days - 1) * MS_PER_DAY + 20 * 3600 * SEC));
    vec_free(&one);
}

static int64_t ev_ts(const struct event *e)
{
    return e->kind == EVENT_SWAP ? e->u.swap.ts_ms : e->u.transfer.ts_ms;
}

/* The full build over the events of ev[0..n) that the window keeps: those
 * since graph_window_cutoff of the latest swap among them. */
static int64_t windowed_full(const struct event *ev, size_t n, const struct graph_params *p,
                             struct eset *out)
{
    int64_t latest = INT64_MIN;
    for (size_t i = 0; i < n; i++)
        if (ev[i].kind == EVENT_SWAP && ev[i].u.swap.ts_ms > latest)
            latest = ev[i].u.swap.ts_ms;
    int64_t cut = graph_window_cutoff(p, latest);
    struct evs in = {0};
    for (size_t i = 0; i < n; i++)
        if (ev_ts(&ev[i]) >= cut)
            vec_push(&in, ev[i]);
    full_edges(in.v, in.len, p, out);
    vec_free(&in);
    return cut;
}

/* What graph_livesync_flush does with the window: move the cutoff when the
 * latest swap's day moved, then rewrite every edge (the mirror from
 * graph_live_edges); otherwise apply the changes. Returns whether it
 * moved. */
static bool take(struct graph_live *gl, const struct graph_params *p, struct eset *m)
{
    int64_t cut = graph_window_cutoff(p, graph_live_latest(gl));
    if (cut <= graph_live_cutoff(gl)) {
        mirror_apply(gl, m);
        return false;
    }
    graph_live_set_cutoff(gl, cut);
    struct graph_live_change_vec ch = {0};
    graph_live_changes(gl, &ch);
    vec_free(&ch);
    struct graph_edge_vec all = {0};
    graph_live_edges(gl, &all);
    m->len = 0;
    for (size_t i = 0; i < all.len; i++) {
        const struct graph_edge *e = &all.v[i];
        struct erow *r = vec_push_zero(m);
        r->kind = e->kind;
        memcpy(r->a, graph_live_key(gl, e->a), 32);
        memcpy(r->b, graph_live_key(gl, e->b), 32);
        r->count = e->count;
        r->weight = e->weight;
        r->first_ms = e->first_ms;
        r->last_ms = e->last_ms;
    }
    vec_free(&all);
    eset_sort(m);
    return true;
}

/* A one-day window over six days of events, changes taken every 7 events:
 * the live edges always equal the full build over the window's events;
 * the window moves once a day and the records kept follow the window, not
 * the history; an event older than the window changes nothing; and the
 * window matters (the day-0 funding is an edge without it, not with it). */
static void test_window(void **state)
{
    (void)state;
    struct evs e = {0};
    const int days = 8;
    days_events(&e, days, 1700000000000);
    struct graph_params p;
    params(&p);
    p.window_ms = MS_PER_DAY;
    int rc;
    struct graph_live *gl = graph_live_new(&p, &rc), *all = graph_live_new(&p, &rc);
    assert_non_null(gl);
    assert_non_null(all);
    struct eset mirror = {0}, full = {0};
    size_t moves = 0, most_kept = 0;
    for (size_t i = 0; i < e.len; i++) {
        feed(gl, &e.v[i]);
        feed(all, &e.v[i]);
        if ((i + 1) % 7 == 0 || i + 1 == e.len) {
            moves += take(gl, &p, &mirror);
            int64_t cut = windowed_full(e.v, i + 1, &p, &full);
            assert_int_equal(graph_live_cutoff(gl), cut);
            assert_same(&mirror, &full);
            struct graph_live_stats s;
            graph_live_stats(gl, &s);
            if (s.swaps_kept + s.transfers_kept > most_kept)
                most_kept = s.swaps_kept + s.transfers_kept;
        }
    }
    struct graph_live_stats s, u;
    graph_live_stats(gl, &s);
    graph_live_stats(all, &u);
    print_message("window 1 day over %d days: the cutoff moved %zu times; %zu + %zu records kept "
                  "(at most %zu), %zu bytes; without the window %zu + %zu, %zu bytes\n",
                  days, moves, s.swaps_kept, s.transfers_kept, most_kept, s.bytes, u.swaps_kept,
                  u.transfers_kept, u.bytes);
    /* The first take, then once a day of swaps (the blocks cross midnight). */
    assert_true(moves >= (size_t)days && moves <= (size_t)days + 2);
    assert_int_equal(s.compactions, moves);
    assert_true(most_kept * 2 < u.swaps_kept + u.transfers_kept);
    assert_true(s.bytes < u.bytes);
    assert_int_equal(s.too_old, 0);
    /* An event from before the window: ignored. */
    struct event old = ev_buy(3, 1, 1700000000000 + SEC);
    feed(gl, &old);
    graph_live_stats(gl, &s);
    assert_int_equal(s.too_old, 1);
    assert_int_equal(mirror_apply(gl, &mirror), 0);
    /* The window matters: 201 funded by 200 on day 0 is an edge over the
     * whole history only. */
    struct eset whole = {0};
    full_edges(e.v, e.len, &p, &whole);
    struct erow f = {.kind = GK_FUNDED_BY};
    struct pubkey k201 = key(201), k200 = key(200);
    memcpy(f.a, k201.b, 32);
    memcpy(f.b, k200.b, 32);
    assert_non_null(bsearch(&f, whole.v, whole.len, sizeof f, cmp_erow));
    assert_null(bsearch(&f, mirror.v, mirror.len, sizeof f, cmp_erow));
    graph_live_free(gl);
    graph_live_free(all);
    vec_free(&mirror);
    vec_free(&full);
    vec_free(&whole);
    vec_free(&e);
}

/* ---- inside serve: graph_livesync writes graph_edges ---- */

static char tmpdir[] = "/tmp/wt-graphlive-XXXXXX";
static struct store *st;

static int setup(void **state)
{
    (void)state;
    return store_fixture_open(tmpdir, &st);
}

static int teardown(void **state)
{
    (void)state;
    return store_fixture_close(tmpdir, st);
}

static void stored_edges(struct graph_edge_row **out, size_t *n)
{
    VEC(struct graph_edge_row) v = {0};
    struct graph_edge_row page[500];
    struct row_query q = {.limit = 500};
    for (;;) {
        size_t k = 0;
        assert_int_equal(store_list_edge(st, &q, page, &k), 0);
        for (size_t i = 0; i < k; i++)
            vec_push(&v, page[i]);
        if (k < q.limit)
            break;
        q.after_id = page[k - 1].id;
    }
    *out = v.v;
    *n = v.len;
}

static int cmp_row(const void *x, const void *y)
{
    const struct graph_edge_row *a = x, *b = y;
    int c = strcmp(a->kind, b->kind);
    if (c == 0)
        c = strcmp(a->src, b->src);
    return c != 0 ? c : strcmp(a->dst, b->dst);
}

static void assert_rows_same(struct graph_edge_row *live, size_t nlive, struct graph_edge_row *full,
                             size_t nfull)
{
    assert_int_equal(nlive, nfull);
    qsort(live, nlive, sizeof *live, cmp_row);
    qsort(full, nfull, sizeof *full, cmp_row);
    for (size_t i = 0; i < nlive; i++) {
        assert_string_equal(live[i].kind, full[i].kind);
        assert_string_equal(live[i].src, full[i].src);
        assert_string_equal(live[i].dst, full[i].dst);
        assert_int_equal(live[i].count, full[i].count);
        assert_true(fabs(live[i].weight - full[i].weight) < 1e-12);
        assert_int_equal(live[i].first_ms, full[i].first_ms);
        assert_int_equal(live[i].last_ms, full[i].last_ms);
    }
}

/* A base stored and rebuilt (graph_run), then the rest of a simulated
 * market stored in commits, each handed to graph_livesync and flushed:
 * graph_edges equals what a full rebuild over everything writes. And a
 * wallet newly funded by a cluster's funder has its FUNDED_BY edge in the
 * store before any rebuild. */
static void test_livesync_store(void **state)
{
    (void)state;
    struct evs e = {0};
    sim_events(&e, 17018);
    size_t base = e.len * 2 / 3;
    assert_int_equal(store_append_events(st, e.v, base, NULL), 0);
    struct config cfg;
    config_init(&cfg);
    struct graph_params p;
    graph_params_from_config(&cfg, &p);
    struct graph_report rep;
    assert_int_equal(graph_run(st, &p, 1, &rep), 0);
    assert_true(rep.clusters > 0);
    struct graph_livesync *ls;
    assert_int_equal(graph_livesync_new(st, &cfg, &ls), 0);
    assert_non_null(ls);
    struct graph_livesync_report lr;
    assert_int_equal(graph_livesync_flush(ls, &lr), 0);
    assert_true(lr.replaced); /* the first flush rewrites what the rebuild wrote */
    size_t written = 0, removed = 0;
    for (size_t i = base; i < e.len; i += 400) {
        size_t n = e.len - i < 400 ? e.len - i : 400;
        assert_int_equal(store_append_events(st, &e.v[i], n, NULL), 0);
        graph_livesync_after_commit(ls, &e.v[i], n, NULL);
        assert_int_equal(graph_livesync_flush(ls, &lr), 0);
        assert_false(lr.replaced);
        written += lr.upserted;
        removed += lr.deleted;
    }
    print_message("live: %zu edge rows written, %zu removed after the base; %zu replays\n", written,
                  removed, lr.stats.replays);
    assert_true(written > 0);
    /* A new wallet (900001) funded by the first wallet that funds others. */
    struct graph_edge_row *live;
    size_t nlive;
    stored_edges(&live, &nlive);
    char funder[BASE58_KEY_MAX] = "";
    for (size_t i = 0; i < nlive && !funder[0]; i++)
        if (strcmp(live[i].kind, "FUNDED_BY") == 0)
            snprintf(funder, sizeof funder, "%s", live[i].dst);
    assert_true(funder[0] != '\0');
    struct event fx = ev_sol(0, 900001, 3 * SOL, e.v[e.len - 1].u.swap.ts_ms + SEC);
    assert_int_equal(pubkey_parse(funder, &fx.u.transfer.from), 0);
    assert_int_equal(store_append_events(st, &fx, 1, NULL), 0);
    graph_livesync_after_commit(ls, &fx, 1, NULL);
    assert_int_equal(graph_livesync_flush(ls, &lr), 0);
    assert_int_equal(lr.upserted, 1);
    free(live);
    stored_edges(&live, &nlive);
    char nw[BASE58_KEY_MAX];
    struct pubkey kn = key(900001);
    base58_encode(kn.b, 32, nw, sizeof nw);
    bool found = false;
    for (size_t i = 0; i < nlive; i++)
        found |= strcmp(live[i].kind, "FUNDED_BY") == 0 && strcmp(live[i].src, nw) == 0 &&
                 strcmp(live[i].dst, funder) == 0;
    assert_true(found);
    /* The full rebuild over everything writes the same rows. */
    assert_int_equal(graph_run(st, &p, 2, &rep), 0);
    struct graph_edge_row *full;
    size_t nfull;
    stored_edges(&full, &nfull);
    assert_rows_same(live, nlive, full, nfull);
    /* After the rebuild the next flush rewrites every edge, to the same. */
    graph_livesync_rebuilt(ls);
    assert_int_equal(graph_livesync_flush(ls, &lr), 0);
    assert_true(lr.replaced);
    assert_int_equal(lr.upserted, nfull);
    free(live);
    free(full);
    graph_livesync_free(ls);
    config_release(&cfg);
    vec_free(&e);
}

/* graph.window_days = 1 through the store: eight days of events stored a
 * day at a time after everything already stored, each handed to
 * graph_livesync and flushed. The flush that sees a new day forgets the
 * day that left the window and rewrites every edge; graph_edges then
 * equals what graph_run writes over the window; graph_run reads only the
 * window's swaps; a daemon started afterwards loads only the window. */
static char tmpdir2[] = "/tmp/wt-graphwin-XXXXXX";

static int setup2(void **state)
{
    (void)state;
    return store_fixture_open(tmpdir2, &st);
}

static int teardown2(void **state)
{
    (void)state;
    return store_fixture_close(tmpdir2, st);
}

static void test_livesync_window(void **state)
{
    (void)state;
    int64_t latest;
    assert_int_equal(store_swaps_latest_ts(st, &latest), 0);
    int64_t t0 = (latest == INT64_MIN ? 1700000000000 : latest) + 3 * MS_PER_DAY;
    struct evs e = {0};
    const int days = 8;
    days_events(&e, days, t0);
    struct config cfg;
    config_init(&cfg);
    assert_int_equal(config_set(&cfg, "graph.window_days", "1", CONFIG_SRC_CLI), 0);
    struct graph_params p;
    graph_params_from_config(&cfg, &p);
    assert_int_equal(p.window_ms, MS_PER_DAY);
    struct graph_livesync *ls;
    assert_int_equal(graph_livesync_new(st, &cfg, &ls), 0);
    assert_non_null(ls);
    struct graph_livesync_report lr;
    size_t compacted = 0, i = 0;
    for (int d = 0; d <= days; d++) {
        size_t j = i;
        while (j < e.len && ev_ts(&e.v[j]) < t0 + (d + 1) * MS_PER_DAY)
            j++;
        assert_int_equal(store_append_events(st, &e.v[i], j - i, NULL), 0);
        graph_livesync_after_commit(ls, &e.v[i], j - i, NULL);
        assert_int_equal(graph_livesync_flush(ls, &lr), 0);
        compacted += lr.compacted;
        assert_true(lr.replaced || !lr.compacted);
        i = j;
    }
    assert_int_equal(i, e.len);
    print_message("store, window 1 day over %d days: %zu flushes moved the window; %zu swaps and "
                  "%zu transfers given, %zu + %zu kept, %.1f KiB\n",
                  days, compacted, lr.stats.swaps, lr.stats.transfers, lr.stats.swaps_kept,
                  lr.stats.transfers_kept, (double)lr.stats.bytes / 1024.0);
    assert_true(compacted >= (size_t)days - 1);
    assert_true(lr.stats.swaps_kept * 2 < lr.stats.swaps);
    struct graph_edge_row *live, *full;
    size_t nlive, nfull;
    stored_edges(&live, &nlive);
    assert_true(nlive > 0);
    struct graph_report rep;
    assert_int_equal(graph_run(st, &p, 2, &rep), 0);
    assert_int_equal(store_swaps_latest_ts(st, &latest), 0);
    assert_int_equal(rep.cutoff_ms, graph_window_cutoff(&p, latest));
    assert_true(rep.swaps * 2 < lr.stats.swaps); /* only the window's swaps read */
    stored_edges(&full, &nfull);
    assert_rows_same(live, nlive, full, nfull);
    free(live);
    /* Started again: only the window is loaded, to the same edges. */
    graph_livesync_free(ls);
    assert_int_equal(graph_livesync_new(st, &cfg, &ls), 0);
    assert_int_equal(graph_livesync_flush(ls, &lr), 0);
    assert_true(lr.replaced);
    assert_int_equal(lr.stats.swaps, rep.swaps);
    assert_true(lr.stats.too_old > 0); /* the older transfers, read and dropped */
    stored_edges(&live, &nlive);
    assert_rows_same(live, nlive, full, nfull);
    free(live);
    free(full);
    graph_livesync_free(ls);
    config_release(&cfg);
    vec_free(&e);
}

int main(void)
{
    log_set_level(LOG_WARN);
    const struct CMUnitTest pure[] = {
        cmocka_unit_test(test_hand_in_order), cmocka_unit_test(test_hand_out_of_order),
        cmocka_unit_test(test_sim_market),    cmocka_unit_test(test_repeats),
        cmocka_unit_test(test_window),
    };
    const struct CMUnitTest stored[] = {
        cmocka_unit_test(test_livesync_store),
    };
    const struct CMUnitTest window[] = {
        cmocka_unit_test(test_livesync_window),
    };
    int rc = getenv("WALLTRACK_TEST_PG_URL") ? 0 : cmocka_run_group_tests(pure, NULL, NULL);
    rc |= cmocka_run_group_tests(stored, setup, teardown);
    return rc | cmocka_run_group_tests(window, setup2, teardown2);
}
