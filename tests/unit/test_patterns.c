/* Tests of trade-pattern detection (intel/patterns.h): each pattern is
 * found on a constructed sequence, with its confidence, time range,
 * trades, volume and outcome, and not found on a control sequence that
 * misses one condition. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "intel/intel.h"

#define MIN 60000LL
#define T0  (20000 * 86400000LL)
#define SOL 1000000000ull
#define TOK 1000000ull

static struct swap_event sw(int mint, enum side side, uint64_t qty, uint64_t lamports, int64_t ts,
                            const char *src)
{
    struct swap_event e;
    memset(&e, 0, sizeof e);
    e.wallet.b[0] = 1;
    e.mint.b[0] = (uint8_t)mint;
    e.mint.b[2] = 7;
    pubkey_parse(MINT_WSOL, &e.quote_mint);
    e.side = side;
    e.decimals = 6;
    e.quote_decimals = 9;
    e.token_amount = qty;
    e.quote_amount = lamports;
    e.ts_ms = ts;
    e.slot = (uint64_t)(ts / 400);
    strncpy(e.source, src, sizeof e.source - 1);
    e.sig.b[0] = (uint8_t)(ts / 1000);
    e.sig.b[1] = (uint8_t)(ts / 256000);
    return e;
}

/* Applies the events and returns the wallet's patterns (caller frees). */
static struct pattern_list run(const struct swap_event *e, int n)
{
    struct intel *in = intel_new(NULL, 2);
    for (int i = 0; i < n; i++)
        assert_int_equal(intel_apply(in, &e[i]), 0);
    struct pattern_list out = {0};
    intel_patterns(in, 0, &out);
    intel_free(in);
    return out;
}

static size_t count(const struct pattern_list *l, enum pattern_type t)
{
    size_t c = 0;
    for (size_t i = 0; i < l->len; i++)
        c += l->v[i].type == t;
    return c;
}

static const struct pattern *find(const struct pattern_list *l, enum pattern_type t)
{
    for (size_t i = 0; i < l->len; i++)
        if (l->v[i].type == t)
            return &l->v[i];
    return NULL;
}

static void test_accumulation(void **state)
{
    (void)state;
    /* 4 buys of 1 SOL over 30 min, then one sell of everything for 6 SOL:
     * accumulation, 4 trades, 4 SOL volume, confidence 0.5 + 0.5 * 1/3,
     * completed with the trip's pnl 2 SOL and ROI 0.5 */
    struct swap_event e[5];
    for (int i = 0; i < 4; i++)
        e[i] = sw(1, SIDE_BUY, 100 * TOK, SOL, T0 + i * 10 * MIN, "RAYDIUM");
    e[4] = sw(1, SIDE_SELL, 400 * TOK, 6 * SOL, T0 + 60 * MIN, "RAYDIUM");
    struct pattern_list l = run(e, 5);
    const struct pattern *p = find(&l, PATTERN_ACCUMULATION);
    assert_non_null(p);
    assert_int_equal(count(&l, PATTERN_ACCUMULATION), 1);
    assert_int_equal(p->trades, 4);
    assert_float_equal(p->volume_sol, 4, 1e-12);
    assert_float_equal(p->avg_size_sol, 1, 1e-12);
    assert_int_equal(p->start_ms, T0);
    assert_int_equal(p->end_ms, T0 + 30 * MIN);
    assert_float_equal(p->confidence, 0.5 + 0.5 / 3, 1e-12);
    assert_int_equal(p->status, PATTERN_COMPLETED);
    assert_float_equal(p->realized_pnl_sol, 2, 1e-12);
    assert_float_equal(p->roi, 0.5, 1e-12);
    assert_string_equal(patterns_type_name(p->type), "accumulation");
    free(l.v);
    /* control: the same 3 buys within 2 minutes (span < 5 min), and a
     * 2-buy run: no accumulation */
    struct swap_event c[4] = {
        sw(1, SIDE_BUY, 100 * TOK, SOL, T0, "RAYDIUM"),
        sw(1, SIDE_BUY, 100 * TOK, SOL, T0 + MIN, "RAYDIUM"),
        sw(1, SIDE_BUY, 100 * TOK, SOL, T0 + 2 * MIN, "RAYDIUM"),
        sw(1, SIDE_SELL, 300 * TOK, 4 * SOL, T0 + 60 * MIN, "RAYDIUM"),
    };
    l = run(c, 4);
    assert_int_equal(count(&l, PATTERN_ACCUMULATION), 0);
    free(l.v);
}

static void test_distribution(void **state)
{
    (void)state;
    /* buy 300 for 3 SOL, sell 100 three times over 40 min for 2, 1.5 and
     * 0.5 SOL: distribution of 3 trades, volume 4, realized 4 - 3 = 1,
     * ROI 1/3, completed (the last sell closes the position) */
    struct swap_event e[4] = {
        sw(2, SIDE_BUY, 300 * TOK, 3 * SOL, T0, "RAYDIUM"),
        sw(2, SIDE_SELL, 100 * TOK, 2 * SOL, T0 + 60 * MIN, "RAYDIUM"),
        sw(2, SIDE_SELL, 100 * TOK, 3 * SOL / 2, T0 + 80 * MIN, "RAYDIUM"),
        sw(2, SIDE_SELL, 100 * TOK, SOL / 2, T0 + 100 * MIN, "RAYDIUM"),
    };
    struct pattern_list l = run(e, 4);
    const struct pattern *p = find(&l, PATTERN_DISTRIBUTION);
    assert_non_null(p);
    assert_int_equal(p->trades, 3);
    assert_float_equal(p->volume_sol, 4, 1e-12);
    assert_float_equal(p->realized_pnl_sol, 1, 1e-12);
    assert_float_equal(p->roi, 1.0 / 3, 1e-12);
    assert_int_equal(p->status, PATTERN_COMPLETED);
    assert_float_equal(p->confidence, 0.5, 1e-12);
    assert_int_equal(count(&l, PATTERN_ACCUMULATION), 0);
    free(l.v);
    /* control: two sells then a buy in between breaks the run */
    struct swap_event c[5] = {
        sw(2, SIDE_BUY, 300 * TOK, 3 * SOL, T0, "RAYDIUM"),
        sw(2, SIDE_SELL, 100 * TOK, 2 * SOL, T0 + 60 * MIN, "RAYDIUM"),
        sw(2, SIDE_SELL, 100 * TOK, 2 * SOL, T0 + 70 * MIN, "RAYDIUM"),
        sw(2, SIDE_BUY, 100 * TOK, 2 * SOL, T0 + 80 * MIN, "RAYDIUM"),
        sw(2, SIDE_SELL, 100 * TOK, 2 * SOL, T0 + 90 * MIN, "RAYDIUM"),
    };
    l = run(c, 5);
    assert_int_equal(count(&l, PATTERN_DISTRIBUTION), 0);
    free(l.v);
}

static void test_rotation(void **state)
{
    (void)state;
    /* sell token 3 for 2 SOL, buy token 4 with 1.8 SOL 6 min later, which
     * is later sold for 2.7 SOL: rotation 3 -> 4, ratio 0.9, gap 6/30:
     * confidence 0.9 * (1 - 0.5 * 0.2) = 0.81, outcome +0.9 (ROI 0.5) */
    struct swap_event e[4] = {
        sw(3, SIDE_BUY, 100 * TOK, SOL, T0, "RAYDIUM"),
        sw(3, SIDE_SELL, 100 * TOK, 2 * SOL, T0 + 60 * MIN, "RAYDIUM"),
        sw(4, SIDE_BUY, 50 * TOK, 9 * SOL / 5, T0 + 66 * MIN, "RAYDIUM"),
        sw(4, SIDE_SELL, 50 * TOK, 27 * SOL / 10, T0 + 200 * MIN, "RAYDIUM"),
    };
    struct pattern_list l = run(e, 4);
    assert_int_equal(count(&l, PATTERN_ROTATION), 1);
    const struct pattern *p = find(&l, PATTERN_ROTATION);
    assert_int_not_equal(p->mint, p->mint2);
    assert_float_equal(p->confidence, 0.81, 1e-12);
    assert_float_equal(p->volume_sol, 3.8, 1e-12);
    assert_int_equal(p->status, PATTERN_COMPLETED);
    assert_float_equal(p->realized_pnl_sol, 0.9, 1e-12);
    assert_float_equal(p->roi, 0.5, 1e-12);
    free(l.v);
    /* control: the buy is too small (0.2 / 2 < 0.5) and another too late */
    struct swap_event c[4] = {
        sw(3, SIDE_BUY, 100 * TOK, SOL, T0, "RAYDIUM"),
        sw(3, SIDE_SELL, 100 * TOK, 2 * SOL, T0 + 60 * MIN, "RAYDIUM"),
        sw(4, SIDE_BUY, 50 * TOK, SOL / 5, T0 + 66 * MIN, "RAYDIUM"),
        sw(5, SIDE_BUY, 50 * TOK, 2 * SOL, T0 + 100 * MIN, "RAYDIUM"),
    };
    l = run(c, 4);
    assert_int_equal(count(&l, PATTERN_ROTATION), 0);
    free(l.v);
    /* a token-to-token swap (two legs of one transaction) is a certain
     * rotation */
    struct swap_event t[3] = {
        sw(3, SIDE_BUY, 100 * TOK, SOL, T0, "RAYDIUM"),
        sw(3, SIDE_SELL, 100 * TOK, 2 * SOL, T0 + 60 * MIN, "JUPITER"),
        sw(4, SIDE_BUY, 50 * TOK, 2 * SOL, T0 + 60 * MIN, "JUPITER"),
    };
    t[2].sig = t[1].sig;
    t[2].leg = 1;
    l = run(t, 3);
    p = find(&l, PATTERN_ROTATION);
    assert_non_null(p);
    assert_float_equal(p->confidence, 1, 0);
    assert_int_equal(p->status, PATTERN_ACTIVE);
    free(l.v);
}

static void test_arbitrage(void **state)
{
    (void)state;
    /* buy 100 on RAYDIUM and sell 100 on ORCA in the same slot for more:
     * 1 SOL in, 1.02 SOL out -> +0.02, confidence 0.6 + 0.2 + 0.2 = 1 */
    struct swap_event e[2] = {
        sw(5, SIDE_BUY, 100 * TOK, SOL, T0, "RAYDIUM"),
        sw(5, SIDE_SELL, 100 * TOK, 102 * SOL / 100, T0 + 100, "ORCA"),
    };
    struct pattern_list l = run(e, 2);
    const struct pattern *p = find(&l, PATTERN_ARBITRAGE);
    assert_non_null(p);
    assert_float_equal(p->confidence, 1, 1e-12);
    assert_float_equal(p->realized_pnl_sol, 0.02, 1e-12);
    assert_int_equal(p->status, PATTERN_COMPLETED);
    free(l.v);
    /* control: the same pair 10 slots (4 s) apart is a trade, not an arb */
    struct swap_event c[2] = {
        sw(5, SIDE_BUY, 100 * TOK, SOL, T0, "RAYDIUM"),
        sw(5, SIDE_SELL, 100 * TOK, 102 * SOL / 100, T0 + 4000, "ORCA"),
    };
    l = run(c, 2);
    assert_int_equal(count(&l, PATTERN_ARBITRAGE), 0);
    assert_int_equal(l.len, 0);
    free(l.v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_accumulation),
        cmocka_unit_test(test_distribution),
        cmocka_unit_test(test_rotation),
        cmocka_unit_test(test_arbitrage),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
