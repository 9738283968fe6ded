/* Copier expectancy (intel/copier.h) against the worked example of
 * docs/metrics.md ("Copier expectancy"): a round trip copied 2 s late at
 * other wallets' prices, a half sell copied as half of ours, the rest
 * sold at the last price; the market's price lookup at and between
 * ticks; a wallet that only sells copies nothing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "intel/copier.h"
#include "intel/intel.h"
#include "solana/pubkey.h"

#define T0  1728000000000LL
#define SOL 1000000000ull
#define TOK 1000000ull

static struct swap_event sw(int wallet, int mint, enum side side, uint64_t tokens,
                            uint64_t lamports, int64_t ts)
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
    e.token_amount = tokens * TOK;
    e.quote_amount = lamports;
    e.ts_ms = ts;
    e.sig.b[0] = (uint8_t)(ts / 1000);
    e.sig.b[1] = (uint8_t)wallet;
    memcpy(e.source, "RAYDIUM", 8);
    return e;
}

static void close_to(double got, double want)
{
    if (fabs(got - want) > 1e-12 * (1 + fabs(want)))
        fail_msg("got %.15g, want %.15g", got, want);
}

static void test_worked_example(void **state)
{
    (void)state;
    struct intel *in = intel_new(NULL, 4);
    const struct swap_event ev[] = {
        sw(1, 10, SIDE_BUY, 100, 1 * SOL, T0),             /* W buys A at 0.01 */
        sw(2, 10, SIDE_BUY, 100, 1200000000, T0 + 1000),   /* X: A at 0.012 */
        sw(1, 10, SIDE_SELL, 100, 2 * SOL, T0 + 60000),    /* W sells all A at 0.02 */
        sw(3, 10, SIDE_BUY, 100, 1800000000, T0 + 61000),  /* Y: A at 0.018 */
        sw(1, 11, SIDE_BUY, 200, 1 * SOL, T0 + 100000),    /* W buys B at 0.005 */
        sw(1, 11, SIDE_SELL, 100, 800000000, T0 + 200000), /* W sells half at 0.008 */
        sw(2, 11, SIDE_BUY, 100, 600000000, T0 + 300000),  /* X: B at 0.006 (last) */
        sw(4, 12, SIDE_SELL, 100, 1 * SOL, T0 + 400000),   /* Z only sells */
    };
    for (size_t i = 0; i < sizeof ev / sizeof ev[0]; i++)
        assert_int_equal(intel_apply(in, &ev[i]), 0);
    const struct ledger *l = intel_ledger(in);
    struct copier_market *m = copier_market_build(l);
    uint32_t a = ledger_mint_id(l, &ev[0].mint);
    close_to(copier_market_price(m, a, T0 - 1), 0);
    close_to(copier_market_price(m, a, T0), 0.01);
    close_to(copier_market_price(m, a, T0 + 2000), 0.012);
    close_to(copier_market_price(m, a, T0 + 62000), 0.018);

    struct copier_params p;
    copier_params_default(&p); /* 0.2 SOL, 2 s, pool 30 SOL, 25 bps, 0.000105 SOL */
    struct copier_scratch *s = copier_scratch_new(l);
    struct copier_result r;
    copier_wallet(&p, m, l, ledger_wallet_id(l, &ev[0].wallet), s, &r);
    /* A: 0.1995 SOL in at 0.012 through 30 SOL / 2,500 tokens ->
     * 16.5151741 tokens; out at 0.018: 30 x 16.515 / (1,666.667 + 16.515)
     * x 0.9975 - 0.000105, less the 0.200105 paid: +0.0934104. */
    double R = 30, fee = 0.9975, tx = 0.000105, S = 0.2;
    double ta = (R / 0.012) * S * fee / (R + S * fee);
    double ra = R * ta / (R / 0.018 + ta) * fee - tx - (S + tx);
    close_to(ra, 0.0934104352637403);
    /* B: in at 0.005 -> 39.6364178 tokens; half out at 0.008: +0.0571604;
     * the other half sold at the last price 0.006: +0.0179862. */
    double tb = (R / 0.005) * S * fee / (R + S * fee);
    double rb = R * (tb / 2) / (R / 0.008 + tb / 2) * fee - tx - (S + tx) / 2;
    double ub = R * (tb / 2) / (R / 0.006 + tb / 2) * fee - tx - (S + tx) / 2;
    assert_int_equal(r.buys, 2);
    assert_int_equal(r.sells, 2);
    close_to(r.spent_sol, 0.40021);
    close_to(r.realized_sol, ra + rb);
    close_to(r.unrealized_sol, ub);
    close_to(r.pnl_sol, 0.16855704096584423);
    close_to(r.ev_sol, 0.08427852048292211);

    /* a wallet that only sells (tokens from before our history or a
     * transfer) gives a follower nothing to copy */
    copier_wallet(&p, m, l, ledger_wallet_id(l, &ev[7].wallet), s, &r);
    assert_int_equal(r.buys, 0);
    close_to(r.pnl_sol, 0);
    close_to(r.ev_sol, 0);
    /* the scratch is clean between wallets: W again, same answer */
    copier_wallet(&p, m, l, ledger_wallet_id(l, &ev[0].wallet), s, &r);
    close_to(r.pnl_sol, 0.16855704096584423);
    /* a slower follower pays more: 70 s late it buys A after W sold */
    p.latency_ms = 70000;
    copier_wallet(&p, m, l, ledger_wallet_id(l, &ev[0].wallet), s, &r);
    assert_true(r.pnl_sol < 0.16855704096584423);
    copier_scratch_free(s);
    copier_market_free(m);
    intel_free(in);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_worked_example),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
