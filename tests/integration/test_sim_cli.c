/* Integration tests of `walltrack sim generate --preset` and `walltrack sim
 * stats`: the real binary on generated markets. The calibrated default
 * meets every calibration target; the bull preset (the generous market of
 * earlier releases) misses the graduation target; bad input is refused
 * with a clear message. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "base/json.h"
#include "harness.h"

/* Generates a market into dir/name and returns `sim stats --json` of it. */
static void stats_of(const char *dir, const char *name, const char *preset, struct buf *out)
{
    const char *gen[] = {
        "sim",  "generate", "--out", name, "--seed", "2", "--days", "4", preset ? "--preset" : NULL,
        preset, NULL};
    struct buf log;
    buf_init(&log, 0);
    assert_int_equal(harness_run(dir, gen, NULL, 120, &log), 0);
    buf_release(&log);
    const char *st[] = {"sim", "stats", name, "--json", NULL};
    assert_int_equal(harness_run(dir, st, NULL, 120, out), 0);
}

static bool target_met(const char *json, const char *name, double *value)
{
    struct json_doc *d = json_doc_new(0);
    struct json_val root, arr, el;
    bool met = false, found = false;
    assert_int_equal(json_parse(d, json, strlen(json), 0, &root), 0);
    assert_int_equal(json_get(&root, "targets", &arr), 0);
    for (size_t i = 0; json_index(&arr, i, &el) == 0; i++) {
        const char *n;
        assert_int_equal(json_get_str(&el, "name", &n, NULL), 0);
        if (strcmp(n, name) != 0)
            continue;
        found = true;
        assert_int_equal(json_get_bool(&el, "met", &met), 0);
        assert_int_equal(json_get_double(&el, "value", value), 0);
    }
    json_doc_free(d);
    assert_true(found);
    return met;
}

static void test_default_and_bull(void **state)
{
    (void)state;
    char dir[256];
    harness_tmpdir(dir, sizeof dir);
    struct buf a, b;
    buf_init(&a, 0);
    buf_init(&b, 0);
    stats_of(dir, "cal", NULL, &a);
    assert_non_null(strstr(a.data, "\"allMet\":true"));
    double g;
    assert_true(target_met(a.data, "graduation", &g));
    assert_true(g >= 0.006 && g <= 0.018);

    stats_of(dir, "bull", "bull", &b);
    assert_non_null(strstr(b.data, "\"allMet\":false"));
    double gb;
    assert_false(target_met(b.data, "graduation", &gb));
    assert_true(gb > 0.03);

    /* The text form names every target and says whether it is met. */
    const char *st[] = {"sim", "stats", "cal", NULL};
    buf_reset(&a);
    assert_int_equal(harness_run(dir, st, NULL, 60, &a), 0);
    assert_non_null(strstr(a.data, "graduation"));
    assert_non_null(strstr(a.data, "walletsLosing"));
    assert_non_null(strstr(a.data, "every target met"));
    buf_release(&a);
    buf_release(&b);
    harness_rmdir(dir);
}

static void test_bad_input(void **state)
{
    (void)state;
    char dir[256];
    harness_tmpdir(dir, sizeof dir);
    struct buf out;
    buf_init(&out, 0);
    const char *gen[] = {"sim", "generate", "--out", "x", "--preset", "sideways", NULL};
    assert_int_equal(harness_run(dir, gen, NULL, 60, &out), 2);
    assert_non_null(strstr(out.data, "unknown preset 'sideways'"));
    char path[512];
    snprintf(path, sizeof path, "%s/x", dir);
    FILE *f = fopen(path, "r");
    assert_null(f); /* nothing was written */
    buf_reset(&out);
    const char *demo[] = {"demo", "--preset", "sideways", "--data", "d", NULL};
    assert_int_equal(harness_run(dir, demo, NULL, 60, &out), 2);
    assert_non_null(strstr(out.data, "--preset: unknown preset 'sideways'"));
    buf_reset(&out);
    const char *st[] = {"sim", "stats", "missing", NULL};
    assert_int_equal(harness_run(dir, st, NULL, 60, &out), 1);
    assert_non_null(strstr(out.data, "cannot open"));
    buf_release(&out);
    harness_rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_default_and_bull),
        cmocka_unit_test(test_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
