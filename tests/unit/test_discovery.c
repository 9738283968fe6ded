/* Discovery on a small simulated market, through the real path: the
 * simulator's Helius bodies decoded by the ingest decoder, stored in a
 * SQLite store, replayed and profiled (intel/profile.h), discovered
 * (intel/discovery.h). The ground truth (sim_wallet_type) is only read
 * here, to check the outcome:
 *   - the watchlist is mostly the planted skilled wallets, with no sniper;
 *   - every sniper that bought a successful token early is excluded as a
 *     bot, copy-traders by the copy-trading test;
 *   - every wallet is profiled into wallets (status candidate unless
 *     watched), with a snapshot each and its trade patterns;
 *   - a second run respects the operator: blacklisted, removed and manually
 *     added wallets stay as they are and the algorithm refills its K;
 *   - score.mode: a trained model changes the ranking (same eligible set),
 *     a blend of weight 0 is the rules, and without a model file the run
 *     says so in the log and ranks by the rules.
 * With WALLTRACK_TEST_PG_URL set (cmake/tests_intel.cmake, through
 * tests/store/with_pg.sh) the same runs on PostgreSQL. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/log.h"
#include "base/str.h"
#include "ingest/helius.h"
#include "intel/curation.h"
#include "intel/discovery.h"
#include "intel/model.h"
#include "sim/sim.h"
#include "solana/pubkey.h"
#include "store/store.h"

static char tmpdir[] = "/tmp/wt-discovery-XXXXXX";
static struct store *st;
static struct sim *market; /* kept for the truth: wallet types by address */
static size_t n_swaps;

/* The simulated market of docs/simulator.md, scaled down: 800 wallets (48
 * skilled, 24 snipers, ...) and 150 launches in a day. The `bull` preset
 * (6% runners): these tests check the pipeline's mechanics, which need a
 * few successful tokens in one small day; on the calibrated default a day
 * of 150 launches has about two runners. Discovery's quality on the
 * calibrated market is measured in docs/intelligence.md ("Evaluation"). */
static int setup(void **state)
{
    (void)state;
    log_set_level(LOG_WARN);
    if (!mkdtemp(tmpdir))
        return -1;
    char err[256];
    const char *pg = getenv("WALLTRACK_TEST_PG_URL");
    if (store_open(pg && *pg ? pg : tmpdir, NULL, &st, err, sizeof err) != 0) {
        fprintf(stderr, "store_open: %s\n", err);
        return -1;
    }
    print_message("store: %s\n", store_backend(st));
    struct scenario sc;
    scenario_preset(&sc, "bull");
    sc.seed = 5;
    sc.tokens_per_day = 150;
    scenario_scale_wallets(&sc, 800);
    if (sim_new(&sc, &market, err, sizeof err) != 0)
        return -1;
    struct helius_decoder *d = helius_decoder_new();
    struct helius_out out = {0};
    struct helius_counters c = {0};
    struct buf json;
    buf_init(&json, 0);
    struct sim_tx tx;
    int rc = 0;
    while (rc == 0 && sim_next(market, &tx) == 1) {
        buf_reset(&json);
        sim_tx_json(market, &tx, &json);
        if (helius_decode(d, json.data, json.len, 0, &out, &c) != 0)
            rc = -1;
        if (out.events.len >= 4096) {
            rc = store_append_events(st, out.events.v, out.events.len, NULL);
            helius_out_clear(&out);
        }
    }
    if (rc == 0 && out.events.len)
        rc = store_append_events(st, out.events.v, out.events.len, NULL);
    n_swaps = c.swaps;
    buf_release(&json);
    helius_out_release(&out);
    helius_decoder_free(d);
    return rc;
}

static int teardown(void **state)
{
    (void)state;
    store_close(st);
    sim_free(market);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

static enum sim_wallet_type truth(const char *address)
{
    for (uint32_t i = 0; i < sim_wallet_count(market); i++)
        if (strcmp(sim_wallet_address(market, i), address) == 0)
            return sim_wallet_type(market, i);
    return SIM_NTYPES;
}

/* Wallets with status watch, best first. */
static size_t watchlist(struct wallet *out, size_t cap)
{
    struct wallet_filter f = {.status = WALLET_WATCH, .page = 1, .limit = (uint32_t)cap};
    struct wallet_page pg;
    assert_int_equal(store_wallet_list(st, &f, &pg), 0);
    memcpy(out, pg.rows, pg.n * sizeof *out);
    size_t n = pg.n;
    wallet_page_release(&pg);
    return n;
}

static void test_finds_skilled_not_snipers(void **state)
{
    (void)state;
    struct discovery_params dp;
    discovery_params_default(&dp);
    dp.top_k = 15;
    struct profile_params pp;
    profile_params_default(&pp);
    struct discovery_report rep;
    struct discovery_result res;
    struct profile_state *ps;
    assert_int_equal(discovery_run(st, &dp, &pp, 0, &rep, &ps, &res), 0);
    assert_int_equal(rep.swaps, n_swaps);
    assert_true(rep.success_tokens >= 3);
    assert_int_equal(rep.apply.added, 15);
    assert_int_equal(rep.apply.watchlist, 15);

    /* The watchlist: at least 12 of 15 planted skilled wallets, no sniper,
     * no baiter. */
    struct wallet w[64];
    size_t n = watchlist(w, 64);
    assert_int_equal(n, 15);
    size_t skilled = 0;
    for (size_t i = 0; i < n; i++) {
        enum sim_wallet_type t = truth(w[i].address);
        assert_int_not_equal(t, SIM_SNIPER);
        assert_int_not_equal(t, SIM_BAITER);
        skilled += t == SIM_SKILLED;
        assert_string_equal(w[i].discovery, "algorithm");
    }
    print_message("watchlist: %zu of %zu skilled\n", skilled, n);
    assert_true(skilled >= 12);

    /* Snipers that were early in successful tokens are bots; no sniper is
     * eligible; most copy-traders are caught as such. */
    size_t snipers = 0, copies = 0, copies_caught = 0;
    for (size_t i = 0; i < res.c.len; i++) {
        const struct discovery_candidate *c = &res.c.v[i];
        enum sim_wallet_type t = truth(c->address);
        if (t == SIM_SNIPER) {
            snipers++;
            assert_true(c->excl == DISC_BOT || c->excl == DISC_FEW_HITS);
            assert_true(c->bot > dp.max_bot);
        }
        if (t == SIM_COPY) {
            copies++;
            copies_caught += c->excl == DISC_FOLLOWER;
        }
        if (i < res.eligible)
            assert_int_equal(c->excl, DISC_OK);
        else
            assert_int_not_equal(c->excl, DISC_OK);
    }
    assert_true(snipers > 5);
    assert_true(copies_caught * 3 >= copies); /* most of the rest fail on score or trades */

    /* Every wallet profiled, with a snapshot and its patterns. */
    uint32_t nw = ledger_wallet_count(intel_ledger(ps->in));
    assert_int_equal(rep.profile.wallets, nw);
    assert_int_equal(rep.profile.snapshots, nw);
    assert_true(rep.profile.patterns > 100);
    struct wallet_filter f = {.page = 1, .limit = 1};
    struct wallet_page pg;
    assert_int_equal(store_wallet_list(st, &f, &pg), 0);
    assert_int_equal(pg.total, nw);
    wallet_page_release(&pg);
    f.status = WALLET_CANDIDATE;
    assert_int_equal(store_wallet_list(st, &f, &pg), 0);
    assert_int_equal(pg.total, nw - 15);
    wallet_page_release(&pg);

    /* The stored row is the profile. */
    struct intel_profile pr;
    struct pubkey k;
    assert_int_equal(pubkey_parse(w[0].address, &k), 0);
    uint32_t id = ledger_wallet_id(intel_ledger(ps->in), &k);
    intel_profile(ps->in, id, rep.now_ms, &pr);
    assert_true(w[0].score > 0 && fabs(w[0].score - pr.score.score) < 0.005 + 1e-9);
    assert_int_equal(w[0].total_trades, pr.metrics.trades);
    assert_true(w[0].total_pnl == pr.total_pnl_sol);
    assert_true(w[0].realized_pnl == pr.realized_sol);
    assert_true(w[0].unrealized_pnl == pr.unrealized_sol);
    assert_int_equal(w[0].metrics_version, WALLET_METRICS_VERSION);
    assert_int_equal(discovery_stale_wallets(st), 0);
    /* a row of the old definitions (migration 14 gives them version 0) is
     * stale: serve runs discovery at start to recompute it */
    struct wallet old = w[0];
    old.metrics_version = 0;
    assert_int_equal(store_wallet_upsert(st, &old), 0);
    assert_int_equal(discovery_stale_wallets(st), 1);
    assert_int_equal(store_wallet_upsert(st, &w[0]), 0);
    assert_int_equal(discovery_stale_wallets(st), 0);
    assert_int_equal(w[0].last_trade_ms, pr.last_trade_ms);
    assert_string_equal(w[0].trading_style, behaviour_style_name(pr.behaviour.style));
    struct wallet_snapshot_row snap;
    size_t ns;
    struct row_query q = {.key = w[0].address, .limit = 1};
    assert_int_equal(store_row_list(st, STORE_T_SNAPSHOTS, &q, &snap, &ns), 0);
    assert_int_equal(ns, 1);
    assert_int_equal(snap.ts_ms, rep.now_ms);
    assert_true(snap.pnl_all == pr.total_pnl_sol);
    assert_true(snap.trades_30d == (int32_t)pr.metrics.trades);

    discovery_result_release(&res);
    profile_state_free(ps);
}

/* Run after the first: the operator's decisions hold. */
static void test_second_run_respects_the_operator(void **state)
{
    (void)state;
    struct wallet w[64];
    size_t n = watchlist(w, 64);
    assert_int_equal(n, 15);
    char black[BASE58_KEY_MAX], removed[BASE58_KEY_MAX], manual[BASE58_KEY_MAX] = "";
    snprintf(black, sizeof black, "%s", w[0].address);
    snprintf(removed, sizeof removed, "%s", w[1].address);
    struct curation c = {.action = CURATE_BLACKLIST};
    assert_int_equal(curation_apply(st, black, &c, 1, NULL, NULL), 0);
    c.action = CURATE_UNWATCH;
    assert_int_equal(curation_apply(st, removed, &c, 1, NULL, NULL), 0);
    /* a retail wallet the operator likes */
    for (uint32_t i = 0; i < sim_wallet_count(market) && !manual[0]; i++)
        if (sim_wallet_type(market, i) == SIM_RETAIL)
            snprintf(manual, sizeof manual, "%s", sim_wallet_address(market, i));
    c.action = CURATE_WATCH;
    assert_int_equal(curation_apply(st, manual, &c, 1, NULL, NULL), 0);

    struct discovery_params dp;
    discovery_params_default(&dp);
    dp.top_k = 15;
    struct profile_params pp;
    profile_params_default(&pp);
    pp.snapshots = false;
    struct discovery_report rep;
    assert_int_equal(discovery_run(st, &dp, &pp, 0, &rep, NULL, NULL), 0);
    assert_int_equal(rep.apply.operator_skipped, 2); /* black and removed were in the top */
    assert_int_equal(rep.apply.added, 2);
    assert_int_equal(rep.apply.kept, 13);
    assert_int_equal(rep.apply.watchlist, 16); /* 15 by the algorithm + the manual one */

    struct wallet r;
    assert_int_equal(store_wallet_get(st, black, &r), 0);
    assert_int_equal(r.status, WALLET_BLACKLISTED);
    assert_int_equal(store_wallet_get(st, removed, &r), 0);
    assert_int_equal(r.status, WALLET_REMOVED);
    assert_int_equal(store_wallet_get(st, manual, &r), 0);
    assert_int_equal(r.status, WALLET_WATCH);
    assert_string_equal(r.discovery, "manual");
    assert_true(r.total_trades > 0); /* profiled all the same */

    /* A smaller K drops the algorithm's lowest back to candidate, never the
     * manual one. */
    dp.top_k = 10;
    assert_int_equal(discovery_run(st, &dp, &pp, 0, &rep, NULL, NULL), 0);
    assert_int_equal(rep.apply.dropped, 5);
    assert_int_equal(rep.apply.watchlist, 11);
    assert_int_equal(store_wallet_get(st, manual, &r), 0);
    assert_int_equal(r.status, WALLET_WATCH);
}

/* The success test: N x launch price, or a market cap in SOL (peak price
 * x supply), or neither. */
static void test_success_criteria(void **state)
{
    (void)state;
    struct profile_state *ps;
    assert_int_equal(profile_load(st, NULL, &ps), 0);
    struct discovery_params dp;
    discovery_params_default(&dp);
    struct discovery_result a, b, c;
    assert_int_equal(discovery_find(ps, &dp, ps->last_ms, &a), 0);
    dp.min_multiple = 0;
    assert_int_equal(discovery_find(ps, &dp, ps->last_ms, &b), 0);
    assert_int_equal(b.success_tokens, 0);
    assert_int_equal(b.c.len, 0);
    /* pump.fun launches at 30 / 1,073,000,000 SOL per token: 28 SOL of
     * market cap for 1e9 tokens, so 10x is about 280 SOL. */
    dp.min_mcap_sol = 280;
    assert_int_equal(discovery_find(ps, &dp, ps->last_ms, &c), 0);
    assert_true(c.success_tokens > 0);
    assert_true(c.success_tokens + 2 >= a.success_tokens &&
                c.success_tokens <= a.success_tokens + 2);
    assert_int_equal(a.tokens, c.tokens);
    /* a lookback of one hour keeps only the last hour's launches */
    dp.lookback_ms = 3600000;
    struct discovery_result e;
    assert_int_equal(discovery_find(ps, &dp, ps->last_ms, &e), 0);
    assert_true(e.tokens < a.tokens / 4);
    discovery_result_release(&a);
    discovery_result_release(&b);
    discovery_result_release(&c);
    discovery_result_release(&e);
    profile_state_free(ps);
}

/* The profile run split over 3 threads (profile_rows, the parallel batch
 * flush of profile_load) gives the rows, snapshots and patterns of one
 * thread, byte for byte. */
static void test_profile_rows_same_on_threads(void **state)
{
    (void)state;
    struct wallet *rows[2];
    struct wallet_snapshot_row *snaps[2];
    struct pattern_list pl[2] = {{0}};
    uint32_t nw[2];
    for (int k = 0; k < 2; k++) {
        struct intel_params ip;
        intel_params_default(&ip);
        ip.ledger.batch_threads = k ? 3 : 1;
        struct profile_state *ps;
        assert_int_equal(profile_load(st, &ip, &ps), 0);
        assert_int_equal(ledger_parallel_flushes(intel_ledger(ps->in)), k ? 1 : 0);
        struct profile_params pp;
        profile_params_default(&pp);
        nw[k] = ledger_wallet_count(intel_ledger(ps->in));
        rows[k] = calloc(nw[k], sizeof *rows[k]);
        snaps[k] = calloc(nw[k], sizeof *snaps[k]);
        profile_rows(ps, &pp, ps->last_ms, rows[k], snaps[k], &pl[k]);
        profile_state_free(ps);
    }
    assert_int_equal(nw[0], nw[1]);
    assert_true(nw[0] > 100 && pl[0].len > 10);
    assert_memory_equal(rows[0], rows[1], nw[0] * sizeof *rows[0]);
    assert_memory_equal(snaps[0], snaps[1], nw[0] * sizeof *snaps[0]);
    assert_int_equal(pl[0].len, pl[1].len);
    assert_memory_equal(pl[0].v, pl[1].v, pl[0].len * sizeof *pl[0].v);
    for (int k = 0; k < 2; k++) {
        free(rows[k]);
        free(snaps[k]);
        free(pl[k].v);
    }
}

/* A tiny model that learned the opposite of the rules score (label =
 * -score): ranked by it, discovery keeps the same eligible wallets in
 * another order, the rules' best last among them by model score. */
static void test_model_changes_ranking(void **state)
{
    (void)state;
    struct profile_state *ps;
    assert_int_equal(profile_load(st, NULL, &ps), 0);
    const struct ledger *l = intel_ledger(ps->in);
    uint32_t nw = ledger_wallet_count(l);
    float *x = malloc((size_t)nw * MODEL_NFEAT * sizeof *x), *y = malloc(nw * sizeof *y);
    size_t n = 0;
    struct intel_profile pr;
    for (uint32_t w = 0; w < nw; w++) {
        intel_profile(ps->in, w, ps->last_ms, &pr);
        if (pr.metrics.trades < 3)
            continue;
        model_features(&pr, 0, x + n * MODEL_NFEAT);
        y[n] = -x[n * MODEL_NFEAT]; /* the rules score, reversed */
        n++;
    }
    assert_true(n >= 50);
    struct model *m;
    char err[256];
    assert_int_equal(model_train(x, y, n, 50, &m, err, sizeof err), 0);

    struct discovery_params dp;
    discovery_params_default(&dp);
    struct discovery_result rules, learned, blend0;
    assert_int_equal(discovery_find(ps, &dp, ps->last_ms, &rules), 0);
    assert_int_equal(rules.scoring, SCORE_RULES);
    assert_true(isnan(rules.c.v[0].model_score));
    dp.score_mode = SCORE_MODEL;
    dp.model = m;
    assert_int_equal(discovery_find(ps, &dp, ps->last_ms, &learned), 0);
    assert_int_equal(learned.scoring, SCORE_MODEL);
    assert_true(rules.eligible >= 5);
    assert_int_equal(learned.eligible, rules.eligible);
    size_t moved = 0;
    double best_score = -1, best_model = 0, worst_score = 101, worst_model = 0;
    for (size_t i = 0; i < rules.eligible; i++) {
        moved += strcmp(rules.c.v[i].address, learned.c.v[i].address) != 0;
        const struct discovery_candidate *c = &learned.c.v[i];
        assert_true(c->model_score >= 0 && c->model_score <= 100);
        if (c->score > best_score)
            best_score = c->score, best_model = c->model_score;
        if (c->score < worst_score)
            worst_score = c->score, worst_model = c->model_score;
    }
    print_message("model ranking: %zu of %zu eligible places changed; rules-best %.1f has model "
                  "score %.1f, rules-worst %.1f has %.1f\n",
                  moved, rules.eligible, best_score, best_model, worst_score, worst_model);
    assert_true(moved > rules.eligible / 2);
    assert_true(best_model < worst_model);
    /* a blend of weight 0 is the rules' order */
    dp.score_mode = SCORE_BLEND;
    dp.blend_weight = 0;
    assert_int_equal(discovery_find(ps, &dp, ps->last_ms, &blend0), 0);
    assert_int_equal(blend0.scoring, SCORE_BLEND);
    for (size_t i = 0; i < rules.eligible; i++)
        assert_string_equal(rules.c.v[i].address, blend0.c.v[i].address);
    discovery_result_release(&rules);
    discovery_result_release(&learned);
    discovery_result_release(&blend0);
    model_free(m);
    free(x);
    free(y);
    profile_state_free(ps);
}

/* score.mode model with no model file: the run logs that it ranks by the
 * rules, and does. */
static void test_model_fallback_says_so(void **state)
{
    (void)state;
    char logpath[128];
    snprintf(logpath, sizeof logpath, "%s/fallback.log", tmpdir);
    assert_int_equal(log_open(logpath, LOG_INFO), 0);
    struct discovery_params dp;
    discovery_params_default(&dp);
    struct profile_params pp;
    profile_params_default(&pp);
    pp.snapshots = false;
    struct discovery_report rules, rep;
    struct discovery_result a, b;
    assert_int_equal(discovery_run(st, &dp, &pp, 0, &rules, NULL, &a), 0);
    dp.score_mode = SCORE_MODEL;
    snprintf(dp.data_dir, sizeof dp.data_dir, "%s/nodata", tmpdir); /* no models/ */
    assert_int_equal(discovery_run(st, &dp, &pp, 0, &rep, NULL, &b), 0);
    log_open(NULL, LOG_WARN);
    assert_int_equal(rep.scoring, SCORE_RULES);
    assert_int_equal(a.eligible, b.eligible);
    for (size_t i = 0; i < a.eligible; i++)
        assert_string_equal(a.c.v[i].address, b.c.v[i].address);
    FILE *f = fopen(logpath, "r");
    assert_non_null(f);
    char line[1024];
    bool said = false;
    while (fgets(line, sizeof line, f))
        said |= strstr(line, "score.mode is model but there is no model in") != NULL &&
                strstr(line, "ranking by the rules score") != NULL;
    fclose(f);
    assert_true(said);
    discovery_result_release(&a);
    discovery_result_release(&b);
}

static int apply_swap(void *ctx, const struct stored_swap *s)
{
    (void)intel_apply(ctx, &s->swap);
    return 0;
}

static void test_operator_trades_rows(void **state)
{
    (void)state;
    struct profile_state *ps;
    assert_int_equal(profile_load(st, NULL, &ps), 0);
    const struct ledger *l = intel_ledger(ps->in);
    /* the wallet with the most round trips, traded late and early */
    uint32_t best = 0, most = 0;
    struct intel_profile pr;
    for (uint32_t w = 0; w < ledger_wallet_count(l); w++) {
        intel_profile(ps->in, w, ps->last_ms, &pr);
        if (pr.metrics.trades > most)
            most = pr.metrics.trades, best = w;
    }
    assert_true(most >= 6);
    struct pubkey k;
    memcpy(k.b, ledger_wallet_key(l, best), 32);
    int64_t late = ps->last_ms - 1800000, first = ps->first_ms;
    struct closed_trade_row t = {0};
    str_copy(t.mode, sizeof t.mode, "paper");
    str_copy(t.mint, sizeof t.mint, "So11111111111111111111111111111111111111112");
    pubkey_format(&k, t.wallet);
    t.opened_ms = late;
    t.closed_ms = late + 60000;
    t.pnl_sol = 0.125;
    assert_int_equal(store_put_closed_trade(st, &t, NULL), 0);
    t.opened_ms = first; /* no round trip before it */
    t.closed_ms = first + 60000;
    t.pnl_sol = -0.5;
    assert_int_equal(store_put_closed_trade(st, &t, NULL), 0);
    str_copy(t.wallet, sizeof t.wallet, "11111111111111111111111111111111"); /* never traded */
    t.opened_ms = late;
    assert_int_equal(store_put_closed_trade(st, &t, NULL), 0);

    struct model_rows mr = {0};
    assert_int_equal(model_operator_rows(st, &mr), 0);
    assert_int_equal(mr.trades, 3);
    assert_int_equal(mr.no_history, 2);
    assert_int_equal(mr.y.len, 1);
    assert_int_equal(mr.x.len, MODEL_NFEAT);
    assert_true(mr.y.v[0] == 0.125f);
    /* the features: the wallet's profile from the swaps before the hour */
    int64_t hour = late - late % 3600000;
    struct intel *in = intel_new(NULL, 1024);
    assert_int_equal(store_swaps_scan(st, INT64_MIN, hour - 1, apply_swap, in), 0);
    struct ledger *lb = intel_ledger(in);
    uint32_t w = ledger_wallet_id(lb, &k);
    assert_true(w != LEDGER_NONE);
    intel_profile(in, w, hour, &pr);
    struct copier_params cp;
    copier_params_default(&cp);
    struct copier_market *cm = copier_market_build(lb);
    struct copier_scratch *cs = copier_scratch_new(lb);
    struct copier_result past;
    copier_wallet(&cp, cm, lb, w, cs, &past);
    float want[MODEL_NFEAT];
    model_features(&pr, past.ev_sol, want);
    for (int f = 0; f < MODEL_NFEAT; f++)
        assert_true(mr.x.v[f] == want[f] || (isnan(mr.x.v[f]) && isnan(want[f])));
    /* not the profile at the end of the market */
    intel_profile(ps->in, best, ps->last_ms, &pr);
    assert_true(mr.x.v[1] < (float)log10((double)pr.metrics.trades + 1) ||
                mr.x.v[0] != (float)pr.score.score);
    copier_scratch_free(cs);
    copier_market_free(cm);
    intel_free(in);
    model_rows_release(&mr);
    profile_state_free(ps);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_finds_skilled_not_snipers),
        cmocka_unit_test(test_second_run_respects_the_operator),
        cmocka_unit_test(test_success_criteria),
        cmocka_unit_test(test_profile_rows_same_on_threads),
        cmocka_unit_test(test_model_changes_ranking),
        cmocka_unit_test(test_model_fallback_says_so),
        cmocka_unit_test(test_operator_trades_rows),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
