/* Tests of trade/sizing.h: the score table at its boundaries (0.6999,
 * 0.70, 0.8499, 0.85), the halving of the size-reduction breaker, the
 * per-token and capital caps, the position limit and the order of the
 * refusal reasons. Capital 10 SOL at 2% gives a base of 0.2 SOL. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "base/err.h"
#include "trade/sizing.h"

#define SOL 1000000000ULL

static struct sizing_params params(void)
{
    struct sizing_params p;
    sizing_params_default(&p);
    p.max_token_exposure_lamports = 5 * SOL;
    return p;
}

static struct sizing_input input(double score)
{
    return (struct sizing_input){
        .score = score,
        .capital_lamports = 10 * SOL,
        .available_lamports = 10 * SOL,
    };
}

static void expect(const struct sizing_params *p, const struct sizing_input *in,
                   enum sizing_reason r, uint64_t size)
{
    struct sizing_result out;
    sizing_compute(p, in, &out);
    if (out.reason != r || out.size_lamports != size)
        fail_msg("score %.4f: got %s %llu, expected %s %llu", in->score,
                 sizing_reason_name(out.reason), (unsigned long long)out.size_lamports,
                 sizing_reason_name(r), (unsigned long long)size);
}

static void test_table_boundaries(void **state)
{
    (void)state;
    struct sizing_params p = params();
    struct sizing_input in = input(0.6999);
    expect(&p, &in, SIZING_BELOW_THRESHOLD, 0);
    in.score = 0.70;
    expect(&p, &in, SIZING_OK, 200000000);
    in.score = 0.8499;
    expect(&p, &in, SIZING_OK, 200000000);
    in.score = 0.85;
    expect(&p, &in, SIZING_OK, 300000000);
    in.score = 1.0;
    expect(&p, &in, SIZING_OK, 300000000);
    in.score = 0.0;
    expect(&p, &in, SIZING_BELOW_THRESHOLD, 0);
    struct sizing_result r;
    in.score = 0.9;
    sizing_compute(&p, &in, &r);
    assert_true(r.multiplier == 1.5);
    assert_int_equal(r.base_lamports, 200000000);
    assert_false(r.capped);
    /* the threshold is configurable */
    p.threshold = 0.6;
    in.score = 0.6;
    expect(&p, &in, SIZING_OK, 200000000);
    in.score = nextafter(0.6, 0);
    expect(&p, &in, SIZING_BELOW_THRESHOLD, 0);
}

static void test_halving(void **state)
{
    (void)state;
    struct sizing_params p = params();
    struct sizing_input in = input(0.85);
    in.size_reduced = true;
    expect(&p, &in, SIZING_OK, 150000000);
    in.score = 0.70;
    expect(&p, &in, SIZING_OK, 100000000);
    struct sizing_result r;
    sizing_compute(&p, &in, &r);
    assert_true(r.multiplier == 0.5);
    in.score = 0.69;
    expect(&p, &in, SIZING_BELOW_THRESHOLD, 0); /* halving never makes a trade */
}

static void test_caps(void **state)
{
    (void)state;
    struct sizing_params p = params();
    struct sizing_input in = input(0.9);
    struct sizing_result r;
    /* maximum concurrent positions */
    p.max_positions = 3;
    in.open_positions = 2;
    expect(&p, &in, SIZING_OK, 300000000);
    in.open_positions = 3;
    expect(&p, &in, SIZING_MAX_POSITIONS, 0);
    in.open_positions = 0;
    /* exposure per token: room left is the cap */
    p.max_token_exposure_lamports = 1 * SOL;
    in.token_exposure_lamports = 800000000;
    sizing_compute(&p, &in, &r);
    assert_int_equal(r.reason, SIZING_OK);
    assert_int_equal(r.size_lamports, 200000000);
    assert_true(r.capped);
    in.token_exposure_lamports = 700000000;
    expect(&p, &in, SIZING_OK, 300000000); /* exactly fits */
    in.token_exposure_lamports = 1 * SOL;
    expect(&p, &in, SIZING_TOKEN_CAP, 0);
    p.max_token_exposure_lamports = 0; /* no cap */
    in.token_exposure_lamports = 100 * SOL;
    expect(&p, &in, SIZING_OK, 300000000);
    /* never more than the available capital */
    in.available_lamports = 123456789;
    sizing_compute(&p, &in, &r);
    assert_int_equal(r.size_lamports, 123456789);
    assert_true(r.capped);
    in.available_lamports = 0;
    expect(&p, &in, SIZING_NO_CAPITAL, 0);
    /* below the minimum order */
    in.available_lamports = p.min_order_lamports - 1;
    expect(&p, &in, SIZING_BELOW_MIN_ORDER, 0);
    in.available_lamports = p.min_order_lamports;
    expect(&p, &in, SIZING_OK, p.min_order_lamports);
}

static void test_reason_order_and_invalid(void **state)
{
    (void)state;
    struct sizing_params p = params();
    struct sizing_input in = input(0.5);
    in.open_positions = 100;
    in.available_lamports = 0;
    expect(&p, &in, SIZING_BELOW_THRESHOLD, 0); /* the score is judged first */
    in.score = 0.75;
    expect(&p, &in, SIZING_MAX_POSITIONS, 0);
    in.score = NAN;
    expect(&p, &in, SIZING_INVALID_SCORE, 0);
    in.score = 1.01;
    expect(&p, &in, SIZING_INVALID_SCORE, 0);
    assert_string_equal(sizing_reason_name(SIZING_TOKEN_CAP), "token_exposure_cap");

    char err[128];
    assert_int_equal(sizing_params_validate(&p, err, sizeof err), 0);
    p.high_score = 0.6;
    assert_int_equal(sizing_params_validate(&p, err, sizeof err), WT_EINVAL);
    assert_non_null(strstr(err, "high_score"));
    p = params();
    p.risk_per_trade = 0;
    assert_int_equal(sizing_params_validate(&p, err, sizeof err), WT_EINVAL);
    assert_non_null(strstr(err, "risk_per_trade"));
    p = params();
    p.max_positions = 0;
    assert_int_equal(sizing_params_validate(&p, err, sizeof err), WT_EINVAL);
}

static void test_exact_lamports(void **state)
{
    (void)state;
    /* 2 SOL (the product's example) at 2%: 0.04 SOL; 1.5x: 0.06 SOL. */
    struct sizing_params p = params();
    struct sizing_input in = input(0.85);
    in.capital_lamports = 2 * SOL;
    expect(&p, &in, SIZING_OK, 60000000);
    /* an odd capital rounds down once */
    in.capital_lamports = 1000000007;
    in.score = 0.7;
    expect(&p, &in, SIZING_OK, 20000000); /* floor(1000000007 * 0.02) */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table_boundaries),
        cmocka_unit_test(test_halving),
        cmocka_unit_test(test_caps),
        cmocka_unit_test(test_reason_order_and_invalid),
        cmocka_unit_test(test_exact_lamports),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
