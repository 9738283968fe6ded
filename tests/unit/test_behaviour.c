/* Tests of the behavioural classification (intel/behaviour.h) on
 * constructed wallets: trading style at its thresholds, sizing style, a
 * sniper bot against a human, risk profiles, activity hours. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "intel/intel.h"

#define MIN 60000LL
#define H   3600000LL
#define DAY 86400000LL
#define T0  (20000 * DAY)
#define SOL 1000000000ull
#define TOK 1000000ull

static struct swap_event sw(int wallet, int mint, enum side side, uint64_t lamports, int64_t ts,
                            const char *src)
{
    struct swap_event e;
    memset(&e, 0, sizeof e);
    e.wallet.b[0] = (uint8_t)wallet;
    e.mint.b[0] = (uint8_t)mint;
    e.mint.b[1] = (uint8_t)(mint >> 8);
    e.mint.b[2] = 9;
    pubkey_parse(MINT_WSOL, &e.quote_mint);
    e.side = side;
    e.decimals = 6;
    e.quote_decimals = 9;
    e.token_amount = 1000 * TOK;
    e.quote_amount = lamports;
    e.ts_ms = ts;
    e.slot = (uint64_t)(ts / 400);
    strncpy(e.source, src, sizeof e.source - 1);
    return e;
}

/* One wallet doing n round trips each held `hold` ms; returns its profile. */
static void style_of(int64_t hold, struct intel_profile *pr)
{
    struct intel *in = intel_new(NULL, 4);
    for (int i = 0; i < 5; i++) {
        int64_t t = T0 + i * 30 * DAY;
        struct swap_event b = sw(1, i + 1, SIDE_BUY, SOL, t, "RAYDIUM");
        struct swap_event s = sw(1, i + 1, SIDE_SELL, SOL, t + hold, "RAYDIUM");
        assert_int_equal(intel_apply(in, &b), 0);
        assert_int_equal(intel_apply(in, &s), 0);
    }
    intel_profile(in, 0, T0 + 200 * DAY, pr);
    intel_free(in);
}

static void test_trading_style_thresholds(void **state)
{
    (void)state;
    struct intel_profile pr;
    style_of(H - 1, &pr);
    assert_int_equal(pr.behaviour.style, BEHAVIOUR_STYLE_SCALP);
    assert_int_equal(pr.behaviour.median_hold_ms, H - 1);
    style_of(H, &pr); /* exactly 1 h: day */
    assert_int_equal(pr.behaviour.style, BEHAVIOUR_STYLE_DAY);
    style_of(DAY - 1, &pr);
    assert_int_equal(pr.behaviour.style, BEHAVIOUR_STYLE_DAY);
    style_of(DAY, &pr);
    assert_int_equal(pr.behaviour.style, BEHAVIOUR_STYLE_SWING);
    style_of(7 * DAY, &pr);
    assert_int_equal(pr.behaviour.style, BEHAVIOUR_STYLE_POSITION);
    assert_string_equal(behaviour_style_name(pr.behaviour.style), "position");
}

static void test_sizing(void **state)
{
    (void)state;
    struct intel *in = intel_new(NULL, 4);
    /* wallet 1 always buys 1 SOL: CV 0, fixed. wallet 2 buys 1, 3, 0.5,
     * 5, 2 SOL: mean 2.3, sample sd 1.7889, CV 0.778: variable */
    const uint64_t v2[5] = {SOL, 3 * SOL, SOL / 2, 5 * SOL, 2 * SOL};
    for (int i = 0; i < 5; i++) {
        struct swap_event a = sw(1, 100 + i, SIDE_BUY, SOL, T0 + i * MIN, "RAYDIUM");
        struct swap_event b = sw(2, 200 + i, SIDE_BUY, v2[i], T0 + i * MIN, "RAYDIUM");
        assert_int_equal(intel_apply(in, &a), 0);
        assert_int_equal(intel_apply(in, &b), 0);
    }
    struct intel_profile p1, p2;
    intel_profile(in, 0, T0 + DAY, &p1);
    intel_profile(in, 1, T0 + DAY, &p2);
    assert_int_equal(p1.behaviour.sizing, BEHAVIOUR_SIZING_FIXED);
    assert_float_equal(p1.behaviour.size_cv, 0, 1e-12);
    assert_int_equal(p2.behaviour.sizing, BEHAVIOUR_SIZING_VARIABLE);
    assert_float_equal(p2.behaviour.avg_buy_sol, 2.3, 1e-9);
    assert_float_equal(p2.behaviour.size_cv, 1.7888543819998317 / 2.3, 1e-9);
    /* fewer than 5 buys: unknown */
    struct swap_event c = sw(3, 300, SIDE_BUY, SOL, T0, "RAYDIUM");
    assert_int_equal(intel_apply(in, &c), 0);
    struct intel_profile p3;
    intel_profile(in, 2, T0 + DAY, &p3);
    assert_int_equal(p3.behaviour.sizing, BEHAVIOUR_SIZING_UNKNOWN);
    intel_free(in);
}

static void test_bot_versus_human(void **state)
{
    (void)state;
    struct intel *in = intel_new(NULL, 8);
    struct ledger *l = intel_ledger(in);
    /* 48 tokens launched one per hour round the clock. The bot (wallet 1)
     * buys each in its launch slot 0.2 s after launch for exactly 0.5 SOL
     * and sells 30 min later; the human (wallet 2) buys 2 h after launch,
     * only 9:00-17:00 UTC, with varied sizes. */
    for (int i = 0; i < 48; i++) {
        int64_t launch = T0 + i * H;
        struct pubkey mint;
        memset(&mint, 0, sizeof mint);
        mint.b[0] = (uint8_t)(i + 1);
        mint.b[2] = 9;
        ledger_set_launch(l, &mint, launch, (uint64_t)(launch / 400));
        struct swap_event b = sw(1, i + 1, SIDE_BUY, SOL / 2, launch + 200, "PUMP_FUN");
        struct swap_event s = sw(1, i + 1, SIDE_SELL, SOL, launch + 30 * MIN, "PUMP_FUN");
        assert_int_equal(intel_apply(in, &b), 0);
        assert_int_equal(intel_apply(in, &s), 0);
    }
    for (int i = 0; i < 48; i++) {
        int64_t t = T0 + i * H + 2 * H;
        int hour = (int)((t / H) % 24);
        if (hour < 9 || hour >= 17)
            continue;
        struct swap_event b =
            sw(2, i + 1, SIDE_BUY, SOL / 4 + (uint64_t)(i % 5) * SOL / 3, t, "RAYDIUM");
        assert_int_equal(intel_apply(in, &b), 0);
    }
    struct intel_profile bot, human;
    intel_profile(in, 0, T0 + 3 * DAY, &bot);
    intel_profile(in, 1, T0 + 3 * DAY, &human);
    /* bot: every first buy fast (0.2 s <= 3 s) and in the launch slot;
     * CV 0 -> uniform 1; 96 swaps spread over all 24 hours evenly ->
     * entropy 1 -> clock 1. Score 0.3 + 0.3 + 0.2 + 0.2 = 1. */
    assert_float_equal(bot.behaviour.bot_fast, 1, 1e-12);
    assert_float_equal(bot.behaviour.bot_first_slot, 1, 1e-12);
    assert_float_equal(bot.behaviour.bot_uniform, 1, 1e-12);
    assert_float_equal(bot.behaviour.bot_clock, 1, 1e-9);
    assert_float_equal(bot.behaviour.bot_score, 1, 1e-9);
    assert_int_equal(bot.behaviour.active_hours, 24);
    assert_float_equal(bot.behaviour.bonding_share, 1, 0);
    assert_string_equal(bot.top_source, "PUMP_FUN");
    /* human: 2 h after launch, never in the launch slot, sizes vary, too
     * few swaps for the clock rule: 0 */
    assert_float_equal(human.behaviour.bot_score, 0, 1e-12);
    assert_true(human.behaviour.active_hours <= 8);
    assert_true(human.behaviour.peak_hour >= 9 && human.behaviour.peak_hour < 17);
    assert_float_equal(human.behaviour.avg_entry_age_ms, 2.0 * H, 1e-6);
    /* the bot's score is cut by the penalty */
    assert_true(bot.score.bot_mult < 0.21);
    intel_free(in);
}

static void test_risk_profiles(void **state)
{
    (void)state;
    struct intel *in = intel_new(NULL, 8);
    struct ledger *l = intel_ledger(in);
    /* aggressive: pump.fun tokens minutes old, and a drawdown of 3 SOL on
     * 5 SOL of cost (0.6 > 0.3): 3 points. */
    for (int i = 0; i < 5; i++) {
        int64_t t = T0 + i * DAY;
        struct swap_event b = sw(1, 10 + i, SIDE_BUY, SOL, t + 5 * MIN, "PUMP_FUN");
        struct swap_event s =
            sw(1, 10 + i, SIDE_SELL, i < 3 ? SOL / 100 : SOL, t + 6 * MIN, "PUMP_FUN");
        struct swap_event first = sw(7, 10 + i, SIDE_BUY, SOL, t, "PUMP_FUN");
        assert_int_equal(intel_apply(in, &first), 0);
        assert_int_equal(intel_apply(in, &b), 0);
        assert_int_equal(intel_apply(in, &s), 0);
    }
    /* conservative: graduated tokens a week old, fixed 1 SOL, all wins */
    for (int i = 0; i < 5; i++) {
        int64_t t = T0 + i * 4 * DAY;
        struct pubkey mint;
        memset(&mint, 0, sizeof mint);
        mint.b[0] = (uint8_t)(40 + i);
        mint.b[2] = 9;
        ledger_set_launch(l, &mint, t - 7 * DAY, 1);
        struct swap_event b = sw(2, 40 + i, SIDE_BUY, SOL, t, "RAYDIUM");
        struct swap_event s = sw(2, 40 + i, SIDE_SELL, 2 * SOL, t + 3 * DAY, "RAYDIUM");
        assert_int_equal(intel_apply(in, &b), 0);
        assert_int_equal(intel_apply(in, &s), 0);
    }
    struct intel_profile a, c;
    /* ids: wallet 7 (the first buyer) is 0, wallet 1 is 1, wallet 2 is 2 */
    intel_profile(in, 1, T0 + 30 * DAY, &a);
    intel_profile(in, 2, T0 + 30 * DAY, &c);
    assert_int_equal(a.behaviour.risk_points, 3);
    assert_int_equal(a.behaviour.risk, BEHAVIOUR_RISK_AGGRESSIVE);
    /* realized -0.99 three times from 0: 2.97 SOL down, never a gain, so
     * no fraction of a peak; the risk point compares it with the cost */
    assert_float_equal(a.metrics.max_drawdown_sol, 2.97, 1e-9);
    assert_false(a.metrics.max_drawdown_valid);
    assert_int_equal(c.behaviour.risk_points, 0);
    assert_int_equal(c.behaviour.risk, BEHAVIOUR_RISK_CONSERVATIVE);
    assert_string_equal(behaviour_risk_name(c.behaviour.risk), "conservative");
    /* and the middle: one point (bonding curve only) */
    struct intel *in2 = intel_new(NULL, 4);
    for (int i = 0; i < 5; i++) {
        int64_t t = T0 + i * DAY;
        struct swap_event first = sw(7, 60 + i, SIDE_BUY, SOL, t, "PUMP_FUN");
        struct swap_event b = sw(3, 60 + i, SIDE_BUY, SOL, t + 2 * H, "PUMP_FUN");
        struct swap_event s = sw(3, 60 + i, SIDE_SELL, 2 * SOL, t + 3 * H, "PUMP_FUN");
        assert_int_equal(intel_apply(in2, &first), 0);
        assert_int_equal(intel_apply(in2, &b), 0);
        assert_int_equal(intel_apply(in2, &s), 0);
    }
    struct intel_profile m;
    intel_profile(in2, 1, T0 + 30 * DAY, &m);
    assert_int_equal(m.behaviour.risk_points, 1);
    assert_int_equal(m.behaviour.risk, BEHAVIOUR_RISK_MODERATE);
    intel_free(in2);
    intel_free(in);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_trading_style_thresholds),
        cmocka_unit_test(test_sizing),
        cmocka_unit_test(test_bot_versus_human),
        cmocka_unit_test(test_risk_profiles),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
