/* Tests of the smart-money score and decay (intel/score.h): the worked
 * example of docs/metrics.md, monotonicity in each input, the bot penalty,
 * confidence levels, and the decay flag and downgrade exactly at their
 * thresholds, with their reasons and how a downgrade ends. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "intel/score.h"

#define DAY 86400000LL

static struct metrics base(void)
{
    /* the metrics of the worked example (docs/metrics.md) */
    struct metrics m;
    memset(&m, 0, sizeof m);
    m.trades = 5;
    m.wins = 3;
    m.losses = 2;
    m.win_rate = 0.6;
    m.win_rate_shrunk = 5.0 / 9.0;
    m.roi = 0.1;
    m.profit_ratio = 1.2;
    m.profit_ratio_valid = true;
    m.sharpe = 5.297174724328061;
    m.sharpe_valid = true;
    m.consistency = 0.75;
    return m;
}

static double sc(const struct metrics *m, const struct metrics_timing *t, const struct behaviour *b)
{
    struct score_params p;
    score_params_default(&p);
    struct score s;
    score_compute(&p, m, t, b, NULL, 0, &s);
    return s.score;
}

static void test_worked_example(void **state)
{
    (void)state;
    struct metrics m = base();
    struct score_params p;
    score_params_default(&p);
    struct score s;
    score_compute(&p, &m, NULL, NULL, NULL, 0, &s);
    /* components: win (5/9-0.3)/0.5 = 0.5111111; roi 0.5+0.5tanh(0.1) =
     * 0.5498340; pr 1.2/2.2 = 0.5454545; sharpe 0.5+0.5tanh(5.2971747/3)
     * = 0.9715695; consistency 0.75; timing 0.5 (unknown); sample 5/50 =
     * 0.1. Weighted: 100 * (0.25*0.5111111 + 0.20*0.5498340 +
     * 0.15*0.5454545 + 0.15*0.9715695 + 0.10*0.75 + 0.10*0.5 + 0.05*0.1)
     * = 59.5298182 */
    assert_float_equal(s.component[SCORE_C_WIN_RATE], 0.5111111111111112, 1e-12);
    assert_float_equal(s.component[SCORE_C_SHARPE], 0.9715694868426213, 1e-9);
    assert_float_equal(s.score, 59.529818208484855, 1e-6);
    assert_int_equal(s.confidence, SCORE_CONF_LOW);
    assert_string_equal(score_confidence_name(s.confidence), "low");
}

static void test_monotonic(void **state)
{
    (void)state;
    struct metrics m0 = base(), m;
    double s0 = sc(&m0, NULL, NULL);
    m = m0;
    m.win_rate_shrunk = 0.7;
    assert_true(sc(&m, NULL, NULL) > s0);
    m = m0;
    m.roi = 0.5;
    assert_true(sc(&m, NULL, NULL) > s0);
    m = m0;
    m.roi = -0.5;
    assert_true(sc(&m, NULL, NULL) < s0);
    m = m0;
    m.profit_ratio = 3;
    assert_true(sc(&m, NULL, NULL) > s0);
    m = m0;
    m.sharpe = 1;
    assert_true(sc(&m, NULL, NULL) < s0);
    m = m0;
    m.consistency = 0.9;
    assert_true(sc(&m, NULL, NULL) > s0);
    m = m0;
    m.trades = 40;
    assert_true(sc(&m, NULL, NULL) > s0);
    struct metrics_timing early = {.tokens = 4, .percentile = 0.05};
    struct metrics_timing late = {.tokens = 4, .percentile = 0.9};
    assert_true(sc(&m0, &early, NULL) > s0);
    assert_true(sc(&m0, &late, NULL) < s0);
    struct behaviour human, bot;
    memset(&human, 0, sizeof human);
    memset(&bot, 0, sizeof bot);
    bot.bot_score = 0.9;
    assert_float_equal(sc(&m0, NULL, &human), s0, 1e-12);
    /* 0.9 bot-likeness: x (1 - 0.8 * 0.9) = x 0.28 */
    assert_float_equal(sc(&m0, NULL, &bot), s0 * 0.28, 1e-9);
    /* no trades: score 0 */
    m = m0;
    m.trades = 0;
    assert_float_equal(sc(&m, NULL, NULL), 0, 0);
}

static void test_confidence_levels(void **state)
{
    (void)state;
    struct score_params p;
    score_params_default(&p);
    struct metrics m = base();
    struct score s;
    m.trades = 14;
    score_compute(&p, &m, NULL, NULL, NULL, 0, &s);
    assert_int_equal(s.confidence, SCORE_CONF_LOW);
    m.trades = 15;
    score_compute(&p, &m, NULL, NULL, NULL, 0, &s);
    assert_int_equal(s.confidence, SCORE_CONF_MEDIUM);
    m.trades = 50;
    score_compute(&p, &m, NULL, NULL, NULL, 0, &s);
    assert_int_equal(s.confidence, SCORE_CONF_HIGH);
}

static void feed(struct score_decay *d, const struct score_params *p, int wins, int losses,
                 int64_t *ts)
{
    struct ledger_trip t;
    memset(&t, 0, sizeof t);
    for (int i = 0; i < wins + losses; i++) {
        t.close_ms = (*ts += 1000);
        t.pnl_sol = i < wins ? 1 : -1;
        score_decay_add(d, p, &t);
    }
}

static void test_decay_flag_threshold(void **state)
{
    (void)state;
    struct score_params p;
    score_params_default(&p);
    struct score_decay d;
    int64_t ts = 0;
    char why[320];
    /* 8 wins then 12 losses interleaved so no 3-loss run matters here:
     * exactly 40% over a full window of 20 is not below 40% */
    score_decay_init(&d);
    for (int i = 0; i < 4; i++) {
        feed(&d, &p, 2, 0, &ts);
        feed(&d, &p, 0, 3, &ts);
    }
    assert_int_equal(d.n, 20);
    assert_int_equal(score_decay_wins(&d), 8);
    assert_false(d.flagged);
    /* 19 trips at 7 wins: window not full yet, no flag */
    score_decay_init(&d);
    feed(&d, &p, 7, 12, &ts);
    assert_false(d.flagged);
    /* the 20th trip, a loss: 7/20 = 35% < 40% -> flagged */
    feed(&d, &p, 0, 1, &ts);
    assert_true(d.flagged);
    assert_int_equal(d.flagged_ms, ts);
    int k = score_decay_reason(&d, &p, ts, why, sizeof why);
    assert_true(k >= 1);
    assert_non_null(strstr(why, "win rate 35% (7/20) over the last 20 round trips is below 40%"));
    /* one win replaces the oldest outcome (a win): still 7/20; two more
     * wins push out losses... feed 1 win: the oldest bit dropped is the
     * first trip, a win -> 7/20 still flagged */
    feed(&d, &p, 1, 0, &ts);
    assert_true(d.flagged);
    /* the rolling window recovers to 8/20 after the 8th trip replaced */
    int guard = 0;
    while (d.flagged && guard++ < 40)
        feed(&d, &p, 1, 0, &ts);
    assert_int_equal(score_decay_wins(&d), 8);
}

static void test_decay_downgrade(void **state)
{
    (void)state;
    struct score_params p;
    score_params_default(&p);
    struct score_decay d;
    score_decay_init(&d);
    int64_t ts = 0;
    char why[320];
    feed(&d, &p, 1, 2, &ts);
    assert_false(score_decay_downgraded(&d, ts));
    assert_int_equal(score_decay_reason(&d, &p, ts, why, sizeof why), 0);
    assert_string_equal(why, "");
    feed(&d, &p, 0, 1, &ts); /* third consecutive loss */
    assert_true(score_decay_downgraded(&d, ts));
    assert_int_equal(score_decay_reason(&d, &p, ts, why, sizeof why), 1);
    assert_non_null(strstr(why, "3 consecutive losing round trips"));
    /* the score is halved while it lasts */
    struct metrics m = base();
    struct score s0, s1;
    score_compute(&p, &m, NULL, NULL, NULL, ts, &s0);
    score_compute(&p, &m, NULL, NULL, &d, ts, &s1);
    assert_float_equal(s1.score, s0.score * 0.5, 1e-9);
    /* it ends 7 days after the last loss ... */
    assert_true(score_decay_downgraded(&d, ts + 7 * DAY - 1));
    assert_false(score_decay_downgraded(&d, ts + 7 * DAY));
    /* ... or at the next win */
    feed(&d, &p, 1, 0, &ts);
    assert_false(score_decay_downgraded(&d, ts));
    assert_int_equal(d.consec_losses, 0);
    /* unknown-basis trips do not count */
    struct ledger_trip t;
    memset(&t, 0, sizeof t);
    t.pnl_sol = -1;
    t.flags = LEDGER_TRIP_UNKNOWN_BASIS;
    for (int i = 0; i < 5; i++)
        score_decay_add(&d, &p, &t);
    assert_int_equal(d.consec_losses, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_worked_example),    cmocka_unit_test(test_monotonic),
        cmocka_unit_test(test_confidence_levels), cmocka_unit_test(test_decay_flag_threshold),
        cmocka_unit_test(test_decay_downgrade),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
