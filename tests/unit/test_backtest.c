/* Backtests (src/backtest): scenarios and their checks, the time parser,
 * the tape (file form, extension), replay (determinism, the skipping of
 * events that cannot matter, the effect of a setting, cancellation) and
 * stored runs (one transaction, read back, deleted), on SQLite and, with
 * WALLTRACK_TEST_PG_URL (unit/backtest_pg), on PostgreSQL.
 *
 * Data: two simulated days (docs/simulator.md, scaled down) decoded and
 * stored as `walltrack import` would; the simulator's skilled and insider
 * wallets are the watchlist, one sniper is blacklisted. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <inttypes.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backtest/batch.h"
#include "backtest/grid.h"
#include "backtest/replay.h"
#include "backtest/runs.h"
#include "backtest/scenario.h"
#include "backtest/tape.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/json.h"
#include "base/log.h"
#include "intel/intel.h"
#include "ingest/helius.h"
#include "market/market.h"
#include "sim/sim.h"
#include "store/store.h"

static struct store *st;
static char tmpdir[] = "/tmp/wt_backtest_XXXXXX";
static const char *pg_url;
static int64_t t0; /* the simulation's start */

/* ------------------------------------------------------------------ fixture */

static int fill(void)
{
    struct scenario sc;
    scenario_default(&sc);
    sc.seed = 7;
    sc.days = 2;
    sc.tokens_per_day = 120;
    scenario_scale_wallets(&sc, 600);
    struct sim *market;
    char err[256];
    if (sim_new(&sc, &market, err, sizeof err) != 0)
        return -1;
    t0 = (int64_t)sc.start_time * 1000;
    struct helius_decoder *d = helius_decoder_new();
    struct helius_out out = {0};
    struct buf json;
    buf_init(&json, 0);
    struct sim_tx tx;
    int rc = 0;
    while (rc == 0 && sim_next(market, &tx) == 1) {
        buf_reset(&json);
        sim_tx_json(market, &tx, &json);
        if (helius_decode(d, json.data, json.len, 0, &out, NULL) != 0)
            continue;
        if (out.events.len >= 4096) {
            rc = store_append_events(st, out.events.v, out.events.len, NULL);
            helius_out_clear(&out);
        }
    }
    if (rc == 0 && out.events.len)
        rc = store_append_events(st, out.events.v, out.events.len, NULL);
    bool black = false;
    for (uint32_t w = 0; rc == 0 && w < sim_wallet_count(market); w++) {
        enum sim_wallet_type ty = sim_wallet_type(market, w);
        if (ty != SIM_SKILLED && ty != SIM_INSIDER && (ty != SIM_SNIPER || black))
            continue;
        struct wallet x;
        memset(&x, 0, sizeof x);
        snprintf(x.address, sizeof x.address, "%s", sim_wallet_address(market, w));
        snprintf(x.chain, sizeof x.chain, "solana");
        snprintf(x.discovery, sizeof x.discovery, "manual");
        snprintf(x.confidence, sizeof x.confidence, "medium");
        x.score = 60 + (double)(w % 30);
        x.status = ty == SIM_SNIPER ? WALLET_BLACKLISTED : WALLET_WATCH;
        black |= ty == SIM_SNIPER;
        rc = store_wallet_upsert(st, &x);
    }
    buf_release(&json);
    helius_out_release(&out);
    helius_decoder_free(d);
    sim_free(market);
    return rc;
}

static int group_setup(void **state)
{
    (void)state;
    char err[256];
    if (pg_url) {
        if (store_open(pg_url, NULL, &st, err, sizeof err) != 0)
            return -1;
    } else {
        if (!mkdtemp(tmpdir) || store_open(tmpdir, NULL, &st, err, sizeof err) != 0)
            return -1;
    }
    return fill();
}

static int group_teardown(void **state)
{
    (void)state;
    store_close(st);
    if (!pg_url) {
        char cmd[128];
        snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
        return system(cmd) == 0 ? 0 : -1;
    }
    return 0;
}

/* The tape, watchlist and plan of the second day, warmed by the first. */
struct world {
    struct bt_tape tape;
    struct bt_watchlist wl;
    struct bt_plan plan;
    int64_t from, to;
};

static void world_init(struct world *w, bool filter)
{
    memset(w, 0, sizeof *w);
    w->from = t0 + MS_PER_DAY;
    w->to = t0 + 2 * MS_PER_DAY;
    bt_tape_init(&w->tape);
    assert_int_equal(bt_tape_from_store(&w->tape, st, t0, w->to), 0);
    assert_int_equal(bt_watchlist_from_store(&w->wl, st), 0);
    assert_int_equal(bt_plan_build(&w->plan, &w->tape, &w->wl, t0, w->from, w->to, filter), 0);
}

static void world_release(struct world *w)
{
    bt_plan_release(&w->plan);
    bt_watchlist_release(&w->wl);
    bt_tape_release(&w->tape);
}

static void setup_with(struct bt_setup *s, const char *name, const char *value)
{
    bt_setup_init(s);
    if (name) {
        char err[256];
        assert_int_equal(engine_params_set(&s->engine, name, value, true, err, sizeof err), 0);
    }
}

static void run(const struct world *w, const struct bt_plan *p, const struct bt_setup *s,
                struct bt_result *r)
{
    char err[256];
    bt_result_init(r);
    int rc = bt_replay(&w->tape, p, s, &w->wl, NULL, r, err, sizeof err);
    if (rc)
        fail_msg("bt_replay: %s", err);
}

static bool same_result(const struct bt_result *a, const struct bt_result *b)
{
    return a->signals.len == b->signals.len && a->trades.len == b->trades.len &&
           a->curve.len == b->curve.len &&
           memcmp(a->signals.v, b->signals.v, a->signals.len * sizeof *a->signals.v) == 0 &&
           memcmp(a->trades.v, b->trades.v, a->trades.len * sizeof *a->trades.v) == 0 &&
           memcmp(a->curve.v, b->curve.v, a->curve.len * sizeof *a->curve.v) == 0 &&
           a->perf.len == b->perf.len && memcmp(a->perf.data, b->perf.data, a->perf.len) == 0;
}

/* ------------------------------------------------------------------ pure */

static void test_time_parse(void **state)
{
    (void)state;
    int64_t ms;
    assert_int_equal(bt_time_parse("2025-01-02", &ms), 0);
    assert_int_equal(ms, INT64_C(1735776000000));
    assert_int_equal(bt_time_parse("2025-01-02T01:02:03.004Z", &ms), 0);
    assert_int_equal(ms, INT64_C(1735776000000) + 3723004);
    assert_int_equal(bt_time_parse("2024-02-29 23:59", &ms), 0);
    assert_int_equal(ms, INT64_C(1709251140000));
    assert_int_equal(bt_time_parse("1735776000000", &ms), 0);
    assert_int_equal(ms, INT64_C(1735776000000));
    const char *bad[] = {"",          "2025-13-01", "2025-02-29", "2025-01-02T25:00", "2025-01-02x",
                         "yesterday", "2025-1-2",   "-5"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(bt_time_parse(bad[i], &ms), WT_EPARSE);
}

static void test_scenario_checks(void **state)
{
    (void)state;
    struct bt_scenario sc;
    char err[256];
    for (const char *const *n = bt_builtin_names; *n; n++)
        assert_int_equal(bt_scenario_builtin(*n, &sc), 0);
    assert_int_equal(bt_scenario_builtin("conservative", &sc), 0);
    assert_true(sc.builtin && sc.n > 0);
    assert_int_equal(bt_scenario_builtin("nope", &sc), WT_ENOTFOUND);

    memset(&sc, 0, sizeof sc);
    assert_int_equal(bt_scenario_set(&sc, "signal.bogus", "1", err, sizeof err), WT_ENOTFOUND);
    assert_non_null(strstr(err, "signal.bogus"));
    assert_int_equal(bt_scenario_set(&sc, "server.listen", "x:1", err, sizeof err), WT_ENOTFOUND);
    assert_int_equal(bt_scenario_set(&sc, "signal.threshold", "1.5", err, sizeof err), WT_ERANGE);
    assert_non_null(strstr(err, "signal.threshold"));
    assert_int_equal(bt_scenario_set(&sc, "trade.max_positions", "many", err, sizeof err),
                     WT_EPARSE);
    assert_int_equal(bt_scenario_set_arg(&sc, "signal.threshold", err, sizeof err), WT_EPARSE);
    assert_int_equal(sc.n, 0); /* nothing changed */

    assert_int_equal(bt_scenario_set_arg(&sc, "signal.threshold=0.8", err, sizeof err), 0);
    assert_int_equal(bt_scenario_set_arg(&sc, "paper.latency_ms=500", err, sizeof err), 0);
    assert_int_equal(bt_scenario_set_arg(&sc, "signal.threshold=0.75", err, sizeof err), 0);
    assert_int_equal(sc.n, 2);
    assert_string_equal(sc.o[0].value, "0.75");

    /* JSON and back. */
    struct buf b;
    buf_init(&b, 0);
    bt_scenario_params_json(&sc, &b);
    struct bt_scenario back;
    memset(&back, 0, sizeof back);
    assert_int_equal(bt_scenario_params_parse(&back, b.data, b.len, err, sizeof err), 0);
    assert_int_equal(back.n, 2);
    assert_string_equal(back.o[1].name, "paper.latency_ms");
    const char *badj = "{\"signal.threshold\":7}";
    assert_int_equal(bt_scenario_params_parse(&back, badj, strlen(badj), err, sizeof err),
                     WT_ERANGE);
    assert_int_equal(back.n, 2);
    buf_release(&b);

    /* Order: configuration < scenario < --set; the whole validated. */
    struct config base, out;
    config_init(&base);
    struct bt_scenario sets;
    memset(&sets, 0, sizeof sets);
    assert_int_equal(bt_scenario_set_arg(&sets, "paper.latency_ms=700", err, sizeof err), 0);
    const struct bt_scenario *lists[2] = {&sc, &sets};
    struct bt_setup s;
    bt_setup_init(&s);
    assert_int_equal(bt_settings(&base, lists, 2, &out, &s, err, sizeof err), 0);
    assert_true(s.engine.signal.threshold == 0.75);
    assert_int_equal(s.paper.latency_ms, 700);
    config_release(&out);
    /* Each value in bounds, the two together not: the threshold above
     * trade.high_score. */
    struct bt_scenario clash;
    memset(&clash, 0, sizeof clash);
    assert_int_equal(bt_scenario_set_arg(&clash, "signal.threshold=0.95", err, sizeof err), 0);
    const struct bt_scenario *l1[1] = {&clash};
    bt_setup_init(&s);
    assert_int_equal(bt_settings(&base, l1, 1, &out, &s, err, sizeof err), WT_EINVAL);
    assert_non_null(strstr(err, "high_score"));
    config_release(&base);
}

/* ------------------------------------------------------------------ tape */

static void test_tape_file_and_extend(void **state)
{
    (void)state;
    struct bt_tape whole, part, loaded;
    bt_tape_init(&whole);
    bt_tape_init(&part);
    bt_tape_init(&loaded);
    int64_t end = t0 + 2 * MS_PER_DAY;
    assert_int_equal(bt_tape_from_store(&whole, st, t0, end), 0);
    assert_true(whole.recs.len > 10000);
    assert_int_equal(bt_tape_from_store(&part, st, t0, t0 + MS_PER_DAY), 0);
    assert_true(part.recs.len < whole.recs.len);
    assert_int_equal(bt_tape_extend(&part, st, end), 0);
    assert_int_equal(part.recs.len, whole.recs.len);
    for (size_t i = 0; i < whole.recs.len; i++) {
        struct swap_event a, b;
        bt_tape_swap(&whole, i, &a);
        bt_tape_swap(&part, i, &b);
        assert_memory_equal(&a, &b, sizeof a);
    }
    char path[256];
    snprintf(path, sizeof path, "/tmp/wt_bt_tape_%d", (int)getpid());
    assert_int_equal(bt_tape_save(&whole, path), 0);
    assert_int_equal(bt_tape_load(&loaded, path), 0);
    assert_int_equal(loaded.recs.len, whole.recs.len);
    assert_memory_equal(loaded.recs.v, whole.recs.v, whole.recs.len * sizeof *whole.recs.v);
    assert_int_equal(loaded.to_ms, end);
    /* A damaged file is refused, never half read. */
    FILE *f = fopen(path, "r+b");
    assert_non_null(f);
    fseek(f, 2, SEEK_SET);
    fputc('X', f);
    fclose(f);
    struct bt_tape bad;
    bt_tape_init(&bad);
    assert_int_equal(bt_tape_load(&bad, path), WT_EPARSE);
    assert_int_equal(bad.recs.len, 0);
    unlink(path);
    assert_int_equal(bt_tape_load(&bad, path), WT_ENOTFOUND);
    bt_tape_release(&bad);
    bt_tape_release(&whole);
    bt_tape_release(&part);
    bt_tape_release(&loaded);
}

/* ------------------------------------------------------------------ replay */

static void test_replay_deterministic_and_skipping_exact(void **state)
{
    (void)state;
    struct world w, all;
    world_init(&w, true);
    world_init(&all, false);
    assert_true(w.plan.skipped > 0);
    assert_int_equal(all.plan.skipped, 0);
    struct bt_setup s;
    setup_with(&s, NULL, NULL);
    struct bt_result a, b, c;
    run(&w, &w.plan, &s, &a);
    run(&w, &w.plan, &s, &b);
    run(&all, &all.plan, &s, &c);
    assert_true(a.m.trades > 0 && a.m.signals > a.m.trades);
    assert_true(a.curve.len >= 24); /* hourly, mark-to-market */
    assert_true(same_result(&a, &b));
    /* What the plan skips changes nothing. */
    assert_true(same_result(&a, &c));
    assert_true(c.m.events > a.m.events);
    bt_result_release(&a);
    bt_result_release(&b);
    bt_result_release(&c);
    world_release(&w);
    world_release(&all);
}

/* The claim behind feeding unwatched wallets market-only: intel_observe,
 * with the first buys the plan computed, leaves every watched wallet's
 * profile (the only one a run reads) exactly as intel_apply would, at each
 * of its buys (when a signal reads it), while the unwatched wallets are
 * indeed not kept; and intel_score, what the engine reads, scores as
 * intel_profile does. */
static bool same_view(const struct intel_profile *a, const struct intel_profile *b)
{
    return a->score.score == b->score.score && a->metrics.trades == b->metrics.trades &&
           a->metrics.win_rate == b->metrics.win_rate && a->timing.tokens == b->timing.tokens &&
           a->timing.percentile == b->timing.percentile &&
           a->timing.entry_vs_peak == b->timing.entry_vs_peak &&
           a->timing.pre_peak_share == b->timing.pre_peak_share && a->roi == b->roi &&
           a->unrealized_sol == b->unrealized_sol &&
           a->unrealized_as_of_ms == b->unrealized_as_of_ms && a->decay.n == b->decay.n &&
           a->decay.flagged == b->decay.flagged &&
           memcmp(a->top_tokens, b->top_tokens, sizeof a->top_tokens) == 0;
}

static void test_observe_keeps_watched_profiles(void **state)
{
    (void)state;
    struct world w;
    world_init(&w, true);
    assert_non_null(w.plan.whole);
    struct intel_params ip;
    intel_params_default(&ip);
    struct intel *full = intel_new(&ip, 1024), *obs = intel_new(&ip, 1024);
    struct intel_profile *a = malloc(sizeof *a), *b = malloc(sizeof *b), *c = malloc(sizeof *c);
    size_t compared = 0, observed = 0;
    struct swap_event sw;
    for (size_t i = 0; i < w.plan.idx.len; i++) {
        uint32_t rec = w.plan.idx.v[i];
        bt_tape_swap(&w.tape, rec, &sw);
        bool whole = w.plan.whole[w.tape.recs.v[rec].wallet];
        assert_int_equal(intel_apply(full, &sw), 0);
        assert_int_equal(
            whole ? intel_apply(obs, &sw) : intel_observe(obs, &sw, w.plan.known[i].first_buy), 0);
        observed += !whole;
        if (!whole || sw.side != SIDE_BUY)
            continue;
        uint32_t ia = ledger_wallet_id(intel_ledger(full), &sw.wallet),
                 ib = ledger_wallet_id(intel_ledger(obs), &sw.wallet);
        intel_profile(full, ia, sw.ts_ms, a);
        intel_profile(obs, ib, sw.ts_ms, b);
        if (!same_view(a, b))
            fail_msg("record %zu: score %.17g vs %.17g, percentile %.17g vs %.17g", i,
                     a->score.score, b->score.score, a->timing.percentile, b->timing.percentile);
        /* What the engine reads (intel_score) is the profile's scoring. */
        intel_score(obs, ib, sw.ts_ms, c);
        assert_int_equal(c->top_tokens[0], LEDGER_NONE);
        memcpy(c->top_tokens, b->top_tokens, sizeof c->top_tokens);
        if (!same_view(b, c))
            fail_msg("record %zu: intel_score %.17g, intel_profile %.17g", i, c->score.score,
                     b->score.score);
        compared++;
    }
    assert_true(compared > 100 && observed > compared);
    /* The unwatched wallets are not kept at all. */
    size_t watched = 0;
    for (size_t k = 0; k < w.wl.v.len; k++)
        watched += !w.wl.v.v[k].blacklisted;
    assert_true(ledger_wallet_count(intel_ledger(full)) > 5 * watched);
    assert_true(ledger_wallet_count(intel_ledger(obs)) <= watched);
    free(a);
    free(b);
    free(c);
    intel_free(full);
    intel_free(obs);
    world_release(&w);
}

/* The plan, worked out the plain way: every record of the window tested
 * against the whole tape, each market-only wallet's holdings in a list of
 * its own searched from the start, the market's own holding rule with a
 * real entry price. bt_plan_build must decide exactly alike (it packs the
 * holdings into a prefetched hash table of 16-byte slots and works the
 * known facts out in the same pass as the feeding). */
struct ref_held {
    uint32_t wallet, mint;
    struct market_holding h;
    bool bought;
};

static void ref_plan_check(const struct world *w, const struct bt_plan *p, int64_t warm_from,
                           int64_t from, int64_t to, bool filter)
{
    const struct bt_tape *t = &w->tape;
    uint32_t nk = t->keys.count;
    bool *watched = calloc(nk, sizeof *watched);
    for (size_t i = 0; i < w->wl.v.len; i++) {
        uint32_t id = intern_find(&t->keys, w->wl.v.v[i].wallet.b);
        if (id != INTERN_NONE && !w->wl.v.v[i].blacklisted)
            watched[id] = true;
    }
    VEC(struct ref_held) held = {0};
    size_t n = 0, n_warm = 0, skipped = 0, market_only = 0, first_buys = 0;
    for (size_t i = 0; i < t->recs.len; i++) {
        const struct bt_rec *r = &t->recs.v[i];
        if (r->ts_ms < warm_from || r->ts_ms >= to)
            continue;
        bool mint_traded = false; /* by a watched wallet, in [warm_from, to) */
        for (size_t j = 0; j < t->recs.len && !mint_traded; j++) {
            const struct bt_rec *q = &t->recs.v[j];
            mint_traded =
                q->mint == r->mint && watched[q->wallet] && q->ts_ms >= warm_from && q->ts_ms < to;
        }
        if (filter && !watched[r->wallet] && !mint_traded) {
            skipped++;
            continue;
        }
        assert_true(n < p->idx.len);
        assert_int_equal(p->idx.v[n], i);
        n_warm += r->ts_ms < from;
        if (filter) {
            assert_int_equal(p->whole[r->wallet], watched[r->wallet]);
            struct engine_swap_known k = {0};
            if (!watched[r->wallet] && r->token_amount &&
                (r->side == SIDE_BUY || r->side == SIDE_SELL)) {
                struct ref_held *h = NULL;
                for (size_t j = 0; j < held.len && !h; j++)
                    if (held.v[j].wallet == r->wallet && held.v[j].mint == r->mint)
                        h = &held.v[j];
                if (!h) {
                    h = vec_push_zero(&held);
                    h->wallet = r->wallet;
                    h->mint = r->mint;
                }
                k.held_before = h->h.raw;
                k.market_buyer =
                    market_holding_step(&h->h, (enum side)r->side, r->token_amount, r->price_sol);
                k.first_buy = r->side == SIDE_BUY && !h->bought;
                h->bought |= r->side == SIDE_BUY;
                market_only++;
                first_buys += k.first_buy;
            }
            if (p->known[n].held_before != k.held_before ||
                p->known[n].market_buyer != k.market_buyer || p->known[n].first_buy != k.first_buy)
                fail_msg("plan position %zu (record %zu): held %" PRIu64 "/%" PRIu64
                         ", buyer %d/%d, first buy %d/%d",
                         n, i, p->known[n].held_before, k.held_before, p->known[n].market_buyer,
                         k.market_buyer, p->known[n].first_buy, k.first_buy);
        }
        n++;
    }
    assert_int_equal(p->idx.len, n);
    assert_int_equal(p->n_warm, n_warm);
    assert_int_equal(p->skipped, skipped);
    if (filter) /* the comparison saw real work */
        assert_true(market_only > 1000 && first_buys > 100 && held.len > 100);
    else
        assert_null(p->known);
    vec_free(&held);
    free(watched);
}

static void test_plan_matches_reference(void **state)
{
    (void)state;
    struct world w;
    world_init(&w, true);
    ref_plan_check(&w, &w.plan, t0, w.from, w.to, true);
    /* A warm-up that starts inside the tape (holdings start empty there)
     * and a window that ends before it. */
    int64_t windows[][3] = {{t0 + MS_PER_DAY / 2, w.from, w.from + MS_PER_DAY / 2},
                            {t0 + MS_PER_HOUR, t0 + 7 * MS_PER_HOUR, w.to}};
    for (size_t k = 0; k < 2; k++) {
        for (int filter = 0; filter < 2; filter++) {
            struct bt_plan p;
            assert_int_equal(bt_plan_build(&p, &w.tape, &w.wl, windows[k][0], windows[k][1],
                                           windows[k][2], filter),
                             0);
            ref_plan_check(&w, &p, windows[k][0], windows[k][1], windows[k][2], filter);
            bt_plan_release(&p);
        }
    }
    world_release(&w);
}

static void test_replay_setting_matters(void **state)
{
    (void)state;
    struct world w;
    world_init(&w, true);
    struct bt_setup lo, hi;
    setup_with(&lo, "signal.threshold", "0.5");
    setup_with(&hi, "signal.threshold", "0.8");
    struct bt_result a, b;
    run(&w, &w.plan, &lo, &a);
    run(&w, &w.plan, &hi, &b);
    assert_int_equal(a.m.signals, b.m.signals); /* the same buys were seen */
    assert_true(a.m.traded > b.m.traded);
    for (size_t i = 0; i < b.signals.len; i++)
        if (b.signals.v[i].reason == SR_TRADED)
            assert_true(b.signals.v[i].score >= 0.8);
    bt_result_release(&a);
    bt_result_release(&b);
    world_release(&w);
}

static void stop_halfway(void *ctx, size_t done, size_t total)
{
    if (done * 2 >= total)
        atomic_store((atomic_int *)ctx, 1);
}

static void test_replay_cancel(void **state)
{
    (void)state;
    struct world w;
    world_init(&w, true);
    struct bt_setup s;
    setup_with(&s, NULL, NULL);
    atomic_int flag = 0;
    struct bt_run_opts o = {.cancel = &flag, .progress = stop_halfway, .progress_ctx = &flag};
    struct bt_result r;
    bt_result_init(&r);
    char err[256];
    assert_int_equal(bt_replay(&w.tape, &w.plan, &s, &w.wl, &o, &r, err, sizeof err), WT_ECLOSED);
    assert_true(r.m.events > 0 && r.m.events < w.plan.idx.len - w.plan.n_warm);
    bt_result_release(&r);
    world_release(&w);
}

/* ------------------------------------------------------------------ batches, folds */

static void test_batch_same_on_any_thread_count(void **state)
{
    (void)state;
    struct world w;
    world_init(&w, true);
    static const char *thr[] = {"0.55", "0.6", "0.65", "0.7", "0.75", "0.8", "0.62"};
    enum { N = 7 };
    struct bt_job one[N], many[N];
    memset(one, 0, sizeof one);
    memset(many, 0, sizeof many);
    for (int i = 0; i < N; i++) {
        setup_with(&one[i].setup, "signal.threshold", thr[i]);
        many[i].setup = one[i].setup;
    }
    assert_int_equal(bt_batch_run(&w.tape, &w.plan, &w.wl, one, N, 1, false, NULL, NULL, NULL), 0);
    assert_int_equal(bt_batch_run(&w.tape, &w.plan, &w.wl, many, N, 3, false, NULL, NULL, NULL), 0);
    struct bt_result alone;
    run(&w, &w.plan, &one[3].setup, &alone);
    for (int i = 0; i < N; i++) {
        assert_int_equal(one[i].rc, 0);
        assert_int_equal(many[i].rc, 0);
        assert_true(same_result(&one[i].result, &many[i].result));
    }
    assert_true(same_result(&alone, &many[3].result));
    /* Different settings, different results: the jobs did not mix. */
    assert_true(one[0].result.m.traded > one[5].result.m.traded);
    for (int i = 0; i < N; i++) {
        bt_result_release(&one[i].result);
        bt_result_release(&many[i].result);
    }
    bt_result_release(&alone);
    world_release(&w);
}

/* A checkpoint's metrics are those of a run that ends there: the
 * in-sample half of every walk-forward fold comes from one pass. */
static void test_checkpoint_is_a_shorter_run(void **state)
{
    (void)state;
    struct world w;
    world_init(&w, true);
    struct bt_setup s;
    setup_with(&s, "signal.threshold", "0.6");
    int64_t cps[3] = {w.from + 7 * MS_PER_HOUR + 1234, w.from + 13 * MS_PER_HOUR,
                      w.from + 20 * MS_PER_HOUR + 1};
    struct bt_metrics at[3];
    struct bt_run_opts o = {.checkpoints = cps, .n_checkpoints = 3, .at_checkpoint = at};
    struct bt_result full;
    bt_result_init(&full);
    char err[256];
    assert_int_equal(bt_replay(&w.tape, &w.plan, &s, &w.wl, &o, &full, err, sizeof err), 0);
    for (int k = 0; k < 3; k++) {
        struct bt_plan p;
        assert_int_equal(bt_plan_build(&p, &w.tape, &w.wl, t0, w.from, cps[k], true), 0);
        struct bt_result part;
        run(&w, &p, &s, &part);
        struct bt_metrics a = at[k], b = part.m;
        assert_true(b.trades > 0);
        a.events = b.events = 0;   /* the plans differ in what they feed, not in what */
        a.skipped = b.skipped = 0; /* it decides */
        assert_memory_equal(&a, &b, sizeof a);
        bt_result_release(&part);
        bt_plan_release(&p);
    }
    assert_true(full.m.trades > at[2].trades);
    bt_result_release(&full);
    world_release(&w);
}

/* ------------------------------------------------------------------ grid search */

static void test_axis_parse(void **state)
{
    (void)state;
    struct bt_axis ax;
    char err[256];
    assert_int_equal(bt_axis_parse("signal.threshold=0.6:0.8:0.05", &ax, err, sizeof err), 0);
    assert_int_equal(ax.n, 5);
    assert_string_equal(ax.values[0], "0.6");
    assert_string_equal(ax.values[4], "0.8");
    assert_int_equal(bt_axis_parse("trade.max_positions=5,10,20", &ax, err, sizeof err), 0);
    assert_int_equal(ax.n, 3);
    assert_int_equal(bt_axis_parse("trade.max_positions=5,0", &ax, err, sizeof err), WT_ERANGE);
    assert_non_null(strstr(err, "trade.max_positions"));
    assert_int_equal(bt_axis_parse("signal.nope=1,2", &ax, err, sizeof err), WT_ENOTFOUND);
    assert_int_equal(bt_axis_parse("signal.threshold=0.8:0.6:0.1", &ax, err, sizeof err),
                     WT_EPARSE);
    assert_int_equal(bt_axis_parse("signal.threshold=0:1:0", &ax, err, sizeof err), WT_EPARSE);
    assert_int_equal(bt_axis_parse("signal.threshold=0:1:0.001", &ax, err, sizeof err), WT_EFULL);
    assert_int_equal(bt_axis_parse("signal.threshold=", &ax, err, sizeof err), WT_EPARSE);
    struct bt_axis two[2];
    assert_int_equal(bt_axis_parse("signal.threshold=0.6,0.7", &two[0], err, sizeof err), 0);
    assert_int_equal(bt_axis_parse("trade.max_positions=1,2,3", &two[1], err, sizeof err), 0);
    assert_int_equal(bt_grid_points(two, 2), 6);
    struct bt_scenario sc;
    memset(&sc, 0, sizeof sc);
    bt_grid_point(two, 2, 5, &sc); /* the first axis varies fastest */
    assert_string_equal(sc.o[0].value, "0.7");
    assert_string_equal(sc.o[1].value, "3");
}

static void grid(struct world *w, struct bt_grid_opts *o, struct bt_grid_result *g)
{
    struct bt_axis ax[2];
    char err[256];
    assert_int_equal(bt_axis_parse("signal.threshold=0.55,0.65,0.75", &ax[0], err, sizeof err), 0);
    assert_int_equal(bt_axis_parse("trade.max_positions=3,10", &ax[1], err, sizeof err), 0);
    struct config cfg;
    config_init(&cfg);
    struct bt_setup base;
    bt_setup_init(&base);
    int rc =
        bt_grid_run(&w->tape, &w->wl, &cfg, &base, ax, 2, w->from, w->to, o, g, err, sizeof err);
    if (rc)
        fail_msg("bt_grid_run: %s", err);
    config_release(&cfg);
}

static void test_walk_forward_folds(void **state)
{
    (void)state;
    struct world w;
    world_init(&w, true);
    struct bt_grid_opts o = {.folds = 3, .threads = 1, .warm_ms = MS_PER_DAY};
    struct bt_grid_result g;
    grid(&w, &o, &g);
    assert_int_equal(g.points, 6);
    assert_int_equal(g.folds, 3);
    assert_false(g.in_sample);
    int64_t part = (w.to - w.from) / 4;
    for (unsigned k = 0; k < 3; k++) {
        const struct bt_fold *f = &g.fold[k];
        /* Anchored: in-sample from the start to b_k+1, held out b_k+1..b_k+2. */
        assert_int_equal(f->is_from, w.from);
        assert_int_equal(f->is_to, w.from + (int64_t)(k + 1) * part);
        assert_int_equal(f->oos_from, f->is_to);
        assert_int_equal(f->oos_to, k == 2 ? w.to : w.from + (int64_t)(k + 2) * part);
        assert_true(f->chosen < g.points);
        /* The choice is the in-sample best... */
        double best = bt_objective_value(&f->is, BT_OBJ_RETURN);
        for (size_t i = 0; i < g.points; i++)
            assert_true(bt_objective_value(&g.is_at[i * 3 + k], BT_OBJ_RETURN) <= best);
        /* ...and the number reported is a run over the held-out part alone. */
        struct bt_axis ax[2];
        char err[256];
        bt_axis_parse("signal.threshold=0.55,0.65,0.75", &ax[0], err, sizeof err);
        bt_axis_parse("trade.max_positions=3,10", &ax[1], err, sizeof err);
        struct bt_scenario sc;
        memset(&sc, 0, sizeof sc);
        bt_grid_point(ax, 2, f->chosen, &sc);
        struct bt_setup s;
        bt_setup_init(&s);
        for (size_t i = 0; i < sc.n; i++)
            assert_int_equal(
                engine_params_set(&s.engine, sc.o[i].name, sc.o[i].value, true, err, sizeof err),
                0);
        struct bt_plan p;
        assert_int_equal(bt_plan_build(&p, &w.tape, &w.wl, f->oos_from - MS_PER_DAY, f->oos_from,
                                       f->oos_to, true),
                         0);
        struct bt_result r;
        run(&w, &p, &s, &r);
        assert_memory_equal(&r.m, &f->oos, sizeof r.m);
        /* A fresh account: its trades opened inside the held-out part. */
        for (size_t i = 0; i < f->oos_result.trades.len; i++)
            assert_true(f->oos_result.trades.v[i].opened_ms >= f->oos_from);
        bt_result_release(&r);
        bt_plan_release(&p);
    }
    assert_int_equal(g.recommended, g.fold[2].chosen);
    uint64_t trades = 0;
    for (unsigned k = 0; k < 3; k++)
        trades += g.fold[k].oos.trades;
    assert_int_equal(g.oos.trades, trades);

    /* The same search on three threads: the same numbers. */
    struct bt_grid_opts o3 = o;
    o3.threads = 3;
    struct bt_grid_result g3;
    grid(&w, &o3, &g3);
    assert_memory_equal(g.full, g3.full, g.points * sizeof *g.full);
    assert_memory_equal(g.is_at, g3.is_at, g.points * 3 * sizeof *g.is_at);
    assert_memory_equal(&g.oos, &g3.oos, sizeof g.oos);
    bt_grid_result_release(&g3);

    /* In-sample when asked: labelled, no folds, the best over the whole window. */
    struct bt_grid_opts oi = o;
    oi.in_sample = true;
    struct bt_grid_result gi;
    grid(&w, &oi, &gi);
    assert_true(gi.in_sample);
    assert_int_equal(gi.folds, 0);
    assert_memory_equal(&gi.oos, &gi.full[gi.recommended], sizeof gi.oos);
    bt_grid_result_release(&gi);

    /* Constraints nobody meets: nothing chosen. */
    struct bt_grid_opts on = o;
    on.constraints.min_trades = 1000000;
    struct bt_grid_result gn;
    grid(&w, &on, &gn);
    assert_int_equal(gn.recommended, SIZE_MAX);
    for (unsigned k = 0; k < 3; k++)
        assert_int_equal(gn.fold[k].chosen, SIZE_MAX);
    bt_grid_result_release(&gn);
    bt_grid_result_release(&g);
    world_release(&w);
}

/* ------------------------------------------------------------------ stored runs */

static size_t count_items(int64_t run_id)
{
    struct backtest_item_row *rows = calloc(1000, sizeof *rows);
    struct row_query q = {.key_id = run_id, .limit = 1000};
    size_t n = 0;
    assert_int_equal(store_list_backtest_item(st, &q, rows, &n), 0);
    free(rows);
    return n;
}

static void test_run_saved_read_deleted(void **state)
{
    (void)state;
    struct world w;
    world_init(&w, true);
    char err[256];
    struct bt_scenario sc, sets;
    assert_int_equal(bt_scenario_builtin("aggressive", &sc), 0);
    memset(&sets, 0, sizeof sets);
    assert_int_equal(bt_scenario_set_arg(&sets, "paper.latency_ms=900", err, sizeof err), 0);
    struct config base, cfg;
    config_init(&base);
    struct bt_setup s;
    bt_setup_init(&s);
    const struct bt_scenario *lists[2] = {&sc, &sets};
    assert_int_equal(bt_settings(&base, lists, 2, &cfg, &s, err, sizeof err), 0);
    struct bt_result r;
    run(&w, &w.plan, &s, &r);
    struct bt_run_info info = {.scenario = &sc,
                               .sets = &sets,
                               .settings = &cfg,
                               .from_ms = w.from,
                               .to_ms = w.to,
                               .started_ms = 1,
                               .finished_ms = 2,
                               .sample = "full"};
    int64_t id = 0;
    assert_int_equal(bt_run_save(st, &info, &w.tape, &r, &id), 0);
    assert_true(id > 0);
    assert_true(count_items(id) >= 6);

    struct buf b;
    buf_init(&b, 0);
    assert_int_equal(bt_run_json(st, id, true, &b), 0);
    struct json_doc *d = json_doc_new(64);
    struct json_val root, m, arr, set, ov;
    assert_int_equal(json_parse(d, b.data, b.len, 0, &root), 0);
    const char *name;
    assert_int_equal(json_get_str(&root, "scenario", &name, NULL), 0);
    assert_string_equal(name, "aggressive");
    int64_t from;
    assert_int_equal(json_get_i64(&root, "from_ms", &from), 0);
    assert_int_equal(from, w.from);
    assert_int_equal(json_find(&root, "metrics", &m), 0);
    uint64_t trades;
    assert_int_equal(json_get_u64(&m, "trades", &trades), 0);
    assert_int_equal(trades, r.m.trades);
    assert_int_equal(json_find(&root, "trades", &arr), 0);
    struct json_val last;
    assert_int_equal(json_index(&arr, r.trades.len - 1, &last), 0);
    assert_int_equal(json_index(&arr, r.trades.len, &last), WT_ENOTFOUND);
    assert_int_equal(json_find(&root, "signals", &arr), 0);
    assert_int_equal(json_index(&arr, r.signals.len - 1, &last), 0);
    assert_int_equal(json_find(&root, "curve", &arr), 0);
    assert_int_equal(json_index(&arr, r.curve.len - 1, &last), 0);
    /* The exact settings, and the overrides with the --set. */
    assert_int_equal(json_find(&root, "settings", &set), 0);
    const char *v;
    assert_int_equal(json_get_str(&set, "signal.threshold", &v, NULL), 0);
    assert_string_equal(v, "0.60");
    assert_int_equal(json_get_str(&set, "paper.latency_ms", &v, NULL), 0);
    assert_string_equal(v, "900");
    assert_int_equal(json_find(&root, "overrides", &ov), 0);
    assert_int_equal(json_get_str(&ov, "paper.latency_ms", &v, NULL), 0);
    json_doc_free(d);
    buf_release(&b);

    assert_int_equal(store_backtest_delete(st, id), 0);
    buf_init(&b, 0);
    assert_int_equal(bt_run_json(st, id, true, &b), WT_ENOTFOUND);
    buf_release(&b);
    assert_int_equal(count_items(id), 0);
    assert_int_equal(store_backtest_delete(st, id), WT_ENOTFOUND);
    bt_result_release(&r);
    config_release(&cfg);
    config_release(&base);
    world_release(&w);
}

static void test_scenarios_stored(void **state)
{
    (void)state;
    char err[256];
    struct bt_scenario sc, back;
    memset(&sc, 0, sizeof sc);
    snprintf(sc.name, sizeof sc.name, "tight");
    assert_int_equal(bt_scenario_set_arg(&sc, "trade.max_positions=3", err, sizeof err), 0);
    int64_t id = 0, id2 = 0;
    assert_int_equal(bt_scenario_save(st, &sc, 1, &id), 0);
    assert_int_equal(bt_scenario_load(st, "tight", &back, &id2, err, sizeof err), 0);
    assert_int_equal(id, id2);
    assert_int_equal(back.n, 1);
    assert_string_equal(back.o[0].value, "3");
    /* Edit: same row. */
    assert_int_equal(bt_scenario_set_arg(&sc, "trade.max_positions=4", err, sizeof err), 0);
    assert_int_equal(bt_scenario_save(st, &sc, 2, &id2), 0);
    assert_int_equal(id, id2);
    assert_int_equal(bt_scenario_load(st, "tight", &back, NULL, err, sizeof err), 0);
    assert_string_equal(back.o[0].value, "4");
    /* Presets are read-only; names are checked. */
    assert_int_equal(bt_scenario_builtin("default", &back), 0);
    assert_int_equal(bt_scenario_save(st, &back, 1, NULL), WT_EINVAL);
    snprintf(back.name, sizeof back.name, "default");
    back.builtin = false;
    assert_int_equal(bt_scenario_save(st, &back, 1, NULL), WT_EINVAL);
    snprintf(back.name, sizeof back.name, "Bad Name");
    assert_int_equal(bt_scenario_save(st, &back, 1, NULL), WT_EINVAL);
    assert_int_equal(bt_scenario_load(st, "nope", &back, NULL, err, sizeof err), WT_ENOTFOUND);
    assert_non_null(strstr(err, "nope"));
}

/* Appends a copy of a stored swap at time ts with a fresh signature. */
static void append_swap(const struct bt_tape *t, int64_t ts, uint8_t tag)
{
    struct event ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = EVENT_SWAP;
    bt_tape_swap(t, 0, &ev.u.swap);
    ev.u.swap.ts_ms = ts;
    memset(ev.u.swap.sig.b, tag, sizeof ev.u.swap.sig.b);
    ev.u.swap.slot = (uint64_t)ts / 400;
    assert_int_equal(store_append_events(st, &ev, 1, NULL), 0);
}

/* Runs last: it adds swaps to the store. */
static void test_tape_cache(void **state)
{
    (void)state;
    char path[256];
    snprintf(path, sizeof path, "/tmp/wt_bt_cache_%d", (int)getpid());
    unlink(path);
    struct bt_tape t;
    const char *how = NULL;
    bt_tape_init(&t);
    assert_int_equal(bt_tape_cached(&t, st, path, &how), 0);
    assert_string_equal(how, "built");
    size_t n = t.recs.len;
    int64_t last = t.recs.v[n - 1].ts_ms;
    bt_tape_release(&t);
    bt_tape_init(&t);
    assert_int_equal(bt_tape_cached(&t, st, path, &how), 0);
    assert_string_equal(how, "cached");
    assert_int_equal(t.recs.len, n);
    /* A newer swap: the cache is extended. */
    append_swap(&t, last + 5000, 0xa1);
    bt_tape_release(&t);
    bt_tape_init(&t);
    assert_int_equal(bt_tape_cached(&t, st, path, &how), 0);
    assert_string_equal(how, "extended");
    assert_int_equal(t.recs.len, n + 1);
    assert_int_equal(t.recs.v[n].ts_ms, last + 5000);
    /* A swap stored late with an older time: extending cannot find it,
     * the count says so, the tape is rebuilt with it in its place. */
    int64_t old = t.recs.v[n / 2].ts_ms;
    append_swap(&t, old, 0xa2);
    bt_tape_release(&t);
    bt_tape_init(&t);
    assert_int_equal(bt_tape_cached(&t, st, path, &how), 0);
    assert_string_equal(how, "built");
    assert_int_equal(t.recs.len, n + 2);
    bt_tape_release(&t);
    unlink(path);
}

static int run_group(const char *name)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_time_parse),
        cmocka_unit_test(test_scenario_checks),
        cmocka_unit_test(test_tape_file_and_extend),
        cmocka_unit_test(test_replay_deterministic_and_skipping_exact),
        cmocka_unit_test(test_observe_keeps_watched_profiles),
        cmocka_unit_test(test_plan_matches_reference),
        cmocka_unit_test(test_replay_setting_matters),
        cmocka_unit_test(test_replay_cancel),
        cmocka_unit_test(test_batch_same_on_any_thread_count),
        cmocka_unit_test(test_checkpoint_is_a_shorter_run),
        cmocka_unit_test(test_axis_parse),
        cmocka_unit_test(test_walk_forward_folds),
        cmocka_unit_test(test_run_saved_read_deleted),
        cmocka_unit_test(test_scenarios_stored),
        cmocka_unit_test(test_tape_cache),
    };
    return _cmocka_run_group_tests(name, tests, sizeof tests / sizeof tests[0], group_setup,
                                   group_teardown);
}

int main(void)
{
    log_set_level(LOG_OFF);
    int fails = run_group("backtest/sqlite");
    const char *pg = getenv("WALLTRACK_TEST_PG_URL");
    if (pg && *pg) {
        pg_url = pg;
        fails += run_group("backtest/postgresql");
    } else {
        printf("backtest/postgresql: skipped: WALLTRACK_TEST_PG_URL is not set (ctest runs it as "
               "unit/backtest_pg through tests/store/with_pg.sh)\n");
    }
    return fails != 0;
}
