/* "Wallets like this one" (intel/similar.h): the vector's text form round
 * trips (unknown features as null) and bad text changes nothing; nearest
 * neighbours are found after z-normalising (a feature on a large scale
 * does not drown the others), exclude the wallet itself, order by
 * distance with ties to the lower index; a wallet under the minimum of
 * round trips has no vector. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "base/err.h"
#include "intel/similar.h"
#include "solana/pubkey.h"

static void test_text_round_trip(void **state)
{
    (void)state;
    double v[SIMILAR_DIMS], w[SIMILAR_DIMS];
    for (int i = 0; i < SIMILAR_DIMS; i++)
        v[i] = i * 0.25 - 1;
    v[3] = NAN;
    char text[512];
    assert_int_equal(similar_format(v, text, sizeof text), 0);
    assert_non_null(strstr(text, ",null,"));
    assert_int_equal(similar_parse(text, w), 0);
    for (int i = 0; i < SIMILAR_DIMS; i++)
        if (i == 3)
            assert_true(isnan(w[i]));
        else
            assert_float_equal(w[i], v[i], 1e-6);
    char tiny[8];
    assert_int_equal(similar_format(v, tiny, sizeof tiny), WT_EFULL);
    static const char *const bad[] = {"",
                                      "[]",
                                      "[1,2]",
                                      "1,2",
                                      "[x]",
                                      "[1,2,3,4,5,6,7,8,9,10,11,"
                                      "12,13,14,15,16,17,18,19]"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        for (int d = 0; d < SIMILAR_DIMS; d++)
            w[d] = 7;
        assert_int_equal(similar_parse(bad[i], w), WT_EINVAL);
        assert_float_equal(w[0], 7, 0); /* unchanged */
    }
}

static void test_nearest_normalised(void **state)
{
    (void)state;
    /* 5 wallets; feature 0 on a scale of thousands (noise), feature 1 on
     * a scale of ones (the signal): 0, 1 and 2 are alike in feature 1. */
    double v[5 * SIMILAR_DIMS];
    memset(v, 0, sizeof v);
    const double f0[5] = {1000, 9000, 5000, 1100, 8900};
    const double f1[5] = {1.0, 1.1, 0.9, 5.0, 6.0};
    for (int i = 0; i < 5; i++) {
        v[i * SIMILAR_DIMS + 0] = f0[i]; /* sd ~3,840 */
        v[i * SIMILAR_DIMS + 1] = f1[i];
    }
    /* raw distances from 0: to 3 about 100, to 2 about 4,000; in z-scores
     * to 2 1.04, to 3 1.69, to 1 2.08 */
    struct similar_hit h[4];
    size_t n = similar_nearest(v, 5, 0, 4, h);
    assert_int_equal(n, 4);
    assert_int_equal(h[0].index, 2);
    assert_int_equal(h[1].index, 3);
    for (size_t i = 0; i < n; i++)
        assert_int_not_equal(h[i].index, 0); /* never itself */
    for (size_t i = 1; i < n; i++)
        assert_true(h[i - 1].distance <= h[i].distance);
    /* an unknown feature counts as the mean */
    v[4 * SIMILAR_DIMS + 1] = NAN;
    n = similar_nearest(v, 5, 4, 2, h);
    assert_int_equal(n, 2);
    /* ties: two identical wallets at the same distance, lower index first */
    double t[3 * SIMILAR_DIMS];
    memset(t, 0, sizeof t);
    t[0] = 1;
    n = similar_nearest(t, 3, 0, 2, h);
    assert_int_equal(n, 2);
    assert_int_equal(h[0].index, 1);
    assert_int_equal(h[1].index, 2);
    assert_int_equal(similar_nearest(t, 1, 0, 2, h), 0);
}

static struct swap_event sw(int wallet, int mint, enum side side, uint64_t lamports, int64_t ts)
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
    e.token_amount = 1000000;
    e.quote_amount = lamports;
    e.ts_ms = ts;
    memcpy(e.source, "RAYDIUM", 8);
    return e;
}

static void test_vector_needs_round_trips(void **state)
{
    (void)state;
    struct intel *in = intel_new(NULL, 2);
    int64_t t = 1728000000000LL;
    for (int i = 0; i < 3; i++) {
        struct swap_event b = sw(1, 10 + i, SIDE_BUY, 1000000000, t + i * 3600000);
        struct swap_event s = sw(1, 10 + i, SIDE_SELL, 1500000000, t + i * 3600000 + 600000);
        assert_int_equal(intel_apply(in, &b), 0);
        assert_int_equal(intel_apply(in, &s), 0);
        struct intel_profile pr;
        intel_profile(in, 0, t + 86400000, &pr);
        double v[SIMILAR_DIMS];
        for (int d = 0; d < SIMILAR_DIMS; d++)
            v[d] = -7;
        bool ok = similar_vector(in, &pr, NULL, v);
        assert_int_equal(ok, i + 1 >= SIMILAR_MIN_TRIPS);
        if (!ok) {
            assert_float_equal(v[0], -7, 0);
            continue;
        }
        /* 10 min holds: log10(10 + 1); 3 trips: log10(4); one sell per
         * buy; patterns not given: unknown */
        assert_float_equal(v[0], log10(11.0), 1e-9);
        assert_float_equal(v[1], log10(11.0), 1e-9);
        assert_float_equal(v[12], log10(4.0), 1e-9);
        assert_float_equal(v[13], 1.0, 1e-9);
        assert_true(isnan(v[14]));
    }
    intel_free(in);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_text_round_trip),
        cmocka_unit_test(test_nearest_normalised),
        cmocka_unit_test(test_vector_needs_round_trips),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
