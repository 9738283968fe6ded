/* Integration test of `walltrack demo`, the README's main job: on a small
 * simulated market, history is crawled through the production Helius
 * client from a simulated chain, discovery fills the watchlist, the
 * chain's webhook registration follows the watchlist, and
 * the streamed live market produces signals and paper positions that open
 * and close, visible through the API; Ctrl-C stops it cleanly. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/json.h"
#include "harness.h"

static int64_t counter(const char *json, const char *obj, const char *key)
{
    struct json_doc *d = json_doc_new(0);
    struct json_val root, o;
    int64_t v = -1;
    if (json_parse(d, json, strlen(json), 0, &root) == 0 && json_get(&root, obj, &o) == 0)
        json_get_i64(&o, key, &v);
    json_doc_free(d);
    return v;
}

static void test_demo_trades_within_a_minute(void **state)
{
    (void)state;
    const char *args[] = {"--history-days",   "1",   "--live-days", "1",   "--wallets", "800",
                          "--tokens-per-day", "120", "--speed",     "600", NULL};
    struct daemon d;
    memset(&d, 0, sizeof d);
    harness_tmpdir(d.dir, sizeof d.dir);
    /* daemon_restart runs `serve`; the demo is its own command, so start it
     * through the same helper by naming the command first. */
    assert_int_equal(daemon_start_cmd(&d, "demo", args, NULL), 0);
    struct buf body;
    buf_init(&body, 0);
    int64_t watched = -1, signals = -1, opened = -1, closed = -1;
    for (int i = 0; i < 600 && closed < 1; i++) {
        struct timespec ts = {0, 100 * 1000000L};
        nanosleep(&ts, NULL);
        buf_reset(&body);
        if (http_request(d.port, "GET", "/v1/status", NULL, NULL, 0, &body) != 200)
            continue;
        watched = counter(body.data, "watchlist", "watched");
        signals = counter(body.data, "counters", "signals");
        opened = counter(body.data, "counters", "positions_opened");
        closed = counter(body.data, "counters", "positions_closed");
    }
    print_message("demo: %lld watched, %lld signals, %lld opened, %lld closed\n",
                  (long long)watched, (long long)signals, (long long)opened, (long long)closed);
    assert_true(watched > 0);
    assert_true(signals > 0);
    assert_true(opened > 0);
    assert_true(closed > 0);
    /* the watchlist came from the crawl, and the (simulated) Helius webhook
     * holds exactly the watched wallets */
    struct buf out;
    buf_init(&out, 0);
    char path[600];
    snprintf(path, sizeof path, "%s/stdout", d.dir);
    assert_int_equal(harness_read_file(path, &out), 0);
    assert_non_null(strstr(out.data, "crawled "));
    assert_non_null(strstr(out.data, "graduated token(s)"));
    buf_release(&out);
    int64_t registered = -1, hook_watched = -2;
    for (int i = 0; i < 200 && registered != hook_watched; i++) {
        buf_reset(&body);
        assert_int_equal(http_request(d.port, "GET", "/v1/status", NULL, NULL, 0, &body), 200);
        struct json_doc *jd = json_doc_new(0);
        struct json_val root, in, hw;
        if (json_parse(jd, body.data, body.len, 0, &root) == 0 &&
            json_get(&root, "inputs", &in) == 0 && json_get(&in, "helius_webhook", &hw) == 0) {
            json_get_i64(&hw, "registered", &registered);
            json_get_i64(&hw, "watched", &hook_watched);
        }
        json_doc_free(jd);
        if (registered != hook_watched) {
            struct timespec ts = {0, 100 * 1000000L};
            nanosleep(&ts, NULL);
        }
    }
    assert_true(registered > 0);
    assert_int_equal(registered, hook_watched);
    assert_non_null(strstr(body.data, "\"status\":\"in_sync\""));
    /* what a user sees: the smart-money API has discovered wallets */
    buf_reset(&body);
    assert_int_equal(
        http_request(d.port, "GET", "/v1/smart-money/wallets?limit=5", NULL, NULL, 0, &body), 200);
    assert_non_null(strstr(body.data, "\"walletAddress\""));
    assert_int_equal(daemon_stop(&d, SIGINT), 0);
    struct buf log;
    buf_init(&log, 0);
    daemon_log(&d, &log);
    assert_non_null(strstr(log.data, "stopped cleanly"));
    buf_release(&log);
    buf_release(&body);
    harness_rmdir(d.dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_demo_trades_within_a_minute),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
