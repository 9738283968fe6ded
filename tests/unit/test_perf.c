/* Tests of trade/perf.h on the worked example of docs/engine.md
 * ("Performance"): four trades over three days on 10 SOL of capital. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "base/json.h"
#include "base/jw.h"
#include "trade/perf.h"

#define DAY  86400000LL
#define HOUR 3600000LL
#define T0   1767225600000LL /* 2026-01-01T00:00:00Z */

static struct perf_trade trade(int64_t open, int64_t close, double pnl, double wallet,
                               const char *reason)
{
    struct perf_trade t;
    memset(&t, 0, sizeof t);
    t.opened_ms = open;
    t.closed_ms = close;
    t.pnl_sol = pnl;
    t.pnl_pct = pnl * 100 / 2; /* 2 SOL positions */
    t.cost_sol = 2;
    t.score = 0.7 + wallet / 10;
    t.f[SF_WALLET] = wallet;
    t.f[SF_TOKEN] = 0.6;
    t.f[SF_CONTEXT] = 0.5;
    t.has_factors = true;
    t.entry_hour = (int)((open / HOUR) % 24);
    snprintf(t.exit_reason, sizeof t.exit_reason, "%s", reason);
    snprintf(t.strategy, sizeof t.strategy, "default");
    return t;
}

static double num(const struct json_val *o, const char *k)
{
    double x;
    if (json_get_double(o, k, &x) != 0)
        fail_msg("missing %s", k);
    return x;
}

static void test_worked_example(void **state)
{
    (void)state;
    struct perf *p = perf_new(10);
    struct perf_trade t[] = {
        trade(T0 + 1 * HOUR, T0 + 2 * HOUR, 1.0, 0.8, "take_profit_1"),
        trade(T0 + 1 * HOUR, T0 + 3 * HOUR, -0.5, 0.4, "stop_loss"),
        trade(T0 + DAY + 5 * HOUR, T0 + DAY + 6 * HOUR, 0.5, 0.9, "trailing_stop"),
        trade(T0 + 2 * DAY + 23 * HOUR, T0 + 2 * DAY + 23 * HOUR + 60000, -0.5, 0.5, "stop_loss"),
    };
    for (int i = 0; i < 4; i++)
        perf_add(p, &t[i]);
    struct buf b;
    buf_init(&b, 0);
    struct jw w;
    jw_init(&w, &b);
    perf_write(p, 10.7, T0 + 3 * DAY, 100, &w);
    assert_int_equal(jw_finish(&w), 0);
    perf_free(p);

    struct json_doc *d = json_doc_new(16);
    struct json_val o, arr, e;
    assert_int_equal(json_parse(d, b.data, b.len, 0, &o), 0);
    assert_true(num(&o, "trades") == 4);
    assert_true(num(&o, "win_rate") == 0.5);
    assert_true(fabs(num(&o, "pnl_sol") - 0.5) < 1e-12);
    assert_true(fabs(num(&o, "avg_win_sol") - 0.75) < 1e-12);
    assert_true(fabs(num(&o, "avg_loss_sol") - 0.5) < 1e-12);
    assert_true(fabs(num(&o, "profit_ratio") - 1.5) < 1e-12);
    assert_true(fabs(num(&o, "profit_factor") - 1.5) < 1e-12);
    assert_non_null(strstr(b.data, "\"profit_factor_valid\":true"));
    assert_true(fabs(num(&o, "return_pct") - 5) < 1e-9);
    assert_true(fabs(num(&o, "max_drawdown_sol") - 0.5) < 1e-12);
    assert_true(fabs(num(&o, "max_drawdown_pct") - 100 * 0.5 / 11) < 1e-9);
    assert_true(fabs(num(&o, "sharpe") - 5.5151) < 1e-3);
    assert_true(num(&o, "sharpe_days") == 3);
    /* The curve: the capital, each close, the equity now. */
    assert_int_equal(json_get(&o, "equity_curve", &arr), 0);
    assert_int_equal(json_size(&arr), 6);
    assert_int_equal(json_index(&arr, 5, &e), 0);
    assert_true(num(&e, "equity_sol") == 10.7);
    /* Days of closing: two trades (+0.5) on the first, then +0.5, -0.5. */
    assert_int_equal(json_get(&o, "by_day", &arr), 0);
    assert_int_equal(json_size(&arr), 3);
    const double day_pnl[] = {0.5, 0.5, -0.5}, day_n[] = {2, 1, 1};
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(json_index(&arr, i, &e), 0);
        assert_true(num(&e, "from_ms") == (double)((T0 / DAY + (int64_t)i) * DAY));
        assert_true(num(&e, "trades") == day_n[i]);
        assert_true(fabs(num(&e, "pnl_sol") - day_pnl[i]) < 1e-12);
    }
    /* Hours of entry 1, 1, 5, 23. */
    assert_int_equal(json_get(&o, "by_hour", &arr), 0);
    assert_int_equal(json_index(&arr, 1, &e), 0);
    assert_true(num(&e, "trades") == 2 && num(&e, "wins") == 1);
    assert_int_equal(json_index(&arr, 23, &e), 0);
    assert_true(num(&e, "trades") == 1 && num(&e, "wins") == 0);
    /* The wallet factor separates: winners 0.85, losers 0.45, r = 0.970. */
    assert_int_equal(json_get(&o, "separation", &arr), 0);
    bool found = false;
    for (size_t i = 0; json_index(&arr, i, &e) == 0; i++) {
        const char *f;
        json_get_str(&e, "factor", &f, NULL);
        if (strcmp(f, "wallet") != 0)
            continue;
        found = true;
        assert_true(fabs(num(&e, "mean_winners") - 0.85) < 1e-12);
        assert_true(fabs(num(&e, "mean_losers") - 0.45) < 1e-12);
        assert_true(fabs(num(&e, "correlation") - 0.97014) < 1e-4);
    }
    assert_true(found);
    /* Buckets: wallet 0.8-0.9 has one winning trade. */
    assert_non_null(strstr(b.data, "\"bucket\":\"0.8-0.9\",\"from\":0.8,\"trades\":1,\"wins\":1"));
    assert_non_null(strstr(b.data, "\"exit_reason\":\"stop_loss\",\"trades\":2,\"wins\":0"));
    json_doc_free(d);
    buf_release(&b);
}

/* One winning trade: the profit factor is undefined, and an equity point
 * asked for before the last close (a caller's clock behind a simulated
 * market's) is placed at that close, so the curve's times ascend. */
static void test_no_loss_and_late_clock(void **state)
{
    (void)state;
    struct perf *p = perf_new(10);
    struct perf_trade t = trade(T0 + HOUR, T0 + 2 * HOUR, 0.5, 0.8, "take_profit_1");
    perf_add(p, &t);
    struct buf b;
    buf_init(&b, 0);
    struct jw w;
    jw_init(&w, &b);
    perf_write(p, 10.4, T0, 100, &w);
    assert_int_equal(jw_finish(&w), 0);
    perf_free(p);
    assert_non_null(strstr(b.data, "\"profit_factor_valid\":false"));
    char want[128];
    snprintf(want, sizeof want, "{\"ts_ms\":%lld,\"equity_sol\":10.4,\"unrealized\":true}",
             (long long)(T0 + 2 * HOUR));
    assert_non_null(strstr(b.data, want));
    buf_release(&b);
}

/* Mark-to-market: a winner closes (+1 SOL realized) while a position
 * still open falls from +0.5 to -1.5 SOL of unrealized PnL and recovers.
 * The realized curve never goes down; the mark-to-market one does. */
static void test_mark_to_market(void **state)
{
    (void)state;
    struct perf *p = perf_new(10);
    struct perf_drawdowns dd;
    perf_drawdowns(p, &dd);
    assert_int_equal(dd.mtm_samples, 0);
    assert_true(dd.mtm_sol == 0 && dd.realized_sol == 0);

    struct perf_trade t = trade(T0 + HOUR, T0 + 2 * HOUR, 1.0, 0.8, "take_profit_1");
    perf_mark(p, T0 + HOUR, 10.0);
    perf_mark(p, T0 + 2 * HOUR, 11.5); /* +1 realized, +0.5 open */
    perf_add(p, &t);
    perf_mark(p, T0 + 3 * HOUR, 9.5);   /* the open one at -1.5 */
    perf_mark(p, T0 + 150 * 60000, 20); /* older than the last: ignored */
    perf_mark(p, T0 + 4 * HOUR, 10.8);
    perf_drawdowns(p, &dd);
    assert_true(dd.realized_sol == 0);
    assert_int_equal(dd.mtm_samples, 4);
    assert_true(fabs(dd.mtm_sol - 2.0) < 1e-12); /* 11.5 -> 9.5 */
    assert_true(fabs(dd.mtm_pct - 100 * 2.0 / 11.5) < 1e-9);

    struct buf b;
    buf_init(&b, 0);
    struct jw w;
    jw_init(&w, &b);
    perf_write(p, 10.9, T0 + 5 * HOUR, 100, &w);
    assert_int_equal(jw_finish(&w), 0);
    perf_free(p);
    struct json_doc *d = json_doc_new(0);
    struct json_val o, arr, e;
    assert_int_equal(json_parse(d, b.data, b.len, b.cap, &o), 0);
    assert_true(num(&o, "max_drawdown_sol") == 0);
    assert_true(fabs(num(&o, "max_drawdown_mtm_sol") - 2.0) < 1e-12);
    assert_true(fabs(num(&o, "expectancy_sol") - 1.0) < 1e-12);
    assert_true(num(&o, "mtm_samples") == 4);
    assert_int_equal(json_get(&o, "equity_curve_mtm", &arr), 0);
    assert_int_equal(json_size(&arr), 5); /* 4 samples and now */
    assert_int_equal(json_index(&arr, 2, &e), 0);
    assert_true(num(&e, "equity_sol") == 9.5);
    assert_int_equal(json_index(&arr, 4, &e), 0);
    assert_true(num(&e, "equity_sol") == 10.9);
    /* The realized curve is unchanged: the capital and the one close. */
    assert_int_equal(json_get(&o, "equity_curve", &arr), 0);
    assert_int_equal(json_index(&arr, 1, &e), 0);
    assert_true(num(&e, "equity_sol") == 11.0);
    json_doc_free(d);
    buf_release(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_worked_example),
        cmocka_unit_test(test_no_loss_and_late_clock),
        cmocka_unit_test(test_mark_to_market),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
