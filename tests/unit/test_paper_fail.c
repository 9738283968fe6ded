/* Tests of failed transactions and the Jito tip in paper trading
 * (trade/paper.h, trade/exec_paper.h, the engine's failed fills):
 *
 *   * which orders fail depends on the order id only: the same ids fail on
 *     every run, about fail_rate of them, a lower rate fails a subset;
 *   * the tip is its own cost: in tx_fee_lamports and apart in
 *     tip_lamports, in a buy's cost and a sale's proceeds;
 *   * a failed buy costs its base and priority fees (no tip) and opens
 *     nothing;
 *   * a failed sale costs its fees, leaves the position open, and the next
 *     exit decision sells it; the closed trade's PnL includes the fees of
 *     the failed sale;
 *   * a latency range: whole 400 ms slots between the bounds, drawn from
 *     the order id, and the engine's fill waits for the drawn latency. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "base/vec.h"
#include "trade/engine.h"
#include "trade/exec_paper.h"
#include "trade/paper.h"

#include "../support/engine_events.c"

#define SOL 1000000000ULL
#define MIN 60000LL
#define T0  1767225600000LL /* 2026-01-01T00:00:00Z */
#define TIP 1000000ULL

static void test_fail_draw_deterministic(void **state)
{
    (void)state;
    struct paper_params p;
    paper_params_default(&p);
    assert_true(p.fail_rate == 0.05); /* the chosen default, as paper.fail_rate */
    p.fail_rate = 0;
    for (uint64_t id = 1; id <= 1000; id++)
        assert_false(paper_fails(&p, id)); /* rate 0: never */
    p.fail_rate = 0.3;
    unsigned n = 0, again = 0;
    for (uint64_t id = 1; id <= 20000; id++) {
        n += paper_fails(&p, id);
        again += paper_fails(&p, id);
    }
    assert_int_equal(n, again);
    assert_true(n > 5700 && n < 6300); /* 30% of 20,000, within 3.5 sigma */
    /* the same ids on a second pass, and a lower rate fails a subset */
    struct paper_params lo = p;
    lo.fail_rate = 0.1;
    unsigned nlo = 0;
    for (uint64_t id = 1; id <= 20000; id++) {
        bool f = paper_fails(&lo, id);
        nlo += f;
        if (f)
            assert_true(paper_fails(&p, id));
    }
    assert_true(nlo > 1800 && nlo < 2200);
    /* not the ids' parity or order: neighbours differ somewhere */
    unsigned flips = 0;
    for (uint64_t id = 1; id < 1000; id++)
        flips += paper_fails(&p, id) != paper_fails(&p, id + 1);
    assert_true(flips > 300);
    p.fail_rate = 1;
    for (uint64_t id = 1; id <= 1000; id++)
        assert_true(paper_fails(&p, id));
    assert_int_equal(paper_failed_fee(&p), 5000 + 100000);
}

static void test_tip_in_costs(void **state)
{
    (void)state;
    struct paper_params p;
    paper_params_default(&p);
    p.tip_lamports = TIP;
    struct paper_pool pool = {.sol_reserve = 100 * SOL, .token_reserve = 800000000, .decimals = 6};
    struct paper_fill f;
    assert_int_equal(paper_buy(&p, &pool, SOL, &f), 0);
    assert_int_equal(f.tip_lamports, TIP);
    assert_int_equal(f.tx_fee_lamports, 5000 + 100000 + TIP);
    assert_int_equal(f.cost_lamports, SOL + 5000 + 100000 + TIP);
    assert_int_equal(f.token_raw, 7901185); /* the swap itself is unchanged */
    assert_int_equal(paper_sell(&p, &pool, 8000000, &f), 0);
    assert_int_equal(f.tip_lamports, TIP);
    assert_int_equal(f.proceeds_lamports, 987648209 - (5000 + 100000 + (int64_t)TIP));
    /* a failed transaction pays no tip */
    assert_int_equal(paper_failed_fee(&p), 5000 + 100000);
}

/* ---- through the engine ---------------------------------------------------------- */

static void feed(struct engine *e, struct event ev)
{
    int rc = engine_handle(e, &ev);
    if (rc)
        fail_msg("engine_handle: %s (%s)", wt_strerror(rc), engine_last_error(e));
}

static void watch(struct engine *e, unsigned wallet, double score, int64_t ts)
{
    struct event c;
    memset(&c, 0, sizeof c);
    c.kind = EVENT_COMMAND;
    c.u.command.kind = CMD_WATCH;
    c.u.command.ts_ms = ts;
    c.u.command.wallet = key(1, wallet);
    c.u.command.value = score;
    feed(e, c);
}

/* An engine whose score is the wallet's prior, trading through a paper
 * executor with no latency, the tip, and this fail rate. */
static struct engine *new_engine(double fail_rate, struct buf *out)
{
    struct engine_params p;
    engine_params_default(&p);
    p.signal.weight[SF_WALLET] = 1;
    p.signal.weight[SF_CLUSTER] = 0;
    p.signal.weight[SF_TOKEN] = 0;
    p.signal.weight[SF_CONTEXT] = 0;
    p.book.n_overrides = 0;
    char err[256];
    struct engine *e = engine_new(&p, engine_recorder_new(out), T0, err, sizeof err);
    if (!e)
        fail_msg("engine_new: %s", err);
    struct paper_params pp;
    paper_params_default(&pp);
    pp.latency_ms = 0;
    pp.tip_lamports = TIP;
    pp.fail_rate = fail_rate;
    engine_set_executor(e, engine_paper_executor(e, &pp));
    return e;
}

static void test_failed_buy_costs_fees_opens_nothing(void **state)
{
    (void)state;
    struct buf out;
    buf_init(&out, 0);
    struct engine *e = new_engine(1.0, &out);
    struct engine_status s0, s;
    engine_status(e, &s0);
    watch(e, 1, 80, T0);
    feed(e, swap(1, 1, SIDE_BUY, 1000, 0.001, T0 + 1000));
    engine_status(e, &s);
    assert_int_equal(s.c.orders, 1);
    assert_int_equal(s.open_positions, 0);
    assert_int_equal(s.c.positions_opened, 0);
    assert_int_equal(s.c.fills_failed, 1);
    assert_int_equal(s.reserved_lamports, 0);
    /* base + priority fee, no tip, and nothing else */
    assert_int_equal(s.c.failed_fee_lamports, 5000 + 100000);
    assert_int_equal(s.cash_lamports, s0.cash_lamports - (5000 + 100000));
    assert_int_equal(s.equity_lamports, s0.equity_lamports - (5000 + 100000));
    assert_non_null(strstr(out.data, "failed on chain"));
    engine_free(e);
    buf_release(&out);
}

static void test_landed_buy_pays_tip(void **state)
{
    (void)state;
    struct buf out;
    buf_init(&out, 0);
    struct engine *e = new_engine(0, &out);
    struct engine_status s0, s;
    engine_status(e, &s0);
    watch(e, 1, 80, T0);
    feed(e, swap(1, 1, SIDE_BUY, 1000, 0.001, T0 + 1000));
    engine_status(e, &s);
    assert_int_equal(s.open_positions, 1);
    const struct position *pos = engine_position_at(e, 0, NULL, NULL, NULL);
    uint64_t size = pos->cost_lamports - (5000 + 100000 + TIP);
    assert_int_equal(s.cash_lamports, s0.cash_lamports - size - (5000 + 100000 + TIP));
    /* the recorded fill carries the fees with the tip */
    char want[64];
    snprintf(want, sizeof want, "\"fee_lamports\":%llu", (unsigned long long)(105000 + TIP));
    assert_non_null(strstr(out.data, want));
    assert_int_equal(s.c.failed_fee_lamports, 0);
    engine_free(e);
    buf_release(&out);
}

static void test_failed_sell_keeps_position_then_exits(void **state)
{
    (void)state;
    struct buf out;
    buf_init(&out, 0);
    struct engine *e = new_engine(0, &out);
    int64_t t = T0;
    watch(e, 1, 80, t);
    feed(e, swap(1, 1, SIDE_BUY, 1000, 0.001, t += 1000));
    struct engine_status s0, s;
    engine_status(e, &s);
    assert_int_equal(s.open_positions, 1);
    const struct position *pos = engine_position_at(e, 0, NULL, NULL, NULL);
    uint64_t amount = pos->amount_raw;
    uint64_t cost = pos->cost_lamports;
    double entry = pos->entry_price;

    /* Every transaction fails from now on: the stop-loss sale fails. */
    struct paper_params pp;
    paper_params_default(&pp);
    pp.latency_ms = 0;
    pp.tip_lamports = TIP;
    pp.fail_rate = 1;
    engine_set_executor(e, engine_paper_executor(e, &pp));
    engine_status(e, &s0);
    feed(e, swap(2, 1, SIDE_SELL, 10, entry * 0.5, t += MIN));
    engine_status(e, &s);
    assert_int_equal(s.open_positions, 1);
    assert_int_equal(s.c.fills_failed, 1);
    assert_int_equal(s.c.failed_fee_lamports, 105000);
    assert_int_equal(s.cash_lamports, s0.cash_lamports - 105000);
    pos = engine_position_at(e, 0, NULL, NULL, NULL);
    assert_int_equal(pos->remaining_raw, amount); /* nothing sold */
    assert_int_equal(pos->pending_raw, 0);        /* free for the next decision */
    assert_int_equal(pos->realized_pnl_lamports, -105000);

    /* The chain works again: the next price re-decides the exit and sells. */
    pp.fail_rate = 0;
    engine_set_executor(e, engine_paper_executor(e, &pp));
    feed(e, swap(2, 1, SIDE_SELL, 10, entry * 0.49, t += MIN));
    engine_status(e, &s);
    assert_int_equal(s.open_positions, 0);
    assert_int_equal(s.c.positions_closed, 1);
    /* The trade's PnL includes the failed sale's fees: proceeds of the
     * sale that landed, less the 105,000 lamports, less the cost. */
    int64_t pnl = s.c.realized_pnl_lamports;
    int64_t cash_delta = (int64_t)s.cash_lamports - (int64_t)s0.cash_lamports; /* both sales */
    assert_int_equal(pnl, cash_delta - (int64_t)cost);
    assert_true(strstr(out.data, "\"exit_reason\":\"stop_loss\"") != NULL);
    engine_free(e);
    buf_release(&out);
}

static void test_latency_range(void **state)
{
    (void)state;
    struct paper_params p;
    paper_params_default(&p);
    p.latency_ms = 400;
    assert_int_equal(paper_order_latency_ms(&p, 7), 400); /* no range: fixed */
    p.latency_max_ms = 1200;                              /* 1-3 slots */
    unsigned n[3] = {0};
    for (uint64_t id = 1; id <= 30000; id++) {
        int64_t l = paper_order_latency_ms(&p, id);
        assert_int_equal(l, paper_order_latency_ms(&p, id));
        assert_true(l == 400 || l == 800 || l == 1200);
        n[(l - 400) / 400]++;
    }
    for (int k = 0; k < 3; k++)
        assert_true(n[k] > 9600 && n[k] < 10400); /* a third each */
    /* a bound between slots rounds down to whole slots */
    p.latency_max_ms = 1000;
    for (uint64_t id = 1; id <= 1000; id++)
        assert_true(paper_order_latency_ms(&p, id) <= 800);
}

/* Through the engine: the buy fills at the signal plus its order's drawn
 * latency, not the minimum. */
static void test_latency_range_in_engine(void **state)
{
    (void)state;
    struct buf out;
    buf_init(&out, 0);
    struct engine *e = new_engine(0, &out);
    struct paper_params pp;
    paper_params_default(&pp);
    pp.fail_rate = 0;
    pp.latency_ms = 400;
    pp.latency_max_ms = 2000; /* 1-5 slots */
    engine_set_executor(e, engine_paper_executor(e, &pp));
    int64_t lat = paper_order_latency_ms(&pp, 1); /* the first order's */
    assert_true(lat > 400); /* id 1 draws 4 slots here: the fixed minimum would differ */
    watch(e, 1, 80, T0);
    int64_t t = T0 + 1000;
    feed(e, swap(1, 1, SIDE_BUY, 1000, 0.001, t));
    struct event tk;
    memset(&tk, 0, sizeof tk);
    tk.kind = EVENT_TICK;
    tk.u.tick.ts_ms = t + lat - 1;
    feed(e, tk);
    struct engine_status s;
    engine_status(e, &s);
    assert_int_equal(s.open_positions, 0); /* still waiting */
    tk.u.tick.ts_ms = t + lat;
    feed(e, tk);
    engine_status(e, &s);
    assert_int_equal(s.open_positions, 1);
    assert_int_equal(engine_position_at(e, 0, NULL, NULL, NULL)->entry_ts_ms, t + lat);
    engine_free(e);
    buf_release(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fail_draw_deterministic),
        cmocka_unit_test(test_tip_in_costs),
        cmocka_unit_test(test_failed_buy_costs_fees_opens_nothing),
        cmocka_unit_test(test_landed_buy_pays_tip),
        cmocka_unit_test(test_failed_sell_keeps_position_then_exits),
        cmocka_unit_test(test_latency_range),
        cmocka_unit_test(test_latency_range_in_engine),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
