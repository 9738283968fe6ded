/* The learned score's model (intel/model.h) over the XGBoost C API: it
 * learns a known function of the features (a step in one feature, a
 * linear term in another; far better than the mean), predicts the same
 * after a save and a load, keeps missing values missing, and reports a
 * bad file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/err.h"
#include "intel/model.h"

enum { N = 2000 };

static uint64_t rng(uint64_t *s)
{
    *s = *s * 6364136223846793005ull + 1442695040888963407ull;
    return *s >> 33;
}

static float target(const float *x)
{
    return (x[0] > 50 ? 1.0f : -1.0f) + 0.5f * x[13];
}

static void test_learns_and_round_trips(void **state)
{
    (void)state;
    float *x = malloc(N * MODEL_NFEAT * sizeof *x), *y = malloc(N * sizeof *y);
    uint64_t s = 42;
    for (int i = 0; i < N; i++) {
        for (int f = 0; f < MODEL_NFEAT; f++)
            x[i * MODEL_NFEAT + f] = (float)(rng(&s) % 1000) / 10.0f;  /* 0..100 */
        x[i * MODEL_NFEAT + 13] = (float)(rng(&s) % 200) / 100.0f - 1; /* -1..1 */
        if (i % 10 == 0)
            x[i * MODEL_NFEAT + 5] = NAN; /* missing, irrelevant */
        y[i] = target(x + i * MODEL_NFEAT);
    }
    struct model *m;
    char err[256];
    assert_int_equal(model_train(x, y, N, 100, &m, err, sizeof err), 0);
    float *p = malloc(N * sizeof *p), *q = malloc(N * sizeof *q);
    assert_int_equal(model_predict(m, x, N, p), 0);
    double se = 0, se0 = 0;
    for (int i = 0; i < N; i++) {
        se += (p[i] - y[i]) * (double)(p[i] - y[i]);
        se0 += (double)y[i] * y[i]; /* the mean is about 0 */
    }
    print_message("model: MSE %.5f against %.5f for the mean\n", se / N, se0 / N);
    assert_true(se < 0.02 * se0);

    char path[] = "/tmp/wt_model_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    char json[64];
    snprintf(json, sizeof json, "%s.json", path);
    assert_int_equal(model_save(m, json, err, sizeof err), 0);
    struct model *m2;
    assert_int_equal(model_load(json, &m2, err, sizeof err), 0);
    assert_int_equal(model_predict(m2, x, N, q), 0);
    assert_memory_equal(p, q, N * sizeof *p);
    model_free(m2);
    unlink(json);
    unlink(path);

    /* a file that is not a model */
    assert_int_equal(model_load("/nonexistent/model.json", &m2, err, sizeof err), WT_EINVAL);
    assert_null(m2);
    assert_true(err[0] != '\0');
    model_free(m);
    free(x);
    free(y);
    free(p);
    free(q);
}

static void test_features(void **state)
{
    (void)state;
    struct intel_profile pr;
    memset(&pr, 0, sizeof pr);
    pr.score.score = 61.5;
    pr.metrics.trades = 9;
    pr.metrics.win_rate_shrunk = 0.6;
    pr.roi = 0.25;
    pr.behaviour.avg_entry_age_ms = -1; /* unknown */
    pr.behaviour.avg_buy_sol = 0.5;
    float f[MODEL_NFEAT];
    model_features(&pr, 0.03, f);
    assert_float_equal(f[0], 61.5, 1e-6);
    assert_float_equal(f[1], 1.0, 1e-6); /* log10(10) */
    assert_float_equal(f[3], 0.25, 1e-6);
    assert_true(isnan(f[4]));  /* no profit ratio */
    assert_true(isnan(f[6]));  /* no timing */
    assert_true(isnan(f[10])); /* entry age unknown */
    assert_float_equal(f[13], 0.03, 1e-6);
    assert_string_equal(model_feature_names[13], "copier_ev_sol");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_learns_and_round_trips),
        cmocka_unit_test(test_features),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
