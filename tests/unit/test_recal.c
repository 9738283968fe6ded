/* Tests of signal/recal.h: a factor that decides winning gets the weight,
 * a factor that is noise gets little, a constant factor is left out, and
 * too few or one-sided samples make no proposal. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "base/jw.h"
#include "signal/recal.h"

/* A deterministic pseudo-random number in [0, 1). */
static double rnd(uint64_t *s)
{
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    return (double)(*s >> 11) / 9007199254740992.0;
}

static void test_wallet_factor_decides(void **state)
{
    (void)state;
    struct recal_sample s[400];
    uint64_t seed = 7;
    for (size_t i = 0; i < 400; i++) {
        memset(&s[i], 0, sizeof s[i]);
        s[i].f[SF_WALLET] = rnd(&seed);
        s[i].f[SF_TOKEN] = rnd(&seed);
        s[i].f[SF_CONTEXT] = 0.5 + 0.2 * rnd(&seed);
        s[i].f[SF_CLUSTER] = 0; /* not built: constant */
        /* Winning depends on the wallet factor, with noise. */
        s[i].win = s[i].f[SF_WALLET] + 0.3 * (rnd(&seed) - 0.5) > 0.55;
    }
    struct recal_result r;
    recal_fit(s, 400, &r);
    assert_true(r.ok);
    assert_false(r.used[SF_CLUSTER]);
    assert_true(r.proposed[SF_CLUSTER] == 0);
    assert_true(r.coef[SF_WALLET] > 3);
    assert_true(fabs(r.coef[SF_TOKEN]) < 1);
    assert_true(r.proposed[SF_WALLET] > 0.7);
    double sum = 0;
    for (int f = 0; f < SF_COUNT; f++)
        sum += r.proposed[f];
    assert_true(fabs(sum - 1) < 1e-9);
    assert_true(r.cv_accuracy > r.baseline_accuracy);
    assert_true(r.cv_accuracy > 0.8);
    assert_true(r.proposed_threshold > 0.2 && r.proposed_threshold < 0.9);

    struct signal_params cur;
    signal_params_default(&cur);
    struct buf b;
    buf_init(&b, 0);
    struct jw w;
    jw_init(&w, &b);
    recal_write(&r, &cur, &w);
    assert_int_equal(jw_finish(&w), 0);
    assert_non_null(strstr(b.data, "\"cluster\":null"));
    assert_non_null(strstr(b.data, "\"ok\":true"));
    buf_release(&b);
}

static void test_no_proposal(void **state)
{
    (void)state;
    struct recal_sample s[30];
    memset(s, 0, sizeof s);
    for (int i = 0; i < 30; i++)
        s[i].f[SF_WALLET] = i / 30.0;
    struct recal_result r;
    recal_fit(s, 10, &r);
    assert_false(r.ok);
    assert_non_null(strstr(r.why, "at least 20"));
    recal_fit(s, 30, &r); /* every trade lost */
    assert_false(r.ok);
    assert_non_null(strstr(r.why, "every trade lost"));
    /* Winning goes with a LOW wallet factor: no positive coefficient. */
    for (int i = 0; i < 30; i++)
        s[i].win = i < 15;
    recal_fit(s, 30, &r);
    assert_false(r.ok);
    assert_true(r.coef[SF_WALLET] < 0);
    assert_non_null(strstr(r.why, "no factor has a positive coefficient"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wallet_factor_decides),
        cmocka_unit_test(test_no_proposal),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
