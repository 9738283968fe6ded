/* Integration test: a setting written through the API can never keep the
 * daemon from starting (issue 13, item 5). Enumerated and bounded settings
 * are validated on write (400 naming the setting and what it accepts,
 * nothing stored); a bad value already in the database (written by an
 * older build) is ignored at start with a warning; the command line wins
 * over the database for the run. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "harness.h"
#include "base/err.h"
#include "store/store.h"

/* Opens the daemon's database (stopped daemon only). */
static struct store *open_db(const struct daemon *d)
{
    char data[512], err[256];
    snprintf(data, sizeof data, "%s/data", d->dir);
    mkdir(data, 0700);
    struct store *st = NULL;
    if (store_open(data, NULL, &st, err, sizeof err) != 0)
        fail_msg("store_open %s: %s", data, err);
    return st;
}

/* The setting's object in GET /v1/config, as text ("" when absent). */
static void setting_json(unsigned port, const char *name, char *out, size_t size)
{
    struct buf body;
    buf_init(&body, 0);
    assert_int_equal(http_request(port, "GET", "/v1/config", NULL, NULL, 0, &body), 200);
    char key[128];
    snprintf(key, sizeof key, "{\"name\":\"%s\"", name);
    const char *p = strstr(body.data, key);
    assert_non_null(p);
    const char *e = strchr(p, '}');
    snprintf(out, size, "%.*s", (int)(e - p + 1), p);
    buf_release(&body);
}

static void test_put_refuses_bad_values(void **state)
{
    (void)state;
    struct daemon d;
    assert_int_equal(daemon_start(&d, NULL, NULL), 0);
    static const char *const bad[][3] = {
        {"{\"alert.min_severity\":\"bogus\"}", "alert.min_severity", "info, warn, critical"},
        {"{\"alert.min_severity\":\"\"}", "alert.min_severity", "info, warn, critical"},
        {"{\"log.level\":\"anything\"}", "log.level", "debug, info, warn, error"},
        {"{\"log.level\":\"verbose\",\"signal.threshold\":0.8}", "log.level", "debug, info"},
        {"{\"signal.threshold\":1.5}", "signal.threshold", "out of range"},
        {"{\"trade.max_positions\":0}", "trade.max_positions", "out of range"},
    };
    char failed[1024] = "";
    for (size_t i = 0; i < sizeof bad / sizeof *bad && !failed[0]; i++) {
        struct buf body;
        buf_init(&body, 0);
        long st =
            http_request(d.port, "PUT", "/v1/config", NULL, bad[i][0], strlen(bad[i][0]), &body);
        const char *b = body.data ? body.data : "";
        if (st != 400 || !strstr(b, bad[i][1]) || !strstr(b, bad[i][2]))
            snprintf(failed, sizeof failed, "PUT %s: %ld %s", bad[i][0], st, b);
        buf_release(&body);
    }
    if (failed[0]) {
        daemon_stop(&d, SIGTERM);
        fail_msg("%s", failed);
    }
    char js[1024];
    setting_json(d.port, "alert.min_severity", js, sizeof js);
    assert_non_null(strstr(js, "\"value\":\"warn\""));
    setting_json(d.port, "signal.threshold", js, sizeof js);
    assert_non_null(strstr(js, "\"source\":\"default\""));
    /* Any case of a listed value is that value, stored as listed. */
    const char *ok = "{\"alert.min_severity\":\"Critical\"}";
    assert_int_equal(http_request(d.port, "PUT", "/v1/config", NULL, ok, strlen(ok), NULL), 200);
    assert_int_equal(daemon_stop(&d, SIGTERM), 0);

    /* Nothing bad reached the database. */
    struct store *st = open_db(&d);
    char v[256];
    assert_int_equal(store_setting_get(st, "log.level", v, sizeof v), WT_ENOTFOUND);
    assert_int_equal(store_setting_get(st, "signal.threshold", v, sizeof v), WT_ENOTFOUND);
    assert_int_equal(store_setting_get(st, "trade.max_positions", v, sizeof v), WT_ENOTFOUND);
    assert_int_equal(store_setting_get(st, "alert.min_severity", v, sizeof v), 0);
    assert_string_equal(v, "critical");
    store_close(st);

    /* And the daemon starts again on it. */
    assert_int_equal(daemon_restart(&d, NULL, NULL), 0);
    setting_json(d.port, "alert.min_severity", js, sizeof js);
    assert_non_null(strstr(js, "\"value\":\"critical\""));
    assert_non_null(strstr(js, "\"source\":\"database\""));
    assert_int_equal(daemon_stop(&d, SIGTERM), 0);
    harness_rmdir(d.dir);
}

/* Values an older build let through the API, put straight into the
 * database: the daemon still starts, says what it ignored, and uses the
 * file/default value instead. */
static void test_bad_stored_values_are_ignored(void **state)
{
    (void)state;
    struct daemon d;
    memset(&d, 0, sizeof d);
    harness_tmpdir(d.dir, sizeof d.dir);
    struct store *st = open_db(&d);
    assert_int_equal(store_setting_set(st, "alert.min_severity", "bogus", 1, "api"), 0);
    assert_int_equal(store_setting_set(st, "log.level", "Loud", 1, "api"), 0);
    assert_int_equal(store_setting_set(st, "signal.threshold", "7", 1, "api"), 0);
    store_close(st);

    assert_int_equal(daemon_start_cmd(&d, "serve", NULL, NULL), 0);
    struct buf log;
    buf_init(&log, 0);
    daemon_log(&d, &log);
    assert_non_null(strstr(log.data, "ignoring the stored setting alert.min_severity"));
    assert_non_null(strstr(log.data, "ignoring the stored setting log.level"));
    assert_non_null(strstr(log.data, "ignoring the stored setting signal.threshold"));
    buf_release(&log);
    char js[1024];
    setting_json(d.port, "alert.min_severity", js, sizeof js);
    assert_non_null(strstr(js, "\"value\":\"warn\""));
    assert_non_null(strstr(js, "\"source\":\"default\""));
    setting_json(d.port, "log.level", js, sizeof js);
    assert_non_null(strstr(js, "\"value\":\"info\""));
    assert_int_equal(daemon_stop(&d, SIGTERM), 0);

    /* The command line wins over the database, bad or good, for the run. */
    const char *args[] = {"--set", "alert.min_severity=warn", NULL};
    assert_int_equal(daemon_restart(&d, args, NULL), 0);
    setting_json(d.port, "alert.min_severity", js, sizeof js);
    assert_non_null(strstr(js, "\"value\":\"warn\""));
    assert_non_null(strstr(js, "\"source\":\"command line\""));
    assert_int_equal(daemon_stop(&d, SIGTERM), 0);

    st = open_db(&d);
    assert_int_equal(store_setting_set(st, "alert.min_severity", "critical", 2, "api"), 0);
    assert_int_equal(store_setting_set(st, "signal.threshold", "0.75", 2, "api"), 0);
    store_close(st);
    const char *args2[] = {"--set", "alert.min_severity=info", NULL};
    assert_int_equal(daemon_restart(&d, args2, NULL), 0);
    setting_json(d.port, "alert.min_severity", js, sizeof js);
    assert_non_null(strstr(js, "\"value\":\"info\""));
    assert_non_null(strstr(js, "\"source\":\"command line\""));
    /* a stored value the command line does not name still applies */
    setting_json(d.port, "signal.threshold", js, sizeof js);
    assert_non_null(strstr(js, "\"value\":0.75"));
    assert_non_null(strstr(js, "\"source\":\"database\""));
    assert_int_equal(daemon_stop(&d, SIGTERM), 0);
    harness_rmdir(d.dir);
}

/* Stored engine settings that only fit together: the command line changes
 * one of the pair, and the daemon still starts, setting the stored ones
 * aside for the run. A stored default strategy that no longer exists is
 * set aside the same way. */
static void test_stored_pair_broken_by_command_line(void **state)
{
    (void)state;
    struct daemon d;
    memset(&d, 0, sizeof d);
    harness_tmpdir(d.dir, sizeof d.dir);
    struct store *st = open_db(&d);
    assert_int_equal(store_setting_set(st, "signal.threshold", "0.9", 1, "api"), 0);
    assert_int_equal(store_setting_set(st, "trade.high_score", "0.95", 1, "api"), 0);
    assert_int_equal(store_setting_set(st, "trade.default_strategy", "gone", 1, "api"), 0);
    store_close(st);
    const char *args[] = {"--set", "trade.high_score=0.8", NULL};
    assert_int_equal(daemon_start_cmd(&d, "serve", args, NULL), 0);
    struct buf log;
    buf_init(&log, 0);
    daemon_log(&d, &log);
    assert_non_null(strstr(log.data, "ignoring the stored setting signal.threshold = 0.9"));
    assert_non_null(strstr(log.data, "ignoring the stored setting trade.default_strategy = gone"));
    buf_release(&log);
    char js[1024];
    setting_json(d.port, "trade.high_score", js, sizeof js);
    assert_non_null(strstr(js, "\"value\":0.8"));
    assert_non_null(strstr(js, "\"source\":\"command line\""));
    setting_json(d.port, "signal.threshold", js, sizeof js);
    assert_non_null(strstr(js, "\"value\":0.7"));
    setting_json(d.port, "trade.default_strategy", js, sizeof js);
    assert_non_null(strstr(js, "\"value\":\"default\""));
    assert_int_equal(daemon_stop(&d, SIGTERM), 0);
    harness_rmdir(d.dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_put_refuses_bad_values),
        cmocka_unit_test(test_bad_stored_values_are_ignored),
        cmocka_unit_test(test_stored_pair_broken_by_command_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
