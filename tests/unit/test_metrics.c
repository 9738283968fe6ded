/* Tests of the wallet metrics (intel/metrics.h) against the worked example
 * of docs/metrics.md, a time window of it, the incremental path through
 * intel_apply against metrics_compute, and entry timing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "intel/intel.h"
#include "intel/metrics.h"

#define H   3600000LL
#define DAY 86400000LL
#define D0  (20000 * DAY) /* 2024-10-04T00:00Z */
#define SOL 1000000000ull
#define TOK 1000000ull
#define EPS 1e-9

static struct ledger_trip trip(int64_t open, int64_t close, double cost, double pnl)
{
    struct ledger_trip t;
    memset(&t, 0, sizeof t);
    t.open_ms = open;
    t.close_ms = close;
    t.cost_sol = cost;
    t.pnl_sol = pnl;
    t.proceeds_sol = cost + pnl;
    t.n_buys = t.n_sells = 1;
    return t;
}

/* The worked example of docs/metrics.md ("Worked example"). */
static size_t example(struct ledger_trip *t)
{
    size_t n = 0;
    t[n++] = trip(D0 + 0 * H, D0 + 2 * H, 1.0, 0.5);                   /* T1 day 0 */
    t[n++] = trip(D0 + 3 * H, D0 + 7 * H, 2.0, -0.4);                  /* T2 day 0 */
    t[n++] = trip(D0 + DAY + 10 * H, D0 + 2 * DAY + 10 * H, 1.0, 1.0); /* T3 day 2 */
    struct ledger_trip u = trip(D0 + 2 * DAY, D0 + 2 * DAY + 11 * H, 5.0, 4.0);
    u.flags = LEDGER_TRIP_UNKNOWN_BASIS; /* excluded from every metric */
    t[n++] = u;
    t[n++] = trip(D0 + 3 * DAY, D0 + 3 * DAY + 6 * H, 2.0, -0.6); /* T4 day 3 */
    t[n++] = trip(D0 + 4 * DAY, D0 + 4 * DAY + 12 * H, 2.0, 0.3); /* T5 day 4 */
    return n;
}

static void test_worked_example(void **state)
{
    (void)state;
    struct ledger_trip t[8];
    size_t n = example(t);
    struct metrics_params p;
    metrics_params_default(&p);
    struct metrics m;
    metrics_compute(t, n, INT64_MIN, INT64_MAX, &p, &m);
    /* 5 known trips, 1 unknown-basis trip excluded */
    assert_int_equal(m.trades, 5);
    assert_int_equal(m.unknown_basis_trips, 1);
    assert_int_equal(m.wins, 3);
    assert_int_equal(m.losses, 2);
    /* total pnl 0.5 - 0.4 + 1.0 - 0.6 + 0.3 = 0.8; cost 8 -> ROI 0.1 */
    assert_float_equal(m.total_pnl_sol, 0.8, EPS);
    assert_float_equal(m.roi, 0.1, EPS);
    /* win rate 3/5; valid (5 >= 5); shrunk (3 + 2) / (5 + 4) = 5/9 */
    assert_float_equal(m.win_rate, 0.6, EPS);
    assert_true(m.win_rate_valid);
    assert_float_equal(m.win_rate_shrunk, 5.0 / 9.0, EPS);
    /* avg win 1.8/3 = 0.6, avg loss 1.0/2 = 0.5, ratio 1.2 */
    assert_float_equal(m.avg_win_sol, 0.6, EPS);
    assert_float_equal(m.avg_loss_sol, 0.5, EPS);
    assert_float_equal(m.profit_ratio, 1.2, EPS);
    assert_true(m.profit_ratio_valid);
    /* daily series days 0..4: [0.1, 0, 1.0, -0.6, 0.3]; 4 active days,
     * under the default minimum of 7: no Sharpe, Sortino nor volatility */
    assert_int_equal(m.days, 5);
    assert_int_equal(m.active_days, 4);
    assert_false(m.sharpe_valid);
    assert_false(m.sortino_valid);
    assert_false(m.volatility_valid);
    assert_float_equal(m.sharpe, 0, 0);
    assert_float_equal(m.volatility, 0, 0);
    /* with min_days 4: mean 0.16; squared deviations sum 1.332, sample
     * variance 0.333, sd 0.5770615; Sharpe 0.16 / 0.5770615 * sqrt(365) */
    p.min_days = 4;
    metrics_compute(t, n, INT64_MIN, INT64_MAX, &p, &m);
    assert_true(m.sharpe_valid && m.sortino_valid && m.volatility_valid);
    assert_float_equal(m.daily_mean, 0.16, EPS);
    assert_float_equal(m.daily_sd, sqrt(0.333), EPS);
    assert_float_equal(m.volatility, 0.5770615218501403, EPS);
    assert_float_equal(m.sharpe, 5.297174724328061, 1e-7);
    /* downside deviation sqrt(0.36 / 5) = 0.2683282; Sortino 11.392005 */
    assert_float_equal(m.downside_dev, 0.2683281572999748, EPS);
    assert_float_equal(m.sortino, 11.392004993756707, 1e-7);
    /* cumulative 0.5, 0.1, 1.1, 0.5, 0.8: worst fall 1.1 -> 0.5 = 0.6 SOL,
     * 0.6 / 1.1 = 0.5454545 of that peak */
    assert_float_equal(m.max_drawdown_sol, 0.6, EPS);
    assert_float_equal(m.max_drawdown_peak_sol, 1.1, EPS);
    assert_true(m.max_drawdown_valid);
    assert_float_equal(m.max_drawdown, 0.6 / 1.1, EPS);
    /* active days 0, 2, 3, 4; positive 0, 2, 4 -> 0.75 */
    assert_float_equal(m.consistency, 0.75, EPS);
    /* average size 8/5 = 1.6; hold (2+4+24+6+12)/5 = 9.6 h = 0.4 day */
    assert_float_equal(m.avg_trade_sol, 1.6, EPS);
    assert_float_equal(m.avg_hold_ms, 9.6 * H, 1e-3);
    assert_float_equal(m.avg_hold_days, 0.4, EPS);
    assert_int_equal(m.first_trade_ms, D0);
    assert_int_equal(m.last_trade_ms, D0 + 4 * DAY + 12 * H);
}

static void test_window_and_small_samples(void **state)
{
    (void)state;
    struct ledger_trip t[8];
    size_t n = example(t);
    struct metrics_params p;
    metrics_params_default(&p);
    struct metrics m;
    /* [day 2, day 4): T3 (+1.0) and T4 (-0.6): series [1.0, -0.6], mean
     * 0.2, sd sqrt(0.64 + 0.64) = 1.1313708, Sharpe 0.2/1.1313708*sqrt(365) */
    p.min_days = 2;
    metrics_compute(t, n, D0 + 2 * DAY, D0 + 4 * DAY, &p, &m);
    assert_int_equal(m.trades, 2);
    assert_float_equal(m.total_pnl_sol, 0.4, EPS);
    assert_false(m.win_rate_valid); /* 2 < 5 */
    assert_float_equal(m.win_rate_shrunk, 3.0 / 6.0, EPS);
    assert_float_equal(m.sharpe, 0.2 / sqrt(1.28) * sqrt(365.0), 1e-7);
    /* one trip: no Sharpe (one day), no profit ratio (no loss) */
    metrics_compute(t, 1, INT64_MIN, INT64_MAX, &p, &m);
    assert_int_equal(m.trades, 1);
    assert_false(m.sharpe_valid);
    assert_false(m.profit_ratio_valid);
    assert_float_equal(m.sharpe, 0, 0);
    /* Sortino without a losing day: undefined (not 0, which would read as
     * the worst downside record): T1 and T3 only */
    struct ledger_trip up[2] = {t[0], t[2]};
    metrics_compute(up, 2, INT64_MIN, INT64_MAX, &p, &m);
    assert_true(m.sharpe_valid);
    assert_false(m.sortino_valid);
    /* a fall that starts at 0 (no gain yet) has no fraction */
    struct ledger_trip down[2] = {t[1], t[0]};
    metrics_compute(down, 2, INT64_MIN, INT64_MAX, &p, &m);
    assert_float_equal(m.max_drawdown_sol, 0.4, EPS);
    assert_false(m.max_drawdown_valid);
    /* nothing in the window: all zero */
    metrics_compute(t, n, 0, 1, &p, &m);
    assert_int_equal(m.trades, 0);
    assert_float_equal(m.roi, 0, 0);
}

static struct swap_event sw(int wallet, int mint, enum side side, uint64_t qty, uint64_t lamports,
                            int64_t ts)
{
    struct swap_event e;
    memset(&e, 0, sizeof e);
    e.wallet.b[0] = (uint8_t)wallet;
    e.mint.b[0] = (uint8_t)mint;
    e.mint.b[1] = 1;
    pubkey_parse(MINT_WSOL, &e.quote_mint);
    e.side = side;
    e.decimals = 6;
    e.quote_decimals = 9;
    e.token_amount = qty;
    e.quote_amount = lamports;
    e.ts_ms = ts;
    e.slot = (uint64_t)(ts / 400);
    memcpy(e.source, "RAYDIUM", 8);
    return e;
}

static void test_incremental_equals_batch(void **state)
{
    (void)state;
    struct intel *in = intel_new(NULL, 4);
    /* 30 round trips over 12 days with varied outcomes */
    uint64_t seed = 7;
    for (int i = 0; i < 30; i++) {
        seed = seed * 6364136223846793005ull + 1442695040888963407ull;
        int64_t t0 = D0 + i * 9 * H;
        uint64_t cost = SOL / 2 + (seed >> 40) % SOL;
        uint64_t back = cost / 2 + (seed >> 20) % cost;
        struct swap_event b = sw(1, i % 7, SIDE_BUY, 1000 * TOK, cost, t0);
        struct swap_event s = sw(1, i % 7, SIDE_SELL, 1000 * TOK, back, t0 + 3 * H);
        assert_int_equal(intel_apply(in, &b), 0);
        assert_int_equal(intel_apply(in, &s), 0);
    }
    const struct ledger_wallet *w = ledger_wallet(intel_ledger(in), 0);
    assert_int_equal(w->trips.len, 30);
    struct metrics_params p;
    metrics_params_default(&p);
    struct metrics batch, inc;
    metrics_compute(w->trips.v, w->trips.len, INT64_MIN, INT64_MAX, &p, &batch);
    metrics_acc_finish(&intel_wallet(in, 0)->metrics, &p, &inc);
    assert_int_equal(inc.trades, batch.trades);
    assert_int_equal(inc.wins, batch.wins);
    assert_float_equal(inc.total_pnl_sol, batch.total_pnl_sol, 1e-9);
    assert_float_equal(inc.sharpe, batch.sharpe, 1e-9);
    assert_float_equal(inc.max_drawdown, batch.max_drawdown, 1e-12);
    /* and equal to a direct sum over the trips */
    double s = 0;
    for (size_t i = 0; i < w->trips.len; i++)
        s += w->trips.v[i].pnl_sol;
    assert_float_equal(batch.total_pnl_sol, s, 1e-9);
    assert_float_equal(w->realized_sol, s, 1e-9);
    intel_free(in);
}

static void test_open_positions_do_not_count(void **state)
{
    (void)state;
    struct intel *in = intel_new(NULL, 4);
    struct swap_event b = sw(1, 1, SIDE_BUY, 100 * TOK, SOL, D0);
    assert_int_equal(intel_apply(in, &b), 0);
    struct swap_event s = sw(1, 1, SIDE_SELL, 50 * TOK, 2 * SOL, D0 + H); /* partial */
    assert_int_equal(intel_apply(in, &s), 0);
    struct intel_profile pr;
    intel_profile(in, 0, D0 + 2 * H, &pr);
    assert_int_equal(pr.metrics.trades, 0);
    assert_int_equal(pr.metrics.wins, 0);
    /* realized 2 - 0.5 = 1.5 on the partial sell, unrealized: 50 tokens at
     * 0.04 SOL = 2 SOL for 0.5 of cost = 1.5 */
    assert_float_equal(pr.realized_sol, 1.5, 1e-9);
    assert_float_equal(pr.unrealized_sol, 1.5, 1e-9);
    assert_float_equal(pr.total_pnl_sol, 3.0, 1e-9);
    intel_free(in);
}

static void test_timing(void **state)
{
    (void)state;
    struct intel *in = intel_new(NULL, 4);
    struct ledger *l = intel_ledger(in);
    /* three wallets buy mint 1 in order at 0.01, 0.02, 0.03 SOL/token; the
     * price peaks at 0.05 on wallet 0's sell at D0 + 3h.
     * percentiles: 0/3, 1/3, 2/3; wallet 0: entry/peak 0.01/0.05 = 0.2,
     * bought before the peak. */
    struct swap_event e[4] = {
        sw(1, 1, SIDE_BUY, 100 * TOK, SOL, D0),
        sw(2, 1, SIDE_BUY, 100 * TOK, 2 * SOL, D0 + H),
        sw(3, 1, SIDE_BUY, 100 * TOK, 3 * SOL, D0 + 2 * H),
        sw(1, 1, SIDE_SELL, 100 * TOK, 5 * SOL, D0 + 3 * H),
    };
    for (int i = 0; i < 4; i++)
        assert_int_equal(intel_apply(in, &e[i]), 0);
    struct metrics_timing t;
    metrics_timing(l, 0, &t);
    assert_int_equal(t.tokens, 1);
    assert_float_equal(t.percentile, 0, EPS);
    assert_float_equal(t.entry_vs_peak, 0.2, EPS);
    assert_float_equal(t.pre_peak_share, 1, EPS);
    metrics_timing(l, 2, &t);
    assert_float_equal(t.percentile, 2.0 / 3.0, EPS);
    assert_float_equal(t.entry_vs_peak, 0.6, EPS);
    intel_free(in);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_worked_example),
        cmocka_unit_test(test_window_and_small_samples),
        cmocka_unit_test(test_incremental_equals_batch),
        cmocka_unit_test(test_open_positions_do_not_count),
        cmocka_unit_test(test_timing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
