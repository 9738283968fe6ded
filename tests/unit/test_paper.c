/* Tests of trade/paper.h: constant-product outputs against hand-computed
 * values (computed with exact integer arithmetic, see each comment), the
 * invariant that k never decreases, fees, the pool derived from price and
 * liquidity, and the latency model. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "base/err.h"
#include "trade/paper.h"

#define SOL 1000000000ULL

static void test_cp_out_hand_computed(void **state)
{
    (void)state;
    /* x = 100 SOL, y = 1e9 raw, dx = 1 SOL.
     * No fee: 1e9 * 1e9 / (100e9 + 1e9) = 9900990.0990... -> 9900990.
     * 25 bps: dx' = 1e9 * 9975; dy = dx' * 1e9 / (100e9 * 10000 + dx')
     *   = 9.975e21 / 1.009975e15 = 9876482.07... -> 9876482. */
    assert_int_equal(paper_cp_out(100 * SOL, 1000000000, SOL, 0), 9900990);
    assert_int_equal(paper_cp_out(100 * SOL, 1000000000, SOL, 25), 9876482);
    /* tiny pools: 10 in, 10 out reserves, 10 in -> 5; 1 in -> 0 */
    assert_int_equal(paper_cp_out(10, 10, 10, 0), 5);
    assert_int_equal(paper_cp_out(10, 10, 1, 0), 0);
    assert_int_equal(paper_cp_out(0, 10, 1, 0), 0);
    assert_int_equal(paper_cp_out(10, 10, 1, 10000), 0);
    /* huge values do not overflow: 1e19-scale reserves */
    uint64_t big = 10000000000000000000ULL;
    assert_int_equal(paper_cp_out(big, big, big, 0), big / 2);
    /* 1e19 * 9975 * 1e19 / (1e19 * 10000 + 1e19 * 9975) = 1e19 * 9975 / 19975 */
    assert_int_equal(paper_cp_out(big, big, big, 25), 4993742177722152690ULL);
    assert_int_equal(paper_cp_out(UINT64_MAX, UINT64_MAX, UINT64_MAX, 1), 9222910845193349997ULL);
    /* k never decreases, for a range of sizes */
    for (uint64_t dx = 1; dx < 100 * SOL; dx = dx * 7 + 3) {
        uint64_t x = 37 * SOL, y = 123456789012ULL;
        uint64_t dy = paper_cp_out(x, y, dx, 30);
        unsigned __int128 k0 = (unsigned __int128)x * y;
        unsigned __int128 k1 = (unsigned __int128)(x + dx) * (y - dy);
        assert_true(k1 >= k0);
        assert_true(dy < y);
    }
}

static void test_pool_from_price(void **state)
{
    (void)state;
    struct paper_pool pool;
    /* 100 SOL at 0.125 SOL per token: 800 tokens = 800e6 raw at 6 decimals */
    assert_int_equal(paper_pool_from_price(100 * SOL, 0.125, 6, &pool), 0);
    assert_int_equal(pool.sol_reserve, 100 * SOL);
    assert_int_equal(pool.token_reserve, 800000000);
    assert_int_equal(pool.decimals, 6);
    /* $30,000 two-sided at $150/SOL: 100 SOL on the SOL side */
    assert_int_equal(paper_pool_from_liquidity_usd(30000, 150, 0.125, 6, &pool), 0);
    assert_int_equal(pool.sol_reserve, 100 * SOL);
    assert_int_equal(pool.token_reserve, 800000000);
    assert_int_equal(paper_pool_from_price(0, 0.125, 6, &pool), WT_EINVAL);
    assert_int_equal(paper_pool_from_price(SOL, 0, 6, &pool), WT_EINVAL);
    assert_int_equal(paper_pool_from_price(SOL, NAN, 6, &pool), WT_EINVAL);
    assert_int_equal(paper_pool_from_price(1, 1e12, 0, &pool), WT_EINVAL); /* rounds to 0 */
    assert_int_equal(paper_pool_from_liquidity_usd(0, 150, 0.1, 6, &pool), WT_EINVAL);
}

static void test_buy_and_sell_fills(void **state)
{
    (void)state;
    struct paper_params p;
    paper_params_default(&p);
    assert_int_equal(p.dex_fee_bps, 25);
    struct paper_pool pool = {.sol_reserve = 100 * SOL, .token_reserve = 800000000, .decimals = 6};
    struct paper_fill f;
    /* Buy 1 SOL: dy = 1e9*9975*800e6 / (100e9*10000 + 1e9*9975) = 7901185 raw. */
    assert_int_equal(paper_buy(&p, &pool, SOL, &f), 0);
    assert_int_equal(f.token_raw, 7901185);
    assert_int_equal(f.sol_lamports, SOL);
    assert_int_equal(f.dex_fee, 2500000); /* 0.25% of 1 SOL */
    assert_int_equal(f.tx_fee_lamports, 105000);
    assert_int_equal(f.cost_lamports, SOL + 105000);
    assert_true(f.spot_price == 0.125);
    assert_true(fabs(f.avg_price - 1.0 / 7.901185) < 1e-15);
    assert_true(fabs(f.effective_price - 1.000105 / 7.901185) < 1e-15);
    /* impact of 1% of the pool plus the fee: about 1.26% */
    assert_true(f.slippage > 0.0125 && f.slippage < 0.0127);

    /* Sell 8 tokens: dx = 8e6 raw; dy = 8e6*9975*100e9 / (800e6*10000 + 8e6*9975)
     * = 987648209 lamports. */
    assert_int_equal(paper_sell(&p, &pool, 8000000, &f), 0);
    assert_int_equal(f.sol_lamports, 987648209);
    assert_int_equal(f.proceeds_lamports, 987648209 - 105000);
    assert_int_equal(f.dex_fee, 20000);
    assert_true(f.slippage > 0.0123 && f.slippage < 0.0124); /* 1 - 0.987648209 */
    /* a dust sale costs more in fees than it brings */
    assert_int_equal(paper_sell(&p, &pool, 100, &f), 0);
    assert_int_equal(f.sol_lamports, 12468);
    assert_true(f.proceeds_lamports < 0);
    assert_int_equal(f.proceeds_lamports, 12468 - 105000);

    /* the fee and size make it worse, monotonically */
    struct paper_fill small, large;
    assert_int_equal(paper_buy(&p, &pool, SOL / 100, &small), 0);
    assert_int_equal(paper_buy(&p, &pool, 10 * SOL, &large), 0);
    struct paper_fill one;
    assert_int_equal(paper_buy(&p, &pool, SOL, &one), 0);
    assert_true(small.slippage > 0.0025 && small.slippage < one.slippage); /* fee floor */
    assert_true(one.slippage < large.slippage);
    assert_true(large.slippage > 0.1); /* 10% of the pool: 10% impact + fee */
    /* errors */
    assert_int_equal(paper_buy(&p, &pool, 0, &f), WT_EINVAL);
    assert_int_equal(paper_sell(&p, &pool, 0, &f), WT_EINVAL);
    assert_int_equal(paper_buy(&p, &pool, 1, &f), WT_EINVAL); /* 0 tokens out */
    struct paper_pool empty = {0};
    assert_int_equal(paper_buy(&p, &empty, SOL, &f), WT_EINVAL);
}

static void test_latency(void **state)
{
    (void)state;
    struct paper_params p;
    paper_params_default(&p);
    p.latency_ms = 2000;
    struct paper_delay d;
    /* prices at +1000 and exactly +2000: the +2000 one is used */
    paper_delay_start(&d, &p, 10000, 1.0);
    assert_int_equal(d.due_ms, 12000);
    assert_false(paper_delay_observe(&d, 1.1, 11000));
    assert_false(paper_delay_tick(&d, 11999));
    assert_true(paper_delay_observe(&d, 1.2, 12000));
    assert_true(d.price == 1.2);
    /* the first price after the due time does not count: the last one
     * before it was the price at +2 s */
    paper_delay_start(&d, &p, 10000, 1.0);
    assert_false(paper_delay_observe(&d, 1.1, 11500));
    assert_true(paper_delay_observe(&d, 5.0, 12500));
    assert_true(d.price == 1.1);
    assert_true(paper_delay_observe(&d, 6.0, 13000));
    assert_true(d.price == 1.1);
    /* no price at all: the timer makes it ready at the signal's price */
    paper_delay_start(&d, &p, 10000, 1.0);
    assert_false(paper_delay_tick(&d, 11999));
    assert_true(paper_delay_tick(&d, 12000));
    assert_true(d.price == 1.0);
    /* zero latency is immediate */
    p.latency_ms = 0;
    paper_delay_start(&d, &p, 10000, 1.0);
    assert_true(d.ready);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cp_out_hand_computed),
        cmocka_unit_test(test_pool_from_price),
        cmocka_unit_test(test_buy_and_sell_fills),
        cmocka_unit_test(test_latency),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
