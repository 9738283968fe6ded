/* Backtest jobs over the real daemon's HTTP API (POST /v1/backtests):
 *
 *   * a run started, followed on the event stream (`event: backtest` with
 *     its progress) and in GET /v1/backtests/{id} until done, its run
 *     saved; a grid search's result (the heatmap's points) in the job;
 *   * a long grid search refused a second job (429, backtest.max_jobs),
 *     cancelled with DELETE: it ends "cancelled" and saved nothing;
 *   * every bad input answered 400 naming the problem, nothing started
 *     and nothing saved.
 *
 * On SQLite, then on PostgreSQL too when WALLTRACK_TEST_PG_URL is set
 * (ctest's integration/backtest_jobs_pg runs it under with_pg.sh). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "../support/sse_reader.c"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/buf.h"
#include "harness.h"

static struct daemon d;
static const char *db_env[2]; /* {"WALLTRACK_DB=<url>", NULL} on PostgreSQL, else {NULL} */

static long call(const char *method, const char *path, const char *json, struct buf *body)
{
    buf_reset(body);
    return http_request(d.port, method, path, NULL, json, json ? strlen(json) : 0, body);
}

static int setup(void **state)
{
    (void)state;
    if (daemon_start(&d, NULL, db_env) != 0 || daemon_stop(&d, SIGTERM) != 0)
        return -1;
    const char *gen[] = {"sim", "generate",         "--out", "sim", "--days", "2", "--wallets",
                         "300", "--tokens-per-day", "60",    NULL};
    const char *imp[] = {"import", "--data", "data", "--quiet", "sim/transactions.ndjson", NULL};
    const char *disc[] = {"discover", "--data", "data", NULL};
    if (harness_run(d.dir, gen, NULL, 120, NULL) != 0 ||
        harness_run(d.dir, imp, db_env, 120, NULL) != 0 ||
        harness_run(d.dir, disc, db_env, 120, NULL) != 0)
        return -1;
    return daemon_restart(&d, NULL, db_env);
}

static int teardown(void **state)
{
    (void)state;
    int rc = daemon_stop(&d, SIGTERM);
    harness_rmdir(d.dir);
    return rc;
}

/* Polls GET /v1/backtests/{id} until the job leaves running (at most
 * ~120 s: a wait, not a timed assertion). Returns its state. */
static const char *wait_job(int64_t id, struct buf *b)
{
    char path[64];
    snprintf(path, sizeof path, "/v1/backtests/%lld", (long long)id);
    for (int i = 0; i < 2400; i++) {
        assert_int_equal(call("GET", path, NULL, b), 200);
        if (strstr(b->data, "\"state\":\"done\""))
            return "done";
        if (strstr(b->data, "\"state\":\"failed\""))
            return "failed";
        if (strstr(b->data, "\"state\":\"cancelled\""))
            return "cancelled";
        nanosleep(&(struct timespec){0, 50000000}, NULL);
    }
    return "still running";
}

/* POST /v1/backtests body: asserts 202 and returns the job's id. */
static int64_t start_job(const char *body, struct buf *b)
{
    assert_int_equal(call("POST", "/v1/backtests", body, b), 202);
    const char *idp = strstr(b->data, "\"id\":");
    assert_non_null(idp);
    int64_t id = strtoll(idp + 5, NULL, 10);
    assert_true(id > 0);
    return id;
}

static size_t runs_saved(struct buf *b)
{
    assert_int_equal(call("GET", "/v1/backtest/runs", NULL, b), 200);
    size_t n = 0;
    for (const char *p = b->data; (p = strstr(p, "\"scenario\":")); p++)
        n++;
    return n;
}

static void test_run_progress_done(void **state)
{
    (void)state;
    struct sse s;
    sse_start(&s, d.port);
    struct buf b;
    buf_init(&b, 0);
    size_t before = runs_saved(&b);
    int64_t id = start_job("{\"kind\":\"run\",\"from\":\"2025-01-02\",\"to\":\"2025-01-03\","
                           "\"scenario\":\"aggressive\",\"set\":{\"trade.max_positions\":\"4\"}}",
                           &b);
    assert_non_null(strstr(b.data, "\"kind\":\"run\""));
    assert_non_null(strstr(b.data, "\"scenarios\":[\"aggressive\"]"));
    if (strcmp(wait_job(id, &b), "done") != 0)
        fail_msg("job: %s", b.data);
    /* Done: one run saved, named in the job, with the scenario and --set. */
    assert_non_null(strstr(b.data, "\"fraction\":1"));
    assert_non_null(strstr(b.data, "\"scenarios_done\":1,\"scenarios_total\":1"));
    const char *ids = strstr(b.data, "\"run_ids\":[");
    assert_non_null(ids);
    long long run_id = strtoll(ids + strlen("\"run_ids\":["), NULL, 10);
    assert_true(run_id > 0);
    assert_int_equal(runs_saved(&b), before + 1);
    char path[64];
    snprintf(path, sizeof path, "/v1/backtest/runs/%lld", run_id);
    assert_int_equal(call("GET", path, NULL, &b), 200);
    assert_non_null(strstr(b.data, "\"scenario\":\"aggressive\""));
    assert_non_null(strstr(b.data, "\"trade.max_positions\":\"4\""));
    /* The stream told the story: running with events counted, then done. */
    for (int i = 0; i < 200 && sse_count(&s, "\"state\":\"done\"") == 0; i++)
        nanosleep(&(struct timespec){0, 20000000}, NULL);
    assert_true(sse_count(&s, "event: backtest") >= 3);
    assert_true(sse_count(&s, "\"state\":\"running\"") >= 2);
    assert_int_equal(sse_count(&s, "\"state\":\"done\""), 1);
    /* Progress counted in events while running: some "events_done" is
     * neither 0 nor the total. */
    pthread_mutex_lock(&s.mu);
    bool midway = false;
    for (const char *p = s.data.data; !midway && (p = strstr(p, "\"events_done\":")); p++) {
        long long done = strtoll(p + strlen("\"events_done\":"), NULL, 10);
        const char *t = strstr(p, "\"events_total\":");
        long long total = t ? strtoll(t + strlen("\"events_total\":"), NULL, 10) : 0;
        midway = done > 0 && done < total;
    }
    pthread_mutex_unlock(&s.mu);
    assert_true(midway);
    assert_true(sse_count(&s, "\"eta_s\":") >= 3);
    /* Finished: nothing to cancel. */
    snprintf(path, sizeof path, "/v1/backtests/%lld", (long long)id);
    assert_int_equal(call("DELETE", path, NULL, &b), 409);
    assert_int_equal(call("GET", "/v1/backtests/999", NULL, &b), 404);
    assert_int_equal(call("DELETE", "/v1/backtests/999", NULL, &b), 404);
    assert_int_equal(call("GET", "/v1/backtests", NULL, &b), 200);
    assert_non_null(strstr(b.data, "\"state\":\"done\""));
    buf_release(&b);
    sse_stop(&s);
}

static void test_grid_result(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b, 0);
    int64_t id = start_job(
        "{\"kind\":\"grid\",\"from\":\"2025-01-02\",\"to\":\"2025-01-03\","
        "\"scenario\":\"conservative\",\"folds\":2,\"axes\":[\"signal.threshold=0.6,0.7\","
        "\"trade.max_positions=3,8\"],\"objective\":\"return\"}",
        &b);
    if (strcmp(wait_job(id, &b), "done") != 0)
        fail_msg("job: %s", b.data);
    assert_non_null(strstr(b.data, "\"grid\":{\"sample\":\"out-of-sample\""));
    assert_non_null(strstr(b.data, "\"points\":4"));
    assert_non_null(strstr(b.data, "\"points_full_window_in_sample\":[{"));
    assert_non_null(strstr(b.data, "\"scenarios_done\":4,\"scenarios_total\":4"));
    /* Applying the recommendation sets the scenario's settings too. */
    const char *rec = strstr(b.data, "\"recommended_overrides\":{");
    if (!rec || !strstr(rec, "\"signal.threshold\":") || !strstr(rec, "\"trade.risk_per_trade\":"))
        fail_msg("recommended_overrides: %s", b.data);
    buf_release(&b);
}

static void test_cancel_saves_nothing(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b, 0);
    size_t before = runs_saved(&b);
    /* 400 points over the window: long enough to be caught running. */
    int64_t id = start_job("{\"kind\":\"grid\",\"from\":\"2025-01-02\",\"to\":\"2025-01-03\","
                           "\"axes\":[\"signal.threshold=0.5:0.69:0.01\","
                           "\"trade.max_positions=1:20:1\"]}",
                           &b);
    /* One job at a time (backtest.max_jobs 1): a second is refused. */
    assert_int_equal(
        call("POST", "/v1/backtests", "{\"from\":\"2025-01-02\",\"to\":\"2025-01-03\"}", &b), 429);
    assert_non_null(strstr(b.data, "backtest.max_jobs"));
    char path[64];
    snprintf(path, sizeof path, "/v1/backtests/%lld", (long long)id);
    assert_int_equal(call("DELETE", path, NULL, &b), 200);
    if (!strstr(b.data, "\"state\":\"cancelled\""))
        fail_msg("DELETE: %s", b.data);
    assert_non_null(strstr(b.data, "\"run_ids\":[]"));
    assert_int_equal(call("GET", path, NULL, &b), 200);
    assert_non_null(strstr(b.data, "\"state\":\"cancelled\""));
    assert_null(strstr(b.data, "\"grid\":"));
    /* Nothing half-written: no run, no fold. */
    assert_int_equal(runs_saved(&b), before);
    /* The slot is free again. */
    id = start_job("{\"from\":\"2025-01-02\",\"to\":\"2025-01-02T06:00:00Z\"}", &b);
    assert_string_equal(wait_job(id, &b), "done");
    buf_release(&b);
}

static void expect_400(const char *body, const char *message)
{
    struct buf b;
    buf_init(&b, 0);
    long st = call("POST", "/v1/backtests", body, &b);
    if (st != 400 || !strstr(b.data, message))
        fail_msg("%s: expected 400 and '%s', got %ld: %s", body, message, st, b.data);
    buf_release(&b);
}

static void test_bad_input_starts_nothing(void **state)
{
    (void)state;
    struct buf b, jobs_before;
    buf_init(&b, 0);
    buf_init(&jobs_before, 0);
    size_t before = runs_saved(&b);
    assert_int_equal(call("GET", "/v1/backtests", NULL, &jobs_before), 200);
    expect_400("not json", "JSON");
    expect_400("{\"form\":\"2025-01-02\",\"to\":\"2025-01-03\"}", "unknown field 'form'");
    expect_400("{\"kind\":\"sweep\",\"from\":\"2025-01-02\",\"to\":\"2025-01-03\"}",
               "kind: 'sweep' is not run, batch or grid");
    expect_400("{\"to\":\"2025-01-03\"}", "needs from and to");
    expect_400("{\"from\":\"2025-02-30\",\"to\":\"2025-03-01\"}",
               "from: '2025-02-30' is not an ISO 8601");
    expect_400("{\"from\":20250102,\"to\":\"2025-03-01\"}", "from: expected a string");
    expect_400("{\"from\":\"2025-01-03\",\"to\":\"2025-01-02\"}", "empty or inverted window");
    expect_400("{\"from\":\"2025-01-02\",\"to\":\"2025-01-02\"}", "empty or inverted window");
    expect_400("{\"from\":\"2025-01-02\",\"to\":\"2025-01-03\",\"scenario\":\"missing\"}",
               "no scenario called 'missing'");
    expect_400("{\"from\":\"2025-01-02\",\"to\":\"2025-01-03\",\"set\":{\"signal.tresh\":0.5}}",
               "unknown parameter 'signal.tresh'");
    expect_400("{\"from\":\"2025-01-02\",\"to\":\"2025-01-03\","
               "\"set\":{\"trade.max_positions\":5000}}",
               "trade.max_positions: 5000 is out of range [1, 1000]");
    expect_400(
        "{\"from\":\"2025-01-02\",\"to\":\"2025-01-03\",\"set\":{\"signal.threshold\":0.95}}",
        "high_score");
    expect_400("{\"from\":\"2025-01-02\",\"to\":\"2025-01-03\",\"axes\":[\"signal.threshold=1\"]}",
               "axes: not a field of a run");
    expect_400("{\"kind\":\"batch\",\"from\":\"2025-01-02\",\"to\":\"2025-01-03\"}",
               "a batch needs one or more scenario names");
    expect_400("{\"kind\":\"batch\",\"from\":\"2025-01-02\",\"to\":\"2025-01-03\","
               "\"scenarios\":[\"default\",\"nope\"]}",
               "no scenario called 'nope'");
    expect_400("{\"kind\":\"grid\",\"from\":\"2025-01-02\",\"to\":\"2025-01-03\","
               "\"axes\":[\"signal.threshold=0.5:0.84:0.02\",\"trade.max_positions=1:30:1\"]}",
               "the grid has 540 points, more than backtest.max_grid_points (500)");
    expect_400("{\"kind\":\"grid\",\"from\":\"2025-01-02\",\"to\":\"2025-01-03\","
               "\"axes\":[\"trade.max_positions=0,2\"]}",
               "trade.max_positions: 0 is out of range");
    expect_400("{\"kind\":\"grid\",\"from\":\"2025-01-02\",\"to\":\"2025-01-03\"}",
               "grid needs 1 to 6 axes");
    expect_400("{\"kind\":\"grid\",\"from\":\"2025-01-02\",\"to\":\"2025-01-03\","
               "\"objective\":\"luck\",\"axes\":[\"trade.max_positions=2\"]}",
               "objective: 'luck'");
    expect_400("{\"kind\":\"grid\",\"from\":\"2025-01-02\",\"to\":\"2025-01-03\","
               "\"folds\":0,\"axes\":[\"trade.max_positions=2\"]}",
               "folds (1 to 20)");
    /* Nothing was started or saved. */
    assert_int_equal(call("GET", "/v1/backtests", NULL, &b), 200);
    assert_string_equal(b.data, jobs_before.data);
    assert_int_equal(runs_saved(&b), before);
    buf_release(&b);
    buf_release(&jobs_before);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_input_starts_nothing),
        cmocka_unit_test(test_run_progress_done),
        cmocka_unit_test(test_grid_result),
        cmocka_unit_test(test_cancel_saves_nothing),
    };
    int failed = cmocka_run_group_tests_name("sqlite", tests, setup, teardown);
    const char *pg = getenv("WALLTRACK_TEST_PG_URL");
    if (!pg || !pg[0]) {
        print_message("PostgreSQL: skipped: WALLTRACK_TEST_PG_URL is not set (ctest runs "
                      "integration/backtest_jobs_pg under tests/store/with_pg.sh)\n");
        return failed;
    }
    static char url_env[1024];
    snprintf(url_env, sizeof url_env, "WALLTRACK_DB=%s", pg);
    db_env[0] = url_env;
    return failed + cmocka_run_group_tests_name("postgresql", tests, setup, teardown);
}
