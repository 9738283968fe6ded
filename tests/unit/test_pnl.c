/* The wallet-level PnL worked example of docs/metrics.md ("Wallet PnL,
 * worked example"): realized PnL from every sell (a partial sell and a
 * leftover-token sale included), unrealized PnL at the last known price
 * and its time, total = both, ROI on SOL spent, the drawdown on the
 * realized curve as a fraction of its peak, tokens received by transfer
 * (unknown cost basis), the preferred-token tie rule, and the wallets row
 * a profile run stores from it (null-able metrics carry validity bits). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "intel/intel.h"
#include "intel/profile.h"
#include "solana/pubkey.h"

#define H   3600000LL
#define DAY 86400000LL
#define D0  (20000 * DAY) /* 2024-10-04T00:00Z */
#define SOL 1000000000ull
#define TOK 1000000ull /* 6 decimals */
#define EPS 1e-9

enum { W = 1, X = 2, A = 10, B = 11, C = 12, D = 13 };

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
    e.sig.b[0] = (uint8_t)(ts / H);
    e.sig.b[1] = (uint8_t)wallet;
    memcpy(e.source, "RAYDIUM", 8);
    return e;
}

/* The example's swaps, in time order. */
static struct intel *example(void)
{
    struct intel *in = intel_new(NULL, 4);
    const struct swap_event ev[] = {
        sw(W, A, SIDE_BUY, 100 * TOK, 1 * SOL, D0),                 /* 1 SOL for 100 A */
        sw(W, A, SIDE_SELL, 50 * TOK, 1 * SOL, D0 + 1 * H),         /* partial: +0.5 */
        sw(W, A, SIDE_SELL, 49990000, 1500000000, D0 + 2 * H),      /* dust close: +1.0 */
        sw(W, B, SIDE_BUY, 100 * TOK, 2 * SOL, D0 + 3 * H),         /* 2 SOL for 100 B */
        sw(W, B, SIDE_SELL, 100 * TOK, 1 * SOL, D0 + 4 * H),        /* closes: -1.0 */
        sw(W, A, SIDE_SELL, 10000, 300000, D0 + DAY),               /* leftover: +0.0003 */
        sw(W, C, SIDE_BUY, 100 * TOK, 1 * SOL, D0 + DAY + 1 * H),   /* open position */
        sw(W, D, SIDE_SELL, 10 * TOK, 200000000, D0 + DAY + 2 * H), /* received by transfer */
        sw(X, C, SIDE_BUY, 100 * TOK, 400000000, D0 + DAY + 5 * H), /* C's last price 0.004 */
    };
    for (size_t i = 0; i < sizeof ev / sizeof ev[0]; i++)
        assert_int_equal(intel_apply(in, &ev[i]), 0);
    return in;
}

static void test_wallet_pnl_example(void **state)
{
    (void)state;
    struct intel *in = example();
    const struct ledger *l = intel_ledger(in);
    struct pubkey wk;
    memset(&wk, 0, sizeof wk);
    wk.b[0] = W;
    uint32_t w = ledger_wallet_id(l, &wk);
    assert_int_not_equal(w, LEDGER_NONE);
    struct intel_profile pr;
    intel_profile(in, w, D0 + 2 * DAY, &pr);

    /* Round trips: A (cost 1, proceeds 2.5, +1.5) and B (-1.0). */
    const struct ledger_wallet *lw = ledger_wallet(l, w);
    assert_int_equal(lw->trips.len, 2);
    assert_float_equal(lw->trips.v[0].pnl_sol, 1.5, EPS);
    assert_float_equal(lw->trips.v[1].pnl_sol, -1.0, EPS);
    assert_int_equal(pr.metrics.trades, 2);
    assert_float_equal(pr.metrics.total_pnl_sol, 0.5, EPS); /* closed trips only */

    /* Realized: +0.5 (partial) + 1.0 (dust close, 0.0001 written off)
     * - 1.0 (B) + 0.0003 (leftover A, no round trip) = 0.5003. */
    assert_float_equal(pr.realized_sol, 0.5003, EPS);
    assert_float_equal(pr.realized_sol - pr.metrics.total_pnl_sol, 0.0003, 1e-7);
    /* Unrealized: 100 C x 0.004 - 1 = -0.6, at the price of D0+1d 05:00. */
    assert_float_equal(pr.unrealized_sol, -0.6, EPS);
    assert_int_equal(pr.unrealized_as_of_ms, D0 + DAY + 5 * H);
    assert_int_equal(pr.open_positions, 1);
    /* Total -0.0997: the sign flips against the closed trips' +0.5.
     * ROI on the 4 SOL spent on buys. */
    assert_float_equal(pr.total_pnl_sol, -0.0997, EPS);
    assert_float_equal(pr.spent_sol, 4.0, EPS);
    assert_float_equal(pr.roi, -0.0997 / 4, EPS);
    /* D was never bought (received by transfer): unknown cost basis, its
     * 0.2 SOL of proceeds apart, not in realized PnL. */
    assert_int_equal(pr.unknown_basis_sells, 1);
    assert_float_equal(lw->unknown_proceeds_sol, 0.2, EPS);

    /* Realized curve sell by sell: 0.5, 1.5, 0.5, 0.5003, 0.5003; the
     * worst fall is 1.0 SOL from the peak 1.5: 0.6667 of it. */
    assert_float_equal(pr.metrics.max_drawdown_sol, 1.0, EPS);
    assert_float_equal(pr.metrics.max_drawdown_peak_sol, 1.5, EPS);
    assert_true(pr.metrics.max_drawdown_valid);
    assert_float_equal(pr.metrics.max_drawdown, 1.0 / 1.5, EPS);
    /* Thin data: 2 trips < 5, one active day < 7. */
    assert_false(pr.metrics.win_rate_valid);
    assert_false(pr.metrics.sharpe_valid);
    assert_false(pr.metrics.sortino_valid);
    assert_false(pr.metrics.volatility_valid);
    assert_int_equal(pr.metrics.active_days, 1);

    /* Preferred tokens by SOL bought: B (2), then A and C (1 each), tied:
     * the earlier first buy (A) first. */
    uint32_t a = ledger_mint_id(l, &(struct pubkey){.b = {A, 1}});
    uint32_t b = ledger_mint_id(l, &(struct pubkey){.b = {B, 1}});
    uint32_t c = ledger_mint_id(l, &(struct pubkey){.b = {C, 1}});
    assert_int_equal(pr.top_tokens[0], b);
    assert_int_equal(pr.top_tokens[1], a);
    assert_int_equal(pr.top_tokens[2], c);

    /* The stored row. */
    struct profile_state ps;
    memset(&ps, 0, sizeof ps);
    ps.in = in;
    intel_params_default(&ps.params);
    struct profile_params pp;
    profile_params_default(&pp);
    struct wallet row;
    profile_wallet_row(&ps, &pr, &pp, D0 + 2 * DAY, &row);
    assert_float_equal(row.total_pnl, -0.0997, EPS);
    assert_float_equal(row.realized_pnl, 0.5003, EPS);
    assert_float_equal(row.unrealized_pnl, -0.6, EPS);
    assert_int_equal(row.unrealized_as_of_ms, D0 + DAY + 5 * H);
    assert_float_equal(row.roi, -0.0997 / 4, EPS);
    assert_float_equal(row.max_drawdown, 1.0 / 1.5, EPS);
    assert_float_equal(row.max_drawdown_sol, 1.0, EPS);
    assert_int_equal(row.metrics_valid, WALLET_VALID_MAX_DRAWDOWN);
    assert_float_equal(row.win_rate, 0, 0); /* 0.5, but not valid: not stored */
    assert_int_equal(row.metrics_version, WALLET_METRICS_VERSION);
    char first[BASE58_KEY_MAX];
    struct pubkey bk = {.b = {B, 1}};
    pubkey_format(&bk, first);
    assert_non_null(strstr(row.preferred_tokens, first));
    assert_true(strstr(row.preferred_tokens, first) == row.preferred_tokens + 2);
    intel_free(in);
}

/* The same swaps through the batch path give the same profile. */
static void test_batch_same_pnl(void **state)
{
    (void)state;
    struct intel *one = example();
    struct intel *bat = intel_new(NULL, 4);
    const struct swap_event ev[] = {
        sw(W, A, SIDE_BUY, 100 * TOK, 1 * SOL, D0),
        sw(W, A, SIDE_SELL, 50 * TOK, 1 * SOL, D0 + 1 * H),
        sw(W, A, SIDE_SELL, 49990000, 1500000000, D0 + 2 * H),
        sw(W, B, SIDE_BUY, 100 * TOK, 2 * SOL, D0 + 3 * H),
        sw(W, B, SIDE_SELL, 100 * TOK, 1 * SOL, D0 + 4 * H),
        sw(W, A, SIDE_SELL, 10000, 300000, D0 + DAY),
        sw(W, C, SIDE_BUY, 100 * TOK, 1 * SOL, D0 + DAY + 1 * H),
        sw(W, D, SIDE_SELL, 10 * TOK, 200000000, D0 + DAY + 2 * H),
        sw(X, C, SIDE_BUY, 100 * TOK, 400000000, D0 + DAY + 5 * H),
    };
    assert_int_equal(intel_recompute(bat, ev, sizeof ev / sizeof ev[0]), 0);
    struct intel_profile p1, p2;
    intel_profile(one, 0, D0 + 2 * DAY, &p1);
    intel_profile(bat, 0, D0 + 2 * DAY, &p2);
    assert_float_equal(p1.total_pnl_sol, p2.total_pnl_sol, 0);
    assert_float_equal(p1.metrics.max_drawdown, p2.metrics.max_drawdown, 0);
    assert_int_equal(p1.unrealized_as_of_ms, p2.unrealized_as_of_ms);
    intel_free(one);
    intel_free(bat);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wallet_pnl_example),
        cmocka_unit_test(test_batch_same_pnl),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
