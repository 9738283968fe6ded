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
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backtest/replay.h"
#include "backtest/runs.h"
#include "backtest/scenario.h"
#include "backtest/tape.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/json.h"
#include "base/log.h"
#include "ingest/helius.h"
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
    assert_int_equal(bt_plan_build(&w->plan, &w->tape, &w->wl, w->from, w->to, filter), 0);
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
    const char *bad[] = {"", "2025-13-01", "2025-02-29", "2025-01-02T25:00", "2025-01-02x",
                         "yesterday", "2025-1-2", "-5"};
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
    assert_int_equal(bt_scenario_set(&sc, "server.listen", "x:1", err, sizeof err),
                     WT_ENOTFOUND);
    assert_int_equal(bt_scenario_set(&sc, "signal.threshold", "1.5", err, sizeof err),
                     WT_ERANGE);
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
    assert_int_equal(bt_replay(&w.tape, &w.plan, &s, &w.wl, &o, &r, err, sizeof err),
                     WT_ECLOSED);
    assert_true(r.m.events > 0 && r.m.events < w.plan.idx.len - w.plan.n_warm);
    bt_result_release(&r);
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

static int run_group(const char *name)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_time_parse),
        cmocka_unit_test(test_scenario_checks),
        cmocka_unit_test(test_tape_file_and_extend),
        cmocka_unit_test(test_replay_deterministic_and_skipping_exact),
        cmocka_unit_test(test_replay_setting_matters),
        cmocka_unit_test(test_replay_cancel),
        cmocka_unit_test(test_run_saved_read_deleted),
        cmocka_unit_test(test_scenarios_stored),
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
