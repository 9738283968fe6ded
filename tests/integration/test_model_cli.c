/* Integration test: `walltrack model train | show | evaluate` end to end
 * (the learned score, intel/model.h): a model trained on one simulated
 * market is written with its meta beside it under <data>/models, show
 * prints its features, evaluate on another seed prints the comparison
 * with the rules score as JSON, raw and through discovery's filtered
 * ranking in each score.mode; `discover --set score.mode=model` ranks by
 * the newest model, and says it ranks by the rules when there is none;
 * bad input is refused with a usage error and evaluating without a model
 * says so. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "base/json.h"
#include "harness.h"

static void test_train_show_evaluate(void **state)
{
    (void)state;
    char dir[256];
    harness_tmpdir(dir, sizeof dir);
    struct buf out;
    buf_init(&out, 0);
    const char *train[] = {"model", "train",  "--seeds", "7", "--rounds",
                           "20",    "--data", "data",    NULL};
    assert_int_equal(harness_run(dir, train, NULL, 300, &out), 0);
    assert_non_null(strstr(out.data, "model v1:"));
    char path[512];
    struct stat st;
    snprintf(path, sizeof path, "%s/data/models/score-v1.json", dir);
    assert_int_equal(stat(path, &st), 0);
    snprintf(path, sizeof path, "%s/data/models/score-v1.meta.json", dir);
    assert_int_equal(stat(path, &st), 0);

    buf_reset(&out);
    const char *show[] = {"model", "show", "--data", "data", NULL};
    assert_int_equal(harness_run(dir, show, NULL, 60, &out), 0);
    assert_non_null(strstr(out.data, "\"copier_ev_sol\""));
    assert_non_null(strstr(out.data, "\"seeds\":[7]"));

    buf_reset(&out);
    const char *eval[] = {"model", "evaluate", "--seeds", "8", "--json", "--data", "data", NULL};
    assert_int_equal(harness_run(dir, eval, NULL, 300, &out), 0);
    const char *brace = strchr(out.data, '{');
    assert_non_null(brace);
    struct json_doc *d = json_doc_new(0);
    struct json_val root, seeds, one;
    assert_int_equal(json_parse(d, brace, strlen(brace), 0, &root), 0);
    assert_int_equal(json_get(&root, "seeds", &seeds), 0);
    assert_int_equal(json_size(&seeds), 1);
    assert_int_equal(json_index(&seeds, 0, &one), 0);
    double p;
    assert_int_equal(json_get_double(&one, "rulesPrecisionAt50", &p), 0);
    assert_true(p >= 0 && p <= 1);
    assert_int_equal(json_get_double(&one, "modelPrecisionAt50", &p), 0);
    assert_true(p >= 0 && p <= 1);
    struct json_val wins;
    assert_int_equal(json_get(&root, "modelWinsBoth", &wins), 0);
    /* discovery's top 50 at t in each mode: the same eligible wallets */
    struct json_val disc, mode;
    assert_int_equal(json_get(&one, "discovery", &disc), 0);
    double top[3];
    const char *modes[3] = {"rules", "model", "blend"};
    for (int k = 0; k < 3; k++) {
        assert_int_equal(json_get(&disc, modes[k], &mode), 0);
        assert_int_equal(json_get_double(&mode, "top", &top[k]), 0);
        assert_int_equal(json_get_double(&mode, "precision", &p), 0);
        assert_true(p >= 0 && p <= 1);
    }
    assert_true(top[0] > 0);
    assert_true(top[1] == top[0] && top[2] == top[0]);
    assert_int_equal(json_get(&root, "discoveryMean", &disc), 0);
    json_doc_free(d);

    /* discovery ranks by the model when asked, by the rules (saying so)
     * when there is no model */
    buf_reset(&out);
    const char *disc_model[] = {"discover", "--data", "data", "--set", "score.mode=model", NULL};
    assert_int_equal(harness_run(dir, disc_model, NULL, 60, &out), 0);
    assert_non_null(strstr(out.data, "ranked by model"));
    buf_reset(&out);
    const char *disc_none[] = {"discover", "--data", "empty2", "--set", "score.mode=blend", NULL};
    assert_int_equal(harness_run(dir, disc_none, NULL, 60, &out), 0);
    assert_non_null(strstr(out.data, "ranked by rules"));
    assert_non_null(strstr(out.data, "score.mode is blend but there is no model in"));
    buf_reset(&out);
    const char *disc_bad[] = {"discover", "--data", "data", "--set", "score.mode=learned", NULL};
    assert_int_equal(harness_run(dir, disc_bad, NULL, 60, &out), 2);

    /* bad input */
    const char *bad_seeds[] = {"model", "train", "--seeds", "x", "--data", "data", NULL};
    assert_int_equal(harness_run(dir, bad_seeds, NULL, 60, &out), 2);
    const char *bad_days[] = {"model", "train", "--days", "1", "--data", "data", NULL};
    assert_int_equal(harness_run(dir, bad_days, NULL, 60, &out), 2);
    const char *bad_sub[] = {"model", "fit", "--data", "data", NULL};
    assert_int_equal(harness_run(dir, bad_sub, NULL, 60, &out), 2);
    buf_reset(&out);
    const char *none[] = {"model", "evaluate", "--seeds", "8", "--data", "empty", NULL};
    assert_int_equal(harness_run(dir, none, NULL, 60, &out), 1);
    assert_non_null(strstr(out.data, "no model"));
    buf_release(&out);
    harness_rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_train_show_evaluate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
