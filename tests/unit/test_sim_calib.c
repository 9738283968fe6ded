/* Tests of the simulator's calibration (src/sim/calib.c, presets in
 * src/sim/scenario.c): the measures computed from a hand-written truth
 * file, the presets, and the default scenario inside every calibration
 * target of docs/simulator.md on three seeds (6 simulated days each, the
 * full default population: a few seconds). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/jw.h"
#include "sim/calib.h"
#include "sim/scenario.h"
#include "sim/sim.h"

/* Runs a scenario in memory and measures its truth. */
static void measure(const struct scenario *sc, struct sim_calib *c)
{
    struct sim *s;
    char err[256];
    assert_int_equal(sim_new(sc, &s, err, sizeof err), 0);
    struct sim_tx tx;
    while (sim_next(s, &tx) == 1)
        ;
    struct buf b;
    buf_init(&b, 0);
    assert_int_equal(sim_truth_json(s, &b), 0);
    assert_int_equal(sim_calib_measure(b.data, b.len, c, err, sizeof err), 0);
    buf_release(&b);
    sim_free(s);
}

static void test_default_meets_every_target(void **state)
{
    (void)state;
    const uint64_t seeds[] = {1, 2, 3};
    for (size_t i = 0; i < 3; i++) {
        struct scenario sc;
        scenario_default(&sc);
        sc.seed = seeds[i];
        sc.days = 6;
        struct sim_calib c;
        measure(&sc, &c);
        for (int t = 0; t < SC_NTARGETS; t++)
            if (!c.met[t])
                fail_msg("seed %llu: target %s (%s) not met: %g", (unsigned long long)seeds[i],
                         sim_calib_name((enum sim_calib_target)t),
                         sim_calib_range((enum sim_calib_target)t), c.value[t]);
        assert_true(sim_calib_all_met(&c));
        assert_true(c.tokens > 1500);
        assert_true(c.fates_graduated[SIM_RUNNER] == c.graduated); /* only runners graduate */
    }
}

/* The bull preset is the generous market of earlier releases: it misses
 * the graduation target by a wide margin, and the bear preset graduates
 * fewer tokens than the calibrated one on the same seed. */
static void test_presets(void **state)
{
    (void)state;
    struct scenario d, b;
    scenario_default(&d);
    assert_int_equal(scenario_preset(&b, "calibrated"), 0);
    assert_memory_equal(&d, &b, sizeof d);
    assert_int_equal(scenario_preset(&b, "bull"), 0);
    assert_true(fabs(b.odds_runner - 0.06) < 1e-12);
    struct scenario keep = b;
    assert_int_equal(scenario_preset(&b, "sideways"), WT_ENOTFOUND);
    assert_memory_equal(&keep, &b, sizeof b);

    struct sim_calib cb, cc, cr;
    b.seed = d.seed = 5;
    b.days = d.days = 2;
    struct scenario r;
    assert_int_equal(scenario_preset(&r, "bear"), 0);
    r.seed = 5;
    r.days = 2;
    measure(&b, &cb);
    measure(&d, &cc);
    measure(&r, &cr);
    assert_false(cb.met[SC_GRADUATION]);
    assert_true(cb.value[SC_GRADUATION] > 0.03);
    assert_true(cc.met[SC_GRADUATION]);
    assert_true(cr.value[SC_GRADUATION] < cc.value[SC_GRADUATION]);
    assert_true(cr.fates[SIM_RUG] > cc.fates[SIM_RUG]);
}

/* A hand-written truth file: every measure computed by hand. */
static const char *TRUTH =
    "{\"format\":\"walltrack-sim-truth\",\"version\":1,\"seed\":9,\"scenario\":{\"days\":2},"
    "\"wallets\":["
    /* retail, 12 swaps: 1 - 2 - 0.1 + 0.5 = -0.6 SOL: losing */
    "{\"type\":\"retail\",\"swaps\":12,\"spent_lamports\":2000000000,"
    "\"received_lamports\":1000000000,\"fees_lamports\":100000000,"
    "\"open_value_lamports\":500000000},"
    /* retail, 10 swaps: +1 SOL */
    "{\"type\":\"retail\",\"swaps\":10,\"spent_lamports\":1000000000,"
    "\"received_lamports\":2000000000,\"fees_lamports\":0,\"open_value_lamports\":0},"
    /* skilled, 3 swaps: +60 SOL, a large winner but not active */
    "{\"type\":\"skilled\",\"swaps\":3,\"spent_lamports\":0,"
    "\"received_lamports\":60000000000,\"fees_lamports\":0,\"open_value_lamports\":0},"
    /* insider: +2 SOL; copy-trader: -1 SOL */
    "{\"type\":\"insider\",\"swaps\":2,\"spent_lamports\":1000000000,"
    "\"received_lamports\":3000000000,\"fees_lamports\":0,\"open_value_lamports\":0},"
    "{\"type\":\"copy_trader\",\"swaps\":2,\"spent_lamports\":2000000000,"
    "\"received_lamports\":1000000000,\"fees_lamports\":0,\"open_value_lamports\":0},"
    /* never traded */
    "{\"type\":\"retail\",\"swaps\":0,\"spent_lamports\":0,\"received_lamports\":0,"
    "\"fees_lamports\":0,\"open_value_lamports\":0}],"
    "\"tokens\":["
    /* launched 00:10 day 0, last trade 23:00 day 0: same day */
    "{\"fate\":\"fizzle\",\"launch_time\":600,\"last_trade_time\":82800,\"peak_multiple\":1.5,"
    "\"graduated\":false,\"early_bots\":1},"
    /* launched 23:00, last trade 01:00 the next day */
    "{\"fate\":\"runner\",\"launch_time\":82800,\"last_trade_time\":90000,\"peak_multiple\":40,"
    "\"graduated\":true,\"early_bots\":0},"
    "{\"fate\":\"rug\",\"launch_time\":100000,\"last_trade_time\":100500,\"peak_multiple\":2,"
    "\"graduated\":false,\"early_bots\":3}]}";

static void test_measures_by_hand(void **state)
{
    (void)state;
    struct sim_calib c;
    char err[256];
    assert_int_equal(sim_calib_measure(TRUTH, strlen(TRUTH), &c, err, sizeof err), 0);
    assert_int_equal(c.seed, 9);
    assert_int_equal(c.days, 2);
    assert_int_equal(c.tokens, 3);
    assert_int_equal(c.graduated, 1);
    assert_int_equal(c.fates_graduated[SIM_RUNNER], 1);
    assert_int_equal(c.same_day, 2);
    assert_int_equal(c.bots_early, 2);
    assert_int_equal(c.traded, 5);
    assert_int_equal(c.active, 2);
    assert_int_equal(c.active_losing, 1);
    assert_int_equal(c.large_winners, 1);
    assert_true(fabs(c.value[SC_GRADUATION] - 1.0 / 3) < 1e-12);
    assert_true(fabs(c.value[SC_LOSERS] - 0.5) < 1e-12);
    assert_true(fabs(c.value[SC_LARGE_WINNERS] - 0.2) < 1e-12);
    assert_true(fabs(c.peak_median - 2) < 1e-12);
    assert_true(fabs(c.peak_top1 - 40) < 1e-12); /* top 1% of 3 launches: the best one */
    assert_true(fabs(c.value[SC_TAIL] - 20) < 1e-12);
    assert_true(fabs(c.types[SIM_RETAIL].pnl_sol - 0.4) < 1e-9);
    assert_true(fabs(c.value[SC_INSIDERS_WIN] - 2) < 1e-9);
    assert_true(fabs(c.value[SC_COPY_LOSE] + 1) < 1e-9);
    assert_false(c.met[SC_GRADUATION]);
    assert_false(c.met[SC_LOSERS]); /* 50% is not more than 60% */
    assert_false(c.met[SC_LARGE_WINNERS]);
    assert_true(c.met[SC_SAME_DAY]);
    assert_true(c.met[SC_TAIL]);
    assert_true(c.met[SC_BOTS_EARLY]);
    assert_true(c.met[SC_INSIDERS_WIN]);
    assert_true(c.met[SC_COPY_LOSE]);
    assert_false(sim_calib_all_met(&c));

    struct buf b;
    buf_init(&b, 0);
    struct jw w;
    jw_init(&w, &b);
    sim_calib_write_json(&c, &w);
    assert_int_equal(jw_finish(&w), 0);
    assert_non_null(strstr(b.data, "\"name\":\"graduation\""));
    assert_non_null(strstr(b.data, "\"allMet\":false"));
    buf_release(&b);
}

static void test_bad_truth(void **state)
{
    (void)state;
    struct sim_calib c;
    char err[256];
    const char *notjson = "{\"format\":";
    assert_int_equal(sim_calib_measure(notjson, strlen(notjson), &c, err, sizeof err), WT_EPARSE);
    const char *other = "{\"format\":\"something\",\"seed\":1,\"scenario\":{\"days\":1}}";
    assert_int_equal(sim_calib_measure(other, strlen(other), &c, err, sizeof err), WT_EPARSE);
    /* A truth file of an older release has no outcome fields. */
    const char *old = "{\"format\":\"walltrack-sim-truth\",\"seed\":1,\"scenario\":{\"days\":1},"
                      "\"wallets\":[{\"type\":\"retail\"}],\"tokens\":[]}";
    assert_int_equal(sim_calib_measure(old, strlen(old), &c, err, sizeof err), WT_EPARSE);
    assert_non_null(strstr(err, "wallets"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_measures_by_hand),
        cmocka_unit_test(test_bad_truth),
        cmocka_unit_test(test_presets),
        cmocka_unit_test(test_default_meets_every_target),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
