/* The backtest routes of the real daemon over real HTTP: a run saved by
 * `walltrack backtest run` listed, read whole and deleted; scenarios
 * listed and created, bad ones refused with nothing stored. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "base/buf.h"
#include "harness.h"

static long call(unsigned port, const char *method, const char *path, const char *json,
                 struct buf *body)
{
    buf_reset(body);
    return http_request(port, method, path, NULL, json, json ? strlen(json) : 0, body);
}

static void test_backtest_routes(void **state)
{
    (void)state;
    struct daemon d;
    assert_int_equal(daemon_start(&d, NULL, NULL), 0);
    assert_int_equal(daemon_stop(&d, SIGTERM), 0);
    const char *gen[] = {"sim", "generate",         "--out", "sim", "--days", "2", "--wallets",
                         "300", "--tokens-per-day", "60",    NULL};
    const char *imp[] = {"import", "--data", "data", "--quiet", "sim/transactions.ndjson", NULL};
    const char *disc[] = {"discover", "--data", "data", NULL};
    const char *run[] = {"backtest",
                         "run",
                         "--data",
                         "data",
                         "--from",
                         "2025-01-02",
                         "--to",
                         "2025-01-03",
                         "--quiet",
                         "--set",
                         "signal.threshold=0.75",
                         NULL};
    assert_int_equal(harness_run(d.dir, gen, NULL, 120, NULL), 0);
    assert_int_equal(harness_run(d.dir, imp, NULL, 120, NULL), 0);
    assert_int_equal(harness_run(d.dir, disc, NULL, 120, NULL), 0);
    assert_int_equal(harness_run(d.dir, run, NULL, 120, NULL), 0);
    assert_int_equal(daemon_restart(&d, NULL, NULL), 0);

    struct buf b;
    buf_init(&b, 0);
    assert_int_equal(call(d.port, "GET", "/v1/backtest/runs", NULL, &b), 200);
    assert_non_null(strstr(b.data, "\"id\":1,\"scenario\":\"default\""));
    assert_int_equal(call(d.port, "GET", "/v1/backtest/runs/1", NULL, &b), 200);
    assert_non_null(strstr(b.data, "\"metrics\":{"));
    assert_non_null(strstr(b.data, "\"curve\":[["));
    assert_non_null(strstr(b.data, "\"settings\":{"));
    assert_int_equal(call(d.port, "GET", "/v1/backtest/runs/77", NULL, &b), 404);
    assert_int_equal(call(d.port, "GET", "/v1/backtest/runs/x", NULL, &b), 404);

    assert_int_equal(call(d.port, "GET", "/v1/backtest/scenarios", NULL, &b), 200);
    assert_non_null(strstr(b.data, "\"name\":\"conservative\",\"builtin\":true"));
    assert_int_equal(call(d.port, "PUT", "/v1/backtest/scenarios/careful",
                          "{\"params\":{\"signal.threshold\":0.8,\"trade.max_positions\":\"4\"}}",
                          &b),
                     200);
    assert_non_null(strstr(b.data, "\"trade.max_positions\":\"4\""));
    assert_int_equal(call(d.port, "PUT", "/v1/backtest/scenarios/bad",
                          "{\"params\":{\"signal.threshold\":3}}", &b),
                     400);
    assert_non_null(strstr(b.data, "signal.threshold"));
    assert_int_equal(call(d.port, "PUT", "/v1/backtest/scenarios/bad2",
                          "{\"params\":{\"api.token\":\"x\"}}", &b),
                     400);
    assert_non_null(strstr(b.data, "unknown parameter 'api.token'"));
    assert_int_equal(call(d.port, "PUT", "/v1/backtest/scenarios/default", "{\"params\":{}}", &b),
                     400);
    assert_int_equal(call(d.port, "GET", "/v1/backtest/scenarios", NULL, &b), 200);
    assert_non_null(strstr(b.data, "careful"));
    assert_null(strstr(b.data, "bad"));

    /* Apply: the run's settings through PUT /v1/config, with history. */
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%u", d.port);
    const char *apply[] = {"backtest", "apply", "1", "--yes", "--url", url, "--data", "data", NULL};
    struct buf out;
    buf_init(&out, 0);
    assert_int_equal(harness_run(d.dir, apply, NULL, 60, &out), 0);
    if (!strstr(out.data, "signal.threshold = 0.75"))
        fail_msg("apply: %s", out.data);
    buf_release(&out);
    assert_int_equal(call(d.port, "GET", "/v1/config/history?name=signal.threshold", NULL, &b),
                     200);
    assert_non_null(strstr(b.data, "0.75"));
    assert_int_equal(call(d.port, "GET", "/v1/status", NULL, &b), 200);
    assert_non_null(strstr(b.data, "0.75"));

    assert_int_equal(call(d.port, "DELETE", "/v1/backtest/runs/1", NULL, &b), 200);
    assert_int_equal(call(d.port, "GET", "/v1/backtest/runs/1", NULL, &b), 404);
    assert_int_equal(call(d.port, "DELETE", "/v1/backtest/runs/1", NULL, &b), 404);
    assert_int_equal(call(d.port, "GET", "/v1/backtest/runs", NULL, &b), 200);
    assert_string_equal(b.data, "[]");
    buf_release(&b);
    assert_int_equal(daemon_stop(&d, SIGTERM), 0);
    harness_rmdir(d.dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_backtest_routes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
