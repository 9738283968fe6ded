/* Tests of trade/breakers.h: each breaker trips at its threshold and not
 * one lamport, trade or millisecond before; recovery and operator reset;
 * pause and resume; the alerts; and the JSON round trip that a restart
 * relies on. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "base/err.h"
#include "trade/breakers.h"

#define SOL  1000000000ULL
#define HOUR (3600LL * 1000)
#define T0   1700000000000LL

static void init(struct breakers *b, uint64_t equity)
{
    struct breaker_params p;
    breaker_params_default(&p);
    char err[128];
    assert_int_equal(breakers_init(b, &p, equity, T0, err, sizeof err), 0);
}

/* The documents' rule: a 40% win rate over the window, no profit factor. */
static void init_win_rate_rule(struct breakers *b, uint64_t equity)
{
    struct breaker_params p;
    breaker_params_default(&p);
    p.min_win_rate = 0.40;
    p.min_profit_factor = 0;
    char err[128];
    assert_int_equal(breakers_init(b, &p, equity, T0, err, sizeof err), 0);
}

static void test_drawdown_threshold(void **state)
{
    (void)state;
    struct breakers b;
    struct breaker_alerts al = {0};
    init(&b, 100 * SOL);
    breakers_on_equity(&b, 80 * SOL, T0 + 1, &al); /* exactly 20%: not above */
    assert_int_equal(al.n, 0);
    assert_true(breakers_entries_allowed(&b));
    breakers_on_equity(&b, 80 * SOL - 1, T0 + 2, &al);
    assert_int_equal(al.n, 1);
    assert_int_equal(al.a[0].kind, BREAKER_DRAWDOWN);
    assert_int_equal(al.a[0].action, BREAKER_TRIP);
    assert_int_equal(al.a[0].ts_ms, T0 + 2);
    assert_non_null(strstr(al.a[0].reason, "drawdown"));
    assert_false(breakers_entries_allowed(&b));
    assert_false(breakers_size_reduced(&b));
    /* no second alert while tripped */
    breakers_on_equity(&b, 50 * SOL, T0 + 3, &al);
    assert_int_equal(al.n, 1);

    /* from a raised peak */
    init(&b, 100 * SOL);
    al.n = 0;
    breakers_on_equity(&b, 120 * SOL, T0 + 1, &al);
    assert_int_equal(b.peak_equity_lamports, 120 * SOL);
    breakers_on_equity(&b, 96 * SOL, T0 + 2, &al);
    assert_int_equal(al.n, 0);
    breakers_on_equity(&b, 96 * SOL - 1, T0 + 3, &al);
    assert_int_equal(al.n, 1);

    /* the operator reset moves the peak to the current equity */
    al.n = 0;
    breakers_reset(&b, BREAKER_DRAWDOWN, T0 + 4, &al);
    assert_int_equal(al.n, 1);
    assert_int_equal(al.a[0].action, BREAKER_CLEAR);
    assert_true(breakers_entries_allowed(&b));
    assert_int_equal(b.peak_equity_lamports, 96 * SOL - 1);
    breakers_on_equity(&b, 96 * SOL - 1, T0 + 5, &al);
    assert_int_equal(al.n, 1);
}

static void trades(struct breakers *b, int wins, int losses, int64_t *ts, struct breaker_alerts *al)
{
    for (int i = 0; i < wins; i++)
        breakers_on_trade(b, 1000, false, (*ts)++, al);
    for (int i = 0; i < losses; i++)
        breakers_on_trade(b, -1000, false, (*ts)++, al);
}

static void test_win_rate_threshold(void **state)
{
    (void)state;
    struct breakers b;
    struct breaker_alerts al = {0};
    int64_t ts = T0;
    /* 49 losses: fewer than 50 trades, no verdict yet */
    init_win_rate_rule(&b, 100 * SOL);
    trades(&b, 0, 49, &ts, &al);
    assert_int_equal(al.n, 0);
    trades(&b, 0, 1, &ts, &al);
    assert_int_equal(al.n, 1);
    assert_int_equal(al.a[0].kind, BREAKER_WIN_RATE);
    assert_false(breakers_entries_allowed(&b));

    /* 20 wins of 50 = 40%: not below */
    init_win_rate_rule(&b, 100 * SOL);
    al.n = 0;
    trades(&b, 20, 30, &ts, &al);
    assert_int_equal(al.n, 0);
    assert_int_equal(b.wins, 20);
    /* the window slides: the 51st trade (a loss) pushes out a win -> 19/50 */
    trades(&b, 0, 1, &ts, &al);
    assert_int_equal(b.wins, 19);
    assert_int_equal(b.n_recent, 50);
    assert_int_equal(al.n, 1);
    assert_non_null(strstr(al.a[0].reason, "19/50"));

    /* reset empties the window: it takes 50 new trades to trip again */
    al.n = 0;
    breakers_reset(&b, BREAKER_WIN_RATE, ts, &al);
    assert_true(breakers_entries_allowed(&b));
    assert_int_equal(b.n_recent, 0);
    trades(&b, 0, 49, &ts, &al);
    assert_int_equal(al.n, 1); /* only the clear alert */
    /* a zero PnL is not a win */
    breakers_on_trade(&b, 0, false, ts++, &al);
    assert_int_equal(al.n, 2);
    assert_int_equal(al.a[1].action, BREAKER_TRIP);
}

/* The default rule: profit factor over a full window of 50 trades. A
 * right-tailed strategy (30% wins at 5x the average loss) keeps trading,
 * which the 40% win-rate rule would halt; a window that loses money after
 * costs halts it. */
static void test_profit_factor_rule(void **state)
{
    (void)state;
    struct breakers b;
    struct breaker_alerts al = {0};
    int64_t ts = T0;
    init(&b, 100 * SOL);
    assert_true(b.p.min_profit_factor == 1.0 && b.p.min_win_rate == 0);
    for (int i = 0; i < 200; i++) /* 3 wins of 10, PF = 3*5000/(7*1000) = 2.14 */
        breakers_on_trade(&b, i % 10 < 3 ? 5000 : -1000, false, ts++, &al);
    assert_int_equal(al.n, 0);
    assert_true(breakers_entries_allowed(&b));
    struct breakers w;
    init_win_rate_rule(&w, 100 * SOL);
    for (int i = 0; i < 50; i++)
        breakers_on_trade(&w, i % 10 < 3 ? 5000 : -1000, false, ts++, &al);
    assert_int_equal(al.n, 1); /* the win-rate rule halts the same strategy */
    assert_false(breakers_entries_allowed(&w));

    /* 49 trades that lose money: no verdict before the window is full. */
    init(&b, 100 * SOL);
    al.n = 0;
    for (int i = 0; i < 49; i++)
        breakers_on_trade(&b, i % 10 < 3 ? 3000 : -1000, false, ts++, &al);
    assert_int_equal(al.n, 0);
    breakers_on_trade(&b, -1000, false, ts++, &al); /* 15 x 3000 / 35 x 1000 = 1.29 */
    assert_int_equal(al.n, 0);
    /* The window slides: 10 more losses replace 3 wins and 7 losses. */
    for (int i = 0; i < 10; i++)
        breakers_on_trade(&b, -1000, false, ts++, &al);
    assert_int_equal(al.n, 1);
    assert_int_equal(al.a[0].kind, BREAKER_WIN_RATE);
    assert_non_null(strstr(al.a[0].reason, "profit factor 0.95"));
    assert_false(breakers_entries_allowed(&b));

    /* A state written before the PnL was kept restarts its window. */
    struct buf j;
    buf_init(&j, 0);
    assert_int_equal(breakers_format(&b, &j), 0);
    char *k = strstr(j.data, ",\"recent_pnl\":[");
    assert_non_null(k);
    char *end = strchr(k, ']');
    memmove(k, end + 1, strlen(end + 1) + 1);
    struct breakers c;
    char err[160];
    assert_int_equal(breakers_parse(&c, &b.p, j.data, strlen(j.data), err, sizeof err), 0);
    assert_int_equal(c.n_recent, 0);
    assert_true(c.active[BREAKER_WIN_RATE]); /* the trip itself is kept */
    buf_release(&j);
}

static void test_loss_streak_and_recovery(void **state)
{
    (void)state;
    struct breakers b;
    struct breaker_alerts al = {0};
    init(&b, 100 * SOL);
    /* two stop-losses, a non-stop-loss loss breaks the streak */
    breakers_on_trade(&b, -10, true, T0 + 1, &al);
    breakers_on_trade(&b, -10, true, T0 + 2, &al);
    breakers_on_trade(&b, -10, false, T0 + 3, &al);
    breakers_on_trade(&b, -10, true, T0 + 4, &al);
    breakers_on_trade(&b, -10, true, T0 + 5, &al);
    assert_int_equal(al.n, 0);
    assert_false(breakers_size_reduced(&b));
    breakers_on_trade(&b, -10, true, T0 + 6, &al);
    assert_int_equal(al.n, 1);
    assert_int_equal(al.a[0].kind, BREAKER_LOSS_STREAK);
    assert_int_equal(al.a[0].ts_ms, T0 + 6);
    assert_true(breakers_size_reduced(&b));
    assert_true(breakers_entries_allowed(&b)); /* it reduces size, it does not pause */
    /* recovery: 2 consecutive wins; a loss in between starts over */
    breakers_on_trade(&b, 5, false, T0 + 7, &al);
    breakers_on_trade(&b, -5, false, T0 + 8, &al);
    breakers_on_trade(&b, 5, false, T0 + 9, &al);
    assert_true(breakers_size_reduced(&b));
    assert_int_equal(al.n, 1);
    breakers_on_trade(&b, 5, false, T0 + 10, &al);
    assert_false(breakers_size_reduced(&b));
    assert_int_equal(al.n, 2);
    assert_int_equal(al.a[1].action, BREAKER_CLEAR);
    assert_non_null(strstr(al.a[1].reason, "recovered"));
    /* the streak starts from zero after recovery */
    breakers_on_trade(&b, -10, true, T0 + 11, &al);
    breakers_on_trade(&b, -10, true, T0 + 12, &al);
    assert_false(breakers_size_reduced(&b));
    breakers_on_trade(&b, -10, true, T0 + 13, &al);
    assert_true(breakers_size_reduced(&b));
    /* operator reset */
    breakers_reset(&b, BREAKER_LOSS_STREAK, T0 + 14, &al);
    assert_false(breakers_size_reduced(&b));
    assert_int_equal(al.a[al.n - 1].action, BREAKER_CLEAR);
    /* recovery_wins 0: only the operator clears it */
    struct breaker_params p;
    breaker_params_default(&p);
    p.recovery_wins = 0;
    assert_int_equal(breakers_init(&b, &p, SOL, T0, NULL, 0), 0);
    for (int i = 0; i < 3; i++)
        breakers_on_trade(&b, -10, true, T0 + i, NULL);
    for (int i = 0; i < 10; i++)
        breakers_on_trade(&b, 10, false, T0 + 10 + i, NULL);
    assert_true(breakers_size_reduced(&b));
}

static void test_signal_silence(void **state)
{
    (void)state;
    struct breakers b;
    struct breaker_alerts al = {0};
    init(&b, SOL);
    breakers_on_tick(&b, T0 + 48 * HOUR - 1, &al);
    assert_int_equal(al.n, 0);
    breakers_on_tick(&b, T0 + 48 * HOUR, &al);
    assert_int_equal(al.n, 1);
    assert_int_equal(al.a[0].kind, BREAKER_SILENCE);
    assert_true(breakers_entries_allowed(&b)); /* a health alert, not a pause */
    breakers_on_tick(&b, T0 + 49 * HOUR, &al);
    assert_int_equal(al.n, 1); /* once */
    breakers_on_signal(&b, T0 + 50 * HOUR, &al);
    assert_int_equal(al.n, 2);
    assert_int_equal(al.a[1].action, BREAKER_CLEAR);
    /* the clock restarts at the last signal */
    breakers_on_tick(&b, T0 + 98 * HOUR - 1, &al);
    assert_int_equal(al.n, 2);
    breakers_on_tick(&b, T0 + 98 * HOUR, &al);
    assert_int_equal(al.n, 3);
}

static void test_operator_pause_resume_reset_all(void **state)
{
    (void)state;
    struct breakers b;
    struct breaker_alerts al = {0};
    init(&b, 100 * SOL);
    breakers_pause(&b, T0 + 1, "manual review", &al);
    assert_false(breakers_entries_allowed(&b));
    assert_int_equal(al.n, 1);
    assert_string_equal(al.a[0].reason, "paused by the operator: manual review");
    breakers_pause(&b, T0 + 2, NULL, &al);
    assert_int_equal(al.n, 1);
    breakers_resume(&b, T0 + 3, &al);
    assert_true(breakers_entries_allowed(&b));
    assert_int_equal(al.n, 2);
    breakers_resume(&b, T0 + 4, &al);
    assert_int_equal(al.n, 2);

    /* resume does not clear a tripped breaker; reset-all does, but not the
     * operator pause */
    breakers_on_equity(&b, 10 * SOL, T0 + 5, &al);
    for (int i = 0; i < 3; i++)
        breakers_on_trade(&b, -1, true, T0 + 6 + i, &al);
    breakers_pause(&b, T0 + 10, NULL, &al);
    breakers_resume(&b, T0 + 11, &al);
    assert_false(breakers_entries_allowed(&b));
    breakers_pause(&b, T0 + 12, NULL, &al);
    al.n = 0;
    breakers_reset(&b, BREAKER_KIND_COUNT, T0 + 13, &al);
    assert_int_equal(al.n, 2); /* drawdown and loss streak cleared */
    assert_false(breakers_entries_allowed(&b));
    assert_false(breakers_size_reduced(&b));
    breakers_reset(&b, BREAKER_OPERATOR, T0 + 14, &al);
    assert_true(breakers_entries_allowed(&b));

    /* the alert list is bounded */
    struct breaker_alerts small = {0};
    for (int i = 0; i < BREAKER_ALERTS_MAX + 2; i++) {
        breakers_pause(&b, T0 + 20 + i, NULL, &small);
        breakers_resume(&b, T0 + 20 + i, &small);
    }
    assert_int_equal(small.n, BREAKER_ALERTS_MAX);
    assert_int_equal(small.dropped, BREAKER_ALERTS_MAX + 4);
}

static void test_json_round_trip(void **state)
{
    (void)state;
    struct breakers a, b;
    struct breaker_alerts al = {0};
    init(&a, 100 * SOL);
    breakers_on_equity(&a, 130 * SOL, T0 + 1, &al);
    breakers_on_equity(&a, 100 * SOL, T0 + 2, &al); /* 23% -> tripped */
    int64_t ts = T0 + 3;
    trades(&a, 18, 29, &ts, &al);
    breakers_on_trade(&a, -1, true, ts++, &al);
    breakers_on_trade(&a, -1, true, ts++, &al);
    breakers_on_trade(&a, -1, true, ts++, &al); /* 50 trades: win rate and streak trip */
    breakers_on_trade(&a, 7, false, ts++, &al); /* one recovery win */
    breakers_pause(&a, ts++, "night", &al);
    breakers_on_tick(&a, T0 + 49 * HOUR, &al);
    assert_true(a.active[BREAKER_DRAWDOWN] && a.active[BREAKER_WIN_RATE] &&
                a.active[BREAKER_LOSS_STREAK] && a.active[BREAKER_SILENCE] &&
                a.active[BREAKER_OPERATOR]);
    assert_int_equal(a.recovery_streak, 1);

    struct buf j1, j2;
    buf_init(&j1, 0);
    buf_init(&j2, 0);
    assert_int_equal(breakers_format(&a, &j1), 0);
    char err[160];
    assert_int_equal(breakers_parse(&b, &a.p, j1.data, j1.len, err, sizeof err), 0);
    assert_int_equal(breakers_format(&b, &j2), 0);
    assert_string_equal(j1.data, j2.data);
    assert_int_equal(b.peak_equity_lamports, a.peak_equity_lamports);
    assert_int_equal(b.equity_lamports, a.equity_lamports);
    assert_int_equal(b.n_recent, a.n_recent);
    assert_int_equal(b.wins, a.wins);
    assert_int_equal(memcmp(b.recent, a.recent, a.n_recent), 0);
    assert_int_equal(memcmp(b.active, a.active, sizeof a.active), 0);
    assert_int_equal(memcmp(b.since_ms, a.since_ms, sizeof a.since_ms), 0);
    for (int k = 0; k < BREAKER_KIND_COUNT; k++)
        assert_string_equal(b.reason[k], a.reason[k]);
    assert_int_equal(b.loss_streak, a.loss_streak);
    assert_int_equal(b.recovery_streak, a.recovery_streak);
    assert_int_equal(b.n_trades, a.n_trades);
    assert_int_equal(b.last_signal_ms, a.last_signal_ms);

    /* Both continue identically: the next win completes the recovery. */
    struct breaker_alerts x = {0}, y = {0};
    breakers_on_trade(&a, 3, false, ts, &x);
    breakers_on_trade(&b, 3, false, ts, &y);
    assert_int_equal(x.n, 1);
    assert_int_equal(y.n, 1);
    assert_int_equal(x.a[0].kind, BREAKER_LOSS_STREAK);
    assert_string_equal(x.a[0].reason, y.a[0].reason);

    /* A shorter window on restart keeps the newest outcomes. */
    struct breaker_params p = a.p;
    p.win_rate_window = 5;
    assert_int_equal(breakers_parse(&b, &p, j1.data, j1.len, err, sizeof err), 0);
    assert_int_equal(b.n_recent, 5);
    assert_int_equal(b.wins, 1); /* ...loss, SL, SL, SL, win */
    assert_int_equal(b.recent[4], 1);

    /* Corrupt input changes nothing. */
    struct breakers before = b;
    char *r = strstr(j1.data, "\"recent\":\"") + strlen("\"recent\":\"");
    *r = '2';
    assert_int_equal(breakers_parse(&b, &p, j1.data, j1.len, err, sizeof err), WT_EINVAL);
    assert_non_null(strstr(err, "recent"));
    assert_int_equal(memcmp(&b, &before, sizeof b), 0);
    assert_int_not_equal(breakers_parse(&b, &p, "{}", 2, err, sizeof err), 0);
    assert_non_null(strstr(err, "peak_equity_lamports"));
    p.max_drawdown = 0;
    assert_int_equal(breakers_parse(&b, &p, j2.data, j2.len, err, sizeof err), WT_EINVAL);
    assert_non_null(strstr(err, "max_drawdown"));
    buf_release(&j1);
    buf_release(&j2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_drawdown_threshold),
        cmocka_unit_test(test_win_rate_threshold),
        cmocka_unit_test(test_profit_factor_rule),
        cmocka_unit_test(test_loss_streak_and_recovery),
        cmocka_unit_test(test_signal_silence),
        cmocka_unit_test(test_operator_pause_resume_reset_all),
        cmocka_unit_test(test_json_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
